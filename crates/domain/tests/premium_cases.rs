//! Hand-worked cases for 標準報酬月額 / 標準賞与額 (`kenpo_domain::remuneration`) and 保険料
//! (`kenpo_domain::premium`).
//!
//! Every expected value below was derived by hand from
//! `shared/reference/rules-benefits-premiums-privacy.md` §1 (grade table §1.1, 標準賞与額 §1.2,
//! determinations §1.3) and §2 (rates, split, 介護, 子ども・子育て支援金, month rule, 50銭 rule),
//! plus 健康保険法 159条/159条の3 (exemptions), 165条 and 施行令49条 (前納: 年4分の複利現価法,
//! discounted "前納に係る期間の最初の月から当該各月まで"), never by running the code. The comment of
//! each test shows the arithmetic.
//!
//! Conventions:
//! * grade ranges read "≥ lower, < next lower" (§1.1), e.g. 22級 300,000 is 290,000–309,999;
//! * averages truncate below 1 yen (the 届's 平均額 has no fractions);
//! * rates are in ppm of the 標準報酬 (45/1000 = 45,000 ppm), so products are millionths of a yen
//!   (µ¥) before the 50銭 rule;
//! * the employer's share of a line = (whole line, 円未満切捨て) − the member's share (§2 "the
//!   employer pays the remainder");
//! * an age is reached at the end of the day before the birthday (年齢計算ニ関スル法律).

use chrono::NaiveDate;
use kenpo_domain::date::fiscal_year_of;
use kenpo_domain::premium::{
    self, Component, Due, Leave, MonthFacts, Paid, RateError, RateSet, Rounding, SideRates, bonus_exempt, care_month,
    month_charged, month_exempt, prepaid, reconcile, round_share, voluntary_standard,
};
use kenpo_domain::remuneration::{
    self, AnnualInput, DeterminationKind, InterimInput, LeaveKind, PayChange, PayMonth, WorkerKind, annual,
    annual_excluded, interim, leave_end, until_august,
};
use kenpo_domain::{YearMonth, Yen};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

/// Whether some line of the reasoning mentions `needle` (a figure or a date, not a sentence).
fn mentions(reasoning: &[String], needle: &str) -> bool {
    reasoning.iter().any(|line| line.contains(needle))
}

fn pay(month: YearMonth, base_days: u32, cash: Yen) -> PayMonth {
    PayMonth { month, base_days, cash, in_kind: 0 }
}

/// A 算定基礎届 for April–June of `year`: (支払基礎日数, 報酬) per month.
fn annual_input(
    year: i32,
    m: [(u32, Yen); 3],
    worker: WorkerKind,
    current: Option<Yen>,
    yearly: Option<Yen>,
) -> AnnualInput {
    AnnualInput {
        year,
        months: [pay(ym(year, 4), m[0].0, m[0].1), pay(ym(year, 5), m[1].0, m[1].1), pay(ym(year, 6), m[2].0, m[2].1)],
        worker,
        current,
        yearly_average: yearly,
    }
}

/// Three months from `first` (the month the changed fixed pay was first paid).
fn three(first: YearMonth, m: [(u32, Yen); 3]) -> [PayMonth; 3] {
    let second = first.next();
    let third = second.next();
    [pay(first, m[0].0, m[0].1), pay(second, m[1].0, m[1].1), pay(third, m[2].0, m[2].1)]
}

fn interim_input(
    first: YearMonth,
    m: [(u32, Yen); 3],
    worker: WorkerKind,
    change: PayChange,
    current: Yen,
    previous_pay: Option<Yen>,
) -> InterimInput {
    InterimInput { months: three(first, m), worker, change, current, previous_pay }
}

fn sr(member: i64, employer: i64) -> SideRates {
    SideRates { member, employer }
}

/// Realistic society rates (the brief's figures):
/// 一般 = 基本 25,000/28,000 + 特定 20,000/22,000 → member 45,000 ppm, employer 50,000 ppm;
/// 調整 650/650; 介護 9,000/9,000; 子ども・子育て支援金 1,150/1,150 from 2026-04 only;
/// 任意継続 cap 320,000.
fn rates_from(from: YearMonth, support: SideRates) -> RateSet {
    RateSet {
        effective_from: from,
        basic: sr(25_000, 28_000),
        specific: sr(20_000, 22_000),
        adjustment: sr(650, 650),
        care: sr(9_000, 9_000),
        support,
        care_for_specified: false,
        voluntary_cap: 320_000,
    }
}

fn realistic_rates() -> Vec<RateSet> {
    vec![rates_from(ym(2025, 4), sr(0, 0)), rates_from(ym(2026, 4), sr(1_150, 1_150))]
}

/// Rates built so that 58,000 × the member's general rate ends in exactly 50銭: 一般 member
/// 30,000 + 15,250 = 45,250 ppm, employer the same; nothing else.
fn half_yen_rates() -> Vec<RateSet> {
    vec![RateSet {
        effective_from: ym(2025, 4),
        basic: sr(30_000, 30_000),
        specific: sr(15_250, 15_250),
        adjustment: sr(0, 0),
        care: sr(0, 0),
        support: sr(0, 0),
        care_for_specified: false,
        voluntary_cap: 320_000,
    }]
}

/// A member in service since 2020-04-01, no loss, no leave, withheld from pay.
fn facts(month: YearMonth, birth: NaiveDate, standard: Yen) -> MonthFacts {
    MonthFacts {
        month,
        birth,
        acquired_on: d(2020, 4, 1),
        lost_on: None,
        standard,
        voluntary: false,
        leaves: Vec::new(),
        care_dependant: false,
        rounding: Rounding::Withheld,
    }
}

/// Born 1980-05-10: 40 reached 2020-05-09, 65 reached 2045-05-09 → 介護2号 throughout 2025–2027.
fn care_age_birth() -> NaiveDate {
    d(1980, 5, 10)
}

/// Born 1995-01-01: 31 in 2026, no 介護.
fn young_birth() -> NaiveDate {
    d(1995, 1, 1)
}

fn line(p: &premium::Premium, c: Component) -> Option<(Yen, Yen)> {
    p.lines.iter().find(|l| l.component == c).map(|l| (l.member, l.employer))
}

// ───────────────────────────── 定時決定 (41条) ─────────────────────────────

#[test]
fn annual_leaves_out_a_month_of_16_days_and_counts_one_of_17() {
    // §1.3: drop months with fewer than 17 支払基礎日数.
    // Apr 17 days 300,000 (counted), May 16 days 200,000 (dropped), Jun 20 days 310,000.
    // Average (300,000 + 310,000) / 2 = 610,000 / 2 = 305,000 → 22級 (290,000 ≤ 305,000 <
    // 310,000) → 300,000.
    let r = annual(&annual_input(2026, [(17, 300_000), (16, 200_000), (20, 310_000)], WorkerKind::Regular, None, None))
        .unwrap();
    assert_eq!(r.value.kind, DeterminationKind::Annual);
    assert_eq!(r.value.counted, vec![ym(2026, 4), ym(2026, 6)]);
    assert_eq!(r.value.average, 305_000);
    assert_eq!((r.value.grade, r.value.monthly_amount), (22, 300_000));
    assert!(mentions(&r.reasoning, "305,000円"), "{:?}", r.reasoning);

    // The same pay with May at 17 days: all three count. (300,000 + 200,000 + 310,000) / 3 =
    // 810,000 / 3 = 270,000 → 21級 (270,000 ≤ x < 290,000) → 280,000.
    let r = annual(&annual_input(2026, [(17, 300_000), (17, 200_000), (20, 310_000)], WorkerKind::Regular, None, None))
        .unwrap();
    assert_eq!(r.value.counted.len(), 3);
    assert_eq!(r.value.average, 270_000);
    assert_eq!((r.value.grade, r.value.monthly_amount), (21, 280_000));
}

