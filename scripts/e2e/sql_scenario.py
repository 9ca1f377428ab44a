"""The end-to-end scenario the SQL backends share (sqlite, postgres, mysql read the same
query keys): one schema and data set, one smtpd.conf, the same SMTP checks. A backend
supplies a `Database`: how to run SQL on its server, the config lines that reach it,
its parameter spelling, and how to make it unavailable.

Covered: virtual domains, aliases (two rows, @domain catch-all, +tag), maildirs from
userinfo, SMTP AUTH with credentials (right, wrong, unknown, {BLF-CRYPT}, mixed case),
sender checks (mailaddrmap), match from src (netaddr), the auth service (query_auth),
smtpctl update table (new config, broken config), and an unavailable database (4xx within
the table timeout, smtpd keeps running, then recovers).

`run_cache` is the answer cache's scenario (issue 13, item 4): with cache_ttl and
cache_stale_ttl, a recipient seen before is accepted and delivered while the database is
stopped, one never seen gets a 4xx, never a 5xx."""
import contextlib
import os
import subprocess
import time

TABLE_TIMEOUT = 1  # the config's timeout: seconds a query may wait

SCHEMA = [
    "CREATE TABLE domains (domain VARCHAR(255) PRIMARY KEY)",
    "CREATE TABLE virtuals (email VARCHAR(255), destination VARCHAR(255))",
    "CREATE TABLE virtuals_v2 (email VARCHAR(255), destination VARCHAR(255))",
    "CREATE TABLE users (login VARCHAR(255) PRIMARY KEY, uid INTEGER, gid INTEGER, home VARCHAR(255))",
    "CREATE TABLE credentials (email VARCHAR(255) PRIMARY KEY, password VARCHAR(255))",
    "CREATE TABLE auth (email VARCHAR(255) PRIMARY KEY, hash VARCHAR(255))",
    "CREATE TABLE senders (login VARCHAR(255), address VARCHAR(255))",
    "CREATE TABLE networks (address VARCHAR(255) PRIMARY KEY)",
    "INSERT INTO domains VALUES ('example.org'), ('example.net')",
    "INSERT INTO virtuals VALUES ('alice@example.org', 'alice'), ('bob@example.org', 'bob'),"
    " ('postmaster@example.org', 'alice'), ('postmaster@example.org', 'bob'),"
    " ('@example.net', 'alice'), ('@trusted.test', 'bob')",
    "INSERT INTO virtuals_v2 SELECT * FROM virtuals",
    "INSERT INTO virtuals_v2 VALUES ('newcomer@example.org', 'bob')",
    "INSERT INTO users VALUES ('alice', 5000, 5000, '/var/vmail/alice'), ('bob', 5001, 5001, '/var/vmail/bob')",
    "INSERT INTO senders VALUES ('alice@example.org', 'alice@example.org'),"
    " ('alice@example.org', 'postmaster@example.org')",
    "INSERT INTO networks VALUES ('127.0.0.1')",
]

QUERIES = """\
query_domain SELECT domain FROM domains WHERE domain = {p}
query_alias SELECT destination FROM {virtuals} WHERE email = {p}
query_userinfo SELECT uid, gid, home FROM users WHERE login = {p}
query_credentials SELECT email, password FROM credentials WHERE email = {p}
query_mailaddrmap SELECT address FROM senders WHERE login = {p}
query_netaddr SELECT address FROM networks WHERE address = {p}
"""

AUTH_QUERIES = "query_auth SELECT hash FROM auth WHERE email = {p}\n"

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table domains   {backend}:/etc/e2e/{backend}.conf
table virtuals  {backend}:/etc/e2e/{backend}.conf
table users     {backend}:/etc/e2e/{backend}.conf
table creds     {backend}:/etc/e2e/{backend}.conf
table sendermap {backend}:/etc/e2e/{backend}.conf
table networks  {backend}:/etc/e2e/{backend}.conf
table authdb    {backend}:/etc/e2e/{backend}-auth.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <creds> senders <sendermap>
listen on 127.0.0.1 port {authport} tls pki e2e auth <authdb>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <virtuals> userbase <users>

match from src <networks> for domain "trusted.test" action "vmail"
match from any for domain <domains> action "vmail"
"""


class Database:
    """What a SQL backend's scenario supplies."""
    backend = "sqlite"
    placeholder = "?"

    def execute(self, statements):
        """Runs SQL statements (strings with literals) on the database."""
        raise NotImplementedError

    def config_header(self):
        """The config lines that reach the database (dbpath, conninfo, host...)."""
        raise NotImplementedError

    @contextlib.contextmanager
    def unavailable(self):
        """The database cannot answer inside the block."""
        raise NotImplementedError
        yield

    def description_of_unavailable(self):
        return "the database is unavailable"

    def stopped(self):
        """The database is down inside the block (by default: unavailable)."""
        return self.unavailable()

    def description_of_stopped(self):
        return self.description_of_unavailable()

    def cleanup(self):
        pass


