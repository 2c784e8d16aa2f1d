//! 特定健診 after import, on SQLite and PostgreSQL, over checkups built by hand for a tiny roster
//! whose people are given known sexes, birth dates and 資格: 階層化・メタボ判定・受診勧奨 of the
//! fiscal year (every expected result worked by hand in the comments from the rules documented in
//! `kenpo_domain::stratify`), the latest checkup standing for the person, the 受診勧奨 follow-up
//! through receipts, the hand-off of the guidance targets to the entrusted contractor (and to no
//! one else), the guidance results coming back, and the 実施状況 figures.

mod common;

use chrono::NaiveDate;
use common::*;
use kenpo_domain::YearMonth;
use kenpo_domain::checkup::{
    CheckupInstitution, CheckupRecord, CheckupResult, GuidanceLevel, GuidanceReport, GuidanceStatus, ResultValue,
};
use kenpo_domain::person::{EligibilityPeriod, Person, Sex};
use kenpo_domain::receipt::{CareSetting, Institution, LineKind, Receipt, ReceiptKind, ReceiptLine};
use kenpo_domain::stratify::Level;
use kenpo_formats::checkup_xml::{self as cx, ArchiveHeader, oid};
use kenpo_store::{AccessContext, AssessmentSummary, StateReportRow, Store, StoreError, TargetRow, VaultKeys};
use sqlx::{AnyConnection, Connection};
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// The cast
// ---------------------------------------------------------------------------------------------

/// The fiscal year of the exams: April 2025 – March 2026. Ages below are 年度末年齢, i.e. the
/// calendar age on 1 April 2026 (`kenpo_domain::date::age_at_fiscal_year_end`).
const FY: i32 = 2025;

// Indexes into the roster (person id = index + 1, checked in `setup`).
/// 男 55, covered all year. Checkup → 積極的支援, メタボ基準該当, 受診勧奨 (LDL).
const A: usize = 0;
/// 女 63, covered all year. Checkup → 動機付け支援 (BMI group), メタボ非該当; an FY2024 checkup too.
const B: usize = 1;
/// 男 67, covered all year. Checkup → 動機付け支援 (積極的 lowered at 65+), 基準該当, すぐに受診.
const C: usize = 2;
/// 女 51, covered all year. Checkup → 情報提供 (服薬中), 予備群該当, 受診勧奨.
const D: usize = 3;
/// 男 46, covered all year. Two checkups: June (積極的支援) and November (情報提供).
const E: usize = 4;
/// 男 75 at the year end: not a 特定健診 subject.
const X1: usize = 5;
/// 女 born 2 April 1986: 39 at the year end (40 only on 2 April 2026), not a subject.
const X2: usize = 6;
/// 男 50, joined 1 October 2025: not covered the whole year, not a subject.
const X3: usize = 7;
/// 女 50, 資格喪失日 1 January 2026: not a subject, though examined in May 2025 (情報提供).
const X4: usize = 8;
/// 女 42, joined 1 April 2025 (the first day of the year): a subject, not examined.
const X5: usize = 9;
/// 男 born 1 April 1986: 40 at the end of 31 March 2026, a subject, not examined.
const X6: usize = 10;
/// 男 60, 資格喪失日 1 April 2026 (left on 31 March): covered the whole year, a subject.
const X7: usize = 11;

fn id(index: usize) -> i64 {
    index as i64 + 1
}

/// (sex, birth date, 資格取得日, 資格喪失日) of the cast; everyone else is made 20 years old.
fn spec(index: usize) -> Option<(Sex, NaiveDate, NaiveDate, Option<NaiveDate>)> {
    let always = day(2010, 4, 1);
    Some(match index {
        A => (Sex::Male, day(1970, 6, 15), always, None),
        B => (Sex::Female, day(1962, 9, 10), always, None),
        C => (Sex::Male, day(1958, 5, 20), always, None),
        D => (Sex::Female, day(1975, 1, 10), always, None),
        E => (Sex::Male, day(1980, 3, 1), always, None),
        X1 => (Sex::Male, day(1950, 5, 1), always, None),
        X2 => (Sex::Female, day(1986, 4, 2), always, None),
        X3 => (Sex::Male, day(1975, 11, 11), day(2025, 10, 1), None),
        X4 => (Sex::Female, day(1975, 8, 8), always, Some(day(2026, 1, 1))),
        X5 => (Sex::Female, day(1983, 7, 7), day(2025, 4, 1), None),
        X6 => (Sex::Male, day(1986, 4, 1), always, None),
        X7 => (Sex::Male, day(1965, 10, 10), always, Some(day(2026, 4, 1))),
        _ => return None,
    })
}

/// A tiny synthetic roster with every person's sex, birth date and 資格 set by hand, so who is
/// a 特定健診 subject of FY2025 is known exactly.
fn cast() -> (kenpo_synth::Society, Vec<Person>) {
    let (society, mut people) = society(10);
    assert!(people.len() > X7, "the synthetic roster of 10 members has at least 12 people ({})", people.len());
    for (i, p) in people.iter_mut().enumerate() {
        let (sex, birth, acquired, lost) = spec(i).unwrap_or((p.sex, day(2005, 5, 5), day(2023, 4, 1), None));
        p.sex = sex;
        p.birth_date = birth;
        p.eligibility = vec![EligibilityPeriod {
            acquired_on: acquired,
            acquisition_reason: "採用".into(),
            lost_on: lost,
            loss_reason: lost.map(|_| "退職".into()),
        }];
    }
    (society, people)
}

// ---------------------------------------------------------------------------------------------
// Checkup documents
// ---------------------------------------------------------------------------------------------

/// Where the documents say the people live: must never reach the hand-off file.
const POSTAL: &str = "600-8216";
const ADDRESS: &str = "京都府見本市烏丸通七条下ル東塩小路町721-1";

fn institution() -> CheckupInstitution {
    CheckupInstitution {
        code: "2612345678".into(), name: "見本健診センター".into(), address: "京都府見本市1-1".into()
    }
}

