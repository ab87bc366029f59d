// Bundles the `kmodkit` command (src/bin.ts) and the modinfo worker (src/modinfo-worker.ts) with
// rolldown into bundle/, one file each plus the code they share, with the @kmodkit libraries inside.
// Why: Node resolves, reads and compiles ~40 ES modules across five packages at every start, which
// was 40 ms of a `modinfo` run that kmod finishes in 170 ms. The package's `main` export (dist/) stays
// unbundled for programs that import it. bundle/ sits next to dist/, at the same depth, so the
// `new URL('../package.json', import.meta.url)` reads and the worker's URL work in both.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bundle');
rmSync(out, { recursive: true, force: true });
await build({
  input: { kmodkit: join(root, 'src/bin.ts'), 'modinfo-worker': join(root, 'src/modinfo-worker.ts') },
  platform: 'node',
  // Loaded on demand, and not bundleable: a native addon and a package that reads its .wasm file.
  external: ['node-liblzma', '@bokuweb/zstd-wasm'],
  logLevel: 'warn',
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name].js' },
});
