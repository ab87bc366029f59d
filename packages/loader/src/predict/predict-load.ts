import { isElfError, type KernelModule, Machine, readModule, SectionFlag } from '@kmodkit/elf';
import { elfFailure } from './elf-check.js';
import { Findings, taintString } from './findings.js';
import { checkParams } from './params-check.js';
import type { Prediction } from './prediction.js';
import { checkSignature } from './signature-check.js';
import {
  checkDuplicateExports,
  checkModstructVersion,
  checkSymbols,
  forceLoad,
  type SymbolContext,
} from './symbols-check.js';
import type { LoadTarget } from './target.js';
import { sameMagic } from './vermagic.js';

/** include/linux/license.h license_is_gpl_compatible */
const GPL_COMPATIBLE = new Set([
  'GPL',
  'GPL v2',
  'GPL and additional rights',
  'Dual BSD/GPL',
  'Dual MIT/GPL',
  'Dual MPL/GPL',
]);

const ELFMAG = [0x7f, 0x45, 0x4c, 0x46];

/** include/uapi/linux/module.h: finit_module(2) flags. */
export const MODULE_INIT_IGNORE_MODVERSIONS = 1;
export const MODULE_INIT_IGNORE_VERMAGIC = 2;
export const MODULE_INIT_COMPRESSED_FILE = 4;

export interface PredictOptions {
  /**
   * finit_module(2) flags: MODULE_INIT_IGNORE_MODVERSIONS and MODULE_INIT_IGNORE_VERMAGIC (both are
   * `modprobe --force`; the signature is then not checked, the module counts as unsigned).
   * MODULE_INIT_COMPRESSED_FILE changes nothing here: the bytes are read decompressed either way.
   */
  readonly flags?: number;
}
const EM_32BIT = new Set<number>([Machine.EM_386, Machine.EM_ARM, Machine.EM_MIPS, Machine.EM_PPC]);

/**
 * Will `module` load into `target` with these parameters (`init_module`'s third argument), and if not,
 * which errno and why? The checks of Linux 6.1's `finit_module` → `load_module`
 * (kernel/module/main.c), in its order: may_init_module, module_sig_check, elf_validity_check,
 * setup_load_info, the blacklist, check_modstruct_version, check_modinfo, module_enforce_rwx_sections,
 * add_unformed_module, check_module_license_and_versions, simplify_symbols, verify_exported_symbols and
 * parse_args. The first failing step decides; within simplify_symbols and parse_args every item is
 * checked and, as in the kernel, the errno is that of the last failing one while `reason` is the first
 * line the kernel logs. The module's own init function, run last, cannot be predicted.
 *
 * `module` may be the raw file bytes (decompressed as kmod would); a file that is not even ELF then gets
 * the kernel's answer too. Never throws for bad input.
 */
export function predictLoad(
  module: KernelModule | Uint8Array,
  params: string,
  target: LoadTarget,
  options: PredictOptions = {},
): Prediction {
  const f = new Findings();
  try {
    run(module, params, target, options.flags ?? 0, f);
  } catch (e) {
    // A part the kernel would read later is unreadable here: the outcome cannot be told.
    if (!isElfError(e)) throw e;
    return {
      willLoad: false,
      errno: null,
      reason: `cannot predict: ${e.message}`,
      logged: false,
      findings: [...f.list, { check: 'elf', status: 'unknown', message: e.message }],
      taints: taintString(f.taints),
    };
  }
  return conclude(f);
}

function conclude(f: Findings): Prediction {
  const taints = taintString(f.taints);
  const first = f.failed;
  if (!first) {
    const unknown = f.list.filter((x) => x.status === 'unknown').length;
    const tainted = taints === '' ? '' : `, tainting the kernel (${taints})`;
    const caveat = unknown === 0 ? '' : ` (${unknown} checks could not be made: see findings)`;
    const reason = `the module loads${tainted}${caveat}`;
    return { willLoad: true, errno: null, reason, logged: false, findings: f.list, taints };
  }
  // Steps that go on after a failure (simplify_symbols, parse_args) return their last error.
  const sameStep = f.list.filter((x) => x.status === 'fail' && x.check === first.check);
  const errno = sameStep[sameStep.length - 1]!.errno!;
  return {
    willLoad: false,
    errno,
    reason: first.message,
    logged: first.logged !== false,
    findings: f.list,
    taints,
  };
}

