/**
 * The `kmodkit` command: the entry of the bundle that `bin/kmodkit.js` runs (see scripts/bundle.mjs).
 * Programs that want `main` import the package, not this.
 */
import { main } from './index.js';

process.exitCode = await main(process.argv.slice(2), process.argv[1]);
