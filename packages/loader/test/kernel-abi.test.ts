// scripts/kernel-abi.sh, the ABI the real-kernel tests use: pick_abi over apt-cache's output (the pinned
// ABI while it is listed, else the newest, said on stderr) and resolve_abi's order (KMODKIT_QEMU_ABI, the
// cache, apt), in real bash.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { repo } from './variants.js';

const script = join(repo, 'scripts/kernel-abi.sh');
const work = mkdtempSync(join(tmpdir(), 'kmodkit-abi-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function bash(code: string, input = '', env: Record<string, string> = {}) {
  const r = spawnSync('bash', ['-c', `source ${JSON.stringify(script)}; ${code}`], {
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const search = (...names: string[]) =>
  names.map((n) => `${n} - Linux 6.1 for 64-bit PCs (signed)\n`).join('');
const gone = (kind: string, abi: string) =>
  `kernel-abi: linux-${kind}-6.1.0-56-amd64 is gone from apt; using ${abi}\n`;

describe('pick_abi 6.1.0-56 KIND < apt-cache output', () => {
  test.each([
    {
      name: 'the pinned ABI listed',
      kind: 'image',
      input: search('linux-image-6.1.0-50-amd64', 'linux-image-6.1.0-56-amd64', 'linux-image-6.1.0-57-amd64'),
      out: '6.1.0-56\n',
      err: '',
    },
    {
      name: 'gone: the newest, by number (10 after 9)',
      kind: 'image',
      input: search('linux-image-6.1.0-9-amd64', 'linux-image-6.1.0-10-amd64', 'linux-image-6.1.0-47-amd64'),
      out: '6.1.0-47\n',
      err: gone('image', '6.1.0-47'),
    },
    {
      name: 'other flavours and kinds do not count',
      kind: 'image',
      input: search(
        'linux-image-6.1.0-60-amd64-dbg',
        'linux-image-6.1.0-61-amd64-unsigned',
        'linux-image-6.1.0-62-cloud-amd64',
        'linux-headers-6.1.0-63-amd64',
        'linux-image-6.1.0-58-amd64',
        'linux-image-6.2.0-70-amd64',
      ),
      out: '6.1.0-58\n',
      err: gone('image', '6.1.0-58'),
    },
    {
      name: 'headers, names only (apt-cache pkgnames)',
      kind: 'headers',
      input: 'linux-headers-6.1.0-57-amd64\nlinux-headers-6.1.0-57-amd64\nlinux-image-6.1.0-59-amd64\n',
      out: '6.1.0-57\n',
      err: gone('headers', '6.1.0-57'),
    },
    {
      name: 'the pinned ABI among headers',
      kind: 'headers',
      input: 'linux-headers-6.1.0-56-amd64\n',
      out: '6.1.0-56\n',
      err: '',
    },
  ])('$name', ({ kind, input, out, err }) => {
    expect(bash(`pick_abi 6.1.0-56 ${kind}`, input)).toEqual({ status: 0, stdout: out, stderr: err });
  });

  test('nothing listed: status 1', () => {
    expect(bash('pick_abi 6.1.0-56 image', search('linux-image-6.1.0-56-cloud-amd64'))).toEqual({
      status: 1,
      stdout: '',
      stderr: '',
    });
  });
});

describe('resolve_abi', () => {
  // apt-cache stands for an archive in a state this machine's is not in: the pinned ABI gone.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'apt-cache'),
    `#!/bin/sh\nprintf '%s - x\\n' linux-image-6.1.0-58-amd64 linux-image-6.1.0-59-amd64\n`,
    { mode: 0o755 },
  );
  const gonePath = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;

  test('KMODKIT_QEMU_ABI wins, with no fallback', () => {
    expect(bash('resolve_abi image', '', { PATH: gonePath, KMODKIT_QEMU_ABI: '6.1.0-13' })).toEqual({
      status: 0,
      stdout: '6.1.0-13\n',
      stderr: '',
    });
  });

  test('the pinned image in the corpus cache: no apt lookup', () => {
    const cache = join(work, 'cache');
    mkdirSync(join(cache, 'corpus/linux-image-6.1.0-56-amd64'), { recursive: true });
    writeFileSync(join(cache, 'corpus/linux-image-6.1.0-56-amd64/.complete'), '');
    expect(bash('resolve_abi image', '', { PATH: gonePath, KMODKIT_CACHE: cache })).toEqual({
      status: 0,
      stdout: '6.1.0-56\n',
      stderr: '',
    });
  });

  test('not cached and gone from apt: the newest apt has, said on stderr', () => {
    expect(bash('resolve_abi image', '', { PATH: gonePath, KMODKIT_CACHE: join(work, 'empty') })).toEqual({
      status: 0,
      stdout: '6.1.0-59\n',
      stderr: gone('image', '6.1.0-59'),
    });
  });

  test('an unknown kind is refused', () => {
    expect(bash('resolve_abi source').status).toBe(2);
  });

  test("this machine's apt: an ABI it lists, or the cached pinned one", () => {
    const r = spawnSync(script, ['image'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const abi = r.stdout.trim();
    expect(abi).toMatch(/^6\.1\.0-\d+$/);
    const listed = spawnSync('apt-cache', ['search', '--names-only', `^linux-image-${abi}-amd64$`], {
      encoding: 'utf8',
    });
    expect(abi === '6.1.0-56' || listed.stdout.startsWith(`linux-image-${abi}-amd64 `)).toBe(true);
  });
});
