//! 資格 (eligibility) rules: the day a status is lost, 任意継続, 高齢受給者, and the patient share.
//! Pure, dated functions over plain types; each returns its reasoning line by line.
//!
//! Sources: `shared/reference/rules-benefits-premiums-privacy.md` §5 (健康保険法 35, 36, 38, 74,
//! 110; 後期高齢者医療 at 75) and the 日本年金機構 喪失届 rules transcribed in
//! `docs/research/eligibility-filings.md` §2.2 (4 退職等 → the day after; 5 死亡 → the day after;
//! 7 75歳到達 → the birthday itself).
//!
//! Ages: by 年齢計算ニ関スル法律 an age is reached at the end of the day before the birthday. The
//! rules below that depend on it say so (`seventy_fifth_birthday`, `elderly_start_month`).

use crate::date::{YearMonth, age_on};
use crate::{Yen, era};
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A value with the lines that explain it, in Japanese for the staff who read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reasoned<T> {
    pub value: T,
    pub reasoning: Vec<String>,
}

/// Why a 被保険者 (or 任意継続被保険者) stops being covered. The codes are the 喪失届's
/// 喪失（不該当）原因 where it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LossReason {
    /// 4 退職等: left the employer on `event_day` (the last day of work).
    Retirement,
    /// 5 死亡: died on `event_day`.
    Death,
    /// 7 75歳到達 (後期高齢者医療へ): `event_day` is ignored; the birthday decides.
    Age75,
    /// 9 障害認定: 65–74 recognised by the 後期高齢者医療広域連合 on `event_day`.
    DisabilityRecognition,
    /// 11 社会保障協定: covered by the other country's scheme from `event_day`.
    SocialSecurityAgreement,
    /// 被扶養者・任意継続: became a 被保険者 (here or elsewhere) on `event_day`.
    CoveredElsewhere,
    /// 任意継続: the premium due on `event_day` was not paid by that day.
    NonPayment,
    /// 任意継続: 本人の申出 received on `event_day`.
    OwnRequest,
    /// 任意継続: two years have passed since its 資格取得日 (`event_day` = that 取得日).
    TwoYears,
    /// 被扶養者: no longer qualifies (income, residence…) from `event_day`, as recognised.
    NoLongerDependant,
    /// 被扶養者: the member they depend on lost status; `event_day` is the member's 喪失日.
    MemberLost,
}

impl LossReason {
    pub const ALL: [LossReason; 11] = [
        LossReason::Retirement,
        LossReason::Death,
        LossReason::Age75,
        LossReason::DisabilityRecognition,
        LossReason::SocialSecurityAgreement,
        LossReason::CoveredElsewhere,
        LossReason::NonPayment,
        LossReason::OwnRequest,
        LossReason::TwoYears,
        LossReason::NoLongerDependant,
        LossReason::MemberLost,
    ];
    pub fn code(self) -> &'static str {
        match self {
            LossReason::Retirement => "retirement",
            LossReason::Death => "death",
            LossReason::Age75 => "age75",
            LossReason::DisabilityRecognition => "disability",
            LossReason::SocialSecurityAgreement => "agreement",
            LossReason::CoveredElsewhere => "covered_elsewhere",
            LossReason::NonPayment => "non_payment",
            LossReason::OwnRequest => "own_request",
            LossReason::TwoYears => "two_years",
            LossReason::NoLongerDependant => "no_longer_dependant",
            LossReason::MemberLost => "member_lost",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            LossReason::Retirement => "退職等",
            LossReason::Death => "死亡",
            LossReason::Age75 => "75歳到達",
            LossReason::DisabilityRecognition => "障害認定",
            LossReason::SocialSecurityAgreement => "社会保障協定",
            LossReason::CoveredElsewhere => "他の被保険者資格取得",
            LossReason::NonPayment => "保険料未納",
            LossReason::OwnRequest => "本人の申出",
            LossReason::TwoYears => "2年経過",
            LossReason::NoLongerDependant => "被扶養者非該当",
            LossReason::MemberLost => "被保険者の資格喪失",
        }
    }
    /// The 喪失届 code (field 16), for the reasons that file carries.
    pub fn filing_code(self) -> Option<&'static str> {
        match self {
            LossReason::Retirement => Some("4"),
            LossReason::Death => Some("5"),
            LossReason::Age75 => Some("7"),
            LossReason::DisabilityRecognition => Some("9"),
            LossReason::SocialSecurityAgreement => Some("11"),
            _ => None,
        }
    }
    pub fn from_filing_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.filing_code() == Some(s))
    }
}