#[test]
fn annual_with_all_three_months_counted_truncates_the_average_and_runs_september_to_august() {
    // 310,000 + 310,000 + 309,999 = 929,999; / 3 = 309,999.67 → truncated 309,999 → 22級
    // (< 310,000) → 300,000 (rounding up would have given 310,000 → 23級).
    // §1.3: effective Sep (2026-09) to next Aug (2027-08).
    let r = annual(&annual_input(2026, [(30, 310_000), (31, 310_000), (30, 309_999)], WorkerKind::Regular, None, None))
        .unwrap();
    assert_eq!(r.value.kind, DeterminationKind::Annual);
    assert_eq!(r.value.counted, vec![ym(2026, 4), ym(2026, 5), ym(2026, 6)]);
    assert_eq!(r.value.average, 309_999);
    assert_eq!((r.value.grade, r.value.monthly_amount), (22, 300_000));
    assert_eq!(r.value.effective_from, ym(2026, 9));
    assert_eq!(r.value.effective_until, ym(2027, 8));
}

#[test]
fn annual_adds_pay_in_kind_to_cash() {
    // 報酬 = 通貨 + 現物: 250,000 + 20,000 = 270,000 each month → average 270,000 → 21級, whose
    // lower bound 270,000 is inclusive → 280,000.
    let mk = |m| PayMonth { month: ym(2026, m), base_days: 20, cash: 250_000, in_kind: 20_000 };
    let input = AnnualInput {
        year: 2026,
        months: [mk(4), mk(5), mk(6)],
        worker: WorkerKind::Regular,
        current: None,
        yearly_average: None,
    };
    let r = annual(&input).unwrap();
    assert_eq!(r.value.average, 270_000);
    assert_eq!((r.value.grade, r.value.monthly_amount), (21, 280_000));
}

#[test]
fn annual_part_timer_with_no_17_day_month_falls_back_to_months_of_15_days() {
    // パート: 17 days, else 15. Apr 16 days 150,000; May 15 days 140,000; Jun 14 days 100,000.
    // No month ≥ 17 → months ≥ 15: Apr, May. (150,000 + 140,000) / 2 = 145,000 → 11級
    // (138,000 ≤ x < 146,000) → 142,000. June (14 days) stays out.
    let r =
        annual(&annual_input(2026, [(16, 150_000), (15, 140_000), (14, 100_000)], WorkerKind::PartTime, None, None))
            .unwrap();
    assert_eq!(r.value.kind, DeterminationKind::Annual);
    assert_eq!(r.value.counted, vec![ym(2026, 4), ym(2026, 5)]);
    assert_eq!(r.value.average, 145_000);
    assert_eq!((r.value.grade, r.value.monthly_amount), (11, 142_000));
}

#[test]
fn annual_part_timer_with_one_17_day_month_uses_only_that_month() {
    // The 15-day fallback applies only when no month reaches 17. Apr 17 days 160,000 counts;
    // May (16) and Jun (15) do not. 160,000 → 13級 (155,000 ≤ x < 165,000) → 160,000.
    let r =
        annual(&annual_input(2026, [(17, 160_000), (16, 140_000), (15, 140_000)], WorkerKind::PartTime, None, None))
            .unwrap();
    assert_eq!(r.value.counted, vec![ym(2026, 4)]);
    assert_eq!(r.value.average, 160_000);
    assert_eq!((r.value.grade, r.value.monthly_amount), (13, 160_000));
}

#[test]
fn annual_short_time_worker_counts_months_of_11_days() {
    // 特定適用 short-time worker: 11 days. Apr 11 days 120,000 (counted); May 10 days 90,000
    // (dropped); Jun 12 days 124,000 (counted). (120,000 + 124,000) / 2 = 122,000 → 9級, lower
    // bound 122,000 inclusive → 126,000.
    let r =
        annual(&annual_input(2026, [(11, 120_000), (10, 90_000), (12, 124_000)], WorkerKind::ShortTime, None, None))
            .unwrap();
    assert_eq!(r.value.counted, vec![ym(2026, 4), ym(2026, 6)]);
    assert_eq!(r.value.average, 122_000);
    assert_eq!((r.value.grade, r.value.monthly_amount), (9, 126_000));
}

#[test]
fn annual_with_no_countable_month_keeps_the_previous_amount() {
    // パート with 14, 13, 14 days: none ≥ 17, none ≥ 15 → nothing to average → 従前の標準報酬
    // 300,000 (22級) is kept, still for 2026-09 to 2027-08.
    let r = annual(&annual_input(
        2026,
        [(14, 90_000), (13, 80_000), (14, 95_000)],
        WorkerKind::PartTime,
        Some(300_000),
        None,
    ))
    .unwrap();
    assert_eq!(r.value.kind, DeterminationKind::AnnualKept);
    assert_eq!((r.value.grade, r.value.monthly_amount), (22, 300_000));
    assert!(r.value.counted.is_empty());
    assert_eq!(r.value.effective_from, ym(2026, 9));
    assert_eq!(r.value.effective_until, ym(2027, 8));
}

#[test]
fn annual_yearly_average_is_applied_at_exactly_two_grades_difference() {
    // 保険者算定: normal Apr–Jun average 400,000 → 27級 (395,000 ≤ x < 425,000) 410,000; the
    // yearly average 360,000 → 25級 (350,000 ≤ x < 370,000) 360,000. 27 − 25 = 2 ≥ 2 → the
    // yearly average decides: 25級 360,000.
    let r = annual(&annual_input(
        2026,
        [(20, 400_000), (20, 400_000), (20, 400_000)],
        WorkerKind::Regular,
        None,
        Some(360_000),
    ))
    .unwrap();
    assert_eq!(r.value.kind, DeterminationKind::AnnualYearly);
    assert_eq!((r.value.grade, r.value.monthly_amount), (25, 360_000));
    assert_eq!(r.value.average, 360_000);
}

#[test]
fn annual_yearly_average_is_not_applied_at_one_grade_difference() {
    // Normal 400,000 → 27級; yearly 380,000 → 26級 (370,000 ≤ x < 395,000). 27 − 26 = 1 < 2 →
    // the normal calculation stands: 27級 410,000, average 400,000.
    let r = annual(&annual_input(
        2026,
        [(20, 400_000), (20, 400_000), (20, 400_000)],
        WorkerKind::Regular,
        None,
        Some(380_000),
    ))
    .unwrap();
    assert_eq!(r.value.kind, DeterminationKind::Annual);
    assert_eq!((r.value.grade, r.value.monthly_amount), (27, 410_000));
    assert_eq!(r.value.average, 400_000);
}

#[test]
fn annual_is_skipped_for_acquisition_on_1_june_and_on_1_july() {
    // 41条3項 (§1.3): skipped for those who acquired status 1 Jun – 1 Jul (both ends included).
    assert!(annual_excluded(2026, d(2026, 6, 1), None).is_some());
    assert!(annual_excluded(2026, d(2026, 7, 1), None).is_some());
    // 31 May is before the window: that person is employed on 1 July and gets a 定時決定
    // (their 資格取得時決定 ran only to 2026-08).
    assert!(annual_excluded(2026, d(2026, 5, 31), None).is_none());
}

#[test]
fn annual_is_made_in_the_next_year_for_an_acquisition_on_2_july() {
    // Acquired 2025-07-02: employed on 1 July 2026, not in the 2026-06-01..07-01 window → the
    // 2026 定時決定 is made.
    assert!(annual_excluded(2026, d(2025, 7, 2), None).is_none());
}

#[test]

fn annual_is_not_made_the_same_year_for_an_acquisition_on_2_july() {
    // §1.3: 定時決定 is for "those employed on 1 July" (41条1項 7月1日現に使用される者). Someone
    // who acquired on 2026-07-02 was not employed on 2026-07-01, so no 2026 定時決定 is made for
    // them (their 資格取得時決定 runs to 2027-08). The function documents itself as "whether a
    // 定時決定 is made for someone this year", so it should say so (Some).
    assert!(annual_excluded(2026, d(2026, 7, 2), None).is_some());
}

