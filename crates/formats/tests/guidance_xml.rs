//! 特定保健指導 (hg08) archives: write → read round trip, and the errors a wrong archive gets.

use chrono::NaiveDate;
use kenpo_domain::checkup::{CheckupInstitution, GuidanceLevel, GuidanceReport, GuidanceStatus};
use kenpo_domain::person::Sex;
use kenpo_formats::checkup_xml::{
    ArchiveHeader, CheckupXmlError, read_checkup_archive, read_guidance_archive, write_checkup_archive,
    write_guidance_archive,
};
use std::io::{Cursor, Read, Write};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn report(status: GuidanceStatus, level: GuidanceLevel, evaluated: Option<NaiveDate>) -> GuidanceReport {
    GuidanceReport {
        insurer_number: "06139463".into(),
        card_symbol: "１３１".into(),
        card_number: "42".into(),
        card_branch: Some(1),
        name_kana: "ケンポ ハナコ".into(),
        sex: Sex::Female,
        birth_date: d(1970, 4, 1),
        postal_code: "600-8001".into(),
        address: "京都府見本市試験町1-1".into(),
        institution: CheckupInstitution {
            code: "2690000017".into(),
            name: "見本保健指導センター & 分室".into(),
            address: String::new(),
        },
        status,
        level,
        first_interview: d(2025, 7, 1),
        evaluated_on: evaluated,
        waist_cm: evaluated.map(|_| "88.5".to_string()),
        weight_kg: evaluated.map(|_| "61.0".to_string()),
    }
}

fn header(kind: u8) -> ArchiveHeader {
    ArchiveHeader {
        sender_institution: "2690000017".into(),
        receiver_insurer: "06139463".into(),
        created_on: d(2026, 2, 1),
        sequence: 0,
        service_kind: kind,
    }
}

fn reports() -> Vec<GuidanceReport> {
    vec![
        report(GuidanceStatus::Completed, GuidanceLevel::Intensive, Some(d(2026, 1, 10))),
        report(GuidanceStatus::Started, GuidanceLevel::Motivational, None),
        report(GuidanceStatus::Dropped, GuidanceLevel::Motivational, Some(d(2025, 9, 1))),
    ]
}

fn written() -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    write_guidance_archive(&mut buf, &header(2), &reports()).unwrap();
    buf.into_inner()
}

#[test]
fn guidance_archive_round_trip() {
    let (h, back) = read_guidance_archive(Cursor::new(written()), "g.zip").unwrap();
    assert_eq!(h.service_kind, 2);
    // The reader normalises the full-width 記号 (１３１ → 131), as the hc08 reader does.
    let expected: Vec<GuidanceReport> =
        reports().into_iter().map(|r| GuidanceReport { card_symbol: "131".into(), ..r }).collect();
    assert_eq!(back, expected);
}

/// Replaces `from` by `to` in every DATA document of an archive.
fn rewrite(bytes: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().to_string();
        if f.is_dir() {
            out.add_directory(name, zip::write::SimpleFileOptions::default()).unwrap();
            continue;
        }
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        if name.contains("/DATA/") {
            text = text.replace(from, to);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn error_of(bytes: Vec<u8>) -> String {
    match read_guidance_archive(Cursor::new(bytes), "g.zip") {
        Err(e) => e.to_string(),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn a_completed_report_without_its_evaluation_date_is_refused() {
    // Drop both places the 実績評価 date is written for the completed report (2026-01-10).
    let bytes = rewrite(written(), "<high value=\"20260110\"/>", "");
    let bytes = rewrite(bytes, "<effectiveTime value=\"20260110\"/>", "");
    let msg = error_of(bytes);
    assert!(msg.contains("g.zip") && msg.contains("DATA/") && msg.contains("報告区分 22"), "{msg}");
    assert!(!msg.contains("ケンポ"), "no personal values: {msg}");
}

#[test]
fn an_unknown_guidance_class_is_refused() {
    let bytes = rewrite(
        written(),
        "code=\"1\" codeSystem=\"1.2.392.200119.6.1112\"",
        "code=\"7\" codeSystem=\"1.2.392.200119.6.1112\"",
    );
    let msg = error_of(bytes);
    assert!(msg.contains("保健指導区分"), "{msg}");
}

#[test]
fn an_evaluation_before_the_first_interview_is_refused() {
    let bytes = rewrite(written(), "20260110", "20250101");
    assert!(error_of(bytes).contains("実績評価日 on or after the 初回面接日"));
}

#[test]
fn a_checkup_archive_is_not_a_guidance_archive_and_back() {
    let mut buf = Cursor::new(Vec::new());
    write_guidance_archive(&mut buf, &header(2), &reports()).unwrap();
    // Read as 特定健診: the index says 実施区分 2.
    match read_checkup_archive(Cursor::new(buf.into_inner()), "g.zip") {
        Err(CheckupXmlError::Invalid { expected, .. }) => assert!(expected.contains("実施区分 1"), "{expected}"),
        other => panic!("expected 実施区分 error, got {:?}", other.map(|a| a.records.len())),
    }
    // Writing a guidance archive under a 特定健診 header is refused before anything is written.
    let mut buf = Cursor::new(Vec::new());
    assert!(write_guidance_archive(&mut buf, &header(1), &reports()).is_err());
    assert!(buf.into_inner().is_empty());
    let mut buf = Cursor::new(Vec::new());
    assert!(write_checkup_archive(&mut buf, &header(2), &[]).is_err());
}
