//! 被扶養者の認定 (健康保険法 3条7項) as a pure, dated rule over the evidence, with its reasoning
//! line by line. Also used by 検認 (the yearly re-check), with the check day as the 認定日.
//!
//! Source: `shared/reference/rules-benefits-premiums-privacy.md` §6 [K46]–[K49]:
//! - scope: lineal ascendants, spouse (incl. common-law), children, grandchildren, siblings by
//!   support alone; other relatives within the 3rd degree and a common-law spouse's parents and
//!   children only when living together;
//! - income (expected over the next 12 months): under 1,300,000; under 1,800,000 at 60 or over
//!   or disabled; under 1,500,000 at 19–22 (age at 31 December, spouses excluded) when the
//!   認定日 is on or after 2025-10-01; cohabiting also under half the member's income, living
//!   apart also under the support the member sends;
//! - domestic residence from 2020-04-01, with its exceptions and the 特定活動 exclusions.
//!
//! Ages are reached at the end of the day before the birthday (年齢計算ニ関スル法律).

use crate::{Yen, era};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The 続柄 as the rule needs it (the filing's 続柄コード map onto these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kinship {
    Spouse,
    /// 内縁の配偶者 (配偶者（未届）).
    CommonLawSpouse,
    Child,
    Grandchild,
    /// 父母・祖父母・曾祖父母 (直系尊属).
    LinealAscendant,
    Sibling,
    /// 三親等内の親族 other than the above (義父母, おじ・おば, 甥・姪…).
    OtherRelativeWithin3rd,
    /// 内縁の配偶者の父母・子 (also after the spouse's death).
    CommonLawSpousesParentOrChild,
    /// None of the above.
    Unrelated,
}

impl Kinship {
    pub const ALL: [Kinship; 9] = [
        Kinship::Spouse,
        Kinship::CommonLawSpouse,
        Kinship::Child,
        Kinship::Grandchild,
        Kinship::LinealAscendant,
        Kinship::Sibling,
        Kinship::OtherRelativeWithin3rd,
        Kinship::CommonLawSpousesParentOrChild,
        Kinship::Unrelated,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Kinship::Spouse => "配偶者",
            Kinship::CommonLawSpouse => "配偶者（内縁）",
            Kinship::Child => "子",
            Kinship::Grandchild => "孫",
            Kinship::LinealAscendant => "直系尊属",
            Kinship::Sibling => "兄弟姉妹",
            Kinship::OtherRelativeWithin3rd => "三親等内の親族",
            Kinship::CommonLawSpousesParentOrChild => "内縁の配偶者の父母・子",
            Kinship::Unrelated => "親族外",
        }
    }
    pub fn from_label(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.label() == s)
    }
    fn is_spouse(self) -> bool {
        matches!(self, Kinship::Spouse | Kinship::CommonLawSpouse)
    }
    /// Whether support alone is enough (else cohabitation is needed too).
    fn support_alone_suffices(self) -> Option<bool> {
        match self {
            Kinship::Spouse
            | Kinship::CommonLawSpouse
            | Kinship::Child
            | Kinship::Grandchild
            | Kinship::LinealAscendant
            | Kinship::Sibling => Some(true),
            Kinship::OtherRelativeWithin3rd | Kinship::CommonLawSpousesParentOrChild => Some(false),
            Kinship::Unrelated => None,
        }
    }
}

/// Where the person lives (国内居住要件, from 2020-04-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Residence {
    /// 住民票 in Japan.
    InJapan,
    /// 住民票 in Japan but staying on a 特定活動 visa for medical treatment or as a carer, or
    /// for a long sightseeing stay: excluded.
    InJapanExcludedVisa,
    /// Abroad, under one of the exceptions.
    Abroad(AbroadException),
    /// Abroad with no exception.
    AbroadNoException,
}

/// 国内居住要件の例外.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AbroadException {
    /// 外国に留学をする学生.
    Student,
    /// 外国に赴任する被保険者に同行する者.
    AccompanyingPostedMember,
    /// 観光・保養・ボランティア等の一時的な渡航.
    TemporaryTrip,
    /// 赴任中に生じた身分関係（婚姻・出生）.
    FormedDuringPosting,
    /// その他、日本に生活の基礎があると認められる者.
    OtherJapanBased,
}

impl AbroadException {
    pub fn label(self) -> &'static str {
        match self {
            AbroadException::Student => "留学",
            AbroadException::AccompanyingPostedMember => "海外赴任に同行",
            AbroadException::TemporaryTrip => "一時的な海外渡航",
            AbroadException::FormedDuringPosting => "海外赴任中の身分関係の発生",
            AbroadException::OtherJapanBased => "日本に生活の基礎がある",
        }
    }
}

