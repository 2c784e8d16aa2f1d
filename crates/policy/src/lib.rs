//! # kenpo-policy
//!
//! Owns the vocabulary of access — who acts ([`Actor`]), for which purpose ([`PurposeId`]),
//! doing what ([`Action`]) — and the decision over it ([`PolicyEngine`]).
//!
//! Must never: read or hold personal data, open a database, or know how data is stored. It
//! decides on (actor, action, purpose, categories, subject) and nothing else.
//!
//! The engine is compiled from the policy catalogue ([`catalogue`], the notice as data) into
//! a decision table ([`engine::CatalogueEngine`]): deny by default; staff roles act only for
//! their uses; contractors only within their contracts' uses, categories and periods; members
//! only on their own data; 個人番号 only for 番号法 affairs. The same catalogue renders the
//! published notice ([`render`]), is linted ([`lint`]) and compiled to Cedar ([`cedar`]) as the
//! analysable reference.

pub mod catalogue;
pub mod cedar;
pub mod diff;
pub mod engine;
pub mod lint;
pub mod matrix;
pub mod render;

pub use catalogue::Catalogue;
pub use engine::CatalogueEngine;

use chrono::NaiveDate;
use kenpo_domain::{DataCategory, Field};
use std::fmt;
use std::sync::Arc;

/// The society's internal id of a person (the store assigns it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub i64);

impl fmt::Display for PersonId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Staff roles of the society.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StaffRole {
    /// 適用.
    Eligibility,
    /// 給付.
    Benefits,
    /// 保健事業.
    HealthServices,
    /// レセプト点検.
    ReceiptReview,
    /// 番号事務取扱担当者.
    MyNumberOfficer,
    /// 個人情報保護管理者.
    PrivacyOfficer,
    /// 監査.
    Auditor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 7] = [
        StaffRole::Eligibility,
        StaffRole::Benefits,
        StaffRole::HealthServices,
        StaffRole::ReceiptReview,
        StaffRole::MyNumberOfficer,
        StaffRole::PrivacyOfficer,
        StaffRole::Auditor,
    ];
    pub fn id(self) -> &'static str {
        match self {
            StaffRole::Eligibility => "eligibility",
            StaffRole::Benefits => "benefits",
            StaffRole::HealthServices => "health",
            StaffRole::ReceiptReview => "receipt_review",
            StaffRole::MyNumberOfficer => "mynumber_officer",
            StaffRole::PrivacyOfficer => "privacy_officer",
            StaffRole::Auditor => "auditor",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Eligibility => "適用担当",
            StaffRole::Benefits => "給付担当",
            StaffRole::HealthServices => "保健事業担当",
            StaffRole::ReceiptReview => "レセプト点検担当",
            StaffRole::MyNumberOfficer => "番号事務取扱担当者",
            StaffRole::PrivacyOfficer => "個人情報保護管理者",
            StaffRole::Auditor => "監査担当",
        }
    }
    pub fn from_id(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.id() == s)
    }
}

/// Who acts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A staff member in a role (the user name is for the audit trail).
    Staff { role: StaffRole, user: String },
    /// A contractor from the 業務委託先一覧, by catalogue id.
    Contractor { id: String },
    /// A member (insured person or dependant) acting for their own data.
    Member { person: PersonId },
    /// A batch job (import, monthly run) started by the society.
    System { job: String },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error(
        "actor {0:?} is not of the form staff:ROLE[:USER], contractor:ID, member:PERSON_ID or system:JOB (roles: eligibility, benefits, health, receipt_review, mynumber_officer, privacy_officer, auditor)"
    )]
    Actor(String),
    #[error(
        "purpose {0:?} is not a use id (lowercase ASCII such as eligibility.management); `kenpo purposes` lists them"
    )]
    Purpose(String),
}

impl Actor {
    /// Parses the CLI form: `staff:eligibility:sato`, `contractor:c01`, `member:42`, `system:import`.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let err = || ParseError::Actor(s.to_string());
        let mut parts = s.splitn(3, ':');
        let kind = parts.next().ok_or_else(err)?;
        let a = parts.next().filter(|p| !p.is_empty()).ok_or_else(err)?;
        let b = parts.next();
        match kind {
            "staff" => {
                Ok(Actor::Staff { role: StaffRole::from_id(a).ok_or_else(err)?, user: b.unwrap_or("-").to_string() })
            }
            "contractor" if b.is_none() => Ok(Actor::Contractor { id: a.to_string() }),
            "member" if b.is_none() => Ok(Actor::Member { person: PersonId(a.parse().map_err(|_| err())?) }),
            "system" if b.is_none() => Ok(Actor::System { job: a.to_string() }),
            _ => Err(err()),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Staff { role, user } => write!(f, "staff:{}:{}", role.id(), user),
            Actor::Contractor { id } => write!(f, "contractor:{id}"),
            Actor::Member { person } => write!(f, "member:{person}"),
            Actor::System { job } => write!(f, "system:{job}"),
        }
    }
}

