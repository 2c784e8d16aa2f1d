//! Crash safety of the audit log: a process appending entries (`kenpo audit burst`, which prints
//! `ack SEQ` only after the entry's transaction committed) is killed with SIGKILL at a random
//! moment, again and again. After every kill the log must verify, and every acknowledged entry
//! must be in it. On SQLite (a file in WAL mode) and on PostgreSQL.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: u64 = 24;

fn kenpo_cmd(data_dir: &Path, database: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kenpo"));
    cmd.arg("--data-dir").arg(data_dir).env_remove("KENPO_VAULT_KEY").env_remove("KENPO_DATABASE_URL");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd
}

fn kenpo(data_dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    kenpo_cmd(data_dir, database).args(args).output().expect("run kenpo")
}

fn pg_url(tag: &str) -> String {
    let server =
        std::env::var("KENPO_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("crash_{tag}_{}", std::process::id());
    let status = Command::new("psql")
        .args([&server, "-qc", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")])
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .status()
        .expect("psql must be installed");
    assert!(status.success(), "PostgreSQL must be running (see README)");
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-c%20search_path%3D{schema}")
}

/// SplitMix64: a deterministic delay per round, no extra crate.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `kenpo --json audit verify`: must succeed; returns the number of entries it checked.
fn verify(data: &Path, database: Option<&str>, what: &str) -> u64 {
    let out = kenpo(data, database, &["--json", "audit", "verify"]);
    assert!(
        out.status.success(),
        "{what}: audit verify failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("verify prints JSON");
    assert!(v["first_bad"].is_null(), "{what}: {v}");
    v["entries"].as_u64().expect("entries")
}

/// The seqs of the burst's marks actually stored (read with SQL, apart from the binary).
fn stored_marks(url: &str) -> BTreeSet<i64> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.expect("connect");
        let rows: Vec<(i64,)> = sqlx::query_as("SELECT seq FROM audit_log WHERE rule = 'mark:burst'")
            .fetch_all(&mut conn)
            .await
            .expect("read marks");
        rows.into_iter().map(|(s,)| s).collect()
    })
}

struct Round {
    delay_ms: u64,
    acks: usize,
    max_ack: Option<i64>,
    entries: u64,
}

fn crash_rounds(backend: &str, database: Option<String>) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = database.as_deref();
    let out = kenpo(&data, db, &["demo", "--members", "50"]);
    assert!(out.status.success(), "{backend}: demo failed: {}", String::from_utf8_lossy(&out.stderr));
    let url = database.clone().unwrap_or_else(|| format!("sqlite://{}", data.join("kenpo.db").display()));
    let mut entries = verify(&data, db, "after the demo");
    let mut acked_all = BTreeSet::new();
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        let delay_ms = 50 + splitmix(round * 7919 + backend.len() as u64) % 351;
        let mut child = kenpo_cmd(&data, db)
            .args(["audit", "burst", "--count", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn burst");
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                // Only whole lines: a line cut by the kill has no newline and no trustworthy number.
                if let Some(n) = line.strip_prefix("ack ").and_then(|n| n.strip_suffix('\n')) {
                    acks.push(n.parse::<i64>().expect("ack SEQ"));
                }
                line.clear();
            }
            acks
        });
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().expect("SIGKILL");
        let status = child.wait().unwrap();
        assert!(!status.success(), "{backend} round {round}: the burst was killed, not finished");
        let acks = reader.join().unwrap();
        let what = format!("{backend} round {round} (killed after {delay_ms} ms, {} acks)", acks.len());

        let now = verify(&data, db, &what);
        // No acknowledged entry is missing: the log is dense and verified, so it suffices that
        // the largest acknowledged seq is below the entry count — and each ack is a stored mark.
        let max_ack = acks.iter().copied().max();
        if let Some(max) = max_ack {
            assert!((max as u64) < now, "{what}: ack {max} but only {now} entries");
        }
        assert!(acks.windows(2).all(|w| w[0] < w[1]), "{what}: acks increase");
        assert!(now > entries, "{what}: the log never shrinks ({entries} → {now})");
        entries = now;
        acked_all.extend(acks.iter().copied());
        rounds.push(Round { delay_ms, acks: acks.len(), max_ack, entries: now });
    }
    let marks = stored_marks(&url);
    let missing: Vec<_> = acked_all.difference(&marks).take(5).collect();
    assert!(missing.is_empty(), "{backend}: acknowledged marks missing from the log: {missing:?}");

    println!("{backend}: {ROUNDS} crash rounds in {:.1} s", started.elapsed().as_secs_f64());
    for (i, r) in rounds.iter().enumerate() {
        println!(
            "  round {i:2}: killed after {:3} ms, {:5} acks, max ack {:>6}, entries after {}",
            r.delay_ms,
            r.acks,
            r.max_ack.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
            r.entries
        );
    }
    let with_acks = rounds.iter().filter(|r| r.acks > 0).count();
    println!("  {with_acks} of {ROUNDS} rounds were killed mid-burst; {} acks checked in all", acked_all.len());
    assert!(with_acks >= ROUNDS as usize / 2, "{backend}: most kills must land during the burst");
}

#[test]
fn killed_bursts_never_lose_an_acknowledged_entry_on_sqlite() {
    crash_rounds("sqlite", None);
}

#[test]
fn killed_bursts_never_lose_an_acknowledged_entry_on_postgres() {
    crash_rounds("postgres", Some(pg_url("burst")));
}