#[test]
fn annual_is_skipped_for_a_revision_from_july_august_or_september_but_not_october() {
    // 41条3項: revised (随時改定 etc.) from Jul, Aug or Sep of the year → skipped; from Oct (or
    // Jun) → the 定時決定 is made; a revision from Aug of the previous year does not count.
    let acq = d(2020, 4, 1);
    assert!(annual_excluded(2026, acq, Some(ym(2026, 7))).is_some());
    assert!(annual_excluded(2026, acq, Some(ym(2026, 8))).is_some());
    assert!(annual_excluded(2026, acq, Some(ym(2026, 9))).is_some());
    assert!(annual_excluded(2026, acq, Some(ym(2026, 10))).is_none());
    assert!(annual_excluded(2026, acq, Some(ym(2026, 6))).is_none());
    assert!(annual_excluded(2026, acq, Some(ym(2025, 8))).is_none());
    assert!(annual_excluded(2026, acq, None).is_none());
}

// ───────────────────────────── 資格取得時決定 (42条) ─────────────────────────────

#[test]
fn acquisition_in_may_runs_to_august_of_the_same_year() {
    // §1.3: acquired Jan–May → to August of that year. 2026-05-20 → 2026-05 .. 2026-08.
    // 250,000 → 20級 (250,000 ≤ x < 270,000) → 260,000.
    let r = remuneration::acquisition(d(2026, 5, 20), 250_000).unwrap();
    assert_eq!(r.value.kind, DeterminationKind::Acquisition);
    assert_eq!((r.value.grade, r.value.monthly_amount), (20, 260_000));
    assert_eq!(r.value.effective_from, ym(2026, 5));
    assert_eq!(r.value.effective_until, ym(2026, 8));
    // 2026-01-05 (January) → also 2026-08.
    assert_eq!(remuneration::acquisition(d(2026, 1, 5), 250_000).unwrap().value.effective_until, ym(2026, 8));
}

#[test]
fn acquisition_in_june_runs_to_august_of_the_next_year() {
    // §1.3: acquired Jun–Dec → to the next August. 2026-06-01 → 2027-08; 2026-12-31 → 2027-08.
    let r = remuneration::acquisition(d(2026, 6, 1), 250_000).unwrap();
    assert_eq!(r.value.effective_from, ym(2026, 6));
    assert_eq!(r.value.effective_until, ym(2027, 8));
    let r = remuneration::acquisition(d(2026, 12, 31), 250_000).unwrap();
    assert_eq!(r.value.effective_from, ym(2026, 12));
    assert_eq!(r.value.effective_until, ym(2027, 8));
}

#[test]
fn until_august_is_that_august_for_january_to_june_and_the_next_for_july_to_december() {
    // 43条2項: revised Jan–Jun → that August; Jul–Dec → the next August.
    assert_eq!(until_august(ym(2026, 6)), ym(2026, 8));
    assert_eq!(until_august(ym(2026, 7)), ym(2027, 8));
    assert_eq!(until_august(ym(2027, 1)), ym(2027, 8));
    assert_eq!(until_august(ym(2026, 12)), ym(2027, 8));
}

// ───────────────────────────── 随時改定 (43条) ─────────────────────────────

#[test]
fn interim_at_exactly_two_grades_from_an_april_change_revises_from_july_to_the_next_august() {
    // Current 300,000 = 22級. Raise first paid in April 2026; Apr, May, Jun 20 days, 330,000
    // each → average 330,000 → 24級 (330,000 ≤ x < 350,000) 340,000. 24 − 22 = 2 → revise.
    // 4th month from April (Apr=1, May=2, Jun=3) → July 2026; revised from July (Jul–Dec) → to
    // the next August, 2027-08.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 330_000), (20, 330_000), (20, 330_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        300_000,
        None,
    ))
    .unwrap();
    let v = r.value.expect("2 grades up revises");
    assert_eq!(v.kind, DeterminationKind::Interim);
    assert_eq!((v.grade, v.monthly_amount), (24, 340_000));
    assert_eq!(v.average, 330_000);
    assert_eq!(v.effective_from, ym(2026, 7));
    assert_eq!(v.effective_until, ym(2027, 8));
    assert_eq!(v.counted, vec![ym(2026, 4), ym(2026, 5), ym(2026, 6)]);
}

#[test]
fn interim_from_an_october_change_revises_from_january_to_that_august() {
    // Change in Oct 2026: Oct, Nov, Dec → 4th month Jan 2027; Jan is in Jan–Jun → to 2027-08.
    let r = interim(&interim_input(
        ym(2026, 10),
        [(20, 330_000), (20, 330_000), (20, 330_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        300_000,
        None,
    ))
    .unwrap();
    let v = r.value.expect("2 grades up revises");
    assert_eq!(v.effective_from, ym(2027, 1));
    assert_eq!(v.effective_until, ym(2027, 8));
}

#[test]
fn interim_from_a_march_change_revises_from_june_to_that_august() {
    // Change in Mar 2026: Mar, Apr, May → 4th month Jun 2026 (Jan–Jun) → to 2026-08.
    let r = interim(&interim_input(
        ym(2026, 3),
        [(20, 330_000), (20, 330_000), (20, 330_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        300_000,
        None,
    ))
    .unwrap();
    let v = r.value.expect("2 grades up revises");
    assert_eq!(v.effective_from, ym(2026, 6));
    assert_eq!(v.effective_until, ym(2026, 8));
}

#[test]
fn interim_at_one_grade_difference_does_not_revise() {
    // Current 22級 300,000; average 329,999 → 23級 (310,000 ≤ x < 330,000). 23 − 22 = 1 < 2
    // → no revision.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 329_999), (20, 329_999), (20, 329_999)],
        WorkerKind::Regular,
        PayChange::Raise,
        300_000,
        None,
    ))
    .unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_with_a_month_of_16_days_does_not_revise() {
    // Each of the 3 months needs ≥ 17 days. May has 16 → no revision, even though 400,000 →
    // 27級 is 5 grades above 22級.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 400_000), (16, 400_000), (20, 400_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        300_000,
        None,
    ))
    .unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_with_a_raise_but_a_falling_average_does_not_revise() {
    // §1.3: "not triggered if fixed pay rose but the average fell, or the reverse".
    // Raise, current 22級, average 250,000 → 20級: 2 grades down against a raise → none.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 250_000), (20, 250_000), (20, 250_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        300_000,
        None,
    ))
    .unwrap();
    assert_eq!(r.value, None);
    // Cut, average 340,000 → 24級: 2 grades up against a cut → none.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 340_000), (20, 340_000), (20, 340_000)],
        WorkerKind::Regular,
        PayChange::Cut,
        300_000,
        None,
    ))
    .unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_cut_of_two_grades_revises_down() {
    // Cut, current 22級 300,000. 270,000 + 270,000 + 269,997 = 809,997; / 3 = 269,999 → 20級
    // (250,000 ≤ x < 270,000) 260,000. 22 − 20 = 2 → revised to 260,000 from the 4th month.
    let r = interim(&interim_input(
        ym(2026, 5),
        [(20, 270_000), (20, 270_000), (20, 269_997)],
        WorkerKind::Regular,
        PayChange::Cut,
        300_000,
        None,
    ))
    .unwrap();
    let v = r.value.expect("2 grades down revises");
    assert_eq!(v.average, 269_999);
    assert_eq!((v.grade, v.monthly_amount), (20, 260_000));
    // May, Jun, Jul → Aug 2026 (Jul–Dec) → to 2027-08.
    assert_eq!(v.effective_from, ym(2026, 8));
    assert_eq!(v.effective_until, ym(2027, 8));
}

