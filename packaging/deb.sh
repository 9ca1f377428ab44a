#!/usr/bin/env bash
# `make deb`: builds the source package and the Debian 13 (trixie) packages of every backend
# in packaging/backends the way Debian builds them: dpkg-buildpackage, as an unprivileged
# user and without network, in a clean Debian 13 root that holds only the Build-Depends
# (scripts/trixie-root.sh build: cached per day, made with mmdebstrap from the archive), so
# with Debian's swiftlang. Needs root (mount, chroot).
#
# The source tree (the working tree, without what .gitignore names) becomes
# opensmtpd-tables-VERSION with packaging/debian as its debian/ folder; out come, in $DEBDIR
# (default /tmp/opensmtpd-tables-deb):
#   opensmtpd-tables_VERSION.dsc, opensmtpd-tables_VERSION.tar.xz    the source package
#   opensmtpd-table-NAME-swift{,-dbgsym}_VERSION_ARCH.deb           the binary packages
#   opensmtpd-tables_VERSION_ARCH.{changes,buildinfo}, build.log
# Environment: DEB_JOBS (compile jobs, default: the number of CPUs); DEB_PREVIOUS=1 also
# builds the binary packages once more as version VERSION~prev, into $DEBDIR/previous/ (the
# "previous version" of the upgrade test, scripts/install-test.sh: the same source
# rebuilt with dpkg-buildpackage -b on the objects of the first build, about 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "deb.sh needs root (mount, chroot): run it with sudo" >&2; exit 1; }
. scripts/lib/overlay.sh
debdir="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
version="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
jobs="${DEB_JOBS:-$(nproc)}"
started=$(date +%s)
elapsed() { echo "$(( $(date +%s) - started )) s"; }

root="$(scripts/trixie-root.sh build)"
echo "build root: $root ($(elapsed))"

work="$(mktemp -d /tmp/opensmtpd-tables-build.XXXXXX)"
trap 'overlay_stop "$work"' EXIT
trap 'exit 130' INT TERM
overlay_start "$root" "$work"
tree="$work/root/build/opensmtpd-tables-$version"
mkdir -p "$tree"

# The source tree: what git would see, with debian/ at its top.
rsync -a --filter=':- .gitignore' --exclude /.build --exclude /.git --exclude /debian \
  --exclude /packaging/debian ./ "$tree/"
cp -a packaging/debian "$tree/debian"
cp packaging/backends "$tree/debian/backends"
# debian/control: the source stanza, then one binary stanza per backend.
{
  cat packaging/debian/control.in
  while read -r name source; do
    sed -e "s|@NAME@|$name|g" -e "s|@SOURCE@|$source|g" packaging/debian/package.in
  done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/backends)
} > "$tree/debian/control"
# debian/PACKAGE.lintian-overrides: the entries of lintian-overrides.in naming the package,
# each with the comment above it (its reason).
while read -r name _; do
  package="opensmtpd-table-$name-swift"
  sed "s|@NAME@|$name|g" packaging/debian/lintian-overrides.in | awk -v package="$package" '
    /^#/ { comment = comment $0 "\n"; next }
    /^[^[:space:]]/ { if (index($0, package ":") == 1) printf "%s%s\n", comment, $0 }
    { comment = "" }' > "$tree/debian/$package.lintian-overrides"
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/backends)
rm -f "$tree/debian/control.in" "$tree/debian/package.in" "$tree/debian/lintian-overrides.in"
builder="$(in_root "$work" id -u builder):$(in_root "$work" id -g builder)"
chown -R "$builder" "$work/root/build"

# As the build daemons do: an unprivileged user, no $HOME, no network.
build() { # DIRECTORY ARGUMENTS...
  local dir="$1"
  shift
  unshare --net -- chroot --userspec="$builder" "$work/root" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/nonexistent LC_ALL=C.UTF-8 LOGNAME=builder USER=builder \
    DEB_BUILD_OPTIONS="parallel=$jobs" \
    sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@"
}
mkdir -p "$debdir"
log="$debdir/build.log"
echo "dpkg-buildpackage in the Debian 13 root ($jobs jobs; log: $log)"
if ! build "/build/opensmtpd-tables-$version" dpkg-buildpackage -us -uc >"$log" 2>&1; then
  tail -40 "$log"
  echo "deb.sh: dpkg-buildpackage failed in the Debian 13 build root (whole log: $log)" >&2
  exit 1
fi
rm -f "$debdir"/*.deb "$debdir"/*.dsc "$debdir"/*.tar.* "$debdir"/*.changes "$debdir"/*.buildinfo
cp "$work/root/build"/*.deb "$work/root/build"/*.dsc "$work/root/build"/*.tar.* \
  "$work/root/build"/*.changes "$work/root/build"/*.buildinfo "$debdir/"
echo "packages built ($(elapsed))"

if [ "${DEB_PREVIOUS:-0}" = 1 ]; then
  # The same tree, its debhelper state cleared (dh_clean keeps the compiled objects), its
  # version lowered in debian/changelog, built binary-only.
  previous="$version~prev"
  sed -i "1s/($version)/($previous)/" "$tree/debian/changelog"
  mkdir -p "$work/previous"
  if ! { build "/build/opensmtpd-tables-$version" dh_clean \
         && build "/build/opensmtpd-tables-$version" dpkg-buildpackage -b -nc -us -uc; } >"$debdir/build-previous.log" 2>&1; then
    tail -40 "$debdir/build-previous.log"
    echo "deb.sh: building the previous version $previous failed (log: $debdir/build-previous.log)" >&2
    exit 1
  fi
  rm -rf "$debdir/previous"
  mkdir -p "$debdir/previous"
  cp "$work/root/build"/*"_${previous}_"*.deb "$debdir/previous/"
  echo "previous version $previous built ($(elapsed))"
fi
ls -l "$debdir"/*.deb "$debdir"/*.dsc "$debdir"/*.tar.*
echo "make deb: $(elapsed)"
