#!/usr/bin/env python3
"""Comparison baselines for `kenpo bench receipts` (issue 5).

`kenpo bench receipts` measures how fast Kenpo's Rust parser reads 電子レセプト
UKE files (CP932, CRLF, comma-separated, no quoting, optional 0x1A at the end
of a file, a variable number of fields per record, the first field being the
record id: IR/YK/UK, RE, HO, KO, SY, SI, IY, TO, CO, ..., GO).  A figure like
"N MB/s" means little on its own, so this script reads *the same files* with
two tools a reader of the README would otherwise reach for, in the same run and
on the same machine:

  A. python_csv  -- a plain single-threaded CPython loop: read each file in
     binary, strip a trailing 0x1A, decode CP932, `csv.reader` over the text
     (QUOTE_NONE, like the format), and per row count records, receipts (RE)
     and billed lines (SI, IY, TO, CZ, SS), and add up field 6 of SI rows (点数
     in 医科 SI) so that the work cannot be skipped.
  B. duckdb      -- DuckDB's `read_csv` over the same file list, `SET threads=1`,
     header=false, delim=',', quote='', escape='', all_varchar, null_padding
     (variable field counts), a fixed list of VARCHAR columns c0..cN, errors not
     ignored, and one aggregate query computing the same four figures.
     By default the query only touches c0 and c5 (DuckDB pushes the projection
     into the reader, so other fields are split but never built as strings);
     `--duckdb-touch-all` adds the length of every field to the query, which
     forces every field to be materialised as the Python loop and a full parser
     do.

Encoding for DuckDB.  DuckDB reads UTF-8 natively; anything else needs the
`encodings` extension.  This script tries, in order: an extension file shipped
by the PyPI package `duckdb-ext-encodings` (built for duckdb 1.3.x-1.4.x only;
install e.g. `duckdb==1.4.4 duckdb-ext-encodings==1.4.4.20260205`), a path in
$KENPO_DUCKDB_ENCODINGS_EXT, an already installed extension (`LOAD encodings`),
and `INSTALL encodings` (needs extensions.duckdb.org, often unreachable).  When
it loads, DuckDB decodes the CP932 files itself with the ICU table
`ibm-943_P15A-2003` and decoding is timed.  That is the closest table the
extension offers that works: `shift_jis` rejects the NEC special characters
of CP932 (①, №, ...), `windows-932-2000` mis-decodes ASCII letters in the
extension's build, several others abort the reader.  ibm-943_P15A-2003 differs
from Python's cp932 on 34 code points (0x5C→¥, 0x7E→‾, 0x8782, and 31 kanji
read as their traditional forms) and swaps control codes (the 0x1A marker
reads as U+001C, which the query allows for); record ids, digits and commas
are unaffected, so the counts are the same.  When the extension cannot be loaded
(or with `--duckdb-encoding utf8`) the files are first converted, untimed, into
one UTF-8 copy in a temporary directory (0x1A stripped) and DuckDB reads that:
the output then says "duckdb read a UTF-8 copy; decoding not timed".

Definitions (shared by both baselines so the counts must agree):
  records        rows whose first field (record id) is non-empty, not counting
                 the 0x1A end-of-file marker;
  receipts       rows with id RE;
  receipt lines  rows with id SI, IY, TO, CZ or SS (the billed lines);
  si_points      sum of field 6 of SI rows where it is ASCII digits
                 (DuckDB: TRY_CAST(c5 AS BIGINT), which agrees on real data).

Both baselines are timed with time.perf_counter around the reading/parsing
only; all files are read once beforehand (untimed) to size them and warm the
page cache.  MB = 1e6 bytes of the UKE files as stored (CP932).

Usage:  receipt_baselines.py DIR [--json] [--repeat N] [--only python|duckdb]
                             [--duckdb-encoding auto|cp932|utf8]
                             [--duckdb-touch-all]

Dependencies: the standard library (Python 3.11) and, for baseline B only,
the `duckdb` package; without it B reports {"error": "duckdb not installed"}.
"""

from __future__ import annotations

import argparse
import csv
import glob
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

