#!/usr/bin/env bash
# `make bench`: figures for table-sqlite and table-passwd on 10,000 users, driver and
# backend pinned to one core (taskset -c 0) as the issues measure them.
# Set COUNT for more requests per run (default 50000).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release -Xswiftc -static-stdlib --show-bin-path)"
work="$(mktemp -d /tmp/table-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
count="${COUNT:-50000}"
users=10000
hash='$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS'

{
  echo "BEGIN;"
  echo "CREATE TABLE domains (domain TEXT PRIMARY KEY);"
  echo "CREATE TABLE virtuals (email TEXT, destination TEXT);"
  echo "CREATE INDEX virtuals_email ON virtuals(email);"
  echo "CREATE TABLE credentials (email TEXT PRIMARY KEY, password TEXT);"
  for ((i = 1; i <= users; i++)); do
    echo "INSERT INTO domains VALUES ('domain$i.example');"
    echo "INSERT INTO virtuals VALUES ('user$i@example.org', 'vmail');"
    echo "INSERT INTO credentials VALUES ('user$i@example.org', '$hash');"
  done
  echo "COMMIT;"
} | sqlite3 "$work/bench.db"
cat > "$work/sqlite.conf" <<CONF
dbpath $work/bench.db
query_alias SELECT destination FROM virtuals WHERE email = ?
query_domain SELECT domain FROM domains WHERE domain = ?
query_credentials SELECT email, password FROM credentials WHERE email = ?
CONF
for ((i = 1; i <= users; i++)); do
  echo "user$i@example.org:$hash:$((5000 + i)):5000::/var/vmail/user$i:"
done > "$work/passwd"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-sqlite" "$work/sqlite.conf"
bench --service credentials --key-template 'user{}@example.org' --windows 1 "$bin/table-sqlite" "$work/sqlite.conf"
bench --operation check --service domain --key-template 'domain{}.example' --windows 1 "$bin/table-sqlite" "$work/sqlite.conf"
bench --service credentials --key-template 'user{}@example.org' "$bin/table-passwd" "$work/passwd"
bench --service userinfo --key-template 'user{}@example.org' --windows 1 "$bin/table-passwd" "$work/passwd"
echo "binary sizes (stripped):"
for b in table-sqlite table-passwd; do
  strip -o "$work/$b.stripped" "$bin/$b"
  echo "  $b: $(( $(stat -c %s "$work/$b.stripped") / 1024 )) KiB"
done