#[test]
fn interim_for_a_short_time_worker_needs_11_days_not_17() {
    // ShortTime: 11, 12, 11 days all ≥ 11. Current 98,000 (5級); average 118,000 → 8級
    // (114,000 ≤ x < 122,000) 118,000. 8 − 5 = 3 → revised; May → Aug 2026 → to 2027-08.
    let m = [(11, 118_000), (12, 118_000), (11, 118_000)];
    let r = interim(&interim_input(ym(2026, 5), m, WorkerKind::ShortTime, PayChange::Raise, 98_000, None)).unwrap();
    let v = r.value.expect("3 grades up revises");
    assert_eq!((v.grade, v.monthly_amount), (8, 118_000));
    assert_eq!(v.effective_from, ym(2026, 8));
    // The same days for a regular worker (17 needed) → no revision.
    let r = interim(&interim_input(ym(2026, 5), m, WorkerKind::Regular, PayChange::Raise, 98_000, None)).unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_from_grade_49_reaches_50_with_an_average_of_1_415_000() {
    // Top exception (保発第4号): 49級 1,330,000 → 50級 when the average is ≥ 1,415,000 (one
    // grade suffices). Average 1,415,000 → 50級 (≥ 1,355,000) 1,390,000 → revised.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 1_415_000), (20, 1_415_000), (20, 1_415_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        1_330_000,
        None,
    ))
    .unwrap();
    let v = r.value.expect("49→50 exception");
    assert_eq!((v.grade, v.monthly_amount), (50, 1_390_000));
    assert_eq!(v.average, 1_415_000);
}

#[test]
fn interim_from_grade_49_does_not_reach_50_with_an_average_of_1_414_999() {
    // 1,415,000 + 1,415,000 + 1,414,997 = 4,244,997; / 3 = 1,414,999 → 50級 by the table but one
    // grade only and under 1,415,000 → no revision.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 1_415_000), (20, 1_415_000), (20, 1_414_997)],
        WorkerKind::Regular,
        PayChange::Raise,
        1_330_000,
        None,
    ))
    .unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_from_grade_1_with_previous_pay_52_999_reaches_grade_2() {
    // Bottom exception: 1級 58,000 whose 報酬月額 was < 53,000 (52,999) raised to an average of
    // 63,000 → 2級 (63,000 ≤ x < 73,000) 68,000: one grade, revised.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 63_000), (20, 63_000), (20, 63_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        58_000,
        Some(52_999),
    ))
    .unwrap();
    let v = r.value.expect("1→2 exception");
    assert_eq!((v.grade, v.monthly_amount), (2, 68_000));
}

#[test]
fn interim_from_grade_1_with_previous_pay_53_000_does_not_revise() {
    // Previous pay 53,000 is not < 53,000 → no exception; 1 grade only → no revision.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 63_000), (20, 63_000), (20, 63_000)],
        WorkerKind::Regular,
        PayChange::Raise,
        58_000,
        Some(53_000),
    ))
    .unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_cut_from_grade_50_to_49_needs_previous_pay_of_1_415_000() {
    // 50級 1,390,000 whose 報酬月額 was ≥ 1,415,000, cut to an average of 1,300,000 → 49級
    // (1,295,000 ≤ x < 1,355,000) 1,330,000: one grade, revised.
    let m = [(20, 1_300_000), (20, 1_300_000), (20, 1_300_000)];
    let r = interim(&interim_input(ym(2026, 4), m, WorkerKind::Regular, PayChange::Cut, 1_390_000, Some(1_415_000)))
        .unwrap();
    let v = r.value.expect("50→49 exception");
    assert_eq!((v.grade, v.monthly_amount), (49, 1_330_000));
    // Previous pay 1,414,999 (< 1,415,000) → no exception → one grade → no revision.
    let r = interim(&interim_input(ym(2026, 4), m, WorkerKind::Regular, PayChange::Cut, 1_390_000, Some(1_414_999)))
        .unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn interim_cut_from_grade_2_to_1_needs_an_average_under_53_000() {
    // 2級 68,000 cut to an average of 52,999 (< 53,000) → 1級 58,000: revised.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 52_999), (20, 52_999), (20, 52_999)],
        WorkerKind::Regular,
        PayChange::Cut,
        68_000,
        None,
    ))
    .unwrap();
    let v = r.value.expect("2→1 exception");
    assert_eq!((v.grade, v.monthly_amount), (1, 58_000));
    // Average 53,000: still 1級 by the table (< 63,000), but not < 53,000 → no revision.
    let r = interim(&interim_input(
        ym(2026, 4),
        [(20, 53_000), (20, 53_000), (20, 53_000)],
        WorkerKind::Regular,
        PayChange::Cut,
        68_000,
        None,
    ))
    .unwrap();
    assert_eq!(r.value, None);
}

// ───────────────────────────── 育児休業等終了時改定 (43条の2) ─────────────────────────────

#[test]
fn childcare_end_revises_at_one_grade_from_the_fourth_month() {
    // Leave ended 2026-06-30 → the day after is 2026-07-01 → July, Aug, Sep. July 10 days (< 17,
    // left out); Aug 20 days 280,000; Sep 20 days 290,000. (280,000 + 290,000) / 2 = 285,000 →
    // 21級 (270,000 ≤ x < 290,000) 280,000. Current 22級 300,000: 1 grade suffices.
    // 4th month: Jul=1, Aug=2, Sep=3 → Oct 2026 (起算 07-01, 2月を経過した日 = 09-01 in Sep →
    // from the next month, Oct). Oct is in Jul–Dec → to 2027-08.
    let months = three(ym(2026, 7), [(10, 100_000), (20, 280_000), (20, 290_000)]);
    let r = leave_end(LeaveKind::Childcare, d(2026, 6, 30), &months, WorkerKind::Regular, 300_000).unwrap();
    let v = r.value.expect("1 grade revises");
    assert_eq!(v.kind, DeterminationKind::ChildcareEnd);
    assert_eq!(v.counted, vec![ym(2026, 8), ym(2026, 9)]);
    assert_eq!(v.average, 285_000);
    assert_eq!((v.grade, v.monthly_amount), (21, 280_000));
    assert_eq!(v.effective_from, ym(2026, 10));
    assert_eq!(v.effective_until, ym(2027, 8));
}

#[test]
fn childcare_end_at_the_same_grade_does_not_revise() {
    // Ended 2026-05-15 → day after 05-16 in May → May, Jun, Jul at 295,000 → 22級 (290,000 ≤ x
    // < 310,000) = current 22級 → no revision.
    let months = three(ym(2026, 5), [(20, 295_000), (20, 295_000), (20, 295_000)]);
    let r = leave_end(LeaveKind::Childcare, d(2026, 5, 15), &months, WorkerKind::Regular, 300_000).unwrap();
    assert_eq!(r.value, None);
}

#[test]
fn childcare_end_in_mid_month_counts_from_that_month() {
    // Ended 2026-05-15 → May, Jun, Jul at 320,000 → 23級 (310,000 ≤ x < 330,000) 320,000 vs
    // current 22級 → revised from the 4th month, Aug 2026 (起算 05-16, 2月経過 07-16 in Jul →
    // from Aug) → to 2027-08.
    let months = three(ym(2026, 5), [(20, 320_000), (20, 320_000), (20, 320_000)]);
    let r = leave_end(LeaveKind::Childcare, d(2026, 5, 15), &months, WorkerKind::Regular, 300_000).unwrap();
    let v = r.value.expect("1 grade revises");
    assert_eq!((v.grade, v.monthly_amount), (23, 320_000));
    assert_eq!(v.effective_from, ym(2026, 8));
    assert_eq!(v.effective_until, ym(2027, 8));
}

// ───────────────────────────── 標準賞与額 (45条) ─────────────────────────────

