#!/usr/bin/env bash
# Instructions a backend executes per lookup, counted by valgrind's callgrind: unlike
# requests/s on a shared 2-core VM (which vary by up to 30% from one run to the next), the
# count is the same from run to run, so it shows what a change to the request path costs.
#
#   scripts/bench-instructions.sh NAME [BINARY...]
#
# NAME is a backend of packaging/backends; its benchmark server and data come from
# scripts/lib/bench-setup.sh. Each BINARY (default: our release build of table-NAME; a C
# original from scripts/build-c-original.sh works too) answers 1,000 and then
# 3,000 serial lookups of SERVICE (default alias; credentials for passwd) under callgrind;
# the difference over 2,000 is the cost of one lookup, startup excluded. Needs valgrind.
# PROFILE=DIR keeps the 3,000-lookup profile of each binary there (callgrind_annotate reads it).
# CACHE_SIM=1 also counts, with callgrind's cache simulation (32 KiB 8-way first-level
# caches, as on this VM's CPU), the first-level instruction-cache misses per lookup: code
# that is spread over more cache lines costs them even where it runs no more instructions.
# CODE_LINES=N also prints the code each lookup runs in 64-byte lines, per object, and the
# N functions spanning most lines (scripts/link/callgrind-lines.py); unlike the miss count,
# which moves by a few percent with the code layout alone, this shows what a change spreads.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
name=${1:?usage: bench-instructions.sh NAME [BINARY...]}
shift
command -v valgrind >/dev/null || { echo "bench-instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
swift build $release -j 1 >/dev/null
bin="$(swift build $release --show-bin-path)"
[ $# -gt 0 ] || set -- "$bin/table-$name"
service=${SERVICE:-alias}
cache_sim=""
[ -z "${CACHE_SIM:-}" ] || cache_sim="--cache-sim=yes --I1=32768,8,64 --D1=32768,8,64"
[ -z "${CODE_LINES:-}" ] || cache_sim="$cache_sim --dump-instr=yes"
[ "$name" != passwd ] || service=${SERVICE:-credentials}
work="$(mktemp -d /tmp/bench-instructions.XXXXXX)"
trap 'stop_$name "$work"; rm -rf "$work"' EXIT
setup_$name "$work" >/dev/null
ours="$(readlink -f "$bin/table-$name")"
c_original_config "$name" "$work"
per_lookup() { # EVENT: the summary's EVENT-th count, 3,000 lookups less 1,000, over 2,000
  local field=$(( $1 + 1 ))
  echo $(( ($(awk -v f=$field '/^summary:/ { print $f }' "$work/profile-3000") -
            $(awk -v f=$field '/^summary:/ { print $f }' "$work/profile-1000")) / 2000 ))
}
for binary in "$@"; do
  binary=$(readlink -f "$binary")
  table_config=$c_config
  [ "$binary" != "$ours" ] || table_config=$config
  for count in 1000 3000; do
    printf '#!/bin/sh\nexec valgrind -q --tool=callgrind %s --callgrind-out-file=%s "%s" "$@"\n' \
      "$cache_sim" "$work/profile-$count" "$binary" > "$work/wrap.sh"
    chmod +x "$work/wrap.sh"
    "$bin/table-bench" --count "$count" --warmup 0 --windows 1 --service "$service" \
      --key-template 'user{}@example.org' --backend-stderr /dev/null "$work/wrap.sh" "$table_config" >/dev/null
    for _ in $(seq 1 50); do grep -q '^summary:' "$work/profile-$count" 2>/dev/null && break; sleep 0.1; done
  done
  echo "$binary: $(per_lookup 1) instructions per $service lookup"
  # With the cache simulation, the summary's fourth event is I1mr.
  [ -z "${CACHE_SIM:-}" ] || echo "$binary: $(per_lookup 4) first-level instruction-cache misses per $service lookup"
  [ -z "${CODE_LINES:-}" ] || python3 scripts/link/callgrind-lines.py "$work/profile-3000" 3000 "$CODE_LINES"
  [ -z "${PROFILE:-}" ] || { mkdir -p "$PROFILE"; cp "$work/profile-3000" "$PROFILE/$(basename "$binary").callgrind"; }
done
