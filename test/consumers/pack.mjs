// Builds and packs every publishable workspace package exactly as `pnpm publish` would, then unpacks
// each tarball so inspect.mjs and the consumer projects see what a user would download.
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describeFailure, exec } from './exec.mjs';

/** pnpm as the caller ran it (`pnpm test:consumers` sets npm_execpath), else the one on PATH. */
export function pnpmCommand() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: not a turbo task; pnpm sets this for every script it runs
  const execpath = process.env.npm_execpath;
  if (execpath && /pnpm/.test(execpath)) return { command: process.execPath, prefix: [execpath] };
  return { command: 'pnpm', prefix: [] };
}

export function runPnpm(args, options) {
  const pnpm = pnpmCommand();
  return exec(pnpm.command, [...pnpm.prefix, ...args], options);
}

/**
 * The workspace packages that get published: every package under the workspace globs that is not
 * `private` (or, `withPrivate`, every package). The globs are read from pnpm-workspace.yaml (only the simple `dir/*` form is used here).
 * @returns {Promise<{ name: string, version: string, dir: string, manifest: any }[]>}
 */
export async function publishablePackages(repoRoot, { withPrivate = false } = {}) {
  const workspace = await readFile(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [...workspace.matchAll(/^\s*-\s*['"]?([^'"\s]+)\/\*['"]?\s*$/gm)].map((m) => m[1]);
  const found = [];
  for (const glob of globs) {
    for (const entry of await readdir(join(repoRoot, glob), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(repoRoot, glob, entry.name);
      let manifest;
      try {
        manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private && !withPrivate) continue;
      found.push({ name: manifest.name, version: manifest.version, dir, manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The dependencies this workspace patches (`patchedDependencies` in pnpm-workspace.yaml or in the
 * root package.json's "pnpm" field), as `name → patch file`. A user's npm install of a published
 * package gets these unpatched.
 * @returns {Promise<Map<string, string>>}
 */
export async function patchedDependencies(repoRoot) {
  const patched = new Map();
  const workspace = await readFile(join(repoRoot, 'pnpm-workspace.yaml'), 'utf8');
  const section = /^patchedDependencies:\n((?:[ \t]+\S.*\n?)*)/m.exec(workspace)?.[1] ?? '';
  for (const [, spec, patch] of section.matchAll(/^\s+['"]?(\S+?)['"]?:\s*(\S+)\s*$/gm)) {
    patched.set(spec.replace(/(.)@[^@]*$/, '$1'), patch);
  }
  const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8'));
  for (const [spec, patch] of Object.entries(root.pnpm?.patchedDependencies ?? {})) {
    patched.set(spec.replace(/(.)@[^@]*$/, '$1'), patch);
  }
  return patched;
}

/** `turbo run build` for the publishable packages (and, through `^build`, what they depend on). */
export async function buildPackages(repoRoot, packages) {
  const filters = packages.map((p) => `--filter=${p.name}`);
  const result = await runPnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...filters], {
    cwd: repoRoot,
  });
  if (result.code !== 0) throw new Error(`build failed: ${describeFailure(result)}`);
}

/**
 * `pnpm pack` each package into `destination` and unpack it beside the tarball.
 * pnpm rewrites `workspace:` ranges to real ones while packing, as it does on publish.
 * @returns {Promise<Map<string, { name: string, version: string, tarball: string, root: string, packed: number, unpacked: number, files: string[] }>>}
 */
export async function packPackages(packages, destination) {
  await mkdir(destination, { recursive: true });
  const packed = new Map();
  // One at a time: two pnpm processes packing into one directory race on its temp files.
  for (const pkg of packages) {
    const result = await runPnpm(['pack', '--pack-destination', destination], { cwd: pkg.dir });
    if (result.code !== 0) throw new Error(`pnpm pack ${pkg.name} failed: ${describeFailure(result)}`);
    const tarball = join(destination, tarballName(pkg.name, pkg.version));
    packed.set(
      pkg.name,
      await unpackTarball(tarball, join(destination, 'unpacked', tarballName(pkg.name, pkg.version))),
    );
  }
  return packed;
}

/** npm's tarball name: `@kmodkit/elf@0.1.0` packs to `kmodkit-elf-0.1.0.tgz`. */
export function tarballName(name, version) {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** Unpacks `tarball` into `into` (npm tarballs hold one `package/` directory) and measures it. */
export async function unpackTarball(tarball, into) {
  await mkdir(into, { recursive: true });
  const result = await exec('tar', ['-xzf', tarball, '-C', into]);
  if (result.code !== 0) throw new Error(`cannot unpack ${tarball}: ${describeFailure(result)}`);
  const root = join(into, 'package');
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const files = await listFiles(root);
  let unpacked = 0;
  for (const file of files) unpacked += (await stat(join(root, file))).size;
  return {
    name: manifest.name,
    version: manifest.version,
    tarball,
    root,
    packed: (await stat(tarball)).size,
    unpacked,
    files,
  };
}

/** Every regular file under `dir`, as sorted `/`-separated paths relative to it. */
export async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      relative(dir, join(e.parentPath ?? e.path, e.name))
        .split('\\')
        .join('/'),
    )
    .sort();
}
