// The release flow without publishing. In a copy of the committed tree, the pending changesets must
// go through `changeset version`; in another, a sample changeset goes through
// `changeset version`, and the result must be what a release would publish: the bumped package, patch
// bumps and changelog entries for its dependents, packed ranges pointing at the new version, and a
// `pnpm publish -r --dry-run` against the local registry (which holds the current versions, as npm
// would) that would publish exactly the bumped packages.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFailure, exec } from './exec.mjs';
import { publishablePackages, runPnpm, tarballName, unpackTarball } from './pack.mjs';

const SAMPLE = { name: '@kmodkit/errno', bump: 'minor' };
const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * @param {string} repoRoot
 * @param {string} work an empty temporary directory
 * @param {string} registryUrl a registry serving the current versions (registry.mjs)
 * @returns {Promise<string[]>} what went wrong; empty when the release flow behaved
 */
export async function checkReleaseFlow(repoRoot, work, registryUrl) {
  const pending = await checkPendingChangesets(repoRoot, join(work, 'pending'));
  return [...pending, ...(await checkSampleRelease(repoRoot, join(work, 'sample'), registryUrl))];
}

/** The committed tree in `copy`, with its dependencies installed from pnpm's store (under a second). */
async function copyRepository(repoRoot, copy) {
  await mkdir(copy, { recursive: true });
  const archive = await exec('sh', ['-c', `git -C "$0" archive HEAD | tar -x -C "$1"`, repoRoot, copy]);
  if (archive.code !== 0) throw new Error(`git archive failed: ${describeFailure(archive)}`);
  const install = await runPnpm(['install', '--offline', '--frozen-lockfile', '--ignore-scripts'], {
    cwd: copy,
  });
  if (install.code !== 0) throw new Error(`pnpm install in the copy failed: ${describeFailure(install)}`);
}

/**
 * The next real release: the committed changesets must all parse (a Markdown formatter that rewrites
 * their `---` front matter breaks them) and `changeset version` must bump every package they name.
 */
async function checkPendingChangesets(repoRoot, copy) {
  await copyRepository(repoRoot, copy);
  return await versionPending(copy);
}

/**
 * Self-test: a changeset whose front matter Biome's Markdown formatter rewrote (the `---` block
 * turned into a heading) must be reported by the pending-changesets check.
 * @returns {Promise<string[]>} empty when the broken changeset was caught
 */
export async function checkChangesetDetector(repoRoot, copy) {
  await copyRepository(repoRoot, copy);
  await writeFile(
    join(copy, '.changeset', 'consumer-test-reformatted.md'),
    `---\n\n## "${SAMPLE.name}": patch\n\nA changeset after a Markdown formatter ran over it.\n`,
  );
  const problems = await versionPending(copy);
  return problems.some((p) => p.includes('consumer-test-reformatted.md'))
    ? []
    : [`a changeset with broken front matter was not reported (${problems.join('; ') || 'no problems'})`];
}

/** `changeset version` over the pending changesets of the copy `copy`. */
async function versionPending(copy) {
  const named = new Set();
  const problems = [];
  for (const file of await readdir(join(copy, '.changeset'))) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const text = await readFile(join(copy, '.changeset', file), 'utf8');
    const frontMatter = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1];
    const releases = [...(frontMatter ?? '').matchAll(/^["']?([^"'\s:]+)["']?:\s*(major|minor|patch)\s*$/gm)];
    if (releases.length === 0)
      problems.push(`.changeset/${file} has no front matter naming a package and a bump`);
    for (const [, name] of releases) named.add(name);
  }
  if (named.size === 0 && problems.length === 0) return [];
  const before = new Map(
    (await publishablePackages(copy, { withPrivate: true })).map((p) => [p.name, p.version]),
  );
  const version = await runPnpm(['exec', 'changeset', 'version'], { cwd: copy });
  if (version.code !== 0)
    return [...problems, `changeset version on the pending changesets failed: ${describeFailure(version)}`];
  const after = new Map(
    (await publishablePackages(copy, { withPrivate: true })).map((p) => [p.name, p.version]),
  );
  for (const name of named) {
    if (!before.has(name)) problems.push(`a pending changeset names ${name}, which is not in the workspace`);
    else if (after.get(name) === before.get(name))
      problems.push(`changeset version left ${name} at ${before.get(name)}`);
  }
  return problems;
}

