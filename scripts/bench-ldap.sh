#!/usr/bin/env bash
# Figures for table-ldap: 10,000 users loaded into a private slapd (scripts/lib/bench-setup.sh,
# 127.0.0.1:13811), then table-bench with windows 1 and 16, driver and backend pinned to one
# core (taskset -c 0), slapd free to use the other. Set COUNT for more requests per run
# (default 50000) and CONNECTIONS for max_connections (default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
bin="$(swift build $release -j 1 --show-bin-path)"
swift build $release -j 1 --product table-ldap >/dev/null
swift build $release -j 1 --product table-bench >/dev/null
work="$(mktemp -d /tmp/table-ldap-bench.XXXXXX)"
trap 'stop_ldap "$work"; rm -rf "$work"' EXIT
count="${COUNT:-50000}"
setup_ldap "$work"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-ldap" "$config"
bench --service credentials --key-template 'user{}@example.org' "$bin/table-ldap" "$config"
bench --service userinfo --key-template 'user{}' --windows 1 "$bin/table-ldap" "$config"
bench --operation check --service domain --key-template 'user{}@example.org' --windows 1 "$bin/table-ldap" "$config"
strip -o "$work/table-ldap.stripped" "$bin/table-ldap"
echo "table-ldap binary (stripped): $(( $(stat -c %s "$work/table-ldap.stripped") / 1024 )) KiB"
