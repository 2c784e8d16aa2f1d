//! Crash safety of imports: `kenpo import roster` and `kenpo import receipts` are killed with
//! SIGKILL at a deterministic pseudo-random moment, round after round, on SQLite and on PostgreSQL.
//! After every kill nothing is partial — the roster is wholly in or wholly out, and so is every
//! receipt file (each file is its own transaction) — a re-import succeeds for what is out and is
//! refused for what is in, the store then holds exactly what an uninterrupted import gives, and the
//! audit log verifies.
//!
//! The delays are drawn in 0..1.3× the duration of an uninterrupted import (spawn to exit, measured
//! first on throwaway stores), so that some rounds are killed before the commit and some finish.
//! Every round starts from a fresh store (a new data folder and, on PostgreSQL, a new schema).

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const ROUNDS: u64 = 30;

/// The rounds are timed against an uninterrupted import measured just before them: two sets of
/// rounds sharing the two cores would each run slower than their own measurement and the kill
/// delays would no longer straddle the import (seen in CI: "only 1 imports finished"). One set
/// of rounds at a time. The delays spread over twice the measured time: a round's import can
/// still run slower than the measurement (a loaded CI machine), and at 1.3× as few as one
/// round of 30 landed after the import's end (seen in CI and here).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
const ROSTER_ACCESS: [&str; 4] = ["--as", "staff:mynumber_officer:t", "--purpose", "mynumber.affairs"];
const RECEIPTS_ACCESS: [&str; 4] = ["--as", "system:import", "--purpose", "receipts.review"];
/// The month whose receipt files are imported (20 files for `--members 400 --seed 7`).
const MONTH: &str = "202610";

fn kenpo_cmd(data_dir: &Path, database: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kenpo"));
    cmd.arg("--data-dir").arg(data_dir).env_remove("KENPO_VAULT_KEY").env_remove("KENPO_DATABASE_URL");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd
}

