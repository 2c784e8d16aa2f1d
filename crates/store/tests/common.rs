//! Test helpers: the same tests run on SQLite (a temp file) and PostgreSQL (a fresh schema in
//! the `test` database; `KENPO_TEST_POSTGRES` overrides the server URL).

#![allow(dead_code)]

use kenpo_store::{AccessContext, Actor, NewPerson, PurposeId, Store, VaultKeys};
use kenpo_synth::{Society, SocietyConfig, family};

pub const PG_DEFAULT: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn pg_server() -> String {
    std::env::var("KENPO_TEST_POSTGRES").unwrap_or_else(|_| PG_DEFAULT.to_string())
}

/// A store on a fresh database of the backend, plus what is needed to inspect it afterwards.
pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    pub schema: Option<String>,
    pub _dir: Option<tempfile::TempDir>,
    pub sqlite_path: Option<std::path::PathBuf>,
}

pub async fn fresh(backend: &'static str, tag: &str) -> TestDb {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("kenpo.db");
            TestDb {
                url: format!("sqlite://{}", path.display()),
                backend,
                schema: None,
                _dir: Some(dir),
                sqlite_path: Some(path),
            }
        }
        _ => {
            sqlx::any::install_default_drivers();
            let schema = format!("t_{}_{}_{}", tag, std::process::id(), rand_suffix());
            let server = pg_server();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&server)
                .await
                .expect("PostgreSQL must be running on 127.0.0.1:5432 (see README / .ci/run)");
            sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .await
                .expect("create schema");
            let sep = if server.contains('?') { '&' } else { '?' };
            let url = format!("{server}{sep}options=-c%20search_path%3D{schema}");
            TestDb { url, backend, schema: Some(schema), _dir: None, sqlite_path: None }
        }
    }
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos() as u64).unwrap_or(0)
}

pub const BACKENDS: [&str; 2] = ["sqlite", "postgres"];

pub fn ctx(actor: &str, purpose: &str) -> AccessContext {
    AccessContext::new(Actor::parse(actor).unwrap(), PurposeId::parse(purpose).unwrap())
}

/// The roster importer's context: the roster carries 個人番号, so a 番号法 affair.
pub fn importer() -> AccessContext {
    ctx("staff:mynumber_officer:test", "mynumber.affairs")
}

pub fn society(members: u64) -> (Society, Vec<kenpo_domain::person::Person>) {
    let society = Society::new(SocietyConfig::new(members, 99));
    let people = (0..members).flat_map(|i| family(&society, i)).collect();
    (society, people)
}

pub fn rows(society: &Society, people: &[kenpo_domain::person::Person]) -> Vec<Result<NewPerson, String>> {
    let mut seen = std::collections::HashSet::new();
    people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let employer = p
                .employer_code
                .as_ref()
                .filter(|c| seen.insert((*c).clone()))
                .and_then(|c| society.employers.iter().find(|e| &e.employer.code == c).map(|e| e.employer.clone()));
            Ok(NewPerson { line: i as u64 + 2, person: p.clone(), employer })
        })
        .collect()
}

pub async fn open(db: &TestDb, keys: VaultKeys) -> Store {
    // Decisions are dated (contract periods); pin the day so the tests do not age.
    Store::open(&db.url, keys)
        .await
        .expect("open store")
        .with_decision_date(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).expect("date"))
}

pub fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

pub fn reviewer() -> AccessContext {
    ctx("staff:receipt_review:t", "receipts.review")
}

pub fn benefits() -> AccessContext {
    ctx("staff:benefits:t", "benefits.payment")
}

/// A second connection to the same database, to read rows the API does not show.
pub async fn raw(db: &TestDb) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&db.url).await.expect("raw connection")
}

pub async fn count(conn: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}

/// The stored id of the receipt with a 検索番号 (every hand-made receipt has its own).
pub async fn receipt_id(conn: &mut sqlx::AnyConnection, search_number: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM receipts WHERE search_number = $1")
        .bind(search_number.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("receipt {search_number}: {e}"));
    id
}

/// Row counts of everything a receipt import writes.
pub async fn receipt_tables(conn: &mut sqlx::AnyConnection) -> [i64; 7] {
    let tables = [
        "receipts",
        "receipt_lines",
        "receipt_diagnoses",
        "receipt_corrections",
        "imports",
        "import_warnings",
        "provisions",
    ];
    let mut out = [0; 7];
    for (i, table) in tables.iter().enumerate() {
        out[i] = count(conn, &format!("SELECT COUNT(*) FROM {table}")).await;
    }
    out
}

/// A table as the one CSV writer renders it (UTF-8, no BOM), for tests that read the lines.
#[allow(dead_code)]
pub fn csv_text(t: &kenpo_domain::Table) -> String {
    let bytes = kenpo_formats::csv_out::render(t, kenpo_formats::csv_out::CsvEncoding::Utf8).expect("renders");
    String::from_utf8(bytes).expect("UTF-8")
}
