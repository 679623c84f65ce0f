#!/usr/bin/env python3
"""Reply latency under load, driven by scripts/bench-dispatch.sh: inbound texts posted to
`overdue serve` (SQLite, release build) as Twilio signs them (official twilio library), at a steady
RATE per second for SECONDS, each from a different debtor ("We will pay on Friday": a promise the
template composer answers). Per reply: the webhook's answer time (client side), and from posting
to the answer being queued (the inbound item handled: understood, decided, answered, re-planned;
`inbound.done_at`, written by the worker with the same wall clock). Prints p50/p99 of both.

    scripts/bench-replies.py --bin .build/release/overdue [--rate 200] [--seconds 10]
"""
import argparse, http.client, os, sqlite3, sys, threading, time, urllib.parse

from twilio.request_validator import RequestValidator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from benchserve import Bench, percentile

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--rate", type=int, default=200)
ap.add_argument("--seconds", type=int, default=10)
ap.add_argument("--connections", type=int, default=8)
args = ap.parse_args()
n = args.rate * args.seconds

bench = Bench(args.bin, "overdue-bench-replies-")
work, path, port, base, overdue = bench.work, bench.path, bench.port, bench.base, bench.overdue
token = "0123456789abcdef0123456789abcdef"

inv = ["invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number"]
con = ["debtor_id,name,phone,timezone,sms_consent,call_consent"]
for i in range(n):
    inv.append(f"INV-{100000 + i},D{i},Shipper {i} LLC,{1000 + i % 500}.50,USD,2026-01-01,2026-01-31,{448000 + i}")
    con.append(f"D{i},Contact {i},+1312{5000000 + i:07d},America/Chicago,true,true")
open(f"{work}/invoices.csv", "w").write("\n".join(inv) + "\n")
open(f"{work}/contacts.csv", "w").write("\n".join(con) + "\n")
overdue("import", "invoices", f"{work}/invoices.csv")
overdue("import", "contacts", f"{work}/contacts.csv")
for k, v in [("twilio.account_sid", "AC" + "1" * 32), ("twilio.auth_token", token), ("public_url", base), ("company.name", "Prairie Line"),
             ("window.days", "all"), ("window.start", "08:00"), ("window.end", "21:00")]:
    overdue("settings", "set", k, v)

server = bench.serve()
validator = RequestValidator(token)
sent_at = {}
webhook_ms = []
errors = []
lock = threading.Lock()

def poster(k):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    start = time.monotonic()
    # Connection k posts replies k, k+C, k+2C… each at its slot of the steady rate.
    for i in range(k, n, args.connections):
        due = start + i / args.rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        route = "/webhooks/twilio/sms?tenant=bench"
        params = {"MessageSid": f"SMbench{i}", "AccountSid": "AC" + "1" * 32, "From": f"+1312{5000000 + i:07d}", "To": "+13125550000",
                  "Body": "We will pay on Friday"}
        body = urllib.parse.urlencode(params)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(base + route, params)}
        t0 = time.time()
        try:
            conn.request("POST", route, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
        except OSError as e:
            ok = False
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        t1 = time.time()
        with lock:
            if ok:
                sent_at[f"SMbench{i}"] = t0
                webhook_ms.append((t1 - t0) * 1000)
            else:
                errors.append(i)

try:
    threads = [threading.Thread(target=poster, args=(k,)) for k in range(args.connections)]
    t_start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    posted = time.time() - t_start
    # Wait until every kept reply is handled.
    deadline = time.time() + 120
    while time.time() < deadline:
        con = sqlite3.connect(path, timeout=30)
        left = con.execute("SELECT COUNT(*) FROM inbound WHERE status = 'queued'").fetchone()[0]
        con.close()
        if left == 0:
            break
        time.sleep(0.2)
finally:
    server.terminate()
    server.wait()

con = sqlite3.connect(path, timeout=30)
rows = con.execute("SELECT dedup_key, done_ms, status FROM inbound").fetchall()
answers = con.execute("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND in_reply_to IS NOT NULL").fetchone()[0]
con.close()

# Keys are "sms:twilio:SMbench…": the provider's message id after the channel and provider.
e2e = sorted(d - sent_at[k.rsplit(":", 1)[-1]] * 1000 for k, d, st in rows if k.rsplit(":", 1)[-1] in sent_at and d and st == "done")
webhook_ms.sort()
pct = percentile
print(f"{len(sent_at)} replies posted in {posted:.1f} s ({len(sent_at) / posted:.0f}/s), {len(errors)} refused; "
      f"{len(e2e)} handled, {answers} answers queued")
print(f"webhook answered: p50 {pct(webhook_ms, 0.5):.1f} ms, p99 {pct(webhook_ms, 0.99):.1f} ms")
print(f"posted -> answer queued: p50 {pct(e2e, 0.5):.1f} ms, p99 {pct(e2e, 0.99):.1f} ms")