LINE_IDS = frozenset(("SI", "IY", "TO", "CZ", "SS"))
EOF_MARK = b"\x1a"
MIN_COLUMNS = 64
# ICU table used when DuckDB's `encodings` extension is available (see above).
DUCKDB_CP932_TABLE = "ibm-943_P15A-2003"
# IBM tables swap control codes: byte 0x1A decodes to U+001C (and 0x1C to U+007F,
# 0x7F to U+001A), so the end-of-file marker row has c0 = chr(28) there.
DUCKDB_EOF_CHAR = {DUCKDB_CP932_TABLE: 28}


# --------------------------------------------------------------------------
# input


def collect_files(root: Path) -> list[Path]:
    """All files under ROOT whose name ends in .uke (any case), sorted."""
    files = [p for p in root.rglob("*") if p.suffix.lower() == ".uke" and p.is_file()]
    files.sort()
    return files


def warm_and_measure(files: list[Path]) -> tuple[int, int]:
    """Read every file once (untimed): total bytes, and the largest number of
    fields on one line (to size DuckDB's fixed column list)."""
    total = 0
    max_fields = 0
    for p in files:
        data = p.read_bytes()
        total += len(data)
        for line in data.split(b"\n"):
            n = line.count(b",") + 1
            if n > max_fields:
                max_fields = n
    return total, max_fields


def strip_eof(data: bytes) -> bytes:
    return data[:-1] if data.endswith(EOF_MARK) else data


# --------------------------------------------------------------------------
# baseline A: python csv


def python_csv_once(files: list[Path]) -> tuple[float, dict]:
    records = receipts = lines = si_points = 0
    t0 = time.perf_counter()
    for p in files:
        with open(p, "rb") as f:
            data = f.read()
        if data.endswith(EOF_MARK):
            data = data[:-1]
        text = data.decode("cp932")
        for row in csv.reader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONE):
            if not row:
                continue
            rid = row[0]
            if not rid:
                continue
            records += 1
            if rid == "RE":
                receipts += 1
            elif rid in LINE_IDS:
                lines += 1
                if rid == "SI" and len(row) > 5:
                    v = row[5]
                    if v.isascii() and v.isdigit():
                        si_points += int(v)
    secs = time.perf_counter() - t0
    return secs, {"records": records, "receipts": receipts, "lines": lines, "si_points": si_points}


# --------------------------------------------------------------------------
# baseline B: duckdb read_csv


def _encodings_ext_candidates(duckdb) -> list[str]:
    """Extension files that could provide `encodings` without a download."""
    out = []
    env = os.environ.get("KENPO_DUCKDB_ENCODINGS_EXT")
    if env:
        out.append(env)
    try:
        import duckdb_ext  # namespace package of the duckdb-ext-* wheels

        for base in list(duckdb_ext.__path__):
            pattern = os.path.join(base, "extensions", "v" + duckdb.__version__, "*", "encodings.duckdb_extension")
            out.extend(sorted(glob.glob(pattern)))
    except ImportError:
        pass
    return out


def load_encodings(duckdb, con) -> tuple[str | None, list[str]]:
    """Try to make the `encodings` extension available on CON.
    Returns (how it was loaded, or None; the reasons of the failed attempts)."""
    tried = []
    for path in _encodings_ext_candidates(duckdb):
        try:
            con.execute("LOAD '" + path.replace("'", "''") + "'")
            return f"LOAD '{path}'", tried
        except Exception as e:  # noqa: BLE001 - report, try the next way
            tried.append(f"LOAD {path}: {_short(e)}")
    for sql in ("LOAD encodings", "INSTALL encodings; LOAD encodings"):
        try:
            for stmt in sql.split("; "):
                con.execute(stmt)
            return sql, tried
        except Exception as e:  # noqa: BLE001
            tried.append(f"{sql}: {_short(e)}")
    return None, tried


def _short(e: Exception) -> str:
    return str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__


