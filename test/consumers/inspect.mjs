// Checks one unpacked package tarball the way a user's install would meet it: every file the manifest
// points at is there, nothing refers to the workspace, every import resolves to a shipped file or a
// declared dependency, and browser-safe packages reach for no Node built-in or Node global.
import { readFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { join, posix } from 'node:path';

/** What each publishable package promises beyond the common rules; a new package must be added here. */
export const EXPECTATIONS = {
  '@kmodkit/errno': { browser: true, noDependencies: true, maxPackedBytes: 30 * 1024 },
  '@kmodkit/params': { browser: true, noDependencies: true, maxPackedBytes: 30 * 1024 },
  '@kmodkit/elf': { browser: true },
  '@kmodkit/loader': { browser: false },
  '@kmodkit/cli': { browser: false, bin: 'kmodkit' },
};

const REQUIRED_FIELDS = [
  'description',
  'keywords',
  'license',
  'repository',
  'homepage',
  'exports',
  'files',
  'engines',
  'sideEffects',
];

// Anything a user's install must not receive: tests, benchmarks, build configs, workspace leftovers.
const NOT_SHIPPED = [
  /(^|\/)(__tests__|test|tests|bench|fixtures|coverage|node_modules|\.turbo)\//,
  /\.(test|spec|bench)\.[cm]?[jt]sx?(\.map)?$/,
  /\.(test|spec)\.d\.[cm]?ts(\.map)?$/,
  /(^|\/)tsconfig[^/]*\.json$/,
  /(^|\/)vitest\.config\./,
  /\.tsbuildinfo$/,
];

// Node globals that do not exist in a browser; `global` and `require` included for CommonJS leftovers.
const NODE_GLOBALS = new Set([
  'process',
  'Buffer',
  'global',
  'require',
  '__dirname',
  '__filename',
  'setImmediate',
]);

const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
export const isNodeBuiltin = (specifier) => specifier.startsWith('node:') || builtins.has(specifier);

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * @param {{ root: string, files: string[], packed: number, name: string }} pkg an unpacked tarball (pack.mjs)
 * @param {{ repoRoot: string, license: string }} context
 * @returns {Promise<string[]>} the problems found; empty when the package is fit to publish
 */
export async function inspectPackage(pkg, context) {
  const ts = createRequire(join(context.repoRoot, 'package.json'))('typescript');
  const problems = [];
  const shipped = new Set(pkg.files);
  const manifestText = await readFile(join(pkg.root, 'package.json'), 'utf8');
  const manifest = JSON.parse(manifestText);
  const expect = EXPECTATIONS[manifest.name];
  if (!expect) {
    return [`${manifest.name} is publishable but has no entry in EXPECTATIONS (test/consumers/inspect.mjs)`];
  }

  // The manifest.
  for (const field of REQUIRED_FIELDS) {
    if (manifest[field] === undefined) problems.push(`package.json has no "${field}"`);
  }
  if (manifest.license !== 'MIT') problems.push(`package.json license is ${manifest.license}, not MIT`);
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) {
    problems.push('package.json keywords is empty');
  }
  if (!manifest.repository?.url || !manifest.repository?.directory) {
    problems.push('package.json repository needs url and directory');
  }
  if (manifest.type !== 'module') problems.push('package.json type is not "module"');
  for (const protocol of ['workspace:', 'link:', 'file:', 'catalog:']) {
    if (manifestText.includes(protocol)) problems.push(`package.json still has a "${protocol}" range`);
  }
  const dependencies = new Set(
    ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((f) =>
      Object.keys(manifest[f] ?? {}),
    ),
  );
  if (expect.noDependencies && dependencies.size > 0) {
    problems.push(`must have no runtime dependencies, has ${[...dependencies].join(', ')}`);
  }

  // Every target the manifest names is in the tarball; `types` comes first in each condition map.
  const targets = [];
  collectExportTargets(manifest.exports, '"exports"', targets, problems);
  for (const field of ['main', 'module', 'types', 'typings', 'browser']) {
    if (typeof manifest[field] === 'string') targets.push([`"${field}"`, manifest[field]]);
  }
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [command, target] of Object.entries(bins)) targets.push([`"bin".${command}`, target]);
  for (const [where, target] of targets) {
    if (!shipped.has(posix.normalize(target)))
      problems.push(`${where} points at ${target}, not in the tarball`);
  }
  if (expect.bin) {
    const target = bins[expect.bin];
    if (!target) problems.push(`has no "bin".${expect.bin}`);
    else if (shipped.has(posix.normalize(target))) {
      const head = (await readFile(join(pkg.root, target), 'utf8')).split('\n')[0];
      if (head !== '#!/usr/bin/env node')
        problems.push(`bin ${target} does not start with #!/usr/bin/env node`);
    }
  }

  // Files: what ships, and nothing else.
  for (const file of pkg.files) {
    if (NOT_SHIPPED.some((pattern) => pattern.test(file)))
      problems.push(`ships ${file}, which is not for users`);
  }
  if (!shipped.has('README.md')) problems.push('ships no README.md');
  else {
    const readme = await readFile(join(pkg.root, 'README.md'), 'utf8');
    const install = new RegExp(`(npm (install|i)|pnpm add|yarn add)( -g| --global| -D)* ${manifest.name}\\b`);
    if (!install.test(readme))
      problems.push(`README.md shows no install command (npm install ${manifest.name})`);
  }
  if (!shipped.has('LICENSE')) problems.push('ships no LICENSE');
  else if ((await readFile(join(pkg.root, 'LICENSE'), 'utf8')) !== context.license) {
    problems.push('LICENSE differs from the repository LICENSE');
  }
  if (expect.maxPackedBytes && pkg.packed > expect.maxPackedBytes) {
    problems.push(`packed size ${pkg.packed} B is over the ${expect.maxPackedBytes} B budget`);
  }

  for (const file of pkg.files) {
    if (!/\.(m?js|d\.m?ts|map|json|md)$/.test(file)) continue;
    const text = await readFile(join(pkg.root, file), 'utf8');
    // Workspace leaks: absolute paths of this checkout, pnpm's store layout. Prose is left out: a
    // README's sample output may show where it was made, and would then pass only in other clones.
    if (!file.endsWith('.md') && text.includes(context.repoRoot))
      problems.push(`${file} contains the workspace path ${context.repoRoot}`);
    if (text.includes('node_modules/.pnpm/'))
      problems.push(`${file} refers to pnpm's node_modules/.pnpm store`);
    if (file.endsWith('.map')) {
      problems.push(...checkSourceMap(file, text, shipped));
      continue;
    }
    if (!/\.(m?js|d\.m?ts)$/.test(file)) continue;
    const isDeclaration = /\.d\.m?ts$/.test(file);
    const info = ts.preProcessFile(text, true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      if (specifier.startsWith('.')) {
        if (!resolvesInTarball(file, specifier, isDeclaration, shipped)) {
          problems.push(`${file} imports ${specifier}, which is not in the tarball`);
        }
      } else if (isNodeBuiltin(specifier)) {
        if (expect.browser)
          problems.push(`${file} imports the Node built-in "${specifier}" (browser-safe package)`);
      } else if (packageNameOf(specifier) !== manifest.name && !dependencies.has(packageNameOf(specifier))) {
        problems.push(`${file} imports "${specifier}", which is not a declared dependency`);
      }
    }
    if (expect.browser) {
      for (const ref of info.typeReferenceDirectives) {
        if (ref.fileName === 'node') problems.push(`${file} references types="node" (browser-safe package)`);
      }
      if (!isDeclaration) {
        for (const use of nodeGlobalUses(ts, file, text)) {
          problems.push(`${file}:${use.line} uses the Node global ${use.name} (browser-safe package)`);
        }
      }
    }
  }
  return problems;
}

