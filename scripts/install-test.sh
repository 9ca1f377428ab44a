#!/usr/bin/env bash
# The install test (make install-test): the Debian 13 packages as an administrator gets them.
#
#  1. The files `make deb` built: each .deb at most 4 MB, no conffile, the control fields
#     (opensmtpd 7.6, our Provides/Conflicts/Replaces, the client library in Depends), a
#     hardened, stripped binary linking Debian 13's client library and no Swift library, a
#     -dbgsym package, a mandoc-clean manual; and the source package.
#  2. Debian 13's lintian in the build root (packaging/lintian.sh): no error, no warning.
#  3. In a fresh Debian 13 root with Debian's OpenSMTPD 7.6 (scripts/trixie-root.sh test, one
#     throw-away overlay per step), with our repository added as the README says, apt only:
#     - each package alone: `apt-get install`, the binary runs, `apt-get purge` leaves none of
#       its files behind;
#     - with Debian's C package installed first, ours replaces it, the binary at
#       /usr/libexec/opensmtpd/table-NAME is ours; removing ours and installing Debian's
#       again gives Debian's files back intact;
#     - the previous version (DEB_PREVIOUS of packaging/deb.sh) installed from its
#       repository, the repository moved to this version, `apt-get upgrade`: every package at
#       this version, the administrator's files under /etc/mail and /etc/smtpd.conf
#       untouched.
# No --force option, no file copied into the root but the repository and its key.
# scripts/autopkgtest.sh runs the packages' own tests; scripts/e2e.sh drives smtpd with them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "install-test.sh needs root (mount, chroot)"; exit 1; }
. scripts/lib/overlay.sh
. scripts/lib/packages.sh
started=$(date +%s)
mapfile -t backends < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' packaging/backends)
failures=0
passed=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; passed=$((passed + 1)); }
check() { # DESCRIPTION COMMAND...: pass or fail by the command's status
  local description="$1"
  shift
  if "$@"; then pass "$description"; else fail "$description"; fi
}

packages_ready previous
version="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
previous="$version~prev"
arch="$(dpkg --print-architecture)"
echo "packages and repositories ready ($(( $(date +%s) - started )) s)"

# The client library package each backend must depend on (Debian 13's names).
library_package() {
  case "$1" in
    sqlite) echo libsqlite3-0 ;; postgres) echo libpq5 ;; mysql) echo libmariadb3 ;;
    ldap) echo libldap2 ;; redis) echo libhiredis1.1.0 ;; *) echo "" ;;
  esac
}

## 1. The files.
declare -A checksum
for name in "${backends[@]}"; do
  package="opensmtpd-table-$name-swift"
  deb="$DEBDIR/${package}_${version}_$arch.deb"
  [ -f "$deb" ] || { fail "$deb was not built"; continue; }
  size=$(stat -c %s "$deb")
  if [ "$size" -le $((4 * 1024 * 1024)) ]; then pass "$(basename "$deb"): $size bytes"; else fail "$(basename "$deb") is $size bytes, over 4 MB"; fi
  if dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -q conffiles; then fail "$package ships a conffile"; else pass "$package: no conffile"; fi
  field() { dpkg-deb -f "$deb" "$1"; }
  # opensmtpd exactly as Debian's own tables have it; the library as dpkg-shlibdeps wrote it.
  entries="$(tr ',' '\n' <<<"$(field Depends)" | sed 's/^ *//')"
  grep -qxF "opensmtpd (>= 7.6.0)" <<<"$entries" && pass "$package: Depends: opensmtpd (>= 7.6.0)" \
    || fail "$package: Depends lacks opensmtpd (>= 7.6.0): $(field Depends)"
  library="$(library_package "$name")"
  if [ -n "$library" ]; then
    entry="$(grep -E "^$library( |$)" <<<"$entries" | head -1 || true)"
    [ -n "$entry" ] && pass "$package: Depends: $entry" || fail "$package: Depends lacks $library: $(field Depends)"
  fi
  [ "$(field Breaks)" = "opensmtpd (<< 7.6.0), opensmtpd-extras (<< 6.7.1+ds0)" ] && pass "$package: Breaks: $(field Breaks)" || fail "$package: Breaks: $(field Breaks)"
  [ "$(field Enhances)" = opensmtpd ] && pass "$package: Enhances: opensmtpd" || fail "$package: Enhances: $(field Enhances)"
  for relation in Provides Conflicts Replaces; do
    if tr ',' '\n' <<<"$(field "$relation")" | sed 's/^ *//' | grep -qx "opensmtpd-table-$name"; then
      pass "$package: $relation: opensmtpd-table-$name"
    else
      fail "$package: $relation: $(field "$relation")"
    fi
  done
  elf="$(mktemp -d)"
  dpkg-deb -x "$deb" "$elf"
  binary="$elf/usr/libexec/opensmtpd/table-$name"
  checksum[$name]="$(sha256sum <"$binary" | cut -d' ' -f1)"
  dynamic="$(readelf -d "$binary" 2>/dev/null)"
  if grep -q 'Flags:.*NOW.*PIE\|Flags:.*PIE.*NOW' <<<"$dynamic" && grep -q BIND_NOW <<<"$dynamic" \
     && readelf -lW "$binary" | grep -q GNU_RELRO; then
    pass "table-$name: PIE, RELRO, BIND_NOW"
  else
    fail "table-$name: not hardened: $(grep FLAGS <<<"$dynamic")"
  fi
  if readelf -S "$binary" | grep -q '\.debug_info'; then fail "table-$name: not stripped"; else pass "table-$name: stripped"; fi
  needed="$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' <<<"$dynamic" | paste -sd' ')"
  if grep -Eq 'libswift|libstdc\+\+|libgcc_s|libFoundation|libdispatch' <<<"$needed"; then
    fail "table-$name links a runtime library dynamically: $needed"
  else
    pass "table-$name: needs $needed"
  fi
  [ "$name" != redis ] || { grep -q 'libhiredis\.so\.1\.1\.0' <<<"$needed" && pass "table-redis links libhiredis.so.1.1.0 dynamically" || fail "table-redis: no libhiredis.so.1.1.0 in $needed"; }
  rm -rf "$elf"
  [ -f "$DEBDIR/$package-dbgsym_${version}_$arch.deb" ] && pass "$package: -dbgsym package built" || fail "$package: no -dbgsym package"
  lint="$(mandoc -Tlint -W warning "packaging/man/table-$name.5" 2>&1 | grep -v 'mandoc.db' || true)"
  [ -z "$lint" ] && pass "table-$name.5 is mandoc -Tlint clean" || fail "table-$name.5: $lint"
