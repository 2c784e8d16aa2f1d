//! `kenpo-bench premiums`: 標準報酬 and premiums for N members (default 1,000,000) on SQLite and
//! PostgreSQL — the roster (the backend's own bulk path, for scale), the July 算定基礎届 of every
//! member as the employers' KPFD files through the real reader (定時決定, lines/s), and
//! September's premiums and 納入告知 (members/s). It writes the rows the month run charged
//! (`rows.csv`: employer, 標準報酬, birth) and the invoices it issued (`invoices-<backend>.csv`),
//! so that `scripts/bench-premiums.sh` times the same aggregation as one SQL statement in
//! DuckDB over the same rows, in the same run, and compares the totals.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use kenpo_domain::YearMonth;
use kenpo_store::{AccessContext, Actor, PurposeId};
use std::path::Path;
use std::time::Instant;

/// The rates of the benchmark (the same as the demo's; the DuckDB statement spells them out).
pub const RATES: &str = r#"
effective_from = "2026-04"
voluntary_cap = 320000
care_for_specified = false
basic = { member = "20.0", employer = "23.5" }
specific = { member = "23.0", employer = "26.5" }
adjustment = { member = "0.65", employer = "0.65" }
care = { member = "9.0", employer = "9.0" }
support = { member = "1.15", employer = "1.15" }
"#;

pub async fn bench_premiums(members: u64, postgres: Option<String>, dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let officer =
        AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let staff =
        AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse("premiums.remuneration")?);
    let collect =
        AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse("premiums.collection")?);
    let roster_dir = dir.join("synthetic");
    let g = crate::generate(members, 1, &roster_dir, true)?;
    println!("roster: {} members, {} people", members, g.people);
    let (targets, pg) = crate::bench::bench_targets(&dir.join("db"), postgres, "kenpo_bench_premiums").await?;
    let july = NaiveDate::from_ymd_opt(2026, 7, 1).context("day")?;
    let september = YearMonth::from_parts(2026, 9);
    for (name, location) in &targets {
        location.init().await?;
        let store = location.open().await?;
        let started = Instant::now();
        let roster = crate::import_roster(&store, &officer, &roster_dir.join("roster.csv")).await?;
        let roster_secs = started.elapsed().as_secs_f64();
        store.set_premium_rates(&staff, &kenpo_app::premiums::parse_rates(RATES)?).await?;
        // 定時決定: every member covered on 1 July, one KPFD file per employer.
        let payees = kenpo_app::premiums::payees(store.insured_on(&staff, july).await?);
        let files = kenpo_synth::annual_files(1, 2026, &payees)?;
        let started = Instant::now();
        let (mut lines, mut decided) = (0u64, 0u64);
        for f in &files {
            let s = kenpo_app::premiums::import_pay_filing_bytes(&store, &staff, &f.file_name, &f.bytes, None).await?;
            lines += s.lines.len() as u64;
            decided += s.determinations;
        }
        let annual_secs = started.elapsed().as_secs_f64();
        // September's premiums and 納入告知.
        let started = Instant::now();
        let run = store.run_premium_month(&collect, september).await?;
        let month_secs = started.elapsed().as_secs_f64();
        let people = run.charged_people + run.exempt + run.not_charged;
        println!(
            "{name}: 定時決定 {lines} lines in {} files ({decided} decided) in {annual_secs:.1} s = {:.0} lines/s; \
             {september} premiums for {people} members ({} charged), {} invoices, total {} yen in {month_secs:.1} s = {:.0} members/s; \
             baseline roster bulk import {} people in {roster_secs:.1} s = {:.0} people/s",
            files.len(),
            lines as f64 / annual_secs,
            run.charged_people,
            run.invoices,
            run.total,
            people as f64 / month_secs,
            roster.people,
            roster.people as f64 / roster_secs,
        );
        // The rows for DuckDB (the charged 被保険者 with the 標準報酬 in force) and the invoices.
        // Written by the one CSV writer (no BOM: a program reads them).
        let utf8 = kenpo_formats::csv_out::CsvEncoding::Utf8;
        let mut table = kenpo_domain::Table::new(["payer", "kind", "total"]);
        for i in store.invoices(&collect, Some(september)).await? {
            table.push(vec![i.payer, i.payer_kind, i.total.to_string()]);
        }
        kenpo_app::files::write_csv(&dir.join(format!("invoices-{name}.csv")), &table, utf8)?;
        if *name == "sqlite" {
            let mut table = kenpo_domain::Table::new(["employer", "standard", "birth"]);
            for r in store.insured_on(&staff, september.last_day()).await? {
                if let Some(s) = r.standard {
                    table.push(vec![r.employer_code, s.to_string(), r.birth_date.to_string()]);
                }
            }
            kenpo_app::files::write_csv(&dir.join("rows.csv"), &table, utf8)?;
        }
        store.close().await;
    }
    if let Some(db) = pg {
        db.drop_database().await?;
    }
    Ok(())
}
