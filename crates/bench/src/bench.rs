//! `kenpo bench roster`: generate a roster and import it into SQLite and PostgreSQL, printing
//! people per second and database size, beside a baseline measured in the same run.

use crate::config::Location;
use anyhow::{Context, Result};
use clap::Subcommand;
use kenpo_policy::PolicyEngine;
use kenpo_store::{AccessContext, Actor, PersonId, PurposeId};
use std::time::Instant;

#[derive(Subcommand)]
pub enum BenchWhat {
    /// Audited guarded reads per second (1 and 8 clients) on SQLite and PostgreSQL; build with
    /// `--features bench-baseline` to print the unaudited baseline beside them.
    Audit {
        #[arg(long, default_value_t = 20_000)]
        reads: usize,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data")]
        dir: std::path::PathBuf,
    },
    /// N generated 特定健診 documents in ~1,000-document ZIP archives: parse only, import on SQLite
    /// (and PostgreSQL), 階層化 of the year; writes DIR/kenpo-bench.json for
    /// scripts/bench-checkups.sh's Python lxml baseline over the same archives.
    Checkups {
        #[arg(long, default_value_t = 100_000)]
        documents: u64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data/checkups")]
        dir: std::path::PathBuf,
        /// Reuse the generated archives and roster in DIR if present, and keep the PostgreSQL
        /// database.
        #[arg(long)]
        keep: bool,
    },
    /// Decision latency (p50/p99, single thread): the catalogue's decision table beside Cedar,
    /// and the cost a decision adds to one guarded read on SQLite.
    Policy {
        #[arg(long, default_value_t = 200_000)]
        iterations: usize,
        #[arg(long, default_value = "bench-data")]
        dir: std::path::PathBuf,
    },
    /// A generated year of receipts: parse only, import on SQLite (and PostgreSQL), 高額療養費
    /// for 1 and 12 months; writes the rows as CSV for scripts/bench-receipts.sh's baselines.
    Receipts {
        #[arg(long, default_value_t = 100_000)]
        members: u64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data/receipts")]
        dir: std::path::PathBuf,
        /// Reuse the generated files in DIR if present, and keep the PostgreSQL database.
        #[arg(long)]
        keep: bool,
        /// Stop after the parse-only figure (for profiling the reader).
        #[arg(long)]
        parse_only: bool,
    },
    /// Eligibility: N events applied (events/s), "as of a day" for ~1,000,000 people (lookups/s),
    /// and a year of receipts matched as of their month with and without a year of events.
    Eligibility {
        #[arg(long, default_value_t = 100_000)]
        events: u64,
        #[arg(long, default_value_t = 1_000_000)]
        people: u64,
        #[arg(long, default_value_t = 100_000)]
        receipt_members: u64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data/eligibility")]
        dir: std::path::PathBuf,
    },
    /// 標準報酬 and premiums: 定時決定 of every member from the employers' 算定基礎届 and a
    /// month's premiums and 納入告知 for N members, on SQLite (and PostgreSQL).
    Premiums {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data/premiums")]
        dir: std::path::PathBuf,
    },
    /// The audited member read and member search through the HTTP API at 1, 8 and 64
    /// connections, beside the store-level audited read, on SQLite (and PostgreSQL).
    Http {
        #[arg(long, default_value_t = 20_000)]
        requests: usize,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data/http")]
        dir: std::path::PathBuf,
    },
    /// Generate and import a roster of N insured persons (plus ~0.8 dependants each).
    Roster {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        /// PostgreSQL server URL to create a throw-away database on (skipped if absent).
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "bench-data")]
        dir: std::path::PathBuf,
    },
}

/// A throw-away PostgreSQL database a benchmark created, and the admin connection that drops it.
pub(crate) struct BenchDb {
    admin: sqlx::AnyConnection,
    name: &'static str,
}

impl BenchDb {
    pub(crate) async fn drop_database(mut self) -> Result<()> {
        let sql = format!("DROP DATABASE IF EXISTS {}", self.name);
        sqlx::Executor::execute(&mut self.admin, sqlx::AssertSqlSafe(sql)).await?;
        Ok(())
    }
}

