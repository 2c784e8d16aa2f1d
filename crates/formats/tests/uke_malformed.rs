//! Malformed and unusual input: every error names the line and the field, never a personal
//! value; 和暦 files and insurer-side deliveries read like the files the writer produces.

use encoding_rs::SHIFT_JIS;
use kenpo_formats::uke::{UkeError, read_uke};

/// A small valid 医科 file, one record per line (CR LF and 0x1A added by [`file`]).
fn lines() -> Vec<String> {
    let days = |d: usize| {
        let mut v = vec![String::new(); 31];
        v[d - 1] = "1".into();
        v.join(",")
    };
    vec![
        "IR,1,13,1,1234567,,テスト医院,202505,00,0312345678".into(),
        format!("RE,1,1112,202504,山田　太郎,1,19850615{},ヤマダタロウ,", ",".repeat(29)),
        "HO,06139463,１９Ｄ,１２３４,1,291,,,,,,,,,".into(),
        "SY,4019001,20241102,1,,,01,".into(),
        format!("SI,11,1,111000110,,291,1,,,,,,,{}", days(3)),
        "GO,1,291,99".into(),
    ]
}

fn file(lines: &[String]) -> Vec<u8> {
    let mut text = lines.join("\r\n");
    text.push_str("\r\n\u{1a}");
    let (bytes, _, unmappable) = SHIFT_JIS.encode(&text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn read_err(lines: &[String]) -> UkeError {
    read_uke(&file(lines), "BAD.UKE").unwrap_err()
}

#[test]
fn the_base_file_is_valid() {
    let parsed = read_uke(&file(&lines()), "OK.UKE").unwrap();
    let r = &parsed.file.receipts[0];
    assert_eq!(r.card_symbol, "19D");
    assert_eq!(r.card_number, "1234");
    assert_eq!(r.lines[0].service_days, vec![3]);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn unknown_record_names_line_and_record() {
    let mut l = lines();
    l.insert(3, "ZZ,1,2".into());
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::UnknownRecord { line: 4, record, .. } if record == "ZZ"), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("BAD.UKE") && msg.contains("line 4") && msg.contains("ZZ"), "{msg}");
}

#[test]
fn invalid_cp932_names_line_record_and_field() {
    let mut l = lines();
    l[1] = l[1].replace("山田　太郎", "@@");
    let mut bytes = file(&l);
    let at = bytes.windows(2).position(|w| w == b"@@").unwrap();
    bytes[at] = 0x81; // a lead byte …
    bytes[at + 1] = 0xFF; // … with an impossible trail byte
    let err = read_uke(&bytes, "BAD.UKE").unwrap_err();
    assert!(matches!(&err, UkeError::Encoding { line: 2, record, position: 5, .. } if record == "RE"), "{err:?}");
    assert!(err.to_string().contains("line 2: RE field 5"), "{err}");
}

#[test]
fn bad_date_names_the_field_but_not_the_value() {
    let mut l = lines();
    l[1] = l[1].replace("19850615", "19851345");
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Field { line: 2, position: 7, name: "生年月日", .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("line 2") && msg.contains("生年月日"), "{msg}");
    assert!(!msg.contains("19851345"), "personal value leaked: {msg}");

    let mut l = lines();
    l[3] = l[3].replace("20241102", "2024110");
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Field { line: 4, position: 3, name: "診療開始日", .. }), "{err:?}");
}

#[test]
fn wrong_field_count_names_line_and_record() {
    let mut l = lines();
    l[4] = "SI,11,1,111000110,,291,1".into();
    let err = read_err(&l);
    assert!(
        matches!(&err, UkeError::FieldCount { line: 5, record, found: 7, expected, .. }
            if record == "SI" && expected == "44"),
        "{err:?}"
    );
    assert!(err.to_string().contains("line 5: SI: expected 44 fields, found 7"), "{err}");

    let mut l = lines();
    l[2].push_str(",,,");
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::FieldCount { line: 3, .. }), "{err:?}");
}

#[test]
fn bad_number_names_the_field_and_never_the_value() {
    let mut l = lines();
    l[4] = l[4].replace(",291,1,", ",2x1,1,");
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Field { line: 5, position: 6, name: "点数", .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("expected a whole number") && !msg.contains("2x1"), "{msg}");

    // Not even a file-level code: an error names file, line, record and field, never the value.
    let mut l = lines();
    l[0] = l[0].replace(",1234567,", ",12345,");
    let err = read_err(&l);
    let msg = err.to_string();
    assert!(msg.contains("line 1") && msg.contains("医療機関コード") && !msg.contains("12345"), "{msg}");
}

#[test]
fn missing_name_and_bad_card_branch_hide_values() {
    let mut l = lines();
    l[1] = l[1].replace("山田　太郎", "");
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Field { line: 2, position: 5, name: "氏名", .. }), "{err:?}");

    let mut l = lines();
    l.insert(3, "SN,1,01,,,,7,,".into());
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Field { line: 4, position: 7, name: "枝番", .. }), "{err:?}");
}

