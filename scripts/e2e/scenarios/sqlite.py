"""table-sqlite under the real smtpd 7.6: virtual domains, aliases (catch-all, +tag),
maildirs from userinfo, SMTP AUTH with credentials and with the auth service (query_auth),
sender checks (mailaddrmap), match from src (netaddr), smtpctl update table, and a locked
database (4xx, smtpd keeps running, then recovers)."""
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

CONFIG = """\
# Every table below is one table-sqlite process on this config.
dbpath /etc/e2e/mail.db
timeout 1
query_domain SELECT domain FROM domains WHERE domain = ?
query_alias SELECT destination FROM {virtuals} WHERE email = ?
query_userinfo SELECT uid, gid, home FROM users WHERE login = ?
query_credentials SELECT email, password FROM credentials WHERE email = ?
query_mailaddrmap SELECT address FROM senders WHERE login = ?
query_netaddr SELECT address FROM networks WHERE address = ?
"""

AUTH_CONFIG = """\
# The auth service: the table verifies user:password itself.
dbpath /etc/e2e/mail.db
timeout 1
query_auth SELECT hash FROM auth WHERE email = ?
"""

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table domains  sqlite:/etc/e2e/sqlite.conf
table virtuals sqlite:/etc/e2e/sqlite.conf
table users    sqlite:/etc/e2e/sqlite.conf
table creds    sqlite:/etc/e2e/sqlite.conf
table sendermap sqlite:/etc/e2e/sqlite.conf
table networks sqlite:/etc/e2e/sqlite.conf
table authdb   sqlite:/etc/e2e/sqlite-auth.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <creds> senders <sendermap>
listen on 127.0.0.1 port {authport} tls pki e2e auth <authdb>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <virtuals> userbase <users>

match from src <networks> for domain "trusted.test" action "vmail"
match from any for domain <domains> action "vmail"
"""


def build_database(path, s):
    alice, bob, carol = s.encrypt("alice-secret"), s.encrypt("Bob-Secret"), s.encrypt("carol-auth")
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE domains (domain TEXT PRIMARY KEY);
        CREATE TABLE virtuals (email TEXT, destination TEXT);
        CREATE TABLE virtuals_v2 (email TEXT, destination TEXT);
        CREATE TABLE users (login TEXT PRIMARY KEY, uid INTEGER, gid INTEGER, home TEXT);
        CREATE TABLE credentials (email TEXT PRIMARY KEY, password TEXT);
        CREATE TABLE auth (email TEXT PRIMARY KEY, hash TEXT);
        CREATE TABLE senders (login TEXT, address TEXT);
        CREATE TABLE networks (address TEXT PRIMARY KEY);
        INSERT INTO domains VALUES ('example.org'), ('example.net');
        INSERT INTO virtuals VALUES
            ('alice@example.org', 'alice'), ('bob@example.org', 'bob'),
            ('postmaster@example.org', 'alice'), ('postmaster@example.org', 'bob'),
            ('@example.net', 'alice'), ('@trusted.test', 'bob');
        INSERT INTO virtuals_v2 SELECT * FROM virtuals;
        INSERT INTO virtuals_v2 VALUES ('newcomer@example.org', 'bob');
        INSERT INTO users VALUES ('alice', 5000, 5000, '/var/vmail/alice'),
                                 ('bob', 5001, 5001, '/var/vmail/bob');
        INSERT INTO senders VALUES ('alice@example.org', 'alice@example.org'),
                                   ('alice@example.org', 'postmaster@example.org');
        INSERT INTO networks VALUES ('127.0.0.1');
    """)
    db.execute("INSERT INTO credentials VALUES ('alice@example.org', ?)", (alice,))
    # Stored Dovecot-style: the table removes the prefix smtpd could not verify.
    db.execute("INSERT INTO credentials VALUES ('bob@example.org', ?)", ("{BLF-CRYPT}" + bob,))
    db.execute("INSERT INTO auth VALUES ('carol@example.org', ?)", (carol,))
    db.commit()
    db.close()


