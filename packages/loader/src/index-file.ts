/**
 * depmod's binary indexes (`modules.dep.bin`, `modules.alias.bin`, `modules.symbols.bin`,
 * `modules.builtin.bin`, `modules.builtin.alias.bin`), read as kmod 30 reads them
 * (`libkmod/libkmod-index.c`: `index_mm_open`, `index_mm_search`, `index_mm_searchwild`,
 * `index_mm_dump`).
 *
 * The file is a trie: a 12-byte header (magic 0xB007F457, version 2.x, the root node's offset), then
 * nodes, all integers big-endian. A node offset's top nibble says which parts the node has: a
 * NUL-terminated prefix (0x8…), children (0x2…: first and last child character, then one offset per
 * character between them), values (0x4…: a count, then per value a priority and a NUL-terminated
 * string). depmod writes every node after its children, so a child's offset is below its parent's;
 * this reader requires that (a file that breaks it could send kmod round in circles), and every read
 * is bounds-checked: a damaged file is a {@link LoaderError} with the byte offset, never a hang.
 *
 * Keys and values are byte strings (one character per byte); depmod writes only 7-bit ASCII.
 */
import { readFileSync } from 'node:fs';
import { LoaderError } from './error.js';
import { fnmatch } from './fnmatch.js';

const INDEX_MAGIC = 0xb007f457;
const INDEX_VERSION_MAJOR = 0x0002;
const NODE_PREFIX = 0x80000000;
const NODE_VALUES = 0x40000000;
const NODE_CHILDS = 0x20000000;
const NODE_MASK = 0x0fffffff;
/** The characters whose children `index_mm_searchwild_node` visits as wildcards, in its order. */
const WILDCARDS = ['*', '?', '['];

/** One value stored under a key, with the priority depmod gave it (a module's place in its order). */
export interface IndexValue {
  readonly value: string;
  readonly priority: number;
}

/** One node of a trie: read from a file, or built in memory from a text index. */
interface TrieNode {
  readonly prefix: string;
  /** The range of child characters (first > last: none). */
  readonly first: number;
  readonly last: number;
  readonly values: readonly IndexValue[];
  child(ch: number): TrieNode | undefined;
}

/** What kmod asks of an index: exact lookup, wildcard lookup, and the dump. */
export interface ModuleIndex {
  /** `index_mm_search`: the first value stored under exactly `key`, or undefined. */
  search(key: string): string | undefined;
  /**
   * `index_mm_searchwild`: the values of every key that, read as an fnmatch pattern, matches `key`
   * (and of `key` itself), ordered as kmod orders them: by priority, and among equal priorities the
   * one found last first (`add_value` inserts before the first value of the same priority).
   */
  searchWild(key: string): IndexValue[];
  /** `index_mm_dump`: every key and its values, in the trie's order (keys sorted bytewise). */
  entries(): Generator<{ readonly key: string } & IndexValue>;
}

/** One node as `index_mm_read_node` reads it: child offsets, not yet read. */
interface FileNode {
  readonly offset: number;
  readonly prefix: string;
  readonly first: number;
  readonly last: number;
  readonly children: readonly number[];
  readonly values: readonly IndexValue[];
}

/** A binary index of depmod's, in memory. */
export class IndexFile implements ModuleIndex {
  readonly path: string | undefined;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #root: number;

