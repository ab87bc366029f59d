import type { TestProject } from 'vitest/node';
import { buildOracle } from './build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the compiled kernel oracle, '' when KMODKIT_SKIP_KERNEL_ORACLE=1. */
    kernelOracle: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide('kernelOracle', process.env.KMODKIT_SKIP_KERNEL_ORACLE === '1' ? '' : buildOracle());
}