#[test]
fn standard_bonus_is_truncated_to_1_000_yen() {
    // 1,234,567 → 1,234,000; 999 → 0.
    assert_eq!(remuneration::bonus(d(2026, 7, 10), 1_234_567, 0).unwrap().value, 1_234_000);
    assert_eq!(remuneration::bonus(d(2026, 7, 10), 999, 0).unwrap().value, 0);
}

#[test]
fn standard_bonus_cap_of_5_730_000_is_crossed_within_a_fiscal_year() {
    // FY2026 = 2026-04 .. 2027-03 (the running total is the caller's, by 年度).
    assert_eq!(fiscal_year_of(d(2026, 7, 10)), 2026);
    assert_eq!(fiscal_year_of(d(2027, 3, 15)), 2026);
    assert_eq!(fiscal_year_of(d(2027, 4, 10)), 2027);
    // July: 3,000,000 with 0 so far → 3,000,000 (total 3,000,000).
    assert_eq!(remuneration::bonus(d(2026, 7, 10), 3_000_000, 0).unwrap().value, 3_000_000);
    // December: 3,000,000 with 3,000,000 so far → room 5,730,000 − 3,000,000 = 2,730,000.
    let r = remuneration::bonus(d(2026, 12, 10), 3_000_000, 3_000_000).unwrap();
    assert_eq!(r.value, 2_730_000);
    assert!(mentions(&r.reasoning, "2,730,000円"), "{:?}", r.reasoning);
    // March 2027 (still FY2026): total 5,730,000 → room 0 → 0.
    assert_eq!(remuneration::bonus(d(2027, 3, 15), 1_000_000, 5_730_000).unwrap().value, 0);
    // April 2027 (FY2027): total restarts at 0 → 1,000,000 in full.
    assert_eq!(remuneration::bonus(d(2027, 4, 10), 1_000_000, 0).unwrap().value, 1_000_000);
}

#[test]
fn standard_bonus_truncates_before_the_cap() {
    // 2,730,999 with 3,000,000 so far: truncated 2,730,000 fits the room 2,730,000 exactly.
    assert_eq!(remuneration::bonus(d(2026, 12, 10), 2_730_999, 3_000_000).unwrap().value, 2_730_000);
}

// ───────────────────────────── 50銭 rule ─────────────────────────────

#[test]
fn withheld_share_drops_exactly_50_sen_and_rounds_up_above() {
    // Withheld from pay: ≤ 0.50 dropped, > 0.50 up.
    // 2,624.500000 → 2,624; 2,624.500001 → 2,625; 2,624.499999 → 2,624; 2,624.000000 → 2,624.
    assert_eq!(round_share(2_624_500_000, Rounding::Withheld), 2_624);
    assert_eq!(round_share(2_624_500_001, Rounding::Withheld), 2_625);
    assert_eq!(round_share(2_624_499_999, Rounding::Withheld), 2_624);
    assert_eq!(round_share(2_624_000_000, Rounding::Withheld), 2_624);
}

#[test]
fn cash_share_drops_under_50_sen_and_rounds_up_exactly_50_sen() {
    // Cash: < 0.50 dropped, ≥ 0.50 up.
    // 2,624.499999 → 2,624; 2,624.500000 → 2,625; 2,624.000000 → 2,624.
    assert_eq!(round_share(2_624_499_999, Rounding::Cash), 2_624);
    assert_eq!(round_share(2_624_500_000, Rounding::Cash), 2_625);
    assert_eq!(round_share(2_624_000_000, Rounding::Cash), 2_624);
}

#[test]
fn monthly_member_share_of_exactly_half_a_yen_is_dropped_when_withheld() {
    // Standard 58,000; general member 45,250 ppm, employer 45,250 ppm (total 90,500).
    // Choice: 58 × r ≡ 500 (mod 1000) ⇔ r ≡ 250 (mod 500) → r = 45,250.
    // Whole: 58,000 × 90,500 = 5,249,000,000 µ¥ = 5,249.000 → 5,249.
    // Member: 58,000 × 45,250 = 2,624,500,000 µ¥ = 2,624.5 → withheld (≤ .5 dropped) → 2,624.
    // Employer: 5,249 − 2,624 = 2,625.
    let f = facts(ym(2025, 10), young_birth(), 58_000);
    let p = premium::monthly(&half_yen_rates(), &f).unwrap().value;
    assert_eq!(p.lines.len(), 1);
    assert_eq!(line(&p, Component::General), Some((2_624, 2_625)));
    assert_eq!((p.member, p.employer), (2_624, 2_625));
    assert_eq!(p.total(), 5_249);
}

#[test]
fn monthly_member_share_of_exactly_half_a_yen_is_rounded_up_when_paid_in_cash() {
    // Same figures paid in cash: 2,624.5 → ≥ .5 up → 2,625; employer 5,249 − 2,625 = 2,624.
    let mut f = facts(ym(2025, 10), young_birth(), 58_000);
    f.rounding = Rounding::Cash;
    let p = premium::monthly(&half_yen_rates(), &f).unwrap().value;
    assert_eq!(line(&p, Component::General), Some((2_625, 2_624)));
    assert_eq!((p.member, p.employer), (2_625, 2_624));
}

// ───────────────────────────── 介護 (2号) ─────────────────────────────

#[test]
fn care_starts_the_month_before_a_40th_birthday_on_the_1st() {
    // Born 1986-08-01: 40 reached on 2026-07-31 (the day before the birthday) → charged from
    // 2026-07; 2026-06 is not charged.
    assert!(!care_month(d(1986, 8, 1), ym(2026, 6)).value);
    assert!(care_month(d(1986, 8, 1), ym(2026, 7)).value);
    assert!(care_month(d(1986, 8, 1), ym(2026, 8)).value);
}

#[test]
fn care_starts_the_birthday_month_for_a_40th_birthday_on_the_2nd() {
    // Born 1986-08-02: 40 reached on 2026-08-01 → from 2026-08; 2026-07 not charged.
    assert!(!care_month(d(1986, 8, 2), ym(2026, 7)).value);
    assert!(care_month(d(1986, 8, 2), ym(2026, 8)).value);
}

#[test]
fn care_stops_the_month_before_a_65th_birthday_on_the_1st() {
    // Born 1961-09-01: 65 reached on 2026-08-31 → the month holding it (2026-08) and after are
    // not charged → last care month 2026-07.
    assert!(care_month(d(1961, 9, 1), ym(2026, 7)).value);
    assert!(!care_month(d(1961, 9, 1), ym(2026, 8)).value);
    assert!(!care_month(d(1961, 9, 1), ym(2026, 9)).value);
}

#[test]
fn care_stops_the_birthday_month_for_a_65th_birthday_on_the_2nd() {
    // Born 1961-09-02: 65 reached on 2026-09-01 → 2026-09 not charged → last care month 2026-08.
    assert!(care_month(d(1961, 9, 2), ym(2026, 8)).value);
    assert!(!care_month(d(1961, 9, 2), ym(2026, 9)).value);
}

#[test]
fn monthly_premium_has_a_care_line_from_the_month_the_40th_year_is_reached() {
    // Born 1986-08-01, month 2026-07 (care month, support from 2026-04). Standard 300,000:
    // 一般 300,000 × 95,000 = 28,500 (member 13,500 = 300,000 × 45,000; employer 15,000);
    // 調整 300,000 × 1,300 = 390 (member 195; employer 195);
    // 介護 300,000 × 18,000 = 5,400 (member 2,700; employer 2,700);
    // 支援金 300,000 × 2,300 = 690 (member 345; employer 345).
    // Member 13,500 + 195 + 2,700 + 345 = 16,740; employer 15,000 + 195 + 2,700 + 345 = 18,240.
    let f = facts(ym(2026, 7), d(1986, 8, 1), 300_000);
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(line(&p, Component::Care), Some((2_700, 2_700)));
    assert_eq!((p.member, p.employer), (16_740, 18_240));
    // June: no care line. Member 13,500 + 195 + 345 = 14,040; employer 15,000 + 195 + 345 = 15,540.
    let f = facts(ym(2026, 6), d(1986, 8, 1), 300_000);
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(line(&p, Component::Care), None);
    assert_eq!((p.member, p.employer), (14_040, 15_540));
}

