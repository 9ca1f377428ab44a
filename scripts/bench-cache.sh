#!/usr/bin/env bash
# What the answer cache (cache_ttl) is worth, and what it costs:
#
# 1. Hot keys: serial lookups (window 1) of 100 keys with `cache_ttl 3600`, for each network
#    backend against its real server, beside the protocol echo floor measured in the same
#    round: table-passwd answering the same number of lookups from memory. Rounds alternate
#    floor and backend; the script prints both rates per round and the median of the paired
#    ratios (backend/floor). Without a cache the same lookups are 0.1-0.3 of the floor.
# 2. Memory: table-sqlite with 100,000 rows of 100-byte values, every key looked up once
#    (filling a cache of 100,000 entries), peak RSS with and without the cache.
#
# Usage: scripts/bench-cache.sh [NAME...]   network backends (default: postgres mysql ldap
#                                            redis socketmap); `memory` for part 2 only
# Env:   ROUNDS (default 5), COUNT (lookups per run, default 20000)
# Driver and backend are pinned to core 0 (taskset -c 0), as in scripts/bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(postgres mysql ldap redis socketmap memory)
rounds="${ROUNDS:-5}"
count="${COUNT:-20000}"

release="$(scripts/release-flags.sh)"
swift build $release -j 1 >/dev/null
bin="$(swift build $release --show-bin-path)"
work="$(mktemp -d /tmp/bench-cache.XXXXXX)"
chmod 755 "$work"  # the database servers run as their own users, below it
started=()
cleanup() {
  for name in "${started[@]}"; do stop_"$name" "$work/$name" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Lookups per second of one run: table-bench's "window 1: N req/s" figure.
rate() { # BINARY ARGUMENT BENCH-ARGS...
  local binary=$1 argument=$2; shift 2
  taskset -c 0 "$bin/table-bench" --count "$count" --warmup 1000 --windows 1 --key-count 100 \
    --backend-stderr /dev/null "$@" "$binary" "$argument" | sed -n 's/.*window 1: \([0-9]*\) req\/s.*/\1/p'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

mkdir -p "$work/passwd"
setup_passwd "$work/passwd" >/dev/null
floor_config=$config

for name in "${names[@]}"; do
  [ "$name" != memory ] || continue
  mkdir -p "$work/$name"
  setup_"$name" "$work/$name" >/dev/null
  started+=("$name")
  cached="$work/$name/cached.conf"
  if [ "$name" = socketmap ]; then
    printf 'socket %s\n' "$config" > "$cached"   # upstream's form names the socket itself
  else
    cp "$config" "$cached"
  fi
  printf 'cache_ttl 3600\n' >> "$cached"
  chmod 600 "$cached"
  ratios=()
  echo "table-$name, 100 hot keys, cache_ttl 3600, window 1 ($rounds rounds of $count lookups):"
  for round in $(seq 1 "$rounds"); do
    floor=$(rate "$bin/table-passwd" "$floor_config" --service credentials --key-template 'user{}@example.org')
    ours=$(rate "$bin/table-$name" "$cached" --service alias --key-template 'user{}@example.org')
    ratio=$(awk -v a="$ours" -v b="$floor" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$ratio")
    echo "  round $round: table-$name $ours/s, echo floor (table-passwd) $floor/s, ratio $ratio"
  done
  echo "  median ratio to the echo floor: $(printf '%s\n' "${ratios[@]}" | median)"
  stop_"$name" "$work/$name"
done

for name in "${names[@]}"; do
  [ "$name" = memory ] || continue
  entries=100000
  value=$(printf 'v%.0s' $(seq 1 99))  # 100 bytes with the row number's digits replacing some
  {
    echo "BEGIN;"
    echo "CREATE TABLE virtuals (email TEXT PRIMARY KEY, destination TEXT);"
    for ((i = 1; i <= entries; i++)); do
      echo "INSERT INTO virtuals VALUES ('user$i@example.org', '${value:0:$((100 - ${#i}))}$i');"
    done
    echo "COMMIT;"
  } | sqlite3 "$work/memory.db"
  printf 'dbpath %s\nquery_alias SELECT destination FROM virtuals WHERE email = ?\n' "$work/memory.db" > "$work/nocache.conf"
  cp "$work/nocache.conf" "$work/cache.conf"
  printf 'cache_ttl 3600\ncache_size %s\n' "$entries" >> "$work/cache.conf"
  echo "table-sqlite, $entries keys with 100-byte values, each looked up once:"
  for config in nocache cache; do
    rss=$(taskset -c 0 "$bin/table-bench" --count "$entries" --warmup 0 --windows 1 --key-count "$entries" \
      --service alias --key-template 'user{}@example.org' --backend-stderr /dev/null \
      "$bin/table-sqlite" "$work/$config.conf" | awk '/peak RSS/ { print $3 }')
    echo "  $config: peak RSS $rss MiB"
  done
done
