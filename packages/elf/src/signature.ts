/**
 * The appended module signature: `~Module signature appended~\n` at the very end, `struct
 * module_signature` before it, and the signature data before that (kernel
 * `include/linux/module_signature.h`, `kernel/module_signature.c: mod_check_sig`,
 * `kernel/module/signing.c: mod_verify_sig`; kmod 30 `libkmod/libkmod-signature.c`).
 *
 * Exports (for readModule and the CLI):
 *   readSignature(image: Uint8Array, options?: { rules?: 'kernel' | 'kmod' }):
 *     { signature: ModuleSignature | null; contentLength: number }
 *   interface ModuleSignature { idType; signer; keyId; hashAlgorithm; algorithm; signature; offset; length }
 *   MODULE_SIG_STRING = '~Module signature appended~\n'
 * Problems are ElfError with codes SIGNATURE_TRUNCATED, SIGNATURE_BAD_LENGTH, SIGNATURE_BAD_ID_TYPE,
 * SIGNATURE_BAD_PARAMS, SIGNATURE_BAD_PKCS7, SIGNATURE_UNSUPPORTED, each with the offset and the
 * errno the kernel would give (EBADMSG; ENOPKG for a type the kernel does not know).
 */
import * as asn1js from 'asn1js';
import { ByteReader } from './byte-reader.js';
import { type ElfByteErrorCode, type ElfErrno, ElfError } from './error.js';

/** `MODULE_SIG_STRING` (include/linux/module_signature.h), 28 bytes. */
export const MODULE_SIG_STRING = '~Module signature appended~\n';
const SIG_MAGIC = new TextEncoder().encode(MODULE_SIG_STRING);
/** sizeof(struct module_signature): algo, hash, id_type, signer_len, key_id_len, __pad[3], sig_len. */
const MODULE_SIGNATURE_SIZE = 12;

/** `enum pkey_id_type` and the names kmod prints as `sig_id` (libkmod-signature.c: pkey_id_type). */
const PKEY_ID_PGP = 0;
const PKEY_ID_X509 = 1;
const PKEY_ID_PKCS7 = 2;
const PKEY_ID_TYPE_NAMES = {
  [PKEY_ID_PGP]: 'PGP',
  [PKEY_ID_X509]: 'X509',
  [PKEY_ID_PKCS7]: 'PKCS#7',
} as const;

/** `enum pkey_algo` as in kmod's table (DSA, RSA), in the kernel's lower-case spelling. */
const PKEY_ALGO_NAMES = ['dsa', 'rsa'] as const;
/** `enum pkey_hash_algo`, the names kmod prints as `sig_hashalgo` (libkmod-signature.c: pkey_hash_algo). */
const PKEY_HASH_ALGO_NAMES = [
  'md4',
  'md5',
  'sha1',
  'rmd160',
  'sha256',
  'sha384',
  'sha512',
  'sha224',
  'sm3',
] as const;

/** Digest OIDs that kmod maps to a name (libkmod-signature.c: obj_to_hash_algo). */
const HASH_ALGORITHM_OIDS: Record<string, string> = {
  '1.2.840.113549.2.4': 'md4',
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '1.3.36.3.2.1': 'rmd160',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '1.2.156.10197.1.401': 'sm3',
};

/**
 * Signature algorithm OIDs of a SignerInfo, named as the kernel's public_key subtypes are
 * (crypto/asymmetric_keys/pkcs7_parser.c: pkcs7_sig_note_pkey_algo).
 */
const SIGNATURE_ALGORITHM_OIDS: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'rsa', // rsaEncryption
  '1.2.840.113549.1.1.4': 'rsa', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'rsa', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.11': 'rsa', // sha256WithRSAEncryption
  '1.2.840.113549.1.1.12': 'rsa', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'rsa', // sha512WithRSAEncryption
  '1.2.840.113549.1.1.14': 'rsa', // sha224WithRSAEncryption
  '1.2.840.10045.2.1': 'ecdsa', // id-ecPublicKey
  '1.2.840.10045.4.1': 'ecdsa', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'ecdsa',
  '1.2.840.10045.4.3.2': 'ecdsa',
  '1.2.840.10045.4.3.3': 'ecdsa',
  '1.2.840.10045.4.3.4': 'ecdsa',
  '1.2.840.10040.4.1': 'dsa',
  '1.2.156.10197.1.501': 'sm2', // sm2-with-sm3
  '1.2.643.7.1.1.1.1': 'ecrdsa', // GOST R 34.10-2012 256
  '1.2.643.7.1.1.1.2': 'ecrdsa', // GOST R 34.10-2012 512
};

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_COMMON_NAME = '2.5.4.3';

