import { type KernelModule, Machine, SectionIndex, SymbolBind } from '@kmodkit/elf';
import type { Findings } from './findings.js';
import type { KernelSymbol, LoadTarget } from './target.js';

/** What resolving symbols needs to know about the module being loaded. */
export interface SymbolContext {
  readonly module: KernelModule;
  /** mod->name, as the kernel prints it from layout_and_allocate on. */
  readonly name: string;
  readonly target: LoadTarget;
  /** `__versions` by symbol name (first entry wins, as check_version's loop); null when there is none. */
  readonly versions: ReadonlyMap<string, bigint> | null;
  /** TAINT_PROPRIETARY_MODULE set on the module by its license: no GPL-only symbols. */
  readonly proprietary: boolean;
  readonly f: Findings;
}

/**
 * kernel/module/version.c check_version for one symbol: true when the load goes on. `crc` is the
 * exporter's CRC; a kernel without modversions has none, and that is fine.
 */
export function checkVersion(
  ctx: SymbolContext,
  symbol: string,
  exporter: KernelSymbol | undefined,
  check: string,
  errno: string,
): boolean {
  const { target, f, name } = ctx;
  if (target.modversions === false) return true;
  if (exporter?.crc === undefined) {
    if (target.modversions === undefined || exporter === undefined) {
      f.unknown(check, `${symbol}: whether the kernel has a CRC for it is not known`);
    } else {
      f.unknown(check, `${symbol}: the CRC the kernel has for it is not known`);
    }
    return true;
  }
  if (ctx.versions === null) {
    // "No versions at all? modprobe --force does this."
    return forceLoad(ctx, symbol, check, errno);
  }
  const crc = ctx.versions.get(symbol);
  if (crc === undefined) {
    f.fail(check, errno, `${name}: no symbol version for ${symbol}`);
    return false;
  }
  // versions[i].crc is an unsigned long compared with the exporter's u32.
  if (crc !== BigInt(exporter.crc >>> 0)) {
    f.fail(check, errno, `${name}: disagrees about version of symbol ${symbol}`);
    return false;
  }
  return true;
}

/** kernel/module/main.c try_to_force_load: true when CONFIG_MODULE_FORCE_LOAD lets the load go on (taint F). */
export function forceLoad(
  ctx: Pick<SymbolContext, 'f' | 'name' | 'target'>,
  reason: string,
  check: string,
  errno: string,
): boolean {
  const { f, name, target } = ctx;
  if (target.forceLoad === true) {
    f.warn(check, `${name}: ${reason}: kernel tainted.`, 'F');
    return true;
  }
  if (target.forceLoad === undefined) {
    f.unknown(check, `${name}: ${reason}: loads (tainted F) only if the kernel has CONFIG_MODULE_FORCE_LOAD`);
    return true;
  }
  f.fail(check, errno, `${name}: ${reason}: refused without CONFIG_MODULE_FORCE_LOAD`, { silent: true });
  return false;
}

/** kernel/module/version.c check_modstruct_version: `module_layout` against the kernel's CRC (ENOEXEC). */
export function checkModstructVersion(ctx: SymbolContext): void {
  const check = 'modversions';
  const before = ctx.f.list.length;
  const layout = ctx.target.symbols?.get('module_layout');
  // load_module turns check_version's refusal into ENOEXEC.
  const ok = checkVersion(ctx, 'module_layout', layout, check, 'ENOEXEC');
  if (ok && ctx.f.list.length === before) ctx.f.ok(check, 'module_layout matches the kernel');
}

/** kernel/module/main.c ignore_undef_symbol */
function ignoredUndefined(machine: number, name: string): boolean {
  return (machine === Machine.EM_386 || machine === Machine.EM_X86_64) && name === '_GLOBAL_OFFSET_TABLE_';
}

/** The exporter find_symbol finds: vmlinux first, then a loaded module (gplok: GPL-only allowed). */
function findSymbol(ctx: SymbolContext, symbol: string, gplok: boolean): { sym: KernelSymbol } | null {
  const sym = ctx.target.symbols?.get(symbol);
  if (!sym) return null;
  if (!gplok && sym.gplOnly === true) return null;
  const loaded = ctx.target.loaded;
  if (sym.module !== 'vmlinux' && loaded !== undefined && !loaded.has(sym.module)) return null;
  return { sym };
}

/**
 * kernel/module/main.c simplify_symbols with resolve_symbol for each undefined symbol: every symbol is
 * looked at, each failure logged; the load fails with the error of the last one.
 */
