#!/usr/bin/env bash
# Set up a fresh Debian 12 machine (Node 20 + npm) and run kmodkit's whole test suite.
# Installs the Debian packages the tests use when run as root; the Debian 6.1 module corpus and the
# kernel source are fetched into ${KMODKIT_CACHE:-~/.cache/kmodkit} by the tests that need them.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  kmod            # the oracle: modinfo, depmod
  binutils        # readelf, strip
  build-essential # the kernel-code oracle harnesses
  xz-utils zstd gzip cpio
  curl            # the Debian 13 riscv64 corpus (scripts/fetch-corpus.sh)
  openssl
  python3
  ca-certificates
  chromium        # the web page's end-to-end test (playwright-core)
  groff-base zsh  # the CLI's man pages and completion scripts are checked in them
)

if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "== installing Debian packages: ${apt_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Foreign architectures added by scripts/fetch-corpus.sh can have index files that fail to
  # download; apt-get install below fails anyway if something it needs is missing.
  apt-get update -qq || echo "== apt-get update reported errors; going on"
  apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # Module.symvers of the qemu test kernel, for the load prediction's tests. Debian's archive drops old
  # kernel ABIs: the headers of the kernel qemu-run.sh boots (scripts/kernel-abi.sh says which).
  abi=$(scripts/kernel-abi.sh image)
  apt-get install -y -qq --no-install-recommends "linux-headers-$abi-amd64" >/dev/null
else
  echo "== not root: assuming these Debian packages are installed: ${apt_packages[*]}"
fi

if command -v pnpm >/dev/null && [[ $(pnpm --version) == 10.* ]]; then
  pnpm() { command pnpm "$@"; }
else
  echo "== using pnpm 10 through npx"
  pnpm() { npx -y pnpm@10 "$@"; }
fi

echo "== install"
pnpm install --frozen-lockfile
echo "== lint"
pnpm lint
# The real-kernel tests (Debian's 6.1 kernel under qemu, TCG) are part of the whole suite, run one
# file at a time after the rest (scripts/kernel-tests.sh); KMODKIT_QEMU=0 leaves them out.
qemu="${KMODKIT_QEMU:-1}"
export KMODKIT_QEMU=0

echo "== build, typecheck, test"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
pnpm turbo run build typecheck test --output-logs=full --continue=dependencies-successful 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run, summed from every package's vitest summary.
summary="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^[^ ]*:test: +Tests +[0-9]/ {
    for (i = 1; i <= NF; i++) {
      if ($(i) ~ /^passed/) passed += $(i - 1)
      if ($(i) ~ /^failed/) failed += $(i - 1)
      if ($(i) ~ /^skipped/) skipped += $(i - 1)
    }
  }
  END { printf "vitest: %d passed, %d failed, %d skipped\n", passed, failed, skipped }')"
echo "$summary"
((status == 0)) || { echo "== build, typecheck or test failed (exit $status)"; exit "$status"; }

if [[ $qemu == 1 ]]; then
  echo "== the real kernel (qemu)"
  scripts/kernel-tests.sh
fi
echo "== consumer projects"
pnpm test:consumers
echo "== all tests passed"
echo "$summary"
