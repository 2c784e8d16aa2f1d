//! The shipped catalogue (`policy/*.toml`): its Cedar schema and policies validate, and Cedar
//! agrees with the decision table on every (actor kind, use, category, action, day).

mod common;

use kenpo_policy::Catalogue;

fn shipped() -> Catalogue {
    Catalogue::default_catalogue().expect("the shipped catalogue loads")
}

#[test]
fn shipped_schema_and_policies_validate() {
    let c = shipped();
    if let Err(errors) = kenpo_cedar::validate(&c) {
        panic!("Cedar validation failed:\n{}", errors.join("\n"));
    }
}

#[test]
fn cedar_agrees_with_the_decision_table() {
    let c = shipped();
    let days = common::days(&c);
    let result = common::agreement(&c);
    println!(
        "shipped catalogue {}: {} combinations checked ({} actor kinds × ({} uses + 2 statutory duties + 1 unknown purpose) × 13 categories × 3 actions × {} days; members on own/other/population data), {} allowed; {} also against naive Cedar",
        c.meta.version,
        result.checked,
        common::actors(&c).len(),
        c.uses.len(),
        days.len(),
        result.allowed,
        result.checked_naive
    );
    assert!(result.allowed > 0, "nothing allowed: the comparison would be vacuous");
    assert!(result.mismatches.is_empty(), "{} mismatches:\n{}", result.mismatches.len(), result.mismatches.join("\n"));
}

#[test]
#[ignore = "prints the generated Cedar schema and policies of the shipped catalogue"]
fn print_shipped_cedar() {
    let c = shipped();
    println!("{}\n{}", kenpo_policy::cedar::schema(&c), kenpo_policy::cedar::policies(&c));
}
