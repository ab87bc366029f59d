import { SectionIndex, SymbolType } from './constants.js';
import type { ElfFile, RelocationTarget } from './elf-file.js';
import { ElfError } from './error.js';
import type { ModinfoEntry } from './modinfo.js';

/**
 * A module parameter decoded from `__param` (its `struct kernel_param`) and the relocations that
 * fill it in, joined with its `parm`/`parmtype` `.modinfo` entries.
 */
export interface ModuleParam {
  /**
   * The name the parameter is set by (`modprobe mod name=value`), as stored: the bare name, or with
   * the module's own MODULE_PARAM_PREFIX (mmc_block's `mmcblk.perdev_minors`).
   */
  readonly name: string;
  /**
   * From the ops: `param_ops_<t>` gives `<t>` ('byte', 'short', 'ushort', 'int', 'uint', 'long',
   * 'ulong', 'ullong', 'hexint', 'charp', 'bool', 'invbool', 'bint', 'bool_enable_only', 'string');
   * `param_array_ops` gives 'array'; ops defined in the module (module_param_cb) give 'custom'.
   */
  readonly type: string;
  /** The ops symbol's name, e.g. 'param_ops_int'; undefined if the relocation names no symbol. */
  readonly ops: string | undefined;
  /** Arrays: the element type, from `kparam_array.ops`, named like `type`. */
  readonly elementType?: string;
  /** Arrays: the element ops symbol's name, e.g. 'param_ops_int' (or the module's own). */
  readonly elementOps?: string;
  /** Arrays: `kparam_array.elemsize`. */
  readonly elementSize?: number;
  /** Arrays: `kparam_array.max` (element count); strings: `kparam_string.maxlen` (buffer bytes incl. NUL). */
  readonly maxLength?: number;
  /** The sysfs permission bits (`perm`), e.g. 0o644. */
  readonly perm: number;
  /** `level` (-1 for module_param; initcall level for core_param …). */
  readonly level: number;
  /** `flags` (KERNEL_PARAM_FL_UNSAFE = 1, KERNEL_PARAM_FL_HWPARAM = 2). */
  readonly flags: number;
  /** The `parm=name:description` text, if any. */
  readonly description?: string;
  /** The `parmtype=name:type` text, if any (e.g. 'array of int'). */
  readonly parmtype?: string;
}

/** `param_ops_int` → 'int', `param_array_ops` → 'array'; anything else → undefined. */
export function paramTypeOfOps(ops: string): string | undefined {
  if (ops === 'param_array_ops') return 'array';
  if (ops.startsWith('param_ops_') && ops.length > 10) return ops.slice(10);
  return undefined;
}

/** First `name:text` value per name of a `.modinfo` key (kernel/params.c: MODULE_PARM_DESC). */
function byParamName(entries: readonly ModinfoEntry[], key: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.key !== key) continue;
    const colon = e.value.indexOf(':');
    if (colon < 0) continue;
    const name = e.value.slice(0, colon);
    if (!out.has(name)) out.set(name, e.value.slice(colon + 1));
  }
  return out;
}

/**
 * Walks `__param`: an array of `struct kernel_param { const char *name; struct module *mod;
 * const struct kernel_param_ops *ops; const u16 perm; s8 level; u8 flags; union { void *arg;
 * const struct kparam_string *str; const struct kparam_array *arr; }; }` (include/linux/moduleparam.h)
 * — five words per entry, perm/level/flags packed into the fourth. The pointers are zero in a
 * `.ko`; their relocations (REL or RELA) name the string, the ops and the kparam_string/array.
 */
