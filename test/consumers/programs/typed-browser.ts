// Type-checked against the published .d.ts files only. The Bundler project compiles this with no
// @types/node at all, which proves the browser-safe packages' types need nothing from Node.
import { ElfError, type KernelModule, type ModinfoEntry, readModule } from '@kmodkit/elf';
import { ErrnoError, errnoName, errnoNumber, explain, strerror } from '@kmodkit/errno';
import { type Arg, formatArgs, ParamError, parseArgs } from '@kmodkit/params';

export function summarize(bytes: Uint8Array): string[] {
  const mod: KernelModule = readModule(bytes);
  const modinfo: readonly ModinfoEntry[] = mod.modinfo;
  const keys: string[] = modinfo.map(({ key }) => key);

  const { args, rest }: { args: Arg[]; rest: string | null } = parseArgs('debug=1 name="two words" quiet');
  const first: string | null = args[0]?.value ?? null;

  const code: number | undefined = errnoNumber('ENOEXEC');
  const name: string | undefined = code === undefined ? undefined : errnoName(code);
  const errors: (abstract new (...args: never[]) => Error)[] = [ElfError, ParamError, ErrnoError];
  return [
    `${mod.name} ${mod.vermagic} ${keys.length} modinfo entries`,
    `${formatArgs(args)} (rest ${JSON.stringify(rest)}, first ${first})`,
    `${name} ${strerror(code ?? 0)}: ${explain('finit_module', 'ENOEXEC')}`,
    `${errors.length} error classes`,
  ];
}

// Never called: each @ts-expect-error fails the type check if the declarations resolved to `any`
// or went missing.
export function typesOnly(mod: KernelModule): unknown[] {
  // @ts-expect-error modinfo is a list of entries, not a string
  const modinfo: string = mod.modinfo;
  // @ts-expect-error formatArgs takes parsed arguments, not a number
  const formatted = formatArgs(42);
  // @ts-expect-error errnoNumber is undefined for a name it does not know
  const code: number = errnoNumber('ENOEXEC');
  // @ts-expect-error readModule takes bytes, not a path
  const fromPath = readModule('kmodkit_test.ko');
  return [modinfo, formatted, code, fromPath];
}
