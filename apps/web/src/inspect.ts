import { type ElfError, isElfError, type KernelModule, readModule } from '@kmodkit/elf';
import { strerror } from '@kmodkit/errno';
import { loadDecompressors } from './decompress-shim.js';

/** What the page shows about one file: plain data, so it can be tested without a browser. */
export type Inspection =
  | {
      ok: true;
      fileName: string;
      fileSize: number;
      module: KernelModule;
      summary: Summary;
      problems: Problem[];
    }
  | { ok: false; fileName: string; fileSize: number; error: Problem };

/** A problem the kernel (or the reader) finds, with the errno a load would fail with. */
export interface Problem {
  code: string;
  /** The reader's message, without its "(at byte …)" tail: `offset` says where. */
  message: string;
  offset: number | undefined;
  /** 'ENOEXEC' */
  errno: string;
  /** 'Exec format error' */
  errnoText: string;
}

export interface SignatureSummary {
  idType: string;
  signer: string;
  /** The key id as kmod prints `sig_key` (one line: keys are under 20 bytes). */
  keyId: string;
  hashAlgorithm: string;
  algorithm: string;
}

/** The summary card's fields; each one that cannot be read (a broken part of the file) is undefined. */
export interface Summary {
  name: string | undefined;
  description: string | undefined;
  authors: string[];
  license: string | undefined;
  version: string | undefined;
  srcversion: string | undefined;
  vermagic: string | undefined;
  /** 'x86-64', 'arm64' …, or the e_machine name for one without a common name. */
  architecture: string;
  machineName: string;
  elfClass: 'ELF32' | 'ELF64';
  endian: 'little' | 'big';
  compression: KernelModule['compression'];
  /** The decompressed image's length, signature included. */
  imageSize: number;
  /** null: unsigned; a Problem: a signature block the kernel would refuse. */
  signature: SignatureSummary | Problem | null;
  depends: string[];
  softdeps: { pre: string[]; post: string[] };
  aliases: string[];
  importNs: string[];
  firmware: string[];
}

// Linux's own names for its architectures (arch/*), by e_machine.
const ARCH_NAMES: Record<string, string> = {
  EM_X86_64: 'x86-64',
  EM_386: 'i386',
  EM_AARCH64: 'arm64',
  EM_ARM: 'arm',
  EM_PPC64: 'powerpc64',
  EM_PPC: 'powerpc',
  EM_S390: 's390',
  EM_MIPS: 'mips',
  EM_RISCV: 'riscv',
  EM_LOONGARCH: 'loongarch',
  EM_SPARCV9: 'sparc64',
  EM_PARISC: 'parisc',
  EM_ALPHA: 'alpha',
  EM_SH: 'sh',
  EM_68K: 'm68k',
};

export function problemOf(err: ElfError): Problem {
  const tail = err.offset === undefined ? '' : ` (at byte 0x${err.offset.toString(16)})`;
  const message = tail && err.message.endsWith(tail) ? err.message.slice(0, -tail.length) : err.message;
  return { code: err.code, message, offset: err.offset, errno: err.errno, errnoText: strerror(err.errno) };
}

/** `f()`, or `fallback` when the part of the file it reads is broken (validate() lists why). */
function safely<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch (err) {
    if (isElfError(err)) return fallback;
    throw err;
  }
}

function hexKey(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

function signatureOf(module: KernelModule): SignatureSummary | Problem | null {
  try {
    const sig = module.signature;
    if (sig === null) return null;
    return {
      idType: sig.idType,
      signer: sig.signer,
      keyId: hexKey(sig.keyId),
      hashAlgorithm: sig.hashAlgorithm,
      algorithm: sig.algorithm,
    };
  } catch (err) {
    if (isElfError(err)) return problemOf(err);
    throw err;
  }
}

export function summarize(module: KernelModule): Summary {
  const machineName = module.machineName;
  const soft = safely(() => module.softdeps, { pre: [], post: [] });
  return {
    name: safely(() => module.name, undefined),
    description: safely(() => module.description, undefined),
    authors: safely(() => module.infoAll('author'), []),
    license: safely(() => module.license, undefined),
    version: safely(() => module.version, undefined),
    srcversion: safely(() => module.srcversion, undefined),
    vermagic: safely(() => module.vermagic, undefined),
    architecture: ARCH_NAMES[machineName] ?? machineName,
    machineName,
    elfClass: module.class,
    endian: module.endian,
    compression: module.compression,
    imageSize: module.bytes.length,
    signature: signatureOf(module),
    depends: [...safely(() => module.depends, [])],
    softdeps: { pre: [...soft.pre], post: [...soft.post] },
    aliases: [...safely(() => module.aliases, [])],
    importNs: [...safely(() => module.importNs, [])],
    firmware: [...safely(() => module.firmware, [])],
  };
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** Reads one file: decompresses it if needed (loading the decompressors first), then summarises it. */
export async function inspectFile(fileName: string, bytes: Uint8Array): Promise<Inspection> {
  const fileSize = bytes.length;
  if (!ELF_MAGIC.every((b, i) => bytes[i] === b)) await loadDecompressors();
  try {
    const module = readModule(bytes);
    const problems = module.validate().map(problemOf);
    return { ok: true, fileName, fileSize, module, summary: summarize(module), problems };
  } catch (err) {
    if (isElfError(err)) return { ok: false, fileName, fileSize, error: problemOf(err) };
    throw err;
  }
}
