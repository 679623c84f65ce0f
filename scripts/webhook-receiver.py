#!/usr/bin/env python3
"""A webhook receiver for Overdue written with Python's standard library only.

It is both the reference for integrators (how to check `Overdue-Signature`) and the independent
verifier the test suite runs against the server's outbound webhooks.

    python3 scripts/webhook-receiver.py --secret whsec_... [--port 8099] [--log events.jsonl] [--fail-first N]
    python3 scripts/webhook-receiver.py --secret-file secret.txt ...   (read on every request)

Each POST is checked: the header is `t=<unix seconds>,v1=<hex>`; v1 must equal
HMAC-SHA256(secret, "<t>." + raw body) (compared in constant time) and t must be within five
minutes of now. Valid events answer 200 (or 503 for the first N, to simulate an outage); invalid
ones answer 400. Every request is logged as one JSON line: {"verified", "status", "id", "type",
"event_id_header", "reason"}. The chosen port is printed as "listening PORT" on stdout.
"""
import argparse
import hashlib
import hmac
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300


def verify(header, body, secret, now=None):
    """Returns (ok, reason)."""
    now = time.time() if now is None else now
    if not header:
        return False, "no Overdue-Signature header"
    t, sigs = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            t = value
        elif key == "v1":
            sigs.append(value)
    if t is None or not t.isdigit() or not sigs:
        return False, "malformed signature header"
    if abs(now - int(t)) > TOLERANCE:
        return False, "timestamp outside the tolerance"
    expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in sigs):
        return False, "signature mismatch"
    return True, "ok"


def main():
    # A parent may have set SIGTERM/SIGINT to be ignored (service runners do); ignored signals are
    # inherited, so put the defaults back or this server could not be stopped.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--secret")
    group.add_argument("--secret-file", help="a file holding the secret, read on every request")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", default=None, help="append one JSON line per request here")
    ap.add_argument("--fail-first", type=int, default=0, help="answer 503 to the first N valid events")
    args = ap.parse_args()
    lock = threading.Lock()
    state = {"failed": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            secret = args.secret
            if args.secret_file:
                with open(args.secret_file) as f:
                    secret = f.read().strip()
            ok, reason = verify(self.headers.get("Overdue-Signature"), body, secret)
            entry = {"verified": ok, "reason": reason, "event_id_header": self.headers.get("Overdue-Event-Id")}
            status = 400
            if ok:
                event = json.loads(body)
                entry.update(id=event.get("id"), type=event.get("type"), tenant=event.get("tenant"), data=event.get("data"))
                with lock:
                    if state["failed"] < args.fail_first:
                        state["failed"] += 1
                        status = 503
                    else:
                        status = 200
            entry["status"] = status
            if args.log:
                with lock, open(args.log, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(reason.encode())

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
