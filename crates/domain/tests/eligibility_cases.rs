//! Hand-worked cases for 資格 (`kenpo_domain::eligibility`) and 被扶養者の認定
//! (`kenpo_domain::dependant`).
//!
//! Every expected value below was worked by hand from
//! `shared/reference/rules-benefits-premiums-privacy.md` §5 (patient share, 75歳, loss (Art. 36),
//! 任意継続 (Art. 38)) and §6 (被扶養者: scope, income, residence), and from the 喪失届 date
//! rules in `docs/research/eligibility-filings.md` §2.2 (4 退職等 → the day after, 5 死亡 → the
//! day after, 7 75歳到達 → the 75th birthday itself), never by running the code. The comment of
//! each test shows the reasoning.
//!
//! Conventions:
//! * an age is reached at the end of the day before the birthday (年齢計算ニ関スル法律, §6
//!   "a person ages on the day before the birthday");
//! * weekdays were read off a calendar: 2026-01-01 is a Thursday, so 2026-04-01 (90 days later,
//!   90 = 12·7 + 6) is a Wednesday, 2026-04-20 a Monday, 2026-06-01 a Monday, 2026-06-20 a
//!   Saturday;
//! * 令和 n = year − 2018 (2026 = 令和8), as the reasoning prints dates in 和暦.

use chrono::NaiveDate;
use kenpo_domain::YearMonth;
use kenpo_domain::dependant::{AbroadException, Document, Evidence, Kinship, Outcome, Residence, legal_age, recognise};
use kenpo_domain::eligibility::{
    ElderlyIncome, LossReason, VoluntaryRefusal, dependants_losing_with, elderly_share, elderly_start_month,
    income_year_for, loss_date, patient_share, seventy_fifth_birthday, voluntary_application,
    voluntary_application_deadline,
};

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

/// A member born 1970-05-20: no age rule is in play for the reasons that do not depend on the
/// birthday.
fn member_birth() -> NaiveDate {
    d(1970, 5, 20)
}

fn loss(reason: LossReason, event: NaiveDate) -> NaiveDate {
    loss_date(reason, event, member_birth()).unwrap().value
}

// ───────────────────────────── 資格喪失日 ─────────────────────────────

#[test]
fn retirement_loses_status_the_day_after_the_last_day_of_work() {
    // 喪失届 4 退職等 (§2.2: 喪失日 = 退職日 + 1 day; Art. 36 "the day after leaving").
    // 退職 2026-03-31 → 喪失日 = the day after = 2026-04-01 (令和8年4月1日).
    let r = loss_date(LossReason::Retirement, d(2026, 3, 31), member_birth()).unwrap();
    assert_eq!(r.value, d(2026, 4, 1));
    assert!(mentions(&r.reasoning, "令和8年4月1日"), "{:?}", r.reasoning);
}

#[test]
fn retirement_on_31_december_loses_status_on_1_january_of_the_next_year() {
    // 退職 2026-12-31 → the day after crosses the year: 2027-01-01 (令和9年1月1日).
    let r = loss_date(LossReason::Retirement, d(2026, 12, 31), member_birth()).unwrap();
    assert_eq!(r.value, d(2027, 1, 1));
    assert!(mentions(&r.reasoning, "令和9年1月1日"), "{:?}", r.reasoning);
}

#[test]
fn death_loses_status_the_day_after_death() {
    // 喪失届 5 死亡 (§2.2: the day after death). 死亡 2026-07-14 → 2026-07-15.
    let r = loss_date(LossReason::Death, d(2026, 7, 14), member_birth()).unwrap();
    assert_eq!(r.value, d(2026, 7, 15));
    assert!(mentions(&r.reasoning, "令和8年7月15日"), "{:?}", r.reasoning);
}

#[test]
fn death_on_the_last_day_of_february_loses_status_on_1_march() {
    // 2026 is a common year (2026 mod 4 = 2): 死亡 2026-02-28 → the day after = 2026-03-01.
    assert_eq!(loss(LossReason::Death, d(2026, 2, 28)), d(2026, 3, 1));
}

#[test]
fn reaching_75_loses_status_on_the_75th_birthday_itself_whatever_the_event_day() {
    // 喪失届 7 75歳到達 (§2.2: the 75th birthday itself; §5 "ends on the 75th birthday").
    // Born 1951-06-10 → 1951 + 75 = 2026 → 2026-06-10. The event day passed (2026-01-01) is
    // not used: the birthday decides.
    let birth = d(1951, 6, 10);
    let r = loss_date(LossReason::Age75, d(2026, 1, 1), birth).unwrap();
    assert_eq!(r.value, d(2026, 6, 10));
    assert!(mentions(&r.reasoning, "令和8年6月10日"), "{:?}", r.reasoning);
    assert_eq!(seventy_fifth_birthday(birth), Some(d(2026, 6, 10)));
}

#[test]
fn born_on_29_february_reaches_75_on_1_march_of_a_common_year() {
    // Born 1952-02-29 (1952 is a leap year). 1952 + 75 = 2027, a common year with no 29 Feb.
    // The age is reached at the end of the day before the birthday, i.e. the end of 28 Feb,
    // so 後期高齢者医療 starts (and this status ends) on 2027-03-01.
    let birth = d(1952, 2, 29);
    assert_eq!(seventy_fifth_birthday(birth), Some(d(2027, 3, 1)));
    assert_eq!(loss_date(LossReason::Age75, d(2027, 2, 1), birth).unwrap().value, d(2027, 3, 1));
}

