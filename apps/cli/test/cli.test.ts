/**
 * `main` in-process: the multi-call dispatcher, `--version`/`--help`, and `modinfo --json` on the
 * fixture modules, checked against what the fixtures' C source declares (fixtures/src, table in
 * fixtures/modules/README.md).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { main } from '../src/index.js';
import { fetchCorpus, modulesUnder, skipCorpus } from './corpus.js';
import { KMODKIT_BIN, runBin, runMain } from './run-main.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../../../fixtures/modules');
const version = (JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as { version: string })
  .version;

const run = (argv: string[], argv0?: string) =>
  runMain(argv, { cwd: fixtures, ...(argv0 === undefined ? {} : { argv0 }) });

describe('kmodkit', () => {
  test('--version prints the package.json version', async () => {
    for (const flag of ['--version', '-V'])
      expect(await run([flag])).toEqual({ status: 0, stdout: `kmodkit ${version}\n`, stderr: '' });
  });

  test('--help lists the commands that exist, and only those', async () => {
    const { status, stdout } = await run(['--help']);
    expect(status).toBe(0);
    for (const command of ['check', 'depmod', 'insmod', 'lsmod', 'modinfo', 'modprobe', 'rmmod'])
      expect(stdout).toMatch(new RegExp(`^ {2}${command} `, 'm'));
  });

  test('a link named modprobe runs kmodkit modprobe', async () => {
    const { status, stdout } = await run(['--help'], '/usr/local/sbin/modprobe');
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage:\n\tmodprobe \[options\] \[-i\] \[-b\] modulename\n/);
    const missing = await run([], 'modprobe');
    expect(missing).toMatchObject({ status: 1, stderr: 'modprobe: ERROR: missing parameters. See -h.\n' });
  });

  test('no command or an unknown one: the help on stderr, exit status 1', async () => {
    const none = await run([]);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^missing command\nkmodkit - /);
    const bad = await run(['frobnicate']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^invalid command 'frobnicate'\n/);
  });

  test('called as modinfo (a symlink), it is kmodkit modinfo', async () => {
    const direct = await run(['modinfo', '-F', 'name', 'kmodkit_dep.ko']);
    for (const argv0 of ['modinfo', '/usr/local/bin/modinfo']) {
      expect(await run(['-F', 'name', 'kmodkit_dep.ko'], argv0)).toEqual(direct);
    }
    expect(direct).toEqual({ status: 0, stdout: 'kmodkit_dep\n', stderr: '' });
  });

  test('an unexpected failure is one line on stderr and exit status 1, no stack trace', async () => {
    let stderr = '';
    const status = await main(['modinfo', '-F', 'name', 'kmodkit_dep.ko'], undefined, {
      stdout: {
        write() {
          throw new Error('disk on fire');
        },
      },
      stderr: {
        write(text: string | Uint8Array) {
          stderr += String(text);
          return true;
        },
      },
      cwd: fixtures,
    });
    expect(status).toBe(1);
    expect(stderr).toBe('kmodkit: internal error: disk on fire\n');
  });

  test('modinfo -V names kmodkit and the formats it reads', async () => {
    expect((await run(['modinfo', '-V'])).stdout).toBe(
      `kmodkit version ${version}\n+ZSTD +XZ +ZLIB +LIBCRYPTO -EXPERIMENTAL\n`,
    );
  });
});

describe('kmodkit modinfo --json', () => {
  const json = async (...files: string[]) => {
    const r = await run(['modinfo', '--json', ...files]);
    return {
      ...r,
      objects: r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    };
  };

  test('one line per module, fields in the documented order', async () => {
    const { status, objects } = await json('kmodkit_test.ko', 'kmodkit_dep.ko');
    expect(status).toBe(0);
    expect(objects).toHaveLength(2);
    for (const o of objects) {
      expect(Object.keys(o)).toEqual([
        'filename',
        'name',
        'compression',
        'class',
        'endian',
        'machine',
        'vermagic',
        'modinfo',
        'params',
        'exports',
        'imports',
        'signature',
      ]);
    }
    expect(objects[0]).toMatchObject({
      filename: join(fixtures, 'kmodkit_test.ko'),
      name: 'kmodkit_test',
      compression: 'none',
      class: 'ELF64',
      endian: 'little',
      machine: 'EM_X86_64',
      vermagic: '6.1.0-56-amd64 SMP preempt mod_unload modversions ',
      signature: null,
    });
  });

  test('modinfo is every .modinfo string, as kmod lists them', async () => {
    const { objects } = await json('kmodkit_dep.ko');
    const text = (await run(['modinfo', '-0', 'kmodkit_dep.ko'])).stdout.split('\0');
    // -0 prints key=value for each string, parm lines apart: rebuild the same list from the JSON.
    const fromJson = (objects[0]!.modinfo as { key: string; value: string }[])
      .filter((e) => e.key !== 'parm' && e.key !== 'parmtype')
      .map((e) => `${e.key}=${e.value}`);
    expect(text.slice(1, 1 + fromJson.length)).toEqual(fromJson);
  });

  test('params are decoded from __param, as the fixture source declares them', async () => {
    const { objects } = await json('kmodkit_test.ko');
    const params = objects[0]!.params as {
      name: string;
      type: string;
      perm: string;
      maxLength: number | null;
      elementType: string | null;
    }[];
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(byName.p_int).toMatchObject({ type: 'int', perm: '0644' });
    expect(byName.p_uint).toMatchObject({ type: 'uint', perm: '0600' });
    expect(byName.p_ushort).toMatchObject({ type: 'ushort', perm: '0' });
    expect(byName.p_string).toMatchObject({ type: 'string', maxLength: 16 });
    expect(byName.p_int_array).toMatchObject({ type: 'array', elementType: 'int', maxLength: 4 });
    expect(byName.p_charp_array).toMatchObject({
      type: 'array',
      elementType: 'charp',
      maxLength: 3,
      perm: '0444',
    });
    expect(byName.p_cb).toMatchObject({ type: 'custom' });
    expect(params).toHaveLength(19);
  });

  test('exports carry GPL-ness and namespace; imports include the CRCs from __versions', async () => {
    const { objects } = await json('kmodkit_test.ko', 'kmodkit_dep.ko');
    const exports = objects[0]!.exports as {
      name: string;
      gpl: boolean;
      namespace: string | null;
      crc: string | null;
    }[];
    expect(exports.map((e) => [e.name, e.gpl, e.namespace]).sort()).toEqual([
      ['kmodkit_test_add', false, null],
      ['kmodkit_test_gpl_value', true, null],
      ['kmodkit_test_ns_name', true, 'KMODKIT'],
    ]);
    const imports = objects[1]!.imports as { name: string; crc: string | null }[];
    for (const e of exports) expect(imports.find((i) => i.name === e.name)?.crc).toBe(e.crc);
  });

  test('a built-in module: its modules.builtin.modinfo strings; a module file found through modules.dep', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kmodkit-json-root-'));
    const dir = join(root, 'lib/modules/6.1.0-test');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'modules.builtin'), 'kernel/arch/x86/events/amd/amd-uncore.ko\n');
    writeFileSync(
      join(dir, 'modules.builtin.modinfo'),
      'amd_uncore.license=GPL v2\0amd_uncore.description=AMD Uncore Driver\0',
    );
    writeFileSync(join(dir, 'modules.dep'), `${join(fixtures, 'kmodkit_dep.ko')}:\n`);
    const r = await run(['modinfo', '--json', '-b', root, '-k', '6.1.0-test', 'amd-uncore', 'kmodkit_dep']);
    const [builtin, file] = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(builtin).toEqual({
      filename: '(builtin)',
      name: 'amd_uncore',
      builtin: true,
      modinfo: [
        { key: 'license', value: 'GPL v2' },
        { key: 'description', value: 'AMD Uncore Driver' },
      ],
    });
    expect(file).toMatchObject({ filename: join(fixtures, 'kmodkit_dep.ko'), name: 'kmodkit_dep' });
    expect(r.status).toBe(0);
  });

  test('a file that cannot be read is an error object; the exit status is 1', async () => {
    const bad = join(tmpdir(), 'kmodkit-json-bad.ko');
    writeFileSync(bad, 'not a module at all\n');
    const { status, objects } = await json('kmodkit_dep.ko', bad);
    expect(status).toBe(1);
    expect(objects[1]).toEqual({
      filename: bad,
      error: { code: 'NOT_ELF', errno: 'ENOEXEC', message: expect.any(String), offset: 0 },
    });
  });
});

describe.skipIf(skipCorpus)('kmodkit modinfo --json over the amd64 corpus', () => {
  test('every module reads: one object each, in order, no error, name and signer as kmod shows them', async () => {
    const files = modulesUnder(fetchCorpus('amd64')[0]!);
    expect(files.length).toBeGreaterThan(4000);
    const r = await run(['modinfo', '--json', ...files]);
    expect(r.status).toBe(0);
    const objects = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => o.filename)).toEqual(files);
    expect(objects.filter((o) => 'error' in o)).toEqual([]);
    const kmod = (field: string) =>
      spawnSync('modinfo', ['-F', field, ...files], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
        env: { ...process.env, PATH: `/usr/sbin:/sbin:${process.env.PATH}` },
      });
    const names = kmod('name');
    if (names.status === null) return; // no kmod here: the structural checks above still ran
    expect(objects.map((o) => o.name)).toEqual(names.stdout.trimEnd().split('\n'));
    expect(objects.map((o) => (o.signature as { signer: string } | null)?.signer)).toEqual(
      kmod('signer').stdout.trimEnd().split('\n'),
    );
  });
});

describe('bin/kmodkit.js, as a process', () => {
  test('many compressed files that are not there: kmod messages and status 1, and no crash as the worker started for them is sent away', () => {
    const missing = Array.from({ length: 70 }, (_, i) => `/nonexistent/kmodkit-${i}.ko.zst`);
    const ours = runBin(['modinfo', ...missing]);
    expect(ours.signal).toBeNull();
    expect(ours.status).toBe(1);
    expect(ours.stdout).toBe('');
    expect(ours.stderr).toBe(missing.map((m) => `modinfo: ERROR: Module ${m} not found.\n`).join(''));
  });

  test('a reader that goes away ends it as SIGPIPE ends kmod: status 141, nothing on stderr, the worker too', () => {
    // 200 .ko.xz: a worker decompresses while the reader leaves; interrupting node-liblzma mid-call
    // would abort the process with a native stack trace.
    const dir = mkdtempSync(join(tmpdir(), 'kmodkit-epipe-'));
    const files = Array.from({ length: 200 }, (_, i) => join(dir, `m${i}.ko.xz`));
    const xz = readFileSync(join(fixtures, 'kmodkit_test.ko.xz'));
    for (const f of files) writeFileSync(f, xz);
    for (const command of [
      ['modinfo', ...files],
      ['modinfo', '--json', ...files],
    ]) {
      const out = spawnSync(
        'bash',
        [
          '-c',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell script, not a template
          '"$@" 2>"$ERR" | head -c 100 >/dev/null; echo "${PIPESTATUS[0]}"',
          'epipe',
          process.execPath,
          KMODKIT_BIN,
          ...command,
        ],
        { encoding: 'utf8', env: { ...process.env, ERR: join(dir, 'stderr') } },
      );
      expect(out.stdout.trim()).toBe('141');
      expect(readFileSync(join(dir, 'stderr'), 'utf8')).toBe('');
    }
  });
});
