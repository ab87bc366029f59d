import { readFile } from 'node:fs/promises';
import { LoaderError } from './error.js';
import { type RootOptions, systemPath } from './system-files.js';

export type ModuleState = 'Live' | 'Loading' | 'Unloading';

/** One line of /proc/modules, as kernel/module/procfs.c `m_show` prints it. */
export interface LoadedModule {
  name: string;
  /** init + core (+ data) layout size in bytes. */
  size: number;
  /** Reference count; null when the kernel has no CONFIG_MODULE_UNLOAD (it prints "-"). */
  refcount: number | null;
  /** Modules that use this one (the kernel's source_list). */
  usedBy: string[];
  /** Has init but no exit: can never be unloaded ("[permanent]"). */
  permanent: boolean;
  state: ModuleState;
  /** Core layout base address, or 0n when hidden from this reader (kptr_restrict). */
  address: bigint;
  /** Taint flags such as "OE" (without the parentheses and the +/- state marks). */
  taints: string;
}

const STATES = new Set<string>(['Live', 'Loading', 'Unloading']);

/** Parse the text of /proc/modules. Throws LoaderError('EPROCFORMAT') naming the line on bad input. */
export function parseProcModules(text: string, path = '/proc/modules'): LoadedModule[] {
  const modules: LoadedModule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const fail = (why: string): never => {
      throw new LoaderError('EPROCFORMAT', `${path}:${i + 1}: ${why}: ${JSON.stringify(line)}`, {
        path,
        line: i + 1,
      });
    };
    const fields = line.split(' ');
    if (fields.length < 6 || fields.length > 7) fail('expected 6 or 7 fields');
    const [name, size, refcount, uses, state, address, taints] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string | undefined,
    ];
    if (!/^\d+$/.test(size)) fail('bad size');
    if (!/^(-?\d+|-)$/.test(refcount)) fail('bad reference count');
    if (!STATES.has(state)) fail('bad state');
    if (!/^0x[0-9a-f]+$/.test(address)) fail('bad address');
    if (taints !== undefined && !/^\([A-Z]*[+-]?\)$/.test(taints)) fail('bad taint flags');
    // procfs.c print_unload_info: every user is followed by ',', "-" when there is none.
    const users = uses === '-' ? [] : uses.split(',');
    if (uses !== '-' && users.pop() !== '') fail('bad use list');
    const permanent = users.at(-1) === '[permanent]';
    if (permanent) users.pop();
    modules.push({
      name,
      size: Number(size),
      refcount: refcount === '-' ? null : Number(refcount),
      usedBy: users,
      permanent,
      state: state as ModuleState,
      address: BigInt(address),
      taints: taints === undefined ? '' : taints.replace(/[()+-]/g, ''),
    });
  }
  return modules;
}

/**
 * Read and parse /proc/modules: of the system, of `{ root }` (a captured tree), or a file in its format
 * given by path.
 */
export async function readProcModules(source: string | RootOptions = {}): Promise<LoadedModule[]> {
  const path = typeof source === 'string' ? source : systemPath('/proc/modules', source);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'EIO';
    throw new LoaderError(code, `could not read ${path}: ${(cause as Error).message}`, { path, cause });
  }
  return parseProcModules(text, path);
}
