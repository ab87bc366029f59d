// In-guest driver of test/qemu.test.ts: runs the built `main` once per case in this one Node process
// (Node starts in about two seconds under TCG) and reports each case as the test's shell script does:
// `@@case <key>`, `@@stdout`, the bytes written, `@@stderr`, the bytes written, `@@status <n>`.
// Each case's setup and cleanup shell commands run before and after it, as around a command.
// Usage: node qemu-driver.mjs cases.json   ({ main: path of dist/index.js, cases: [{ key, argv0, args, setup?, cleanup? }] })
import { spawnSync } from 'node:child_process';
import { readFileSync, writeSync } from 'node:fs';

const { main: mainPath, cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { main } = await import(mainPath);
const shell = (command) => {
  if (command) spawnSync('/bin/sh', ['-c', command], { stdio: 'ignore' });
};
const sink = (chunks) => ({
  write(text) {
    chunks.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text));
    return true;
  },
});
for (const c of cases) {
  shell(c.setup);
  const stdout = [];
  const stderr = [];
  const status = await main(c.args, c.argv0, { stdout: sink(stdout), stderr: sink(stderr) });
  shell(c.cleanup);
  writeSync(
    1,
    Buffer.concat([
      Buffer.from(`@@case ${c.key}\n@@stdout\n`),
      ...stdout,
      Buffer.from('@@stderr\n'),
      ...stderr,
      Buffer.from(`@@status ${status}\n`),
    ]),
  );
}
