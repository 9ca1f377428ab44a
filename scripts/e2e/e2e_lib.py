"""Shared helpers of the end-to-end scenarios (scripts/e2e/scenarios/NAME.py).

A scenario gets the path of a Debian trixie root (with OpenSMTPD 7.6 and our packages
installed, /proc mounted: see scripts/e2e.sh), writes its smtpd.conf and data into it,
starts `smtpd -d` in it, drives it over SMTP on 127.0.0.1 with smtplib and checks reply
codes and delivered maildir files. Every check prints one line; the scenario exits 1 if
one failed.
"""
import base64
import os
import socket
import smtplib
import ssl
import subprocess
import sys
import time
import uuid


VIRTUAL_USERS_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

{tables}
listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <{auth}> senders <{senders}>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <{virtuals}> userbase <{users}>
match from any for domain <{domains}> action "vmail"
"""


def virtual_users_conf(backend, tables, mx, submission):
    """The smtpd.conf of a scenario with virtual users on one backend: mail for its domains
    on port `mx`, AUTH and sender checks on `submission`. `tables`: (name, config file in
    /etc/e2e) of the domains, virtuals, users, auth and senders tables, in that order."""
    domains, virtuals, users, auth, senders = (name for name, _ in tables)
    lines = "".join(f"table {name:<9} {backend}:/etc/e2e/{config}\n" for name, config in tables)
    return VIRTUAL_USERS_CONF.format(tables=lines, mx=mx, submission=submission, auth=auth, senders=senders,
                                     virtuals=virtuals, users=users, domains=domains)


class Scenario:
    def __init__(self, name, root, log_dir):
        self.name = name
        self.root = root
        self.log_path = os.path.join(log_dir, f"smtpd-{name}.log")
        self.smtpd = None
        self.ports = []
        self.passed = 0
        self.failed = 0

    # Files in the root -------------------------------------------------------------

    def host_path(self, path):
        """The host path of a path inside the root."""
        return os.path.join(self.root, path.lstrip("/"))

    def write(self, path, text, mode=0o644, owner=(0, 0)):
        full = self.host_path(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
        os.chmod(full, mode)
        os.chown(full, *owner)

    def make_home(self, path, uid, gid):
        """A virtual user's home, owned by its uid as smtpd's delivery agent needs."""
        full = self.host_path(path)
        os.makedirs(full, exist_ok=True)
        os.chown(full, uid, gid)
        os.chmod(full, 0o700)

    def in_root(self, *command, check=True, stdin=None):
        result = subprocess.run(["chroot", self.root, *command], input=stdin,
                                capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {result.stdout}{result.stderr}")
        return result

    def encrypt(self, password):
        """A bcrypt hash made by the root's `smtpctl encrypt`, as an administrator would."""
        return self.in_root("smtpctl", "encrypt", password).stdout.strip()

    # smtpd -----------------------------------------------------------------------------

    def start_smtpd(self, config_path, ports):
        self.ports = ports
        check = self.in_root("smtpd", "-n", "-f", config_path, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"smtpd -n refused {config_path}: {check.stdout}{check.stderr}")
        log = open(self.log_path, "w")
        self.smtpd = subprocess.Popen(["chroot", self.root, "/usr/sbin/smtpd", "-d", "-v", "-T", "lookup",
                                       "-f", config_path], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.smtpd.poll() is not None:
                raise RuntimeError(f"smtpd exited at start:\n{self.log_tail()}")
            if all(self.port_open(port) for port in ports):
                return
            time.sleep(0.2)
        raise RuntimeError(f"smtpd did not listen on {ports} within 20 s:\n{self.log_tail()}")

    def stop_smtpd(self):
        if self.smtpd is None:
            return
        if self.smtpd.poll() is None:
            self.smtpd.terminate()
            try:
                self.smtpd.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.smtpd.kill()
                self.smtpd.wait()
        self.smtpd = None

    def smtpd_alive(self):
        return self.smtpd is not None and self.smtpd.poll() is None

    def smtpctl(self, *arguments):
        return self.in_root("smtpctl", *arguments, check=False)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"

    @staticmethod
    def port_open(port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False

    # Test servers ----------------------------------------------------------------------

    def server_environment(self, *names):
        """The variables a test server's .env gave (scripts/test.sh sources them), or None
        after a skip, or a failed check when TABLES_TEST_REQUIRE_SERVERS=1."""
        missing = [name for name in names if not os.environ.get(name)]
        if not missing:
            return {name: os.environ[name] for name in names}
        if os.environ.get("TABLES_TEST_REQUIRE_SERVERS") == "1":
            self.check("test server is running", False, f"(missing {', '.join(missing)})")
        else:
            print(f"skip: {self.name}: no test server ({', '.join(missing)} unset)")
        return None

    # Checks ----------------------------------------------------------------------------

    def check(self, description, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok: {self.name}: {description}")
        else:
            self.failed += 1
            print(f"FAIL: {self.name}: {description} {detail}")
        return ok

    def expect_code(self, description, reply, expected):
        """`expected` is a code (250) or a class (4 for any 4xx, 5 for any 5xx)."""
        code, message = reply
        ok = code == expected if expected >= 100 else code // 100 == expected
        shown = expected if expected >= 100 else f"{expected}xx"
        return self.check(f"{description}: {code} (expected {shown})", ok,
                          f"reply: {message!r}" + ("" if self.smtpd_alive() else " (smtpd is gone)"))

    # SMTP ------------------------------------------------------------------------------

    def session(self, port, tls=False):
        client = smtplib.SMTP("127.0.0.1", port, local_hostname="client.e2e.test", timeout=30)
        client.ehlo()
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            client.starttls(context=context)
            client.ehlo()
        return client

    @staticmethod
    def reply(code_message):
        code, message = code_message
        return code, message.decode(errors="replace") if isinstance(message, bytes) else message

    def rcpt(self, port, recipient, sender="sender@remote.test"):
        """The reply to RCPT TO (the first non-250 reply of the transaction, if earlier)."""
        with self.session(port) as client:
            reply = self.reply(client.docmd(f"MAIL FROM:<{sender}>"))
            if reply[0] != 250:
                return reply
            return self.reply(client.docmd(f"RCPT TO:<{recipient}>"))

    def send(self, port, recipient, token, sender="sender@remote.test"):
        """Sends one message whose subject and body carry `token`; the final reply."""
        with self.session(port) as client:
            for command in (f"MAIL FROM:<{sender}>", f"RCPT TO:<{recipient}>"):
                reply = self.reply(client.docmd(command))
                if reply[0] != 250:
                    return reply
            message = (f"From: <{sender}>\r\nTo: <{recipient}>\r\nSubject: {token}\r\n"
                       f"Message-ID: <{token}@client.e2e.test>\r\n\r\nend-to-end test {token}\r\n")
            return self.reply(client.data(message.encode()))

    def auth_plain(self, client, user, password):
        credentials = base64.b64encode(f"\0{user}\0{password}".encode()).decode()
        return self.reply(client.docmd("AUTH", f"PLAIN {credentials}"))

    def login(self, port, user, password):
        """The reply to AUTH PLAIN on a new TLS session."""
        with self.session(port, tls=True) as client:
            return self.auth_plain(client, user, password)

    @staticmethod
    def token(label):
        return f"e2e-{label}-{uuid.uuid4().hex[:12]}"

    # Maildirs --------------------------------------------------------------------------

    def delivered(self, maildir, token, timeout=20):
        """The message carrying `token` in `maildir`/new (host path of it), or None."""
        directory = os.path.join(self.host_path(maildir), "new")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.isdir(directory):
                for entry in os.listdir(directory):
                    path = os.path.join(directory, entry)
                    try:
                        with open(path, errors="replace") as f:
                            if token in f.read():
                                return path
                    except OSError:
                        pass
            time.sleep(0.2)
        return None

    def expect_delivered(self, description, maildir, token, uid=None):
        path = self.delivered(maildir, token)
        if not self.check(f"{description}: delivered to {maildir}", path is not None,
                          f"(nothing carrying {token}; smtpd log:\n{self.log_tail(15)})"):
            return
        if uid is not None:
            owner = os.stat(path).st_uid
            self.check(f"{description}: file owned by uid {uid}", owner == uid, f"(owner {owner})")

    def expect_not_delivered(self, description, maildir, token):
        path = self.delivered(maildir, token, timeout=0.1)
        self.check(f"{description}: nothing in {maildir}", path is None, f"(found {path})")

    # What several backends' scenarios check, in the same words --------------------------

    def expect_virtual_delivery(self, mx, label, domain, other_domain, alice, bob, postmaster):
        """Mail to virtual users, as a directory-like table serves them (ldap, redis,
        socketmap): an unknown domain and an unknown user refused; mail to alice, to
        postmaster (alice and bob) and to the catch-all of `other_domain` delivered.
        `alice`, `bob`: (name, home, uid); `label` starts each token; `postmaster` says how
        the table holds postmaster's two addressees."""
        (alice_name, alice_home, alice_uid), (bob_name, bob_home, bob_uid) = alice, bob
        alice_maildir, bob_maildir = f"{alice_home}/Maildir", f"{bob_home}/Maildir"
        self.expect_code("RCPT to an unknown domain is refused", self.rcpt(mx, "someone@elsewhere.test"), 5)
        self.expect_code("RCPT to an unknown user is refused", self.rcpt(mx, f"nobody@{domain}"), 5)
        token = self.token(f"{label}alice")
        address = f"{alice_name}@{domain}"
        self.expect_code(f"mail to {address}", self.send(mx, address, token), 250)
        self.expect_delivered(address, alice_maildir, token, uid=alice_uid)
        token = self.token(f"{label}postmaster")
        self.expect_code(f"mail to postmaster@{domain} ({postmaster})", self.send(mx, f"postmaster@{domain}", token), 250)
        self.expect_delivered(f"postmaster to {alice_name}", alice_maildir, token)
        self.expect_delivered(f"postmaster to {bob_name}", bob_maildir, token, uid=bob_uid)
        token = self.token(f"{label}catchall")
        self.expect_code(f"mail to anyone@{other_domain} (catch-all)", self.send(mx, f"anyone@{other_domain}", token), 250)
        self.expect_delivered("catch-all", alice_maildir, token)

    def expect_senders(self, submission, user, password, name, senders, note=""):
        """After AUTH as `user`, MAIL FROM each sender of `senders` ((address, expected code)
        pairs) answers its code: the table's sender check (`senders <table>`)."""
        for sender, expected in senders:
            with self.session(submission, tls=True) as client:
                self.auth_plain(client, user, password)
                self.expect_code(f"{name} sends as {sender}{note}", self.reply(client.docmd(f"MAIL FROM:<{sender}>")), expected)

    def expect_update(self, mx, table, recipient, rewrite):
        """`smtpctl update table` after `rewrite()` changed the table's config: `recipient`,
        refused before, is accepted after."""
        self.expect_code(f"RCPT {recipient} before the update", self.rcpt(mx, recipient), 5)
        rewrite()
        update = self.smtpctl("update", "table", table)
        self.check(f"smtpctl update table {table}", update.returncode == 0, update.stdout + update.stderr)
        self.expect_code(f"RCPT {recipient} after the update", self.rcpt(mx, recipient), 250)

    def expect_temporary_failure(self, mx, recipient, what, timeout):
        """While `what` (the table's server frozen, down...): RCPT is a 4xx within the
        table's `timeout` + 1 s, and smtpd lives on."""
        started = time.monotonic()
        reply = self.rcpt(mx, recipient)
        elapsed = time.monotonic() - started
        self.expect_code(f"RCPT while {what} is a temporary failure", reply, 4)
        self.check(f"answered within the table timeout + 1 s ({elapsed:.1f} s)", elapsed < timeout + 1)
        self.check(f"smtpd still runs while {what}", self.smtpd_alive())

    def expect_recovered(self, mx, recipient, maildir, label, back, retry_after=None):
        """Once `back` (the server is back...), mail to `recipient` is delivered to `maildir`,
        and smtpd ran through the whole scenario. With `retry_after`, a first 4xx (the
        table's reconnect backoff) is sent again after that many seconds."""
        token = self.token(label)
        reply = self.send(mx, recipient, token)
        if retry_after is not None and reply[0] // 100 == 4:
            time.sleep(retry_after)
            reply = self.send(mx, recipient, token)
        self.expect_code(f"mail to {recipient} once {back}", reply, 250)
        self.expect_delivered("after recovery", maildir, token)
        self.check("smtpd ran through the whole scenario", self.smtpd_alive(), self.log_tail())

    def finish(self):
        self.stop_smtpd()
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(0 if self.failed == 0 else 1)


def main(run):
    """Runs a scenario: `run(scenario, ports)` with ten ports from BASE_PORT on;
    argv: NAME ROOT LOG_DIR BASE_PORT."""
    name, root, log_dir, base = sys.argv[1:]
    scenario = Scenario(name, root, log_dir)
    try:
        run(scenario, list(range(int(base), int(base) + 10)))
    except Exception as error:  # a setup failure is a failed check, with smtpd's log
        scenario.check("scenario ran to the end", False, f"{type(error).__name__}: {error}\n{scenario.log_tail()}")
    finally:
        scenario.stop_smtpd()
    scenario.finish()
