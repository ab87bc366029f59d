/**
 * Reading the kernel's files (/proc, /sys) under a root directory, as kmod's `-b DIR` reads
 * /lib/modules under one: the readers take `{ root }` so that tests run on captured trees.
 */
import { readFileSync } from 'node:fs';
import { LoaderError } from './error.js';

/** Where the readers find /proc and /sys. */
export interface RootOptions {
  /** The directory that stands for `/` (default `/`, the running system). */
  readonly root?: string;
}

/** `path` (absolute, e.g. `/proc/modules`) under `options.root`. */
export function systemPath(path: string, options: RootOptions = {}): string {
  const root = options.root ?? '/';
  return root === '/' ? path : `${root.replace(/\/+$/, '')}${path}`;
}

/** The file's text; undefined when it does not exist (ENOENT, ENOTDIR); a LoaderError for other failures. */
export function readSystemFile(path: string, options: RootOptions = {}): string | undefined {
  const full = systemPath(path, options);
  try {
    return readFileSync(full, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new LoaderError(code ?? 'EIO', `could not read ${full}: ${(cause as Error).message}`, {
      path: full,
      cause,
    });
  }
}

/** One line of a sysfs attribute: its text without the newline the kernel ends it with. */
export function attributeValue(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
