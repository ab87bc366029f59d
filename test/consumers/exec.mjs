// Child processes for the consumer test. Always asynchronous: the local registry (registry.mjs) serves
// npm from this same process, so a synchronous spawn would deadlock it.
import { spawn } from 'node:child_process';

/**
 * Runs `command args` and resolves with its exit code and output; never rejects on a non-zero exit.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, input?: string }} [options]
 * @returns {Promise<{ code: number, stdout: string, stderr: string, command: string }>}
 */
export function exec(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    const shown = [command, ...args].join(' ');
    child.on('error', (error) =>
      resolve({ code: -1, stdout, stderr: `${stderr}${error.message}`, command: shown }),
    );
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, command: shown }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** The output of a failed command, trimmed to what a reader needs. */
export function describeFailure(result) {
  const output = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
  return `\`${result.command}\` exited ${result.code}\n${output}`;
}
