//! Hostile and careless numbers in UKE files (issue 12): every numeric field has its spec
//! width and sign (記録条件仕様 医科 R4: 数字 is 半角数字 only; HO 合計点数 N8, 負担金額 N9; SI 点数
//! N7, 回数 N3; GO 総件数 N6, 総合計点数 N10), a 負担金額 above the receipt's cost is an error, and
//! no arithmetic wraps: a property test drives extreme values through the reader into 高額療養費
//! and asserts an error or a correct amount.

use encoding_rs::SHIFT_JIS;
use kenpo_domain::kogaku::{
    self, AdditionRules, Claim, HouseholdMonth, HouseholdPerson, IncomeFacts, Setting, Table, ceiling_table,
    ceilings_for,
};
use kenpo_formats::uke::{UkeError, UkeWarning, read_uke};
use proptest::prelude::*;

fn days(d: usize) -> String {
    let mut v = vec![String::new(); 31];
    v[d - 1] = "1".into();
    v.join(",")
}

/// A valid 医科 file of one receipt: HO 合計点数 `ho_points`, 負担金額 `charge`, one SI line of
/// `points` × `times`, GO `go_points`.
fn file(ho_points: &str, charge: &str, points: &str, times: &str, go_points: &str) -> Vec<u8> {
    let lines = [
        "IR,1,13,1,1234567,,テスト医院,202505,00,0312345678".to_string(),
        format!("RE,1,1112,202504,山田　太郎,1,19850615{},ヤマダタロウ,", ",".repeat(29)),
        format!("HO,06139463,１９Ｄ,１２３４,1,{ho_points},,,,,,{charge},,,"),
        "SY,4019001,20241102,1,,,01,".to_string(),
        format!("SI,11,1,111000110,,{points},{times},,,,,,,{}", days(3)),
        format!("GO,1,{go_points},99"),
    ];
    let mut text = lines.join("\r\n");
    text.push_str("\r\n\u{1a}");
    SHIFT_JIS.encode(&text).0.into_owned()
}

fn err(bytes: &[u8]) -> UkeError {
    read_uke(bytes, "HOSTILE.UKE").expect_err("must be refused")
}

fn assert_field(e: &UkeError, record: &str, position: usize) {
    match e {
        UkeError::Field { record: r, position: p, .. } => {
            assert_eq!((r.as_str(), *p), (record, position), "{e}");
        }
        other => panic!("expected a field error at {record} {position}, got {other:?}"),
    }
}

#[test]
fn the_review_cases_are_refused_at_their_field() {
    // 負担金額 999999999999999999 (18 digits; N9 allows 9).
    let e = err(&file("291", "999999999999999999", "291", "1", "291"));
    assert_field(&e, "HO", 12);
    assert!(!e.to_string().contains("999999999999999999"), "the value is withheld: {e}");
    // 点数 576460752303423488 × 回数 32 wraps to 0 in i64 (2^59 × 2^5 = 2^64): N7 refuses it.
    let e = err(&file("0", "", "576460752303423488", "32", "0"));
    assert_field(&e, "SI", 6);
    // A negative HO 合計点数: 数字 has no sign.
    let e = err(&file("-291", "", "291", "1", "291"));
    assert_field(&e, "HO", 6);
    // 回数 beyond N3.
    let e = err(&file("291", "", "291", "1000", "291"));
    assert_field(&e, "SI", 7);
    // GO 総合計点数 beyond N10.
    let e = err(&file("291", "", "291", "1", "99999999999"));
    assert_field(&e, "GO", 3);
}

#[test]
fn a_charge_above_the_cost_is_refused() {
    // 291 points = 2,910 yen; a 負担金額 of 2,911 yen cannot be.
    let e = err(&file("291", "2911", "291", "1", "291"));
    assert!(matches!(&e, UkeError::Structure { record, line: 3, .. } if record == "HO"), "{e:?}");
    assert!(e.to_string().contains("負担金額"), "{e}");
    // 2,910 yen (10割) is the most it can be.
    let ok = read_uke(&file("291", "2910", "291", "1", "291"), "OK.UKE").expect("the whole cost is allowed");
    assert_eq!(ok.file.receipts[0].patient_charge, Some(2910));
}

#[test]
fn widths_at_their_limit_are_read() {
    // 9,999,999 points × 1 (N7) with HO 合計点数 9,999,999 (within N8) and GO the same.
    let ok = read_uke(&file("9999999", "", "9999999", "1", "9999999"), "OK.UKE").expect("at the limit");
    assert_eq!(ok.file.receipts[0].total_points, 9_999_999);
}

