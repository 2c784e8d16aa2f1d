//! Hand-worked cases for the 2026-08 and 2027-08 高額療養費 changes (`kenpo_domain::kogaku`):
//! the new monthly ceilings, the 年間上限 (`yearly_cap`), the 2027-08 subdivision of the
//! under-70 brackets, and the refusal of 70–74 households from 2027-08.
//!
//! Every expected figure below was derived by hand from the official figures (MHLW
//! 001726232.pdf, 協会けんぽ「高額療養費」の表), never by running the code. The comment of each
//! test shows the arithmetic. The figures used:
//! * 2026-08 … 2027-07, under 70: ア 270,300 + (医療費 − 901,000) × 1% (多数回 140,100, 年間
//!   1,680,000); イ 179,100 + (医療費 − 597,000) × 1% (93,000; 1,110,000); ウ 85,800 +
//!   (医療費 − 286,000) × 1% (44,400; 530,000); エ 61,500 (44,400; 530,000, or 410,000 when
//!   標準報酬月額 ≤ 150,000); オ 36,900 (24,600; 290,000);
//! * 2026-08 … 2027-07, 70–74: 現役並みⅢ/Ⅱ/Ⅰ as ア/イ/ウ; 一般 外来 22,000, 世帯 61,500 (44,400;
//!   530,000 / 410,000); 低所得Ⅱ 外来 11,000, 世帯 25,700 (24,600; 290,000); 低所得Ⅰ 外来
//!   8,000, 世帯 15,700 (no 多数回; 180,000);
//! * before 2026-08 (2018-08 table): ア 252,600 + (x − 842,000) × 1%, イ 167,400 + (x −
//!   558,000) × 1%, ウ 80,100 + (x − 267,000) × 1%, エ 57,600, オ 35,400; 70–74 一般 外来 18,000,
//!   世帯 57,600; 低所得Ⅱ 8,000 / 24,600 (no 多数回); 低所得Ⅰ 8,000 / 15,000;
//! * from 2027-08, under 70: twelve bands by 標準報酬月額 (e.g. 44万〜50万: 110,400 + (x −
//!   368,000) × 1%; 15万以下: 61,500, 多数回 34,500, 年間 410,000); 70–74 not entered.
//!
//! Rules: the 1% part rounds half up to the yen; under 70 the 世帯合算 adds units of ≥ 21,000;
//! 70–74: 外来 individual ceiling, then the 70–74 household ceiling, then the under-70 ceiling
//! when there is an under-70 unit ≥ 21,000; 多数回 when `prior_household_months >= 3`.
//! `AdditionRules::default()`: 25,000 per unit (40,000 from 標準報酬月額 530,000), 100-yen
//! truncation, nothing under 1,000, 合算高額療養付加金 = Σ left − threshold × n − already paid.
//! The household 高額療養費 is spread over its units in proportion to what is left of each
//! unit's charge, the odd yen to the largest remainders.
//! `borne` = charges of the counted units − 高額療養費 − 付加給付 on them; the 年間上限 pays
//! max(0, Σ borne − cap of the member's bracket on the 基準日 (7月 of year + 1)).

mod common;

use common::*;
use kenpo_domain::kogaku::{
    AdditionRules, BorneMonth, CeilingFigures, Claim, HouseholdMonth, HouseholdPerson, IncomeFacts, KogakuError,
    MonthResult, Payment, PaymentKind, Rounding, Setting, YearlyError, YearlyHousehold, YearlyResult, ceiling_table,
    ceilings_for, compute, compute_month, yearly_cap,
};
use kenpo_domain::{YearMonth, Yen};

const JUL_2026: YearMonth = YearMonth::from_parts(2026, 7);
const AUG_2026: YearMonth = YearMonth::from_parts(2026, 8);
const JUL_2027: YearMonth = YearMonth::from_parts(2027, 7);
const AUG_2027: YearMonth = YearMonth::from_parts(2027, 8);

fn exempt(standard_monthly: Yen, no_income: bool) -> IncomeFacts {
    IncomeFacts { standard_monthly, tax_exempt: true, no_income }
}

fn household(
    month: YearMonth,
    income: IncomeFacts,
    persons: Vec<HouseholdPerson>,
    claims: Vec<Claim>,
    prior: u32,
) -> HouseholdMonth {
    HouseholdMonth { month, member: MEMBER, income, persons, claims, prior_household_months: prior }
}

fn figures(month: YearMonth) -> &'static CeilingFigures {
    ceilings_for(ceiling_table(), month).unwrap_or_else(|e| panic!("figures for {month}: {e}"))
}

fn run(h: &HouseholdMonth, rules: &AdditionRules) -> MonthResult {
    compute_month(h, figures(h.month), rules).unwrap_or_else(|e| panic!("{}: {e}", h.month))
}

/// A society without 付加給付: no threshold is ever reached.
fn no_addition() -> AdditionRules {
    AdditionRules {
        threshold: 999_999_999,
        tiers: vec![],
        rounding: Rounding::Hundred,
        minimum: 1_000,
        combined: false,
    }
}

fn text(p: &Payment) -> String {
    p.explanation.join("\n")
}

/// The twelve months 8月 of `year` … 7月 of `year + 1`, in order.
fn period_months(year: i32) -> Vec<YearMonth> {
    let mut m = YearMonth::from_parts(year, 8);
    let mut out = Vec::new();
    for _ in 0..12 {
        out.push(m);
        m = m.next();
    }
    out
}

/// Borne amounts for the months of a 計算期間 from 8月 of `year`, in order.
fn borne_months(year: i32, borne: &[Yen], bracket: &str) -> Vec<BorneMonth> {
    period_months(year)
        .into_iter()
        .zip(borne)
        .map(|(month, &borne)| BorneMonth { month, borne, bracket: bracket.to_string() })
        .collect()
}

fn yearly(year: i32, income: IncomeFacts, member_elderly: bool, months: Vec<BorneMonth>) -> YearlyHousehold {
    YearlyHousehold { year, member: MEMBER, income, member_elderly, months }
}

/// The 年間上限 with the figures in force on the 基準日 (7月 of `year + 1`).
fn cap_on_basis_date(h: &YearlyHousehold) -> Result<YearlyResult, YearlyError> {
    let basis = YearMonth::from_parts(h.year + 1, 7);
    yearly_cap(h, figures(basis))
}

// ---------------------------------------------------------------------------------------------
// Under 70, 2026-08: 区分 ア–オ
// ---------------------------------------------------------------------------------------------

#[test]
fn category_a_inpatient_2026_08() {
    // 標準報酬月額 880,000 ≥ 830,000 → 区分ア.
    // Member, A病院 入院, 総医療費 1,500,000, 一部負担金 450,000.
    // Ceiling ア = 270,300 + (1,500,000 − 901,000) × 1% = 270,300 + 5,990 = 276,290.
    // 高額療養費 = 450,000 − 276,290 = 173,710.
    // 付加給付: 880,000 ≥ 530,000 → threshold 40,000; 276,290 − 40,000 = 236,290 → 236,200.
    // borne = 450,000 − 173,710 − 236,200 = 40,090.
    let h = household(
        AUG_2026,
        income(880_000),
        vec![person(MEMBER, false)],
        vec![claim(1001, MEMBER, "A病院", Setting::Inpatient, 1_500_000, 450_000)],
        0,
    );
    let r = run(&h, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 173_710), (PaymentKind::MemberRefund, MEMBER, 236_200)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "276,290");
    explains(find(&r.payments, PaymentKind::MemberRefund), "40,000");
    assert_eq!(r.borne, 40_090);
    assert_eq!(r.bracket, "ア");
}