/// The stores a benchmark runs on: SQLite under `dir/sqlite`, and PostgreSQL when a server is
/// given — a fresh database `name` (dropped first if a run left it), vault keys under `dir/pg-keys`.
pub(crate) async fn bench_targets(
    dir: &std::path::Path,
    postgres: Option<String>,
    name: &'static str,
) -> Result<(Vec<(&'static str, Location)>, Option<BenchDb>)> {
    let mut targets = vec![("sqlite", Location::new(&dir.join("sqlite"), None))];
    let Some(server) = postgres else { return Ok((targets, None)) };
    sqlx::any::install_default_drivers();
    let server = server.trim_end_matches('/');
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("{server}/postgres")).await?;
    sqlx::Executor::execute(&mut admin, sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).await?;
    sqlx::Executor::execute(&mut admin, sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await?;
    targets.push(("postgres", Location::new(&dir.join("pg-keys"), Some(&format!("{server}/{name}")))));
    Ok((targets, Some(BenchDb { admin, name })))
}

fn dir_size(path: &std::path::Path, prefix: &str) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Allows everything: the baseline that shows what the real decision costs inside a read.
struct AllowAll;
impl PolicyEngine for AllowAll {
    fn decide(&self, _: &kenpo_policy::AccessRequest<'_>) -> kenpo_policy::Decision {
        kenpo_policy::Decision::allow("bench_allow_all", kenpo_policy::Obligations::default())
    }
    fn version(&self) -> &str {
        "bench"
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn bench_policy(iterations: usize, dir: &std::path::Path) -> Result<()> {
    let catalogue = kenpo_policy::Catalogue::default_catalogue()?;
    println!("{}", kenpo_cedar::bench_report(&catalogue, iterations));
    let catalogue = catalogue.clone();

    // One guarded read (Store::person: the row, then each category's decision) on SQLite.
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let out = dir.join("synthetic");
    crate::generate(1_000, 1, &out, true)?;
    let location = Location::new(&dir.join("sqlite"), None);
    location.init().await?;
    let store = location.open().await?;
    let ctx = AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    crate::import_roster(&store, &ctx, &out.join("roster.csv")).await?;
    store.close().await;
    let reader =
        AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse("eligibility.management")?);
    let reads = 5_000usize;
    let mut results = Vec::new();
    for (label, allow_all) in
        [("catalogue decision", false), ("allow-all baseline", true), ("catalogue decision", false)]
    {
        let mut store = location.open().await?;
        if allow_all {
            store = store.with_policy(std::sync::Arc::new(AllowAll));
        }
        let mut times = Vec::with_capacity(reads);
        for i in 0..reads {
            let started = Instant::now();
            let _ = store.person(&reader, PersonId((i % 1_700) as i64 + 1)).await?;
            times.push(started.elapsed().as_secs_f64() * 1e6);
        }
        store.close().await;
        times.sort_by(|a, b| a.total_cmp(b));
        results.push((label, percentile(&times, 0.5), percentile(&times, 0.99)));
    }
    println!("guarded read (Store::person, 8 category decisions, SQLite, {reads} reads each):");
    for (label, p50, p99) in &results {
        println!("  {label:<20} p50 {p50:>8.1} µs  p99 {p99:>8.1} µs");
    }
    let with = (results[0].1 + results[2].1) / 2.0;
    let measured = with - results[1].1;
    // The A/B difference is within run-to-run noise at this size; the decisions' own cost is
    // better computed from the table's latency (8 category decisions per read).
    let engine = kenpo_policy::CatalogueEngine::new(catalogue);
    let ctx = AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse("eligibility.management")?);
    let subject = kenpo_policy::Subject::Person(PersonId(1));
    let on = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
    let started = Instant::now();
    let n = 1_000_000;
    let mut allowed = 0usize;
    for i in 0..n {
        let category = kenpo_domain::DataCategory::ALL[i % 13];
        let d = engine.decide(&kenpo_policy::AccessRequest {
            context: &ctx,
            action: kenpo_policy::Action::Read,
            category,
            subject: &subject,
            on,
        });
        allowed += d.is_allowed() as usize;
    }
    let per_decision = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "  8 decisions ≈ {:.2} µs = {:.3}% of a {:.0} µs guarded read (table, {} of {n} allowed); A/B difference {:+.0} µs is noise",
        per_decision * 8.0,
        per_decision * 8.0 / with * 100.0,
        with,
        allowed,
        measured
    );
    Ok(())
}

