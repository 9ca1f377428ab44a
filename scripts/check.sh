#!/usr/bin/env bash
# `make check`: the fast loop of a contributor. Builds, starts the test servers on 127.0.0.1
# (scripts/lib/test-servers.sh: TABLES_TEST_PORT_OFFSET moves them all, for a second checkout
# on the same machine), runs every unit and integration test against them with `swift test`,
# and stops them. No sanitizers, no soak, no packages: `make test` (scripts/test.sh) is the
# whole suite, as CI runs it. Needs the build and test dependencies (scripts/deps.sh test)
# and root only where the servers do (they run as their system users).
# Usage: scripts/check.sh [swift-test-arguments]    e.g. scripts/check.sh --filter Redis
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/test-servers.sh

started=$SECONDS
swift build --build-tests
start_test_servers
swift test --skip-build "$@"
echo "check: passed in $((SECONDS - started)) s"
