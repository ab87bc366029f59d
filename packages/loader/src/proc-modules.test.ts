import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LoaderError, parseProcModules, readProcModules } from './index.js';

// Lines as kernel/module/procfs.c m_show prints them (6.1).
const cases: Array<[string, Partial<ReturnType<typeof parseProcModules>[number]>]> = [
  [
    'kmodkit_test 16384 1 kmodkit_dep, Live 0xffffffffc0a1b000 (OE)',
    { name: 'kmodkit_test', size: 16384, refcount: 1, usedBy: ['kmodkit_dep'], taints: 'OE', state: 'Live' },
  ],
  ['dummy 16384 0 - Live 0x0000000000000000', { usedBy: [], refcount: 0, address: 0n, taints: '' }],
  [
    'virtio 20480 2 virtio_pci,9pnet_virtio, Live 0x0000000000000000',
    { usedBy: ['virtio_pci', '9pnet_virtio'] },
  ],
  ['perm 4096 0 [permanent], Live 0x0000000000000000', { permanent: true, usedBy: [] }],
  ['going 4096 0 - Unloading 0x0000000000000000 (E-)', { state: 'Unloading', taints: 'E' }],
  ['coming 4096 0 - Loading 0x0000000000000000 (+)', { state: 'Loading', taints: '' }],
  ['nounload 4096 - - Live 0x0000000000000000', { refcount: null }],
];

describe('parseProcModules', () => {
  test.each(cases)('%s', (line, expected) => {
    const [mod] = parseProcModules(`${line}\n`);
    expect(mod).toMatchObject(expected);
  });

  test.each([
    'short line',
    'x 12 0 - Alive 0x0',
    'x 12 0 a Live 0x0',
    'x twelve 0 - Live 0x0',
    'x 12 0 - Live 0x0 (oe)',
  ])('rejects %j with a LoaderError naming the line', (line) => {
    expect(() => parseProcModules(`dummy 16384 0 - Live 0x0\n${line}\n`)).toThrowError(
      expect.objectContaining({ code: 'EPROCFORMAT', line: 2 }),
    );
  });
});

describe('readProcModules', () => {
  test('reads a file in the /proc/modules format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kmodkit-loader-'));
    await writeFile(join(dir, 'modules'), `${cases.map((c) => c[0]).join('\n')}\n`);
    expect((await readProcModules(join(dir, 'modules'))).map((m) => m.name)).toEqual(
      cases.map((c) => c[0].split(' ')[0]),
    );
  });

  test('a missing file is a LoaderError with the system code', async () => {
    const err = await readProcModules('/nonexistent/modules').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoaderError);
    expect(err).toMatchObject({ code: 'ENOENT', path: '/nonexistent/modules' });
  });
});
