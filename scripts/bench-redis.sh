#!/usr/bin/env bash
# Figures for table-redis: 10,000 users in a private redis-server (pinned to core 1),
# table-bench and the backend pinned to core 0 (taskset -c 0), windows 1 and 16.
# Set COUNT for more requests per run (default 50000), PORT for the server (16340).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release -j 1 -Xswiftc -static-stdlib >/dev/null
bin="$(swift build -c release -Xswiftc -static-stdlib --show-bin-path)"
work="$(mktemp -d /tmp/table-bench-redis.XXXXXX)"
port="${PORT:-16340}"
count="${COUNT:-50000}"
users=10000
hash='$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'

stop() {
  [ -s "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true
  sleep 0.2
  rm -rf "$work"
}
trap stop EXIT

taskset -c 1 redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --daemonize yes \
  --pidfile "$work/redis.pid" --logfile "$work/redis.log" --save "" --appendonly no
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done

# RESP commands for redis-cli --pipe: one key per service and user.
resp() { # ARG...
  printf '*%d\r\n' "$#"
  for a in "$@"; do printf '$%d\r\n%s\r\n' "${#a}" "$a"; done
}
{
  for ((i = 1; i <= users; i++)); do
    resp SET "alias:user$i@example.org" "vmail"
    resp SET "credentials:user$i@example.org" "user$i@example.org:$hash"
    resp SADD domains "domain$i.example"
    resp HSET "user:user$i@example.org" uid "$((5000 + i))" gid 5000 maildir "/var/vmail/user$i"
  done
} > "$work/data.resp"
redis-cli -p "$port" --pipe < "$work/data.resp" | tail -1

cat > "$work/redis.conf" <<CONF
master 127.0.0.1
master_port $port
query_domain SISMEMBER domains %s
query_userinfo HMGET user:%s uid gid maildir
CONF

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-redis" "$work/redis.conf"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-redis" "$work/redis.conf"
bench --service userinfo --key-template 'user{}@example.org' --windows 1 "$bin/table-redis" "$work/redis.conf"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1,16 "$bin/table-redis" "$work/redis.conf"
strip -o "$work/table-redis.stripped" "$bin/table-redis"
echo "table-redis binary (stripped): $(( $(stat -c %s "$work/table-redis.stripped") / 1024 )) KiB"
