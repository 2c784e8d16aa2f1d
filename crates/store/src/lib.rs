//! # kenpo-store
//!
//! Owns the database (SQLite file or PostgreSQL), its schema and migrations, the My Number
//! vault, and **the access layer**: the only way to read or write personal data.
//!
//! Every public function that touches personal data takes an [`AccessContext`] (actor +
//! purpose from the notice). It asks the policy first; what it reads or writes is then done
//! by private functions that require a [`Grant`](guard) — a value only the decision can make.
//! There is no public pool, connection or raw-row type: nothing leaves this crate without a
//! decision.
//!
//! Must never: return personal data without a decision, store a 個人番号 in plaintext, put
//! personal values in an error or a log, or know any file format (the CLI parses files and
//! hands plain domain values in).

mod accounts;
mod audit;
mod audit_ops;
mod batch;
mod benefits;
mod checkups;
pub mod columns;
mod db;
mod error;
mod events;
mod export;
mod guard;
mod history;
mod kenin;
mod kenshin;
mod kogaku;
mod kogaku_yearly;
mod matching;
mod outbox;
mod people;
mod premiums;
mod provisions;
mod receipts;
mod records;
mod repo;
mod review;
mod roster;
mod stats;
pub mod vault;

pub use accounts::{AccountKind, AccountRow, LOGIN_PURPOSE, NewAccount, valid_login};
pub use audit_ops::{
    AccessLine, AuditEntryView, AuditQuery, BadEntry, ContractorReport, Disclosure, HeldRecords, VerifyReport,
};
pub use benefits::{BenefitView, NewBenefitClaim};
pub use checkups::CheckupImportSummary;
pub use db::Backend;
pub use error::StoreError;
pub use events::{Change, EVENT_CATEGORIES, EventSummary, NewAcquisition, NewEvent, PersonRef, REGISTRATION_DAYS};
pub use export::{ExportedRows, Recipient, Selection};
pub use history::{
    AS_OF_BATCH, AgeMilestones, CertificateRow, CoverageAsOf, EventRow, PersonHistory, ReceiptAfterLoss,
};
pub use kenin::{DependantCheckResult, DependantCheckRow};
pub use kenshin::{
    AssessmentSummary, FindingsOf, FollowUp, GuidanceImportSummary, HANDOFF_ITEMS, Handoff, HandoffRow, StateReportRow,
    TargetRow, age_band, fiscal_year_days,
};
pub use kogaku::{KogakuPaymentRow, KogakuRunSummary, Payroll, PayrollFile, PayrollLine, TransferPending};
pub use kogaku_yearly::{CompareRow, Comparison, YearlyPaymentRow, YearlyRunSummary};
pub use outbox::{OutboxMark, OutboxRow, RegistrationItems, outbox_status_label};
pub use people::{
    EligibilityView, IdentityView, MASK, PeopleQuery, PersonHit, PersonReceipt, PersonReceipts, PersonView,
    RemunerationView, SEARCH_LIMIT, Withheld,
};
pub use premiums::{
    ChargeRow, DeterminationRow, FilingMember, InvoiceRow, MonthRun, NewPayment, PREMIUM_CATEGORIES, PayInput, PayLine,
    PaySummary, PayerStatement, PaymentsSummary, voluntary_payer,
};
pub use provisions::ProvisionView;
pub use receipts::{ReceiptImportSummary, ReceiptSource};
pub use records::{CareLine, CheckupView, DiagnosisLine, GuidanceView, PersonCheckups, ReceiptHeader, ReceiptView};
pub use review::{FindingRow, FindingStatus, ReviewSummary, rule_label};
pub use roster::{ImportSummary, NewPerson};
pub use stats::Stats;
pub use vault::VaultKeys;

pub use kenpo_policy::{AccessContext, Actor, PersonId, PurposeId, StaffRole};

use kenpo_policy::{CatalogueEngine, PolicyEngine};
use std::sync::Arc;

/// The guarded store.
pub struct Store {
    /// The pool, behind the doors of `repo` (a grant, an operator check, the login path).
    db: repo::Db,
    backend: Backend,
    vault: Arc<vault::Vault>,
    /// Member keys for audit payloads, cached once committed.
    member_keys: audit::KeyCache,
    /// Group-commit appender for decisions recorded outside a caller's transaction.
    appender: audit::Appender,
    policy: Arc<dyn PolicyEngine>,
    /// The day decisions are taken on; `None` = today (tests pin it).
    today: Option<chrono::NaiveDate>,
    /// (audit payload retention years, provision record retention years), from the catalogue.
    retention: (u32, u32),
    /// The catalogue the shipped engine was built from: its roles decide audit-log operations.
    catalogue: Arc<kenpo_policy::catalogue::Catalogue>,
    /// Benchmark baseline only (feature `unaudited-baseline`): skip audit entries.
    unaudited: bool,
}

impl Store {
    /// Opens (and migrates) the store at `url` (`sqlite://path` or `postgres://…`), with the
    /// vault keys, deciding with the shipped policy catalogue until another engine is set.
    pub async fn open(url: &str, keys: VaultKeys) -> Result<Self, StoreError> {
        let engine = CatalogueEngine::default_engine().map_err(|e| StoreError::Policy(e.to_string()))?;
        let meta = &engine.catalogue().meta;
        let retention = (meta.audit_retention_years, meta.provision_record_retention_years);
        let catalogue = Arc::new(engine.catalogue().clone());
        let (pool, backend) = db::connect(url).await?;
        db::migrate(&pool, backend).await?;
        let vault = Arc::new(vault::Vault::new(keys));
        let member_keys = audit::KeyCache::default();
        let policy: Arc<dyn PolicyEngine> = Arc::new(engine);
        let appender = audit::Appender::start(
            pool.clone(),
            audit::AuditEnv::new(vault.clone(), backend, policy.version().to_string(), member_keys.clone()),
        );
        Ok(Self {
            db: repo::Db::new(pool),
            backend,
            vault,
            member_keys,
            appender,
            policy,
            today: None,
            retention,
            catalogue,
            unaudited: false,
        })
    }

    /// Pins the day decisions are taken on (contracts are dated); for tests and re-runs.
    pub fn with_decision_date(mut self, day: chrono::NaiveDate) -> Self {
        self.today = Some(day);
        self
    }

    /// Replaces the policy engine: tests and benchmarks only (feature `test-policy`); a shipped
    /// binary decides with the catalogue's engine and nothing else.
    #[cfg(feature = "test-policy")]
    pub fn with_policy(mut self, policy: Arc<dyn PolicyEngine>) -> Self {
        self.policy = policy;
        // The appender records the policy version with each entry: restart it for the new one.
        self.appender = audit::Appender::start(self.db.appender().clone(), self.audit_env());
        self
    }

    /// The audit benchmark's baseline: the same reads without audit entries. Exists only with
    /// the `unaudited-baseline` feature, which no shipped build enables.
    #[cfg(feature = "unaudited-baseline")]
    pub fn without_audit_for_baseline(mut self) -> Self {
        self.unaudited = true;
        self
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn policy_version(&self) -> &str {
        self.policy.version()
    }

    /// Closes the pool, flushing SQLite's WAL on the last connection.
    pub async fn close(self) {
        self.db.close().await;
    }
}
