#!/usr/bin/env python3
"""Dispatch benchmark driven by scripts/bench-dispatch.sh (see there), side by side with what a
team would build instead, on the same data in the same run.

Data: DEBTORS debtors, each with one invoice 5 days overdue and one email contact; the email window
open around the clock; the standard three-attempt email stage, so every debtor's first reminder is
due at once.

Rows:
- Overdue, `overdue worker` processes (sandbox channel) started cold, until every first reminder is
  recorded sent: attempts/s = DEBTORS / elapsed.
- Plain loop (SQLite peer): Python's sqlite3, one transaction per debtor — read the open invoices
  (amount less payments) and the contact, render the reminder, insert the sent message, advance the
  case — on the same CSV files loaded into its own tables (WAL, synchronous=NORMAL, as Overdue).
- pgqueuer (PostgreSQL peer): pgqueuer 1.6 with asyncpg, WORKERS worker processes (drain mode,
  batch 10), one job per debtor doing the same work as the plain loop in one asyncpg transaction.
- Planning: `overdue run` over one virtual day for PLAN_DEBTORS debtors: plannings/s.
- Claim-to-start (Overdue rows): with the workers idle, 200 case jobs are moved to fall due over
  the next 20 s (10 per second, announced with NOTIFY on PostgreSQL as any scheduling does) and each
  worker's debug log gives, per job, how long after its due time it was claimed: p50/p99.
"""
import argparse, asyncio, json, os, re, sqlite3, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timedelta, timezone

DUE = "2026-01-31"

def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)

def log(*a):
    print(*a, file=sys.stderr, flush=True)

def write_data(work, n):
    """The CSV files every contender loads."""
    d = f"{work}/data-{n}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/inv.csv", "w") as f:
        f.write("invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number\n")
        for i in range(n):
            f.write(f"B-{i},D{i},Debtor {i},{100 + i % 900}.{i % 100:02d},USD,2026-01-01,{DUE},L-{i}\n")
    with open(f"{d}/con.csv", "w") as f:
        f.write("debtor_id,name,email,timezone\n")
        for i in range(n):
            f.write(f"D{i},AP {i},ap{i}@debtor.example,America/Chicago\n")
    with open(f"{d}/policy.json", "w") as f:
        f.write('{"name": "email-only", "start_after_due_days": 1, "stages": [{"channel": "email", "attempts": 3, "delay_days": 3}], "on_exhausted": "handoff"}')
    return d

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

def new_db(a, work, engine, name):
    if engine == "sqlite":
        return f"sqlite://{work}/{name}.sqlite"
    run([a.psql, a.postgres, "-qc", f"CREATE DATABASE {name}"])
    return a.postgres.rsplit("/", 1)[0] + "/" + name

def prepare_overdue(a, data, db):
    cli = lambda *args: run([a.bin, *args, "--db", db], cwd=data)
    cli("policy", "set", "policy.json")
    for kv in (("window.days", "all"), ("window.start", "00:00"), ("window.end", "24:00")):
        cli("settings", "set", *kv)
    cli("import", "contacts", "con.csv")
    cli("import", "invoices", "inv.csv")

def overdue_dispatch(a, work, engine, k, n, data, latency):
    db = new_db(a, work, engine, f"od_{engine}_{k}_{n}_{int(time.time())}")
    prepare_overdue(a, data, db)
    # Throughput at the log level a deployment runs (info); the claim lag is read from debug lines,
    # so the latency part restarts the workers with them.
    env = dict(os.environ)
    env.pop("OVERDUE_LOG_LEVEL", None)
    env.pop("OVERDUE_SANDBOX_RECORD", None)
    logs = [open(f"{work}/{os.path.basename(db)}-w{i}.log", "w") for i in range(k)]
    start_workers = lambda env: [subprocess.Popen([a.bin, "worker", "--db", db], cwd=data, env=env, stdout=subprocess.DEVNULL, stderr=logs[i])
                                 for i in range(k)]
    start = time.monotonic()
    procs = start_workers(env)
    rss = []
    base = None
    try:
        while count_sent(a, engine, db) < n:
            if any(p.poll() is not None for p in procs):
                raise SystemExit(f"a worker stopped; see {work}")
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        if latency:
            rss = [peak_rss_mib(p.pid) for p in procs]
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait()
            procs = start_workers(dict(env, OVERDUE_LOG_LEVEL="debug"))
            time.sleep(2)
            # Move jobs to fall due over the next seconds, 10 per second (below every configuration's
            # throughput, so this measures the wake-up, not a backlog).
            m = min(a.latency_jobs, n)
            base = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
            updates = "".join(
                f"UPDATE jobs SET due_at = '{(base + timedelta(seconds=i // 10)).strftime('%Y-%m-%dT%H:%M:%SZ')}' WHERE subject = 'D{i}';\n"
                for i in range(m))
            sql(a, engine, db, "BEGIN;\n" + updates + "COMMIT;\n" + ("NOTIFY overdue_jobs;\n" if engine == "postgres" else ""))
            time.sleep(3 + m / 10 + 3)
    finally:
        rss = rss + [peak_rss_mib(p.pid) for p in procs]
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait()
        for f in logs:
            f.close()
    lags = []
    if base is not None:
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
    pct = lambda p: lags[min(len(lags) - 1, int(p * len(lags)))] if lags else None
    return {"rate": n / elapsed, "seconds": elapsed, "p50_ms": pct(0.5), "p99_ms": pct(0.99), "rss_mib": max(r for r in rss if r is not None) if any(rss) else None}

