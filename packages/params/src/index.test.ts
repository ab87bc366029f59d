import { expect, test } from 'vitest';
import * as api from './index.js';

test('the package entry loads', () => {
  expect(Object.keys(api).length).toBeGreaterThan(0);
});