function run(
  input: KernelModule | Uint8Array,
  params: string,
  target: LoadTarget,
  flags: number,
  f: Findings,
): void {
  // may_init_module
  const silent = { silent: true };
  if (target.capSysModule === false) {
    f.fail('permission', 'EPERM', 'the caller lacks CAP_SYS_MODULE', silent);
    return;
  }
  if (target.modulesDisabled === true) {
    f.fail(
      'permission',
      'EPERM',
      'module loading is disabled (/proc/sys/kernel/modules_disabled is 1)',
      silent,
    );
    return;
  }
  if (target.capSysModule === undefined || target.modulesDisabled === undefined) {
    f.unknown('permission', 'CAP_SYS_MODULE and modules_disabled are not known');
  } else f.ok('permission', 'CAP_SYS_MODULE, and module loading is enabled');

  // finit_module refuses flags it does not know.
  if (flags & ~(MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC | MODULE_INIT_COMPRESSED_FILE)) {
    f.fail('permission', 'EINVAL', `finit_module flags 0x${flags.toString(16)} include unknown ones`, silent);
    return;
  }

  let module: KernelModule | undefined;
  let bytes: Uint8Array;
  let readError: unknown;
  if (input instanceof Uint8Array) {
    bytes = input;
    try {
      module = readModule(input);
      bytes = module.bytes;
    } catch (e) {
      readError = e;
    }
  } else {
    module = input;
    bytes = input.bytes;
  }
  if (bytes.length === 0) {
    f.fail('elf', 'EINVAL', 'finit_module refuses an empty file (kernel_read_file)', silent);
    return;
  }

  // A module whose versions are to be ignored is no longer the one that was signed.
  const mangled = (flags & (MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC)) !== 0;
  const sig = checkSignature(bytes, target, f, mangled);
  if (f.failed) return;

  // elf_validity_check: the first two checks, which need no ELF reader.
  const ehdrSize = target.machine !== undefined && EM_32BIT.has(target.machine) ? 52 : 64;
  if (sig.length < ehdrSize) {
    f.fail('elf', 'ENOEXEC', `Invalid ELF header len ${sig.length}`);
    return;
  }
  if (!ELFMAG.every((b, i) => bytes[i] === b)) {
    // ELFMAG's first byte is 0x7f, which the log shows escaped.
    f.fail('elf', 'ENOEXEC', 'Invalid ELF header magic: != \\x7fELF');
    return;
  }
  if (!module) {
    const message = isElfError(readError) ? readError.message : String(readError);
    f.fail('elf', isElfError(readError) ? readError.errno : 'ENOEXEC', message);
    return;
  }
  const problems = module.validate({
    length: sig.length,
    ...(target.machine === undefined ? {} : { machine: target.machine }),
  });
  // setup_load_info: info->name from .modinfo, else struct module's.
  const broken = elfFailure(module, problems, () => readName(module));
  if (broken) {
    f.fail('elf', broken.errno, broken.message, { detail: broken.detail });
    return;
  }
  const infoName = readName(module);
  f.ok('elf', 'the ELF image and its sections are sound');
  for (const p of problems) {
    if (p.code.startsWith('SIGNATURE_') || p.code === 'NO_VERMAGIC') continue;
    if (p.code === 'WRITABLE_EXEC_SECTION' || p.code === 'COMMON_SYMBOL') continue;
    f.unknown('elf', `kmodkit cannot read part of the module: ${p.message}`);
  }

  // blacklisted()
  if (target.blacklist === undefined)
    f.unknown('blacklist', 'module_blacklist= on the kernel command line is not known');
  else if (target.blacklist.includes(infoName)) {
    f.fail('blacklist', 'EPERM', `Module ${infoName} is blacklisted`);
    return;
  } else f.ok('blacklist', `${infoName} is not in module_blacklist=`);

  const name = module.thisModule?.name || infoName;
  let versions: Map<string, bigint> | null = null;
  // setup_load_info: MODULE_INIT_IGNORE_MODVERSIONS pretends there is no __versions.
  if (module.section('__versions') && !(flags & MODULE_INIT_IGNORE_MODVERSIONS)) {
    versions = new Map();
    for (const v of module.versions) if (!versions.has(v.name)) versions.set(v.name, v.crc);
  }
  const license = module.license ?? 'unspecified';
  const proprietary = !GPL_COMPATIBLE.has(license) || name === 'driverloader' || name === 'lve';
  const ctx: SymbolContext = { module, name, target, versions, proprietary, f };

  checkModstructVersion(ctx);
  if (f.failed) return;

  checkModinfo(ctx, versions !== null, (flags & MODULE_INIT_IGNORE_VERMAGIC) !== 0);
  if (f.failed) return;

  // module_enforce_rwx_sections
  const wx = SectionFlag.SHF_WRITE | SectionFlag.SHF_EXECINSTR;
  const bad = module.sections.find((sec) => (sec.flags & wx) === wx);
  if (bad) {
    f.fail(
      'layout',
      'ENOEXEC',
      `${name}: section ${bad.name} (index ${bad.index}) has invalid WRITE|EXEC flags`,
    );
    return;
  }

  // add_unformed_module
  if (target.loaded === undefined) f.unknown('loaded', `whether ${name} is already loaded is not known`);
  else if (target.loaded.has(name)) {
    f.fail('loaded', 'EEXIST', `module ${name} is already loaded`, silent);
    return;
  } else f.ok('loaded', `${name} is not loaded yet`);
  if (sig.sigOk === false) {
    f.warn(
      'signature',
      `${name}: module verification failed: signature and/or required key missing - tainting kernel`,
      'E',
    );
  }

  // check_module_license_and_versions
  if (name === 'ndiswrapper' || name === 'driverloader' || name === 'lve') {
    f.warn('license', `${name}: module license taints kernel.`, 'P');
  }
  if (target.modversions !== false && module.exports.some((e) => e.crc === undefined)) {
    if (target.modversions === undefined)
      f.unknown('exports', 'exports without CRCs are refused by a modversions kernel unless forced');
    else if (!forceLoad(ctx, 'no versions for exported symbols', 'exports', 'ENOEXEC')) return;
  }

  checkSymbols(ctx);
  if (f.failed) return;
  checkDuplicateExports(ctx);
  if (f.failed) return;
  checkParams(module, name, params, target, f);
  if (f.failed) return;
  if (module.thisModule?.hasInit)
    f.unknown('init', `${name}'s init function runs last; only the kernel can tell what it returns`);
}

