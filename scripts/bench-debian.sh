#!/usr/bin/env bash
# The Debian 13 packages' binaries (built with Debian's swiftlang 6.0.3 by make deb) beside
# the host-built ones (this machine's Swift, scripts/release-flags.sh), in alternating runs
# as in scripts/bench-compare.sh:
#
#   scripts/bench-debian.sh [NAME...]     default: sqlite passwd postgres mysql socketmap
#
# Both run inside a throw-away overlay of the Debian 13 test root (scripts/trixie-root.sh
# test), where the packages are installed with apt from $DEBDIR/repo and the host-built
# binaries and table-bench copied to /opt/host-built, so that both load the same client
# libraries; the servers and data are scripts/lib/bench-setup.sh's, on this machine.
# table-ldap and table-redis built here link Debian 12's libldap-2.5-0 and libhiredis0.14,
# which Debian 13 does not have, so they cannot be compared this way. Each round runs the
# host-built binary, then the Debian-built one, with `table-bench --service alias` at window
# 1 (as smtpd asks), pinned with the driver to core 0; printed: the medians of ROUNDS rounds
# (default 7) of COUNT lookups (default 20000) with each binary's peak RSS, and the ratios
# of the runs paired by round. The servers listen on the benchmarks' ports of
# scripts/lib/test-servers.sh (TABLES_TEST_PORT_OFFSET moves them). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-debian.sh needs root (mount, chroot)"; exit 1; }
. scripts/lib/bench-setup.sh
. scripts/lib/overlay.sh
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(sqlite passwd postgres mysql socketmap)
rounds=${ROUNDS:-7}
count=${COUNT:-20000}
debdir="${DEBDIR:-/tmp/opensmtpd-tables-deb}"
[ -f "$debdir/repo/InRelease" ] || { echo "no repository in $debdir/repo (make deb && make repo)"; exit 1; }

release="$(scripts/release-flags.sh)"
swift build $release -j 1 >/dev/null
bin="$(swift build $release --show-bin-path)"
test_root="$(scripts/trixie-root.sh test)"
work="$(mktemp -d /tmp/bench-debian.XXXXXX)"
data="$work/data"
mkdir -p "$data"
chmod 755 "$work" "$data"  # the servers run as their own users
current=""
cleanup() {
  [ -z "$current" ] || stop_"$current" "$data" || true
  umount "$work/root$data" 2>/dev/null || true
  overlay_stop "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
overlay_start "$test_root" "$work"
root_add_repo "$work" "$debdir/repo"
packages=()
for name in "${names[@]}"; do packages+=("opensmtpd-table-$name-swift"); done
root_apt "$work" install "${packages[@]}"
mkdir -p "$work/root/opt/host-built"
cp "$bin/table-bench" "$work/root/opt/host-built/"
for name in "${names[@]}"; do cp "$bin/table-$name" "$work/root/opt/host-built/"; done
# The data directory at the same path inside the root, so that the configs' paths hold there.
mkdir -p "$work/root$data"
mount --bind "$data" "$work/root$data"

run() { # LABEL BINARY CONFIG
  in_root "$work" taskset -c 0 /opt/host-built/table-bench --count "$count" --windows 1 --service alias \
    --key-template 'user{}@example.org' --backend-stderr /dev/null "$2" "$3" |
    awk -v label="$1" '/req\/s/ { for (i = 1; i <= NF; i++) if ($i == "req/s,") rate = $(i - 1) }
                       /peak RSS/ { rss = $3 } END { print label, rate, rss }'
}
echo "host: $(swift --version 2>&1 | head -1); Debian 13: the packages in $debdir/repo"
for name in "${names[@]}"; do
  current="$name"
  setup_"$name" "$data" >/dev/null
  for ((round = 1; round <= rounds; round++)); do
    run host-built "/opt/host-built/table-$name" "$config" | sed "s/\$/ $round/"
    run debian-built "/usr/libexec/opensmtpd/table-$name" "$config" | sed "s/\$/ $round/"
  done > "$work/runs"
  stop_"$name" "$data" || true
  current=""
  echo "table-$name: $rounds rounds of $count lookups at window 1 (req/s; peak RSS MiB)"
  awk '
    { rate[$4 " " $1] = $2; rss[$4 " " $1] = $3; if ($4 > rounds) rounds = $4 }
    function median(list, count,   i, j, t) {
      for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
      return count % 2 ? list[(count + 1) / 2] : (list[count / 2] + list[count / 2 + 1]) / 2
    }
    END {
      for (r = 1; r <= rounds; r++) {
        h[r] = rate[r " host-built"]; d[r] = rate[r " debian-built"]; ratio[r] = d[r] / h[r]
        hr[r] = rss[r " host-built"]; dr[r] = rss[r " debian-built"]; rratio[r] = dr[r] / hr[r]
      }
      printf "  host-built    median %6d req/s, peak RSS %.2f MiB\n", median(h, rounds), median(hr, rounds)
      printf "  debian-built  median %6d req/s, peak RSS %.2f MiB\n", median(d, rounds), median(dr, rounds)
      printf "  paired by round (medians): debian/host %.3f req/s, %.3f peak RSS\n", median(ratio, rounds), median(rratio, rounds)
    }' "$work/runs"
done