// ───────────────────────────── Month rule (156条3項) ─────────────────────────────

#[test]
fn acquiring_and_losing_in_the_same_month_is_charged() {
    // 取得 2026-03-05, 喪失 2026-03-20 → March charged (同月得喪).
    assert!(month_charged(ym(2026, 3), d(2026, 3, 5), Some(d(2026, 3, 20))).value);
    // Insured since before: losing on 2026-03-20 → March not charged.
    assert!(!month_charged(ym(2026, 3), d(2020, 4, 1), Some(d(2026, 3, 20))).value);
}

#[test]
fn retiring_on_the_30th_of_a_31_day_month_leaves_that_month_uncharged() {
    // January has 31 days. 退職 2026-01-30 → 喪失 2026-01-31 (in January) → January not charged;
    // December 2025 is.
    let lost = Some(d(2026, 1, 31));
    assert!(!month_charged(ym(2026, 1), d(2020, 4, 1), lost).value);
    assert!(month_charged(ym(2025, 12), d(2020, 4, 1), lost).value);
}

#[test]
fn retiring_on_the_31st_leaves_that_month_charged() {
    // 退職 2026-01-31 → 喪失 2026-02-01 → January charged; February not.
    let lost = Some(d(2026, 2, 1));
    assert!(month_charged(ym(2026, 1), d(2020, 4, 1), lost).value);
    assert!(!month_charged(ym(2026, 2), d(2020, 4, 1), lost).value);
}

#[test]
fn acquiring_on_the_last_day_of_a_month_charges_that_month() {
    // 取得 2026-03-31 → March charged in full; February (before 取得) not.
    assert!(month_charged(ym(2026, 3), d(2026, 3, 31), None).value);
    assert!(!month_charged(ym(2026, 2), d(2026, 3, 31), None).value);
}

#[test]
fn monthly_premium_of_the_month_holding_the_loss_is_zero() {
    // 喪失 2026-05-31 (退職 05-30), month 2026-05 → not charged → no lines, 0 and 0.
    let mut f = facts(ym(2026, 5), care_age_birth(), 410_000);
    f.lost_on = Some(d(2026, 5, 31));
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert!(p.lines.is_empty());
    assert_eq!((p.member, p.employer), (0, 0));
}

// ───────────────────────────── Exemptions (159条) ─────────────────────────────

#[test]
fn maternity_leave_exempts_from_its_start_month_to_the_month_before_the_day_after_its_end() {
    // 産前産後休業 2026-03-10 .. 2026-06-15: day after the end 06-16 is in June → exempt Mar, Apr,
    // May; Feb and Jun charged.
    let leave = [Leave { kind: LeaveKind::Maternity, start: d(2026, 3, 10), end: d(2026, 6, 15) }];
    assert!(month_exempt(ym(2026, 2), &leave).is_none());
    assert!(month_exempt(ym(2026, 3), &leave).is_some());
    assert!(month_exempt(ym(2026, 4), &leave).is_some());
    assert!(month_exempt(ym(2026, 5), &leave).is_some());
    assert!(month_exempt(ym(2026, 6), &leave).is_none());
    // Ending on 2026-06-30: the day after (07-01) is in July → June exempt too, July not.
    let leave = [Leave { kind: LeaveKind::Maternity, start: d(2026, 3, 10), end: d(2026, 6, 30) }];
    assert!(month_exempt(ym(2026, 6), &leave).is_some());
    assert!(month_exempt(ym(2026, 7), &leave).is_none());
}

#[test]
fn childcare_leave_of_14_days_inside_one_month_exempts_it_but_13_days_do_not() {
    // From 2022-10: a leave starting and ending in the same month exempts it if ≥ 14 days.
    // 2026-02-02 .. 2026-02-15 = 15 − 2 + 1 = 14 days → February exempt.
    let leave = [Leave { kind: LeaveKind::Childcare, start: d(2026, 2, 2), end: d(2026, 2, 15) }];
    assert!(month_exempt(ym(2026, 2), &leave).is_some());
    assert!(month_exempt(ym(2026, 1), &leave).is_none());
    assert!(month_exempt(ym(2026, 3), &leave).is_none());
    // 2026-02-02 .. 2026-02-14 = 13 days → not exempt.
    let leave = [Leave { kind: LeaveKind::Childcare, start: d(2026, 2, 2), end: d(2026, 2, 14) }];
    assert!(month_exempt(ym(2026, 2), &leave).is_none());
}

#[test]
fn childcare_leave_across_a_month_end_exempts_only_the_start_month() {
    // 2026-02-20 .. 2026-03-05: day after (03-06) in March → February exempt (range rule); March
    // holds only 5 leave days and the leave did not start in March → not exempt.
    let leave = [Leave { kind: LeaveKind::Childcare, start: d(2026, 2, 20), end: d(2026, 3, 5) }];
    assert!(month_exempt(ym(2026, 2), &leave).is_some());
    assert!(month_exempt(ym(2026, 3), &leave).is_none());
}

#[test]
fn the_14_day_rule_does_not_apply_to_a_leave_starting_before_october_2022() {
    // 2022-09-05 .. 2022-09-20 = 16 days inside September, but it starts before 2022-10-01; the
    // old range rule gives Sep ≤ m < Sep (the day after, 09-21, is in Sep) → nothing exempt.
    let leave = [Leave { kind: LeaveKind::Childcare, start: d(2022, 9, 5), end: d(2022, 9, 20) }];
    assert!(month_exempt(ym(2022, 9), &leave).is_none());
}

#[test]
fn bonus_during_a_childcare_leave_of_exactly_one_month_is_not_exempt_but_over_one_month_is() {
    // From 2022-10, a bonus is exempt only if the leave lasts more than one month.
    // 2026-12-01 .. 2026-12-31 is exactly one month (the month from 12-01 ends 12-31): a bonus in
    // December is not exempt, though the December monthly premium is (Dec ≤ m < Jan).
    let exactly = [Leave { kind: LeaveKind::Childcare, start: d(2026, 12, 1), end: d(2026, 12, 31) }];
    assert!(bonus_exempt(ym(2026, 12), &exactly).is_none());
    assert!(month_exempt(ym(2026, 12), &exactly).is_some());
    // 2026-12-01 .. 2027-01-01: one day over a month → the December bonus is exempt.
    let over = [Leave { kind: LeaveKind::Childcare, start: d(2026, 12, 1), end: d(2027, 1, 1) }];
    assert!(bonus_exempt(ym(2026, 12), &over).is_some());
    // Mid-month start: 2026-11-15 .. 2026-12-14 is exactly one month → a November bonus is not
    // exempt; .. 2026-12-15 is over a month → exempt.
    let exactly = [Leave { kind: LeaveKind::Childcare, start: d(2026, 11, 15), end: d(2026, 12, 14) }];
    assert!(bonus_exempt(ym(2026, 11), &exactly).is_none());
    let over = [Leave { kind: LeaveKind::Childcare, start: d(2026, 11, 15), end: d(2026, 12, 15) }];
    assert!(bonus_exempt(ym(2026, 11), &over).is_some());
}

#[test]
fn monthly_premium_of_an_exempt_month_has_no_lines() {
    // Childcare leave 2026-04-10 .. 2026-09-30 → May 2026 exempt → 0 and 0, no lines.
    let mut f = facts(ym(2026, 5), care_age_birth(), 410_000);
    f.leaves = vec![Leave { kind: LeaveKind::Childcare, start: d(2026, 4, 10), end: d(2026, 9, 30) }];
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert!(p.lines.is_empty());
    assert_eq!((p.member, p.employer), (0, 0));
}

