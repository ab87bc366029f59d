// Assertions the README examples are rewritten to use (readme-examples.mjs): `expr; // 16` becomes
// expectValue(expr, 16, …), `expr; // throws ParamError …` becomes expectThrow(…).
import { inspect, isDeepStrictEqual } from 'node:util';

function report(where: string, message: string): void {
  console.error(`${where}: ${message}`);
  process.exitCode = 1;
}

export function expectValue(actual: unknown, expected: unknown, where: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    report(where, `the README says ${inspect(expected)}, the package gives ${inspect(actual)}`);
  }
}

/** Checks that `run` throws (or, for an async example, rejects with) error class `name`. */
export function expectThrow(
  run: () => unknown,
  name: string,
  details: Record<string, unknown> | string | undefined,
  where: string,
): void | Promise<void> {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    checkError(error, name, details, where);
    return;
  }
  if (result instanceof Promise) {
    return result.then(
      () => report(where, `the README says it throws ${name}; it resolved`),
      (error: unknown) => checkError(error, name, details, where),
    );
  }
  report(where, `the README says it throws ${name}; it returned ${inspect(result)}`);
}

function checkError(
  error: unknown,
  name: string,
  details: Record<string, unknown> | string | undefined,
  where: string,
) {
  const got = error as Record<string, unknown>;
  if (got?.constructor?.name !== name && got?.name !== name) {
    report(where, `the README says it throws ${name}, it threw ${inspect(error)}`);
  } else if (typeof details === 'string' && got.code !== details && got.errno !== details) {
    report(
      where,
      `the README says ${name} ${details}, it threw code ${inspect(got.code)} errno ${inspect(got.errno)}`,
    );
  } else if (typeof details === 'object') {
    for (const [key, value] of Object.entries(details)) {
      if (!isDeepStrictEqual(got[key], value)) {
        report(where, `the README says ${name} with ${key} ${inspect(value)}, it has ${inspect(got[key])}`);
      }
    }
  }
}
