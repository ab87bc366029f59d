// The target the unit tests predict against: Debian's 6.1 kernel as the qemu guest runs it (the ABI
// scripts/kernel-abi.sh resolves: 6.1.0-56 while Debian has it, else the newest 6.1.0-*), read with the
// offline gatherer from the corpus (vermagic, config) and the headers' Module.symvers.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModule } from '@kmodkit/elf';
import { type LoadTarget, readLoadTarget } from '../src/index.js';
import { parseModuleSymvers } from '../src/predict/index.js';
import { fixtures, repo, type State, symversOf } from './variants.js';

/** The kernel ABI (6.1.0-NN) of the kernel qemu-run.sh boots; its fallback is said on stderr. */
export const ABI = execFileSync(join(repo, 'scripts/kernel-abi.sh'), ['image'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
export const RELEASE = `${ABI}-amd64`;
export const HEADERS = `/usr/src/linux-headers-${RELEASE}`;
export const KERNEL_SYMVERS = join(HEADERS, 'Module.symvers');

/** Whether the oracle inputs are here; in CI (CI=true) their absence fails instead of skipping. */
export const haveKernelInputs = existsSync(KERNEL_SYMVERS) && process.env.KMODKIT_SKIP_CORPUS !== '1';
if (!haveKernelInputs && process.env.CI === 'true') {
  throw new Error(
    `${KERNEL_SYMVERS} is missing (apt-get install linux-headers-${RELEASE}) or the corpus is skipped`,
  );
}

let moduleDir: string | undefined;
export function corpusModuleDir(): string {
  moduleDir ??= execFileSync(join(repo, 'scripts/fetch-corpus.sh'), ['amd64'], {
    encoding: 'utf8',
    env: { ...process.env, KMODKIT_CORPUS_ABI: ABI },
  })
    .trim()
    .split('\n')[0]!;
  return moduleDir;
}

/** kmodkit_test's exports as a Module.symvers (what KBUILD_EXTRA_SYMBOLS would name). */
export const testSymvers = symversOf(
  readModule(readFileSync(join(fixtures, 'kmodkit_test.ko'))),
  'kmodkit_test',
);

/** The guest's state as its live gatherer sees it, without the live files: offline + what the state sets. */
export async function stateTarget(state: State): Promise<LoadTarget> {
  const base = await readLoadTarget({
    release: RELEASE,
    moduleDir: corpusModuleDir(),
    live: false,
    symvers: [KERNEL_SYMVERS],
  });
  const symbols = new Map(base.symbols);
  const loaded = new Set<string>();
  if (state !== 'clean') {
    loaded.add('kmodkit_test');
    for (const [name, sym] of parseModuleSymvers(testSymvers)) symbols.set(name, sym);
  }
  return {
    ...base,
    symbols,
    loaded,
    taints: new Map(state === 'clean' ? [] : [['kmodkit_test', 'OE']]),
    capSysModule: true,
    modulesDisabled: state === 'disabled',
    sigEnforce: false,
    lockdown: 'none',
    blacklist: [],
  };
}
