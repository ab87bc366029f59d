import { readFile, readlink } from 'node:fs/promises';
import { release as osRelease } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { readModule } from '@kmodkit/elf';
import { parseArgs } from '@kmodkit/params';
import { LoaderError } from './error.js';
import { parseKallsyms } from './predict/kallsyms.js';
import { moduleNameOfPath, parseModuleSymvers } from './predict/module-symvers.js';
import { type PredictOptions, predictLoad } from './predict/predict-load.js';
import type { Prediction } from './predict/prediction.js';
import type { KernelSymbol, LoadTarget, Lockdown } from './predict/target.js';
import { parseVermagic } from './predict/vermagic.js';
import { parseProcModules } from './proc-modules.js';

export interface ReadLoadTargetOptions {
  /** Read every file under this directory instead of `/` (kmod's `-b`). */
  readonly root?: string;
  /** The kernel release (kmod's `-k`); default: the running kernel's (`uname -r`). */
  readonly release?: string;
  /**
   * Read the running system's state too: /proc/modules, /proc/kallsyms, /proc/cmdline,
   * modules_disabled, sig_enforce, lockdown, the capabilities. Default: when neither `root` nor another
   * `release` is given.
   */
  readonly live?: boolean;
  /**
   * Module.symvers files to read instead of the kernel's own, e.g. the kernel's and an out-of-tree
   * module's (KBUILD_EXTRA_SYMBOLS); a later file's entry replaces an earlier one's.
   */
  readonly symvers?: readonly string[];
  /** The kernel's module tree; default `root/lib/modules/RELEASE`. */
  readonly moduleDir?: string;
  /** A System.map to take the kernel's exports from when there is no Module.symvers. */
  readonly systemMap?: string;
}

/** A LoadTarget as read from a system, with the files it came from. */
export interface ReadTarget extends LoadTarget {
  /** Every file that gave something, in reading order. */
  readonly sources: readonly string[];
}