class ServerDatabase(Database):
    """A database of its own on one of the test servers (scripts/servers/NAME.sh), made
    unavailable by freezing the server (SIGSTOP through its control script)."""
    server = "the server"  # its name in messages
    control = ""  # the environment variable naming its control script

    def __init__(self, env):
        self.env = env
        self.name = f"e2e_{os.getpid()}"

    def description_of_unavailable(self):
        return f"{self.server} is frozen"

    def unavailable(self):
        return self.controlled("freeze", "thaw")

    def description_of_stopped(self):
        return f"{self.server} is stopped"

    def stopped(self):
        return self.controlled("halt", "resume")

    @contextlib.contextmanager
    def controlled(self, begin, end):
        """The server's control script does `begin` before the block and `end` after it."""
        subprocess.run(["bash", self.env[self.control], begin], check=True, timeout=60)
        try:
            yield
        finally:
            subprocess.run(["bash", self.env[self.control], end], check=True, timeout=60)


def run_on_server(s, ports, names, database, scenario=None):
    """Runs `scenario` (default: `run`) against `database(env)` if the test server's
    variables `names` are set (skipped otherwise); smtpd is stopped and the database
    dropped afterwards."""
    env = s.server_environment(*names)
    if env is None:
        return
    db = database(env)
    try:
        (scenario or run)(s, ports, db)
    finally:
        s.stop_smtpd()
        db.cleanup()


def quoted(value):
    assert "'" not in value and "\\" not in value
    return f"'{value}'"


def run(s, ports, db):
    mx, submission, authport = ports[0], ports[1], ports[2]
    s.make_home("/var/vmail/alice", 5000, 5000)
    s.make_home("/var/vmail/bob", 5001, 5001)
    alice, bob, carol = s.encrypt("alice-secret"), s.encrypt("Bob-Secret"), s.encrypt("carol-auth")
    db.execute(SCHEMA + [
        f"INSERT INTO credentials VALUES ('alice@example.org', {quoted(alice)})",
        # Stored Dovecot-style: the table removes the prefix smtpd could not verify.
        f"INSERT INTO credentials VALUES ('bob@example.org', {quoted('{BLF-CRYPT}' + bob)})",
        f"INSERT INTO auth VALUES ('carol@example.org', {quoted(carol)})",
    ])
    header = db.config_header() + f"timeout {TABLE_TIMEOUT}\n"

    def write_config(virtuals):
        s.write(f"/etc/e2e/{db.backend}.conf", header + QUERIES.format(p=db.placeholder, virtuals=virtuals))

    write_config("virtuals")
    s.write(f"/etc/e2e/{db.backend}-auth.conf", header + AUTH_QUERIES.format(p=db.placeholder))
    s.write(f"/etc/e2e/smtpd-{db.backend}.conf",
            SMTPD_CONF.format(backend=db.backend, mx=mx, submission=submission, authport=authport))
    s.start_smtpd(f"/etc/e2e/smtpd-{db.backend}.conf", [mx, submission, authport])

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
    db.execute(["DELETE FROM networks"])
    s.expect_code("RCPT to trusted.test once 127.0.0.1 is removed", s.rcpt(mx, "x@trusted.test"), 5)
    db.execute(["INSERT INTO networks VALUES ('127.0.0.1')"])
    s.expect_code("RCPT to trusted.test once 127.0.0.1 is back", s.rcpt(mx, "x@trusted.test"), 250)

    # SMTP AUTH with credentials (smtpd checks the hash), and sender checks.
    s.expect_code("AUTH alice, right password", s.login(submission, "alice@example.org", "alice-secret"), 235)
    s.expect_code("AUTH alice, wrong password", s.login(submission, "alice@example.org", "alice-wrong"), 535)
    s.expect_code("AUTH unknown user", s.login(submission, "mallory@example.org", "alice-secret"), 535)
    s.expect_code("AUTH bob, mixed-case password, {BLF-CRYPT} hash",
                  s.login(submission, "bob@example.org", "Bob-Secret"), 235)
    with s.session(submission, tls=True) as client:
        s.expect_code("MAIL FROM before AUTH on the submission port",
                      s.reply(client.docmd("MAIL FROM:<alice@example.org>")), 5)
    s.expect_senders(submission, "alice@example.org", "alice-secret", "alice",
                     (("alice@example.org", 250), ("postmaster@example.org", 250), ("bob@example.org", 5)),
                     note=" (senders <sendermap>)")
    with s.session(submission, tls=True) as client:
        s.auth_plain(client, "alice@example.org", "alice-secret")
        token = s.token("submission")
        client.docmd("MAIL FROM:<alice@example.org>")
        client.docmd("RCPT TO:<bob@example.org>")
        s.expect_code("authenticated alice mails bob",
                      s.reply(client.data(f"Subject: {token}\r\n\r\n{token}\r\n".encode())), 250)
    s.expect_delivered("alice's submission to bob", "/var/vmail/bob/Maildir", token)

    # The auth service: the table verifies user:password itself (query_auth).
    s.expect_code("auth service: carol, right (lowercase) password",
                  s.login(authport, "carol@example.org", "carol-auth"), 235)
    s.expect_code("auth service: carol, wrong password", s.login(authport, "carol@example.org", "carol-wrong"), 535)
    s.expect_code("auth service: user without a hash", s.login(authport, "alice@example.org", "alice-secret"), 535)

    # smtpctl update table: a new config for one table (virtuals) takes effect on update.
    s.expect_code("RCPT newcomer@example.org before the update", s.rcpt(mx, "newcomer@example.org"), 5)
    write_config("virtuals_v2")
    update = s.smtpctl("update", "table", "virtuals")
    s.check("smtpctl update table virtuals", update.returncode == 0, update.stdout + update.stderr)
    token = s.token("update")
    s.expect_code("mail to newcomer@example.org after the update", s.send(mx, "newcomer@example.org", token), 250)
    s.expect_delivered("newcomer@example.org", "/var/vmail/bob/Maildir", token)
    s.write(f"/etc/e2e/{db.backend}.conf", header + "query_virtuals SELECT 1\n")
    update = s.smtpctl("update", "table", "virtuals")
    s.check("update to a broken config: smtpd keeps running", s.smtpd_alive(), update.stdout + update.stderr)
    s.expect_code("after the failed update the previous config still answers", s.rcpt(mx, "newcomer@example.org"), 250)

    # An unavailable database: 4xx within the table timeout, smtpd lives on, then recovers.
    what = db.description_of_unavailable()
    with db.unavailable():
        s.expect_temporary_failure(mx, "alice@example.org", what, TABLE_TIMEOUT)
    # The table reconnects with a backoff of up to 1 s: the first try may still be a 4xx.
    s.expect_recovered(mx, "alice@example.org", "/var/vmail/alice/Maildir", "recovered", "the database is back",
                       retry_after=TABLE_TIMEOUT + 1)


