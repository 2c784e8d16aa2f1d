//! The one map from every stored field to its data category.
//!
//! Policy (which categories a purpose may touch), masking (which fields an allowed read
//! returns), export and the member's disclosure report all read [`Field::category`]; nothing
//! else in the code base decides what category a field belongs to. Adding a field means adding a
//! variant here, and the exhaustive `match` makes the compiler ask for its category.

use serde::{Deserialize, Serialize};

/// A row of 別表1 (健康保険組合等が保有する個人情報の例).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NoticeRow {
    /// 適用関連.
    Eligibility,
    /// 保険給付関連 (現物).
    BenefitInKind,
    /// 保険給付関連 (現金).
    BenefitInCash,
    /// 保健事業関連.
    HealthServices,
}

impl NoticeRow {
    pub fn label(self) -> &'static str {
        match self {
            NoticeRow::Eligibility => "適用関連",
            NoticeRow::BenefitInKind => "保険給付関連 (現物)",
            NoticeRow::BenefitInCash => "保険給付関連 (現金)",
            NoticeRow::HealthServices => "保健事業関連",
        }
    }
}

/// A data category: a 別表1 row refined into the classes policy decides on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// 保険者番号・記号・番号, 氏名, 生年月日, 性別.
    Identity,
    /// 個人番号 (番号法 affairs only).
    MyNumber,
    /// 資格取得・喪失日と事由, 事業所, 被扶養者有無.
    Eligibility,
    /// 報酬・賞与実績 (標準報酬月額, 標準賞与額).
    Remuneration,
    /// 前年度収入額.
    Income,
    /// 生計維持関係 (続柄・同居有無).
    Relation,
    /// 住所所在地等連絡先 (任意継続).
    Contact,
    /// レセプト: 診療年月日・日数, 医療機関名称・所在地, 医療費.
    ReceiptCost,
    /// レセプト: 傷病名, 診療内容.
    ReceiptClinical,
    /// 現金給付: 申請の種類・期間・報酬額・年金額・出勤状況・金額・請求者.
    CashBenefit,
    /// 現金給付: 傷病名, 医師の意見, 出産への処置, 装具・施術内容.
    CashBenefitClinical,
    /// 健診: 受診年月日, 健診機関, 健診・問診結果.
    CheckupResult,
    /// 保健指導: レベル, 計画, 指導結果.
    GuidanceRecord,
}

impl DataCategory {
    pub const ALL: [DataCategory; 13] = [
        DataCategory::Identity,
        DataCategory::MyNumber,
        DataCategory::Eligibility,
        DataCategory::Remuneration,
        DataCategory::Income,
        DataCategory::Relation,
        DataCategory::Contact,
        DataCategory::ReceiptCost,
        DataCategory::ReceiptClinical,
        DataCategory::CashBenefit,
        DataCategory::CashBenefitClinical,
        DataCategory::CheckupResult,
        DataCategory::GuidanceRecord,
    ];

