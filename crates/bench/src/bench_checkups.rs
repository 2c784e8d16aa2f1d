//! `kenpo bench checkups`: N generated 特定健診 documents in ~1,000-document archives — parse
//! only (one core), import end to end on SQLite and PostgreSQL, and 階層化 of the fiscal year.
//! Writes `kenpo-bench.json`, so that `scripts/bench-checkups.sh` can set Python lxml parsing
//! the same archives beside it, in the same run. Prints counts and timings only.

use anyhow::{Context, Result, bail};
use chrono::Datelike;
use kenpo_domain::checkup::CheckupRecord;
use kenpo_formats::checkup_xml::ArchiveHeader;
use kenpo_store::{AccessContext, Actor, PurposeId};
use serde_json::json;
use std::path::Path;
use std::time::Instant;

/// Documents per archive (a 健診機関's batch); an institution's year is split into such chunks.
const PER_ARCHIVE: usize = 1_000;
/// Parse-only passes; the best is the figure, all are printed to show the machine's noise.
const PARSE_RUNS: usize = 3;
/// kenpo_synth gives ≈0.47 documents per member; a little below, so that truncation reaches N.
const DOCUMENTS_PER_MEMBER: f64 = 0.46;

pub async fn bench_checkups(documents: u64, postgres: Option<String>, dir: &Path, keep: bool) -> Result<()> {
    let members = ((documents as f64 / DOCUMENTS_PER_MEMBER).ceil() as u64).max(1);
    let config = kenpo_synth::SocietyConfig::new(members, 1);
    let fiscal_year = config.fiscal_start().year();
    let out = dir.join("synthetic");
    let archive_dir = dir.join("archives");
    let roster = out.join("roster.csv");
    let reuse = keep && roster.exists() && !crate::zip_files(&archive_dir).unwrap_or_default().is_empty();
    if !reuse {
        if dir.exists() {
            std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
        }
        std::fs::create_dir_all(&archive_dir)?;
        generate(config, documents, &out, &archive_dir)?;
    }
    let archives = crate::zip_files(&archive_dir)?;
    if archives.is_empty() {
        bail!("no archives in {}", archive_dir.display());
    }
    // Sizes, untimed: the ZIP files, and the XML inside them from each ZIP's central directory.
    let mut zip_bytes = 0u64;
    let (mut data_xml_bytes, mut all_xml_bytes) = (0u64, 0u64);
    for a in &archives {
        zip_bytes += std::fs::metadata(a)?.len();
        let (data, all) = xml_sizes(a)?;
        data_xml_bytes += data;
        all_xml_bytes += all;
    }
    let zip_mb = zip_bytes as f64 / 1e6;
    let xml_mb = data_xml_bytes as f64 / 1e6;
    println!(
        "input: {} archives, {zip_mb:.1} MB ZIP (compressed), {xml_mb:.1} MB DATA/*.xml uncompressed ({:.1} MB with the indexes)",
        archives.len(),
        all_xml_bytes as f64 / 1e6
    );

    // Parse only, one core: read_checkup_archive over every archive (index + every document).
    let mut runs = Vec::new();
    let (mut docs, mut results) = (0u64, 0u64);
    for run in 1..=PARSE_RUNS {
        (docs, results) = (0, 0);
        let started = Instant::now();
        for a in &archives {
            let name = a.display().to_string();
            let file = std::io::BufReader::new(std::fs::File::open(a)?);
            let archive = kenpo_formats::checkup_xml::read_checkup_archive(file, &name)?;
            docs += archive.records.len() as u64;
            results += archive.records.iter().map(|r| r.results.len() as u64).sum::<u64>();
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "parse only (1 core) run {run}/{PARSE_RUNS}: {docs} documents, {results} results: {secs:.2} s = {:.1} archives/s, {:.0} documents/s, {:.1} MB/s uncompressed XML, {:.1} MB/s ZIP",
            archives.len() as f64 / secs,
            docs as f64 / secs,
            xml_mb / secs,
            zip_mb / secs
        );
        runs.push(secs);
    }
    let parse = runs.iter().copied().fold(f64::INFINITY, f64::min);
    let mut report = json!({
        "documents_requested": documents, "members": members, "fiscal_year": fiscal_year,
        "archives": archives.len(), "documents": docs, "results": results,
        "zip_bytes": zip_bytes, "xml_bytes": data_xml_bytes, "xml_bytes_with_index": all_xml_bytes,
        "parse_seconds": parse, "parse_runs": runs,
    });

    let (targets, pg_db) = crate::bench::bench_targets(dir, postgres, "kenpo_bench_checkups").await?;
    let officer =
        AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let importer =
        AccessContext::new(Actor::parse("system:bench-checkups")?, PurposeId::parse("health.specific_checkup")?);
    let health = AccessContext::new(Actor::parse("staff:health:bench")?, PurposeId::parse("health.specific_checkup")?);
    for (name, location) in &targets {
        if location.data_dir.exists() {
            std::fs::remove_dir_all(&location.data_dir)?;
        }
        location.init().await?;
        let store = location.open().await?;
        crate::import_roster(&store, &officer, &roster).await?;

        let started = Instant::now();
        let (s, failures) = crate::import_checkups(&store, &importer, &archives).await?;
        let secs = started.elapsed().as_secs_f64();
        if !failures.is_empty() {
            bail!("{} archive(s) refused: {}", failures.len(), failures.join("; "));
        }
        println!(
            "{name} import: {} archives, {} documents, {} results, matched {} / unmatched {}: {secs:.1} s = {:.2} archives/s, {:.0} documents/s, {:.1} MB/s uncompressed XML, {:.2} MB/s ZIP ({:.1}× parse-only time)",
            s.archives,
            s.documents,
            s.results,
            s.matched,
            s.unmatched,
            s.archives as f64 / secs,
            s.documents as f64 / secs,
            xml_mb / secs,
            zip_mb / secs,
            secs / parse
        );

        let started = Instant::now();
        let a = store.assess_checkups(&health, fiscal_year, &kenpo_formats::checkup_xml::findings).await?;
        let assess_secs = started.elapsed().as_secs_f64();
        println!(
            "{name} 階層化 FY{fiscal_year}: {} documents ({} unmatched): {assess_secs:.1} s = {:.0} documents/s; 積極的 {} / 動機付け {} / 情報提供 {} / 判定不能 {}",
            a.documents,
            a.unmatched,
            a.documents as f64 / assess_secs,
            a.intensive,
            a.motivational,
            a.information,
            a.undeterminable
        );
        store.close().await;
        report[*name] = json!({
            "import_seconds": secs, "archives": s.archives, "documents": s.documents, "results": s.results,
            "matched": s.matched, "unmatched": s.unmatched,
            "assess_seconds": assess_secs, "assessed": a.documents, "assess_unmatched": a.unmatched,
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

/// Writes the roster, and the year's checkups cut to `documents` in archives of ~PER_ARCHIVE.
fn generate(config: kenpo_synth::SocietyConfig, documents: u64, out: &Path, archive_dir: &Path) -> Result<()> {
    let started = Instant::now();
    let outputs = kenpo_synth::Outputs { roster: true, benefits: false, receipts: false, checkups: false };
    let g = kenpo_synth::write_society(config.clone(), out, outputs, &|_, _, _| {})?;
    let society = kenpo_synth::Society::new(config);
    let mut left = documents as usize;
    let mut chunks: Vec<(ArchiveHeader, Vec<CheckupRecord>)> = Vec::new();
    for (header, mut records) in kenpo_synth::checkup_archives(&society) {
        records.truncate(left);
        left -= records.len();
        // Split an institution's year into equal batches of about PER_ARCHIVE; 同日回数 0-9, then
        // the next day, so that every archive has its own name.
        let batches = ((records.len() + PER_ARCHIVE / 2) / PER_ARCHIVE).max(1);
        let size = records.len().div_ceil(batches).max(1);
        let mut rest = records.as_slice();
        let mut k = 0u32;
        while !rest.is_empty() {
            let (batch, tail) = rest.split_at(rest.len().min(size));
            rest = tail;
            let h = ArchiveHeader {
                sequence: (k % 10) as u8,
                created_on: header.created_on + chrono::Duration::days(i64::from(k / 10)),
                ..header.clone()
            };
            chunks.push((h, batch.to_vec()));
            k += 1;
        }
    }
    let mut written = 0u64;
    for (header, records) in &chunks {
        let path = archive_dir.join(format!("{}.zip", header.archive_name()));
        let file = std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        kenpo_formats::checkup_xml::write_checkup_archive(std::io::BufWriter::new(file), header, records)?;
        written += records.len() as u64;
    }
    println!(
        "generate: {} members, {} people, {written} checkup documents in {} archives, {:.1} s",
        g.members,
        g.people,
        chunks.len(),
        started.elapsed().as_secs_f64()
    );
    if written < documents {
        println!("  (asked for {documents}; the synthetic society gave {written})");
    }
    Ok(())
}

/// Uncompressed sizes from a ZIP's central directory: (`…/DATA/*.xml`, every `*.xml`).
fn xml_sizes(path: &Path) -> Result<(u64, u64)> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .with_context(|| format!("{}: not a ZIP archive", path.display()))?;
    let (mut data, mut all) = (0u64, 0u64);
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).with_context(|| format!("{}: entry {i}", path.display()))?;
        let name = entry.name().to_ascii_lowercase();
        if name.ends_with(".xml") {
            all += entry.size();
            if name.contains("/data/") {
                data += entry.size();
            }
        }
    }
    Ok((data, all))
}
