import { errnoNumber, strerror } from '@kmodkit/errno';

/** The codes that point at bytes of the image: an ElfError with one of these always has an `offset`. */
export type ElfByteErrorCode =
  | 'NOT_ELF'
  | 'BAD_CLASS'
  | 'BAD_DATA_ENCODING'
  | 'TRUNCATED_HEADER'
  | 'OUT_OF_BOUNDS'
  | 'NOT_RELOCATABLE'
  | 'WRONG_MACHINE'
  | 'BAD_SHENTSIZE'
  | 'SECTION_HEADERS_OUT_OF_BOUNDS'
  | 'BAD_SHSTRNDX'
  | 'EMPTY_SHSTRTAB'
  | 'SHSTRTAB_NOT_TERMINATED'
  | 'BAD_SECTION_ZERO'
  | 'BAD_SECTION_NAME'
  | 'BAD_SYMTAB_LINK'
  | 'SECTION_OUT_OF_BOUNDS'
  | 'BAD_STRING_OFFSET'
  | 'BAD_SYMBOL_INDEX'
  | 'BAD_XINDEX'
  | 'NOT_RELOCATIONS'
  | 'BAD_RELOCATION_OFFSET'
  | 'BAD_KSYMTAB'
  | 'BAD_PARAM'
  | 'BAD_VERSIONS'
  | 'BAD_THIS_MODULE_SIZE'
  | 'WRITABLE_EXEC_SECTION'
  | 'COMMON_SYMBOL'
  | 'SIGNATURE_TRUNCATED'
  | 'SIGNATURE_BAD_ID_TYPE'
  | 'SIGNATURE_BAD_LENGTH'
  | 'SIGNATURE_BAD_PARAMS'
  | 'SIGNATURE_BAD_PKCS7'
  | 'SIGNATURE_UNSUPPORTED'
  | 'DECOMPRESS_CORRUPT'
  | 'DECOMPRESS_TRUNCATED'
  | 'DECOMPRESS_UNSUPPORTED'
  | 'DECOMPRESS_CHECK'
  | 'DECOMPRESS_TOO_LARGE';

/**
 * The codes of problems that are not at a byte: something missing (no symbol table, no
 * `.gnu.linkonce.this_module`, no vermagic, a 2.4 module without it), a section index given by the
 * caller or reached through a relocation (BAD_SECTION_INDEX, offset when the index was read from
 * a header field), and the caller's own `decompress` option failing.
 */
export type ElfPlainErrorCode =
  | 'BAD_SECTION_INDEX'
  | 'NO_SYMBOL_TABLE'
  | 'NO_THIS_MODULE'
  | 'LINUX_2_4_MODULE'
  | 'NO_VERMAGIC'
  | 'DECOMPRESS_FAILED';

/** Every `ElfError.code`. */
export type ElfErrorCode = ElfByteErrorCode | ElfPlainErrorCode;

/**
 * The errno names an ElfError carries: ENOEXEC for a malformed ELF or compressed image, EBADMSG
 * and ENOPKG for a signature the kernel's mod_verify_sig / pkcs7 parser refuses.
 */
export type ElfErrno = 'ENOEXEC' | 'EBADMSG' | 'ENOPKG';

/**
 * The one error class of @kmodkit/elf. Every structural problem found in a module image is an
 * `ElfError` with a stable `code`, the byte `offset` it concerns (when there is one) and the errno
 * name the kernel would have returned for it (`kernel/module/main.c` answers `-ENOEXEC` for almost
 * every malformed-ELF case, hence the default).
 */
export interface ElfErrorOptions {
  /** Byte offset in the (decompressed) image that the problem concerns. */
  offset?: number;
  /** Kernel errno name. Defaults to 'ENOEXEC'. */
  errno?: ElfErrno;
  /** The underlying error, if any (e.g. from a decompression library). */
  cause?: unknown;
}

export class ElfError extends Error {
  override readonly name = 'ElfError';
  /** Stable machine-readable code, e.g. 'NOT_ELF', 'SECTION_OUT_OF_BOUNDS'. */
  readonly code: ElfErrorCode;
  /** Byte offset in the image the problem concerns, when known. */
  readonly offset: number | undefined;
  /** The errno name the kernel would return for this problem. */
  readonly errno: ElfErrno;

  // A code about bytes needs their offset: the overloads make a throw site without one a type error.
  constructor(code: ElfByteErrorCode, message: string, options: ElfErrorOptions & { offset: number });
  constructor(code: ElfPlainErrorCode, message: string, options?: ElfErrorOptions);
  constructor(code: ElfErrorCode, message: string, options: ElfErrorOptions = {}) {
    const where = options.offset === undefined ? '' : ` (at byte 0x${options.offset.toString(16)})`;
    super(message + where, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.offset = options.offset;
    this.errno = options.errno ?? 'ENOEXEC';
  }

  /** The errno's number (generic Linux table: ENOEXEC is 8), as `init_module(2)` returns it negated. */
  get errnoNumber(): number | undefined {
    return errnoNumber(this.errno);
  }

  /** The errno's glibc text, e.g. 'Exec format error' for ENOEXEC. */
  get errnoMessage(): string | undefined {
    return errnoNumber(this.errno) === undefined ? undefined : strerror(this.errno);
  }
}

/** True if `e` is an {@link ElfError} (works across bundled copies of the package). */
export function isElfError(e: unknown): e is ElfError {
  return e instanceof ElfError || (e instanceof Error && e.name === 'ElfError' && 'code' in e);
}