/**
 * A module's appended signature, with the values kmod 30's modinfo shows (`sig_id`, `signer`,
 * `sig_key`, `sig_hashalgo`, `signature`), raw: the CLI formats them.
 */
export interface ModuleSignature {
  /** `sig_id` as kmod prints it: 'PKCS#7' for every signature a 6.1 kernel accepts. */
  idType: 'PGP' | 'X509' | 'PKCS#7';
  /**
   * `signer`. PKCS#7: the common name of the SignerInfo's *issuer* (kmod's x509_name_to_str; the
   * same as the subject for the kernel's self-signed signing keys). PGP/X509: the signer_len bytes.
   */
  signer: string;
  /** `sig_key`. PKCS#7: the issuer serial number as unsigned big-endian, no leading zero bytes. */
  keyId: Uint8Array;
  /** `sig_hashalgo`: 'sha256' …, kmod's names; 'unknown' for a digest kmod has no name for. */
  hashAlgorithm: string;
  /** The public-key algorithm: 'rsa', 'ecdsa' … (kmod does not print it). */
  algorithm: string;
  /** `signature`: PKCS#7: the SignerInfo's encrypted digest; PGP/X509: the sig_len bytes. */
  signature: Uint8Array;
  /** Where the appended signature data (PKCS#7 message, or signer name for PGP/X509) starts. */
  offset: number;
  /** Its length: everything between the module and `struct module_signature`. */
  length: number;
}

function fail(code: ElfByteErrorCode, message: string, offset: number, errno: ElfErrno = 'EBADMSG'): never {
  throw new ElfError(code, `module signature: ${message}`, { offset, errno });
}

function endsWithMagic(image: Uint8Array): boolean {
  const start = image.length - SIG_MAGIC.length;
  if (start < 0) return false;
  for (let i = 0; i < SIG_MAGIC.length; i++) if (image[start + i] !== SIG_MAGIC[i]) return false;
  return true;
}

export interface ReadSignatureOptions {
  /**
   * Whose checks decide what is a valid trailer. 'kernel' (default): `mod_check_sig`, and problems
   * throw ElfError. 'kmod': exactly what kmod 30's `kmod_module_signature_info` accepts, and anything
   * it rejects gives `signature: null` (modinfo then prints no signature fields) instead of throwing —
   * for printing what `modinfo` prints.
   */
  rules?: 'kernel' | 'kmod';
  /**
   * Reuse the parse of an earlier message signed with the same key (about 40 times faster over a
   * tree of modules signed by one key; exact, see readPkcs7). Made by `createSignatureCache()`.
   */
  cache?: SignatureCache;
}

/**
 * Finds and parses the signature appended to a (decompressed) module image. `contentLength` is the
 * length of the module without it: the part the signature covers and the ELF reader should see.
 * An image without the trailer gives `{ signature: null, contentLength: image.length }`.
 *
 * With the default 'kernel' rules, validation is the kernel's `mod_check_sig` (PKCS#7 needs algo,
 * hash, signer_len, key_id_len and padding all zero, and the signature must leave some module before
 * it), plus kmod's table-range checks for PGP and X.509 ids, which kmod can display but the 6.1
 * kernel refuses (ENOPKG).
 */
export function readSignature(
  image: Uint8Array,
  options: ReadSignatureOptions = {},
): { signature: ModuleSignature | null; contentLength: number } {
  if (options.rules !== 'kmod') return parseSignature(image, false, options.cache);
  try {
    return parseSignature(image, true, options.cache);
  } catch (e) {
    // kmod_module_signature_info returns false: no signature to show.
    if (e instanceof ElfError) return { signature: null, contentLength: image.length };
    throw e;
  }
}