CACHE = "cache_ttl 1\ncache_stale_ttl 600\n"

CACHE_SMTPD_CONF = """\
table domains  {backend}:/etc/e2e/{backend}-cache.conf
table virtuals {backend}:/etc/e2e/{backend}-cache.conf
table users    {backend}:/etc/e2e/{backend}-cache.conf

listen on 127.0.0.1 port {mx}

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <virtuals> userbase <users>

match from any for domain <domains> action "vmail"
"""


def run_cache(s, ports, db):
    """The answer cache under smtpd: every lookup of a first mail to alice (domain, alias,
    userinfo at delivery) is filed; once they have expired and the database is stopped,
    a second mail to alice is accepted (250) and delivered from the cached answers, while
    bob, in the database but never asked for, gets a temporary failure (4xx), never a 5xx.
    Once the database is back, bob gets his mail."""
    mx = ports[0]
    s.make_home("/var/vmail/alice", 5000, 5000)
    s.make_home("/var/vmail/bob", 5001, 5001)
    db.execute(SCHEMA)
    s.write(f"/etc/e2e/{db.backend}-cache.conf", db.config_header() + f"timeout {TABLE_TIMEOUT}\n"
            + QUERIES.format(p=db.placeholder, virtuals="virtuals") + CACHE)
    s.write(f"/etc/e2e/smtpd-{db.backend}-cache.conf", CACHE_SMTPD_CONF.format(backend=db.backend, mx=mx))
    s.start_smtpd(f"/etc/e2e/smtpd-{db.backend}-cache.conf", [mx])

    token = s.token("seen")
    s.expect_code("mail to alice@example.org while the database answers", s.send(mx, "alice@example.org", token), 250)
    s.expect_delivered("the first mail to alice", "/var/vmail/alice/Maildir", token, uid=5000)
    # Every answer filed (cache_ttl 1) has expired: only cache_stale_ttl keeps it now.
    time.sleep(1.5)
    what = db.description_of_stopped()
    with db.stopped():
        token = s.token("stale")
        s.expect_code(f"mail to alice@example.org (seen before) while {what}",
                      s.send(mx, "alice@example.org", token), 250)
        # Delivered now, while the database is still down: userinfo from the cache too.
        s.expect_delivered(f"mail to alice while {what}", "/var/vmail/alice/Maildir", token, uid=5000)
        s.expect_code(f"RCPT to bob@example.org (never seen) while {what}: a temporary failure",
                      s.rcpt(mx, "bob@example.org"), 4)
        s.check(f"smtpd still runs while {what}", s.smtpd_alive())
    with open(s.log_path, errors="replace") as log:
        s.check("the tables said they answered from cached answers",
                "answering from cached answers" in log.read(), s.log_tail(15))
    token = s.token("back")
    # The table reconnects with a backoff of up to 1 s: the first tries may still be 4xx.
    deadline = time.monotonic() + 10
    reply = s.send(mx, "bob@example.org", token)
    while reply[0] // 100 == 4 and time.monotonic() < deadline:
        time.sleep(0.5)
        reply = s.send(mx, "bob@example.org", token)
    s.expect_code("mail to bob@example.org once the database is back", reply, 250)
    s.expect_delivered("mail to bob once the database is back", "/var/vmail/bob/Maildir", token, uid=5001)
    s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())
