# Sourced by scripts/bench*.sh and scripts/soak.sh: each backend's real server with 10,000
# users, private to the run, on its own port (scripts/lib/test-servers.sh: *_BENCH_PORT),
# and the table config that reaches it.
#
#   setup_NAME WORKDIR   start the server (if any), load the users, write the config(s);
#                        sets `config` to the config file (or table argument) to use
#   stop_NAME WORKDIR    stop that server (idempotent)
#
# NAME is a backend of packaging/backends (backend_names lists them). The redis and
# socketmap servers are pinned to core 1. The caller is in the repository's top directory.
. scripts/lib/test-servers.sh
. scripts/lib/backends.sh

bench_users=10000
bench_hash='$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'

# bench_database SCRIPT PREFIX WORKDIR COMMAND: scripts/servers/SCRIPT.sh COMMAND for the
# run's own database server: its data under WORKDIR, on $PREFIX_BENCH_PORT, plain TCP.
bench_database() {
  local port="$2_BENCH_PORT"
  env TABLES_TEST_DIR="$3" "$2_TEST_PORT=${!port}" "$2_TEST_TLS=no" bash "scripts/servers/$1.sh" "$4"
}

# private_config FILE: standard input into FILE, readable by its owner only (a password).
private_config() { (umask 077; cat > "$1"); }

setup_sqlite() { # WORKDIR
  local work=$1 i
  {
    echo "BEGIN;"
    echo "CREATE TABLE domains (domain TEXT PRIMARY KEY);"
    echo "CREATE TABLE virtuals (email TEXT, destination TEXT);"
    echo "CREATE INDEX virtuals_email ON virtuals(email);"
    echo "CREATE TABLE credentials (email TEXT PRIMARY KEY, password TEXT);"
    for ((i = 1; i <= bench_users; i++)); do
      echo "INSERT INTO domains VALUES ('domain$i.example');"
      echo "INSERT INTO virtuals VALUES ('user$i@example.org', 'vmail');"
      echo "INSERT INTO credentials VALUES ('user$i@example.org', '$bench_hash');"
    done
    echo "COMMIT;"
  } | sqlite3 "$work/bench.db"
  cat > "$work/sqlite.conf" <<CONF
dbpath $work/bench.db
query_alias SELECT destination FROM virtuals WHERE email = ?
query_domain SELECT domain FROM domains WHERE domain = ?
query_credentials SELECT email, password FROM credentials WHERE email = ?
CONF
  config="$work/sqlite.conf"
}
stop_sqlite() { :; }

setup_passwd() { # WORKDIR
  local work=$1 i
  for ((i = 1; i <= bench_users; i++)); do
    echo "user$i@example.org:$bench_hash:$((5000 + i)):5000::/var/vmail/user$i:"
  done > "$work/passwd"
  config="$work/passwd"
}
stop_passwd() { :; }

setup_postgres() { # WORKDIR
  local work=$1
  bench_database postgres POSTGRES "$work" start
  (
    set -a; . "$work/postgres.env"; set +a
    local conninfo="host=127.0.0.1 port=$POSTGRES_TEST_PORT dbname=$POSTGRES_TEST_DATABASE user=$POSTGRES_TEST_USER password=$POSTGRES_TEST_PASSWORD"
    "$POSTGRES_TEST_PSQL" -X -q -v ON_ERROR_STOP=1 "$conninfo" <<SQL
CREATE TABLE domains (domain TEXT PRIMARY KEY);
CREATE TABLE virtuals (email TEXT, destination TEXT);
CREATE INDEX virtuals_email ON virtuals(email);
CREATE TABLE credentials (email TEXT PRIMARY KEY, password TEXT);
INSERT INTO domains SELECT 'domain' || i || '.example' FROM generate_series(1, $bench_users) AS i;
INSERT INTO virtuals SELECT 'user' || i || '@example.org', 'vmail' FROM generate_series(1, $bench_users) AS i;
INSERT INTO credentials SELECT 'user' || i || '@example.org', '$bench_hash' FROM generate_series(1, $bench_users) AS i;
ANALYZE domains, virtuals, credentials;
SQL
    private_config "$work/postgres.conf" <<CONF
conninfo $conninfo
query_alias SELECT destination FROM virtuals WHERE email = \$1
query_domain SELECT domain FROM domains WHERE domain = \$1
query_credentials SELECT email, password FROM credentials WHERE email = \$1
CONF
  )
  config="$work/postgres.conf"
}
stop_postgres() { bench_database postgres POSTGRES "$1" stop || true; }

