"""table-ldap under the real smtpd 7.6, against the slapd test server
(scripts/servers/slapd.sh) with entries of its own under an OU it adds and removes:
virtual domains, aliases (two members, catch-all), maildirs from userinfo, SMTP AUTH through
the auth service (the table binds as the user), sender checks, smtpctl update table, and a
frozen server (4xx within the timeout, smtpd keeps running, then recovers)."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main, virtual_users_conf  # noqa: E402

TABLE_TIMEOUT = 1
ADMIN = ("cn=admin,dc=example,dc=org", "secret")  # the test server's rootdn

CONFIG = """\
url {url}
basedn {base}
username cn=smtpd,dc=example,dc=org
password smtpdsecret
timeout {timeout}
alias_filter {alias_filter}
alias_attributes rfc822MailMember
domain_filter (&(objectClass=domain)(dc=%s))
userinfo_filter (&(objectClass=posixAccount)(uid=%u))
userinfo_attributes uidNumber, gidNumber, homeDirectory
mailaddrmap_filter (&(objectClass=inetOrgPerson)(uid=%u))
mailaddrmap_attributes mail
auth_filter (&(objectClass=posixAccount)(uid=%u))
"""
ALIASES_BEFORE = "(&(objectClass=nisMailAlias)(cn=%s)(!(cn=newcomer@e2e.test)))"
ALIASES_AFTER = "(&(objectClass=nisMailAlias)(cn=%s))"

# smtpd's tables (domains, virtuals, users, auth, senders) and the config each reads.
TABLES = (("ldomains", "ldap.conf"), ("lvirtuals", "ldap-virtuals.conf"), ("lusers", "ldap.conf"),
          ("lauth", "ldap.conf"), ("lsenders", "ldap.conf"))


def entries(base, alice_hash, bob_hash):
    def person(uid, number, home, mail, hashed):
        return (f"dn: uid={uid},{base}\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\n"
                f"uid: {uid}\ncn: {uid}\nsn: E2E\nuidNumber: {number}\ngidNumber: {number}\n"
                f"homeDirectory: {home}\nmail: {mail}\nuserPassword: {{CRYPT}}{hashed}\n")

    def alias(name, members):
        return (f"dn: cn={name},{base}\nobjectClass: nisMailAlias\ncn: {name}\n"
                + "".join(f"rfc822MailMember: {m}\n" for m in members))

    def domain(name):
        return f"dn: dc={name},{base}\nobjectClass: domain\ndc: {name}\n"

    return "\n".join([
        f"dn: {base}\nobjectClass: organizationalUnit\nou: {base.split(',')[0][3:]}\n",
        domain("e2e.test"), domain("e2e.net"),
        person("lalice", 5040, "/var/vmail/l-alice", "lalice@e2e.test", alice_hash),
        person("lbob", 5041, "/var/vmail/l-bob", "lbob@e2e.test", bob_hash),
        alias("lalice@e2e.test", ["lalice"]), alias("lbob@e2e.test", ["lbob"]),
        alias("postmaster@e2e.test", ["lalice", "lbob"]), alias("@e2e.net", ["lalice"]),
        alias("newcomer@e2e.test", ["lbob"]),
    ]) + "\n"


def run(s, ports):
    env = s.server_environment("SLAPD_URL", "SLAPD_PID_FILE")
    if env is None:
        return
    base = f"ou=e2e-{os.getpid()},dc=example,dc=org"

    def ldap(command, text):
        result = subprocess.run([command, "-x", "-H", env["SLAPD_URL"], "-D", ADMIN[0], "-w", ADMIN[1],
                                 *(["-r"] if command == "ldapdelete" else []), *([base] if command == "ldapdelete" else [])],
                                input=text, capture_output=True, text=True, timeout=30)
        if result.returncode not in (0, 32):  # 32: no such object (nothing to delete)
            raise RuntimeError(f"{command}: {result.stdout}{result.stderr}")

    mx, submission = ports[0], ports[1]
    s.make_home("/var/vmail/l-alice", 5040, 5040)
    s.make_home("/var/vmail/l-bob", 5041, 5041)
    # Lowercase passwords: smtpd lowercases the auth key (OpenSMTPD issue 1268).
    alice_hash = s.in_root("openssl", "passwd", "-6", "lalicepass").stdout.strip()
    bob_hash = s.in_root("openssl", "passwd", "-6", "lbobpass").stdout.strip()
    ldap("ldapdelete", "")
    try:
        ldap("ldapadd", entries(base, alice_hash, bob_hash))
        def config(alias_filter):
            return CONFIG.format(url=env["SLAPD_URL"], base=base, timeout=TABLE_TIMEOUT, alias_filter=alias_filter)
        s.write("/etc/e2e/ldap.conf", config(ALIASES_BEFORE), mode=0o644)
        s.write("/etc/e2e/ldap-virtuals.conf", config(ALIASES_BEFORE), mode=0o644)
        s.write("/etc/e2e/smtpd-ldap.conf", virtual_users_conf("ldap", TABLES, mx, submission))
        s.start_smtpd("/etc/e2e/smtpd-ldap.conf", [mx, submission])

        s.expect_virtual_delivery(mx, "l-", "e2e.test", "e2e.net", ("lalice", "/var/vmail/l-alice", 5040),
                                  ("lbob", "/var/vmail/l-bob", 5041), postmaster="two members")

        s.expect_code("AUTH lalice (auth service: bind), right password", s.login(submission, "lalice", "lalicepass"), 235)
        s.expect_code("AUTH lalice, wrong password", s.login(submission, "lalice", "lbobpass"), 535)
        s.expect_code("AUTH unknown user", s.login(submission, "mallory", "lalicepass"), 535)
        s.expect_senders(submission, "lalice", "lalicepass", "lalice", (("lalice@e2e.test", 250), ("lbob@e2e.test", 5)))

        s.expect_update(mx, "lvirtuals", "newcomer@e2e.test",
                        lambda: s.write("/etc/e2e/ldap-virtuals.conf", config(ALIASES_AFTER), mode=0o644))

        # slapd frozen (SIGSTOP, by its pid file): 4xx within the timeout, smtpd lives on.
        pid = int(open(env["SLAPD_PID_FILE"]).read().strip())
        os.kill(pid, signal.SIGSTOP)
        try:
            s.expect_temporary_failure(mx, "lalice@e2e.test", "slapd is frozen", TABLE_TIMEOUT)
        finally:
            os.kill(pid, signal.SIGCONT)
        # The table reconnects with a backoff of up to 1 s.
        s.expect_recovered(mx, "lalice@e2e.test", "/var/vmail/l-alice/Maildir", "l-recovered", "slapd is back",
                           retry_after=TABLE_TIMEOUT + 1)
    finally:
        s.stop_smtpd()
        ldap("ldapdelete", "")


main(run)
