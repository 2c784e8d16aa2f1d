//! 特定健診 XML: reading hand-written documents and archives, and write → read round trips.
//! Expected values are written out by hand from the inputs, not taken from the writer.

use chrono::NaiveDate;
use kenpo_domain::checkup::{CheckupInstitution, CheckupRecord, CheckupResult, ResultValue};
use kenpo_domain::person::Sex;
use kenpo_formats::checkup_xml::{
    self, ArchiveHeader, read_checkup_archive, read_checkup_document, write_checkup_archive, write_checkup_document,
};
use std::io::{Cursor, Read, Write};
use zip::write::SimpleFileOptions;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn pq(code: &str, value: &str, unit: &str) -> CheckupResult {
    CheckupResult { code: code.into(), value: ResultValue::Quantity { value: value.into(), unit: unit.into() } }
}
fn coded(code: &str, value: &str, system: &str) -> CheckupResult {
    CheckupResult { code: code.into(), value: ResultValue::Coded { code: value.into(), code_system: system.into() } }
}
fn other(code: &str, value: ResultValue) -> CheckupResult {
    CheckupResult { code: code.into(), value }
}

/// A hand-written hc08 document (fictitious person) exercising the lenient parts of the reader:
/// full-width 記号・番号, `mmHg`, `mg/dl`, an omitted item codeSystem, a result group, `CO`,
/// 未実施, 測定不能, out-of-range `H`, escaped text, and a 01990 section that is not read.
const HAND_WRITTEN_DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="1.2.392.200119.6.102.11312345678" extension="doc-1"/>
  <code code="10" codeSystem="1.2.392.200119.6.1001"/>
  <effectiveTime value="20250601"/>
  <recordTarget>
    <patientRole>
      <id root="1.2.392.200119.6.101" extension="06139463"/>
      <id root="1.2.392.200119.6.204" extension="１９Ｄ"/>
      <id root="1.2.392.200119.6.205" extension="０００１２"/>
      <id root="1.2.392.200119.6.211" extension="01"/>
      <addr><postalCode>100-0001</postalCode>東京都千代田区千代田１－１</addr>
      <patient>
        <name>ケンポ ハナコ</name>
        <administrativeGenderCode code="2" codeSystem="1.2.392.200119.6.1104"/>
        <birthTime value="19750415"/>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="20250601"/>
    <assignedAuthor>
      <id nullFlavor="NI"/>
      <representedOrganization>
        <id root="1.2.392.200119.6.102" extension="1312345678"/>
        <name>テスト健診センター</name>
        <addr>東京都港区芝公園１－２－３</addr>
      </representedOrganization>
    </assignedAuthor>
  </author>
  <documentationOf>
    <serviceEvent>
      <code code="010" codeSystem="1.2.392.200119.6.1002"/>
      <effectiveTime value="20250520"/>
    </serviceEvent>
  </documentationOf>
  <component>
    <structuredBody>
      <component>
        <section>
          <code code="01010" codeSystem="1.2.392.200119.6.1010"/>
          <title>検査・問診結果セクション</title>
          <text/>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="9N016160100000001"/><value xsi:type="PQ" value="91.5" unit="cm"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="9A755000000000001" codeSystem="1.2.392.200119.6.1005"/>
            <value xsi:type="PQ" value="128" unit="mmHg"/>
            <interpretationCode code="N"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code nullFlavor="NA"/>
            <entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">
              <code code="3C015000002327101"/><value xsi:type="PQ" value="0.72" unit="mg/dl"/>
            </observation></entryRelationship>
            <entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">
              <code code="8A065000002391901"/><value xsi:type="PQ" value="68.4" unit="ml/min/1.73m2"/>
            </observation></entryRelationship>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="9N736000000000011"/><value xsi:type="CD" code="3"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="1A010000000191111"/><value xsi:type="CO" code="2" codeSystem="1.2.392.200119.6.2102"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN" negationInd="true">
            <code code="3D046000001906202"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="3D010000002227101"/><value xsi:type="PQ" nullFlavor="NI"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="3F015000002327101"/><value xsi:type="CD" code="H" codeSystem="2.16.840.1.113883.5.83"/>
          </observation></entry>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="9N511000000000049"/><value xsi:type="ST">異常なし &amp; 経過観察</value>
          </observation></entry>
        </section>
      </component>
      <component>
        <section>
          <code code="01990" codeSystem="1.2.392.200119.6.1010"/>
          <entry><observation classCode="OBS" moodCode="EVN">
            <code code="9Z999000000000001"/><value xsi:type="ST">任意追加項目</value>
          </observation></entry>
        </section>
      </component>
    </structuredBody>
  </component>
