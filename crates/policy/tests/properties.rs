//! Properties of the shipped catalogue's engine over generated requests:
//!
//! 1. 個人番号 is allowed only for a use that is a 番号法 affair, only to the 番号事務取扱担当者,
//!    a batch job, or a contractor whose contract is a 番号法 affair — never to anyone else.
//! 2. A member is never allowed another person's data, the population's, any write or any export,
//!    and never 個人番号.
//!
//! Actors: every staff role, batch jobs, every contractor of the catalogue and random ids, any
//! member. Purposes: every use id of the catalogue and random strings. Any category, action and
//! day in 2024–2028.

use chrono::{Days, NaiveDate};
use kenpo_domain::DataCategory;
use kenpo_policy::catalogue::Catalogue;
use kenpo_policy::{
    AccessContext, AccessRequest, Action, Actor, CatalogueEngine, Decision, PersonId, PolicyEngine, PurposeId,
    StaffRole, Subject,
};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine() -> &'static CatalogueEngine {
    static ENGINE: OnceLock<CatalogueEngine> = OnceLock::new();
    ENGINE.get_or_init(|| CatalogueEngine::default_engine().expect("the shipped catalogue loads"))
}

fn catalogue() -> &'static Catalogue {
    engine().catalogue()
}

fn use_ids() -> Vec<String> {
    catalogue().uses.iter().map(|u| u.id.clone()).collect()
}

fn contractor_ids() -> Vec<String> {
    catalogue().contractors.iter().map(|k| k.id.clone()).collect()
}

fn any_role() -> impl Strategy<Value = StaffRole> {
    proptest::sample::select(StaffRole::ALL.to_vec())
}

fn any_contractor_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(contractor_ids()),
        1 => "c[0-9]{2}",
        1 => "[a-z0-9_]{1,8}",
    ]
}

fn any_actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        (any_role(), "[a-z]{1,6}").prop_map(|(role, user)| Actor::Staff { role, user }),
        "[a-z_]{1,10}".prop_map(|job| Actor::System { job }),
        any_contractor_id().prop_map(|id| Actor::Contractor { id }),
        any::<i64>().prop_map(|p| Actor::Member { person: PersonId(p) }),
    ]
}

/// Use ids of the catalogue (mostly) and random strings of the right form (some near misses).
fn any_purpose() -> impl Strategy<Value = PurposeId> {
    prop_oneof![
        4 => proptest::sample::select(use_ids()),
        1 => "[a-z]{1,10}\\.[a-z_]{1,16}",
        1 => proptest::sample::select(use_ids()).prop_map(|u| format!("{u}x")),
    ]
    .prop_map(|s| PurposeId::parse(&s).expect("generated ids are well formed"))
}

fn any_category() -> impl Strategy<Value = DataCategory> {
    proptest::sample::select(DataCategory::ALL.to_vec())
}

fn any_action() -> impl Strategy<Value = Action> {
    prop_oneof![Just(Action::Read), Just(Action::Write), Just(Action::Export)]
}

/// Any day from 2024-01-01 to 2028-12-31.
fn any_day() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(2028, 12, 31).unwrap();
    let span = (last - first).num_days() as u64;
    (0..=span).prop_map(move |d| first.checked_add_days(Days::new(d)).unwrap())
}

fn any_subject() -> impl Strategy<Value = Subject> {
    prop_oneof![any::<i64>().prop_map(|p| Subject::Person(PersonId(p))), Just(Subject::Population)]
}

fn decide(
    actor: &Actor,
    purpose: &PurposeId,
    category: DataCategory,
    action: Action,
    subject: &Subject,
    on: NaiveDate,
) -> Decision {
    let context = AccessContext::new(actor.clone(), purpose.clone());
    engine().decide(&AccessRequest { context: &context, action, category, subject, on })
}

fn use_is_bangou_affair(purpose: &PurposeId) -> bool {
    catalogue().use_by_id(purpose.id()).is_some_and(|u| u.my_number_affair)
}

fn contract_is_bangou_affair(id: &str) -> bool {
    catalogue().contractor(id).is_some_and(|k| k.my_number_affair)
}

fn check_my_number(
    actor: &Actor,
    purpose: &PurposeId,
    action: Action,
    subject: &Subject,
    on: NaiveDate,
) -> Result<(), TestCaseError> {
    let d = decide(actor, purpose, DataCategory::MyNumber, action, subject, on);
    if !d.is_allowed() {
        return Ok(());
    }
    let what = format!("{actor} {purpose} my_number {action:?} on {on}: allowed by {}", d.rule());
    prop_assert!(use_is_bangou_affair(purpose), "{what}, but the use is not a 番号法 affair");
    match actor {
        Actor::Staff { role, .. } => {
            prop_assert_eq!(*role, StaffRole::MyNumberOfficer, "{}, but not to the 番号事務取扱担当者", what)
        }
        Actor::Contractor { id } => {
            prop_assert!(contract_is_bangou_affair(id), "{what}, but the contract is not a 番号法 affair")
        }
        Actor::Member { .. } => prop_assert!(false, "{what}: a member never gets 個人番号"),
        Actor::System { .. } => {}
    }
    Ok(())
}

