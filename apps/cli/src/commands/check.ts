/**
 * `kmodkit check [-b DIR] [-k RELEASE] [--symvers FILE]… [--system-map FILE] [-f] [--json] FILE [params…]`:
 * will FILE load into the kernel, and if not, which errno and why — without loading it. The running
 * kernel by default; another one with `-k` (and `-b` for a root directory), e.g. before an upgrade.
 * Exit status 0 when it will load, 1 otherwise.
 */
import { strerror } from '@kmodkit/errno';
import { checkModule, type ModuleCheck } from '@kmodkit/loader';
import { MODULE_INIT_IGNORE_MODVERSIONS, MODULE_INIT_IGNORE_VERMAGIC } from '@kmodkit/loader/predict';
import { getoptLong, type OptionTable } from '../getopt.js';
import type { CommandContext } from './context.js';

const CHECK_OPTIONS: OptionTable = {
  basedir: { short: 'b', takesValue: true },
  'set-version': { short: 'k', takesValue: true },
  symvers: { takesValue: true },
  'system-map': { takesValue: true },
  force: { short: 'f', takesValue: false },
  json: { takesValue: false },
  version: { short: 'V', takesValue: false },
  help: { short: 'h', takesValue: false },
};

function checkHelp(program: string): string {
  return (
    'Usage:\n' +
    `\t${program} [options] filename [args]\n` +
    'Options:\n' +
    '\t-b, --basedir=DIR           Use DIR as filesystem root for /lib/modules, /usr/src, /boot\n' +
    '\t-k, --set-version=VERSION   Check against kernel VERSION instead of the running one\n' +
    "\t    --symvers=FILE          Read the kernel's exports from FILE (Module.symvers; repeatable)\n" +
    "\t    --system-map=FILE       Read the kernel's exports from FILE (System.map) when no Module.symvers\n" +
    '\t-f, --force                 As insmod -f: ignore the vermagic and the symbol versions\n' +
    '\t    --json                  Print one JSON object\n' +
    '\t-V, --version               Show version\n' +
    '\t-h, --help                  Show this help\n'
  );
}

const errnoText = (errno: string) => `${errno} (${strerror(errno)})`;

function human(c: ModuleCheck): string {
  const p = c.prediction;
  const head = p.willLoad
    ? `${c.path}: will load${p.taints === '' ? '' : `, tainting the kernel (${p.taints})`}\n`
    : p.errno === null
      ? `${c.path}: cannot tell: ${p.reason}\n`
      : `${c.path}: will not load: ${errnoText(p.errno)}\n  ${p.logged ? 'kernel: ' : ''}${p.reason}\n`;
  const rows = p.findings.map(
    (f) => `  ${f.status.padEnd(8)}${f.check.padEnd(12)}${f.errno ? `${f.errno} ` : ''}${f.message}\n`,
  );
  const target = c.target;
  const against = `target: ${target.release}${target.vermagic ? ` (vermagic '${target.vermagic}')` : ''}\n`;
  return `${head}${against}${rows.join('')}`;
}

function json(c: ModuleCheck): string {
  const p = c.prediction;
  return `${JSON.stringify({
    file: c.path,
    willLoad: p.willLoad,
    errno: p.errno,
    errnoMessage: p.errno === null ? null : strerror(p.errno),
    reason: p.reason,
    logged: p.logged,
    taints: p.taints,
    findings: p.findings,
    target: { release: c.target.release, vermagic: c.target.vermagic ?? null, sources: c.target.sources },
  })}\n`;
}

export async function check(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const line = getoptLong(argv, CHECK_OPTIONS);
  let root: string | undefined;
  let release: string | undefined;
  let systemMap: string | undefined;
  let asJson = false;
  let force = false;
  const symvers: string[] = [];
  for (const { name, value } of line.options) {
    if (name === 'basedir') root = value;
    else if (name === 'set-version') release = value;
    else if (name === 'symvers') symvers.push(value!);
    else if (name === 'system-map') systemMap = value;
    else if (name === 'json') asJson = true;
    else if (name === 'force') force = true;
    else if (name === 'help') {
      ctx.stdout(checkHelp(ctx.program));
      return 0;
    } else if (name === 'version') {
      ctx.stdout(`kmodkit version ${ctx.version}\n`);
      return 0;
    }
  }
  if (line.error !== undefined) {
    ctx.stderr(`${ctx.program}: ${line.error}\n`);
    return 1;
  }
  const [file, ...params] = line.operands;
  if (file === undefined) {
    ctx.stderr(`${ctx.program}: ERROR: missing filename.\n`);
    return 1;
  }
  const path = file.startsWith('/') ? file : `${ctx.cwd}/${file}`;
  let result: ModuleCheck;
  try {
    result = await checkModule(
      path,
      params.join(' '),
      {
        ...(root === undefined ? {} : { root }),
        ...(release === undefined ? {} : { release }),
        ...(symvers.length === 0 ? {} : { symvers }),
        ...(systemMap === undefined ? {} : { systemMap }),
      },
      force ? { flags: MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC } : {},
    );
  } catch (e) {
    const code = (e as { code?: string }).code;
    const text = code && /^E[A-Z0-9]+$/.test(code) ? strerror(code) : (e as Error).message;
    // insmod's words: "ERROR: could not load module FILE: No such file or directory".
    ctx.stderr(`${ctx.program}: ERROR: could not read ${(e as { path?: string }).path ?? file}: ${text}\n`);
    return 1;
  }
  ctx.stdout(asJson ? json(result) : human(result));
  return result.prediction.willLoad ? 0 : 1;
}
