import { join } from 'node:path';
import { describe, test } from 'vitest';
import { FIXTURES } from './fixtures.js';
import { HAVE_READELF } from './readelf.js';
import { expectSameAsReadelf } from './readelf-compare.js';

describe.skipIf(!HAVE_READELF)('sections, symbols and relocations agree with readelf', () => {
  test.each(['kmodkit_test.ko', 'kmodkit_dep.ko', 'kmodkit_test-stripped.ko', 'kmodkit_test-signed.ko'])(
    '%s',
    (name) => {
      expectSameAsReadelf(join(FIXTURES, name));
    },
  );
});