fn pg_server() -> String {
    std::env::var("KENPO_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

fn psql(server: &str, sql: &str) {
    let status = Command::new("psql")
        .args([server, "-qc", sql])
        .env("PGOPTIONS", "-c client_min_messages=warning")
        .status()
        .expect("psql must be installed");
    assert!(status.success(), "PostgreSQL must be running (see README)");
}

/// SplitMix64: a deterministic delay per round, no extra crate.
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generated society the imports read: its roster and one month's receipt files.
struct Society {
    _dir: tempfile::TempDir,
    roster: PathBuf,
    receipts: Vec<PathBuf>,
}

fn society() -> Society {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("synthetic");
    let out = kenpo_cmd(&dir.path().join("gen-data"), None)
        .args(["generate", "--members", "400", "--seed", "7", "--out"])
        .arg(&out_dir)
        .output()
        .expect("run kenpo generate");
    assert!(out.status.success(), "kenpo generate failed ({})", out.status);
    let mut receipts: Vec<PathBuf> = std::fs::read_dir(out_dir.join("receipts").join(MONTH))
        .expect("the month's receipts folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "UKE"))
        .collect();
    receipts.sort();
    assert!(receipts.len() >= 5, "the month should have several receipt files, has {}", receipts.len());
    Society { roster: out_dir.join("roster.csv"), receipts, _dir: dir }
}

static STORES: AtomicU64 = AtomicU64::new(0);

/// A fresh, initialised store: a data folder and, on PostgreSQL, a schema of its own (dropped with it).
struct Store {
    _dir: tempfile::TempDir,
    data: PathBuf,
    /// `--database` (PostgreSQL); `None` for the SQLite file in the data folder.
    database: Option<String>,
    /// The URL the test reads with SQL.
    url: String,
    /// PostgreSQL: the server and the schema.
    pg: Option<(String, String)>,
}

impl Store {
    fn new(postgres: bool, tag: &str) -> Store {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let (database, pg) = if postgres {
            let server = pg_server();
            let n = STORES.fetch_add(1, Ordering::Relaxed);
            let schema = format!("impcrash_{tag}_{}_{n}", std::process::id());
            psql(&server, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"));
            let sep = if server.contains('?') { '&' } else { '?' };
            (Some(format!("{server}{sep}options=-c%20search_path%3D{schema}")), Some((server, schema)))
        } else {
            (None, None)
        };
        let url = database.clone().unwrap_or_else(|| format!("sqlite://{}", data.join("kenpo.db").display()));
        let store = Store { _dir: dir, data, database, url, pg };
        let out = store.run(&["init"]);
        assert!(out.status.success(), "kenpo init failed ({})", out.status);
        store
    }

    fn cmd(&self) -> Command {
        kenpo_cmd(&self.data, self.database.as_deref())
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run kenpo")
    }

    fn postgres(&self) -> bool {
        self.pg.is_some()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some((server, schema)) = &self.pg {
            psql(server, &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

fn roster_args(society: &Society) -> Vec<String> {
    let mut args = vec!["import".to_string(), "roster".into(), society.roster.display().to_string()];
    args.extend(ROSTER_ACCESS.iter().map(|s| s.to_string()));
    args
}

fn receipts_args(society: &Society) -> Vec<String> {
    let mut args = vec!["--json".to_string(), "import".into(), "receipts".into()];
    args.extend(society.receipts.iter().map(|p| p.display().to_string()));
    args.extend(RECEIPTS_ACCESS.iter().map(|s| s.to_string()));
    args
}

fn import_roster(store: &Store, society: &Society) -> Output {
    store.cmd().args(roster_args(society)).output().expect("run kenpo import roster")
}

/// Runs `args` to its end, or kills it with SIGKILL after `delay` (`None`: never). Returns the
/// exit status and the time from spawn to exit.
fn run_or_kill(store: &Store, args: &[String], delay: Option<Duration>) -> (ExitStatus, Duration) {
    let started = Instant::now();
    let mut child = store.cmd().args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn kenpo");
    if let Some(delay) = delay {
        std::thread::sleep(delay);
        // SIGKILL on Unix; a child that already exited (not yet reaped) is left as it is.
        child.kill().expect("SIGKILL");
    }
    let status = child.wait().unwrap();
    (status, started.elapsed())
}

/// The median of three measured runs.
fn median_duration(mut one: impl FnMut() -> Duration) -> Duration {
    let mut runs = [one(), one(), one()];
    runs.sort();
    runs[1]
}

/// `kenpo --json audit verify`: must succeed; returns the number of entries it checked.
fn verify(store: &Store, what: &str) -> u64 {
    let out = store.run(&["--json", "audit", "verify"]);
    assert!(out.status.success(), "{what}: audit verify failed ({})", out.status);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("verify prints JSON");
    assert!(v["first_bad"].is_null(), "{what}: the audit log does not verify: first bad entry {}", v["first_bad"]);
    v["entries"].as_u64().expect("entries")
}

fn runtime() -> tokio::runtime::Runtime {
    sqlx::any::install_default_drivers();
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// Runs `read` in one transaction on the store. On PostgreSQL it first locks the audit head: a
/// killed client whose COMMIT was already on the wire leaves a server backend that still holds it
/// (every import appends its audit entries before committing), so the lock waits for that backend's
/// commit or rollback and the counts that follow see the outcome.
fn read_sql<T>(
    rt: &tokio::runtime::Runtime,
    store: &Store,
    read: impl for<'c> AsyncFnOnce(&'c mut sqlx::AnyConnection) -> T,
) -> T {
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&store.url).await.expect("connect");
        let mut tx = conn.begin().await.expect("begin");
        if store.postgres() {
            sqlx::query("SELECT next_seq FROM audit_head WHERE id = 1 FOR UPDATE")
                .execute(&mut *tx)
                .await
                .expect("wait for the audit head");
        }
        let value = read(&mut tx).await;
        tx.rollback().await.expect("rollback");
        conn.close().await.expect("close");
        value
    })
}

/// What a roster import writes, counted table by table.
const ROSTER_COUNTS: [(&str, &str); 11] = [
    ("imports (roster)", "SELECT COUNT(*) FROM imports WHERE kind = 'roster'"),
    ("persons", "SELECT COUNT(*) FROM persons"),
    ("eligibility_periods", "SELECT COUNT(*) FROM eligibility_periods"),
    ("standard_remuneration", "SELECT COUNT(*) FROM standard_remuneration"),
    ("bonuses", "SELECT COUNT(*) FROM bonuses"),
    ("dependants", "SELECT COUNT(*) FROM dependants"),
    ("contacts", "SELECT COUNT(*) FROM contacts"),
    ("my_numbers", "SELECT COUNT(*) FROM my_numbers"),
    ("employers", "SELECT COUNT(*) FROM employers"),
    ("member_keys", "SELECT COUNT(*) FROM member_keys"),
    ("provisions", "SELECT COUNT(*) FROM provisions"),
];

fn roster_counts(rt: &tokio::runtime::Runtime, store: &Store) -> Vec<i64> {
    read_sql(rt, store, async |conn| {
        let mut counts = Vec::new();
        for (_, sql) in ROSTER_COUNTS {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *conn).await.expect("count");
            counts.push(n);
        }
        counts
    })
}

fn describe_counts(counts: &[i64]) -> String {
    ROSTER_COUNTS.iter().zip(counts).map(|((table, _), n)| format!("{table} {n}")).collect::<Vec<_>>().join(", ")
}

/// Per receipt file held: its counts as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileCounts {
    row_count: i64,
    receipts: i64,
    lines: i64,
    diagnoses: i64,
    provisions: i64,
}

/// The receipt files held (by the file name the import recorded) and the table totals.
struct ReceiptState {
    files: BTreeMap<String, FileCounts>,
    receipts: i64,
    lines: i64,
    diagnoses: i64,
    provisions: i64,
}

fn receipt_state(rt: &tokio::runtime::Runtime, store: &Store) -> ReceiptState {
    read_sql(rt, store, async |conn| {
        let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT i.file_name, CAST(i.row_count AS BIGINT), \
               (SELECT COUNT(*) FROM receipts r WHERE r.import_id = i.id), \
               (SELECT COUNT(*) FROM receipt_lines l JOIN receipts r ON r.id = l.receipt_id WHERE r.import_id = i.id), \
               (SELECT COUNT(*) FROM receipt_diagnoses d JOIN receipts r ON r.id = d.receipt_id \
                 WHERE r.import_id = i.id), \
               (SELECT COUNT(*) FROM provisions p WHERE p.file_name = i.file_name) \
             FROM imports i WHERE i.kind = 'receipts'",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("per-file counts");
        let mut files = BTreeMap::new();
        for (name, row_count, receipts, lines, diagnoses, provisions) in rows {
            let counts = FileCounts { row_count, receipts, lines, diagnoses, provisions };
            assert!(files.insert(name, counts).is_none(), "a receipt file is held twice");
        }
        let mut totals = Vec::new();
        for sql in [
            "SELECT COUNT(*) FROM receipts",
            "SELECT COUNT(*) FROM receipt_lines",
            "SELECT COUNT(*) FROM receipt_diagnoses",
            "SELECT COUNT(*) FROM provisions",
        ] {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *conn).await.expect("count");
            totals.push(n);
        }
        let [receipts, lines, diagnoses, provisions] = totals[..] else { unreachable!() };
        ReceiptState { files, receipts, lines, diagnoses, provisions }
    })
}

/// Checks that every receipt file held is held whole (as in `reference`) and that nothing is
/// held outside the files (no receipt, line, diagnosis or Art. 30 record of a file not held).
/// `roster_provisions`: the provision records of the roster import before the receipts.
fn check_receipts_whole(
    state: &ReceiptState,
    reference: &BTreeMap<String, FileCounts>,
    roster_provisions: i64,
    what: &str,
) {
    for (n, (name, counts)) in state.files.iter().enumerate() {
        let expected = reference.get(name).unwrap_or_else(|| panic!("{what}: held file #{n} is not one imported"));
        assert_eq!(counts, expected, "{what}: held file #{n} is partial");
    }
    let sum = |f: fn(&FileCounts) -> i64| state.files.values().map(f).sum::<i64>();
    assert_eq!(state.receipts, sum(|c| c.receipts), "{what}: receipts outside the files held");
    assert_eq!(state.lines, sum(|c| c.lines), "{what}: receipt lines outside the files held");
    assert_eq!(state.diagnoses, sum(|c| c.diagnoses), "{what}: diagnoses outside the files held");
    assert_eq!(
        state.provisions,
        roster_provisions + state.files.len() as i64,
        "{what}: Art. 30 records do not match the files held"
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Killed; nothing (roster) or not every file (receipts) was in.
    KilledBeforeCommit,
    /// Killed after the (last) commit, before the process exited: everything was in.
    KilledAfterCommit,
    /// Exited successfully before the kill.
    Finished,
}

impl Outcome {
    fn of(status: ExitStatus, all_in: bool, what: &str) -> Outcome {
        if status.success() {
            assert!(all_in, "{what}: the import reported success but not everything is in");
            Outcome::Finished
        } else {
            assert_eq!(status.signal(), Some(9), "{what}: the import failed on its own ({status}), not by the kill");
            if all_in { Outcome::KilledAfterCommit } else { Outcome::KilledBeforeCommit }
        }
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::KilledBeforeCommit => "killed mid-import",
            Outcome::KilledAfterCommit => "killed after its commit",
            Outcome::Finished => "finished before the kill",
        }
    }
}

/// Prints the report in one piece (the tests run in parallel) and returns the number of rounds
/// killed before the (last) commit and the number finished before the kill.
/// `opening`: how long the binary takes to start and open the store (kills before that cannot
/// land inside the import). Returns the number of rounds killed mid-import later than that, and
/// the number finished before the kill.
fn summarise(
    backend: &str,
    what: &str,
    mut report: Vec<String>,
    outcomes: &[(Outcome, Duration)],
    opening: Duration,
    started: Instant,
) -> (usize, usize) {
    let count = |o: Outcome| outcomes.iter().filter(|(x, _)| *x == o).count();
    let (before, after, finished) =
        (count(Outcome::KilledBeforeCommit), count(Outcome::KilledAfterCommit), count(Outcome::Finished));
    let inside = outcomes.iter().filter(|(o, d)| *o == Outcome::KilledBeforeCommit && *d > opening).count();
    report.push(format!(
        "{backend} {what}: {} rounds in {:.1} s: {before} killed mid-import (before the (last) commit; {inside} of \
         them later than the {:.0} ms the binary takes to start and open the store), {after} killed after the \
         commit, {finished} finished before the kill",
        outcomes.len(),
        started.elapsed().as_secs_f64(),
        opening.as_secs_f64() * 1e3
    ));
    println!("{}", report.join("\n"));
    // The other side of the straddle: every round whose import had committed when the kill came
    // (killed after the commit, or finished before it).
    (inside, after + finished)
}

/// How long the binary takes to start, open the store and do next to nothing (the median of
/// three `audit verify` runs on a fresh store).
fn opening_time(postgres: bool) -> Duration {
    let store = Store::new(postgres, "open");
    let args: Vec<String> = ["--json", "audit", "verify"].iter().map(|s| s.to_string()).collect();
    median_duration(|| {
        let (status, took) = run_or_kill(&store, &args, None);
        assert!(status.success(), "audit verify on a fresh store failed ({status})");
        took
    })
}

fn roster_rounds(backend: &str) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let postgres = backend == "postgres";
    let rt = runtime();
    let society = society();
    let args = roster_args(&society);

    // Reference: uninterrupted imports on throwaway stores (their duration and what they write).
    let mut reference = None;
    let mut reference_entries = 0;
    let typical = median_duration(|| {
        let store = Store::new(postgres, "rref");
        let (status, took) = run_or_kill(&store, &args, None);
        assert!(status.success(), "{backend}: the reference roster import failed ({status})");
        let counts = roster_counts(&rt, &store);
        assert!(counts[0] == 1 && counts[1] > 0, "{backend}: reference roster: {}", describe_counts(&counts));
        assert!(reference.get_or_insert_with(|| counts.clone()) == &counts, "{backend}: reference imports differ");
        reference_entries = verify(&store, "the reference roster import");
        took
    });
    let reference = reference.unwrap();
    let opening = opening_time(postgres);
    let people = reference[1];
    let span_us = (typical.as_micros() as u64 * 2).max(1);
    let mut report = vec![format!(
        "{backend} roster: an uninterrupted import takes {:.0} ms (spawn to exit, median of 3); {people} people",
        typical.as_secs_f64() * 1e3
    )];

    let mut outcomes = Vec::new();
    let mut last = None;
    for round in 0..ROUNDS {
        let delay = Duration::from_micros(splitmix(round * 7919 + 1 + postgres as u64 * 104_729) % span_us);
        let store = Store::new(postgres, "roster");
        let (status, _) = run_or_kill(&store, &args, Some(delay));
        let what = format!("{backend} roster round {round} (kill after {} ms, {status})", delay.as_millis());

        let counts = roster_counts(&rt, &store);
        let all_in = counts == reference;
        assert!(
            all_in || counts.iter().all(|&n| n == 0),
            "{what}: a partial roster after the kill: {} (whole: {})",
            describe_counts(&counts),
            describe_counts(&reference)
        );
        let outcome = Outcome::of(status, all_in, &what);

        let again = import_roster(&store, &society);
        if all_in {
            assert!(!again.status.success(), "{what}: a second import of the roster was not refused");
            assert!(
                String::from_utf8_lossy(&again.stderr).contains("already imported"),
                "{what}: the second import was refused, but not as already imported"
            );
        } else {
            assert!(again.status.success(), "{what}: the re-import after the kill failed ({})", again.status);
        }
        let after = roster_counts(&rt, &store);
        assert!(after == reference, "{what}: after the re-import: {}", describe_counts(&after));
        let entries = verify(&store, &what);
        assert_eq!(entries, reference_entries, "{what}: audit entries (as after an uninterrupted import)");
        report.push(format!(
            "  round {round:2}: killed after {:4} ms: {:<25} re-import {}; {entries} audit entries verify",
            delay.as_millis(),
            outcome.label(),
            if all_in { "refused (already imported)" } else { "succeeded" }
        ));
        outcomes.push((outcome, delay));
        last = Some(store);
    }
    // The last round's store, through the CLI: the figures are the whole roster's.
    let store = last.unwrap();
    let out = store.run(&["--json", "stats", "--as", "staff:privacy_officer:x", "--purpose", "admin.basic_material"]);
    assert!(out.status.success(), "{backend}: stats failed ({})", out.status);
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats prints JSON");
    assert_eq!(stats["people"].as_i64(), Some(people), "{backend}: stats after the import");
    verify(&store, &format!("{backend}: after stats"));

    let (inside, finished) = summarise(backend, "roster", report, &outcomes, opening, started);
    assert!(inside >= 3, "{backend} roster: only {inside} kills landed inside the import: the delays do not straddle");
    assert!(
        finished >= 2,
        "{backend} roster: only {finished} imports committed before the kill: the delays do not straddle"
    );
}

fn receipts_rounds(backend: &str) {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let postgres = backend == "postgres";
    let rt = runtime();
    let society = society();
    let args = receipts_args(&society);
    let file_count = society.receipts.len();
    let with_roster = |tag: &str| {
        let store = Store::new(postgres, tag);
        let out = import_roster(&store, &society);
        assert!(out.status.success(), "{backend}: the roster import failed ({})", out.status);
        let provisions = roster_counts(&rt, &store)[10];
        (store, provisions)
    };

    // Reference: uninterrupted imports of the month on throwaway stores.
    let mut reference: Option<BTreeMap<String, FileCounts>> = None;
    let mut reference_entries = 0;
    let typical = median_duration(|| {
        let (store, _) = with_roster("cref");
        let (status, took) = run_or_kill(&store, &args, None);
        assert!(status.success(), "{backend}: the reference receipts import failed ({status})");
        let state = receipt_state(&rt, &store);
        assert_eq!(state.files.len(), file_count, "{backend}: reference: every file is in");
        assert!(state.files.values().all(|c| c.receipts > 0 && c.lines > 0), "{backend}: reference: empty files");
        assert!(reference.get_or_insert_with(|| state.files.clone()) == &state.files, "{backend}: references differ");
        reference_entries = verify(&store, "the reference receipts import");
        took
    });
    let reference = reference.unwrap();
    let opening = opening_time(postgres);
    let total_receipts: i64 = reference.values().map(|c| c.receipts).sum();
    let span_us = (typical.as_micros() as u64 * 2).max(1);
    let mut report = vec![format!(
        "{backend} receipts: an uninterrupted import of {file_count} files ({total_receipts} receipts) takes {:.0} ms \
         (spawn to exit, median of 3)",
        typical.as_secs_f64() * 1e3
    )];

    let mut outcomes = Vec::new();
    let mut between_files = 0;
    for round in 0..ROUNDS {
        let delay = Duration::from_micros(splitmix(round * 6151 + 2 + postgres as u64 * 130_363) % span_us);
        let (store, roster_provisions) = with_roster("receipts");
        let (status, _) = run_or_kill(&store, &args, Some(delay));
        let what = format!("{backend} receipts round {round} (kill after {} ms, {status})", delay.as_millis());

        let state = receipt_state(&rt, &store);
        check_receipts_whole(&state, &reference, roster_provisions, &what);
        let held = state.files.len();
        let outcome = Outcome::of(status, held == file_count, &what);
        if held > 0 && held < file_count {
            between_files += 1;
        }

        // Re-import the whole month: the files held are refused as already imported, the others go in.
        let again = store.cmd().args(&args).output().expect("run kenpo import receipts");
        let json: serde_json::Value = serde_json::from_slice(&again.stdout).expect("import receipts --json");
        let refused: Vec<&str> =
            json["refused"].as_array().expect("refused").iter().filter_map(|r| r.as_str()).collect();
        assert_eq!(again.status.success(), held == 0, "{what}: re-import exit status ({})", again.status);
        assert_eq!(refused.len(), held, "{what}: the re-import refused {} files, {held} were held", refused.len());
        for (n, name) in state.files.keys().enumerate() {
            assert!(
                refused.iter().any(|r| r.starts_with(&format!("{name}: ")) && r.contains("already imported")),
                "{what}: held file #{n} was not refused as already imported"
            );
        }
        let missing: i64 =
            reference.iter().filter(|(name, _)| !state.files.contains_key(*name)).map(|(_, c)| c.receipts).sum();
        assert_eq!(json["summary"]["files"].as_u64(), Some((file_count - held) as u64), "{what}: files re-imported");
        assert_eq!(json["summary"]["receipts"].as_i64(), Some(missing), "{what}: receipts re-imported");

        let after = receipt_state(&rt, &store);
        check_receipts_whole(&after, &reference, roster_provisions, &format!("{what}, after the re-import"));
        assert_eq!(after.files.len(), file_count, "{what}: after the re-import every file is in");
        assert_eq!(after.receipts, total_receipts, "{what}: after the re-import");
        let entries = verify(&store, &what);
        assert_eq!(entries, reference_entries, "{what}: audit entries (as after an uninterrupted import)");
        report.push(format!(
            "  round {round:2}: killed after {:4} ms: {:<25} {held:2} of {file_count} files in; re-import added \
             {missing:3} receipts; {entries} audit entries verify",
            delay.as_millis(),
            outcome.label()
        ));
        outcomes.push((outcome, delay));
        if round + 1 == ROUNDS {
            let out =
                store.run(&["--json", "stats", "--as", "staff:privacy_officer:x", "--purpose", "admin.basic_material"]);
            assert!(out.status.success(), "{backend}: stats failed ({})", out.status);
            let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stats prints JSON");
            assert_eq!(stats["receipts"].as_i64(), Some(total_receipts), "{backend}: stats after the re-import");
            verify(&store, &format!("{backend}: after stats"));
        }
    }
    report.push(format!("  {between_files} rounds were killed between files (some files in, the rest out)"));
    let (inside, finished) = summarise(backend, "receipts", report, &outcomes, opening, started);
    assert!(between_files >= 1, "{backend} receipts: no kill landed between two files");
    assert!(inside >= 3, "{backend} receipts: only {inside} kills landed inside the import: no straddle");
    assert!(
        finished >= 2,
        "{backend} receipts: only {finished} imports committed before the kill: the delays do not straddle"
    );
}

#[test]
fn killed_roster_imports_leave_all_or_nothing_on_sqlite() {
    roster_rounds("sqlite");
}

#[test]
fn killed_roster_imports_leave_all_or_nothing_on_postgres() {
    roster_rounds("postgres");
}

#[test]
fn killed_receipt_imports_leave_each_file_all_or_nothing_on_sqlite() {
    receipts_rounds("sqlite");
}

#[test]
fn killed_receipt_imports_leave_each_file_all_or_nothing_on_postgres() {
    receipts_rounds("postgres");
}
