//! Replays the fuzzers' reproducers: every file under `tests/fuzz-regressions/<target>/` is fed
//! to the same entry points as `fuzz/fuzz_targets/<target>.rs`. An `Err` is fine; a panic fails
//! the test (naming the file). A file that once hung or ran out of memory should now finish.
//! Files whose name starts with `.` or ends in `.md` are skipped.

use kenpo_formats::benefits::read_claims;
use kenpo_formats::checkup_xml::{NS_INDEX_MHLW, read_checkup_archive, read_checkup_document, read_guidance_archive};
use kenpo_formats::roster::RosterReader;
use kenpo_formats::uke::{RecordReader, read_uke};
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn reproducers(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.starts_with('.') && !name.ends_with(".md")
        })
        .collect();
    files.sort();
    files
}

/// Feeds every reproducer of `target` to `check`; fails naming each file that panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let mut panicked = Vec::new();
    for file in reproducers(target) {
        let bytes = std::fs::read(&file).expect("readable reproducer");
        if catch_unwind(AssertUnwindSafe(|| check(&bytes))).is_err() {
            panicked.push(file.display().to_string());
        }
    }
    assert!(panicked.is_empty(), "{target}: the reader panicked on {panicked:#?}");
}

// --- uke: as fuzz/fuzz_targets/uke.rs ---

fn uke_file_name(data: &[u8]) -> &'static str {
    let delivery = data.first().is_some_and(u8::is_ascii_digit);
    match (delivery, data.len().is_multiple_of(2)) {
        (false, true) => "RECEIPTC.UKE",
        (false, false) => "RECEIPTD.UKE",
        (true, true) => "in/201805/06139999/0_COMMON001/11_RECODEINFO_MED.CSV",
        (true, false) => "11_RECODEINFO_MED.CSV",
    }
}

fn check_uke(data: &[u8]) {
    let name = uke_file_name(data);
    for record in RecordReader::new(data, name) {
        if record.is_err() {
            break;
        }
    }
    let _ = read_uke(data, name);
}

#[test]
fn uke_reproducers_do_not_panic() {
    replay("uke", check_uke);
}

// --- checkup_archive: as fuzz/fuzz_targets/checkup_archive.rs ---

fn check_checkup_archive(data: &[u8]) {
    if data.starts_with(b"PK") {
        let _ = read_checkup_archive(Cursor::new(data), "1234567890_12345678_202401010_1.zip");
        let _ = read_guidance_archive(Cursor::new(data), "1234567890_12345678_202401010_2.zip");
        return;
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_checkup_document(text, "h0000000001.xml");
    }
    for kind in [1u8, 2] {
        let root = format!("1234567890_12345678_202401010_{kind}");
        let index = index_xml(kind);
        let zip = stored_zip(&[
            (&format!("{root}/ix08_V08.xml"), index.as_bytes()),
            (&format!("{root}/DATA/h0000000001.xml"), data),
        ]);
        let name = format!("{root}.zip");
        if kind == 1 {
            let _ = read_checkup_archive(Cursor::new(&zip), &name);
        } else {
            let _ = read_guidance_archive(Cursor::new(&zip), &name);
        }
    }
}

/// A valid ix08 index for one document of 実施区分 `kind`.
fn index_xml(kind: u8) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<index xmlns=\"{NS_INDEX_MHLW}\">\
         <interactionType code=\"6\"/><creationTime value=\"20240101\"/>\
         <sender><id root=\"1.2.392.200119.6.102\" extension=\"1234567890\"/></sender>\
         <receiver><id root=\"1.2.392.200119.6.101\" extension=\"12345678\"/></receiver>\
         <serviceEventType code=\"{kind}\"/><totalRecordCount value=\"1\"/></index>\n"
    )
}

/// A ZIP with the entries stored (no compression), as the fuzz target builds it.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in entries {
        zip.start_file(*name, options).expect("zip entry");
        zip.write_all(body).expect("zip write");
    }
    zip.finish().expect("zip").into_inner()
}

#[test]
fn checkup_archive_reproducers_do_not_panic() {
    replay("checkup_archive", check_checkup_archive);
}

// --- roster and benefits: as fuzz/fuzz_targets/{roster,benefits}.rs ---

fn check_roster(data: &[u8]) {
    if let Ok(reader) = RosterReader::new(data, "roster.csv") {
        for row in reader {
            let _ = row;
        }
    }
}

fn check_benefits(data: &[u8]) {
    let _ = read_claims(data, "benefits.csv");
}

#[test]
fn roster_reproducers_do_not_panic() {
    replay("roster", check_roster);
}

#[test]
fn benefits_reproducers_do_not_panic() {
    replay("benefits", check_benefits);
}