#[test]
fn category_i_inpatient_2026_08_one_percent_rounds_half_up() {
    // 標準報酬月額 620,000 → 区分イ.
    // Member, B病院 入院, 総医療費 800,050 (80,005 点), 一部負担金 240,020 (recorded).
    // Ceiling イ = 179,100 + (800,050 − 597,000) × 1% = 179,100 + 2,030.5 → half up 2,031 = 181,131.
    // 高額療養費 = 240,020 − 181,131 = 58,889.
    // 付加給付: 620,000 ≥ 530,000 → 40,000; 181,131 − 40,000 = 141,131 → 141,100.
    // borne = 181,131 − 141,100 = 40,031.
    // And 総医療費 800,040: 2,030.4 → 2,030 → ceiling 181,130 (rounds down below the half).
    let h = household(
        AUG_2026,
        income(620_000),
        vec![person(MEMBER, false)],
        vec![claim(1011, MEMBER, "B病院", Setting::Inpatient, 800_050, 240_020)],
        0,
    );
    let r = run(&h, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 58_889), (PaymentKind::MemberRefund, MEMBER, 141_100)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "181,131");
    assert_eq!(r.borne, 40_031);
    assert_eq!(r.bracket, "イ");
    let i = figures(AUG_2026).under70_for(income(620_000));
    assert_eq!(i.ceiling.amount(800_040), 181_130);
    assert_eq!(i.ceiling.amount(800_050), 181_131);
}

#[test]
fn category_u_mixed_household_2026_08() {
    // 標準報酬月額 410,000 → 区分ウ.
    //   r1021 member, C病院 入院:        医療費 1,000,000, 負担 300,000 (≥ 21,000 → combined)
    //   r1022 spouse, Dクリニック 外来:  医療費   100,000, 負担  30,000 (≥ 21,000 → combined)
    //   r1023 spouse, Eクリニック 外来:  医療費    60,000, 負担  18,000 (< 21,000 → not combined)
    // (Alone, r1021 is MHLW's example: 85,800 + (1,000,000 − 286,000) × 1% = 92,940.)
    // Combined 医療費 1,100,000 → ceiling ウ = 85,800 + (1,100,000 − 286,000) × 1%
    //   = 85,800 + 8,140 = 93,940.
    // Combined charge 330,000 → 高額療養費 = 330,000 − 93,940 = 236,060.
    // Allocation over 300,000 : 30,000 (= 10 : 1): 236,060 × 10/11 = 214,600, × 1/11 = 21,460 (exact).
    // Left: member 85,400, spouse D 8,540 (sum 93,940 ✓).
    // 付加給付 (25,000): member 85,400 − 25,000 = 60,400 → 60,400 一部負担還元金;
    //   spouse D 8,540 and E 18,000 below 25,000 → none.
    //   合算: 93,940 − 25,000 × 2 − 60,400 = −16,460 → none.
    // borne = counted units (r1021, r1022): 93,940 − 60,400 = 33,540 (the 18,000 unit is not counted).
    let h = household(
        AUG_2026,
        income(410_000),
        vec![person(MEMBER, false), person(SPOUSE, false)],
        vec![
            claim(1021, MEMBER, "C病院", Setting::Inpatient, 1_000_000, 300_000),
            claim(1022, SPOUSE, "Dクリニック", Setting::Outpatient, 100_000, 30_000),
            claim(1023, SPOUSE, "Eクリニック", Setting::Outpatient, 60_000, 18_000),
        ],
        0,
    );
    let r = run(&h, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 236_060), (PaymentKind::MemberRefund, MEMBER, 60_400)])
    );
    let k = find(&r.payments, PaymentKind::KogakuHousehold);
    assert_eq!(k.receipts, vec![1021, 1022], "the 18,000 unit is not part of the 世帯合算");
    explains(k, "93,940");
    assert_eq!(r.borne, 33_540);
    assert_eq!(r.bracket, "ウ");
    // MHLW's published example, for the ceiling alone.
    assert_eq!(figures(AUG_2026).under70_for(income(410_000)).ceiling.amount(1_000_000), 92_940);
}

#[test]
fn category_e_dependant_2026_08() {
    // 標準報酬月額 240,000 ≤ 260,000 → 区分エ, flat 61,500.
    // Spouse, F病院 入院, 医療費 400,000, 負担 120,000.
    // 高額療養費 = 120,000 − 61,500 = 58,500 (paid to the member).
    // 家族療養付加金 = 61,500 − 25,000 = 36,500 → 36,500.
    // borne = 61,500 − 36,500 = 25,000.
    let h = household(
        AUG_2026,
        income(240_000),
        vec![person(MEMBER, false), person(SPOUSE, false)],
        vec![claim(1031, SPOUSE, "F病院", Setting::Inpatient, 400_000, 120_000)],
        0,
    );
    let r = run(&h, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 58_500), (PaymentKind::FamilyAddition, SPOUSE, 36_500)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "61,500");
    explains(find(&r.payments, PaymentKind::FamilyAddition), "25,000");
    assert_eq!(r.borne, 25_000);
    assert_eq!(r.bracket, "エ");
}

#[test]
fn category_o_tax_exempt_2026_08() {
    // 住民税非課税 → 区分オ whatever the 標準報酬 (180,000 here): flat 36,900.
    // Member, G病院 入院, 医療費 300,000, 負担 90,000.
    // 高額療養費 = 90,000 − 36,900 = 53,100.
    // 一部負担還元金 = 36,900 − 25,000 = 11,900 → 11,900.
    // borne = 36,900 − 11,900 = 25,000.
    let h = household(
        AUG_2026,
        exempt(180_000, false),
        vec![person(MEMBER, false)],
        vec![claim(1041, MEMBER, "G病院", Setting::Inpatient, 300_000, 90_000)],
        0,
    );
    let r = run(&h, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 53_100), (PaymentKind::MemberRefund, MEMBER, 11_900)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "36,900");
    assert_eq!(r.borne, 25_000);
    assert_eq!(r.bracket, "オ");
}

// ---------------------------------------------------------------------------------------------
// Crossing 2026-08
// ---------------------------------------------------------------------------------------------

#[test]
fn same_u_household_in_2026_07_and_2026_08() {
    // 区分ウ (標準報酬月額 300,000); member, H病院 入院, 医療費 500,000, 負担 150,000.
    // 2026-07 (2018-08 table): 80,100 + (500,000 − 267,000) × 1% = 80,100 + 2,330 = 82,430.
    //   高額療養費 = 150,000 − 82,430 = 67,570; 還元金 82,430 − 25,000 = 57,430 → 57,400;
    //   borne = 82,430 − 57,400 = 25,030.
    // 2026-08: 85,800 + (500,000 − 286,000) × 1% = 85,800 + 2,140 = 87,940.
    //   高額療養費 = 150,000 − 87,940 = 62,060; 還元金 87,940 − 25,000 = 62,940 → 62,900;
    //   borne = 87,940 − 62,900 = 25,040.
    let claims = vec![claim(1051, MEMBER, "H病院", Setting::Inpatient, 500_000, 150_000)];
    let jul = household(JUL_2026, income(300_000), vec![person(MEMBER, false)], claims.clone(), 0);
    let aug = household(AUG_2026, income(300_000), vec![person(MEMBER, false)], claims, 0);

    let r = run(&jul, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 67_570), (PaymentKind::MemberRefund, MEMBER, 57_400)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "82,430");
    assert_eq!(r.borne, 25_030);

    let r = run(&aug, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 62_060), (PaymentKind::MemberRefund, MEMBER, 62_900)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "87,940");
    assert_eq!(r.borne, 25_040);
}

