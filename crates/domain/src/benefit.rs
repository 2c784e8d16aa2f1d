//! 現金給付 (cash benefits): applications and decisions, with the items 別表1 lists.

use crate::Yen;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CashBenefitKind {
    /// 療養費 (治療用装具, 柔道整復, あはき, 海外療養費).
    MedicalExpense,
    /// 移送費.
    Transport,
    /// 傷病手当金.
    SicknessAllowance,
    /// 出産手当金.
    MaternityAllowance,
    /// 出産育児一時金.
    ChildbirthLumpSum,
    /// 埋葬料(費).
    Funeral,
}

impl CashBenefitKind {
    pub const ALL: [CashBenefitKind; 6] = [
        Self::MedicalExpense,
        Self::Transport,
        Self::SicknessAllowance,
        Self::MaternityAllowance,
        Self::ChildbirthLumpSum,
        Self::Funeral,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::MedicalExpense => "medical_expense",
            Self::Transport => "transport",
            Self::SicknessAllowance => "sickness_allowance",
            Self::MaternityAllowance => "maternity_allowance",
            Self::ChildbirthLumpSum => "childbirth_lump_sum",
            Self::Funeral => "funeral",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::MedicalExpense => "療養費",
            Self::Transport => "移送費",
            Self::SicknessAllowance => "傷病手当金",
            Self::MaternityAllowance => "出産手当金",
            Self::ChildbirthLumpSum => "出産育児一時金",
            Self::Funeral => "埋葬料",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BenefitStatus {
    /// 受付.
    Received,
    /// 審査中.
    UnderReview,
    /// 支給決定.
    Approved,
    /// 不支給.
    Rejected,
    /// 支払済.
    Paid,
}

impl BenefitStatus {
    pub const ALL: [BenefitStatus; 5] = [Self::Received, Self::UnderReview, Self::Approved, Self::Rejected, Self::Paid];
    pub fn code(self) -> &'static str {
        match self {
            Self::Received => "received",
            Self::UnderReview => "under_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Paid => "paid",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "受付",
            Self::UnderReview => "審査中",
            Self::Approved => "支給決定",
            Self::Rejected => "不支給",
            Self::Paid => "支払済",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label() == s)
    }
}

/// A cash-benefit application. The kind-specific items of 別表1 are optional fields: each is
/// tagged with its data category in [`crate::category::Field`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashBenefitClaim {
    pub kind: CashBenefitKind,
    pub received_on: NaiveDate,
    pub status: BenefitStatus,
    /// 労務不能期間 / 休業期間 / 施術期間.
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    /// 傷病名 (傷病手当金, 療養費).
    pub diagnosis: Option<String>,
    /// 医師の意見 / 出産への処置 / 装具内容 / 施術内容 / 移送経緯 (要配慮).
    pub clinical_note: Option<String>,
    /// 期間中の報酬額 (yen).
    pub pay_during_period: Option<Yen>,
    /// 年金受給額 (yen per year).
    pub pension_amount: Option<Yen>,
    /// 出勤状況 (days worked in the period).
    pub days_worked: Option<u32>,
    /// 出産日 / 死亡年月日 / 装着日.
    pub event_date: Option<NaiveDate>,
    /// 請求額 / 埋葬に要した費用 / 移送費用 (yen).
    pub claimed_amount: Yen,
    pub decided_amount: Option<Yen>,
    /// 請求者 (埋葬料: who claims; 療養費: 施術者) — name and relation as text.
    pub claimant: Option<String>,
}

impl std::fmt::Debug for CashBenefitClaim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CashBenefitClaim {{ kind: {:?}, status: {:?}, .. }}", self.kind, self.status)
    }
}
