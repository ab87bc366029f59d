/**
 * `install` and `remove` commands of the configuration, run as kmod runs them: `/bin/sh -c` (system(3))
 * with MODPROBE_MODULE set to the module's name. `$CMDLINE_OPTS` becomes the module's options.
 *
 * One deliberate difference from kmod: kmod pastes the options into the command text as they are, so
 * a parameter given on the command line (`modprobe foo 'x=$(…)'`) is shell syntax. Here each option
 * is one single-quoted shell word; the command still receives the same words. The module name
 * reaches the shell only through the environment, as in kmod.
 */
import { spawnSync } from 'node:child_process';

/** tools/modprobe.c: command_do — `$CMDLINE_OPTS` replaced by the options, as text (for printing). */
export function substituteOptions(command: string, options: string): string {
  return command.split('$CMDLINE_OPTS').join(options);
}

/** C isspace(): what separates the kernel's arguments (lib/cmdline.c: next_arg). */
const isSpace = (c: string) => c === ' ' || (c >= '\t' && c <= '\r');

/** The options split as the kernel splits them (a double quote protects spaces), each as one quoted shell word. */
export function shellQuoteOptions(options: string): string {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (const c of options) {
    if (!quoted && isSpace(c)) {
      if (word !== '') words.push(word);
      word = '';
      continue;
    }
    if (c === '"') quoted = !quoted;
    word += c;
  }
  if (word !== '') words.push(word);
  return words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ');
}

/** The result of a command: its exit status (-1 when /bin/sh could not run, as system(3) reports). */
export interface CommandResult {
  readonly status: number;
}

/** Runs `command` (from a configuration file) for module `name`, options quoted into `$CMDLINE_OPTS`. */
export function runConfigCommand(
  command: string,
  name: string,
  options: string,
  env: NodeJS.ProcessEnv = process.env,
): CommandResult {
  const text = substituteOptions(command, shellQuoteOptions(options));
  const result = spawnSync('/bin/sh', ['-c', text], {
    env: { ...env, MODPROBE_MODULE: name },
    stdio: 'inherit',
  });
  if (result.error) return { status: -1 };
  // WEXITSTATUS of a status ended by a signal is 0: kmod counts that as success.
  return { status: result.status ?? 0 };
}
