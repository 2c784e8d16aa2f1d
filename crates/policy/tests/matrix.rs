//! docs/policy-matrix.md is the decision table as the privacy officer reads it. It must match
//! what the shipped catalogue decides: regenerate with
//! `cargo run -p kenpo -- policy matrix --out docs/policy-matrix.md` (or KENPO_BLESS=1 here).

use kenpo_policy::CatalogueEngine;
use std::path::PathBuf;

#[test]
fn the_checked_in_matrix_is_current() {
    let engine = CatalogueEngine::default_engine().expect("shipped catalogue loads");
    let on = engine.catalogue().meta.effective_from;
    let generated = kenpo_policy::matrix::markdown(&engine, on);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy-matrix.md");
    if std::env::var("KENPO_BLESS").is_ok() {
        std::fs::write(&path, &generated).expect("write docs/policy-matrix.md");
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "docs/policy-matrix.md is out of date: run `cargo run -p kenpo -- policy matrix --out docs/policy-matrix.md`"
    );
    // The table is not empty and never shows My Number outside 番号法 affairs.
    assert!(generated.lines().count() > 50);
    let header: Vec<&str> = generated.lines().find(|l| l.starts_with("| 主体")).unwrap().split('|').collect();
    let col = header.iter().position(|h| h.trim() == "my_number").unwrap();
    for line in generated.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| 主体")) {
        let cells: Vec<&str> = line.split('|').collect();
        if !cells[col].trim().is_empty() {
            assert!(cells[2].trim().starts_with("mynumber."), "My Number outside 番号法 affairs: {line}");
        }
    }
}
