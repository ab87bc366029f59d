# Sourced by the scripts that need Debian packages; expects a `log` function.
# ensure_debian_packages PKG...: installs those not installed yet (apt-get update once if the first
# try fails, e.g. on a machine whose package lists are stale or missing).
ensure_debian_packages() {
  local p missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "installing: ${missing[*]}"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    apt-get update >&2 || log "apt-get update reported errors; trying anyway"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
}