function parseSignature(
  image: Uint8Array,
  kmodRules: boolean,
  cache: SignatureCache | undefined,
): { signature: ModuleSignature | null; contentLength: number } {
  if (!endsWithMagic(image)) return { signature: null, contentLength: image.length };
  const magicAt = image.length - SIG_MAGIC.length;
  if (magicAt < MODULE_SIGNATURE_SIZE) {
    fail('SIGNATURE_TRUNCATED', 'the trailer has no room for struct module_signature', 0);
  }
  const ms = magicAt - MODULE_SIGNATURE_SIZE;
  const r = new ByteReader(image, false);
  const algo = r.u8(ms);
  const hash = r.u8(ms + 1);
  const idType = r.u8(ms + 2);
  const signerLen = r.u8(ms + 3);
  const keyIdLen = r.u8(ms + 4);
  const sigLen = r.u32(ms + 8);
  if (idType !== PKEY_ID_PGP && idType !== PKEY_ID_X509 && idType !== PKEY_ID_PKCS7) {
    fail('SIGNATURE_BAD_ID_TYPE', `unknown id_type ${idType}`, ms + 2, 'ENOPKG');
  }
  const dataLength = signerLen + keyIdLen + sigLen;
  // mod_check_sig: sig_len >= file_len - sizeof(*ms) is EBADMSG, i.e. no module byte would be left;
  // kmod only needs the data to fit.
  if (sigLen === 0 || dataLength > ms || (dataLength === ms && !kmodRules)) {
    fail('SIGNATURE_BAD_LENGTH', `sig_len ${sigLen} does not fit the ${image.length}-byte image`, ms + 8);
  }
  // kmod checks the algo and hash table ranges for every id type; the kernel wants zeros for PKCS#7.
  const outOfTable = algo >= PKEY_ALGO_NAMES.length || hash >= PKEY_HASH_ALGO_NAMES.length;
  const offset = ms - dataLength;
  const sigStart = ms - sigLen;
  if (idType === PKEY_ID_PKCS7) {
    const nonZero = algo || hash || signerLen || keyIdLen || image[ms + 5] || image[ms + 6] || image[ms + 7];
    if (kmodRules ? outOfTable : nonZero) {
      fail('SIGNATURE_BAD_PARAMS', 'PKCS#7 signature info has unexpected non-zero params', ms);
    }
    // libkmod-signature.c: fill_pkcs7 reads sig_len bytes before the struct, whatever the other lengths.
    const info = readPkcs7(image.subarray(sigStart, ms), sigStart, cache);
    return { signature: { idType: 'PKCS#7', ...info, offset, length: dataLength }, contentLength: offset };
  }
  if (outOfTable) fail('SIGNATURE_BAD_PARAMS', `unknown algo ${algo} or hash ${hash}`, ms);
  // libkmod-signature.c: fill_default — signer name, key id and signature, back to back.
  const keyIdStart = sigStart - keyIdLen;
  const signature: ModuleSignature = {
    idType: PKEY_ID_TYPE_NAMES[idType],
    signer: decodeCString(image.subarray(offset, keyIdStart)),
    keyId: image.subarray(keyIdStart, sigStart),
    hashAlgorithm: PKEY_HASH_ALGO_NAMES[hash]!,
    algorithm: PKEY_ALGO_NAMES[algo]!,
    signature: image.subarray(sigStart, ms),
    offset,
    length: dataLength,
  };
  return { signature, contentLength: offset };
}

/** Bytes up to the first NUL as text, as kmod prints a C string (invalid UTF-8 becomes U+FFFD). */
function decodeCString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
}

type Pkcs7Fields = Pick<ModuleSignature, 'signer' | 'keyId' | 'hashAlgorithm' | 'algorithm' | 'signature'>;

/** ASN.1 universal tag numbers used below. */
const TAG_INTEGER = 2;
const TAG_OCTET_STRING = 4;
const TAG_OID = 6;
const TAG_SEQUENCE = 16;
const TAG_SET = 17;
const CLASS_UNIVERSAL = 1;
const CLASS_CONTEXT = 3;

/** A PKCS#7 message parsed before, and where in it the signature's content octets lie. */
export interface ParsedPkcs7 {
  readonly blob: Uint8Array;
  readonly fields: Pkcs7Fields;
  readonly sigStart: number;
  readonly sigEnd: number;
}

/**
 * PKCS#7 messages parsed before, for `readSignature`'s `cache` option: the caller owns it (one for a
 * walk over a tree, dropped with it); nothing is kept between calls without one.
 */
export interface SignatureCache {
  /** The messages parsed last, most recent first (a few signing keys at most in one tree). */
  readonly recent: ParsedPkcs7[];
}

const RECENT_MAX = 4;

/** An empty {@link SignatureCache}. */
export function createSignatureCache(): SignatureCache {
  return { recent: [] };
}