pub async fn run(what: BenchWhat) -> Result<()> {
    let (members, postgres, dir) = match what {
        BenchWhat::Policy { iterations, dir } => return bench_policy(iterations, &dir).await,
        BenchWhat::Audit { reads, postgres, dir } => return bench_audit(reads, postgres, &dir).await,
        BenchWhat::Http { requests, postgres, dir } => {
            return crate::bench_http::bench_http(requests, postgres, &dir).await;
        }
        BenchWhat::Roster { members, postgres, dir } => (members, postgres, dir),
        BenchWhat::Checkups { documents, postgres, dir, keep } => {
            return crate::bench_checkups::bench_checkups(documents, postgres, &dir, keep).await;
        }
        BenchWhat::Eligibility { events, people, receipt_members, postgres, dir } => {
            return crate::bench_eligibility::bench_eligibility(events, people, receipt_members, postgres, &dir).await;
        }
        BenchWhat::Premiums { members, postgres, dir } => {
            return crate::bench_premiums::bench_premiums(members, postgres, &dir).await;
        }
        BenchWhat::Receipts { members, postgres, dir, keep, parse_only } => {
            return crate::bench_receipts::bench_receipts(members, postgres, &dir, keep, parse_only).await;
        }
    };
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir)?;
    let out = dir.join("synthetic");
    let started = Instant::now();
    let summary = crate::generate(members, 1, &out, true)?;
    let gen_secs = started.elapsed().as_secs_f64();
    let roster = out.join("roster.csv");
    let csv_bytes = std::fs::metadata(&roster)?.len();
    println!("roster: {} people ({} members), {:.1} MB CSV", summary.people, members, csv_bytes as f64 / 1e6);
    println!("generate: {:.1} s, {:.0} people/s", gen_secs, summary.people as f64 / gen_secs);

    // Baseline in the same run: reading and parsing the CSV alone (no database).
    let started = Instant::now();
    let bytes = std::fs::read(&roster)?;
    let parsed =
        kenpo_formats::roster::RosterReader::new(bytes.as_slice(), "roster.csv")?.filter(|r| r.is_ok()).count();
    let parse_secs = started.elapsed().as_secs_f64();
    println!("parse only (baseline): {:.1} s, {:.0} people/s", parse_secs, parsed as f64 / parse_secs);

    let ctx = AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let sqlite_dir = dir.join("sqlite");
    let location = Location::new(&sqlite_dir, None);
    location.init().await?;
    let store = location.open().await?;
    let started = Instant::now();
    let imported = crate::import_roster(&store, &ctx, &roster).await?;
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    let size = dir_size(&sqlite_dir, "kenpo.db");
    println!(
        "sqlite import: {:.1} s, {:.0} people/s ({:.2}× parse-only time), database {:.1} MB ({:.0} bytes/person)",
        secs,
        imported.people as f64 / secs,
        secs / parse_secs,
        size as f64 / 1e6,
        size as f64 / imported.people as f64
    );

    if let Some(server) = postgres {
        sqlx::any::install_default_drivers();
        let admin = format!("{}/postgres", server.trim_end_matches('/'));
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await?;
        sqlx::Executor::execute(&mut conn, "DROP DATABASE IF EXISTS kenpo_bench").await?;
        sqlx::Executor::execute(&mut conn, "CREATE DATABASE kenpo_bench").await?;
        let url = format!("{}/kenpo_bench", server.trim_end_matches('/'));
        let location = Location::new(&sqlite_dir, Some(&url));
        let store = location.open().await?;
        let started = Instant::now();
        let imported = crate::import_roster(&store, &ctx, &roster).await?;
        let secs = started.elapsed().as_secs_f64();
        store.close().await;
        let mut bench = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await?;
        let (size,): (i64,) =
            sqlx::query_as("SELECT pg_database_size(current_database())").fetch_one(&mut bench).await?;
        drop(bench);
        println!(
            "postgres import: {:.1} s, {:.0} people/s ({:.2}× parse-only time), database {:.1} MB ({:.0} bytes/person)",
            secs,
            imported.people as f64 / secs,
            secs / parse_secs,
            size as f64 / 1e6,
            size as f64 / imported.people as f64
        );
        sqlx::Executor::execute(&mut conn, "DROP DATABASE IF EXISTS kenpo_bench").await?;
    }
    Ok(())
}

