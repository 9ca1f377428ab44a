"""table-redis under the real smtpd 7.6, against the redis test server (REDIS_PORT, from
scripts/servers/redis.sh): one table answers domain checks (SISMEMBER), virtual aliases
(LRANGE), credentials and userinfo (HMGET). An unknown user gets 535, not upstream's 454;
a broken config is refused by smtpctl update and the old one keeps working."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

DATABASE = "13"

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table rusers redis:/etc/e2e/redis.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <rusers>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <rusers> userbase <rusers>
match from any for domain <rusers> action "vmail"
"""

REDIS_CONF = """\
# the man page's layout: a set of domains, lists of aliases, one hash per user
master 127.0.0.1
master_port {port}
database {database}
timeout 2
query_domain SISMEMBER domains %s
query_alias LRANGE aliases:%s 0 -1
query_credentials HMGET user:%s login passwd
query_userinfo HMGET user:%s uid gid maildir
"""


def redis(port, *command):
    result = subprocess.run(["redis-cli", "-p", port, "-n", DATABASE, *command],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0 or result.stdout.startswith("(error)") or result.stdout.startswith("ERR"):
        raise RuntimeError(f"redis-cli {' '.join(command)}: {result.stdout}{result.stderr}")


def run(s, ports):
    mx, submission = ports[0], ports[1]
    env = s.server_environment("REDIS_PORT")
    if env is None:
        return
    port = env["REDIS_PORT"]
    redis(port, "FLUSHDB")
    redis(port, "SADD", "domains", "example.com")
    redis(port, "RPUSH", "aliases:rdave@example.com", "rdave")
    redis(port, "RPUSH", "aliases:postmaster@example.com", "rdave")
    redis(port, "HSET", "user:rdave", "login", "rdave", "passwd", s.encrypt("rdave-secret"),
          "uid", "5020", "gid", "5020", "maildir", "/var/vmail/rdave")
    s.make_home("/var/vmail/rdave", 5020, 5020)
    s.write("/etc/e2e/redis.conf", REDIS_CONF.format(port=port, database=DATABASE))
    s.write("/etc/e2e/smtpd-redis.conf", SMTPD_CONF.format(mx=mx, submission=submission))
    s.start_smtpd("/etc/e2e/smtpd-redis.conf", [mx, submission])

    s.expect_code("AUTH rdave, right password", s.login(submission, "rdave", "rdave-secret"), 235)
    s.expect_code("AUTH rdave, wrong password", s.login(submission, "rdave", "wrong"), 535)
    # HMGET of an unknown user is an array of nils: not found (upstream: temporary error, 454).
    s.expect_code("AUTH of an unknown user", s.login(submission, "nobody", "nobody-secret"), 535)

    token = s.token("rdave")
    s.expect_code("mail to rdave@example.com", s.send(mx, "rdave@example.com", token), 250)
    s.expect_delivered("rdave@example.com", "/var/vmail/rdave/Maildir", token, uid=5020)
    token = s.token("postmaster")
    s.expect_code("mail to postmaster@example.com (alias list)", s.send(mx, "postmaster@example.com", token), 250)
    s.expect_delivered("postmaster@example.com", "/var/vmail/rdave/Maildir", token, uid=5020)
    s.expect_code("RCPT to a domain not in the set", s.rcpt(mx, "someone@example.net"), 5)
    s.expect_code("RCPT to an address without alias", s.rcpt(mx, "nobody@example.com"), 5)

    # A broken command in the config: the update is refused, the old config keeps working.
    s.write("/etc/e2e/redis.conf", REDIS_CONF.format(port=port, database=DATABASE)
            + "query_source GET %d\n")
    s.smtpctl("update", "table", "rusers")
    s.check("update to a broken config: smtpd keeps running", s.smtpd_alive(), s.log_tail())
    s.expect_code("AUTH rdave after the refused update", s.login(submission, "rdave", "rdave-secret"), 235)
    s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())


main(run)
