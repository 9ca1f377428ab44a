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
from e2e_lib import main, virtual_users_conf  # noqa: E402

TABLE_TIMEOUT = 1

# smtpd's tables (domains, virtuals, users, auth, senders) and the config each reads.
TABLES = (("sdomains", "socketmap.conf"), ("svirtuals", "socketmap-virtuals.conf"), ("susers", "socketmap.conf"),
          ("screds", "socketmap.conf"), ("ssenders", "socketmap.conf"))

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
    s.write("/etc/e2e/smtpd-socketmap.conf", virtual_users_conf("socketmap", TABLES, mx, submission))
    try:
        s.start_smtpd("/etc/e2e/smtpd-socketmap.conf", [mx, submission])

        s.expect_virtual_delivery(mx, "s-", "example.org", "example.net", ("alice", "/var/vmail/s-alice", 5020),
                                  ("bob", "/var/vmail/s-bob", 5021), postmaster="two recipients")

        s.expect_code("AUTH alice, right password", s.login(submission, "alice@example.org", "alice-secret"), 235)
        s.expect_code("AUTH alice, wrong password", s.login(submission, "alice@example.org", "alice-wrong"), 535)
        s.expect_senders(submission, "alice@example.org", "alice-secret", "alice",
                         (("alice@example.org", 250), ("bob@example.org", 5)))

        s.expect_update(mx, "svirtuals", "newcomer@example.org",
                        lambda: s.write("/etc/e2e/socketmap-virtuals.conf", config + "map svirtuals2\n"))

        # The map server gone: connection refused; smtpd answers 4xx and lives on.
        server.stop()
        s.expect_temporary_failure(mx, "alice@example.org", "the map server is down", TABLE_TIMEOUT)
        server = Server(map_port)
        time.sleep(1.1)  # the table's reconnect backoff is at most 1 s
        s.expect_recovered(mx, "alice@example.org", "/var/vmail/s-alice/Maildir", "s-recovered", "the server is back")
    finally:
        s.stop_smtpd()
        server.stop()


main(run)
