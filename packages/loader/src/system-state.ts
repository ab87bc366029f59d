/**
 * The kernel's module-related state beyond /sys/module: the taint mask, the command line, whether
 * loading is disabled or signatures enforced, the in-kernel decompressor. Each reader takes `{ root }`.
 */
import { type CmdlineModuleOptions, cmdlineModuleOptions } from '@kmodkit/params';
import { LoaderError } from './error.js';
import { type LoadedModule, readProcModules } from './proc-modules.js';
import { attributeValue, type RootOptions, readSystemFile, systemPath } from './system-files.js';
import { decodeTaint, type Taint } from './taint.js';

function required(path: string, options: RootOptions): string {
  const text = readSystemFile(path, options);
  if (text === undefined) {
    const full = systemPath(path, options);
    throw new LoaderError('ENOENT', `could not read ${full}: no such file`, { path: full });
  }
  return text;
}

function badFormat(path: string, options: RootOptions, text: string): never {
  const full = systemPath(path, options);
  throw new LoaderError('ESYSFORMAT', `${full}: unexpected contents ${JSON.stringify(text)}`, { path: full });
}

/** `/proc/sys/kernel/tainted`, decoded into the kernel's named flags. */
export function readTainted(options: RootOptions = {}): Taint {
  const path = '/proc/sys/kernel/tainted';
  const text = attributeValue(required(path, options));
  if (!/^\d+$/.test(text)) badFormat(path, options, text);
  return decodeTaint(BigInt(text));
}

/** `/proc/cmdline`, and the module options on it as modprobe collects them (@kmodkit/params). */
export interface Cmdline {
  /** The command line without its final newline. */
  readonly text: string;
  /** `mod.param=value` options and `modprobe.blacklist=` names (kmod_config_parse_kcmdline). */
  readonly modules: CmdlineModuleOptions;
}

export function readCmdline(options: RootOptions = {}): Cmdline {
  const text = attributeValue(required('/proc/cmdline', options));
  return { text, modules: cmdlineModuleOptions(text) };
}

/** `/proc/sys/kernel/modules_disabled`: once 1, no module loads or unloads until reboot (EPERM). */
export function readModulesDisabled(options: RootOptions = {}): boolean {
  const path = '/proc/sys/kernel/modules_disabled';
  const text = attributeValue(required(path, options));
  if (text !== '0' && text !== '1') badFormat(path, options, text);
  return text === '1';
}

/**
 * `module.sig_enforce` (/sys/module/module/parameters/sig_enforce): whether an unsigned or badly
 * signed module is refused. undefined when the kernel has no module signing (no such parameter).
 */
export function readSigEnforce(options: RootOptions = {}): boolean | undefined {
  const path = '/sys/module/module/parameters/sig_enforce';
  const text = readSystemFile(path, options);
  if (text === undefined) return undefined;
  const value = attributeValue(text);
  if (value !== 'Y' && value !== 'N') badFormat(path, options, value);
  return value === 'Y';
}

/** What the kernel decompresses itself with MODULE_INIT_COMPRESSED_FILE. */
export type KernelCompression = 'gzip' | 'xz' | 'zstd';

/**
 * `/sys/module/compression` (CONFIG_MODULE_DECOMPRESS, Linux 6.0 and later): the one format the
 * kernel decompresses; undefined when the file is absent (kmod 31: get_kernel_compression). Unknown
 * contents count as none, as kmod counts them.
 */
export function readKernelCompression(options: RootOptions = {}): KernelCompression | undefined {
  const text = readSystemFile('/sys/module/compression', options);
  const value = text === undefined ? undefined : attributeValue(text);
  return value === 'gzip' || value === 'xz' || value === 'zstd' ? value : undefined;
}

/** Everything above and /proc/modules, read at once. */
export interface SystemState {
  readonly modules: readonly LoadedModule[];
  readonly tainted: Taint;
  readonly cmdline: Cmdline;
  readonly modulesDisabled: boolean;
  readonly sigEnforce: boolean | undefined;
  readonly kernelCompression: KernelCompression | undefined;
}

export async function readSystemState(options: RootOptions = {}): Promise<SystemState> {
  return {
    modules: await readProcModules(options),
    tainted: readTainted(options),
    cmdline: readCmdline(options),
    modulesDisabled: readModulesDisabled(options),
    sigEnforce: readSigEnforce(options),
    kernelCompression: readKernelCompression(options),
  };
}
