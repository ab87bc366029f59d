/**
 * `kmodkit modinfo --json`: one JSON object per module, on one line, with a fixed field order
 * (documented in the README as the stable schema). kmod has no JSON output; this is an addition.
 */
import { isElfError, type KernelModule } from '@kmodkit/elf';
import type { SignatureFields } from './modinfo-format.js';

/** Why a module could not be read: what the JSON `error` object holds. */
export interface JsonFailure {
  readonly errno: string;
  readonly code: string;
  readonly message: string;
  readonly offset?: number;
}

const plainHex = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
const hex = (crc: bigint | undefined) =>
  crc === undefined ? null : `0x${crc.toString(16).padStart(8, '0')}`;

/** The JSON line for a module that opened; a problem found while decoding it gives the error line instead. */
export function jsonModule(
  filename: string,
  module: KernelModule,
  signature: SignatureFields | null,
): string {
  try {
    return `${JSON.stringify({
      filename,
      name: module.name ?? null,
      compression: module.compression,
      class: module.class,
      endian: module.endian,
      machine: module.machineName,
      vermagic: module.vermagic ?? null,
      modinfo: module.modinfo.map(({ key, value }) => ({ key, value })),
      params: module.params.map((p) => ({
        name: p.name,
        type: p.type,
        elementType: p.elementType ?? null,
        maxLength: p.maxLength ?? null,
        perm: p.perm === 0 ? '0' : `0${p.perm.toString(8)}`,
        description: p.description ?? null,
        parmtype: p.parmtype ?? null,
      })),
      exports: module.exports.map((e) => ({
        name: e.name,
        gpl: e.gpl,
        namespace: e.namespace ?? null,
        crc: hex(e.crc),
      })),
      imports: module.imports.map((i) => ({ name: i.name, weak: i.weak, crc: hex(i.crc) })),
      signature:
        signature === null
          ? null
          : {
              idType: signature.idType,
              signer: signature.signer,
              keyId: plainHex(signature.keyId),
              hashAlgorithm: signature.hashAlgorithm,
              signature: plainHex(signature.signature),
            },
    })}\n`;
  } catch (e) {
    if (!isElfError(e)) throw e;
    const failure: JsonFailure = { errno: e.errno, code: e.code, message: e.message };
    return jsonError(filename, e.offset === undefined ? failure : { ...failure, offset: e.offset });
  }
}

/** The JSON line for a module that could not be read: `{ filename, error: { code, errno, message, offset } }`. */
export function jsonError(filename: string, failure: JsonFailure): string {
  return `${JSON.stringify({
    filename,
    error: {
      code: failure.code,
      errno: failure.errno,
      message: failure.message,
      offset: failure.offset ?? null,
    },
  })}\n`;
}

/** A built-in module: no file, so only its name and `modules.builtin.modinfo` strings. */
export function jsonBuiltin(name: string, modinfo: readonly { key: string; value: string }[]): string {
  return `${JSON.stringify({ filename: '(builtin)', name, builtin: true, modinfo })}\n`;
}
