#!/usr/bin/env bash
# Figures for table-mysql on 10,000 users: a private MariaDB (scripts/servers/mariadb.sh on
# port ${MARIADB_BENCH_PORT:-13302}), table-bench pinned with the backend to core 0
# (taskset -c 0), windows 1 (serial, as smtpd asks) and 16 (pipelined).
# Set COUNT for more requests per run (default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release -j 1 -Xswiftc -static-stdlib --show-bin-path)"
swift build -c release -j 1 -Xswiftc -static-stdlib --product table-mysql >/dev/null
swift build -c release -j 1 -Xswiftc -static-stdlib --product table-bench >/dev/null
export MARIADB_TEST_TLS=no  # plain TCP, no TLS
export TABLES_TEST_DIR="$(mktemp -d /tmp/table-bench-mysql.XXXXXX)"
export MARIADB_TEST_PORT="${MARIADB_BENCH_PORT:-13302}"
trap 'bash scripts/servers/mariadb.sh stop; rm -rf "$TABLES_TEST_DIR"' EXIT
bash scripts/servers/mariadb.sh start
set -a; . "$TABLES_TEST_DIR/mariadb.env"; set +a
count="${COUNT:-50000}"
users=10000
hash='$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'

mariadb --no-defaults -h 127.0.0.1 -P "$MARIADB_TEST_PORT" -u "$MARIADB_TEST_USER" -p"$MARIADB_TEST_PASSWORD" "$MARIADB_TEST_DATABASE" <<SQL
CREATE TABLE domains (domain VARCHAR(255) PRIMARY KEY);
CREATE TABLE virtuals (email VARCHAR(255), destination VARCHAR(255), INDEX (email));
CREATE TABLE credentials (email VARCHAR(255) PRIMARY KEY, password VARCHAR(255));
INSERT INTO domains SELECT CONCAT('domain', seq, '.example') FROM seq_1_to_$users;
INSERT INTO virtuals SELECT CONCAT('user', seq, '@example.org'), 'vmail' FROM seq_1_to_$users;
INSERT INTO credentials SELECT CONCAT('user', seq, '@example.org'), '$hash' FROM seq_1_to_$users;
SQL
cat > "$TABLES_TEST_DIR/mysql.conf" <<CONF
host 127.0.0.1
port $MARIADB_TEST_PORT
username $MARIADB_TEST_USER
password $MARIADB_TEST_PASSWORD
database $MARIADB_TEST_DATABASE
query_alias SELECT destination FROM virtuals WHERE email = ?
query_domain SELECT domain FROM domains WHERE domain = ?
query_credentials SELECT email, password FROM credentials WHERE email = ?
CONF
chmod 600 "$TABLES_TEST_DIR/mysql.conf"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-mysql" "$TABLES_TEST_DIR/mysql.conf"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-mysql" "$TABLES_TEST_DIR/mysql.conf"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1 "$bin/table-mysql" "$TABLES_TEST_DIR/mysql.conf"
strip -o "$TABLES_TEST_DIR/table-mysql.stripped" "$bin/table-mysql"
echo "table-mysql binary (stripped): $(( $(stat -c %s "$TABLES_TEST_DIR/table-mysql.stripped") / 1024 )) KiB"