#[test]
fn many_times_across_2026_08_the_count_is_the_callers() {
    // 区分ウ (300,000); member, H病院 入院, 医療費 500,000, 負担 150,000; month 2026-08.
    // prior 3 (e.g. 高額療養費 in 2026-05, -06, -07 under the old table): 4th month → 多数回 44,400.
    //   高額療養費 = 150,000 − 44,400 = 105,600; 還元金 44,400 − 25,000 = 19,400; borne 25,000.
    // prior 2: the 3rd month → the monthly ceiling 87,940 (see above): 高額療養費 62,060.
    // 区分エ (240,000) with prior 3 in 2026-08: 多数回 stays 44,400 though the monthly rose to
    //   61,500: 150,000 − 44,400 = 105,600; with prior 2: 150,000 − 61,500 = 88,500.
    let claims = vec![claim(1061, MEMBER, "H病院", Setting::Inpatient, 500_000, 150_000)];
    let many = household(AUG_2026, income(300_000), vec![person(MEMBER, false)], claims.clone(), 3);
    let r = run(&many, &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 105_600), (PaymentKind::MemberRefund, MEMBER, 19_400)])
    );
    let k = find(&r.payments, PaymentKind::KogakuHousehold);
    explains(k, "44,400");
    assert!(text(k).contains("多数回"), "{}", text(k));
    assert_eq!(r.borne, 25_000);

    let not_yet = household(AUG_2026, income(300_000), vec![person(MEMBER, false)], claims.clone(), 2);
    let r = run(&not_yet, &AdditionRules::default());
    let k = find(&r.payments, PaymentKind::KogakuHousehold);
    assert_eq!(k.amount, 62_060);
    explains(k, "87,940");
    assert!(!text(k).contains("多数回"), "{}", text(k));

    let e_many = household(AUG_2026, income(240_000), vec![person(MEMBER, false)], claims.clone(), 3);
    assert_eq!(find(&run(&e_many, &AdditionRules::default()).payments, PaymentKind::KogakuHousehold).amount, 105_600);
    let e_not_yet = household(AUG_2026, income(240_000), vec![person(MEMBER, false)], claims, 2);
    assert_eq!(find(&run(&e_not_yet, &AdditionRules::default()).payments, PaymentKind::KogakuHousehold).amount, 88_500);
}

// ---------------------------------------------------------------------------------------------
// 70–74 across 2026-08
// ---------------------------------------------------------------------------------------------

#[test]
fn elderly_general_outpatient_18000_then_22000() {
    // Member aged 72, 標準報酬月額 240,000 → 一般. Aクリニック 外来, 医療費 150,000, 負担 (2割) 30,000.
    // 2026-07: 外来 individual 18,000 → 30,000 − 18,000 = 12,000; left 18,000 ≤ 57,600 → no
    //   household payment; no under-70 unit → no step 3; 18,000 < 25,000 → no 付加給付.
    //   borne = 18,000 (all 70–74 units count).
    // 2026-08: 22,000 → 30,000 − 22,000 = 8,000; left 22,000 ≤ 61,500; borne 22,000.
    let claims = vec![claim(1071, MEMBER, "Aクリニック", Setting::Outpatient, 150_000, 30_000)];
    let jul = household(JUL_2026, income(240_000), vec![person(MEMBER, true)], claims.clone(), 0);
    let r = run(&jul, &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuOutpatient, MEMBER, 12_000)]));
    explains(&r.payments[0], "18,000");
    assert_eq!(r.borne, 18_000);
    assert_eq!(r.bracket, "一般");

    let aug = household(AUG_2026, income(240_000), vec![person(MEMBER, true)], claims, 0);
    let r = run(&aug, &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuOutpatient, MEMBER, 8_000)]));
    explains(&r.payments[0], "22,000");
    assert_eq!(r.borne, 22_000);
    assert_eq!(r.bracket, "一般");
}

#[test]
fn elderly_general_household_57600_then_61500() {
    // Member 72 and spouse 71, 一般 (200,000).
    //   r1081 member, Aクリニック 外来: 医療費  80,000, 負担 16,000 (below both 外来 ceilings)
    //   r1082 spouse, B病院 入院:       医療費 300,000, 負担 60,000
    // 2026-07: step 1 none; step 2: 16,000 + 60,000 = 76,000 − 57,600 = 18,400.
    //   Allocation over 16,000 : 60,000 (76,000):
    //     r1081 18,400 × 16,000 / 76,000 = 3,873 rem 52,000 → +1 = 3,874
    //     r1082 18,400 × 60,000 / 76,000 = 14,526 rem 24,000
    //   Left 12,126 and 45,474 (sum 57,600 ✓).
    //   家族療養付加金 45,474 − 25,000 = 20,474 → 20,400; member 12,126 → none;
    //   合算 57,600 − 50,000 − 20,400 < 0 → none. borne = 57,600 − 20,400 = 37,200.
    // 2026-08: step 1 none (16,000 ≤ 22,000); step 2: 76,000 − 61,500 = 14,500.
    //     r1081 14,500 × 16,000 / 76,000 = 3,052 rem 48,000 → +1 = 3,053
    //     r1082 14,500 × 60,000 / 76,000 = 11,447 rem 28,000
    //   Left 12,947 and 48,553 (sum 61,500 ✓).
    //   家族療養付加金 48,553 − 25,000 = 23,553 → 23,500; 合算 61,500 − 50,000 − 23,500 < 0.
    //   borne = 61,500 − 23,500 = 38,000.
    let persons = vec![person(MEMBER, true), person(SPOUSE, true)];
    let claims = vec![
        claim(1081, MEMBER, "Aクリニック", Setting::Outpatient, 80_000, 16_000),
        claim(1082, SPOUSE, "B病院", Setting::Inpatient, 300_000, 60_000),
    ];
    let r = run(&household(JUL_2026, income(200_000), persons.clone(), claims.clone(), 0), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![
            (PaymentKind::KogakuElderlyHousehold, MEMBER, 18_400),
            (PaymentKind::FamilyAddition, SPOUSE, 20_400),
        ])
    );
    explains(find(&r.payments, PaymentKind::KogakuElderlyHousehold), "57,600");
    assert_eq!(r.borne, 37_200);

    let r = run(&household(AUG_2026, income(200_000), persons, claims, 0), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![
            (PaymentKind::KogakuElderlyHousehold, MEMBER, 14_500),
            (PaymentKind::FamilyAddition, SPOUSE, 23_500),
        ])
    );
    let eh = find(&r.payments, PaymentKind::KogakuElderlyHousehold);
    explains(eh, "61,500");
    assert_eq!(eh.receipts, vec![1081, 1082]);
    assert_eq!(r.borne, 38_000);
    assert_eq!(r.bracket, "一般");
}

