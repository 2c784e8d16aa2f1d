//! 標準報酬 and premiums as a record, on both backends: the society's rates read from TOML and
//! kept for the months already invoiced, a month's run checked against one member's line worked
//! by hand (with the 50銭 rule), the bank's payments settled oldest first with shortfalls and
//! credit carried forward, malformed bank files refused whole, the employers' 報酬の届書
//! (算定基礎届, 賞与支払届, 月額変更届) read from a KPFD file, malformed 届書 refused whole, and
//! a 任意継続 who does not pay by the 10th losing status on the 11th.
//!
//! Every expected amount is worked by hand in the comments from the rates below (per mille):
//! 基本 20/25, 特定 23/27, 調整 0.65/0.65, 介護 9/9, 子ども・子育て支援金 1.15/1.15 (member/employer),
//! so 一般 = 基本 + 特定 = 43/52 (whole 95/1000).

mod common;

use chrono::NaiveDate;
use common::*;
use kenpo_domain::YearMonth;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::person::{EligibilityPeriod, Person, PersonKind, StandardRemuneration};
use kenpo_domain::remuneration::{PayChange, PayMonth, WorkerKind};
use kenpo_formats::nenkin::{Layout, Office, SocietyFields};
use kenpo_formats::nenkin_pay::{
    AnnualReport, BonusReport, FiledPerson, InterimReport, PayFiling, PayRecord, write_pay_filing,
};
use kenpo_store::{AccessContext, Change, NewEvent, PersonRef, Store, VaultKeys, voluntary_payer};
use sqlx::AnyConnection;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// 適用・徴収担当 collecting premiums (policy/notice.toml: premiums.collection is acted for by
/// the roles `eligibility` and `system`).
fn collection() -> AccessContext {
    ctx("staff:eligibility:test", "premiums.collection")
}

/// The same staff recording the employers' 報酬の届書 (premiums.remuneration: eligibility, system).
fn remuneration() -> AccessContext {
    ctx("staff:eligibility:test", "premiums.remuneration")
}

/// The same staff applying eligibility events (eligibility.management). The non-payment loss is
/// an eligibility event: it writes every category an event file does (income and relation too),
/// which premiums.collection does not cover.
fn staff() -> AccessContext {
    ctx("staff:eligibility:test", "eligibility.management")
}

/// The society's rates from 2026-04 (README §保険料's layout).
const RATES: &str = r#"
effective_from = "2026-04"
voluntary_cap = 320000
care_for_specified = false
basic = { member = "20.0", employer = "25.0" }
specific = { member = "23.0", employer = "27.0" }
adjustment = { member = "0.65", employer = "0.65" }
care = { member = "9.0", employer = "9.0" }
support = { member = "1.15", employer = "1.15" }
"#;

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::from_parts(y, m)
}

/// A synthetic roster with one member made known.
struct Cast {
    society: kenpo_synth::Society,
    people: Vec<Person>,
    /// An employed member (本人), born 1975-06-01 (50 in 2026: 介護2号), covered from 2010-04-01,
    /// 標準報酬月額 27級 410,000 from 2025-09-01 and nothing after, no bonus on file.
    member: usize,
}

impl Cast {
    /// A roster person's id is its index + 1 (ids are allocated in file order on a fresh db).
    fn member_id(&self) -> i64 {
        self.member as i64 + 1
    }
    fn employer(&self) -> String {
        self.people[self.member].employer_code.clone().expect("the member has an employer")
    }
    fn employer_name(&self) -> String {
        let code = self.employer();
        self.society.employers.iter().find(|e| e.employer.code == code).map(|e| e.employer.name.clone()).unwrap()
    }
    /// The member's 番号 under the employer's 記号 (the KPFD 被保険者証番号).
    fn card_number(&self) -> String {
        self.people[self.member].card.number.clone()
    }
}

fn cast() -> Cast {
    let (society, mut people) = society(40);
    let member = people
        .iter()
        .position(|p| p.kind == PersonKind::Insured && p.employer_code.is_some())
        .expect("the synthetic roster has an employed member");
    let m = &mut people[member];
    m.birth_date = day(1975, 6, 1);
    m.eligibility = vec![EligibilityPeriod {
        acquired_on: day(2010, 4, 1),
        acquisition_reason: "採用".into(),
        lost_on: None,
        loss_reason: None,
    }];
    m.remuneration = vec![StandardRemuneration { effective_from: day(2025, 9, 1), grade: 27, monthly_amount: 410_000 }];
    m.bonuses = Vec::new();
    m.my_number = None;
    Cast { society, people, member }
}

