#!/usr/bin/env python3
"""Dashboard benchmark: how long the server takes to answer each dashboard page with 10,000 cases.

Builds a book of N debtors (3 invoices each, one contact each, payments on a fifth of them), runs the
ladder for the last 45 days on the virtual clock (so there are messages, decisions, replies' worth
of history), starts `overdue serve`, signs in through the form and times each page over loopback
(curl-like, from Python's http.client: request sent → last byte read). Prints the median, p95 and
max per page. Usage: bench-dashboard.py OVERDUE_BIN [DEBTORS] [ROUNDS]
OVERDUE_BENCH_REUSE=DIR times the pages again on the book an earlier run left in DIR (it is kept)."""
import datetime as dt
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse


def main() -> None:
    binary = sys.argv[1]
    debtors = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    reuse = os.environ.get("OVERDUE_BENCH_REUSE")
    work = reuse or tempfile.mkdtemp(prefix="overdue-bench-")
    db = f"sqlite://{work}/bench.sqlite"
    env = dict(os.environ, OVERDUE_TENANT="bench", OVERDUE_LOG_LEVEL="warning", OVERDUE_COOKIE_SECURE="0")
    today = dt.date.today()
    rng = random.Random(7)

    def run(*args: str, stdin: str | None = None) -> str:
        out = subprocess.run([binary, *args, "--db", db], input=stdin, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            sys.exit(f"{' '.join(args)} failed:\n{out.stderr}")
        return out.stdout

    password = "bench-harbor-lantern-42"
    if not reuse:
        build_book(run, work, debtors, today, rng)
        run("users", "create", "--email", "owner@bench.test", "--role", "owner", stdin=password + "\n")
    serve_and_time(binary, db, env, work, password, rounds)


def build_book(run, work, debtors, today, rng) -> None:
    print(f"== a book of {debtors:,} debtors in {work} (kept: OVERDUE_BENCH_REUSE={work} times the pages again) ==", file=sys.stderr)
    with open(f"{work}/invoices.csv", "w") as f:
        f.write("invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number\n")
        for d in range(debtors):
            for k in range(3):
                issued = today - dt.timedelta(days=rng.randint(20, 160))
                cents = rng.randint(30_000, 950_000)
                f.write(f"INV-{d:06d}-{k},D{d:06d},Debtor {d} Freight,{cents / 100:.2f},USD,{issued},{issued + dt.timedelta(days=30)},L{d}{k}\n")
    with open(f"{work}/contacts.csv", "w") as f:
        f.write("debtor_id,name,email,phone,timezone,sms_consent,call_consent\n")
        for d in range(debtors):
            f.write(f"D{d:06d},AP {d},ap{d}@debtor{d}.example,+1312555{d % 10000:04d},America/Chicago,true,true\n")
    with open(f"{work}/payments.csv", "w") as f:
        f.write("payment_id,debtor_id,amount,currency,date,reference\n")
        for d in range(0, debtors, 5):
            f.write(f"P{d:06d},D{d:06d},{rng.randint(10_000, 300_000) / 100:.2f},USD,{today - dt.timedelta(days=rng.randint(1, 40))},CHK {d}\n")
    started = time.monotonic()
    for kind in ("invoices", "contacts", "payments"):
        run("import", kind, f"{work}/{kind}.csv")
    print(f"imported in {time.monotonic() - started:.1f} s", file=sys.stderr)
    started = time.monotonic()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    print(run("run", "--from", (now - dt.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M:%SZ"), "--until", now.strftime("%Y-%m-%dT%H:%M:%SZ")).strip(), file=sys.stderr)
    print(f"45 days of ladder in {time.monotonic() - started:.1f} s", file=sys.stderr)


def serve_and_time(binary, db, env, work, password, rounds) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([binary, "serve", "--db", db, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/login", body=urllib.parse.urlencode({"email": "owner@bench.test", "password": password, "next": "/app"}),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        r.read()
        cookie = r.getheader("Set-Cookie", "").split(";")[0]
        if not cookie.startswith("overdue_session="):
            sys.exit(f"sign-in failed: HTTP {r.status}")
        worst = f"D{0:06d}"
        pages = ["/app", "/app/cases", "/app/cases?q=INV-000042-1", f"/app/cases/{worst}", "/app/inbox", "/app/inbox?page=100", "/app/cadence",
                 "/app/templates", "/app/settings", "/app/settings/users", "/app/settings/keys", "/app/settings/webhooks", "/app/account", "/app/import",
                 "/app/audit"]
        print("| page | first request | median | p95 | max | size |")
        print("|---|---:|---:|---:|---:|---:|")
        for page in pages:
            times = []
            first = 0.0
            size = 0
            for i in range(rounds + 2):
                t = time.perf_counter()
                conn.request("GET", page, headers={"Cookie": cookie})
                resp = conn.getresponse()
                body = resp.read()
                elapsed = (time.perf_counter() - t) * 1000
                if resp.status != 200:
                    sys.exit(f"{page}: HTTP {resp.status}")
                size = len(body)
                if i == 0:
                    first = elapsed
                if i >= 2:  # two warm-ups
                    times.append(elapsed)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            print(f"| `{page}` | {first:.1f} ms | {statistics.median(times):.1f} ms | {p95:.1f} ms | {times[-1]:.1f} ms | {size / 1024:.0f} KiB |")
        counts = subprocess.run(["sqlite3", f"{work}/bench.sqlite", "SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM invoices), (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM decisions)"],
                                capture_output=True, text=True).stdout.strip()
        if counts:
            c, i, m, d = counts.split("|")
            print(f"\nstore: {int(c):,} cases, {int(i):,} invoices, {int(m):,} messages, {int(d):,} decisions; {os.cpu_count()} cores", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
