#!/usr/bin/env bash
# `make deb`: builds the Debian packages of every backend in packaging/backends into
# $DEBDIR (default /tmp/opensmtpd-tables-deb), outside the source tree.
#
# The source is copied to $DEBDIR/build/opensmtpd-tables-VERSION with packaging/debian as
# its debian/ folder; that copy keeps its .build between runs, so a second `make deb` only
# rebuilds what changed. Swift is not a Debian package: `swift` must be on PATH.
# DEB_JOBS (default 1) is the number of compile jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
debdir="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
version="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
tree="$debdir/build/opensmtpd-tables-$version"

backends=()
while read -r name _; do
  backends+=("$name")
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/backends)

mkdir -p "$tree"
rsync -a --delete --filter=':- .gitignore' --exclude /.build --exclude /.git --exclude /debian ./ "$tree/"
rm -rf "$tree/debian"
cp -a packaging/debian "$tree/debian"
cp packaging/backends "$tree/debian/backends"

# debian/control: the source stanza with every backend's build dependencies, then one
# binary stanza per backend.
deps=(scripts/deps/core.build)
for name in "${backends[@]}"; do
  [ -f "scripts/deps/$name.build" ] && deps+=("scripts/deps/$name.build")
done
build_depends="$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')"
{
  sed "s|@BUILD_DEPENDS@|$build_depends|" packaging/debian/control.in
  while read -r name source; do
    sed -e "s|@NAME@|$name|g" -e "s|@SOURCE@|$source|g" packaging/debian/package.in
  done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' packaging/backends)
} > "$tree/debian/control"
rm -f "$tree/debian/control.in" "$tree/debian/package.in"

(cd "$tree" && dpkg-buildpackage -b -us -uc --no-pre-clean -J"${DEB_JOBS:-1}")
mkdir -p "$debdir"
for file in "$debdir"/build/*.deb "$debdir"/build/*.buildinfo "$debdir"/build/*.changes; do
  [ -e "$file" ] && mv -f "$file" "$debdir/"
done
ls -l "$debdir"/*.deb
