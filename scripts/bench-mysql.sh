#!/usr/bin/env bash
# Figures for table-mysql on 10,000 users: a private MariaDB (scripts/lib/bench-setup.sh, port
# ${MARIADB_BENCH_PORT:-13302}), table-bench pinned with the backend to core 0
# (taskset -c 0), windows 1 (serial, as smtpd asks) and 16 (pipelined).
# Set COUNT for more requests per run (default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
bin="$(swift build $release -j 1 --show-bin-path)"
swift build $release -j 1 --product table-mysql >/dev/null
swift build $release -j 1 --product table-bench >/dev/null
work="$(mktemp -d /tmp/table-bench-mysql.XXXXXX)"
trap 'stop_mysql "$work"; rm -rf "$work"' EXIT
count="${COUNT:-50000}"
setup_mysql "$work"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-mysql" "$config"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-mysql" "$config"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1 "$bin/table-mysql" "$config"
strip -o "$work/table-mysql.stripped" "$bin/table-mysql"
echo "table-mysql binary (stripped): $(( $(stat -c %s "$work/table-mysql.stripped") / 1024 )) KiB"
