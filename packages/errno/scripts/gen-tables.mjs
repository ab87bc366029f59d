#!/usr/bin/env node
// Regenerates src/tables.ts from the kernel's errno headers and this host's glibc strerror.
//
//   node packages/errno/scripts/gen-tables.mjs            (kernel tree from scripts/fetch-kernel-source.sh)
//   KMODKIT_KERNEL_SRC=/path/to/linux node …/gen-tables.mjs
//   node packages/errno/scripts/gen-tables.mjs --check  (exit 1 if src/tables.ts is not what it would write)
//
// Numbers and names come from the headers (a small reader for the subset of cpp they use:
// #include of asm-generic headers, #undef, #define NAME number, #define NAME OTHERNAME).
// Messages come from glibc's strerror through python3's os.strerror, which calls it.
// The tests check the result against gcc's own preprocessor, the host's strerror, Node's
// os.constants.errno and glibc's errlist.h, so this reader is not the only thing vouching for it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(pkgDir, '..', '..');
const outFile = join(pkgDir, 'src', 'tables.ts');

const kernel =
  process.env.KMODKIT_KERNEL_SRC ??
  execFileSync(join(repoRoot, 'scripts', 'fetch-kernel-source.sh'), { encoding: 'utf8' }).trim();

/** Architectures with their own arch/<a>/include/uapi/asm/errno.h in Linux 6.1. */
const OWN_TABLE_ARCHES = ['alpha', 'mips', 'parisc', 'powerpc', 'sparc'];

/**
 * glibc's message for the names that exist only on some architectures. glibc keys its messages by
 * name (sysdeps/gnu/errlist.h: `#ifdef EPROCLIM … _S(EPROCLIM, N_("Too many processes"))`), so a
 * name errlist.h does not list has no message on any architecture and strerror prints
 * "Unknown error N". EDEADLOCK is only an alias on the generic table; where it has its own number
 * (mips 56, powerpc 58, sparc 108) errlist.h has no entry for it.
 */
const ARCH_ONLY_GLIBC_MESSAGES = {
  EPROCLIM: 'Too many processes',
  EINIT: null,
  EREMDEV: null,
  ERREMOTE: null,
  EDEADLOCK: null,
};

const ERRNO_NAME = /^E[A-Z0-9_]+$/;

