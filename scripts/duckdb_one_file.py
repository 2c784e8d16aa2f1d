#!/usr/bin/env python3
"""DuckDB's best case for `kenpo bench receipts` (issue 5): every UKE file concatenated into ONE
UTF-8 file (decoding and concatenation untimed), read by `read_csv` on one thread, without and
with materialising every field. The per-file baselines are in receipt_baselines.py; this one
removes DuckDB's per-file cost, so it is the figure Kenpo's parser has to beat to be "faster
than DuckDB" without qualification.

Usage: duckdb_one_file.py UKE_DIR  → one JSON object. MB/s counts the CP932 bytes of the files.
"""
import glob
import json
import os
import sys
import tempfile
import time

import duckdb


def main():
    files = sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.UKE"), recursive=True))
    size = sum(os.path.getsize(f) for f in files)
    ncols = 0
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".csv", delete=False) as w:
        for f in files:
            with open(f, "rb") as fh:
                text = fh.read().rstrip(b"\x1a").decode("cp932")
            ncols = max(ncols, max(line.count(",") + 1 for line in text.split("\r\n")))
            w.write(text)
        path = w.name
    con = duckdb.connect()
    con.execute("SET threads=1")
    cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ncols)) + "}"
    out = {"files": len(files), "bytes": size, "duckdb": duckdb.__version__}
    for name, extra in (
        ("projection", ""),
        ("all_fields", ", sum(length(concat_ws(',', " + ", ".join(f"c{i}" for i in range(ncols)) + ")))"),
    ):
        q = (
            "SELECT count(*) FILTER (WHERE c0 IN ('SI','IY','TO','CZ','SS')), count(*) FILTER (WHERE c0 = 'RE')"
            + extra
            + f" FROM read_csv('{path}', header=false, auto_detect=false, delim=',', quote='', escape='',"
            " new_line='\\r\\n', all_varchar=true, null_padding=true, columns=" + cols + ")"
        )
        t = time.perf_counter()
        row = con.execute(q).fetchone()
        s = time.perf_counter() - t
        out[name] = {"seconds": s, "mb_per_s": size / 1e6 / s, "lines": row[0], "receipts": row[1],
                     "lines_per_s": row[0] / s}
    os.unlink(path)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
