/**
 * `kmodkit params [--json] FILE [params…]`: what the kernel would make of a parameter string for one
 * module file — the typed values it would set, or the errno and log lines init_module(2) would give.
 * @kmodkit/loader/predict's predictParams does the work (kernel/params.c over the module's declarations).
 */
import { strerror } from '@kmodkit/errno';
import { openModule } from '@kmodkit/loader';
import { type ParamsPrediction, predictParams } from '@kmodkit/loader/predict';
import { type CommandSpec, optionTable } from '../command-spec.js';
import { helpText } from '../help.js';
import { type CommandContext, toolOptions } from './context.js';
import { modStrerror } from './insmod.js';

export const paramsSpec: CommandSpec = {
  name: 'params',
  summary: 'check a parameter string against a module file, as the kernel parses it',
  usage: ['[options] filename [args]'],
  description: `Parses the arguments after the file, joined with spaces, as the kernel's parse_args does when init_module(2) is given them (kernel/params.c: quoting, types, ranges, arrays, the module's own width of long), against the parameters the module file declares. Prints each value as the kernel would set it, with its type; the kernel's warnings (unknown parameters, unsafe ones) go to standard error.

When the kernel would refuse the string, prints the lines it would log and insmod's message with the errno, and exits 1. --json prints one object (schema in the README).`,
  options: [
    { long: 'json', help: 'Print one JSON object' },
    { long: 'version', short: 'V', help: 'Show version' },
    { long: 'help', short: 'h', help: 'Show this help' },
  ],
  operands: 'file',
  examples: [
    { args: './kmodkit_test.ko p_int=3 p_charp="two words"', explain: 'the typed values of two parameters' },
    { args: 'dummy.ko numdummies=x', explain: "the kernel's error for a bad value" },
    { args: '--json ./kmodkit_test.ko p_ints=1,2,3 | jq .values', explain: 'the values as JSON' },
  ],
  exitStatus:
    '0 when the kernel would accept the parameters; 1 when it would not, or when the file cannot be read.',
};

const PARAMS_OPTIONS = optionTable(paramsSpec);

type ParamValue = ParamsPrediction['values'] extends ReadonlyMap<string, infer V> ? V : never;

/** A typed value as text: strings quoted as JSON, numbers and booleans bare, arrays in brackets. */
function shown(value: ParamValue): string {
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const jsonValue = (value: ParamValue): unknown =>
  Array.isArray(value) ? value.map(jsonValue) : typeof value === 'bigint' ? value.toString() : value;

function typeOf(types: ReadonlyMap<string, string>, name: string): string {
  return types.get(name) ?? 'unknown';
}

export async function params(argv: readonly string[], ctx: CommandContext): Promise<number> {
  let asJson = false;
  const operands = toolOptions(
    argv,
    PARAMS_OPTIONS,
    ctx,
    helpText(paramsSpec, ctx.program),
    (name) => {
      if (name === 'json') asJson = true;
      return undefined;
    },
    `kmodkit version ${ctx.version}\n`,
  );
  if (typeof operands === 'number') return operands;
  const [file, ...args] = operands;
  if (file === undefined) {
    ctx.stderr(`${ctx.program}: ERROR: missing filename.\n`);
    return 1;
  }
  const path = file.startsWith('/') ? file : `${ctx.cwd}/${file}`;
  let result: ParamsPrediction;
  const types = new Map<string, string>();
  try {
    const { module } = await openModule(path);
    for (const p of module.params) {
      types.set(p.name, p.type === 'array' ? `array of ${p.elementType ?? 'unknown'}` : p.type);
    }
    result = predictParams(module, args.join(' '));
  } catch (e) {
    const code = (e as { errno?: string; code?: string }).errno ?? (e as { code?: string }).code;
    const text = code && /^E[A-Z0-9]+$/.test(code) ? strerror(code) : (e as Error).message;
    ctx.stderr(`${ctx.program}: ERROR: could not read ${file}: ${text}\n`);
    return 1;
  }
  if (asJson) {
    ctx.stdout(
      `${JSON.stringify({
        file,
        ok: result.ok,
        errno: result.errno,
        errnoMessage: result.errno === null ? null : strerror(result.errno),
        values: Object.fromEntries(
          [...result.values].map(([name, value]) => [
            name,
            { type: typeOf(types, name), value: jsonValue(value) },
          ]),
        ),
        taints: result.taints,
        findings: result.findings,
      })}\n`,
    );
    return result.ok ? 0 : 1;
  }
  for (const f of result.findings) {
    if (f.status === 'fail' || f.status === 'warn' || f.status === 'unknown')
      ctx.stderr(`${f.status === 'unknown' ? 'unknown' : 'kernel'}: ${f.message}\n`);
  }
  if (!result.ok) {
    const errno = result.errno ?? 'EINVAL';
    ctx.stderr(`${ctx.program}: ERROR: could not insert module ${file}: ${modStrerror(errno)}\n`);
    return 1;
  }
  for (const [name, value] of result.values) {
    ctx.stdout(`${name} = ${shown(value)} (${typeOf(types, name)})\n`);
  }
  return 0;
}
