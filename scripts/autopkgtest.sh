#!/usr/bin/env bash
# make autopkgtest: the packages' own tests (debian/tests, from packaging/debian/tests) run by
# Debian 13's autopkgtest, as ci.debian.net would run them, on a throw-away overlay of the
# Debian 13 root of the install test (scripts/trixie-root.sh test): our repository added
# there as an administrator adds it, autopkgtest installed from the archive, then
#
#   autopkgtest --no-built-binaries opensmtpd-tables_VERSION.dsc -- null
#
# inside the root: the `null` runner tests the system it runs on, here the root, and apt
# installs each test's Depends (ours from the repository, the servers from Debian). It runs
# in a network namespace of its own (loopback only): the tests use Unix sockets, apt takes
# the packages the root keeps downloaded, and nothing can reach or disturb the machine's
# servers. Like a container, the root refuses to start services on installation
# (policy-rc.d), so a server package only installs; each test starts its own server.
# AUTOPKGTEST_ARGS adds options (e.g. "--test-name ldap"). Needs root (mount, chroot).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "autopkgtest.sh needs root (mount, chroot, unshare)"; exit 1; }
. scripts/lib/overlay.sh
. scripts/lib/packages.sh
started=$(date +%s)
packages_ready
version="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
dsc="opensmtpd-tables_$version.dsc"
[ -f "$REPO/$dsc" ] || { echo "no source package $REPO/$dsc (make deb && make repo)"; exit 1; }

test_root="$(scripts/trixie-root.sh test)"
work="$(mktemp -d /tmp/opensmtpd-tables-autopkgtest.XXXXXX)"
trap 'overlay_stop "$work"' EXIT
trap 'exit 130' INT TERM
overlay_start "$test_root" "$work"
root_add_repo "$work" "$REPO" || { echo "adding the repository failed"; exit 1; }
printf '#!/bin/sh\n# No service starts on installation in this test root.\nexit 101\n' > "$work/root/usr/sbin/policy-rc.d"
chmod 755 "$work/root/usr/sbin/policy-rc.d"
offline() { unshare --net -- sh -c 'ip link set lo up 2>/dev/null || true; exec "$@"' sh "$@"; }
if ! offline chroot "$work/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install --yes autopkgtest >"$work/apt.log" 2>&1; then
  tail -15 "$work/apt.log"
  echo "installing autopkgtest in the Debian 13 root failed"
  exit 1
fi
echo "autopkgtest $(in_root "$work" dpkg-query -W -f='${Version}' autopkgtest) in the Debian 13 root ($(( $(date +%s) - started )) s)"

log="$DEBDIR/autopkgtest.log"
status=0
# shellcheck disable=SC2086
offline chroot "$work/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive \
  autopkgtest --no-built-binaries --output-dir /tmp/autopkgtest-out ${AUTOPKGTEST_ARGS:-} \
  "/srv/opensmtpd-tables/$dsc" -- null >"$log" 2>&1 || status=$?
# Each test's own lines, then the summary.
grep -E '^(ok|FAIL): ' "$log" || true
summary="$work/root/tmp/autopkgtest-out/summary"
if [ -f "$summary" ]; then cat "$summary"; else tail -30 "$log"; fi
echo "autopkgtest: $(( $(date +%s) - started )) s (log: $log)"
# 0: every test passed; anything else (2: one was skipped, 4: one failed, ...) is a failure.
case "$status" in
  0) echo "autopkgtest: every test passed" ;;
  *) echo "autopkgtest failed (exit status $status; see $log)"; exit 1 ;;
esac
