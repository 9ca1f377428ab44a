#!/usr/bin/env bash
# Prints the path of a Debian 13 (trixie) root made with mmdebstrap from the Debian archive,
# building it first if today's is not cached yet. Two kinds:
#
#   build  the clean build root of `make deb`: essential, build-essential and apt (mmdebstrap's
#          buildd variant) plus what packaging/debian/control.in's Build-Depends names, and
#          nothing else; a user `builder` to build as. lintian's packages are downloaded (not
#          installed) so that the package checks install it in a throw-away overlay.
#   test   a Debian 13 system as an administrator has it: apt and OpenSMTPD 7.6 from the
#          archive, for the install, autopkgtest and end-to-end tests. What those install
#          later with apt is downloaded into the root's apt cache (not installed): the client
#          libraries our packages depend on, Debian's C table packages, autopkgtest and the
#          Depends of packaging/debian/tests/control.
#
# Both keep their apt lists, so apt in an overlay of them resolves offline (a package missing
# from the cache is fetched from the archive). Sources: trixie, trixie-updates and
# trixie-security of the Debian archive this machine's apt uses (TRIXIE_MIRROR and
# TRIXIE_SECURITY_MIRROR override them; TRIXIE_SECURITY_MIRROR=none leaves security out).
#
# Cache: $TABLES_ROOT_CACHE (default /var/cache/opensmtpd-tables): KIND-trixie-DATE-HASH,
# one root per kind and day (HASH: what it holds), older ones removed; apt-KIND/ keeps the
# downloaded packages across days (swiftlang alone is 440 MB); KIND.log is mmdebstrap's
# output (its last lines go to stderr when it fails).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-}"
case "$kind" in build|test) ;; *) echo "usage: $0 build|test" >&2; exit 2 ;; esac
[ "$(id -u)" -eq 0 ] || { echo "$0 needs root (mmdebstrap, chroot)" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing (scripts/deps.sh test installs it)" >&2; exit 1; }
cache="${TABLES_ROOT_CACHE:-/var/cache/opensmtpd-tables}"

# The archive this machine's apt uses: its first URI without (or with) "-security".
host_uri() { # grep option: -v for the main archive, nothing for security
  { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null
  } | tr ' ' '\n' | grep . | grep "$@" -- '-security' | head -1
  return 0
}
mirror="${TRIXIE_MIRROR:-$(host_uri -v || true)}"
[ -n "$mirror" ] || { echo "no Debian mirror in the apt sources; set TRIXIE_MIRROR" >&2; exit 1; }
security="${TRIXIE_SECURITY_MIRROR:-$(host_uri -e || true)}"
[ -n "$security" ] || security="${mirror%/debian}/debian-security"
sources=("deb $mirror trixie main" "deb $mirror trixie-updates main")
[ "$security" = none ] || sources+=("deb $security trixie-security main")

# A field of a deb822 file, continuation lines joined.
field() { # FILE FIELD
  awk -v f="$2" 'tolower($0) ~ "^" tolower(f) ":" { on = 1; sub(/^[^:]*:/, ""); print; next }
    on && /^[ \t]/ { print; next } { on = 0 }' "$1" | tr '\n' ' ' | sed 's/[[:space:]]\{1,\}/ /g; s/^ //; s/[ ,]*$//'
}

# Hooks run with the root as $1 and see the exported variables.
export ROOT_DOWNLOAD ROOT_BUILD_DEPENDS=""
hooks=()
case "$kind" in
  build)
    variant=buildd
    include=""
    ROOT_BUILD_DEPENDS="$(field packaging/debian/control.in Build-Depends)"
    [ -n "$ROOT_BUILD_DEPENDS" ] || { echo "no Build-Depends in packaging/debian/control.in" >&2; exit 1; }
    hooks+=(--customize-hook='chroot "$1" apt-get satisfy --yes --no-install-recommends "$ROOT_BUILD_DEPENDS"')
    hooks+=(--customize-hook='chroot "$1" useradd --create-home --shell /bin/sh builder')
    ROOT_DOWNLOAD="lintian"
    what="$ROOT_BUILD_DEPENDS"
    ;;
  test)
    variant=apt
    # ca-certificates and openssl for smtpd's TLS; procps for the tests' process checks.
    include="opensmtpd,ca-certificates,openssl,procps"
    # Installed later by the tests (with apt, from this cache): our packages' libraries,
    # Debian's C tables, autopkgtest (and dpkg-dev, with which it unpacks the source package)
    # and the autopkgtests' Depends but our own packages.
    ROOT_DOWNLOAD="libpq5 libmariadb3 libldap2 libhiredis1.1.0 libsqlite3-0 sqlite3 autopkgtest dpkg-dev"
    ROOT_DOWNLOAD+=" $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' -e 's/^/opensmtpd-table-/' packaging/backends | paste -sd' ')"
    ROOT_DOWNLOAD+=" $(field packaging/debian/tests/control Depends | sed 's/([^)]*)//g; s/|[^,]*//g' | tr ', ' '\n\n' \
      | grep -v -e '^@' -e '-swift$' | grep . | sort -u | paste -sd' ' || true)"
    what="$include $ROOT_DOWNLOAD"
    ;;
