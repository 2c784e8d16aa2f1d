//! Write → read round trips for each 点数表, and the bytes the writer produces.

use chrono::NaiveDate;
use kenpo_domain::YearMonth;
use kenpo_domain::person::Sex;
use kenpo_domain::receipt::{CareSetting, Diagnosis, Institution, LineKind, Receipt, ReceiptKind, ReceiptLine};
use kenpo_formats::uke::{ReceiptAssembler, UkeError, UkeFile, UkeWriteError, read_uke, write_uke};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn month() -> YearMonth {
    YearMonth::new(2025, 4).unwrap()
}

fn clinic(name: &str) -> Institution {
    Institution { code: "1234567".into(), prefecture: 13, name: name.into(), address: None }
}

fn line(kind: LineKind, cat: &str, code: &str, qty: &str, points: Option<i64>, count: u32, days: &[u8]) -> ReceiptLine {
    ReceiptLine {
        kind,
        care_category: cat.into(),
        payer_code: "1".into(),
        code: code.into(),
        quantity: qty.into(),
        points,
        count,
        service_days: days.to_vec(),
    }
}

fn diagnosis(code: &str, name: Option<&str>, start: NaiveDate, main: bool, modifiers: &str) -> Diagnosis {
    Diagnosis {
        code: code.into(),
        name: name.map(Into::into),
        start_date: start,
        outcome: 1,
        main,
        modifiers: modifiers.into(),
    }
}

fn receipt(kind: ReceiptKind, inst: &Institution, receipt_type: &str, lines: Vec<ReceiptLine>) -> Receipt {
    let setting = CareSetting::from_receipt_type(receipt_type).unwrap();
    let mut r = Receipt {
        kind,
        setting,
        receipt_type: receipt_type.into(),
        service_month: month(),
        institution: inst.clone(),
        patient_name: "山田　太郎".into(),
        patient_name_kana: "ヤマダタロウ".into(),
        sex: Sex::Male,
        birth_date: d(1985, 6, 15),
        insurer_number: "06139463".into(),
        card_symbol: "19D".into(),
        card_number: "1234".into(),
        card_branch: Some(1),
        admission_date: None,
        days: 2,
        total_points: 0,
        patient_charge: None,
        meal_amount: None,
        search_number: None,
        prescriber: None,
        diagnoses: vec![],
        lines,
        delivery: None,
    };
    r.total_points = r.line_points();
    r
}

fn medical_file() -> UkeFile {
    let inst = clinic("内科クリニック");
    let mut outpatient = receipt(
        ReceiptKind::Medical,
        &inst,
        "1112",
        vec![
            line(LineKind::Procedure, "11", "111000110", "", Some(291), 1, &[3]),
            line(LineKind::Procedure, "12", "112007410", "", Some(75), 2, &[10, 17]),
            // A 算定単位 group: points only on its last line; 診療識別 inherited.
            line(LineKind::Procedure, "60", "160008010", "", None, 1, &[3]),
            line(LineKind::Procedure, "60", "160000310", "", Some(128), 1, &[3]),
            line(LineKind::Drug, "21", "620000007", "3", None, 14, &[3]),
            line(LineKind::Drug, "21", "610406079", "1.5", Some(12), 14, &[3]),
            line(LineKind::Material, "40", "700010000", "2", Some(8), 1, &[17]),
        ],
    );
    outpatient.diagnoses = vec![
        diagnosis("4019001", None, d(2024, 11, 2), true, ""),
        diagnosis("0000999", Some("頭痛の疑い"), d(2025, 4, 3), false, "8002"),
    ];
    outpatient.patient_charge = Some(1520);
    let mut inpatient = receipt(
        ReceiptKind::Medical,
        &inst,
        "1115",
        vec![
            line(LineKind::Procedure, "90", "190077410", "", Some(1650), 5, &[1, 2, 3, 4, 5]),
            line(LineKind::Procedure, "50", "150253010", "", Some(12100), 1, &[2]),
            line(LineKind::Drug, "50", "622478201", "1", Some(30), 1, &[2]),
            // 食事療養 (97) is in yen in HO, not in 合計点数.
            line(LineKind::Procedure, "97", "197000470", "", Some(640), 12, &[1, 2, 3, 4, 5]),
        ],
    );
    inpatient.total_points = 1650 * 5 + 12100 + 30;
    inpatient.patient_name = "鈴木　花子".into();
    inpatient.patient_name_kana = "スズキハナコ".into();
    inpatient.sex = Sex::Female;
    inpatient.admission_date = Some(d(2025, 4, 1));
    inpatient.days = 5;
    inpatient.meal_amount = Some(7680);
    inpatient.card_branch = None;
    inpatient.card_symbol = String::new();
    inpatient.search_number = Some("20250400000000001".into());
    inpatient.diagnoses = vec![diagnosis("5400001", None, d(2025, 4, 1), true, "")];
    UkeFile {
        review_body: 1,
        institution: inst,
        kind: ReceiptKind::Medical,
        billing_month: month().next(),
        phone: "03-1234-5678".into(),
        receipts: vec![outpatient, inpatient],
    }
}

