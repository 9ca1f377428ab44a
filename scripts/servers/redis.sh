#!/usr/bin/env bash
# Test servers for table-redis, all on 127.0.0.1 with fresh data under $TABLES_TEST_DIR/redis:
#   - a plain redis-server (REDIS_TEST_PORT, and a unix socket), for the service tests;
#   - another (REDIS_TEST_FAULT_PORT) that the fault tests restart and freeze;
#   - a Sentinel setup for the failover test: a primary, a replica and a sentinel
#     monitoring them as "tables" (REDIS_TEST_{PRIMARY,REPLICA,SENTINEL}_PORT).
# (Ports: scripts/lib/test-servers.sh.)
# Usage: redis.sh start|stop
# and, for the fault tests:
#   redis.sh restart          the fault server's data saved, stopped and started again
#   redis.sh halt | resume    the fault server killed (SIGKILL, as a crash), started again
#   redis.sh freeze | thaw [fault|node1|node2]
#     SIGSTOP every thread of that server (default: the fault server; node1 and node2 are
#     the Sentinel pair) and wait until all are stopped (scripts/lib/processes.sh), SIGCONT.
# Writes $TABLES_TEST_DIR/redis.env with the variables the tests read.
set -euo pipefail
: "${TABLES_TEST_DIR:?set TABLES_TEST_DIR (scripts/test.sh does)}"
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
dir="$TABLES_TEST_DIR/redis"
. "$(dirname "$0")/../lib/test-servers.sh"
port="$REDIS_TEST_PORT"
fault_port="$REDIS_TEST_FAULT_PORT"
primary="$REDIS_TEST_PRIMARY_PORT"
replica="$REDIS_TEST_REPLICA_PORT"
sentinel="$REDIS_TEST_SENTINEL_PORT"
. "$(dirname "$0")/../lib/processes.sh"

pid_of() { [ -s "$1" ] && cat "$1" || true; }

stop_pidfile() {
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] || return 0
  kill -CONT "$pid" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do process_alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

wait_ping() {
  for _ in $(seq 1 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis on port $1 did not start" >&2
  return 1
}

start_plain() {
  mkdir -p "$dir/plain"
  redis-server --bind 127.0.0.1 --port "$port" --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
    --dir "$dir/plain" --daemonize yes --pidfile "$dir/plain.pid" \
    --logfile "$dir/plain.log" --save "" --appendonly no
  wait_ping "$port"
}

start_fault() {
  mkdir -p "$dir/fault"
  redis-server --bind 127.0.0.1 --port "$fault_port" --dir "$dir/fault" --dbfilename dump.rdb \
    --daemonize yes --pidfile "$dir/fault.pid" --logfile "$dir/fault.log" --save "" --appendonly no
  wait_ping "$fault_port"
}

start_node() { # NAME PORT [replicaof args]
  local name=$1 node_port=$2
  shift 2
  mkdir -p "$dir/$name"
  redis-server --bind 127.0.0.1 --port "$node_port" --dir "$dir/$name" --daemonize yes \
    --pidfile "$dir/$name.pid" --logfile "$dir/$name.log" --save "" --appendonly no "$@"
  wait_ping "$node_port"
}

start() {
  mkdir -p "$dir"
  start_plain
  start_fault
  start_node node1 "$primary"
  start_node node2 "$replica" --replicaof 127.0.0.1 "$primary"
  cat > "$dir/sentinel.conf" <<CONF
port $sentinel
bind 127.0.0.1
daemonize yes
pidfile $dir/sentinel.pid
logfile $dir/sentinel.log
dir $dir
sentinel monitor tables 127.0.0.1 $primary 1
sentinel down-after-milliseconds tables 1000
sentinel failover-timeout tables 4000
sentinel parallel-syncs tables 1
CONF
  redis-server "$dir/sentinel.conf" --sentinel
  wait_ping "$sentinel"
  # Ready when the replica is in sync and the sentinel knows it.
  for _ in $(seq 1 200); do
    if redis-cli -p "$replica" info replication | grep -q 'master_link_status:up' &&
       [ "$(redis-cli -p "$sentinel" sentinel replicas tables | grep -c "$replica" || true)" -gt 0 ]; then
      break
    fi
    sleep 0.1
  done
  cat > "$TABLES_TEST_DIR/redis.env" <<ENV
REDIS_PORT=$port
REDIS_SOCKET=$dir/redis.sock
REDIS_FAULT_PORT=$fault_port
REDIS_FAULT_PIDFILE=$dir/fault.pid
REDIS_SCRIPT=$script
REDIS_SENTINEL_PORT=$sentinel
REDIS_SENTINEL_MASTER=tables
REDIS_SENTINEL_NODE_PORTS=$primary,$replica
REDIS_SENTINEL_NODE_PIDFILES=$dir/node1.pid,$dir/node2.pid
ENV
}

stop() {
  stop_pidfile "$dir/sentinel.pid"
  stop_pidfile "$dir/node2.pid"
  stop_pidfile "$dir/node1.pid"
  stop_pidfile "$dir/fault.pid"
  stop_pidfile "$dir/plain.pid"
}

restart() {
  local pid
  pid="$(pid_of "$dir/fault.pid")"
  if [ -n "$pid" ]; then
    kill -CONT "$pid" 2>/dev/null || true
    redis-cli -p "$fault_port" shutdown save >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do process_alive "$pid" || break; sleep 0.1; done
  fi
  stop_pidfile "$dir/fault.pid"
  start_fault
}

halt() {
  local pid
  pid="$(pid_of "$dir/fault.pid")"
  [ -n "$pid" ] || return 0
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do process_alive "$pid" || break; sleep 0.1; done
  rm -f "$dir/fault.pid"
}

server_pid() { # fault|node1|node2
  case "${1:-fault}" in
    fault|node1|node2) cat "$dir/${1:-fault}.pid" ;;
    *) echo "redis.sh: no server \"$1\" (fault, node1 or node2)" >&2; return 2 ;;
  esac
}

case "${1:-}" in
  start) stop; start ;;
  stop) stop ;;
  restart) restart ;;
  halt) halt ;;
  resume) [ -n "$(pid_of "$dir/fault.pid")" ] || start_fault ;;
  freeze) freeze_processes "$(server_pid "${2:-}")" ;;
  thaw) kill -CONT "$(server_pid "${2:-}")" ;;
  *) echo "usage: $0 start|stop|restart|halt|resume|freeze|thaw [fault|node1|node2]" >&2; exit 2 ;;
esac