</ClinicalDocument>
"#;

fn hand_written_expected() -> CheckupRecord {
    CheckupRecord {
        insurer_number: "06139463".into(),
        card_symbol: "19D".into(),
        card_number: "00012".into(),
        card_branch: Some(1),
        name_kana: "ケンポ ハナコ".into(),
        sex: Sex::Female,
        birth_date: d(1975, 4, 15),
        postal_code: "100-0001".into(),
        address: "東京都千代田区千代田１－１".into(),
        exam_date: d(2025, 5, 20),
        institution: CheckupInstitution {
            code: "1312345678".into(),
            name: "テスト健診センター".into(),
            address: "東京都港区芝公園１－２－３".into(),
        },
        results: vec![
            pq("9N016160100000001", "91.5", "cm"),
            pq("9A755000000000001", "128", "mm[Hg]"),
            pq("3C015000002327101", "0.72", "mg/dL"),
            // The MHLW table spells eGFR's unit ml/min/1.73m2; units are compared ignoring case.
            pq("8A065000002391901", "68.4", "ml/min/1.73m2"),
            coded("9N736000000000011", "3", "1.2.392.200119.6.24060"),
            coded("1A010000000191111", "2", "1.2.392.200119.6.2102"),
            other("3D046000001906202", ResultValue::NotPerformed),
            other("3D010000002227101", ResultValue::Unmeasurable),
            coded("3F015000002327101", "H", "2.16.840.1.113883.5.83"),
            other("9N511000000000049", ResultValue::Text("異常なし & 経過観察".into())),
        ],
    }
}

#[test]
fn reads_a_hand_written_document() {
    let (record, warnings) = read_checkup_document(HAND_WRITTEN_DOC, "h1.xml").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(record, hand_written_expected());
}

