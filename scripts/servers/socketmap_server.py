#!/usr/bin/env python3
"""A socketmap server for the table-socketmap tests and benchmark.

Listens on any mix of unix sockets and 127.0.0.1 TCP ports, each with one framing:
  line       upstream table-socketmap's: "<map> <key>\\n" -> "<reply>\\n"
  netstring  Sendmail/Postfix socketmap: "<len>:<map> <key>," -> "<len>:<reply>,"
One thread per connection, requests answered in order.

The map: the fixture below, plus "key value" lines from --map-file (one per line, the
value is the rest of the line), read at start, and from --live-map-file, read again
whenever that file changes (the answer cache tests change a value under a running table).
Keys are looked up whatever the map name, except the special keys, which produce every
reply shape the client must handle.
"""
import argparse
import os
import signal
import socketserver
import sys
import threading
import time

FIXTURE = {
    b"root": b"alice, bob",
    b"alice@example.org": b"alice",
    b"alice": b"alice:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS",
    b"uid:alice": b"1000:1000:/home/alice",
    b"example.org": b"example.org",
    b"127.0.0.1": b"localhost",
    b"with space": b"key with a space",
    b"pipe|key": b"key with a pipe",
    b"max": b"m" * 2047,
    b"big": b"b" * 2048,
}

# Maps of their own, for the end-to-end test (scripts/e2e/scenarios/socketmap.py): a key
# there is looked up in its map only.
MAPS = {
    b"e2e-users": {
        b"example.com": b"example.com",
        b"dave@example.com": b"smdave",
    },
    b"e2e-userinfo": {
        b"smdave": b"5011:5011:/var/vmail/smdave",
    },
    b"e2e-credentials": {
        # password "alice-secret"
        b"smdave": b"smdave:$2b$08$L0eQbbY.lTtglPOLs162MOfNU7cHuai7eX0J5pm5ESUh4GfyztSBS",
    },
}

# Special keys: the raw reply payload, or a callable doing something odd.
SPECIAL = {
    b"notfound-bare": b"NOTFOUND",
    b"notfound-lower": b"notfound reason",
    b"temp": b"TEMP try later",
    b"timeout": b"TIMEOUT backend slow",
    b"perm": b"PERM broken map",
    b"empty": b"OK ",
    b"ok-bare": b"OK",
    b"lower": b"ok  v",
    b"garbage": b"WHAT is this",
    b"huge": b"OK " + b"h" * 200000,
}

STATS = {"connections": 0}

# --live-map-file: its path, the (inode, mtime, size) it was last read at, and its entries.
LIVE = {"path": None, "stamp": None, "entries": {}}
LIVE_LOCK = threading.Lock()


def read_map(f):
    entries = {}
    for line in f:
        key, _, value = line.rstrip(b"\n").partition(b" ")
        if key:
            entries[key] = value
    return entries


def live_entries():
    """The --live-map-file entries, read again when the file changed (none without one)."""
    if LIVE["path"] is None:
        return {}
    try:
        status = os.stat(LIVE["path"])
    except FileNotFoundError:
        return {}
    stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
    with LIVE_LOCK:
        if stamp != LIVE["stamp"]:
            with open(LIVE["path"], "rb") as f:
                LIVE["entries"] = read_map(f)
            LIVE["stamp"] = stamp
        return LIVE["entries"]


def answer(map_name, key):
    if key == b"whoami":
        return b"OK " + map_name
    if key.startswith(b"echo:"):
        return b"OK " + key
    if key in SPECIAL:
        return SPECIAL[key]
    live = live_entries()
    if key in live:
        return b"OK " + live[key]
    value = MAPS[map_name].get(key) if map_name in MAPS else FIXTURE.get(key)
    if value is None:
        return b"NOTFOUND "
    return b"OK " + value


class Handler(socketserver.BaseRequestHandler):
    framing = "line"

    def handle(self):
        STATS["connections"] += 1
        reader = self.request.makefile("rb", buffering=65536)
        sock = self.request
        while True:
            if self.framing == "line":
                line = reader.readline(1 << 20)
                if not line or not line.endswith(b"\n"):
                    return
                payload = line[:-1]
            else:
                digits = b""
                while True:
                    c = reader.read(1)
                    if not c:
                        return
                    if c == b":":
                        break
                    if not c.isdigit() or len(digits) > 6:
                        return
                    digits += c
                length = int(digits or b"0")
                payload = reader.read(length)
                if len(payload) != length or reader.read(1) != b",":
                    return
            map_name, _, key = payload.partition(b" ")
            if key == b"close":
                return
            if key == b"half":
                sock.sendall(self.frame(b"OK partial")[:5])
                return
            if key.startswith(b"slow"):
                time.sleep(3)
            reply = self.frame(answer(map_name, key))
            if key == b"double":
                reply = self.frame(b"OK one") + self.frame(b"OK two")
            if key == b"late":
                # a second, unasked reply a little after the first
                try:
                    sock.sendall(self.frame(b"OK one"))
                    time.sleep(0.05)
                except OSError:
                    return
                reply = self.frame(b"OK unasked")
            try:
                sock.sendall(reply)
            except OSError:
                return

    def frame(self, reply):
        if self.framing == "line":
            return reply + b"\n"
        return str(len(reply)).encode() + b":" + reply + b","


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def handler_for(framing):
    return type("Handler_" + framing, (Handler,), {"framing": framing})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unix", action="append", default=[], metavar="FRAMING:PATH")
    parser.add_argument("--tcp", action="append", default=[], metavar="FRAMING:PORT")
    parser.add_argument("--map-file")
    parser.add_argument("--live-map-file")
    parser.add_argument("--entry", action="append", default=[], metavar="'MAP KEY VALUE'")
    parser.add_argument("--pidfile")
    args = parser.parse_args()

    for spec in args.entry:
        map_name, _, rest = spec.encode().partition(b" ")
        key, _, value = rest.partition(b" ")
        MAPS.setdefault(map_name, {})[key] = value

    if args.map_file:
        with open(args.map_file, "rb") as f:
            FIXTURE.update(read_map(f))
    LIVE["path"] = args.live_map_file

    servers = []
    for spec in args.unix:
        framing, _, path = spec.partition(":")
        if os.path.exists(path):
            os.unlink(path)
        servers.append(UnixServer(path, handler_for(framing)))
    for spec in args.tcp:
        framing, _, port = spec.partition(":")
        servers.append(TCPServer(("127.0.0.1", int(port)), handler_for(framing)))
    if not servers:
        parser.error("give at least one --unix or --tcp listener")

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.pidfile:
        with open(args.pidfile + ".tmp", "w") as f:
            f.write(str(os.getpid()) + "\n")
        os.rename(args.pidfile + ".tmp", args.pidfile)
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    servers[0].serve_forever()


if __name__ == "__main__":
    sys.exit(main())