#[test]
fn mixed_household_three_steps_2026_08() {
    // Member 45 (under 70), 標準報酬月額 240,000 → 区分エ 61,500 / 70–74 一般 外来 22,000, 世帯 61,500.
    // Father 72 and mother 71.
    //   r1091 member, H病院 入院:       医療費 150,000, 負担 45,000 (under 70, ≥ 21,000)
    //   r1092 member, Kクリニック 外来: 医療費  30,000, 負担  9,000 (under 70, < 21,000 → out)
    //   r1093 father, Aクリニック 外来: 医療費 120,000, 負担 24,000
    //   r1094 mother, B病院 入院:       医療費 200,000, 負担 40,000
    // Step 1: father 外来 24,000 − 22,000 = 2,000; left A 22,000.
    // Step 2: 22,000 + 40,000 = 62,000 − 61,500 = 500.
    //   A 500 × 22,000 / 62,000 = 177 rem 26,000; B 500 × 40,000 / 62,000 = 322 rem 36,000 → +1 = 323.
    //   Left A 21,823, B 39,677 (sum 61,500).
    // Step 3: エ 61,500 over H 45,000 + 61,500 = 106,500 − 61,500 = 45,000.
    //   A 45,000 × 21,823 / 106,500 = 9,220 rem 105,000 → +1 = 9,221
    //   B 45,000 × 39,677 / 106,500 = 16,764 rem 99,000 → +1 = 16,765
    //   H 45,000 × 45,000 / 106,500 = 19,014 rem 9,000
    //   Left A 12,602, B 22,912, H 25,986 (sum 61,500 ✓).
    // 付加給付: H 986 → 900 < 1,000 → none; the others below 25,000; 合算 61,500 − 75,000 < 0.
    // borne = A + B + H left = 61,500 (K not counted). Bracket: the under-70 one, エ.
    // (2026-07, for contrast, with 18,000 / 57,600: step 1 6,000, step 2 400, step 3 45,000,
    //  borne 57,600 — the case of kogaku_cases.rs.)
    let persons = vec![person(MEMBER, false), person(FATHER, true), person(MOTHER, true)];
    let claims = vec![
        claim(1091, MEMBER, "H病院", Setting::Inpatient, 150_000, 45_000),
        claim(1092, MEMBER, "Kクリニック", Setting::Outpatient, 30_000, 9_000),
        claim(1093, FATHER, "Aクリニック", Setting::Outpatient, 120_000, 24_000),
        claim(1094, MOTHER, "B病院", Setting::Inpatient, 200_000, 40_000),
    ];
    let r = run(&household(AUG_2026, income(240_000), persons.clone(), claims.clone(), 0), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![
            (PaymentKind::KogakuOutpatient, FATHER, 2_000),
            (PaymentKind::KogakuElderlyHousehold, MEMBER, 500),
            (PaymentKind::KogakuHousehold, MEMBER, 45_000),
        ])
    );
    explains(find(&r.payments, PaymentKind::KogakuOutpatient), "22,000");
    explains(find(&r.payments, PaymentKind::KogakuElderlyHousehold), "61,500");
    assert_eq!(find(&r.payments, PaymentKind::KogakuHousehold).receipts, vec![1091, 1093, 1094]);
    assert_eq!(r.borne, 61_500);
    assert_eq!(r.bracket, "エ");

    let r = run(&household(JUL_2026, income(240_000), persons, claims, 0), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![
            (PaymentKind::KogakuOutpatient, FATHER, 6_000),
            (PaymentKind::KogakuElderlyHousehold, MEMBER, 400),
            (PaymentKind::KogakuHousehold, MEMBER, 45_000),
        ])
    );
    assert_eq!(r.borne, 57_600);
}

#[test]
fn low_income_ii_many_times_only_from_2026_08() {
    // Member 72, 住民税非課税 (標準報酬 180,000) → 低所得Ⅱ. I病院 入院, 医療費 300,000, 負担 60,000.
    // 2026-08, prior 3: 多数回 24,600 → 60,000 − 24,600 = 35,400; 24,600 < 25,000 → no 付加給付;
    //   borne 24,600.
    // 2026-08, prior 0: 25,700 → 60,000 − 25,700 = 34,300; 還元金 700 → below 1,000 → none;
    //   borne 25,700.
    // 2026-07, prior 3: the 2018-08 低所得Ⅱ has no 多数回 → its 24,600 applies as the plain
    //   ceiling: 35,400 (same amount, but not as 多数回); borne 24,600.
    // 外来 only (Jクリニック, 医療費 100,000, 負担 20,000): 2026-07 8,000 → 12,000;
    //   2026-08 11,000 → 9,000 (left within the household ceiling either way).
    let persons = vec![person(MEMBER, true)];
    let inpatient = vec![claim(1101, MEMBER, "I病院", Setting::Inpatient, 300_000, 60_000)];
    let facts = exempt(180_000, false);

    let r = run(&household(AUG_2026, facts, persons.clone(), inpatient.clone(), 3), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuElderlyHousehold, MEMBER, 35_400)]));
    let k = &r.payments[0];
    explains(k, "24,600");
    assert!(text(k).contains("多数回"), "{}", text(k));
    assert_eq!(r.borne, 24_600);
    assert_eq!(r.bracket, "低所得Ⅱ");

    let r = run(&household(AUG_2026, facts, persons.clone(), inpatient.clone(), 0), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuElderlyHousehold, MEMBER, 34_300)]));
    explains(&r.payments[0], "25,700");
    assert_eq!(r.borne, 25_700);

    let r = run(&household(JUL_2026, facts, persons.clone(), inpatient, 3), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuElderlyHousehold, MEMBER, 35_400)]));
    let k = &r.payments[0];
    explains(k, "24,600");
    assert!(!text(k).contains("多数回"), "no 多数回 for 低所得Ⅱ before 2026-08: {}", text(k));
    assert_eq!(r.borne, 24_600);

    let outpatient = vec![claim(1102, MEMBER, "Jクリニック", Setting::Outpatient, 100_000, 20_000)];
    let r = run(&household(JUL_2026, facts, persons.clone(), outpatient.clone(), 0), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuOutpatient, MEMBER, 12_000)]));
    let r = run(&household(AUG_2026, facts, persons, outpatient, 0), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuOutpatient, MEMBER, 9_000)]));
    explains(&r.payments[0], "11,000");
}

#[test]
fn low_income_i_15000_then_15700_without_many_times() {
    // Member 72, 非課税・所得なし → 低所得Ⅰ. K病院 入院, 医療費 200,000, 負担 40,000; prior 5.
    // 2026-07: 15,000 → 25,000; borne 15,000.
    // 2026-08: 15,700, no 多数回 even with prior 5 → 40,000 − 15,700 = 24,300; borne 15,700.
    // No 付加給付 (below 25,000).
    let persons = vec![person(MEMBER, true)];
    let claims = vec![claim(1111, MEMBER, "K病院", Setting::Inpatient, 200_000, 40_000)];
    let facts = exempt(98_000, true);
    let r = run(&household(JUL_2026, facts, persons.clone(), claims.clone(), 5), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuElderlyHousehold, MEMBER, 25_000)]));
    assert_eq!(r.borne, 15_000);
    let r = run(&household(AUG_2026, facts, persons, claims, 5), &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuElderlyHousehold, MEMBER, 24_300)]));
    explains(&r.payments[0], "15,700");
    assert!(!text(&r.payments[0]).contains("多数回"));
    assert_eq!(r.borne, 15_700);
    assert_eq!(r.bracket, "低所得Ⅰ");
}

