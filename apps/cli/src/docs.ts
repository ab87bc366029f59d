/** The generated documentation files: a man page per command and the completion scripts (scripts/gen-docs.mjs). */
import { commandSpecs } from './commands/registry.js';
import { bashScript, zshScript } from './completion.js';
import { manPage } from './man.js';

/** Relative path → contents. */
export async function docFiles(version: string): Promise<Map<string, string>> {
  const specs = await commandSpecs();
  const files = new Map<string, string>();
  for (const spec of specs) files.set(`man/kmodkit-${spec.name}.1`, manPage(spec, version, specs));
  files.set('completions/kmodkit.bash', bashScript(specs));
  files.set('completions/_kmodkit', zshScript(specs));
  return files;
}