/** Reads the #define/#undef lines of one errno header into `defs` (name → number | alias name). */
function readHeader(path, defs = new Map(), skipIncludes = []) {
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/\/\*.*?\*\//g, '').trim();
    let m = /^#\s*include\s+<([^>]+)>/.exec(line);
    if (m) {
      if (skipIncludes.includes(m[1])) continue;
      if (!m[1].startsWith('asm-generic/')) throw new Error(`${path}: unexpected #include <${m[1]}>`);
      readHeader(join(kernel, 'include', 'uapi', m[1]), defs, skipIncludes);
      continue;
    }
    m = /^#\s*undef\s+(\w+)/.exec(line);
    if (m) {
      defs.delete(m[1]);
      continue;
    }
    m = /^#\s*define\s+(\w+)\s+(\w+)$/.exec(line);
    if (m && ERRNO_NAME.test(m[1])) defs.set(m[1], /^\d+$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return defs;
}

/** Checks that every number is defined once and every alias names a define of the same table. */
function validate(label, defs) {
  const seen = new Map();
  for (const [name, value] of defs) {
    if (typeof value === 'string') {
      if (typeof defs.get(value) !== 'number') throw new Error(`${label}: ${name} aliases ${value}`);
    } else if (seen.has(value)) {
      throw new Error(`${label}: ${name} and ${seen.get(value)} are both ${value}`);
    } else {
      seen.set(value, name);
    }
  }
}

const generic = readHeader(join(kernel, 'include', 'uapi', 'asm-generic', 'errno.h'));
validate('generic', generic);

const arches = {};
for (const arch of OWN_TABLE_ARCHES) {
  const defs = readHeader(join(kernel, 'arch', arch, 'include', 'uapi', 'asm', 'errno.h'));
  // parisc spells the number ECANCELLED and aliases ECANCELED to it; make the spelling every other
  // table (and glibc's errlist.h) uses the canonical one, so errnoName answers the same everywhere.
  for (const [name, value] of defs) {
    if (typeof value === 'string' && generic.has(name) && typeof generic.get(name) === 'number') {
      if (!generic.has(value) && typeof defs.get(value) === 'number') {
        defs.set(name, defs.get(value));
        defs.set(value, name);
      }
    }
  }
  validate(arch, defs);
  for (const name of generic.keys()) {
    if (!defs.has(name)) throw new Error(`${arch} lacks ${name}; the table format cannot express that`);
  }
  arches[arch] = [...defs].filter(([name, value]) => generic.get(name) !== value);
}

const internal = readHeader(join(kernel, 'include', 'linux', 'errno.h'), new Map(), ['uapi/linux/errno.h']);
validate('include/linux/errno.h', internal);

// glibc's text for each generic number, through python's os.strerror (which calls strerror(3)).
const genericNumbers = [...generic].filter(([, v]) => typeof v === 'number');
const python = `import json,os,platform,sys
nums=json.load(sys.stdin)
print(json.dumps({"libc":platform.libc_ver(),"machine":platform.machine(),"messages":[os.strerror(n) for n in nums]}))`;
const host = JSON.parse(
  execFileSync('python3', ['-c', python], {
    input: JSON.stringify(genericNumbers.map(([, n]) => n)),
    encoding: 'utf8',
  }),
);
if (host.libc[0] !== 'glibc') throw new Error(`need glibc for the messages, found ${host.libc.join(' ')}`);
const messages = new Map();
genericNumbers.forEach(([name], i) => {
  messages.set(name, host.messages[i]);
});
for (const [arch, entries] of Object.entries(arches)) {
  for (const [name, value] of entries) {
    // Only names that have a number here but not in the generic table need a decision.
    if (typeof value !== 'number' || typeof generic.get(name) === 'number') continue;
    if (!Object.hasOwn(ARCH_ONLY_GLIBC_MESSAGES, name)) {
      throw new Error(
        `${arch}: ${name} exists only there; add its glibc message to ARCH_ONLY_GLIBC_MESSAGES`,
      );
    }
    const text = ARCH_ONLY_GLIBC_MESSAGES[name];
    if (text !== null) messages.set(name, text);
  }
}

const version = execFileSync('make', ['-s', '-C', kernel, 'kernelversion'], { encoding: 'utf8' }).trim();
const q = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const value = (v) => (typeof v === 'number' ? String(v) : q(v));
const object = (entries, indent = '  ') =>
  `{\n${entries.map(([k, v]) => `${indent}${k}: ${value(v)},`).join('\n')}\n${indent.slice(2)}}`;

const out = `// Generated by packages/errno/scripts/gen-tables.mjs — do not edit; run the script again.
// Numbers: Linux ${version} include/uapi/asm-generic/errno{-base,}.h, include/linux/errno.h and
// arch/{${OWN_TABLE_ARCHES.join(',')}}/include/uapi/asm/errno.h.
// Messages: ${host.libc.join(' ')} strerror on ${host.machine}, read through python3 os.strerror.

/** A table: errno name → its number, or the name it is an alias of (\`#define EWOULDBLOCK EAGAIN\`). */
export type ErrnoDefines = Readonly<Record<string, number | string>>;

/** include/uapi/asm-generic/errno.h (which includes errno-base.h): every arch not listed below. */
export const GENERIC_ERRNO: ErrnoDefines = ${object([...generic])};

/** The entries of arch/<a>/include/uapi/asm/errno.h that differ from {@link GENERIC_ERRNO}. */
export const ARCH_ERRNO_OVERRIDES: Readonly<Record<string, ErrnoDefines>> = {
${Object.entries(arches)
  .map(([arch, entries]) => `  ${arch}: ${object(entries, '    ')},`)
  .join('\n')}
};

/** include/linux/errno.h: kernel-internal codes, the same on every architecture. */
export const KERNEL_INTERNAL_ERRNO: ErrnoDefines = ${object([...internal])};

/** glibc's bits/errno.h (sysdeps/unix/sysv/linux): names glibc adds on every Linux architecture. */
export const GLIBC_ERRNO_ALIASES: ErrnoDefines = {
  ENOTSUP: 'EOPNOTSUPP',
};

/** glibc's strerror text, keyed by canonical name. A name not listed has no glibc message. */
export const GLIBC_MESSAGES: Readonly<Record<string, string>> = ${object([...messages])};
`;
if (process.argv.includes('--check')) {
  if (readFileSync(outFile, 'utf8') !== out) {
    console.error(`${outFile} differs from what gen-tables.mjs generates; run it again`);
    process.exit(1);
  }
  console.log(`${outFile} is up to date`);
} else {
  writeFileSync(outFile, out);
  console.log(`wrote ${outFile}`);
}
