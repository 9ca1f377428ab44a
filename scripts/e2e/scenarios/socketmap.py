"""table-socketmap under the real smtpd 7.6, against a socketmap server (netstring, TCP)
that this scenario runs itself, answering per map (the map name is the table's name):
virtual domains, aliases (catch-all), maildirs from userinfo, SMTP AUTH with credentials,
sender checks, smtpctl update table, and the server gone (4xx within the timeout, smtpd
keeps running) then back."""
import os
import socket
import socketserver
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from e2e_lib import main  # noqa: E402

TABLE_TIMEOUT = 1

SMTPD_CONF = """\
pki e2e cert "/etc/e2e/cert.pem"
pki e2e key "/etc/e2e/key.pem"

table sdomains  socketmap:/etc/e2e/socketmap.conf
table svirtuals socketmap:/etc/e2e/socketmap-virtuals.conf
table susers    socketmap:/etc/e2e/socketmap.conf
table screds    socketmap:/etc/e2e/socketmap.conf
table ssenders  socketmap:/etc/e2e/socketmap.conf

listen on 127.0.0.1 port {mx}
listen on 127.0.0.1 port {submission} tls pki e2e auth <screds> senders <ssenders>

action "vmail" maildir "%{{user.directory}}/Maildir" virtual <svirtuals> userbase <susers>
match from any for domain <sdomains> action "vmail"
"""

MAPS = {
    "sdomains": {"example.org": "example.org", "example.net": "example.net"},
    "svirtuals": {"alice@example.org": "alice", "bob@example.org": "bob",
                  "postmaster@example.org": "alice, bob", "@example.net": "alice"},
    "susers": {"alice": "5020:5020:/var/vmail/s-alice", "bob": "5021:5021:/var/vmail/s-bob"},
    "screds": {},  # filled with alice's hash
    "ssenders": {"alice@example.org": "alice@example.org"},
}
MAPS["svirtuals2"] = dict(MAPS["svirtuals"], **{"newcomer@example.org": "bob"})


def netstring(payload):
    return str(len(payload)).encode() + b":" + payload + b","


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            digits = b""
            while True:
                c = self.rfile.read(1)
                if not c:
                    return
                if c == b":":
                    break
                digits += c
            payload = self.rfile.read(int(digits))
            if self.rfile.read(1) != b",":
                return
            name, _, key = payload.decode().partition(" ")
            value = MAPS.get(name, {}).get(key)
            self.wfile.write(netstring(b"OK " + value.encode() if value else b"NOTFOUND "))


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port):
        super().__init__(("127.0.0.1", port), Handler)
        self.connections = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def process_request(self, request, client_address):
        self.connections.append(request)
        super().process_request(request, client_address)

    def stop(self):
        self.shutdown()
        self.server_close()
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)  # wakes its handler, sends FIN
                connection.close()
            except OSError:
                pass


def run(s, ports):
    mx, submission, map_port = ports[0], ports[1], ports[5]
    MAPS["screds"]["alice@example.org"] = "alice@example.org:" + s.encrypt("alice-secret")
    s.make_home("/var/vmail/s-alice", 5020, 5020)
    s.make_home("/var/vmail/s-bob", 5021, 5021)
    server = Server(map_port)
    config = f"socket inet:127.0.0.1:{map_port}\nprotocol netstring\ntimeout {TABLE_TIMEOUT}\n"
    s.write("/etc/e2e/socketmap.conf", config)
    s.write("/etc/e2e/socketmap-virtuals.conf", config + "map svirtuals\n")
    s.write("/etc/e2e/smtpd-socketmap.conf", SMTPD_CONF.format(mx=mx, submission=submission))
    try:
        s.start_smtpd("/etc/e2e/smtpd-socketmap.conf", [mx, submission])

        s.expect_code("RCPT to an unknown domain is refused", s.rcpt(mx, "someone@elsewhere.test"), 5)
        s.expect_code("RCPT to an unknown user is refused", s.rcpt(mx, "nobody@example.org"), 5)
        token = s.token("s-alice")
        s.expect_code("mail to alice@example.org", s.send(mx, "alice@example.org", token), 250)
        s.expect_delivered("alice@example.org", "/var/vmail/s-alice/Maildir", token, uid=5020)
        token = s.token("s-postmaster")
        s.expect_code("mail to postmaster@example.org (two recipients)", s.send(mx, "postmaster@example.org", token), 250)
        s.expect_delivered("postmaster to alice", "/var/vmail/s-alice/Maildir", token)
        s.expect_delivered("postmaster to bob", "/var/vmail/s-bob/Maildir", token, uid=5021)
        token = s.token("s-catchall")
        s.expect_code("mail to anyone@example.net (catch-all)", s.send(mx, "anyone@example.net", token), 250)
        s.expect_delivered("catch-all", "/var/vmail/s-alice/Maildir", token)

        s.expect_code("AUTH alice, right password", s.login(submission, "alice@example.org", "alice-secret"), 235)
        s.expect_code("AUTH alice, wrong password", s.login(submission, "alice@example.org", "alice-wrong"), 535)
        for sender, expected in (("alice@example.org", 250), ("bob@example.org", 5)):
            with s.session(submission, tls=True) as client:
                s.auth_plain(client, "alice@example.org", "alice-secret")
                s.expect_code(f"alice sends as {sender}", s.reply(client.docmd(f"MAIL FROM:<{sender}>")), expected)

        s.expect_code("RCPT newcomer@example.org before the update", s.rcpt(mx, "newcomer@example.org"), 5)
        s.write("/etc/e2e/socketmap-virtuals.conf", config + "map svirtuals2\n")
        update = s.smtpctl("update", "table", "svirtuals")
        s.check("smtpctl update table svirtuals", update.returncode == 0, update.stdout + update.stderr)
        s.expect_code("RCPT newcomer@example.org after the update", s.rcpt(mx, "newcomer@example.org"), 250)

        # The map server gone: connection refused; smtpd answers 4xx and lives on.
        server.stop()
        started = time.monotonic()
        reply = s.rcpt(mx, "alice@example.org")
        elapsed = time.monotonic() - started
        s.expect_code("RCPT while the map server is down is a temporary failure", reply, 4)
        s.check(f"answered within the table timeout + 1 s ({elapsed:.1f} s)", elapsed < TABLE_TIMEOUT + 1)
        s.check("smtpd still runs while the map server is down", s.smtpd_alive())
        server = Server(map_port)
        time.sleep(1.1)  # the table's reconnect backoff is at most 1 s
        token = s.token("s-recovered")
        s.expect_code("mail to alice@example.org once the server is back", s.send(mx, "alice@example.org", token), 250)
        s.expect_delivered("after recovery", "/var/vmail/s-alice/Maildir", token)
        s.check("smtpd ran through the whole scenario", s.smtpd_alive(), s.log_tail())
    finally:
        s.stop_smtpd()
        server.stop()


main(run)