def make_utf8_copy(files: list[Path], tmpdir: str) -> list[str]:
    out = []
    for i, p in enumerate(files):
        text = strip_eof(p.read_bytes()).decode("cp932")
        dst = os.path.join(tmpdir, f"{i:07d}.csv")
        with open(dst, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        out.append(dst)
    return out


def duckdb_query(ncols: int, encoding: str | None, touch_all: bool) -> str:
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ncols))
    opts = [
        "header = false",
        "auto_detect = false",
        "delim = ','",
        "quote = ''",
        "escape = ''",
        "new_line = '\\r\\n'",
        "null_padding = true",
        "all_varchar = true",
        "ignore_errors = false",
        "columns = {" + cols + "}",
    ]
    if encoding:
        opts.append(f"encoding = '{encoding}'")
    extra = ""
    if touch_all:
        fields = ", ".join(f"c{i}" for i in range(ncols))
        extra = f",\n       sum(length(concat_ws(',', {fields}))) AS field_chars"
    eof = DUCKDB_EOF_CHAR.get(encoding, 26)
    return (
        f"SELECT count(*) FILTER (WHERE c0 <> '' AND c0 <> chr({eof})) AS records,\n"
        "       count(*) FILTER (WHERE c0 = 'RE') AS receipts,\n"
        "       count(*) FILTER (WHERE c0 IN ('SI', 'IY', 'TO', 'CZ', 'SS')) AS lines,\n"
        "       coalesce(sum(TRY_CAST(c5 AS BIGINT)) FILTER (WHERE c0 = 'SI'), 0) AS si_points"
        + extra
        + "\nFROM read_csv($files, " + ", ".join(opts) + ")"
    )


def _run_duckdb(duckdb, paths: list[str], ncols: int, encoding: str | None, touch_all: bool,
                repeat: int, setup: tuple[str, ...] = ()):
    """Run the aggregate query REPEAT times on a fresh connection (an internal
    error invalidates a connection); return (fastest seconds, counts)."""
    con = duckdb.connect(":memory:")
    try:
        for stmt in setup:
            con.execute(stmt)
        con.execute("SET threads = 1")
        q = duckdb_query(ncols, encoding, touch_all)
        best = None
        row = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            row = con.execute(q, {"files": paths}).fetchone()
            secs = time.perf_counter() - t0
            best = secs if best is None else min(best, secs)
        counts = {"records": row[0], "receipts": row[1], "lines": row[2], "si_points": int(row[3])}
        if touch_all:
            counts["field_chars"] = int(row[4] or 0)
        return best, counts
    finally:
        con.close()


def duckdb_baseline(files: list[Path], max_fields: int, mode: str, touch_all: bool, repeat: int) -> dict:
    try:
        import duckdb
    except ImportError:
        return {"error": "duckdb not installed"}
    ncols = max(MIN_COLUMNS, max_fields)
    info: dict = {"version": duckdb.__version__, "threads": 1, "columns": ncols, "touch_all_fields": touch_all}

    if mode in ("auto", "cp932"):
        probe = duckdb.connect(":memory:")
        how, tried = load_encodings(duckdb, probe)
        probe.close()
        if how is None:
            info["cp932_unavailable"] = tried
            if mode == "cp932":
                info["error"] = "the encodings extension could not be loaded: " + " | ".join(tried)
                return info
        else:
            try:
                secs, counts = _run_duckdb(duckdb, [str(p) for p in files], ncols, DUCKDB_CP932_TABLE,
                                           touch_all, repeat, setup=tuple(how.split("; ")))
                info.update(counts)
                info["seconds"] = secs
                info["encoding"] = f"cp932 read directly by the encodings extension ({DUCKDB_CP932_TABLE}); decoding timed"
                info["extension"] = how
                return info
            except Exception as e:  # noqa: BLE001
                info["cp932_error"] = _short(e)
                if mode == "cp932":
                    info["error"] = "reading CP932 with the encodings extension failed: " + _short(e)
                    return info

    tmpdir = tempfile.mkdtemp(prefix="kenpo-uke-utf8-")
    try:
        paths = make_utf8_copy(files, tmpdir)
        secs, counts = _run_duckdb(duckdb, paths, ncols, None, touch_all, repeat)
        info.update(counts)
        info["seconds"] = secs
        info["encoding"] = "duckdb read a UTF-8 copy; decoding not timed"
        return info
    except Exception as e:  # noqa: BLE001
        info["error"] = _short(e)
        return info
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# --------------------------------------------------------------------------
# report


