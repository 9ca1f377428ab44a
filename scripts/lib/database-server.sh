#!/usr/bin/env bash
# Sourced by the database test servers (scripts/servers/mariadb.sh, postgres.sh) after they
# set NAME: what the two lay out alike. Their directory $TABLES_TEST_DIR/NAME holds the data,
# the server's log and its TLS material; the tests log in as USER_NAME (with a password) to
# DATABASE, which they fill; `self` is the script's own path, which NAME.env gives the fault
# tests. Also sources the ports (test-servers.sh), the TLS material and the process helpers.
: "${TABLES_TEST_DIR:?set TABLES_TEST_DIR (scripts/test.sh does)}"
. "$(dirname "${BASH_SOURCE[0]}")/test-servers.sh"
. "$(dirname "${BASH_SOURCE[0]}")/tls-material.sh"
. "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
DIR="$TABLES_TEST_DIR/$NAME"
LOG="$DIR/server.log"
TLS_DIR="$DIR/tls"
USER_NAME=smtpd
DATABASE=mail
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"

# write_env PREFIX LINE...: $TABLES_TEST_DIR/NAME.env, what the tests read: PREFIX_HOST,
# _PORT ($PORT), _USER, _PASSWORD ($PASSWORD), _DATABASE, _CONTROL (this script), _CA and
# _OTHER_CA (the right and a wrong CA for TLS), then each LINE (NAME=VALUE) of the server's own.
write_env() {
  local prefix=$1
  shift
  {
    echo "${prefix}_HOST=127.0.0.1"
    echo "${prefix}_PORT=$PORT"
    echo "${prefix}_USER=$USER_NAME"
    echo "${prefix}_PASSWORD=$PASSWORD"
    echo "${prefix}_DATABASE=$DATABASE"
    echo "${prefix}_CONTROL=$self"
    echo "${prefix}_CA=$TLS_DIR/ca.pem"
    echo "${prefix}_OTHER_CA=$TLS_DIR/other-ca.pem"
    printf '%s\n' "$@"
  } > "$TABLES_TEST_DIR/$NAME.env"
}

# fresh_directory OWNER TLS DIRECTORY...: the server halted (halt_server, the script's own)
# and its directory made anew with DIRECTORY... in it, TLS material unless TLS is `no`, all
# owned by OWNER, the system user the server runs as.
fresh_directory() {
  local owner=$1 tls=$2
  shift 2
  halt_server
  rm -rf "$DIR"
  chmod o+x "$TABLES_TEST_DIR"
  mkdir -p "$@"
  [ "$tls" = no ] || make_tls_material "$TLS_DIR"
  chown -R "$owner": "$DIR"
}
