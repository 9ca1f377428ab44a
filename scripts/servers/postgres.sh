#!/usr/bin/env bash
# PostgreSQL 15 for the table-postgres tests: a fresh cluster under $TABLES_TEST_DIR/postgres,
# listening on 127.0.0.1:$PORT and a private Unix socket, with a login role that has a
# password (scram-sha-256 over TCP) and an empty database the tests fill. TLS is on, with a
# throw-away CA (POSTGRES_TEST_CA), unless POSTGRES_TEST_TLS=no (the benchmark).
#
#   postgres.sh start    init a new cluster, start it, write $TABLES_TEST_DIR/postgres.env
#   postgres.sh stop     stop it (idempotent; by the pid in its own pid file)
# and, for the fault tests, on the running cluster:
#   postgres.sh halt | resume | freeze | thaw
#     halt: fast shutdown keeping the data; resume: start it again on the same data;
#     freeze/thaw: SIGSTOP/SIGCONT the postmaster and every server process under it.
set -euo pipefail
NAME=postgres
. "$(dirname "$0")/../lib/database-server.sh"
PORT="$POSTGRES_TEST_PORT"
BIN=/usr/lib/postgresql/15/bin
DATA="$DIR/data"
SOCKETS="$DIR/run"
PASSWORD='pg-test-secret'

as_postgres() { runuser -u postgres -- "$@"; }
postmaster_pid() { [ -f "$DATA/postmaster.pid" ] && head -n 1 "$DATA/postmaster.pid" || true; }
server_pids() {
  local pid; pid="$(postmaster_pid)"
  [ -n "$pid" ] || return 0
  echo "$pid"
  ps -o pid= --ppid "$pid" || true
}
run_server() {
  local tls=""
  if [ -f "$TLS_DIR/server.pem" ]; then
    tls="-c ssl=on -c ssl_cert_file=$TLS_DIR/server.pem -c ssl_key_file=$TLS_DIR/server.key"
  fi
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKETS -c fsync=off -c max_connections=100 $tls" start >/dev/null
}
halt_server() {
  [ -n "$(postmaster_pid)" ] || return 0
  kill -CONT $(server_pids) 2>/dev/null || true
  as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start)
    fresh_directory postgres "${POSTGRES_TEST_TLS:-yes}" "$DATA" "$SOCKETS"
    as_postgres "$BIN/initdb" -D "$DATA" -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    run_server
    as_postgres "$BIN/psql" -X -q -h "$SOCKETS" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD';
CREATE DATABASE $DATABASE OWNER $USER_NAME;
SQL
    write_env POSTGRES_TEST "POSTGRES_TEST_SOCKET_DIR=$SOCKETS" "POSTGRES_TEST_PSQL=$BIN/psql"
    ;;
  stop) halt_server ;;
  halt) halt_server ;;
  resume) [ -n "$(postmaster_pid)" ] || run_server ;;
  freeze) freeze_processes $(server_pids) ;;
  thaw) kill -CONT $(server_pids) ;;
  *) echo "usage: $0 start|stop|halt|resume|freeze|thaw" >&2; exit 2 ;;
esac
