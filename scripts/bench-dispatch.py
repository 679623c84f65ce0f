#!/usr/bin/env python3
"""Dispatch benchmark driven by scripts/bench-dispatch.sh (see there).

For each engine and worker count: a fresh database with DEBTORS debtors, each with one overdue
invoice and one email contact (email open around the clock, a one-attempt ladder), so every debtor's
reminder is due at once. Workers (sandbox channel) are started and the clock runs until every
reminder is recorded as sent: attempts/s = DEBTORS / elapsed.

Then, with the workers idle, LATENCY_JOBS case jobs are moved to fall due over the next seconds
(10 per second, announced with NOTIFY on PostgreSQL as any scheduling does) and each worker's debug
log gives, per job, how long after its due time it was claimed: claim-to-start p50/p99.
"""
import argparse, json, os, re, sqlite3, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timedelta, timezone

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--postgres", required=True, help="admin URL of a throwaway server")
    ap.add_argument("--psql", default="psql")
    ap.add_argument("--debtors", type=int, default=5000)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--latency-jobs", type=int, default=200)
    ap.add_argument("--engines", default="sqlite,postgres")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="overdue-bench-")
    n = a.debtors
    with open(f"{work}/inv.csv", "w") as f:
        f.write("invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date\n")
        for i in range(n):
            f.write(f"B-{i},D{i},Debtor {i},100.00,USD,2026-01-01,2026-01-31\n")
    with open(f"{work}/con.csv", "w") as f:
        f.write("debtor_id,name,email\n")
        for i in range(n):
            f.write(f"D{i},AP {i},ap{i}@debtor.example\n")
    with open(f"{work}/policy.json", "w") as f:
        f.write('{"name": "once", "start_after_due_days": 0, "stages": [{"channel": "email", "attempts": 1, "delay_days": 1}], "on_exhausted": "handoff"}')

    rows = []
    for engine in a.engines.split(","):
        for k in [int(x) for x in a.workers.split(",")]:
            name = f"bench_{engine}_{k}_{int(time.time())}"
            if engine == "sqlite":
                db = f"sqlite://{work}/{name}.sqlite"
            else:
                run([a.psql, a.postgres, "-qc", f"CREATE DATABASE {name}"])
                db = a.postgres.rsplit("/", 1)[0] + "/" + name
            rows.append(bench(a, work, engine, k, db, n))
            print(json.dumps(rows[-1]), file=sys.stderr)

    print(f"\n{n:,} debtors, one due email attempt each; release build; {os.cpu_count()} cores; "
          f"workers and the database on one machine\n")
    print("| Engine | Workers | Attempts dispatched/s | Claim-to-start p50 | p99 |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['engine']} | {r['workers']} | {r['rate']:,.0f} | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms |")

def count_sent(a, engine, db):
    sql = "SELECT COUNT(*) FROM messages WHERE status = 'sent'"
    if engine == "sqlite":
        con = sqlite3.connect(db[len("sqlite://"):], timeout=30)
        try:
            return con.execute(sql).fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            con.close()
    return int(run([a.psql, db, "-tAc", sql]).stdout.strip() or 0)

def sql(a, engine, db, text):
    if engine == "sqlite":
        con = sqlite3.connect(db[len("sqlite://"):], timeout=30)
        con.executescript(text)
        con.close()
    else:
        run([a.psql, db, "-qc", text])

def bench(a, work, engine, k, db, n):
    cli = lambda *args: run([a.bin, *args, "--db", db], cwd=work)
    cli("policy", "set", "policy.json")
    for kv in (("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00")):
        cli("settings", "set", *kv)
    cli("import", "contacts", "con.csv")
    cli("import", "invoices", "inv.csv")
    env = dict(os.environ, OVERDUE_LOG_LEVEL="debug")
    env.pop("OVERDUE_SANDBOX_RECORD", None)
    logs = [open(f"{work}/{os.path.basename(db)}-w{i}.log", "w") for i in range(k)]
    start = time.monotonic()
    procs = [subprocess.Popen([a.bin, "worker", "--db", db], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=logs[i])
             for i in range(k)]
    try:
        while count_sent(a, engine, db) < n:
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        time.sleep(2)
        # Latency: move jobs to fall due over the next seconds, 10 per second (below every
        # configuration's throughput, so this measures the wake-up, not a backlog).
        m = min(a.latency_jobs, n)
        base = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
        updates = "".join(
            f"UPDATE jobs SET due_at = '{(base + timedelta(seconds=i // 10)).strftime('%Y-%m-%dT%H:%M:%SZ')}' WHERE subject = 'D{i}';\n"
            for i in range(m))
        sql(a, engine, db, "BEGIN;\n" + updates + "COMMIT;\n" + ("NOTIFY overdue_jobs;\n" if engine == "postgres" else ""))
        time.sleep(3 + m / 10 + 3)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        for f in logs:
            f.close()
    lags = []
    first = base.strftime('%Y-%m-%dT%H:%M:%SZ')
    for i in range(k):
        for line in open(f"{work}/{os.path.basename(db)}-w{i}.log"):
            if "claimed" not in line:
                continue
            due = re.search(r"due=(\S+)", line)
            lag = re.search(r"lag_ms=(\d+)", line)
            if due and lag and due.group(1) >= first:
                lags.append(int(lag.group(1)))
    lags.sort()
    pct = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))] if lags else float("nan")
    return {"engine": "PostgreSQL" if engine == "postgres" else "SQLite", "workers": k, "seconds": round(elapsed, 2),
            "rate": n / elapsed, "latency_jobs": len(lags), "p50_ms": pct(0.5), "p99_ms": pct(0.99)}

if __name__ == "__main__":
    main()
