import { defineConfig } from 'vitest/config';

// `pnpm bench`: the corpus benchmark runs once, alone, as a test file (it prints a markdown table).
export default defineConfig({
  test: { include: ['bench/**/*.bench.ts'], testTimeout: 600_000, fileParallelism: false },
});
