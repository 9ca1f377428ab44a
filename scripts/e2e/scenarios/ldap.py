"""table-ldap under the real smtpd 7.6, against the slapd test server
(scripts/servers/slapd.sh) with entries of its own under an OU it adds and removes:
virtual domains, aliases (two members, catch-all), maildirs from userinfo, SMTP AUTH through
the auth service (the table binds as the user), sender checks, smtpctl update table, and a
frozen server (4xx within the timeout, smtpd keeps running, then recovers)."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

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

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table ldomains  ldap:/etc/e2e/ldap.conf
table lvirtuals ldap:/etc/e2e/ldap-virtuals.conf
table lusers    ldap:/etc/e2e/ldap.conf
table lauth     ldap:/etc/e2e/ldap.conf
table lsenders  ldap:/etc/e2e/ldap.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <lauth> senders <lsenders>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <lvirtuals> userbase <lusers>
match from any for domain <ldomains> action "vmail"
"""


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
        s.write("/etc/e2e/smtpd-ldap.conf", SMTPD_CONF.format(mx=mx, submission=submission))
        s.start_smtpd("/etc/e2e/smtpd-ldap.conf", [mx, submission])

        s.expect_code("RCPT to an unknown domain is refused", s.rcpt(mx, "someone@elsewhere.test"), 5)
        s.expect_code("RCPT to an unknown user is refused", s.rcpt(mx, "nobody@e2e.test"), 5)
        token = s.token("l-alice")
        s.expect_code("mail to lalice@e2e.test", s.send(mx, "lalice@e2e.test", token), 250)
        s.expect_delivered("lalice@e2e.test", "/var/vmail/l-alice/Maildir", token, uid=5040)
        token = s.token("l-postmaster")
        s.expect_code("mail to postmaster@e2e.test (two members)", s.send(mx, "postmaster@e2e.test", token), 250)
        s.expect_delivered("postmaster to lalice", "/var/vmail/l-alice/Maildir", token)
        s.expect_delivered("postmaster to lbob", "/var/vmail/l-bob/Maildir", token, uid=5041)
        token = s.token("l-catchall")
        s.expect_code("mail to anyone@e2e.net (catch-all)", s.send(mx, "anyone@e2e.net", token), 250)
        s.expect_delivered("catch-all", "/var/vmail/l-alice/Maildir", token)

        s.expect_code("AUTH lalice (auth service: bind), right password", s.login(submission, "lalice", "lalicepass"), 235)
        s.expect_code("AUTH lalice, wrong password", s.login(submission, "lalice", "lbobpass"), 535)
        s.expect_code("AUTH unknown user", s.login(submission, "mallory", "lalicepass"), 535)
        for sender, expected in (("lalice@e2e.test", 250), ("lbob@e2e.test", 5)):
            with s.session(submission, tls=True) as client:
                s.auth_plain(client, "lalice", "lalicepass")
                s.expect_code(f"lalice sends as {sender}", s.reply(client.docmd(f"MAIL FROM:<{sender}>")), expected)

        s.expect_code("RCPT newcomer@e2e.test before the update", s.rcpt(mx, "newcomer@e2e.test"), 5)
        s.write("/etc/e2e/ldap-virtuals.conf", config(ALIASES_AFTER), mode=0o644)
        update = s.smtpctl("update", "table", "lvirtuals")
        s.check("smtpctl update table lvirtuals", update.returncode == 0, update.stdout + update.stderr)
        s.expect_code("RCPT newcomer@e2e.test after the update", s.rcpt(mx, "newcomer@e2e.test"), 250)

        # slapd frozen (SIGSTOP, by its pid file): 4xx within the timeout, smtpd lives on.
        pid = int(open(env["SLAPD_PID_FILE"]).read().strip())
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            reply = s.rcpt(mx, "lalice@e2e.test")
            elapsed = time.monotonic() - started
            s.expect_code("RCPT while slapd is frozen is a temporary failure", reply, 4)
            s.check(f"answered within the table timeout + 1 s ({elapsed:.1f} s)", elapsed < TABLE_TIMEOUT + 1)
            s.check("smtpd still runs while slapd is frozen", s.smtpd_alive())
        finally:
            os.kill(pid, signal.SIGCONT)
        token = s.token("l-recovered")
        reply = s.send(mx, "lalice@e2e.test", token)
        if reply[0] // 100 == 4:  # the table reconnects with a backoff of up to 1 s
            time.sleep(TABLE_TIMEOUT + 1)
            reply = s.send(mx, "lalice@e2e.test", token)
        s.expect_code("mail to lalice@e2e.test once slapd is back", reply, 250)
        s.expect_delivered("after recovery", "/var/vmail/l-alice/Maildir", token)
        s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())
    finally:
        s.stop_smtpd()
        ldap("ldapdelete", "")


main(run)
