#!/usr/bin/env bash
# Runs every test that needs the real kernel (Debian's 6.1 under qemu, TCG), one test file after another:
# each boots its own guest, and TCG guests running side by side on two cores would only slow each other.
# CI runs this after the rest of the suite (scripts/test.sh); the kernel and initramfs are cached by
# scripts/qemu-run.sh. Needs the packages built (`pnpm build`).
# Usage: scripts/kernel-tests.sh   (exit status: that of the first failing file, else 0)
set -euo pipefail
cd "$(dirname "$0")/.."
export KMODKIT_QEMU=1
if command -v pnpm >/dev/null && [[ $(pnpm --version) == 10.* ]]; then pnpm() { command pnpm "$@"; }; else pnpm() { npx -y pnpm@10 "$@"; }; fi

# package directory and its kernel test files
runs=(
  "packages/params test/qemu.test.ts"
  "packages/loader test/qemu.test.ts test/predict-qemu.test.ts test/modprobe-qemu.test.ts"
  "apps/cli test/qemu.test.ts"
)
for run in "${runs[@]}"; do
  read -r dir files <<<"$run"
  for f in $files; do
    echo "== kernel tests: $dir/$f"
    start=$SECONDS
    (cd "$dir" && pnpm exec vitest run "$f")
    echo "== $dir/$f: $((SECONDS - start)) s"
  done
done
echo "== fixture modules in the real kernel"
scripts/check-fixtures-in-qemu.sh