    /// Stable id used in the policy catalogue, the CLI and the audit log.
    pub fn id(self) -> &'static str {
        match self {
            DataCategory::Identity => "identity",
            DataCategory::MyNumber => "my_number",
            DataCategory::Eligibility => "eligibility",
            DataCategory::Remuneration => "remuneration",
            DataCategory::Income => "income",
            DataCategory::Relation => "relation",
            DataCategory::Contact => "contact",
            DataCategory::ReceiptCost => "receipt_cost",
            DataCategory::ReceiptClinical => "receipt_clinical",
            DataCategory::CashBenefit => "cash_benefit",
            DataCategory::CashBenefitClinical => "cash_benefit_clinical",
            DataCategory::CheckupResult => "checkup_result",
            DataCategory::GuidanceRecord => "guidance_record",
        }
    }

    pub fn from_id(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DataCategory::Identity => "本人特定情報 (記号・番号、氏名、生年月日、性別)",
            DataCategory::MyNumber => "個人番号",
            DataCategory::Eligibility => "資格情報 (取得・喪失日、事業所、被扶養者有無)",
            DataCategory::Remuneration => "報酬・賞与実績",
            DataCategory::Income => "前年度収入額",
            DataCategory::Relation => "生計維持関係 (続柄・同居有無)",
            DataCategory::Contact => "住所所在地等連絡先",
            DataCategory::ReceiptCost => "レセプト (診療年月日・日数、医療機関、医療費)",
            DataCategory::ReceiptClinical => "レセプト (傷病名、診療内容)",
            DataCategory::CashBenefit => "現金給付 (申請内容、期間、金額)",
            DataCategory::CashBenefitClinical => "現金給付 (傷病名、医師の意見、処置内容)",
            DataCategory::CheckupResult => "健診・問診結果",
            DataCategory::GuidanceRecord => "保健指導結果",
        }
    }

    /// The 別表1 row the category belongs to.
    pub fn notice_row(self) -> NoticeRow {
        match self {
            DataCategory::Identity
            | DataCategory::MyNumber
            | DataCategory::Eligibility
            | DataCategory::Remuneration
            | DataCategory::Income
            | DataCategory::Relation
            | DataCategory::Contact => NoticeRow::Eligibility,
            DataCategory::ReceiptCost | DataCategory::ReceiptClinical => NoticeRow::BenefitInKind,
            DataCategory::CashBenefit | DataCategory::CashBenefitClinical => NoticeRow::BenefitInCash,
            DataCategory::CheckupResult | DataCategory::GuidanceRecord => NoticeRow::HealthServices,
        }
    }

    /// 要配慮個人情報 (APPI Art. 2(3)): health data. A whole receipt tells that the person saw
    /// a doctor, so both receipt categories are sensitive, as are checkups, guidance and the
    /// clinical parts of cash benefits.
    pub fn is_sensitive(self) -> bool {
        matches!(
            self,
            DataCategory::ReceiptCost
                | DataCategory::ReceiptClinical
                | DataCategory::CashBenefitClinical
                | DataCategory::CheckupResult
                | DataCategory::GuidanceRecord
        )
    }
}

impl std::fmt::Display for DataCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Every personal-data field the store holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    // 適用関連
    InsurerNumber,
    CardSymbol,
    CardNumber,
    CardBranch,
    PersonKind,
    NameKanji,
    NameKana,
    BirthDate,
    Sex,
    MyNumber,
    AcquiredOn,
    AcquisitionReason,
    LostOn,
    LossReason,
    Employer,
    HasDependants,
    StandardMonthlyRemuneration,
    StandardBonus,
    AnnualIncome,
    Relationship,
    Cohabiting,
    PostalCode,
    Address,
    Phone,
    // 保険給付関連 (現物)
    ReceiptServiceMonth,
    ReceiptServiceDays,
    ReceiptInstitution,
    ReceiptSetting,
    ReceiptPoints,
    ReceiptPatientCharge,
    ReceiptDiagnosis,
    ReceiptServiceLine,
    // 保険給付関連 (現金)
    BenefitKind,
    BenefitPeriod,
    BenefitStatus,
    BenefitAmounts,
    BenefitPayDuringPeriod,
    BenefitPension,
    BenefitDaysWorked,
    BenefitEventDate,
    BenefitClaimant,
    BenefitDiagnosis,
    BenefitClinicalNote,
    // 保健事業関連
    CheckupDate,
    CheckupInstitution,
    CheckupResultValue,
    GuidanceLevel,
    GuidancePlan,
    GuidanceOutcome,
}

