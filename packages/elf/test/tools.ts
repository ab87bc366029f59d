import { execFileSync } from 'node:child_process';

/** Whether `command --version` runs here: the tests that need a tool (an oracle) skip without it. */
export function haveTool(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
