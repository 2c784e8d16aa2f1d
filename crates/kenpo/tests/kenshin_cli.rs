//! 特定健診 through the binary, on SQLite and PostgreSQL: malformed archives are refused by
//! `kenpo import checkups` naming the archive and where in it the problem is (never a personal
//! value), and leave the store exactly as it was; a good archive next to a bad one still goes in;
//! then `kenpo kenshin assess`, `targets` and `report` on that store.
//!
//! The bad archives are built from the documents of a generated archive: each document is written
//! again with `write_checkup_document`, the index by hand, and the ZIP with the `zip` crate. A
//! control archive built the same way, unbroken, reads back: so each refusal is the defect put
//! in, not the packaging.

use kenpo_domain::checkup::{CheckupRecord, ResultValue};
use kenpo_formats::checkup_xml::{self as cx, ArchiveHeader, NS_INDEX_MHLW};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kenpo(data_dir: &Path, database: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kenpo"));
    cmd.arg("--data-dir").arg(data_dir).args(args).env_remove("KENPO_VAULT_KEY").env_remove("KENPO_DATABASE_URL");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd.output().expect("run kenpo")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr)
}

fn ok(o: Output, what: &str) -> Output {
    assert!(o.status.success(), "{what} failed: {}", text(&o));
    o
}

fn pg_url(tag: &str) -> String {
    let server =
        std::env::var("KENPO_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("cli_{tag}_{}", std::process::id());
    let status = Command::new("psql")
        .args([&server, "-qc", &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")])
        .status()
        .expect("psql must be installed");
    assert!(status.success(), "PostgreSQL must be running (see README)");
    let sep = if server.contains('?') { '&' } else { '?' };
    format!("{server}{sep}options=-c%20search_path%3D{schema}")
}

/// Row counts of the tables a checkup import writes (and the roster's), read with a connection of
/// our own rather than through the binary.
fn counts(url: &str) -> Vec<(&'static str, i64)> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.expect("connect");
        let mut out = Vec::new();
        for t in ["persons", "imports", "checkups", "checkup_results", "provisions", "checkup_assessments"] {
            let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{t}: {e}"));
            out.push((t, n));
        }
        sqlx::Connection::close(conn).await.unwrap();
        out
    })
}

fn count_of(counts: &[(&'static str, i64)], table: &str) -> i64 {
    counts.iter().find(|(t, _)| *t == table).map(|(_, n)| *n).unwrap()
}

/// Entries are (name, bytes); a name ending in `/` is a folder.
fn stored_zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        if name.ends_with('/') {
            zip.add_directory(name.as_str(), options).unwrap();
        } else {
            zip.start_file(name.as_str(), options).unwrap();
            zip.write_all(data).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

// ---------------------------------------------------------------------------------------------
// Archives
// ---------------------------------------------------------------------------------------------

/// An ix08 index in namespace `ns` for `count` documents.
fn index_xml(ns: &str, h: &ArchiveHeader, count: usize) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<index xmlns=\"{ns}\">\n<interactionType code=\"6\"/>\n\
         <creationTime value=\"{}\"/>\n<sender><id root=\"1.2.392.200119.6.102\" extension=\"{}\"/></sender>\n\
         <receiver><id root=\"1.2.392.200119.6.101\" extension=\"{}\"/></receiver>\n\
         <serviceEventType code=\"1\"/>\n<totalRecordCount value=\"{count}\"/>\n</index>\n",
        h.created_on.format("%Y%m%d"),
        h.sender_institution,
        h.receiver_insurer
    )
}

/// The parts of an archive before zipping: root folder, index text, documents (file, text).
struct Parts {
    root: String,
    index: String,
    documents: Vec<(String, String)>,
}

impl Parts {
    fn new(header: &ArchiveHeader, records: &[CheckupRecord]) -> Self {
        let root = header.archive_name();
        let documents = records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let id = format!("h{}{:06}", header.sender_institution, i + 1);
                (format!("{root}/DATA/{id}.xml"), cx::write_checkup_document(r, &id))
            })
            .collect();
        Parts { root, index: index_xml(NS_INDEX_MHLW, header, records.len()), documents }
    }

    fn zip(&self, with_data: bool) -> Vec<u8> {
        let mut entries = vec![
            (format!("{}/", self.root), Vec::new()),
            (format!("{}/ix08_V08.xml", self.root), self.index.clone().into_bytes()),
        ];
        if with_data {
            entries.push((format!("{}/DATA/", self.root), Vec::new()));
            for (file, text) in &self.documents {
                entries.push((file.clone(), text.clone().into_bytes()));
            }
        }
        stored_zip(&entries)
    }
}