function collectExportTargets(node, where, targets, problems) {
  if (typeof node === 'string') {
    if (!node.startsWith('./')) problems.push(`${where} target ${node} does not start with ./`);
    else if (node.includes('*')) problems.push(`${where} uses a pattern (${node}); list files explicitly`);
    else targets.push([where, node]);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const keys = Object.keys(node);
  if (keys.includes('types') && keys[0] !== 'types')
    problems.push(`${where}: "types" must be the first condition`);
  for (const key of keys) collectExportTargets(node[key], `${where}["${key}"]`, targets, problems);
}

// ESM needs the exact file; a declaration's `./x.js` means `./x.d.ts`, as TypeScript maps it.
function resolvesInTarball(file, specifier, isDeclaration, shipped) {
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  if (shipped.has(target)) return true;
  if (!isDeclaration) return false;
  return [target.replace(/\.js$/, '.d.ts'), target.replace(/\.mjs$/, '.d.mts'), `${target}.d.ts`].some((t) =>
    shipped.has(t),
  );
}

function checkSourceMap(file, text, shipped) {
  let map;
  try {
    map = JSON.parse(text);
  } catch {
    return [`${file} is not valid JSON`];
  }
  const base = posix.join(posix.dirname(file), map.sourceRoot ?? '');
  return (map.sources ?? [])
    .filter((source) => !map.sourcesContent && !shipped.has(posix.normalize(posix.join(base, source))))
    .map((source) => `${file} maps to ${source}, which is not in the tarball`);
}

/** Free references to Node-only globals (`process.env`, `Buffer.from`, `require(…)`), not property names. */
export function nodeGlobalUses(ts, file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const uses = [];
  const visit = (node) => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text) && isFreeReference(ts, node)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      uses.push({ name: node.text, line: line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return uses;
}

function isFreeReference(ts, node) {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)) && parent.name === node)
    return false;
  if (ts.isPropertyDeclaration(parent) && parent.name === node) return false;
  if (ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent)) {
    return parent.name !== node;
  }
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent)) return false;
  return true;
}
