// @kmodkit/errno as a user calls it, the README's example included.
import { ErrnoError, errnoName, errnoNumber, explain, strerror } from '@kmodkit/errno';

/** @returns {string[]} what went wrong; empty when everything matched */
export function checkErrno() {
  const failures = [];
  const expect = (what, actual, wanted) => {
    if (actual !== wanted)
      failures.push(`errno: ${what} is ${JSON.stringify(actual)}, want ${JSON.stringify(wanted)}`);
  };
  // Numbers from the kernel's uapi headers, messages from glibc's strerror.
  expect("errnoNumber('ENOEXEC')", errnoNumber('ENOEXEC'), 8);
  expect("errnoNumber('EDQUOT', 'mips')", errnoNumber('EDQUOT', 'mips'), 1133);
  expect('errnoName(17)', errnoName(17), 'EEXIST');
  expect("strerror('EKEYREJECTED')", strerror('EKEYREJECTED'), 'Key was rejected by service');
  expect('strerror(2)', strerror(2), 'No such file or directory');
  const meaning = explain('finit_module', 'ENOEXEC');
  if (typeof meaning !== 'string' || meaning.length === 0)
    failures.push('errno: explain(finit_module, ENOEXEC) is empty');
  expect("errnoNumber('ENOTANERRNO')", errnoNumber('ENOTANERRNO'), undefined);
  try {
    strerror('ENOTANERRNO');
    failures.push("errno: strerror('ENOTANERRNO') did not throw");
  } catch (error) {
    if (!(error instanceof ErrnoError))
      failures.push(`errno: unknown name threw ${error}, not an ErrnoError`);
  }
  return failures;
}
