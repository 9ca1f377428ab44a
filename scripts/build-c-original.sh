#!/usr/bin/env bash
# Builds one of the C originals from OpenSMTPD's GitHub organisation, to measure it beside
# ours on the same data (scripts/bench-compare.sh). Nothing of it enters this repository:
# it is cloned and built under DIR (default /tmp/opensmtpd-c-originals/NAME).
#
#   scripts/build-c-original.sh NAME [DIR [SOURCE]]   NAME: sqlite, postgres, mysql, redis or socketmap
#
# SOURCE is what to clone, https://github.com/OpenSMTPD/table-NAME unless given (a local
# clone or mirror where GitHub is out of reach). Prints the path of the built binary, and
# installs the build tools (autoconf, automake, libtool, libbsd-dev for sys/tree.h) if they
# are missing.
set -euo pipefail
name=${1:?usage: build-c-original.sh sqlite|postgres|mysql|redis|socketmap [DIR]}
dir=${2:-/tmp/opensmtpd-c-originals/$name}
source=${3:-https://github.com/OpenSMTPD/table-$name}
case $name in sqlite|postgres|mysql|redis|socketmap) ;; *) echo "no C original named table-$name here" >&2; exit 2 ;; esac

missing=()
for package in git autoconf automake libtool make gcc libbsd-dev libevent-dev libpq-dev libmariadb-dev libhiredis-dev libsqlite3-dev; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

rm -rf "$dir"
git clone -q "$source" "$dir" >&2
cd "$dir"
# Glibc has no sys/tree.h (libbsd has it), and Debian keeps the MariaDB headers under
# mariadb/ where table-mysql looks for mysql/.
mkdir -p compat-include/sys compat-include/mysql
cp /usr/include/bsd/sys/tree.h compat-include/sys/
ln -sf /usr/include/mariadb/* compat-include/mysql/
cflags="-O2 -I$PWD/compat-include -I/usr/include/postgresql -I/usr/include/hiredis -I/usr/include/mariadb"
libs=""
[ "$name" != mysql ] || libs="-lmariadb"
{ [ -x ./bootstrap ] && ./bootstrap || autoreconf -fi; } >&2
./configure CFLAGS="$cflags" LIBS="$libs" >&2
make -j"$(nproc)" CFLAGS="$cflags" >&2
echo "$dir/table-$name"
