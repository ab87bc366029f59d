/**
 * modprobe's work, step for step as kmod 30 does it (tools/modprobe.c: insmod, rmmod, rmmod_do_module,
 * rmmod_do_remove_module, command_do; libkmod-module.c: kmod_module_probe_insert_module,
 * kmod_module_get_probe_list, __kmod_module_fill_softdep), with kmod's messages and in its order.
 * Real loading and unloading go through insertModule/removeModule; `--dry-run` only prints.
 */
import { isErrnoError, strerror } from '@kmodkit/errno';
import { insertModule, removeModule } from '../load.js';
import { runConfigCommand, substituteOptions } from './command.js';
import type { ModprobeContext, ModprobeModule } from './context.js';

/** syslog priorities, as kmod's verbosity counts them. */
export const LOG_EMERG = 0;
export const LOG_CRIT = 2;
export const LOG_ERR = 3;
export const LOG_WARNING = 4;
export const LOG_NOTICE = 5;
export const LOG_INFO = 6;

const PRIORITY_NAMES: Readonly<Record<number, string>> = {
  2: 'FATAL',
  3: 'ERROR',
  4: 'WARNING',
  5: 'NOTICE',
  6: 'INFO',
  7: 'DEBUG',
};

export interface ModprobeSettings {
  /** -n: print, do not act. */
  readonly dryRun?: boolean;
  /** -D: print `insmod …`/`builtin …` for everything, loaded or not (implies dryRun and ignoreLoaded). */
  readonly showDepends?: boolean;
  /** Do not look at what is loaded (-D). */
  readonly ignoreLoaded?: boolean;
  /** -R: print the module names an alias resolves to. */
  readonly resolveOnly?: boolean;
  /** --first-time: fail when there is nothing to do. */
  readonly firstTime?: boolean;
  /** -i: ignore install/remove commands and softdeps. */
  readonly ignoreCommands?: boolean;
  /** -b: refuse blacklisted modules even when named directly. */
  readonly useBlacklist?: boolean;
  readonly forceVermagic?: boolean;
  readonly forceModversion?: boolean;
  /** -f on removal: delete_module with O_TRUNC. */
  readonly force?: boolean;
  /** --remove-holders. */
  readonly removeHolders?: boolean;
  /** -w: keep trying a removal that answers EAGAIN for this long. */
  readonly waitMsec?: number;
  /** kmod's verbosity: LOG_WARNING by default, LOG_EMERG with -q, one more per -v. */
  readonly verbose?: number;
  /** The priority of "not found" kind of messages: LOG_CRIT (fatal) normally, LOG_WARNING with -a. */
  readonly logPriority?: number;
}

export interface ModprobeIo {
  /** Standard output (`insmod …`, `-R` names). */
  stdout(text: string): void;
  /** Standard error, whole lines. */
  stderr(text: string): void;
  /** The program name messages start with. */
  readonly program: string;
  /** The environment install/remove commands get (MODPROBE_OPTIONS included); process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Called before a command runs, so that earlier output comes first. */
  flush?(): void;
}

/** Thrown where kmod's log_printf exits (a message at LOG_CRIT): modprobe ends with status 1. */
export class ModprobeFatal extends Error {
  override readonly name = 'ModprobeFatal';
}

/** An errno name, or undefined for success. */
type Result = string | undefined;

const errnoOf = (e: unknown): string => (isErrnoError(e) ? e.code : 'EIO');

/** One modprobe invocation's behaviour over a context. */
export class Modprobe {
  readonly ctx: ModprobeContext;
  readonly io: ModprobeIo;
  readonly #s: Required<ModprobeSettings>;