#[test]
fn a_short_record_is_read_with_a_warning() {
    // The RE of the current spec has 38 fields; cut to 10 it reads as an older layout.
    let mut text = String::from_utf8(SHIFT_JIS.decode(&file("291", "", "291", "1", "291")).0.into_owned().into_bytes())
        .expect("utf8");
    let re_start = text.find("RE,").expect("RE");
    let re_end = re_start + text[re_start..].find("\r\n").expect("end");
    let cut: Vec<&str> = text[re_start..re_end].split(',').take(10).collect();
    text.replace_range(re_start..re_end, &cut.join(","));
    let bytes = SHIFT_JIS.encode(&text).0.into_owned();
    let parsed = read_uke(&bytes, "OLD.UKE").expect("still read");
    assert_eq!(parsed.file.receipts.len(), 1);
    let short: Vec<&UkeWarning> =
        parsed.warnings.iter().filter(|w| matches!(w, UkeWarning::ShortRecord { .. })).collect();
    assert_eq!(short.len(), 1, "{:?}", parsed.warnings);
    assert!(
        matches!(short[0], UkeWarning::ShortRecord { line: 2, record, found: 10, current: 38 } if record == "RE"),
        "{short:?}"
    );
    assert!(short[0].to_string().contains("line 2: RE has 10 fields"), "{}", short[0]);
}

/// 高額療養費 of one under-70 member (区分ウ, 標準報酬 300,000) for a receipt the reader accepted.
fn kogaku_of(points: i64, charge: Option<i64>) -> Result<Vec<kogaku::Payment>, kogaku::KogakuError> {
    let month = kenpo_domain::YearMonth::new(2025, 4).expect("month");
    let figures = ceilings_for(ceiling_table(), month).expect("2018-08 figures");
    let (cost, charge) = kogaku::claim_amounts(1, points, charge, 30)?;
    let h = HouseholdMonth {
        month,
        member: 1,
        income: IncomeFacts { standard_monthly: 300_000, tax_exempt: false, no_income: false },
        persons: vec![HouseholdPerson { person: 1, is_member: true, elderly: false }],
        claims: vec![Claim {
            receipt_id: 1,
            person: 1,
            institution: "131234567".into(),
            institution_label: "テスト医院".into(),
            setting: Setting::Outpatient,
            table: Table::Medical,
            cost,
            charge,
            public_aid: false,
            pharmacy: false,
        }],
        prior_household_months: 0,
    };
    kogaku::compute(&h, figures, &AdditionRules::default())
}

/// A numeral of any length and sign, the way a hostile sender would write one.
fn numeral() -> impl Strategy<Value = String> {
    prop_oneof![
        // Mostly values a receipt can hold, so that many files reach 高額療養費 …
        4 => (0u64..=30_000).prop_map(|n| n.to_string()),
        1 => (0u64..=99_999_999).prop_map(|n| n.to_string()),
        // … and the rest beyond every width and sign.
        1 => "-?[0-9]{1,25}",
        1 => Just(i64::MAX.to_string()),
        1 => Just(u64::MAX.to_string()),
        1 => Just(i64::MIN.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Reader → 高額療養費 with extreme 点数, 回数 and 負担金額: either the file is refused, or
    /// every amount is within its width and the 高額療養費 paid is exactly the charge above the
    /// 区分ウ ceiling (80,100 + (cost − 267,000) × 1%), never more than the charge.
    #[test]
    fn extreme_values_give_an_error_or_the_right_amount(points in numeral(), times in numeral(), charge in numeral()) {
        let p: i128 = points.parse().unwrap_or(0);
        let t: i128 = times.parse().unwrap_or(0);
        let total = p.checked_mul(t).map(|v| v.to_string()).unwrap_or_else(|| "0".into());
        let bytes = file(&total, &charge, &points, &times, &total);
        let Ok(parsed) = read_uke(&bytes, "PROP.UKE") else { return Ok(()) };
        let r = &parsed.file.receipts[0];
        prop_assert!((0..=99_999_999).contains(&r.total_points));
        prop_assert!(r.patient_charge.is_none_or(|c| (0..=r.total_points * 10).contains(&c)));
        let payments = kogaku_of(r.total_points, r.patient_charge).expect("in range");
        let cost = r.total_points * 10;
        // 一部負担金: recorded, else 3割 of the cost rounded to 10 yen.
        let paid_by_patient = r.patient_charge.unwrap_or((cost * 30 + 500) / 1000 * 10);
        let ceiling = if cost > 267_000 { 80_100 + (cost - 267_000 + 50) / 100 } else { 80_100 };
        let kogaku: i64 = payments.iter().filter(|p| p.kind.is_statutory()).map(|p| p.amount).sum();
        prop_assert_eq!(kogaku, (paid_by_patient - ceiling).max(0));
        prop_assert!(payments.iter().map(|p| p.amount).sum::<i64>() <= paid_by_patient);
    }
}

#[test]
fn amounts_from_outside_the_reader_are_refused_by_kogaku() {
    // A stored receipt that did not come through the reader: 10^12 points.
    assert!(matches!(kogaku_of(1_000_000_000_000, None), Err(kogaku::KogakuError::AmountOutOfRange { .. })));
    assert!(matches!(kogaku_of(100, Some(-5)), Err(kogaku::KogakuError::AmountOutOfRange { .. })));
    assert!(matches!(kogaku_of(-1, None), Err(kogaku::KogakuError::AmountOutOfRange { .. })));
}