/// The values of one checkup (decimal text as a document carries it). 血圧 readings are given
/// with their item codes (1回目/2回目 or その他). 喫煙: 1 はい, 2 以前は, 3 いいえ. 服薬 (血圧,
/// 血糖, 脂質): 1 はい, 2 いいえ. Blood drawn 10 h or more after a meal (空腹時).
struct Exam {
    waist: &'static str,
    bmi: &'static str,
    sbp: &'static [(&'static str, &'static str)],
    dbp: &'static [(&'static str, &'static str)],
    tg: &'static str,
    hdl: &'static str,
    ldl: &'static str,
    fpg: Option<&'static str>,
    hba1c: Option<&'static str>,
    smoking: &'static str,
    medication: [&'static str; 3],
}

fn pq(code: &str, value: &str, unit: &str) -> CheckupResult {
    CheckupResult { code: code.into(), value: ResultValue::Quantity { value: value.into(), unit: unit.into() } }
}

fn cd(code: &str, value: &str, system: &str) -> CheckupResult {
    CheckupResult { code: code.into(), value: ResultValue::Coded { code: value.into(), code_system: system.into() } }
}

fn results(x: &Exam) -> Vec<CheckupResult> {
    let mut out = vec![pq(cx::WAIST_MEASURED, x.waist, "cm"), pq(cx::BMI, x.bmi, "kg/m2")];
    for (code, v) in x.sbp.iter().chain(x.dbp) {
        out.push(pq(code, v, "mm[Hg]"));
    }
    out.push(cd(cx::BLOOD_DRAW_TIMING, "2", oid::BLOOD_DRAW_TIMING)); // 食後10時間以上
    out.push(pq(cx::TG_FASTING[0], x.tg, "mg/dL"));
    out.push(pq(cx::HDL[0], x.hdl, "mg/dL"));
    out.push(pq(cx::LDL[0], x.ldl, "mg/dL"));
    if let Some(v) = x.fpg {
        out.push(pq(cx::FPG[0], v, "mg/dL"));
    }
    if let Some(v) = x.hba1c {
        out.push(pq(cx::HBA1C[0], v, "%"));
    }
    let [bp, glucose, lipid] = x.medication;
    out.push(cd(cx::MEDICATION_BP, bp, oid::YES_NO));
    out.push(cd(cx::MEDICATION_GLUCOSE, glucose, oid::YES_NO));
    out.push(cd(cx::MEDICATION_LIPID, lipid, oid::YES_NO));
    out.push(cd(cx::SMOKING, x.smoking, oid::SMOKING));
    out
}

fn record(p: &Person, exam_date: NaiveDate, x: &Exam) -> CheckupRecord {
    CheckupRecord {
        insurer_number: p.insurer_number.as_str().to_string(),
        card_symbol: p.card.symbol.clone(),
        card_number: p.card.number.clone(),
        card_branch: Some(p.card.branch),
        name_kana: p.name_kana.clone(),
        sex: p.sex,
        birth_date: p.birth_date,
        postal_code: POSTAL.into(),
        address: ADDRESS.into(),
        exam_date,
        institution: institution(),
        results: results(x),
    }
}

const SBP1: &str = cx::SBP_1;
const SBP2: &str = cx::SBP_2;
const SBPX: &str = cx::SBP_OTHER;
const DBP1: &str = cx::DBP_1;
const DBP2: &str = cx::DBP_2;
const DBPX: &str = cx::DBP_OTHER;
const NO_MEDICATION: [&str; 3] = ["2", "2", "2"];

/// A, 2 June 2025 (男, 年度末 55).
/// 階層化: 腹囲 92 ≥ 85 (男) → 腹囲 group. ① 血圧 = mean of 134 and 136 = 135 ≥ 130 → yes.
/// ② 空腹時中性脂肪 160 ≥ 150 → yes. ③ 空腹時血糖 95 < 100 → no (空腹時血糖 before HbA1c).
/// 喫煙 いいえ. 追加リスク 2 → 積極的支援; 55 < 65 and no 服薬 → 積極的支援.
/// メタボ: 腹囲 over; 血糖 95 < 110 no; 脂質 TG 160 ≥ 150 yes; 血圧 135 ≥ 130 yes → 2 → 基準該当.
/// 受診勧奨: LDL 150 ≥ 140 (< 180) → 受診勧奨; 135 < 140, 80 < 90, TG 160 < 300, 血糖 95 < 126,
/// HbA1c 5.4 < 6.5 → tier recommend.
const EXAM_A: Exam = Exam {
    waist: "92",
    bmi: "26.5",
    sbp: &[(SBP1, "134"), (SBP2, "136")],
    dbp: &[(DBP1, "80"), (DBP2, "80")],
    tg: "160",
    hdl: "50",
    ldl: "150",
    fpg: Some("95"),
    hba1c: Some("5.4"),
    smoking: "3",
    medication: NO_MEDICATION,
};

/// B, 14 July 2025 (女, 年度末 63).
/// 階層化: 腹囲 85 < 90 (女); BMI 26.0 ≥ 25 → BMI group. ① 128/78 → no. ② TG 120 < 150, HDL 45 ≥ 40
/// → no. ③ no 空腹時血糖 → HbA1c 5.8 ≥ 5.6 → yes. ④ 喫煙 はい, counted (③ is there) → 2 →
/// BMI group with 1–2 → 動機付け支援.
/// メタボ: 腹囲 not over → 非該当. 受診勧奨: 128 < 140, 78 < 90, TG 120 < 300, LDL 130 < 140,
/// HbA1c 5.8 < 6.5 → none.
const EXAM_B: Exam = Exam {
    waist: "85",
    bmi: "26.0",
    sbp: &[(SBPX, "128")],
    dbp: &[(DBPX, "78")],
    tg: "120",
    hdl: "45",
    ldl: "130",
    fpg: None,
    hba1c: Some("5.8"),
    smoking: "1",
    medication: NO_MEDICATION,
};

/// B, 20 March 2025: FY2024 (年度末 62 on 1 April 2025), outside FY2025.
/// 階層化: 腹囲 95 ≥ 90 (女) → 腹囲 group; ① 140 ≥ 130, ② TG 200 ≥ 150, ③ 血糖 110 ≥ 100 → 3 →
/// 積極的支援 (62 < 65). メタボ: 腹囲 + 血糖 110 ≥ 110 + 脂質 + 血圧 → 3 → 基準該当.
/// 受診勧奨: 収縮期 140 ≥ 140 and 拡張期 90 ≥ 90 (both under 160/100) → recommend.
const EXAM_B_2024: Exam = Exam {
    waist: "95",
    bmi: "27.0",
    sbp: &[(SBPX, "140")],
    dbp: &[(DBPX, "90")],
    tg: "200",
    hdl: "50",
    ldl: "120",
    fpg: Some("110"),
    hba1c: None,
    smoking: "3",
    medication: NO_MEDICATION,
};

/// C, 5 August 2025 (男, 年度末 67).
/// 階層化: 腹囲 90 ≥ 85 → 腹囲 group. ① mean(165, 163) = 164 ≥ 130 → yes. ② TG 140 < 150 but
/// HDL 38 < 40 → yes. ③ 空腹時血糖 105 ≥ 100 → yes. 3 → 積極的支援, but 年度末 67 (65–74) →
/// 動機付け支援.
/// メタボ: 腹囲 over; 血糖 105 < 110 no; 脂質 (HDL) yes; 血圧 yes → 2 → 基準該当.
/// 受診勧奨: 収縮期 164 ≥ 160 → すぐに受診; 拡張期 mean(95, 97) = 96 ≥ 90 (< 100) → 受診勧奨;
/// TG 140, LDL 125, 血糖 105 under their lines → tier urgent (two items flagged).
const EXAM_C: Exam = Exam {
    waist: "90",
    bmi: "27.0",
    sbp: &[(SBP1, "165"), (SBP2, "163")],
    dbp: &[(DBP1, "95"), (DBP2, "97")],
    tg: "140",
    hdl: "38",
    ldl: "125",
    fpg: Some("105"),
    hba1c: None,
    smoking: "3",
    medication: NO_MEDICATION,
};

/// D, 10 September 2025 (女, 年度末 51).
/// 階層化: 腹囲 95 ≥ 90 → 腹囲 group; ① 150 ≥ 130 → yes (would be 動機付け), but 服薬 (血圧) はい
/// → 情報提供 (not a 特定保健指導 target); on medication.
/// メタボ: 腹囲 over; 血糖 90 no; 脂質 TG 100 / HDL 60 no; 血圧 150 ≥ 130 yes → 1 → 予備群該当.
/// 受診勧奨: 収縮期 150 ≥ 140 (< 160) → 受診勧奨; 88 < 90 → tier recommend.
const EXAM_D: Exam = Exam {
    waist: "95",
    bmi: "24.0",
    sbp: &[(SBPX, "150")],
    dbp: &[(DBPX, "88")],
    tg: "100",
    hdl: "60",
    ldl: "110",
    fpg: Some("90"),
    hba1c: None,
    smoking: "3",
    medication: ["1", "2", "2"],
};

/// E, 10 June 2025 (男, 年度末 46).
/// 階層化: 腹囲 88 ≥ 85 → 腹囲 group; ① 140 ≥ 130, ② TG 200 ≥ 150, ③ 血糖 110 ≥ 100, ④ 喫煙 はい →
/// 4 → 積極的支援. メタボ: 血糖 110 ≥ 110, 脂質, 血圧 → 3 → 基準該当.
/// 受診勧奨: 140 ≥ 140 and 90 ≥ 90 (under 160/100); TG 200 < 300, LDL 120 < 140, 血糖 110 < 126 →
/// recommend.
const EXAM_E_JUNE: Exam = Exam {
    waist: "88",
    bmi: "26.0",
    sbp: &[(SBPX, "140")],
    dbp: &[(DBPX, "90")],
    tg: "200",
    hdl: "50",
    ldl: "120",
    fpg: Some("110"),
    hba1c: None,
    smoking: "1",
    medication: NO_MEDICATION,
};

/// E, 20 November 2025: 腹囲 80 < 85 and BMI 23 < 25 → neither group → 情報提供 (whatever the
/// rest); メタボ: 腹囲 not over → 非該当; 120/75, TG 110, LDL 120, 血糖 92 → no 受診勧奨.
const EXAM_E_NOVEMBER: Exam = Exam {
    waist: "80",
    bmi: "23.0",
    sbp: &[(SBPX, "120")],
    dbp: &[(DBPX, "75")],
    tg: "110",
    hdl: "55",
    ldl: "120",
    fpg: Some("92"),
    hba1c: None,
    smoking: "1",
    medication: NO_MEDICATION,
};

/// X4 (女) and the unmatched document (男): 腹囲 78 (under both lines), BMI 21 → neither group →
/// 情報提供; メタボ 非該当; 118/70, TG 80, LDL 100, 血糖 85 → no 受診勧奨.
const EXAM_LEAN: Exam = Exam {
    waist: "78",
    bmi: "21.0",
    sbp: &[(SBPX, "118")],
    dbp: &[(DBPX, "70")],
    tg: "80",
    hdl: "70",
    ldl: "100",
    fpg: Some("85"),
    hba1c: None,
    smoking: "3",
    medication: NO_MEDICATION,
};

/// The archive's documents. E's November checkup comes before its June one, so the later exam
/// has the lower id: the latest is decided by the exam date, not by the import order. B's FY2024
/// checkup sits among them.
fn documents(people: &[Person]) -> Vec<CheckupRecord> {
    let mut stranger = record(&people[A], day(2025, 7, 1), &EXAM_LEAN);
    stranger.card_number = "99999".into(); // no member holds this 番号
    stranger.name_kana = "ミホン タロウ".into();
    vec![
        record(&people[A], day(2025, 6, 2), &EXAM_A),
        record(&people[B], day(2025, 3, 20), &EXAM_B_2024),
        record(&people[B], day(2025, 7, 14), &EXAM_B),
        record(&people[C], day(2025, 8, 5), &EXAM_C),
        record(&people[D], day(2025, 9, 10), &EXAM_D),
        record(&people[E], day(2025, 11, 20), &EXAM_E_NOVEMBER),
        record(&people[E], day(2025, 6, 10), &EXAM_E_JUNE),
        record(&people[X4], day(2025, 5, 20), &EXAM_LEAN),
        stranger,
    ]
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn health() -> AccessContext {
    ctx("staff:health:t", "health.specific_checkup")
}

fn findings() -> &'static kenpo_store::FindingsOf {
    &cx::findings
}

/// The name of contractor c04 as passed to the hand-off and the guidance import.
const C04: &str = "(株)ベストライフ・プロモーション";

/// Row counts of every table these operations write.
async fn table_counts(conn: &mut AnyConnection) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in
        ["imports", "checkups", "checkup_results", "checkup_assessments", "guidance_handoffs", "guidance", "provisions"]
    {
        out.push((t, count(conn, &format!("SELECT COUNT(*) FROM {t}")).await));
    }
    out
}

