#!/usr/bin/env bash
# End-to-end test with the real OpenSMTPD 7.6: in a Debian trixie root (scripts/e2e/root.sh,
# cached per day), installs our Debian packages (make deb) with dpkg, then runs the scenarios
# of each backend of packaging/backends (scripts/e2e/scenarios/NAME.py and NAME_*.py): each writes its
# smtpd.conf and data, starts `smtpd -d` on 127.0.0.1, and drives it over SMTP.
#
# Each run works on a throw-away overlay of the cached root. Ports: 12520 + 10 per backend
# (in list order), ten each. E2E_KEEP=1 keeps the run folder (logs, root) for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "e2e.sh needs root (chroot, mount)"; exit 1; }
for tool in mmdebstrap python3 openssl; do
  command -v "$tool" >/dev/null || { echo "e2e.sh needs $tool"; exit 1; }
done
export DEBDIR="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
version="$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)"
arch="$(dpkg --print-architecture)"
uncovered=()
mapfile -t backends < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' packaging/backends)
started=$(date +%s)

cached_root="$(scripts/e2e/root.sh)"
echo "trixie root: $cached_root ($(( $(date +%s) - started )) s)"
packaging/deb.sh >"$DEBDIR.log" 2>&1 || { tail -40 "$DEBDIR.log"; echo "make deb failed"; exit 1; }
echo "packages built in $DEBDIR ($(( $(date +%s) - started )) s)"

work="$(mktemp -d /tmp/opensmtpd-tables-e2e.XXXXXX)"
root="$work/root"
mkdir -p "$work/upper" "$work/overlay-work" "$root" "$work/logs"
cleanup() {
  # Whatever still runs inside the root (an smtpd left by an interrupted scenario) was
  # started by this run: stop it by pid so the mounts can go.
  for process in /proc/[0-9]*; do
    [ "$(readlink "$process/root" 2>/dev/null)" = "$root" ] && kill "${process#/proc/}" 2>/dev/null
  done
  sleep 0.5
  umount "$root/proc" 2>/dev/null || true
  umount "$root" 2>/dev/null || true
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM
if ! mount -t overlay overlay -o "lowerdir=$cached_root,upperdir=$work/upper,workdir=$work/overlay-work" "$root" 2>/dev/null; then
  cp -a "$cached_root/." "$root/"
fi
mount -t proc proc "$root/proc"

# The backends with a scenario (one without is a failure, reported below).
covered=()
for name in "${backends[@]}"; do
  if [ -f "scripts/e2e/scenarios/$name.py" ]; then covered+=("$name"); else uncovered+=("$name"); fi
done

# Our packages, installed on Debian 13 with dpkg. A package built on Debian 12 may depend
# on a library soname Debian 13 renamed (libhiredis, libldap): then it is installed with
# --force-depends and the host's copy of each missing library goes to /usr/local/lib.
mkdir -p "$root/tmp/debs"
for name in "${covered[@]}"; do
  cp "$DEBDIR/opensmtpd-table-$name-swift_${version}_$arch.deb" "$root/tmp/debs/"
done
if [ ${#covered[@]} -gt 0 ] && ! chroot "$root" sh -c 'dpkg -i /tmp/debs/*.deb' >"$work/logs/dpkg.log" 2>&1; then
  echo "dpkg -i in the trixie root failed on dependencies; installing with --force-depends and the host's libraries"
  grep -i "depends on" "$work/logs/dpkg.log" | sort -u || true
  chroot "$root" sh -c 'dpkg -i --force-depends /tmp/debs/*.deb' >>"$work/logs/dpkg.log" 2>&1 \
    || { cat "$work/logs/dpkg.log"; echo "dpkg -i in the trixie root failed"; exit 1; }
fi
for name in "${covered[@]}"; do
  binary="/usr/libexec/opensmtpd/table-$name"
  for _ in 1 2 3 4 5 6; do
    missing="$( (chroot "$root" ldd "$binary" || true) | awk '/not found/ { print $1 }')"
    [ -n "$missing" ] || break
    for library in $missing; do
      # The same binary, resolved against this machine's libraries (where it was built).
      path="$( (ldd "$root$binary" 2>/dev/null || true) | awk -v lib="$library" '$1 == lib && $3 ~ /^\// { print $3 }')"
      [ -n "$path" ] || path="$( (ldconfig -p || true) | awk -v lib="$library" '$1 == lib { print $NF; exit }')"
      [ -n "$path" ] || { echo "table-$name needs $library, which neither the root nor this machine has"; exit 1; }
      echo "copying $path into the root for table-$name"
      cp -L "$path" "$root/usr/local/lib/"
      # Its own dependencies are checked on the next round through ldd of the binary.
    done
    chroot "$root" ldconfig
  done
  if chroot "$root" ldd "$binary" | grep -q 'not found'; then
    chroot "$root" ldd "$binary"; echo "table-$name lacks libraries in the root"; exit 1
  fi
done

echo e2e.test > "$root/etc/mailname"
mkdir -p "$root/etc/e2e"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$root/etc/e2e/key.pem" -out "$root/etc/e2e/cert.pem" >/dev/null 2>&1
chmod 600 "$root/etc/e2e/key.pem"

passed=0
failed=0
index=0
for name in "${backends[@]}"; do
  port=$((12520 + 10 * index))
  index=$((index + 1))
  if [ ! -f "scripts/e2e/scenarios/$name.py" ]; then
    echo "FAIL: $name: no end-to-end scenario (scripts/e2e/scenarios/$name.py)"
    failed=$((failed + 1))
    continue
  fi
  # NAME.py, then any NAME_*.py (more scenarios of the same backend), one after the other
  # on the backend's ports.
  for scenario in "scripts/e2e/scenarios/$name.py" "scripts/e2e/scenarios/${name}"_*.py; do
    [ -f "$scenario" ] || continue
    label="$(basename "$scenario" .py)"
    set +e
    python3 -B "$scenario" "$label" "$root" "$work/logs" "$port" | tee "$work/logs/$label.out"
    set -e
    summary="$(grep -E "^$label: [0-9]+ passed, [0-9]+ failed$" "$work/logs/$label.out" | tail -1)"
    if [ -z "$summary" ]; then
      echo "FAIL: $label: the scenario did not finish"
      failed=$((failed + 1))
      continue
    fi
    read -r _ p _ f _ <<<"$summary"
    passed=$((passed + p))
    failed=$((failed + f))
  done
done

echo "end-to-end: $(( $(date +%s) - started )) s"
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
