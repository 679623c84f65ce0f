#!/usr/bin/env python3
"""Voice-turn overhead: how long `overdue serve` takes from a signed Twilio turn webhook in to the
TwiML out (understanding, deciding, storing, answering; the provider's speech recognition is not
included). Sets up a throwaway tenant whose ladder has placed calls, starts the server, posts N
signed turns (official twilio library) over one keep-alive connection, prints p50/p95/p99.

    scripts/bench-voice.py --bin .build/release/overdue [--turns 500] [--debtors 50]
"""
import argparse, http.client, json, os, random, sys, time, urllib.parse

from twilio.request_validator import RequestValidator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
from benchserve import Bench, percentile

ap = argparse.ArgumentParser()
ap.add_argument("--bin", required=True)
ap.add_argument("--turns", type=int, default=500)
ap.add_argument("--debtors", type=int, default=50)
args = ap.parse_args()

bench = Bench(args.bin, "overdue-bench-voice-")
work, port, base, overdue = bench.work, bench.port, bench.base, bench.overdue
token = "0123456789abcdef0123456789abcdef"

inv = ["invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number"]
con = ["debtor_id,name,phone,timezone,sms_consent,call_consent"]
for i in range(args.debtors):
    inv.append(f"INV-{1000 + i},D{i},Shipper {i} LLC,{1000 + i * 13}.50,USD,2026-01-01,2026-01-31,{448000 + i}")
    con.append(f"D{i},Contact {i},+1312555{1000 + i:04d},America/Chicago,false,true")
open(f"{work}/invoices.csv", "w").write("\n".join(inv) + "\n")
open(f"{work}/contacts.csv", "w").write("\n".join(con) + "\n")
overdue("import", "invoices", f"{work}/invoices.csv")
overdue("import", "contacts", f"{work}/contacts.csv")
for k, v in [("twilio.account_sid", "AC" + "1" * 32), ("twilio.auth_token", token), ("public_url", base), ("company.name", "Prairie Line")]:
    overdue("settings", "set", k, v)
overdue("run", "--from", "2026-01-20", "--until", "2026-02-10T18:00:00Z")
calls = [json.loads(l) for l in overdue("outbox", "--format", "jsonl").splitlines()]
calls = [c for c in calls if c["channel"] == "voice"]
if not calls:
    sys.exit("no calls were placed")

server = bench.serve()
try:
    validator = RequestValidator(token)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    phrases = ["How much do we owe you right now?", "Can you tell me which invoices are open?", "ok thanks", "",
               "We will pay this on Friday", "We already paid this last week", "I need the proof of delivery for that load"]
    rnd = random.Random(7)
    times = []
    for i in range(args.turns):
        call = calls[i % len(calls)]
        path = f"/webhooks/twilio/voice/turn?tenant=bench&message={call['id']}&turn={1 + i // len(calls)}"
        params = {"CallSid": f"CA{i:032d}", "SpeechResult": rnd.choice(phrases), "Confidence": "0.9"}
        body = urllib.parse.urlencode(params)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": validator.compute_signature(base + path, params)}
        t0 = time.perf_counter()
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        times.append((time.perf_counter() - t0) * 1000)
        if r.status != 200 or b"<Response>" not in data:
            sys.exit(f"turn {i}: HTTP {r.status}: {data[:200]!r}")
    times.sort()
    q = lambda p: percentile(times, p)
    print(f"{len(times)} turns over {len(calls)} calls: p50 {q(0.50):.1f} ms, p95 {q(0.95):.1f} ms, p99 {q(0.99):.1f} ms, max {times[-1]:.1f} ms")
finally:
    server.terminate()
    server.wait()