def add_rates(res: dict, nbytes: int) -> dict:
    secs = res.get("seconds")
    if secs is None or "error" in res:
        return res
    s = secs if secs > 0 else float("nan")
    res["mb_per_s"] = nbytes / 1e6 / s
    res["records_per_s"] = res["records"] / s
    res["lines_per_s"] = res["lines"] / s
    res["receipts_per_s"] = res["receipts"] / s
    return res


def print_text(out: dict) -> None:
    print(f"UKE files: {out['files']}  bytes: {out['bytes']} ({out['bytes'] / 1e6:.1f} MB)  dir: {out['dir']}")
    for key, title in (("python_csv", "A python csv (CPython %s, 1 thread)" % platform.python_version()),
                       ("duckdb", "B duckdb read_csv (threads=1)")):
        if key not in out:
            continue
        r = out[key]
        print()
        print(title)
        if "version" in r:
            print(f"  duckdb {r['version']}, {r['columns']} columns"
                  + (", every field touched" if r.get("touch_all_fields") else ", c0/c5 only (projection pushdown)"))
        if "error" in r:
            print(f"  error: {r['error']}")
            continue
        if "encoding" in r:
            print(f"  {r['encoding']}")
        if r.get("cp932_unavailable") and "error" not in r:
            print(f"  (encodings extension not loadable: {r['cp932_unavailable'][-1]})")
        if r.get("cp932_error"):
            print(f"  (cp932 read failed: {r['cp932_error']})")
        print(f"  seconds        {r['seconds']:.3f}")
        print(f"  MB/s           {r['mb_per_s']:.1f}")
        print(f"  records/s      {r['records_per_s']:,.0f}")
        print(f"  lines/s        {r['lines_per_s']:,.0f}")
        print(f"  receipts/s     {r['receipts_per_s']:,.0f}")
        print(f"  receipts {r['receipts']:,}  records {r['records']:,}  lines {r['lines']:,}  si_points {r['si_points']:,}")
    a, b = out.get("python_csv"), out.get("duckdb")
    if a and b and "error" not in a and "error" not in b:
        same = all(a[k] == b[k] for k in ("records", "receipts", "lines", "si_points"))
        print()
        print("counts agree" if same else "COUNTS DIFFER between the baselines")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Python csv and DuckDB baselines for `kenpo bench receipts`.")
    ap.add_argument("dir", type=Path, help="directory searched recursively for *.UKE files")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--repeat", type=int, default=1, help="runs per baseline; the fastest is reported")
    ap.add_argument("--only", choices=("python", "duckdb"), help="run one baseline only")
    ap.add_argument("--duckdb-encoding", choices=("auto", "cp932", "utf8"), default="auto",
                    help="auto: CP932 via the encodings extension if it loads, else a UTF-8 copy")
    ap.add_argument("--duckdb-touch-all", action="store_true",
                    help="make DuckDB materialise every field (not only c0 and c5)")
    args = ap.parse_args(argv)

    if not args.dir.is_dir():
        print(f"not a directory: {args.dir}", file=sys.stderr)
        return 2
    files = collect_files(args.dir)
    if not files:
        print(f"no .UKE files under {args.dir}", file=sys.stderr)
        return 2
    nbytes, max_fields = warm_and_measure(files)
    repeat = max(1, args.repeat)

    out: dict = {"files": len(files), "bytes": nbytes, "dir": str(args.dir), "max_fields": max_fields,
                 "python": platform.python_version()}
    if args.only in (None, "python"):
        best, counts = None, None
        for _ in range(repeat):
            secs, counts = python_csv_once(files)
            best = secs if best is None else min(best, secs)
        out["python_csv"] = add_rates({"seconds": best, **counts}, nbytes)
    if args.only in (None, "duckdb"):
        out["duckdb"] = add_rates(
            duckdb_baseline(files, max_fields, args.duckdb_encoding, args.duckdb_touch_all, repeat), nbytes)
        if "python_csv" in out and "error" not in out["duckdb"]:
            out["counts_agree"] = all(out["python_csv"][k] == out["duckdb"][k]
                                      for k in ("records", "receipts", "lines", "si_points"))

    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print_text(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
