#!/usr/bin/python3
"""An SMTP sink on 127.0.0.1 (aiosmtpd) that stores every accepted message in
a directory as NNNN.eml, with the envelope recipients in an X-Rcpt-To header.

As a module:  sink = SmtpSink(dir); sink.start(); ...; sink.messages(); sink.stop()
As a command: smtp_sink.py --dir D [--port P]  (prints "ready smtp://127.0.0.1:P")
"""
import argparse
import email
import email.policy
import os
import signal
import sys
import threading
import time

from aiosmtpd.controller import Controller

from ports import free_port


class _Handler:
    def __init__(self, outdir):
        self.outdir = outdir
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = len([f for f in os.listdir(self.outdir) if f.endswith(".eml")])
            path = os.path.join(self.outdir, "%04d.eml" % (n + 1))
            with open(path + ".tmp", "wb") as f:
                f.write(b"X-Mail-From: " + envelope.mail_from.encode() + b"\r\n")
                f.write(b"X-Rcpt-To: " + ", ".join(envelope.rcpt_tos).encode() + b"\r\n")
                f.write(envelope.original_content or envelope.content)
            os.rename(path + ".tmp", path)
        return "250 OK"


class SmtpSink:
    def __init__(self, outdir, port=None):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)
        self.port = port or free_port()
        self.controller = None

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def start(self):
        self.controller = Controller(_Handler(self.outdir), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def messages(self):
        """Every stored message, oldest first, as email.message.EmailMessage."""
        out = []
        for name in sorted(os.listdir(self.outdir)):
            if name.endswith(".eml"):
                with open(os.path.join(self.outdir, name), "rb") as f:
                    out.append(email.message_from_binary_file(f, policy=email.policy.default))
        return out

    def wait_for(self, count, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.messages()
            if len(msgs) >= count:
                return msgs
            time.sleep(0.2)
        return self.messages()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    a = ap.parse_args()
    sink = SmtpSink(a.dir, a.port or None).start()
    print("ready %s" % sink.url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    sink.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
