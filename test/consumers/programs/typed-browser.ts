// Type-checked against the published .d.ts files only. The Bundler project compiles this with no
// @types/node at all, which proves the browser-safe packages' types need nothing from Node.
import { ElfError, type KernelModule, readModule } from '@kmodkit/elf';
import { errnoName, errnoNumber, explain, strerror } from '@kmodkit/errno';
import { formatArgs, ParamError, parseArgs } from '@kmodkit/params';

export function summarize(bytes: Uint8Array): string[] {
  const mod: KernelModule = readModule(bytes);
  const modinfo: { key: string; value: string }[] = mod.modinfo.map(({ key, value }) => ({ key, value }));
  // Each @ts-expect-error fails the check if the declarations resolved to `any` or went missing.
  // @ts-expect-error modinfo is a list of entries, not a string
  const notAString: string = mod.modinfo;

  const { args, rest } = parseArgs('debug=1 name="two words" quiet');
  const first: string | null = args[0]?.value ?? null;
  // @ts-expect-error formatArgs takes parsed arguments, not a number
  formatArgs(42);

  const code: number | undefined = errnoNumber('ENOEXEC');
  // @ts-expect-error errnoNumber is undefined for a name it does not know
  const sure: number = errnoNumber('ENOEXEC');

  const errors: (abstract new (...args: never[]) => Error)[] = [ElfError, ParamError];
  return [
    `${mod.name} ${mod.vermagic} ${modinfo.length} modinfo entries`,
    `${formatArgs(args)} (rest ${JSON.stringify(rest)}, first ${first})`,
    `${errnoName(sure)} ${strerror(code ?? 0)}: ${explain('finit_module', 'ENOEXEC')}`,
    `${errors.length} error classes ${notAString}`,
  ];
}