async fn setup(backend: &'static str, tag: &str) -> (TestDb, Store, Cast) {
    let cast = cast();
    let db = fresh(backend, tag).await;
    let store = open(&db, VaultKeys::generate()).await;
    store.import_roster(&importer(), "roster.csv", "roster", rows(&cast.society, &cast.people), &|_| {}).await.unwrap();
    (db, store, cast)
}

async fn set_rates(store: &Store) {
    let rates = kenpo_app::premiums::parse_rates(RATES).unwrap();
    store.set_premium_rates(&collection(), &rates).await.unwrap();
}

async fn counts(conn: &mut AnyConnection, tables: &[&'static str]) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in tables {
        out.push((*table, count(conn, &format!("SELECT COUNT(*) FROM {table}")).await));
    }
    out
}

/// A bank statement (UTF-8) with the documented header.
fn bank(rows: &[String]) -> Vec<u8> {
    let mut text = String::from("入金日,振込依頼人コード,振込依頼人名,金額\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

async fn pay(store: &Store, file: &str, rows: &[String]) -> Result<kenpo_store::PaymentsSummary, kenpo_app::AppError> {
    kenpo_app::premiums::import_payments_bytes(store, &collection(), file, &bank(rows)).await
}

fn filed(p: &Person) -> FiledPerson {
    FiledPerson { kana: p.name_kana.clone(), kanji: Some(p.name_kanji.clone()), birth: p.birth_date, my_number: None }
}

fn society_fields(card: &str) -> SocietyFields {
    SocietyFields { office: None, card_number: Some(card.to_string()) }
}

fn month(y: i32, m: u32, days: u32, cash: i64) -> PayMonth {
    PayMonth { month: ym(y, m), base_days: days, cash, in_kind: 0 }
}

/// A KPFD (健保組合 copy) file from the member's employer.
fn kpfd(cast: &Cast, created_on: NaiveDate, records: Vec<PayRecord>) -> Vec<u8> {
    write_pay_filing(&PayFiling {
        layout: Layout::Society,
        created_on,
        office: Office { number: cast.employer(), name: cast.employer_name() },
        records,
    })
    .unwrap()
}

/// The 2026 算定基礎届: April 17 days 300,000; May 16 days 999,999; June 20 days 320,000.
fn annual(cast: &Cast, card: &str) -> PayRecord {
    PayRecord::Annual(AnnualReport {
        line: 1,
        person: filed(&cast.people[cast.member]),
        applies_from: ym(2026, 9),
        previous_standard: Some(410_000),
        pay_change: None,
        retroactive: None,
        months: [month(2026, 4, 17, 300_000), month(2026, 5, 16, 999_999), month(2026, 6, 20, 320_000)],
        // May has under 17 days and does not count: 300,000 + 320,000 = 620,000; ÷ 2 = 310,000.
        total: 620_000,
        average: 310_000,
        corrected_average: None,
        worker: WorkerKind::Regular,
        yearly_average: false,
        mid_year_join: false,
        on_leave: false,
        seventy_only: false,
        society: society_fields(card),
    })
}

fn bonus(cast: &Cast, card: &str, paid_on: NaiveDate, cash: i64) -> PayRecord {
    PayRecord::Bonus(BonusReport {
        line: 1,
        person: filed(&cast.people[cast.member]),
        paid_on,
        cash,
        in_kind: 0,
        total: cash / 1000 * 1000,
        first_payment_day: None,
        seventy_only: false,
        society: society_fields(card),
    })
}

/// Replaces field `field` (0-based) of file line `line` (1-based) in a written filing. The
/// filing is Shift_JIS, whose bytes never hold an ASCII comma or LF inside a character.
fn set_field(bytes: &[u8], line: usize, field: usize, value: &str) -> Vec<u8> {
    let lines: Vec<Vec<u8>> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(|(i, l)| {
            if i + 1 != line {
                return l.to_vec();
            }
            let mut fields: Vec<Vec<u8>> = l.split(|b| *b == b',').map(<[u8]>::to_vec).collect();
            fields[field] = value.as_bytes().to_vec();
            fields.join(&b","[..])
        })
        .collect();
    lines.join(&b"\n"[..])
}

async fn standards_of(conn: &mut AnyConnection, person: i64) -> Vec<(String, i64, i64)> {
    sqlx::query_as(
        "SELECT effective_from, grade, monthly_amount FROM standard_remuneration WHERE person_id = $1 \
         ORDER BY effective_from",
    )
    .bind(person)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. Rates
// ---------------------------------------------------------------------------------------------

/// The TOML's per-mille rates become parts per million of the 標準報酬 ("20.0" → 20/1000 =
/// 20,000 ppm; "0.65" → 650 ppm; "1.15" → 1,150 ppm). A general rate outside 160条's
/// 30–130/1000 is refused. Once 2026-05 is invoiced, a set from 2026-05 or earlier is refused and
/// the rates on file stay as they were; a set from 2026-06 is taken.
#[tokio::test]
async fn rates_come_from_toml_and_an_invoiced_month_keeps_its_rates() {
    for backend in BACKENDS {
        let (db, store, _cast) = setup(backend, "rates").await;
        let rates = kenpo_app::premiums::parse_rates(RATES).unwrap();
        assert_eq!(rates.effective_from, ym(2026, 4), "{backend}");
        assert_eq!((rates.basic.member, rates.basic.employer), (20_000, 25_000), "{backend}");
        assert_eq!((rates.specific.member, rates.specific.employer), (23_000, 27_000), "{backend}");
        assert_eq!((rates.adjustment.member, rates.adjustment.employer), (650, 650), "{backend}");
        assert_eq!((rates.care.member, rates.care.employer), (9_000, 9_000), "{backend}");
        assert_eq!((rates.support.member, rates.support.employer), (1_150, 1_150), "{backend}");
        assert_eq!((rates.voluntary_cap, rates.care_for_specified), (320_000, false), "{backend}");

        // 基本 10 + 10, 特定 5 + 4: 一般 29/1000 < 30/1000.
        let low = RATES
            .replace(
                r#"basic = { member = "20.0", employer = "25.0" }"#,
                r#"basic = { member = "10", employer = "10" }"#,
            )
            .replace(
                r#"specific = { member = "23.0", employer = "27.0" }"#,
                r#"specific = { member = "5", employer = "4" }"#,
            );
        assert!(kenpo_app::premiums::parse_rates(&low).is_err(), "{backend}: 29/1000 is under 160条's floor");

        store.set_premium_rates(&collection(), &rates).await.unwrap();
        assert_eq!(store.premium_rates(&collection()).await.unwrap(), vec![rates], "{backend}");
        store.run_premium_month(&collection(), ym(2026, 5)).await.unwrap();

        let mut conn = raw(&db).await;
        let before = counts(&mut conn, &["premium_rates"]).await;
        for from in [ym(2026, 5), ym(2026, 4)] {
            let mut changed = rates;
            changed.effective_from = from;
            changed.basic.member = 21_000;
            let err = store.set_premium_rates(&collection(), &changed).await.unwrap_err();
            assert!(err.to_string().contains("告知済み"), "{backend}: {from}: {err}");
        }
        assert_eq!(counts(&mut conn, &["premium_rates"]).await, before, "{backend}: nothing written");
        assert_eq!(store.premium_rates(&collection()).await.unwrap(), vec![rates], "{backend}: unchanged");

        let mut june = rates;
        june.effective_from = ym(2026, 6);
        june.basic.member = 21_000;
        store.set_premium_rates(&collection(), &june).await.unwrap();
        assert_eq!(store.premium_rates(&collection()).await.unwrap(), vec![rates, june], "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. A month's run
// ---------------------------------------------------------------------------------------------

/// 2026-05 for the member: 標準報酬月額 410,000 (27級, from 2025-09-01), 50 years old (介護2号:
/// from the month holding 2015-05-31 to the month before the one holding 2040-05-31), withheld
/// from pay (50銭 or less dropped, more rounded up); the employer pays the whole (円未満切捨て)
/// less the member's share:
///   一般  whole 410,000 × 95/1000 = 38,950;  member × 43/1000 = 17,630;  employer 21,320
///   調整  whole 410,000 × 1.3/1000 = 533;    member × 0.65/1000 = 266.5 → 266 (50銭 dropped);
///         employer 533 − 266 = 267
///   介護  whole 410,000 × 18/1000 = 7,380;   member × 9/1000 = 3,690;   employer 3,690
///   支援金 whole 410,000 × 2.3/1000 = 943;    member × 1.15/1000 = 471.5 → 471; employer 472
///   member 17,630 + 266 + 3,690 + 471 = 22,057; employer 21,320 + 267 + 3,690 + 472 = 25,749
///   (together 47,806 = 410,000 × 116.6/1000).
/// The employer's 納入告知 is due at the end of the next month (2026-06-30) and totals its lines;
/// the same month again is refused.
#[tokio::test]
async fn a_month_run_charges_the_member_by_hand_and_is_not_run_twice() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "month").await;
        set_rates(&store).await;
        let id = cast.member_id();
        let mut conn = raw(&db).await;
        // The 標準報酬月額 in force in May, as the record has it.
        let (standard,): (i64,) = sqlx::query_as(
            "SELECT monthly_amount FROM standard_remuneration WHERE person_id = $1 AND effective_from <= '2026-05-31' \
             ORDER BY effective_from DESC LIMIT 1",
        )
        .bind(id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(standard, 410_000, "{backend}");

        let run = store.run_premium_month(&collection(), ym(2026, 5)).await.unwrap();
        let invoices = store.invoices(&collection(), Some(ym(2026, 5))).await.unwrap();
        assert_eq!(run.invoices, invoices.len() as u64, "{backend}");
        assert_eq!(run.total, invoices.iter().map(|i| i.total).sum::<i64>(), "{backend}");
        assert_eq!(run.total, run.member_total + run.employer_total, "{backend}");

        let a = invoices.iter().find(|i| i.payer == cast.employer()).expect("the member's employer is invoiced");
        assert_eq!(
            (a.payer_kind.as_str(), a.month.as_str(), a.due_on.as_str(), a.payer_name.clone()),
            ("employer", "2026-05", "2026-06-30", cast.employer_name()),
            "{backend}"
        );
        let lines = store.invoice_lines(&collection(), a.id).await.unwrap();
        let member_sum: i64 = lines.iter().map(|l| l.member_total).sum();
        let employer_sum: i64 = lines.iter().map(|l| l.employer_total).sum();
        assert_eq!((a.member_total, a.employer_total), (member_sum, employer_sum), "{backend}");
        assert_eq!(a.total, member_sum + employer_sum, "{backend}");
        let people: std::collections::BTreeSet<i64> = lines.iter().map(|l| l.person_id).collect();
        assert_eq!(a.members, people.len() as i64, "{backend}: distinct persons on the invoice");
        for l in &lines {
            let (m, e) = (
                l.general.0 + l.adjustment.0 + l.care.0 + l.support.0,
                l.general.1 + l.adjustment.1 + l.care.1 + l.support.1,
            );
            assert_eq!((l.member_total, l.employer_total), (m, e), "{backend}: person {}", l.person_id);
        }

        let mine: Vec<_> = lines.iter().filter(|l| l.person_id == id).collect();
        assert_eq!(mine.len(), 1, "{backend}: one line (no bonus in May)");
        let l = mine[0];
        assert_eq!((l.month.as_str(), l.source.as_str(), l.base), ("2026-05", "monthly", 410_000), "{backend}");
        assert_eq!(l.general, (17_630, 21_320), "{backend}: 一般");
        assert_eq!(l.adjustment, (266, 267), "{backend}: 調整 (266.5 withheld → 266)");
        assert_eq!(l.care, (3_690, 3_690), "{backend}: 介護");
        assert_eq!(l.support, (471, 472), "{backend}: 支援金 (471.5 withheld → 471)");
        assert_eq!((l.member_total, l.employer_total), (22_057, 25_749), "{backend}");

        let tables = ["invoices", "premium_charges"];
        let before = counts(&mut conn, &tables).await;
        let err = store.run_premium_month(&collection(), ym(2026, 5)).await.unwrap_err();
        assert!(err.to_string().contains("告知済み"), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}: nothing written");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Payments and statements
// ---------------------------------------------------------------------------------------------

/// After 2026-05 is invoiced, employer A pays its total less 10,000 and employer B its total
/// plus 5,000: A owes 10,000, in arrears from 2026-07-01 (due 2026-06-30), B holds 5,000 of
/// credit. After 2026-06 is invoiced, B pays its June total less 5,000: the credit (applied
/// oldest first) and the payment settle June exactly — B owes 0 and holds no credit; A now owes
/// 10,000 + its June total, only May in arrears on 2026-07-01 (June is due 2026-07-31).
#[tokio::test]
async fn payments_leave_a_shortfall_outstanding_and_carry_credit_forward() {
    for backend in BACKENDS {
        let (_db, store, cast) = setup(backend, "payments").await;
        set_rates(&store).await;
        store.run_premium_month(&collection(), ym(2026, 5)).await.unwrap();
        let may = store.invoices(&collection(), Some(ym(2026, 5))).await.unwrap();
        let a = may.iter().find(|i| i.payer == cast.employer()).unwrap().clone();
        let b =
            may.iter().find(|i| i.payer_kind == "employer" && i.payer != a.payer).expect("a second employer").clone();
        assert!(a.total > 10_000, "{backend}: {a:?}");

        let s = pay(
            &store,
            "bank-2026-06.csv",
            &[
                format!("2026-06-25,{},{},{}", a.payer, a.payer_name, a.total - 10_000),
                format!("20260626,{},{},{}", b.payer, b.payer_name, b.total + 5_000),
            ],
        )
        .await
        .unwrap();
        assert_eq!((s.payments, s.amount), (2, a.total + b.total - 5_000), "{backend}");

        let sa = store.statements(&collection(), Some(&a.payer)).await.unwrap();
        assert_eq!(sa.len(), 1, "{backend}");
        let st = &sa[0].statement;
        assert_eq!((st.outstanding(), st.credit), (10_000, 0), "{backend}: A");
        assert_eq!((st.billed, st.received), (a.total, a.total - 10_000), "{backend}");
        assert!(st.arrears(day(2026, 6, 30)).is_empty(), "{backend}: not late on the due day");
        let late: Vec<YearMonth> = st.arrears(day(2026, 7, 1)).iter().map(|s| s.month).collect();
        assert_eq!(late, vec![ym(2026, 5)], "{backend}");

        let sb = store.statements(&collection(), Some(&b.payer)).await.unwrap();
        let st = &sb[0].statement;
        assert_eq!((st.outstanding(), st.credit), (0, 5_000), "{backend}: B");
        assert_eq!(st.invoices[0].settled_on, Some(day(2026, 6, 26)), "{backend}");

        store.run_premium_month(&collection(), ym(2026, 6)).await.unwrap();
        let june = store.invoices(&collection(), Some(ym(2026, 6))).await.unwrap();
        let a2 = june.iter().find(|i| i.payer == a.payer).unwrap().clone();
        let b2 = june.iter().find(|i| i.payer == b.payer).unwrap().clone();
        assert_eq!(b2.due_on, "2026-07-31", "{backend}");
        pay(&store, "bank-2026-07.csv", &[format!("2026-07-20,{},{},{}", b.payer, b.payer_name, b2.total - 5_000)])
            .await
            .unwrap();

        let sb = store.statements(&collection(), Some(&b.payer)).await.unwrap();
        let st = &sb[0].statement;
        assert_eq!((st.outstanding(), st.credit), (0, 0), "{backend}: B settled, credit used: {:?}", sb[0].reasoning);
        // (B's May total + 5,000) + (June total − 5,000) = May + June.
        assert_eq!((st.billed, st.received), (b.total + b2.total, b.total + b2.total), "{backend}");
        let months: Vec<(YearMonth, i64, Option<NaiveDate>)> =
            st.invoices.iter().map(|s| (s.month, s.paid, s.settled_on)).collect();
        assert_eq!(
            months,
            vec![(ym(2026, 5), b.total, Some(day(2026, 6, 26))), (ym(2026, 6), b2.total, Some(day(2026, 7, 20)))],
            "{backend}"
        );

        let sa = store.statements(&collection(), Some(&a.payer)).await.unwrap();
        let st = &sa[0].statement;
        assert_eq!((st.outstanding(), st.credit), (10_000 + a2.total, 0), "{backend}: A");
        let late: Vec<YearMonth> = st.arrears(day(2026, 7, 1)).iter().map(|s| s.month).collect();
        assert_eq!(late, vec![ym(2026, 5)], "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Malformed bank files
// ---------------------------------------------------------------------------------------------

/// Each of these files is refused whole, naming the file (and line and column where there is
/// one) but never the value, and the store keeps no payment and no import of it: a bad amount on
/// line 3 (after a good line 2), a payer never invoiced, a payment already booked from an earlier
/// statement (same day, payer and amount; the name differs), and a wrong header.
#[tokio::test]
async fn malformed_bank_files_are_refused_whole() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "badpay").await;
        set_rates(&store).await;
        store.run_premium_month(&collection(), ym(2026, 5)).await.unwrap();
        let a = cast.employer();
        let name = cast.employer_name();
        let may = store.invoices(&collection(), Some(ym(2026, 5))).await.unwrap();
        let total = may.iter().find(|i| i.payer == a).unwrap().total;
        pay(&store, "bank-1.csv", &[format!("2026-06-25,{a},{name},{total}")]).await.unwrap();

        let tables = ["payments", "imports"];
        let mut conn = raw(&db).await;
        let before = counts(&mut conn, &tables).await;

        let err = pay(
            &store,
            "bank-amount.csv",
            &[format!("2026-06-26,{a},{name},1000"), format!("2026-06-27,{a},{name},98765x")],
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("bank-amount.csv:3: column 金額"), "{backend}: {err}");
        assert!(!err.contains("98765"), "{backend}: the error names no value: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}");

        let err =
            pay(&store, "bank-payer.csv", &[format!("2026-06-26,E9999,{name},1000")]).await.unwrap_err().to_string();
        assert!(err.contains("bank-payer.csv:2: column 振込依頼人コード"), "{backend}: {err}");
        assert!(!err.contains("E9999"), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}");

        let err = pay(
            &store,
            "bank-again.csv",
            &[format!("2026-06-28,{a},{name},500"), format!("2026-06-25,{a},ﾌﾘｺﾐ,{total}")],
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(err.contains("bank-again.csv:3: column 入金日・振込依頼人コード・金額"), "{backend}: {err}");
        assert!(!err.contains(&total.to_string()), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}");

        let bytes = format!("日付,振込依頼人コード,振込依頼人名,金額\n2026-06-29,{a},{name},700\n").into_bytes();
        let err = kenpo_app::premiums::import_payments_bytes(&store, &collection(), "bank-header.csv", &bytes)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("bank-header.csv: header"), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 5. 報酬の届書
// ---------------------------------------------------------------------------------------------

/// From the member's employer, KPFD files naming the member by 被保険者証番号:
/// - 算定基礎届 2026: April 17 days 300,000, May 16 days 999,999 (under 17 days: left out),
///   June 20 days 320,000 → average (300,000 + 320,000) / 2 = 310,000 → 23級 320,000 (310,000 ≤
///   pay < 330,000) from 2026-09 to 2027-08, the previous 410,000 noted;
/// - 月額変更届 for a raise paid from April: 440,000 × 3 (20 days each) → average 440,000 →
///   28級 440,000 against the current 27級 410,000 (on 2026-04-01): one grade → not revised;
/// - 賞与支払届 of 1,234,567 paid 2026-06-15 → 標準賞与額 1,234,000 (1,000円未満切捨て, the fiscal
///   year's first, far under 5,730,000).
#[tokio::test]
async fn pay_filings_decide_the_standard_record_the_bonus_and_keep_a_one_grade_change() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "filing").await;
        let id = cast.member_id();
        let card = cast.card_number();
        let employer = cast.employer();
        let mut conn = raw(&db).await;
        assert_eq!(standards_of(&mut conn, id).await, vec![("2025-09-01".to_string(), 27, 410_000)], "{backend}");

        let bytes = kpfd(&cast, day(2026, 7, 5), vec![annual(&cast, &card)]);
        let s = kenpo_app::premiums::import_pay_filing_bytes(&store, &remuneration(), "santei-2026.csv", &bytes, None)
            .await
            .unwrap();
        assert_eq!((s.determinations, s.not_revised, s.excluded, s.bonuses), (1, 0, 0, 0), "{backend}: {:?}", s.lines);
        assert_eq!(
            standards_of(&mut conn, id).await,
            vec![("2025-09-01".to_string(), 27, 410_000), ("2026-09-01".to_string(), 23, 320_000)],
            "{backend}"
        );
        let rows = store.determinations(&remuneration(), Some(&employer), Some(ym(2026, 9))).await.unwrap();
        let mine: Vec<_> = rows.iter().filter(|r| r.person_id == id).collect();
        assert_eq!(mine.len(), 1, "{backend}: {rows:?}");
        let d = mine[0];
        assert_eq!((d.kind.as_str(), d.filed_month.as_str(), d.decided), ("annual", "2026-09", true), "{backend}");
        assert_eq!(
            (d.effective_from.as_deref(), d.grade, d.monthly_amount, d.average, d.previous_amount),
            (Some("2026-09"), Some(23), Some(320_000), Some(310_000), Some(410_000)),
            "{backend}"
        );
        assert_eq!(d.employer_code.as_deref(), Some(employer.as_str()), "{backend}");

        let interim = PayRecord::Interim(InterimReport {
            line: 1,
            person: filed(&cast.people[cast.member]),
            revised_from: ym(2026, 7),
            previous_standard: Some(410_000),
            pay_change: Some((4, PayChange::Raise)),
            months: [month(2026, 4, 20, 440_000), month(2026, 5, 20, 440_000), month(2026, 6, 20, 440_000)],
            total: 1_320_000,
            average: 440_000,
            corrected_average: None,
            worker: WorkerKind::Regular,
            seventy_only: false,
            society: society_fields(&card),
        });
        let bytes = kpfd(&cast, day(2026, 7, 6), vec![interim]);
        let s =
            kenpo_app::premiums::import_pay_filing_bytes(&store, &remuneration(), "getsuhen-2026.csv", &bytes, None)
                .await
                .unwrap();
        assert_eq!((s.determinations, s.not_revised, s.bonuses), (0, 1, 0), "{backend}: {:?}", s.lines);
        assert_eq!(standards_of(&mut conn, id).await.len(), 2, "{backend}: no 標準報酬 added");
        let rows = store.determinations(&remuneration(), Some(&employer), Some(ym(2026, 7))).await.unwrap();
        let d = rows.iter().find(|r| r.person_id == id).expect("the 月額変更届 is recorded");
        assert_eq!(
            (d.kind.as_str(), d.decided, d.grade, d.effective_from.clone()),
            ("interim", false, None, None),
            "{backend}"
        );
        assert_eq!(d.previous_amount, Some(410_000), "{backend}");
        assert!(d.reasoning.iter().any(|r| r.contains("2等級未満")), "{backend}: {:?}", d.reasoning);
        let bytes = kpfd(&cast, day(2026, 6, 20), vec![bonus(&cast, &card, day(2026, 6, 15), 1_234_567)]);
        let s =
            kenpo_app::premiums::import_pay_filing_bytes(&store, &remuneration(), "shoyo-2026-06.csv", &bytes, None)
                .await
                .unwrap();
        assert_eq!((s.determinations, s.bonuses), (0, 1), "{backend}");
        let bonuses: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT paid_on, amount, standard_amount FROM bonuses WHERE person_id = $1")
                .bind(id)
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(bonuses, vec![("2026-06-15".to_string(), 1_234_567, 1_234_000)], "{backend}");

        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Malformed 報酬の届書
// ---------------------------------------------------------------------------------------------

/// Refused whole, nothing of them kept (determinations, 標準報酬, bonuses, imports): a file whose
/// second data line (file line 7: header, [kanri], count, office, [data], line 6) has an April
/// 合計 that is not 通貨 + 現物; a file whose good first line is followed by a member not on file;
/// and a 賞与 already on file sent again in another file (other bytes, the same member and day).
#[tokio::test]
async fn malformed_pay_filings_are_refused_whole() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "badfiling").await;
        let card = cast.card_number();
        let tables = ["remuneration_determinations", "standard_remuneration", "bonuses", "imports"];
        let mut conn = raw(&db).await;
        let before = counts(&mut conn, &tables).await;
        let import = |name: &'static str, bytes: Vec<u8>| {
            let store = &store;
            async move { kenpo_app::premiums::import_pay_filing_bytes(store, &remuneration(), name, &bytes, None).await }
        };

        // Field 34 (index 33) is April's 合計: 300,000 + 0 written, 300,001 filed.
        let two = kpfd(&cast, day(2026, 7, 5), vec![annual(&cast, &card), annual(&cast, &card)]);
        let err = import("santei-bad.csv", set_field(&two, 7, 33, "300001")).await.unwrap_err().to_string();
        assert!(err.contains("santei-bad.csv:7: column 合計:"), "{backend}: {err}");
        assert!(!err.contains("300001"), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}");

        // Line 6 is the member's good 算定基礎届; line 7 names a 番号 nobody has at the employer.
        let bytes = kpfd(&cast, day(2026, 7, 6), vec![annual(&cast, &card), annual(&cast, "9999999")]);
        let err = import("santei-unknown.csv", bytes).await.unwrap_err().to_string();
        assert!(err.contains("santei-unknown.csv:7: column 被保険者証番号（健保組合）"), "{backend}: {err}");
        assert!(!err.contains("9999999"), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}: the good first line is not kept either");

        let first = kpfd(&cast, day(2026, 6, 20), vec![bonus(&cast, &card, day(2026, 6, 15), 1_234_567)]);
        import("shoyo-1.csv", first.clone()).await.unwrap();
        let before = counts(&mut conn, &tables).await;
        let again = kpfd(&cast, day(2026, 6, 21), vec![bonus(&cast, &card, day(2026, 6, 15), 1_234_567)]);
        assert_ne!(again, first, "other bytes, so only the content can tell");
        let err = import("shoyo-2.csv", again).await.unwrap_err().to_string();
        assert!(err.contains("shoyo-2.csv:6: column 賞与支払年月日"), "{backend}: {err}");
        assert!(!err.contains("1234567") && !err.contains("1,234,567"), "{backend}: {err}");
        assert_eq!(counts(&mut conn, &tables).await, before, "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 7. 任意継続 non-payment
// ---------------------------------------------------------------------------------------------

/// The member retires on 2026-03-31 (喪失日 04-01) and continues voluntarily from 04-01 (applied
/// 04-10, within 20 days). May's premium is the member's alone, on min(410,000, cap 320,000) =
/// 320,000, paid in cash (exact here): 一般 × 95/1000 = 30,400; 調整 × 1.3/1000 = 416; 介護
/// × 18/1000 = 5,760; 支援金 × 2.3/1000 = 736; total 37,312, due 2026-05-10 (164条). Nothing is
/// paid: on the 10th itself the member is not yet late; on the 11th the non-payment run makes
/// them lose status on the day after the due day, 2026-05-11 (38条3号): covered on the 10th, not
/// on the 11th.
#[tokio::test]
async fn a_voluntary_member_who_does_not_pay_by_the_tenth_loses_on_the_eleventh() {
    for backend in BACKENDS {
        let (_db, store, cast) = setup(backend, "nonpay").await;
        let m = cast.member_id();
        let event = |line, received_on, change| NewEvent { line, received_on, change };
        let retire =
            Change::Lose { who: PersonRef::Id(m), reason: LossReason::Retirement, event_day: day(2026, 3, 31) };
        store
            .apply_events(&staff(), "events", "loss.csv", "sha-loss", &[event(1, day(2026, 4, 2), retire)])
            .await
            .unwrap();
        let voluntary = Change::Voluntary { who: PersonRef::Id(m), applied_on: day(2026, 4, 10) };
        store
            .apply_events(&staff(), "events", "vol.csv", "sha-vol", &[event(1, day(2026, 4, 10), voluntary)])
            .await
            .unwrap();

        set_rates(&store).await;
        store.run_premium_month(&collection(), ym(2026, 5)).await.unwrap();
        let invoices = store.invoices(&collection(), Some(ym(2026, 5))).await.unwrap();
        let payer = voluntary_payer(m);
        let v = invoices.iter().find(|i| i.payer == payer).expect("the 任意継続 is invoiced");
        assert_eq!(
            (v.payer_kind.as_str(), v.due_on.as_str(), v.members, v.member_total, v.employer_total, v.total),
            ("voluntary", "2026-05-10", 1, 37_312, 0, 37_312),
            "{backend}: {v:?}"
        );
        // No longer on the employer's invoice (喪失日 04-01 is before May).
        let a = invoices.iter().find(|i| i.payer == cast.employer()).unwrap();
        let lines = store.invoice_lines(&collection(), a.id).await.unwrap();
        assert!(!lines.iter().any(|l| l.person_id == m), "{backend}");

        let on_due = store.voluntary_unpaid(&collection(), day(2026, 5, 10)).await.unwrap();
        assert!(!on_due.iter().any(|u| u.0 == m), "{backend}: not late on the due day: {on_due:?}");
        let late = store.voluntary_unpaid(&collection(), day(2026, 5, 11)).await.unwrap();
        assert!(late.contains(&(m, ym(2026, 5), day(2026, 5, 10))), "{backend}: {late:?}");

        let s = kenpo_app::premiums::voluntary_non_payment(&store, &staff(), day(2026, 5, 11)).await.unwrap();
        assert!(s.lost >= 1, "{backend}: {s:?}");
        let on = |d: NaiveDate| {
            let store = &store;
            async move { store.coverage_as_of(&staff(), d, &[m]).await.unwrap().remove(0) }
        };
        let before = on(day(2026, 5, 10)).await;
        assert!(before.covered, "{backend}: covered on the due day");
        assert_eq!(
            (before.kind.as_str(), before.acquired_on.as_deref(), before.lost_on.as_deref()),
            ("voluntary", Some("2026-04-01"), Some("2026-05-11")),
            "{backend}"
        );
        assert!(!on(day(2026, 5, 11)).await.covered, "{backend}: lost on the 11th");
        let h = store.person_history(&staff(), m).await.unwrap();
        let loss = h.events.iter().rev().find(|e| e.kind == "lose").expect("the non-payment loss");
        assert_eq!(
            (loss.effective_on.as_str(), loss.reason.as_deref()),
            ("2026-05-11", Some("non_payment")),
            "{backend}"
        );
        store.close().await;
    }
}
