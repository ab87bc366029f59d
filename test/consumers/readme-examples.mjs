// The examples in each package's README (the copy in its tarball, which npm shows) are compiled with
// `tsc` against the published types and run, so the documentation cannot drift from the API. The
// READMEs write results as `expr; // value — note` and errors as `expr; // throws ErrorClass …`; each
// such statement whose comment starts with a plain literal (or `throws Name`) is checked. A block is
// a program when it has its own imports (it also gets the names earlier blocks imported); one without
// continues the block before it and is prose.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const CODE_LANGUAGES = new Set(['ts', 'typescript']);
// Examples that need a kernel that can load modules are compiled, not run.
const COMPILE_ONLY = /from\s+['"]@kmodkit\/(loader|cli)['"]/;

/**
 * The fenced TypeScript blocks of `markdown`, in order, with the line each one's code starts on.
 * @returns {{ code: string, line: number }[]}
 */
export function codeBlocks(markdown) {
  const blocks = [];
  for (const match of markdown.matchAll(/^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    const language = match[1].trim().split(/\s+/)[0];
    const line = markdown.slice(0, match.index).split('\n').length + 1;
    if (CODE_LANGUAGES.has(language)) blocks.push({ code: match[2], line });
  }
  return blocks;
}

/**
 * The import declarations of `code`: module, and each bound name with the clause that binds it alone
 * (`{ a as b }`, `X`, `* as ns`).
 * @returns {{ specifier: string, typeOnly: boolean, names: { local: string, clause: string }[] }[]}
 */
export function importsOf(ts, code) {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return source.statements.filter(ts.isImportDeclaration).map((declaration) => {
    const clause = declaration.importClause;
    const names = [];
    if (clause?.name) names.push({ local: clause.name.text, clause: clause.name.text });
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) {
      names.push({ local: bindings.name.text, clause: `* as ${bindings.name.text}` });
    } else if (bindings) {
      for (const element of bindings.elements) {
        names.push({ local: element.name.text, clause: `{ ${element.getText(source)} }` });
      }
    }
    return { specifier: declaration.moduleSpecifier.text, typeOnly: Boolean(clause?.isTypeOnly), names };
  });
}

/**
 * `code` with each `expr; // <literal> …` and `expr; // throws Name …` statement (at any depth, so
 * claims inside a `try`/`if` count too) turned into a check.
 */
export function withAssertions(ts, code, readme, firstLine) {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits = [];
  const visit = (node) => {
    const check = ts.isExpressionStatement(node) && assertionFor(ts, source, node, code, readme, firstLine);
    if (check) edits.push({ start: node.getStart(source), end: node.end, text: check });
    else ts.forEachChild(node, visit);
  };
  visit(source);
  let out = code;
  for (const edit of edits.reverse()) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  const helpers = edits.length > 0 ? "import { expectThrow, expectValue } from './doctest.js';\n" : '';
  return helpers + out;
}

function assertionFor(ts, source, statement, code, readme, firstLine) {
  const comment = ts.getTrailingCommentRanges(code, statement.end)?.[0];
  if (!comment || comment.kind !== ts.SyntaxKind.SingleLineCommentTrivia) return undefined;
  const note = code.slice(comment.pos + 2, comment.end).trim();
  const expression = statement.expression.getText(source);
  const { line } = source.getLineAndCharacterOfPosition(statement.getStart(source));
  const where = JSON.stringify(`${readme} line ${firstLine + line}`);
  const thrown = /^throws\s+([A-Z]\w*)\s*(.*)$/.exec(note);
  if (thrown) {
    const literal = leadingLiteral(thrown[2]);
    const word = /^([A-Z][A-Z0-9_]+)\b/.exec(thrown[2])?.[1];
    const details = literal?.startsWith('{') ? literal : word ? JSON.stringify(word) : 'undefined';
    const run = /\bawait\b/.test(expression) ? `async () => ${expression}` : `() => ${expression}`;
    const awaited = /\bawait\b/.test(expression) ? 'await ' : '';
    return `${awaited}expectThrow(${run}, ${JSON.stringify(thrown[1])}, ${details}, ${where});`;
  }
  const literal = leadingLiteral(note);
  return literal === undefined ? undefined : `expectValue(${expression}, ${literal}, ${where});`;
}

/**
 * The JavaScript literal `text` starts with (number, bigint, string, boolean, null, undefined, or an
 * array/object of those), as source text, when what follows it is only a note (` — …`, ` (…)`, `: …`,
 * `, …`); else undefined.
 */
export function leadingLiteral(text) {
  let pos = 0;
  const skipSpace = () => {
    while (text[pos] === ' ') pos++;
  };
  const value = () => {
    skipSpace();
    const rest = text.slice(pos);
    const atom =
      /^-?(0x[0-9a-f]+|\d+(\.\d+)?)n?(?![\w.])/i.exec(rest) ??
      /^'(?:[^'\\]|\\.)*'|^"(?:[^"\\]|\\.)*"/.exec(rest) ??
      /^(true|false|null|undefined)(?!\w)/.exec(rest);
    if (atom) {
      pos += atom[0].length;
      return true;
    }
    const open = text[pos];
    if (open !== '[' && open !== '{') return false;
    const close = open === '[' ? ']' : '}';
    pos++;
    skipSpace();
    if (text[pos] === close) {
      pos++;
      return true;
    }
    for (;;) {
      if (open === '{') {
        const key = /^([A-Za-z_$][\w$]*|'[^']*'|"[^"]*")\s*:/.exec(text.slice(pos));
        if (!key) return false;
        pos += key[0].length;
      }
      if (!value()) return false;
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        skipSpace();
        if (text[pos] === close) {
          pos++;
          return true;
        }
        continue;
      }
      if (text[pos] !== close) return false;
      pos++;
      return true;
    }
  };
  if (!value()) return undefined;
  const literal = text.slice(0, pos).trim();
  return /^(\s*$|\s+—|\s+\(|:|,|;|\s*$)/.test(text.slice(pos)) ? literal : undefined;
}

