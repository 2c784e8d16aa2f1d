//! # kenpo-policy
//!
//! Owns the vocabulary of access — who acts ([`Actor`]), for which purpose ([`PurposeId`]),
//! doing what ([`Action`]) — and the decision over it ([`PolicyEngine`]).
//!
//! Must never: read or hold personal data, open a database, or know how data is stored. It
//! decides on (actor, action, purpose, categories, subject) and nothing else.
//!
//! The engine here is the foundation's placeholder ([`FoundationPolicy`]): deny by default,
//! purposes must be in the notice's 別表2, My Number only for 番号法 affairs, members only
//! their own data, contractors nothing until the catalogue names their contracts. The policy
//! catalogue issue replaces it with the catalogue-driven engine behind the same trait.

mod purposes;

pub use purposes::{PURPOSES, Purpose, PurposeGroup};

use kenpo_domain::{DataCategory, Field};
use std::fmt;

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
    #[error("purpose {0:?} is not a use listed in the notice (別表2); `kenpo policy purposes` lists them")]
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

/// A use from 別表2, by its stable id. Only ids of listed uses can be constructed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PurposeId(&'static Purpose);

impl PurposeId {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        PURPOSES.iter().find(|p| p.id == s).map(PurposeId).ok_or_else(|| ParseError::Purpose(s.to_string()))
    }
    pub fn id(self) -> &'static str {
        self.0.id
    }
    pub fn purpose(self) -> &'static Purpose {
        self.0
    }
    /// A 番号法 affair (別表2 group 1 番号法に定める利用事務/情報連携, group 7).
    pub fn is_my_number_affair(self) -> bool {
        self.0.my_number_affair
    }
}

impl fmt::Display for PurposeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
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
    pub fn purpose(&self) -> PurposeId {
        self.purpose
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
}

/// What must be done with an allowed access.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Obligations {
    /// Fields to mask in what is returned.
    pub mask: Vec<Field>,
}

/// The answer: allowed with obligations, or denied; always with the rule that decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Stable id of the rule that decided (for errors, audit and `policy explain`).
    pub rule: &'static str,
    pub obligations: Obligations,
}

impl Decision {
    fn allow(rule: &'static str) -> Self {
        Self { allowed: true, rule, obligations: Obligations::default() }
    }
    fn deny(rule: &'static str) -> Self {
        Self { allowed: false, rule, obligations: Obligations::default() }
    }
}

/// A policy engine. Implementations must deny whatever they do not explicitly allow.
pub trait PolicyEngine: Send + Sync {
    fn decide(&self, request: &AccessRequest<'_>) -> Decision;
    /// Version label of the policy, recorded with each decision.
    fn version(&self) -> &str;
}

/// The foundation's placeholder engine (see the crate doc). Deny by default.
#[derive(Clone, Copy, Debug, Default)]
pub struct FoundationPolicy;

impl PolicyEngine for FoundationPolicy {
    fn decide(&self, req: &AccessRequest<'_>) -> Decision {
        let purpose = req.context.purpose();
        if req.category == DataCategory::MyNumber && !purpose.is_my_number_affair() {
            return Decision::deny("my_number_only_for_bangouhou_affairs");
        }
        match req.context.actor() {
            Actor::Staff { role, .. } => {
                if req.category == DataCategory::MyNumber && *role != StaffRole::MyNumberOfficer {
                    return Decision::deny("my_number_only_by_officer");
                }
                Decision::allow("foundation_staff_listed_purpose")
            }
            Actor::System { .. } => Decision::allow("foundation_batch_listed_purpose"),
            Actor::Member { person } => match (req.action, req.subject) {
                (Action::Read, Subject::Person(p)) if p == person => Decision::allow("member_reads_own_data"),
                _ => Decision::deny("member_only_own_data_read"),
            },
            Actor::Contractor { .. } => Decision::deny("contractor_needs_catalogue_contract"),
        }
    }
    fn version(&self) -> &str {
        "foundation-0"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(actor: &str, purpose: &str) -> AccessContext {
        AccessContext::new(Actor::parse(actor).unwrap(), PurposeId::parse(purpose).unwrap())
    }

    fn decide(c: &AccessContext, action: Action, category: DataCategory, subject: Subject) -> Decision {
        FoundationPolicy.decide(&AccessRequest { context: c, action, category, subject: &subject })
    }

    #[test]
    fn unknown_purposes_and_actors_are_refused_at_parse() {
        assert!(PurposeId::parse("marketing").is_err());
        assert!(Actor::parse("staff:janitor").is_err());
        assert!(Actor::parse("member:abc").is_err());
        assert_eq!(
            Actor::parse("staff:eligibility:sato").unwrap(),
            Actor::Staff { role: StaffRole::Eligibility, user: "sato".into() }
        );
    }

    #[test]
    fn my_number_only_for_bangouhou_affairs_and_officers() {
        // 別表2 group 1: 番号法に定める利用事務 is the My Number affair; eligibility management is not.
        let officer = ctx("staff:mynumber_officer:a", "mynumber.affairs");
        assert!(decide(&officer, Action::Read, DataCategory::MyNumber, Subject::Person(PersonId(1))).allowed);
        let clerk = ctx("staff:eligibility:b", "mynumber.affairs");
        assert!(!decide(&clerk, Action::Read, DataCategory::MyNumber, Subject::Person(PersonId(1))).allowed);
        let wrong_purpose = ctx("staff:mynumber_officer:a", "eligibility.management");
        let d = decide(&wrong_purpose, Action::Read, DataCategory::MyNumber, Subject::Person(PersonId(1)));
        assert!(!d.allowed);
        assert_eq!(d.rule, "my_number_only_for_bangouhou_affairs");
    }

    #[test]
    fn members_read_only_their_own_data() {
        let me = ctx("member:7", "eligibility.management");
        assert!(decide(&me, Action::Read, DataCategory::Identity, Subject::Person(PersonId(7))).allowed);
        assert!(!decide(&me, Action::Read, DataCategory::Identity, Subject::Person(PersonId(8))).allowed);
        assert!(!decide(&me, Action::Write, DataCategory::Identity, Subject::Person(PersonId(7))).allowed);
        assert!(!decide(&me, Action::Read, DataCategory::Identity, Subject::Population).allowed);
    }

    #[test]
    fn contractors_are_denied_by_default() {
        let c = ctx("contractor:c02", "analysis.entrustment");
        assert!(!decide(&c, Action::Read, DataCategory::ReceiptCost, Subject::Population).allowed);
    }
}
