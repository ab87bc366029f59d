#!/usr/bin/env node
// The floor for any Node.js `modinfo` over plain `.ko` files: Node's own start, plus, for each file
// named on the command line, the system calls kmodkit cannot do without — stat, open, a read of the
// first 4 KiB (the ELF header), a read from 2 KiB before the section header table to the end (section
// names, section headers, the appended signature), close — and nothing else: no ELF checks, no
// `.modinfo` parsing, no output. modinfo.bench.mjs times it next to kmod, to show how much of a gap
// is Node itself.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

let buffer = new Uint8Array(1 << 20);
let read = 0;
for (const path of process.argv.slice(2)) {
  const size = statSync(path).size;
  if (buffer.length < size) buffer = new Uint8Array(size);
  const fd = openSync(path, 'r');
  read += readSync(fd, buffer, 0, Math.min(4096, size), 0);
  const view = new DataView(buffer.buffer);
  const shoff = size >= 64 ? Number(view.getBigUint64(0x28, true)) : 0;
  const tail = Math.min(size, Math.max(4096, shoff - 2048));
  read += readSync(fd, buffer, tail, size - tail, tail);
  closeSync(fd);
}
if (read === 0) process.exitCode = 1;
