//! A small hand-made catalogue whose decisions are stated by hand: the generator handles
//! staff roles, 個人番号, export, batch jobs, a contract in force, an expired contract and a
//! member on their own and others' data.

mod common;

use chrono::NaiveDate;
use kenpo_cedar::CedarEngine;
use kenpo_domain::DataCategory as Cat;
use kenpo_policy::{
    AccessContext, AccessRequest, Action, Actor, Catalogue, CatalogueEngine, PersonId, PolicyEngine, PurposeId,
    StaffRole, Subject,
};

const NOTICE: &str = r#"
[meta]
version = "test-1"
effective_from = "2025-01-01"
data_table_title = "別表1"
purpose_table_title = "別表2"
contractor_list_title = "業務委託先 一覧"
contractors_as_of = "(2025年1月現在)"

[[data_rows]]
label = "適用関連"
items = [{ text = "氏名" }, { text = "個人番号" }]
categories = ["identity", "my_number", "eligibility", "cash_benefit", "receipt_cost", "receipt_clinical"]

[[groups]]
number = 1
title = "保険給付"
[[groups.sections]]
heading = "内部"
uses = ["eligibility.management", "mynumber.affairs", "mynumber.receive_info"]
[[groups.sections]]
heading = "提供"
uses = ["benefits.payroll_payment"]

[[uses]]
id = "eligibility.management"
text = "被保険者等の資格管理"
flow = "internal"
categories = ["identity", "eligibility", "my_number", "receipt_clinical"]
reason = "資格の管理"
roles = ["eligibility", "system", "auditor"]
member_self = true
mask = ["Address"]

[[uses]]
id = "mynumber.affairs"
text = "個人番号の利用事務"
flow = "bangou_linkage"
my_number_affair = true
categories = ["identity", "my_number"]
reason = "番号法"
roles = ["mynumber_officer", "eligibility"]

[[uses]]
id = "benefits.payroll_payment"
text = "給付の支払 (事業主経由)"
flow = "entrustment"
counterparty = "事業主"
categories = ["identity", "cash_benefit"]
reason = "支払"
roles = ["benefits"]

[[uses]]
id = "mynumber.receive_info"
text = "他機関より情報を受ける"
flow = "bangou_linkage"
direction = "receive"
my_number_affair = true
categories = ["identity", "my_number"]
reason = "番号法"
roles = ["mynumber_officer"]
"#;

const ROLES: &str = r#"
[[roles]]
id = "eligibility"
label = "適用担当"
[[roles]]
id = "benefits"
label = "給付担当"
[[roles]]
id = "mynumber_officer"
label = "番号事務取扱担当者"
[[roles]]
id = "auditor"
label = "監査担当"
"#;

const CONTRACTORS: &str = r#"
[[contractors]]
id = "c01"
name = "給付計算センター"
work = "給付の計算"
contract_from = "2025-01-01"
contract_to = "2025-12-31"
[[contractors.tasks]]
text = "給付の計算"
uses = ["benefits.payroll_payment"]
categories = ["identity", "cash_benefit", "receipt_cost"]
reason = "計算"

[[contractors]]
id = "c02"
name = "番号事務センター"
work = "個人番号の収集"
contract_from = "2024-04-01"
contract_to = "2025-03-31"
my_number_affair = true
[[contractors.tasks]]
text = "個人番号の収集"
uses = ["mynumber.affairs"]
categories = ["identity", "my_number"]
reason = "収集"
write = true
"#;

