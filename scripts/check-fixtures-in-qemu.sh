#!/bin/sh
# Loads the fixture modules into Debian's real 6.1 kernel (via scripts/qemu-run.sh) and checks
# what the kernel shows of them: parameters in sysfs, the dependency, unloading.
# Usage: scripts/check-fixtures-in-qemu.sh   (exit 0 when every check passed)
set -u
if [ -z "${KMODKIT_IN_QEMU:-}" ]; then
  here=$(cd "$(dirname "$0")" && pwd)
  exec "$here/qemu-run.sh" /bin/sh "$here/check-fixtures-in-qemu.sh"
fi

M=$(cd "$(dirname "$0")/../fixtures/modules" && pwd)
P=/sys/module/kmodkit_test/parameters
passed=0 failed=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $1: expected '$2', got '$3'"; fi
}

insmod "$M/kmodkit_test.ko" p_int=-7 p_charp=fromcmd p_int_array=9,8 p_charp_array=a,b \
  p_bool=n p_hexint=0x10 p_string=abc p_named=77 p_cb=11 p_bint=0 p_invbool=y
check "insmod kmodkit_test.ko" 0 $?
insmod "$M/kmodkit_dep.ko" dep_count=5 dep_name=hi
check "insmod kmodkit_dep.ko" 0 $?

# Values as the kernel formats them (kernel/params.c param_get_*); perm-0 parameters are absent.
for pv in p_bint=0 p_bool=N p_bool_enable_only=N p_byte=7 p_cb=11 p_charp=fromcmd \
  p_charp_array=a,b,'(null)' p_hexint=0x000010 p_int=-7 p_int_array=9,8 p_invbool=Y \
  p_long=-1234567890 p_named=77 p_short=-12 p_string=abc p_uint=42 p_ullong=18446744073709551615; do
  check "${pv%%=*}" "${pv#*=}" "$(cat "$P/${pv%%=*}" 2>&1)"
done
check "sysfs parameter list" \
  "p_bint p_bool p_bool_enable_only p_byte p_cb p_charp p_charp_array p_hexint p_int p_int_array p_invbool p_long p_named p_short p_string p_uint p_ullong" \
  "$(ls "$P" | tr '\n' ' ' | sed 's/ $//')"
check "perm p_uint" 600 "$(stat -c %a "$P/p_uint")"
check "perm p_short" 444 "$(stat -c %a "$P/p_short")"
check "dep_count" 5 "$(cat /sys/module/kmodkit_dep/parameters/dep_count)"
check "dep_name" hi "$(cat /sys/module/kmodkit_dep/parameters/dep_name)"
check "holders" kmodkit_dep "$(ls /sys/module/kmodkit_test/holders)"
check "version" 1.2.3 "$(cat /sys/module/kmodkit_test/version)"

rmmod kmodkit_test 2>/dev/null
check "rmmod kmodkit_test while in use fails" 1 $?
rmmod kmodkit_dep
check "rmmod kmodkit_dep" 0 $?
rmmod kmodkit_test
check "rmmod kmodkit_test" 0 $?
for v in kmodkit_test-signed.ko kmodkit_test-stripped.ko; do
  insmod "$M/$v" && rmmod kmodkit_test
  check "insmod+rmmod $v" 0 $?
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
