/** `kmodkit completion bash|zsh`: the shell completion script, made from the command specs. */
import type { CommandSpec } from '../command-spec.js';
import { optionTable } from '../command-spec.js';
import { bashScript, zshScript } from '../completion.js';
import { getoptLong } from '../getopt.js';
import { helpText } from '../help.js';
import type { CommandContext } from './context.js';
import { commandSpecs } from './registry.js';

export const completionSpec: CommandSpec = {
  name: 'completion',
  summary: 'print the bash or zsh completion script for kmodkit',
  usage: ['bash', 'zsh'],
  description: `Prints a completion script for the shell named: sub-commands, their options, option values (files, directories, field names, installed kernel versions) and module names (from the running kernel's modules.dep; loaded modules for rmmod).

bash: add \`source <(kmodkit completion bash)\` to ~/.bashrc. zsh: \`kmodkit completion zsh > "\${fpath[1]}/_kmodkit"\`, then start a new shell.`,
  options: [{ long: 'help', short: 'h', help: 'show this help' }],
  operands: ['bash', 'zsh'],
  examples: [
    { args: 'bash > /etc/bash_completion.d/kmodkit', explain: 'install bash completion for every user' },
    { args: 'zsh > ~/.zfunc/_kmodkit', explain: 'install zsh completion (with ~/.zfunc in $fpath)' },
  ],
  exitStatus: '0 on success; 1 when the shell is missing or not bash or zsh.',
};

export async function completion(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const line = getoptLong(argv, optionTable(completionSpec));
  if (line.options.some((o) => o.name === 'help')) {
    ctx.stdout(helpText(completionSpec, ctx.program));
    return 0;
  }
  if (line.error !== undefined) {
    ctx.stderr(`${ctx.program}: ${line.error}\n`);
    return 1;
  }
  const [shell, ...extra] = line.operands;
  if (shell === 'bash' && extra.length === 0) ctx.stdout(bashScript(await commandSpecs()));
  else if (shell === 'zsh' && extra.length === 0) ctx.stdout(zshScript(await commandSpecs()));
  else {
    ctx.stderr(
      `${ctx.program}: ERROR: ${shell === undefined ? 'missing shell name' : `unknown shell '${line.operands.join(' ')}'`}: use bash or zsh\n`,
    );
    return 1;
  }
  return 0;
}
