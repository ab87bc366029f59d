/** A VERMAGIC_STRING split into its parts (include/linux/vermagic.h). */
export interface Vermagic {
  /** UTS_RELEASE, e.g. '6.1.0-56-amd64'. */
  readonly release: string;
  /** The words after it: 'SMP', 'preempt', 'mod_unload', 'modversions', arch words … */
  readonly flags: readonly string[];
  readonly modversions: boolean;
}

/** Splits a vermagic string (the kernel's or a module's `.modinfo` vermagic) at its spaces. */
export function parseVermagic(text: string): Vermagic {
  const space = text.indexOf(' ');
  const release = space < 0 ? text : text.slice(0, space);
  const flags =
    space < 0
      ? []
      : text
          .slice(space + 1)
          .split(' ')
          .filter((w) => w !== '');
  return { release, flags, modversions: flags.includes('modversions') };
}

/**
 * kernel/module/version.c same_magic: with CRCs (the module has `__versions`) the kernel release, up to
 * the first space, is not compared; everything else is, byte for byte.
 */
export function sameMagic(moduleMagic: string, kernelMagic: string, hasCrcs: boolean): boolean {
  if (!hasCrcs) return moduleMagic === kernelMagic;
  const rest = (s: string) => {
    const i = s.indexOf(' ');
    return i < 0 ? '' : s.slice(i);
  };
  return rest(moduleMagic) === rest(kernelMagic);
}
