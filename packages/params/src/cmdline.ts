import { expectString } from './errors.js';
import { type Arg, paramEqual, parseArgs } from './tokenizer.js';
import { utf8Decode, utf8Encode } from './utf8.js';

/** Options for one module found on the kernel command line, as modprobe collects them. */
export interface CmdlineModuleOption {
  /** The module name, dashes turned into underscores (kmod: underscores()). */
  module: string;
  /** The option text as modprobe passes it on, e.g. `p="a b"` (quotes kept, for the kernel to strip). */
  options: string;
}

export interface CmdlineModuleOptions {
  options: CmdlineModuleOption[];
  /** Modules listed in `modprobe.blacklist=a,b`. */
  blacklist: string[];
}

// kmod: libkmod/libkmod-config.c: KCMD_LINE_SIZE; read_str_safe() keeps one byte for the NUL.
const KCMD_LINE_MAX = 4095;

enum State {
  Ignore,
  Modname,
  Param,
  Value,
  Complete,
}

/** kmod: shared/util.c: underscores() — '-' becomes '_' outside `[...]`; null for an unbalanced bracket. */
export function underscores(name: string): string | null {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === '-') out += '_';
    else if (c === ']') return null;
    else if (c === '[') {
      const close = name.indexOf(']', i);
      if (close < 0) return null;
      out += name.slice(i, close + 1);
      i = close;
    } else out += c;
  }
  return out;
}

function cStringAt(buf: Uint8Array, start: number): string {
  let end = start;
  while (end < buf.length && buf[end] !== 0) end++;
  return utf8Decode(buf, start, end);
}

/**
 * Collect `module.param=value` options from a full kernel command line (`/proc/cmdline`) exactly as
 * modprobe does (kmod 30: libkmod/libkmod-config.c: kmod_config_parse_kcmdline). kmod's tokenizer is its
 * own, not the kernel's: whitespace is ASCII only, a quoted run may only hold spaces inside the value, and
 * a bootloader's `"mod.p=a b"` is re-quoted as `p="a b"`.
 */
export function cmdlineModuleOptions(cmdline: string): CmdlineModuleOptions {
  expectString(cmdline, 'the command line');
  const encoded = utf8Encode(cmdline);
  // A NUL-terminated copy, as read_str_safe leaves it.
  const buf = new Uint8Array(Math.min(encoded.length, KCMD_LINE_MAX) + 1);
  buf.set(encoded.subarray(0, buf.length - 1));
  const result: CmdlineModuleOptions = { options: [], blacklist: [] };
  let state = State.Modname;
  let quoteStart = -1;
  let modname = 0;
  let param = -1;
  let value = -1;
  let quoted = false;
  let more = true;
  for (let p = 0; more; p++) {
    const c = buf[p]!;
    switch (c) {
      case 0x22: // '"'
        quoted = !quoted;
        // Only a quote opening the module name is allowed outside the value.
        if (quoted && state === State.Modname && p === modname) {
          quoteStart = p;
          modname = p + 1;
        } else if (state !== State.Value) state = State.Ignore;
        break;
      case 0:
      case 0x20:
      case 0x0a:
      case 0x09:
      case 0x0b:
      case 0x0c:
      case 0x0d:
        if (c === 0) more = false;
        if (quoted && state === State.Value) {
          // a space inside a quoted value
        } else if (quoted) state = State.Ignore;
        else if (state === State.Value || state === State.Param) {
          buf[p] = 0;
          state = State.Complete;
        } else {
          modname = p + 1;
          state = State.Modname;
          quoteStart = -1;
        }
        break;
      case 0x2e: // '.'
        if (state === State.Modname) {
          buf[p] = 0;
          param = p + 1;
          state = State.Param;
        } else if (state === State.Param) state = State.Ignore;
        break;
      case 0x3d: // '='
        if (state === State.Param) {
          value = p + 1;
          state = State.Value;
        } else if (state === State.Modname) state = State.Ignore;
        break;
    }
    if (state === State.Complete) {
      if (quoteStart >= 0 && quoteStart < modname) {
        // Undo the bootloader's quoting: `"mod.p=a b"` becomes `mod\0p="a b"`.
        buf.copyWithin(quoteStart, modname, value);
        value--;
        modname--;
        param--;
        buf[value] = 0x22;
      }
      addOption(result, cStringAt(buf, modname), cStringAt(buf, param));
      modname = p + 1;
      state = State.Modname;
      quoteStart = -1;
    }
  }
  return result;
}

// kmod: libkmod-config.c: kcmdline_parse_result
function addOption(result: CmdlineModuleOptions, modname: string, param: string): void {
  if (modname === 'modprobe' && param.startsWith('blacklist=')) {
    result.blacklist.push(...param.slice('blacklist='.length).split(','));
    return;
  }
  const module = underscores(modname);
  // kmod logs "Ignoring bad option on kernel command line" for a bad module name.
  if (module !== null) result.options.push({ module, options: param });
}

/**
 * The arguments the kernel itself gives a *built-in* module from its command line: every `module.param`
 * argument before `--` whose module part equals `module` (dashes and underscores equal, kernel/params.c:
 * parameq), with the `module.` prefix removed. `parseArgs(cmdline)` is the kernel's view of the whole line.
 */
export function builtinModuleArgs(cmdline: string, module: string): Arg[] {
  expectString(cmdline, 'the command line');
  expectString(module, 'the module name');
  const out: Arg[] = [];
  for (const { name, value } of parseArgs(cmdline).args) {
    const dot = name.indexOf('.');
    if (dot >= 0 && paramEqual(name.slice(0, dot), module)) out.push({ name: name.slice(dot + 1), value });
  }
  return out;
}
