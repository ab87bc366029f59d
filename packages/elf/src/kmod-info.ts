/**
 * kmod 30's info list of a module (`libkmod-module.c: kmod_module_get_info`): the `.modinfo` strings as
 * stored, then the signature's fields, with keys and signatures in kmod's hex (`kmod_module_hex_to_str`).
 * What `modinfo` prints, before its formatting. Browser-safe.
 */
import type { ModuleSignature } from './signature.js';

/** One entry of kmod's info list: a `.modinfo` `key=value` string, or a signature field. */
export interface KmodInfoEntry {
  readonly key: string;
  readonly value: string;
}

/** The signature fields kmod adds after the `.modinfo` strings (a {@link ModuleSignature} has them). */
export type KmodSignatureFields = Pick<
  ModuleSignature,
  'idType' | 'signer' | 'keyId' | 'hashAlgorithm' | 'signature'
>;

const HEX_CHARS = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));
const LINE_BREAK = Array.from(':\n\t\t', (c) => c.charCodeAt(0));
const COLON = 0x3a;
const latin1 = new TextDecoder('latin1');

/**
 * Bytes as kmod shows keys and signatures: `01:AB:…`, uppercase, with a line break and two tabs after
 * every 20th byte (`libkmod-module.c: kmod_module_hex_to_str`, line_limit 20). The break is part of
 * the value, so `-F signature` prints it too. Built as ASCII bytes and decoded once: a 512-byte
 * signature is one string, not 512 joined ones.
 */
export function kmodHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return '';
  const out = new Uint8Array(3 * n + 3 * Math.floor((n - 1) / 20));
  let o = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    out[o++] = HEX_CHARS[b >> 4]!;
    out[o++] = HEX_CHARS[b & 15]!;
    if (i === n - 1) break;
    if ((i + 1) % 20 === 0) {
      for (const c of LINE_BREAK) out[o++] = c;
    } else {
      out[o++] = COLON;
    }
  }
  return latin1.decode(out.subarray(0, o));
}

/** kmod's info list: `.modinfo` entries as stored, then `sig_id`, `signer`, `sig_key`, `sig_hashalgo`, `signature`. */
export function kmodInfoList(
  modinfo: readonly KmodInfoEntry[],
  signature: KmodSignatureFields | null,
): KmodInfoEntry[] {
  const list: KmodInfoEntry[] = modinfo.slice();
  if (signature !== null) {
    list.push(
      { key: 'sig_id', value: signature.idType },
      { key: 'signer', value: signature.signer },
      { key: 'sig_key', value: kmodHex(signature.keyId) },
      { key: 'sig_hashalgo', value: signature.hashAlgorithm },
      { key: 'signature', value: kmodHex(signature.signature) },
    );
  }
  return list;
}
