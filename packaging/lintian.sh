#!/usr/bin/env bash
# `make lintian`: Debian 13's lintian on what `make deb` built (the .changes: source and
# binary packages), run as an unprivileged user in a throw-away overlay of the build root
# (scripts/trixie-root.sh build), where lintian is installed from the packages the root
# keeps for it. Fails on any error or warning; info and pedantic tags are shown too. Needs
# root (mount, chroot). Output also in $DEBDIR/lintian.log.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "lintian.sh needs root (mount, chroot): run it with sudo" >&2; exit 1; }
. scripts/lib/overlay.sh
debdir="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
changes="$(ls "$debdir"/*.changes 2>/dev/null | head -1)"
[ -n "$changes" ] || { echo "lintian.sh: no .changes in $debdir (run make deb first)" >&2; exit 1; }

root="$(scripts/trixie-root.sh build)"
work="$(mktemp -d /tmp/opensmtpd-tables-lintian.XXXXXX)"
trap 'overlay_stop "$work"' EXIT
trap 'exit 130' INT TERM
overlay_start "$root" "$work"
if ! unshare --net -- chroot "$work/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive apt-get install --yes --quiet lintian >"$work/apt.log" 2>&1; then
  tail -20 "$work/apt.log"
  echo "lintian.sh: installing lintian in the build root failed" >&2
  exit 1
fi
mkdir -p "$work/root/build"
# The .changes and every file it names.
cp "$changes" "$work/root/build/"
for file in $(awk '/^Files:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $NF }' "$changes"); do
  cp "$debdir/$file" "$work/root/build/"
done
chown -R "$(in_root "$work" id -u builder):$(in_root "$work" id -g builder)" "$work/root/build"
version="$(in_root "$work" dpkg-query -W -f='${Version}' lintian)"
echo "lintian $version (Debian 13) on $(basename "$changes")"
status=0
chroot --userspec=builder:builder "$work/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/home/builder LC_ALL=C.UTF-8 \
  lintian --display-info --pedantic --fail-on error,warning "/build/$(basename "$changes")" \
  >"$debdir/lintian.log" 2>&1 || status=$?
cat "$debdir/lintian.log"
if [ "$status" -ne 0 ]; then
  echo "lintian: errors or warnings above (exit $status)" >&2
  exit 1
fi
echo "lintian: no error, no warning"
