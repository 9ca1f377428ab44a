"""table-redis under the real smtpd 7.6, against the Redis test server that its fault tests
use (scripts/servers/redis.sh): virtual domains, aliases (catch-all), maildirs from userinfo,
SMTP AUTH with credentials, sender checks, smtpctl update table, and a frozen server (4xx
within the timeout, smtpd keeps running, then recovers)."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main, virtual_users_conf  # noqa: E402

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

# smtpd's tables (domains, virtuals, users, auth, senders) and the config each reads.
TABLES = (("rdomains", "redis.conf"), ("rvirtuals", "redis.conf"), ("rusers", "redis.conf"),
          ("rcreds", "redis.conf"), ("rsenders", "redis.conf"))


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
    s.write("/etc/e2e/smtpd-redis.conf", virtual_users_conf("redis", TABLES, mx, submission))
    s.start_smtpd("/etc/e2e/smtpd-redis.conf", [mx, submission])

    s.expect_virtual_delivery(mx, "r-", "example.org", "example.net", ("alice", "/var/vmail/r-alice", 5010),
                              ("bob", "/var/vmail/r-bob", 5011), postmaster="two recipients")

    s.expect_code("AUTH alice, right password", s.login(submission, "alice@example.org", "alice-secret"), 235)
    s.expect_code("AUTH alice, wrong password", s.login(submission, "alice@example.org", "alice-wrong"), 535)
    # HMGET of an unknown user is an array of nils: not found (upstream: temporary error, 454).
    s.expect_code("AUTH of an unknown user", s.login(submission, "nobody@example.org", "alice-secret"), 535)
    s.expect_senders(submission, "alice@example.org", "alice-secret", "alice",
                     (("alice@example.org", 250), ("bob@example.org", 5)))

    s.expect_update(mx, "rvirtuals", "newcomer@example.org",
                    lambda: s.write("/etc/e2e/redis.conf", CONFIG.format(port=port, aliases="aliases2")))
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
        s.expect_temporary_failure(mx, "alice@example.org", "Redis is frozen", TABLE_TIMEOUT)
    finally:
        os.kill(pid, signal.SIGCONT)
    s.expect_recovered(mx, "alice@example.org", "/var/vmail/r-alice/Maildir", "r-recovered", "Redis is back")
    redis("FLUSHDB")


main(run)
