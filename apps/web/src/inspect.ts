import { type ElfError, isElfError, type KernelModule, readModule } from '@kmodkit/elf';
import { strerror } from '@kmodkit/errno';

/** What the page shows about one file: plain data, so it can be tested without a browser. */
export type Inspection =
  | {
      ok: true;
      fileName: string;
      module: KernelModule;
      summary: Array<[string, string]>;
      problems: Problem[];
    }
  | { ok: false; fileName: string; error: Problem };

export interface Problem {
  code: string;
  message: string;
  offset: number | undefined;
  /** What the kernel would answer, e.g. 'ENOEXEC (Exec format error)'. */
  errno: string;
}

function problemOf(err: ElfError): Problem {
  return {
    code: err.code,
    message: err.message,
    offset: err.offset,
    errno: `${err.errno} (${strerror(err.errno)})`,
  };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

export function inspectFile(fileName: string, bytes: Uint8Array): Inspection {
  try {
    const module = readModule(bytes);
    const sig = module.signature;
    const summary: Array<[string, string]> = [
      ['name', module.name ?? '(none)'],
      ['vermagic', module.vermagic ?? '(none)'],
      ['license', module.license ?? '(none)'],
      ['machine', `${module.machineName} (${module.class}, ${module.endian}-endian)`],
      ['compression', module.compression],
      ['size', `${module.bytes.length} bytes`],
      ['depends', module.depends.join(', ') || '(none)'],
      [
        'signature',
        sig ? `${sig.idType} by ${sig.signer}, ${sig.hashAlgorithm}, key ${hex(sig.keyId)}` : 'unsigned',
      ],
    ];
    return { ok: true, fileName, module, summary, problems: module.validate().map(problemOf) };
  } catch (err) {
    if (isElfError(err)) return { ok: false, fileName, error: problemOf(err) };
    throw err;
  }
}
