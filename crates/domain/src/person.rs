//! 適用 (eligibility): insured persons, dependants, employers, pay.
//!
//! These types hold personal data. Their `Debug` is derived only on the parts that are not
//! identifying; `Person` has a hand-written `Debug` that prints no name, date or number.

use crate::{CardId, InsurerNumber, MyNumber, Yen};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Code used in 電子レセプト and 特定健診 XML: 1 男, 2 女.
    pub fn code(self) -> u8 {
        match self {
            Sex::Male => 1,
            Sex::Female => 2,
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code.trim() {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    pub fn from_label(s: &str) -> Option<Self> {
        match s.trim() {
            "男" | "1" => Some(Sex::Male),
            "女" | "2" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// 本人 (insured person) or 家族 (dependant), and for the insured, whether 任意継続.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PersonKind {
    /// 被保険者 (強制被保険者, employed).
    Insured,
    /// 任意継続被保険者: continues after leaving the employer, pays the whole premium.
    VoluntaryContinuation,
    /// 被扶養者.
    Dependant,
}

impl PersonKind {
    pub fn label(self) -> &'static str {
        match self {
            PersonKind::Insured => "本人",
            PersonKind::VoluntaryContinuation => "任意継続",
            PersonKind::Dependant => "家族",
        }
    }
    pub fn from_label(s: &str) -> Option<Self> {
        match s.trim() {
            "本人" => Some(PersonKind::Insured),
            "任意継続" => Some(PersonKind::VoluntaryContinuation),
            "家族" => Some(PersonKind::Dependant),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            PersonKind::Insured => "insured",
            PersonKind::VoluntaryContinuation => "voluntary",
            PersonKind::Dependant => "dependant",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "insured" => Some(PersonKind::Insured),
            "voluntary" => Some(PersonKind::VoluntaryContinuation),
            "dependant" => Some(PersonKind::Dependant),
            _ => None,
        }
    }
    pub fn is_insured(self) -> bool {
        !matches!(self, PersonKind::Dependant)
    }
}

/// 続柄 of a dependant to the insured person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Relationship {
    Spouse,
    Child,
    Parent,
    Grandparent,
    Sibling,
    Grandchild,
    Other,
}

impl Relationship {
    pub const ALL: [Relationship; 7] = [
        Relationship::Spouse,
        Relationship::Child,
        Relationship::Parent,
        Relationship::Grandparent,
        Relationship::Sibling,
        Relationship::Grandchild,
        Relationship::Other,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Relationship::Spouse => "配偶者",
            Relationship::Child => "子",
            Relationship::Parent => "父母",
            Relationship::Grandparent => "祖父母",
            Relationship::Sibling => "兄弟姉妹",
            Relationship::Grandchild => "孫",
            Relationship::Other => "その他",
        }
    }
    pub fn from_label(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.label() == s.trim())
    }
}

/// One period of 資格 (from 資格取得日 to 資格喪失日; the loss date is the first day without).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EligibilityPeriod {
    pub acquired_on: NaiveDate,
    pub acquisition_reason: String,
    pub lost_on: Option<NaiveDate>,
    pub loss_reason: Option<String>,
}

impl EligibilityPeriod {
    /// Whether the person is covered on `day` (loss date excluded: 喪失日 is the day after leaving).
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.acquired_on <= day && self.lost_on.is_none_or(|lost| day < lost)
    }
}

/// 標準報酬月額 in force from a date (資格取得時決定, 定時決定, 随時改定).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardRemuneration {
    pub effective_from: NaiveDate,
    pub grade: u8,
    pub monthly_amount: Yen,
}

/// A bonus and its 標準賞与額 (truncated to 1,000 yen, capped per fiscal year).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bonus {
    pub paid_on: NaiveDate,
    pub amount: Yen,
    pub standard_amount: Yen,
}

/// 生計維持関係 of a dependant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DependantInfo {
    pub relationship: Relationship,
    pub cohabiting: bool,
    /// 前年度収入 (yen per year), the figure the 認定 used.
    pub annual_income: Yen,
}

/// 住所所在地等連絡先, held for 任意継続 members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub postal_code: String,
    pub address: String,
    pub phone: String,
}

/// 事業所.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    /// The society's 事業所番号.
    pub code: String,
    pub name: String,
    pub address: String,
}

/// One person on the roster: an insured person or a dependant, with all of 別表1 適用関連.
#[derive(Clone, PartialEq, Eq)]
pub struct Person {
    pub insurer_number: InsurerNumber,
    pub card: CardId,
    pub kind: PersonKind,
    pub name_kanji: String,
    pub name_kana: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub my_number: Option<MyNumber>,
    /// 事業所番号 of the employer (for dependants, the insured person's).
    pub employer_code: Option<String>,
    pub eligibility: Vec<EligibilityPeriod>,
    pub remuneration: Vec<StandardRemuneration>,
    pub bonuses: Vec<Bonus>,
    pub dependant: Option<DependantInfo>,
    pub contact: Option<Contact>,
}

impl Person {
    pub fn covered_on(&self, day: NaiveDate) -> bool {
        self.eligibility.iter().any(|p| p.covers(day))
    }
    /// The 標準報酬月額 in force on `day`, if any.
    pub fn remuneration_on(&self, day: NaiveDate) -> Option<&StandardRemuneration> {
        self.remuneration.iter().filter(|r| r.effective_from <= day).max_by_key(|r| r.effective_from)
    }
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data never goes to debug output.
        write!(f, "Person {{ kind: {:?}, card: {:?}, .. }}", self.kind, self.card)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn loss_day_is_not_covered() {
        // Left on 3月31日 → 資格喪失日 4月1日: covered on the 31st, not on the 1st.
        let p = EligibilityPeriod {
            acquired_on: d(2020, 4, 1),
            acquisition_reason: "採用".into(),
            lost_on: Some(d(2025, 4, 1)),
            loss_reason: Some("退職".into()),
        };
        assert!(p.covers(d(2025, 3, 31)));
        assert!(!p.covers(d(2025, 4, 1)));
        assert!(!p.covers(d(2020, 3, 31)));
    }
}
