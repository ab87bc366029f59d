/**
 * Reads everything a module offers. Kept free of imports and closures over module scope: its
 * source text is also run inside a worker thread (see fuzz.test.ts), where the watchdog can stop
 * a case that never ends.
 *
 * Returns the ElfError codes met (one per property that failed) or throws the first thing that
 * was not an ElfError.
 */
// biome-ignore lint/suspicious/noExplicitAny: the same source runs against src and against dist
export function probeModule(readModule: (bytes: Uint8Array) => any, bytes: Uint8Array): string[] {
  const codes: string[] = [];
  const attempt = (what: string, f: () => unknown) => {
    try {
      f();
    } catch (e) {
      // biome-ignore lint/suspicious/noExplicitAny: checking the shape of whatever was thrown
      const err = e as any;
      if (err && err.name === 'ElfError' && typeof err.code === 'string' && typeof err.errno === 'string') {
        codes.push(err.code);
        return;
      }
      throw new Error(`${what}: ${err?.name}: ${err?.message}\n${err?.stack}`);
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: see above
  let mod: any;
  attempt('readModule', () => {
    mod = readModule(bytes);
  });
  if (!mod) return codes;
  const props = [
    'class',
    'endian',
    'machine',
    'machineName',
    'compression',
    'modinfo',
    'name',
    'vermagic',
    'license',
    'srcversion',
    'depends',
    'aliases',
    'softdeps',
    'importNs',
    'params',
    'exports',
    'imports',
    'versions',
    'thisModule',
    'signature',
  ];
  for (const p of props)
    attempt(p, () => JSON.stringify(mod[p], (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
  attempt('sections', () => {
    for (const s of mod.sections) {
      attempt(`section ${s.index} data`, () => s.data);
      if (s.type === 4 || s.type === 9) attempt(`relocations ${s.index}`, () => mod.elf.relocations(s));
    }
  });
  attempt('symbols', () => mod.elf.symbols?.all());
  // The lazy paths of a fresh reader: single headers and name scans, no full section array.
  attempt('lazy', () => {
    const fresh = readModule(bytes).elf;
    attempt('sectionNameTable', () => fresh.sectionNameTable?.data);
    attempt('sectionsWithPrefix', () =>
      fresh.sectionsWithPrefix('.rela').map((s: { data: unknown }) => s.data),
    );
    for (let i = 0; i < 64; i++) attempt(`sectionAt ${i}`, () => fresh.sectionAt(i).data);
  });
  attempt('section()', () => mod.section('.modinfo'));
  const problems = mod.validate();
  if (!Array.isArray(problems)) throw new Error('validate() did not return an array');
  for (const e of problems) {
    if (e?.name !== 'ElfError') throw new Error(`validate() returned a non-ElfError: ${e}`);
    codes.push(`validate:${e.code}`);
  }
  return codes;
}