export function readParams(elf: ElfFile, modinfo: readonly ModinfoEntry[]): ModuleParam[] {
  const sec = elf.section('__param');
  if (!sec) return [];
  const w = elf.wordSize;
  const entrySize = 5 * w;
  const count = Math.floor(sec.data.length / entrySize);
  const r = elf.reader;
  const descriptions = byParamName(modinfo, 'parm');
  const parmtypes = byParamName(modinfo, 'parmtype');
  const out: ModuleParam[] = [];
  for (let k = 0; k < count; k++) {
    const base = k * entrySize;
    const at = sec.offset + base;
    const nameRel = pointee(elf, sec.index, base);
    if (nameRel?.kind !== 'section') {
      throw new ElfError('BAD_PARAM', `__param entry ${k} has no name relocation`, { offset: at });
    }
    const name = elf.stringAt(nameRel.sectionIndex, nameRel.offset, `name of parameter ${k}`);
    const ops = opsName(elf, pointee(elf, sec.index, base + 2 * w));
    let type = ops.type;
    const param: {
      -readonly [K in keyof ModuleParam]: ModuleParam[K];
    } = {
      name,
      type,
      ops: ops.name,
      perm: r.u16(at + 3 * w),
      level: r.i8(at + 3 * w + 2),
      flags: r.u8(at + 3 * w + 3),
    };
    const arg = pointee(elf, sec.index, base + 4 * w);
    if (type === 'string' && arg?.kind === 'section') {
      // struct kparam_string { unsigned int maxlen; char *string; }
      param.maxLength = u32At(elf, arg, 0, at);
    } else if (type === 'array' && arg?.kind === 'section') {
      // struct kparam_array { unsigned int max, elemsize; unsigned int *num; ops; void *elem; }
      param.maxLength = u32At(elf, arg, 0, at);
      param.elementSize = u32At(elf, arg, 4, at);
      const element = opsName(elf, pointee(elf, arg.sectionIndex, arg.offset + 8 + w));
      param.elementType = element.type;
      if (element.name !== undefined) param.elementOps = element.name;
    } else if (type === 'array' || type === 'string') {
      type = 'custom';
      param.type = type;
    }
    // MODULE_PARM_DESC/parmtype use the bare name; a MODULE_PARAM_PREFIX ("mmcblk.") is only in __param.
    const bare = descriptions.has(name) || parmtypes.has(name) ? name : name.slice(name.lastIndexOf('.') + 1);
    const description = descriptions.get(bare);
    if (description !== undefined) param.description = description;
    const parmtype = parmtypes.get(bare);
    if (parmtype !== undefined) param.parmtype = parmtype;
    out.push(param);
  }
  return out;
}

/** Where the pointer field at `offset` of section `index` points, via its relocation. */
function pointee(elf: ElfFile, index: number, offset: number): RelocationTarget | undefined {
  const rel = elf.relocationAt(index, offset);
  return rel ? elf.relocationTarget(rel) : undefined;
}

/** The ops symbol a `kernel_param_ops *` points at, and the type it means. */
function opsName(
  elf: ElfFile,
  target: RelocationTarget | undefined,
): { name: string | undefined; type: string } {
  if (!target) return { name: undefined, type: 'custom' };
  if (target.kind === 'undefined')
    return { name: target.name, type: paramTypeOfOps(target.name) ?? 'custom' };
  // Ops defined in the module itself: module_param_cb with its own kernel_param_ops.
  return { name: symbolNameAt(elf, target.sectionIndex, target.offset) ?? target.symbol, type: 'custom' };
}

/** The name of a data/function symbol defined exactly at `offset` of section `index`, if any. */
function symbolNameAt(elf: ElfFile, index: number, offset: number): string | undefined {
  const symtab = elf.symbols;
  if (!symtab) return undefined;
  for (let i = 1; i < symtab.count; i++) {
    if (symtab.sectionIndexOf(i) !== index) continue;
    const t = symtab.infoOf(i) & 0xf;
    if (t === SymbolType.STT_SECTION || t === SymbolType.STT_FILE) continue;
    const sym = symtab.get(i);
    if (sym.value === offset && sym.name !== '') return sym.name;
  }
  return undefined;
}

/** The u32 at `delta` past `target`; `at` is the __param entry whose argument it is, for errors. */
function u32At(
  elf: ElfFile,
  target: { sectionIndex: number; offset: number },
  delta: number,
  at: number,
): number {
  if (target.sectionIndex >= SectionIndex.SHN_LORESERVE) {
    throw new ElfError(
      'BAD_PARAM',
      `parameter data points at reserved section index ${target.sectionIndex}`,
      {
        offset: at,
      },
    );
  }
  const sec = elf.sectionAt(target.sectionIndex);
  const off = target.offset + delta;
  if (!(off >= 0 && off + 4 <= sec.data.length)) {
    throw new ElfError('BAD_PARAM', `parameter data at ${off} is outside section ${sec.name}`, {
      offset: sec.headerOffset,
    });
  }
  return elf.reader.u32(sec.offset + off);
}
