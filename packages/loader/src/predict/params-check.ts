import { type KernelModule, readModule, SectionType } from '@kmodkit/elf';
import {
  type ArgIssue,
  type DeclaredParam,
  ParamError,
  type ParamValue,
  paramEqual,
  parseValue,
  validateArgs,
} from '@kmodkit/params';
import { Findings, taintString } from './findings.js';
import type { Finding } from './prediction.js';
import type { LoadTarget } from './target.js';

/**
 * The value of a bool_enable_only parameter's variable before the arguments (its initialiser), read
 * through the `kp->arg` relocation of its `__param` entry; undefined where that cannot be read.
 */
function boolDefault(module: KernelModule, index: number): boolean | undefined {
  const elf = module.elf;
  const param = elf.section('__param');
  if (!param) return undefined;
  const w = elf.wordSize;
  try {
    const rel = elf.relocationAt(param.index, index * 5 * w + 4 * w);
    const target = rel && elf.relocationTarget(rel);
    if (target?.kind !== 'section') return undefined;
    const sec = elf.sectionAt(target.sectionIndex);
    if (sec.type === SectionType.SHT_NOBITS) return false;
    const byte = sec.data[target.offset];
    return byte === undefined ? undefined : byte !== 0;
  } catch {
    return undefined;
  }
}

/** The line a failing `set` logs itself (kernel/params.c), if it logs one. */
function setterLine(param: DeclaredParam, issue: ArgIssue, longBits: 32 | 64): string | undefined {
  const scalarLine = (type: string, errno: string | undefined) => {
    if (errno !== 'ENOSPC') return undefined;
    if (type === 'charp') return `${param.name}: string parameter too long`;
    if (type === 'string') return `${param.name}: string doesn't fit in ${(param.maxLength ?? 1) - 1} chars.`;
    return undefined;
  };
  if (param.type !== 'array' || issue.value === null) return scalarLine(param.type, issue.errno);
  // param_array: each element through the element's set; the (max+1)th is refused before it is parsed.
  const max = param.maxLength ?? 0;
  const elements = issue.value.split(',');
  for (let i = 0; i < elements.length; i++) {
    if (i === max) return `${param.name}: can only take ${max} arguments`;
    try {
      parseValue(param.elementType ?? 'int', elements[i]!, param.name, { longBits });
    } catch (e) {
      return e instanceof ParamError ? scalarLine(param.elementType ?? '', e.errno) : undefined;
    }
  }
  return undefined;
}

/**
 * kernel/params.c parse_args as load_module calls it (the module's name as `doing`, unknown parameters
 * to unknown_module_param_cb): every argument is tried, each failure logged, and the load fails with
 * the error of the last one.
 */
export function checkParams(
  module: KernelModule,
  name: string,
  params: string,
  target: Pick<LoadTarget, 'lockdown'>,
  f: Findings,
): Map<string, ParamValue> {
  const check = 'params';
  const declared: DeclaredParam[] = module.params.map((p, i) =>
    p.type === 'bool_enable_only' ? { ...p, initial: boolDefault(module, i) } : p,
  );
  const lockdown = target.lockdown === 'integrity' || target.lockdown === 'confidentiality';
  // The module's C long is as wide as its ELF class (param_set_long on armhf/i386 takes 32 bits).
  const longBits = module.elf.wordSize === 4 ? 32 : 64;
  const result = validateArgs(params, declared, { lockdown, longBits });
  for (const issue of result.issues) {
    switch (issue.kind) {
      case 'invalid': {
        const param = declared.find((d) => paramEqual(issue.name, d.name));
        const own = param && setterLine(param, issue, longBits);
        // param_array cuts the value at its first comma in place, so parse_args prints the first element.
        const cut =
          param?.type === 'array' && issue.value !== null ? issue.value.split(',')[0]! : issue.value;
        const val = cut ?? '';
        const what =
          issue.errno === 'ENOSPC'
            ? `\`${val}' too large for parameter \`${issue.name}'`
            : `\`${val}' invalid for parameter \`${issue.name}'`;
        // The setter's own line comes first, then parse_args's.
        if (own) f.fail(check, issue.errno!, own);
        f.fail(check, issue.errno!, `${name}: ${what}`);
        break;
      }
      case 'unknown':
        f.warn(check, `${name}: unknown parameter '${issue.name}' ignored`);
        break;
      case 'unsafe':
        f.warn(check, issue.message, 'U');
        break;
      case 'unchecked':
        f.unknown(check, issue.message);
        break;
      case 'repeated':
        f.ok(check, issue.message);
        break;
    }
  }
  if (!lockdown && target.lockdown === undefined && declared.some((p) => (p.flags ?? 0) & 2)) {
    f.unknown(
      check,
      'hardware parameters are refused under lockdown, and whether the kernel is locked down is not known',
    );
  }
  if (result.rest !== null) f.warn(check, `${name}: parameters '${result.rest}' after \`--' ignored`);
  if (result.ok) f.ok(check, params.trim() === '' ? 'no parameters' : `parameters accepted: ${params}`);
  return result.values;
}

/** What the kernel would make of a parameter string for one module: `predictParams`' answer. */
export interface ParamsPrediction {
  /** Whether parse_args accepts every argument (unknown ones only warn). */
  readonly ok: boolean;
  /** What init_module would fail with (the error of the last failing argument), or null. */
  readonly errno: string | null;
  /** The typed values by declared name, as the kernel would set them. */
  readonly values: ReadonlyMap<string, ParamValue>;
  /** The parameter check's findings in order: each failure and warning with the kernel's log line. */
  readonly findings: readonly Finding[];
  /** Taint letters the parameters add (U for an unsafe parameter). */
  readonly taints: string;
}

/**
 * The parameter step of load_module alone: the module's declared parameters (with its ELF class's width
 * of long) against `params`, with the kernel's log lines and errno. `name` is the module's name as the
 * kernel prints it (default: its .gnu.linkonce.this_module name, else modinfo's name).
 *
 * @throws ElfError when `input` is bytes that are not a readable module
 */
export function predictParams(
  input: KernelModule | Uint8Array,
  params: string,
  options: { readonly name?: string; readonly lockdown?: LoadTarget['lockdown'] } = {},
): ParamsPrediction {
  const module = input instanceof Uint8Array ? readModule(input) : input;
  const f = new Findings();
  const name = options.name ?? kernelName(module);
  const values = checkParams(module, name, params, { lockdown: options.lockdown ?? 'none' }, f);
  const failed = f.list.filter((x) => x.status === 'fail');
  return {
    ok: failed.length === 0,
    errno: failed.at(-1)?.errno ?? null,
    values,
    findings: f.list,
    taints: taintString(f.taints),
  };
}

function kernelName(module: KernelModule): string {
  try {
    return module.thisModule?.name || module.name || '';
  } catch {
    return '';
  }
}
