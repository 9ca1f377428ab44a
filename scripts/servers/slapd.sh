#!/usr/bin/env bash
# Test server for table-ldap: OpenLDAP slapd on 127.0.0.1 with a fresh mdb database loaded
# from slapd.ldif, ldap://, ldaps:// and ldapi:// listeners, and a test CA made here with
# openssl.
#
#   slapd.sh start    new data directory under $TABLES_TEST_DIR/slapd, load, start
#   slapd.sh stop     stop it (by its pid file; idempotent)
#   slapd.sh resume   start it again on the existing data (for restart tests)
#   slapd.sh freeze | thaw   SIGSTOP every thread of it and wait until all are stopped, SIGCONT
#
# Writes $TABLES_TEST_DIR/slapd.env with what the tests read. Environment:
#   SLAPD_PORT, SLAPD_TLS_PORT (scripts/lib/test-servers.sh), SLAPD_EXTRA_LDIF (more entries
#   to load). slapd.env also gives SLAPD_PRIVATE_PORT and SLAPD_PRIVATE_TLS_PORT, where the
#   LDAP fault tests start a slapd of their own with this script.
set -euo pipefail
: "${TABLES_TEST_DIR:?set TABLES_TEST_DIR (scripts/test.sh does)}"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib/processes.sh"
. "$here/../lib/test-servers.sh"
port="$SLAPD_PORT"
tls_port="$SLAPD_TLS_PORT"
dir="$TABLES_TEST_DIR/slapd"
pidfile="$dir/run/slapd.pid"
url="ldap://127.0.0.1:$port/"
tls_url="ldaps://127.0.0.1:$tls_port/"
ldapi_url="ldapi://$(printf '%s' "$dir/run/ldapi" | sed 's|/|%2F|g')/"

make_ca() {
  local tls="$dir/tls"
  mkdir -p "$tls"
  local curve=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${curve[@]}" -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 30 \
    -subj "/CN=opensmtpd-tables test CA" 2>/dev/null
  openssl req "${curve[@]}" -keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=localhost" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -out "$tls/server.pem" -days 30 -extfile "$tls/server.ext" 2>/dev/null
  # A CA that did not sign the server's certificate, for verification failures.
  openssl req -x509 "${curve[@]}" -keyout "$tls/other-ca.key" -out "$tls/other-ca.pem" -days 30 \
    -subj "/CN=some other CA" 2>/dev/null
}

write_config() {
  cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/misc.schema
pidfile $pidfile
argsfile $dir/run/slapd.args
modulepath /usr/lib/ldap
moduleload back_mdb
loglevel 0
TLSCACertificateFile $dir/tls/ca.pem
TLSCertificateFile $dir/tls/server.pem
TLSCertificateKeyFile $dir/tls/server.key

database mdb
maxsize 1073741824
suffix "dc=example,dc=org"
rootdn "cn=admin,dc=example,dc=org"
rootpw secret
directory $dir/data
index objectClass,uid,cn,mail,dc,rfc822MailMember,ipHostNumber eq
access to attrs=userPassword
  by dn.exact="cn=smtpd,dc=example,dc=org" read
  by anonymous auth
  by * none
access to * by * read
CONF
}

is_running() {
  [ -f "$pidfile" ] && process_alive "$(cat "$pidfile")"
}

run_slapd() {
  if ! /usr/sbin/slapd -f "$dir/slapd.conf" -h "$url $tls_url $ldapi_url" -u openldap -g openldap; then
    echo "slapd did not start (is port $port or $tls_port in use?)" >&2
    return 1
  fi
  for _ in $(seq 1 100); do
    if ldapsearch -x -H "$url" -b "" -s base -LLL >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "slapd did not answer on $url" >&2
  return 1
}

stop() {
  is_running || { rm -f "$pidfile"; return 0; }
  local pid
  pid="$(cat "$pidfile")"
  kill -CONT "$pid" 2>/dev/null || true   # a test may have frozen it
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    process_alive "$pid" || { rm -f "$pidfile"; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
}

case "${1:-}" in
  start)
    stop
    rm -rf "$dir"
    mkdir -p "$dir/data" "$dir/run"
    # slapd drops to the openldap user: it must be able to reach its directory.
    chmod o+x "$TABLES_TEST_DIR"
    make_ca
    write_config
    { cat "$here/slapd.ldif"; echo; cat ${SLAPD_EXTRA_LDIF:+"$SLAPD_EXTRA_LDIF"} </dev/null; } > "$dir/data.ldif"
    /usr/sbin/slapadd -q -f "$dir/slapd.conf" -l "$dir/data.ldif"
    chown -R openldap:openldap "$dir"
    run_slapd
    cat > "$TABLES_TEST_DIR/slapd.env" <<ENV
SLAPD_URL=$url
SLAPD_TLS_URL=$tls_url
SLAPD_LDAPI_URL=$ldapi_url
SLAPD_PORT=$port
SLAPD_TLS_PORT=$tls_port
SLAPD_CA_FILE=$dir/tls/ca.pem
SLAPD_OTHER_CA_FILE=$dir/tls/other-ca.pem
SLAPD_BASEDN=dc=example,dc=org
SLAPD_PID_FILE=$pidfile
SLAPD_SCRIPT=$here/slapd.sh
SLAPD_PRIVATE_PORT=$SLAPD_PRIVATE_PORT
SLAPD_PRIVATE_TLS_PORT=$SLAPD_PRIVATE_TLS_PORT
ENV
    ;;
  resume)
    is_running || run_slapd
    ;;
  stop)
    stop
    ;;
  freeze)
    freeze_processes "$(cat "$pidfile")"
    ;;
  thaw)
    kill -CONT "$(cat "$pidfile")"
    ;;
  *)
    echo "usage: $0 start|stop|resume|freeze|thaw" >&2
    exit 2
    ;;
esac