/// The 75th birthday, the day 後期高齢者医療 begins. Someone born on 29 February has no
/// birthday in a common year; their age is reached at the end of 28 February, so the
/// birthday counts as 1 March.
pub fn seventy_fifth_birthday(birth: NaiveDate) -> Option<NaiveDate> {
    anniversary(birth, 75)
}

fn anniversary(birth: NaiveDate, years: i32) -> Option<NaiveDate> {
    let year = birth.year().checked_add(years)?;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day()).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

fn next_day(day: NaiveDate) -> Option<NaiveDate> {
    day.checked_add_days(Days::new(1))
}

/// 資格喪失日: the first day without coverage, for a reason and its event day.
///
/// Art. 36: the day after death or leaving; 後期高齢者医療 from the 75th birthday; 任意継続
/// (Art. 38): the day after the premium's due date, the first day of the month after an
/// 本人の申出 is received, the day two years after its 取得日, or the day of becoming a
/// 被保険者 elsewhere. `None` only when the date would leave the calendar.
pub fn loss_date(reason: LossReason, event_day: NaiveDate, birth: NaiveDate) -> Option<Reasoned<NaiveDate>> {
    let ymd = |d: NaiveDate| era::era_date(d);
    let (value, line) = match reason {
        LossReason::Retirement => {
            let day = next_day(event_day)?;
            (day, format!("退職日 {} の翌日 {} が資格喪失日（健康保険法36条4号）", ymd(event_day), ymd(day)))
        }
        LossReason::Death => {
            let day = next_day(event_day)?;
            (day, format!("死亡日 {} の翌日 {} が資格喪失日（健康保険法36条1号）", ymd(event_day), ymd(day)))
        }
        LossReason::Age75 => {
            let day = seventy_fifth_birthday(birth)?;
            (day, format!("75歳の誕生日 {} 当日に後期高齢者医療の被保険者となり資格喪失", ymd(day)))
        }
        LossReason::DisabilityRecognition => {
            (event_day, format!("後期高齢者医療の障害認定日 {} 当日に資格喪失", ymd(event_day)))
        }
        LossReason::SocialSecurityAgreement => {
            (event_day, format!("社会保障協定により相手国制度の適用となった日 {} に資格喪失", ymd(event_day)))
        }
        LossReason::CoveredElsewhere => (
            event_day,
            format!("被保険者の資格を取得した日 {} 当日に資格喪失（その日に他の資格を得るため）", ymd(event_day)),
        ),
        LossReason::NonPayment => {
            let day = next_day(event_day)?;
            (
                day,
                format!(
                    "保険料の納付期日 {} までに納付がなく、その翌日 {} に資格喪失（健康保険法38条3号）",
                    ymd(event_day),
                    ymd(day)
                ),
            )
        }
        LossReason::OwnRequest => {
            let day = YearMonth::of(event_day).next().first_day();
            (
                day,
                format!(
                    "本人の申出を {} に受理、その月の翌月1日 {} に資格喪失（健康保険法38条7号、令和4年1月から）",
                    ymd(event_day),
                    ymd(day)
                ),
            )
        }
        LossReason::TwoYears => {
            let day = anniversary(event_day, 2)?;
            (
                day,
                format!(
                    "任意継続の資格取得日 {} から2年を経過した日の翌日 {} に資格喪失（健康保険法38条1号）",
                    ymd(event_day),
                    ymd(day)
                ),
            )
        }
        LossReason::NoLongerDependant => {
            (event_day, format!("被扶養者の要件を満たさなくなった日 {} に削除", ymd(event_day)))
        }
        LossReason::MemberLost => {
            (event_day, format!("被保険者の資格喪失日 {} に被扶養者も資格を失う", ymd(event_day)))
        }
    };
    Some(Reasoned { value, reasoning: vec![format!("喪失事由: {}", reason.label()), line] })
}

/// The dependants who lose status with the member, and on which day: all of them, on the
/// member's 喪失日 (a dependant's status rests on the member's). A dependant who reached 75
/// earlier has already left on their own birthday and is not listed.
pub fn dependants_losing_with(
    member_loss: NaiveDate,
    dependants: &[(i64, NaiveDate)],
) -> Vec<(i64, Reasoned<NaiveDate>)> {
    dependants
        .iter()
        .filter(|(_, birth)| seventy_fifth_birthday(*birth).is_none_or(|b75| b75 > member_loss))
        .map(|(id, _)| {
            (
                *id,
                Reasoned {
                    value: member_loss,
                    reasoning: vec![format!(
                        "被保険者が {} に資格を喪失: 被扶養者も同日に資格を失い、国民健康保険等へ移る",
                        era::era_date(member_loss)
                    )],
                },
            )
        })
        .collect()
}