// ───────────────────────────── Full monthly premium ─────────────────────────────

#[test]
fn monthly_premium_with_realistic_rates_from_april_2026_shows_each_component() {
    // Standard 410,000 (27級), month 2026-05, born 1980-05-10 (介護2号), withheld.
    // 一般: whole 410,000 × 95,000 ppm = 38,950; member 410,000 × 45,000 = 18,450; employer
    //   38,950 − 18,450 = 20,500 (= 410,000 × 50,000 ppm).
    // 調整: whole 410,000 × 1,300 = 533; member 410,000 × 650 = 266.5 → withheld, .5 dropped →
    //   266; employer 533 − 266 = 267.
    // 介護: whole 410,000 × 18,000 = 7,380; member 410,000 × 9,000 = 3,690; employer 3,690.
    // 支援金: whole 410,000 × 2,300 = 943; member 410,000 × 1,150 = 471.5 → 471; employer 943 −
    //   471 = 472.
    // Member 18,450 + 266 + 3,690 + 471 = 22,877; employer 20,500 + 267 + 3,690 + 472 = 24,929;
    // total 47,806 = 38,950 + 533 + 7,380 + 943.
    let f = facts(ym(2026, 5), care_age_birth(), 410_000);
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(p.base, 410_000);
    assert_eq!(line(&p, Component::General), Some((18_450, 20_500)));
    assert_eq!(line(&p, Component::Adjustment), Some((266, 267)));
    assert_eq!(line(&p, Component::Care), Some((3_690, 3_690)));
    assert_eq!(line(&p, Component::Support), Some((471, 472)));
    assert_eq!(p.lines.len(), 4);
    assert_eq!((p.member, p.employer), (22_877, 24_929));
    assert_eq!(p.total(), 47_806);
}

#[test]
fn monthly_premium_before_april_2026_has_no_support_line() {
    // Month 2026-03 takes the 2025-04 rates (no support): the lines of the previous test without
    // 支援金. Member 18,450 + 266 + 3,690 = 22,406; employer 20,500 + 267 + 3,690 = 24,457.
    let f = facts(ym(2026, 3), care_age_birth(), 410_000);
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(line(&p, Component::Support), None);
    assert_eq!(p.lines.len(), 3);
    assert_eq!((p.member, p.employer), (22_406, 24_457));
    // Even a (mis-entered) set carrying support from 2025-04 yields no support line in 2026-03.
    let sets = vec![rates_from(ym(2025, 4), sr(1_150, 1_150))];
    let p = premium::monthly(&sets, &f).unwrap().value;
    assert_eq!(line(&p, Component::Support), None);
    assert_eq!((p.member, p.employer), (22_406, 24_457));
}

#[test]
fn monthly_premium_under_40_has_no_care_line() {
    // Born 1995-01-01 (31), 2026-05, 410,000: the 介護 line drops out.
    // Member 18,450 + 266 + 471 = 19,187; employer 20,500 + 267 + 472 = 21,239.
    let f = facts(ym(2026, 5), young_birth(), 410_000);
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(line(&p, Component::Care), None);
    assert_eq!((p.member, p.employer), (19_187, 21_239));
}

// ───────────────────────────── Bonus premium ─────────────────────────────

#[test]
fn bonus_paid_in_the_month_of_loss_carries_no_premium() {
    // 退職 2026-06-20 → 喪失 2026-06-21; bonus paid 2026-06-10 in June, the month holding the
    // loss → June not charged → no bonus premium.
    let mut f = facts(ym(2026, 6), care_age_birth(), 410_000);
    f.lost_on = Some(d(2026, 6, 21));
    let p = premium::bonus(&realistic_rates(), &f, d(2026, 6, 10), 500_000).unwrap().value;
    assert!(p.lines.is_empty());
    assert_eq!((p.member, p.employer), (0, 0));
}

#[test]
fn bonus_paid_in_a_month_that_is_charged_carries_the_full_premium() {
    // 退職 2026-06-30 → 喪失 2026-07-01: June charged. Standard bonus 500,000, 2026-06 rates,
    // born 1980-05-10 (介護).
    // 一般: 500,000 × 95,000 = 47,500 (member × 45,000 = 22,500; employer 25,000).
    // 調整: × 1,300 = 650 (member × 650 = 325; employer 325).
    // 介護: × 18,000 = 9,000 (4,500; 4,500). 支援金: × 2,300 = 1,150 (575; 575).
    // Member 22,500 + 325 + 4,500 + 575 = 27,900; employer 25,000 + 325 + 4,500 + 575 = 30,400.
    let mut f = facts(ym(2026, 6), care_age_birth(), 410_000);
    f.lost_on = Some(d(2026, 7, 1));
    let p = premium::bonus(&realistic_rates(), &f, d(2026, 6, 10), 500_000).unwrap().value;
    assert_eq!(line(&p, Component::Support), Some((575, 575)));
    assert_eq!((p.member, p.employer), (27_900, 30_400));
}

// ───────────────────────────── 任意継続 ─────────────────────────────

#[test]
fn voluntary_standard_is_the_lower_of_the_amount_at_loss_and_the_cap() {
    // 47条: at loss 500,000, cap 320,000 → 320,000; 300,000 → 300,000; 320,000 → 320,000.
    assert_eq!(voluntary_standard(500_000, 320_000).value, 320_000);
    assert_eq!(voluntary_standard(300_000, 320_000).value, 300_000);
    assert_eq!(voluntary_standard(320_000, 320_000).value, 320_000);
}

#[test]
fn voluntary_member_pays_the_whole_premium_on_the_capped_standard() {
    // 2026-05, born 1995-01-01 (no 介護), at loss 500,000 → capped 320,000.
    // 一般 320,000 × 95,000 = 30,400; 調整 × 1,300 = 416; 支援金 × 2,300 = 736.
    // Member 30,400 + 416 + 736 = 31,552; employer 0.
    let mut f = facts(ym(2026, 5), young_birth(), 500_000);
    f.voluntary = true;
    f.rounding = Rounding::Cash;
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(p.base, 320_000);
    assert_eq!(line(&p, Component::General), Some((30_400, 0)));
    assert_eq!(line(&p, Component::Adjustment), Some((416, 0)));
    assert_eq!(line(&p, Component::Support), Some((736, 0)));
    assert_eq!((p.member, p.employer), (31_552, 0));
    // At loss 300,000 (under the cap): 28,500 + 390 + 690 = 29,580.
    f.standard = 300_000;
    let p = premium::monthly(&realistic_rates(), &f).unwrap().value;
    assert_eq!(p.base, 300_000);
    assert_eq!((p.member, p.employer), (29_580, 0));
}

#[test]
fn voluntary_whole_premium_of_exactly_half_a_yen_is_rounded_up_as_cash() {
    // 一般 member 45,125 + employer 45,125 = 90,250 ppm (58 × 90,250 ≡ 500 mod 1000).
    // 58,000 × 90,250 = 5,234,500,000 µ¥ = 5,234.5 → cash (≥ .5 up) → 5,235, all the member's.
    let sets = vec![RateSet {
        effective_from: ym(2025, 4),
        basic: sr(30_000, 30_000),
        specific: sr(15_125, 15_125),
        adjustment: sr(0, 0),
        care: sr(0, 0),
        support: sr(0, 0),
        care_for_specified: false,
        voluntary_cap: 320_000,
    }];
    let mut f = facts(ym(2025, 10), young_birth(), 58_000);
    f.voluntary = true;
    f.rounding = Rounding::Cash;
    let p = premium::monthly(&sets, &f).unwrap().value;
    assert_eq!((p.member, p.employer), (5_235, 0));
}

