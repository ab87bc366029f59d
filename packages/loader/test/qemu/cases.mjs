// Runs inside Debian's real 6.1 kernel under qemu (test/qemu.test.ts starts it through
// scripts/qemu-run.sh): each case calls @kmodkit/loader's built dist and prints one JSON line
// {"case", "ok", …result} or {"case", "code", "errno", "explanation", "message"}; the host test
// compares them with what the kernel must answer. Usage: node cases.mjs <variants dir> [batch]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [dir, batch = 'matrix'] = process.argv.slice(2);
const loader = await import(new URL('../../dist/index.js', import.meta.url).href);
const fixtures = new URL('../../../../fixtures/modules/', import.meta.url).pathname;
const F = (name) => `${fixtures}${name}`;
const V = (name) => `${dir}/${name}`;

async function run(name, fn) {
  try {
    const value = await fn();
    console.log(
      JSON.stringify({ case: name, ok: true, value: value ?? null }, (_, v) =>
        typeof v === 'bigint' ? String(v) : v,
      ),
    );
  } catch (e) {
    console.log(
      JSON.stringify({
        case: name,
        ok: false,
        name: e.name,
        code: e.code,
        errno: e.errno,
        explanation: e.explanation,
        message: e.message,
        causeCode: e.cause?.code,
      }),
    );
  }
}
const loaded = async () =>
  (await loader.readProcModules()).map((m) => m.name).filter((n) => n.startsWith('kmodkit'));
const remove = async (...names) => {
  for (const n of names) await loader.removeModule(n);
};

if (batch === 'eperm') {
  // Started under setpriv without CAP_SYS_MODULE.
  await run('eperm finit', () => loader.finitModule(F('kmodkit_test.ko')));
  await run('eperm init', () => loader.initModule(readFileSync(F('kmodkit_test.ko'))));
  await run('eperm delete', () => loader.deleteModule('9p'));
  process.exit(0);
}
if (batch === 'disabled') {
  await run('state before', () => loader.readModulesDisabled());
  execFileSync('sh', ['-c', 'echo 1 > /proc/sys/kernel/modules_disabled']);
  await run('state after', () => loader.readModulesDisabled());
  await run('disabled finit', () => loader.finitModule(F('kmodkit_test.ko')));
  await run('disabled init', () => loader.initModule(readFileSync(F('kmodkit_test.ko'))));
  await run('disabled delete', () => loader.deleteModule('9p'));
  process.exit(0);
}

