#!/usr/bin/env bash
# Figures for table-postgres on 10,000 users: a private PostgreSQL (scripts/lib/bench-setup.sh,
# port ${POSTGRES_BENCH_PORT:-15402}), table-bench pinned with the backend to core 0
# (taskset -c 0), windows 1 (serial, as smtpd asks) and 16 (pipelined).
# Set COUNT for more requests per run (default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
bin="$(swift build $release -j 1 --show-bin-path)"
swift build $release -j 1 --product table-postgres >/dev/null
swift build $release -j 1 --product table-bench >/dev/null
work="$(mktemp -d /tmp/table-bench-postgres.XXXXXX)"
trap 'stop_postgres "$work"; rm -rf "$work"' EXIT
count="${COUNT:-50000}"
setup_postgres "$work"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-postgres" "$config"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-postgres" "$config"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1 "$bin/table-postgres" "$config"
strip -o "$work/table-postgres.stripped" "$bin/table-postgres"
echo "table-postgres binary (stripped): $(( $(stat -c %s "$work/table-postgres.stripped") / 1024 )) KiB"