/**
 * Reads what kmod's fill_pkcs7 reads from the CMS SignedData (RFC 5652 5.1, 5.3): the first
 * SignerInfo's issuerAndSerialNumber, digestAlgorithm, signatureAlgorithm and signature.
 *
 * Every module signed with one key carries the same message but for the signature's content octets
 * (sign-file adds no signed attributes or certificates). Content octets of a primitive OCTET STRING
 * are opaque to the parser, so a message equal to one parsed before in every other byte has the
 * same structure and fields: only the signature is taken anew. This is exact, not a guess, and it
 * saves asn1js's work (about 0.14 ms a message) for all but the first module of a tree.
 */
function readPkcs7(blob: Uint8Array, at: number, cache: SignatureCache | undefined): Pkcs7Fields {
  if (cache === undefined) {
    const fields = parsePkcs7(blob, at);
    return { ...fields, keyId: fields.keyId.slice(), signature: fields.signature.slice() };
  }
  const recent = cache.recent;
  for (const [i, seen] of recent.entries()) {
    if (!sameOutside(seen, blob)) continue;
    if (i > 0) recent.unshift(...recent.splice(i, 1));
    return {
      ...seen.fields,
      keyId: seen.fields.keyId.slice(),
      signature: blob.slice(seen.sigStart, seen.sigEnd),
    };
  }
  const fields = parsePkcs7(blob, at);
  const view = fields.signature;
  const sigStart = view.byteOffset - blob.byteOffset;
  if (view.buffer === blob.buffer && sigStart >= 0 && sigStart + view.length <= blob.length) {
    recent.unshift({ blob: blob.slice(), fields, sigStart, sigEnd: sigStart + view.length });
    recent.length = Math.min(recent.length, RECENT_MAX);
  }
  return { ...fields, keyId: fields.keyId.slice(), signature: view.slice() };
}

/** Whether `blob` equals `seen.blob` in every byte outside the signature's content octets. */
function sameOutside(seen: ParsedPkcs7, blob: Uint8Array): boolean {
  const a = seen.blob;
  if (a.length !== blob.length) return false;
  for (let i = a.length - 1; i >= seen.sigEnd; i--) if (a[i] !== blob[i]) return false;
  for (let i = 0; i < seen.sigStart; i++) if (a[i] !== blob[i]) return false;
  return true;
}

