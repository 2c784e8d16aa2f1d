//! `policy lint` over small hand-made catalogues, each breaking one rule, and over the shipped one.

use chrono::NaiveDate;
use kenpo_policy::catalogue::Catalogue;
use kenpo_policy::lint::{Finding, Severity, lint};

const ON: &str = "2026-11-25";

/// A small catalogue that breaks nothing: 別表1 with two rows, three internal uses (one a 番号法
/// affair), three roles, one 特定保健指導 contractor in force.
const NOTICE: &str = r#"
[meta]
version = "test"
effective_from = "2025-01-01"
data_table_title = "別表1 健康保険組合等が保有する個人情報の例"
purpose_table_title = "別表2 健康保険組合の通常業務で想定される主な利用目的"
contractor_list_title = "業務委託先 一覧"
contractors_as_of = "(2025年1月現在)"

[[data_rows]]
label = "適用関連"
items = [{ text = "保険者番号及び被保険者等記号・番号、氏名、生年月日、性別、個人番号" }]
categories = ["identity", "my_number", "eligibility"]

[[data_rows]]
label = "保健事業関連"
items = [{ text = "健康診査、保健指導関連", detail = "受診年月日、健診機関名称・所在地、健診・問診結果、指導結果" }]
categories = ["checkup_result", "guidance_record"]

[[groups]]
number = 1
title = "被保険者等に対する保険給付に必要な利用目的"
[[groups.sections]]
heading = "健保組合等の内部での利用に係る事例"
uses = ["eligibility.management", "mynumber.affairs"]

[[groups]]
number = 3
title = "保健事業に必要な利用目的"
[[groups.sections]]
heading = "健保組合等の内部での利用に係る事例"
uses = ["health.specific_checkup"]

[[uses]]
id = "eligibility.management"
text = "被保険者資格の確認、被扶養者の認定並びに健康保険被保険者証の発行管理"
flow = "internal"
categories = ["identity", "eligibility"]
reason = "資格確認"
roles = ["eligibility"]
member_self = true

[[uses]]
id = "mynumber.affairs"
text = "番号法に定める利用事務"
flow = "internal"
my_number_affair = true
categories = ["identity", "my_number", "eligibility"]
reason = "個人番号の登録"
roles = ["mynumber_officer"]

[[uses]]
id = "health.specific_checkup"
text = "特定健診、保健指導の実施"
flow = "internal"
categories = ["identity", "eligibility", "checkup_result", "guidance_record"]
reason = "特定健診・特定保健指導"
roles = ["health"]
"#;

const ROLES: &str = r#"
[[roles]]
id = "eligibility"
label = "適用担当"

[[roles]]
id = "mynumber_officer"
label = "番号事務取扱担当者"

[[roles]]
id = "health"
label = "保健事業担当"
"#;

const CONTRACTORS: &str = r#"
[[contractors]]
id = "c04"
name = "(株)ベストライフ・プロモーション"
work = "特定保健指導"
contract_from = "2024-04-01"
contract_to = "2027-03-31"
[[contractors.tasks]]
text = "特定保健指導"
uses = ["health.specific_checkup"]
categories = ["identity", "checkup_result", "guidance_record"]
reason = "特定保健指導"
"#;

fn on() -> NaiveDate {
    NaiveDate::parse_from_str(ON, "%Y-%m-%d").unwrap()
}

/// Replaces `from` (which must occur exactly once) by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replace(from, to)
}

fn load(notice: &str, roles: &str, contractors: &str) -> Catalogue {
    Catalogue::from_sources(&[("notice.toml", notice), ("roles.toml", roles), ("contractors.toml", contractors)])
        .unwrap_or_else(|e| panic!("the test catalogue must load (lint judges it, not the loader): {e}"))
}

fn findings(notice: &str, roles: &str, contractors: &str) -> Vec<Finding> {
    lint(&load(notice, roles, contractors), on())
}

/// The findings of a variant are exactly the one expected (the base has none).
fn assert_only(found: &[Finding], id: &str, severity: Severity, subject_has: &str) {
    assert!(
        found.iter().any(|f| f.id == id && f.severity == severity && f.subject.contains(subject_has)),
        "expected {id} on {subject_has:?}, got:\n{}",
        show(found)
    );
    let others: Vec<&Finding> = found.iter().filter(|f| f.id != id).collect();
    assert!(others.is_empty(), "only {id} expected, also got:\n{}", show_refs(&others));
}

fn show(found: &[Finding]) -> String {
    found.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
}

