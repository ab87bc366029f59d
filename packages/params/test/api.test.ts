import { expect, test } from 'vitest';

// Every exported type, by name: removing or renaming one fails the typecheck of this file.
export type {
  Arg,
  ArgIssue,
  CmdlineModuleOption,
  CmdlineModuleOptions,
  DeclaredParam,
  ModprobeOptionsLine,
  ModprobeParams,
  ModprobeSources,
  ParamErrno,
  ParamErrorCode,
  ParamType,
  ParamValue,
  ParsedArgs,
  ScalarTypeName,
  ScalarValue,
  Validation,
} from '../src/index.js';

import * as api from '../src/index.js';

/** The public API of @kmodkit/params, pinned: a change to it must change this list (and get a changeset). */
test('the package entry exports exactly the public API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'KERNEL_PARAM_FL_HWPARAM',
    'KERNEL_PARAM_FL_UNSAFE',
    'ParamError',
    'SCALAR_TYPES',
    'builtinModuleArgs',
    'cmdlineModuleOptions',
    'formatArgs',
    'formatValue',
    'modprobeParams',
    'paramEqual',
    'parseArgs',
    'parseModprobeOptions',
    'parseParamType',
    'parseValue',
    'validateArgs',
  ]);
});
