"""table-socketmap under the real smtpd 7.6, against our socketmap test servers
(scripts/servers/socketmap.sh): domain checks (upstream answered every check with an error),
virtual aliases and userinfo over netstrings on TCP (one map each), credentials over the line protocol; the
map server restarts in the middle and mail keeps flowing without restarting smtpd."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table smusers socketmap:/etc/e2e/socketmap-users.conf
table sminfo socketmap:/etc/e2e/socketmap-userinfo.conf
table smcred socketmap:/etc/e2e/socketmap-credentials.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <smcred>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <smusers> userbase <sminfo>
match from any for domain <smusers> action "vmail"
"""


def run(s, ports):
    mx, submission = ports[0], ports[1]
    env = s.server_environment("SOCKETMAP_FAULT_PORT", "SOCKETMAP_LINE_PORT", "SOCKETMAP_SCRIPT")
    if env is None:
        return
    fault_port, line_port, script = env["SOCKETMAP_FAULT_PORT"], env["SOCKETMAP_LINE_PORT"], env["SOCKETMAP_SCRIPT"]
    # The map server that gets restarted speaks netstrings on TCP (the fault server).
    s.write("/etc/e2e/socketmap-users.conf",
            f"socket inet:127.0.0.1:{fault_port}\nprotocol netstring\nmap e2e-users\ntimeout 2\n")
    # One map per kind of key: smtpd looks the virtual user up as an alias again, so user
    # names and userinfo cannot share a map.
    s.write("/etc/e2e/socketmap-userinfo.conf",
            f"socket inet:127.0.0.1:{fault_port}\nprotocol netstring\nmap e2e-userinfo\ntimeout 2\n")
    s.write("/etc/e2e/socketmap-credentials.conf",
            f"socket inet:127.0.0.1:{line_port}\nprotocol line\nmap e2e-credentials\ntimeout 2\n")
    s.make_home("/var/vmail/smdave", 5011, 5011)
    s.write("/etc/e2e/smtpd-socketmap.conf", SMTPD_CONF.format(mx=mx, submission=submission))
    s.start_smtpd("/etc/e2e/smtpd-socketmap.conf", [mx, submission])

    s.expect_code("AUTH smdave, right password", s.login(submission, "smdave", "alice-secret"), 235)
    s.expect_code("AUTH smdave, wrong password", s.login(submission, "smdave", "wrong"), 535)
    s.expect_code("AUTH of an unknown user", s.login(submission, "nobody", "nobody-secret"), 535)

    token = s.token("smdave")
    s.expect_code("mail to dave@example.com (domain check, alias, userinfo)",
                  s.send(mx, "dave@example.com", token), 250)
    s.expect_delivered("dave@example.com", "/var/vmail/smdave/Maildir", token, uid=5011)
    s.expect_code("RCPT to a domain the map does not know", s.rcpt(mx, "someone@example.net"), 5)
    s.expect_code("RCPT to an address the map does not know", s.rcpt(mx, "nobody@example.com"), 5)

    # The map server restarts: the next lookups reconnect (upstream failed until smtpd restarted).
    restart = subprocess.run(["bash", script, "restart"], capture_output=True, text=True, timeout=60)
    s.check("map server restarted", restart.returncode == 0, restart.stdout + restart.stderr)
    token = s.token("smdave-after-restart")
    s.expect_code("mail to dave@example.com after the map server restarted",
                  s.send(mx, "dave@example.com", token), 250)
    s.expect_delivered("dave@example.com after the restart", "/var/vmail/smdave/Maildir", token, uid=5011)
    s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())


main(run)
