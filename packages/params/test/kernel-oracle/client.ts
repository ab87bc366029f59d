// Talks to the compiled kernel oracle (oracle.c): batches requests, parses its answers.
import { spawnSync } from 'node:child_process';

export type OracleRequest =
  | { cmd: 'T'; input: Uint8Array }
  | { cmd: 'V'; type: string; value: Uint8Array | null }
  | { cmd: 'L'; declarations: string; args: Uint8Array };

export interface OracleArg {
  name: Uint8Array;
  value: Uint8Array | null;
}

const utf8 = new TextEncoder();

function field(bytes: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(4 + (bytes?.length ?? 0));
  new DataView(out.buffer).setUint32(0, bytes === null ? 0xffff_ffff : bytes.length, true);
  if (bytes) out.set(bytes, 4);
  return out;
}

/** Run every request through the oracle in one process; one answer line per request. */
export function runOracle(binary: string, requests: readonly OracleRequest[]): string[] {
  const chunks: Uint8Array[] = [];
  for (const r of requests) {
    chunks.push(utf8.encode(r.cmd));
    if (r.cmd === 'T') chunks.push(field(r.input));
    else if (r.cmd === 'V') chunks.push(field(utf8.encode(r.type)), field(r.value));
    else chunks.push(field(utf8.encode(r.declarations)), field(r.args));
  }
  const run = spawnSync(binary, { input: Buffer.concat(chunks), maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`kernel oracle failed (${run.status}): ${run.stderr}`);
  const lines = run.stdout.toString('latin1').split('\n');
  lines.pop();
  if (lines.length !== requests.length) throw new Error(`oracle answered ${lines.length}/${requests.length}`);
  return lines;
}

export function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function hexOrNull(text: string): Uint8Array | null {
  return text === '~' ? null : fromHex(text);
}

/** 'T' answer: the arguments parse_args handed to the unknown hook, and what followed `--`. */
export function parseTokens(line: string): { args: OracleArg[]; rest: Uint8Array | null } {
  const semi = line.lastIndexOf(';');
  const list = line.slice(0, semi);
  const args =
    list === ''
      ? []
      : list.split(',').map((pair) => {
          const [name, value] = pair.split(':') as [string, string];
          return { name: fromHex(name), value: hexOrNull(value) };
        });
  return { args, rest: hexOrNull(line.slice(semi + 1)) };
}

/** 'V' answer: parse_one's return code and, if 0, what ops->get printed. */
export function parseSet(line: string): { rc: number; shown: Uint8Array | null } {
  const space = line.indexOf(' ');
  const rc = Number(line.slice(0, space));
  return { rc, shown: rc === 0 ? fromHex(line.slice(space + 1)) : null };
}

/** 'L' answer: parse_args' result, the unknown names, and every parameter's ops->get afterwards. */
export function parseLoad(line: string): { rc: number; unknown: Uint8Array[]; shown: Uint8Array[] } {
  const [rc, unknown, shown] = line.split(';') as [string, string, string];
  return {
    rc: Number(rc),
    unknown: unknown === '' ? [] : unknown.split(',').map(fromHex),
    shown: shown.split(',').map(fromHex),
  };
}

/** Kernel errno numbers (x86-64) to names, for the ones parameters produce. */
export const ERRNO_NAME: Record<number, string> = {
  [-22]: 'EINVAL',
  [-34]: 'ERANGE',
  [-28]: 'ENOSPC',
  [-2]: 'ENOENT',
};
