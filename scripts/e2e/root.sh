#!/usr/bin/env bash
# Prints the path of a Debian trixie root with OpenSMTPD 7.6 installed, building it first
# if today's is not cached yet (smtpd 7.6 needs trixie's glibc; Debian 12 has only 6.8).
# Cache: $E2E_CACHE (default /var/cache/opensmtpd-tables-e2e), one root per day; older
# roots are removed. Build output goes to stderr.
set -euo pipefail
cache="${E2E_CACHE:-/var/cache/opensmtpd-tables-e2e}"
mirror="${E2E_MIRROR:-http://deb.debian.org/debian}"
root="$cache/trixie-$(date -u +%Y%m%d)"
mkdir -p "$cache"
if [ ! -x "$root/usr/sbin/smtpd" ] || [ ! -e "$root/.complete" ]; then
  command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
  for old in "$cache"/trixie-*; do
    [ -d "$old" ] && [ "$old" != "$root" ] || continue
    umount "$old/proc" 2>/dev/null || true
    rm -rf --one-file-system "$old"
  done
  rm -rf --one-file-system "$root.tmp"
  echo "building the trixie root in $root (about 20 s)" >&2
  mmdebstrap --quiet --variant=apt --include=opensmtpd,ca-certificates,openssl,sqlite3 \
    trixie "$root.tmp" "$mirror" >&2
  touch "$root.tmp/.complete"
  mv "$root.tmp" "$root"
fi
echo "$root"
