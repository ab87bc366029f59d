// Negative self-tests: each breaks a copy of a real package the way a bad publish would, and the check
// that should catch it must report it. A detector that cannot fail here is not trusted elsewhere.
import { appendFile, cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFailure, exec } from './exec.mjs';
import { inspectPackage } from './inspect.mjs';
import { listFiles } from './pack.mjs';
import { withAssertions } from './readme-examples.mjs';

/** Ways to break an unpacked package, and what inspectPackage must then say. */
const TARBALL_BREAKAGES = [
  {
    what: 'a Node built-in imported by a browser-safe package',
    breakIt: (root) => prepend(join(root, 'dist/index.js'), "import 'node:fs';\n"),
    expect: /imports the Node built-in "node:fs"/,
  },
  {
    what: 'a Node global used by a browser-safe package',
    breakIt: (root) => appendFile(join(root, 'dist/index.js'), '\nexport const debug = process.env.DEBUG;\n'),
    expect: /uses the Node global process/,
  },
  {
    what: 'a workspace: range left in package.json',
    breakIt: (root) =>
      editJson(join(root, 'package.json'), (m) => {
        m.dependencies = { ...m.dependencies, '@kmodkit/errno': 'workspace:^' };
      }),
    expect: /still has a "workspace:" range/,
  },
  {
    what: 'a file the exports map names but the tarball lacks',
    breakIt: (root) => rm(join(root, 'dist/index.d.ts')),
    expect: /points at \.\/dist\/index\.d\.ts, not in the tarball/,
  },
  {
    what: 'an import of an undeclared package',
    breakIt: (root) => prepend(join(root, 'dist/index.js'), "import 'left-pad';\n"),
    expect: /imports "left-pad", which is not a declared dependency/,
  },
  {
    what: 'a test file shipped',
    breakIt: (root) => writeFile(join(root, 'dist/index.test.js'), 'export {};\n'),
    expect: /ships dist\/index\.test\.js/,
  },
  {
    what: 'the workspace path written into a shipped file',
    breakIt: (root, repoRoot) =>
      appendFile(join(root, 'dist/index.js'), `\n// ${repoRoot}/packages/params/src\n`),
    expect: /contains the workspace path/,
  },
];

/**
 * Breaks copies of `pkg` (an unpacked tarball) one way at a time and checks inspectPackage notices.
 * @returns {Promise<string[]>} the breakages that went unnoticed
 */
export async function checkTarballDetectors(pkg, context, work) {
  const failures = [];
  for (const [index, breakage] of TARBALL_BREAKAGES.entries()) {
    const root = join(work, `broken-${index}`, 'package');
    await cp(pkg.root, root, { recursive: true });
    await breakage.breakIt(root, context.repoRoot);
    const problems = await inspectPackage({ ...pkg, root, files: await listFiles(root) }, context);
    if (!problems.some((p) => breakage.expect.test(p))) {
      failures.push(`not detected: ${breakage.what} (inspect said: ${problems.join('; ') || 'nothing'})`);
    }
  }
  return failures;
}

/**
 * A README example whose claims are wrong must fail: a wrong value, a throw that does not happen, and
 * the wrong error class. Runs in the README project after its examples compiled (out/readme/doctest.js).
 * @returns {Promise<string[]>} the wrong claims that went unnoticed
 */
export async function checkReadmeDetector(ts, dir) {
  const example = [
    "import { paramEqual, parseArgs } from '@kmodkit/params';",
    "paramEqual('snd-hda_intel', 'snd_hda-intel'); // false — wrong: they are equal",
    "parseArgs('a=1'); // throws ParamError — wrong: it parses",
    "parseArgs('a=1').rest; // 'a' — wrong: nothing is left",
    '',
  ].join('\n');
  await writeFile(join(dir, 'out/readme/wrong-claims.js'), withAssertions(ts, example, 'self-test', 1));
  const result = await exec(process.execPath, ['out/readme/wrong-claims.js'], { cwd: dir });
  const failures = [];
  for (const line of [2, 3, 4]) {
    if (!result.stderr.includes(`self-test line ${line}:`))
      failures.push(`wrong claim on line ${line} not reported`);
  }
  if (result.code === 0) failures.push('the example with wrong claims exited 0');
  return failures.length === 0 ? [] : [...failures, describeFailure(result)];
}

/**
 * Runs `check` with `file` temporarily changed by `edit`, restoring it afterwards.
 * @template T
 * @param {string} file
 * @param {(text: string) => string} edit
 * @param {() => Promise<T>} check
 * @returns {Promise<T>}
 */
export async function withEditedFile(file, edit, check) {
  const original = await readFile(file, 'utf8');
  await writeFile(file, edit(original));
  try {
    return await check();
  } finally {
    await writeFile(file, original);
  }
}

async function prepend(file, text) {
  await writeFile(file, text + (await readFile(file, 'utf8')));
}

async function editJson(file, edit) {
  const json = JSON.parse(await readFile(file, 'utf8'));
  edit(json);
  await writeFile(file, JSON.stringify(json, null, 2));
}
