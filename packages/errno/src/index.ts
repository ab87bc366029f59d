export { ARCH_ALIASES, ARCHITECTURES, type ErrnoTableName, resolveArch } from './arch.js';
export { type ErrnoInfo, errnoEntries, errnoInfo, errnoName, errnoNumber, strerror } from './errno.js';
export { ErrnoError, type ErrnoErrorOptions, isErrnoError } from './error.js';
export {
  explain,
  MODULE_SYSCALLS,
  type ModuleSyscall,
  type SyscallErrno,
  syscallErrors,
} from './syscalls.js';
