#!/usr/bin/env bash
# End-to-end test with the real OpenSMTPD 7.6: in a Debian trixie root (scripts/e2e/root.sh,
# cached per day), installs our Debian packages (make deb) with dpkg, then runs one scenario
# per backend of packaging/backends (scripts/e2e/scenarios/NAME.py): each writes its
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
  umount "$root/proc" 2>/dev/null || true
  umount "$root" 2>/dev/null || true
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT
if ! mount -t overlay overlay -o "lowerdir=$cached_root,upperdir=$work/upper,workdir=$work/overlay-work" "$root" 2>/dev/null; then
  cp -a "$cached_root/." "$root/"
fi
mount -t proc proc "$root/proc"

# Our packages, installed on Debian 13 where their dependencies (opensmtpd 7.6 included)
# are all met.
mkdir -p "$root/tmp/debs"
for name in "${backends[@]}"; do
  cp "$DEBDIR/opensmtpd-table-$name-swift_${version}_$arch.deb" "$root/tmp/debs/"
done
chroot "$root" sh -c 'dpkg -i /tmp/debs/*.deb' >"$work/logs/dpkg.log" 2>&1 || { cat "$work/logs/dpkg.log"; echo "dpkg -i in the trixie root failed"; exit 1; }
for name in "${backends[@]}"; do
  if chroot "$root" ldd "/usr/libexec/opensmtpd/table-$name" | grep -q 'not found'; then
    chroot "$root" ldd "/usr/libexec/opensmtpd/table-$name"; echo "table-$name lacks libraries in the root"; exit 1
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
  scenario="scripts/e2e/scenarios/$name.py"
  if [ ! -f "$scenario" ]; then
    echo "FAIL: $name: no end-to-end scenario ($scenario)"
    failed=$((failed + 1))
    continue
  fi
  set +e
  python3 -B "$scenario" "$name" "$root" "$work/logs" "$port" | tee "$work/logs/$name.out"
  set -e
  summary="$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" "$work/logs/$name.out" | tail -1)"
  if [ -z "$summary" ]; then
    echo "FAIL: $name: the scenario did not finish"
    failed=$((failed + 1))
    continue
  fi
  read -r _ p _ f _ <<<"$summary"
  passed=$((passed + p))
  failed=$((failed + f))
done

echo "end-to-end: $(( $(date +%s) - started )) s"
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