#[test]
fn structure_errors() {
    let mut l = lines();
    l.pop();
    assert!(matches!(read_err(&l), UkeError::Structure { .. }), "missing GO");

    let mut l = lines();
    l.push("RE,2,1112,202504,x,1,19850615".into());
    assert!(matches!(read_err(&l), UkeError::Structure { line: 7, .. }), "record after GO");

    let mut l = lines();
    l.swap(1, 3);
    assert!(matches!(read_err(&l), UkeError::Structure { line: 2, .. }), "SY before RE");
}

#[test]
fn reads_wareki_dates() {
    let western = read_uke(&file(&lines()), "A.UKE").unwrap();
    let mut l = lines();
    l[0] = l[0].replace(",202505,", ",50705,"); // 令和7年5月
    l[1] = l[1].replace(",202504,", ",50704,").replace(",19850615", ",3600615"); // 昭和60年
    l[3] = l[3].replace(",20241102,", ",5061102,"); // 令和6年
    let wareki = read_uke(&file(&l), "B.UKE").unwrap();
    assert_eq!(wareki.file, western.file);
}

/// The same file as an insurer-side delivery: three prefix columns, MN before each receipt.
fn delivery(lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut row = 0;
    for l in lines {
        if l.starts_with("RE,") {
            row += 1;
            out.push(format!("1,{row},0,MN,123456789,東京都千代田区,,"));
        }
        row += 1;
        out.push(format!("1,{row},0,{l}"));
    }
    out
}

#[test]
fn reads_an_insurer_side_delivery() {
    let raw = read_uke(&file(&lines()), "RECEIPTC.UKE").unwrap();
    let mut d = read_uke(&file(&delivery(&lines())), "11_RECODEINFO_MED.CSV").unwrap();
    // The delivery adds the MN's レセプト管理番号; the claim is the same.
    let info = d.file.receipts[0].delivery.take().unwrap();
    assert_eq!(info.management_number, "123456789");
    // …and the MN's 所在地 of the institution.
    assert_eq!(d.file.receipts[0].institution.address.take().as_deref(), Some("東京都千代田区"));
    assert!(info.corrections.is_empty());
    assert_eq!(d.file, raw.file);
    assert_eq!(d.declared_count, 1);

    // A JY 追加 whose added record (line 4) is a claim record, not a 補正 one: refused.
    let mut l = delivery(&lines());
    l.insert(4, "2,99,1,JY,1,3,0,,,4,0".into());
    let err = read_uke(&file(&l), "11_RECODEINFO_MED.CSV").unwrap_err();
    assert!(matches!(&err, UkeError::Structure { line: 5, record, .. } if record == "JY"), "{err:?}");
}

#[test]
fn field_longer_than_the_spec_is_an_error_naming_line_field_and_sizes() {
    // HO 記号 may hold 38 bytes (記録条件仕様 医科 HO): 20 full-width digits are 40.
    let mut l = lines();
    l[2] = l[2].replace("１９Ｄ", &"１".repeat(20));
    let err = read_err(&l);
    assert!(
        matches!(&err, UkeError::TooLong { line: 3, record, position: 3, max: 38, found: 40, .. } if record == "HO"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("line 3") && msg.contains("被保険者証等の記号") && !msg.contains('１'), "{msg}");
}

#[test]
fn a_name_longer_than_the_spec_is_kept_with_a_warning() {
    // RE 氏名: 20 漢字 (40 bytes); 21 are 42 bytes. The receipt stays readable (other software
    // writes such names) and the reader says so.
    let mut l = lines();
    // "山田　" and 18 × "太": 21 full-width characters.
    l[1] = l[1].replace("山田　太郎", &format!("山田　{}", "太".repeat(18)));
    let parsed = read_uke(&file(&l), "LONG.UKE").unwrap();
    assert_eq!(parsed.file.receipts.len(), 1);
    assert!(
        parsed.warnings.iter().any(|w| matches!(
            w,
            kenpo_formats::uke::UkeWarning::FieldTooLong { line: 2, position: 5, max: 40, found: 42, .. }
        )),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn go_and_ho_totals_that_disagree_are_errors() {
    // GO 総合計点数 291 → 290: the single receipt's HO says 291.
    let mut l = lines();
    l[5] = "GO,1,290,99".into();
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Totals { line: 6, position: 3, declared: 290, counted: 291, .. }), "{err:?}");
    // HO 合計点数 300 while the one SI line bills 291 × 1.
    let mut l = lines();
    l[2] = l[2].replace(",1,291,", ",1,300,");
    l[5] = "GO,1,300,99".into();
    let err = read_err(&l);
    assert!(matches!(&err, UkeError::Totals { line: 3, position: 6, declared: 300, counted: 291, .. }), "{err:?}");
}
