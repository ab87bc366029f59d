/**
 * kmod's binary index (`modules.*.bin`): a radix trie written exactly as kmod 30's depmod writes it
 * (`tools/depmod.c`, the code taken from module-init-tools' index.c; the format is documented in
 * `libkmod/libkmod-index.c`). Big-endian throughout:
 *
 *     u32 magic 0xB007F457, u32 version 0x00020001, u32 offset of the root node, then the nodes.
 *
 * A node is written after its children (post-order); its offset carries flags in the high nibble:
 * PREFIX (a NUL-terminated string follows), CHILDS (first and last child byte, then one u32 offset
 * per byte in that range, 0 for none) and VALUES (u32 count, then per value a u32 priority and a
 * NUL-terminated string). Keys and values are byte strings held as latin1 JS strings.
 */
import { LoaderError } from '../error.js';

const INDEX_MAGIC = 0xb007f457;
const INDEX_VERSION = 0x00020001;
/** Children are indexed by the key's byte; only 7-bit ASCII is supported. */
const INDEX_CHILDMAX = 128;
const NODE_PREFIX = 0x80000000;
const NODE_VALUES = 0x40000000;
const NODE_CHILDS = 0x20000000;
const NOT_ASCII = /[^\x00-\x7f]/;

interface IndexValue {
  readonly value: string;
  readonly priority: number;
}

interface IndexNode {
  prefix: string;
  values: IndexValue[];
  /** Sparse, indexed by byte. */
  children: (IndexNode | undefined)[];
  first: number;
  last: number;
}

function newNode(prefix: string): IndexNode {
  return { prefix, values: [], children: [], first: INDEX_CHILDMAX, last: 0 };
}

/** `index__checkstring`: kmod's children array has 128 slots. */
function checkString(text: string): void {
  const i = text.search(NOT_ASCII);
  if (i < 0) return;
  throw new LoaderError(
    'EINDEXCHAR',
    `Module index: bad character '${text[i]}'=0x${text.charCodeAt(i).toString(16)} - only 7-bit ASCII is supported:\n${text}\n`,
  );
}

/**
 * `index_add_value`: values stay sorted by priority, a new value going before the ones of equal
 * priority already there. Returns whether the same value was there already (it is added anyway).
 */
function addValue(values: IndexValue[], value: string, priority: number): boolean {
  let duplicate = false;
  let at = values.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v.value === value) duplicate = true;
    if (at === values.length && v.priority >= priority) at = i;
  }
  values.splice(at, 0, { value, priority });
  return duplicate;
}

/** An index being built: `insert` as often as needed, then `write` once. */
export class IndexTrie {
  readonly #root = newNode('');

  /**
   * `index_insert`: adds `value` under `key` with `priority`, splitting a node where its prefix and
   * the key part. Returns whether the key already had this value (depmod -w warns about it).
   * @throws LoaderError `EINDEXCHAR` for a byte ≥ 0x80 in the key or the value.
   */
  insert(key: string, value: string, priority: number): boolean {
    checkString(key);
    checkString(value);
    let node = this.#root;
    let i = 0;
    for (;;) {
      const prefix = node.prefix;
      let j = 0;
      for (; j < prefix.length; j++) {
        const ch = prefix.charCodeAt(j);
        if (ch !== key.charCodeAt(i + j)) {
          // The node keeps prefix[0, j); a new child at prefix[j] takes the rest and everything else.
          const rest: IndexNode = {
            prefix: prefix.slice(j + 1),
            values: node.values,
            children: node.children,
            first: node.first,
            last: node.last,
          };
          node.prefix = prefix.slice(0, j);
          node.values = [];
          node.children = [];
          node.children[ch] = rest;
          node.first = ch;
          node.last = ch;
          break;
        }
      }
      i += j;
      if (i === key.length) return addValue(node.values, value, priority);
      const ch = key.charCodeAt(i);
      const child = node.children[ch];
      if (child === undefined) {
        if (ch < node.first) node.first = ch;
        if (ch > node.last) node.last = ch;
        const created = newNode(key.slice(i + 1));
        created.values.push({ value, priority });
        node.children[ch] = created;
        return false;
      }
      node = child;
      i++;
    }
  }

  /** `index_write`: the whole file. */
  write(): Uint8Array {
    const out = new ByteSink();
    out.u32(INDEX_MAGIC);
    out.u32(INDEX_VERSION);
    out.u32(0);
    const root = writeNode(this.#root, out);
    out.setU32(8, root);
    return out.bytes();
  }
}

function writeNode(node: IndexNode, out: ByteSink): number {
  const hasChildren = node.first < INDEX_CHILDMAX;
  let childOffsets: number[] | undefined;
  if (hasChildren) {
    childOffsets = [];
    for (let c = node.first; c <= node.last; c++) {
      const child = node.children[c];
      childOffsets.push(child === undefined ? 0 : writeNode(child, out));
    }
  }
  let offset = out.length;
  if (node.prefix !== '') {
    out.latin1z(node.prefix);
    offset |= NODE_PREFIX;
  }
  if (childOffsets !== undefined) {
    out.u8(node.first);
    out.u8(node.last);
    for (const o of childOffsets) out.u32(o);
    offset |= NODE_CHILDS;
  }
  if (node.values.length > 0) {
    out.u32(node.values.length);
    for (const v of node.values) {
      out.u32(v.priority);
      out.latin1z(v.value);
    }
    offset |= NODE_VALUES;
  }
  return offset >>> 0;
}

/** A growing big-endian byte buffer. */
class ByteSink {
  #buf = Buffer.allocUnsafe(1 << 16);
  #view = new DataView(this.#buf.buffer);
  length = 0;

  #reserve(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.length);
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#buf[this.length++] = v;
  }

  u32(v: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.length, v >>> 0);
    this.length += 4;
  }

  setU32(at: number, v: number): void {
    this.#view.setUint32(at, v >>> 0);
  }

  /** A latin1 string's bytes and a NUL. */
  latin1z(text: string): void {
    this.#reserve(text.length + 1);
    const at = this.length + this.#buf.write(text, this.length, 'latin1');
    this.#buf[at] = 0;
    this.length = at + 1;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.#buf.subarray(0, this.length));
  }
}
