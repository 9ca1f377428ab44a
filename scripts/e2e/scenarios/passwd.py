"""table-passwd under the real smtpd 7.6: SMTP AUTH with credentials (right and wrong
password, a name with capitals, a Dovecot line), maildirs from userinfo, smtpctl update
table after an edit, and an update to a broken file (refused, the old users keep working)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table users passwd:/etc/e2e/passwd
table pvirtuals file:/etc/e2e/pvirtuals

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <users>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <pvirtuals> userbase <users>
match from any for domain "example.com" action "vmail"
"""


def run(s, ports):
    mx, submission = ports[0], ports[1]
    dave, erin, frank = s.encrypt("dave-secret"), s.encrypt("Erin-Secret"), s.encrypt("frank-secret")
    s.make_home("/var/vmail/dave", 5002, 5002)
    passwd = (
        "# users of the end-to-end test\n"
        f"dave:{dave}:5002:5002:Dave:/var/vmail/dave:/usr/sbin/nologin\n"
        f"Erin@Example.com:{{BLF-CRYPT}}{erin}:5003:5003::/var/vmail/erin::userdb_quota_rule=*:storage=1G\n"
    )
    s.write("/etc/e2e/passwd", passwd)
    s.write("/etc/e2e/pvirtuals", "dave@example.com dave\nfrank@example.com frank\n")
    s.write("/etc/e2e/smtpd-passwd.conf", SMTPD_CONF.format(mx=mx, submission=submission))
    s.start_smtpd("/etc/e2e/smtpd-passwd.conf", [mx, submission])

    s.expect_code("AUTH dave, right password", s.login(submission, "dave", "dave-secret"), 235)
    s.expect_code("AUTH dave, wrong password", s.login(submission, "dave", "dave-wrong"), 535)
    s.expect_code("AUTH Erin@Example.com (capitals in the file), mixed-case password",
                  s.login(submission, "erin@example.com", "Erin-Secret"), 235)
    s.expect_code("AUTH frank before he is in the file", s.login(submission, "frank", "frank-secret"), 535)

    token = s.token("dave")
    s.expect_code("mail to dave@example.com", s.send(mx, "dave@example.com", token), 250)
    s.expect_delivered("dave@example.com", "/var/vmail/dave/Maildir", token, uid=5002)

    # Erin's line has an address as name (Dovecot style): she authenticates, but no virtual
    # user can map to her for delivery (an address maps to itself), so only AUTH is tested.

    # smtpctl update table: the file is read again.
    s.make_home("/var/vmail/frank", 5004, 5004)
    s.write("/etc/e2e/passwd", passwd + f"frank:{frank}:5004:5004::/var/vmail/frank:\n")
    s.expect_code("AUTH frank after the edit, before the update", s.login(submission, "frank", "frank-secret"), 535)
    update = s.smtpctl("update", "table", "users")
    s.check("smtpctl update table users", update.returncode == 0, update.stdout + update.stderr)
    s.expect_code("AUTH frank after the update", s.login(submission, "frank", "frank-secret"), 235)
    token = s.token("frank")
    s.expect_code("mail to frank@example.com", s.send(mx, "frank@example.com", token), 250)
    s.expect_delivered("frank@example.com", "/var/vmail/frank/Maildir", token, uid=5004)

    # A broken file: the update is refused and the users loaded before keep working.
    s.write("/etc/e2e/passwd", "this line has no colon\n")
    s.smtpctl("update", "table", "users")
    s.check("update to a broken file: smtpd keeps running", s.smtpd_alive(), s.log_tail())
    s.expect_code("AUTH frank after the refused update", s.login(submission, "frank", "frank-secret"), 235)
    os.chmod(s.host_path("/etc/e2e/passwd"), 0o000)
    os.rename(s.host_path("/etc/e2e/passwd"), s.host_path("/etc/e2e/passwd.gone"))
    s.smtpctl("update", "table", "users")
    s.expect_code("AUTH dave after an update with the file gone", s.login(submission, "dave", "dave-secret"), 235)
    s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())


main(run)
