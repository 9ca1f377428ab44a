#!/usr/bin/env bash
# Leak soak: each backend answers N mixed requests one at a time, as smtpd sends
# them (7/10 hits, 2/10 misses, 1/10 errors from a service it did not register, an `update`
# every 10,000), against its real server with 10,000 users (the servers and configs of the
# benchmarks: scripts/lib/bench-setup.sh). table-bench --soak prints VmRSS and VmHWM after
# each 100,000 requests and the open descriptors after the warm-up and at the end; a backend
# passes with every reply right, VmRSS growth < 1 MiB from the first to the last report and
# no descriptor leaked.
#
# Usage: scripts/soak.sh [N] [BACKEND...]     (N defaults to 1000000; every backend of packaging/backends)
# Env:   SOAK_BUILD=debug    use the debug build (no release build; for short CI slices)
#        SOAK_BIN=DIR        use the binaries already built in DIR (no build at all)
#        SOAK_REPORT_EVERY   requests between reports (default 100000, or N/2 when smaller)
# Driver and backend are pinned to core 0 (taskset -c 0). Exits 1 if any backend failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
count="${1:-1000000}"
shift || true
backends=("$@")
[ ${#backends[@]} -gt 0 ] || mapfile -t backends < <(backend_names)
every="${SOAK_REPORT_EVERY:-100000}"
[ "$every" -le $((count / 2)) ] || every=$((count / 2))

if [ -n "${SOAK_BIN:-}" ]; then
  bin="$SOAK_BIN"
elif [ "${SOAK_BUILD:-release}" = debug ]; then
  swift build -j 1 >/dev/null
  bin="$(swift build --show-bin-path)"
else
  release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
  swift build $release -j 1 >/dev/null
  bin="$(swift build $release -j 1 --show-bin-path)"
fi

# What each backend is asked: service and key template (keys 1..10,000 of the setup).
declare -A service=([sqlite]=alias [passwd]=credentials [postgres]=alias [mysql]=alias
                    [ldap]=alias [redis]=alias [socketmap]=alias)

failed=()
summary=()
for name in "${backends[@]}"; do
  [ -n "${service[$name]:-}" ] || { echo "soak.sh: unknown backend $name" >&2; exit 2; }
  work="$(mktemp -d "/tmp/table-soak-$name.XXXXXX")"
  trap 'stop_'"$name"' "$work"; rm -rf "$work"' EXIT
  echo "== table-$name: $count requests"
  setup_"$name" "$work" >/dev/null
  started=$SECONDS
  status=0
  taskset -c 0 "$bin/table-bench" --soak "$count" --report-every "$every" \
    --service "${service[$name]}" --key-template 'user{}@example.org' \
    "$bin/table-$name" "$config" 2>"$work/stderr.log" | tee "$work/soak.log" || status=$?
  # The backend's log: one warning per error request; show how it ended.
  echo "  backend log: $(wc -l < "$work/stderr.log") lines, the last: $(tail -1 "$work/stderr.log")"
  [ "$status" -eq 0 ] || failed+=("$name")
  summary+=("table-$name: $(grep -E 'VmRSS growth|open descriptors at the end|soak (PASSED|FAILED)' "$work/soak.log" | tr '\n' ';') $((SECONDS - started)) s")
  stop_"$name" "$work"
  rm -rf "$work"
  trap - EXIT
  echo
done

printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "soak failed for: ${failed[*]}"
  exit 1
fi
echo "soak passed for: ${backends[*]}"
