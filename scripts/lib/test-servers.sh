#!/usr/bin/env bash
# Sourced, not run: the one place that says where the test and benchmark servers listen,
# how a test run starts and stops them, and what they tell the tests. Used by
# scripts/servers/*.sh, scripts/test.sh, scripts/check.sh and scripts/lib/bench-setup.sh.
#
# Ports. Each has a variable of its own, which wins when it is set. TABLES_TEST_PORT_OFFSET
# (0 by default) moves every default at once, so that a second checkout on the same machine
# runs a set of its own: `TABLES_TEST_PORT_OFFSET=20000 make check` listens on 35401,
# 33301, 33801... Fault tests stop and freeze their servers: never share a set.
#
# Environment. Each scripts/servers/NAME.sh writes $TABLES_TEST_DIR/NAME.env; the suites
# (and scripts/e2e) read these variables from it:
#   postgres.env   POSTGRES_TEST_{HOST,PORT,SOCKET_DIR,USER,PASSWORD,DATABASE,PSQL,CONTROL,CA,OTHER_CA}
#   mariadb.env    MARIADB_TEST_{HOST,PORT,SOCKET,USER,PASSWORD,DATABASE,CONTROL,CA,OTHER_CA}
#   slapd.env      SLAPD_{URL,TLS_URL,LDAPI_URL,PORT,TLS_PORT,CA_FILE,OTHER_CA_FILE,BASEDN,PID_FILE,SCRIPT,
#                  PRIVATE_PORT,PRIVATE_TLS_PORT}
#   redis.env      REDIS_{PORT,SOCKET,FAULT_PORT,FAULT_PIDFILE,SCRIPT,SENTINEL_PORT,SENTINEL_MASTER,
#                  SENTINEL_NODE_PORTS,SENTINEL_NODE_PIDFILES}
#   socketmap.env  SOCKETMAP_{LINE_SOCKET,NETSTRING_SOCKET,LINE_PORT,NETSTRING_PORT,FAULT_SOCKET,
#                  FAULT_PORT,FAULT_PIDFILE,FAULT_MAP_FILE,SCRIPT}
# A *_CONTROL or *_SCRIPT variable names the server's script, which the fault tests call
# (halt, resume, restart, freeze, thaw: TableDriver's ServerControl).

test_port() { # VARIABLE DEFAULT: export VARIABLE, as set or DEFAULT + TABLES_TEST_PORT_OFFSET
  [ -n "${!1:-}" ] || export "$1=$(($2 + ${TABLES_TEST_PORT_OFFSET:-0}))"
}

# The test servers (scripts/servers/NAME.sh).
test_port POSTGRES_TEST_PORT 15401
test_port MARIADB_TEST_PORT 13301
test_port SLAPD_PORT 13801
test_port SLAPD_TLS_PORT 13802
test_port SLAPD_PRIVATE_PORT 13803        # the LDAP fault tests' own slapd
test_port SLAPD_PRIVATE_TLS_PORT 13804
test_port REDIS_TEST_PORT 16300
test_port REDIS_TEST_FAULT_PORT 16301
test_port REDIS_TEST_PRIMARY_PORT 16310
test_port REDIS_TEST_REPLICA_PORT 16311
test_port REDIS_TEST_SENTINEL_PORT 16320
test_port SOCKETMAP_TEST_LINE_PORT 17000
test_port SOCKETMAP_TEST_NETSTRING_PORT 17001
test_port SOCKETMAP_TEST_FAULT_PORT 17002
# Where nothing listens: the tests of a server that is down point a table there (two, for a
# fail-over from one dead address to the next). TableDriver's TestEnvironment.closedPorts.
test_port TABLES_TEST_CLOSED_PORT 18199
test_port TABLES_TEST_OTHER_CLOSED_PORT 18198
# The benchmarks' and the soak's private servers (scripts/lib/bench-setup.sh).
test_port POSTGRES_BENCH_PORT 15402
test_port MARIADB_BENCH_PORT 13302
test_port SLAPD_BENCH_PORT 13811
test_port SLAPD_BENCH_TLS_PORT 13812
test_port REDIS_BENCH_PORT 16340
test_port SOCKETMAP_BENCH_PORT 17040

# start_test_servers: every scripts/servers/NAME.sh started, each in a fresh directory under
# $TABLES_TEST_DIR (a new one unless set), stopped again when the calling script exits; then
# every NAME.env exported. Tests that need a server fail, instead of skipping, without it.
# The caller is in the repository's top directory.
start_test_servers() {
  export TABLES_TEST_DIR="${TABLES_TEST_DIR:-$(mktemp -d /tmp/opensmtpd-tables-test.XXXXXX)}"
  export TABLES_TEST_REQUIRE_SERVERS=1
  test_servers=(scripts/servers/*.sh)
  trap stop_test_servers EXIT
  local script env
  for script in "${test_servers[@]}"; do
    echo "starting $(basename "$script" .sh)"
    bash "$script" start
  done
  for env in "$TABLES_TEST_DIR"/*.env; do
    [ -e "$env" ] || continue
    set -a; . "$env"; set +a
  done
}

stop_test_servers() {
  local script
  for script in "${test_servers[@]}"; do
    bash "$script" stop || true
  done
}
