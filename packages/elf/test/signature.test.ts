import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ElfError } from '../src/error.js';
import { createSignatureCache, MODULE_SIG_STRING, readSignature } from '../src/signature.js';
import { corpusDir, modulesIn, SKIP_CORPUS } from './corpus.js';
import { FIXTURES, fixture, goldenModinfo } from './fixtures.js';

/** kmod's hex format (libkmod-module.c: kmod_module_hex_to_str) without the line wrapping. */
function kmodHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/** A golden modinfo field's value with kmod's continuation lines (`\n\t\t`) joined back. */
function goldenField(lines: string[], key: string): string | undefined {
  const i = lines.findIndex((l) => l.startsWith(`${key}:`));
  if (i < 0) return undefined;
  let value = lines[i]!.slice(16);
  for (let j = i + 1; lines[j]?.startsWith('\t\t'); j++) value += lines[j]!.slice(2);
  return value;
}

describe('the signed fixture', () => {
  const image = fixture('kmodkit_test-signed.ko');
  const unsigned = fixture('kmodkit_test.ko');
  const { signature, contentLength } = readSignature(image);

  test('the content is the unsigned module, byte for byte', () => {
    expect(contentLength).toBe(unsigned.length);
    expect(Buffer.compare(image.subarray(0, contentLength), unsigned)).toBe(0);
  });

  test('matches kmod modinfo (golden output)', () => {
    const golden = goldenModinfo('kmodkit_test-signed.ko');
    expect(signature).not.toBeNull();
    expect(signature!.idType).toBe(goldenField(golden, 'sig_id'));
    expect(signature!.signer).toBe(goldenField(golden, 'signer'));
    expect(kmodHex(signature!.keyId)).toBe(goldenField(golden, 'sig_key'));
    expect(signature!.hashAlgorithm).toBe(goldenField(golden, 'sig_hashalgo'));
    expect(kmodHex(signature!.signature)).toBe(goldenField(golden, 'signature'));
  });

  test('signer and key id are the certificate issuer CN and serial (openssl x509)', () => {
    const out = execFileSync(
      'openssl',
      [
        'x509',
        '-in',
        join(FIXTURES, 'signing_cert.pem'),
        '-noout',
        '-nameopt',
        'multiline',
        '-issuer',
        '-serial',
      ],
      { encoding: 'utf8' },
    );
    expect(out).toMatch(new RegExp(`commonName\\s+= ${signature!.signer}\\n`));
    expect(out).toContain(`serial=${Buffer.from(signature!.keyId).toString('hex').toUpperCase()}`);
    expect(signature!.algorithm).toBe('rsa');
    expect(signature!.signature.length).toBe(512); // RSA 4096
  });

  test('offset and length cover the PKCS#7 message up to struct module_signature', () => {
    expect(signature!.offset).toBe(contentLength);
    expect(signature!.offset + signature!.length + 12 + MODULE_SIG_STRING.length).toBe(image.length);
    expect(image[signature!.offset]).toBe(0x30); // DER SEQUENCE: ContentInfo
  });

  test('a message read before is read again exactly from a cache: new signature bytes, and any other byte changed', () => {
    const cache = createSignatureCache();
    expect(readSignature(image, { cache }).signature).toEqual(signature);
    expect(cache.recent.length).toBe(1);
    const again = image.slice();
    const sigAt = image.length - 12 - MODULE_SIG_STRING.length - signature!.signature.length;
    again[sigAt] = again[sigAt]! ^ 0xff;
    const first = readSignature(again, { cache }).signature!;
    expect(first.signature[0]).toBe(signature!.signature[0]! ^ 0xff);
    expect(Buffer.compare(first.signature.subarray(1), signature!.signature.subarray(1))).toBe(0);
    // What a caller does to a result does not leak into the next one.
    first.keyId.fill(0);
    first.signature.fill(0);
    expect(readSignature(image, { cache }).signature).toEqual(signature);
    // The last byte of the serial number, inside the issuerAndSerialNumber before the signature.
    const keyIdAt = Buffer.from(image).indexOf(Buffer.from(signature!.keyId), signature!.offset);
    const keyIdLast = keyIdAt + signature!.keyId.length - 1;
    expect(keyIdLast).toBeGreaterThan(signature!.offset);
    const other = image.slice();
    other[keyIdLast] = other[keyIdLast]! ^ 0x01;
    const changed = readSignature(other, { cache }).signature!;
    expect(changed.keyId).not.toEqual(signature!.keyId);
    expect(changed.signature).toEqual(signature!.signature);
  });

  test('without a cache nothing is kept between calls', () => {
    const cache = createSignatureCache();
    readSignature(image);
    expect(cache.recent).toEqual([]);
    expect(readSignature(image).signature).toEqual(signature);
  });

  test('an unsigned module has no signature', () => {
    expect(readSignature(unsigned)).toEqual({ signature: null, contentLength: unsigned.length });
    expect(readSignature(new Uint8Array(0))).toEqual({ signature: null, contentLength: 0 });
  });
});

