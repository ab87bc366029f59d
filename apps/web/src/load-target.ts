import type { KernelSymbol, LoadTarget, Prediction } from './load-check.js';

/**
 * The kernel the user described: text with whitespace inside is a vermagic (VERMAGIC_STRING is the
 * release, a space and the flags: include/linux/vermagic.h), kept byte for byte — its trailing space
 * matters to the kernel's strcmp; a single word is a `uname -r` release.
 */
export function loadTarget(
  kernel: string,
  symbols: ReadonlyMap<string, KernelSymbol> | undefined,
): LoadTarget {
  const text = kernel.replace(/^\s+/, '');
  const target: { -readonly [K in keyof LoadTarget]: LoadTarget[K] } = {};
  if (/\s/.test(text.trimEnd())) target.vermagic = text;
  else if (text.trim() !== '') target.release = text.trim();
  if (symbols !== undefined) target.symbols = symbols;
  return target;
}

/** The headline of a prediction: one of three states and the words under it. */
export function verdict(p: Prediction): { state: 'loads' | 'fails' | 'unknown'; title: string } {
  if (p.willLoad) return { state: 'loads', title: 'It would load' };
  if (p.errno !== null) return { state: 'fails', title: `It would not load: ${p.errno}` };
  return { state: 'unknown', title: 'Cannot tell offline' };
}
