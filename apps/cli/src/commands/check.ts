/**
 * `kmodkit check [-b DIR] [-k RELEASE] [--symvers FILE]… [--system-map FILE] [-f] [--json] FILE [params…]`:
 * will FILE load into the kernel, and if not, which errno and why — without loading it. The running
 * kernel by default; another one with `-k` (and `-b` for a root directory), e.g. before an upgrade.
 * Exit status 0 when it will load, 1 otherwise.
 */
import { strerror } from '@kmodkit/errno';
import { checkModule, type ModuleCheck } from '@kmodkit/loader';
import { MODULE_INIT_IGNORE_MODVERSIONS, MODULE_INIT_IGNORE_VERMAGIC } from '@kmodkit/loader/predict';
import { type CommandSpec, optionTable } from '../command-spec.js';
import { helpText } from '../help.js';
import { type CommandContext, toolOptions } from './context.js';

export const checkSpec: CommandSpec = {
  name: 'check',
  summary: 'tell whether a module will load, and if not, which errno and why',
  usage: ['[options] filename [args]'],
  description: `Predicts, without touching the kernel, whether init_module(2) would load the module file with these parameters, and if not, which errno it would return and what the kernel would log: the checks of Linux's load_module in its order (permission, signature, ELF validity, blacklist, module_layout and symbol CRCs, vermagic, already loaded, unknown symbols and namespaces, parameters).

The target is the running kernel (uname -r, /proc/modules, /proc/kallsyms, its Module.symvers from /lib/modules/RELEASE/build or /usr/src/linux-headers-RELEASE), or another kernel: -k RELEASE with its module tree under -b DIR, and --symvers or --system-map for its exports. --json prints one object (schema in the README).`,
  options: [
    {
      long: 'basedir',
      short: 'b',
      value: 'DIR',
      help: 'Use DIR as filesystem root for /lib/modules, /usr/src, /boot',
      complete: 'directory',
    },
    {
      long: 'set-version',
      short: 'k',
      value: 'VERSION',
      help: 'Check against kernel VERSION instead of the running one',
      complete: 'kernel-version',
    },
    {
      long: 'symvers',
      value: 'FILE',
      help: "Read the kernel's exports from FILE (Module.symvers; repeatable)",
      complete: 'file',
    },
    {
      long: 'system-map',
      value: 'FILE',
      help: "Read the kernel's exports from FILE (System.map) when no Module.symvers",
      complete: 'file',
    },
    { long: 'force', short: 'f', help: 'As insmod -f: ignore the vermagic and the symbol versions' },
    { long: 'json', help: 'Print one JSON object' },
    { long: 'version', short: 'V', help: 'Show version' },
    { long: 'help', short: 'h', help: 'Show this help' },
  ],
  operands: 'file',
  examples: [
    { args: './my_driver.ko debug=1', explain: 'will it load into the running kernel, with debug=1?' },
    {
      args: '-k 6.1.0-57-amd64 ./my_driver.ko',
      explain: 'will it load after upgrading to an installed 6.1.0-57 kernel?',
    },
    {
      args: '--symvers /tmp/Module.symvers -k 6.12.0-1-amd64 -b /tmp/root ./my_driver.ko',
      explain: "against another kernel's tree and exports",
    },
    { args: '--json ./my_driver.ko | jq .errno', explain: 'only the errno it would fail with' },
  ],
  exitStatus:
    '0 when the module would load; 1 when it would not, or when the file or the target cannot be read.',
};

const CHECK_OPTIONS = optionTable(checkSpec);

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
  let root: string | undefined;
  let release: string | undefined;
  let systemMap: string | undefined;
  let asJson = false;
  let force = false;
  const symvers: string[] = [];
  const operands = toolOptions(
    argv,
    CHECK_OPTIONS,
    ctx,
    helpText(checkSpec, ctx.program),
    (name, value) => {
      if (name === 'basedir') root = value;
      else if (name === 'set-version') release = value;
      else if (name === 'symvers') symvers.push(value!);
      else if (name === 'system-map') systemMap = value;
      else if (name === 'json') asJson = true;
      else if (name === 'force') force = true;
      return undefined;
    },
    // check is kmodkit's own: one line, without kmod's feature list.
    `kmodkit version ${ctx.version}\n`,
  );
  if (typeof operands === 'number') return operands;
  const [file, ...params] = operands;
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
