// Reads the fixture modules and kmod's golden modinfo output for the consumer programs: every module
// file, and the golden text of every module kmod could read (golden/modinfo-exit-status.txt).
// Usage: const { modules, goldens } = await readFixtures('<repo>/fixtures/modules');
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function readFixtures(dir) {
  const modules = {};
  for (const name of await readdir(dir)) {
    if (/\.ko(\.|$)/.test(name)) modules[name] = new Uint8Array(await readFile(join(dir, name)));
  }
  const goldens = {};
  const statuses = await readFile(join(dir, 'golden/modinfo-exit-status.txt'), 'utf8');
  for (const [, name] of statuses.matchAll(/^(\S+) 0$/gm)) {
    goldens[name] = await readFile(join(dir, 'golden', `${name}.modinfo.txt`), 'utf8');
  }
  return { modules, goldens };
}
