#!/usr/bin/env bash
# The whole test suite, as the README gives it and .ci/run calls it (`make test`):
# installs what is missing, starts every server the integration tests use on 127.0.0.1
# (each in a fresh data directory, scripts/lib/test-servers.sh), runs `swift test`, a soak
# slice, the sanitizers and the packaging tests (root), and stops the servers again.
# The contributor's loop without the last three is scripts/check.sh (`make check`).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test

. scripts/lib/test-servers.sh
start_test_servers

swift build
swift test "$@"

# A short slice of the leak soak (scripts/soak.sh runs 1,000,000 per backend by hand) on
# the backends that need no server: 100,000 requests each on the debug build, about 15 s.
# Fewer would end before memory settles (table-passwd's RSS grows until its second update).
SOAK_BIN="$(swift build --show-bin-path)" SOAK_REPORT_EVERY=50000 scripts/soak.sh 100000 sqlite passwd

# The same suite under AddressSanitizer and ThreadSanitizer, against the same servers
# (docs/robustness.md gives what it costs; TABLES_SKIP_SANITIZERS=1 skips it by hand).
[ "${TABLES_SKIP_SANITIZERS:-0}" = 1 ] || scripts/sanitizers.sh

# The Debian 13 packages: built once with Debian's swiftlang in a clean Debian 13 root
# (make deb, and the previous version for the upgrade test) and published in a repository
# (make repo); then, in Debian 13 roots with Debian's OpenSMTPD 7.6 and apt only, checked,
# installed, replaced and upgraded (install-test.sh), tested by their autopkgtests
# (autopkgtest.sh), and driven over SMTP by the real smtpd (e2e.sh). All three run; the
# suite fails if one did.
. scripts/lib/packages.sh
packages_ready previous
export TABLES_PACKAGES_READY=1
failed=()
for step in install-test autopkgtest e2e; do
  echo "== scripts/$step.sh"
  scripts/$step.sh || failed+=("$step")
done
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
