"""table-redis under the real smtpd 7.6, against the Redis test server that its fault tests
use (scripts/servers/redis.sh): virtual domains, aliases (catch-all), maildirs from userinfo,
SMTP AUTH with credentials, sender checks, smtpctl update table, and a frozen server (4xx
within the timeout, smtpd keeps running, then recovers)."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

DATABASE = 14
TABLE_TIMEOUT = 1

CONFIG = f"""\
master 127.0.0.1
master_port {{port}}
database {DATABASE}
timeout {TABLE_TIMEOUT}
query_domain SISMEMBER domains %s
query_alias LRANGE {{aliases}}:%s 0 -1
query_credentials HMGET user:%s login passwd
query_userinfo HMGET user:%s uid gid maildir
query_mailaddrmap SMEMBERS senders:%s
"""

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table rdomains  redis:/etc/e2e/redis.conf
table rvirtuals redis:/etc/e2e/redis.conf
table rusers    redis:/etc/e2e/redis.conf
table rcreds    redis:/etc/e2e/redis.conf
table rsenders  redis:/etc/e2e/redis.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <rcreds> senders <rsenders>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <rvirtuals> userbase <rusers>
match from any for domain <rdomains> action "vmail"
"""


def run(s, ports):
    env = s.server_environment("REDIS_FAULT_PORT", "REDIS_FAULT_PIDFILE")
    if env is None:
        return
    port = env["REDIS_FAULT_PORT"]

    def redis(*command):
        result = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", port, "-n", str(DATABASE), *command],
                                capture_output=True, text=True, timeout=10)
        if result.returncode != 0 or result.stdout.startswith("ERR"):
            raise RuntimeError(f"redis-cli {' '.join(command)}: {result.stdout}{result.stderr}")

    mx, submission = ports[0], ports[1]
    s.make_home("/var/vmail/r-alice", 5010, 5010)
    s.make_home("/var/vmail/r-bob", 5011, 5011)
    redis("FLUSHDB")
    redis("SADD", "domains", "example.org", "example.net")
    for version in ("aliases", "aliases2"):
        redis("RPUSH", f"{version}:alice@example.org", "alice")
        redis("RPUSH", f"{version}:bob@example.org", "bob")
        redis("RPUSH", f"{version}:postmaster@example.org", "alice", "bob")
        redis("RPUSH", f"{version}:@example.net", "alice")
    redis("RPUSH", "aliases2:newcomer@example.org", "bob")
    redis("HSET", "user:alice", "uid", "5010", "gid", "5010", "maildir", "/var/vmail/r-alice")
    redis("HSET", "user:bob", "uid", "5011", "gid", "5011", "maildir", "/var/vmail/r-bob")
    redis("HSET", "user:alice@example.org", "login", "alice@example.org", "passwd", s.encrypt("alice-secret"))
    redis("SADD", "senders:alice@example.org", "alice@example.org")
    s.write("/etc/e2e/redis.conf", CONFIG.format(port=port, aliases="aliases"))
    s.write("/etc/e2e/smtpd-redis.conf", SMTPD_CONF.format(mx=mx, submission=submission))
    s.start_smtpd("/etc/e2e/smtpd-redis.conf", [mx, submission])

    s.expect_code("RCPT to an unknown domain is refused", s.rcpt(mx, "someone@elsewhere.test"), 5)
    s.expect_code("RCPT to an unknown user is refused", s.rcpt(mx, "nobody@example.org"), 5)
    token = s.token("r-alice")
    s.expect_code("mail to alice@example.org", s.send(mx, "alice@example.org", token), 250)
    s.expect_delivered("alice@example.org", "/var/vmail/r-alice/Maildir", token, uid=5010)
    token = s.token("r-postmaster")
    s.expect_code("mail to postmaster@example.org (two recipients)", s.send(mx, "postmaster@example.org", token), 250)
    s.expect_delivered("postmaster to alice", "/var/vmail/r-alice/Maildir", token)
    s.expect_delivered("postmaster to bob", "/var/vmail/r-bob/Maildir", token, uid=5011)
    token = s.token("r-catchall")
    s.expect_code("mail to anyone@example.net (catch-all)", s.send(mx, "anyone@example.net", token), 250)
    s.expect_delivered("catch-all", "/var/vmail/r-alice/Maildir", token)

    s.expect_code("AUTH alice, right password", s.login(submission, "alice@example.org", "alice-secret"), 235)
    s.expect_code("AUTH alice, wrong password", s.login(submission, "alice@example.org", "alice-wrong"), 535)
    # HMGET of an unknown user is an array of nils: not found (upstream: temporary error, 454).
    s.expect_code("AUTH of an unknown user", s.login(submission, "nobody@example.org", "alice-secret"), 535)
    for sender, expected in (("alice@example.org", 250), ("bob@example.org", 5)):
        with s.session(submission, tls=True) as client:
            s.auth_plain(client, "alice@example.org", "alice-secret")
            s.expect_code(f"alice sends as {sender}", s.reply(client.docmd(f"MAIL FROM:<{sender}>")), expected)

    s.expect_code("RCPT newcomer@example.org before the update", s.rcpt(mx, "newcomer@example.org"), 5)
    s.write("/etc/e2e/redis.conf", CONFIG.format(port=port, aliases="aliases2"))
    update = s.smtpctl("update", "table", "rvirtuals")
    s.check("smtpctl update table rvirtuals", update.returncode == 0, update.stdout + update.stderr)
    s.expect_code("RCPT newcomer@example.org after the update", s.rcpt(mx, "newcomer@example.org"), 250)
    # A broken command in the config: the update is refused, the previous config keeps working.
    s.write("/etc/e2e/redis.conf", CONFIG.format(port=port, aliases="aliases2") + "query_source GET %d\n")
    s.smtpctl("update", "table", "rvirtuals")
    s.check("update to a broken config: smtpd keeps running", s.smtpd_alive(), s.log_tail())
    s.expect_code("RCPT newcomer@example.org after the refused update", s.rcpt(mx, "newcomer@example.org"), 250)

    # The server frozen (SIGSTOP): every lookup times out; smtpd answers 4xx and lives on.
    # (The test server scripts/servers/redis.sh started for fault tests, by its pid file.)
    pid = int(open(env["REDIS_FAULT_PIDFILE"]).read().strip())
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        reply = s.rcpt(mx, "alice@example.org")
        elapsed = time.monotonic() - started
        s.expect_code("RCPT while Redis is frozen is a temporary failure", reply, 4)
        s.check(f"answered within the table timeout + 1 s ({elapsed:.1f} s)", elapsed < TABLE_TIMEOUT + 1)
        s.check("smtpd still runs while Redis is frozen", s.smtpd_alive())
    finally:
        os.kill(pid, signal.SIGCONT)
    token = s.token("r-recovered")
    s.expect_code("mail to alice@example.org once Redis is back", s.send(mx, "alice@example.org", token), 250)
    s.expect_delivered("after recovery", "/var/vmail/r-alice/Maildir", token)
    s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())
    redis("FLUSHDB")


main(run)
