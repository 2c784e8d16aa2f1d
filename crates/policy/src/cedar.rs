//! The catalogue compiled to Cedar: a schema (`.cedarschema` syntax) and a policy set whose
//! evaluation gives exactly [`crate::engine::CatalogueEngine`]'s allow/deny for every request.
//!
//! Pure text generation (no Cedar dependency here): `kenpo-cedar` parses, validates and
//! evaluates the text. The decision table is the hot path; Cedar is the validated, analysable
//! reference, and a test checks that the two agree on every (actor kind, use, category,
//! action, day) combination.
//!
//! # Model
//!
//! * Principals: `Staff::"<role id>"` in `Role::"<role id>"` (one per role: the user name is for
//!   the audit trail, never for the decision); `System::"batch"` (batch jobs, whatever the job);
//!   `Contractor::"<id>"` with `contract_from`, `contract_to` (Long, yyyymmdd) and
//!   `my_number_affair`; `Member::"<person id>"`.
//! * Resource: `Category::"<data category id>"` (an enumerated entity type).
//! * Actions: `read`, `write`, `export`, grouped as `read_write` (read, write) and `any` (all
//!   three): a use's permit names the group it allows.
//! * Context: `purpose`, the use (`Use::"<use id>"`, an entity whose attributes
//!   `my_number_affair` and `leaves_society` come from the catalogue); `on`, the day (Long
//!   yyyymmdd); and, when the access touches one person, `subject` (that person as a `Member`).
//!
//! # Policies
//!
//! One `permit` per (use, actor kind) — each staff role the use lists, batch, members, and each
//! contractor whose tasks serve the use — scoped to the use's categories (for a contractor: the
//! categories its tasks for the use receive, within the use's). Then `forbid` safety nets carry
//! the rules that hold whatever the use: the catalogue's effective date, 個人番号 only for
//! 番号法 affairs and only by the officer (staff) or a 番号法 contract (contractors), never for
//! members, export only for uses whose data leaves the society, contracts only within their
//! period, members only reading their own data. Each policy has `@id` naming the catalogue
//! entry (permits: `<use>/<actor kind>`; forbids: the decision table's rule id for the same
//! rule), and permits carry `@purpose("<use>")`: the permit is satisfied only when
//! `context.purpose` is that use, which lets an engine evaluate only the request's use's
//! permits (`kenpo-cedar` does; see `docs/cedar-performance.md`).

use crate::StaffRole;
use crate::catalogue::{Catalogue, Direction, SYSTEM_ROLE, Use, categories_of};
use crate::engine::{STATUTORY_DISCLOSURE, STATUTORY_SUPERVISION};
use chrono::{Datelike, NaiveDate};
use kenpo_domain::DataCategory;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Annotation naming the catalogue entry a policy comes from.
pub const ID_ANNOTATION: &str = "id";
/// Annotation on permits: the use whose `context.purpose` the policy requires.
pub const PURPOSE_ANNOTATION: &str = "purpose";

/// Rule ids of the generated `forbid` policies (their `@id`), in the order they are emitted.
/// They are the decision table's rule ids for the same rules.
/// A forbid emitted once per role has `@id("<rule>/<role>")`: see [`forbid_rule`].
pub const FORBID_RULES: [&str; 11] = [
    FORBID_NOT_YET_IN_FORCE,
    FORBID_MY_NUMBER_OUTSIDE_AFFAIRS,
    FORBID_EXPORT_INTERNAL,
    FORBID_RECEIVE_SENDS_NOTHING,
    FORBID_MY_NUMBER_NOT_OFFICER,
    FORBID_OVERSIGHT_READ_ONLY,
    FORBID_CONTRACT_NOT_IN_FORCE,
    FORBID_CONTRACTOR_MY_NUMBER,
    FORBID_MEMBER_MY_NUMBER,
    FORBID_MEMBER_DIAGNOSES,
    FORBID_MEMBER_OTHERS,
];
pub const FORBID_NOT_YET_IN_FORCE: &str = "catalogue_not_yet_in_force";
pub const FORBID_MY_NUMBER_OUTSIDE_AFFAIRS: &str = "my_number_only_for_bangouhou_affairs";
pub const FORBID_EXPORT_INTERNAL: &str = "export_only_for_uses_that_leave_the_society";
pub const FORBID_RECEIVE_SENDS_NOTHING: &str = "receive_use_sends_nothing";
pub const FORBID_MY_NUMBER_NOT_OFFICER: &str = "my_number_only_by_officer";
pub const FORBID_OVERSIGHT_READ_ONLY: &str = "oversight_roles_read_only";
pub const FORBID_CONTRACT_NOT_IN_FORCE: &str = "contract_not_in_force";
pub const FORBID_CONTRACTOR_MY_NUMBER: &str = "contractor_my_number_needs_bangou_contract";
pub const FORBID_MEMBER_MY_NUMBER: &str = "member_never_reads_my_number";
pub const FORBID_MEMBER_DIAGNOSES: &str = "member_diagnoses_via_disclosure_request";
pub const FORBID_MEMBER_OTHERS: &str = "member_only_own_data_read";