/// What the applicant (or the 検認 answer) shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub kinship: Kinship,
    pub birth_date: NaiveDate,
    /// 同居 (true) or 別居.
    pub cohabiting: bool,
    /// Expected income over the next 12 months; `None` if no evidence was given.
    pub expected_income: Option<Yen>,
    /// 障害厚生年金を受けられる程度の障害.
    pub disabled: bool,
    /// The member's annual income (for the half rule when cohabiting); `None` if not shown.
    pub member_income: Option<Yen>,
    /// 仕送り per year from the member (for 別居); `None` if not shown.
    pub support_sent: Option<Yen>,
    pub residence: Residence,
    /// Whether the papers for a residence exception (査証, 在学証明…) are attached.
    pub exception_documents: bool,
    /// 認定日: the day the status would start (or the 検認's check day).
    pub recognition_day: NaiveDate,
}

/// A paper the society still needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Document {
    /// 収入の証明（課税証明書・給与見込証明等）.
    IncomeEvidence,
    /// 被保険者の収入の証明（同居の 1/2 要件）.
    MemberIncome,
    /// 仕送りの証明（振込記録等）.
    SupportEvidence,
    /// 国内居住要件の例外の証明（査証・在学証明等）.
    ResidenceException,
}

impl Document {
    pub fn label(self) -> &'static str {
        match self {
            Document::IncomeEvidence => "収入の証明",
            Document::MemberIncome => "被保険者の収入の証明",
            Document::SupportEvidence => "仕送りの証明",
            Document::ResidenceException => "国内居住要件の例外の証明",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Recognised,
    Refused,
    DocumentsNeeded(Vec<Document>),
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Recognised => "認定",
            Outcome::Refused => "不認定",
            Outcome::DocumentsNeeded(_) => "書類不足",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recognition {
    pub outcome: Outcome,
    pub reasoning: Vec<String>,
    /// The income limit that applied (yen, "under"), when the income test was reached.
    pub income_limit: Option<Yen>,
}

/// The day the 150万 limit for ages 19–22 starts to apply (by 認定日).
pub const STUDENT_AGE_LIMIT_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2025, 10, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};
/// 国内居住要件 in force from this day.
pub const RESIDENCE_RULE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2020, 4, 1) {
    Some(d) => d,
    None => panic!("valid date"),
};