/**
 * The `$ <command> …` lines of the README's ```` ```console ```` blocks and the output shown under each,
 * for commands run without a shell (arguments split on spaces).
 * @returns {{ args: string[], output: string, line: number }[]}
 */
export function consoleExamples(markdown, command) {
  const examples = [];
  for (const match of markdown.matchAll(/^```console\n([\s\S]*?)^```[ \t]*$/gm)) {
    const firstLine = markdown.slice(0, match.index).split('\n').length + 1;
    const lines = match[1].split('\n').slice(0, -1);
    lines.forEach((text, index) => {
      if (!text.startsWith(`$ ${command} `)) return;
      const end = lines.findIndex((l, i) => i > index && l.startsWith('$ '));
      const output = lines.slice(index + 1, end === -1 ? lines.length : end);
      examples.push({
        args: text
          .slice(command.length + 3)
          .trim()
          .split(/\s+/),
        output: output.map((l) => `${l}\n`).join(''),
        line: firstLine + index,
      });
    });
  }
  return examples;
}

/**
 * Writes each README example of each packed package, and of the repository's own README (its
 * "Using the libraries" section is what most users read first), into `<dir>/readme/` as a module, and
 * copies the fixture modules beside them, so an example that reads `kmodkit_test.ko` finds it.
 * @returns {Promise<{ file: string, run: boolean }[]>} the examples, as paths relative to `dir`
 */
export async function writeReadmeExamples(ts, dir, packed, repoRoot) {
  await mkdir(join(dir, 'readme'), { recursive: true });
  await copyFile(new URL('./programs/readme-doctest.ts', import.meta.url), join(dir, 'readme/doctest.ts'));
  const readmes = [{ name: 'kmodkit', title: 'README.md', path: join(repoRoot, 'README.md') }];
  for (const pkg of packed.values()) {
    readmes.push({
      name: pkg.name.split('/').pop(),
      title: `${pkg.name} README.md`,
      path: join(pkg.root, 'README.md'),
    });
  }
  const examples = [];
  for (const readme of readmes) {
    const markdown = await readFile(readme.path, 'utf8').catch(() => '');
    const earlier = [];
    for (const [index, { code, line }] of codeBlocks(markdown).entries()) {
      const imports = importsOf(ts, code);
      // A block without imports continues the one before it (`mod.params …`): prose, not a program.
      if (imports.length === 0) continue;
      // A README imports a name once (`readFileSync` in the first example) and uses it again later.
      const bound = new Set(imports.flatMap((i) => i.names.map((n) => n.local)));
      const inherited = earlier.flatMap(({ specifier, typeOnly, names }) => {
        const missing = names.filter((n) => !bound.has(n.local));
        for (const n of missing) bound.add(n.local);
        return missing.map((n) => `import ${typeOnly ? 'type ' : ''}${n.clause} from '${specifier}';\n`);
      });
      earlier.push(...imports);
      const file = `readme/${readme.name}-${index + 1}.ts`;
      const checked = withAssertions(ts, code, readme.title, line);
      // `export {}` makes each example its own module: names do not collide, top-level await works.
      await writeFile(join(dir, file), `${inherited.join('')}${checked}\nexport {};\n`);
      examples.push({ file, run: !COMPILE_ONLY.test(code) });
    }
  }
  const fixturesDir = join(repoRoot, 'fixtures/modules');
  // Examples name the fixtures either way: `kmodkit_test.ko` or `fixtures/modules/kmodkit_test.ko`.
  await mkdir(join(dir, 'fixtures/modules'), { recursive: true });
  for (const entry of await readdir(fixturesDir, { withFileTypes: true })) {
    if (entry.isFile() && /\.ko(\.|$)/.test(entry.name)) {
      await copyFile(join(fixturesDir, entry.name), join(dir, entry.name));
      await copyFile(join(fixturesDir, entry.name), join(dir, 'fixtures/modules', entry.name));
    }
  }
  return examples;
}
