// The Vite consumer's entry. The harness runs the built bundle in a context with only browser globals
// and calls this function with the fixtures, so the check runs as the browser would run it.
import { checkElf } from './check-elf.js';
import { checkErrno } from './check-errno.js';
import { checkParams } from './check-params.js';

globalThis.kmodkitConsumerCheck = (modules, goldens) =>
  JSON.stringify([...checkElf(modules, goldens), ...checkParams(), ...checkErrno()]);
