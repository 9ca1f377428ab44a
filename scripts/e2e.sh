#!/usr/bin/env bash
# End-to-end test with the real OpenSMTPD 7.6: in a throw-away overlay of a Debian 13 root
# with Debian's opensmtpd (scripts/trixie-root.sh test), our packages are installed as an
# administrator installs them, with apt from our repository (make deb, make repo; the test
# fails if apt refuses them), then the scenarios of each backend of packaging/backends
# (scripts/e2e/scenarios/NAME.py and NAME_*.py) run: each writes its smtpd.conf and data,
# starts `smtpd -d` on 127.0.0.1, and drives it over SMTP.
#
# Ports: $E2E_PORT (default 12520) + 10 per backend (in list order), ten each. E2E_KEEP=1
# keeps the run folder (logs, and the root's changes in upper/) for a look.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "e2e.sh needs root (chroot, mount)"; exit 1; }
for tool in mmdebstrap python3 openssl; do
  command -v "$tool" >/dev/null || { echo "e2e.sh needs $tool"; exit 1; }
done
# The scenarios run for minutes before their last lines: a misspelt or unimported name is
# found here first (pyflakes, python3-pyflakes; Debian's python3, which has it).
/usr/bin/python3 -m pyflakes scripts/e2e scripts/servers || { echo "e2e.sh: pyflakes found the faults above"; exit 1; }
. scripts/lib/overlay.sh
. scripts/lib/packages.sh
uncovered=()
mapfile -t backends < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' packaging/backends)
started=$(date +%s)

packages_ready
echo "packages and repository in $DEBDIR ($(( $(date +%s) - started )) s)"
cached_root="$(scripts/trixie-root.sh test)"
echo "Debian 13 root: $cached_root ($(( $(date +%s) - started )) s)"

work="$(mktemp -d /tmp/opensmtpd-tables-e2e.XXXXXX)"
root="$work/root"
mkdir -p "$work/logs"
cleanup() {
  if [ "${E2E_KEEP:-0}" = 1 ]; then overlay_stop "$work" keep; echo "kept $work"; else overlay_stop "$work"; fi
}
trap cleanup EXIT
trap "exit 130" INT TERM
overlay_start "$cached_root" "$work"

# The backends with a scenario (one without is a failure, reported below).
covered=()
for name in "${backends[@]}"; do
  if [ -f "scripts/e2e/scenarios/$name.py" ]; then covered+=("$name"); else uncovered+=("$name"); fi
done

# Our packages, as an administrator installs them: the repository added, then apt.
packages=()
for name in "${covered[@]}"; do packages+=("opensmtpd-table-$name-swift"); done
root_add_repo "$work" "$REPO" || { echo "adding our repository in the Debian 13 root failed"; exit 1; }
if [ ${#packages[@]} -gt 0 ] && ! root_apt "$work" install "${packages[@]}"; then
  echo "apt refused our packages in the Debian 13 root"
  exit 1
fi
cp "$work/apt.log" "$work/logs/"
echo "installed with apt: ${packages[*]} ($(( $(date +%s) - started )) s)"

echo e2e.test > "$root/etc/mailname"
mkdir -p "$root/etc/e2e"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$root/etc/e2e/key.pem" -out "$root/etc/e2e/cert.pem" >/dev/null 2>&1
chmod 600 "$root/etc/e2e/key.pem"

passed=0
failed=0
index=0
for name in "${backends[@]}"; do
  port=$((${E2E_PORT:-12520} + 10 * index))
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
