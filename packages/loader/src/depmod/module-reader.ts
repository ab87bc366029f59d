/**
 * Reading every module of a depmod run: the one place that opens module files, so that a faster
 * batch reader can take its place.
 */
import {
  type DepmodModuleData,
  type DepmodModuleFailure,
  type ModuleDecoder,
  readDepmodModule,
} from './module-symbols.js';

/** Reads `paths` in order; each result is the module's data or the errno kmod would give. */
export async function readDepmodModules(
  paths: readonly string[],
  decoder?: ModuleDecoder,
): Promise<(DepmodModuleData | DepmodModuleFailure)[]> {
  return paths.map((path) => readDepmodModule(path, decoder));
}