esac

# The root is made again when what it holds or how it is made changes.
key="$( { printf '%s\n' "$variant" "$what" "${sources[@]}"; cat "$0" scripts/lib/root-keep-downloaded.sh; } | md5sum | cut -c1-8)"
root="$cache/$kind-trixie-$(date -u +%Y%m%d)-$key"
if [ -e "$root/.complete" ]; then echo "$root"; exit 0; fi

mkdir -p "$cache/apt-$kind"
exec 9>"$cache/$kind.lock"
flock 9
if [ -e "$root/.complete" ]; then echo "$root"; exit 0; fi
# Older roots go, but for one still under an overlay (a run of another checkout).
for old in "$cache/$kind"-trixie-*; do
  [ -d "$old" ] && [ "$old" != "$root" ] || continue
  if grep -qF "lowerdir=$old," /proc/mounts; then continue; fi
  rm -rf --one-file-system "$old"
done
rm -rf --one-file-system "$root.tmp" "$cache/apt-$kind.new"
echo "building the Debian 13 $kind root in $root" >&2
started=$(date +%s)
# The cached packages go in first and come out again once everything is downloaded (only
# this run's, so that superseded versions leave the cache); then the root's own cache keeps
# only what ROOT_DOWNLOAD needs (scripts/lib/root-keep-downloaded.sh), Recommends included
# as apt installs them by default (mmdebstrap leaves them out while it works).
if ! mmdebstrap --quiet --variant="$variant" ${include:+--include="$include"} \
    --skip=essential/unlink --skip=cleanup/apt \
    --setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
    --setup-hook="sync-in $cache/apt-$kind /var/cache/apt/archives/" \
    "${hooks[@]}" \
    --customize-hook='chroot "$1" apt-get install --download-only --yes -o APT::Install-Recommends=true $ROOT_DOWNLOAD' \
    --customize-hook="mkdir -p $cache/apt-$kind.new" \
    --customize-hook="sync-out /var/cache/apt/archives $cache/apt-$kind.new" \
    --customize-hook="$PWD/scripts/lib/root-keep-downloaded.sh" \
    trixie "$root.tmp" "${sources[@]}" >"$cache/$kind.log" 2>&1; then
  tail -n 40 "$cache/$kind.log" >&2
  echo "mmdebstrap failed to build the $kind root (whole log: $cache/$kind.log)" >&2
  rm -rf --one-file-system "$root.tmp" "$cache/apt-$kind.new"
  exit 1
fi
rm -rf "$cache/apt-$kind"
mv "$cache/apt-$kind.new" "$cache/apt-$kind"
rm -f "$cache/apt-$kind"/lock; rm -rf "$cache/apt-$kind"/partial
touch "$root.tmp/.complete"
mv "$root.tmp" "$root"
echo "the $kind root took $(( $(date +%s) - started )) s" >&2
echo "$root"
