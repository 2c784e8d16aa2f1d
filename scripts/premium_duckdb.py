"""The September premiums and per-employer 納入告知 totals as ONE SQL statement in DuckDB, over
the rows kenpo-bench premiums charged (employer, 標準報酬月額, birth): the same rates (ppm),
the 50銭 rule for the member's share (withheld: over 0.5 up), the employer the rest of the
whole truncated to the yen, 介護 for 40–64 by the day the age is reached, 子ども・子育て支援金.
Prints seconds, members/s and how many employer totals equal Kenpo's."""
import csv, json, sys, time
import duckdb

d = sys.argv[1]
con = duckdb.connect()
con.execute("SET threads TO 1")
SQL = """
WITH m AS (
  SELECT employer, standard::BIGINT AS s,
    (date_trunc('month', birth - INTERVAL 1 DAY + INTERVAL 40 YEAR) <= DATE '2026-09-01'
     AND date_trunc('month', birth - INTERVAL 1 DAY + INTERVAL 65 YEAR) > DATE '2026-09-01') AS care
  FROM read_csv(?, header = true, columns = {'employer': 'VARCHAR', 'standard': 'BIGINT', 'birth': 'DATE'})
), parts AS (
  SELECT employer, s, m_ppm, e_ppm FROM m, (VALUES (43000, 50000), (650, 650), (1150, 1150)) r(m_ppm, e_ppm)
  UNION ALL SELECT employer, s, 9000, 9000 FROM m WHERE care
), shares AS (
  SELECT employer,
    (s * m_ppm) // 1000000 + CASE WHEN (s * m_ppm) % 1000000 > 500000 THEN 1 ELSE 0 END AS member,
    (s * (m_ppm + e_ppm)) // 1000000 AS whole
  FROM parts
)
SELECT employer, SUM(whole)::BIGINT AS total, COUNT(*) AS n FROM shares GROUP BY employer ORDER BY employer
"""
start = time.perf_counter()
rows = con.execute(SQL, [f"{d}/rows.csv"]).fetchall()
secs = time.perf_counter() - start
members = con.execute("SELECT COUNT(*) FROM read_csv(?, header = true)", [f"{d}/rows.csv"]).fetchone()[0]
kenpo = {}
with open(f"{d}/invoices-sqlite.csv") as f:
    for r in csv.DictReader(f):
        if r["kind"] == "employer":
            kenpo[r["payer"]] = int(r["total"])
equal = sum(1 for e, t, _ in rows if kenpo.get(e) == t)
print(json.dumps({"seconds": secs, "members": members, "members_per_s": members / secs,
                  "employers": len(rows), "equal_to_kenpo": equal,
                  "duckdb_total": sum(t for _, t, _ in rows), "kenpo_total": sum(kenpo.values())}))
