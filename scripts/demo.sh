#!/usr/bin/env bash
# Install, build, and run kmodkit on the bundled sample module: modinfo, then the load prediction
# (works with only Node 20 and npm).
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v pnpm >/dev/null && [[ $(pnpm --version) == 10.* ]]; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx -y pnpm@10 "$@"; }
fi
pnpm install --frozen-lockfile >/dev/null
pnpm turbo run build --output-logs=errors-only >/dev/null
sample=fixtures/modules/kmodkit_test.ko
echo "\$ kmodkit modinfo $sample"
node apps/cli/bin/kmodkit.js modinfo "$sample"
echo
# Will it load? The prediction needs no kernel: here a parameter value out of its type's range.
echo "\$ kmodkit check $sample p_int=3 p_byte=256"
node apps/cli/bin/kmodkit.js check "$sample" p_int=3 p_byte=256 | head -n 3 || true
