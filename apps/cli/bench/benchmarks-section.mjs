// Replaces (or appends) one `## <heading>` section of BENCHMARKS.md at the repository root.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export function writeBenchmarksSection(file, heading, section) {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = old.indexOf(`## ${heading}`);
  let next;
  if (start >= 0) {
    const after = old.indexOf('\n## ', start + 1);
    next = `${old.slice(0, start)}${section}${after >= 0 ? old.slice(after + 1) : ''}`;
  } else next = `${old.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  console.log(`wrote the ${heading} section of ${file}`);
}
