#!/usr/bin/env node
// A second floor for `modinfo` over plain `.ko` files in Node.js: io-floor.mjs's reads, plus printing
// roughly what modinfo prints — `filename:`, every `.modinfo` string as `key:` padded to column 16, the
// signature in kmod's hex form, `parm` lines last — straight from the bytes, into one output buffer. No
// checks at all: it assumes little-endian ELF64 (Debian's amd64 modules) and a PKCS#7 signature of 512
// bytes, and does not read the signer. modinfo.bench.mjs times it next to kmod: what any Node tool
// would need at the least.
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';

const out = Buffer.allocUnsafe(1 << 20);
let length = 0;
const flush = () => {
  writeSync(1, out, 0, length);
  length = 0;
};
const text = (s) => {
  if (length + 3 * s.length > out.length) flush();
  length += out.utf8Write(s, length);
};
const bytes = (b) => {
  if (length + b.length > out.length) flush();
  out.set(b, length);
  length += b.length;
};
const HEX = Buffer.from('0123456789ABCDEF');
const MODINFO = Buffer.from('.modinfo\0');

let buffer = new Uint8Array(1 << 20);
for (const path of process.argv.slice(2)) {
  const size = statSync(path).size;
  if (buffer.length < size) buffer = new Uint8Array(size);
  const view = new DataView(buffer.buffer);
  const fd = openSync(path, 'r');
  readSync(fd, buffer, 0, Math.min(4096, size), 0);
  const shoff = Number(view.getBigUint64(0x28, true));
  const shnum = view.getUint16(0x3c, true);
  const tail = Math.max(4096, shoff - 2048);
  readSync(fd, buffer, tail, size - tail, tail);
  const names = Number(view.getBigUint64(shoff + view.getUint16(0x3e, true) * 64 + 24, true));
  let start = 0;
  let end = 0;
  for (let i = 0; i < shnum; i++) {
    const header = shoff + i * 64;
    const name = names + view.getUint32(header, true);
    if (Buffer.compare(buffer.subarray(name, name + MODINFO.length), MODINFO) === 0) {
      start = Number(view.getBigUint64(header + 24, true));
      end = start + Number(view.getBigUint64(header + 32, true));
      break;
    }
  }
  if (!(end <= 4096 || start >= tail)) readSync(fd, buffer, start, end - start, start);
  closeSync(fd);
  text(`filename:       ${path}\n`);
  const parms = [];
  for (let at = start; at < end; ) {
    if (buffer[at] === 0) {
      at++;
      continue;
    }
    let nul = buffer.indexOf(0, at);
    if (nul < 0 || nul > end) nul = end;
    const eq = buffer.indexOf(0x3d, at);
    if (eq - at === 4 && buffer[at] === 0x70 && buffer[at + 1] === 0x61) {
      parms.push(buffer.slice(eq + 1, nul));
    } else {
      bytes(buffer.subarray(at, eq));
      text(`:${' '.repeat(Math.max(0, 15 - (eq - at)))}`);
      bytes(buffer.subarray(eq + 1, nul));
      text('\n');
    }
    at = nul + 1;
  }
  const signature = buffer.subarray(size - 40 - 512, size - 40);
  text('sig_id:         PKCS#7\nsignature:      ');
  if (length + 2000 > out.length) flush();
  for (let i = 0; i < 512; i++) {
    out[length++] = HEX[signature[i] >> 4];
    out[length++] = HEX[signature[i] & 15];
    if (i === 511) break;
    out[length++] = 0x3a;
    if ((i + 1) % 20 === 0) length += out.write('\n\t\t', length);
  }
  text('\n');
  for (const parm of parms.reverse()) {
    text('parm:           ');
    bytes(parm);
    text('\n');
  }
}
flush();