/// A ZIP built entry by entry, as another vendor's tool would.
fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in entries {
        if name.ends_with('/') {
            zip.add_directory(*name, SimpleFileOptions::default()).unwrap();
        } else {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

fn index(ns: &str, count: u32, with_receiver: bool) -> String {
    let receiver = if with_receiver {
        r#"<receiver><id root="1.2.392.200119.6.101" extension="06139463"/></receiver>"#
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<index xmlns="{ns}">
  <interactionType code="6"/>
  <creationTime value="20250601"/>
  <sender><id root="1.2.392.200119.6.102" extension="1312345678"/></sender>
  {receiver}
  <serviceEventType code="1"/>
  <totalRecordCount value="{count}"/>
</index>
"#
    )
}

#[test]
fn reads_an_index_in_the_2007_namespace() {
    let root = "1312345678_06139463_202506013_1";
    let bytes = zip_of(&[
        (&format!("{root}/"), ""),
        (&format!("{root}/ix08_V08.xml"), &index("http://tokuteikenshin.jp/checkup/2007", 1, true)),
        (&format!("{root}/DATA/"), ""),
        (&format!("{root}/DATA/h1312345678202506013100000001.xml"), HAND_WRITTEN_DOC),
    ]);
    let archive = read_checkup_archive(Cursor::new(bytes), &format!("{root}.zip")).unwrap();
    assert_eq!(
        archive.header,
        ArchiveHeader {
            sender_institution: "1312345678".into(),
            receiver_insurer: "06139463".into(),
            created_on: d(2025, 6, 1),
            sequence: 3,
            service_kind: 1,
        }
    );
    assert_eq!(archive.declared_count, 1);
    assert_eq!(archive.records, vec![hand_written_expected()]);
}

#[test]
fn reads_an_index_in_the_mhlw_namespace_without_receiver_or_directory_entries() {
    // No explicit directory entries, no <receiver>: the 送付先 comes from the archive name.
    let root = "1312345678_06139463_202506010_1";
    let ns = "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html";
    let second = HAND_WRITTEN_DOC.replace("<birthTime value=\"19750415\"/>", "<birthTime value=\"19600229\"/>");
    let bytes = zip_of(&[
        (&format!("{root}/ix08_V08.xml"), &index(ns, 2, false)),
        (&format!("{root}/DATA/h_b.xml"), &second),
        (&format!("{root}/DATA/h_a.xml"), HAND_WRITTEN_DOC),
    ]);
    let archive = read_checkup_archive(Cursor::new(bytes), "upload.zip").unwrap();
    assert_eq!(archive.header.receiver_insurer, "06139463");
    assert_eq!(archive.header.sequence, 0);
    assert_eq!(archive.declared_count, 2);
    // File-name order: h_a before h_b.
    assert_eq!(archive.records[0].birth_date, d(1975, 4, 15));
    assert_eq!(archive.records[1].birth_date, d(1960, 2, 29));
}

fn institution() -> CheckupInstitution {
    CheckupInstitution {
        code: "1322100106".into(),
        name: "みなと健診クリニック <本院> & 分院".into(),
        address: "東京都港区海岸1-1-1".into(),
    }
}

fn records() -> Vec<CheckupRecord> {
    let base = CheckupRecord {
        insurer_number: "06139463".into(),
        card_symbol: "12A".into(),
        card_number: "3456".into(),
        card_branch: Some(0),
        name_kana: "ミナト タロウ".into(),
        sex: Sex::Male,
        birth_date: d(1968, 12, 31),
        postal_code: "105-0022".into(),
        address: "東京都港区海岸2-2-2 \"ハイツ\" 101".into(),
        exam_date: d(2026, 7, 15),
        institution: institution(),
        results: vec![
            pq(checkup_xml::HEIGHT, "171.2", "cm"),
            pq(checkup_xml::WEIGHT, "80.4", "kg"),
            pq(checkup_xml::BMI, "27.4", "kg/m2"),
            pq(checkup_xml::WAIST_MEASURED, "92.0", "cm"),
            pq(checkup_xml::SBP_1, "138", "mm[Hg]"),
            pq(checkup_xml::DBP_1, "88", "mm[Hg]"),
            coded(checkup_xml::BLOOD_DRAW_TIMING, "2", "1.2.392.200119.6.2202"),
            pq(checkup_xml::TG_FASTING[0], "162", "mg/dL"),
            pq(checkup_xml::HDL[2], "38", "mg/dL"),
            pq(checkup_xml::LDL[3], "141", "mg/dL"),
            pq(checkup_xml::FPG[1], "104", "mg/dL"),
            pq(checkup_xml::HBA1C[0], "5.8", "%"),
            coded(checkup_xml::URINE_GLUCOSE[0], "1", "1.2.392.200119.6.2102"),
            coded(checkup_xml::MEDICATION_BP, "2", "1.2.392.200119.6.2003"),
            coded(checkup_xml::MEDICATION_GLUCOSE, "2", "1.2.392.200119.6.2003"),
            coded(checkup_xml::MEDICATION_LIPID, "1", "1.2.392.200119.6.2003"),
            coded(checkup_xml::SMOKING, "1", "1.2.392.200119.6.24060"),
            coded(checkup_xml::DRINKING_AMOUNT, "2", "1.2.392.200119.6.24050"),
            other(checkup_xml::DOCTOR_DIAGNOSIS, ResultValue::Text("要再検査\n(脂質)".into())),
            coded(checkup_xml::METABOLIC_SYNDROME, "1", "1.2.392.200119.6.1008"),
            coded(checkup_xml::GUIDANCE_LEVEL, "1", "1.2.392.200119.6.3001"),
        ],
    };
    let no_symbol_no_branch = CheckupRecord {
        card_symbol: String::new(),
        card_number: "987654".into(),
        card_branch: None,
        name_kana: "ミナト ハナコ".into(),
        sex: Sex::Female,
        birth_date: d(1984, 2, 29),
        results: vec![
            other(checkup_xml::HEIGHT, ResultValue::NotPerformed),
            other(checkup_xml::WAIST_SELF_REPORTED, ResultValue::Unmeasurable),
            pq(checkup_xml::TG_CASUAL[1], "180", "mg/dL"),
            pq(checkup_xml::CASUAL_GLUCOSE[3], "99", "mg/dL"),
            coded(checkup_xml::AST[0], "L", "2.16.840.1.113883.5.83"),
            other(checkup_xml::SMOKING, ResultValue::NotPerformed),
            other(checkup_xml::DOCTOR_NAME, ResultValue::Text(String::new())),
        ],
        ..base.clone()
    };
    let no_results_dependant = CheckupRecord {
        card_branch: Some(12),
        card_number: "3456".into(),
        name_kana: "ミナト ジロウ".into(),
        birth_date: d(1985, 1, 1),
        postal_code: String::new(),
        address: String::new(),
        results: vec![],
        ..base.clone()
    };
    vec![base, no_symbol_no_branch, no_results_dependant]
}

fn header() -> ArchiveHeader {
    ArchiveHeader {
        sender_institution: "1322100106".into(),
        receiver_insurer: "06139463".into(),
        created_on: d(2026, 8, 10),
        sequence: 0,
        service_kind: 1,
    }
}

#[test]
fn archive_round_trip() {
    let mut buf = Cursor::new(Vec::new());
    write_checkup_archive(&mut buf, &header(), &records()).unwrap();
    let name = "1322100106_06139463_202608100_1.zip";
    let archive = read_checkup_archive(Cursor::new(buf.into_inner()), name).unwrap();
    assert_eq!(archive.header, header());
    assert_eq!(archive.declared_count, 3);
    assert_eq!(archive.records, records());
}

#[test]
fn archive_layout_follows_the_spec() {
    let mut buf = Cursor::new(Vec::new());
    write_checkup_archive(&mut buf, &header(), &records()).unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(buf.into_inner())).unwrap();
    let mut names: Vec<String> = zip.file_names().map(String::from).collect();
    names.sort();
    let root = "1322100106_06139463_202608100_1";
    assert_eq!(
        names,
        vec![
            format!("{root}/"),
            format!("{root}/DATA/"),
            // h + 機関番号 1322100106 + 作成日 20260810 + 回数 0 + 種別 1 + 連番 000001
            format!("{root}/DATA/h13221001062026081001000001.xml"),
            format!("{root}/DATA/h13221001062026081001000002.xml"),
            format!("{root}/DATA/h13221001062026081001000003.xml"),
            format!("{root}/ix08_V08.xml"),
        ]
    );
    // The index, checked field by field with a generic XML parser.
    let mut text = String::new();
    zip.by_name(&format!("{root}/ix08_V08.xml")).unwrap().read_to_string(&mut text).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let ns = "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html";
    let el = |name: &str| doc.descendants().find(|n| n.has_tag_name((ns, name))).unwrap();
    assert_eq!(el("interactionType").attribute("code"), Some("6"));
    assert_eq!(el("creationTime").attribute("value"), Some("20260810"));
    assert_eq!(el("serviceEventType").attribute("code"), Some("1"));
    assert_eq!(el("totalRecordCount").attribute("value"), Some("3"));
    let ids: Vec<(Option<&str>, Option<&str>)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((ns, "id")))
        .map(|n| (n.attribute("root"), n.attribute("extension")))
        .collect();
    assert_eq!(
        ids,
        vec![(Some("1.2.392.200119.6.102"), Some("1322100106")), (Some("1.2.392.200119.6.101"), Some("06139463")),]
    );
}

