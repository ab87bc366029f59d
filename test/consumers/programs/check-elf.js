// @kmodkit/elf as a user calls it: read the fixture module and compare with kmod's modinfo output.
import { ElfError, readModule } from '@kmodkit/elf';

/**
 * @param {Uint8Array} moduleBytes fixtures/modules/kmodkit_test.ko
 * @param {string} golden kmod 30's `modinfo` output for it (fixtures/modules/golden/)
 * @returns {string[]} what went wrong; empty when everything matched
 */
export function checkElf(moduleBytes, golden) {
  const failures = [];
  const mod = readModule(moduleBytes);

  // kmod prints `.modinfo` in section order as `key:` padded to 16 columns, parameters last.
  const lines = golden.split('\n').slice(1);
  const firstParm = lines.findIndex((line) => line.startsWith('parm:'));
  const expected = lines.slice(0, firstParm).join('\n');
  const actual = mod.modinfo
    .filter((entry) => entry.key !== 'parm' && entry.key !== 'parmtype')
    .map((entry) => `${`${entry.key}:`.padEnd(16)}${entry.value}`)
    .join('\n');
  if (actual !== expected)
    failures.push(`elf: modinfo differs from kmod\n--- kmod\n${expected}\n--- elf\n${actual}`);

  const field = (key) => lines.find((line) => line.startsWith(`${key}:`))?.slice(16);
  if (mod.name !== field('name')) failures.push(`elf: name is ${mod.name}, kmod says ${field('name')}`);
  if (mod.vermagic !== field('vermagic'))
    failures.push(`elf: vermagic is ${mod.vermagic}, kmod says ${field('vermagic')}`);

  const kmodParams = lines.flatMap((line) => /^parm:\s+([^:]+):/.exec(line)?.[1] ?? []).sort();
  const params = mod.params.map((param) => param.name).sort();
  if (params.join() !== kmodParams.join())
    failures.push(`elf: params ${params} but kmod lists ${kmodParams}`);

  try {
    readModule(new Uint8Array(16));
    failures.push('elf: readModule accepted 16 zero bytes');
  } catch (error) {
    if (!(error instanceof ElfError)) failures.push(`elf: bad input threw ${error}, not an ElfError`);
  }
  return failures;
}
