#!/usr/bin/env bash
# Issue 5 benchmark, one script, one run on one machine: a generated year of receipts for N
# members (default 100,000) — Kenpo's parser (one core), Kenpo's import on SQLite and
# PostgreSQL, the 高額療養費 run for 1 and 12 months — beside a plain Python csv loop and
# DuckDB's read_csv over the same UKE files, and each backend's own bulk load of the same rows.
#
#   scripts/bench-receipts.sh [MEMBERS]        (PostgreSQL: $KENPO_BENCH_PG, default local;
#                                                KEEP=1 reuses the generated files)
set -euo pipefail
cd "$(dirname "$0")/.."
MEMBERS=${1:-100000}
PG=${KENPO_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DIR=bench-data/receipts
cargo build --release -q -p kenpo -p kenpo-bench
KENPO=target/release/kenpo
target/release/kenpo-bench receipts --members "$MEMBERS" --postgres "$PG" --dir "$DIR" ${KEEP:+--keep}

if [ ! -x target/bench-venv/bin/python ]; then
  python3 -m venv target/bench-venv
fi
# The venv is shared with bench-checkups.sh: check the package, not the folder.
target/bench-venv/bin/python -c "import duckdb" 2>/dev/null || target/bench-venv/bin/pip install -q duckdb
echo "--- baselines reading the same UKE files (python csv, duckdb read_csv; 1 thread each)"
target/bench-venv/bin/python scripts/receipt_baselines.py "$DIR/synthetic/receipts" --json > "$DIR/baselines.json"
target/bench-venv/bin/python scripts/duckdb_one_file.py "$DIR/synthetic/receipts" > "$DIR/duckdb-one-file.json"
echo "--- each backend's own bulk load of the same rows"
python3 scripts/bulk_load_baselines.py "$DIR" "$KENPO" --postgres "$PG" > "$DIR/bulk.json"

python3 - "$DIR" <<'PY'
import json, sys, os
d = sys.argv[1]
k = json.load(open(os.path.join(d, "kenpo-bench.json")))
b = json.load(open(os.path.join(d, "baselines.json")))
bulk = json.load(open(os.path.join(d, "bulk.json")))
one = json.load(open(os.path.join(d, "duckdb-one-file.json")))
mb = k["bytes"] / 1e6
print(f"\n=== receipts benchmark: {k['members']} members, {k['receipts']} receipts, {k['lines']} lines, {mb:.1f} MB UKE ===")
print(f"parse  kenpo (rust, 1 core)   {k['parse_seconds']:7.2f} s  {mb / k['parse_seconds']:7.1f} MB/s  {k['lines'] / k['parse_seconds']:10.0f} lines/s")
for name in ("python_csv", "duckdb"):
    r = b.get(name, {})
    if "seconds" in r:
        note = f"  ({r.get('encoding')})" if r.get("encoding") else ""
        print(f"parse  {name:<22} {r['seconds']:7.2f} s  {r['mb_per_s']:7.1f} MB/s  {r['lines_per_s']:10.0f} lines/s"
              f"  → kenpo {r['seconds'] / k['parse_seconds']:.1f}× faster{note}")
    else:
        print(f"parse  {name:<22} {r}")
for mode in ("projection", "all_fields"):
    r = one[mode]
    print(f"parse  duckdb one file, {mode:<10} {r['seconds']:7.2f} s  {r['mb_per_s']:7.1f} MB/s  {r['lines_per_s']:10.0f} lines/s"
          f"  → kenpo {r['seconds'] / k['parse_seconds']:.2f}× its speed (files concatenated into one UTF-8 file, untimed)")
for backend in ("sqlite", "postgres"):
    if backend not in k:
        continue
    imp = k[backend]["import_seconds"]
    base = bulk.get(backend, {}).get("seconds")
    ratio = f"{base / imp:.2f} of the bulk-load speed" if base else "no bulk baseline"
    print(f"import {backend:<9} end to end {imp:7.1f} s  {k[backend]['receipts'] / imp:8.0f} receipts/s;"
          f" bulk load of the same rows {base or float('nan'):6.1f} s → kenpo import runs at {ratio}")
    print(f"kogaku {backend:<9} 1 month {k[backend]['kogaku_one_month_seconds']:6.2f} s; 12 months {k[backend]['kogaku_twelve_months_seconds']:6.1f} s")
PY
