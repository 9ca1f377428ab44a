#!/usr/bin/env bash
# `make bench`: figures for table-sqlite and table-passwd on 10,000 users, driver and
# backend pinned to one core (taskset -c 0) as the issues measure them.
# Set COUNT for more requests per run (default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
bin="$(swift build $(scripts/release-flags.sh) --show-bin-path)"
work="$(mktemp -d /tmp/table-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
count="${COUNT:-50000}"
setup_sqlite "$work"
sqlite_conf="$config"
setup_passwd "$work"
passwd_file="$config"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-sqlite" "$sqlite_conf"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-sqlite" "$sqlite_conf"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1 "$bin/table-sqlite" "$sqlite_conf"
bench --service credentials --key-template 'user{}@example.org' "$bin/table-passwd" "$passwd_file"
bench --service userinfo --key-template 'user{}@example.org' --windows 1 "$bin/table-passwd" "$passwd_file"
echo "binary sizes (stripped):"
for b in table-sqlite table-passwd; do
  strip -o "$work/$b.stripped" "$bin/$b"
  echo "  $b: $(( $(stat -c %s "$work/$b.stripped") / 1024 )) KiB"
done