/// 任意継続: the last day to apply (申出): 20 days counted from the 資格喪失日 (Art. 37: 「資格を
/// 喪失した日から二十日以内」, the 喪失日 being day 1 as the societies count it: 3月31日退職 →
/// 4月1日喪失 → 4月20日まで). A last day on a Saturday or Sunday moves to the Monday (民法142条);
/// national holidays are not in this table and are left to staff (the reasoning says so).
pub fn voluntary_application_deadline(loss_day: NaiveDate) -> Option<Reasoned<NaiveDate>> {
    let mut last = loss_day.checked_add_days(Days::new(19))?;
    let mut reasoning = vec![format!(
        "資格喪失日 {} から20日目 {} まで（喪失日を1日目と数える）",
        era::era_date(loss_day),
        era::era_date(last)
    )];
    while matches!(last.weekday(), Weekday::Sat | Weekday::Sun) {
        last = next_day(last)?;
    }
    if reasoning.len() == 1 && last != loss_day.checked_add_days(Days::new(19))? {
        reasoning.push(format!("20日目が土曜・日曜のため翌月曜日 {} まで（民法142条）", era::era_date(last)));
    }
    reasoning.push("国民の祝日は考慮していない: 20日目が祝日なら職員が翌開庁日まで延長する".into());
    Some(Reasoned { value: last, reasoning })
}

/// Whether a 任意継続 application is accepted: in time, and after at least two months of
/// continuous coverage before the loss (Art. 3(4)).
pub fn voluntary_application(
    covered_from: NaiveDate,
    loss_day: NaiveDate,
    applied_on: NaiveDate,
) -> Option<Reasoned<Result<NaiveDate, VoluntaryRefusal>>> {
    let deadline = voluntary_application_deadline(loss_day)?;
    let mut reasoning = deadline.reasoning.clone();
    let two_months = covered_from.checked_add_months(Months::new(2))?;
    if two_months > loss_day {
        reasoning.push(format!(
            "資格取得日 {} から喪失日 {} まで継続2か月に満たない（2か月経過日 {}）",
            era::era_date(covered_from),
            era::era_date(loss_day),
            era::era_date(two_months)
        ));
        return Some(Reasoned { value: Err(VoluntaryRefusal::TooShort), reasoning });
    }
    reasoning.push(format!("資格取得日 {} から喪失まで継続2か月以上", era::era_date(covered_from)));
    if applied_on > deadline.value {
        reasoning.push(format!(
            "申出日 {} は期限 {} を過ぎている",
            era::era_date(applied_on),
            era::era_date(deadline.value)
        ));
        return Some(Reasoned { value: Err(VoluntaryRefusal::Late), reasoning });
    }
    reasoning.push(format!(
        "申出日 {} は期限内: 任意継続被保険者の資格取得日は喪失日と同じ {}",
        era::era_date(applied_on),
        era::era_date(loss_day)
    ));
    Some(Reasoned { value: Ok(loss_day), reasoning })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoluntaryRefusal {
    /// 申出期限（喪失日から20日）を過ぎた.
    Late,
    /// 喪失前の継続被保険者期間が2か月未満.
    TooShort,
}

/// 高齢受給者: the first month of the 70–74 share — the month after the 70th birthday's month,
/// or that month itself when the birthday is the 1st (the age is reached on the last day of the
/// month before, so the whole month is already at 70).
pub fn elderly_start_month(birth: NaiveDate) -> Option<Reasoned<YearMonth>> {
    let seventieth = anniversary(birth, 70)?;
    let (value, line) = if birth.day() == 1 {
        let m = YearMonth::of(seventieth);
        (m, format!("70歳の誕生日 {} は1日: 前日に70歳に達するため、その月 {} から", era::era_date(seventieth), m))
    } else {
        let m = YearMonth::of(seventieth).next();
        (m, format!("70歳の誕生日 {} の属する月の翌月 {} から", era::era_date(seventieth), m))
    };
    Some(Reasoned { value, reasoning: vec![line] })
}

/// 一部負担金の割合 in tenths (2 = 2割, 3 = 3割).
pub type ShareTenths = u8;

/// Income figures for the 基準収入額適用申請 (現役並み → 2割 on application).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElderlyIncome {
    /// 収入 of the member (the 70–74 被保険者) for the year the month uses.
    pub member: Yen,
    /// 収入 of the member's 70–74 dependants, if any.
    pub elderly_dependants: Option<Yen>,
}

