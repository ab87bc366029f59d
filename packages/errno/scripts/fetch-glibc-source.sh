#!/usr/bin/env bash
# Print the path of the glibc files that define strerror's table (Debian 12's glibc-source), fetched
# into the cache once. Used by the test that checks the per-architecture messages against glibc's own
# sysdeps/gnu/errlist.h.
set -euo pipefail
exec "$(dirname "$0")/../../../scripts/fetch-deb-source.sh" glibc-source glibc-source 'usr/src/glibc/glibc-*.tar.*' \
  '*/sysdeps/gnu/errlist.h' '*/string/_strerror.c' '*/stdio-common/errlist*' '*/sysdeps/unix/sysv/linux/*errno.h'