done
for file in "opensmtpd-tables_$version.dsc" "opensmtpd-tables_$version.tar.xz"; do
  [ -f "$DEBDIR/$file" ] && pass "source package: $file" || fail "source package: no $file"
done

## 2. lintian.
if packaging/lintian.sh >"$DEBDIR/lintian.out" 2>&1; then
  pass "$(tail -1 "$DEBDIR/lintian.out") ($(head -1 "$DEBDIR/lintian.out" | cut -d' ' -f1-2))"
else
  cat "$DEBDIR/lintian.out"
  fail "lintian"
fi

## 3. apt in fresh Debian 13 roots.
test_root="$(scripts/trixie-root.sh test)"
echo "Debian 13 root: $test_root ($(( $(date +%s) - started )) s)"
work=""
finish_root() { [ -z "$work" ] || overlay_stop "$work"; work=""; }
trap finish_root EXIT
trap 'exit 130' INT TERM
fresh_root() {
  finish_root
  work="$(mktemp -d /tmp/opensmtpd-tables-install.XXXXXX)"
  overlay_start "$test_root" "$work"
}
installed_version() { in_root "$work" dpkg-query -W -f='${db:Status-Status} ${Version}' "$1" 2>/dev/null || true; }
owner() { in_root "$work" dpkg-query -S "$1" 2>/dev/null | cut -d: -f1 || true; }