/** Writes `bytes` to a temp file and returns kmod 30's modinfo signature fields for it (none: {}). */
function kmodSignatureFields(bytes: Uint8Array, dir: string, name: string): Record<string, string> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const out = execFileSync('modinfo', [path], { encoding: 'utf8' });
  return signatureFieldsOf(out.split('\n'));
}

/** The sig_* lines of one module's modinfo output, continuation lines joined. */
function signatureFieldsOf(lines: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const key of ['sig_id', 'signer', 'sig_key', 'sig_hashalgo', 'signature']) {
    const value = goldenField(lines, key);
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

function ourFields(image: Uint8Array, rules: 'kernel' | 'kmod' = 'kernel'): Record<string, string> {
  const { signature } = readSignature(image, { rules });
  if (signature === null) return {};
  return {
    sig_id: signature.idType,
    signer: signature.signer,
    sig_key: kmodHex(signature.keyId),
    sig_hashalgo: signature.hashAlgorithm,
    signature: kmodHex(signature.signature),
  };
}

/** `struct module_signature` + MODULE_SIG_STRING, as scripts/sign-file appends them. */
function trailer(fields: {
  algo?: number;
  hash?: number;
  idType: number;
  signerLen?: number;
  keyIdLen?: number;
  sigLen: number;
}) {
  const ms = new Uint8Array(12);
  ms.set([fields.algo ?? 0, fields.hash ?? 0, fields.idType, fields.signerLen ?? 0, fields.keyIdLen ?? 0]);
  new DataView(ms.buffer).setUint32(8, fields.sigLen, false);
  return Uint8Array.from([...ms, ...new TextEncoder().encode(MODULE_SIG_STRING)]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function expectElfError(fn: () => unknown, code: string, errno = 'EBADMSG'): ElfError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    expect((e as ElfError).code).toBe(code);
    expect((e as ElfError).errno).toBe(errno);
    expect((e as ElfError).offset).toBeTypeOf('number');
    return e as ElfError;
  }
  throw new Error(`expected ElfError ${code}`);
}

describe('signatures made here, compared with kmod modinfo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kmodkit-sig-'));
  const unsigned = fixture('kmodkit_test.ko');
  const moduleFile = join(dir, 'content.ko');
  writeFileSync(moduleFile, unsigned);

  /** A throwaway key and self-signed certificate; `subject` in openssl's -subj form. */
  function makeKey(
    name: string,
    keyArgs: string[],
    subject: string,
    serial: string,
  ): { key: string; cert: string } {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.pem`);
    execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-x509',
        '-nodes',
        ...keyArgs,
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        subject,
        '-set_serial',
        serial,
      ],
      { stdio: 'ignore' },
    );
    return { key, cert };
  }

  /** What scripts/sign-file does: a detached, attribute-less CMS message without certificates. */
  function sign(k: { key: string; cert: string }, digest: string, extra: string[] = []): Uint8Array {
    const der = execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-noattr',
      '-nocerts',
      '-nosmimecap',
      '-outform',
      'DER',
      '-md',
      digest,
      '-signer',
      k.cert,
      '-inkey',
      k.key,
      '-in',
      moduleFile,
      ...extra,
    ]);
    return concat(unsigned, der, trailer({ idType: 2, sigLen: der.length }));
  }

  const rsa = makeKey(
    'rsa',
    ['-newkey', 'rsa:2048'],
    '/O=kmodkit/CN=RSA signer/emailAddress=a@b.c',
    '0x00ff',
  );
  const ec = makeKey(
    'ec',
    ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
    '/CN=EC signer',
    '0x8000000000000001',
  );
  const noCn = makeKey('nocn', ['-newkey', 'rsa:2048'], '/C=DE/O=No Common Name/OU=unit', '0');
  const negative = makeKey('neg', ['-newkey', 'rsa:2048'], '/CN=Negative serial', '-5');

  test.each([
    ['rsa sha256', rsa, 'sha256'],
    ['rsa sha1', rsa, 'sha1'],
    ['rsa sha224', rsa, 'sha224'],
    ['rsa sha384', rsa, 'sha384'],
    ['rsa sha512', rsa, 'sha512'],
    ['ecdsa sha256 (serial with the top bit set)', ec, 'sha256'],
    ['issuer without a CN (kmod prints the last entry)', noCn, 'sha256'],
    ['serial zero (empty sig_key)', noCn, 'sha512'],
  ] as const)('%s', (_name, k, digest) => {
    const image = sign(k, digest);
    const kmod = kmodSignatureFields(image, dir, 'signed.ko');
    expect(kmod.sig_id).toBe('PKCS#7');
    expect(ourFields(image)).toEqual(kmod);
  });

  test('algorithm names', () => {
    expect(readSignature(sign(rsa, 'sha256')).signature!.algorithm).toBe('rsa');
    expect(readSignature(sign(ec, 'sha256')).signature!.algorithm).toBe('ecdsa');
  });

  test('a negative serial prints as its magnitude, as BN_bn2bin gives it', () => {
    const image = sign(negative, 'sha256');
    expect(ourFields(image)).toEqual(kmodSignatureFields(image, dir, 'neg.ko'));
    expect(kmodHex(readSignature(image).signature!.keyId)).toBe('05');
  });

  test('signer by subjectKeyIdentifier (sign-file -k): kmod shows nothing, we say why', () => {
    const image = sign(rsa, 'sha256', ['-keyid']);
    expect(kmodSignatureFields(image, dir, 'keyid.ko')).toEqual({});
    expectElfError(() => readSignature(image), 'SIGNATURE_UNSUPPORTED');
  });

  test('rules: kmod — every trailer kmod rejects gives null, every one it accepts the same fields', () => {
    const der = sign(rsa, 'sha256').subarray(unsigned.length, -40);
    const cases: [string, Uint8Array][] = [
      [
        'PKCS#7 with algo 1 (kernel: EBADMSG; kmod shows it)',
        concat(unsigned, der, trailer({ algo: 1, idType: 2, sigLen: der.length })),
      ],
      [
        'PKCS#7 with hash 4 and a key id length',
        concat(unsigned, der, trailer({ hash: 4, keyIdLen: 3, idType: 2, sigLen: der.length })),
      ],
      [
        'PKCS#7 with algo 2 (out of kmod table)',
        concat(unsigned, der, trailer({ algo: 2, idType: 2, sigLen: der.length })),
      ],
      [
        'hash 9 (out of kmod table)',
        concat(unsigned, der, trailer({ hash: 9, idType: 2, sigLen: der.length })),
      ],
      ['id_type 3', concat(unsigned, der, trailer({ idType: 3, sigLen: der.length }))],
      ['sig_len 0', concat(unsigned, der, trailer({ idType: 2, sigLen: 0 }))],
      [
        'sig_len past the start',
        concat(unsigned, der, trailer({ idType: 2, sigLen: unsigned.length + der.length + 1 })),
      ],
      [
        'PKCS#7 that is garbage',
        concat(unsigned, new Uint8Array(300).fill(7), trailer({ idType: 2, sigLen: 300 })),
      ],
      ['PKCS#7 cut short', concat(unsigned, der.subarray(0, 200), trailer({ idType: 2, sigLen: 200 }))],
      ['subjectKeyIdentifier signer', sign(rsa, 'sha256', ['-keyid'])],
      ['the magic without a struct', concat(new Uint8Array(8), new TextEncoder().encode(MODULE_SIG_STRING))],
    ];
    for (const [name, image] of cases) {
      const kmod = name.startsWith('the magic') ? {} : kmodSignatureFields(image, dir, 'case.ko');
      expect(ourFields(image, 'kmod'), name).toEqual(kmod);
    }
    // The kernel refuses the first ones that kmod shows.
    expectElfError(() => readSignature(cases[0]![1]), 'SIGNATURE_BAD_PARAMS');
  });

  test.each([
    ['PGP', 0],
    ['X509', 1],
  ] as const)(
    'legacy id_type %s: signer, key id and signature bytes as kmod fill_default reads them',
    (name, idType) => {
      const signer = new TextEncoder().encode('Legacy Signer');
      const keyId = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
      const sig = Uint8Array.from({ length: 40 }, (_, i) => i * 3);
      const image = concat(
        unsigned,
        signer,
        keyId,
        sig,
        trailer({ algo: 1, hash: 4, idType, signerLen: signer.length, keyIdLen: 4, sigLen: 40 }),
      );
      const kmod = kmodSignatureFields(image, dir, `${name}.ko`);
      expect(kmod.sig_id).toBe(name);
      expect(ourFields(image)).toEqual(kmod);
      const { signature, contentLength } = readSignature(image);
      expect(contentLength).toBe(unsigned.length);
      expect(signature).toMatchObject({
        algorithm: 'rsa',
        offset: unsigned.length,
        length: signer.length + 4 + 40,
      });
    },
  );
});

describe('corrupt trailers give ElfError with the kernel errno', () => {
  const base = fixture('kmodkit_test.ko').subarray(0, 4096);
  const magic = new TextEncoder().encode(MODULE_SIG_STRING);

  test('the magic alone: no room for struct module_signature', () => {
    expectElfError(() => readSignature(magic), 'SIGNATURE_TRUNCATED');
    expectElfError(() => readSignature(concat(new Uint8Array(11), magic)), 'SIGNATURE_TRUNCATED');
  });

  test('sig_len zero, or leaving no module before it (mod_check_sig: EBADMSG)', () => {
    expectElfError(
      () => readSignature(concat(base, trailer({ idType: 2, sigLen: 0 }))),
      'SIGNATURE_BAD_LENGTH',
    );
    expectElfError(
      () => readSignature(concat(base, trailer({ idType: 2, sigLen: base.length }))),
      'SIGNATURE_BAD_LENGTH',
    );
    expectElfError(
      () => readSignature(concat(base, trailer({ idType: 2, sigLen: 0xffffffff }))),
      'SIGNATURE_BAD_LENGTH',
    );
  });

  test('an unknown id_type (ENOPKG)', () => {
    const e = expectElfError(
      () => readSignature(concat(base, trailer({ idType: 3, sigLen: 10 }))),
      'SIGNATURE_BAD_ID_TYPE',
      'ENOPKG',
    );
    expect(e.offset).toBe(base.length + 2);
  });

  test('PKCS#7 with non-zero params (mod_check_sig)', () => {
    for (const f of [{ algo: 1 }, { hash: 4 }, { signerLen: 1 }, { keyIdLen: 1 }]) {
      expectElfError(
        () => readSignature(concat(base, trailer({ idType: 2, sigLen: 10, ...f }))),
        'SIGNATURE_BAD_PARAMS',
      );
    }
    const padded = concat(base, trailer({ idType: 2, sigLen: 10 }));
    padded[base.length + 6] = 1;
    expectElfError(() => readSignature(padded), 'SIGNATURE_BAD_PARAMS');
  });

  test('PKCS#7 that is not a CMS SignedData', () => {
    expectElfError(
      () => readSignature(concat(base, trailer({ idType: 2, sigLen: 100 }))),
      'SIGNATURE_BAD_PKCS7',
    );
  });

  test('any damage to the PKCS#7 message gives an ElfError or a signature, never another error', () => {
    const image = fixture('kmodkit_test-signed.ko');
    const { signature } = readSignature(image);
    const start = signature!.offset;
    for (let i = start; i < start + signature!.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const bad = image.slice();
        bad[i]! ^= x;
        try {
          readSignature(bad);
        } catch (e) {
          expect(e).toBeInstanceOf(ElfError);
          expect((e as ElfError).code).toMatch(/^SIGNATURE_/);
        }
      }
    }
  });
});

describe('random trailers (property)', () => {
  const base = fixture('kmodkit_test.ko').subarray(0, 2048);
  const der = (() => {
    const image = fixture('kmodkit_test-signed.ko');
    const { signature } = readSignature(image);
    return image.subarray(signature!.offset, signature!.offset + signature!.length);
  })();

  test('any struct module_signature: a signature, or ElfError (kernel rules), or null (kmod rules)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.boolean(),
        (ms, junk, realPkcs7) => {
          const image = concat(base, realPkcs7 ? der : junk, ms, new TextEncoder().encode(MODULE_SIG_STRING));
          try {
            const { signature, contentLength } = readSignature(image);
            expect(signature).not.toBeNull();
            expect(contentLength).toBe(signature!.offset);
            expect(contentLength).toBeGreaterThan(0);
          } catch (e) {
            expect(e).toBeInstanceOf(ElfError);
            expect((e as ElfError).code).toMatch(/^SIGNATURE_/);
          }
          const kmod = readSignature(image, { rules: 'kmod' });
          if (kmod.signature === null) expect(kmod.contentLength).toBe(image.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('random bytes as the PKCS#7 message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 800 }), (blob) => {
        const image = concat(base, blob, trailer({ idType: 2, sigLen: blob.length }));
        try {
          readSignature(image);
        } catch (e) {
          expect(e).toBeInstanceOf(ElfError);
          expect((e as ElfError).code).toMatch(/^(SIGNATURE_BAD_PKCS7|SIGNATURE_UNSUPPORTED)$/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe.skipIf(SKIP_CORPUS)('Debian 6.1 corpus: every module against kmod modinfo', () => {
  test("every module of Debian's amd64 image", { timeout: 300_000 }, () => {
    const files = modulesIn(corpusDir('amd64'));
    expect(files.length).toBeGreaterThan(4000);
    // One modinfo run over all files; its output is split at each module's `filename:` line.
    const out = execFileSync('modinfo', files, { encoding: 'utf8', maxBuffer: 1 << 30 });
    const blocks = out.split(/^(?=filename:)/m);
    expect(blocks.length).toBe(files.length);
    let signed = 0;
    for (let i = 0; i < files.length; i++) {
      const image = new Uint8Array(readFileSync(files[i]!));
      const kmod = signatureFieldsOf(blocks[i]!.split('\n'));
      expect(ourFields(image), files[i]).toEqual(kmod);
      if (kmod.sig_id) signed++;
    }
    expect(signed).toBe(files.length);
  });
});
