#!/usr/bin/env bash
# Sourced by the server scripts (scripts/servers/*.sh); not a server script itself.

# process_alive PID: true while the process lives. A zombie (exited, not yet reaped by
# whoever adopted the daemon, e.g. a test runner that is a child subreaper) counts as gone.
process_alive() {
  kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# freeze_processes PID...: SIGSTOP, then wait until every thread of every process really is
# stopped. SIGSTOP is asynchronous: kill(2) returns once the signal is queued, one thread
# must then take it and stop the others, and meanwhile a server thread that a request has
# woken can still answer it (the socketmap test server, one thread per connection, answered
# a request sent right after the kill in a third of the tries on an idle machine).
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
