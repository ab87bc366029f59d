// @kmodkit/elf as a user calls it: read every fixture module (plain, .xz, .zst, .gz, signed, stripped,
// the dependent one) and compare with kmod 30's modinfo output. In the browser bundle this also
// proves the decompressors and the signature parser need nothing from Node.
import { ElfError, readModule } from '@kmodkit/elf';

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');

/**
 * @param {Record<string, Uint8Array>} modules fixtures/modules/* by file name
 * @param {Record<string, string>} goldens kmod's `modinfo` output by module file name (fixtures/modules/golden/)
 * @returns {string[]} what went wrong; empty when everything matched
 */
export function checkElf(modules, goldens) {
  const failures = [];
  for (const [file, golden] of Object.entries(goldens)) {
    const mod = readModule(modules[file]);
    const lines = golden.split('\n').slice(1);
    const field = (key) => lines.find((line) => line.startsWith(`${key}:`))?.slice(16);

    // kmod prints `.modinfo` in section order as `key:` padded to 16 columns, then the signature,
    // then the parameters.
    const end = lines.findIndex((line) => line.startsWith('sig_id:') || line.startsWith('parm:'));
    const expected = lines.slice(0, end === -1 ? lines.length - 1 : end).join('\n');
    const actual = mod.modinfo
      .filter((entry) => entry.key !== 'parm' && entry.key !== 'parmtype')
      .map((entry) => `${`${entry.key}:`.padEnd(16)}${entry.value}`)
      .join('\n');
    if (actual !== expected)
      failures.push(`elf ${file}: modinfo differs from kmod\n--- kmod\n${expected}\n--- elf\n${actual}`);
    if (mod.name !== field('name'))
      failures.push(`elf ${file}: name is ${mod.name}, kmod says ${field('name')}`);
    if (mod.vermagic !== field('vermagic'))
      failures.push(`elf ${file}: vermagic ${mod.vermagic}, kmod ${field('vermagic')}`);

    const kmodParams = lines.flatMap((line) => /^parm:\s+([^:]+):/.exec(line)?.[1] ?? []).sort();
    const params = mod.params.map((param) => param.name).sort();
    if (params.join() !== kmodParams.join())
      failures.push(`elf ${file}: params ${params}, kmod lists ${kmodParams}`);

    const signature = mod.signature;
    const signed = {
      signer: signature?.signer,
      sig_hashalgo: signature?.hashAlgorithm,
      sig_key: signature ? hex(signature.keyId) : undefined,
    };
    for (const [key, value] of Object.entries(signed)) {
      if (value !== field(key)) failures.push(`elf ${file}: ${key} is ${value}, kmod says ${field(key)}`);
    }
  }

  // kmod 30 as Debian builds it cannot read .gz; kmodkit must read it as the same module.
  const plain = readModule(modules['kmodkit_test.ko'])
    .modinfo.map((e) => `${e.key}=${e.value}`)
    .join('\n');
  const gz = readModule(modules['kmodkit_test.ko.gz'])
    .modinfo.map((e) => `${e.key}=${e.value}`)
    .join('\n');
  if (gz !== plain) failures.push('elf kmodkit_test.ko.gz: modinfo differs from kmodkit_test.ko');

  try {
    readModule(new Uint8Array(16));
    failures.push('elf: readModule accepted 16 zero bytes');
  } catch (error) {
    if (!(error instanceof ElfError)) failures.push(`elf: bad input threw ${error}, not an ElfError`);
  }
  return failures;
}
