//! The insurer-side delivery (レセ電コード情報ファイル) in the store, on both backends: a delivery
//! read one MN block at a time with its JY 補正 applied is stored as corrected, with one row per
//! correction and the MN identity of each receipt; the 再審査 export names receipts by their MN
//! 検索番号; a receipt already held (or repeated within the file) refuses the file whole; and
//! 高額療養費 is paid on the corrected amounts. Every expected figure is worked by hand from the
//! fixture's text or from the 高額療養費 rules, in the comments.

mod common;

use common::*;
use kenpo_domain::YearMonth;
use kenpo_domain::grades;
use kenpo_domain::kogaku::AdditionRules;
use kenpo_domain::person::{EligibilityPeriod, Person, PersonKind, StandardRemuneration};
use kenpo_domain::receipt::{Receipt, ReviewOperation};
use kenpo_formats::uke::ReceiptAssembler;
use kenpo_store::{ReceiptImportSummary, Store, StoreError, VaultKeys};
use sqlx::AnyConnection;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The committed delivery: 3 医科 receipts of 診療年月 43004 (平成30年4月), 請求年月 43005.
const FIXTURE: &[u8] =
    include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../formats/tests/fixtures/delivery/11_RECODEINFO_MED.CSV"));

/// Filed as the 支払基金's download files it: `処理年月/保険者番号/…` (処理年月 2018-05).
const FIXTURE_PATH: &str = "201805/06139999/11_RECODEINFO_MED.CSV";

/// 診療年月 of the fixture: 43004 = 平成 (4) 30年 04月 = 2018-04.
const APR18: YearMonth = YearMonth::from_parts(2018, 4);
const OCT: YearMonth = YearMonth::from_parts(2025, 10);

/// MN 検索番号 of the fixture's three receipts, in file order.
const R1: &str = "13143005123456701";
const R2: &str = "13143005123456702";
const R3: &str = "13143005123456703";

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

/// The formats crate's streaming reader as the store's receipt source (as the CLI feeds it).
struct AssemblerSource<'a> {
    assembler: Option<ReceiptAssembler<&'a [u8]>>,
    warnings: Vec<String>,
}

impl kenpo_store::ReceiptSource for AssemblerSource<'_> {
    fn next_receipt(&mut self) -> Option<Result<Receipt, String>> {
        Some(match self.assembler.as_mut()?.next_receipt()? {
            Ok(a) => {
                self.warnings.extend(a.warnings.iter().map(|w| w.to_string()));
                Ok(a.receipt)
            }
            Err(e) => Err(e.to_string()),
        })
    }
    fn warnings(&mut self) -> Vec<String> {
        if let Some(a) = self.assembler.take() {
            self.warnings.extend(a.finish().warnings.iter().map(|w| w.to_string()));
        }
        std::mem::take(&mut self.warnings)
    }
}

/// Streams a delivery's bytes into the store, one receipt at a time, under its content hash.
async fn import(store: &Store, path: &str, bytes: &[u8]) -> Result<ReceiptImportSummary, StoreError> {
    let assembler = ReceiptAssembler::new(bytes, path).expect("the delivery's header reads");
    let mut source = AssemblerSource { assembler: Some(assembler), warnings: Vec::new() };
    store.import_receipt_stream(&reviewer(), path, &sha256(bytes), &mut source).await
}

// ---------------------------------------------------------------------------------------------
// The fixture, stored as corrected
// ---------------------------------------------------------------------------------------------

/// One `receipt_corrections` row.
#[derive(Debug, PartialEq, sqlx::FromRow)]
struct CorrectionRow {
    seq: i64,
    kind: i64,
    record: String,
    row_number: i64,
    branch_number: i64,
    new_row_number: Option<i64>,
    new_branch_number: Option<i64>,
    reason: String,
    fields: String,
    code: Option<String>,
    points_before: Option<i64>,
    points_after: Option<i64>,
    charge_before: Option<i64>,
    charge_after: Option<i64>,
}