def peak_rss_mib(pid):
    """A process's peak resident memory (VmHWM), MiB."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None

# --- the peers' shared per-debtor work -------------------------------------------------------

PEER_SCHEMA = """
CREATE TABLE debtors (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE invoices (number TEXT PRIMARY KEY, debtor_id TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL,
                       due_date TEXT NOT NULL, load_number TEXT);
CREATE INDEX invoices_debtor ON invoices (debtor_id);
CREATE TABLE payments (id TEXT PRIMARY KEY, invoice_number TEXT NOT NULL, amount_minor BIGINT NOT NULL);
CREATE INDEX payments_invoice ON payments (invoice_number);
CREATE TABLE contacts (id BIGINT PRIMARY KEY, debtor_id TEXT NOT NULL, name TEXT NOT NULL, email TEXT);
CREATE INDEX contacts_debtor ON contacts (debtor_id);
CREATE TABLE messages (id TEXT PRIMARY KEY, debtor_id TEXT NOT NULL, contact_id BIGINT, at TEXT NOT NULL, subject TEXT, body TEXT NOT NULL,
                       status TEXT NOT NULL);
CREATE INDEX messages_debtor ON messages (debtor_id, at);
CREATE TABLE cases (debtor_id TEXT PRIMARY KEY, attempts INTEGER NOT NULL, next_at TEXT, balance_minor BIGINT NOT NULL);
"""

TEMPLATE = ("Hello {name},\n\nOur records show {count} invoice(s) past due with {company}, {total} in all:\n{lines}\n"
            "Please arrange payment or let us know when to expect it.\n\nThank you,\nAccounts receivable")

def peer_rows(data):
    import csv
    debtors, invoices, contacts = {}, [], []
    with open(f"{data}/inv.csv") as f:
        for r in csv.DictReader(f):
            debtors[r["debtor_id"]] = r["debtor_name"]
            whole, _, frac = r["amount"].partition(".")
            invoices.append((r["invoice_number"], r["debtor_id"], int(whole) * 100 + int((frac + "00")[:2]), r["currency"], r["due_date"], r["load_number"]))
    with open(f"{data}/con.csv") as f:
        for i, r in enumerate(csv.DictReader(f)):
            contacts.append((i + 1, r["debtor_id"], r["name"], r["email"]))
    return list(debtors.items()), invoices, contacts

def render(debtor, contact_name, invoices):
    total = sum(b for _, b, _, _ in invoices)
    lines = "\n".join(f"- {num} (load {load}), due {due}: {b / 100:,.2f} USD" for num, b, due, load in invoices)
    return (f"Reminder: {total / 100:,.2f} USD past due",
            TEMPLATE.format(name=contact_name, count=len(invoices), company="My Trucking Co", total=f"{total / 100:,.2f} USD", lines=lines))

OPEN_SQL = """SELECT i.number, i.amount_minor - COALESCE((SELECT SUM(p.amount_minor) FROM payments p WHERE p.invoice_number = i.number), 0) AS balance,
                     i.due_date, i.load_number
              FROM invoices i WHERE i.debtor_id = {d} ORDER BY i.due_date, i.number"""
NOW = "2026-02-05T15:00:00Z"
NEXT = "2026-02-08T15:00:00Z"

def plain_loop(work, n, data):
    path = f"{work}/plain-{n}-{int(time.time())}.sqlite"
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.executescript(PEER_SCHEMA)
    debtors, invoices, contacts = peer_rows(data)
    con.execute("BEGIN")
    con.executemany("INSERT INTO debtors VALUES (?, ?)", debtors)
    con.executemany("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?)", invoices)
    con.executemany("INSERT INTO contacts VALUES (?, ?, ?, ?)", contacts)
    con.execute("COMMIT")
    open_sql = OPEN_SQL.format(d="?")
    start = time.monotonic()
    for (debtor_id,) in con.execute("SELECT id FROM debtors ORDER BY id").fetchall():
        con.execute("BEGIN IMMEDIATE")
        open_invoices = [r for r in con.execute(open_sql, (debtor_id,)).fetchall() if r[1] > 0]
        contact = con.execute("SELECT id, name, email FROM contacts WHERE debtor_id = ? ORDER BY id LIMIT 1", (debtor_id,)).fetchone()
        if open_invoices and contact:
            subject, body = render(debtor_id, contact[1], open_invoices)
            con.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, 'sent')", (f"{debtor_id}/1", debtor_id, contact[0], NOW, subject, body))
            con.execute(
                "INSERT INTO cases VALUES (?, 1, ?, ?) ON CONFLICT (debtor_id) DO UPDATE SET attempts = cases.attempts + 1, next_at = excluded.next_at, balance_minor = excluded.balance_minor",
                (debtor_id, NEXT, sum(r[1] for r in open_invoices)))
        con.execute("COMMIT")
    elapsed = time.monotonic() - start
    sent = con.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    con.close()
    assert sent == n, f"plain loop sent {sent} of {n}"
    return {"rate": n / elapsed, "seconds": elapsed}

PGQ_WORKER = r'''
import asyncio, os, sys
import asyncpg
from pgqueuer import PgQueuer
from pgqueuer.db import AsyncpgDriver
from pgqueuer.models import Job
from pgqueuer.types import QueueExecutionMode
sys.path.insert(0, os.environ["BENCH_DIR"])
from bench_dispatch_peer import render, OPEN_SQL, NOW, NEXT

async def main():
    dsn = os.environ["BENCH_DSN"]
    queue = await asyncpg.connect(dsn)
    # pgqueuer runs a batch's jobs concurrently: each takes a connection of a small pool.
    pool = await asyncpg.create_pool(dsn, min_size=4, max_size=4)
    open_sql = OPEN_SQL.format(d="$1")
    pgq = PgQueuer(AsyncpgDriver(queue))

    @pgq.entrypoint("plan")
    async def plan(job: Job) -> None:
        try:
            await work_on(job.payload.decode())
        except Exception:
            import traceback
            traceback.print_exc()
            raise

    async def work_on(debtor_id):
        async with pool.acquire() as work, work.transaction():
            open_invoices = [tuple(r) for r in await work.fetch(open_sql, debtor_id) if r[1] > 0]
            contact = await work.fetchrow("SELECT id, name, email FROM contacts WHERE debtor_id = $1 ORDER BY id LIMIT 1", debtor_id)
            if open_invoices and contact:
                subject, body = render(debtor_id, contact["name"], open_invoices)
                await work.execute("INSERT INTO messages VALUES ($1, $2, $3, $4, $5, $6, 'sent')", f"{debtor_id}/1", debtor_id, contact["id"], NOW, subject, body)
                await work.execute(
                    "INSERT INTO cases VALUES ($1, 1, $2, $3) ON CONFLICT (debtor_id) DO UPDATE SET attempts = cases.attempts + 1, next_at = excluded.next_at, balance_minor = excluded.balance_minor",
                    debtor_id, NEXT, sum(r[1] for r in open_invoices))

    await pgq.run(mode=QueueExecutionMode.drain, batch_size=10)

asyncio.run(main())
'''

def pgqueuer_peer(a, work, k, n, data):
    name = f"pgq_{k}_{n}_{int(time.time())}"
    run([a.psql, a.postgres, "-qc", f"CREATE DATABASE {name}"])
    dsn = a.postgres.rsplit("/", 1)[0] + "/" + name
    with open(f"{work}/schema.sql", "w") as f:
        f.write(PEER_SCHEMA)
    run([a.psql, dsn, "-q", "-f", f"{work}/schema.sql"])
    debtors, invoices, contacts = peer_rows(data)

    async def load():
        import asyncpg
        from pgqueuer.db import AsyncpgDriver
        from pgqueuer.queries import Queries
        con = await asyncpg.connect(dsn)
        await con.copy_records_to_table("debtors", records=debtors)
        await con.copy_records_to_table("invoices", records=invoices)
        await con.copy_records_to_table("contacts", records=contacts)
        q = Queries(AsyncpgDriver(con))
        await q.install()
        ids = [d for d, _ in debtors]
        for i in range(0, len(ids), 1000):
            chunk = ids[i:i + 1000]
            await q.enqueue(["plan"] * len(chunk), [d.encode() for d in chunk], [0] * len(chunk))
        await con.close()
    asyncio.run(load())
    with open(f"{work}/bench_dispatch_peer.py", "w") as f:
        f.write(f"TEMPLATE = {TEMPLATE!r}\nOPEN_SQL = {OPEN_SQL!r}\nNOW = {NOW!r}\nNEXT = {NEXT!r}\n")
        import inspect
        f.write(inspect.getsource(render))
    with open(f"{work}/pgq_worker.py", "w") as f:
        f.write(PGQ_WORKER)
    env = dict(os.environ, BENCH_DSN=dsn, BENCH_DIR=work)
    start = time.monotonic()
    procs = [subprocess.Popen([sys.executable, f"{work}/pgq_worker.py"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(f"{work}/pgq-w{i}.log", "w")) for i in range(k)]
    for p in procs:
        p.wait()
    elapsed = time.monotonic() - start
    sent = int(run([a.psql, dsn, "-tAc", "SELECT COUNT(*) FROM messages"]).stdout.strip())
    if sent != n:
        raise SystemExit(f"pgqueuer sent {sent} of {n}; see {work}/pgq-w*.log")
    return {"rate": n / elapsed, "seconds": elapsed}

def planning(a, work, n):
    data = write_data(work, n)
    db = new_db(a, work, "sqlite", f"plan_{n}_{int(time.time())}")
    prepare_overdue(a, data, db)
    start = time.monotonic()
    run([a.bin, "run", "--from", "2026-02-05T00:00:00Z", "--until", "2026-02-06T00:00:00Z", "--db", db], cwd=data)
    elapsed = time.monotonic() - start
    return {"rate": n / elapsed, "seconds": elapsed}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--postgres", required=True, help="admin URL of a throwaway server")
    ap.add_argument("--psql", default="psql")
    ap.add_argument("--sqlite-debtors", default="1000,5000,50000")
    ap.add_argument("--postgres-debtors", type=int, default=5000)
    ap.add_argument("--postgres-workers", type=int, default=2)
    ap.add_argument("--plan-debtors", type=int, default=20000)
    ap.add_argument("--latency-jobs", type=int, default=200)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="overdue-bench-")
    rows = []
    for n in [int(x) for x in a.sqlite_debtors.split(",") if x]:
        data = write_data(work, n)
        od = overdue_dispatch(a, work, "sqlite", 1, n, data, latency=(n == 5000))
        peer = plain_loop(work, n, data)
        rows.append(("SQLite, 1 worker", n, od, "plain Python sqlite3 loop", peer))
        log(json.dumps(rows[-1][2:]))
    n, k = a.postgres_debtors, a.postgres_workers
    data = write_data(work, n)
    od = overdue_dispatch(a, work, "postgres", k, n, data, latency=True)
    peer = pgqueuer_peer(a, work, k, n, data)
    rows.append((f"PostgreSQL, {k} workers", n, od, f"pgqueuer 1.6 + asyncpg, {k} workers", peer))
    log(json.dumps(rows[-1][2:]))
    plan = planning(a, work, a.plan_debtors)

    print(f"\nRelease build; {os.cpu_count()} cores; workers, peers and the database on one machine; "
          "each debtor's first of three email reminders due at once (sandbox channel)\n")
    print("| Engine | Debtors | Overdue attempts/s | Peer (same data, same run) | Peer attempts/s | Overdue ÷ peer | Claim-to-start p50 / p99 | Worker peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for engine, n, od, peer_name, peer in rows:
        lat = f"{od['p50_ms']} ms / {od['p99_ms']} ms" if od["p50_ms"] is not None else "—"
        rss = f"{od['rss_mib']:.0f} MiB" if od.get("rss_mib") else "—"
        print(f"| {engine} | {n:,} | {od['rate']:,.0f} | {peer_name} | {peer['rate']:,.0f} | {od['rate'] / peer['rate']:.2f}× | {lat} | {rss} |")
    print(f"\nPlanning: `overdue run` over one virtual day, {a.plan_debtors:,} debtors: {plan['rate']:,.0f} plannings/s ({plan['seconds']:.1f} s)")

if __name__ == "__main__":
    main()