def run(s, ports):
    mx, submission, authport = ports[0], ports[1], ports[2]
    s.make_home("/var/vmail/alice", 5000, 5000)
    s.make_home("/var/vmail/bob", 5001, 5001)
    db_path = s.host_path("/etc/e2e/mail.db")
    os.makedirs(os.path.dirname(db_path), exist_ok=True)
    build_database(db_path, s)
    os.chmod(db_path, 0o644)
    s.write("/etc/e2e/sqlite.conf", CONFIG.format(virtuals="virtuals"))
    s.write("/etc/e2e/sqlite-auth.conf", AUTH_CONFIG)
    s.write("/etc/e2e/smtpd-sqlite.conf", SMTPD_CONF.format(mx=mx, submission=submission, authport=authport))
    s.start_smtpd("/etc/e2e/smtpd-sqlite.conf", [mx, submission, authport])

    # Virtual domains, aliases and maildirs from userinfo.
    s.expect_code("RCPT to an unknown domain is refused", s.rcpt(mx, "someone@elsewhere.test"), 5)
    s.expect_code("RCPT to an unknown user of a virtual domain is refused", s.rcpt(mx, "nobody@example.org"), 5)
    token = s.token("alice")
    s.expect_code("mail to alice@example.org", s.send(mx, "alice@example.org", token), 250)
    s.expect_delivered("alice@example.org", "/var/vmail/alice/Maildir", token, uid=5000)
    s.expect_not_delivered("alice@example.org is not bob's", "/var/vmail/bob/Maildir", token)
    token = s.token("postmaster")
    s.expect_code("mail to postmaster@example.org (two rows)", s.send(mx, "postmaster@example.org", token), 250)
    s.expect_delivered("postmaster@example.org to alice", "/var/vmail/alice/Maildir", token, uid=5000)
    s.expect_delivered("postmaster@example.org to bob", "/var/vmail/bob/Maildir", token, uid=5001)
    token = s.token("catchall")
    s.expect_code("mail to anyone@example.net (catch-all @example.net)", s.send(mx, "anyone@example.net", token), 250)
    s.expect_delivered("catch-all", "/var/vmail/alice/Maildir", token)
    token = s.token("tag")
    s.expect_code("mail to bob+lists@example.org (+tag)", s.send(mx, "bob+lists@example.org", token), 250)
    s.expect_delivered("bob+lists@example.org", "/var/vmail/bob/Maildir", token, uid=5001)

    # match from src <networks>: trusted.test is accepted only from a listed address.
    token = s.token("trusted")
    s.expect_code("mail to trusted.test from 127.0.0.1 (listed)", s.send(mx, "x@trusted.test", token), 250)
    s.expect_delivered("trusted.test", "/var/vmail/bob/Maildir", token)
    with sqlite3.connect(db_path) as db:
        db.execute("DELETE FROM networks")
    s.expect_code("RCPT to trusted.test once 127.0.0.1 is removed", s.rcpt(mx, "x@trusted.test"), 5)
    with sqlite3.connect(db_path) as db:
        db.execute("INSERT INTO networks VALUES ('127.0.0.1')")
    s.expect_code("RCPT to trusted.test once 127.0.0.1 is back", s.rcpt(mx, "x@trusted.test"), 250)

    # SMTP AUTH with credentials (smtpd checks the hash), and sender checks.
    s.expect_code("AUTH alice, right password", s.login(submission, "alice@example.org", "alice-secret"), 235)
    s.expect_code("AUTH alice, wrong password", s.login(submission, "alice@example.org", "alice-wrong"), 535)
    s.expect_code("AUTH unknown user", s.login(submission, "mallory@example.org", "alice-secret"), 535)
    s.expect_code("AUTH bob, mixed-case password, {BLF-CRYPT} hash",
                  s.login(submission, "bob@example.org", "Bob-Secret"), 235)
    with s.session(submission, tls=True) as client:
        s.expect_code("MAIL FROM before AUTH on the submission port", s.reply(client.docmd("MAIL FROM:<alice@example.org>")), 5)
    for sender, expected in (("alice@example.org", 250), ("postmaster@example.org", 250), ("bob@example.org", 5)):
        with s.session(submission, tls=True) as client:
            s.auth_plain(client, "alice@example.org", "alice-secret")
            s.expect_code(f"alice sends as {sender} (senders <sendermap>)",
                          s.reply(client.docmd(f"MAIL FROM:<{sender}>")), expected)
    with s.session(submission, tls=True) as client:
        s.auth_plain(client, "alice@example.org", "alice-secret")
        token = s.token("submission")
        client.docmd("MAIL FROM:<alice@example.org>")
        client.docmd("RCPT TO:<bob@example.org>")
        s.expect_code("authenticated alice mails bob", s.reply(client.data(f"Subject: {token}\r\n\r\n{token}\r\n".encode())), 250)
    s.expect_delivered("alice's submission to bob", "/var/vmail/bob/Maildir", token)

    # The auth service: table-sqlite verifies user:password itself (query_auth).
    s.expect_code("auth service: carol, right (lowercase) password", s.login(authport, "carol@example.org", "carol-auth"), 235)
    s.expect_code("auth service: carol, wrong password", s.login(authport, "carol@example.org", "carol-wrong"), 535)
    s.expect_code("auth service: user without a hash", s.login(authport, "alice@example.org", "alice-secret"), 535)

    # smtpctl update table: a new config for one table (virtuals) takes effect on update.
    s.expect_code("RCPT newcomer@example.org before the update", s.rcpt(mx, "newcomer@example.org"), 5)
    s.write("/etc/e2e/sqlite.conf", CONFIG.format(virtuals="virtuals_v2"))
    update = s.smtpctl("update", "table", "virtuals")
    s.check("smtpctl update table virtuals", update.returncode == 0, update.stdout + update.stderr)
    token = s.token("update")
    s.expect_code("mail to newcomer@example.org after the update", s.send(mx, "newcomer@example.org", token), 250)
    s.expect_delivered("newcomer@example.org", "/var/vmail/bob/Maildir", token)
    s.write("/etc/e2e/sqlite.conf", "dbpath /etc/e2e/mail.db\nquery_virtuals SELECT 1\n")
    update = s.smtpctl("update", "table", "virtuals")
    s.check("update to a broken config: smtpd keeps running", s.smtpd_alive(), update.stdout + update.stderr)
    s.expect_code("after the failed update the previous config still answers", s.rcpt(mx, "newcomer@example.org"), 250)

    # A database that cannot be read (a writer holds an exclusive lock): 4xx, then recovery.
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=5)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    reply = s.rcpt(mx, "alice@example.org")
    elapsed = time.monotonic() - started
    s.expect_code("RCPT while the database is locked is a temporary failure", reply, 4)
    s.check(f"answered within the table timeout + margin ({elapsed:.1f} s)", elapsed < 15)
    s.check("smtpd still runs while the database is locked", s.smtpd_alive())
    holder.execute("ROLLBACK")
    holder.close()
    token = s.token("recovered")
    s.expect_code("mail to alice@example.org once the lock is gone", s.send(mx, "alice@example.org", token), 250)
    s.expect_delivered("after recovery", "/var/vmail/alice/Maildir", token)
    s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())


main(run)