fn check_member(
    person: i64,
    purpose: &PurposeId,
    category: DataCategory,
    action: Action,
    subject: &Subject,
    on: NaiveDate,
) -> Result<(), TestCaseError> {
    let actor = Actor::Member { person: PersonId(person) };
    let d = decide(&actor, purpose, category, action, subject, on);
    if !d.is_allowed() {
        return Ok(());
    }
    let what = format!("{actor} {purpose} {category} {action:?} on {on} about {subject:?}: allowed by {}", d.rule());
    prop_assert_eq!(subject, &Subject::Person(PersonId(person)), "{}: not their own data", what);
    prop_assert_eq!(action, Action::Read, "{}: members only read", what);
    prop_assert_ne!(category, DataCategory::MyNumber, "{}: never 個人番号", what);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    /// No use that is not a 番号法 affair, and no contractor whose contract is not one, ever gets
    /// 個人番号; among staff only the 番号事務取扱担当者; members never.
    #[test]
    fn my_number_only_for_bangou_affairs(
        actor in any_actor(),
        purpose in any_purpose(),
        action in any_action(),
        subject in any_subject(),
        on in any_day(),
    ) {
        check_my_number(&actor, &purpose, action, &subject, on)?;
    }

    /// The same, with the other categories drawn too: whatever is allowed, 個人番号 is only ever
    /// allowed as above (a guard against a category mix-up in the engine's bit sets).
    #[test]
    fn any_allowed_my_number_request_is_a_bangou_affair(
        actor in any_actor(),
        purpose in any_purpose(),
        category in any_category(),
        action in any_action(),
        subject in any_subject(),
        on in any_day(),
    ) {
        if category == DataCategory::MyNumber {
            check_my_number(&actor, &purpose, action, &subject, on)?;
        } else {
            // Deny by default: an unknown purpose or contractor never allows anything.
            let d = decide(&actor, &purpose, category, action, &subject, on);
            if d.is_allowed() {
                prop_assert!(catalogue().use_by_id(purpose.id()).is_some(), "unknown purpose allowed: {}", d.rule());
                if let Actor::Contractor { id } = &actor {
                    prop_assert!(catalogue().contractor(id).is_some_and(|k| k.in_force(on)), "{actor} allowed: {}", d.rule());
                }
            }
        }
    }

    /// A member is never allowed another person's data, the population's, or any write or export.
    #[test]
    fn member_only_reads_own_data(
        person in any::<i64>(),
        other in any::<i64>(),
        pick in 0u8..3,
        purpose in any_purpose(),
        category in any_category(),
        action in any_action(),
        on in any_day(),
    ) {
        // Bias towards their own data so the allowed branch is exercised often.
        let subject = match pick {
            0 => Subject::Person(PersonId(person)),
            1 => Subject::Person(PersonId(other)),
            _ => Subject::Population,
        };
        check_member(person, &purpose, category, action, &subject, on)?;
    }
}

/// The properties are not vacuous: the generators reach allowed decisions of each kind.
#[test]
fn generators_reach_allowed_decisions() {
    let on = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let p = |s: &str| PurposeId::parse(s).unwrap();
    let officer = Actor::Staff { role: StaffRole::MyNumberOfficer, user: "t".into() };
    assert!(
        decide(&officer, &p("mynumber.affairs"), DataCategory::MyNumber, Action::Read, &Subject::Population, on)
            .is_allowed()
    );
    let c18 = Actor::Contractor { id: "c18".into() };
    assert!(
        decide(&c18, &p("mynumber.linkage"), DataCategory::MyNumber, Action::Read, &Subject::Population, on)
            .is_allowed()
    );
    let member = Actor::Member { person: PersonId(7) };
    let own = Subject::Person(PersonId(7));
    assert!(decide(&member, &p("eligibility.management"), DataCategory::Identity, Action::Read, &own, on).is_allowed());
}

/// Exhaustively over the catalogue (every actor kind × use × category × action on a few days),
/// the same two properties: the generated search above, made complete where it can be.
#[test]
fn exhaustive_over_the_catalogue() {
    let days = ["2024-06-01", "2025-01-01", "2026-11-25", "2027-04-01", "2028-10-01", "2028-12-31"]
        .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    let mut actors: Vec<Actor> = StaffRole::ALL.iter().map(|r| Actor::Staff { role: *r, user: "t".into() }).collect();
    actors.push(Actor::System { job: "batch".into() });
    actors.extend(contractor_ids().into_iter().map(|id| Actor::Contractor { id }));
    actors.push(Actor::Contractor { id: "c99".into() });
    let mut checked = 0;
    for on in days {
        for purpose in use_ids().iter().map(|u| PurposeId::parse(u).unwrap()) {
            for action in [Action::Read, Action::Write, Action::Export] {
                for actor in &actors {
                    check_my_number(actor, &purpose, action, &Subject::Population, on).unwrap();
                }
                for category in DataCategory::ALL {
                    for subject in [Subject::Person(PersonId(7)), Subject::Person(PersonId(8)), Subject::Population] {
                        check_member(7, &purpose, category, action, &subject, on).unwrap();
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 0);
}