/// The rule of [`FORBID_RULES`] a forbid's `@id` stands for (`rule` or `rule/<qualifier>`).
pub fn forbid_rule(id: &str) -> Option<&'static str> {
    let rule = id.split('/').next().unwrap_or(id);
    FORBID_RULES.into_iter().find(|r| *r == rule)
}

/// Staff roles that oversee: they read, never write or export (as the decision table rules).
pub const OVERSIGHT_ROLES: [StaffRole; 2] = [StaffRole::Auditor, StaffRole::PrivacyOfficer];

/// The facts about a use the model keeps as `Use` entity attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseFacts {
    pub id: String,
    pub my_number_affair: bool,
    pub leaves_society: bool,
    pub receives: bool,
    /// A legal duty outside 別表2 that the decision table rules on in code (開示請求, 委託先の監督).
    pub statutory: bool,
}

/// The `Use` entities: the catalogue's uses, then the statutory duties (a catalogue use with a
/// statutory duty's id is shadowed by the duty, as in the decision table).
pub fn uses(c: &Catalogue) -> Vec<UseFacts> {
    let mut out: Vec<UseFacts> = c
        .uses
        .iter()
        .filter(|u| !STATUTORY_USES.contains(&u.id.as_str()))
        .map(|u| UseFacts {
            id: u.id.clone(),
            my_number_affair: u.my_number_affair,
            leaves_society: u.flow.leaves_society(),
            receives: u.direction == Direction::Receive,
            statutory: false,
        })
        .collect();
    out.extend(STATUTORY_USES.iter().map(|id| UseFacts {
        id: id.to_string(),
        my_number_affair: false,
        leaves_society: false,
        receives: false,
        statutory: true,
    }));
    out
}

/// The legal duties the decision table rules on outside the catalogue.
pub const STATUTORY_USES: [&str; 2] = [STATUTORY_DISCLOSURE, STATUTORY_SUPERVISION];

/// Entity type names of the model.
pub const STAFF: &str = "Staff";
pub const ROLE: &str = "Role";
pub const SYSTEM: &str = "System";
pub const CONTRACTOR: &str = "Contractor";
pub const MEMBER: &str = "Member";
pub const CATEGORY: &str = "Category";
pub const USE: &str = "Use";
pub const ACTION: &str = "Action";
/// Action group of read and write (what every use's permit allows).
pub const READ_WRITE: &str = "read_write";
/// Action group of read, write and export (uses whose data leaves the society).
pub const ANY_ACTION: &str = "any";

/// A day as the Long the model uses (yyyymmdd).
pub fn day(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// A Cedar string literal (quotes included).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One line of a `//` comment (line breaks flattened).
fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Role ids the model knows: the catalogue's roles, then any staff role the code knows
/// that the catalogue does not list (a staff actor can hold it; no use lists it).
pub fn role_ids(c: &Catalogue) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in c.roles.iter().map(|r| r.id.as_str()).chain(StaffRole::ALL.iter().map(|r| r.id())) {
        if id != SYSTEM_ROLE && !out.iter().any(|x| x == id) {
            out.push(id.to_string());
        }
    }
    out
}