/// The person ids a provision record names.
async fn provision_subjects(conn: &mut AnyConnection, provision: i64) -> BTreeSet<i64> {
    let (set,): (Vec<u8>,) = sqlx::query_as("SELECT subject_set FROM provisions WHERE id = $1")
        .bind(provision)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    kenpo_audit::decode_ranges(&set).expect("subject set").into_iter().flatten().collect()
}

fn summary_counts(s: &AssessmentSummary) -> [u64; 10] {
    [
        s.documents,
        s.unmatched,
        s.intensive,
        s.motivational,
        s.information,
        s.undeterminable,
        s.metabolic_meets,
        s.metabolic_prone,
        s.referral_recommend,
        s.referral_urgent,
    ]
}

/// (person id, level, metabolic, on medication, referral, 年度末年齢, exam date) of a target row.
type Target = (i64, Level, String, Option<bool>, Option<String>, i64, NaiveDate);

fn target(r: &TargetRow) -> Target {
    (r.person_id, r.level, r.metabolic.clone(), r.on_medication, r.referral.clone(), r.age, r.exam_date)
}

fn expected_targets() -> Vec<Target> {
    let t = |i: usize, level, metabolic: &str, med, referral: Option<&str>, age, exam| -> Target {
        (id(i), level, metabolic.to_string(), Some(med), referral.map(str::to_string), age, exam)
    };
    vec![
        t(A, Level::Intensive, "meets", false, Some("recommend"), 55, day(2025, 6, 2)),
        t(B, Level::Motivational, "no", false, None, 63, day(2025, 7, 14)),
        t(C, Level::Motivational, "meets", false, Some("urgent"), 67, day(2025, 8, 5)),
        t(D, Level::InformationOnly, "prone", true, Some("recommend"), 51, day(2025, 9, 10)),
        // E's November checkup stands (情報提供, nothing flagged), not June's 積極的支援.
        t(E, Level::InformationOnly, "no", false, None, 46, day(2025, 11, 20)),
        t(X4, Level::InformationOnly, "no", false, None, 50, day(2025, 5, 20)),
    ]
}