/** A sample changeset through `changeset version`, `pnpm pack` and `pnpm publish -r --dry-run`. */
async function checkSampleRelease(repoRoot, copy, registryUrl) {
  await copyRepository(repoRoot, copy);

  // Only the sample changeset, so the expected result does not depend on what else is pending.
  for (const file of await readdir(join(copy, '.changeset'))) {
    if (file.endsWith('.md') && file !== 'README.md') await rm(join(copy, '.changeset', file));
  }
  await writeFile(
    join(copy, '.changeset', 'consumer-test-sample.md'),
    `---\n"${SAMPLE.name}": ${SAMPLE.bump}\n---\n\nSample change from the consumer test.\n`,
  );

  const before = await publishablePackages(copy);
  const version = await runPnpm(['exec', 'changeset', 'version'], { cwd: copy });
  if (version.code !== 0) return [`changeset version failed: ${describeFailure(version)}`];
  const after = new Map((await publishablePackages(copy)).map((p) => [p.name, p]));

  const problems = [];
  const sample = before.find((p) => p.name === SAMPLE.name);
  if (!sample) return [`${SAMPLE.name} is not a publishable package`];
  const released = bump(sample.version, SAMPLE.bump);
  for (const pkg of before) {
    const now = after.get(pkg.name);
    const changelog = await readFile(join(now.dir, 'CHANGELOG.md'), 'utf8').catch(() => '');
    const dependent = RUNTIME_FIELDS.some((field) => pkg.manifest[field]?.[SAMPLE.name]);
    const wanted = pkg === sample ? released : dependent ? bump(pkg.version, 'patch') : pkg.version;
    if (now.version !== wanted)
      problems.push(`${pkg.name} is ${now.version} after changeset version, want ${wanted}`);
    if (pkg === sample) {
      if (
        !changelog.includes(`## ${released}`) ||
        !changelog.includes('Sample change from the consumer test.')
      ) {
        problems.push(`${pkg.name}/CHANGELOG.md has no ${released} entry with the changeset's text`);
      }
    } else if (dependent) {
      if (!changelog.includes(`## ${wanted}`) || !changelog.includes(`${SAMPLE.name}@${released}`)) {
        problems.push(`${pkg.name}/CHANGELOG.md does not record the update to ${SAMPLE.name}@${released}`);
      }
      // What a publish would write: pnpm turns `workspace:^` into a range that admits the new version.
      const packed = await packOne(now, `${copy}-packed`);
      const range = RUNTIME_FIELDS.map((f) => packed.manifest[f]?.[SAMPLE.name]).find(Boolean);
      if (range !== `^${released}`)
        problems.push(`${pkg.name} packs with ${SAMPLE.name}@${range}, want ^${released}`);
    }
  }

  const publish = await runPnpm(
    ['publish', '-r', '--dry-run', '--no-git-checks', '--access', 'public', '--registry', registryUrl],
    { cwd: copy },
  );
  if (publish.code !== 0)
    return [...problems, `pnpm publish -r --dry-run failed: ${describeFailure(publish)}`];
  const published = [...publish.stdout.matchAll(/^\+ (@kmodkit\/\S+)$/gm)].map((m) => m[1]).sort();
  const bumped = before
    .filter((pkg) => after.get(pkg.name).version !== pkg.version)
    .map((pkg) => `${pkg.name}@${after.get(pkg.name).version}`)
    .sort();
  if (published.join() !== bumped.join()) {
    problems.push(
      `pnpm publish -r would publish ${published.join(', ')}; the bumped packages are ${bumped.join(', ')}`,
    );
  }
  return problems;
}

function bump(version, kind) {
  const [major, minor, patch] = version.split('.').map(Number);
  if (kind === 'major') return `${major + 1}.0.0`;
  if (kind === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

async function packOne(pkg, destination) {
  const result = await runPnpm(['pack', '--pack-destination', destination], { cwd: pkg.dir });
  if (result.code !== 0) throw new Error(`pnpm pack ${pkg.name} failed: ${describeFailure(result)}`);
  const unpacked = await unpackTarball(
    join(destination, tarballName(pkg.name, pkg.version)),
    join(destination, 'unpacked', pkg.name),
  );
  return { ...unpacked, manifest: JSON.parse(await readFile(join(unpacked.root, 'package.json'), 'utf8')) };
}
