#!/usr/bin/env bash
# Sourced by scripts/servers/postgres.sh and mariadb.sh (it is not a server script itself).
#
# freeze_processes PID...: SIGSTOP, then wait until every thread of every process really is
# stopped. SIGSTOP is asynchronous: one thread must first take the signal, and on a busy
# machine a server thread can still answer a query in the meantime.
freeze_processes() {
  kill -STOP "$@"
  local pid task state
  for _ in $(seq 1 500); do
    local running=0
    for pid in "$@"; do
      for task in /proc/"$pid"/task/*; do
        state="$(awk '{print $3}' "$task/stat" 2>/dev/null || echo T)"
        [ "$state" = T ] || [ "$state" = t ] || running=1
      done
    done
    [ "$running" -eq 0 ] && return 0
    sleep 0.01
  done
  echo "processes $* did not stop" >&2
  return 1
}
