#!/usr/bin/env bash
# Issue 17 benchmark, one script, one run on one machine: 定時決定 (the July 算定基礎届 of every
# member through the real reader) and September's premiums and 納入告知 for N members (default
# 1,000,000) on SQLite and PostgreSQL — beside the same premium aggregation written as one SQL
# statement in DuckDB (1 thread) over the same rows, whose per-employer totals are compared.
#
#   scripts/bench-premiums.sh [MEMBERS]        (PostgreSQL: $KENPO_BENCH_PG, default local)
set -euo pipefail
cd "$(dirname "$0")/.."
MEMBERS=${1:-1000000}
PG=${KENPO_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DIR=bench-data/premiums
cargo build --release -q -p kenpo-bench
target/release/kenpo-bench premiums --members "$MEMBERS" --postgres "$PG" --dir "$DIR"
if [ ! -x target/bench-venv/bin/python ]; then
  python3 -m venv target/bench-venv
fi
target/bench-venv/bin/python -c "import duckdb" 2>/dev/null || target/bench-venv/bin/pip install -q duckdb
echo "--- DuckDB: the same aggregation as one SQL statement over the same rows (1 thread)"
target/bench-venv/bin/python scripts/premium_duckdb.py "$DIR"