#[test]
fn disability_recognition_loses_status_on_the_day_of_recognition() {
    // 喪失届 9 障害認定: 後期高齢者医療 from the 認定日 itself, so no gap → 2026-07-15.
    assert_eq!(loss(LossReason::DisabilityRecognition, d(2026, 7, 15)), d(2026, 7, 15));
}

#[test]
fn social_security_agreement_loses_status_on_the_day_the_other_scheme_applies() {
    // 喪失届 11 社会保障協定: covered abroad from 2026-09-01 → loses 2026-09-01 (same day).
    assert_eq!(loss(LossReason::SocialSecurityAgreement, d(2026, 9, 1)), d(2026, 9, 1));
}

#[test]
fn becoming_covered_elsewhere_loses_status_the_same_day() {
    // §5 Loss: "the same day if the person is covered again that day" (Art. 38(4) for 任意継続).
    // 被保険者 elsewhere from 2026-05-01 → 喪失 2026-05-01.
    assert_eq!(loss(LossReason::CoveredElsewhere, d(2026, 5, 1)), d(2026, 5, 1));
}

#[test]
fn voluntary_non_payment_loses_status_the_day_after_the_due_date() {
    // Art. 38(3): not paid by the 納付期日 → the day after. Due 2026-05-11, unpaid →
    // 喪失 2026-05-12.
    let r = loss_date(LossReason::NonPayment, d(2026, 5, 11), member_birth()).unwrap();
    assert_eq!(r.value, d(2026, 5, 12));
    assert!(mentions(&r.reasoning, "令和8年5月12日"), "{:?}", r.reasoning);
}

#[test]
fn voluntary_own_request_loses_status_on_the_first_of_the_next_month() {
    // Art. 38(7) (from 2022-01): the end of the month of receipt arrives → the day after, i.e.
    // the 1st of the next month. Received 2026-06-15 → month 2026-06 ends 06-30 → 2026-07-01.
    let r = loss_date(LossReason::OwnRequest, d(2026, 6, 15), member_birth()).unwrap();
    assert_eq!(r.value, d(2026, 7, 1));
    assert!(mentions(&r.reasoning, "令和8年7月1日"), "{:?}", r.reasoning);
}

#[test]
fn voluntary_own_request_received_on_the_first_still_loses_on_the_next_months_first() {
    // Received 2026-06-01: still month 2026-06 → its end 06-30 → 2026-07-01 (not 06-01).
    assert_eq!(loss(LossReason::OwnRequest, d(2026, 6, 1)), d(2026, 7, 1));
}

#[test]
fn voluntary_own_request_in_december_loses_on_1_january() {
    // Received 2026-12-10 → month end 2026-12-31 → the day after = 2027-01-01.
    assert_eq!(loss(LossReason::OwnRequest, d(2026, 12, 10)), d(2027, 1, 1));
}

#[test]
fn voluntary_status_ends_two_years_after_its_acquisition() {
    // Art. 38(1): two years counted from the 取得日 (included) 2024-04-01 end at the end of
    // 2026-03-31; the status is lost the day after → 2026-04-01.
    let r = loss_date(LossReason::TwoYears, d(2024, 4, 1), member_birth()).unwrap();
    assert_eq!(r.value, d(2026, 4, 1));
    assert!(mentions(&r.reasoning, "令和8年4月1日"), "{:?}", r.reasoning);
}

#[test]
fn voluntary_status_acquired_on_29_february_ends_on_1_march_two_years_later() {
    // 取得 2024-02-29. 2026 has no 29 Feb, so the two years end on the last day of February
    // 2026 (民法143条2項 ただし書): 2026-02-28. Lost the day after → 2026-03-01.
    assert_eq!(loss(LossReason::TwoYears, d(2024, 2, 29)), d(2026, 3, 1));
}

#[test]
fn dependant_loses_status_on_the_members_loss_day() {
    // The member's 喪失日 2026-04-01 → the dependant loses on that same day, 2026-04-01.
    assert_eq!(loss(LossReason::MemberLost, d(2026, 4, 1)), d(2026, 4, 1));
}

#[test]
fn dependant_who_no_longer_qualifies_is_removed_on_that_day() {
    // No longer qualifies (e.g. income over the limit) from 2026-08-20 → removed 2026-08-20.
    assert_eq!(loss(LossReason::NoLongerDependant, d(2026, 8, 20)), d(2026, 8, 20));
}

#[test]
fn the_filing_codes_are_those_of_the_loss_filing() {
    // §2.2 field 16: 4 退職等, 5 死亡, 7 75歳到達, 9 障害認定, 11 社会保障協定; the 任意継続 and
    // 被扶養者 reasons are not on that filing.
    assert_eq!(LossReason::from_filing_code("4"), Some(LossReason::Retirement));
    assert_eq!(LossReason::from_filing_code("5"), Some(LossReason::Death));
    assert_eq!(LossReason::from_filing_code("7"), Some(LossReason::Age75));
    assert_eq!(LossReason::from_filing_code("9"), Some(LossReason::DisabilityRecognition));
    assert_eq!(LossReason::from_filing_code("11"), Some(LossReason::SocialSecurityAgreement));
    assert_eq!(LossReason::from_filing_code("6"), None);
    assert_eq!(LossReason::NonPayment.filing_code(), None);
    assert_eq!(LossReason::MemberLost.filing_code(), None);
}