// ---------------------------------------------------------------------------------------------
// 2027-08: twelve under-70 bands; 70–74 pending
// ---------------------------------------------------------------------------------------------

#[test]
fn band_440000_in_2027_08_splits_the_old_u() {
    // Member, L病院 入院, 医療費 1,000,000, 負担 300,000.
    // 標準報酬 440,000, 2027-08 → 44万〜50万: 110,400 + (1,000,000 − 368,000) × 1%
    //   = 110,400 + 6,320 = 116,720. 高額療養費 = 300,000 − 116,720 = 183,280.
    //   還元金 (440,000 < 530,000 → 25,000): 116,720 − 25,000 = 91,720 → 91,700; borne 25,020.
    // Same in 2027-07 (2026-08 table, ウ): 85,800 + 7,140 = 92,940 → 207,060;
    //   還元金 67,940 → 67,900; borne 25,040.
    // 標準報酬 300,000 in 2027-08 → 28万〜34万 (toml row: 85,800 / 286,000, the old ウ figures):
    //   92,940 → 207,060.
    let claims = vec![claim(1121, MEMBER, "L病院", Setting::Inpatient, 1_000_000, 300_000)];
    let persons = vec![person(MEMBER, false)];

    let r = run(&household(AUG_2027, income(440_000), persons.clone(), claims.clone(), 0), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 183_280), (PaymentKind::MemberRefund, MEMBER, 91_700)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "116,720");
    assert_eq!(r.borne, 25_020);
    assert_eq!(r.bracket, "44万〜50万");

    let r = run(&household(JUL_2027, income(440_000), persons.clone(), claims.clone(), 0), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 207_060), (PaymentKind::MemberRefund, MEMBER, 67_900)])
    );
    assert_eq!(r.borne, 25_040);
    assert_eq!(r.bracket, "ウ");

    let r = run(&household(AUG_2027, income(300_000), persons, claims, 0), &AdditionRules::default());
    assert_eq!(find(&r.payments, PaymentKind::KogakuHousehold).amount, 207_060);
    assert_eq!(r.bracket, "28万〜34万");
}

#[test]
fn band_up_to_150000_many_times_34500_in_2027_08() {
    // 標準報酬 150,000; member, M病院 入院, 医療費 300,000, 負担 90,000.
    // 2027-08, prior 3: 15万以下 多数回 34,500 → 90,000 − 34,500 = 55,500;
    //   還元金 34,500 − 25,000 = 9,500 → 9,500; borne 25,000.
    // 2027-08, prior 2: 61,500 → 28,500; 還元金 36,500; borne 25,000.
    // 2027-07, prior 3: 区分エ 多数回 44,400 → 45,600; 還元金 19,400.
    // 標準報酬 160,000 in 2027-08, prior 3 → 16万〜19万 (toml: 多数回 44,400) → 45,600.
    let claims = vec![claim(1131, MEMBER, "M病院", Setting::Inpatient, 300_000, 90_000)];
    let persons = vec![person(MEMBER, false)];

    let r = run(&household(AUG_2027, income(150_000), persons.clone(), claims.clone(), 3), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 55_500), (PaymentKind::MemberRefund, MEMBER, 9_500)])
    );
    explains(find(&r.payments, PaymentKind::KogakuHousehold), "34,500");
    assert_eq!(r.borne, 25_000);
    assert_eq!(r.bracket, "〜15万");

    let r = run(&household(AUG_2027, income(150_000), persons.clone(), claims.clone(), 2), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 28_500), (PaymentKind::MemberRefund, MEMBER, 36_500)])
    );
    assert_eq!(r.borne, 25_000);

    let r = run(&household(JUL_2027, income(150_000), persons.clone(), claims.clone(), 3), &AdditionRules::default());
    assert_eq!(
        summary(&r.payments),
        expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 45_600), (PaymentKind::MemberRefund, MEMBER, 19_400)])
    );

    let r = run(&household(AUG_2027, income(160_000), persons, claims, 3), &AdditionRules::default());
    assert_eq!(find(&r.payments, PaymentKind::KogakuHousehold).amount, 45_600);
    assert_eq!(r.bracket, "16万〜19万");
}

#[test]
fn bands_of_2027_08_follow_the_standard_grades() {
    // The 標準報酬月額 grades on either side of each band boundary (健康保険 grades …150,000,
    // 160,000, …, 190,000, 200,000, …, 260,000, 280,000, …, 340,000, 360,000, 380,000, 410,000,
    // 440,000, 470,000, 500,000, 530,000, 560,000, 590,000, 620,000, 650,000, 680,000, 710,000,
    // 750,000, 790,000, 830,000, …, 980,000, 1,030,000, 1,090,000, 1,150,000, 1,210,000,
    // 1,270,000, …, 1,390,000).
    let f = figures(AUG_2027);
    let band = |m| f.under70_for(income(m)).code.clone();
    for (m, code) in [
        (58_000, "〜15万"),
        (150_000, "〜15万"),
        (160_000, "16万〜19万"),
        (190_000, "16万〜19万"),
        (200_000, "20万〜26万"),
        (260_000, "20万〜26万"),
        (280_000, "28万〜34万"),
        (340_000, "28万〜34万"),
        (360_000, "36万〜41万"),
        (410_000, "36万〜41万"),
        (440_000, "44万〜50万"),
        (500_000, "44万〜50万"),
        (530_000, "53万〜59万"),
        (590_000, "53万〜59万"),
        (620_000, "62万〜68万"),
        (680_000, "62万〜68万"),
        (710_000, "71万〜79万"),
        (790_000, "71万〜79万"),
        (830_000, "83万〜98万"),
        (980_000, "83万〜98万"),
        (1_030_000, "103万〜121万"),
        (1_210_000, "103万〜121万"),
        (1_270_000, "127万〜"),
        (1_390_000, "127万〜"),
    ] {
        assert_eq!(band(m), code, "標準報酬月額 {m}");
    }
    assert_eq!(f.under70_for(exempt(440_000, false)).code, "非課税");
    // The figures the brief gives for 2027-08: 44万〜50万 110,400 / 368,000; 15万以下 61,500,
    // 多数回 34,500, 年間 410,000.
    let b = f.under70_for(income(440_000));
    assert_eq!(
        (b.ceiling.base, b.ceiling.threshold, b.many, b.yearly),
        (110_400, Some(368_000), Some(44_400), Some(530_000))
    );
    let b = f.under70_for(income(150_000));
    assert_eq!((b.ceiling.base, b.ceiling.threshold, b.many, b.yearly), (61_500, None, Some(34_500), Some(410_000)));
    assert!(f.elderly().is_none(), "70–74 figures from 2027-08 are not entered");
}