  constructor(ctx: ModprobeContext, io: ModprobeIo, settings: ModprobeSettings = {}) {
    this.ctx = ctx;
    this.io = io;
    const showDepends = settings.showDepends ?? false;
    this.#s = {
      dryRun: (settings.dryRun ?? false) || showDepends,
      showDepends,
      ignoreLoaded: (settings.ignoreLoaded ?? false) || showDepends,
      resolveOnly: settings.resolveOnly ?? false,
      firstTime: settings.firstTime ?? false,
      ignoreCommands: settings.ignoreCommands ?? false,
      useBlacklist: settings.useBlacklist ?? false,
      forceVermagic: settings.forceVermagic ?? false,
      forceModversion: settings.forceModversion ?? false,
      force: settings.force ?? false,
      removeHolders: settings.removeHolders ?? false,
      waitMsec: settings.waitMsec ?? 0,
      verbose: settings.verbose ?? LOG_WARNING,
      logPriority: settings.logPriority ?? LOG_CRIT,
    };
  }

  /** tools/log.c: log_printf — printed up to the verbosity; at LOG_CRIT modprobe exits. */
  #logAt(priority: number, message: string): void {
    if (priority > this.#s.verbose) return;
    this.io.stderr(`${this.io.program}: ${PRIORITY_NAMES[priority] ?? `LOG-${priority}`}: ${message}\n`);
    if (priority <= LOG_CRIT) throw new ModprobeFatal(message);
  }

  /** modprobe's LOG(): at the invocation's log priority. */
  #LOG(message: string): void {
    this.#logAt(this.#s.logPriority, message);
  }

  /** ERR() of modprobe and of libkmod (whose messages the tool prints the same way). */
  #ERR(message: string): void {
    this.#logAt(LOG_ERR, message);
  }

  /**
   * ERR()/INFO() of libkmod-module.c through modprobe's logger (tools/log.c: log_kmod): Debian's kmod
   * is built with --enable-debug, so kmod 30's source place and function come first.
   */
  #libkmod(priority: number, line: number, fn: string, message: string): void {
    this.#logAt(priority, `../libkmod/libkmod-module.c:${line} ${fn}() ${message}`);
  }

  /** modprobe's SHOW(): with -n/-D or -v. */
  #SHOW(text: string): void {
    if (this.#s.showDepends || this.#s.verbose > LOG_WARNING) this.io.stdout(text);
  }

  get #printing(): boolean {
    return this.#s.showDepends || this.#s.verbose > LOG_WARNING;
  }

  /** tools/modprobe.c: print_action. */
  #printAction(mod: ModprobeModule, install: boolean, options: string): void {
    if (install) {
      this.io.stdout(`install ${this.ctx.installCommand(mod)} ${options}\n`);
      return;
    }
    const path = this.ctx.path(mod);
    if (path === null) {
      if (this.ctx.initState(mod) === 'builtin') this.io.stdout(`builtin ${mod.name}\n`);
    } else this.io.stdout(`insmod ${path} ${options}\n`);
  }

  /** tools/modprobe.c: insmod — one name or alias, with the options given after it. Returns an errno name on failure. */
  async insert(alias: string, extraOptions: string | null = null): Promise<Result> {
    const list = this.ctx.lookup(alias);
    if (list === undefined || list.length === 0) {
      this.#LOG(`Module ${alias} not found in directory ${this.ctx.directory.dirname}`);
      return 'ENOENT';
    }
    let err: Result;
    for (const mod of list) {
      if (this.#s.resolveOnly) {
        this.io.stdout(`${mod.name}\n`);
        continue;
      }
      err = await this.#probeInsert(mod, extraOptions);
      if (err === undefined) continue;
      if (err === 'EEXIST') this.#ERR(`could not insert '${mod.name}': Module already in kernel`);
      else if (err === 'ENOENT')
        this.#ERR(
          `could not insert '${mod.name}': Unknown symbol in module, or unknown parameter (see dmesg)`,
        );
      else this.#ERR(`could not insert '${mod.name}': ${strerror(err)}`);
    }
    return err;
  }

  /** insmod_all: -a. */
  async insertAll(names: readonly string[]): Promise<Result> {
    let err: Result;
    for (const name of names) {
      const r = await this.insert(name, null);
      if (r !== undefined) err = r;
    }
    return err;
  }

  /** kmod_module_get_probe_list and its helpers: the modules to load, in order. */
  #probeList(mod: ModprobeModule, ignoreCommands: boolean): ModprobeModule[] {
    for (const m of this.ctx.modules) {
      m.visited = false;
      m.required = false;
    }
    const list: ModprobeModule[] = [];
    const fillSoftdep = (m: ModprobeModule) => {
      const { pre, post } = this.ctx.softdeps(m);
      for (const p of pre) walk(p, false, false);
      list.push(m);
      m.ignorecmd = pre.length > 0 || post.length > 0;
      for (const p of post) walk(p, false, false);
    };
    const walk = (m: ModprobeModule, required: boolean, ignorecmd: boolean) => {
      if (m.visited) return;
      m.visited = true;
      const deps = this.ctx.dependencies(m);
      if (required) {
        m.required = true;
        for (const d of deps) d.required = true;
      }
      for (const d of deps) fillSoftdep(d);
      if (ignorecmd) {
        list.push(m);
        m.ignorecmd = true;
      } else fillSoftdep(m);
    };
    walk(mod, true, ignoreCommands);
    return list;
  }

  /** kmod_module_probe_insert_module, with modprobe's flags. */
  async #probeInsert(mod: ModprobeModule, extraOptions: string | null): Promise<Result> {
    const s = this.#s;
    if (!s.ignoreLoaded && this.ctx.inKernel(mod)) return s.firstTime ? 'EEXIST' : undefined;
    // KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY always, KMOD_PROBE_APPLY_BLACKLIST with -b: a positive
    // return, which modprobe counts as success.
    if ((mod.alias !== undefined || s.useBlacklist) && this.ctx.isBlacklisted(mod)) return undefined;
    const list = this.#probeList(mod, s.ignoreCommands);
    let err: Result;
    for (const m of list) {
      err = undefined;
      if (!s.ignoreLoaded && this.ctx.inKernel(m)) err = 'EEXIST';
      else {
        const moptions = this.ctx.options(m);
        const extra = m === mod ? extraOptions : null;
        const options = optionsConcat(moptions, extra) ?? '';
        const cmd = this.ctx.installCommand(m);
        if (cmd !== null && !m.ignorecmd) {
          if (this.#printing) this.#printAction(m, true, options);
          if (!s.dryRun) err = this.#runInstall(m, cmd, options);
        } else {
          if (this.#printing) this.#printAction(m, false, options);
          if (!s.dryRun) err = await this.#insertModule(m, options);
        }
      }
      if (err === 'EEXIST' && m === mod && s.firstTime) break;
      if (err === 'EEXIST' || !m.required) err = undefined;
      else if (err !== undefined) break;
    }
    return err;
  }

  /** libkmod-module.c: module_do_install_commands and command_do. */
  #runInstall(mod: ModprobeModule, command: string, options: string): Result {
    this.io.flush?.();
    const { status } = runConfigCommand(command, mod.name, options, this.io.env);
    const shown = substituteOptions(command, options);
    if (status === -1) {
      this.#libkmod(
        LOG_ERR,
        1041,
        'command_do',
        `Could not run install command '${shown}' for module ${mod.name}: ${strerror('ENOENT')}`,
      );
      return 'EINVAL';
    }
    if (status !== 0) {
      this.#libkmod(
        LOG_ERR,
        1047,
        'command_do',
        `Error running install command '${shown}' for module ${mod.name}: retcode ${status}`,
      );
      return 'EINVAL';
    }
    return undefined;
  }

  /** kmod_module_insert_module. */
  async #insertModule(mod: ModprobeModule, options: string): Promise<Result> {
    const path = this.ctx.path(mod);
    if (path === null) {
      this.#libkmod(LOG_ERR, 895, 'kmod_module_insert_module', `could not find module by name='${mod.name}'`);
      return 'ENOENT';
    }
    try {
      await insertModule(path, {
        params: options,
        ignoreVermagic: this.#s.forceVermagic,
        ignoreModversions: this.#s.forceModversion,
        ...this.ctx.root,
      });
      return undefined;
    } catch (e) {
      const code = errnoOf(e);
      this.#libkmod(
        LOG_INFO,
        949,
        'kmod_module_insert_module',
        `Failed to insert module '${path}': ${strerror(code)}`,
      );
      return code;
    }
  }

  /** tools/modprobe.c: rmmod — one name or alias. */
  async remove(alias: string): Promise<Result> {
    const list = this.ctx.lookup(alias);
    if (list === undefined) return 'EINVAL';
    let err: Result;
    if (list.length === 0) {
      this.#LOG(`Module ${alias} not found.`);
      err = 'ENOENT';
    }
    for (const mod of list) {
      err = await this.#removeModule(mod, { holders: this.#s.removeHolders, ignoreBuiltin: false });
      if (err !== undefined) break;
    }
    return err;
  }

  /** rmmod_all: -r with one or more names. */
  async removeAll(names: readonly string[]): Promise<Result> {
    let err: Result;
    for (const name of names) {
      const r = await this.remove(name);
      if (r !== undefined) err = r;
    }
    return err;
  }

  /** rmmod_do_modlist: last first. */
  async #removeList(list: readonly ModprobeModule[], stopOnErrors: boolean): Promise<Result> {
    for (const m of [...list].reverse()) {
      const r = await this.#removeModule(m, { holders: false, ignoreBuiltin: true });
      if (r !== undefined && stopOnErrors) return r;
    }
    return undefined;
  }

  /** tools/modprobe.c: rmmod_do_module. */
  async #removeModule(
    mod: ModprobeModule,
    flags: { holders: boolean; ignoreBuiltin: boolean },
  ): Promise<Result> {
    const s = this.#s;
    let pre: ModprobeModule[] = [];
    let post: ModprobeModule[] = [];
    let cmd: string | null = null;
    if (!s.ignoreCommands) {
      ({ pre, post } = this.ctx.softdeps(mod));
      cmd = this.ctx.removeCommand(mod);
    }
    if (cmd === null && !s.ignoreLoaded) {
      const state = this.ctx.initState(mod);
      if (state === 'absent') {
        if (s.firstTime) {
          this.#LOG(`Module ${mod.name} is not in kernel.`);
          return 'ENOENT';
        }
        return undefined;
      }
      if (state === 'builtin') {
        if (flags.ignoreBuiltin) return undefined;
        this.#LOG(`Module ${mod.name} is builtin.`);
        return 'ENOENT';
      }
    }
    await this.#removeList(post, false);
    if (flags.holders) {
      const holders = this.ctx.holders(mod);
      if (holders === undefined) {
        const dir = `/sys/module/${mod.name}/holders`;
        this.#libkmod(
          LOG_ERR,
          1998,
          'kmod_module_get_holders',
          `could not open '${dir}': ${strerror('ENOENT')}`,
        );
      }
      const r = await this.#removeList(holders ?? [], true);
      if (r !== undefined) return r;
    }
    if (cmd === null && !s.ignoreLoaded && s.waitMsec === 0) {
      const usage = this.ctx.refcnt(mod);
      if (usage !== undefined && usage > 0) {
        this.#LOG(`Module ${mod.name} is in use.`);
        return 'EBUSY';
      }
    }
    const err = cmd === null ? await this.#deleteModule(mod) : this.#runRemove(mod, cmd);
    if (err !== undefined) return err;
    if (cmd === null) {
      for (const dep of this.ctx.dependencies(mod)) {
        if (this.ctx.refcnt(dep) === 0) await this.#deleteModule(dep);
      }
    }
    await this.#removeList(pre, false);
    return undefined;
  }

  /** tools/modprobe.c: command_do for `remove` (the tool's own: it prints the command, and fails by LOG). */
  #runRemove(mod: ModprobeModule, command: string): Result {
    this.#SHOW(`remove ${substituteOptions(command, '')}\n`);
    if (this.#s.dryRun) return undefined;
    this.io.flush?.();
    const { status } = runConfigCommand(command, mod.name, '', this.io.env);
    if (status === 0) return undefined;
    this.#LOG(`Error running remove command for ${mod.name}`);
    return 'EINVAL';
  }

  /** tools/modprobe.c: rmmod_do_remove_module, with -w's retries. */
  async #deleteModule(mod: ModprobeModule): Promise<Result> {
    this.#SHOW(`rmmod ${mod.name}\n`);
    if (this.#s.dryRun) return undefined;
    const wait = this.#s.waitMsec;
    const end = Date.now() + wait;
    let interval = 1;
    for (;;) {
      let err: Result;
      try {
        await removeModule(mod.name, { force: this.#s.force });
        err = undefined;
      } catch (e) {
        err = errnoOf(e);
      }
      if (err === 'EAGAIN' && wait > 0 && Date.now() < end) {
        await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, end - Date.now()))));
        interval = Math.min(interval * 2, 1000);
        continue;
      }
      // kmod_module_remove_module logs the failure, unless -w asked it not to and modprobe does.
      if (err !== undefined && wait === 0)
        this.#libkmod(
          LOG_ERR,
          856,
          'kmod_module_remove_module',
          `could not remove '${mod.name}': ${strerror(err)}`,
        );
      else if (err !== undefined) this.#ERR(`could not remove '${mod.name}': ${strerror(err)}`);
      return err;
    }
  }
}

/** libkmod-module.c: module_options_concat — configured options, a space, the given ones. */
function optionsConcat(options: string | null, extra: string | null): string | null {
  const a = options ?? '';
  const b = extra ?? '';
  if (a.length === 0 && b.length === 0) return null;
  return options !== null ? `${options} ${b}` : b;
}

/** tools/modprobe.c: options_from_array — the words after the module name, a value with a space quoted. */
export function optionsFromArray(args: readonly string[]): string | null {
  if (args.length === 0) return null;
  return args
    .map((arg) => {
      const eq = arg.indexOf('=');
      if (eq < 0) return arg;
      const value = arg.slice(eq + 1);
      if (value.startsWith('"') || value.startsWith("'") || !value.includes(' ')) return arg;
      return `${arg.slice(0, eq + 1)}"${value}"`;
    })
    .join(' ');
}