/// The Cedar schema of the model.
pub fn schema(c: &Catalogue) -> String {
    let mut s = String::new();
    let _ =
        writeln!(s, "// Cedar schema generated from the policy catalogue {} — do not edit.", comment(&c.meta.version));
    let _ = writeln!(s, "// Dates are Long yyyymmdd.");
    s.push('\n');
    let roles: Vec<String> = role_ids(c).iter().map(|r| quote(r)).collect();
    let _ = writeln!(s, "// Staff roles (roles.toml).");
    let _ = writeln!(s, "entity {ROLE} enum [{}];", roles.join(", "));
    let _ = writeln!(s, "// A staff member, as the role they act in.");
    let _ = writeln!(s, "entity {STAFF} in [{ROLE}];");
    let _ = writeln!(s, "// A batch job started by the society.");
    let _ = writeln!(s, "entity {SYSTEM};");
    let _ = writeln!(s, "// A contractor of the 業務委託先一覧 (contractors.toml).");
    let _ = writeln!(s, "entity {CONTRACTOR} {{");
    let _ = writeln!(s, "  contract_from: Long,");
    let _ = writeln!(s, "  contract_to: Long,");
    let _ = writeln!(s, "  my_number_affair: Bool,");
    let _ = writeln!(s, "}};");
    let _ = writeln!(s, "// A member (insured person or dependant), by person id.");
    let _ = writeln!(s, "entity {MEMBER};");
    let categories: Vec<String> = DataCategory::ALL.iter().map(|d| quote(d.id())).collect();
    let _ = writeln!(s, "// Data categories (kenpo_domain::DataCategory).");
    let _ = writeln!(s, "entity {CATEGORY} enum [{}];", categories.join(", "));
    let _ = writeln!(s, "// A use of 別表2 (notice.toml), by id.");
    let _ = writeln!(s, "entity {USE} {{");
    let _ = writeln!(s, "  // A 番号法 affair: the only uses under which 個人番号 may be touched.");
    let _ = writeln!(s, "  my_number_affair: Bool,");
    let _ = writeln!(s, "  // The use's data leaves the society (委託, 第三者提供, 情報連携): export is possible.");
    let _ = writeln!(s, "  leaves_society: Bool,");
    let _ = writeln!(
        s,
        "  // The society receives data from another body under this use (他機関より情報を受ける): it sends nothing."
    );
    let _ = writeln!(s, "  receives: Bool,");
    let _ = writeln!(
        s,
        "  // A legal duty outside 別表2 (開示請求, 委託先の監督): the catalogue's effective date does not bound it."
    );
    let _ = writeln!(s, "  statutory: Bool,");
    let _ = writeln!(s, "}};");
    s.push('\n');
    let _ = writeln!(s, "type AccessContext = {{");
    let _ = writeln!(s, "  // The use the access is for.");
    let _ = writeln!(s, "  purpose: {USE},");
    let _ = writeln!(s, "  // The day of the access.");
    let _ = writeln!(s, "  on: Long,");
    let _ = writeln!(s, "  // The person whose data is touched; absent for population-wide access.");
    let _ = writeln!(s, "  subject?: {MEMBER},");
    let _ = writeln!(s, "}};");
    s.push('\n');
    let _ = writeln!(
        s,
        "// Action groups a use's permit names: {READ_WRITE} (every use), {ANY_ACTION} (uses whose data leaves the society)."
    );
    let _ = writeln!(s, "action {READ_WRITE}, {ANY_ACTION};");
    let _ = writeln!(s, "action read, write in [{READ_WRITE}, {ANY_ACTION}] appliesTo {{");
    let _ = writeln!(s, "  principal: [{STAFF}, {SYSTEM}, {CONTRACTOR}, {MEMBER}],");
    let _ = writeln!(s, "  resource: [{CATEGORY}],");
    let _ = writeln!(s, "  context: AccessContext,");
    let _ = writeln!(s, "}};");
    let _ = writeln!(s, "action export in [{ANY_ACTION}] appliesTo {{");
    let _ = writeln!(s, "  principal: [{STAFF}, {SYSTEM}, {CONTRACTOR}, {MEMBER}],");
    let _ = writeln!(s, "  resource: [{CATEGORY}],");
    let _ = writeln!(s, "  context: AccessContext,");
    let _ = writeln!(s, "}};");
    s
}

fn entity(ty: &str, id: &str) -> String {
    format!("{ty}::{}", quote(id))
}

