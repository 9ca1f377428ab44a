# Sourced by scripts/install-test.sh (see sqlite.sh): the installed example config, pointed
# at the netstring socketmap test server (scripts/servers/socketmap.sh). SKIP says why it
# cannot run.
if [ -z "${SOCKETMAP_NETSTRING_PORT:-}" ]; then
  SKIP="no socketmap test server (start scripts/servers/socketmap.sh and source its .env)"
  return 0
fi
sed "s|^socket .*|socket inet:127.0.0.1:$SOCKETMAP_NETSTRING_PORT|" "$examples/socketmap.conf" > "$work/socketmap.conf"
ARGUMENT="$work/socketmap.conf"
LOOKUP=(alias root "alice, bob")