const { MODULE_INIT_COMPRESSED_FILE, MODULE_INIT_IGNORE_VERMAGIC } = loader;
await run('state', async () => ({
  compression: loader.readKernelCompression() ?? null,
  sigEnforce: loader.readSigEnforce(),
  modulesDisabled: loader.readModulesDisabled(),
  tainted: loader.readTainted().mask,
}));
await run('finit random', () => loader.finitModule(V('random.ko')));
await run('finit empty', () => loader.finitModule(V('empty.ko')));
await run('init empty', () => loader.initModule(new Uint8Array(0)));
await run('finit truncated', () => loader.finitModule(V('truncated.ko')));
await run('init truncated', () => loader.initModule(readFileSync(V('truncated.ko'))));
await run('finit unknown flag', () => loader.finitModule(F('kmodkit_test.ko'), '', 8));
await run('finit missing dependency', () => loader.finitModule(F('kmodkit_dep.ko')));
await run('bad int', () => loader.finitModule(F('kmodkit_test.ko'), 'p_int=abc'));
await run('byte out of range', () => loader.finitModule(F('kmodkit_test.ko'), 'p_byte=256'));
await run('missing value', () => loader.finitModule(F('kmodkit_test.ko'), 'p_int'));
await run('no this_module', () => loader.finitModule(V('no-this-module.ko')));
await run('insert with params', async () => {
  const result = await loader.insertModule(F('kmodkit_test.ko'), {
    params: 'p_int=5 p_charp="in qemu" nosuch=1 p_int_array=4,5,6',
  });
  const sys = loader.readSysModule('kmodkit_test');
  const shell = execFileSync(
    'sh',
    [
      '-c',
      'cd /sys/module/kmodkit_test/parameters && for p in *; do printf "%s=%s\\n" "$p" "$(cat $p)"; done',
    ],
    { encoding: 'utf8' },
  );
  return {
    result,
    sys: {
      ...sys,
      parameters: Object.fromEntries(sys.parameters.map((p) => [p.name, p.value])),
      modes: Object.fromEntries(sys.parameters.map((p) => [p.name, p.mode])),
    },
    shell,
    taint: loader
      .readTainted()
      .flags.map((f) => f.letter)
      .join(''),
  };
});
await run('insert twice', () => loader.insertModule(F('kmodkit_test.ko')));
await run('insert dependent', () => loader.insertModule(F('kmodkit_dep.ko'), { params: 'dep_count=3' }));
await run('holders', () => ({
  holders: loader.readHolders('kmodkit_test'),
  refcnt: loader.readRefcnt('kmodkit_test'),
}));
await run('delete in use', () => loader.deleteModule('kmodkit_test'));
await run('remove pair in order', async () => {
  await remove('kmodkit_dep', 'kmodkit_test');
  return loaded();
});
await run('delete not loaded', () => loader.deleteModule('kmodkit_test'));
await run('insert xz', async () => {
  const r = await loader.insertModule(F('kmodkit_test.ko.xz'));
  await remove('kmodkit_test');
  return r;
});
await run('finit xz compressed flag', () =>
  loader.finitModule(F('kmodkit_test.ko.xz'), '', MODULE_INIT_COMPRESSED_FILE),
);
await run('insert zst', async () => {
  const r = await loader.insertModule(F('kmodkit_test.ko.zst'));
  await remove('kmodkit_test');
  return r;
});
await run('stripped debug', async () => {
  await loader.insertModule(F('kmodkit_test-stripped.ko'));
  await remove('kmodkit_test');
});
await run('signed', async () => {
  await loader.insertModule(F('kmodkit_test-signed.ko'));
  await remove('kmodkit_test');
});
await run('signed by an unknown key, bytes edited', async () => {
  // The kernel does not have the fixture's key: ENOKEY, which sig_enforce=N lets load (tainted E).
  await loader.insertModule(V('edited-signed.ko'));
  const taint = loader.readSysModule('kmodkit_test').taint;
  await remove('kmodkit_test');
  return taint;
});
const taintOf = async (file, name) => {
  await loader.insertModule(file);
  const taint = loader.readSysModule(name).taint;
  await remove(name);
  return taint;
};
await run('debian signed', () => taintOf(V('debian-dummy.ko'), 'dummy'));
await run('debian signed, bytes edited', () => loader.insertModule(V('debian-dummy-edited.ko')));
await run('debian signature stripped', () => taintOf(V('debian-dummy-unsigned.ko'), 'dummy'));
await run('vermagic release differs', async () => {
  await loader.insertModule(V('vermagic-release.ko'));
  await remove('kmodkit_test');
});
await run('vermagic flags differ', () => loader.insertModule(V('vermagic-flags.ko')));
await run('vermagic flags, IGNORE_VERMAGIC', async () => {
  await loader.finitModule(V('vermagic-flags.ko'), '', MODULE_INIT_IGNORE_VERMAGIC);
  const taint = loader.readSysModule('kmodkit_test').taint;
  await remove('kmodkit_test');
  return taint;
});
await run('vermagic flags, xz, insmod -f in user space', async () => {
  const r = await loader.insertModule(V('vermagic-flags.ko.xz'), {
    ignoreVermagic: true,
    ignoreModversions: true,
  });
  await remove('kmodkit_test');
  return r;
});
await run('loadModules pair', async () => {
  const r = await loader.loadModules([
    F('kmodkit_test.ko'),
    { path: F('kmodkit_dep.ko'), params: 'dep_count=2' },
  ]);
  const after = await loaded();
  await remove('kmodkit_dep', 'kmodkit_test');
  return { ...r, after };
});
await run('loadModules failing second', () =>
  loader.loadModules([F('kmodkit_test.ko'), V('dep-vermagic-flags.ko')]),
);
await run('after failed loadModules', () => loaded());
await run('loadModules keeps what was there', async () => {
  await loader.insertModule(F('kmodkit_test.ko'));
  try {
    await loader.loadModules([F('kmodkit_test.ko'), V('dep-vermagic-flags.ko')]);
  } catch (e) {
    const after = await loaded();
    await remove('kmodkit_test');
    return { code: e.code, after };
  }
});
await run('create_module', () => loader.createModule('x', 4096));
await run('query_module', () => loader.queryModule(null, 0));
await run('get_kernel_syms', () => loader.getKernelSyms());
await run('old init_module', () => loader.oldInitModule());
