import { describe, expect, test } from 'vitest';
import { loadTarget, verdict } from './load-target.js';

describe('loadTarget', () => {
  test('a vermagic is kept byte for byte, trailing space included', () => {
    expect(loadTarget('6.1.0-56-amd64 SMP preempt mod_unload modversions ', undefined)).toEqual({
      vermagic: '6.1.0-56-amd64 SMP preempt mod_unload modversions ',
    });
  });
  test('one word is a release', () => {
    expect(loadTarget(' 6.1.0-56-amd64 \n', undefined)).toEqual({ release: '6.1.0-56-amd64' });
  });
  test('nothing typed: an unknown kernel; symbols pass through', () => {
    const symbols = new Map([['printk', { name: 'printk', module: 'vmlinux', crc: 1 }]]);
    expect(loadTarget('', symbols)).toEqual({ symbols });
  });
});

describe('verdict', () => {
  test.each([
    [{ willLoad: true, errno: null }, 'loads'],
    [{ willLoad: false, errno: 'ENOEXEC' }, 'fails'],
    [{ willLoad: false, errno: null }, 'unknown'],
  ] as const)('%o → %s', (p, state) => {
    expect(verdict({ ...p, reason: '', logged: false, findings: [], taints: '' }).state).toBe(state);
  });
});
