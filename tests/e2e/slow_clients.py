"""Hostile slow clients, for the robustness tests and for measuring by hand.

From one source address (or a few), many connections that trickle their headers a few
bytes at a time, that send a body slowly after complete headers, or that sit
idle after one keep-alive request. Every connection the server closes (or
refuses) is opened again after --reopen seconds, as a persistent attacker
would. Prints "ready" once SIGTERM and SIGINT stop it cleanly, runs for
--seconds (or until one of them), then prints one JSON line of counts:

    python3 slow_clients.py --port 8080 --source 127.0.0.2 --headers 2000 --seconds 60

Counts: opened (connection attempts), established, closed (by the server or
refused: connection reset or end of stream), max_open (most connections
established at once), bytes (sent).
"""
import argparse
import errno
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import time

OPENING = {
    "headers": b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\n",
    "body": (b"POST /api/v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: 100000\r\n\r\n{"),
    "idle": b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
}
TRICKLE = {"headers": b"X-a: b\r\n", "body": b"aaaa", "idle": b""}


class Slot:
    def __init__(self, kind):
        self.kind = kind
        self.sock = None
        self.state = "closed"  # closed → connecting → open
        self.due = 0.0  # next action: (re)open when closed, trickle when open


class Attack:
    def __init__(self, args):
        self.args = args
        self.sel = selectors.DefaultSelector()
        self.slots = [Slot(k) for k, n in (("headers", args.headers), ("body", args.bodies),
                                            ("idle", args.idle)) for _ in range(n)]
        now = time.monotonic()
        sources = args.source.split(",")
        for i, slot in enumerate(self.slots):  # open them over the first second
            slot.due = now + i / max(len(self.slots), 1)
            slot.source = sources[i % len(sources)]
        self.counts = {"opened": 0, "established": 0, "closed": 0, "max_open": 0, "bytes": 0}
        self.open_now = 0
        self.stopping = False

    def open(self, slot, now):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.bind((slot.source, 0))
            err = s.connect_ex((self.args.host, self.args.port))
        except OSError as e:
            err = e.errno
        self.counts["opened"] += 1
        if err not in (0, errno.EINPROGRESS):
            s.close()
            slot.due = now + self.args.reopen
            return
        slot.sock, slot.state = s, "connecting"
        self.sel.register(s, selectors.EVENT_WRITE, slot)

    def close(self, slot, now):
        self.sel.unregister(slot.sock)
        slot.sock.close()
        if slot.state == "open":
            self.open_now -= 1
        self.counts["closed"] += 1
        slot.sock, slot.state = None, "closed"
        slot.due = now + self.args.reopen

    def send(self, slot, data, now):
        try:
            self.counts["bytes"] += slot.sock.send(data)
            return True
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            self.close(slot, now)
            return False

    def on_event(self, slot, now):
        if slot.state == "connecting":
            if slot.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                self.close(slot, now)
                return
            slot.state = "open"
            self.open_now += 1
            self.counts["established"] += 1
            self.counts["max_open"] = max(self.counts["max_open"], self.open_now)
            self.sel.modify(slot.sock, selectors.EVENT_READ, slot)
            if self.send(slot, OPENING[slot.kind], now):
                slot.due = now + self.args.interval * random.uniform(0.5, 1.0)
            return
        try:
            data = slot.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the server ended it (an idle client reads its answer and stays)
            self.close(slot, now)

    def tick(self, now):
        for slot in self.slots:
            if slot.due > now:
                continue
            if slot.state == "closed" and not self.stopping:
                self.open(slot, now)
            elif slot.state == "open":
                slot.due = now + self.args.interval
                if TRICKLE[slot.kind]:
                    self.send(slot, TRICKLE[slot.kind], now)

    def run(self):
        end = time.monotonic() + self.args.seconds if self.args.seconds else float("inf")
        next_tick = 0.0
        while not self.stopping and time.monotonic() < end:
            for key, _ in self.sel.select(timeout=0.05):
                self.on_event(key.data, time.monotonic())
            now = time.monotonic()
            if now >= next_tick:
                self.tick(now)
                next_tick = now + 0.05
        for slot in self.slots:
            if slot.sock:
                slot.sock.close()
        return self.counts


class Attacker:
    """This file run as a separate process (its own interpreter, so the test's
    own clients keep their pace): `with Attacker(port, headers=2000) as a:`;
    a.counts holds its counts after the block."""

    def __init__(self, port, source="127.0.0.2", **opts):
        self.argv = ["/usr/bin/python3", os.path.abspath(__file__), "--port", str(port),
                     "--source", source]
        for k, v in opts.items():
            self.argv += ["--" + k, str(v)]
        self.counts = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, text=True)
        # Until it says so, a SIGTERM would kill it before its handler is set.
        assert self.proc.stdout.readline().strip() == "ready", "slow_clients.py did not start"
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=60)
        assert self.proc.returncode == 0, f"slow_clients.py exited {self.proc.returncode}"
        self.counts = json.loads(out.strip().splitlines()[-1])
        return False


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--source", default="127.0.0.2",
                   help="source address of every connection (a comma-separated list: in turn)")
    p.add_argument("--headers", type=int, default=0, help="connections trickling their headers")
    p.add_argument("--bodies", type=int, default=0, help="connections sending a body slowly")
    p.add_argument("--idle", type=int, default=0, help="idle keep-alive connections")
    p.add_argument("--interval", type=float, default=5.0, help="seconds between trickles")
    p.add_argument("--reopen", type=float, default=1.0, help="seconds before reopening a closed one")
    p.add_argument("--seconds", type=float, default=0, help="how long (0: until signalled)")
    args = p.parse_args()
    attack = Attack(args)

    def stop(*_):
        attack.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("ready", flush=True)
    print(json.dumps(attack.run()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
