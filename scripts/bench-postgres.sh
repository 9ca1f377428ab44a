#!/usr/bin/env bash
# Figures for table-postgres on 10,000 users: a private PostgreSQL (scripts/servers/postgres.sh
# on port ${POSTGRES_BENCH_PORT:-15402}), table-bench pinned with the backend to core 0
# (taskset -c 0), windows 1 (serial, as smtpd asks) and 16 (pipelined).
# Set COUNT for more requests per run (default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release -j 1 -Xswiftc -static-stdlib --show-bin-path)"
swift build -c release -j 1 -Xswiftc -static-stdlib --product table-postgres >/dev/null
swift build -c release -j 1 -Xswiftc -static-stdlib --product table-bench >/dev/null
export POSTGRES_TEST_TLS=no  # plain TCP, no TLS
export TABLES_TEST_DIR="$(mktemp -d /tmp/table-bench-postgres.XXXXXX)"
export POSTGRES_TEST_PORT="${POSTGRES_BENCH_PORT:-15402}"
trap 'bash scripts/servers/postgres.sh stop; rm -rf "$TABLES_TEST_DIR"' EXIT
bash scripts/servers/postgres.sh start
set -a; . "$TABLES_TEST_DIR/postgres.env"; set +a
count="${COUNT:-50000}"
users=10000
hash='$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'
conninfo="host=127.0.0.1 port=$POSTGRES_TEST_PORT dbname=$POSTGRES_TEST_DATABASE user=$POSTGRES_TEST_USER password=$POSTGRES_TEST_PASSWORD"

"$POSTGRES_TEST_PSQL" -X -q -v ON_ERROR_STOP=1 "$conninfo" <<SQL
CREATE TABLE domains (domain TEXT PRIMARY KEY);
CREATE TABLE virtuals (email TEXT, destination TEXT);
CREATE INDEX virtuals_email ON virtuals(email);
CREATE TABLE credentials (email TEXT PRIMARY KEY, password TEXT);
INSERT INTO domains SELECT 'domain' || i || '.example' FROM generate_series(1, $users) AS i;
INSERT INTO virtuals SELECT 'user' || i || '@example.org', 'vmail' FROM generate_series(1, $users) AS i;
INSERT INTO credentials SELECT 'user' || i || '@example.org', '$hash' FROM generate_series(1, $users) AS i;
ANALYZE domains, virtuals, credentials;
SQL
cat > "$TABLES_TEST_DIR/postgres.conf" <<CONF
conninfo $conninfo
query_alias SELECT destination FROM virtuals WHERE email = \$1
query_domain SELECT domain FROM domains WHERE domain = \$1
query_credentials SELECT email, password FROM credentials WHERE email = \$1
CONF
chmod 600 "$TABLES_TEST_DIR/postgres.conf"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-postgres" "$TABLES_TEST_DIR/postgres.conf"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-postgres" "$TABLES_TEST_DIR/postgres.conf"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1 "$bin/table-postgres" "$TABLES_TEST_DIR/postgres.conf"
strip -o "$TABLES_TEST_DIR/table-postgres.stripped" "$bin/table-postgres"
echo "table-postgres binary (stripped): $(( $(stat -c %s "$TABLES_TEST_DIR/table-postgres.stripped") / 1024 )) KiB"
