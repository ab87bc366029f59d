#!/usr/bin/env node
// kmodkit's consumer test: every publishable package, packed as `pnpm publish` would pack it, must
// install and work in fresh projects outside the repository. See README.md beside this file.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeFailure, exec } from './exec.mjs';
import { EXPECTATIONS, inspectPackage } from './inspect.mjs';
import { buildPackages, packPackages, patchedDependencies, publishablePackages, runPnpm } from './pack.mjs';
import { readFixtures } from './programs/fixtures.mjs';
import {
  createProject,
  npmFlags,
  runBin,
  runNode,
  scanViteBuild,
  toolVersions,
  verifyInstalledFromTarballs,
  viteEntry,
} from './projects.mjs';
import { consoleExamples, writeReadmeExamples } from './readme-examples.mjs';
import { startRegistry } from './registry.mjs';
import { checkChangesetDetector, checkReleaseFlow } from './release.mjs';
import { checkReadmeDetector, checkTarballDetectors, withEditedFile } from './selftest.mjs';

const USAGE = `usage: node test/consumers/run.mjs [options]
  --skip-build        use the dist/ directories as they are (default: turbo build first)
  --sizes             only build, pack and print the packed sizes
  --write-benchmarks  with --sizes: rewrite the "## Packed sizes" section of BENCHMARKS.md
  --keep              keep the temporary directory (kept anyway when a check fails)`;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const fixturesDir = join(repoRoot, 'fixtures/modules');
const fixture = join(fixturesDir, 'kmodkit_test.ko');

