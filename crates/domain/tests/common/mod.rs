//! Helpers shared by the 高額療養費 case files: a household of a member, a spouse and two
//! parents; claims and persons; payments compared as (kind, person, amount) sets.

#![allow(dead_code)]

use kenpo_domain::Yen;
use kenpo_domain::kogaku::{Claim, HouseholdPerson, IncomeFacts, Payment, PaymentKind, Setting, Table};

pub const MEMBER: i64 = 1;
pub const SPOUSE: i64 = 2;
pub const FATHER: i64 = 3;
pub const MOTHER: i64 = 4;

pub fn income(standard_monthly: Yen) -> IncomeFacts {
    IncomeFacts { standard_monthly, tax_exempt: false, no_income: false }
}

pub fn person(person: i64, elderly: bool) -> HouseholdPerson {
    HouseholdPerson { person, is_member: person == MEMBER, elderly }
}

pub fn claim(receipt_id: i64, person: i64, institution: &str, setting: Setting, cost: Yen, charge: Yen) -> Claim {
    Claim {
        receipt_id,
        person,
        institution: institution.to_string(),
        institution_label: institution.to_string(),
        setting,
        table: Table::Medical,
        cost,
        charge,
        public_aid: false,
        pharmacy: false,
    }
}

/// (kind, person, amount), sorted, so the whole set of payments is compared at once.
pub fn summary(payments: &[Payment]) -> Vec<(PaymentKind, i64, Yen)> {
    let mut s: Vec<_> = payments.iter().map(|p| (p.kind, p.person, p.amount)).collect();
    s.sort();
    s
}

pub fn expect(mut v: Vec<(PaymentKind, i64, Yen)>) -> Vec<(PaymentKind, i64, Yen)> {
    v.sort();
    v
}

pub fn find(payments: &[Payment], kind: PaymentKind) -> &Payment {
    payments.iter().find(|p| p.kind == kind).unwrap_or_else(|| panic!("no {kind:?} in {payments:#?}"))
}

/// The explanation is there and shows the figure it hinges on (ceiling or 控除額).
pub fn explains(p: &Payment, figure: &str) {
    assert!(!p.explanation.is_empty(), "{:?} has no explanation", p.kind);
    assert!(p.explanation.iter().all(|l| !l.is_empty()), "{:?} has an empty line", p.kind);
    let text = p.explanation.join("\n");
    assert!(text.contains(figure), "{:?}: {figure} not in explanation:\n{text}", p.kind);
}