#[test]
fn written_document_has_the_cda_shape() {
    let rec = &records()[1];
    let text = write_checkup_document(rec, "doc-42");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let hl7 = "urn:hl7-org:v3";
    let root = doc.root_element();
    assert!(root.has_tag_name((hl7, "ClinicalDocument")));
    let first = |name: &str| doc.descendants().find(|n| n.has_tag_name((hl7, name))).unwrap();
    assert_eq!(first("typeId").attribute("extension"), Some("POCD_HD000040"));
    let code = root.children().find(|n| n.has_tag_name((hl7, "code"))).unwrap();
    assert_eq!(code.attribute("code"), Some("10"));
    assert_eq!(code.attribute("codeSystem"), Some("1.2.392.200119.6.1001"));
    let roots: Vec<&str> = first("patientRole")
        .children()
        .filter(|n| n.has_tag_name((hl7, "id")))
        .filter_map(|n| n.attribute("root"))
        .collect();
    // No 記号, no 枝番 → only 保険者番号 and 番号.
    assert_eq!(roots, vec!["1.2.392.200119.6.101", "1.2.392.200119.6.205"]);
    assert_eq!(first("administrativeGenderCode").attribute("code"), Some("2"));
    assert_eq!(first("birthTime").attribute("value"), Some("19840229"));
    let event_time = first("serviceEvent").children().find(|n| n.has_tag_name((hl7, "effectiveTime"))).unwrap();
    assert_eq!(event_time.attribute("value"), Some("20260715"));
    let obs: Vec<_> = doc.descendants().filter(|n| n.has_tag_name((hl7, "observation"))).collect();
    assert_eq!(obs.len(), 7);
    assert_eq!(obs[0].attribute("negationInd"), Some("true"));
    assert!(!obs[0].children().any(|n| n.has_tag_name((hl7, "value"))));
    fn value<'a, 'i>(o: &roxmltree::Node<'a, 'i>) -> roxmltree::Node<'a, 'i> {
        o.children().find(|n| n.has_tag_name(("urn:hl7-org:v3", "value"))).unwrap()
    }
    assert_eq!(value(&obs[1]).attribute("nullFlavor"), Some("NI"));
    let xsi = "http://www.w3.org/2001/XMLSchema-instance";
    assert_eq!(value(&obs[2]).attribute((xsi, "type")), Some("PQ"));
    assert_eq!(value(&obs[2]).attribute("unit"), Some("mg/dL"));
    // Round trip of the single document too.
    assert_eq!(&read_checkup_document(&text, "x.xml").unwrap().0, rec);
}

