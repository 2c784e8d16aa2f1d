#!/usr/bin/env bash
# 特定健診 benchmark, one script, one run on one machine: N generated hc08 documents (default
# 100,000) in ~1,000-document 送付用ファイルアーカイブ ZIPs — Kenpo's reader (one core), Kenpo's
# import on SQLite and PostgreSQL, 階層化 of the year — beside Python lxml parsing the same
# archives (one thread). MB are uncompressed DATA/*.xml bytes unless marked ZIP.
#
#   scripts/bench-checkups.sh [DOCUMENTS]      (PostgreSQL: $KENPO_BENCH_PG, default local;
#                                                KEEP=1 reuses the generated files)
set -euo pipefail
cd "$(dirname "$0")/.."
DOCUMENTS=${1:-100000}
PG=${KENPO_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DIR=bench-data/checkups
cargo build --release -q -p kenpo -p kenpo-bench
KENPO=target/release/kenpo
target/release/kenpo-bench checkups --documents "$DOCUMENTS" --postgres "$PG" --dir "$DIR" ${KEEP:+--keep}

# The venv is shared with bench-receipts.sh: each script checks for its own package.
if [ ! -x target/bench-venv/bin/python ]; then
  python3 -m venv target/bench-venv
fi
target/bench-venv/bin/python -c 'import lxml' 2>/dev/null || target/bench-venv/bin/pip install -q lxml
echo "--- baseline reading the same archives (python lxml.etree.fromstring, 1 thread)"
target/bench-venv/bin/python scripts/checkup_lxml_baseline.py "$DIR/archives" > "$DIR/lxml.json"

python3 - "$DIR" <<'PY'
import json, sys, os
d = sys.argv[1]
k = json.load(open(os.path.join(d, "kenpo-bench.json")))
x = json.load(open(os.path.join(d, "lxml.json")))
mb, zmb = k["xml_bytes"] / 1e6, k["zip_bytes"] / 1e6
print(f"\n=== 特定健診 benchmark: {k['documents']} documents, {k['results']} results, {k['archives']} archives, "
      f"{mb:.1f} MB XML uncompressed ({zmb:.1f} MB ZIP) ===")
if (x["documents"], x["xml_bytes"]) != (k["documents"], k["xml_bytes"]):
    print(f"WARNING: lxml saw {x['documents']} documents / {x['xml_bytes']} bytes")
if x["observations"] != k["results"]:
    print(f"WARNING: lxml extracted {x['observations']} observations, kenpo {k['results']} results")
runs = lambda r: ", ".join(f"{s:.2f}" for s in r)
kp, xp = k["parse_seconds"], x["seconds"]
print(f"{'':30} {'seconds':>8} {'archives/s':>11} {'docs/s':>9} {'MB/s XML':>9} {'MB/s ZIP':>9}")
row = lambda label, s, note="": print(f"{label:30} {s:8.2f} {k['archives'] / s:11.2f} {k['documents'] / s:9.0f}"
                                      f" {mb / s:9.1f} {zmb / s:9.2f}{note}")
row("parse kenpo (rust, 1 core)", kp, f"  best of [{runs(k['parse_runs'])}]")
row(f"parse lxml {x['lxml']} (1 thread)", xp, f"  best of [{runs(x['runs'])}]")
row("  lxml fromstring only", x["fromstring_only_seconds"],
    f"  best of [{runs(x['fromstring_only_runs'])}] (unzip + parse, nothing extracted)")
print(f"{'':30} → kenpo (read + check + extract) runs at {xp / kp:.2f}× the speed of lxml + extraction,"
      f" {x['fromstring_only_seconds'] / kp:.2f}× lxml's bare parse (libxml2 {x['libxml2']})")
for backend in ("sqlite", "postgres"):
    if backend in k:
        b = k[backend]
        row(f"import {backend} end to end", b["import_seconds"],
            f"  matched {b['matched']} / unmatched {b['unmatched']}; {b['import_seconds'] / kp:.1f}× parse-only time")
for backend in ("sqlite", "postgres"):
    if backend in k:
        b = k[backend]
        print(f"{'stratify ' + backend:30} {b['assess_seconds']:8.2f} {'':11} "
              f"{b['assessed'] / b['assess_seconds']:9.0f}  階層化 of {b['assessed']} documents of FY{k['fiscal_year']}")
PY