fn entity_set(ty: &str, ids: &[&str]) -> String {
    let items: Vec<String> = ids.iter().map(|id| entity(ty, id)).collect();
    format!("[{}]", items.join(", "))
}

/// Whether data can be sent out under a use (export possible).
pub fn sends(u: &Use) -> bool {
    u.flow.leaves_society() && u.direction != Direction::Receive
}

/// The action scope of a permit allowing these actions (a group when one fits).
fn action_scope(read: bool, write: bool, export: bool) -> String {
    match (read, write, export) {
        (true, true, true) => format!("action in {}", entity(ACTION, ANY_ACTION)),
        (true, true, false) => format!("action in {}", entity(ACTION, READ_WRITE)),
        _ => {
            let ids: Vec<&str> = [(read, "read"), (write, "write"), (export, "export")]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, id)| id)
                .collect();
            match ids.as_slice() {
                [one] => format!("action == {}", entity(ACTION, one)),
                _ => format!("action in {}", entity_set(ACTION, &ids)),
            }
        }
    }
}

/// Categories of `wanted` that `allowed` also holds, in `DataCategory::ALL` order.
fn category_ids(wanted: &BTreeSet<DataCategory>, allowed: &BTreeSet<DataCategory>) -> Vec<&'static str> {
    DataCategory::ALL.iter().filter(|d| wanted.contains(d) && allowed.contains(d)).map(|d| d.id()).collect()
}

fn policy(out: &mut String, id: &str, purpose: Option<&str>, head: &str, conditions: &[String], kind: &str) {
    let _ = writeln!(out, "@{ID_ANNOTATION}({})", quote(id));
    if let Some(p) = purpose {
        let _ = writeln!(out, "@{PURPOSE_ANNOTATION}({})", quote(p));
    }
    let _ = write!(out, "{head}");
    if !conditions.is_empty() {
        let _ = write!(out, "\n{kind} {{\n  {}\n}}", conditions.join("\n  && "));
    }
    out.push_str(";\n\n");
}

/// The Cedar policy set of the catalogue.
pub fn policies(c: &Catalogue) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Cedar policies generated from the policy catalogue {} (effective {}) — do not edit.",
        comment(&c.meta.version),
        c.meta.effective_from
    );
    out.push_str("// Deny by default: a request is allowed when a permit holds and no forbid does.\n\n");
    forbids(c, &mut out);
    let all: BTreeSet<DataCategory> = DataCategory::ALL.into_iter().collect();
    statutory(&mut out);
    for u in c.uses.iter().filter(|u| !STATUTORY_USES.contains(&u.id.as_str())) {
        let placement = match c.placement(&u.id) {
            Some((g, s)) => format!("別表2 {} {} 【{}】", g.number, g.title, s.heading),
            None => "別表2 (not placed)".to_string(),
        };
        let _ = writeln!(out, "// ---- {}: {} ----", u.id, comment(&placement));
        let _ = writeln!(out, "// {} ({})", comment(&u.text), u.flow.label());
        let use_categories: BTreeSet<DataCategory> = categories_of(&u.categories).into_iter().collect();
        let cats = category_ids(&use_categories, &all);
        if cats.is_empty() {
            out.push_str("// (no categories: nothing is allowed for this use)\n\n");
            continue;
        }
        let purpose = format!("context.purpose == {}", entity(USE, &u.id));
        let resource = format!("resource in {}", entity_set(CATEGORY, &cats));
        let mut staff_roles: Vec<&str> = Vec::new();
        for r in &u.roles {
            if r != SYSTEM_ROLE && !staff_roles.contains(&r.as_str()) {
                staff_roles.push(r);
            }
        }
        for role in staff_roles {
            let oversight = OVERSIGHT_ROLES.iter().any(|r| r.id() == role);
            let actions = action_scope(true, !oversight, !oversight && sends(u));
            let head = format!("permit (principal is {STAFF} in {}, {actions}, resource)", entity(ROLE, role));
            let conds = [purpose.clone(), resource.clone()];
            policy(&mut out, &format!("{}/staff:{role}", u.id), Some(&u.id), &head, &conds, "when");
        }
        if u.roles.iter().any(|r| r == SYSTEM_ROLE) {
            let head = format!("permit (principal is {SYSTEM}, {}, resource)", action_scope(true, true, sends(u)));
            let conds = [purpose.clone(), resource.clone()];
            policy(&mut out, &format!("{}/system", u.id), Some(&u.id), &head, &conds, "when");
        }
        if u.member_self {
            let head = format!("permit (principal is {MEMBER}, action == {}, resource)", entity(ACTION, "read"));
            let conds = [purpose.clone(), resource.clone()];
            policy(&mut out, &format!("{}/member", u.id), Some(&u.id), &head, &conds, "when");
        }
        for k in &c.contractors {
            let mut received: BTreeSet<DataCategory> = BTreeSet::new();
            let mut serves = false;
            let mut writes = false;
            for t in k.tasks.iter().filter(|t| t.uses.contains(&u.id)) {
                serves = true;
                writes |= t.write;
                received.extend(categories_of(&t.categories));
            }
            if !serves {
                continue;
            }
            let cats = category_ids(&use_categories, &received);
            let id = format!("{}/contractor:{}", u.id, k.id);
            if cats.is_empty() {
                let _ = writeln!(out, "// {id}: the contract's tasks receive none of the use's categories\n");
                continue;
            }
            let _ = writeln!(out, "// {} {}", k.id, comment(&k.name));
            let actions = action_scope(true, writes, sends(u));
            let head = format!("permit (principal == {}, {actions}, resource)", entity(CONTRACTOR, &k.id));
            let conds = [purpose.clone(), format!("resource in {}", entity_set(CATEGORY, &cats))];
            policy(&mut out, &id, Some(&u.id), &head, &conds, "when");
        }
    }
    out
}

