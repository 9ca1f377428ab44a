#!/usr/bin/env bash
# `make run`: builds the example database and shows table-sqlite answering real lookups,
# first one request at a time from the command line, then over the smtpd protocol.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build $(scripts/release-flags.sh) --show-bin-path)"
work="$(mktemp -d /tmp/table-sqlite-demo.XXXXXX)"
trap 'rm -rf "$work"' EXIT

sqlite3 "$work/example.db" < examples/sqlite/example.sql
sed "s|^dbpath .*|dbpath $work/example.db|" examples/sqlite/sqlite.conf > "$work/sqlite.conf"

run() { echo "\$ table-sqlite $*"; "$bin/table-sqlite" "$@" || true; }
echo "== checking the configuration"
run -n "$work/sqlite.conf"
echo
echo "== one request at a time (as smtpd would ask; keys are lowercased like smtpd does)"
run "$work/sqlite.conf" check domain example.org
run "$work/sqlite.conf" check domain example.com
run "$work/sqlite.conf" lookup alias postmaster@example.org
run "$work/sqlite.conf" lookup alias @example.net
run "$work/sqlite.conf" lookup credentials Bob@Example.org
run "$work/sqlite.conf" lookup userinfo vmail
run "$work/sqlite.conf" lookup mailaddrmap alice@example.org
run "$work/sqlite.conf" check netaddr 127.0.0.1
run "$work/sqlite.conf" fetch source
run "$work/sqlite.conf" lookup relayhost example.org
echo
echo "== over the smtpd table protocol (what smtpd sends, then what the table answers)"
requests="config|smtpd-version|7.6.0-portable
config|protocol|0.1
config|tablename|virtuals
config|ready
table|0.1|1732540000.000001|virtuals|lookup|alias|0a1b2c3d|webmaster@example.org
table|0.1|1732540000.000002|virtuals|lookup|alias|0a1b2c3e|nobody@example.org
table|0.1|1732540000.000003|virtuals|check|domain|0a1b2c3f|example.net
table|0.1|1732540000.000004|virtuals|fetch|source|0a1b2c40
table|0.1|1732540000.000005|virtuals|fetch|source|0a1b2c41
table|0.1|1732540000.000006|virtuals|lookup|regex|0a1b2c42|x
table|0.1|1732540000.000007|virtuals|update|0a1b2c43"
echo "$requests" | sed 's/^/> /'
echo "$requests" | "$bin/table-sqlite" "$work/sqlite.conf" | sed 's/^/< /'