#[test]
fn prepaying_six_months_discounts_by_4_percent_compound_present_value() {
    // 施行令49条: each month k = 0..5 (k counted from the first month) / 1.04^(k/12).
    // v = 1.04^(-1/12) = exp(−ln 1.04 / 12) = exp(−0.0392207131532813 / 12) = 0.99673694261856…
    // Σ v^k, k = 0..5 = 1 + 0.996736942618562 + 0.993484532780599 + 0.990242735742565
    //                 + 0.987011516874286 + 0.983790841658585 = 5.951266569674598
    // The 任意継続 premium of the previous tests, 31,552 a month:
    // 31,552 × 5.951266569674598 = 187,774.3628… → truncated 187,774 (plain 6 × 31,552 =
    // 189,312; discount 1,538).
    let r = prepaid(&[31_552; 6]);
    assert_eq!(r.value, 187_774);
    // 30,000 × 5.951266569674598 = 178,537.997… → 178,537 (truncated, not rounded).
    assert_eq!(prepaid(&[30_000; 6]).value, 178_537);
}

#[test]
fn prepaying_twelve_months_discounts_by_4_percent_compound_present_value() {
    // Σ v^k, k = 0..11 = 5.951266569674598 + 0.980580675690920 + 0.977380984679012
    //   + 0.974191734442478 + 0.971012890912470 + 0.967844420131307 + 0.964686288252114
    //   = 11.786963563782899
    // 31,552 × 11.786963563782899 = 371,902.2744… → truncated 371,902. Plain 12 × 31,552 =
    // 378,624; discount 6,722.
    assert_eq!(prepaid(&[31_552; 12]).value, 371_902);
    // 31,536 × 11.786963563782899 = 371,713.6829… → truncated 371,713 (rounding would give
    // 371,714).
    assert_eq!(prepaid(&[31_536; 12]).value, 371_713);
    // One month: k = 0 only, factor 1 → 31,536.
    assert_eq!(prepaid(&[31_536]).value, 31_536);
}

// ───────────────────────────── 入金消込 ─────────────────────────────

#[test]
fn reconcile_leaves_arrears_when_a_payer_underpays() {
    // Employer A: April 100,000 due 2026-05-31, May 100,000 due 2026-06-30; one payment of
    // 150,000 on 2026-05-29 → April 100,000 (settled 05-29), May 50,000 → 50,000 outstanding.
    let dues = [
        Due { invoice_id: 1, month: ym(2026, 4), due_on: d(2026, 5, 31), amount: 100_000 },
        Due { invoice_id: 2, month: ym(2026, 5), due_on: d(2026, 6, 30), amount: 100_000 },
    ];
    let pays = [Paid { payment_id: 1, paid_on: d(2026, 5, 29), amount: 150_000 }];
    let s = reconcile(&dues, &pays).value;
    assert_eq!((s.invoices[0].paid, s.invoices[0].outstanding), (100_000, 0));
    assert_eq!(s.invoices[0].settled_on, Some(d(2026, 5, 29)));
    assert_eq!((s.invoices[1].paid, s.invoices[1].outstanding), (50_000, 50_000));
    assert_eq!(s.invoices[1].settled_on, None);
    assert_eq!((s.billed, s.received, s.credit, s.outstanding()), (200_000, 150_000, 0, 50_000));
    // On 06-30 (the due day) May is not yet in arrears; on 07-01 it is.
    assert!(s.arrears(d(2026, 6, 30)).is_empty());
    let late = s.arrears(d(2026, 7, 1));
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].invoice_id, 2);
}

#[test]
fn reconcile_carries_an_overpayment_as_credit() {
    // Employer B: April 80,000; paid 100,000 → April settled, 100,000 − 80,000 = 20,000 credit.
    let dues = [Due { invoice_id: 3, month: ym(2026, 4), due_on: d(2026, 5, 31), amount: 80_000 }];
    let pays = [Paid { payment_id: 7, paid_on: d(2026, 5, 20), amount: 100_000 }];
    let s = reconcile(&dues, &pays).value;
    assert_eq!((s.invoices[0].paid, s.invoices[0].outstanding), (80_000, 0));
    assert_eq!(s.invoices[0].settled_on, Some(d(2026, 5, 20)));
    assert_eq!((s.billed, s.received, s.credit, s.outstanding()), (80_000, 100_000, 20_000, 0));
}

#[test]
fn reconcile_applies_one_payment_to_two_months_oldest_first() {
    // 任意継続: April and May 31,552 each (listed May first). 63,104 = 2 × 31,552 on 2026-04-08
    // settles both, April first.
    let dues = [
        Due { invoice_id: 11, month: ym(2026, 5), due_on: d(2026, 5, 10), amount: 31_552 },
        Due { invoice_id: 10, month: ym(2026, 4), due_on: d(2026, 4, 10), amount: 31_552 },
    ];
    let s = reconcile(&dues, &[Paid { payment_id: 1, paid_on: d(2026, 4, 8), amount: 63_104 }]).value;
    assert_eq!(s.invoices[0].month, ym(2026, 4));
    assert_eq!(s.invoices[1].month, ym(2026, 5));
    assert!(s.invoices.iter().all(|i| i.outstanding == 0 && i.settled_on == Some(d(2026, 4, 8))));
    assert_eq!((s.credit, s.outstanding()), (0, 0));
    // 40,000 instead: April takes 31,552 first, May gets 40,000 − 31,552 = 8,448 and still owes
    // 31,552 − 8,448 = 23,104.
    let s = reconcile(&dues, &[Paid { payment_id: 1, paid_on: d(2026, 4, 8), amount: 40_000 }]).value;
    assert_eq!((s.invoices[0].invoice_id, s.invoices[0].paid, s.invoices[0].outstanding), (10, 31_552, 0));
    assert_eq!((s.invoices[1].invoice_id, s.invoices[1].paid, s.invoices[1].outstanding), (11, 8_448, 23_104));
}

// ───────────────────────────── RateSet::validate ─────────────────────────────

fn general_set(from: YearMonth, basic_member: i64, basic_employer: i64) -> RateSet {
    RateSet {
        effective_from: from,
        basic: sr(basic_member, basic_employer),
        specific: sr(0, 0),
        adjustment: sr(0, 0),
        care: sr(0, 0),
        support: sr(0, 0),
        care_for_specified: false,
        voluntary_cap: 320_000,
    }
}

#[test]
fn validate_refuses_a_general_rate_of_29_999_ppm_and_accepts_30_000() {
    // 160条: 30–130/1000 = 30,000–130,000 ppm for 基本 + 特定, both sides.
    // 14,999 + 15,000 = 29,999 → refused; 15,000 + 15,000 = 30,000 → accepted.
    assert_eq!(general_set(ym(2025, 4), 14_999, 15_000).validate(), Err(RateError::GeneralRange));
    assert_eq!(general_set(ym(2025, 4), 15_000, 15_000).validate(), Ok(()));
}

#[test]
fn validate_accepts_130_000_ppm_and_refuses_130_001() {
    // 65,000 + 65,000 = 130,000 → accepted; 65,000 + 65,001 = 130,001 → refused.
    assert_eq!(general_set(ym(2025, 4), 65_000, 65_000).validate(), Ok(()));
    assert_eq!(general_set(ym(2025, 4), 65_000, 65_001).validate(), Err(RateError::GeneralRange));
}

#[test]
fn validate_refuses_support_money_before_april_2026() {
    // 支援金 is collected from the April 2026 premium: a set from 2026-03 with support is refused.
    assert_eq!(rates_from(ym(2026, 3), sr(1_150, 1_150)).validate(), Err(RateError::SupportTooEarly));
}

#[test]
fn validate_accepts_the_realistic_sets() {
    // 一般 45,000 + 50,000 = 95,000 ppm (within 30,000–130,000); support only from 2026-04.
    for set in realistic_rates() {
        assert_eq!(set.validate(), Ok(()));
    }
}