impl Field {
    pub const ALL: [Field; 49] = [
        Field::InsurerNumber,
        Field::CardSymbol,
        Field::CardNumber,
        Field::CardBranch,
        Field::PersonKind,
        Field::NameKanji,
        Field::NameKana,
        Field::BirthDate,
        Field::Sex,
        Field::MyNumber,
        Field::AcquiredOn,
        Field::AcquisitionReason,
        Field::LostOn,
        Field::LossReason,
        Field::Employer,
        Field::HasDependants,
        Field::StandardMonthlyRemuneration,
        Field::StandardBonus,
        Field::AnnualIncome,
        Field::Relationship,
        Field::Cohabiting,
        Field::PostalCode,
        Field::Address,
        Field::Phone,
        Field::ReceiptServiceMonth,
        Field::ReceiptServiceDays,
        Field::ReceiptInstitution,
        Field::ReceiptSetting,
        Field::ReceiptPoints,
        Field::ReceiptPatientCharge,
        Field::ReceiptDiagnosis,
        Field::ReceiptServiceLine,
        Field::BenefitKind,
        Field::BenefitPeriod,
        Field::BenefitStatus,
        Field::BenefitAmounts,
        Field::BenefitPayDuringPeriod,
        Field::BenefitPension,
        Field::BenefitDaysWorked,
        Field::BenefitEventDate,
        Field::BenefitClaimant,
        Field::BenefitDiagnosis,
        Field::BenefitClinicalNote,
        Field::CheckupDate,
        Field::CheckupInstitution,
        Field::CheckupResultValue,
        Field::GuidanceLevel,
        Field::GuidancePlan,
        Field::GuidanceOutcome,
    ];

    /// The field's data category: the single source of truth.
    pub fn category(self) -> DataCategory {
        use DataCategory as C;
        match self {
            Field::InsurerNumber
            | Field::CardSymbol
            | Field::CardNumber
            | Field::CardBranch
            | Field::PersonKind
            | Field::NameKanji
            | Field::NameKana
            | Field::BirthDate
            | Field::Sex => C::Identity,
            Field::MyNumber => C::MyNumber,
            Field::AcquiredOn
            | Field::AcquisitionReason
            | Field::LostOn
            | Field::LossReason
            | Field::Employer
            | Field::HasDependants => C::Eligibility,
            Field::StandardMonthlyRemuneration | Field::StandardBonus => C::Remuneration,
            Field::AnnualIncome => C::Income,
            Field::Relationship | Field::Cohabiting => C::Relation,
            Field::PostalCode | Field::Address | Field::Phone => C::Contact,
            Field::ReceiptServiceMonth
            | Field::ReceiptServiceDays
            | Field::ReceiptInstitution
            | Field::ReceiptSetting
            | Field::ReceiptPoints
            | Field::ReceiptPatientCharge => C::ReceiptCost,
            Field::ReceiptDiagnosis | Field::ReceiptServiceLine => C::ReceiptClinical,
            Field::BenefitKind
            | Field::BenefitPeriod
            | Field::BenefitStatus
            | Field::BenefitAmounts
            | Field::BenefitPayDuringPeriod
            | Field::BenefitPension
            | Field::BenefitDaysWorked
            | Field::BenefitEventDate
            | Field::BenefitClaimant => C::CashBenefit,
            Field::BenefitDiagnosis | Field::BenefitClinicalNote => C::CashBenefitClinical,
            Field::CheckupDate | Field::CheckupInstitution | Field::CheckupResultValue => C::CheckupResult,
            Field::GuidanceLevel | Field::GuidancePlan | Field::GuidanceOutcome => C::GuidanceRecord,
        }
    }

