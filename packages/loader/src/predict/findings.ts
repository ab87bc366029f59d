import type { Finding } from './prediction.js';

/** The findings of one load, collected in order; `failed` is the first failure, where the kernel stops. */
export class Findings {
  readonly list: Finding[] = [];
  /** Taint letters added (kernel/panic.c taint_flags). */
  readonly taints = new Set<string>();
  failed: Finding | undefined;

  ok(check: string, message: string): void {
    this.list.push({ check, status: 'ok', message });
  }
  warn(check: string, message: string, taint?: string, logged = true): void {
    this.list.push({ check, status: 'warn', message, logged });
    if (taint) this.taints.add(taint);
  }
  unknown(check: string, message: string): void {
    this.list.push({ check, status: 'unknown', message });
  }
  fail(
    check: string,
    errno: string,
    message: string,
    more: { detail?: string; silent?: boolean } = {},
  ): void {
    const finding: Finding = {
      check,
      status: 'fail',
      errno,
      message,
      ...(more.detail ? { detail: more.detail } : {}),
      logged: !more.silent,
    };
    this.list.push(finding);
    this.failed ??= finding;
  }
}

// kernel/panic.c taint_flags: the letters in bit order.
const TAINT_ORDER = 'PFSRMBUDAWCIOELKXT';

export function taintString(taints: ReadonlySet<string>): string {
  return [...TAINT_ORDER].filter((c) => taints.has(c)).join('');
}