  /** Checks the header as `index_mm_open` does (magic, major version); throws LoaderError 'BAD_INDEX'. */
  constructor(bytes: Uint8Array, path?: string) {
    this.path = path;
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < 12) this.#fail(0, `${bytes.length} bytes is too short for an index header`);
    const magic = this.#view.getUint32(0);
    if (magic !== INDEX_MAGIC)
      this.#fail(0, `magic is 0x${magic.toString(16)}, not 0x${INDEX_MAGIC.toString(16)}`);
    const major = this.#view.getUint32(4) >>> 16;
    if (major !== INDEX_VERSION_MAJOR) this.#fail(4, `major version is ${major}, not ${INDEX_VERSION_MAJOR}`);
    this.#root = this.#view.getUint32(8);
  }

  /** Reads the index at `path`; a missing or unreadable file is a LoaderError with the system's code. */
  static open(path: string): IndexFile {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
      throw new LoaderError(code, `cannot read ${path}: ${(e as Error).message}`, { path, cause: e });
    }
    return new IndexFile(bytes, path);
  }

  #fail(offset: number, message: string): never {
    const where = this.path === undefined ? '' : `${this.path}: `;
    throw new LoaderError('BAD_INDEX', `${where}${message} (at byte 0x${offset.toString(16)})`, {
      ...(this.path === undefined ? {} : { path: this.path }),
      offset,
    });
  }

  #string(at: number): { text: string; end: number } {
    const nul = this.#bytes.indexOf(0, at);
    if (nul < 0) this.#fail(at, 'a string runs past the end of the file');
    let text = '';
    for (let i = at; i < nul; i++) text += String.fromCharCode(this.#bytes[i]!);
    return { text, end: nul + 1 };
  }

  #u32(at: number): number {
    if (at + 4 > this.#bytes.length) this.#fail(at, 'a number runs past the end of the file');
    return this.#view.getUint32(at);
  }

  /** `index_mm_read_node`; undefined for offset 0 (no node). `below` is the parent's offset. */
  #node(offset: number, below: number): FileNode | undefined {
    const at = offset & NODE_MASK;
    if (at === 0) return undefined;
    if (at >= below || at < 12) this.#fail(at, `node offset 0x${at.toString(16)} is not below its parent's`);
    let p = at;
    let prefix = '';
    if (offset & NODE_PREFIX) ({ text: prefix, end: p } = this.#string(p));
    let first = 128;
    let last = 0;
    const children: number[] = [];
    if (offset & NODE_CHILDS) {
      if (p + 2 > this.#bytes.length) this.#fail(p, 'a node runs past the end of the file');
      first = this.#bytes[p]!;
      last = this.#bytes[p + 1]!;
      p += 2;
      // kmod reads `char`s and sizes a 128-entry array: anything else overflows it.
      if (first > last || last >= 128) this.#fail(p - 2, `child range ${first}-${last} is not within 0-127`);
      for (let c = first; c <= last; c++, p += 4) children.push(this.#u32(p));
    }
    const values: IndexValue[] = [];
    if (offset & NODE_VALUES) {
      const count = this.#u32(p);
      p += 4;
      // Each value takes at least 5 bytes: a count that could not fit is damage, not a loop to run.
      if (count > (this.#bytes.length - p) / 5) this.#fail(p - 4, `${count} values do not fit in the file`);
      for (let i = 0; i < count; i++) {
        const priority = this.#u32(p);
        const { text, end } = this.#string(p + 4);
        values.push({ value: text, priority });
        p = end;
      }
    }
    return { offset: at, prefix, first, last, children, values };
  }

  #rootNode(): TrieNode | undefined {
    return this.#trieNode(this.#root, Number.POSITIVE_INFINITY);
  }

  #trieNode(offset: number, below: number): TrieNode | undefined {
    const node = this.#node(offset, below);
    if (node === undefined) return undefined;
    return {
      ...node,
      child: (ch) =>
        ch < node.first || ch > node.last
          ? undefined
          : this.#trieNode(node.children[ch - node.first]!, node.offset),
    };
  }

  search(key: string): string | undefined {
    return search(this.#rootNode(), key);
  }

  searchWild(key: string): IndexValue[] {
    return searchWild(this.#rootNode(), key);
  }

  entries(): Generator<{ readonly key: string } & IndexValue> {
    return dump(this.#rootNode());
  }
}

/**
 * A trie built in memory from `(key, value, priority)` records as depmod builds its indexes
 * (`tools/depmod.c: index_insert`, `index_add_value`): for the text files when the `.bin` beside them
 * is missing, so that lookups answer as they would from the `.bin`.
 */
export function memoryIndex(
  records: Iterable<readonly [key: string, value: string, priority: number]>,
): ModuleIndex {
  const root = new MemoryNode('');
  for (const [key, value, priority] of records) root.insert(key, value, priority);
  return {
    search: (key) => search(root, key),
    searchWild: (key) => searchWild(root, key),
    entries: () => dump(root),
  };
}

class MemoryNode implements TrieNode {
  prefix: string;
  values: IndexValue[] = [];
  children = new Map<number, MemoryNode>();

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  get first(): number {
    return this.children.size === 0 ? 128 : Math.min(...this.children.keys());
  }

  get last(): number {
    return this.children.size === 0 ? 0 : Math.max(...this.children.keys());
  }

  child(ch: number): MemoryNode | undefined {
    return this.children.get(ch);
  }

  /** `index_insert`: splits a node whose prefix the key leaves, then adds the value at the key's node. */
  insert(key: string, value: string, priority: number): void {
    let node: MemoryNode = this;
    let i = 0;
    for (;;) {
      let j = 0;
      while (j < node.prefix.length && node.prefix[j] === key[i + j]) j++;
      if (j < node.prefix.length) {
        // The new child takes the rest of the prefix after the character where they part.
        const rest = new MemoryNode(node.prefix.slice(j + 1));
        rest.values = node.values;
        rest.children = node.children;
        node.children = new Map([[node.prefix.charCodeAt(j), rest]]);
        node.values = [];
        node.prefix = node.prefix.slice(0, j);
      }
      i += j;
      if (i >= key.length) {
        // `index_add_value`: before the first value of the same or a higher priority.
        let at = 0;
        while (at < node.values.length && node.values[at]!.priority < priority) at++;
        node.values.splice(at, 0, { value, priority });
        return;
      }
      const ch = key.charCodeAt(i);
      let next = node.children.get(ch);
      if (next === undefined) {
        next = new MemoryNode(key.slice(i + 1));
        node.children.set(ch, next);
        next.values.push({ value, priority });
        return;
      }
      node = next;
      i++;
    }
  }
}

function search(root: TrieNode | undefined, key: string): string | undefined {
  let node = root;
  let i = 0;
  while (node !== undefined) {
    for (let j = 0; j < node.prefix.length; j++) {
      if (node.prefix[j] !== key[i + j]) return undefined;
    }
    i += node.prefix.length;
    if (i >= key.length) return node.values[0]?.value;
    node = node.child(key.charCodeAt(i));
    i++;
  }
  return undefined;
}

function searchWild(root: TrieNode | undefined, key: string): IndexValue[] {
  const out: IndexValue[] = [];
  const add = (values: readonly IndexValue[]) => {
    for (const v of values) {
      let at = 0;
      while (at < out.length && out[at]!.priority < v.priority) at++;
      out.splice(at, 0, v);
    }
  };
  // The literal part of the key is matched on the way down (`index_mm_searchwild_node`); a pattern is
  // only what follows from its first wildcard on, tried on the rest of the key.
  let node = root;
  let i = 0;
  descend: while (node !== undefined) {
    for (let j = 0; j < node.prefix.length; j++) {
      const ch = node.prefix[j]!;
      if (WILDCARDS.includes(ch)) {
        searchAll(node, j, '', key.slice(i + j), add);
        break descend;
      }
      if (ch !== key[i + j]) break descend;
    }
    i += node.prefix.length;
    for (const w of WILDCARDS) {
      const child = node.child(w.charCodeAt(0));
      if (child !== undefined) searchAll(child, 0, w, key.slice(i), add);
    }
    if (i >= key.length) {
      add(node.values);
      break;
    }
    node = node.child(key.charCodeAt(i));
    i++;
  }
  return out;
}

/**
 * `index_mm_searchwild_all`: every key below `node` (whose text so far is `buf`, and whose prefix is
 * taken from its `j`th character on) is a pattern tried on `subkey`, children first.
 */
function searchAll(
  node: TrieNode,
  j: number,
  buf: string,
  subkey: string,
  add: (values: readonly IndexValue[]) => void,
): void {
  const text = buf + node.prefix.slice(j);
  for (let ch = node.first; ch <= node.last; ch++) {
    const child = node.child(ch);
    if (child !== undefined) searchAll(child, 0, text + String.fromCharCode(ch), subkey, add);
  }
  if (node.values.length > 0 && fnmatch(text, subkey)) add(node.values);
}

function* dump(root: TrieNode | undefined, buf = ''): Generator<{ readonly key: string } & IndexValue> {
  if (root === undefined) return;
  const key = buf + root.prefix;
  for (const v of root.values) yield { key, ...v };
  for (let ch = root.first; ch <= root.last; ch++) {
    const child = root.child(ch);
    if (child !== undefined) yield* dump(child, key + String.fromCharCode(ch));
  }
}
