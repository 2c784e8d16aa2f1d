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

mod audit;
mod audit_ops;
mod batch;
mod benefits;
pub mod columns;
mod db;
mod error;
mod export;
mod guard;
mod people;
mod provisions;
mod roster;
mod stats;
pub mod vault;

pub use audit_ops::{AccessLine, BadEntry, ContractorReport, Disclosure, VerifyReport};
pub use benefits::{BenefitView, NewBenefitClaim};
pub use db::Backend;
pub use error::StoreError;
pub use export::{ExportedRows, Recipient, Selection};
pub use people::{EligibilityView, IdentityView, MASK, PersonView, RemunerationView, Withheld};
pub use provisions::ProvisionView;
pub use roster::{ImportSummary, NewPerson};
pub use stats::Stats;
pub use vault::VaultKeys;

pub use kenpo_policy::{AccessContext, Actor, PersonId, PurposeId};

use kenpo_policy::{CatalogueEngine, PolicyEngine};
use std::sync::Arc;

/// The guarded store.
pub struct Store {
    pool: sqlx::AnyPool,
    backend: Backend,
    vault: vault::Vault,
    policy: Arc<dyn PolicyEngine>,
    /// The day decisions are taken on; `None` = today (tests pin it).
    today: Option<chrono::NaiveDate>,
    /// (audit payload retention years, provision record retention years), from the catalogue.
    retention: (u32, u32),
}

impl Store {
    /// Opens (and migrates) the store at `url` (`sqlite://path` or `postgres://…`), with the
    /// vault keys, deciding with the shipped policy catalogue until another engine is set.
    pub async fn open(url: &str, keys: VaultKeys) -> Result<Self, StoreError> {
        let engine = CatalogueEngine::default_engine().map_err(|e| StoreError::Policy(e.to_string()))?;
        let meta = &engine.catalogue().meta;
        let retention = (meta.audit_retention_years, meta.provision_record_retention_years);
        let (pool, backend) = db::connect(url).await?;
        db::migrate(&pool, backend).await?;
        Ok(Self { pool, backend, vault: vault::Vault::new(keys), policy: Arc::new(engine), today: None, retention })
    }

    /// Pins the day decisions are taken on (contracts are dated); for tests and re-runs.
    pub fn with_decision_date(mut self, day: chrono::NaiveDate) -> Self {
        self.today = Some(day);
        self
    }

    /// Replaces the policy engine (the catalogue-driven engine plugs in here).
    pub fn with_policy(mut self, policy: Arc<dyn PolicyEngine>) -> Self {
        self.policy = policy;
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
        self.pool.close().await;
    }
}