/** The fields of a message, parsed by asn1js; `signature` is a view into `blob`. */
function parsePkcs7(blob: Uint8Array, at: number): Pkcs7Fields {
  const bad = (what: string): never => fail('SIGNATURE_BAD_PKCS7', `PKCS#7 message: ${what}`, at);
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(blob, { copyInput: false });
  } catch (e) {
    // asn1js throws its own errors for some malformed values (e.g. a UniversalString whose length
    // is not a multiple of 4).
    throw new ElfError('SIGNATURE_BAD_PKCS7', `module signature: PKCS#7 message: ${(e as Error).message}`, {
      offset: at,
      errno: 'EBADMSG',
      cause: e,
    });
  }
  if (parsed.offset === -1) bad(parsed.result.error || 'not DER');
  const node = (
    b: asn1js.AsnType | undefined,
    tagClass: number,
    tag: number,
    what: string,
  ): asn1js.AsnType => {
    if (b?.idBlock?.tagClass !== tagClass || b.idBlock.tagNumber !== tag) bad(`expected ${what}`);
    return b!;
  };
  const items = (b: asn1js.AsnType | undefined): asn1js.AsnType[] => {
    const v = (b as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
    return Array.isArray(v) ? (v as asn1js.AsnType[]) : bad('expected a constructed value');
  };
  const oid = (b: asn1js.AsnType | undefined, what: string): string => {
    const o = node(b, CLASS_UNIVERSAL, TAG_OID, what);
    return o instanceof asn1js.ObjectIdentifier ? o.valueBlock.toString() : bad(`expected ${what}`);
  };
  const bytes = (b: asn1js.AsnType | undefined): Uint8Array => rawBytes(b, bad);

  const contentInfo = items(node(parsed.result, CLASS_UNIVERSAL, TAG_SEQUENCE, 'ContentInfo'));
  if (oid(contentInfo[0], 'contentType') !== OID_SIGNED_DATA) bad('not SignedData');
  const signedData = items(
    node(
      items(node(contentInfo[1], CLASS_CONTEXT, 0, '[0] content'))[0],
      CLASS_UNIVERSAL,
      TAG_SEQUENCE,
      'SignedData',
    ),
  );
  const signerInfos = items(node(signedData[signedData.length - 1], CLASS_UNIVERSAL, TAG_SET, 'signerInfos'));
  const signerInfo = items(node(signerInfos[0], CLASS_UNIVERSAL, TAG_SEQUENCE, 'a SignerInfo'));
  const sid = signerInfo[1];
  if (sid?.idBlock.tagClass === CLASS_CONTEXT) {
    // CMS signerIdentifier [0] subjectKeyIdentifier (sign-file -k): the kernel accepts it, but kmod
    // parses with d2i_PKCS7, which fails on it, and so shows no signature fields at all.
    fail('SIGNATURE_UNSUPPORTED', 'signer given by subjectKeyIdentifier, which kmod cannot show', at);
  }
  const [issuer, serial] = items(node(sid, CLASS_UNIVERSAL, TAG_SEQUENCE, 'issuerAndSerialNumber'));
  const digestAlgorithm = oid(
    items(node(signerInfo[2], CLASS_UNIVERSAL, TAG_SEQUENCE, 'digestAlgorithm'))[0],
    'digest OID',
  );
  // signedAttrs [0] IMPLICIT is optional between digestAlgorithm and signatureAlgorithm.
  const rest = signerInfo[3]?.idBlock.tagClass === CLASS_CONTEXT ? signerInfo.slice(4) : signerInfo.slice(3);
  const signatureAlgorithm = oid(
    items(node(rest[0], CLASS_UNIVERSAL, TAG_SEQUENCE, 'signatureAlgorithm'))[0],
    'signature OID',
  );
  const signature = bytes(node(rest[1], CLASS_UNIVERSAL, TAG_OCTET_STRING, 'signature'));
  return {
    signer: commonName(items(node(issuer, CLASS_UNIVERSAL, TAG_SEQUENCE, 'issuer Name')), items, bad),
    keyId: serialMagnitude(bytes(node(serial, CLASS_UNIVERSAL, TAG_INTEGER, 'serialNumber'))),
    hashAlgorithm: HASH_ALGORITHM_OIDS[digestAlgorithm] ?? 'unknown',
    algorithm: SIGNATURE_ALGORITHM_OIDS[signatureAlgorithm] ?? signatureAlgorithm,
    signature,
  };
}

/**
 * kmod's x509_name_to_str: the first commonName of the Name, in entry order. Quirk kept: with no
 * commonName, the loop ends on the last entry and kmod prints *its* value; an empty Name gives ''.
 * The value is the string's raw bytes as a C string (so a BMPString prints as kmod shows it).
 */
function commonName(
  rdns: asn1js.AsnType[],
  items: (b: asn1js.AsnType | undefined) => asn1js.AsnType[],
  bad: (what: string) => never,
): string {
  let last: asn1js.AsnType | undefined;
  for (const rdn of rdns) {
    for (const entry of items(rdn)) {
      const [type, value] = items(entry);
      if (!(type instanceof asn1js.ObjectIdentifier) || value === undefined) bad('bad Name entry');
      last = value;
      if (type.valueBlock.toString() === OID_COMMON_NAME) return decodeCString(rawBytes(value, bad));
    }
  }
  return last === undefined ? '' : decodeCString(rawBytes(last, bad));
}

/** The content octets of a primitive value (string, INTEGER, OCTET STRING) as a view. */
function rawBytes(b: asn1js.AsnType | undefined, bad: (what: string) => never): Uint8Array {
  const view = (b as { valueBlock?: { valueHexView?: unknown } } | undefined)?.valueBlock?.valueHexView;
  return view instanceof Uint8Array ? view : bad('expected a primitive value');
}

/**
 * The serial number as OpenSSL's ASN1_INTEGER_to_BN + BN_bn2bin give it: the magnitude, big-endian,
 * without leading zeros (zero is no bytes). DER INTEGERs are two's complement, so a negative serial
 * is negated first.
 */
function serialMagnitude(der: Uint8Array): Uint8Array {
  let bytes = der;
  if (bytes.length > 0 && bytes[0]! & 0x80) {
    const neg = new Uint8Array(bytes.length);
    let carry = 1;
    for (let i = bytes.length - 1; i >= 0; i--) {
      const v = (~bytes[i]! & 0xff) + carry;
      neg[i] = v & 0xff;
      carry = v >> 8;
    }
    bytes = neg;
  }
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.slice(start);
}