fn catalogue() -> Catalogue {
    Catalogue::from_sources(&[("notice.toml", NOTICE), ("roles.toml", ROLES), ("contractors.toml", CONTRACTORS)])
        .expect("hand-made catalogue loads")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn staff(role: StaffRole) -> Actor {
    Actor::Staff { role, user: "tanaka".into() }
}

fn contractor(id: &str) -> Actor {
    Actor::Contractor { id: id.into() }
}

fn member(p: i64) -> Actor {
    Actor::Member { person: PersonId(p) }
}

/// (actor, use, action, category, subject, day, expected allowed, expected Cedar rule).
type Case = (Actor, &'static str, Action, Cat, Subject, NaiveDate, bool, &'static str);

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Action::*;
    use StaffRole::*;
    let one = Subject::Person(PersonId(1));
    let two = Subject::Person(PersonId(2));
    let all = Subject::Population;
    let june = d(2025, 6, 1);
    vec![
        (staff(Eligibility), "eligibility.management", Read, Cat::Identity, one.clone(), june, true, "cedar_permit"),
        (staff(Eligibility), "eligibility.management", Write, Cat::Eligibility, one.clone(), june, true, "cedar_permit"),
        // 個人番号 is listed for the use, but the use is not a 番号法 affair.
        (staff(MyNumberOfficer), "eligibility.management", Read, Cat::MyNumber, one.clone(), june, false, "my_number_only_for_bangouhou_affairs"),
        // A 番号法 affair, but only the officer touches 個人番号.
        (staff(Eligibility), "mynumber.affairs", Read, Cat::MyNumber, one.clone(), june, false, "my_number_only_by_officer"),
        (staff(MyNumberOfficer), "mynumber.affairs", Read, Cat::MyNumber, one.clone(), june, true, "cedar_permit"),
        (staff(MyNumberOfficer), "mynumber.affairs", Export, Cat::MyNumber, all.clone(), june, true, "cedar_permit"),
        // Internal use: no export.
        (staff(Eligibility), "eligibility.management", Export, Cat::Identity, all.clone(), june, false, "export_only_for_uses_that_leave_the_society"),
        // A role the use does not list, a category it does not need, a purpose not in the catalogue.
        (staff(Benefits), "eligibility.management", Read, Cat::Identity, one.clone(), june, false, "cedar_default_deny"),
        (staff(Benefits), "benefits.payroll_payment", Read, Cat::Eligibility, one.clone(), june, false, "cedar_default_deny"),
        (staff(Benefits), "benefits.payroll_payment", Export, Cat::CashBenefit, all.clone(), june, true, "cedar_permit"),
        (staff(Benefits), "marketing.campaign", Read, Cat::Identity, one.clone(), june, false, "cedar_default_deny"),
        // Oversight reads, never writes.
        (staff(Auditor), "eligibility.management", Read, Cat::ReceiptClinical, one.clone(), june, true, "cedar_permit"),
        (staff(Auditor), "eligibility.management", Write, Cat::Identity, one.clone(), june, false, "oversight_roles_read_only"),
        // A use under which the society receives: linkage, but nothing is sent.
        (staff(MyNumberOfficer), "mynumber.receive_info", Read, Cat::MyNumber, all.clone(), june, true, "cedar_permit"),
        (staff(MyNumberOfficer), "mynumber.receive_info", Export, Cat::MyNumber, all.clone(), june, false, "receive_use_sends_nothing"),
        // Batch jobs.
        (Actor::System { job: "import".into() }, "eligibility.management", Write, Cat::Eligibility, all.clone(), june, true, "cedar_permit"),
        (Actor::System { job: "import".into() }, "benefits.payroll_payment", Read, Cat::Identity, all.clone(), june, false, "cedar_default_deny"),
        // Contractor in force; a category of its task the use does not need; after its contract.
        (contractor("c01"), "benefits.payroll_payment", Export, Cat::CashBenefit, all.clone(), june, true, "cedar_permit"),
        (contractor("c01"), "benefits.payroll_payment", Read, Cat::ReceiptCost, all.clone(), june, false, "cedar_default_deny"),
        // c01's task does not write; c02's does.
        (contractor("c01"), "benefits.payroll_payment", Write, Cat::CashBenefit, all.clone(), june, false, "cedar_default_deny"),
        (contractor("c02"), "mynumber.affairs", Write, Cat::MyNumber, all.clone(), d(2025, 2, 1), true, "cedar_permit"),
        (contractor("c01"), "benefits.payroll_payment", Read, Cat::Identity, all.clone(), d(2026, 1, 1), false, "contract_not_in_force"),
        (contractor("c01"), "eligibility.management", Read, Cat::Identity, all.clone(), june, false, "cedar_default_deny"),
        // The expired 番号法 contract: allowed until 2025-03-31, denied after.
        (contractor("c02"), "mynumber.affairs", Read, Cat::MyNumber, all.clone(), d(2025, 3, 31), true, "cedar_permit"),
        (contractor("c02"), "mynumber.affairs", Read, Cat::MyNumber, all.clone(), d(2025, 4, 1), false, "contract_not_in_force"),
        (contractor("c99"), "mynumber.affairs", Read, Cat::Identity, all.clone(), june, false, "cedar_default_deny"),
        // A member: reads their own data, never another's, never writes, never 個人番号.
        (member(1), "eligibility.management", Read, Cat::Identity, one.clone(), june, true, "cedar_permit"),
        (member(1), "eligibility.management", Read, Cat::ReceiptClinical, one.clone(), june, false, "member_diagnoses_via_disclosure_request"),
        (member(1), "eligibility.management", Read, Cat::Identity, two.clone(), june, false, "member_only_own_data_read"),
        (member(1), "eligibility.management", Read, Cat::Identity, all.clone(), june, false, "member_only_own_data_read"),
        (member(1), "eligibility.management", Write, Cat::Identity, one.clone(), june, false, "member_only_own_data_read"),
        (member(1), "mynumber.affairs", Read, Cat::Identity, one.clone(), june, false, "cedar_default_deny"),
        // Legal duties outside 別表2 (開示請求, 委託先の監督): read-only, never 個人番号, and not
        // bound by the catalogue's effective date.
        (staff(PrivacyOfficer), "appi.disclosure", Read, Cat::ReceiptClinical, one.clone(), june, true, "cedar_permit"),
        (staff(PrivacyOfficer), "appi.disclosure", Read, Cat::Identity, one.clone(), d(2024, 12, 31), true, "cedar_permit"),
        (staff(PrivacyOfficer), "appi.disclosure", Read, Cat::Identity, all.clone(), june, false, "cedar_default_deny"),
        (staff(PrivacyOfficer), "appi.disclosure", Read, Cat::MyNumber, one.clone(), june, false, "my_number_only_for_bangouhou_affairs"),
        (staff(Auditor), "appi.disclosure", Read, Cat::Identity, one.clone(), june, false, "cedar_default_deny"),
        // 開示請求 on the member portal (Art. 33(1) allows an electromagnetic answer): the member
        // reads their own record, never 傷病名 (a written request, the 医療機関 asked first),
        // never 個人番号, never another member's.
        (member(1), "appi.disclosure", Read, Cat::CashBenefit, one.clone(), june, true, "cedar_permit"),
        (member(1), "appi.disclosure", Read, Cat::ReceiptClinical, one.clone(), june, false, "member_diagnoses_via_disclosure_request"),
        (member(1), "appi.disclosure", Read, Cat::MyNumber, one.clone(), june, false, "my_number_only_for_bangouhou_affairs"),
        (member(1), "appi.disclosure", Read, Cat::Identity, two.clone(), june, false, "member_only_own_data_read"),
        (staff(Auditor), "appi.supervision", Read, Cat::CashBenefit, all.clone(), june, true, "cedar_permit"),
        (staff(Auditor), "appi.supervision", Write, Cat::CashBenefit, all.clone(), june, false, "oversight_roles_read_only"),
        (staff(Eligibility), "appi.supervision", Read, Cat::Identity, all.clone(), june, false, "cedar_default_deny"),
        // Before the catalogue takes effect nothing is allowed.
        (staff(Eligibility), "eligibility.management", Read, Cat::Identity, one.clone(), d(2024, 12, 31), false, "catalogue_not_yet_in_force"),
        (contractor("c02"), "mynumber.affairs", Read, Cat::MyNumber, all, d(2024, 12, 31), false, "catalogue_not_yet_in_force"),
    ]
}