// ─────────────────────── dependants losing with the member ───────────────────────

#[test]
fn younger_dependant_loses_status_on_the_day_the_member_reaches_75() {
    // §5: "Younger dependants of a member who turns 75 lose status". Member born 1951-06-10 →
    // 喪失 2026-06-10. Spouse born 1955-03-03 → 75 only in 2030 → listed, losing 2026-06-10.
    let member_loss = loss_date(LossReason::Age75, d(2026, 6, 10), d(1951, 6, 10)).unwrap().value;
    assert_eq!(member_loss, d(2026, 6, 10));
    let out = dependants_losing_with(member_loss, &[(7, d(1955, 3, 3))]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].0, 7);
    assert_eq!(out[0].1.value, d(2026, 6, 10));
    assert!(mentions(&out[0].1.reasoning, "令和8年6月10日"), "{:?}", out[0].1.reasoning);
}

#[test]
fn older_dependant_who_already_reached_75_is_not_listed_with_the_member() {
    // Member loses 2026-06-10. Dependant born 1950-01-15 reached 75 on 2025-01-15 and left on
    // that birthday already (§5 "Dependants who are 75 leave too") → not listed. The younger
    // one (born 1955-03-03) is listed with 2026-06-10.
    let out = dependants_losing_with(d(2026, 6, 10), &[(8, d(1950, 1, 15)), (9, d(1955, 3, 3))]);
    let ids: Vec<i64> = out.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![9]);
    assert_eq!(out[0].1.value, d(2026, 6, 10));
}

// ───────────────────────────── 被扶養者の認定 ─────────────────────────────

/// A 45-year-old spouse living with the member (born 1981-01-15: 45 on 2026-04-01), member
/// income 5,000,000, in Japan, 認定日 2026-04-01. Only the fields a case changes are set there.
fn base() -> Evidence {
    Evidence {
        kinship: Kinship::Spouse,
        birth_date: d(1981, 1, 15),
        cohabiting: true,
        expected_income: Some(1_000_000),
        disabled: false,
        member_income: Some(5_000_000),
        support_sent: None,
        residence: Residence::InJapan,
        exception_documents: false,
        recognition_day: d(2026, 4, 1),
    }
}

#[test]
fn income_just_under_1_300_000_is_recognised() {
    // Age 45 (2026 − 1981, birthday 01-15 passed), not disabled → limit "under 1,300,000".
    // 1,299,999 < 1,300,000 ✓. 同居: 2 × 1,299,999 = 2,599,998 < 5,000,000 ✓ → 認定.
    let r = recognise(&Evidence { expected_income: Some(1_299_999), ..base() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_300_000));
    assert!(mentions(&r.reasoning, "1,300,000"), "{:?}", r.reasoning);
}

#[test]
fn income_of_exactly_1_300_000_is_refused() {
    // 1,300,000 is not under 1,300,000 → 不認定.
    let r = recognise(&Evidence { expected_income: Some(1_300_000), ..base() });
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.income_limit, Some(1_300_000));
    assert!(mentions(&r.reasoning, "1,300,000"), "{:?}", r.reasoning);
}

/// A parent born 1965-03-01: 61 on 2026-04-01 (2026 − 1965 = 61, birthday passed).
fn parent_61() -> Evidence {
    Evidence { kinship: Kinship::LinealAscendant, birth_date: d(1965, 3, 1), ..base() }
}

#[test]
fn income_just_under_1_800_000_at_60_or_over_is_recognised() {
    // Age 61 ≥ 60 → limit "under 1,800,000". 1,799,999 < 1,800,000 ✓. 同居: 2 × 1,799,999 =
    // 3,599,998 < 5,000,000 ✓ → 認定.
    let r = recognise(&Evidence { expected_income: Some(1_799_999), ..parent_61() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_800_000));
    assert!(mentions(&r.reasoning, "1,800,000"), "{:?}", r.reasoning);
}

#[test]
fn income_of_exactly_1_800_000_at_60_or_over_is_refused() {
    // 1,800,000 is not under 1,800,000 → 不認定.
    let r = recognise(&Evidence { expected_income: Some(1_800_000), ..parent_61() });
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.income_limit, Some(1_800_000));
}

#[test]
fn disabled_dependant_under_60_has_the_1_800_000_limit() {
    // A disabled child born 1996-07-07 (29 on 2026-04-01, under 60): disabled → limit "under
    // 1,800,000". 1,799,999 < 1,800,000 ✓; 同居: 3,599,998 < 5,000,000 ✓ → 認定.
    let r = recognise(&Evidence {
        kinship: Kinship::Child,
        birth_date: d(1996, 7, 7),
        disabled: true,
        expected_income: Some(1_799_999),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_800_000));
    assert!(mentions(&r.reasoning, "1,800,000"), "{:?}", r.reasoning);
}

