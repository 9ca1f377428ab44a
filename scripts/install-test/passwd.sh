# Sourced by scripts/install-test.sh (see sqlite.sh): the installed example file is used as is.
ARGUMENT="$examples/passwd"
LOOKUP=(userinfo alice "5000:5000:/var/vmail/alice")
