/**
 * The page's one door to `@kmodkit/loader/predict` (the contract: predictLoad, parseModuleSymvers and
 * their types). Nothing else in the page knows where the prediction comes from.
 *
 * ============================== STUB — REPLACE WHEN PREDICT LANDS ==============================
 * `@kmodkit/loader/predict` is not on this branch yet. When it is, replace everything below this
 * comment with:
 *
 *   export {
 *     type Finding,
 *     type KernelSymbol,
 *     type LoadTarget,
 *     type Prediction,
 *     parseModuleSymvers,
 *     predictLoad,
 *   } from '@kmodkit/loader/predict';
 *   export const PREDICT_AVAILABLE = true;
 *
 * add "@kmodkit/loader": "workspace:^" to apps/web/package.json, and the load-check tests in
 * test/page.test.ts (gated on PREDICT_AVAILABLE) run.
 * ================================================================================================
 */
import type { KernelModule } from '@kmodkit/elf';

export interface KernelSymbol {
  readonly name: string;
  readonly crc?: number;
  readonly module: string;
  readonly namespace?: string;
  readonly gplOnly?: boolean;
}

export interface LoadTarget {
  readonly release?: string;
  readonly vermagic?: string;
  readonly modversions?: boolean;
  readonly symbols?: ReadonlyMap<string, KernelSymbol>;
  readonly loaded?: ReadonlySet<string>;
}

export interface Finding {
  readonly check: string;
  readonly status: 'ok' | 'fail' | 'warn' | 'unknown';
  readonly errno?: string;
  readonly message: string;
}

export interface Prediction {
  readonly willLoad: boolean;
  readonly errno: string | null;
  readonly reason: string;
  readonly findings: readonly Finding[];
}

/** False while this file is the stub: the page says the prediction is not in this build. */
export const PREDICT_AVAILABLE: boolean = false;

const NOT_BUILT = 'the load prediction (@kmodkit/loader/predict) is not in this build of the page';

export function predictLoad(_module: KernelModule, _params: string, _target: LoadTarget): Prediction {
  return {
    willLoad: false,
    errno: null,
    reason: NOT_BUILT,
    findings: [{ check: 'predict', status: 'unknown', message: NOT_BUILT }],
  };
}

export function parseModuleSymvers(_text: string): Map<string, KernelSymbol> {
  return new Map();
}