#[test]
fn household_with_a_70_to_74_person_is_refused_in_2027_08() {
    // Member 45 (標準報酬 300,000), father 72 with N病院 入院, 医療費 200,000, 負担 (現役並み 3割) 60,000.
    // 2027-07 (2026-08 table): member 300,000 ≥ 280,000 → 現役並みⅠ: 200,000 ≤ 286,000 → 85,800;
    //   60,000 < 85,800 → no 高額療養費; no under-70 unit → no step 3.
    //   家族療養付加金 60,000 − 25,000 = 35,000; borne = 60,000 − 35,000 = 25,000, bracket 現役並みⅠ.
    // 2027-08: the 70–74 figures are not entered → ElderlyFiguresPending, nothing computed.
    let persons = vec![person(MEMBER, false), person(FATHER, true)];
    let claims = vec![
        claim(1141, FATHER, "N病院", Setting::Inpatient, 200_000, 60_000),
        claim(1142, MEMBER, "O病院", Setting::Inpatient, 300_000, 90_000),
    ];
    let jul = household(JUL_2027, income(300_000), persons.clone(), claims[..1].to_vec(), 0);
    let r = run(&jul, &AdditionRules::default());
    assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::FamilyAddition, FATHER, 35_000)]));
    assert_eq!(r.borne, 25_000);
    assert_eq!(r.bracket, "現役並みⅠ");

    let want = KogakuError::ElderlyFiguresPending { month: AUG_2027, from: AUG_2027 };
    let only_father = household(AUG_2027, income(300_000), persons.clone(), claims[..1].to_vec(), 0);
    assert_eq!(compute_month(&only_father, figures(AUG_2027), &AdditionRules::default()), Err(want.clone()));
    let both = household(AUG_2027, income(300_000), persons, claims, 0);
    assert_eq!(compute_month(&both, figures(AUG_2027), &AdditionRules::default()), Err(want.clone()));
    assert_eq!(compute(&both, figures(AUG_2027), &AdditionRules::default()), Err(want));
}

// ---------------------------------------------------------------------------------------------
// 年間上限 (2026-08 … 2027-07, 基準日 2027-07-31)
// ---------------------------------------------------------------------------------------------

#[test]
fn yearly_cap_reached_without_many_times() {
    // 区分ウ (300,000) on the 基準日; 12 months each borne 50,000 (below the monthly ceiling, so
    // no monthly payment and no 多数回): 12 × 50,000 = 600,000 − 530,000 = 70,000.
    let h = yearly(2026, income(300_000), false, borne_months(2026, &[50_000; 12], "ウ"));
    let r = cap_on_basis_date(&h).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.total, r.amount), ("ウ", 530_000, 600_000, 70_000));
    assert_eq!(r.member, MEMBER);
    let t = r.explanation.join("\n");
    assert!(t.contains("530,000") && t.contains("70,000"), "{t}");
}

#[test]
fn yearly_cap_reached_with_many_times_from_monthly_results() {
    // 区分ウ (300,000), a society without 付加給付; member, P病院 入院 every month 2026-08 …
    // 2027-07, 医療費 500,000, 負担 150,000; the k-th month (k = 0 …) has prior k household months.
    // Months 0–2: ceiling 85,800 + (500,000 − 286,000) × 1% = 87,940 → borne 87,940.
    // Months 3–11: 多数回 44,400 → borne 44,400.
    // Total 3 × 87,940 + 9 × 44,400 = 263,820 + 399,600 = 663,420 − 530,000 = 133,420.
    let mut months = Vec::new();
    for (k, month) in period_months(2026).into_iter().enumerate() {
        let h = household(
            month,
            income(300_000),
            vec![person(MEMBER, false)],
            vec![claim(1200 + k as i64, MEMBER, "P病院", Setting::Inpatient, 500_000, 150_000)],
            k as u32,
        );
        let r = run(&h, &no_addition());
        let expected = if k < 3 { 87_940 } else { 44_400 };
        assert_eq!(r.borne, expected, "{month}");
        assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 150_000 - expected)]));
        months.push(BorneMonth { month, borne: r.borne, bracket: r.bracket });
    }
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, months)).unwrap();
    assert_eq!((r.cap, r.total, r.amount), (530_000, 663_420, 133_420));
}

#[test]
fn yearly_cap_not_reached() {
    // 区分ウ: 12 × 44,000 = 528,000 ≤ 530,000 → 0.
    // Exactly at the cap: 11 × 44,000 + 46,000 = 530,000 → 0.
    // One yen-ten above: 11 × 44,000 + 46,010 = 530,010 → 10.
    // Fewer months than twelve are fine: 3 × 100,000 = 300,000 → 0.
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, borne_months(2026, &[44_000; 12], "ウ"))).unwrap();
    assert_eq!((r.total, r.amount), (528_000, 0));
    assert!(r.explanation.join("\n").contains("支給なし"));

    let mut at = [44_000; 12];
    at[11] = 46_000;
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, borne_months(2026, &at, "ウ"))).unwrap();
    assert_eq!((r.total, r.amount), (530_000, 0));

    at[11] = 46_010;
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, borne_months(2026, &at, "ウ"))).unwrap();
    assert_eq!((r.total, r.amount), (530_010, 10));

    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, borne_months(2026, &[100_000; 3], "ウ"))).unwrap();
    assert_eq!((r.total, r.amount), (300_000, 0));
}

#[test]
fn yearly_cap_reduced_to_410000_at_150000() {
    // 12 × 40,000 = 480,000 borne in each case.
    // 区分エ, 標準報酬月額 150,000 ≤ 150,000 → 410,000: 480,000 − 410,000 = 70,000.
    // 区分エ, 160,000 > 150,000 → 530,000: 0.
    // 非課税 with 150,000 → 区分オ 290,000 (no reduction): 480,000 − 290,000 = 190,000.
    // 70–74 一般 member on the 基準日 with 150,000 → also 410,000: 70,000.
    // Period 2027 (基準日 2028-07, 2027-08 table): 15万以下 has 410,000 as its own cap: 70,000.
    let months = borne_months(2026, &[40_000; 12], "エ");
    let r = cap_on_basis_date(&yearly(2026, income(150_000), false, months.clone())).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.total, r.amount), ("エ", 410_000, 480_000, 70_000));
    assert!(r.explanation.join("\n").contains("410,000"));

    let r = cap_on_basis_date(&yearly(2026, income(160_000), false, months.clone())).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.amount), ("エ", 530_000, 0));

    let r = cap_on_basis_date(&yearly(2026, exempt(150_000, false), false, months.clone())).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.amount), ("オ", 290_000, 190_000));

    let r = cap_on_basis_date(&yearly(2026, income(150_000), true, months)).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.amount), ("一般", 410_000, 70_000));

    let r =
        cap_on_basis_date(&yearly(2027, income(150_000), false, borne_months(2027, &[40_000; 12], "〜15万"))).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.total, r.amount), ("〜15万", 410_000, 480_000, 70_000));
}

#[test]
fn yearly_cap_follows_the_bracket_on_the_basis_date() {
    // The member was ウ (300,000) in 2026-08 … 2027-03 and イ (560,000) from 2027-04 (随時改定);
    // the household bore 90,000 every month: total 1,080,000.
    // 基準日 2027-07-31 income 560,000 → イ, cap 1,110,000 → 0 (though ウ months dominate).
    // Had the 基準日 income been 300,000 → ウ 530,000 → 1,080,000 − 530,000 = 550,000.
    // And 880,000 → ア 1,680,000 → 0.
    let mut months = borne_months(2026, &[90_000; 12], "ウ");
    for m in months.iter_mut().skip(8) {
        m.bracket = "イ".to_string();
    }
    let r = cap_on_basis_date(&yearly(2026, income(560_000), false, months.clone())).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.total, r.amount), ("イ", 1_110_000, 1_080_000, 0));
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, months.clone())).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.amount), ("ウ", 530_000, 550_000));
    let r = cap_on_basis_date(&yearly(2026, income(880_000), false, months)).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.amount), ("ア", 1_680_000, 0));
}