#[test]
fn writer_spells_units_as_the_table_does() {
    let mut rec = records()[0].clone();
    rec.results = vec![pq(checkup_xml::SBP_2, "121", "mmHg"), pq(checkup_xml::TG_FASTING[2], "99", "MG/DL")];
    let mut buf = Cursor::new(Vec::new());
    write_checkup_archive(&mut buf, &header(), &[rec]).unwrap();
    let archive = read_checkup_archive(Cursor::new(buf.into_inner()), "a.zip").unwrap();
    assert_eq!(
        archive.records[0].results,
        vec![pq("9A752000000000001", "121", "mm[Hg]"), pq("3F015000002399901", "99", "mg/dL")]
    );
}

/// 採血時間 (9N141…, table …6.2202, 第4期: 2 食後10時間以上, 3 食後3.5–10時間, 4 食後3.5時間未満),
/// each code with the 随時 value it makes usable or not (issue 12: code 1 was read as 空腹時).
/// A 随時中性脂肪 of 200 mg/dL (≥ 175) with HDL 60: the 脂質 risk is counted only when the blood
/// was drawn 3.5 h or more after a meal, or when the timing is not known.
#[test]
fn blood_draw_timing_codes_decide_whether_casual_values_count() {
    use kenpo_domain::stratify::{self, DrawTiming};
    let birth = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
    for (code, timing, lipid_counted) in [
        ("2", Some(DrawTiming::Fasting), true),
        ("3", Some(DrawTiming::Casual), true),
        ("4", Some(DrawTiming::SoonAfterMeal), false),
        ("1", None, true),
    ] {
        let record = vec![
            coded(checkup_xml::BLOOD_DRAW_TIMING, code, "1.2.392.200119.6.2202"),
            pq(checkup_xml::TG_CASUAL[0], "200", "mg/dL"),
            pq(checkup_xml::HDL[0], "60", "mg/dL"),
        ];
        let f = checkup_xml::findings(Sex::Male, birth, &record, 2025);
        assert_eq!(f.draw_timing, timing, "code {code}");
        let s = stratify::stratify(&f);
        let text = s.reasons.join("\n");
        assert_eq!(text.contains("随時中性脂肪 200mg/dL ≥ 175"), lipid_counted, "code {code}: {text}");
        assert_eq!(text.contains("食後3.5時間未満の採血のため判定に使えない"), !lipid_counted, "code {code}: {text}");
    }
}
