#!/usr/bin/env bash
# Installs the Debian packages the build and the test suite need, if any is missing.
# Usage: scripts/deps.sh build|test|packaging
set -euo pipefail
# Package lists live in scripts/deps/: NAME.build (headers and tools to build) and
# NAME.test (servers and tools the integration tests start on 127.0.0.1), one per line;
# `packaging` is packaging.build alone (make deb and make repo, which build in a Debian 13
# root and need no Swift here).
here="$(dirname "$0")/deps"
mapfile -t build_packages < <(cat "$here"/*.build 2>/dev/null | grep -v '^#' | grep .)
mapfile -t test_packages < <(cat "$here"/*.build "$here"/*.test 2>/dev/null | grep -v '^#' | grep . | sort -u)
mapfile -t packaging_packages < <(grep -v '^#' "$here/packaging.build" | grep .)

case "${1:-build}" in
  build) wanted=("${build_packages[@]}") ;;
  test) wanted=("${test_packages[@]}") ;;
  packaging) wanted=("${packaging_packages[@]}") ;;
  *) echo "usage: $0 build|test|packaging" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
