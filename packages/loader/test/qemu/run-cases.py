# Runs inside the qemu guest (scripts/qemu-run.sh): loads each case with finit_module(2) through
# ctypes, records the kernel's errno, its log lines and the module's taint, and gathers the target
# with kmodkit's own Node gatherer (gather.mjs) in each system state. Prints one JSON document.
# Usage: python3 run-cases.py cases.json
import ctypes, errno, json, os, subprocess, sys, time

SYS_finit_module, SYS_delete_module = 313, 176  # x86_64
libc = ctypes.CDLL(None, use_errno=True)
here = os.path.dirname(os.path.abspath(__file__))
spec = json.load(open(sys.argv[1]))


def finit(path, params, flags=0):
    fd = os.open(path, os.O_RDONLY)
    try:
        r = libc.syscall(SYS_finit_module, fd, params.encode(), flags)
        return 0 if r == 0 else ctypes.get_errno()
    finally:
        os.close(fd)


def delete(name):
    r = libc.syscall(SYS_delete_module, name.encode(), os.O_NONBLOCK)
    return 0 if r == 0 else ctypes.get_errno()


def dmesg():
    return subprocess.run(['dmesg', '-c'], capture_output=True, text=True).stdout.splitlines()


def taint_of(name):
    for line in open('/proc/modules'):
        f = line.split()
        if f[0] == name:
            return f[6].strip('()') if len(f) > 6 else ''
    return None


out = {'targets': {}, 'cases': [], 'seconds': {}}
start = time.time()
dmesg()
for state in spec['states']:
    for m in state.get('load', []):
        e = finit(m, '')
        assert e == 0, f'setup load of {m}: {errno.errorcode.get(e, e)}'
    for cmd in state.get('sysctl', []):
        open(cmd[0], 'w').write(cmd[1])
    target = f"/tmp/target-{state['name']}.json"  # the host root is read-only here
    subprocess.run([spec['node'], os.path.join(here, 'gather.mjs'), target, json.dumps(spec['gather'])], check=True)
    out['targets'][state['name']] = json.load(open(target))
    out['seconds'][f"gather {state['name']}"] = round(time.time() - start, 1)
    dmesg()
    for case in state['cases']:
        e = finit(case['file'], case['params'], case['flags'])
        taint = taint_of(case['name']) if e == 0 else None
        if e == 0:
            for name in [case['name']] + case.get('unload', []):
                delete(name)
        out['cases'].append({'id': case['id'], 'errno': errno.errorcode.get(e) if e else None,
                             'taint': taint, 'log': dmesg()})
out['seconds']['all'] = round(time.time() - start, 1)
print('@@json ' + json.dumps(out))
