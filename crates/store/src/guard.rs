//! The decision gate. [`Grant`] is the proof that the policy allowed an access; the private
//! functions that run SQL over personal data take one, and only [`Store::decide`] makes one.
//!
//! ```compile_fail
//! // A grant cannot be forged outside the store: its fields and constructor are private.
//! let g = kenpo_store::Grant { categories: vec![] };
//! ```
//!
//! ```compile_fail
//! // There is no way to reach the pool and run SQL around the access layer: the pool lives in
//! // the private `repo` module, behind doors that take a grant (or an operator check).
//! async fn raw(store: &kenpo_store::Store) {
//!     let _ = sqlx::query("SELECT name_kanji FROM persons").fetch_all(store.db.login_path()).await;
//! }
//! ```

use crate::audit::{PendingEntry, Touched};
use crate::{Store, StoreError};
use kenpo_domain::{DataCategory, Field};
use kenpo_policy::{AccessContext, AccessRequest, Action, Decision, ProvisionRecord, Subject};

/// Proof of an allowed access: who, for what, on which categories of whom.
// `context`, `action` and `subject` are what the audit log (next issue) records with each grant.
#[allow(dead_code)]
pub(crate) struct Grant<'a> {
    pub(crate) context: &'a AccessContext,
    pub(crate) action: Action,
    categories: Vec<DataCategory>,
    pub(crate) subject: Subject,
    /// Fields to mask in what is returned (union of the allowed decisions' obligations).
    pub(crate) mask: Vec<Field>,
    /// Provision records the decisions ask for (written with the export).
    pub(crate) provisions: Vec<ProvisionRecord>,
    /// Categories refused within a field-level read (recorded as a denial beside the grant).
    withheld: Vec<Withheld>,
}

impl Grant<'_> {
    /// Belt and braces: the SQL for a category checks that the grant covers it.
    pub(crate) fn require(&self, category: DataCategory) -> Result<(), StoreError> {
        if self.categories.contains(&category) {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!("internal: {category} read without a grant for it")))
        }
    }
    pub(crate) fn covers(&self, category: DataCategory) -> bool {
        self.categories.contains(&category)
    }
    fn absorb(&mut self, decision: Decision) {
        let Decision::Allow { obligations, .. } = decision else { return };
        for f in obligations.mask {
            if !self.mask.contains(&f) {
                self.mask.push(f);
            }
        }
        if let Some(p) = obligations.provision
            && !self.provisions.contains(&p)
        {
            self.provisions.push(p);
        }
    }
}

/// A category the policy refused, with the rule that refused it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Withheld {
    pub category: DataCategory,
    pub rule: &'static str,
}

impl Store {
    pub(crate) fn ask(
        &self,
        ctx: &AccessContext,
        action: Action,
        category: DataCategory,
        subject: &Subject,
    ) -> Decision {
        let on = self.today.unwrap_or_else(|| chrono::Local::now().date_naive());
        self.policy.decide(&AccessRequest { context: ctx, action, category, subject, on })
    }

    pub(crate) fn denied(
        &self,
        ctx: &AccessContext,
        action: Action,
        category: DataCategory,
        decision: &Decision,
    ) -> StoreError {
        StoreError::Denied {
            actor: ctx.actor().to_string(),
            action: action.id(),
            purpose: ctx.purpose().id().to_string(),
            category,
            rule: decision.rule(),
            policy_version: self.policy.version().to_string(),
        }
    }

    /// All categories must be allowed, or the access fails naming the first refused one.
    pub(crate) async fn decide<'a>(
        &self,
        ctx: &'a AccessContext,
        action: Action,
        categories: &[DataCategory],
        subject: Subject,
    ) -> Result<Grant<'a>, StoreError> {
        let mut grant = Grant {
            context: ctx,
            action,
            categories: categories.to_vec(),
            subject,
            mask: Vec::new(),
            provisions: Vec::new(),
            withheld: Vec::new(),
        };
        for &category in categories {
            let decision = self.ask(ctx, action, category, &grant.subject);
            if !decision.is_allowed() {
                // The refusal is a decision too: it is logged before the caller hears of it.
                self.audit_now(ctx, action, &[category], false, decision.rule(), &touched(&grant.subject)).await?;
                return Err(self.denied(ctx, action, category, &decision));
            }
            grant.absorb(decision);
        }
        Ok(grant)
    }

    /// Decides each category separately (kanidm's "which rows, then which fields"): the grant
    /// covers the allowed ones, the rest come back as withheld. `required` must be allowed.
    pub(crate) async fn decide_fields<'a>(
        &self,
        ctx: &'a AccessContext,
        action: Action,
        required: DataCategory,
        optional: &[DataCategory],
        subject: Subject,
    ) -> Result<(Grant<'a>, Vec<Withheld>), StoreError> {
        let first = self.ask(ctx, action, required, &subject);
        if !first.is_allowed() {
            self.audit_now(ctx, action, &[required], false, first.rule(), &touched(&subject)).await?;
            return Err(self.denied(ctx, action, required, &first));
        }
        let mut grant = Grant {
            context: ctx,
            action,
            categories: vec![required],
            subject,
            mask: Vec::new(),
            provisions: Vec::new(),
            withheld: Vec::new(),
        };
        grant.absorb(first);
        let mut withheld = Vec::new();
        for &category in optional {
            let decision = self.ask(ctx, action, category, &grant.subject);
            if decision.is_allowed() {
                grant.categories.push(category);
                grant.absorb(decision);
            } else {
                withheld.push(Withheld { category, rule: decision.rule() });
            }
        }
        grant.withheld = withheld.clone();
        Ok((grant, withheld))
    }

    /// Records an allowed access (and any categories withheld from it) in its own transaction.
    /// Call it after reading and before returning: nothing is handed out unless it succeeds.
    pub(crate) async fn record(&self, grant: &Grant<'_>, what: &Touched) -> Result<i64, StoreError> {
        if self.unaudited {
            return Ok(-1);
        }
        let mut entries =
            vec![PendingEntry::new(grant.context, grant.action, &grant.categories, true, "allowed", what.clone())];
        if !grant.withheld.is_empty() {
            let categories: Vec<DataCategory> = grant.withheld.iter().map(|w| w.category).collect();
            let mut rules: Vec<&str> = grant.withheld.iter().map(|w| w.rule).collect();
            rules.dedup();
            entries.push(PendingEntry::new(
                grant.context,
                grant.action,
                &categories,
                false,
                &rules.join("+"),
                what.clone(),
            ));
        }
        // Group commit: waits until the entries are committed.
        let seqs = self.appender.append(entries).await?;
        Ok(seqs[0])
    }

    /// Records an allowed access inside the caller's transaction (writes: same transaction as
    /// the data it records).
    pub(crate) async fn record_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        grant: &Grant<'_>,
        what: &Touched,
    ) -> Result<i64, StoreError> {
        let rule = "allowed";
        let seq = self.append_audit(tx, grant.context, grant.action, &grant.categories, true, rule, what).await?;
        if !grant.withheld.is_empty() {
            let categories: Vec<DataCategory> = grant.withheld.iter().map(|w| w.category).collect();
            let mut rules: Vec<&str> = grant.withheld.iter().map(|w| w.rule).collect();
            rules.dedup();
            self.append_audit(tx, grant.context, grant.action, &categories, false, &rules.join("+"), what).await?;
        }
        Ok(seq)
    }
}

/// The audit subject of a policy subject.
pub(crate) fn touched(subject: &Subject) -> Touched {
    match subject {
        Subject::Person(p) => Touched::Person(p.0),
        Subject::Population => Touched::Population,
    }
}