async function text(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A symlink under `root` whose target is absolute points into `root` too (kmod -b semantics). */
async function underRoot(root: string, path: string): Promise<string> {
  try {
    const target = await readlink(path);
    return isAbsolute(target) ? join(root, target) : join(path, '..', target);
  } catch {
    return path;
  }
}

/** Kconfig text → the options set to y or a string (`CONFIG_X=y` → X: 'y'). */
function parseConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^CONFIG_(\w+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/**
 * The kernel a module would be loaded into, read from a system: `root/lib/modules/RELEASE` (the
 * vermagic and e_machine of the first module in modules.dep or modules.order — every in-tree module
 * carries the kernel's VERMAGIC_STRING, which is not in any file of the headers), the kernel's Module.symvers (`lib/modules/RELEASE/build/`, else
 * `usr/src/linux-headers-RELEASE/`), the config (`boot/config-RELEASE`, else `build/.config`), and, for
 * the running kernel, /proc and /sys. Missing files leave their fields unknown; nothing here throws for
 * them. A Module.symvers or kallsyms that is there but malformed throws its LoaderError.
 */
export async function readLoadTarget(options: ReadLoadTargetOptions = {}): Promise<ReadTarget> {
  const root = options.root ?? '/';
  const live =
    options.live ??
    (options.root === undefined && (options.release === undefined || options.release === osRelease()));
  const sources: string[] = [];
  const read = async (path: string): Promise<string | undefined> => {
    const t = await text(path);
    if (t !== undefined) sources.push(path);
    return t;
  };
  const release =
    options.release ??
    (live ? ((await read(join(root, 'proc/sys/kernel/osrelease')))?.trim() ?? osRelease()) : osRelease());
  const moddir = options.moduleDir ?? join(root, 'lib/modules', release);
  // The kernel's build tree: lib/modules/RELEASE/build (a symlink into usr/src on Debian), else the
  // headers package's directory.
  let build = await underRoot(root, join(moddir, 'build'));
  if ((await text(join(build, 'Makefile'))) === undefined)
    build = join(root, 'usr/src', `linux-headers-${release}`);

  const target: { -readonly [K in keyof ReadTarget]: ReadTarget[K] } = { release, sources };

  // The kernel's vermagic, from an in-tree module of its tree.
  // modules.dep (depmod) or modules.order (kbuild, shipped in the package): the first module listed.
  const dep = await read(join(moddir, 'modules.dep'));
  const list =
    dep?.split('\n').map((l) => l.split(':')[0]!) ?? (await read(join(moddir, 'modules.order')))?.split('\n');
  const inTree = new Set(
    (list ?? []).filter((l) => l !== '').map((l) => moduleNameOfPath(l.replace(/\.ko(\.\w+)?$/, ''))),
  );
  const first = list?.[0];
  if (first) {
    const base = isAbsolute(first) ? join(root, first) : join(moddir, first);
    // modules.order names `x.ko`; the installed file may be compressed.
    for (const path of [base, `${base}.xz`, `${base}.zst`, `${base}.gz`]) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch {
        continue;
      }
      try {
        const m = readModule(bytes);
        sources.push(path);
        if (m.vermagic !== undefined) {
          target.vermagic = m.vermagic;
          target.modversions = parseVermagic(m.vermagic).modversions;
        }
        target.machine = m.machine;
      } catch {
        // an unreadable first module leaves the vermagic unknown
      }
      break;
    }
  }

  const config =
    (await read(join(root, 'boot', `config-${release}`))) ?? (await read(join(build, '.config')));
  if (config !== undefined) {
    const c = parseConfig(config);
    target.modversions ??= c.get('MODVERSIONS') === 'y';
    target.forceLoad = c.get('MODULE_FORCE_LOAD') === 'y';
    target.allowMissingNamespaceImports = c.get('MODULE_ALLOW_MISSING_NAMESPACE_IMPORTS') === 'y';
    target.moduleSig = c.get('MODULE_SIG') === 'y';
    if (!live) target.sigEnforce = c.get('MODULE_SIG_FORCE') === 'y';
    if (!c.has('SECURITY_LOCKDOWN_LSM')) target.lockdown = 'none';
    else if (c.has('LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY')) target.lockdown = 'confidentiality';
    else if (c.has('LOCK_DOWN_KERNEL_FORCE_INTEGRITY')) target.lockdown = 'integrity';
  }

  const symbols = new Map<string, KernelSymbol>();
  for (const path of options.symvers ?? [join(build, 'Module.symvers')]) {
    const t = await read(path);
    if (t === undefined) {
      if (options.symvers) throw new LoaderError('ENOENT', `cannot read ${path}`, { path });
      continue;
    }
    for (const [name, sym] of parseModuleSymvers(t)) symbols.set(name, sym);
  }
  if (symbols.size === 0) {
    const mapPath = options.systemMap ?? join(root, 'boot', `System.map-${release}`);
    const map = await read(mapPath);
    // Debian ships a one-line placeholder ("The real System.map is in the linux-image-…-dbg package").
    if (map !== undefined && map.split('\n').length > 2) {
      for (const [name, sym] of parseKallsyms(map)) symbols.set(name, sym);
    }
  }

  if (live) await readLive(root, target, symbols, inTree, read);
  if (symbols.size > 0) target.symbols = symbols;
  return target;
}

async function readLive(
  root: string,
  target: { -readonly [K in keyof ReadTarget]: ReadTarget[K] },
  symbols: Map<string, KernelSymbol>,
  inTree: ReadonlySet<string>,
  read: (path: string) => Promise<string | undefined>,
): Promise<void> {
  const modules = await read(join(root, 'proc/modules'));
  if (modules !== undefined) {
    const list = parseProcModules(modules);
    target.loaded = new Set(list.map((m) => m.name));
    target.taints = new Map(list.map((m) => [m.name, m.taints]));
  }
  // Exports of loaded modules that no Module.symvers names (out-of-tree ones), from /proc/kallsyms:
  // names only. That file is large; it is read only when a loaded module is neither in the kernel's
  // tree (whose exports its Module.symvers has) nor named by a Module.symvers, or nothing names the
  // kernel's exports.
  const owners = new Set([...symbols.values()].map((sym) => sym.module));
  const unnamed = [...(target.loaded ?? [])].some((m) => !owners.has(m) && !inTree.has(m));
  if (symbols.size === 0 || unnamed) {
    const kallsyms = await read(join(root, 'proc/kallsyms'));
    if (kallsyms !== undefined) {
      const haveKernel = symbols.size > 0;
      for (const [name, sym] of parseKallsyms(kallsyms)) {
        if (symbols.has(name) || (haveKernel && sym.module === 'vmlinux')) continue;
        symbols.set(name, sym);
      }
    }
  }
  const disabled = await read(join(root, 'proc/sys/kernel/modules_disabled'));
  if (disabled !== undefined) target.modulesDisabled = disabled.trim() === '1';
  const enforce = await read(join(root, 'sys/module/module/parameters/sig_enforce'));
  if (enforce !== undefined) target.sigEnforce = enforce.trim() === 'Y';
  else if (target.moduleSig === false) target.sigEnforce = false;
  const cmdline = (await read(join(root, 'proc/cmdline'))) ?? '';
  // core_param(module_blacklist, …, charp): the last one given wins.
  const args = parseArgs(cmdline).args;
  const blacklist = args.filter((a) => a.name === 'module_blacklist').pop();
  target.blacklist = blacklist?.value ? blacklist.value.split(',').filter((n) => n !== '') : [];
  const lockdown = await read(join(root, 'sys/kernel/security/lockdown'));
  const level = lockdown && /\[(none|integrity|confidentiality)\]/.exec(lockdown)?.[1];
  const fromCmdline = args.filter((a) => a.name === 'lockdown').pop()?.value;
  if (level) target.lockdown = level as Lockdown;
  else if (fromCmdline === 'integrity' || fromCmdline === 'confidentiality') target.lockdown = fromCmdline;
  else if (
    target.lockdown === undefined &&
    (await text(join(root, 'sys/firmware/efi/systab'))) === undefined
  ) {
    // Without securityfs to ask and without EFI (so no secure-boot lockdown), only lockdown= sets it.
    target.lockdown = 'none';
  }
  const status = await read(join(root, 'proc/self/status'));
  const capEff = status && /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  // include/uapi/linux/capability.h: CAP_SYS_MODULE is 16.
  if (capEff) target.capSysModule = (BigInt(`0x${capEff}`) & (1n << 16n)) !== 0n;
}

/** A module file checked against a system: what `kmodkit check` prints. */
export interface ModuleCheck {
  readonly path: string;
  readonly prediction: Prediction;
  readonly target: ReadTarget;
}

/**
 * Reads the module file at `path` and predicts its load, with `params` (and finit_module `flags` in
 * `predict`), into the kernel `readLoadTarget(options)` describes.
 *
 * @throws LoaderError with the system's code (`ENOENT`, `EISDIR`, `EACCES` …) when the file cannot be read.
 */
export async function checkModule(
  path: string,
  params: string,
  options: ReadLoadTargetOptions = {},
  predict: PredictOptions = {},
): Promise<ModuleCheck> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new LoaderError(code, `cannot read ${path}: ${(e as Error).message}`, { path, cause: e });
  }
  const target = await readLoadTarget(options);
  return { path, prediction: predictLoad(bytes, params, target, predict), target };
}
