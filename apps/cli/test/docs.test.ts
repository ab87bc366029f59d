/**
 * One source for options, --help, man pages and completion: each command's spec against what the
 * command accepts, the built man pages through groff's warnings, the completion scripts in real bash
 * and zsh, and colour and progress only on a terminal.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { optionSignature } from '../src/command-spec.js';
import { commandSpecs } from '../src/commands/registry.js';
import { bashScript, zshScript } from '../src/completion.js';
import { docFiles } from '../src/docs.js';
import { helpText } from '../src/help.js';
import { colourMessages, colourOn, startProgress } from '../src/terminal.js';
import { runMain } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const cliRoot = join(here, '..');
const pkg = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8')) as {
  version: string;
  man: string[];
};
const specs = await commandSpecs();

/** In CI every tool these tests use is installed (scripts/test.sh); elsewhere a missing one skips. */
function haveTool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
  if (!found && process.env.CI) throw new Error(`${name} is missing; CI installs it (scripts/test.sh)`);
  return found;
}

const run = (argv: string[], tty = false, argv0?: string) =>
  runMain(argv, { cwd: here, tty, ...(argv0 === undefined ? {} : { argv0 }) });

describe.each(specs.map((s) => [s.name, s] as const))('%s', (name, spec) => {
  test('--help lists every option of the spec, its usage and examples', async () => {
    const { status, stdout } = await run([name, '--help']);
    expect(status).toBe(0);
    expect(stdout).toBe(helpText(spec, name));
    for (const o of spec.options.filter((x) => !x.hidden))
      expect(stdout).toContain(optionSignature(o).trim());
    expect(stdout).toMatch(/\nExamples:\n/);
    expect(spec.examples.length).toBeGreaterThan(0);
  });

  test('the multi-call name gives the same help', async () => {
    expect((await run(['--help'], false, `/usr/local/bin/${name}`)).stdout).toBe(helpText(spec, name));
  });

  test('every option the spec lists is accepted (no "unrecognized option")', async () => {
    for (const o of spec.options) {
      if (o.long === 'help' || o.long === 'version') continue;
      const flag = o.shortOnly ? `-${o.short}` : `--${o.long}${o.value === undefined ? '' : '=x'}`;
      const { stderr } = await run([name, flag, '--help']);
      expect(stderr).not.toMatch(/unrecognized option/);
    }
  });

  test('the man page renders without groff warnings', () => {
    if (!haveTool('groff')) return;
    const page = join(cliRoot, `man/kmodkit-${name}.1`);
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', page], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const text = spawnSync('groff', ['-man', '-Tascii', '-P-cbou', page], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(new RegExp(`kmodkit-${name}\\s+-\\s+${spec.summary.split(' ')[0]}`));
    for (const o of spec.options.filter((x) => !x.hidden))
      expect(text).toContain(optionSignature(o).trim().split(/[ =]/).pop()!.replace(/^-+/, ''));
    expect(text).toMatch(/EXAMPLES/);
  });
});

describe("kmod's own help", () => {
  test.each(['modinfo', 'modprobe', 'insmod', 'rmmod', 'depmod'])(
    "%s --help is kmod 30's, then the examples (and modinfo's --json line)",
    async (name) => {
      if (!haveTool(name)) return;
      const kmod = spawnSync(name, ['--help'], { encoding: 'utf8' });
      const ours = (await run([name, '--help'])).stdout
        .replace(/\nExamples:\n[\s\S]*$/, '')
        .replace(/\t {4}--json[^\n]*\n/, '');
      expect(ours).toBe(kmod.stdout + kmod.stderr);
    },
  );
});

describe('generated files', () => {
  test('man/ and completions/ are what the specs give (the build wrote them)', async () => {
    for (const [path, text] of await docFiles(pkg.version))
      expect(readFileSync(join(cliRoot, path), 'utf8')).toBe(text);
    expect(readdirSync(join(cliRoot, 'man')).sort()).toEqual(specs.map((s) => `kmodkit-${s.name}.1`).sort());
  });

  test('package.json "man" lists every page, so npm installs them', () => {
    expect([...pkg.man].sort()).toEqual(specs.map((s) => `./man/kmodkit-${s.name}.1`).sort());
  });

  test('kmodkit --help lists every command', async () => {
    const { stdout } = await run(['--help']);
    for (const s of specs) expect(stdout).toContain(`  ${s.name.padEnd(12)} ${s.summary}`);
  });
});

