#!/usr/bin/env bash
# Ours beside the C original on the same server and data, in alternating runs, since a
# figure measured minutes apart on a shared virtual machine can differ by 30%:
#
#   scripts/bench-compare.sh NAME C-BINARY     NAME: sqlite, postgres, mysql, redis or socketmap
#
# C-BINARY is built by scripts/build-c-original.sh. Each round runs both binaries, the C
# original first in odd rounds and ours first in even ones (whichever runs second finds the
# data and the server warmer), with `table-bench --service alias` at window 1 (as smtpd
# asks) and 16, pinned with the driver to core 0; the medians of ROUNDS rounds (default 5) of COUNT requests (default
# 30000) are printed with each binary's peak RSS, then the ratios of the runs paired by
# round (ours against the C original, ours at 16 against ours at 1). The C originals read
# the config that c_original_config sets (scripts/lib/bench-setup.sh).
#
# SERVICE=NAME looks up another service than alias (credentials, domain: what the config of
# both binaries has a query for), as smtpd does on every AUTH or for every recipient domain.
#
# Beside the rates, each run reports the backend's own CPU time per lookup (user and kernel,
# from /proc/PID/task/*/schedstat, see table-bench): the paired ratio of those leaves out the
# driver and the switches between the two, which the rates include.
#
# FLOOR=1 (sqlite, alias only) adds a third binary to every round, scripts/floor/sqlite-floor.c: one
# read, the query and one write per lookup, nothing else. Its ratio to the C original is about
# the most a table that makes the same system calls could gain on it here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/bench-setup.sh
name=${1:?usage: bench-compare.sh sqlite|postgres|mysql|redis|socketmap C-BINARY}
original=$(readlink -f "${2:?usage: bench-compare.sh NAME C-BINARY}")
rounds=${ROUNDS:-5}
count=${COUNT:-30000}
service=${SERVICE:-alias}
release="$(scripts/release-flags.sh)"  # the release build's flags, worked out once
swift build $release -j 1 >/dev/null
bin="$(swift build $release --show-bin-path)"
work="$(mktemp -d /tmp/bench-compare.XXXXXX)"
trap 'stop_$name "$work"; rm -rf "$work"' EXIT
setup_$name "$work"

c_original_config "$name" "$work"

run() { # LABEL BINARY CONFIG WINDOW
  taskset -c 0 "$bin/table-bench" --count "$count" --windows "$4" --service "$service" \
    --key-template 'user{}@example.org' --backend-stderr /dev/null "$2" "$3" |
    awk -v label="$1 w$4" '/req\/s/ { for (i = 1; i <= NF; i++) if ($i == "req/s,") rate = $(i - 1) }
                           /backend CPU/ { cpu = $(NF - 3) }
                           /peak RSS/ { rss = $3 } END { print label, rate, rss, cpu == "" ? "-" : cpu }'
}
# The binaries of a round as LABEL BINARY CONFIG; each round starts one further down the list.
entries=("C-original $original $c_config" "table-$name $bin/table-$name $config")
if [ -n "${FLOOR:-}" ]; then
  [ "$name" = sqlite ] && [ "$service" = alias ] || { echo "bench-compare.sh: FLOOR=1 is for sqlite alias lookups only" >&2; exit 2; }
  cc -O2 -o "$work/sqlite-floor" scripts/floor/sqlite-floor.c -lsqlite3
  entries+=("floor $work/sqlite-floor $config")
fi
for ((round = 1; round <= rounds; round++)); do
  for window in 1 16; do
    for ((slot = 0; slot < ${#entries[@]}; slot++)); do
      read -r label binary table_config <<< "${entries[(slot + round - 1) % ${#entries[@]}]}"
      run "$label" "$binary" "$table_config" "$window"
    done | sed "s/\$/ $round/"
  done
done > "$work/runs"
echo "table-$name beside the C original: $rounds rounds of $count $service lookups (req/s; peak RSS MiB)"
sort "$work/runs" | awk '
  { key = $1 " " $2; if (key != last && last != "") report(); last = key; rates[++n] = $3; rss = $4 + 0 > rss + 0 ? $4 : rss }
  END { report() }
  function report(   i, j, t, all) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (rates[j] < rates[i]) { t = rates[i]; rates[i] = rates[j]; rates[j] = t }
    all = ""; for (i = 1; i <= n; i++) all = all " " rates[i]
    printf "  %-24s median %6d req/s  (runs:%s)  peak RSS %s\n", last, rates[int((n + 1) / 2)], all, rss
    n = 0; rss = 0
  }'
# The same runs paired by round: a round's two binaries ran seconds apart, so their ratio
# varies much less than the rates themselves (which drift with the host's load).
awk -v ours="table-$name" '
  { rate[$6 " " $1 " " $2] = $3; cpu[$6 " " $1 " " $2] = $5; if ($6 > rounds) rounds = $6 }
  function median(list, count,   i, j, t) {
    for (i = 1; i <= count; i++) for (j = i + 1; j <= count; j++) if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
    return count % 2 ? list[(count + 1) / 2] : (list[count / 2] + list[count / 2 + 1]) / 2
  }
  END {
    for (r = 1; r <= rounds; r++) {
      serial[r] = rate[r " " ours " w1"] / rate[r " C-original w1"]
      window[r] = rate[r " " ours " w16"] / rate[r " C-original w16"]
      gain[r] = rate[r " " ours " w16"] / rate[r " " ours " w1"]
      if (serial[r] >= 1) ahead++
      if ((r " floor w1") in rate) floor[++floors] = rate[r " floor w1"] / rate[r " C-original w1"]
      # CPU figures only where table-bench could read them (a kernel without schedstat has none).
      if (cpu[r " " ours " w1"] + 0 > 0 && cpu[r " C-original w1"] + 0 > 0) {
        cpus++; ourCPU[cpus] = cpu[r " " ours " w1"]; cCPU[cpus] = cpu[r " C-original w1"]
        cpuRatio[cpus] = cpu[r " " ours " w1"] / cpu[r " C-original w1"]
        if (cpu[r " floor w1"] + 0 > 0) { floorCPUs++; floorCPU[floorCPUs] = cpu[r " floor w1"]; floorCPURatio[floorCPUs] = cpu[r " floor w1"] / cpu[r " C-original w1"] }
      }
    }
    printf "  paired by round (medians): %s/C-original %.3f at w1 (ahead in %d of %d rounds), %.2f at w16; %s w16/w1 %.2f\n",
           ours, median(serial, rounds), ahead, rounds, median(window, rounds), ours, median(gain, rounds)
    if (floors) printf "  floor/C-original %.3f at w1: a table with no code of its own\n", median(floor, floors)
    if (!cpus) exit
    printf "  backend CPU per lookup at w1 (medians, us): C-original %.2f, %s %.2f", median(cCPU, cpus), ours, median(ourCPU, cpus)
    if (floorCPUs) printf ", floor %.2f", median(floorCPU, floorCPUs)
    printf "; paired %s/C-original %.3f", ours, median(cpuRatio, cpus)
    if (floorCPUs) printf ", floor/C-original %.3f", median(floorCPURatio, floorCPUs)
    printf " (below 1: less CPU than the C original)\n"
  }' "$work/runs"
