//! 特定健診 XML: malformed input fails with errors that locate the problem and carry no
//! personal values.

use kenpo_formats::checkup_xml::{
    CheckupWarning, CheckupXmlError, MAX_ARCHIVE_WARNINGS, read_checkup_archive, read_checkup_document,
};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

const ROOT: &str = "1312345678_06139463_202506010_1";
const ARCHIVE: &str = "1312345678_06139463_202506010_1.zip";
const NS_MHLW: &str = "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html";

// Personal values of the fictitious person below; no error message may contain them.
const NAME: &str = "ケンポ イチロウ";
const SYMBOL: &str = "77K";
const NUMBER: &str = "246810";
const BIRTH: &str = "19700102";

/// One valid document; `birth` and `entries` vary per test.
fn doc(ns: &str, birth: &str, entries: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="{ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <code code="10" codeSystem="1.2.392.200119.6.1001"/>
  <effectiveTime value="20250601"/>
  <recordTarget><patientRole>
    <id root="1.2.392.200119.6.101" extension="06139463"/>
    <id root="1.2.392.200119.6.204" extension="{SYMBOL}"/>
    <id root="1.2.392.200119.6.205" extension="{NUMBER}"/>
    <addr><postalCode>100-0001</postalCode>東京都千代田区</addr>
    <patient><name>{NAME}</name>
      <administrativeGenderCode code="1" codeSystem="1.2.392.200119.6.1104"/>
      <birthTime value="{birth}"/></patient>
  </patientRole></recordTarget>
  <author><time value="20250601"/><assignedAuthor><id nullFlavor="NI"/>
    <representedOrganization><id root="1.2.392.200119.6.102" extension="1312345678"/>
      <name>テスト健診センター</name></representedOrganization>
  </assignedAuthor></author>
  <documentationOf><serviceEvent><effectiveTime value="20250520"/></serviceEvent></documentationOf>
  <component><structuredBody><component><section>
    <code code="01010" codeSystem="1.2.392.200119.6.1010"/>
    {entries}
  </section></component></structuredBody></component>
</ClinicalDocument>
"#
    )
}

const GOOD_ENTRY: &str = r#"<entry><observation classCode="OBS" moodCode="EVN">
  <code code="9N001000000000001"/><value xsi:type="PQ" value="170.1" unit="cm"/></observation></entry>"#;

fn good_doc() -> String {
    doc("urn:hl7-org:v3", BIRTH, GOOD_ENTRY)
}

fn index(count: u32) -> String {
    format!(
        r#"<index xmlns="{NS_MHLW}"><interactionType code="6"/><creationTime value="20250601"/>
<sender><id root="1.2.392.200119.6.102" extension="1312345678"/></sender>
<receiver><id root="1.2.392.200119.6.101" extension="06139463"/></receiver>
<serviceEventType code="1"/><totalRecordCount value="{count}"/></index>"#
    )
}

