import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    // Compiles the kernel's own params.c/cmdline.c/kstrtox.c code for the differential tests.
    globalSetup: ['test/kernel-oracle/global-setup.ts'],
    // Benchmarks load the built package natively, as users run it.
    server: { deps: { external: [/\/packages\/params\/dist\//] } },
  },
});
