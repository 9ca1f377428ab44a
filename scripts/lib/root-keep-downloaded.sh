#!/bin/sh
# mmdebstrap customize hook of scripts/trixie-root.sh: empties the apt cache of the root ($1)
# but for the packages that installing $ROOT_DOWNLOAD takes, so that apt installs those
# later without the network.
set -eu
keep="$(chroot "$1" apt-get --simulate -o APT::Install-Recommends=true install $ROOT_DOWNLOAD | awk '/^Inst / { print $2 }')"
for deb in "$1"/var/cache/apt/archives/*.deb; do
  [ -e "$deb" ] || continue
  name="$(basename "$deb")"
  printf '%s\n' "$keep" | grep -qxF "${name%%_*}" || rm -f "$deb"
done