describe('completion', () => {
  /** What bash's programmable completion offers for the words typed so far (the last is being completed). */
  function bashComplete(words: string[]): string[] {
    const script = join(tmpdir(), `kmodkit-completion-${process.pid}.bash`);
    writeFileSync(script, bashScript(specs));
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _kmodkit; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8', cwd: here },
    );
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter((l) => l !== '');
  }

  test('bash: commands, options, option values, operands', () => {
    if (!haveTool('bash')) return;
    expect(bashComplete(['kmodkit', 'mod'])).toEqual(['modinfo', 'modprobe']);
    expect(bashComplete(['kmodkit', 'modinfo', '--fie'])).toEqual(['--field']);
    expect(bashComplete(['kmodkit', 'modinfo', '-F', 'verm'])).toEqual(['vermagic']);
    expect(bashComplete(['kmodkit', 'completion', ''])).toEqual(['bash', 'zsh']);
    // A `modinfo` symlink to kmodkit completes as modinfo.
    expect(bashComplete(['modinfo', '--json', '--nu'])).toEqual(['--null']);
    // Files and directories for -b.
    expect(bashComplete(['kmodkit', 'modinfo', '-b', '../te'])).toEqual(['../test']);
  });

  test('zsh: the script parses, and defines _kmodkit with every command', () => {
    if (!haveTool('zsh')) return;
    const file = join(tmpdir(), `_kmodkit-${process.pid}`);
    writeFileSync(file, zshScript(specs));
    expect(spawnSync('zsh', ['-n', file], { encoding: 'utf8' }).stderr).toBe('');
    const r = spawnSync(
      'zsh',
      ['-c', `_describe() {}; _arguments() {}; source '${file}' 2>/dev/null; whence -w _kmodkit`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout.trim()).toBe('_kmodkit: function');
    for (const s of specs) expect(zshScript(specs)).toContain(`    ${s.name})\n      _arguments`);
  });

  test('kmodkit completion bash|zsh prints the scripts; another shell is an error', async () => {
    expect((await run(['completion', 'bash'])).stdout).toBe(bashScript(specs));
    expect((await run(['completion', 'zsh'])).stdout).toBe(zshScript(specs));
    expect(await run(['completion', 'fish'])).toMatchObject({ status: 1, stdout: '' });
    expect((await run(['completion'])).stderr).toMatch(/^completion: ERROR: missing shell name/);
  });
});

describe('terminal', () => {
  test('colour only on a terminal, never with NO_COLOR or TERM=dumb', () => {
    expect(colourOn({ isTTY: true, write() {} }, {})).toBe(true);
    expect(colourOn({ isTTY: false, write() {} }, {})).toBe(false);
    expect(colourOn({ write() {} }, {})).toBe(false);
    expect(colourOn({ isTTY: true, write() {} }, { NO_COLOR: '1' })).toBe(false);
    expect(colourOn({ isTTY: true, write() {} }, { TERM: 'dumb' })).toBe(false);
  });

  test("colour decorates kmod's ERROR:/WARNING: and changes no other byte", () => {
    const text = 'modinfo: ERROR: Module x not found.\ndepmod: WARNING: y\nno ERROR: here\n';
    const coloured = colourMessages(text);
    expect(coloured).toContain('modinfo: \x1b[1;31mERROR:\x1b[0m Module x');
    expect(coloured).toContain('depmod: \x1b[1;33mWARNING:\x1b[0m y');
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(text);
  });

  test('a command on a terminal gets coloured messages; in a pipe, plain kmod text', async () => {
    const piped = await run(['modinfo', 'no-such.ko']);
    expect(piped.stderr).toBe('modinfo: ERROR: Module no-such.ko not found.\n');
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect((await run(['modinfo', 'no-such.ko'], true)).stderr).toBe(
        'modinfo: \x1b[1;31mERROR:\x1b[0m Module no-such.ko not found.\n',
      );
      process.env.NO_COLOR = '1';
      expect((await run(['modinfo', 'no-such.ko'], true)).stderr).toBe(piped.stderr);
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });

  test('progress draws on a terminal and writes nothing to a pipe or for little work', () => {
    let drawn = '';
    const tty = {
      isTTY: true,
      columns: 80,
      write(s: string) {
        drawn += s;
        return true;
      },
      on() {},
      removeListener() {},
    };
    const bar = startProgress(tty, 'depmod', 1000, {});
    bar.update(500);
    bar.stop();
    expect(drawn).toMatch(/depmod .*\d+\/1000/);
    let piped = '';
    const pipe = {
      isTTY: false,
      write(s: string) {
        piped += s;
        return true;
      },
    };
    const silent = startProgress(pipe, 'depmod', 1000, {});
    silent.update(500);
    silent.stop();
    expect(piped).toBe('');
    const small = startProgress(tty, 'x', 3, {});
    expect(small).toBe(startProgress(pipe, 'y', 1000, {}));
  });
});