export function checkSymbols(ctx: SymbolContext): void {
  const check = 'symbols';
  const { module, f, name, target } = ctx;
  const symtab = module.elf.symbols;
  if (!symtab) return;
  const shnum = module.header.shnum;
  const needs = new Set<string>();
  let usingGplOnly = false;
  let resolved = 0;
  const before = f.list.length;
  const unknownSymbols: string[] = [];
  for (let i = 1; i < symtab.count; i++) {
    const shndx = symtab.sectionIndexOf(i);
    const symbol = symtab.nameOf(i);
    if (shndx === SectionIndex.SHN_COMMON) {
      if (!symbol.startsWith('__gnu_lto'))
        f.fail(check, 'ENOEXEC', `${name}: please compile with -fno-common`);
      continue;
    }
    if (shndx === SectionIndex.SHN_ABS || shndx === SectionIndex.SHN_LIVEPATCH) continue;
    if (shndx !== SectionIndex.SHN_UNDEF) {
      if (shndx >= shnum) {
        f.fail(
          check,
          'ENOEXEC',
          `${name}: Symbol ${symbol} has an invalid section index ${shndx} (max ${shnum - 1})`,
        );
      }
      continue;
    }
    const weak = symtab.infoOf(i) >> 4 === SymbolBind.STB_WEAK;
    if (target.symbols === undefined) {
      unknownSymbols.push(symbol);
      continue;
    }
    let err: string | null = null;
    const found = findSymbol(ctx, symbol, !ctx.proprietary);
    if (found) {
      const owner = found.sym.module;
      if (found.sym.gplOnly) usingGplOnly = true;
      // inherit_taint: a proprietary exporter (P) with a module already using GPL-only symbols.
      const ownerTaints = owner === 'vmlinux' ? '' : (target.taints?.get(owner) ?? '');
      if (ownerTaints.includes('P')) {
        if (usingGplOnly) {
          f.warn(
            check,
            `${name}: module using GPL-only symbols uses symbols ${symbol} from proprietary module ${owner}.`,
          );
          err = 'ENOENT';
        } else if (!ctx.proprietary) {
          f.warn(
            check,
            `${name}: module uses symbols ${symbol} from proprietary module ${owner}, inheriting taint.`,
            'P',
          );
        }
      }
      if (err === null && !checkVersion(ctx, symbol, found.sym, check, 'EINVAL')) err = 'EINVAL';
      if (err === null && found.sym.namespace) {
        const ns = found.sym.namespace;
        if (!module.importNs.includes(ns)) {
          const message = `${name}: module uses symbol (${symbol}) from namespace ${ns}, but does not import it.`;
          if (target.allowMissingNamespaceImports) f.warn(check, message);
          else {
            f.fail(check, 'EINVAL', message);
            err = 'EINVAL';
          }
        }
      }
      if (err === null) {
        resolved++;
        if (owner !== 'vmlinux') needs.add(owner);
        continue;
      }
      if (err === 'EINVAL') {
        // the refusal itself was logged by check_version / verify_namespace_is_imported
        f.fail(check, 'EINVAL', `${name}: Unknown symbol ${symbol} (err -22)`);
        continue;
      }
    }
    if (weak || ignoredUndefined(module.machine, symbol)) continue;
    const exporter = target.symbols.get(symbol);
    let hint = '';
    if (exporter && exporter.module !== 'vmlinux' && target.loaded && !target.loaded.has(exporter.module)) {
      hint = `exported by ${exporter.module}, which is not loaded`;
    } else if (exporter?.gplOnly && ctx.proprietary) {
      hint = 'a GPL-only symbol, and the module is not GPL-compatible';
    }
    f.fail(check, 'ENOENT', `${name}: Unknown symbol ${symbol} (err -2)`, hint ? { detail: hint } : {});
  }
  if (unknownSymbols.length > 0) {
    f.unknown(check, `${unknownSymbols.length} undefined symbols; the kernel's exports are not known`);
  }
  if (f.list.slice(before).every((x) => x.status !== 'fail') && target.symbols !== undefined) {
    const via =
      needs.size === 0 ? '' : `; needs ${[...needs].join(', ')}${target.loaded ? '' : ' (loaded first)'}`;
    f.ok(check, `${resolved} symbols resolved${via}`);
  }
}

/** kernel/module/main.c verify_exported_symbols: an export the kernel or a loaded module has already (ENOEXEC). */
export function checkDuplicateExports(ctx: SymbolContext): void {
  const check = 'duplicates';
  const { module, f, name, target } = ctx;
  if (target.symbols === undefined) {
    if (module.exports.length > 0) f.unknown(check, "the kernel's exports are not known");
    return;
  }
  for (const e of module.exports) {
    const sym = target.symbols.get(e.name);
    // A module's export counts only when that module is known to be loaded.
    const owner =
      sym?.module === 'vmlinux' ? 'kernel' : target.loaded?.has(sym?.module ?? '') ? sym?.module : undefined;
    if (owner !== undefined && sym?.module !== name) {
      f.fail(check, 'ENOEXEC', `${name}: exports duplicate symbol ${e.name} (owned by ${owner})`);
      return;
    }
  }
  f.ok(check, `${module.exports.length} exports, none already exported`);
}
