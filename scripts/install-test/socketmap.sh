# Sourced by scripts/install-test.sh (see sqlite.sh): the installed example config, pointed
# at the netstring listener of the socketmap test server (scripts/servers/socketmap.sh,
# started by scripts/test.sh), whose fixture maps root to "alice, bob".
: "${SOCKETMAP_NETSTRING_PORT:?the socketmap test server is not running (scripts/servers/socketmap.sh)}"
sed "s|^socket .*|socket inet:127.0.0.1:$SOCKETMAP_NETSTRING_PORT|" "$examples/socketmap.conf" > "$work/socketmap.conf"
ARGUMENT="$work/socketmap.conf"
LOOKUP=(alias root "alice, bob")
