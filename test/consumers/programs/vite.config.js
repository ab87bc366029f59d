import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'info',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    // The preload polyfill touches `document`; the bundle must run where only browser language globals exist.
    modulePreload: { polyfill: false },
  },
});