/// The calendar year whose income decides the share in `month`: the previous year for
/// September–December, the year before that for January–August.
pub fn income_year_for(month: YearMonth) -> i32 {
    if month.month() >= 9 { month.year() - 1 } else { month.year() - 2 }
}

/// 70–74 share: 2割, or 3割 (現役並み) when the member's 標準報酬月額 is 280,000 or more, back to
/// 2割 when an application shows income under 3,830,000 (alone) or 5,200,000 (with a 70–74
/// dependant). A 70–74 dependant takes the member's figure (Art. 110).
pub fn elderly_share(member_standard_monthly: Yen, income: Option<ElderlyIncome>) -> Reasoned<ShareTenths> {
    let mut reasoning = Vec::new();
    if member_standard_monthly < 280_000 {
        reasoning.push(format!("被保険者の標準報酬月額 {member_standard_monthly}円 < 280,000円: 2割"));
        return Reasoned { value: 2, reasoning };
    }
    reasoning.push(format!("被保険者の標準報酬月額 {member_standard_monthly}円 ≥ 280,000円: 現役並み所得者 3割"));
    let Some(income) = income else {
        reasoning.push("基準収入額適用申請なし: 3割".into());
        return Reasoned { value: 3, reasoning };
    };
    let (total, limit, who) = match income.elderly_dependants {
        None => (Some(income.member), 3_830_000, "単身"),
        Some(dep) => (income.member.checked_add(dep), 5_200_000, "70歳以上の被扶養者あり"),
    };
    match total {
        Some(total) if total < limit => {
            reasoning.push(format!("基準収入額適用申請: 収入 {total}円 < {limit}円（{who}）: 2割"));
            Reasoned { value: 2, reasoning }
        }
        _ => {
            reasoning.push(format!("基準収入額適用申請: 収入が {limit}円（{who}）以上: 3割のまま"));
            Reasoned { value: 3, reasoning }
        }
    }
}

/// The patient share on `day`: 2割 before school age (to 31 March after the 6th birthday),
/// 3割 to 69, from the 高齢受給者 start month `elderly` (2 or 3) — Art. 74.
pub fn patient_share(birth: NaiveDate, day: NaiveDate, elderly: ShareTenths) -> Reasoned<ShareTenths> {
    // 就学前: the 31 March after the 6th birthday, counted with the day-before rule (a 1 April
    // birth is in the earlier school year): the school year starts on 1 April of the year in
    // which the child is 6 on 1 April.
    let school_start = school_entry(birth);
    if day < school_start {
        let last = school_start.pred_opt().unwrap_or(school_start);
        return Reasoned {
            value: 2,
            reasoning: vec![format!(
                "義務教育就学前（6歳に達する日以後の最初の3月31日 {} まで、年齢は誕生日の前日に達する）: 2割",
                era::era_date(last)
            )],
        };
    }
    match elderly_start_month(birth) {
        Some(start) if YearMonth::of(day) >= start.value => Reasoned {
            value: elderly,
            reasoning: vec![format!("高齢受給者（{} から）: {}割", start.value, elderly)],
        },
        _ => Reasoned { value: 3, reasoning: vec![format!("{}歳: 3割", age_on(birth, day))] },
    }
}

/// The first 1 April on which the child is of school age: the 1 April after the day before the
/// 6th birthday (so a 1 April birth starts a year earlier than a 2 April birth).
fn school_entry(birth: NaiveDate) -> NaiveDate {
    let reached = anniversary(birth, 6).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX);
    let year = if (reached.month(), reached.day()) < (4, 1) { reached.year() } else { reached.year() + 1 };
    NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn codes_round_trip() {
        for r in LossReason::ALL {
            assert_eq!(LossReason::from_code(r.code()), Some(r));
            if let Some(c) = r.filing_code() {
                assert_eq!(LossReason::from_filing_code(c), Some(r));
            }
        }
    }

    #[test]
    fn school_entry_splits_on_the_first_of_april() {
        // Born 2019-04-01: 6 on 2025-04-01, reached at the end of 2025-03-31 → school 2025-04-01.
        assert_eq!(school_entry(d(2019, 4, 1)), d(2025, 4, 1));
        // Born 2019-04-02: 6 reached at the end of 2025-04-01 → school 2026-04-01.
        assert_eq!(school_entry(d(2019, 4, 2)), d(2026, 4, 1));
    }
}
