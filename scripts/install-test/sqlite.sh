# Sourced by scripts/install-test.sh with $work (a scratch folder) and $examples (the
# installed examples folder) set: prepares the argument of table-sqlite from the installed
# example config and sets ARGUMENT and the one lookup to try (LOOKUP: service key answer).
sqlite3 "$work/example.db" < "$examples/example.sql"
sed "s|^dbpath .*|dbpath $work/example.db|" "$examples/sqlite.conf" > "$work/sqlite.conf"
ARGUMENT="$work/sqlite.conf"
LOOKUP=(alias postmaster@example.org "alice@example.org, bob@example.org")