setup_mysql() { # WORKDIR
  local work=$1
  bench_database mariadb MARIADB "$work" start
  (
    set -a; . "$work/mariadb.env"; set +a
    mariadb --no-defaults -h 127.0.0.1 -P "$MARIADB_TEST_PORT" -u "$MARIADB_TEST_USER" -p"$MARIADB_TEST_PASSWORD" "$MARIADB_TEST_DATABASE" <<SQL
CREATE TABLE domains (domain VARCHAR(255) PRIMARY KEY);
CREATE TABLE virtuals (email VARCHAR(255), destination VARCHAR(255), INDEX (email));
CREATE TABLE credentials (email VARCHAR(255) PRIMARY KEY, password VARCHAR(255));
INSERT INTO domains SELECT CONCAT('domain', seq, '.example') FROM seq_1_to_$bench_users;
INSERT INTO virtuals SELECT CONCAT('user', seq, '@example.org'), 'vmail' FROM seq_1_to_$bench_users;
INSERT INTO credentials SELECT CONCAT('user', seq, '@example.org'), '$bench_hash' FROM seq_1_to_$bench_users;
SQL
    private_config "$work/mysql.conf" <<CONF
host 127.0.0.1
port $MARIADB_TEST_PORT
username $MARIADB_TEST_USER
password $MARIADB_TEST_PASSWORD
database $MARIADB_TEST_DATABASE
query_alias SELECT destination FROM virtuals WHERE email = ?
query_domain SELECT domain FROM domains WHERE domain = ?
query_credentials SELECT email, password FROM credentials WHERE email = ?
CONF
  )
  config="$work/mysql.conf"
}
stop_mysql() { bench_database mariadb MARIADB "$1" stop || true; }

setup_ldap() { # WORKDIR
  local work=$1 i
  local hash='{CRYPT}$6$alicesalt$pOmgvDg6pFExmzZh6sKniv4lxjYiiZO12OQyR1eZxd83vI8ymKh1XbZVA8JYZVmAW7lv/4ri.L5PMCDx8cC4V0'
  {
    printf 'dn: ou=bench,dc=example,dc=org\nobjectClass: organizationalUnit\nou: bench\n\n'
    for ((i = 1; i <= bench_users; i++)); do
      printf 'dn: uid=user%d,ou=bench,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n' "$i"
      printf 'uid: user%d\ncn: User %d\nsn: Bench\nuidNumber: %d\ngidNumber: 5000\nhomeDirectory: /var/vmail/user%d\n' "$i" "$i" $((10000 + i)) "$i"
      printf 'mail: user%d@example.org\nuserPassword: %s\n\n' "$i" "$hash"
      printf 'dn: cn=user%d@example.org,ou=bench,dc=example,dc=org\nobjectClass: nisMailAlias\ncn: user%d@example.org\nrfc822MailMember: vmail\n\n' "$i" "$i"
    done
  } > "$work/bench.ldif"
  TABLES_TEST_DIR="$work" SLAPD_PORT=$SLAPD_BENCH_PORT SLAPD_TLS_PORT=$SLAPD_BENCH_TLS_PORT SLAPD_EXTRA_LDIF="$work/bench.ldif" \
    bash scripts/servers/slapd.sh start
  private_config "$work/ldap.conf" <<CONF
url ldap://127.0.0.1:$SLAPD_BENCH_PORT
username cn=smtpd,dc=example,dc=org
password smtpdsecret
basedn ou=bench,dc=example,dc=org
max_connections ${CONNECTIONS:-4}
alias_filter (&(objectClass=nisMailAlias)(cn=%s))
alias_attributes rfc822MailMember
credentials_filter (&(objectClass=posixAccount)(mail=%s))
credentials_attributes mail, userPassword
userinfo_filter (&(objectClass=posixAccount)(uid=%s))
userinfo_attributes uidNumber, gidNumber, homeDirectory
domain_filter (&(objectClass=inetOrgPerson)(mail=%s))
CONF
  config="$work/ldap.conf"
}
stop_ldap() { # WORKDIR
  TABLES_TEST_DIR="$1" SLAPD_PORT=$SLAPD_BENCH_PORT SLAPD_TLS_PORT=$SLAPD_BENCH_TLS_PORT bash scripts/servers/slapd.sh stop || true
}

