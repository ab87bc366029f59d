// The real `@kmodkit/elf/dist/decompress.js`, reached through vite.config.ts's resolver (the package's
// exports map does not expose it).
declare module 'kmodkit:elf-decompress' {
  export { decompress, detectCompression, MAX_DECOMPRESSED_SIZE } from '@kmodkit/elf';
}

declare module '*.ko?url' {
  const url: string;
  export default url;
}
