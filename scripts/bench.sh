#!/usr/bin/env bash
# Figures of a backend on 10,000 users: requests/s, p50/p99 latency, start-up time and peak
# RSS from table-bench, then the stripped binary's size. Each backend runs against its own
# real server, private to the run (scripts/lib/bench-setup.sh; ports in
# scripts/lib/test-servers.sh); driver and backend are pinned to core 0 (taskset -c 0), the
# server is free to use the other. Windows 1 (serial, as smtpd asks) and 16 (pipelined).
#
# Usage: scripts/bench.sh NAME...      a backend of packaging/backends, or `all`
#        (`make bench`: sqlite passwd; `make bench-all`: all)
# Env:   COUNT        requests per run (default 50000)
#        CONNECTIONS  table-ldap's max_connections (default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
[ $# -gt 0 ] || { echo "usage: $0 NAME... (a backend of packaging/backends, or all)" >&2; exit 2; }
names=("$@")
[ "${names[*]}" != all ] || mapfile -t names < <(backend_names)

# What each backend is asked: table-bench's arguments, one run a line; the table argument
# (`config`, set by setup_NAME) follows unless the line ends with another.
bench_runs() { # NAME
  case "$1" in
    sqlite|postgres|mysql) cat <<'RUNS' ;;
--service alias --key-template user{}@example.org
--service credentials --key-template user{}@example.org --windows 1
--operation check --service domain --key-template domain{}.example --windows 1
RUNS
    passwd) cat <<'RUNS' ;;
--service credentials --key-template user{}@example.org
--service userinfo --key-template user{}@example.org --windows 1
RUNS
    ldap) cat <<'RUNS' ;;
--service alias --key-template user{}@example.org
--service credentials --key-template user{}@example.org
--service userinfo --key-template user{} --windows 1
--operation check --service domain --key-template user{}@example.org --windows 1
RUNS
    redis) cat <<'RUNS' ;;
--service alias --key-template user{}@example.org
--service credentials --key-template user{}@example.org --windows 1
--service userinfo --key-template user{}@example.org --windows 1
--operation check --service domain --key-template domain{}.example --windows 1,16
RUNS
    # Line framing on a unix socket (upstream's form: the argument is the socket), then
    # netstrings over TCP (a config file).
    socketmap) cat <<'RUNS' ;;
--service alias --key-template user{}@example.org --windows 1,16
--service alias --key-template user{}@example.org --windows 1 netstring.conf
RUNS
    *) echo "bench.sh: no backend \"$1\" (packaging/backends lists them)" >&2; return 2 ;;
  esac
}
for name in "${names[@]}"; do bench_runs "$name" >/dev/null; done

release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
for product in table-bench "${names[@]/#/table-}"; do
  swift build $release -j 1 --product "$product" >/dev/null
done
bin="$(swift build $release --show-bin-path)"
count="${COUNT:-50000}"

for name in "${names[@]}"; do
  work="$(mktemp -d "/tmp/table-bench-$name.XXXXXX")"
  trap 'stop_'"$name"' "$work"; rm -rf "$work"' EXIT
  setup_"$name" "$work"
  while read -r -a arguments; do
    table_argument="$config"
    case "${arguments[-1]}" in *.conf) table_argument="$work/${arguments[-1]}"; unset 'arguments[-1]' ;; esac
    taskset -c 0 "$bin/table-bench" --count "$count" "${arguments[@]}" "$bin/table-$name" "$table_argument"
    echo
  done < <(bench_runs "$name")
  strip -o "$work/table-$name.stripped" "$bin/table-$name"
  echo "table-$name binary (stripped): $(( $(stat -c %s "$work/table-$name.stripped") / 1024 )) KiB"
  stop_"$name" "$work"
  rm -rf "$work"
  trap - EXIT
done
