//! `kenpo bench receipts`: a generated year of receipts for N members — parse only (one core),
//! import end to end on SQLite and PostgreSQL, the 高額療養費 run for one month and for twelve.
//! It also writes the imported rows as CSV (`rows/`), so that `scripts/bench-receipts.sh` can
//! time each backend's own bulk load of the same rows, and Python `csv` and DuckDB reading the
//! same UKE files, in the same run.

use anyhow::{Context, Result};
use kenpo_domain::YearMonth;
use kenpo_domain::kogaku::AdditionRules;
use kenpo_store::{AccessContext, Actor, PurposeId};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub async fn bench_receipts(
    members: u64,
    postgres: Option<String>,
    dir: &Path,
    keep: bool,
    parse_only: bool,
) -> Result<()> {
    let out = dir.join("synthetic");
    let config = kenpo_synth::SocietyConfig::new(members, 1);
    if !(keep && out.join("roster.csv").exists()) {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        std::fs::create_dir_all(dir)?;
        let started = Instant::now();
        let outputs = kenpo_synth::Outputs { roster: true, benefits: false, receipts: true, checkups: false };
        let g = kenpo_synth::write_society(config.clone(), &out, outputs, &|_, _, _| {})?;
        println!(
            "generate: {} members, {} people, {} receipts in {} files, {:.1} s",
            g.members,
            g.people,
            g.receipts,
            g.receipt_files,
            started.elapsed().as_secs_f64()
        );
    }
    let files = crate::uke_files(&out.join("receipts"))?;
    let bytes: u64 = files.iter().map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0)).sum();

    // Parse only, one core: the streaming reader over every file.
    let started = Instant::now();
    let (mut receipts, mut lines, mut records) = (0u64, 0u64, 0u64);
    for f in &files {
        let name = f.display().to_string();
        let file = std::io::BufReader::new(std::fs::File::open(f)?);
        let mut asm = kenpo_formats::uke::ReceiptAssembler::new(file, &name)?;
        while let Some(r) = asm.next_receipt() {
            let r = r?;
            receipts += 1;
            lines += r.receipt.lines.len() as u64;
            // RE + HO (+ SN) + diagnoses + lines, as a rough record count.
            records += 2 + r.receipt.diagnoses.len() as u64 + r.receipt.lines.len() as u64;
        }
    }
    let parse = started.elapsed().as_secs_f64();
    println!(
        "parse only (1 core): {} files, {:.1} MB, {receipts} receipts, {lines} lines: {parse:.2} s = {:.1} MB/s, {:.0} lines/s, {:.0} receipts/s",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / parse,
        lines as f64 / parse,
        receipts as f64 / parse
    );
    if parse_only {
        return Ok(());
    }
    let mut report = json!({
        "members": members, "files": files.len(), "bytes": bytes, "receipts": receipts, "lines": lines,
        "records_estimate": records, "parse_seconds": parse,
    });

    // The same rows as CSV for the bulk-load baselines (untimed).
    write_rows(&files, &dir.join("rows"))?;

    let (targets, pg_db) = crate::bench::bench_targets(dir, postgres, "kenpo_bench_receipts").await?;
    let officer =
        AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let importer = AccessContext::new(Actor::parse("system:bench-receipts")?, PurposeId::parse("receipts.review")?);
    let payer = AccessContext::new(Actor::parse("system:bench-kogaku")?, PurposeId::parse("benefits.payment")?);
    for (name, location) in &targets {
        if location.data_dir.exists() {
            std::fs::remove_dir_all(&location.data_dir)?;
        }
        location.init().await?;
        let store = location.open().await?;
        crate::import_roster(&store, &officer, &out.join("roster.csv")).await?;
        let started = Instant::now();
        let (s, failures) = crate::import_receipts(&store, &importer, &files).await?;
        let secs = started.elapsed().as_secs_f64();
        anyhow::ensure!(failures.is_empty(), "refused: {}", failures.join("; "));
        println!(
            "{name} import: {} receipts, {} lines, matched {} / unmatched {}: {secs:.1} s = {:.0} receipts/s, {:.0} lines/s ({:.1}× parse-only time)",
            s.receipts,
            s.lines,
            s.matched,
            s.unmatched,
            s.receipts as f64 / secs,
            s.lines as f64 / secs,
            secs / parse
        );
        let first = YearMonth::of(config.fiscal_start());
        let last = YearMonth::of(config.as_of);
        let rules = AdditionRules::default();
        let started = Instant::now();
        let one = store.run_kogaku(&payer, first, &rules).await?;
        let one_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let twelve = kenpo_app::kogaku::run_months(&store, &payer, first, last, &rules).await?;
        let twelve_secs = started.elapsed().as_secs_f64();
        // 制度改正の比較: a month after 2026-08 under its own ceilings and the table before, beside
        // that month's own run (one reading, one computation, storing) as the baseline.
        let compared = YearMonth::from_parts(2026, 10);
        let before_change = chrono::NaiveDate::from_ymd_opt(2026, 7, 31).context("a valid day")?;
        let started = Instant::now();
        let run_one = store.run_kogaku(&payer, compared, &rules).await?;
        let run_secs = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let cmp = store.kogaku_compare(&payer, compared, before_change, &rules).await?;
        let compare_secs = started.elapsed().as_secs_f64();
        let changed = cmp.rows.iter().filter(|r| r.changed()).count();
        println!(
            "{name} 制度改正の比較 {compared} (vs 2026-07-31): {} households, {} paid, {changed} changed: {compare_secs:.2} s; \
             the same month's run (baseline) {run_secs:.2} s ({} households)",
            cmp.households,
            cmp.rows.len(),
            run_one.households
        );
        report[format!("{name}_compare")] = json!({
            "compare_seconds": compare_secs, "run_seconds": run_secs, "households": cmp.households,
            "paid": cmp.rows.len(), "changed": changed,
        });
        let paid: u64 = twelve.iter().map(|k| k.payments).sum();
        let total: i64 = twelve.iter().map(|k| k.total).sum();
        println!(
            "{name} 高額療養費: 1 month ({} receipts, {} households) {one_secs:.2} s; 12 months {twelve_secs:.1} s ({paid} payments, {} yen)",
            one.receipts,
            one.households,
            kenpo_domain::kogaku::yen(total)
        );
        store.close().await;
        report[*name] = json!({
            "import_seconds": secs, "receipts": s.receipts, "lines": s.lines, "matched": s.matched,
            "kogaku_one_month_seconds": one_secs, "kogaku_twelve_months_seconds": twelve_secs,
            "kogaku_payments": paid, "kogaku_total_yen": total,
        });
    }
    if let Some(db) = pg_db
        && !keep
    {
        db.drop_database().await?;
    }
    std::fs::write(dir.join("kenpo-bench.json"), serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

/// Writes receipts.csv, receipt_lines.csv and receipt_diagnoses.csv with the columns the store
/// fills (person_id and import_id left to the loader), one row per stored row.
fn write_rows(files: &[PathBuf], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut receipts = csv::Writer::from_path(dir.join("receipts.csv"))?;
    let mut lines = csv::Writer::from_path(dir.join("receipt_lines.csv"))?;
    let mut diagnoses = csv::Writer::from_path(dir.join("receipt_diagnoses.csv"))?;
    receipts.write_record([
        "id",
        "import_id",
        "kind",
        "setting",
        "receipt_type",
        "service_month",
        "institution_code",
        "institution_prefecture",
        "institution_name",
        "insurer_number",
        "card_symbol",
        "card_number",
        "card_branch",
        "patient_name",
        "patient_kana",
        "patient_sex",
        "patient_birth_date",
        "days",
        "total_points",
    ])?;
    lines.write_record([
        "receipt_id",
        "seq",
        "kind",
        "care_category",
        "payer_code",
        "code",
        "quantity",
        "points",
        "count",
        "service_days",
    ])?;
    diagnoses.write_record(["receipt_id", "seq", "code", "start_date", "outcome", "main", "modifiers"])?;
    let mut id = 0u64;
    for f in files {
        let name = f.display().to_string();
        let file = std::io::BufReader::new(std::fs::File::open(f)?);
        let mut asm = kenpo_formats::uke::ReceiptAssembler::new(file, &name)?;
        while let Some(r) = asm.next_receipt() {
            let r = r?.receipt;
            id += 1;
            receipts.write_record([
                id.to_string(),
                "1".into(),
                r.kind.code().into(),
                r.setting.code().into(),
                r.receipt_type.clone(),
                r.service_month.to_string(),
                r.institution.code.clone(),
                r.institution.prefecture.to_string(),
                r.institution.name.clone(),
                r.insurer_number.clone(),
                r.card_symbol.clone(),
                r.card_number.clone(),
                r.card_branch.map(|b| b.to_string()).unwrap_or_default(),
                r.patient_name.clone(),
                r.patient_name_kana.clone(),
                r.sex.code().to_string(),
                r.birth_date.to_string(),
                r.days.to_string(),
                r.total_points.to_string(),
            ])?;
            for (seq, l) in r.lines.iter().enumerate() {
                lines.write_record([
                    id.to_string(),
                    seq.to_string(),
                    l.kind.code().into(),
                    l.care_category.clone(),
                    l.payer_code.clone(),
                    l.code.clone(),
                    l.quantity.clone(),
                    l.points.map(|p| p.to_string()).unwrap_or_default(),
                    l.count.to_string(),
                    l.service_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(","),
                ])?;
            }
            for (seq, d) in r.diagnoses.iter().enumerate() {
                diagnoses.write_record([
                    id.to_string(),
                    seq.to_string(),
                    d.code.clone(),
                    d.start_date.to_string(),
                    d.outcome.to_string(),
                    (d.main as u8).to_string(),
                    d.modifiers.clone(),
                ])?;
            }
        }
    }
    for w in [&mut receipts, &mut lines, &mut diagnoses] {
        w.flush()?;
    }
    let _ = std::io::stdout().flush();
    Ok(())
}
