// Fresh consumer projects outside the repository, each installing only packed tarballs with npm
// (a real outsider: no workspace links, no pnpm), then running a small real program.
import { copyFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describeFailure, exec } from './exec.mjs';
import { isNodeBuiltin, nodeGlobalUses } from './inspect.mjs';

const PROGRAMS = new URL('./programs/', import.meta.url);

/** The tool versions the repository itself is locked to, so consumers check with what CI builds with. */
export function toolVersions(repoRoot) {
  const version = (from, name) =>
    createRequire(join(repoRoot, from, 'package.json'))(`${name}/package.json`).version;
  return {
    typescript: version('.', 'typescript'),
    '@types/node': version('.', '@types/node'),
    vite: version('apps/web', 'vite'),
  };
}

export function npmFlags(registryUrl) {
  return [
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--loglevel=warn',
    `--@kmodkit:registry=${registryUrl}`,
  ];
}

/**
 * Creates `dir` as a private ESM project holding `files` from programs/ and installs `specs`
 * (tarball paths and pinned `name@version` tools) with npm.
 */
export async function createProject(dir, { specs, files, registryUrl }) {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'kmodkit-consumer', version: '0.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  for (const [from, to] of Object.entries(files)) await copyFile(new URL(from, PROGRAMS), join(dir, to));
  const result = await exec('npm', ['install', ...npmFlags(registryUrl), ...specs], { cwd: dir });
  if (result.code !== 0) throw new Error(`npm install failed: ${describeFailure(result)}`);
}

/**
 * Every `@kmodkit/*` package under `nodeModules` (nested ones too) must be a real directory whose
 * package.json is the packed one: proof that npm installed our tarballs, not a link or a registry copy.
 * @returns {Promise<string[]>} the names found, as `name` or `parent > name` for nested copies
 */
export async function verifyInstalledFromTarballs(nodeModules, packed) {
  const found = [];
  const walk = async (dir, trail) => {
    let scope;
    try {
      scope = await readdir(join(dir, '@kmodkit'));
    } catch {
      scope = [];
    }
    for (const entry of scope) {
      const name = `@kmodkit/${entry}`;
      const path = join(dir, '@kmodkit', entry);
      if ((await lstat(path)).isSymbolicLink())
        throw new Error(`${path} is a symlink, not an installed tarball`);
      const pkg = packed.get(name);
      if (!pkg) throw new Error(`${path} is not one of the packed packages`);
      const installed = await readFile(join(path, 'package.json'), 'utf8');
      if (installed !== (await readFile(join(pkg.root, 'package.json'), 'utf8'))) {
        throw new Error(`${path}/package.json differs from the packed ${name}`);
      }
      found.push([...trail, name].join(' > '));
      await walk(join(path, 'node_modules'), [...trail, name]);
    }
  };
  await walk(nodeModules, []);
  return found.sort();
}

/** Runs `node <args>` in `dir` and fails with its output unless it exits 0. */
export async function runNode(dir, args) {
  const result = await exec(process.execPath, args, { cwd: dir });
  if (result.code !== 0) throw new Error(describeFailure(result));
  return result.stdout;
}

export async function runBin(dir, bin, args) {
  const result = await exec(join(dir, 'node_modules', '.bin', bin), args, { cwd: dir });
  if (result.code !== 0) throw new Error(describeFailure(result));
  return `${result.stdout}${result.stderr}`;
}

// What Vite prints or emits when a dependency pulled in a Node built-in for the browser.
const VITE_NODE_SIGNS = [/externalized for browser compatibility/i, /__vite-browser-external/];

/**
 * Scans a Vite build for Node built-ins: Vite's own warnings, its browser-external stub, and import
 * specifiers left in the output are problems wherever they come from. A free reference to a Node
 * global is a problem in kmodkit's code; in a third-party module it is noted (libraries such as
 * pvtsutils keep a `Buffer` fallback behind `typeof btoa`), and the bundle's run without Node globals
 * decides whether it matters.
 * @returns {Promise<{ problems: string[], notes: string[] }>}
 */
export async function scanViteBuild(ts, outDir, buildOutput) {
  const problems = [];
  const notes = [];
  for (const sign of VITE_NODE_SIGNS) {
    const line = buildOutput.split('\n').find((l) => sign.test(l));
    if (line) problems.push(`vite: ${line.trim()}`);
  }
  const assets = (await readdir(join(outDir, 'assets'))).filter((f) => f.endsWith('.js'));
  if (assets.length === 0) problems.push('vite: the build emitted no JavaScript');
  for (const asset of assets) {
    const text = await readFile(join(outDir, 'assets', asset), 'utf8');
    if (text.includes('__vite-browser-external'))
      problems.push(`${asset} contains Vite's stub for a Node built-in`);
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (isNodeBuiltin(fileName)) problems.push(`${asset} imports the Node built-in "${fileName}"`);
    }
    // Unminified, Rolldown starts each module's code with a `// node_modules/<path>` line.
    const lines = text.split('\n');
    const moduleAt = (line) => {
      for (let i = line - 1; i >= 0; i--) {
        const path = /^\/\/ (\S*node_modules\/\S+)$/.exec(lines[i])?.[1];
        if (path) return path;
      }
      return 'the application';
    };
    for (const use of nodeGlobalUses(ts, asset, text)) {
      const module = moduleAt(use.line - 1);
      const message = `${asset}:${use.line} (${module}) uses the Node global ${use.name}`;
      if (module.includes('node_modules/@kmodkit/')) problems.push(message);
      else notes.push(message);
    }
  }
  return { problems, notes };
}

/** The entry chunk Vite wrote for index.html. */
export async function viteEntry(outDir) {
  const html = await readFile(join(outDir, 'index.html'), 'utf8');
  const src = /<script type="module"[^>]*src="\.?\/?([^"]+)"/.exec(html)?.[1];
  if (!src) throw new Error('vite: no module script in the built index.html');
  return join(outDir, src);
}
