#!/usr/bin/env bash
# The install test: builds the Debian packages (make deb), checks them (lintian without
# errors or warnings, each .deb at most 4 MB, man pages mandoc-clean), installs them with
# dpkg, runs every installed table once with -n on its example config, once through the
# smtpd handshake and a lookup, and once with the one-request command line, then purges them.
#
# Debian 12 has opensmtpd only in 6.8, so the dependency on opensmtpd (>= 7.6.0~) cannot be
# met here: dpkg runs with --force-depends, and the script checks that opensmtpd is the only
# dependency left unmet. scripts/e2e.sh installs the same packages on Debian 13 with
# smtpd 7.6.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBDIR="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
version="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
arch="$(dpkg --print-architecture)"
mapfile -t backends < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' packaging/backends)
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passed=$((passed + 1)); }

packaging/deb.sh >"$DEBDIR.log" 2>&1 || { tail -40 "$DEBDIR.log"; echo "make deb failed"; exit 1; }
pass "make deb built ${#backends[@]} package(s) into $DEBDIR"

debs=()
for name in "${backends[@]}"; do
  deb="$DEBDIR/opensmtpd-table-$name-swift_${version}_$arch.deb"
  [ -f "$deb" ] || { fail "$deb was not built"; continue; }
  debs+=("$deb")
  size=$(stat -c %s "$deb")
  if [ "$size" -le $((4 * 1024 * 1024)) ]; then pass "$(basename "$deb"): $size bytes"; else fail "$(basename "$deb") is $size bytes, over 4 MB"; fi
  [ -f "$DEBDIR/opensmtpd-table-$name-swift-dbgsym_${version}_$arch.deb" ] && pass "$name: -dbgsym package built" || fail "$name: no -dbgsym package"
  lint="$(mandoc -Tlint -W warning "packaging/man/table-$name.5" 2>&1 | grep -v 'mandoc.db' || true)"
  [ -z "$lint" ] && pass "table-$name.5 is mandoc -Tlint clean" || fail "table-$name.5: $lint"
done

if command -v lintian >/dev/null; then
  if lintian --fail-on error,warning "$DEBDIR/opensmtpd-tables_${version}_$arch.changes" 2>/dev/null; then
    pass "lintian: no error or warning"
  else
    fail "lintian reports errors or warnings (above)"
  fi
else
  fail "lintian is not installed"
fi

installed=()
purge() { [ ${#installed[@]} -eq 0 ] || dpkg --purge "${installed[@]}" >/dev/null 2>&1 || true; }
trap purge EXIT
dpkg -i --force-depends "${debs[@]}" >"$DEBDIR/install.log" 2>&1 || { cat "$DEBDIR/install.log"; fail "dpkg -i failed"; }
for name in "${backends[@]}"; do installed+=("opensmtpd-table-$name-swift"); done

# Every dependency but opensmtpd must be satisfied by what Debian installed.
satisfied() { # "name (op version)" alternatives separated by |
  local alternative alternatives package op wanted have
  IFS='|' read -ra alternatives <<<"$1"
  for alternative in "${alternatives[@]}"; do
    read -r package op wanted <<<"$(echo "$alternative" | tr -d '()')"
    have="$(dpkg-query -W -f='${Version}' "$package" 2>/dev/null || true)"
    [ -n "$have" ] || have="$(dpkg-query -W -f='${Version}' "$package:$arch" 2>/dev/null || true)"
    [ -n "$have" ] || continue
    [ -z "${op:-}" ] && return 0
    dpkg --compare-versions "$have" "$op" "$wanted" && return 0
  done
  return 1
}
for name in "${backends[@]}"; do
  package="opensmtpd-table-$name-swift"
  IFS=',' read -ra depends <<<"$(dpkg-query -W -f='${Depends}' "$package")"
  for dependency in "${depends[@]}"; do
    dependency="$(echo "$dependency" | sed 's/^ *//')"
    case "$dependency" in opensmtpd\ *|opensmtpd) continue ;; esac
    satisfied "$dependency" && pass "$package: depends on $dependency" || fail "$package: unmet dependency $dependency"
  done
done

work="$(mktemp -d /tmp/opensmtpd-tables-install.XXXXXX)"
trap 'purge; rm -rf "$work"' EXIT
for name in "${backends[@]}"; do
  package="opensmtpd-table-$name-swift"
  binary="/usr/libexec/opensmtpd/table-$name"
  examples="/usr/share/doc/$package/examples"
  [ -x "$binary" ] && pass "$binary installed" || { fail "$binary missing"; continue; }
  [ -f "/usr/share/man/man5/table-$name.5.gz" ] && pass "table-$name(5) installed" || fail "table-$name(5) missing"
  ARGUMENT=""; LOOKUP=()
  # shellcheck source=/dev/null
  . "scripts/install-test/$name.sh"
  service="${LOOKUP[0]}"; key="${LOOKUP[1]}"; expected="${LOOKUP[2]}"

  if output="$("$binary" -n "$ARGUMENT" 2>&1)"; then pass "table-$name -n: $output"; else fail "table-$name -n $ARGUMENT: $output"; fi

  answer="$("$binary" "$ARGUMENT" lookup "$service" "$key" 2>&1 || true)"
  [ "$answer" = "found|$expected" ] && pass "table-$name lookup $service $key: $answer" || fail "table-$name lookup $service $key: got '$answer'"

  # smtpd's side of the protocol, as smtpd 7.6 sends it; stdin closes after the request.
  reply="$(printf '%s\n' 'config|smtpd-version|7.6.0' 'config|protocol|0.1' "config|tablename|t$name" 'config|ready' \
    "table|0.1|1700000000.000001|t$name|lookup|$service|1a2b|$key" \
    | timeout 10 "$binary" "$ARGUMENT" 2>"$work/$name.stderr" || true)"
  if grep -qx "register|$service" <<<"$reply" && grep -qx 'register|ready' <<<"$reply" \
     && grep -qxF "lookup-result|1a2b|found|$expected" <<<"$reply"; then
    pass "table-$name handshake and lookup over the protocol"
  else
    fail "table-$name protocol: got: $reply $(cat "$work/$name.stderr")"
  fi
done

purge
installed=()
for name in "${backends[@]}"; do
  if dpkg-query -W -f='${Status}' "opensmtpd-table-$name-swift" 2>/dev/null | grep -q installed || [ -e "/usr/libexec/opensmtpd/table-$name" ]; then
    fail "opensmtpd-table-$name-swift still installed after purge"
  else
    pass "opensmtpd-table-$name-swift purged"
  fi
done

echo "install test: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
