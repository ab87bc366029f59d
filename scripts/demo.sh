#!/usr/bin/env bash
# Install, build, and run kmodkit on the bundled sample module (works with only Node 20 and npm).
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
