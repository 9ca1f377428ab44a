#!/usr/bin/env bash
# Figures for table-ldap: 10,000 users loaded into a private slapd (127.0.0.1:13811), then
# table-bench with windows 1 and 16, driver and backend pinned to one core (taskset -c 0),
# slapd free to use the other. Set COUNT for more requests per run (default 50000) and
# CONNECTIONS for max_connections (default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build -c release -j 1 -Xswiftc -static-stdlib --show-bin-path)"
swift build -c release -j 1 -Xswiftc -static-stdlib --product table-ldap >/dev/null
swift build -c release -j 1 -Xswiftc -static-stdlib --product table-bench >/dev/null
work="$(mktemp -d /tmp/table-ldap-bench.XXXXXX)"
count="${COUNT:-50000}"
users=10000
export TABLES_TEST_DIR="$work" SLAPD_PORT=13811 SLAPD_TLS_PORT=13812
trap 'bash scripts/servers/slapd.sh stop; rm -rf "$work"' EXIT

hash='{CRYPT}$6$alicesalt$pOmgvDg6pFExmzZh6sKniv4lxjYiiZO12OQyR1eZxd83vI8ymKh1XbZVA8JYZVmAW7lv/4ri.L5PMCDx8cC4V0'
{
  printf 'dn: ou=bench,dc=example,dc=org\nobjectClass: organizationalUnit\nou: bench\n\n'
  for ((i = 1; i <= users; i++)); do
    printf 'dn: uid=user%d,ou=bench,dc=example,dc=org\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n' "$i"
    printf 'uid: user%d\ncn: User %d\nsn: Bench\nuidNumber: %d\ngidNumber: 5000\nhomeDirectory: /var/vmail/user%d\n' "$i" "$i" $((10000 + i)) "$i"
    printf 'mail: user%d@example.org\nuserPassword: %s\n\n' "$i" "$hash"
    printf 'dn: cn=user%d@example.org,ou=bench,dc=example,dc=org\nobjectClass: nisMailAlias\ncn: user%d@example.org\nrfc822MailMember: vmail\n\n' "$i" "$i"
  done
} > "$work/bench.ldif"
SLAPD_EXTRA_LDIF="$work/bench.ldif" bash scripts/servers/slapd.sh start

cat > "$work/ldap.conf" <<CONF
url ldap://127.0.0.1:$SLAPD_PORT
username cn=smtpd,dc=example,dc=org
password smtpdsecret
basedn ou=bench,dc=example,dc=org
max_connections ${CONNECTIONS:-4}
alias_filter (&(objectClass=nisMailAlias)(cn=%s))
alias_attributes rfc822MailMember
credentials_filter (&(objectClass=posixAccount)(mail=%s))
credentials_attributes mail, userPassword
userinfo_filter (&(objectClass=posixAccount)(uid=%s))
userinfo_attributes uidNumber, gidNumber, homeDirectory
domain_filter (&(objectClass=inetOrgPerson)(mail=%s))
CONF
chmod 600 "$work/ldap.conf"

bench() { taskset -c 0 "$bin/table-bench" --count "$count" "$@"; echo; }
bench --service alias --key-template 'user{}@example.org' "$bin/table-ldap" "$work/ldap.conf"
bench --service credentials --key-template 'user{}@example.org' "$bin/table-ldap" "$work/ldap.conf"
bench --service userinfo --key-template 'user{}' --windows 1 "$bin/table-ldap" "$work/ldap.conf"
bench --operation check --service domain --key-template 'user{}@example.org' --windows 1 "$bin/table-ldap" "$work/ldap.conf"
strip -o "$work/table-ldap.stripped" "$bin/table-ldap"
echo "table-ldap binary (stripped): $(( $(stat -c %s "$work/table-ldap.stripped") / 1024 )) KiB"
