# Sourced by the tests (debian/tests/NAME) with $name set: the installed table, its shipped
# examples, a scratch directory, and the three checks every test makes.
set -eu
table="/usr/libexec/opensmtpd/table-$name"
examples="/usr/share/doc/opensmtpd-table-$name-swift/examples"
work="$(mktemp -d "${AUTOPKGTEST_TMP:-/tmp}/table-$name.XXXXXX")"
chmod 755 "$work"
cleanups=""
at_exit() { eval "$cleanups"; rm -rf "$work"; }
trap at_exit EXIT

fail() { echo "FAIL: $*"; exit 1; }
# A server's log, then fail: LOG MESSAGE.
fail_log() { [ ! -f "$1" ] || tail -n 30 "$1"; fail "$2"; }

# table-NAME -n ARGUMENT: exit 0 and "configuration OK".
check_config() {
  output="$("$table" -n "$1" 2>&1)" || fail "table-$name -n $1: $output"
  case "$output" in "configuration OK"*) echo "ok: table-$name -n: $output" ;; *) fail "table-$name -n $1: $output" ;; esac
}

# The one-request command line: ARGUMENT SERVICE KEY EXPECTED (the value after found|).
check_lookup() {
  answer="$("$table" "$1" lookup "$2" "$3" 2>&1)" || fail "table-$name lookup $2 $3: exit $?: $answer"
  [ "$answer" = "found|$4" ] || fail "table-$name lookup $2 $3: got '$answer', expected 'found|$4'"
  echo "ok: table-$name lookup $2 $3: $answer"
}

# smtpd -n with a table line naming the backend (smtpd refuses a backend it cannot find)
# and a rule that uses the table for SERVICE (alias or userbase).
check_smtpd() { # ARGUMENT SERVICE
  case "$2" in
    alias) action='action "local" maildir alias <t>' ;;
    userbase) action='action "local" maildir userbase <t>' ;;
  esac
  cat > "$work/smtpd.conf" <<CONF
table t $name:$1
listen on 127.0.0.1 port 2525
$action
match from local for local action "local"
CONF
  output="$(smtpd -n -f "$work/smtpd.conf" 2>&1)" || fail "smtpd -n: $output"
  echo "ok: smtpd -n with table t $name:$1: $output"
}

# As the owner of a server's files: root runs the server as its package's user.
as_user() { # USER COMMAND...
  user="$1"
  shift
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

# Waits up to 30 s for COMMAND to succeed.
wait_for() {
  i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 300 ] || return 1
    sleep 0.1
  done
}
