import { expect, test } from 'vitest';
import * as api from './index.js';

test('the package entry exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'ARCHITECTURES',
    'ARCH_ALIASES',
    'ErrnoError',
    'MODULE_SYSCALLS',
    'errnoEntries',
    'errnoInfo',
    'errnoName',
    'errnoNumber',
    'explain',
    'isErrnoError',
    'resolveArch',
    'strerror',
    'syscallErrors',
  ]);
});
