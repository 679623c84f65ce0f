#!/usr/bin/env python3
"""Writes a synthetic invoices CSV for the import benchmark: N rows, PER rows per debtor (default 50).

    scripts/gen-invoices.py N OUT [PER]
"""
import random
import sys

def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = sys.argv[2] if len(sys.argv) > 2 else "invoices-bench.csv"
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    rng = random.Random(42)
    with open(out, "w", newline="") as f:
        f.write("invoice_number,debtor_id,debtor_name,amount,currency,issue_date,due_date,load_number,pro_number,bol_number,po_number,terms,factored\n")
        for i in range(n):
            d = i // per
            m = 1 + (i % 12)
            day = 1 + (i % 28)
            cents = rng.randint(30_000, 950_000)
            f.write(f'INV-{i:08d},D{d:06d},"Debtor {d}, Inc","{cents // 100:,}.{cents % 100:02d}",USD,'
                    f"2026-{m:02d}-{day:02d},{m}/{day}/2027,L{i},{7_000_000 + i},BOL-{i},PO{i % 99991},Net 30,{'true' if i % 97 == 0 else 'false'}\n")
    print(f"wrote {n} rows to {out}", file=sys.stderr)

if __name__ == "__main__":
    main()