fn show_refs(found: &[&Finding]) -> String {
    found.iter().map(|f| format!("  {f}")).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_base_catalogue_is_clean() {
    let found = findings(NOTICE, ROLES, CONTRACTORS);
    assert!(found.is_empty(), "{}", show(&found));
}

#[test]
fn k001_entrusted_task_with_no_use() {
    let contractors = edit(CONTRACTORS, r#"uses = ["health.specific_checkup"]"#, "uses = []");
    assert_only(&findings(NOTICE, ROLES, &contractors), "K001", Severity::Error, "c04");
}

#[test]
fn k002_task_names_a_use_the_notice_does_not_list() {
    // The task keeps a real use too, so its categories stay within what its uses need.
    let contractors = edit(
        CONTRACTORS,
        r#"uses = ["health.specific_checkup"]"#,
        r#"uses = ["health.specific_checkup", "health.wellness_app"]"#,
    );
    let found = findings(NOTICE, ROLES, &contractors);
    assert_only(&found, "K002", Severity::Error, "c04");
    assert!(found[0].message.contains("health.wellness_app"), "{}", found[0]);
}

#[test]
fn k003_use_needs_a_category_not_in_table_1() {
    // 前年度収入額 is a real category, but this 別表1 does not list it.
    let notice = edit(
        NOTICE,
        r#"categories = ["identity", "eligibility"]"#,
        r#"categories = ["identity", "eligibility", "income"]"#,
    );
    let found = findings(&notice, ROLES, CONTRACTORS);
    assert_only(&found, "K003", Severity::Error, "eligibility.management");
    assert!(found[0].message.contains("income"));
}

#[test]
fn k004_my_number_outside_a_bangou_affair() {
    let notice = edit(
        NOTICE,
        r#"categories = ["identity", "eligibility"]"#,
        r#"categories = ["identity", "my_number", "eligibility"]"#,
    );
    assert_only(&findings(&notice, ROLES, CONTRACTORS), "K004", Severity::Error, "eligibility.management");
}

#[test]
fn k005_contractor_gets_my_number_without_a_bangou_contract() {
    // The task serves the 番号法 affair (so the category is needed by its use), but the contract
    // is not a 番号法 entrustment.
    let contractors = edit(
        &edit(CONTRACTORS, r#"uses = ["health.specific_checkup"]"#, r#"uses = ["mynumber.affairs"]"#),
        r#"categories = ["identity", "checkup_result", "guidance_record"]"#,
        r#"categories = ["identity", "my_number"]"#,
    );
    assert_only(&findings(NOTICE, ROLES, &contractors), "K005", Severity::Error, "c04");
    // With a 番号法 contract the same task is lawful.
    let bangou =
        edit(&contractors, r#"contract_to = "2027-03-31""#, "contract_to = \"2027-03-31\"\nmy_number_affair = true");
    assert!(findings(NOTICE, ROLES, &bangou).is_empty());
}

#[test]
fn k006_sensitive_provision_without_a_legal_basis() {
    let provision = r#"
[[uses]]
id = "health.collabo_provision"
text = "コラボヘルスの一環である健診結果の事業者への提供"
flow = "provision"
counterparty = "事業主"
categories = ["identity", "checkup_result"]
reason = "事業主との共同の保健指導"
roles = ["health"]
"#;
    let notice = edit(
        NOTICE,
        r#"uses = ["health.specific_checkup"]"#,
        r#"uses = ["health.specific_checkup", "health.collabo_provision"]"#,
    ) + provision;
    assert_only(&findings(&notice, ROLES, CONTRACTORS), "K006", Severity::Error, "health.collabo_provision");
    // With a basis (consent) it is no longer a finding.
    let with_basis = edit(&notice, "flow = \"provision\"\n", "flow = \"provision\"\nbasis = \"同意\"\n");
    assert!(findings(&with_basis, ROLES, CONTRACTORS).is_empty());
}

#[test]
fn k007_expired_contract_still_grants_access() {
    let contractors = edit(CONTRACTORS, r#"contract_to = "2027-03-31""#, r#"contract_to = "2026-03-31""#);
    let found = findings(NOTICE, ROLES, &contractors);
    assert_only(&found, "K007", Severity::Error, "c04");
    assert!(found[0].message.contains("2026-03-31"));
    // On the last day of the contract it is not yet expired.
    let last_day = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    assert!(lint(&load(NOTICE, ROLES, &contractors), last_day).is_empty());
}

#[test]
fn k008_role_acting_for_no_use() {
    let roles = format!("{ROLES}\n[[roles]]\nid = \"auditor\"\nlabel = \"監査担当\"\n");
    assert_only(&findings(NOTICE, &roles, CONTRACTORS), "K008", Severity::Error, "auditor");
}

#[test]
fn k009_task_receives_a_category_beyond_its_uses() {
    // 特定保健指導 does not need receipts.
    let contractors = edit(
        CONTRACTORS,
        r#"categories = ["identity", "checkup_result", "guidance_record"]"#,
        r#"categories = ["identity", "checkup_result", "guidance_record", "receipt_clinical"]"#,
    );
    let found = findings(NOTICE, ROLES, &contractors);
    assert_only(&found, "K009", Severity::Error, "c04");
    assert!(found[0].message.contains("receipt_clinical"));
}

#[test]
fn k010_ambiguity_is_reported_as_a_warning() {
    let notice =
        edit(NOTICE, "reason = \"資格確認\"\n", "reason = \"資格確認\"\nambiguity = \"公表文が範囲を示さない\"\n");
    let found = findings(&notice, ROLES, CONTRACTORS);
    assert_only(&found, "K010", Severity::Warning, "eligibility.management");
    assert!(found[0].message.contains("公表文が範囲を示さない"));
    let contractors = format!("{CONTRACTORS}ambiguity = \"委託の範囲が不明\"\n");
    assert_only(&findings(NOTICE, ROLES, &contractors), "K010", Severity::Warning, "特定保健指導");
}

#[test]
fn k011_k012_k013_warnings() {
    // K012: an entrustment (委託) use no contractor serves.
    let entrustment = r#"
[[uses]]
id = "health.checkup_entrustment"
text = "医療機関への健診の委託"
flow = "entrustment"
basis = "委託"
categories = ["identity", "checkup_result"]
reason = "健診機関"
roles = ["health"]
"#;
    let notice = edit(
        NOTICE,
        r#"uses = ["health.specific_checkup"]"#,
        r#"uses = ["health.specific_checkup", "health.checkup_entrustment"]"#,
    ) + entrustment;
    assert_only(&findings(&notice, ROLES, CONTRACTORS), "K012", Severity::Warning, "health.checkup_entrustment");
    // K011: a use nobody may act for (no role, no member, no contractor).
    let orphan = edit(&notice, "reason = \"健診機関\"\nroles = [\"health\"]\n", "reason = \"健診機関\"\n");
    let found = findings(&orphan, ROLES, CONTRACTORS);
    assert!(
        found.iter().any(|f| f.id == "K011" && f.subject.contains("health.checkup_entrustment")),
        "{}",
        show(&found)
    );
    // K013: a 別表1 category no use needs.
    let notice = edit(
        NOTICE,
        "個人番号\" }]\ncategories = [\"identity\", \"my_number\", \"eligibility\"]",
        "個人番号\" }]\ncategories = [\"identity\", \"my_number\", \"eligibility\", \"relation\"]",
    );
    assert_only(&findings(&notice, ROLES, CONTRACTORS), "K013", Severity::Warning, "適用関連");
}

#[test]
fn findings_sort_errors_first() {
    let notice = edit(NOTICE, "reason = \"資格確認\"\n", "reason = \"資格確認\"\nambiguity = \"曖昧\"\n");
    let contractors = edit(CONTRACTORS, r#"uses = ["health.specific_checkup"]"#, "uses = []");
    let found = findings(&notice, ROLES, &contractors);
    assert_eq!(found.iter().map(|f| f.id).collect::<Vec<_>>(), ["K001", "K010"], "{}", show(&found));
}

// ───────────────────────── the shipped catalogue ─────────────────────────

fn shipped() -> Vec<Finding> {
    lint(&Catalogue::default_catalogue().expect("the shipped catalogue loads"), on())
}

#[test]
fn shipped_catalogue_has_no_lint_errors() {
    let found = shipped();
    let errors: Vec<&Finding> = found.iter().filter(|f| f.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "lint errors as of {ON}:\n{}", show_refs(&errors));
}

#[test]
fn shipped_catalogue_reports_the_notices_ambiguities() {
    let found = shipped();
    let k010: Vec<&Finding> = found.iter().filter(|f| f.id == "K010").collect();
    for (contractor, task) in [("c17", "薬あっせん販売"), ("c08", "花粉症薬スイッチOTC勧奨事業")] {
        assert!(
            k010.iter().any(|f| f.severity == Severity::Warning
                && f.subject.contains(&format!("contractor {contractor} "))
                && f.subject.contains(&format!("「{task}」"))),
            "no K010 for {contractor} 「{task}」:\n{}",
            show_refs(&k010)
        );
    }
    // Other tasks and uses the notice leaves open (docs/policy-findings.md).
    for subject in ["c18", "ジェネリック医薬品差額通知", "health.collabo_provision", "health.medical_cost_notice"]
    {
        assert!(k010.iter().any(|f| f.subject.contains(subject)), "no K010 naming {subject}");
    }
}

#[test]
fn shipped_catalogue_warns_about_entrustments_without_a_listed_contractor() {
    // 別表2 1.「海外療養費に係る翻訳のための外部委託」 and 3.「健康増進施設（保養所等）の運営の委託」:
    // no 業務委託先 does either (policy-findings F-06).
    let found = shipped();
    for u in ["benefits.overseas_translation", "health.facilities_entrustment"] {
        assert!(found.iter().any(|f| f.id == "K012" && f.subject.contains(u)), "no K012 for {u}");
    }
}

#[test]
fn shipped_contracts_are_flagged_once_they_end() {
    // Every shipped contract ends by 2028-09-30 (synthetic dates, policy-findings F-30).
    let c = Catalogue::default_catalogue().unwrap();
    let later = NaiveDate::from_ymd_opt(2028, 10, 1).unwrap();
    let found = lint(&c, later);
    // A contract that grants nothing (c17 薬あっせん販売 receives no data) has nothing to flag.
    for k in c.contractors.iter().filter(|k| k.tasks.iter().any(|t| !t.categories.is_empty())) {
        assert!(
            found.iter().any(|f| f.id == "K007" && f.subject.starts_with(&format!("contractor {} ", k.id))),
            "no K007 for {} after its contract ended",
            k.id
        );
    }
}
