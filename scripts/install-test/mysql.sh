# Sourced by scripts/install-test.sh (see sqlite.sh): loads the installed example schema
# into a fresh database of the MariaDB test server (scripts/servers/mariadb.sh) and points
# the installed example config at it. SKIP says why it cannot run.
if [ -z "${MARIADB_TEST_PORT:-}" ]; then
  SKIP="no MariaDB test server (start scripts/servers/mariadb.sh and source its .env)"
  return 0
fi
database="install_test_$$"
superuser=(mariadb --no-defaults --socket="$MARIADB_TEST_SOCKET" -u root)
"${superuser[@]}" -e "CREATE DATABASE $database CHARACTER SET utf8mb4;
  GRANT ALL ON $database.* TO '$MARIADB_TEST_USER'@'127.0.0.1';
  GRANT ALL ON $database.* TO '$MARIADB_TEST_USER'@'localhost';"
"${superuser[@]}" "$database" < "$examples/example.sql"
sed -e "s|^host .*|host 127.0.0.1\nport $MARIADB_TEST_PORT|" -e "s|^username .*|username $MARIADB_TEST_USER|" \
  -e "s|^password .*|password $MARIADB_TEST_PASSWORD|" -e "s|^database .*|database $database|" \
  "$examples/mysql.conf" > "$work/mysql.conf"
CLEANUP=("${superuser[@]}" -e "DROP DATABASE IF EXISTS $database")
chmod 600 "$work/mysql.conf"  # it holds a password
ARGUMENT="$work/mysql.conf"
LOOKUP=(alias postmaster@example.org "alice@example.org, bob@example.org")