/// A child born 2005-06-15: at 2025-12-31 the last birthday reached is the 20th (2025-06-15),
/// so 20 at 31 December 2025 → inside 19–22.
fn child_20() -> Evidence {
    Evidence { kinship: Kinship::Child, birth_date: d(2005, 6, 15), expected_income: Some(1_499_999), ..base() }
}

#[test]
fn child_aged_20_before_october_2025_has_the_1_300_000_limit() {
    // 認定日 2025-09-30 is before 2025-10-01 → the 19–22 limit does not apply yet → limit
    // 1,300,000; 1,499,999 ≥ 1,300,000 → 不認定.
    let r = recognise(&Evidence { recognition_day: d(2025, 9, 30), ..child_20() });
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.income_limit, Some(1_300_000));
    assert!(mentions(&r.reasoning, "1,300,000"), "{:?}", r.reasoning);
}

#[test]
fn child_aged_20_from_october_2025_has_the_1_500_000_limit() {
    // 認定日 2025-10-01 (on the start day), age at 2025-12-31 = 20 (19–22), a child (not a
    // spouse) → limit under 1,500,000. 1,499,999 < 1,500,000 ✓; 同居: 2 × 1,499,999 =
    // 2,999,998 < 5,000,000 ✓ → 認定.
    let r = recognise(&Evidence { recognition_day: d(2025, 10, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_500_000));
    assert!(mentions(&r.reasoning, "1,500,000"), "{:?}", r.reasoning);
}

#[test]
fn spouse_aged_20_does_not_get_the_1_500_000_limit() {
    // Same age and day as above but a spouse: §6 "spouses excluded" → limit 1,300,000;
    // 1,499,999 ≥ 1,300,000 → 不認定.
    let r = recognise(&Evidence { kinship: Kinship::Spouse, recognition_day: d(2025, 10, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.income_limit, Some(1_300_000));
}

#[test]
fn age_at_31_december_is_reached_the_day_before_the_birthday() {
    // Born 2006-01-01: the 20th birthday is 2026-01-01, reached at the end of 2025-12-31 →
    // 20 at 2025-12-31, but still 19 at 2025-12-30.
    assert_eq!(legal_age(d(2006, 1, 1), d(2025, 12, 31)), 20);
    assert_eq!(legal_age(d(2006, 1, 1), d(2025, 12, 30)), 19);
    // Born 2003-01-02: the 23rd birthday 2026-01-02 is reached at the end of 2026-01-01, after
    // 2025-12-31 → 22 at 2025-12-31.
    assert_eq!(legal_age(d(2003, 1, 2), d(2025, 12, 31)), 22);
    // Born 2003-01-01: the 23rd birthday 2026-01-01 is reached at the end of 2025-12-31 → 23.
    assert_eq!(legal_age(d(2003, 1, 1), d(2025, 12, 31)), 23);
}

#[test]
fn child_born_1_january_2006_is_20_at_the_end_of_2025_and_gets_the_1_500_000_limit() {
    // 認定日 2025-11-01 ≥ 2025-10-01. Age at 2025-12-31 = 20 (above) → 19–22 → limit 1,500,000.
    // Age on 2025-11-01 is 19 (< 60). 1,499,999 < 1,500,000 → 認定.
    let r = recognise(&Evidence { birth_date: d(2006, 1, 1), recognition_day: d(2025, 11, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_500_000));
}

#[test]
fn child_born_2_january_2003_is_22_at_the_end_of_2025_and_gets_the_1_500_000_limit() {
    // Age at 2025-12-31 = 22 (the 23rd is reached only at the end of 2026-01-01) → 19–22 →
    // limit 1,500,000; 1,499,999 < 1,500,000 → 認定.
    let r = recognise(&Evidence { birth_date: d(2003, 1, 2), recognition_day: d(2025, 11, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_500_000));
}

#[test]
fn child_born_1_january_2003_is_23_at_the_end_of_2025_and_keeps_the_1_300_000_limit() {
    // Age at 2025-12-31 = 23 (reached at the end of that very day) → outside 19–22 → limit
    // 1,300,000; 1,499,999 ≥ 1,300,000 → 不認定.
    let r = recognise(&Evidence { birth_date: d(2003, 1, 1), recognition_day: d(2025, 11, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.income_limit, Some(1_300_000));
}

#[test]
fn child_who_is_18_at_the_end_of_the_year_keeps_the_1_300_000_limit() {
    // Born 2007-01-02: the 19th birthday 2026-01-02 is reached at the end of 2026-01-01 → 18 at
    // 2025-12-31 → outside 19–22 → limit 1,300,000; 1,499,999 → 不認定.
    // Born 2007-01-01: the 19th is reached at the end of 2025-12-31 → 19 → 1,500,000 → 認定.
    let r = recognise(&Evidence { birth_date: d(2007, 1, 2), recognition_day: d(2025, 11, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Refused);
    assert_eq!(r.income_limit, Some(1_300_000));
    let r = recognise(&Evidence { birth_date: d(2007, 1, 1), recognition_day: d(2025, 11, 1), ..child_20() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_500_000));
}

/// A parent aged 55 (born 1971-02-01) living apart, income 1,000,000 (under 1,300,000).
fn parent_apart() -> Evidence {
    Evidence {
        kinship: Kinship::LinealAscendant,
        birth_date: d(1971, 2, 1),
        cohabiting: false,
        member_income: None,
        expected_income: Some(1_000_000),
        ..base()
    }
}

#[test]
fn living_apart_with_support_below_the_income_is_refused() {
    // 別居: income must be under the support sent. 1,000,000 ≥ 900,000 → 不認定.
    let r = recognise(&Evidence { support_sent: Some(900_000), ..parent_apart() });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn living_apart_with_support_equal_to_the_income_is_refused() {
    // 1,000,000 is not under 1,000,000 → 不認定.
    let r = recognise(&Evidence { support_sent: Some(1_000_000), ..parent_apart() });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn living_apart_with_support_above_the_income_is_recognised() {
    // 1,000,000 < 1,300,000 ✓ and 1,000,000 < 1,200,000 sent ✓ → 認定 (no member income needed
    // when living apart).
    let r = recognise(&Evidence { support_sent: Some(1_200_000), ..parent_apart() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_300_000));
}

#[test]
fn living_apart_without_proof_of_support_needs_the_support_evidence() {
    // 別居 and no 仕送り shown: the "under the support" test cannot be made → 仕送りの証明.
    let r = recognise(&parent_apart());
    assert_eq!(r.outcome, Outcome::DocumentsNeeded(vec![Document::SupportEvidence]));
}

#[test]
fn cohabiting_with_income_exactly_half_the_members_is_refused() {
    // Member 2,400,000 → half = 1,200,000. Income 1,200,000 < 1,300,000 ✓ but not under half
    // → 不認定.
    let r = recognise(&Evidence { expected_income: Some(1_200_000), member_income: Some(2_400_000), ..base() });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn cohabiting_with_income_just_under_half_the_members_is_recognised() {
    // 1,199,999 < 1,200,000 = 2,400,000 / 2 ✓ and < 1,300,000 ✓ → 認定.
    let r = recognise(&Evidence { expected_income: Some(1_199_999), member_income: Some(2_400_000), ..base() });
    assert_eq!(r.outcome, Outcome::Recognised);
}

#[test]
fn cohabiting_without_the_members_income_needs_it() {
    // 同居 and the member's income not shown: the half test cannot be made → 被保険者の収入の証明.
    let r = recognise(&Evidence { member_income: None, ..base() });
    assert_eq!(r.outcome, Outcome::DocumentsNeeded(vec![Document::MemberIncome]));
}

#[test]
fn missing_income_evidence_is_asked_for() {
    // No expected income shown → the income test cannot be made → 収入の証明.
    let r = recognise(&Evidence { expected_income: None, ..base() });
    assert_eq!(r.outcome, Outcome::DocumentsNeeded(vec![Document::IncomeEvidence]));
}

#[test]
fn other_relative_within_the_3rd_degree_living_apart_is_refused() {
    // §6: other relatives within the 3rd degree need support AND cohabitation. An aunt (born
    // 1960-09-09) living apart, even with support above her income → 不認定.
    let r = recognise(&Evidence {
        kinship: Kinship::OtherRelativeWithin3rd,
        birth_date: d(1960, 9, 9),
        cohabiting: false,
        expected_income: Some(500_000),
        support_sent: Some(1_000_000),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn other_relative_within_the_3rd_degree_living_together_is_recognised() {
    // Same aunt living with the member: cohabitation ✓; age 65 on 2026-04-01 → limit 1,800,000;
    // 500,000 < 1,800,000 ✓; 2 × 500,000 = 1,000,000 < 5,000,000 ✓ → 認定.
    let r = recognise(&Evidence {
        kinship: Kinship::OtherRelativeWithin3rd,
        birth_date: d(1960, 9, 9),
        expected_income: Some(500_000),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Recognised);
}

#[test]
fn common_law_spouses_child_living_apart_is_refused() {
    // §6: a common-law spouse's parents and children also need cohabitation → apart → 不認定.
    let r = recognise(&Evidence {
        kinship: Kinship::CommonLawSpousesParentOrChild,
        cohabiting: false,
        support_sent: Some(2_000_000),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn unrelated_person_is_refused() {
    // Outside the scope of §6 whatever the income and cohabitation → 不認定.
    let r = recognise(&Evidence { kinship: Kinship::Unrelated, expected_income: Some(0), ..base() });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn parent_aged_75_is_refused() {
    // Born 1950-05-01: the 75th birthday was 2025-05-01, before 認定日 2026-04-01 → in
    // 後期高齢者医療 (§5) → 不認定, whatever the income.
    let r = recognise(&Evidence {
        kinship: Kinship::LinealAscendant,
        birth_date: d(1950, 5, 1),
        expected_income: Some(100_000),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn parent_is_refused_from_the_75th_birthday_itself() {
    // Born 1951-06-10: 後期高齢者医療 from the 75th birthday 2026-06-10 (§5) → 認定日 2026-06-10
    // → 不認定.
    let r = recognise(&Evidence {
        kinship: Kinship::LinealAscendant,
        birth_date: d(1951, 6, 10),
        expected_income: Some(100_000),
        recognition_day: d(2026, 6, 10),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn parent_is_not_yet_in_the_late_elderly_scheme_the_day_before_the_75th_birthday() {
    // Same parent, 認定日 (or 検認 day) 2026-06-09: §5 says status ends ON the 75th birthday
    // (2026-06-10), and `loss_date(Age75)` gives that same day, so on 2026-06-09 the parent is
    // not yet in 後期高齢者医療 and is still a dependant: age 74 → limit 1,800,000 (≥ 60);
    // 100,000 < 1,800,000 ✓; 同居 200,000 < 5,000,000 ✓ → 認定. (Refusing here would leave the
    // day 2026-06-09 without any coverage.)
    let r = recognise(&Evidence {
        kinship: Kinship::LinealAscendant,
        birth_date: d(1951, 6, 10),
        expected_income: Some(100_000),
        recognition_day: d(2026, 6, 9),
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_800_000));
}

#[test]
fn living_in_japan_meets_the_residence_rule() {
    // 住民票 in Japan, 認定日 2026-04-01 (after 2020-04-01) → residence ✓; income 1,000,000 <
    // 1,300,000 and 2,000,000 < 5,000,000 → 認定.
    let r = recognise(&base());
    assert_eq!(r.outcome, Outcome::Recognised);
}

#[test]
fn student_abroad_with_documents_is_recognised() {
    // §6 exception "students abroad" with the papers. Child born 2005-06-15, 認定日
    // 2026-04-01: 21 at 2026-12-31 → limit 1,500,000. Living apart, income 600,000 < 1,500,000
    // ✓ and < 1,200,000 sent ✓ → 認定.
    let r = recognise(&Evidence {
        kinship: Kinship::Child,
        birth_date: d(2005, 6, 15),
        cohabiting: false,
        expected_income: Some(600_000),
        support_sent: Some(1_200_000),
        residence: Residence::Abroad(AbroadException::Student),
        exception_documents: true,
        ..base()
    });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert_eq!(r.income_limit, Some(1_500_000));
}

#[test]
fn abroad_exception_without_documents_needs_the_residence_papers() {
    // Spouse accompanying a posted member (an exception) but no papers → 国内居住要件の例外の証明;
    // everything else passes (1,000,000 < 1,300,000, 2,000,000 < 5,000,000).
    let r = recognise(&Evidence {
        residence: Residence::Abroad(AbroadException::AccompanyingPostedMember),
        exception_documents: false,
        ..base()
    });
    assert_eq!(r.outcome, Outcome::DocumentsNeeded(vec![Document::ResidenceException]));
}

#[test]
fn abroad_exception_without_documents_and_without_member_income_needs_both() {
    // Both gaps are reported at once so the applicant is asked only once.
    let r = recognise(&Evidence {
        residence: Residence::Abroad(AbroadException::TemporaryTrip),
        member_income: None,
        ..base()
    });
    let Outcome::DocumentsNeeded(docs) = r.outcome else { panic!("{:?}", r.outcome) };
    assert!(docs.contains(&Document::ResidenceException), "{docs:?}");
    assert!(docs.contains(&Document::MemberIncome), "{docs:?}");
    assert_eq!(docs.len(), 2);
}

#[test]
fn abroad_without_an_exception_is_refused() {
    let r = recognise(&Evidence { residence: Residence::AbroadNoException, ..base() });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn excluded_visa_in_japan_is_refused() {
    // §6: 特定活動 (medical stay, carer, long sightseeing) excluded even with a 住民票 → 不認定.
    let r = recognise(&Evidence { residence: Residence::InJapanExcludedVisa, ..base() });
    assert_eq!(r.outcome, Outcome::Refused);
}

#[test]
fn abroad_without_exception_before_april_2020_is_not_tested_for_residence() {
    // §6: the residence rule applies from 2020-04-01. 認定日 2020-03-31: not tested. Spouse born
    // 1981-01-15 (39), income 1,000,000 < 1,300,000, 2,000,000 < 5,000,000 → 認定.
    let r = recognise(&Evidence { residence: Residence::AbroadNoException, recognition_day: d(2020, 3, 31), ..base() });
    assert_eq!(r.outcome, Outcome::Recognised);
    assert!(mentions(&r.reasoning, "令和2年4月1日"), "{:?}", r.reasoning);
    // The next day, 2020-04-01, the rule is in force → 不認定.
    let r = recognise(&Evidence { residence: Residence::AbroadNoException, recognition_day: d(2020, 4, 1), ..base() });
    assert_eq!(r.outcome, Outcome::Refused);
}

// ───────────────────────────── 任意継続の申出 ─────────────────────────────

#[test]
fn voluntary_application_deadline_is_the_20th_day_counting_the_loss_day() {
    // 退職 2026-03-31 → 喪失 2026-04-01 = day 1 → day 20 = 04-01 + 19 = 2026-04-20, a Monday
    // (04-01 is a Wednesday; +19 = +2 weeks +5 days → Monday) → no weekend move.
    let loss_day = loss(LossReason::Retirement, d(2026, 3, 31));
    assert_eq!(loss_day, d(2026, 4, 1));
    let r = voluntary_application_deadline(loss_day).unwrap();
    assert_eq!(r.value, d(2026, 4, 20));
    assert!(mentions(&r.reasoning, "令和8年4月20日"), "{:?}", r.reasoning);
}

#[test]
fn voluntary_application_on_day_20_is_accepted() {
    // Covered since 2021-04-01 (≥ 2 months). Applied 2026-04-20 ≤ deadline 2026-04-20 →
    // accepted; the 任意継続 status starts on the 喪失日 2026-04-01.
    let r = voluntary_application(d(2021, 4, 1), d(2026, 4, 1), d(2026, 4, 20)).unwrap();
    assert_eq!(r.value, Ok(d(2026, 4, 1)));
}

#[test]
fn voluntary_application_on_day_21_is_late() {
    // Applied 2026-04-21 > deadline 2026-04-20 → Late.
    let r = voluntary_application(d(2021, 4, 1), d(2026, 4, 1), d(2026, 4, 21)).unwrap();
    assert_eq!(r.value, Err(VoluntaryRefusal::Late));
    assert!(mentions(&r.reasoning, "令和8年4月20日"), "{:?}", r.reasoning);
}

#[test]
fn voluntary_application_deadline_on_a_saturday_moves_to_monday() {
    // 退職 2026-05-31 → 喪失 2026-06-01 (a Monday: 05-01 is a Friday, +31 days = +3 → Monday).
    // Day 20 = 06-01 + 19 = 2026-06-20, a Saturday (Monday + 5) → moved past Sunday 06-21 to
    // Monday 2026-06-22.
    let loss_day = loss(LossReason::Retirement, d(2026, 5, 31));
    assert_eq!(loss_day, d(2026, 6, 1));
    let r = voluntary_application_deadline(loss_day).unwrap();
    assert_eq!(r.value, d(2026, 6, 22));
    assert!(mentions(&r.reasoning, "令和8年6月22日"), "{:?}", r.reasoning);
    // Applying on the Monday is in time, on the Tuesday 2026-06-23 late.
    let ok = voluntary_application(d(2021, 4, 1), loss_day, d(2026, 6, 22)).unwrap();
    assert_eq!(ok.value, Ok(d(2026, 6, 1)));
    let late = voluntary_application(d(2021, 4, 1), loss_day, d(2026, 6, 23)).unwrap();
    assert_eq!(late.value, Err(VoluntaryRefusal::Late));
}

#[test]
fn voluntary_application_deadline_on_a_sunday_moves_to_monday() {
    // 喪失 2026-06-02 (Tuesday) → day 20 = 06-02 + 19 = 2026-06-21, a Sunday → Monday 06-22.
    let r = voluntary_application_deadline(d(2026, 6, 2)).unwrap();
    assert_eq!(r.value, d(2026, 6, 22));
}

#[test]
fn voluntary_application_after_less_than_two_months_is_too_short() {
    // Art. 3(4): 2 months of continuous coverage before the loss. 取得 2026-02-02, 喪失
    // 2026-04-01: 2 months from 02-02 run to the end of 04-01, but coverage ended at the end of
    // 03-31 → 1 month 29 days → TooShort, even though applied in time.
    let r = voluntary_application(d(2026, 2, 2), d(2026, 4, 1), d(2026, 4, 10)).unwrap();
    assert_eq!(r.value, Err(VoluntaryRefusal::TooShort));
}

#[test]
fn voluntary_application_after_exactly_two_months_is_accepted() {
    // 取得 2026-02-01, 喪失 2026-04-01: covered 02-01 … 03-31 = exactly 2 months → accepted.
    let r = voluntary_application(d(2026, 2, 1), d(2026, 4, 1), d(2026, 4, 10)).unwrap();
    assert_eq!(r.value, Ok(d(2026, 4, 1)));
}

// ───────────────────────────── 高齢受給者 ─────────────────────────────

#[test]
fn elderly_share_starts_in_the_birthday_month_when_born_on_the_1st() {
    // §5: "that month if the birthday is the 1st". Born 1956-08-01 → 70th birthday 2026-08-01
    // → from 2026-08.
    let r = elderly_start_month(d(1956, 8, 1)).unwrap();
    assert_eq!(r.value, ym(2026, 8));
}

#[test]
fn elderly_share_starts_the_month_after_the_birthday_otherwise() {
    // Born 1956-08-02 → 70th birthday 2026-08-02 → the month after: 2026-09.
    assert_eq!(elderly_start_month(d(1956, 8, 2)).unwrap().value, ym(2026, 9));
    // Born 1956-12-15 → 70th birthday 2026-12-15 → the month after crosses the year: 2027-01.
    assert_eq!(elderly_start_month(d(1956, 12, 15)).unwrap().value, ym(2027, 1));
}

#[test]
fn standard_monthly_260_000_pays_2_wari() {
    // 260,000 < 280,000 → not 現役並み → 2割.
    let r = elderly_share(260_000, None);
    assert_eq!(r.value, 2);
    assert!(mentions(&r.reasoning, "280,000"), "{:?}", r.reasoning);
}

#[test]
fn standard_monthly_280_000_without_application_pays_3_wari() {
    // 280,000 ≥ 280,000 → 現役並み → 3割 (no 基準収入額 application).
    let r = elderly_share(280_000, None);
    assert_eq!(r.value, 3);
    assert!(mentions(&r.reasoning, "280,000"), "{:?}", r.reasoning);
}

#[test]
fn application_income_under_3_830_000_alone_reverts_to_2_wari() {
    // Alone: 3,829,999 < 3,830,000 → 2割.
    let r = elderly_share(280_000, Some(ElderlyIncome { member: 3_829_999, elderly_dependants: None }));
    assert_eq!(r.value, 2);
    assert!(mentions(&r.reasoning, "3830000"), "{:?}", r.reasoning);
}

#[test]
fn application_income_of_3_830_000_alone_stays_3_wari() {
    // 3,830,000 is not under 3,830,000 → 3割.
    let r = elderly_share(280_000, Some(ElderlyIncome { member: 3_830_000, elderly_dependants: None }));
    assert_eq!(r.value, 3);
}

#[test]
fn application_income_with_a_70_plus_dependant_under_5_200_000_reverts_to_2_wari() {
    // With a 70+ dependant: 3,000,000 + 2,199,999 = 5,199,999 < 5,200,000 → 2割.
    let r = elderly_share(280_000, Some(ElderlyIncome { member: 3_000_000, elderly_dependants: Some(2_199_999) }));
    assert_eq!(r.value, 2);
    assert!(mentions(&r.reasoning, "5199999"), "{:?}", r.reasoning);
    // 3,000,000 + 2,200,000 = 5,200,000, not under 5,200,000 → 3割.
    let r = elderly_share(280_000, Some(ElderlyIncome { member: 3_000_000, elderly_dependants: Some(2_200_000) }));
    assert_eq!(r.value, 3);
}

#[test]
fn income_year_is_two_years_back_to_august_and_one_year_back_from_september() {
    // §5: previous year for Sep–Dec, the year before that for Jan–Aug.
    // 2026-08 → 2024; 2026-09 → 2025; 2026-01 → 2024; 2026-12 → 2025.
    assert_eq!(income_year_for(ym(2026, 8)), 2024);
    assert_eq!(income_year_for(ym(2026, 9)), 2025);
    assert_eq!(income_year_for(ym(2026, 1)), 2024);
    assert_eq!(income_year_for(ym(2026, 12)), 2025);
}

// ───────────────────────────── 一部負担金の割合 ─────────────────────────────

#[test]
fn child_before_school_age_pays_2_wari() {
    // Born 2022-05-10, on 2026-06-01 aged 4 → before school age → 2割.
    assert_eq!(patient_share(d(2022, 5, 10), d(2026, 6, 1), 2).value, 2);
}

#[test]
fn child_born_1_april_starts_school_a_year_before_one_born_2_april() {
    // Art. 74(1)(1): 2割 until "the first 31 March on or after the day the child reaches 6",
    // and the age is reached the day before the birthday.
    // Born 2019-04-01: reaches 6 at the end of 2025-03-31 → that 31 March is the last 2割 day;
    // 2025-04-01 → 3割.
    assert_eq!(patient_share(d(2019, 4, 1), d(2025, 3, 31), 2).value, 2);
    assert_eq!(patient_share(d(2019, 4, 1), d(2025, 4, 1), 2).value, 3);
    // Born 2019-04-02: reaches 6 at the end of 2025-04-01 → the first 31 March after is
    // 2026-03-31 → still 2割 on 2025-04-01 and 2026-03-31; 3割 from 2026-04-01.
    assert_eq!(patient_share(d(2019, 4, 2), d(2025, 4, 1), 2).value, 2);
    assert_eq!(patient_share(d(2019, 4, 2), d(2026, 3, 31), 2).value, 2);
    assert_eq!(patient_share(d(2019, 4, 2), d(2026, 4, 1), 2).value, 3);
}

#[test]
fn adult_aged_40_pays_3_wari() {
    // Born 1986-05-10, on 2026-06-01 aged 40 (birthday passed) → school age to 69 → 3割; the
    // elderly share passed in (2) does not apply before 70.
    let r = patient_share(d(1986, 5, 10), d(2026, 6, 1), 2);
    assert_eq!(r.value, 3);
    assert!(mentions(&r.reasoning, "40"), "{:?}", r.reasoning);
}

#[test]
fn aged_71_pays_the_elderly_share() {
    // Born 1955-03-10: 70th birthday 2025-03-10 → 高齢受給者 from 2025-04. On 2026-06-01 (aged
    // 71) the elderly share given, 2, applies → 2.
    assert_eq!(patient_share(d(1955, 3, 10), d(2026, 6, 1), 2).value, 2);
    // And a 現役並み 3 is passed through as 3.
    assert_eq!(patient_share(d(1955, 3, 10), d(2026, 6, 1), 3).value, 3);
}

#[test]
fn aged_70_before_the_start_month_still_pays_3_wari() {
    // Born 1956-08-02: 70 from 2026-08-02, but the elderly share starts in 2026-09 → on
    // 2026-08-15 → 3割; on 2026-09-01 → the elderly 2.
    assert_eq!(patient_share(d(1956, 8, 2), d(2026, 8, 15), 2).value, 3);
    assert_eq!(patient_share(d(1956, 8, 2), d(2026, 9, 1), 2).value, 2);
    // Born 1956-08-01: starts 2026-08 → 2026-08-01 already 2.
    assert_eq!(patient_share(d(1956, 8, 1), d(2026, 8, 1), 2).value, 2);
}
