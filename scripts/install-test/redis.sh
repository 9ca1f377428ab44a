# Sourced by scripts/install-test.sh (see sqlite.sh): the installed example config, pointed
# at the redis test server (scripts/servers/redis.sh, started by scripts/test.sh) and at a
# database of its own, with the data its commands read.
: "${REDIS_PORT:?the redis test server is not running (scripts/servers/redis.sh)}"
redis-cli -p "$REDIS_PORT" -n 12 FLUSHDB >/dev/null
redis-cli -p "$REDIS_PORT" -n 12 RPUSH aliases:postmaster@example.org alice@example.org bob@example.org >/dev/null
sed -e "s|^master_port .*|master_port $REDIS_PORT|" -e "s|^database .*|database 12|" "$examples/redis.conf" > "$work/redis.conf"
ARGUMENT="$work/redis.conf"
LOOKUP=(alias postmaster@example.org "alice@example.org, bob@example.org")
