#!/usr/bin/env bash
# MariaDB 10.11 for the table-mysql tests: a fresh data directory under
# $TABLES_TEST_DIR/mariadb, listening on 127.0.0.1:$PORT and a private Unix socket, with a
# login user that has a password and an empty database the tests fill. TLS is on, with a
# throw-away CA (MARIADB_TEST_CA), unless MARIADB_TEST_TLS=no (the benchmark).
#
#   mariadb.sh start    install a new data directory, start the server, write
#                       $TABLES_TEST_DIR/mariadb.env
#   mariadb.sh stop     stop it (idempotent; by the pid in its own pid file)
# and, for the fault tests, on the running server:
#   mariadb.sh halt | resume | freeze | thaw
#     halt: stop keeping the data; resume: start again on the same data;
#     freeze/thaw: SIGSTOP/SIGCONT the server process.
set -euo pipefail
NAME=mariadb
. "$(dirname "$0")/../lib/database-server.sh"
PORT="$MARIADB_TEST_PORT"
DATA="$DIR/data"
SOCKET="$DIR/run/mariadb.sock"
PIDFILE="$DIR/run/mariadb.pid"
PASSWORD='my-test-secret'

server_pid() { [ -f "$PIDFILE" ] && cat "$PIDFILE" || true; }
admin() { mariadb-admin --no-defaults --socket="$SOCKET" -u root "$@"; }
run_server() {
  local tls=()
  if [ -f "$TLS_DIR/server.pem" ]; then
    tls=(--ssl-ca="$TLS_DIR/ca.pem" --ssl-cert="$TLS_DIR/server.pem" --ssl-key="$TLS_DIR/server.key")
  fi
  mariadbd --no-defaults "${tls[@]}" --user=mysql --datadir="$DATA" --socket="$SOCKET" --pid-file="$PIDFILE" \
    --log-error="$LOG" --bind-address=127.0.0.1 --port="$PORT" --skip-name-resolve --skip-log-bin \
    --innodb-buffer-pool-size=32M --innodb-log-file-size=16M --max-connections=200 \
    </dev/null >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if admin ping >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "mariadb did not start; see $LOG" >&2
  return 1
}
halt_server() {
  local pid; pid="$(server_pid)"
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid"
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start)
    fresh_directory mysql "${MARIADB_TEST_TLS:-yes}" "$DATA" "$DIR/run"
    mariadb-install-db --no-defaults --datadir="$DATA" --user=mysql \
      --auth-root-authentication-method=socket --skip-test-db >/dev/null 2>&1
    run_server
    mariadb --no-defaults --socket="$SOCKET" -u root <<SQL
CREATE DATABASE $DATABASE CHARACTER SET utf8mb4;
CREATE USER '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
CREATE USER '$USER_NAME'@'localhost' IDENTIFIED BY '$PASSWORD';
GRANT ALL ON $DATABASE.* TO '$USER_NAME'@'127.0.0.1';
GRANT ALL ON $DATABASE.* TO '$USER_NAME'@'localhost';
SQL
    write_env MARIADB_TEST "MARIADB_TEST_SOCKET=$SOCKET"
    ;;
  stop) halt_server ;;
  halt) halt_server ;;
  resume)
    pid="$(server_pid)"
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then run_server; fi
    ;;
  freeze) freeze_processes "$(server_pid)" ;;
  thaw) kill -CONT "$(server_pid)" ;;
  *) echo "usage: $0 start|stop|halt|resume|freeze|thaw" >&2; exit 2 ;;
esac