/// A fresh store with the cast's roster and checkups (through the archive writer and reader, as a
/// file would arrive); the cast's person ids checked against the roster order.
async fn setup(backend: &'static str, tag: &str) -> (TestDb, Store, Vec<Person>) {
    let db = fresh(backend, tag).await;
    let store = open(&db, VaultKeys::generate()).await;
    let (society, people) = cast();
    store.import_roster(&importer(), "roster.csv", "r", rows(&society, &people), &|_| {}).await.unwrap();
    let mut conn = raw(&db).await;
    for (i, p) in people.iter().enumerate() {
        let (number, branch): (String, i64) =
            sqlx::query_as("SELECT card_number, card_branch FROM persons WHERE id = $1")
                .bind(id(i))
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!((number, branch), (p.card.number.clone(), i64::from(p.card.branch)), "{backend}: person {i}");
    }
    let records = documents(&people);
    let header = ArchiveHeader {
        sender_institution: institution().code,
        receiver_insurer: people[A].insurer_number.as_str().to_string(),
        created_on: day(2025, 12, 1),
        sequence: 0,
        service_kind: 1,
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    cx::write_checkup_archive(&mut buf, &header, &records).unwrap();
    buf.set_position(0);
    let name = format!("{}.zip", header.archive_name());
    let read = cx::read_checkup_archive(buf, &name).unwrap();
    assert_eq!(read.records, records, "{backend}: the hand-built documents are valid 第4期 documents");
    let s = store.import_checkups(&health(), &name, "k1", "見本健診センター", &read.records, &[]).await.unwrap();
    // 9 documents; all but the stranger's card are on the roster.
    assert_eq!((s.documents, s.matched, s.unmatched), (9, 8, 1), "{backend}");
    conn.close().await.unwrap();
    (db, store, people)
}

// ---------------------------------------------------------------------------------------------
// 階層化
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn assessment_of_hand_built_checkups_matches_the_rules_and_is_idempotent() {
    for backend in BACKENDS {
        let (db, store, _people) = setup(backend, "kenshin_assess").await;
        let mut conn = raw(&db).await;
        let s = store.assess_checkups(&health(), FY, findings()).await.unwrap();
        assert_eq!(s.fiscal_year, FY, "{backend}");
        // FY2025: A, B, C, D, E (June), E (November), X4, the stranger = 8 (B's March checkup is
        // FY2024). 積極的: A, E-June. 動機付け: B, C. 情報提供: D, E-November, X4, stranger.
        // 基準該当: A, C, E-June; 予備群: D. 受診勧奨: A, D, E-June; すぐに受診: C.
        let expected = [8, 1, 2, 2, 4, 0, 3, 1, 3, 1];
        assert_eq!(summary_counts(&s), expected, "{backend}: {s:?}");
        let rows = store.checkup_targets(&health(), FY).await.unwrap();
        assert_eq!(rows.iter().map(target).collect::<Vec<_>>(), expected_targets(), "{backend}");
        assert!(rows.iter().all(|r| r.handed_to.is_none()), "{backend}");
        // C: both 血圧 items flagged, the urgent one and the recommend one.
        let c = rows.iter().find(|r| r.person_id == id(C)).unwrap();
        assert_eq!(c.referral_items.len(), 2, "{backend}: {:?}", c.referral_items);
        assert!(c.referral_items.iter().any(|i| i.contains("収縮期血圧") && i.contains("すぐに受診")), "{backend}");
        assert!(c.referral_items.iter().any(|i| i.contains("拡張期血圧") && !i.contains("すぐに受診")), "{backend}");
        assert!(c.reasons.iter().any(|r| r.contains("積極的支援を動機付け支援とする")), "{backend}: {:?}", c.reasons);
        let d = rows.iter().find(|r| r.person_id == id(D)).unwrap();
        assert!(d.reasons.iter().any(|r| r.contains("服薬中")), "{backend}: {:?}", d.reasons);

        // Again: the same figures, the year's rows replaced rather than added to.
        let again = store.assess_checkups(&health(), FY, findings()).await.unwrap();
        assert_eq!(summary_counts(&again), expected, "{backend}");
        let n = count(&mut conn, "SELECT COUNT(*) FROM checkup_assessments WHERE fiscal_year = 2025").await;
        assert_eq!(n, 8, "{backend}: one row per checkup of the year");
        let rows = store.checkup_targets(&health(), FY).await.unwrap();
        assert_eq!(rows.iter().map(target).collect::<Vec<_>>(), expected_targets(), "{backend}");

        // FY2024 holds B's March checkup only: 積極的支援, 基準該当, 受診勧奨.
        let old = store.assess_checkups(&health(), FY - 1, findings()).await.unwrap();
        assert_eq!(summary_counts(&old), [1, 0, 1, 0, 0, 0, 1, 0, 1, 0], "{backend}: {old:?}");
        let old_rows = store.checkup_targets(&health(), FY - 1).await.unwrap();
        let expected_old: Vec<Target> = vec![(
            id(B),
            Level::Intensive,
            "meets".into(),
            Some(false),
            Some("recommend".into()),
            62,
            day(2025, 3, 20),
        )];
        assert_eq!(old_rows.iter().map(target).collect::<Vec<_>>(), expected_old, "{backend}");
        // …and leaves FY2025 as it was.
        assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM checkup_assessments").await, 9, "{backend}");
        let rows = store.checkup_targets(&health(), FY).await.unwrap();
        assert_eq!(rows.iter().map(target).collect::<Vec<_>>(), expected_targets(), "{backend}");

        // Someone without the purpose may not assess.
        let denied = store.assess_checkups(&ctx("staff:eligibility:t", "eligibility.management"), FY, findings()).await;
        assert!(matches!(denied, Err(StoreError::Denied { .. })), "{backend}: {denied:?}");
        store.close().await;
    }
}

#[tokio::test]
async fn the_later_checkup_of_the_year_stands_for_the_person() {
    for backend in BACKENDS {
        let (db, store, _people) = setup(backend, "kenshin_latest").await;
        let mut conn = raw(&db).await;
        store.assess_checkups(&health(), FY, findings()).await.unwrap();
        let ids: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, exam_date FROM checkups WHERE person_id = $1 ORDER BY id")
                .bind(id(E))
                .fetch_all(&mut conn)
                .await
                .unwrap();
        // Imported November first, then June.
        assert_eq!(
            ids.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
            vec!["2025-11-20", "2025-06-10"],
            "{backend}"
        );
        let november = ids[0].0;
        // Both are assessed…
        let both = count(
            &mut conn,
            &format!("SELECT COUNT(*) FROM checkup_assessments WHERE fiscal_year = 2025 AND person_id = {}", id(E)),
        )
        .await;
        assert_eq!(both, 2, "{backend}");
        // …and the list shows E once, with the November checkup (情報提供), not June's 積極的支援.
        let rows = store.checkup_targets(&health(), FY).await.unwrap();
        let e: Vec<&TargetRow> = rows.iter().filter(|r| r.person_id == id(E)).collect();
        assert_eq!(e.len(), 1, "{backend}");
        assert_eq!(
            (e[0].checkup_id, e[0].exam_date, e[0].level, e[0].referral.clone()),
            (november, day(2025, 11, 20), Level::InformationOnly, None),
            "{backend}"
        );
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 受診勧奨 follow-up through receipts
// ---------------------------------------------------------------------------------------------

fn clinic() -> Institution {
    Institution { code: "1000001".into(), prefecture: 26, name: "見本内科クリニック".into(), address: None }
}

fn receipt(p: &Person, search: &str, kind: ReceiptKind, month: YearMonth) -> Receipt {
    let line = ReceiptLine {
        kind: LineKind::Procedure,
        care_category: "11".into(),
        payer_code: "1".into(),
        code: "112007410".into(),
        quantity: String::new(),
        points: Some(75),
        count: 1,
        service_days: vec![10],
    };
    Receipt {
        kind,
        setting: CareSetting::Outpatient,
        receipt_type: "1112".into(),
        service_month: month,
        institution: clinic(),
        patient_name: p.name_kanji.clone(),
        patient_name_kana: p.name_kana.clone(),
        sex: p.sex,
        birth_date: p.birth_date,
        insurer_number: p.insurer_number.as_str().to_string(),
        card_symbol: p.card.symbol.clone(),
        card_number: p.card.number.clone(),
        card_branch: Some(p.card.branch),
        admission_date: None,
        days: 1,
        total_points: 75,
        patient_charge: None,
        meal_amount: None,
        search_number: Some(search.into()),
        prescriber: None,
        diagnoses: Vec::new(),
        lines: vec![line],
        delivery: None,
    }
}

#[tokio::test]
async fn follow_up_finds_medical_visits_within_the_window_only() {
    for backend in BACKENDS {
        let (_db, store, people) = setup(backend, "kenshin_follow").await;
        store.assess_checkups(&health(), FY, findings()).await.unwrap();
        let reviewer = ctx("staff:receipt_review:t", "receipts.review");
        let ym = YearMonth::from_parts;
        let files = [
            // C (exam August): a visit in July, before the exam month: not a follow-up.
            ("2507.UKE", vec![receipt(&people[C], "C-JUL", ReceiptKind::Medical, ym(2025, 7))]),
            // B is not flagged: its visit is nobody's follow-up.
            ("2508.UKE", vec![receipt(&people[B], "B-AUG", ReceiptKind::Medical, ym(2025, 8))]),
            (
                "2510.UKE",
                vec![
                    // C: exam month + 2.
                    receipt(&people[C], "C-OCT", ReceiptKind::Medical, ym(2025, 10)),
                    // A (exam June): exam month + 4, outside a 3-month window.
                    receipt(&people[A], "A-OCT", ReceiptKind::Medical, ym(2025, 10)),
                    // D (exam September): only a 調剤 receipt, which is not a 医科 visit.
                    receipt(&people[D], "D-RX", ReceiptKind::Pharmacy, ym(2025, 10)),
                ],
            ),
        ];
        for (name, receipts) in &files {
            let s = store.import_receipts(&reviewer, name, name, receipts, &[]).await.unwrap();
            assert_eq!((s.receipts, s.unmatched), (receipts.len() as u64, 0), "{backend}: {name}");
        }

        let rows = store.checkup_targets(&health(), FY).await.unwrap();
        let flagged: Vec<(i64, NaiveDate)> =
            rows.iter().filter(|r| r.referral.is_some()).map(|r| (r.person_id, r.exam_date)).collect();
        // A (LDL), C (血圧), D (血圧); E's latest checkup flags nothing.
        assert_eq!(
            flagged,
            vec![(id(A), day(2025, 6, 2)), (id(C), day(2025, 8, 5)), (id(D), day(2025, 9, 10))],
            "{backend}"
        );
        let targeting = ctx("staff:health:t", "analysis.receipt_targeting");
        let seen = |months: u32| {
            let store = &store;
            let flagged = &flagged;
            let targeting = &targeting;
            async move {
                let mut f = store.referral_follow_up(targeting, flagged, months).await.unwrap();
                f.sort_by_key(|f| f.person_id);
                f.into_iter().map(|f| (f.person_id, f.exam_month, f.until, f.visits)).collect::<Vec<_>>()
            }
        };
        assert_eq!(
            seen(3).await,
            vec![
                (id(A), ym(2025, 6), ym(2025, 9), vec![]),
                (id(C), ym(2025, 8), ym(2025, 11), vec![ym(2025, 10)]),
                (id(D), ym(2025, 9), ym(2025, 12), vec![]),
            ],
            "{backend}"
        );
        // With 4 months A's October visit is in the window; C's July visit still is not.
        assert_eq!(
            seen(4).await,
            vec![
                (id(A), ym(2025, 6), ym(2025, 10), vec![ym(2025, 10)]),
                (id(C), ym(2025, 8), ym(2025, 12), vec![ym(2025, 10)]),
                (id(D), ym(2025, 9), ym(2026, 1), vec![]),
            ],
            "{backend}"
        );
        // Receipts are not read under the checkup purpose (its categories hold no receipt data).
        let denied = store.referral_follow_up(&health(), &flagged, 3).await;
        assert!(matches!(denied, Err(StoreError::Denied { .. })), "{backend}: {denied:?}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-off to the guidance contractor
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn handoff_goes_to_the_entrusted_contractor_only_once_with_its_record() {
    for backend in BACKENDS {
        let (db, store, people) = setup(backend, "kenshin_handoff").await;
        store.assess_checkups(&health(), FY, findings()).await.unwrap();
        let mut conn = raw(&db).await;
        let before = table_counts(&mut conn).await;
        let file = "guidance-handoff-2025-c04.csv";

        // Staff do not take the list: the contractor acting itself does.
        let staff = store.guidance_handoff(&health(), FY, C04, file, findings()).await;
        assert!(matches!(staff, Err(StoreError::Input(_))), "{backend}: {:?}", staff.as_ref().err());
        // c02 is not entrusted with 特定健診・保健指導.
        let c02 = ctx("contractor:c02", "health.specific_checkup");
        let denied = store.guidance_handoff(&c02, FY, "(株)J M D C", file, findings()).await;
        assert!(matches!(denied, Err(StoreError::Denied { .. })), "{backend}: {:?}", denied.as_ref().err());
        assert_eq!(table_counts(&mut conn).await, before, "{backend}: nothing written for a refused hand-off");

        let c04 = ctx("contractor:c04", "health.specific_checkup");
        let h = store.guidance_handoff(&c04, FY, C04, file, findings()).await.unwrap();
        // Latest checkups at 積極的 / 動機付け: A (積極的), B and C (動機付け). Not D (服薬中), not E
        // (its June 積極的支援 was replaced by November's 情報提供), not X4.
        assert_eq!((h.people, h.intensive, h.motivational), (3, 1, 2), "{backend}");
        assert_eq!(h.file_name, file, "{backend}");

        // The file: who and the values, no 住所 or 電話.
        let handoff_csv = csv_text(&kenpo_app::render::handoff_table(&h));
        let mut lines = handoff_csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        for col in &header {
            for contact in ["住所", "電話", "郵便", "連絡先", "address", "phone"] {
                assert!(!col.contains(contact), "{backend}: column {col}");
            }
        }
        for leak in [ADDRESS, POSTAL] {
            assert!(!handoff_csv.contains(leak), "{backend}: the hand-off file carries {leak}");
        }
        for p in &people {
            if let Some(c) = &p.contact {
                assert!(
                    !handoff_csv.contains(&c.address) && !handoff_csv.contains(&c.phone),
                    "{backend}: contact leaked"
                );
            }
        }
        let body: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(body.len(), 3, "{backend}: {}", handoff_csv);
        let mut handed: Vec<(String, String, String, String)> = body
            .iter()
            .map(|c| {
                assert_eq!(c.len(), header.len(), "{backend}: {c:?}");
                (c[1].to_string(), c[2].to_string(), c[3].to_string(), c[9].to_string())
            })
            .collect();
        handed.sort();
        let mut expected: Vec<(String, String, String, String)> =
            [(A, "積極的支援"), (B, "動機付け支援"), (C, "動機付け支援")]
                .iter()
                .map(|(i, level)| {
                    let card = &people[*i].card;
                    (card.symbol.clone(), card.number.clone(), format!("{:02}", card.branch), level.to_string())
                })
                .collect();
        expected.sort();
        assert_eq!(handed, expected, "{backend}");

        // The 委託 record (APPI): provide, to the name given, about exactly A, B and C.
        let (direction, counterparty, basis, use_id, subjects, file_name): (
            String,
            String,
            String,
            String,
            i64,
            String,
        ) = sqlx::query_as(
            "SELECT direction, counterparty, basis, use_id, subject_count, file_name FROM provisions WHERE id = $1",
        )
        .bind(h.provision_id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            (direction.as_str(), counterparty.as_str(), basis.as_str(), use_id.as_str(), subjects, file_name.as_str()),
            ("provide", C04, "委託", "health.specific_checkup", 3, file),
            "{backend}"
        );
        let abc: BTreeSet<i64> = [id(A), id(B), id(C)].into();
        assert_eq!(provision_subjects(&mut conn, h.provision_id).await, abc, "{backend}");
        let provided = count(&mut conn, "SELECT COUNT(*) FROM provisions WHERE direction = 'provide'").await;
        assert_eq!(provided, 1, "{backend}");
        let rows: Vec<(i64, String, i64)> =
            sqlx::query_as("SELECT person_id, contractor, provision_id FROM guidance_handoffs ORDER BY person_id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            rows,
            vec![
                (id(A), "c04".into(), h.provision_id),
                (id(B), "c04".into(), h.provision_id),
                (id(C), "c04".into(), h.provision_id)
            ],
            "{backend}"
        );
        // The staff list shows who was handed to whom.
        let targets = store.checkup_targets(&health(), FY).await.unwrap();
        let handed_to: Vec<(i64, Option<String>)> =
            targets.iter().map(|r| (r.person_id, r.handed_to.clone())).collect();
        let c04_id = Some("c04".to_string());
        assert_eq!(
            handed_to,
            vec![
                (id(A), c04_id.clone()),
                (id(B), c04_id.clone()),
                (id(C), c04_id),
                (id(D), None),
                (id(E), None),
                (id(X4), None)
            ],
            "{backend}"
        );

        // A second hand-off for the year finds nobody left: refused, nothing written.
        let after = table_counts(&mut conn).await;
        let again = store.guidance_handoff(&c04, FY, C04, "again.csv", findings()).await;
        assert!(matches!(again, Err(StoreError::Input(_))), "{backend}: {:?}", again.as_ref().err());
        assert_eq!(table_counts(&mut conn).await, after, "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Guidance results back from the contractor
// ---------------------------------------------------------------------------------------------

/// The contractor's hg08 reports: A completed 積極的支援, B started 動機付け支援 (both 初回面接
/// in FY2025); with `stranger`, a third one (途中終了) whose card is nobody's.
fn guidance_reports(people: &[Person], stranger: bool) -> Vec<GuidanceReport> {
    let contractor = CheckupInstitution { code: "2690000017".into(), name: C04.into(), address: String::new() };
    let report = |p: &Person, status, level, first, evaluated: Option<NaiveDate>| GuidanceReport {
        insurer_number: p.insurer_number.as_str().to_string(),
        card_symbol: p.card.symbol.clone(),
        card_number: p.card.number.clone(),
        card_branch: Some(p.card.branch),
        name_kana: p.name_kana.clone(),
        sex: p.sex,
        birth_date: p.birth_date,
        postal_code: String::new(),
        address: String::new(),
        institution: contractor.clone(),
        status,
        level,
        first_interview: first,
        evaluated_on: evaluated,
        waist_cm: evaluated.map(|_| "88.5".to_string()),
        weight_kg: evaluated.map(|_| "71.0".to_string()),
    };
    let mut out = vec![
        report(
            &people[A],
            GuidanceStatus::Completed,
            GuidanceLevel::Intensive,
            day(2025, 8, 20),
            Some(day(2026, 2, 20)),
        ),
        report(&people[B], GuidanceStatus::Started, GuidanceLevel::Motivational, day(2025, 9, 15), None),
    ];
    if stranger {
        let mut nobody = report(
            &people[C],
            GuidanceStatus::Dropped,
            GuidanceLevel::Motivational,
            day(2025, 10, 1),
            Some(day(2025, 12, 1)),
        );
        nobody.card_number = "99999".into();
        nobody.name_kana = "ミホン ハナコ".into();
        out.push(nobody);
    }
    out
}

/// The reports as the contractor's archive: (name, sha-256, reports as read back).
fn guidance_archive(people: &[Person], stranger: bool) -> (String, String, Vec<GuidanceReport>) {
    use sha2::Digest;
    let reports = guidance_reports(people, stranger);
    let header = ArchiveHeader {
        sender_institution: "2690000017".into(),
        receiver_insurer: people[A].insurer_number.as_str().to_string(),
        created_on: day(2026, 3, 1),
        sequence: u8::from(stranger),
        service_kind: 2,
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    cx::write_guidance_archive(&mut buf, &header, &reports).unwrap();
    let bytes = buf.into_inner();
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let name = format!("{}.zip", header.archive_name());
    let (_, read) = cx::read_guidance_archive(std::io::Cursor::new(bytes), &name).unwrap();
    assert_eq!(read, reports);
    (name, sha, read)
}

#[tokio::test]
async fn guidance_results_import_once_with_their_record() {
    for backend in BACKENDS {
        let (db, store, people) = setup(backend, "kenshin_guidance").await;
        let mut conn = raw(&db).await;
        let untouched = table_counts(&mut conn).await;

        // An archive with a report on a card that is nobody's: the whole archive is refused (a
        // contractor reports only on people it was handed), naming the document, not the person.
        let (bad_name, bad_sha, bad) = guidance_archive(&people, true);
        let refused = store.import_guidance(&health(), &bad_name, &bad_sha, C04, &bad).await;
        match &refused {
            Err(StoreError::Input(msg)) => {
                assert!(msg.contains(&bad_name) && msg.contains('3'), "{backend}: {msg}");
                for secret in ["ミホン ハナコ", "99999", people[A].name_kana.as_str(), people[B].name_kana.as_str()]
                {
                    assert!(!msg.contains(secret), "{backend}: {msg}");
                }
            }
            other => panic!("{backend}: {other:?}"),
        }
        assert_eq!(table_counts(&mut conn).await, untouched, "{backend}: nothing of a refused archive is kept");

        let (name, sha, reports) = guidance_archive(&people, false);
        let s = store.import_guidance(&health(), &name, &sha, C04, &reports).await.unwrap();
        // 2 documents, both matched: one 実績評価 (A), one 開始 (B), none 途中終了.
        assert_eq!((s.documents, s.matched, s.started, s.completed, s.dropped), (2, 2, 1, 1, 0), "{backend}: {s:?}");
        let stored: Vec<(i64, String, String, i64, String)> =
            sqlx::query_as("SELECT person_id, level, status, fiscal_year, contractor FROM guidance ORDER BY person_id")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(
            stored,
            vec![
                (id(A), "intensive".into(), "completed".into(), 2025, C04.into()),
                (id(B), "motivational".into(), "started".into(), 2025, C04.into()),
            ],
            "{backend}"
        );
        // Art. 30: one receive record for the archive, from the contractor, about A and B.
        let records: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, counterparty, basis, use_id, subject_count FROM provisions \
             WHERE direction = 'receive' AND file_name = $1",
        )
        .bind(name.clone())
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(records.len(), 1, "{backend}");
        let (pid, counterparty, basis, use_id, n) = records[0].clone();
        assert_eq!((counterparty.as_str(), use_id.as_str(), n), (C04, "health.specific_checkup", 2), "{backend}");
        assert!(basis.contains("委託"), "{backend}: {basis}");
        let ab: BTreeSet<i64> = [id(A), id(B)].into();
        assert_eq!(provision_subjects(&mut conn, pid).await, ab, "{backend}");

        // The same archive again (under another name): refused by its content hash, every table
        // as it was.
        let before = table_counts(&mut conn).await;
        let again = store.import_guidance(&health(), "renamed.zip", &sha, C04, &reports).await;
        assert!(matches!(again, Err(StoreError::AlreadyImported { .. })), "{backend}: {again:?}");
        assert_eq!(table_counts(&mut conn).await, before, "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 実施状況
// ---------------------------------------------------------------------------------------------

fn row(rows: &mut [StateReportRow], sex: u8, band: u32) -> &mut StateReportRow {
    rows.iter_mut().find(|r| r.sex == sex && r.band == band).expect("every sex and band has a row")
}

#[tokio::test]
async fn state_report_counts_the_subjects_by_sex_and_band() {
    for backend in BACKENDS {
        let (_db, store, people) = setup(backend, "kenshin_report").await;
        store.assess_checkups(&health(), FY, findings()).await.unwrap();
        let (name, sha, reports) = guidance_archive(&people, false);
        store.import_guidance(&health(), &name, &sha, C04, &reports).await.unwrap();
        let rows = store.state_report(&ctx("staff:health:t", "health.state_report"), FY).await.unwrap();

        // Every sex × band, zeros included.
        let mut expected: Vec<StateReportRow> = [1u8, 2]
            .iter()
            .flat_map(|&sex| (40..=70).step_by(5).map(move |band| StateReportRow { sex, band, ..Default::default() }))
            .collect();
        // Subjects (40–74 on 31 March 2026, covered 1 April 2025 – 31 March 2026):
        //   男: X6 40 (born 1 April 1986), E 46, A 55, X7 60 (喪失日 1 April 2026), C 67;
        //   女: X5 42 (joined 1 April 2025), D 51, B 63.
        //   Not: X1 (75), X2 (39), X3 (joined October), X4 (left in January, though examined),
        //   the stranger (no person), everyone else (20).
        // Examined: A, B, C, D, E. Targets (latest checkup): A 積極的; B, C 動機付け.
        // Guidance of FY2025: A 積極的 completed, B 動機付け started.
        // メタボ: A, C 基準該当; D 予備群; E's latest 非該当.
        row(&mut expected, 1, 40).subjects = 1;
        *row(&mut expected, 1, 45) =
            StateReportRow { sex: 1, band: 45, subjects: 1, examined: 1, ..Default::default() };
        *row(&mut expected, 1, 55) = StateReportRow {
            sex: 1,
            band: 55,
            subjects: 1,
            examined: 1,
            intensive_targets: 1,
            intensive_started: 1,
            intensive_completed: 1,
            metabolic_meets: 1,
            ..Default::default()
        };
        row(&mut expected, 1, 60).subjects = 1;
        *row(&mut expected, 1, 65) = StateReportRow {
            sex: 1,
            band: 65,
            subjects: 1,
            examined: 1,
            motivational_targets: 1,
            metabolic_meets: 1,
            ..Default::default()
        };
        row(&mut expected, 2, 40).subjects = 1;
        *row(&mut expected, 2, 50) =
            StateReportRow { sex: 2, band: 50, subjects: 1, examined: 1, metabolic_prone: 1, ..Default::default() };
        *row(&mut expected, 2, 60) = StateReportRow {
            sex: 2,
            band: 60,
            subjects: 1,
            examined: 1,
            motivational_targets: 1,
            motivational_started: 1,
            ..Default::default()
        };
        assert_eq!(rows, expected, "{backend}");
        let subjects: u64 = rows.iter().map(|r| r.subjects).sum();
        let examined: u64 = rows.iter().map(|r| r.examined).sum();
        assert_eq!((subjects, examined), (8, 5), "{backend}");

        // A contractor has no business with the national report.
        let denied = store.state_report(&ctx("contractor:c04", "health.state_report"), FY).await;
        assert!(matches!(denied, Err(StoreError::Denied { .. })), "{backend}: {denied:?}");
        store.close().await;
    }
}
