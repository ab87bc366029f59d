// A CommonJS consumer: require() of the ES-module packages, which Node 20.19+ loads synchronously
// through their "default" export condition.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { readModule } = require('@kmodkit/elf');
const { errnoNumber } = require('@kmodkit/errno');
const { formatArgs, parseArgs } = require('@kmodkit/params');

const mod = readModule(readFileSync(join(process.argv[2], 'kmodkit_test.ko')));
const seen = [mod.name, errnoNumber('ENOEXEC'), formatArgs(parseArgs('a=1 b="x y"').args)];
const want = ['kmodkit_test', 8, 'a=1 b="x y"'];
if (JSON.stringify(seen) !== JSON.stringify(want)) {
  console.error(`require(): got ${JSON.stringify(seen)}, want ${JSON.stringify(want)}`);
  process.exitCode = 1;
}