fn zip_of(entries: &[(String, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in entries {
        if name.ends_with('/') {
            zip.add_directory(name.as_str(), SimpleFileOptions::default()).unwrap();
        } else {
            zip.start_file(name.as_str(), SimpleFileOptions::default()).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

fn archive_with(index_xml: String, docs: &[(&str, String)]) -> Vec<u8> {
    let mut entries = vec![(format!("{ROOT}/ix08_V08.xml"), index_xml)];
    for (name, text) in docs {
        entries.push((format!("{ROOT}/DATA/{name}"), text.clone()));
    }
    zip_of(&entries)
}

fn read_err(bytes: Vec<u8>) -> CheckupXmlError {
    read_checkup_archive(Cursor::new(bytes), ARCHIVE).unwrap_err()
}

/// The message names the archive (and a file, when given) and leaks no personal value.
fn assert_clean(err: &CheckupXmlError, file: Option<&str>) -> String {
    let msg = err.to_string();
    assert!(msg.contains(ARCHIVE), "archive missing from: {msg}");
    if let Some(f) = file {
        assert!(msg.contains(f), "file {f} missing from: {msg}");
    }
    let debug = format!("{err:?}");
    for secret in [NAME, SYMBOL, NUMBER, BIRTH, "170.1"] {
        assert!(!msg.contains(secret), "personal value {secret} in: {msg}");
        assert!(!debug.contains(secret), "personal value {secret} in: {debug}");
    }
    msg
}

#[test]
fn valid_baseline_reads() {
    let bytes = archive_with(index(1), &[("h1.xml", good_doc())]);
    let archive = read_checkup_archive(Cursor::new(bytes), ARCHIVE).unwrap();
    assert_eq!(archive.records.len(), 1);
    assert_eq!(archive.records[0].card_number, NUMBER);
}

#[test]
fn not_a_zip() {
    let err = read_err(b"<?xml version=\"1.0\"?><index/>".to_vec());
    assert!(matches!(err, CheckupXmlError::NotZip { .. }), "{err:?}");
    assert_clean(&err, None);
}

#[test]
fn missing_index() {
    let bytes = zip_of(&[(format!("{ROOT}/DATA/h1.xml"), good_doc())]);
    let err = read_err(bytes);
    assert!(matches!(err, CheckupXmlError::MissingIndex { found: 0, .. }), "{err:?}");
}

#[test]
fn missing_data_folder() {
    let err = read_err(archive_with(index(1), &[]));
    assert!(matches!(err, CheckupXmlError::MissingDataFolder { .. }), "{err:?}");
    assert_clean(&err, None);
}

#[test]
fn data_folder_without_documents() {
    let bytes = zip_of(&[
        (format!("{ROOT}/ix08_V08.xml"), index(0)),
        (format!("{ROOT}/DATA/"), String::new()),
        (format!("{ROOT}/DATA/readme.txt"), "x".into()),
    ]);
    let err = read_err(bytes);
    assert!(matches!(err, CheckupXmlError::NoDocuments { .. }), "{err:?}");
}

#[test]
fn index_count_differs_from_documents() {
    let err = read_err(archive_with(index(2), &[("h1.xml", good_doc())]));
    assert!(matches!(err, CheckupXmlError::CountMismatch { declared: 2, found: 1, .. }), "{err:?}");
    assert_clean(&err, None);
}

#[test]
fn index_in_an_unknown_namespace() {
    let bad = index(1).replace(NS_MHLW, "http://example.com/index");
    let err = read_err(archive_with(bad, &[("h1.xml", good_doc())]));
    assert!(matches!(err, CheckupXmlError::WrongNamespace { .. }), "{err:?}");
    assert_clean(&err, Some("ix08_V08.xml"));
}

#[test]
fn cda_root_in_the_wrong_namespace() {
    let bad = doc("urn:hl7-org:v2", BIRTH, GOOD_ENTRY);
    let err = read_err(archive_with(index(1), &[("h1.xml", bad)]));
    assert!(matches!(err, CheckupXmlError::WrongNamespace { .. }), "{err:?}");
    let msg = assert_clean(&err, Some("DATA/h1.xml"));
    assert!(msg.contains("urn:hl7-org:v3"), "{msg}");
}

#[test]
fn unknown_item_code_is_a_warning_not_a_refusal() {
    // An item outside the document's table leaves the rest of the document read, and says so
    // with its code and where it stood.
    let entry = r#"<entry><observation classCode="OBS" moodCode="EVN">
      <code code="9Z999000000000001"/><value xsi:type="PQ" value="170.1" unit="cm"/></observation></entry>"#;
    let entries = format!("{GOOD_ENTRY}{entry}");
    let archive = read_checkup_archive(
        Cursor::new(archive_with(index(1), &[("h1.xml", doc("urn:hl7-org:v3", BIRTH, &entries))])),
        ARCHIVE,
    )
    .unwrap();
    assert_eq!(archive.records.len(), 1);
    assert!(!archive.records[0].results.iter().any(|r| r.code == "9Z999000000000001"));
    assert!(!archive.records[0].results.is_empty());
    match archive.warnings.as_slice() {
        [CheckupWarning::UnknownItem { at, code, table }] => {
            assert_eq!(code, "9Z999000000000001");
            assert_eq!(*table, "第4期");
            assert_eq!(at.file, format!("{ROOT}/DATA/h1.xml"));
            assert_eq!(
                at.path,
                "/ClinicalDocument/component/structuredBody/component/section/entry[2]/observation/code"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(archive.warnings[0].to_string().contains("9Z999000000000001"));
}

#[test]
fn an_archive_keeps_at_most_a_thousand_warnings() {
    // 1,005 unknown items in one document: the first 1,000 are listed, then one line says 5
    // more were left out, so a hostile archive cannot fill the import log.
    let entry = r#"<entry><observation classCode="OBS" moodCode="EVN">
      <code code="9Z999000000000001"/><value xsi:type="PQ" value="1" unit="cm"/></observation></entry>"#;
    let entries = format!("{GOOD_ENTRY}{}", entry.repeat(1_005));
    let bytes = archive_with(index(1), &[("h1.xml", doc("urn:hl7-org:v3", BIRTH, &entries))]);
    let archive = read_checkup_archive(Cursor::new(bytes), ARCHIVE).unwrap();
    assert_eq!(archive.warnings.len(), MAX_ARCHIVE_WARNINGS + 1);
    assert!(
        matches!(archive.warnings.last(), Some(CheckupWarning::More { count: 5, .. })),
        "{:?}",
        archive.warnings.last()
    );
}

#[test]
fn unknown_code_that_looks_like_text_is_not_quoted() {
    let entry = format!(
        r#"<entry><observation classCode="OBS" moodCode="EVN"><code code="{NAME}"/>
        <value xsi:type="ST">x</value></observation></entry>"#
    );
    let (_, warnings) = read_checkup_document(&doc("urn:hl7-org:v3", BIRTH, &entry), "h9.xml").unwrap();
    assert!(matches!(warnings.as_slice(), [CheckupWarning::UnknownItem { .. }]), "{warnings:?}");
    assert!(!warnings[0].to_string().contains(NAME));
    assert!(!format!("{warnings:?}").contains(NAME));
}

#[test]
fn pq_value_without_unit() {
    let entry = r#"<entry><observation classCode="OBS" moodCode="EVN">
      <code code="9N001000000000001"/><value xsi:type="PQ" value="170.1"/></observation></entry>"#;
    let err = read_err(archive_with(index(1), &[("h1.xml", doc("urn:hl7-org:v3", BIRTH, entry))]));
    match &err {
        CheckupXmlError::Invalid { at, expected } => {
            assert!(at.path.ends_with("/entry/observation/value"), "{}", at.path);
            assert!(expected.contains("unit"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
    assert_clean(&err, Some("DATA/h1.xml"));
}

#[test]
fn pq_value_with_a_foreign_unit() {
    let entry = r#"<entry><observation classCode="OBS" moodCode="EVN">
      <code code="9A751000000000001"/><value xsi:type="PQ" value="17" unit="kPa"/></observation></entry>"#;
    let err = read_checkup_document(&doc("urn:hl7-org:v3", BIRTH, entry), "h2.xml").unwrap_err();
    match &err {
        CheckupXmlError::Invalid { expected, .. } => {
            assert!(expected.contains("mm[Hg]"), "{expected}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn value_of_the_wrong_type() {
    let entry = r#"<entry><observation classCode="OBS" moodCode="EVN">
      <code code="9N736000000000011"/><value xsi:type="PQ" value="1" unit="cm"/></observation></entry>"#;
    let err = read_checkup_document(&doc("urn:hl7-org:v3", BIRTH, entry), "h3.xml").unwrap_err();
    match &err {
        CheckupXmlError::Invalid { expected, .. } => assert!(expected.contains("CD"), "{expected}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_birth_date() {
    let bad = doc("urn:hl7-org:v3", "19701345", GOOD_ENTRY);
    let err = read_err(archive_with(index(1), &[("h1.xml", bad)]));
    match &err {
        CheckupXmlError::Invalid { at, expected } => {
            assert_eq!(at.path, "/ClinicalDocument/recordTarget/patientRole/patient/birthTime");
            assert!(expected.contains("YYYYMMDD"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
    let msg = assert_clean(&err, Some("DATA/h1.xml"));
    assert!(!msg.contains("19701345"), "{msg}");
}

#[test]
fn not_well_formed_document() {
    let broken = good_doc().replace("</patient>", "");
    let err = read_err(archive_with(index(1), &[("h1.xml", broken)]));
    assert!(matches!(err, CheckupXmlError::Malformed { .. }), "{err:?}");
    assert_clean(&err, Some("DATA/h1.xml"));
}

#[test]
fn one_bad_document_fails_the_whole_archive() {
    let bad = doc("urn:hl7-org:v3", "1970", GOOD_ENTRY);
    let err = read_err(archive_with(index(2), &[("h1.xml", good_doc()), ("h2.xml", bad)]));
    assert_clean(&err, Some("DATA/h2.xml"));
}

#[test]
fn missing_observation_value() {
    let entry = r#"<entry><observation classCode="OBS" moodCode="EVN">
      <code code="9N001000000000001"/></observation></entry>"#;
    let err = read_checkup_document(&doc("urn:hl7-org:v3", BIRTH, entry), "h4.xml").unwrap_err();
    assert!(err.to_string().contains("h4.xml"), "{err}");
    assert!(matches!(err, CheckupXmlError::Invalid { .. }), "{err:?}");
}

#[test]
fn deletion_requests_are_not_results() {
    let del = good_doc().replace(r#"<code code="10" "#, r#"<code code="19" "#);
    let err = read_checkup_document(&del, "h5.xml").unwrap_err();
    match &err {
        CheckupXmlError::Invalid { at, expected } => {
            assert_eq!(at.path, "/ClinicalDocument/code");
            assert!(expected.contains("報告区分 10"), "{expected}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn writer_rejects_unknown_codes_and_bad_headers() {
    use chrono::NaiveDate;
    use kenpo_domain::checkup::{CheckupResult, ResultValue};
    use kenpo_formats::checkup_xml::{ArchiveHeader, write_checkup_archive};
    let (mut record, _) = read_checkup_document(&good_doc(), "h1.xml").unwrap();
    let header = ArchiveHeader {
        sender_institution: "1312345678".into(),
        receiver_insurer: "06139463".into(),
        created_on: NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
        sequence: 0,
        service_kind: 1,
    };
    let bad_header = ArchiveHeader { receiver_insurer: "613946".into(), ..header.clone() };
    let err = write_checkup_archive(Cursor::new(Vec::new()), &bad_header, &[record.clone()]).unwrap_err();
    assert!(matches!(err, CheckupXmlError::Invalid { .. }), "{err:?}");

    record.results.push(CheckupResult { code: "9Z999000000000001".into(), value: ResultValue::Text("x".into()) });
    let err = write_checkup_archive(Cursor::new(Vec::new()), &header, &[record]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("9Z999000000000001") && msg.contains("entry[2]"), "{msg}");

    let err = write_checkup_archive(Cursor::new(Vec::new()), &header, &[]).unwrap_err();
    assert!(matches!(err, CheckupXmlError::Invalid { .. }), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// Limits (issue 12): document count, inflated bytes, one document per file, duplicates
// ---------------------------------------------------------------------------------------------

fn read_within(bytes: Vec<u8>, documents: usize, inflated_bytes: u64) -> Result<usize, CheckupXmlError> {
    let limits = kenpo_formats::checkup_xml::ArchiveLimits { documents, inflated_bytes };
    kenpo_formats::checkup_xml::read_checkup_archive_within(Cursor::new(bytes), ARCHIVE, limits)
        .map(|a| a.records.len())
}

#[test]
fn an_archive_over_its_document_count_is_refused() {
    let docs: Vec<(String, String)> = (0..3).map(|i| (format!("h{i}.xml"), good_doc())).collect();
    let docs: Vec<(&str, String)> = docs.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let err = read_within(archive_with(index(3), &docs), 2, u64::MAX).unwrap_err();
    let msg = assert_clean(&err, None);
    assert!(msg.contains("3 DATA documents, more than the 2"), "{msg}");
}

#[test]
fn an_archive_inflating_past_its_budget_is_refused() {
    // Two documents of ~2 KB each against a budget of 3,000 bytes (index included).
    let padded = format!("{}{}", good_doc(), " ".repeat(1_500));
    let docs = [("h1.xml", padded.clone()), ("h2.xml", padded.replace("20250520", "20250521"))];
    let err = read_within(archive_with(index(2), &docs), 10, 3_000).unwrap_err();
    let msg = assert_clean(&err, None);
    assert!(msg.contains("inflate to more than 3000 bytes"), "{msg}");
    // The shipped budget is 1 GiB, and no one file may pass 8 MiB: the review's 31 MB padded
    // documents stop at the first, after reading 8 MiB + 1 byte of it.
    assert_eq!(kenpo_formats::checkup_xml::MAX_ARCHIVE_BYTES, 1 << 30);
    let huge = format!("{}{}", good_doc(), " ".repeat(31 * 1024 * 1024));
    let err = read_err(archive_with(index(1), &[("h1.xml", huge)]));
    let msg = assert_clean(&err, Some("h1.xml"));
    assert!(msg.contains("larger than 8388608 bytes"), "{msg}");
}

#[test]
fn the_same_document_twice_in_an_archive_is_refused() {
    let err = read_err(archive_with(index(2), &[("h1.xml", good_doc()), ("h2.xml", good_doc())]));
    let msg = assert_clean(&err, Some("h2.xml"));
    assert!(msg.contains("the same document as") && msg.contains("h1.xml"), "{msg}");
    // Two people's documents are two documents.
    let other = good_doc().replace(NUMBER, "246811");
    assert_eq!(
        read_within(archive_with(index(2), &[("h1.xml", good_doc()), ("h2.xml", other)]), 10, u64::MAX).unwrap(),
        2
    );
}
