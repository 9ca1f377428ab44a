#!/usr/bin/env bash
# Figures for table-socketmap: 10,000 users in our socketmap test server (scripts/lib/
# bench-setup.sh, pinned to core 1), table-bench and the backend pinned to core 0
# (taskset -c 0). Line framing on a unix socket (upstream's form: argv[1] is the socket) and
# netstrings over TCP (a config file).
# Set COUNT for more requests per run (default 50000), PORT for the TCP listener (17040).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
swift build $release -j 1 >/dev/null
bin="$(swift build $release --show-bin-path)"
work="$(mktemp -d /tmp/table-bench-socketmap.XXXXXX)"
trap 'stop_socketmap "$work"; rm -rf "$work"' EXIT
count="${COUNT:-50000}"
setup_socketmap "$work"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' --windows 1,16 "$bin/table-socketmap" "$config"
bench --service alias --key-template 'user{}@example.org' --windows 1 "$bin/table-socketmap" "$work/netstring.conf"
strip -o "$work/table-socketmap.stripped" "$bin/table-socketmap"
echo "table-socketmap binary (stripped): $(( $(stat -c %s "$work/table-socketmap.stripped") / 1024 )) KiB"
