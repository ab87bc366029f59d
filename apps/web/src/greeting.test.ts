import { expect, test } from 'vitest';
import { greeting } from './greeting.js';

test('greeting names the accepted formats', () => {
  expect(greeting()).toContain('.ko.zst');
});