fn write(file: &UkeFile) -> Vec<u8> {
    let mut out = Vec::new();
    write_uke(&mut out, file).unwrap();
    out
}

#[test]
fn medical_round_trip() {
    let file = medical_file();
    let parsed = read_uke(&write(&file), "RECEIPTC.UKE").unwrap();
    assert_eq!(parsed.file, file);
    assert_eq!(parsed.declared_count, 2);
    assert_eq!(parsed.declared_points, file.receipts.iter().map(|r| r.total_points).sum::<i64>());
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn dpc_round_trip_by_file_name() {
    let mut file = medical_file();
    file.kind = ReceiptKind::Dpc;
    for r in &mut file.receipts {
        r.kind = ReceiptKind::Dpc;
    }
    let parsed = read_uke(&write(&file), "RECEIPTD.UKE").unwrap();
    assert_eq!(parsed.file, file);
}

#[test]
fn dental_round_trip() {
    let inst = clinic("さくら歯科医院");
    let mut r = receipt(
        ReceiptKind::Dental,
        &inst,
        "3112",
        vec![
            line(LineKind::Procedure, "11", "301000110", "", Some(267), 1, &[7]),
            line(LineKind::Procedure, "40", "309002110", "1", Some(40), 2, &[7, 14]),
            line(LineKind::Drug, "21", "620000007", "2", Some(5), 1, &[7]),
            line(LineKind::Material, "40", "700030000", "1", Some(11), 1, &[14]),
        ],
    );
    r.diagnoses = vec![
        diagnosis("5210001", None, d(2025, 4, 7), true, ""),
        diagnosis("0000999", Some("咬合痛"), d(2025, 4, 14), false, ""),
    ];
    let file = UkeFile {
        review_body: 2,
        institution: inst,
        kind: ReceiptKind::Dental,
        billing_month: month().next(),
        phone: "0312345678".into(),
        receipts: vec![r],
    };
    let bytes = write(&file);
    assert!(bytes.starts_with(b"UK,2,13,3,1234567,,"), "dental files open with UK");
    let parsed = read_uke(&bytes, "RECEIPTC.UKE").unwrap();
    assert_eq!(parsed.file, file);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn pharmacy_round_trip() {
    let inst = Institution { code: "7654321".into(), prefecture: 27, name: "みどり薬局".into(), address: None };
    let mut r = receipt(
        ReceiptKind::Pharmacy,
        &inst,
        "4112",
        vec![
            line(LineKind::Procedure, "", "420001810", "14", Some(24), 1, &[9]),
            line(LineKind::Drug, "", "612320417", "3", None, 1, &[9]),
            line(LineKind::Drug, "", "622098401", "1", None, 1, &[9]),
            line(LineKind::Procedure, "", "420002510", "1", Some(10), 1, &[23]),
            line(LineKind::Drug, "", "662640418", "1", None, 1, &[23]),
        ],
    );
    // The minimal 調剤 layout has no カタカナ氏名 position: it is not written.
    r.patient_name_kana = String::new();
    r.total_points = 250;
    let file = UkeFile {
        review_body: 1,
        institution: inst,
        kind: ReceiptKind::Pharmacy,
        billing_month: month().next(),
        phone: "06-1111-2222".into(),
        receipts: vec![r],
    };
    let parsed = read_uke(&write(&file), "RECEIPTC.UKE").unwrap();
    assert_eq!(parsed.file, file);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn bytes_are_cp932_crlf_and_end_with_eof() {
    let bytes = write(&medical_file());
    assert_eq!(bytes.last(), Some(&0x1A));
    let body = &bytes[..bytes.len() - 1];
    assert!(body.ends_with(b"\r\n"));
    // Every LF is preceded by CR.
    for (i, &b) in body.iter().enumerate() {
        if b == b'\n' {
            assert_eq!(body[i - 1], b'\r', "lone LF at byte {i}");
        }
    }
    // 「内科」 in CP932.
    assert!(bytes.windows(4).any(|w| w == [0x93, 0xE0, 0x89, 0xC8]));
    let first_line = body.split(|&b| b == b'\n').next().unwrap();
    assert!(first_line.starts_with(b"IR,1,13,1,1234567,,\x93\xE0\x89\xC8"));
    assert!(first_line.ends_with(b",202505,00,03-1234-5678\r"));
    // 保険者番号 right-aligned in 8; 診療識別 written only when it changes.
    let text = String::from_utf8_lossy(body);
    assert!(text.contains("\r\nHO,06139463,19D,1234,2,"));
    assert!(text.contains("\r\nSI,60,1,160008010,,,1,"));
    assert!(text.contains("\r\nSI,,1,160000310,,128,1,"));
    assert!(text.contains("\r\nGO,2,"));
    assert!(text.contains(",99\r\n"));
}

#[test]
fn short_insurer_numbers_are_padded_with_spaces() {
    let mut file = medical_file();
    file.receipts[0].insurer_number = "138057".into();
    let bytes = write(&file);
    assert!(String::from_utf8_lossy(&bytes).contains("\r\nHO,  138057,"));
    let parsed = read_uke(&bytes, "x.UKE").unwrap();
    assert_eq!(parsed.file.receipts[0].insurer_number, "138057");
}

#[test]
fn unencodable_name_is_an_error_naming_the_field() {
    let mut file = medical_file();
    file.receipts[1].patient_name = "𠮷田　一郎".into();
    let err = write_uke(&mut Vec::new(), &file).unwrap_err();
    assert!(matches!(err, UkeWriteError::Unencodable { field: "氏名", .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("receipt 2") && message.contains("氏名"), "{message}");
    assert!(!message.contains("一郎"), "{message}");

    let mut file = medical_file();
    file.institution.name = "医院🏥".into();
    for r in &mut file.receipts {
        r.institution.name = file.institution.name.clone();
    }
    let err = write_uke(&mut Vec::new(), &file).unwrap_err();
    assert!(matches!(err, UkeWriteError::Unencodable { field: "医療機関名称", .. }), "{err:?}");
}

#[test]
fn writer_refuses_what_it_cannot_hold() {
    let mut file = medical_file();
    file.receipts[0].lines[0].quantity = "1.50".into();
    assert!(matches!(write_uke(&mut Vec::new(), &file), Err(UkeWriteError::Invalid { .. })));

    let mut file = medical_file();
    file.receipts[0].patient_name = "山田,太郎".into();
    assert!(matches!(write_uke(&mut Vec::new(), &file), Err(UkeWriteError::Invalid { field: "氏名", .. })));

    let mut file = medical_file();
    file.receipts[0].insurer_number = String::new();
    assert!(matches!(write_uke(&mut Vec::new(), &file), Err(UkeWriteError::Unsupported { .. })));
}

#[test]
fn ninety_nine_lines_of_one_category_repeat_it() {
    let mut file = medical_file();
    let lines: Vec<ReceiptLine> =
        (0..100).map(|_| line(LineKind::Drug, "21", "620000007", "1", Some(1), 1, &[3])).collect();
    file.receipts[0].lines = lines;
    file.receipts[0].total_points = 100;
    // 100 points cost 1,000 yen: the fixture's 1,520 yen 負担金額 would exceed it.
    file.receipts[0].patient_charge = Some(300);
    let bytes = write(&file);
    let text = String::from_utf8_lossy(&bytes);
    // The first line writes 21, the next 98 omit it, the 100th writes it again.
    assert_eq!(text.matches("\r\nIY,21,").count(), 2);
    assert_eq!(text.matches("\r\nIY,,1,620000007,").count(), 98);
    let parsed = read_uke(&bytes, "x.UKE").unwrap();
    assert_eq!(parsed.file, file);
}

#[test]
fn streaming_reader_yields_receipts_one_at_a_time() {
    let file = medical_file();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("RECEIPTC.UKE");
    std::fs::write(&path, write(&file)).unwrap();
    let input = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
    let mut asm = ReceiptAssembler::new(input, "RECEIPTC.UKE").unwrap();
    assert_eq!(asm.header().institution, file.institution);
    let first = asm.next_receipt().unwrap().unwrap();
    assert_eq!(first.receipt_number, 1);
    assert_eq!(first.receipt, file.receipts[0]);
    let second = asm.next_receipt().unwrap().unwrap();
    assert_eq!(second.receipt, file.receipts[1]);
    assert!(asm.next_receipt().is_none());
    let trailer = asm.finish();
    assert_eq!(trailer.declared_count, 2);
    assert!(trailer.warnings.is_empty());
}

#[test]
fn mismatched_totals_are_errors() {
    // HO 合計点数 10 more than the lines: rejected at the HO line, field 6.
    let mut file = medical_file();
    file.receipts[0].total_points += 10;
    let bytes = write(&file);
    let err = read_uke(&bytes, "x.UKE").unwrap_err();
    assert!(
        matches!(&err, UkeError::Totals { record, position: 6, declared, counted, .. } if record == "HO" && declared - counted == 10),
        "{err}"
    );
    // GO 総件数 3 for 2 receipts: rejected at the GO line.
    let bytes = write(&medical_file());
    let text = String::from_utf8_lossy(&bytes).replace("\r\nGO,2,", "\r\nGO,3,");
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let err = read_uke(&bytes, "x.UKE").unwrap_err();
    let go_line = bytes.split(|&b| b == b'\n').count() as u64 - 1;
    assert!(
        matches!(&err, UkeError::Totals { line, record, position: 2, declared: 3, counted: 2, .. } if *line == go_line && record == "GO"),
        "{err}"
    );
}