#[test]
fn yearly_cap_of_a_member_70_to_74_on_the_basis_date() {
    // 非課税・所得なし; 12 months each borne 15,700 (the 低所得Ⅰ monthly ceiling): 188,400.
    // Member 70–74 on the 基準日 → 低所得Ⅰ 180,000: 188,400 − 180,000 = 8,400.
    // Member under 70 on the 基準日 → 区分オ 290,000: 0.
    let months = borne_months(2026, &[15_700; 12], "低所得Ⅰ");
    let r = cap_on_basis_date(&yearly(2026, exempt(98_000, true), true, months.clone())).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.total, r.amount), ("低所得Ⅰ", 180_000, 188_400, 8_400));
    let r = cap_on_basis_date(&yearly(2026, exempt(98_000, true), false, months)).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.amount), ("オ", 290_000, 0));
}

#[test]
fn yearly_cap_errors() {
    // Period 2026 runs 2026-08 … 2027-07.
    let first = AUG_2026;
    let last = JUL_2027;
    let one = |month: YearMonth| BorneMonth { month, borne: 10_000, bracket: "ウ".to_string() };
    let f = figures(JUL_2027);

    // A month before the period.
    let h = yearly(2026, income(300_000), false, vec![one(AUG_2026), one(JUL_2026)]);
    assert_eq!(yearly_cap(&h, f), Err(YearlyError::MonthOutside { month: JUL_2026, first, last }));
    // A month after it.
    let h = yearly(2026, income(300_000), false, vec![one(AUG_2027)]);
    assert_eq!(yearly_cap(&h, f), Err(YearlyError::MonthOutside { month: AUG_2027, first, last }));
    // A month given twice.
    let sep = YearMonth::from_parts(2026, 9);
    let h = yearly(2026, income(300_000), false, vec![one(sep), one(AUG_2026), one(sep)]);
    assert_eq!(yearly_cap(&h, f), Err(YearlyError::MonthOutside { month: sep, first, last }));
    // A negative borne amount.
    let mut bad = one(sep);
    bad.borne = -1;
    assert!(matches!(
        yearly_cap(&yearly(2026, income(300_000), false, vec![bad]), f),
        Err(YearlyError::AmountOutOfRange { .. })
    ));

    // Period 2025: 基準日 2026-07-31, whose figures (2018-08 table) have no 年間上限.
    let h = yearly(2025, income(300_000), false, borne_months(2025, &[50_000; 12], "ウ"));
    assert_eq!(yearly_cap(&h, figures(JUL_2026)), Err(YearlyError::NoYearlyCap { year: 2025 }));
    assert_eq!(cap_on_basis_date(&h), Err(YearlyError::NoYearlyCap { year: 2025 }));
}

// ---------------------------------------------------------------------------------------------
// 付加給付 on top, month and year
// ---------------------------------------------------------------------------------------------

#[test]
fn addition_on_top_leaves_the_yearly_cap_unreached() {
    // 区分ウ (300,000), 2026-08 … 2027-07, the same receipts every month:
    //   member, Q病院 入院:       医療費 600,000, 負担 180,000
    //   spouse, R病院 入院:       医療費 200,000, 負担  60,000
    //   spouse, Sクリニック 外来: 医療費  50,000, 負担  15,000 (< 21,000 → never counted)
    // Months 0–2 (prior 0, 1, 2): combined 医療費 800,000 → 85,800 + (800,000 − 286,000) × 1%
    //   = 85,800 + 5,140 = 90,940; charge 240,000 → 高額療養費 149,060.
    //   Allocation 180,000 : 60,000 = 3 : 1 → 111,795 and 37,265 (exact); left 68,205 / 22,735.
    //   還元金 68,205 − 25,000 = 43,205 → 43,200; spouse 22,735 and 15,000 → none;
    //   合算 90,940 − 50,000 − 43,200 < 0 → none.
    //   borne = 90,940 − 43,200 = 47,740.
    // Months 3–11 (prior ≥ 3): 多数回 44,400 → 240,000 − 44,400 = 195,600.
    //   Allocation 3 : 1 → 146,700 and 48,900; left 33,300 / 11,100.
    //   還元金 33,300 − 25,000 = 8,300 → 8,300; 合算 44,400 − 50,000 − 8,300 < 0 → none.
    //   borne = 44,400 − 8,300 = 36,100.
    // Year: 3 × 47,740 + 9 × 36,100 = 143,220 + 324,900 = 468,120 ≤ 530,000 → 年間上限 pays 0.
    // That is the point: with the default 付加給付 the household keeps at most about 25,000 per
    // counted unit a month, so the 年間上限 is not reached here, whereas without 付加給付 the
    // same receipts would leave 3 × 90,940 + 9 × 44,400 = 272,820 + 399,600 = 672,420
    // → 672,420 − 530,000 = 142,420.
    let mut with_addition = Vec::new();
    let mut without_addition = Vec::new();
    for (k, month) in period_months(2026).into_iter().enumerate() {
        let id = 1300 + 10 * k as i64;
        let h = household(
            month,
            income(300_000),
            vec![person(MEMBER, false), person(SPOUSE, false)],
            vec![
                claim(id, MEMBER, "Q病院", Setting::Inpatient, 600_000, 180_000),
                claim(id + 1, SPOUSE, "R病院", Setting::Inpatient, 200_000, 60_000),
                claim(id + 2, SPOUSE, "Sクリニック", Setting::Outpatient, 50_000, 15_000),
            ],
            k as u32,
        );
        let r = run(&h, &AdditionRules::default());
        let (kogaku, refund, borne) = if k < 3 { (149_060, 43_200, 47_740) } else { (195_600, 8_300, 36_100) };
        assert_eq!(
            summary(&r.payments),
            expect(vec![(PaymentKind::KogakuHousehold, MEMBER, kogaku), (PaymentKind::MemberRefund, MEMBER, refund)]),
            "{month}"
        );
        assert_eq!(find(&r.payments, PaymentKind::KogakuHousehold).receipts, vec![id, id + 1]);
        assert_eq!(r.borne, borne, "{month}: {}", r.borne_explanation);
        if k == 0 {
            explains(find(&r.payments, PaymentKind::KogakuHousehold), "90,940");
            assert!(r.borne_explanation.contains("43,200"), "{}", r.borne_explanation);
        }
        with_addition.push(BorneMonth { month, borne: r.borne, bracket: r.bracket.clone() });
        let bare = run(&h, &no_addition());
        assert_eq!(bare.borne, if k < 3 { 90_940 } else { 44_400 }, "{month}");
        without_addition.push(BorneMonth { month, borne: bare.borne, bracket: bare.bracket });
    }
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, with_addition)).unwrap();
    assert_eq!((r.cap, r.total, r.amount), (530_000, 468_120, 0));
    let r = cap_on_basis_date(&yearly(2026, income(300_000), false, without_addition)).unwrap();
    assert_eq!((r.cap, r.total, r.amount), (530_000, 672_420, 142_420));
}