/// The legal duties outside 別表2, as the decision table rules on them.
fn statutory(out: &mut String) {
    let my_number = entity(CATEGORY, DataCategory::MyNumber.id());
    let read = format!("action == {}", entity(ACTION, "read"));
    out.push_str("// ---- Legal duties outside 別表2: read-only, never 個人番号 ----\n");
    out.push_str("// 開示請求への対応 (個人情報保護法第33条): the 個人情報保護管理者 reads one member's data.\n");
    let officer = StaffRole::PrivacyOfficer.id();
    policy(
        out,
        &format!("{STATUTORY_DISCLOSURE}/staff:{officer}"),
        Some(STATUTORY_DISCLOSURE),
        &format!("permit (principal is {STAFF} in {}, {read}, resource)", entity(ROLE, officer)),
        &[
            format!("context.purpose == {}", entity(USE, STATUTORY_DISCLOSURE)),
            "context has subject".to_string(),
            format!("resource != {my_number}"),
        ],
        "when",
    );
    out.push_str("// 開示請求 on the member portal: the member reads their own data (the forbids below keep\n");
    out.push_str("// 個人番号 and 傷病名 out and the member to their own person).\n");
    policy(
        out,
        &format!("{STATUTORY_DISCLOSURE}/member"),
        Some(STATUTORY_DISCLOSURE),
        &format!("permit (principal is {MEMBER}, {read}, resource)"),
        &[
            format!("context.purpose == {}", entity(USE, STATUTORY_DISCLOSURE)),
            "context has subject".to_string(),
            "context.subject == principal".to_string(),
        ],
        "when",
    );
    out.push_str("// 委託先の監督 (個人情報保護法第25条): the 個人情報保護管理者 and the auditor read records.\n");
    for role in [StaffRole::PrivacyOfficer, StaffRole::Auditor] {
        policy(
            out,
            &format!("{STATUTORY_SUPERVISION}/staff:{}", role.id()),
            Some(STATUTORY_SUPERVISION),
            &format!("permit (principal is {STAFF} in {}, {read}, resource)", entity(ROLE, role.id())),
            &[format!("context.purpose == {}", entity(USE, STATUTORY_SUPERVISION)), format!("resource != {my_number}")],
            "when",
        );
    }
}

