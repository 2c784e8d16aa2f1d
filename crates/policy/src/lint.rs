//! Compliance checks over a catalogue. Each finding has a stable id, a severity and a message
//! naming the entry. Errors break the law or the notice; warnings are where the notice is
//! ambiguous or a use cannot be acted on — reported, never silenced.

use crate::catalogue::{Catalogue, Flow};
use chrono::NaiveDate;
use kenpo_domain::DataCategory;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    /// The catalogue entry, e.g. `contractor c17 task "薬あっせん販売"`.
    pub subject: String,
    pub message: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}] {}: {}", self.id, self.subject, self.message)
    }
}

/// All checks, as of `on` (contract periods are dated).
pub fn lint(c: &Catalogue, on: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push =
        |id, severity, subject: String, message: String| out.push(Finding { id, severity, subject, message });
    let listed: BTreeSet<&str> = c.data_rows.iter().flat_map(|r| r.categories.iter().map(String::as_str)).collect();
    let contracted: BTreeSet<&str> =
        c.contractors.iter().flat_map(|k| k.tasks.iter().flat_map(|t| t.uses.iter().map(String::as_str))).collect();

    for u in &c.uses {
        let subject = format!("use {}", u.id);
        for cat in &u.categories {
            if !listed.contains(cat.as_str()) {
                push(
                    "K003",
                    Severity::Error,
                    subject.clone(),
                    format!("needs category {cat}, which 別表1 does not list"),
                );
            }
        }
        if u.categories.iter().any(|x| x == DataCategory::MyNumber.id()) && !u.my_number_affair {
            push("K004", Severity::Error, subject.clone(), "reaches 個人番号 but is not a 番号法 affair".into());
        }
        let sensitive = u.categories.iter().filter_map(|x| DataCategory::from_id(x)).any(DataCategory::is_sensitive);
        if u.flow == Flow::Provision && sensitive && u.basis.as_deref().is_none_or(|b| b.trim().is_empty()) {
            push(
                "K006",
                Severity::Error,
                subject.clone(),
                "provides 要配慮個人情報 to a third party without a legal basis (basis = 法令 / 同意 …)".into(),
            );
        }
        if u.flow == Flow::Entrustment && !contracted.contains(u.id.as_str()) {
            push(
                "K012",
                Severity::Warning,
                subject.clone(),
                "is an entrustment (委託) but no contractor's task serves it".into(),
            );
        }
        if u.roles.is_empty() && !u.member_self && !contracted.contains(u.id.as_str()) {
            push("K011", Severity::Warning, subject.clone(), "no role, member or contractor may act for it".into());
        }
        if let Some(a) = &u.ambiguity {
            push("K010", Severity::Warning, subject.clone(), format!("the notice is ambiguous: {a}"));
        }
    }
    for k in &c.contractors {
        let expired = k.contract_to < on;
        for t in &k.tasks {
            let subject = format!("contractor {} ({}) task 「{}」", k.id, k.name, t.text);
            if t.uses.is_empty() {
                push("K001", Severity::Error, subject.clone(), "no published use covers this entrusted work".into());
            }
            let mut allowed: BTreeSet<&str> = BTreeSet::new();
            for use_id in &t.uses {
                match c.use_by_id(use_id) {
                    None => push(
                        "K002",
                        Severity::Error,
                        subject.clone(),
                        format!("names use {use_id}, which 別表2 does not list"),
                    ),
                    Some(u) => allowed.extend(u.categories.iter().map(String::as_str)),
                }
            }
            for cat in &t.categories {
                if !allowed.contains(cat.as_str()) && !t.uses.is_empty() {
                    push(
                        "K009",
                        Severity::Error,
                        subject.clone(),
                        format!("receives {cat}, which none of its uses needs"),
                    );
                }
                if cat == DataCategory::MyNumber.id() && !k.my_number_affair {
                    push(
                        "K005",
                        Severity::Error,
                        subject.clone(),
                        "receives 個人番号 but the contract is not a 番号法 affair".into(),
                    );
                }
            }
            if expired && !t.categories.is_empty() {
                push(
                    "K007",
                    Severity::Error,
                    subject.clone(),
                    format!("contract ended {} but still grants access", k.contract_to),
                );
            }
            if let Some(a) = &t.ambiguity {
                push("K010", Severity::Warning, subject.clone(), format!("the notice is ambiguous: {a}"));
            }
        }
    }
    for r in &c.roles {
        if !c.uses.iter().any(|u| u.roles.iter().any(|x| x == &r.id)) {
            push("K008", Severity::Error, format!("role {}", r.id), "acts for no use".into());
        }
    }
    for row in &c.data_rows {
        for cat in &row.categories {
            if !c.uses.iter().any(|u| u.categories.contains(cat)) {
                push(
                    "K013",
                    Severity::Warning,
                    format!("別表1 {}", row.label),
                    format!("category {cat} is held but no use needs it"),
                );
            }
        }
    }
    out.sort_by(|a, b| (a.severity, a.id, &a.subject).cmp(&(b.severity, b.id, &b.subject)));
    out
}
