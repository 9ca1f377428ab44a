#!/usr/bin/env bash
# Figures for table-socketmap: 10,000 users in our socketmap test server (pinned to core 1),
# table-bench and the backend pinned to core 0 (taskset -c 0). Line framing on a unix socket
# (upstream's form: argv[1] is the socket) and netstrings over TCP (a config file).
# Set COUNT for more requests per run (default 50000), PORT for the TCP listener (17040).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release -j 1 -Xswiftc -static-stdlib >/dev/null
bin="$(swift build -c release -Xswiftc -static-stdlib --show-bin-path)"
work="$(mktemp -d /tmp/table-bench-socketmap.XXXXXX)"
port="${PORT:-17040}"
count="${COUNT:-50000}"
users=10000
python=python3
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

stop() {
  [ -s "$work/server.pid" ] && kill -9 "$(cat "$work/server.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap stop EXIT

for ((i = 1; i <= users; i++)); do
  echo "user$i@example.org vmail$i"
done > "$work/map.txt"
setsid taskset -c 1 "$python" scripts/servers/socketmap_server.py --pidfile "$work/server.pid" \
  --map-file "$work/map.txt" --unix "line:$work/map.sock" --tcp "netstring:$port" \
  >"$work/server.log" 2>&1 < /dev/null &
for _ in $(seq 1 100); do [ -s "$work/server.pid" ] && break; sleep 0.05; done
printf 'socket inet:127.0.0.1:%s\nprotocol netstring\n' "$port" > "$work/netstring.conf"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' --windows 1,16 "$bin/table-socketmap" "$work/map.sock"
bench --service alias --key-template 'user{}@example.org' --windows 1 "$bin/table-socketmap" "$work/netstring.conf"
strip -o "$work/table-socketmap.stripped" "$bin/table-socketmap"
echo "table-socketmap binary (stripped): $(( $(stat -c %s "$work/table-socketmap.stripped") / 1024 )) KiB"