/// The byte range of the `n`-th (1-based) `<entry>` of a document.
fn entry_range(doc: &str, n: usize) -> std::ops::Range<usize> {
    let start = doc.match_indices("<entry>").nth(n - 1).map(|(i, _)| i).expect("entry");
    let end = start + doc[start..].find("</entry>").expect("entry end");
    start..end
}

/// Reads a zip the way the importer does (used for the generated archives and the control).
fn read(bytes: Vec<u8>, name: &str) -> cx::CheckupArchive {
    cx::read_checkup_archive(std::io::Cursor::new(bytes), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const SECTION_PATH: &str = "/ClinicalDocument/component/structuredBody/component/section";
const HEALTH: [&str; 4] = ["--as", "staff:health:t", "--purpose", "health.specific_checkup"];

fn import_checkups(data: &Path, db: Option<&str>, archives: &[&Path]) -> Output {
    let mut args = vec!["import", "checkups"];
    args.extend(archives.iter().map(|p| p.to_str().unwrap()));
    args.extend(HEALTH);
    kenpo(data, db, &args)
}

fn malformed_checkup_archives_change_nothing(database: Option<String>, tag: &str) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let gen_dir = dir.path().join("gen");
    let db = database.as_deref();
    let url = database.clone().unwrap_or_else(|| format!("sqlite://{}", data.join("kenpo.db").display()));

    ok(
        kenpo(&data, db, &["generate", "--members", "80", "--seed", "11", "--out", gen_dir.to_str().unwrap()]),
        "generate",
    );
    ok(kenpo(&data, db, &["init"]), "init");
    let roster = gen_dir.join("roster.csv");
    ok(
        kenpo(
            &data,
            db,
            &[
                "import",
                "roster",
                roster.to_str().unwrap(),
                "--as",
                "staff:mynumber_officer:t",
                "--purpose",
                "mynumber.affairs",
            ],
        ),
        "import roster",
    );
    let mut archives: Vec<PathBuf> = std::fs::read_dir(gen_dir.join("checkups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    archives.sort();
    assert!(archives.len() >= 2, "the generator writes an archive per 健診機関 (2 for 80 members): {archives:?}");
    let (good1, good2) = (&archives[0], &archives[1]);
    let first = read(std::fs::read(good1).unwrap(), "good1");
    let second = read(std::fs::read(good2).unwrap(), "good2");
    let results = |a: &cx::CheckupArchive| a.records.iter().map(|r| r.results.len() as i64).sum::<i64>();

    let empty = counts(&url);
    ok(import_checkups(&data, db, &[good1.as_path()]), "import of a good archive");
    let before = counts(&url);
    // One import, its documents and results, one Art. 30 record; nothing assessed yet.
    let expect_after_good1 = |t: &str| match t {
        "imports" | "provisions" => count_of(&empty, t) + 1,
        "checkups" => first.records.len() as i64,
        "checkup_results" => results(&first),
        _ => count_of(&empty, t),
    };
    for (t, n) in &before {
        assert_eq!(*n, expect_after_good1(t), "{tag}: {t}");
    }

    // Personal values of the documents the bad archives are made of; no message may hold them.
    let records = &first.records[..2];
    let mut secrets: Vec<String> = Vec::new();
    for r in records {
        secrets.push(r.name_kana.clone());
        secrets.push(r.address.clone());
        secrets.push(r.birth_date.format("%Y%m%d").to_string());
        secrets.push(r.birth_date.to_string());
    }
    secrets.retain(|s| !s.is_empty());

    let header = ArchiveHeader { sequence: 7, ..first.header.clone() };
    let parts = Parts::new(&header, records);
    // The control: built the same way and unbroken, it reads back with the same records.
    let control = read(parts.zip(true), "control.zip");
    assert_eq!(control.records, records, "{tag}: the hand-built archive is a valid one");

    // 1. Not a ZIP: bytes from a fixed LCG.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..2048)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect();
    // 2. A ZIP with the index but no DATA folder.
    let no_data = parts.zip(false);
    // 3. The index in a namespace that is not one of the two the format knows.
    let mut p = Parts::new(&header, records);
    p.index = index_xml("http://example.com/not-the-index", &header, records.len());
    let wrong_ns = p.zip(true);
    // 4. The first document's first result under an item code that is not in the 第4期 table.
    //    A second exam of the same two people a week later: documents already held (same person,
    //    day and 健診機関) are refused since issue 12, and this archive is meant to go in.
    let later: Vec<CheckupRecord> =
        records.iter().map(|r| CheckupRecord { exam_date: r.exam_date + chrono::Days::new(7), ..r.clone() }).collect();
    let records_later = later.as_slice();
    let mut p = Parts::new(&header, records_later);
    let code = &records[0].results[0].code;
    let range = entry_range(&p.documents[0].1, 1);
    let entry = p.documents[0].1[range.clone()].replacen(&format!("code=\"{code}\""), "code=\"9Z999000000000001\"", 1);
    assert!(entry.contains("9Z999000000000001"), "{tag}: the first entry carries its item code");
    p.documents[0].1.replace_range(range, &entry);
    let unknown_file = p.documents[0].0.clone();
    let unknown = p.zip(true);
    // 5. The first document's first quantity without its unit.
    let mut p = Parts::new(&header, records);
    let k = records[0].results.iter().position(|r| matches!(r.value, ResultValue::Quantity { .. })).unwrap() + 1;
    let range = entry_range(&p.documents[0].1, k);
    let entry = &p.documents[0].1[range.clone()];
    let at = entry.find(" unit=\"").expect("a PQ value with a unit");
    let close = at + 7 + entry[at + 7..].find('"').unwrap();
    let entry = format!("{}{}", &entry[..at], &entry[close + 1..]);
    p.documents[0].1.replace_range(range, &entry);
    let no_unit_file = p.documents[0].0.clone();
    let no_unit = p.zip(true);

    let bad: Vec<(&str, Vec<u8>, Vec<String>)> = vec![
        ("noise.zip", noise, vec!["not a readable ZIP".into()]),
        ("no-data.zip", no_data, vec!["DATA".into()]),
        ("wrong-namespace.zip", wrong_ns, vec![format!("{}/ix08_V08.xml", parts.root), "/index".into()]),
        ("no-unit.zip", no_unit, vec![no_unit_file.clone(), format!("{SECTION_PATH}/entry[{k}]/observation/value")]),
    ];
    for (name, bytes, expected) in &bad {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = import_checkups(&data, db, &[path.as_path()]);
        assert!(!out.status.success(), "{tag}: {name} was accepted: {}", text(&out));
        let msg = text(&out);
        assert!(msg.contains(path.to_str().unwrap()), "{tag}: {name}: the archive is not named: {msg}");
        for e in expected {
            assert!(msg.contains(e.as_str()), "{tag}: {name}: {e:?} missing from: {msg}");
        }
        for s in &secrets {
            assert!(!msg.contains(s.as_str()), "{tag}: {name}: a personal value in: {msg}");
        }
        assert_eq!(counts(&url), before, "{tag}: {name} changed the store");
    }

    // A batch of a good archive and a bad one: the good one goes in, the bad one is refused.
    let bad_path = dir.path().join("no-unit.zip");
    let out = import_checkups(&data, db, &[good2.as_path(), bad_path.as_path()]);
    assert!(!out.status.success(), "{tag}: a batch with a refused archive fails: {}", text(&out));
    let msg = text(&out);
    assert!(msg.contains(bad_path.to_str().unwrap()) && msg.contains(&no_unit_file), "{tag}: {msg}");
    assert!(!msg.contains(&format!("{}:", good2.display())), "{tag}: the good archive is not refused: {msg}");
    let after = counts(&url);
    for (t, n) in &after {
        let expected = match *t {
            "imports" | "provisions" => count_of(&before, t) + 1,
            "checkups" => count_of(&before, t) + second.records.len() as i64,
            "checkup_results" => count_of(&before, t) + results(&second),
            _ => count_of(&before, t),
        };
        assert_eq!(*n, expected, "{tag}: {t} after the batch");
    }

    // 特定健診 of the year on that store. The generator examines its own members in the fiscal
    // year ending on 31 March 2027 (FY2026), each at most once.
    let all: Vec<&CheckupRecord> = first.records.iter().chain(&second.records).collect();
    let people: BTreeSet<(&str, &str, Option<u8>)> =
        all.iter().map(|r| (r.card_symbol.as_str(), r.card_number.as_str(), r.card_branch)).collect();
    assert_eq!(people.len(), all.len(), "{tag}: one checkup per person");
    let mut args = vec!["--json", "kenshin", "assess", "--fiscal-year", "2026"];
    args.extend(HEALTH);
    let out = ok(kenpo(&data, db, &args), "kenshin assess");
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((s["documents"].as_u64(), s["unmatched"].as_u64()), (Some(all.len() as u64), Some(0)), "{tag}: {s}");
    let levels = ["intensive", "motivational", "information", "undeterminable"];
    let by_level: u64 = levels.iter().map(|l| s[l].as_u64().unwrap()).sum();
    assert_eq!(by_level, all.len() as u64, "{tag}: every checkup has one level: {s}");

    let mut args = vec!["--json", "kenshin", "targets", "--fiscal-year", "2026"];
    args.extend(HEALTH);
    let out = ok(kenpo(&data, db, &args), "kenshin targets");
    let t: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(t["people"].as_array().map(Vec::len), Some(people.len()), "{tag}");
    assert_eq!(t["totals"]["examined"].as_u64(), Some(people.len() as u64), "{tag}");
    for name in records.iter().map(|r| r.name_kana.as_str()) {
        assert!(!String::from_utf8_lossy(&out.stdout).contains(name), "{tag}: names are not in the JSON list");
    }

    let reports = dir.path().join("reports");
    let out = ok(
        kenpo(
            &data,
            db,
            &[
                "kenshin",
                "report",
                "--fiscal-year",
                "2026",
                "--out",
                reports.to_str().unwrap(),
                "--as",
                "staff:health:t",
                "--purpose",
                "health.state_report",
            ],
        ),
        "kenshin report",
    );
    let html = std::fs::read_to_string(reports.join("jisshi-jokyo-2026.html")).expect("HTML report");
    assert!(html.contains("<html lang=\"ja\">") && html.contains("実施状況"), "{tag}: {html}");
    let csv = std::fs::read_to_string(reports.join("jisshi-jokyo-2026.csv")).expect("CSV report");
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    for l in &lines {
        assert_eq!(l.len(), 15, "{tag}: {l:?}");
    }
    // Header, 2 sexes × 7 bands (40–44 … 70–74), 男計, 女計, 計.
    assert_eq!(lines.len(), 1 + 14 + 3, "{tag}: {csv}");
    assert!(lines.iter().any(|l| l[0] == "計" && l[1] == "計"), "{tag}: {csv}");
    // Those examined in the report are subjects, so no more than everyone examined.
    let total = lines.iter().find(|l| l[0] == "計" && l[1] == "計").unwrap();
    let examined: usize = total[3].parse().unwrap();
    assert!(examined > 0 && examined <= people.len(), "{tag}: {csv}");
    assert!(text(&out).contains("jisshi-jokyo-2026"), "{tag}");

    // An item outside the 第4期 table is a warning, not a refusal: the archive goes in without
    // that one result, and the warning names the file, the element and the code.
    let before = counts(&url);
    let path = dir.path().join("unknown-item.zip");
    std::fs::write(&path, &unknown).unwrap();
    let out = ok(import_checkups(&data, db, &[path.as_path()]), "an archive with an unknown item");
    let msg = text(&out);
    assert!(msg.contains("警告 1 件"), "{tag}: {msg}");
    let after = counts(&url);
    // Two documents; their results less the one not read.
    let expected = results(&control) - 1;
    assert_eq!(count_of(&after, "checkups"), count_of(&before, "checkups") + 2, "{tag}");
    assert_eq!(count_of(&after, "checkup_results"), count_of(&before, "checkup_results") + expected, "{tag}");
    let stored = warning_messages(&url);
    let w = stored.last().expect("a stored warning");
    for e in [unknown_file.as_str(), &format!("{SECTION_PATH}/entry[1]/observation/code"), "9Z999000000000001"] {
        assert!(w.contains(e), "{tag}: {e:?} missing from the stored warning {w}");
    }
    for s in &secrets {
        assert!(!msg.contains(s.as_str()) && !w.contains(s.as_str()), "{tag}: a personal value in: {msg} {w}");
    }
}

/// The import warnings stored, oldest first.
fn warning_messages(url: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.expect("connect");
        let rows: Vec<(String,)> = sqlx::query_as("SELECT message FROM import_warnings ORDER BY import_id, seq")
            .fetch_all(&mut conn)
            .await
            .expect("import_warnings");
        rows.into_iter().map(|r| r.0).collect()
    })
}

#[test]
fn malformed_checkup_archives_change_nothing_on_sqlite() {
    malformed_checkup_archives_change_nothing(None, "sqlite");
}

#[test]
fn malformed_checkup_archives_change_nothing_on_postgres() {
    malformed_checkup_archives_change_nothing(Some(pg_url("kenshin")), "postgres");
}