#[test]
fn generated_schema_and_policies_validate() {
    let c = catalogue();
    if let Err(errors) = kenpo_cedar::validate(&c) {
        panic!("validation failed:\n{}\n\n{}", errors.join("\n"), kenpo_policy::cedar::policies(&c));
    }
}

#[test]
fn generation_is_deterministic_and_annotated() {
    let c = catalogue();
    let text = kenpo_policy::cedar::policies(&c);
    assert_eq!(text, kenpo_policy::cedar::policies(&c));
    assert_eq!(kenpo_policy::cedar::schema(&c), kenpo_policy::cedar::schema(&c));
    let statements = text.matches("permit (").count() + text.matches("forbid (").count();
    assert_eq!(text.matches("@id(").count(), statements);
    for id in [
        "\"eligibility.management/staff:eligibility\"",
        "\"eligibility.management/staff:auditor\"",
        "\"oversight_roles_read_only/auditor\"",
        "\"eligibility.management/system\"",
        "\"eligibility.management/member\"",
        "\"benefits.payroll_payment/contractor:c01\"",
        "\"mynumber.affairs/contractor:c02\"",
        "\"contract_not_in_force\"",
    ] {
        assert!(text.contains(&format!("@id({id})")), "{id} missing in\n{text}");
    }
    // c01's task receives receipt_cost, which the use does not need: it stays out.
    let c01 = text.split("@id(\"benefits.payroll_payment/contractor:c01\")").nth(1).expect("c01 policy");
    let c01 = c01.split(';').next().expect("statement");
    assert!(c01.contains("Category::\"cash_benefit\"") && !c01.contains("receipt_cost"), "{c01}");
}

