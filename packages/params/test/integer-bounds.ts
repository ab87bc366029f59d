/** The range of each integer parameter type's C variable (LP64: long is 64-bit). */
export const INTEGER_BOUNDS: Record<string, [bigint, bigint]> = {
  byte: [0n, 255n], // unsigned char
  short: [-32768n, 32767n],
  ushort: [0n, 65535n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  uint: [0n, 2n ** 32n - 1n],
  hexint: [0n, 2n ** 32n - 1n], // unsigned int
  long: [-(2n ** 63n), 2n ** 63n - 1n],
  ulong: [0n, 2n ** 64n - 1n],
  ullong: [0n, 2n ** 64n - 1n],
};