async fn corrections(conn: &mut AnyConnection, receipt: i64) -> Vec<CorrectionRow> {
    sqlx::query_as(
        "SELECT seq, kind, record, row_number, branch_number, new_row_number, new_branch_number, reason, fields, \
                code, points_before, points_after, charge_before, charge_after \
         FROM receipt_corrections WHERE receipt_id = $1 ORDER BY seq",
    )
    .bind(receipt)
    .fetch_all(&mut *conn)
    .await
    .expect("corrections")
}

/// A correction of a claim record with 枝番号 0 (the replacement's too), no 事由対象項目番号.
#[allow(clippy::too_many_arguments)]
fn correction(
    seq: i64,
    kind: i64,
    record: &str,
    row: i64,
    new_row: Option<i64>,
    reason: &str,
    code: Option<&str>,
    points: (i64, i64),
    charge: (Option<i64>, Option<i64>),
) -> CorrectionRow {
    CorrectionRow {
        seq,
        kind,
        record: record.into(),
        row_number: row,
        branch_number: 0,
        new_row_number: new_row,
        new_branch_number: new_row.map(|_| 0),
        reason: reason.into(),
        fields: String::new(),
        code: code.map(str::to_string),
        points_before: Some(points.0),
        points_after: Some(points.1),
        charge_before: charge.0,
        charge_after: charge.1,
    }
}

