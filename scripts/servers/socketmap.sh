#!/usr/bin/env bash
# The socketmap test server (socketmap_server.py) for table-socketmap, with fresh sockets
# under $TABLES_TEST_DIR/socketmap:
#   line framing on a unix socket (upstream's protocol) and on SOCKETMAP_TEST_LINE_PORT,
#   netstring framing on a unix socket and on SOCKETMAP_TEST_NETSTRING_PORT;
# and a second server that the fault tests restart and freeze (line on fault.sock,
# netstring on SOCKETMAP_TEST_FAULT_PORT; its fault.map, read again whenever it changes,
# holds the values the tests set). (Ports: scripts/lib/test-servers.sh.)
# Usage: socketmap.sh start|stop
# and, for the fault tests, on the fault server only:
#   socketmap.sh restart | halt | resume | freeze | thaw
#     halt: SIGKILL, as a crash; resume: start it again; freeze/thaw: SIGSTOP every thread
#     of it and wait until all of them are stopped (scripts/lib/processes.sh), SIGCONT.
# Writes $TABLES_TEST_DIR/socketmap.env with the variables the tests read.
set -euo pipefail
: "${TABLES_TEST_DIR:?set TABLES_TEST_DIR (scripts/test.sh does)}"
here="$(cd "$(dirname "$0")" && pwd)"
dir="$TABLES_TEST_DIR/socketmap"
. "$here/../lib/test-servers.sh"
line_port="$SOCKETMAP_TEST_LINE_PORT"
netstring_port="$SOCKETMAP_TEST_NETSTRING_PORT"
fault_port="$SOCKETMAP_TEST_FAULT_PORT"
python="$(command -v python3)"
. "$here/../lib/processes.sh"
[ -x /usr/bin/python3 ] && python=/usr/bin/python3

stop_server() { # NAME
  [ -s "$dir/$1.pid" ] || return 0
  local pid
  pid="$(cat "$dir/$1.pid")"
  # SIGKILL: the server keeps no state, and a SIGTERM can sit blocked in the signal mask
  # inherited from whoever started it (a test runner's threads).
  kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do process_alive "$pid" || break; sleep 0.1; done
  rm -f "$dir/$1.pid"
}

start_server() { # NAME LISTENER...
  local name=$1
  shift
  mkdir -p "$dir"
  rm -f "$dir/$name.pid"
  setsid "$python" "$here/socketmap_server.py" --pidfile "$dir/$name.pid" "$@" \
    >"$dir/$name.log" 2>&1 < /dev/null &
  for _ in $(seq 1 100); do
    [ -s "$dir/$name.pid" ] && break
    sleep 0.05
  done
  [ -s "$dir/$name.pid" ] || { echo "socketmap server $name did not start" >&2; cat "$dir/$name.log" >&2; exit 1; }
}

start_fault() {
  start_server fault --unix "line:$dir/fault.sock" --tcp "netstring:$fault_port" --live-map-file "$dir/fault.map"
}

start() {
  start_server server --unix "line:$dir/line.sock" --unix "netstring:$dir/netstring.sock" \
    --tcp "line:$line_port" --tcp "netstring:$netstring_port"
  start_fault
  cat > "$TABLES_TEST_DIR/socketmap.env" <<ENV
SOCKETMAP_LINE_SOCKET=$dir/line.sock
SOCKETMAP_NETSTRING_SOCKET=$dir/netstring.sock
SOCKETMAP_LINE_PORT=$line_port
SOCKETMAP_NETSTRING_PORT=$netstring_port
SOCKETMAP_FAULT_SOCKET=$dir/fault.sock
SOCKETMAP_FAULT_PORT=$fault_port
SOCKETMAP_FAULT_PIDFILE=$dir/fault.pid
SOCKETMAP_FAULT_MAP_FILE=$dir/fault.map
SOCKETMAP_SCRIPT=$here/socketmap.sh
ENV
}

stop() {
  stop_server fault
  stop_server server
}

fault_pid() { cat "$dir/fault.pid"; }

case "${1:-}" in
  start) stop; start ;;
  stop) stop ;;
  restart) stop_server fault; start_fault ;;
  halt) stop_server fault ;;
  resume) [ -s "$dir/fault.pid" ] || start_fault ;;
  freeze) freeze_processes "$(fault_pid)" ;;
  thaw) kill -CONT "$(fault_pid)" ;;
  *) echo "usage: $0 start|stop|restart|halt|resume|freeze|thaw" >&2; exit 2 ;;
esac
