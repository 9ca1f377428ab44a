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