/// Age reached by the end of `on`, counting an age as reached at the end of the day before the
/// birthday: the calendar age on the next day.
pub fn legal_age(birth: NaiveDate, on: NaiveDate) -> i32 {
    let next = on.succ_opt().unwrap_or(on);
    let mut age = next.year() - birth.year();
    if (next.month(), next.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Decides a 被扶養者 application (or a 検認 answer).
pub fn recognise(e: &Evidence) -> Recognition {
    let mut reasoning = Vec::new();
    let mut needed = Vec::new();
    let day = e.recognition_day;
    reasoning.push(format!("認定日 {}、続柄 {}", era::era_date(day), e.kinship.label()));

    // 1. 続柄 and 同居.
    match e.kinship.support_alone_suffices() {
        None => {
            reasoning.push("三親等内の親族でなく被扶養者の範囲外: 不認定".into());
            return refused(reasoning, None);
        }
        Some(true) => reasoning.push("生計維持のみで足りる続柄（同居要件なし）".into()),
        Some(false) if e.cohabiting => reasoning.push("同居が要件の続柄: 同居しているので満たす".into()),
        Some(false) => {
            reasoning.push("同居が要件の続柄だが別居: 不認定".into());
            return refused(reasoning, None);
        }
    }

    // 2. 75 or over → 後期高齢者医療, from the 75th birthday itself (as `eligibility::loss_date`
    //    for Age75): on the day before it (when the age is already reached) they are not yet in it.
    let age = legal_age(e.birth_date, day);
    if let Some(b75) = crate::eligibility::seventy_fifth_birthday(e.birth_date).filter(|b75| *b75 <= day) {
        reasoning.push(format!("75歳の誕生日 {} から後期高齢者医療の被保険者となるため不認定", era::era_date(b75)));
        return refused(reasoning, None);
    }

    // 3. 国内居住要件.
    if day < RESIDENCE_RULE_FROM {
        reasoning.push("認定日が令和2年4月1日より前: 国内居住要件は適用しない".into());
    } else {
        match e.residence {
            Residence::InJapan => reasoning.push("住民票が国内にある: 国内居住要件を満たす".into()),
            Residence::InJapanExcludedVisa => {
                reasoning.push(
                    "特定活動（医療滞在・同伴者、観光・保養の長期滞在）の在留: 国内居住でも除外され不認定".into(),
                );
                return refused(reasoning, None);
            }
            Residence::AbroadNoException => {
                reasoning.push("国外居住で例外に当たらない: 不認定".into());
                return refused(reasoning, None);
            }
            Residence::Abroad(exception) => {
                if e.exception_documents {
                    reasoning.push(format!("国外居住だが例外（{}）に当たり、その証明がある", exception.label()));
                } else {
                    reasoning.push(format!("国外居住の例外（{}）: 証明書類が必要", exception.label()));
                    needed.push(Document::ResidenceException);
                }
            }
        }
    }

    // 4. The income limit that applies.
    let age_dec31 =
        NaiveDate::from_ymd_opt(day.year(), 12, 31).map(|dec31| legal_age(e.birth_date, dec31)).unwrap_or(age);
    let limit = if age >= 60 || e.disabled {
        reasoning.push(if e.disabled {
            "障害厚生年金を受けられる程度の障害者: 収入限度 1,800,000円未満".to_string()
        } else {
            format!("認定日に {age}歳（60歳以上）: 収入限度 1,800,000円未満")
        });
        1_800_000
    } else if !e.kinship.is_spouse() && (19..=22).contains(&age_dec31) && day >= STUDENT_AGE_LIMIT_FROM {
        reasoning.push(format!(
            "その年の12月31日に {age_dec31}歳（19歳以上23歳未満、配偶者以外）で認定日が令和7年10月1日以後: 収入限度 1,500,000円未満"
        ));
        1_500_000
    } else {
        if !e.kinship.is_spouse() && (19..=22).contains(&age_dec31) {
            reasoning.push(format!(
                "その年の12月31日に {age_dec31}歳だが認定日が令和7年10月1日より前: 150万円の特例は適用されない"
            ));
        }
        reasoning.push("収入限度 1,300,000円未満".into());
        1_300_000
    };

    // 5. Income tests.
    let Some(income) = e.expected_income else {
        reasoning.push("今後12か月の収入見込の証明がない".into());
        needed.push(Document::IncomeEvidence);
        return documents(reasoning, needed, limit);
    };
    if income >= limit {
        reasoning.push(format!("収入見込 {income}円 ≥ {limit}円: 不認定"));
        return refused(reasoning, Some(limit));
    }
    reasoning.push(format!("収入見込 {income}円 < {limit}円"));
    if e.cohabiting {
        match e.member_income {
            None => {
                reasoning.push("同居: 被保険者の収入の1/2未満かを確かめる証明がない".into());
                needed.push(Document::MemberIncome);
            }
            // income < member / 2  ⇔  2 × income < member (exact in integers).
            Some(member) if income.saturating_mul(2) < member => {
                reasoning.push(format!("同居: 収入 {income}円 < 被保険者の収入 {member}円 の1/2"));
            }
            Some(member) => {
                reasoning.push(format!(
                    "同居: 収入 {income}円 が被保険者の収入 {member}円 の1/2以上: 原則不認定（世帯の生計の状況から被保険者が主たる生計維持者と認められる場合は職員が個別に判断する）"
                ));
                return refused(reasoning, Some(limit));
            }
        }
    } else {
        match e.support_sent {
            None => {
                reasoning.push("別居: 仕送りの額の証明がない".into());
                needed.push(Document::SupportEvidence);
            }
            Some(support) if income < support => {
                reasoning.push(format!("別居: 収入 {income}円 < 仕送り {support}円"));
            }
            Some(support) => {
                reasoning.push(format!("別居: 収入 {income}円 ≥ 仕送り {support}円: 不認定"));
                return refused(reasoning, Some(limit));
            }
        }
    }
    if !needed.is_empty() {
        return documents(reasoning, needed, limit);
    }
    reasoning.push("要件をすべて満たす: 認定".into());
    Recognition { outcome: Outcome::Recognised, reasoning, income_limit: Some(limit) }
}

fn refused(reasoning: Vec<String>, income_limit: Option<Yen>) -> Recognition {
    Recognition { outcome: Outcome::Refused, reasoning, income_limit }
}

fn documents(mut reasoning: Vec<String>, needed: Vec<Document>, limit: Yen) -> Recognition {
    let names: Vec<&str> = needed.iter().map(|d| d.label()).collect();
    reasoning.push(format!("書類が必要: {}", names.join("・")));
    Recognition { outcome: Outcome::DocumentsNeeded(needed), reasoning, income_limit: Some(limit) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_age_is_reached_the_day_before_the_birthday() {
        let birth = NaiveDate::from_ymd_opt(2006, 1, 1).unwrap();
        // 20th birthday 2026-01-01: reached at the end of 2025-12-31.
        assert_eq!(legal_age(birth, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()), 20);
        assert_eq!(legal_age(birth, NaiveDate::from_ymd_opt(2025, 12, 30).unwrap()), 19);
    }
}