# Each package alone: install, run, purge.
for name in "${backends[@]}"; do
  package="opensmtpd-table-$name-swift"
  binary="/usr/libexec/opensmtpd/table-$name"
  fresh_root
  root_add_repo "$work" "$REPO" || { fail "$package: adding the repository"; continue; }
  if ! root_apt "$work" install "$package"; then fail "apt-get install $package"; continue; fi
  [ "$(installed_version "$package")" = "installed $version" ] && pass "apt-get install $package: $version" \
    || fail "apt-get install $package: $(installed_version "$package")"
  [ "$(owner "$binary")" = "$package" ] && pass "$binary belongs to $package" || fail "$binary: owner $(owner "$binary")"
  if output="$(in_root "$work" "$binary" --version 2>&1)"; then pass "table-$name --version: $output"; else fail "table-$name --version: $output"; fi
  missing="$(in_root "$work" ldd "$binary" | grep 'not found' || true)"
  [ -z "$missing" ] && pass "table-$name: every library found" || fail "table-$name: $missing"
  [ -f "$work/root/usr/share/man/man5/table-$name.5.gz" ] && pass "table-$name(5) installed" || fail "table-$name(5) missing"
  mapfile -t files < <(in_root "$work" dpkg-query -L "$package")
  root_apt "$work" purge "$package" || fail "apt-get purge $package"
  status="$(installed_version "$package")"
  case "$status" in ""|not-installed*) pass "$package purged" ;; *) fail "$package after purge: $status" ;; esac
  left=()
  for file in "${files[@]}"; do
    # Directories other packages share (/usr/share/man/man5, ...) stay; ours must go.
    if [ -d "$work/root$file" ] && [ ! -L "$work/root$file" ]; then
      case "$file" in /usr/share/doc/"$package"*) left+=("$file") ;; esac
    elif [ -e "$work/root$file" ] || [ -L "$work/root$file" ]; then
      left+=("$file")
    fi
  done
  [ ${#left[@]} -eq 0 ] && pass "apt-get purge $package left none of its ${#files[@]} paths" || fail "after purge of $package: ${left[*]}"
done

# Debian's C package first, then ours through apt, then Debian's again.
fresh_root
root_add_repo "$work" "$REPO" || fail "adding the repository"
for name in "${backends[@]}"; do
  ours="opensmtpd-table-$name-swift"
  debian="opensmtpd-table-$name"
  binary="/usr/libexec/opensmtpd/table-$name"
  root_apt "$work" install "$debian" || { fail "apt-get install $debian (Debian's)"; continue; }
  [ "$(owner "$binary")" = "$debian" ] && pass "Debian's $debian installed: $binary is its" || fail "$binary: owner $(owner "$binary")"
  root_apt "$work" install "$ours" || { fail "apt-get install $ours over $debian"; continue; }
  status="$(installed_version "$debian")"
  case "$status" in ""|not-installed*|config-files*) pass "$ours replaced $debian ($debian: $(echo ${status:-gone}))" ;; *) fail "$debian still $status next to $ours" ;; esac
  if [ "$(owner "$binary")" = "$ours" ] && [ "$(sha256sum <"$work/root$binary" | cut -d' ' -f1)" = "${checksum[$name]}" ]; then
    pass "$binary is ours"
  else
    fail "$binary after installing $ours: owner $(owner "$binary"), not our file"
  fi
  root_apt "$work" remove "$ours" || fail "apt-get remove $ours"
  root_apt "$work" install "$debian" || { fail "apt-get install $debian after removing $ours"; continue; }
  verify="$(in_root "$work" dpkg --verify "$debian" 2>&1 || true)"
  if [ "$(owner "$binary")" = "$debian" ] && [ -z "$verify" ]; then
    pass "$debian installed again, its files intact"
  else
    fail "$debian installed again: owner $(owner "$binary"), dpkg --verify: $verify"
  fi
done

# The previous version, then the repository moved on, then apt-get upgrade.
fresh_root
packages=()
for name in "${backends[@]}"; do packages+=("opensmtpd-table-$name-swift"); done
root_add_repo "$work" "$PREVIOUS_REPO" || fail "adding the repository of the previous version"
if root_apt "$work" install "${packages[@]}"; then
  all=1
  for package in "${packages[@]}"; do [ "$(installed_version "$package")" = "installed $previous" ] || all=0; done
  [ "$all" = 1 ] && pass "the previous version $previous of the ${#packages[@]} packages installed" || fail "previous version not installed"
  # An administrator's configuration: the examples made their own in /etc/mail, and
  # Debian's /etc/smtpd.conf (opensmtpd's conffile) naming them.
  mkdir -p "$work/root/etc/mail"
  for name in "${backends[@]}"; do
    for example in "$work/root/usr/share/doc/opensmtpd-table-$name-swift/examples"/*; do
      sed '1i # edited by the administrator' "$example" > "$work/root/etc/mail/$(basename "$example")"
      chmod 640 "$work/root/etc/mail/$(basename "$example")"
    done
    argument="/etc/mail/$name.conf"
    [ "$name" != passwd ] || argument=/etc/mail/passwd
    echo "table $name $name:$argument" >> "$work/root/etc/smtpd.conf"
  done
  admin_files() { (cd "$work/root/etc" && find mail smtpd.conf -type f -print0 | sort -z | xargs -0 sha256sum \
    && find mail smtpd.conf -printf '%p %m %u %g\n' | sort); }
  admin_files > "$work/mail.before"
  root_add_repo "$work" "$REPO" || fail "moving the repository to $version"
  if root_apt "$work" upgrade; then
    summary="$(grep -E '^[0-9]+ upgraded' "$work/apt.log" | tail -n 1)"
    for package in "${packages[@]}"; do
      status="$(installed_version "$package")"
      verify="$(in_root "$work" dpkg --verify "$package" 2>&1 || true)"
      [ "$status" = "installed $version" ] && [ -z "$verify" ] && pass "apt-get upgrade: $package $previous -> $version" \
        || fail "apt-get upgrade: $package: $status $verify (apt: $summary)"
    done
    admin_files > "$work/mail.after"
    if cmp -s "$work/mail.before" "$work/mail.after"; then
      pass "the upgrade left /etc/mail and /etc/smtpd.conf untouched ($(grep -c '^[0-9a-f]\{64\} ' "$work/mail.before") files)"
    else
      fail "the upgrade changed /etc/mail or /etc/smtpd.conf: $(diff "$work/mail.before" "$work/mail.after" | head -5)"
    fi
  else
    fail "apt-get upgrade from $previous to $version"
  fi
else
  fail "apt-get install of the previous version"
fi
finish_root

echo "install test: $(( $(date +%s) - started )) s"
echo "install test: $passed passed, $failures failed"
[ "$failures" -eq 0 ]
