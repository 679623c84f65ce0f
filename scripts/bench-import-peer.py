#!/usr/bin/env python3
"""The import benchmark's peer: what a team would write instead — Python's csv reader and sqlite3
`executemany` loading the same invoices file into a fresh SQLite file (WAL, synchronous=NORMAL, as
Overdue), amounts to minor units and US dates to ISO on the way, debtors upserted, one
transaction. Prints the seconds it took.

    scripts/bench-import-peer.py FILE.csv DB.sqlite
"""
import csv, sqlite3, sys, time

path, db = sys.argv[1], sys.argv[2]
start = time.monotonic()
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=NORMAL")
con.executescript("""
CREATE TABLE debtors (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE invoices (number TEXT PRIMARY KEY, debtor_id TEXT NOT NULL, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  issue_date TEXT NOT NULL, due_date TEXT NOT NULL, load_number TEXT, pro_number TEXT, bol_number TEXT, po_number TEXT, terms TEXT,
  factored INTEGER NOT NULL);
CREATE INDEX invoices_debtor ON invoices (debtor_id);
""")

def iso(d):
    if "/" in d:
        m, day, y = d.split("/")
        return f"{int(y):04d}-{int(m):02d}-{int(day):02d}"
    return d

def minor(a):
    whole, _, frac = a.replace(",", "").partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])

debtors = {}
rows = []
with open(path, newline="") as f:
    for r in csv.DictReader(f):
        debtors[r["debtor_id"]] = r["debtor_name"]
        rows.append((r["invoice_number"], r["debtor_id"], minor(r["amount"]), r["currency"], iso(r["issue_date"]), iso(r["due_date"]),
                     r["load_number"] or None, r["pro_number"] or None, r["bol_number"] or None, r["po_number"] or None, r["terms"] or None,
                     1 if r["factored"].lower() == "true" else 0))
con.execute("BEGIN")
con.executemany("INSERT INTO debtors VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name", debtors.items())
con.executemany(
    "INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET amount_minor = excluded.amount_minor",
    rows)
con.execute("COMMIT")
con.close()
print(f"{time.monotonic() - start:.1f}")
