// Bundles the `kmodkit` command (src/bin.ts), @kmodkit/loader's worker thread (dist/parallel-worker.js)
// and the modinfo task it imports (src/modinfo-task.ts), and depmod's worker (src/depmod-worker.ts) with rolldown into bundle/, one file each plus
// the code they share, with the @kmodkit libraries inside.
// Why: Node resolves, reads and compiles ~40 ES modules across five packages at every start, which
// was 40 ms of a `modinfo` run that kmod finishes in 170 ms. The package's `main` export (dist/) stays
// unbundled for programs that import it. bundle/ sits next to dist/, at the same depth, so the
// `new URL('../package.json', import.meta.url)` reads and the worker's URL work in both.
//
// The licences of the third-party packages inside the bundle go to bundle/THIRD-PARTY-LICENSES.md.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bundle');
rmSync(out, { recursive: true, force: true });
const result = await build({
  input: {
    kmodkit: join(root, 'src/bin.ts'),
    'modinfo-task': join(root, 'src/modinfo-task.ts'),
    // Its name is the one loader's `new URL('./parallel-worker.js', import.meta.url)` looks for.
    'parallel-worker': join(root, 'node_modules/@kmodkit/loader/dist/parallel-worker.js'),
    'depmod-worker': join(root, 'src/depmod-worker.ts'),
  },
  platform: 'node',
  // Loaded on demand, and not bundleable: native addons, and a package that reads its .wasm file.
  external: ['@bokuweb/zstd-wasm', 'ffi-rs'],
  logLevel: 'warn',
  // No `// <module path>` comments: they would name this machine's pnpm store.
  experimental: { attachDebugInfo: 'none' },
  output: {
    dir: out,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: '[name].js',
    comments: { legal: true, annotation: false, jsdoc: false },
  },
});

/** The directory of the npm package a bundled file belongs to, if it is a third-party one. */
function packageRoot(file) {
  const at = file.lastIndexOf(`${sep}node_modules${sep}`);
  if (at < 0) return undefined;
  const rest = file.slice(at + 14).split(sep);
  const depth = rest[0].startsWith('@') ? 2 : 1;
  return join(file.slice(0, at + 14), ...rest.slice(0, depth));
}

const roots = new Set();
for (const chunk of result.output) {
  for (const id of chunk.moduleIds ?? []) {
    const r = packageRoot(id);
    if (r !== undefined) roots.add(r);
  }
}
const sections = [...roots]
  .map((r) => {
    const pkg = JSON.parse(readFileSync(join(r, 'package.json'), 'utf8'));
    const file = readdirSync(r).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const text = file && existsSync(join(r, file)) ? readFileSync(join(r, file), 'utf8').trim() : pkg.license;
    return { name: `${pkg.name}@${pkg.version}`, license: pkg.license, text };
  })
  .sort((a, b) => a.name.localeCompare(b.name));
writeFileSync(
  join(out, 'THIRD-PARTY-LICENSES.md'),
  [
    '# Third-party code in this bundle',
    '',
    ...sections.flatMap((s) => [`## ${s.name} (${s.license})`, '', '```', s.text, '```', '']),
  ].join('\n'),
);