fn forbids(c: &Catalogue, out: &mut String) {
    let my_number = entity(CATEGORY, DataCategory::MyNumber.id());
    out.push_str("// ---- Safety nets: rules that hold whatever the use ----\n");
    out.push_str("// The catalogue is not in force before its effective date (legal duties are not bound by it).\n");
    policy(
        out,
        FORBID_NOT_YET_IN_FORCE,
        None,
        "forbid (principal, action, resource)",
        &[format!("context.on < {}", day(c.meta.effective_from)), "!context.purpose.statutory".to_string()],
        "when",
    );

    out.push_str("// 個人番号 only for 番号法 affairs (番号法 Art. 9, 19).\n");
    policy(
        out,
        FORBID_MY_NUMBER_OUTSIDE_AFFAIRS,
        None,
        &format!("forbid (principal, action, resource == {my_number})"),
        &["context.purpose.my_number_affair".to_string()],
        "unless",
    );

    out.push_str("// Export only for uses whose data leaves the society (委託, 第三者提供, 情報連携).\n");
    policy(
        out,
        FORBID_EXPORT_INTERNAL,
        None,
        &format!("forbid (principal, action == {}, resource)", entity(ACTION, "export")),
        &["context.purpose.leaves_society".to_string()],
        "unless",
    );

    out.push_str("// A use under which the society receives data sends nothing out.\n");
    policy(
        out,
        FORBID_RECEIVE_SENDS_NOTHING,
        None,
        &format!("forbid (principal, action == {}, resource)", entity(ACTION, "export")),
        &["context.purpose.receives".to_string()],
        "when",
    );

    out.push_str("// Among staff, only the 番号事務取扱担当者 touches 個人番号.\n");
    policy(
        out,
        FORBID_MY_NUMBER_NOT_OFFICER,
        None,
        &format!("forbid (principal is {STAFF}, action, resource == {my_number})"),
        &[format!("principal in {}", entity(ROLE, StaffRole::MyNumberOfficer.id()))],
        "unless",
    );

    out.push_str("// Oversight roles look; they do not change or hand out what they oversee.\n");
    for role in OVERSIGHT_ROLES {
        policy(
            out,
            &format!("{FORBID_OVERSIGHT_READ_ONLY}/{}", role.id()),
            None,
            &format!("forbid (principal is {STAFF} in {}, action, resource)", entity(ROLE, role.id())),
            &[format!("action == {}", entity(ACTION, "read"))],
            "unless",
        );
    }

    out.push_str("// A contractor acts only within its contract period.\n");
    policy(
        out,
        FORBID_CONTRACT_NOT_IN_FORCE,
        None,
        &format!("forbid (principal is {CONTRACTOR}, action, resource)"),
        &["principal.contract_from <= context.on".to_string(), "context.on <= principal.contract_to".to_string()],
        "unless",
    );

    out.push_str("// A contractor touches 個人番号 only under a 番号法 contract (番号法 Art. 10).\n");
    policy(
        out,
        FORBID_CONTRACTOR_MY_NUMBER,
        None,
        &format!("forbid (principal is {CONTRACTOR}, action, resource == {my_number})"),
        &["principal.my_number_affair".to_string()],
        "unless",
    );

    out.push_str("// Members never read 個人番号 through Kenpo.\n");
    policy(
        out,
        FORBID_MEMBER_MY_NUMBER,
        None,
        &format!("forbid (principal is {MEMBER}, action, resource == {my_number})"),
        &[],
        "",
    );

    out.push_str("// Members see diagnoses (レセプトの傷病名・診療内容) only through a disclosure request.\n");
    policy(
        out,
        FORBID_MEMBER_DIAGNOSES,
        None,
        &format!(
            "forbid (principal is {MEMBER}, action, resource == {})",
            entity(CATEGORY, DataCategory::ReceiptClinical.id())
        ),
        &[],
        "",
    );

    out.push_str("// Members only read, and only their own data.\n");
    policy(
        out,
        FORBID_MEMBER_OTHERS,
        None,
        &format!("forbid (principal is {MEMBER}, action, resource)"),
        &[
            format!("action == {}", entity(ACTION, "read")),
            "context has subject".to_string(),
            "context.subject == principal".to_string(),
        ],
        "unless",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn days_and_quotes() {
        assert_eq!(day(NaiveDate::from_ymd_opt(2025, 1, 31).unwrap()), 20250131);
        assert_eq!(quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quote("x\ny"), r#""x\ny""#);
    }
}
