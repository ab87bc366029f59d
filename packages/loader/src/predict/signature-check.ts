import { isElfError, MODULE_SIG_STRING, type ModuleSignature, readSignature } from '@kmodkit/elf';
import type { Findings } from './findings.js';
import type { LoadTarget } from './target.js';

const MARKER = new TextEncoder().encode(MODULE_SIG_STRING);
/** sizeof(struct module_signature) (include/linux/module_signature.h). */
const MODULE_SIGNATURE_SIZE = 12;
const PKEY_ID_PKCS7 = 2;

/** What module_sig_check leaves for the later steps. */
export interface SignatureOutcome {
  /** info->len after the signature is cut off: the bytes elf_validity_check sees. */
  readonly length: number;
  /** info->sig_ok; undefined when it depends on a check this cannot make offline. */
  readonly sigOk: boolean | undefined;
}

function endsWithMarker(bytes: Uint8Array): boolean {
  if (bytes.length <= MARKER.length) return false;
  const at = bytes.length - MARKER.length;
  return MARKER.every((b, i) => bytes[at + i] === b);
}

/**
 * kernel/module/signing.c module_sig_check with mod_verify_sig and kernel/module_signature.c
 * mod_check_sig. Unsigned, an unsupported signature type (ENOPKG) and an untrusted key (ENOKEY) are
 * refused only when signatures are enforced (EKEYREJECTED) or under lockdown (EPERM); every other
 * problem of a signature is fatal even when not enforced. The PKCS#7 digest itself cannot be checked
 * without the kernel's keys: a signature by a trusted (or unknown) key is reported `unknown`.
 */
export function checkSignature(
  bytes: Uint8Array,
  target: LoadTarget,
  f: Findings,
  mangled = false,
): SignatureOutcome {
  const check = 'signature';
  if (target.moduleSig === false) {
    f.ok(check, 'the kernel does not check module signatures (CONFIG_MODULE_SIG is off)');
    return { length: bytes.length, sigOk: true };
  }
  let reason: string | undefined;
  let length = bytes.length;
  if (!mangled && endsWithMarker(bytes)) {
    // mod_verify_sig works on info->len without the marker.
    const modlen = bytes.length - MARKER.length;
    length = modlen;
    if (modlen <= MODULE_SIGNATURE_SIZE) {
      f.fail(check, 'EBADMSG', 'the signature trailer has no room for struct module_signature', {
        silent: true,
      });
      return { length, sigOk: false };
    }
    const ms = modlen - MODULE_SIGNATURE_SIZE;
    const view = new DataView(bytes.buffer, bytes.byteOffset + ms, MODULE_SIGNATURE_SIZE);
    const sigLen = view.getUint32(8, false);
    if (sigLen >= modlen - MODULE_SIGNATURE_SIZE) {
      f.fail(check, 'EBADMSG', `the signature length ${sigLen} does not fit the module`, { silent: true });
      return { length, sigOk: false };
    }
    const name = 'module';
    if (view.getUint8(2) !== PKEY_ID_PKCS7) {
      f.warn(check, `${name}: not signed with expected PKCS#7 message`);
      reason = 'module with unsupported crypto';
    } else if ([0, 1, 3, 4, 5, 6, 7].some((i) => view.getUint8(i) !== 0)) {
      f.fail(check, 'EBADMSG', `${name}: PKCS#7 signature info has unexpected non-zero params`);
      return { length, sigOk: false };
    } else {
      length = ms - sigLen;
      let signature: ModuleSignature | null = null;
      try {
        signature = readSignature(bytes).signature;
      } catch (e) {
        // pkcs7_parse_message: a message the kernel's ASN.1 decoder refuses is EBADMSG. A signer named
        // by subjectKeyIdentifier is valid for the kernel; only its key cannot be named here.
        if (!(isElfError(e) && e.code === 'SIGNATURE_UNSUPPORTED')) {
          const message = isElfError(e) ? e.message : String(e);
          f.fail(check, isElfError(e) ? e.errno : 'EBADMSG', message, { silent: true });
          return { length, sigOk: false };
        }
      }
      const keyId = signature ? hex(signature.keyId) : undefined;
      const trusted = target.trustedKeys?.some((k) => k.signer === signature?.signer && k.keyId === keyId);
      if (target.trustedKeys !== undefined && signature && !trusted) {
        reason = 'module with unavailable key';
        f.warn(
          check,
          `signed by '${signature.signer}' (key ${keyId}), a key the kernel does not have (ENOKEY)`,
        );
      } else {
        const who = signature
          ? `'${signature.signer}' (key ${keyId})`
          : 'a key given by subjectKeyIdentifier';
        f.unknown(
          check,
          `signed by ${who}: whether the signature matches the module's bytes needs the key, not checked`,
        );
        return { length, sigOk: undefined };
      }
    }
  } else {
    reason = 'unsigned module';
  }
  if (target.sigEnforce) {
    f.fail(check, 'EKEYREJECTED', `Loading of ${reason} is rejected`);
  } else if (target.lockdown === 'integrity' || target.lockdown === 'confidentiality') {
    f.fail(
      check,
      'EPERM',
      'Lockdown: insmod: unsigned module loading is restricted; see man kernel_lockdown.7',
    );
  } else if (target.sigEnforce === undefined || target.lockdown === undefined) {
    f.unknown(check, `${reason}: refused if the kernel enforces signatures (sig_enforce) or is locked down`);
  } else {
    f.ok(check, `${reason}: allowed, signatures are not enforced`);
  }
  return { length, sigOk: false };
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