#[test]
fn hand_stated_decisions() {
    let c = catalogue();
    let cedar = CedarEngine::new(&c).expect("engine");
    let naive = CedarEngine::naive(&c).expect("engine");
    let table = CatalogueEngine::new(c.clone());
    for (actor, purpose, action, category, subject, on, allowed, rule) in cases() {
        let context = AccessContext::new(actor.clone(), PurposeId::parse(purpose).expect("purpose"));
        let req = AccessRequest { context: &context, action, category, subject: &subject, on };
        let what = format!("{actor} {} {} for {purpose} on {on} ({subject:?})", action.id(), category.id());
        let got = cedar.decide(&req);
        assert_eq!((got.is_allowed(), got.rule()), (allowed, rule), "cedar: {what}");
        assert_eq!(naive.decide(&req), got, "naive: {what}");
        let t = table.decide(&req);
        assert_eq!(t.is_allowed(), allowed, "table: {what} ({})", t.rule());
        assert_eq!(t.obligations(), got.obligations(), "obligations: {what}");
    }
}

#[test]
fn obligations_come_from_the_catalogue() {
    let c = catalogue();
    let cedar = CedarEngine::new(&c).expect("engine");
    let context = AccessContext::new(contractor("c01"), PurposeId::parse("benefits.payroll_payment").expect("id"));
    let req = AccessRequest {
        context: &context,
        action: Action::Export,
        category: Cat::CashBenefit,
        subject: &Subject::Population,
        on: d(2025, 6, 1),
    };
    let decision = cedar.decide(&req);
    let provision = decision
        .obligations()
        .and_then(|o| o.provision.clone())
        .expect("an export that leaves the society is recorded");
    assert_eq!((provision.counterparty.as_str(), provision.basis.label()), ("給付計算センター", "委託"));
}

#[test]
fn agrees_with_the_decision_table_on_every_combination() {
    let c = catalogue();
    let result = common::agreement(&c);
    println!(
        "hand-made catalogue: {} combinations checked, {} allowed, {} also against naive Cedar",
        result.checked, result.allowed, result.checked_naive
    );
    assert!(result.allowed > 0);
    assert!(result.mismatches.is_empty(), "{} mismatches:\n{}", result.mismatches.len(), result.mismatches.join("\n"));
}

#[test]
#[ignore = "prints the generated Cedar text"]
fn print_generated() {
    let c = catalogue();
    println!("{}\n{}", kenpo_policy::cedar::schema(&c), kenpo_policy::cedar::policies(&c));
}

#[test]
fn the_validator_rejects_what_the_schema_does_not_allow() {
    let c = catalogue();
    let schema = kenpo_policy::cedar::schema(&c);
    let policies = kenpo_policy::cedar::policies(&c);
    assert!(kenpo_cedar::validate_text(&schema, &policies).is_ok());
    for broken in [
        // A category that does not exist.
        policies.replacen("Category::\"cash_benefit\"", "Category::\"cash_bonus\"", 1),
        // An attribute contractors do not have.
        policies.replacen("principal.contract_to", "principal.contract_until", 1),
        // A string compared with a use.
        policies.replacen("context.purpose == Use::\"mynumber.affairs\"", "context.purpose == \"mynumber.affairs\"", 1),
    ] {
        assert_ne!(broken, policies);
        let errors = kenpo_cedar::validate_text(&schema, &broken).expect_err("must not validate");
        assert!(!errors.is_empty());
    }
    // A policy without @id cannot be told apart in decisions.
    let unnamed = format!("{policies}\npermit (principal, action, resource) when {{ false }};");
    assert!(kenpo_cedar::validate_text(&schema, &unnamed).is_err());
}