#[test]
fn combined_addition_is_netted_in_borne_and_two_units_can_still_reach_the_cap() {
    // 区分エ (240,000), 2026-08 … 2027-07, the same receipts every month:
    //   member, T病院 入院: 医療費 173,000, 負担 51,900
    //   spouse, U病院 入院: 医療費 237,000, 負担 71,100
    // Months 0–2 (61,500): 高額療養費 123,000 − 61,500 = 61,500.
    //   Allocation: 61,500 × 51,900 / 123,000 = 25,950; × 71,100 / 123,000 = 35,550 (exact).
    //   Left 25,950 / 35,550. 還元金 950 → 900 < 1,000 → none; 家族療養付加金 10,550 → 10,500.
    //   合算高額療養付加金 61,500 − 25,000 × 2 − 10,500 = 1,000 → 1,000.
    //   borne = 61,500 − 10,500 − 1,000 = 50,000.
    // Months 3–11 (多数回 44,400): 123,000 − 44,400 = 78,600.
    //   member 78,600 × 51,900 / 123,000 = 33,165 rem 45,000
    //   spouse 78,600 × 71,100 / 123,000 = 45,434 rem 78,000 → +1 = 45,435
    //   Left 18,735 / 25,665 (sum 44,400). 還元金 none; 家族療養付加金 665 → 600 < 1,000 → none;
    //   合算 44,400 − 50,000 < 0 → none. borne 44,400.
    // Year: 3 × 50,000 + 9 × 44,400 = 150,000 + 399,600 = 549,600 − 530,000 = 19,600.
    let mut months = Vec::new();
    for (k, month) in period_months(2026).into_iter().enumerate() {
        let id = 1400 + 10 * k as i64;
        let h = household(
            month,
            income(240_000),
            vec![person(MEMBER, false), person(SPOUSE, false)],
            vec![
                claim(id, MEMBER, "T病院", Setting::Inpatient, 173_000, 51_900),
                claim(id + 1, SPOUSE, "U病院", Setting::Inpatient, 237_000, 71_100),
            ],
            k as u32,
        );
        let r = run(&h, &AdditionRules::default());
        if k < 3 {
            assert_eq!(
                summary(&r.payments),
                expect(vec![
                    (PaymentKind::KogakuHousehold, MEMBER, 61_500),
                    (PaymentKind::FamilyAddition, SPOUSE, 10_500),
                    (PaymentKind::CombinedAddition, MEMBER, 1_000),
                ]),
                "{month}"
            );
            assert_eq!(r.borne, 50_000, "{month}: {}", r.borne_explanation);
            assert!(r.borne_explanation.contains("11,500"), "{}", r.borne_explanation);
        } else {
            assert_eq!(summary(&r.payments), expect(vec![(PaymentKind::KogakuHousehold, MEMBER, 78_600)]), "{month}");
            assert_eq!(r.borne, 44_400, "{month}: {}", r.borne_explanation);
        }
        months.push(BorneMonth { month, borne: r.borne, bracket: r.bracket });
    }
    let r = cap_on_basis_date(&yearly(2026, income(240_000), false, months)).unwrap();
    assert_eq!((r.bracket.as_str(), r.cap, r.total, r.amount), ("エ", 530_000, 549_600, 19_600));
}

// ---------------------------------------------------------------------------------------------
// Transcription checks
// ---------------------------------------------------------------------------------------------

#[test]
fn every_threshold_is_base_divided_by_0_3() {
    // MHLW's design: the 1% starts where 総医療費 × 3割 = base, i.e. threshold × 3 = base × 10.
    // E.g. 270,300 × 10 = 2,703,000 = 901,000 × 3; 110,400 × 10 = 1,104,000 = 368,000 × 3.
    // Brackets with a threshold: 2018-08 3 + 3, 2026-08 3 + 3, 2027-08 9 under 70 = 21 at least.
    let mut checked = 0;
    for period in ceiling_table() {
        let Some(f) = &period.figures else { continue };
        let lists = [Some(f.under70()), f.elderly()];
        for b in lists.into_iter().flatten().flatten() {
            if let Some(t) = b.ceiling.threshold {
                assert_eq!(
                    t * 3,
                    b.ceiling.base * 10,
                    "{} {}: base {} threshold {t}",
                    period.from,
                    b.code,
                    b.ceiling.base
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 21, "only {checked} brackets with a threshold");
}

#[test]
fn figures_of_2026_08_and_2018_08_as_published() {
    // (base, threshold, 多数回, 外来, 年間, reduced 年間) per bracket, from the official table.
    type Row = (Yen, Option<Yen>, Option<Yen>, Option<Yen>, Option<Yen>, Option<(Yen, Yen)>);
    let row = |b: &kenpo_domain::kogaku::Bracket| -> Row {
        (b.ceiling.base, b.ceiling.threshold, b.many, b.outpatient, b.yearly, b.yearly_reduced)
    };
    let f = figures(AUG_2026);
    assert_eq!(f.from(), AUG_2026);
    assert_eq!(ceilings_for(ceiling_table(), JUL_2027).unwrap().from(), AUG_2026);
    let u = |facts| row(f.under70_for(facts));
    assert_eq!(u(income(830_000)), (270_300, Some(901_000), Some(140_100), None, Some(1_680_000), None));
    assert_eq!(u(income(530_000)), (179_100, Some(597_000), Some(93_000), None, Some(1_110_000), None));
    assert_eq!(u(income(280_000)), (85_800, Some(286_000), Some(44_400), None, Some(530_000), None));
    assert_eq!(u(income(260_000)), (61_500, None, Some(44_400), None, Some(530_000), Some((410_000, 150_000))));
    assert_eq!(u(exempt(260_000, false)), (36_900, None, Some(24_600), None, Some(290_000), None));
    let e = |facts| row(f.elderly_for(facts).expect("70–74 figures entered for 2026-08"));
    assert_eq!(e(income(830_000)), (270_300, Some(901_000), Some(140_100), None, Some(1_680_000), None));
    assert_eq!(e(income(530_000)), (179_100, Some(597_000), Some(93_000), None, Some(1_110_000), None));
    assert_eq!(e(income(280_000)), (85_800, Some(286_000), Some(44_400), None, Some(530_000), None));
    assert_eq!(e(income(260_000)), (61_500, None, Some(44_400), Some(22_000), Some(530_000), Some((410_000, 150_000))));
    assert_eq!(e(exempt(260_000, false)), (25_700, None, Some(24_600), Some(11_000), Some(290_000), None));
    assert_eq!(e(exempt(260_000, true)), (15_700, None, None, Some(8_000), Some(180_000), None));

    let old = figures(JUL_2026);
    let u = |facts| row(old.under70_for(facts));
    assert_eq!(u(income(830_000)), (252_600, Some(842_000), Some(140_100), None, None, None));
    assert_eq!(u(income(530_000)), (167_400, Some(558_000), Some(93_000), None, None, None));
    assert_eq!(u(income(280_000)), (80_100, Some(267_000), Some(44_400), None, None, None));
    assert_eq!(u(income(260_000)), (57_600, None, Some(44_400), None, None, None));
    assert_eq!(u(exempt(260_000, false)), (35_400, None, Some(24_600), None, None, None));
    let e = |facts| row(old.elderly_for(facts).expect("70–74 figures entered for 2018-08"));
    assert_eq!(e(income(260_000)), (57_600, None, Some(44_400), Some(18_000), None, None));
    assert_eq!(e(exempt(260_000, false)), (24_600, None, None, Some(8_000), None, None));
    assert_eq!(e(exempt(260_000, true)), (15_000, None, None, Some(8_000), None, None));
}
