#!/usr/bin/env bash
# Print the path of Debian 12's Linux 6.1 source tree (linux-source-6.1), fetched into the cache once.
# Used by tests that compare kmodkit with the kernel's own code and headers.
set -euo pipefail
exec "$(dirname "$0")/fetch-deb-source.sh" linux-source linux-source-6.1 'usr/src/linux-source-6.1.tar.*'
