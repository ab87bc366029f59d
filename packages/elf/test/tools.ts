import { execFileSync } from 'node:child_process';

/** CI installs every oracle tool the tests use: there a missing one is a failure, never a skip. */
export const IN_CI = process.env.CI === 'true';

/**
 * Whether `command --version` runs here. The tests that need a tool (an oracle) skip without it —
 * except in CI (`CI=true`), where a missing tool throws, so the test file fails.
 */
export function haveTool(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (IN_CI) throw new Error(`${command} is missing: CI installs it, and its tests may not skip there`);
    return false;
  }
}
