#!/usr/bin/env bash
# The test suite under AddressSanitizer and ThreadSanitizer: memory errors and data races
# that the tests alone pass over, in the tests' own code and in every table binary they run.
# Usage: scripts/sanitizers.sh [address|thread ...] [-- swift-test-arguments]
#   (default: address then thread; e.g. `-- --filter SQLite` for a subset by hand).
# Each sanitizer builds in its own scratch path (.build-asan, .build-tsan: git-ignored), so
# the table binaries the integration tests spawn are instrumented too. Every process writes
# its reports to one directory (log_path), because the tests send the tables' stderr to
# temporary files they delete. The run fails when `swift test` fails or when any report
# names our code: a frame in Sources/ or Tests/, one of our modules, or a table binary.
# Expects the test servers to be running with their NAME.env sourced (scripts/test.sh calls
# this after the main `swift test`).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
. scripts/lib/backends.sh

sanitizers=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do sanitizers+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)
jobs="${SANITIZER_JOBS:-1}"

reports="$(mktemp -d /tmp/tables-sanitizers.XXXXXX)"
# Frames of ours in a symbolized report: our source tree, our modules' mangled names
# (table_sqlite, TableProtocol...), or the path of a table binary when unsymbolized.
# Every backend of packaging/backends, and the benchmark.
programs="$(backend_pattern)|bench"
ours="/Sources/|/Tests/|table_($programs)|TableProtocol|TableDriver|/table-($programs)\\b"
failed=0

for sanitizer in "${sanitizers[@]}"; do
  case "$sanitizer" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "sanitizers.sh: unknown sanitizer $sanitizer (address or thread)" >&2; exit 2 ;;
  esac
  dir="$reports/$sanitizer"
  mkdir -p "$dir"
  # halt_on_error=0 for TSan: report every race in a run, not just the first.
  export ASAN_OPTIONS="log_path=$dir/report:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
  export LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0"
  export TSAN_OPTIONS="log_path=$dir/report:suppressions=$root/scripts/sanitizers/tsan.supp:halt_on_error=0:second_deadlock_stack=1"

  start=$(date +%s)
  echo "== swift test --sanitize=$sanitizer (scratch path $scratch)"
  swift build -j "$jobs" --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
  built=$(date +%s)
  status=0
  swift test -j "$jobs" --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "$@" || status=$?
  end=$(date +%s)
  echo "== $sanitizer: build $((built - start)) s, tests $((end - built)) s, swift test exit status $status"
  [ "$status" -eq 0 ] || failed=1

  shopt -s nullglob
  for report in "$dir"/report.*; do
    if grep -Eq "$ours" "$report"; then
      echo "== $sanitizer report naming our code: $report" >&2
      failed=1
    else
      echo "== $sanitizer report outside our code (not a failure): $report" >&2
    fi
    sed -n 1,80p "$report" >&2
  done
  shopt -u nullglob
done

if [ "$failed" -ne 0 ]; then
  echo "sanitizers.sh: FAILED (reports kept in $reports)" >&2
  exit 1
fi
rm -rf "$reports"
echo "sanitizers.sh: clean (${sanitizers[*]})"
