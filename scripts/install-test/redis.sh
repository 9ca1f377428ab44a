# Sourced by scripts/install-test.sh (see sqlite.sh): the installed example config, pointed
# at the Redis test server (scripts/servers/redis.sh) and its database 15, where the key the
# lookup asks for is written first. SKIP says why it cannot run.
if [ -z "${REDIS_PORT:-}" ]; then
  SKIP="no Redis test server (start scripts/servers/redis.sh and source its .env)"
  return 0
fi
redis=(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" -n 15)
"${redis[@]}" DEL aliases:postmaster@example.org >/dev/null
"${redis[@]}" RPUSH aliases:postmaster@example.org alice@example.org bob@example.org >/dev/null
sed -e "s|^master_port .*|master_port $REDIS_PORT|" -e "s|^database .*|database 15|" \
  "$examples/redis.conf" > "$work/redis.conf"
CLEANUP=("${redis[@]}" DEL aliases:postmaster@example.org)
chmod 600 "$work/redis.conf"  # it holds a password
ARGUMENT="$work/redis.conf"
LOOKUP=(alias postmaster@example.org "alice@example.org, bob@example.org")
