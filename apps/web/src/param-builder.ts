import type { ModuleParam } from '@kmodkit/elf';
import { strerror } from '@kmodkit/errno';
import { type Arg, formatArgs, ParamError, validateArgs } from '@kmodkit/params';

export interface BuiltCommand {
  /** The parameter string, quoted as the kernel's parser needs. */
  args: string;
  /** `insmod <file> <args>` */
  command: string;
  /** One line per problem the kernel would report, e.g. `p_int: EINVAL (Invalid argument) …`. */
  problems: string[];
}

/**
 * Build the parameter string for the values a user typed (empty inputs are left out) and check it
 * the way the kernel's parse_args would.
 */
export function buildCommand(
  fileName: string,
  params: readonly ModuleParam[],
  values: Map<string, string>,
): BuiltCommand {
  const args: Arg[] = [];
  for (const p of params) {
    const value = values.get(p.name);
    if (value !== undefined && value !== '') args.push({ name: p.name, value });
  }
  let text: string;
  try {
    text = formatArgs(args);
  } catch (err) {
    if (err instanceof ParamError) return { args: '', command: '', problems: [err.message] };
    throw err;
  }
  const validation = validateArgs(args, params);
  const problems = validation.issues
    .filter((i) => i.kind === 'invalid')
    .map((i) => `${i.name}: ${i.errno} (${strerror(i.errno ?? 'EINVAL')}) — ${i.message}`);
  return { args: text, command: `insmod ${fileName}${text ? ` ${text}` : ''}`, problems };
}
