# Sourced: a throw-away copy of a cached root (scripts/trixie-root.sh) to work in.
#
#   overlay_start LOWER DIR   mounts an overlay of LOWER on DIR/root (changes go to
#                             DIR/upper; a copy where overlayfs is missing), with /proc and a
#                             /dev/shm of its own
#   overlay_stop DIR [keep]   stops whatever still runs in DIR/root (started by this run:
#                             smtpd, a test server), unmounts it, and removes DIR (with
#                             "keep": leaves DIR/upper, the changes, for a look)
#   in_root DIR COMMAND...    runs COMMAND in DIR/root as root, with a plain environment
overlay_start() {
  local lower="$1" dir="$2"
  mkdir -p "$dir/upper" "$dir/overlay-work" "$dir/root"
  if ! mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/overlay-work" "$dir/root" 2>/dev/null; then
    cp -a "$lower/." "$dir/root/"
  fi
  mount -t proc proc "$dir/root/proc"
  mkdir -p "$dir/root/dev/shm"
  mount -t tmpfs -o mode=1777,size=256m tmpfs "$dir/root/dev/shm"
}

overlay_stop() {
  local dir="$1" keep="${2:-}" root process pass
  root="$(readlink -f "$dir/root")"
  for pass in 1 2 3; do
    local found=0
    for process in /proc/[0-9]*; do
      [ "$(readlink "$process/root" 2>/dev/null)" = "$root" ] || continue
      found=1
      if [ "$pass" -lt 3 ]; then kill "${process#/proc/}" 2>/dev/null; else kill -9 "${process#/proc/}" 2>/dev/null; fi
    done
    [ "$found" = 1 ] || break
    sleep 1
  done
  umount "$root/dev/shm" 2>/dev/null || true
  umount "$root/proc" 2>/dev/null || true
  umount "$root" 2>/dev/null || true
  [ "$keep" = keep ] || rm -rf --one-file-system "$dir"
}

in_root() {
  local dir="$1"
  shift
  chroot "$dir/root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# root_add_repo DIR REPO: our apt repository (packaging/repo.sh) added as an administrator
# adds one: the repository at /srv/opensmtpd-tables (a file: source; served over HTTP it is
# the same), its public key in /etc/apt/keyrings, a source in /etc/apt/sources.list.d. Then
# `apt-get update` of that source alone: Debian's lists are the root's own, of the day it was
# made, so that apt resolves against the packages cached in it without the network.
root_add_repo() {
  local dir="$1" repo="$2"
  rm -rf "$dir/root/srv/opensmtpd-tables"
  mkdir -p "$dir/root/srv/opensmtpd-tables" "$dir/root/etc/apt/keyrings"
  cp -a "$repo/." "$dir/root/srv/opensmtpd-tables/"
  cp "$repo/opensmtpd-tables.gpg" "$dir/root/etc/apt/keyrings/"
  sed 's|^URIs:.*|URIs: file:/srv/opensmtpd-tables|' "$repo/opensmtpd-tables.sources" \
    > "$dir/root/etc/apt/sources.list.d/opensmtpd-tables.sources"
  root_apt "$dir" update -o Dir::Etc::SourceList=/dev/null -o APT::Get::List-Cleanup=false
}

# root_apt DIR ARGUMENTS...: apt-get in the root; its output goes to DIR/apt.log, and when it
# fails, its last lines (apt's error) to stdout.
root_apt() {
  local dir="$1"
  shift
  echo "# apt-get $*" >>"$dir/apt.log"
  if ! in_root "$dir" apt-get --yes "$@" >>"$dir/apt.log" 2>&1; then
    echo "apt-get $* failed:"
    tail -n 15 "$dir/apt.log" | sed 's/^/  /'
    return 1
  fi
}