/// The fixture by hand:
///   R1: SI 111000110 288 × 1 + IY 620000001 10 × 5 = 288 + 50 = 338 = HO 合計点数; no JY.
///   R2: SI 288 × 1 + IY 10 × 7 + IY 620000002 15 × 3 + SI 160000310 26 × 1 = 288 + 70 + 45 + 26
///       = 429 (HO, 負担金額 1,290). JY 3 deletes line 8 (the 45-point IY, 事由 C); JY 2
///       replaces HO (line 4) by line 10: 429 − 45 = 384 points, 負担金額 1,150. 3 lines left.
///   R3: SI 112007410 73 × 1 + SI 112011310 52 × 1 = 125 (HO, no 負担金額). JY 3 deletes line 7
///       (事由 D); JY 2 replaces HO (line 4) by line 8: 125 − 52 = 73. 1 line left.
///   Total 338 + 384 + 73 = 795 points, 2 + 3 + 1 = 6 lines, 0 + 2 + 2 = 4 corrections.
#[tokio::test]
async fn the_fixture_delivery_is_stored_as_corrected_with_one_row_per_correction() {
    for backend in BACKENDS {
        let db = fresh(backend, "delivery").await;
        let store = open(&db, VaultKeys::generate()).await;
        let s = import(&store, FIXTURE_PATH, FIXTURE).await.unwrap();
        // No roster: nobody holds the card 06139999 123-4567, so all three are unmatched. A
        // delivery carries no GO nor EOF mark by design; its 37-field RE (the sample's layout,
        // one field short of R4) is the one warning, stored once for the file.
        assert_eq!(
            (s.files, s.receipts, s.lines, s.points, s.corrections, s.matched, s.unmatched, s.warnings),
            (1, 3, 6, 795, 4, 0, 3, 1),
            "{backend}: {s:?}"
        );
        let mut conn = raw(&db).await;

        // The receipts as corrected, with their MN identity and 処理年月 (from the folder).
        type Stored = (String, String, String, String, i64, Option<i64>, String, String, String);
        let stored: Vec<Stored> = sqlx::query_as(
            "SELECT search_number, management_number, processing_month, service_month, total_points, \
                    patient_charge, institution_code, setting, record_control \
             FROM receipts ORDER BY id",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        // RC 管理情報: two RC records per block, kept as given, joined by a space.
        let rc = "Ver000010123456789abcdef0123456789abcdef Ver000010123456789abcdef0123456789abcdef01234567";
        let row = |search: &str, mn: &str, points: i64, charge: Option<i64>, setting: &str| -> Stored {
            (
                search.into(),
                mn.into(),
                "2018-05".into(),
                "2018-04".into(),
                points,
                charge,
                "1234567".into(),
                setting.into(),
                rc.into(),
            )
        };
        assert_eq!(
            stored,
            vec![
                // レセプト種別 1112: last digit even → 入院外; 1116 likewise.
                row(R1, "910000101", 338, None, "outpatient"),
                row(R2, "910000102", 384, Some(1_150), "outpatient"),
                row(R3, "910000103", 73, None, "outpatient"),
            ],
            "{backend}"
        );
        // The EX records carry only their 審査支払機関使用欄 (field 13): no 振替, no flag set.
        let ops: Vec<(String,)> =
            sqlx::query_as("SELECT review_operation FROM receipts ORDER BY id").fetch_all(&mut conn).await.unwrap();
        for (json,) in &ops {
            let op: ReviewOperation = serde_json::from_str(json).expect("review_operation is JSON");
            assert_eq!(op, ReviewOperation::default(), "{backend}: {json}");
        }

        // The lines as corrected: the deleted IY 620000002 (R2) and SI 112011310 (R3) are gone.
        let (r1, r2, r3) =
            (receipt_id(&mut conn, R1).await, receipt_id(&mut conn, R2).await, receipt_id(&mut conn, R3).await);
        let mut lines_of = async |id: i64| -> Vec<(String, String, Option<i64>, i64)> {
            sqlx::query_as("SELECT kind, code, points, count FROM receipt_lines WHERE receipt_id = $1 ORDER BY seq")
                .bind(id)
                .fetch_all(&mut conn)
                .await
                .unwrap()
        };
        let l = |kind: &str, code: &str, points: i64, count: i64| -> (String, String, Option<i64>, i64) {
            (kind.into(), code.into(), Some(points), count)
        };
        assert_eq!(lines_of(r1).await, vec![l("SI", "111000110", 288, 1), l("IY", "620000001", 10, 5)], "{backend}");
        assert_eq!(
            lines_of(r2).await,
            vec![l("SI", "111000110", 288, 1), l("IY", "620000001", 10, 7), l("SI", "160000310", 26, 1)],
            "{backend}"
        );
        assert_eq!(lines_of(r3).await, vec![l("SI", "112007410", 73, 1)], "{backend}");
        let deleted = "SELECT COUNT(*) FROM receipt_lines WHERE code IN ('620000002', '112011310')";
        assert_eq!(count(&mut conn, deleted).await, 0, "{backend}");

        // One row per JY, in file order. 修正 of HO: no 事由 (it follows from the deletion), the
        // replacement's 行番号; 削除 of a line: its code, 点数 × 回数 before and 0 after.
        assert!(corrections(&mut conn, r1).await.is_empty(), "{backend}");
        assert_eq!(
            corrections(&mut conn, r2).await,
            vec![
                correction(0, 2, "HO", 4, Some(10), "", None, (429, 384), (Some(1_290), Some(1_150))),
                // 15 点 × 3 回 = 45.
                correction(1, 3, "IY", 8, None, "C", Some("620000002"), (45, 0), (None, None)),
            ],
            "{backend}"
        );
        assert_eq!(
            corrections(&mut conn, r3).await,
            vec![
                correction(0, 2, "HO", 4, Some(8), "", None, (125, 73), (None, None)),
                // 52 点 × 1 回 = 52.
                correction(1, 3, "SI", 7, None, "D", Some("112011310"), (52, 0), (None, None)),
            ],
            "{backend}"
        );
        assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM receipt_corrections").await, 4, "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 再審査 export
// ---------------------------------------------------------------------------------------------

/// With no roster the three receipts are unmatched: the 2018-04 review flags each as an unknown
/// person (the other rules need a person) and the 再審査 CSV names each by its MN 検索番号, with
/// its corrected 点数.
#[tokio::test]
async fn the_rereview_export_carries_the_mn_search_number() {
    for backend in BACKENDS {
        let db = fresh(backend, "delrev").await;
        let store = open(&db, VaultKeys::generate()).await;
        import(&store, FIXTURE_PATH, FIXTURE).await.unwrap();
        let mut conn = raw(&db).await;

        let sum = store.run_review(&reviewer(), APR18).await.unwrap();
        assert_eq!((sum.month.as_str(), sum.receipts, sum.findings), ("2018-04", 3, 3), "{backend}: {sum:?}");
        let by_rule: Vec<(&str, u64)> = sum.by_rule.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(by_rule, vec![("eligibility.unknown_person", 3)], "{backend}");

        let rows = store.review_findings(&reviewer(), Some(APR18), None).await.unwrap();
        let csv = common::csv_text(&kenpo_app::render::rereview_table(&rows));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + 3, "{backend}: {csv}");
        let header: Vec<&str> = lines[0].split(',').collect();
        assert_eq!(header[4], "検索番号", "{backend}: {}", lines[0]);
        let mut search_column = Vec::new();
        for (search, points) in [(R1, 338), (R2, 384), (R3, 73)] {
            let id = receipt_id(&mut conn, search).await;
            // 診療年月, 医療機関コード, 名称, 種類, 検索番号, id, no related receipt, 点数, rule.
            let expected =
                format!("2018-04,1234567,テスト医院,medical,{search},{id},,{points},資格: 該当する加入者なし,");
            assert!(lines.iter().any(|l| l.starts_with(&expected)), "{backend}: {expected} in {csv}");
        }
        for l in &lines[1..] {
            search_column.push(l.split(',').nth(4).unwrap_or_default().to_string());
        }
        search_column.sort();
        assert_eq!(search_column, vec![R1, R2, R3], "{backend}");
        // No patient's name (テスト　一, 二, 三) in the export.
        assert!(!csv.contains("テスト　"), "{backend}: a name in the 再審査 CSV: {csv}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// The same receipt twice is refused
// ---------------------------------------------------------------------------------------------

/// The bytes of the fixture's first receipt block (R1): its lines 1–12, up to R2's MN.
fn first_block(bytes: &[u8]) -> &[u8] {
    let second_mn = bytes.windows(6).position(|w| w == b"\n2,1,0").expect("a second block") + 1;
    &bytes[..second_mn]
}

/// A file repeating a receipt block (the same 検索番号 twice) is refused before anything is
/// held; once the fixture is held, the same receipts in another file (CRLF line ends: another
/// content hash, the same receipts) are refused too. Nothing is written either time.
#[tokio::test]
async fn receipts_already_held_or_repeated_in_the_file_refuse_it_whole() {
    for backend in BACKENDS {
        let db = fresh(backend, "delheld").await;
        let store = open(&db, VaultKeys::generate()).await;
        let mut conn = raw(&db).await;
        let empty = receipt_tables(&mut conn).await;

        // R1, R2, R3, then R1 again: the 4th receipt repeats the 1st's 検索番号.
        let doubled = [FIXTURE, first_block(FIXTURE)].concat();
        assert_eq!(doubled.len() - FIXTURE.len(), first_block(FIXTURE).len());
        let err = import(&store, "DOUBLED.CSV", &doubled).await.unwrap_err();
        match &err {
            StoreError::Input(m) => {
                assert!(m.contains("receipt 4 of the file repeats the 検索番号"), "{backend}: {m}");
                assert!(!m.contains(R1), "{backend}: the message quotes the 検索番号: {m}");
            }
            other => panic!("{backend}: expected Input, got {other:?}"),
        }
        assert_eq!(receipt_tables(&mut conn).await, empty, "{backend}: nothing of the doubled file");

        // The fixture itself goes in: 3 receipts, 6 lines, 4 corrections.
        let first = import(&store, FIXTURE_PATH, FIXTURE).await.unwrap();
        assert_eq!((first.receipts, first.lines, first.corrections), (3, 6, 4), "{backend}");
        let before = receipt_tables(&mut conn).await;
        assert_eq!(&before[..4], &[3, 6, 3, 4], "{backend}: receipts, lines, diagnoses (1 SY each), corrections");

        // The same delivery with CR LF line ends: another content hash, the same receipts.
        let crlf: Vec<u8> = FIXTURE.split(|b| *b == b'\n').collect::<Vec<_>>().join(&b"\r\n"[..]);
        assert_ne!(sha256(&crlf), sha256(FIXTURE), "{backend}");
        let err = import(&store, "202306/06139999/11_RECODEINFO_MED.CSV", &crlf).await.unwrap_err();
        match &err {
            StoreError::Input(m) => {
                assert!(m.contains("3 receipt(s) with a 検索番号 already held"), "{backend}: {m}");
                assert!(m.contains("nothing imported"), "{backend}: {m}");
                assert!(!m.contains(R1) && !m.contains(R2) && !m.contains(R3), "{backend}: {m}");
            }
            other => panic!("{backend}: expected Input, got {other:?}"),
        }
        // One receipt of it alone (R1's block) is refused just the same.
        let err = import(&store, "R1-AGAIN.CSV", first_block(FIXTURE)).await.unwrap_err();
        assert!(
            matches!(&err, StoreError::Input(m) if m.contains("1 receipt(s) with a 検索番号 already held")),
            "{backend}: {err:?}"
        );
        // The doubled file is still refused now that its receipts are held.
        assert!(matches!(import(&store, "DOUBLED.CSV", &doubled).await, Err(StoreError::Input(_))), "{backend}");
        assert_eq!(receipt_tables(&mut conn).await, before, "{backend}: counts unchanged");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 高額療養費 on the corrected amounts
// ---------------------------------------------------------------------------------------------

/// A roster with one member M: born 1980-05-10 (45 in October 2025: 3割, under 70), insured
/// since 2010, 標準報酬月額 410,000 from 2025-09 (区分ウ: 280,000–500,000). Returns M's index.
fn roster() -> (kenpo_synth::Society, Vec<Person>, usize) {
    let (society, mut people) = society(20);
    let m = people
        .iter()
        .position(|p| p.kind == PersonKind::Insured && p.employer_code.is_some())
        .expect("an insured person with an employer");
    let p = &mut people[m];
    p.birth_date = day(1980, 5, 10);
    p.eligibility = vec![EligibilityPeriod {
        acquired_on: day(2010, 4, 1),
        acquisition_reason: "採用".into(),
        lost_on: None,
        loss_reason: None,
    }];
    let from = day(2025, 9, 1);
    let g = grades::grade_for_pay(from, 410_000).expect("grade");
    assert_eq!(g.monthly_amount, 410_000, "410,000 is itself a 標準報酬月額");
    p.remuneration =
        vec![StandardRemuneration { effective_from: from, grade: g.grade, monthly_amount: g.monthly_amount }];
    (society, people, m)
}

/// One delivery record: the three prefix columns, then `fields` (identifier first) padded with
/// empty fields to `total` (the record's field count, identifier included).
fn rec(prefix: &str, fields: &[&str], total: usize) -> String {
    let mut v = fields.to_vec();
    v.resize(total, "");
    format!("{prefix},{}\n", v.join(","))
}

/// An SI line given on the 3rd (field 14 = day 1, so day 3 is field 16): fields 1–7 and the day.
fn si(prefix: &str, category: &str, code: &str, points: &str) -> String {
    let mut f = vec!["SI", category, "1", code, "", points, "1"];
    f.resize(16, "");
    f[15] = "1";
    rec(prefix, &f, 44)
}

/// M's October 2025 receipt as the 支払基金 delivers it (ASCII, which CP932 and UTF-8 share):
/// a 入院外 claim of 29,000 + 1,000 = 30,000 点, no 負担金額 recorded; the 審査 deletes the
/// 1,000-point line (事由 A) and HO 合計点数 becomes 29,000.
fn member_delivery(p: &Person) -> String {
    let (insurer, symbol, number) = (p.insurer_number.as_str(), p.card.symbol.as_str(), p.card.number.as_str());
    let mut t = String::new();
    t += &rec("2,1,0", &["MN", "920000001", "TOKYO", "50710000000000001"], 7);
    // IR: 支払基金, 東京 13, 医科, 7654321, 請求年月 令和7年11月, first volume.
    t += &rec("1,2,0", &["IR", "1", "13", "1", "7654321", "", "TEST HOSPITAL", "50711", "00", "0300000000"], 10);
    // RE: 医科・医保単独・本人・入院外 (1112), 診療年月 令和7年10月, 生年月日 1980-05-10.
    t += &rec("1,3,0", &["RE", "1", "1112", "50710", "TEST TARO", "1", "19800510"], 38);
    t += &rec("1,4,0", &["HO", insurer, symbol, number, "1", "30000"], 15);
    t += &rec("1,5,0", &["SY", "4011001", "20251003", "1", "", "", "01"], 8);
    t += &si("1,6,0", "80", "180000000", "29000");
    t += &si("1,7,0", "60", "160000000", "1000");
    t += &rec("2,8,0", &["HO", insurer, symbol, number, "1", "29000"], 15);
    t += &rec("2,9,0", &["JY", "2", "4", "0", "", "", "8", "0"], 9);
    t += &rec("2,10,0", &["JY", "3", "7", "0", "", "A", "", ""], 9);
    t
}

/// M's October by hand (健康保険法施行令 Art. 42; `kogaku::patient_charge`: no 負担金額 on HO, so
/// 一部負担金 = 総医療費 × 3割 rounded to 10 yen):
///   As claimed (not paid): 30,000 点 = 300,000 円; 3割 90,000; 区分ウ 限度額
///     80,100 + (300,000 − 267,000) × 1% = 80,430; 高額療養費 90,000 − 80,430 = 9,570.
///   As corrected: 29,000 点 = 290,000 円; 3割 87,000 (exact);
///     限度額 80,100 + (290,000 − 267,000) × 1% = 80,100 + 230 = 80,330;
///     高額療養費 87,000 − 80,330 = 6,670.
///   付加給付 (default: 控除額 25,000 below 標準報酬 530,000; 100円未満切捨て):
///     80,330 − 25,000 = 55,330 → 55,300 (as claimed it would be 80,430 − 25,000 → 55,400).
///   Total 6,670 + 55,300 = 61,970.
#[tokio::test]
async fn kogaku_pays_on_the_corrected_amounts() {
    for backend in BACKENDS {
        let db = fresh(backend, "delkogaku").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, people, m) = roster();
        store.import_roster(&importer(), "roster.csv", "r", rows(&society, &people), &|_| {}).await.unwrap();
        let member = &people[m];
        let member_id = m as i64 + 1;

        let text = member_delivery(member);
        let s = import(&store, "202511/06139999/11_RECODEINFO_MED.CSV", text.as_bytes()).await.unwrap();
        assert_eq!((s.receipts, s.matched, s.lines, s.points, s.corrections), (1, 1, 1, 29_000, 2), "{backend}: {s:?}");
        let mut conn = raw(&db).await;
        let receipt = receipt_id(&mut conn, "50710000000000001").await;
        let (person, points, charge): (Option<i64>, i64, Option<i64>) =
            sqlx::query_as("SELECT person_id, total_points, patient_charge FROM receipts WHERE id = $1")
                .bind(receipt)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!((person, points, charge), (Some(member_id), 29_000, None), "{backend}");
        let before: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT points_before, points_after FROM receipt_corrections WHERE receipt_id = $1 ORDER BY seq",
        )
        .bind(receipt)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(before, vec![(Some(30_000), Some(29_000)), (Some(1_000), Some(0))], "{backend}");

        let s = store.run_kogaku(&benefits(), OCT, &AdditionRules::default()).await.unwrap();
        assert_eq!((s.receipts, s.households, s.payments, s.total), (1, 1, 2, 61_970), "{backend}: {s:?}");
        let by_kind: Vec<(&str, (u64, i64))> = s.by_kind.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(by_kind, vec![("kogaku_household", (1, 6_670)), ("member_refund", (1, 55_300))], "{backend}");

        let payments = store.kogaku_payments(&benefits(), OCT, None).await.unwrap();
        let got: Vec<(&str, i64, i64, String)> =
            payments.iter().map(|p| (p.kind.as_str(), p.amount, p.person_id, p.receipts.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("kogaku_household", 6_670, member_id, receipt.to_string()),
                ("member_refund", 55_300, member_id, receipt.to_string()),
            ],
            "{backend}"
        );
        let explained = payments.iter().map(|p| p.explanation.join("\n")).collect::<Vec<_>>().join("\n");
        assert!(explained.contains("80,100 + (290,000 − 267,000) × 1% = 80,330円"), "{backend}: {explained}");
        assert!(!explained.contains("300,000"), "{backend}: the claimed 総医療費 was used: {explained}");
        let stored = "SELECT COUNT(*) FROM kogaku_payments WHERE service_month = '2025-10' AND amount IN (6670, 55300)";
        assert_eq!(count(&mut conn, stored).await, 2, "{backend}");
        store.close().await;
    }
}