function readName(module: KernelModule): string {
  try {
    return module.name ?? '(missing .modinfo section or name field)';
  } catch {
    return '(missing .modinfo section or name field)';
  }
}

/** kernel/module/main.c check_modinfo */
function checkModinfo(ctx: SymbolContext, hasCrcs: boolean, ignoreVermagic: boolean): void {
  const { module, name, target, f } = ctx;
  const modmagic = ignoreVermagic ? undefined : module.vermagic;
  if (modmagic === undefined) {
    if (!forceLoad(ctx, 'bad vermagic', 'vermagic', 'ENOEXEC')) return;
  } else if (target.vermagic === undefined) {
    f.unknown('vermagic', `the kernel's vermagic is not known (the module's is '${modmagic}')`);
  } else if (!sameMagic(modmagic, target.vermagic, hasCrcs)) {
    f.fail('vermagic', 'ENOEXEC', `${name}: version magic '${modmagic}' should be '${target.vermagic}'`);
    return;
  } else {
    f.ok(
      'vermagic',
      hasCrcs ? `'${modmagic}' matches after the release (the module has CRCs)` : `'${modmagic}' matches`,
    );
  }
  if (module.info('intree') === undefined)
    f.warn('modinfo', `${name}: loading out-of-tree module taints kernel.`, 'O');
  // check_modinfo_retpoline: only a kernel running the retpoline mitigation complains.
  if (
    module.info('retpoline') === undefined &&
    (module.machine === Machine.EM_X86_64 || module.machine === Machine.EM_386)
  ) {
    f.unknown(
      'modinfo',
      `${name}: loading module not compiled with retpoline compiler. (logged if the kernel uses retpolines)`,
    );
  }
  if (module.info('staging') !== undefined) {
    f.warn(
      'modinfo',
      `${name}: module is from the staging directory, the quality is unknown, you have been warned.`,
      'C',
    );
  }
  if (module.info('livepatch') !== undefined)
    f.warn('modinfo', `${name}: tainting kernel with TAINT_LIVEPATCH`, 'K');
  const license = module.license ?? 'unspecified';
  if (!GPL_COMPATIBLE.has(license))
    f.warn('license', `${name}: module license '${license}' taints kernel.`, 'P');
  else f.ok('license', `license '${license}' is GPL-compatible`);
  if (module.info('test') !== undefined)
    f.warn('modinfo', `${name}: loading test module taints kernel.`, 'T');
}
