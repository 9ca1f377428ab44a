# Sourced by scripts/install-test.sh (see sqlite.sh): the installed example config, pointed
# at the slapd test server (scripts/servers/slapd.sh, whose fixture has the example's
# nisMailAlias entries) without TLS. SKIP says why it cannot run.
if [ -z "${SLAPD_URL:-}" ]; then
  SKIP="no slapd test server (start scripts/servers/slapd.sh and source its .env)"
  return 0
fi
# Only the first url line is kept; TLS settings of the example are dropped (plain ldap://).
awk -v url="$SLAPD_URL" -v basedn="$SLAPD_BASEDN" '
  /^url / { if (!seen++) print "url " url; next }
  /^(starttls|ca_file) / { next }
  /^basedn / { print "basedn " basedn; next }
  /^username / { print "username cn=smtpd," basedn; next }
  /^password / { print "password smtpdsecret"; next }
  { print }' "$examples/ldap.conf" > "$work/ldap.conf"
chmod 600 "$work/ldap.conf"  # it holds a password
ARGUMENT="$work/ldap.conf"
LOOKUP=(alias abuse "alice@example.org")
