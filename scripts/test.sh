#!/usr/bin/env bash
# The whole test suite, as the README gives it and .ci/run calls it:
# installs what is missing, starts every server the integration tests use on 127.0.0.1
# (each in a fresh data directory), runs `swift test`, and stops the servers again.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test

export TABLES_TEST_DIR="${TABLES_TEST_DIR:-$(mktemp -d /tmp/opensmtpd-tables-test.XXXXXX)}"
# Tests that need a server fail (instead of skipping) when it is not there.
export TABLES_TEST_REQUIRE_SERVERS=1

servers=()
for script in scripts/servers/*.sh; do
  [ -e "$script" ] || continue
  servers+=("$script")
done

stop_servers() {
  for script in "${servers[@]}"; do
    bash "$script" stop || true
  done
}
trap stop_servers EXIT

for script in "${servers[@]}"; do
  echo "starting $(basename "$script" .sh)"
  bash "$script" start
done
# Each server script writes NAME.env with the variables its tests read.
for env in "$TABLES_TEST_DIR"/*.env; do
  [ -e "$env" ] || continue
  set -a; . "$env"; set +a
done

swift build
swift test "$@"

# A short slice of the leak soak (scripts/soak.sh runs 1,000,000 per backend by hand) on
# the backends that need no server: 100,000 requests each on the debug build, about 15 s.
# Fewer would end before memory settles (table-passwd's RSS grows until its second update).
SOAK_BIN="$(swift build --show-bin-path)" SOAK_REPORT_EVERY=50000 scripts/soak.sh 100000 sqlite passwd

# The same suite under AddressSanitizer and ThreadSanitizer, against the same servers
# (docs/robustness.md gives what it costs; TABLES_SKIP_SANITIZERS=1 skips it by hand).
[ "${TABLES_SKIP_SANITIZERS:-0}" = 1 ] || scripts/sanitizers.sh

# The Debian packages build, pass lintian, install and answer (install-test.sh), and the
# real OpenSMTPD 7.6 delivers mail through them in a Debian 13 root (e2e.sh).
scripts/install-test.sh
scripts/e2e.sh
