import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The conformance test runs kmod and kmodkit over whole module corpora: minutes, not seconds.
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 900_000 },
});