setup_redis() { # WORKDIR
  local work=$1 i port="$REDIS_BENCH_PORT"
  taskset -c 1 redis-server --bind 127.0.0.1 --port "$port" --dir "$work" --daemonize yes \
    --pidfile "$work/redis.pid" --logfile "$work/redis.log" --save "" --appendonly no
  for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  # RESP commands for redis-cli --pipe: one key per service and user.
  resp() { # ARG...
    printf '*%d\r\n' "$#"
    local a
    for a in "$@"; do printf '$%d\r\n%s\r\n' "${#a}" "$a"; done
  }
  {
    for ((i = 1; i <= bench_users; i++)); do
      resp SET "alias:user$i@example.org" "vmail"
      resp SET "credentials:user$i@example.org" "user$i@example.org:$bench_hash"
      resp SADD domains "domain$i.example"
      resp HSET "user:user$i@example.org" uid "$((5000 + i))" gid 5000 maildir "/var/vmail/user$i"
    done
  } > "$work/data.resp"
  redis-cli -p "$port" --pipe < "$work/data.resp" | tail -1
  cat > "$work/redis.conf" <<CONF
master 127.0.0.1
master_port $port
query_domain SISMEMBER domains %s
query_userinfo HMGET user:%s uid gid maildir
CONF
  config="$work/redis.conf"
}
stop_redis() { # WORKDIR
  if [ -s "$1/redis.pid" ]; then kill "$(cat "$1/redis.pid")" 2>/dev/null || true; sleep 0.2; fi
}

# Line framing on a unix socket (upstream's form: the table argument is the socket) in
# `config`; netstrings over TCP in "$work/netstring.conf".
setup_socketmap() { # WORKDIR
  local work=$1 i port="$SOCKETMAP_BENCH_PORT" python=python3
  [ -x /usr/bin/python3 ] && python=/usr/bin/python3
  for ((i = 1; i <= bench_users; i++)); do
    echo "user$i@example.org vmail$i"
  done > "$work/map.txt"
  setsid taskset -c 1 "$python" scripts/servers/socketmap_server.py --pidfile "$work/server.pid" \
    --map-file "$work/map.txt" --unix "line:$work/map.sock" --tcp "netstring:$port" \
    >"$work/server.log" 2>&1 < /dev/null &
  disown
  for _ in $(seq 1 100); do [ -s "$work/server.pid" ] && break; sleep 0.05; done
  printf 'socket inet:127.0.0.1:%s\nprotocol netstring\n' "$port" > "$work/netstring.conf"
  config="$work/map.sock"
}
stop_socketmap() { # WORKDIR
  if [ -s "$1/server.pid" ]; then kill -9 "$(cat "$1/server.pid")" 2>/dev/null || true; fi
}

# The config a C original reads for the same server and data, after setup_NAME: sets
# `c_config`. It is ours, except that the C table-mysql has no `port` keyword; libmariadb
# takes the port from MYSQL_TCP_PORT instead, which this exports.
c_original_config() { # NAME WORKDIR
  c_config=$config
  if [ "$1" = mysql ]; then
    c_config="$2/mysql-c.conf"
    grep -v '^port ' "$config" > "$c_config"
    export MYSQL_TCP_PORT="$MARIADB_BENCH_PORT"
  fi
}