const { values: options } = parseArgs({
  options: {
    'skip-build': { type: 'boolean' },
    sizes: { type: 'boolean' },
    'write-benchmarks': { type: 'boolean' },
    keep: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const results = [];
/** Runs one named check; a thrown Error is its failure. Returns the check's value, or undefined. */
async function step(title, check) {
  const started = performance.now();
  try {
    const value = await check();
    const note = typeof value === 'string' ? value : undefined;
    results.push({ title, ok: true, seconds: (performance.now() - started) / 1000, note });
    return value ?? true;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ title, ok: false, seconds: (performance.now() - started) / 1000, detail });
    return undefined;
  }
}
const fail = (problems) => {
  if (problems.length > 0) throw new Error(problems.join('\n'));
};

const started = performance.now();
const work = await mkdtemp(join(tmpdir(), 'kmodkit-consumers-'));
console.log(`kmodkit consumer test in ${work}`);
const packages = await publishablePackages(repoRoot);
await step('publishable packages', () => {
  const names = packages.map((p) => p.name);
  fail(
    Object.keys(EXPECTATIONS).flatMap((name) =>
      names.includes(name) ? [] : [`${name} is missing or private`],
    ),
  );
  return names.join(', ');
});
if (!options['skip-build']) await step('build (turbo run build)', () => buildPackages(repoRoot, packages));
const packed = await step('pack (pnpm pack)', () => packPackages(packages, join(work, 'tarballs')));

if (packed instanceof Map) {
  const table = sizeTable(packed);
  console.log(`\n${table}\n`);
  if (options.sizes) {
    if (options['write-benchmarks']) await writeBenchmarks(table);
  } else {
    await consumerChecks(packed);
  }
}
await finish();

async function consumerChecks(packed) {
  const ts = createRequire(join(repoRoot, 'package.json'))('typescript');
  const context = { repoRoot, license: await readFile(join(repoRoot, 'LICENSE'), 'utf8') };
  const patched = await patchedDependencies(repoRoot);
  for (const pkg of packed.values()) {
    await step(`tarball ${pkg.name}`, async () => {
      fail(await inspectPackage(pkg, context));
      // Not a failure: a known trade-off the package's README should state, shown on every run.
      const manifest = JSON.parse(await readFile(join(pkg.root, 'package.json'), 'utf8'));
      const unpatched = Object.keys(manifest.dependencies ?? {}).filter((name) => patched.has(name));
      return unpatched.length === 0
        ? undefined
        : unpatched
            .map(
              (name) =>
                `note: this workspace patches ${name} (${patched.get(name)}); npm users get it unpatched`,
            )
            .join('\n');
    });
  }

  const registry = await startRegistry(packed.values());
  const tools = toolVersions(repoRoot);
  const tarball = (name) => packed.get(name).tarball;
  const browserSafe = [...packed.keys()].filter((name) => EXPECTATIONS[name]?.browser);
  const checks = ['check-elf.js', 'check-errno.js', 'check-params.js'];
  const same = (names) => Object.fromEntries(names.map((n) => [n, n]));
  const project = (name) => join(work, name);
  // Every package plus the TypeScript a Node user compiles with.
  const everythingForNode = [
    ...[...packed.values()].map((p) => p.tarball),
    `typescript@${tools.typescript}`,
    `@types/node@${tools['@types/node']}`,
  ];

  const [, , , bundlerDone, viteDone, , readmeDone] = await Promise.all([
    step(`Node project, import and require() (${browserSafe.join(', ')})`, async () => {
      await createProject(project('node-esm'), {
        specs: browserSafe.map(tarball),
        files: same([...checks, 'fixtures.mjs', 'node-main.mjs', 'require-main.cjs']),
        registryUrl: registry.url,
      });
      await verifyInstalledFromTarballs(join(project('node-esm'), 'node_modules'), packed);
      await runNode(project('node-esm'), ['node-main.mjs', fixturesDir]);
      await runNode(project('node-esm'), ['require-main.cjs', fixturesDir]);
    }),
    step('@kmodkit/params installed alone', async () => {
      const dir = project('params-alone');
      await createProject(dir, {
        specs: [tarball('@kmodkit/params')],
        files: same(['check-params.js', 'params-alone.mjs']),
        registryUrl: registry.url,
      });
      const installed = await readdir(join(dir, 'node_modules'), { recursive: true });
      const extra = installed.filter((p) => !p.startsWith('.') && !/^@kmodkit(\/params(\/|$)|$)/.test(p));
      if (extra.length > 0)
        throw new Error(`params pulled in other packages: ${extra.slice(0, 5).join(', ')}`);
      await runNode(dir, ['params-alone.mjs']);
    }),
    step('TypeScript NodeNext project (tsc --noEmit, then compile and run)', async () => {
      const dir = project('ts-nodenext');
      await createProject(dir, {
        specs: everythingForNode,
        files: {
          'typed-node.ts': 'typed-node.ts',
          'typed-browser.ts': 'typed-browser.ts',
          'tsconfig.nodenext.json': 'tsconfig.json',
        },
        registryUrl: registry.url,
      });
      await verifyInstalledFromTarballs(join(dir, 'node_modules'), packed);
      await runBin(dir, 'tsc', ['--noEmit', '-p', 'tsconfig.json']);
      await runBin(dir, 'tsc', ['-p', 'tsconfig.json']);
      const output = await runNode(dir, ['out/typed-node.js', fixture]);
      for (const wanted of [
        'kmodkit_test 6.1.0-56-amd64',
        'ENOEXEC Exec format error',
        'loader: dummy 16384 Live',
      ]) {
        if (!output.includes(wanted)) throw new Error(`typed-node.js printed no "${wanted}":\n${output}`);
      }
    }),
    step('TypeScript Bundler project without @types/node (tsc --noEmit)', async () => {
      const dir = project('ts-bundler');
      await createProject(dir, {
        specs: [...browserSafe.map(tarball), `typescript@${tools.typescript}`],
        files: { 'typed-browser.ts': 'typed-browser.ts', 'tsconfig.bundler.json': 'tsconfig.json' },
        registryUrl: registry.url,
      });
      await runBin(dir, 'tsc', ['--noEmit', '-p', 'tsconfig.json']);
    }),
    step(`Vite ${tools.vite} browser build, run without Node globals`, async () => {
      const dir = project('vite');
      await createProject(dir, {
        specs: [...browserSafe.map(tarball), `vite@${tools.vite}`],
        files: same([
          ...checks,
          'fixtures.mjs',
          'browser-main.js',
          'browser-run.mjs',
          'index.html',
          'vite.config.js',
        ]),
        registryUrl: registry.url,
      });
      const { problems, notes } = await viteBuild(ts, dir);
      fail(problems);
      return notes.length > 0
        ? `noted, not failed (third-party fallbacks the run did not take):\n${notes.join('\n')}`
        : undefined;
    }),
    step('CLI installed globally (npm install -g --prefix)', () => checkGlobalCli(packed, registry)),
    step("README examples (the packages' and the repository's, compiled with tsc and run)", async () => {
      const dir = project('readme');
      await createProject(dir, {
        specs: everythingForNode,
        files: { 'tsconfig.readme.json': 'tsconfig.json' },
        registryUrl: registry.url,
      });
      const examples = await writeReadmeExamples(ts, dir, packed, repoRoot);
      if (examples.length === 0) throw new Error('no README has a TypeScript example');
      await runBin(dir, 'tsc', ['-p', 'tsconfig.json']);
      const failures = [];
      for (const example of examples.filter((e) => e.run)) {
        const compiled = example.file.replace(/^readme\/(.*)\.ts$/, 'out/readme/$1.js');
        const result = await exec(process.execPath, [compiled], { cwd: dir });
        if (result.code !== 0) failures.push(`${example.file}: ${describeFailure(result)}`);
      }
      fail(failures);
    }),
  ]);

  await step('self-test: broken tarballs are caught', async () =>
    fail(await checkTarballDetectors(packed.get('@kmodkit/params'), context, join(work, 'selftest'))),
  );
  if (viteDone) {
    await step('self-test: Node built-ins in a browser bundle are caught', async () =>
      fail(await checkViteDetectors(ts, project('vite'))),
    );
  }
  if (readmeDone) {
    await step('self-test: wrong README claims are caught', async () =>
      fail(await checkReadmeDetector(ts, project('readme'))),
    );
  }
  if (bundlerDone) {
    await step('self-test: a broken .d.ts is caught', async () => {
      const dts = join(project('ts-bundler'), 'node_modules/@kmodkit/params/dist/index.d.ts');
      const result = await withEditedFile(
        dts,
        (text) => `${text}\nexport declare function leak(): Buffer;\n`,
        () =>
          exec(join(project('ts-bundler'), 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.json'], {
            cwd: project('ts-bundler'),
          }),
      );
      if (result.code === 0 || !/Cannot find name 'Buffer'/.test(result.stdout)) {
        throw new Error(`tsc did not reject a .d.ts that needs Node's Buffer:\n${result.stdout}`);
      }
    });
  }
  await step('release flow (changeset version, pnpm publish -r --dry-run)', async () =>
    fail(await checkReleaseFlow(repoRoot, join(work, 'release'), registry.url)),
  );
  await step('self-test: a changeset with broken front matter is caught', async () =>
    fail(await checkChangesetDetector(repoRoot, join(work, 'release', 'selftest'))),
  );
  await registry.close();
}

/** Builds the Vite project and checks the bundle: no Node built-ins, and it works without Node globals. */
async function viteBuild(ts, dir) {
  const output = await runBin(dir, 'vite', ['build']);
  const { problems, notes } = await scanViteBuild(ts, join(dir, 'dist'), output);
  const entry = await viteEntry(join(dir, 'dist'));
  const run = await exec(process.execPath, ['browser-run.mjs', entry, fixturesDir], { cwd: dir });
  if (run.code !== 0) problems.push(`the bundle failed in a browser-like run:\n${run.stdout}${run.stderr}`);
  return { problems, notes };
}

async function checkViteDetectors(ts, dir) {
  const dist = join(dir, 'node_modules/@kmodkit/params/dist');
  // The Buffer goes inside parseArgs, which the bundle calls: a statement at a barrel's top level
  // would be tree-shaken away under "sideEffects": false and prove nothing.
  const parseArgsFile = await findFile(dist, /export function parseArgs\(/);
  const breakages = [
    {
      what: "import 'node:fs' in @kmodkit/params",
      file: join(dist, 'index.js'),
      edit: (text) => `import 'node:fs';\n${text}`,
      expect: /externalized for browser compatibility/,
    },
    {
      what: "Buffer used by @kmodkit/params's parseArgs",
      file: parseArgsFile,
      edit: (text) =>
        text.replace(
          /export function parseArgs\([^)]*\)\s*\{/,
          "$&\nglobalThis.kmodkitLeak = Buffer.from('x');",
        ),
      expect: /uses the Node global Buffer[\s\S]*Buffer is not defined/,
    },
  ];
  const failures = [];
  for (const breakage of breakages) {
    const problems = await withEditedFile(breakage.file, breakage.edit, () =>
      viteBuild(ts, dir).then(
        (build) => build.problems,
        (error) => [error.message],
      ),
    );
    if (!breakage.expect.test(problems.join('\n'))) {
      failures.push(
        `not detected in the Vite build: ${breakage.what} (${problems.join('; ') || 'no problems'})`,
      );
    }
  }
  // Leave the project as the positive check found it.
  fail((await viteBuild(ts, dir)).problems);
  return failures;
}

async function findFile(dir, pattern) {
  for (const file of await readdir(dir)) {
    if (file.endsWith('.js') && pattern.test(await readFile(join(dir, file), 'utf8'))) return join(dir, file);
  }
  throw new Error(`no file in ${dir} matches ${pattern}`);
}

async function checkGlobalCli(packed, registry) {
  const cli = [...packed.values()].find((p) => EXPECTATIONS[p.name]?.bin);
  const prefix = join(work, 'prefix');
  // Only the CLI's tarball: its @kmodkit dependencies come from the local registry, as from npm.
  const started = performance.now();
  const install = await exec(
    'npm',
    ['install', '-g', '--prefix', prefix, ...npmFlags(registry.url), cli.tarball],
    {
      cwd: work,
    },
  );
  if (install.code !== 0) throw new Error(`npm install -g failed: ${describeFailure(install)}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  // npm (unlike pnpm 10) runs dependencies' install scripts: a native addon compiled here needs a
  // C toolchain on every user's machine.
  const compiled = (await readdir(join(prefix, 'lib/node_modules'), { recursive: true }))
    .filter((path) => /(^|\/)build\/Release\/[^/]+\.node$/.test(path))
    .map((path) => path.replace(/\/build\/Release\/.*/, ''));
  await verifyInstalledFromTarballs(join(prefix, 'lib/node_modules'), packed);
  const bin = join(prefix, 'bin', EXPECTATIONS[cli.name].bin);

  const problems = [];
  const version = await exec(bin, ['--version'], { cwd: work });
  if (version.code !== 0 || !version.stdout.includes(cli.version)) {
    problems.push(`kmodkit --version does not print ${cli.version}: ${describeFailure(version)}`);
  }
  const goldens = await modinfoGoldens();
  const cases = [
    ...goldens.map(({ file, kmod }) => ({ files: [file], kmod })),
    { files: goldens.map((g) => g.file), kmod: goldens.map((g) => g.kmod).join('') },
  ];
  for (const { files, kmod } of cases) {
    const result = await exec(bin, ['modinfo', ...files], { cwd: work });
    if (result.code !== 0 || result.stdout !== kmod) {
      const shown = files.length === 1 ? files[0] : `<${files.length} fixtures>`;
      problems.push(
        `kmodkit modinfo ${shown} differs from kmod:\n${diffLines(kmod, result.stdout)}${result.stderr}`,
      );
    }
  }
  // The README's `$ kmodkit …` examples, run from the repository root as they are written; the
  // `filename:` line holds an absolute path, so only its last component is compared.
  const readme = await readFile(join(cli.root, 'README.md'), 'utf8').catch(() => '');
  const samePath = (text) => text.replace(/^(filename:\s+).*\//gm, '$1…/');
  for (const example of consoleExamples(readme, EXPECTATIONS[cli.name].bin)) {
    const result = await exec(bin, example.args, { cwd: repoRoot });
    if (result.code !== 0 || samePath(result.stdout) !== samePath(example.output)) {
      problems.push(
        `README.md line ${example.line} (kmodkit ${example.args.join(' ')}) shows other output:\n${diffLines(samePath(example.output), samePath(result.stdout))}${result.stderr}`,
      );
    }
  }
  fail(problems);
  return `npm install -g took ${seconds}s${compiled.length > 0 ? `; compiled native addons from source: ${compiled.join(', ')}` : ''}`;
}

// `kmodkit modinfo <file>` on the packed, globally installed CLI must print exactly what kmod 30
// printed for every fixture kmod could read (fixtures/modules/golden/modinfo-exit-status.txt says
// which), with the `filename:` line naming the fixture where it is now; and for all of them at once,
// the same outputs one after another.
async function modinfoGoldens() {
  const { goldens } = await readFixtures(fixturesDir);
  return Object.entries(goldens).map(([name, text]) => {
    const file = join(fixturesDir, name);
    return { file, kmod: text.replace(/^filename:.*/, `${'filename:'.padEnd(16)}${file}`) };
  });
}

function diffLines(want, got) {
  const a = want.split('\n');
  const b = got.split('\n');
  const out = [];
  for (let i = 0; i < Math.max(a.length, b.length) && out.length < 20; i++) {
    if (a[i] !== b[i])
      out.push(`  line ${i + 1}: kmod ${JSON.stringify(a[i])}\n          kmodkit ${JSON.stringify(b[i])}`);
  }
  return `${out.join('\n')}\n`;
}

function sizeTable(packed) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const rows = [...packed.values()].map((p) => {
    const budget = EXPECTATIONS[p.name]?.maxPackedBytes;
    const note = budget ? ` (budget ${kb(budget)})` : '';
    return [`\`${p.name}\``, p.version, `${kb(p.packed)}${note}`, kb(p.unpacked), String(p.files.length)];
  });
  // Columns padded as Biome formats Markdown tables, so `pnpm lint` accepts the written file.
  const table = [['package', 'version', 'packed', 'unpacked', 'files'], ...rows];
  const widths = table[0].map((_, i) => Math.max(3, ...table.map((row) => row[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(table[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function writeBenchmarks(table) {
  const file = join(repoRoot, 'BENCHMARKS.md');
  const pnpm = (await runPnpm(['--version'], { cwd: repoRoot })).stdout.trim();
  const section = [
    '## Packed sizes',
    '',
    `What \`pnpm pack\` produces for each publishable package (tarball size, and the size of its files`,
    `unpacked), measured ${new Date().toISOString().slice(0, 10)} with Node ${process.version} and pnpm ${pnpm}.`,
    'Regenerate with `node test/consumers/run.mjs --sizes --write-benchmarks`. The consumer test fails if',
    '`@kmodkit/params` or `@kmodkit/errno` grows past 30 KB packed: they are meant for browser bundles.',
    '',
    table,
    '',
  ].join('\n');
  let text = await readFile(file, 'utf8').catch(() => '# Benchmarks\n');
  const start = text.indexOf('## Packed sizes');
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = text.indexOf('\n## ', start + 1);
    text = `${text.slice(0, start)}${section}${next === -1 ? '' : text.slice(next)}`;
  }
  await writeFile(file, text);
  console.log(`wrote the Packed sizes section of ${file}`);
}

async function finish() {
  const width = Math.max(...results.map((r) => r.title.length));
  console.log('');
  for (const r of results) {
    console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.title.padEnd(width)}  ${r.seconds.toFixed(1)}s`);
    if (!r.ok) console.log(`${r.detail.replace(/^/gm, '        ')}\n`);
    if (r.note) console.log(`${r.note.replace(/^/gm, '        ')}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`\n${results.length - failed} passed, ${failed} failed in ${seconds}s`);
  if (failed === 0 && !options.keep) await rm(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
  process.exitCode = failed === 0 ? 0 : 1;
}
