/**
 * The worker thread of `kmodkit depmod`: reads its share of the modules (@kmodkit/loader's
 * serveDepmodModules) with the same decoders as the main thread, which loaded them first (ffi-rs
 * crashes the process when only a worker loaded it: see modinfo-worker.ts).
 */

import type { CompressedKind } from '@kmodkit/loader';
import { depmodWorkerKinds, serveDepmodModules } from '@kmodkit/loader';
import { loadDepmodDecoder } from './depmod-decoder.js';

const kinds = depmodWorkerKinds() as CompressedKind[];
serveDepmodModules(kinds.length > 0 ? await loadDepmodDecoder(kinds) : undefined);
