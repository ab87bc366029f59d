export { ElfError, type ElfErrorOptions, isElfError } from './error.js';
