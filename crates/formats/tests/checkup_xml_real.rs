//! 特定健診 documents as real senders write them. The fixture is ours and reproduces the
//! structure of the 支払基金's 2013 hc08 sample (see the comment at its top); the sample itself is
//! checked too when `scripts/fetch-samples.sh` has placed it in `samples-local/`.

use kenpo_domain::checkup::ResultValue;
use kenpo_formats::checkup_xml::{CheckupWarning, read_checkup_document};
use std::path::PathBuf;

fn fixture() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hc08/h_2013_structure.xml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {} not readable: {e}", path.display()))
}

fn value<'a>(r: &'a kenpo_domain::checkup::CheckupRecord, code: &str) -> &'a ResultValue {
    &r.results.iter().find(|x| x.code == code).unwrap_or_else(|| panic!("{code} not read")).value
}

#[test]
fn a_2013_document_reads_with_basic_detailed_and_questionnaire_items() {
    let (r, warnings) = read_checkup_document(&fixture(), "h1.xml").unwrap();
    // 既往歴・自覚症状・他覚症状 and the 既往歴 finding.
    assert_eq!(
        value(&r, "9N056000000000011"),
        &ResultValue::Coded { code: "1".into(), code_system: "1.2.392.200119.6.2001".into() }
    );
    assert_eq!(value(&r, "9N056160400000049"), &ResultValue::Text("テスト病".into()));
    assert!(matches!(value(&r, "9N061000000000011"), ResultValue::Coded { code, .. } if code == "2"));
    assert!(matches!(value(&r, "9N066000000000011"), ResultValue::Coded { code, .. } if code == "2"));
    // 詳細な健診: the 貧血 group's two COMP results (the RSON reason is not a result) and 心電図.
    assert_eq!(value(&r, "2A040000001930102"), &ResultValue::Quantity { value: "40.1".into(), unit: "%".into() });
    assert_eq!(value(&r, "2A030000001930101"), &ResultValue::Quantity { value: "13.5".into(), unit: "g/dL".into() });
    assert!(!r.results.iter().any(|x| x.code == "2A020161001930149"));
    assert!(matches!(value(&r, "9A110160700000011"), ResultValue::Coded { code, .. } if code == "2"));
    // 測定不能 and a value with its reference range.
    assert_eq!(value(&r, "9A751000000000001"), &ResultValue::Unmeasurable);
    assert_eq!(value(&r, "9A752000000000001"), &ResultValue::Quantity { value: "128".into(), unit: "mm[Hg]".into() });
    // 喫煙 with the はい/いいえ answers of the years before the 第4期.
    assert!(
        matches!(value(&r, "9N736000000000011"), ResultValue::Coded { code_system, .. } if code_system == "1.2.392.200119.6.2003")
    );
    // 9N806 保健指導の希望 is in the 第3期 table (a 2013 document is read with it).
    assert!(matches!(value(&r, "9N806000000000011"), ResultValue::Coded { .. }));
    // 9N761 (1年間の体重変化, a 第2期 question) is in no table: a warning, not a refusal.
    match warnings.as_slice() {
        [CheckupWarning::UnknownItem { code, table, .. }] => {
            assert_eq!((code.as_str(), *table), ("9N761000000000011", "第3期"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_code_beside_a_quantity_keeps_both() {
    // 拡張期血圧 CD H (以上) + PQ 150: "150 mm[Hg] or more".
    let (r, _) = read_checkup_document(&fixture(), "h1.xml").unwrap();
    assert_eq!(
        value(&r, "9A765000000000001"),
        &ResultValue::Beyond { interpretation: "H".into(), value: "150".into(), unit: "mm[Hg]".into() }
    );
    // 階層化 takes the limit as the value: 150 ≥ 85 is a 血圧 risk whatever the true value is.
    let f = kenpo_formats::checkup_xml::findings(kenpo_domain::person::Sex::Male, r.birth_date, &r.results, 2013);
    assert_eq!(f.diastolic, Some(150.0));
}

#[test]
fn the_same_document_dated_in_the_fourth_period_warns_on_third_period_items() {
    // Dated 2024-05-15 the document is read with the 第4期 table, which has no 9N806 (replaced by
    // 9N808) — now two warnings; everything else reads as before (喫煙 answered in the 第4期's
    // code system, which the 第4期 table requires).
    let text = fixture()
        .replace("<effectiveTime value=\"20130415\"/>", "<effectiveTime value=\"20240515\"/>")
        .replace(
            "<value xsi:type=\"CD\" code=\"1\" codeSystem=\"1.2.392.200119.6.2003\"/></observation></entry>\n          <entry><observation classCode=\"OBS\" moodCode=\"EVN\" negationInd=\"false\">\n            <code code=\"9N761",
            "<value xsi:type=\"CD\" code=\"1\" codeSystem=\"1.2.392.200119.6.24060\"/></observation></entry>\n          <entry><observation classCode=\"OBS\" moodCode=\"EVN\" negationInd=\"false\">\n            <code code=\"9N761",
        );
    let (r, warnings) = read_checkup_document(&text, "h1.xml").unwrap();
    let codes: Vec<&str> = warnings
        .iter()
        .map(|w| match w {
            CheckupWarning::UnknownItem { code, .. } => code.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(codes, ["9N761000000000011", "9N806000000000011"]);
    assert!(r.results.iter().any(|x| x.code == "9N056000000000011"));
}

#[test]
fn a_second_value_that_is_not_a_range_flag_is_refused() {
    let text = fixture().replace(
        "<value xsi:type=\"CD\" code=\"H\" codeSystem=\"2.16.840.1.113883.5.83\" displayName=\"以上\"/>",
        "<value xsi:type=\"PQ\" value=\"1\" unit=\"mm[Hg]\"/>",
    );
    let err = read_checkup_document(&text, "h1.xml").unwrap_err();
    assert!(err.to_string().contains("9A765000000000001"), "{err}");
}

/// The 支払基金's own hc08 sample (2013), when `scripts/fetch-samples.sh` has placed it. By hand
/// from the file (grep of 17-character codes): 59 in the 01010 section, of which 3 are RSON
/// 実施理由 (not results) and two (9N761 1年間の体重変化, 9N776 食べ方３) 第2期 questions in no
/// table — 54 results and 2 warnings; the 4 codes of the 01990 任意追加項目 section are not
/// 特定健診 results. 9A765 carries CD H + PQ 150.
#[test]
fn the_official_hc08_sample_when_present() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples-local/kensin_kihon_tokutei.xml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not present (scripts/fetch-samples.sh)", path.display());
        return;
    };
    let (r, warnings) = read_checkup_document(text.trim_start_matches('\u{feff}'), "kensin_kihon_tokutei.xml").unwrap();
    let mut codes: Vec<&str> = warnings
        .iter()
        .map(|w| match w {
            CheckupWarning::UnknownItem { code, .. } => code.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["9N761000000000011", "9N776000000000011"]);
    assert_eq!(r.results.len(), 54);
    assert!(matches!(value(&r, "9A765000000000001"), ResultValue::Beyond { value, .. } if value == "150"));
}

#[test]
fn a_third_period_document_reads_with_the_third_period_table() {
    // Dated 2020-06-10 (FY2020, 第3期): 9N806 保健指導の希望 and the はい/いいえ 喫煙 are 第3期
    // items; 9N761 is in neither table.
    let text = fixture().replace("<effectiveTime value=\"20130415\"/>", "<effectiveTime value=\"20200610\"/>");
    let (r, warnings) = read_checkup_document(&text, "h1.xml").unwrap();
    assert_eq!(r.exam_date.to_string(), "2020-06-10");
    assert!(matches!(value(&r, "9N806000000000011"), ResultValue::Coded { .. }));
    assert!(
        matches!(value(&r, "9N736000000000011"), ResultValue::Coded { code_system, .. } if code_system == "1.2.392.200119.6.2003")
    );
    assert!(matches!(warnings.as_slice(), [CheckupWarning::UnknownItem { table: "第3期", .. }]), "{warnings:?}");
}
