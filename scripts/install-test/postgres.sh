# Sourced by scripts/install-test.sh (see sqlite.sh): loads the installed example schema
# into a fresh database of the PostgreSQL test server (scripts/servers/postgres.sh) and
# points the installed example config at it. SKIP says why it cannot run.
if [ -z "${POSTGRES_TEST_PORT:-}" ]; then
  SKIP="no PostgreSQL test server (start scripts/servers/postgres.sh and source its .env)"
  return 0
fi
database="install_test_$$"
superuser=("$POSTGRES_TEST_PSQL" -X -q -v ON_ERROR_STOP=1 -h "$POSTGRES_TEST_SOCKET_DIR" -p "$POSTGRES_TEST_PORT" -U postgres -d postgres)
"${superuser[@]}" -c "CREATE DATABASE $database OWNER $POSTGRES_TEST_USER" >/dev/null
PGPASSWORD="$POSTGRES_TEST_PASSWORD" "$POSTGRES_TEST_PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
  -p "$POSTGRES_TEST_PORT" -U "$POSTGRES_TEST_USER" -d "$database" -f "$examples/example.sql" >/dev/null
sed "s|^conninfo .*|conninfo host=127.0.0.1 port=$POSTGRES_TEST_PORT dbname=$database user=$POSTGRES_TEST_USER password=$POSTGRES_TEST_PASSWORD|" \
  "$examples/postgres.conf" > "$work/postgres.conf"
CLEANUP=("${superuser[@]}" -c "DROP DATABASE IF EXISTS $database")
chmod 600 "$work/postgres.conf"  # it holds a password
ARGUMENT="$work/postgres.conf"
LOOKUP=(alias postmaster@example.org "alice@example.org, bob@example.org")
