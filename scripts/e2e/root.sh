#!/usr/bin/env bash
# Prints the path of a Debian trixie root with OpenSMTPD 7.6 installed, building it first
# if today's is not cached yet (smtpd 7.6 needs trixie's glibc; Debian 12 has only 6.8).
# Cache: $E2E_CACHE (default /var/cache/opensmtpd-tables-e2e), one root per day; older
# roots are removed. Build output goes to stderr.
set -euo pipefail
cache="${E2E_CACHE:-/var/cache/opensmtpd-tables-e2e}"
# The Debian archive this machine's apt already uses (its first non-security URI), unless
# E2E_MIRROR names another.
host_mirror() {
  { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null
  } | tr ' ' '\n' | grep -v -- '-security' | grep . | head -1
  return 0
}
mirror="${E2E_MIRROR:-$(host_mirror || true)}"
[ -n "$mirror" ] || { echo "no Debian mirror in the apt sources; set E2E_MIRROR" >&2; exit 1; }
root="$cache/trixie-$(date -u +%Y%m%d)"
mkdir -p "$cache"
if [ ! -x "$root/usr/sbin/smtpd" ] || [ ! -e "$root/.complete" ]; then
  command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
  for old in "$cache"/trixie-*; do
    [ -d "$old" ] && [ "$old" != "$root" ] || continue
    umount "$old/proc" 2>/dev/null || true
    rm -rf --one-file-system "$old"
  done
  umount "$root.tmp/proc" 2>/dev/null || true
  rm -rf --one-file-system "$root.tmp"
  echo "building the trixie root in $root (about 20 s)" >&2
  mmdebstrap --quiet --variant=apt --include=opensmtpd,ca-certificates,openssl,sqlite3 \
    trixie "$root.tmp" "$mirror" >&2
  touch "$root.tmp/.complete"
  mv "$root.tmp" "$root"
fi
echo "$root"
