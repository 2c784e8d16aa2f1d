#!/usr/bin/env python3
"""Bulk-load baselines for `kenpo bench receipts` (issue 5): how fast each backend loads the
same receipt rows by its own bulk path, with no parsing, matching, policy or audit.

* SQLite: Python's stdlib sqlite3, one transaction, executemany of prepared INSERTs into a
  database created by `kenpo init` (same schema and indexes), WAL and synchronous=NORMAL as the
  store uses.
* PostgreSQL: psql's \\copy (COPY FROM STDIN) into a fresh database created by `kenpo init`.

Usage: bulk_load_baselines.py BENCH_DIR KENPO_BINARY [--postgres URL]
Prints one JSON object: seconds and rows per table per backend.
"""

import csv
import json
import os
import sqlite3
import subprocess
import sys
import time

TABLES = ["receipts", "receipt_lines", "receipt_diagnoses"]
# Text columns that are NOT NULL: an empty field is an empty string, not NULL (COPY's default).
NOT_NULL_TEXT = {
    "receipts": ["kind", "setting", "receipt_type", "service_month", "institution_code", "institution_name",
                 "insurer_number", "card_symbol", "card_number", "patient_name", "patient_kana",
                 "patient_birth_date"],
    "receipt_lines": ["kind", "care_category", "payer_code", "code", "quantity", "service_days"],
    "receipt_diagnoses": ["code", "start_date", "modifiers"],
}


def kenpo_init(kenpo, data_dir, database=None):
    cmd = [kenpo, "--data-dir", data_dir]
    if database:
        cmd += ["--database", database]
    subprocess.run(cmd + ["init"], check=True, stdout=subprocess.DEVNULL)


def import_row(cur, ph):
    cur.execute(
        "INSERT INTO imports (id, kind, file_name, content_sha256, imported_at, actor, purpose, row_count) "
        f"VALUES ({', '.join([ph] * 8)})",
        (1, "receipts", "bulk", "bulk", "2026-01-01T00:00:00Z", "system:bulk", "receipts.review", 0),
    )


def load_sqlite(rows_dir, data_dir, kenpo):
    if os.path.exists(data_dir):
        subprocess.run(["rm", "-rf", data_dir], check=True)
    kenpo_init(kenpo, data_dir)
    db = sqlite3.connect(os.path.join(data_dir, "kenpo.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    cur = db.cursor()
    out = {}
    started = time.perf_counter()
    cur.execute("BEGIN")
    import_row(cur, "?")
    for table in TABLES:
        t0 = time.perf_counter()
        with open(os.path.join(rows_dir, table + ".csv"), newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            sql = f"INSERT INTO {table} ({', '.join(header)}) VALUES ({', '.join('?' * len(header))})"
            n = 0

            def rows():
                nonlocal n
                for row in reader:
                    n += 1
                    yield [None if v == "" and c in NULLABLE else v for c, v in zip(header, row)]

            cur.executemany(sql, rows())
        out[table] = {"rows": n, "seconds": time.perf_counter() - t0}
    cur.execute("COMMIT")
    out["seconds"] = time.perf_counter() - started
    db.close()
    return out


NULLABLE = {"card_branch", "points", "modifiers_unused"}


def load_postgres(rows_dir, data_dir, kenpo, server):
    server = server.rstrip("/")
    admin = server + "/postgres"
    subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS kenpo_bench_bulk"], check=True)
    subprocess.run(["psql", admin, "-qc", "CREATE DATABASE kenpo_bench_bulk"], check=True)
    url = server + "/kenpo_bench_bulk"
    kenpo_init(kenpo, data_dir, url)
    subprocess.run(
        ["psql", url, "-qc",
         "INSERT INTO imports (id, kind, file_name, content_sha256, imported_at, actor, purpose, row_count) "
         "VALUES (1, 'receipts', 'bulk', 'bulk', '2026-01-01T00:00:00Z', 'system:bulk', 'receipts.review', 0)"],
        check=True,
    )
    out = {}
    started = time.perf_counter()
    for table in TABLES:
        path = os.path.join(rows_dir, table + ".csv")
        with open(path, encoding="utf-8") as f:
            header = f.readline().strip()
        t0 = time.perf_counter()
        subprocess.run(
            ["psql", url, "-qc", f"\\copy {table} ({header}) FROM '{path}' WITH (FORMAT csv, HEADER true, "
             f"FORCE_NOT_NULL ({', '.join(NOT_NULL_TEXT[table])}))"],
            check=True,
        )
        out[table] = {"seconds": time.perf_counter() - t0}
    out["seconds"] = time.perf_counter() - started
    subprocess.run(["psql", admin, "-qc", "DROP DATABASE IF EXISTS kenpo_bench_bulk"], check=True)
    return out


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    bench_dir, kenpo = args[0], os.path.abspath(args[1])
    server = args[args.index("--postgres") + 1] if "--postgres" in args else None
    rows_dir = os.path.join(bench_dir, "rows")
    result = {"sqlite": load_sqlite(rows_dir, os.path.join(bench_dir, "bulk-sqlite"), kenpo)}
    if server:
        result["postgres"] = load_postgres(rows_dir, os.path.join(bench_dir, "bulk-pg"), kenpo, server)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