/// `kenpo bench audit`: audited guarded reads per second, 1 and 8 clients, SQLite and PostgreSQL.
pub async fn bench_audit(reads: usize, postgres: Option<String>, dir: &std::path::Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let out = dir.join("synthetic");
    crate::generate(1_000, 1, &out, true)?;
    let roster = out.join("roster.csv");
    let mut targets: Vec<(String, Location)> = vec![("sqlite".into(), Location::new(&dir.join("sqlite"), None))];
    if let Some(server) = postgres {
        sqlx::any::install_default_drivers();
        let admin = format!("{}/postgres", server.trim_end_matches('/'));
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await?;
        sqlx::Executor::execute(&mut conn, "DROP DATABASE IF EXISTS kenpo_bench_audit").await?;
        sqlx::Executor::execute(&mut conn, "CREATE DATABASE kenpo_bench_audit").await?;
        let url = format!("{}/kenpo_bench_audit", server.trim_end_matches('/'));
        targets.push(("postgres".into(), Location::new(&dir.join("sqlite"), Some(&url))));
    }
    let officer =
        AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let reader =
        AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse("eligibility.management")?);
    println!("audited guarded read = Store::find_person (policy decision + one indexed SELECT + audit entry)");
    for (name, location) in &targets {
        location.init().await?;
        let store = location.open().await?;
        crate::import_roster(&store, &officer, &roster).await?;
        // The cards to look up, read through the access layer once.
        let bytes = std::fs::read(&roster)?;
        let cards: Vec<kenpo_domain::CardId> =
            kenpo_formats::roster::RosterReader::new(bytes.as_slice(), "roster.csv")?
                .filter_map(|r| r.ok().map(|r| r.person.card))
                .collect();
        store.close().await;
        let cards = std::sync::Arc::new(cards);
        for clients in [1usize, 8, 64] {
            let mut line = format!("{name:<8} {clients} client(s):");
            let mut modes = vec![("audited", false)];
            if cfg!(feature = "bench-baseline") {
                modes.push(("no audit (baseline)", true));
            }
            let mut rates = Vec::new();
            for (label, unaudited) in modes {
                let store = open_for_bench(location, unaudited).await?;
                let store = std::sync::Arc::new(store);
                let started = Instant::now();
                let per_client = reads / clients;
                let mut tasks = Vec::new();
                for c in 0..clients {
                    let (store, cards, reader) = (store.clone(), cards.clone(), reader.clone());
                    tasks.push(tokio::spawn(async move {
                        for i in 0..per_client {
                            let card = &cards[(c * 7919 + i) % cards.len()];
                            store.find_person(&reader, "06279996", card).await?;
                        }
                        Ok::<(), kenpo_store::StoreError>(())
                    }));
                }
                for t in tasks {
                    t.await??;
                }
                let secs = started.elapsed().as_secs_f64();
                let rate = (per_client * clients) as f64 / secs;
                rates.push(rate);
                line.push_str(&format!("  {label}: {rate:.0} reads/s"));
                if let Ok(store) = std::sync::Arc::try_unwrap(store) {
                    store.close().await;
                }
            }
            if rates.len() == 2 {
                line.push_str(&format!("  (audited = {:.2}× baseline)", rates[0] / rates[1]));
            }
            println!("{line}");
        }
    }
    Ok(())
}

async fn open_for_bench(location: &Location, unaudited: bool) -> Result<kenpo_store::Store> {
    let store = location.open().await?;
    #[cfg(feature = "bench-baseline")]
    if unaudited {
        return Ok(store.without_audit_for_baseline());
    }
    let _ = unaudited;
    Ok(store)
}
