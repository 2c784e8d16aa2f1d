//! Shared by the Cedar tests: the exhaustive comparison of Cedar with the decision table.

#![allow(dead_code)]

use chrono::{Days, NaiveDate};
use kenpo_cedar::{CedarEngine, Mode};
use kenpo_domain::DataCategory;
use kenpo_policy::engine::actor_kinds;
use kenpo_policy::{
    AccessContext, AccessRequest, Action, Actor, Catalogue, CatalogueEngine, PersonId, PolicyEngine, PurposeId, Subject,
};

/// The days to check: the day before the catalogue's effective date, the effective date, the
/// day with most contracts in force (inside every contract if there is such a day), the first
/// day of each contract starting later, and the day after each contract ends.
pub fn days(c: &Catalogue) -> Vec<NaiveDate> {
    let from = c.meta.effective_from;
    let mut out = vec![from - Days::new(1), from, inside(c)];
    for k in &c.contractors {
        if k.contract_from > from {
            out.push(k.contract_from);
        }
        out.push(k.contract_to + Days::new(1));
    }
    out.sort();
    out.dedup();
    out
}

/// The day (from the effective date on) with most contracts in force.
pub fn inside(c: &Catalogue) -> NaiveDate {
    let from = c.meta.effective_from;
    let starts = c.contractors.iter().map(|k| k.contract_from).filter(|d| *d >= from);
    let candidates: Vec<NaiveDate> = std::iter::once(from).chain(starts).collect();
    let in_force = |d: &NaiveDate| c.contractors.iter().filter(|k| k.in_force(*d)).count();
    candidates.into_iter().max_by_key(|d| (in_force(d), std::cmp::Reverse(*d))).unwrap_or(from)
}

/// Every actor kind, with the subjects that matter for it: members on their own data, on
/// another person's and on the population; a contractor the catalogue does not list.
pub fn actors(c: &Catalogue) -> Vec<(String, Actor, Vec<Subject>)> {
    let mut out = Vec::new();
    for (name, actor) in actor_kinds(c) {
        let subjects = match &actor {
            Actor::Member { person } => {
                vec![Subject::Person(*person), Subject::Person(PersonId(person.0 + 1)), Subject::Population]
            }
            Actor::System { .. } => vec![Subject::Population],
            _ => vec![Subject::Person(PersonId(7))],
        };
        out.push((name, actor, subjects));
    }
    out.push(("contractor:unknown".into(), Actor::Contractor { id: "c99_unknown".into() }, vec![Subject::Population]));
    out
}

pub struct Agreement {
    /// Combinations compared between the decision table and Cedar (partitioned).
    pub checked: usize,
    /// Of which also compared with naive Cedar (every combination on the day inside the contracts).
    pub checked_naive: usize,
    pub allowed: usize,
    pub mismatches: Vec<String>,
}

/// Compares `CedarEngine` with `CatalogueEngine` on every combination, and naive Cedar with
/// partitioned Cedar (same decision and rule) on every combination of one day (naive Cedar is
/// slow in a debug build).
pub fn agreement(c: &Catalogue) -> Agreement {
    let table = CatalogueEngine::new(c.clone());
    let fast = CedarEngine::new(c).expect("Cedar engine builds");
    let naive = CedarEngine::naive(c).expect("naive Cedar engine builds");
    assert_eq!(fast.mode(), Mode::Partitioned);
    let mut purposes: Vec<PurposeId> = c.uses.iter().map(|u| PurposeId::parse(&u.id).expect("use id")).collect();
    for id in kenpo_policy::cedar::STATUTORY_USES {
        purposes.push(PurposeId::parse(id).expect("statutory id"));
    }
    purposes.push(PurposeId::parse("unknown.purpose").expect("id"));
    let days = days(c);
    let naive_day = inside(c);
    let mut result = Agreement { checked: 0, checked_naive: 0, allowed: 0, mismatches: Vec::new() };
    for (name, actor, subjects) in actors(c) {
        for purpose in &purposes {
            let context = AccessContext::new(actor.clone(), purpose.clone());
            for subject in &subjects {
                for category in DataCategory::ALL {
                    for action in [Action::Read, Action::Write, Action::Export] {
                        for on in &days {
                            let req = AccessRequest { context: &context, action, category, subject, on: *on };
                            let t = table.decide(&req);
                            let f = fast.decide(&req);
                            result.checked += 1;
                            result.allowed += usize::from(t.is_allowed());
                            let what = format!(
                                "{name} {} {} for {purpose} on {on} (subject {subject:?})",
                                action.id(),
                                category.id()
                            );
                            if t.is_allowed() != f.is_allowed() {
                                result.mismatches.push(format!(
                                    "{what}: table {} ({}), cedar {} ({})",
                                    t.is_allowed(),
                                    t.rule(),
                                    f.is_allowed(),
                                    f.rule()
                                ));
                            } else if t.obligations() != f.obligations() {
                                result.mismatches.push(format!(
                                    "{what}: obligations differ: table {:?}, cedar {:?}",
                                    t.obligations(),
                                    f.obligations()
                                ));
                            }
                            if *on == naive_day {
                                result.checked_naive += 1;
                                let n = naive.decide(&req);
                                if f != n {
                                    result.mismatches.push(format!("{what}: partitioned {f:?}, naive {n:?}"));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    result
}
