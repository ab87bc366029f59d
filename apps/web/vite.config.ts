import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const elfDist = dirname(createRequire(import.meta.url).resolve('@kmodkit/elf'));
const shim = fileURLToPath(new URL('./src/decompress-shim.ts', import.meta.url));

/**
 * `@kmodkit/elf`'s readModule imports its decompressors statically; the page wants them in a chunk of
 * their own, loaded when a compressed file is opened. The library's imports of `./decompress.js` go
 * to src/decompress-shim.ts, and `kmodkit:elf-decompress` (imported lazily by the shim) to the real file.
 */
const lazyDecompressors: Plugin = {
  name: 'kmodkit-lazy-decompressors',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === 'kmodkit:elf-decompress') return join(elfDist, 'decompress.js');
    if (source === './decompress.js' && importer !== undefined && dirname(importer) === elfDist) return shim;
    return null;
  },
};

export default defineConfig({
  base: './',
  plugins: [lazyDecompressors],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0 },
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 120_000 },
});
