#!/usr/bin/env bash
# Figures for table-redis: 10,000 users in a private redis-server (scripts/lib/bench-setup.sh,
# pinned to core 1), table-bench and the backend pinned to core 0 (taskset -c 0), windows 1
# and 16. Set COUNT for more requests per run (default 50000), PORT for the server (16340).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
swift build $release -j 1 >/dev/null
bin="$(swift build $release --show-bin-path)"
work="$(mktemp -d /tmp/table-bench-redis.XXXXXX)"
trap 'stop_redis "$work"; rm -rf "$work"' EXIT
count="${COUNT:-50000}"
setup_redis "$work"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-redis" "$config"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-redis" "$config"
bench --service userinfo --key-template 'user{}@example.org' --windows 1 "$bin/table-redis" "$config"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1,16 "$bin/table-redis" "$config"
strip -o "$work/table-redis.stripped" "$bin/table-redis"
echo "table-redis binary (stripped): $(( $(stat -c %s "$work/table-redis.stripped") / 1024 )) KiB"