/// A use from 別表2, by its stable id (e.g. `eligibility.management`). Only the form is
/// checked here; whether the catalogue lists it is the engine's question (unknown → denied).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PurposeId(Arc<str>);

impl PurposeId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        if ok { Ok(PurposeId(Arc::from(s))) } else { Err(ParseError::Purpose(s.to_string())) }
    }
    pub fn id(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PurposeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who acts, and for which purpose. Every access to personal data names one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessContext {
    actor: Actor,
    purpose: PurposeId,
}

impl AccessContext {
    pub fn new(actor: Actor, purpose: PurposeId) -> Self {
        Self { actor, purpose }
    }
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    pub fn purpose(&self) -> &PurposeId {
        &self.purpose
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Write,
    Export,
}

impl Action {
    pub fn id(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Write => "write",
            Action::Export => "export",
        }
    }
}

/// Whose data an access touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// One person.
    Person(PersonId),
    /// Many people at once (imports, monthly runs, statistics).
    Population,
}

/// A question to the policy.
#[derive(Clone, Debug)]
pub struct AccessRequest<'a> {
    pub context: &'a AccessContext,
    pub action: Action,
    pub category: DataCategory,
    pub subject: &'a Subject,
    /// The day of the access (contracts and catalogue versions are dated).
    pub on: NaiveDate,
}

/// The legal ground a provision or linkage rests on (the catalogue's `basis`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProvisionBasis {
    /// 委託: the contractor handles the data on the society's behalf (APPI Art. 27(5)(i)).
    Entrustment,
    /// 法令: a law requires or allows it (APPI Art. 27(1)(i)).
    Law,
    /// 同意: the member agreed.
    Consent,
    /// 番号法: a 番号法 affair or 情報連携.
    MyNumberAct,
}

impl ProvisionBasis {
    pub const ALL: [ProvisionBasis; 4] =
        [ProvisionBasis::Entrustment, ProvisionBasis::Law, ProvisionBasis::Consent, ProvisionBasis::MyNumberAct];
    /// The word the notice and the provision records use.
    pub fn label(self) -> &'static str {
        match self {
            ProvisionBasis::Entrustment => "委託",
            ProvisionBasis::Law => "法令",
            ProvisionBasis::Consent => "同意",
            ProvisionBasis::MyNumberAct => "番号法",
        }
    }
    pub fn from_label(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.label() == s)
    }
}

/// Serialised as the word the records use (委託, 法令, 同意, 番号法).
impl serde::Serialize for ProvisionBasis {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

impl fmt::Display for ProvisionBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The record APPI asks for when data leaves the society (Art. 29), or comes in (Art. 30).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisionRecord {
    /// Who receives (or sends): a contractor's name or the counterparty of the use.
    pub counterparty: String,
    pub basis: ProvisionBasis,
    pub use_id: String,
}

/// What must be done with an allowed access.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Obligations {
    /// Fields to mask in what is returned.
    pub mask: Vec<Field>,
    /// A provision record to write (exports that leave the society).
    pub provision: Option<ProvisionRecord>,
}

/// The answer: allowed with obligations, or denied; always with the rule that decided. An
/// enum, so a denial cannot carry obligations and nothing reads a mask off a refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allow {
        /// Stable id of the rule that decided (for errors, audit and `policy explain`).
        rule: &'static str,
        obligations: Obligations,
    },
    Deny {
        rule: &'static str,
    },
}

impl Decision {
    pub fn allow(rule: &'static str, obligations: Obligations) -> Self {
        Decision::Allow { rule, obligations }
    }
    pub fn deny(rule: &'static str) -> Self {
        Decision::Deny { rule }
    }
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }
    pub fn rule(&self) -> &'static str {
        match self {
            Decision::Allow { rule, .. } | Decision::Deny { rule } => rule,
        }
    }
    /// What an allowed access must do; `None` for a denial.
    pub fn obligations(&self) -> Option<&Obligations> {
        match self {
            Decision::Allow { obligations, .. } => Some(obligations),
            Decision::Deny { .. } => None,
        }
    }
}

/// A policy engine. Implementations must deny whatever they do not explicitly allow.
pub trait PolicyEngine: Send + Sync {
    fn decide(&self, request: &AccessRequest<'_>) -> Decision;
    /// Version label of the policy, recorded with each decision.
    fn version(&self) -> &str;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_and_purposes_parse_strictly() {
        assert!(PurposeId::parse("Marketing!").is_err());
        assert!(PurposeId::parse("eligibility.management").is_ok());
        assert!(Actor::parse("staff:janitor").is_err());
        assert!(Actor::parse("member:abc").is_err());
        assert!(Actor::parse("contractor:c01:x").is_err());
        assert_eq!(
            Actor::parse("staff:eligibility:sato").unwrap(),
            Actor::Staff { role: StaffRole::Eligibility, user: "sato".into() }
        );
        assert_eq!(Actor::parse("member:7").unwrap(), Actor::Member { person: PersonId(7) });
    }
}