    /// The item as 別表1 words it.
    pub fn label(self) -> &'static str {
        match self {
            Field::InsurerNumber => "保険者番号",
            Field::CardSymbol => "被保険者等記号",
            Field::CardNumber => "被保険者等番号",
            Field::CardBranch => "枝番",
            Field::PersonKind => "本人・家族の別",
            Field::NameKanji => "氏名",
            Field::NameKana => "氏名（カナ）",
            Field::BirthDate => "生年月日",
            Field::Sex => "性別",
            Field::MyNumber => "個人番号",
            Field::AcquiredOn => "資格取得日",
            Field::AcquisitionReason => "資格取得事由",
            Field::LostOn => "資格喪失日",
            Field::LossReason => "資格喪失事由",
            Field::Employer => "事業所",
            Field::HasDependants => "被扶養者有無",
            Field::StandardMonthlyRemuneration => "報酬実績（標準報酬月額）",
            Field::StandardBonus => "賞与実績（標準賞与額）",
            Field::AnnualIncome => "前年度収入額",
            Field::Relationship => "続柄",
            Field::Cohabiting => "同居有無",
            Field::PostalCode => "郵便番号",
            Field::Address => "住所所在地",
            Field::Phone => "連絡先電話番号",
            Field::ReceiptServiceMonth => "診療年月",
            Field::ReceiptServiceDays => "診療日数",
            Field::ReceiptInstitution => "受診医療機関名称・所在地",
            Field::ReceiptSetting => "入院・外来の別",
            Field::ReceiptPoints => "医療費（点数）",
            Field::ReceiptPatientCharge => "一部負担金",
            Field::ReceiptDiagnosis => "傷病名",
            Field::ReceiptServiceLine => "診療内容",
            Field::BenefitKind => "給付の種類",
            Field::BenefitPeriod => "労務不能期間・休業期間",
            Field::BenefitStatus => "処理状況",
            Field::BenefitAmounts => "請求額・支給決定額・要した費用",
            Field::BenefitPayDuringPeriod => "期間中の報酬額",
            Field::BenefitPension => "年金受給額",
            Field::BenefitDaysWorked => "出勤状況",
            Field::BenefitEventDate => "出産日・死亡年月日・装着日",
            Field::BenefitClaimant => "請求者にかかる情報",
            Field::BenefitDiagnosis => "傷病名（現金給付）",
            Field::BenefitClinicalNote => "医師の意見・処置内容・装具内容",
            Field::CheckupDate => "受診年月日",
            Field::CheckupInstitution => "健診機関名称・所在地",
            Field::CheckupResultValue => "健診・問診結果",
            Field::GuidanceLevel => "保健指導レベル",
            Field::GuidancePlan => "保健指導計画",
            Field::GuidanceOutcome => "指導結果",
        }
    }

    /// Fields of a category, in declaration order.
    pub fn of_category(category: DataCategory) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| f.category() == category)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_has_fields_and_every_field_is_listed_once() {
        for c in DataCategory::ALL {
            assert!(Field::of_category(c).count() > 0, "{c} has no field");
        }
        let mut seen = std::collections::HashSet::new();
        for f in Field::ALL {
            assert!(seen.insert(f), "{f:?} listed twice");
        }
    }

    #[test]
    fn every_notice_row_is_covered() {
        // 別表1 has four rows; each must own at least one category.
        for row in
            [NoticeRow::Eligibility, NoticeRow::BenefitInKind, NoticeRow::BenefitInCash, NoticeRow::HealthServices]
        {
            assert!(DataCategory::ALL.iter().any(|c| c.notice_row() == row));
        }
    }

    #[test]
    fn health_data_is_sensitive_and_eligibility_is_not() {
        assert!(Field::ReceiptDiagnosis.category().is_sensitive());
        assert!(Field::CheckupResultValue.category().is_sensitive());
        assert!(Field::BenefitDiagnosis.category().is_sensitive());
        assert!(!Field::NameKanji.category().is_sensitive());
        assert!(!Field::StandardMonthlyRemuneration.category().is_sensitive());
        // 医療費通知 needs cost but not diagnoses: they are different categories.
        assert_ne!(Field::ReceiptPoints.category(), Field::ReceiptDiagnosis.category());
    }

    #[test]
    fn ids_round_trip() {
        for c in DataCategory::ALL {
            assert_eq!(DataCategory::from_id(c.id()), Some(c));
        }
    }
}
