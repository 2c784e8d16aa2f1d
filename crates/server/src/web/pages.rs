//! The pages' data: one struct per template (`templates/*.html`), holding display-ready text.
//! Handlers fill them from the app's answers; askama escapes every value it prints.

use askama::Template;
use kenpo_domain::Table;

/// The header every logged-in page carries: who, as what, for which purpose.
#[derive(Clone, Debug, Default)]
pub struct Chrome {
    pub user: String,
    /// The role (staff) or 本人 (member).
    pub who: String,
    pub purpose: String,
    pub purpose_label: String,
    pub choices: Vec<PurposeChoice>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// The page to come back to after the purpose changes.
    pub back: String,
    /// The member portal (its purpose is fixed per page, not chosen).
    pub member: bool,
}

#[derive(Clone, Debug)]
pub struct PurposeChoice {
    pub id: String,
    pub text: String,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

/// A label and a value, for definition lists.
#[derive(Clone, Debug)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
}

pub fn field(label: &'static str, value: impl Into<String>) -> Field {
    Field { label, value: value.into() }
}

/// A category the policy refused, with the rule and where to ask why.
#[derive(Clone, Debug)]
pub struct WithheldRow {
    pub label: String,
    pub rule: String,
    pub explain: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Option<Chrome>,
    pub title: &'static str,
    pub message: String,
    /// Link to the explanation of the policy (a refusal).
    pub explain: bool,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Option<Chrome>,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    pub need_totp: bool,
}

#[derive(Template)]
#[template(path = "activate.html")]
pub struct ActivatePage {
    pub chrome: Option<Chrome>,
    pub error: Option<String>,
    pub done: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Option<Chrome>,
}

#[derive(Clone, Debug)]
pub struct HitRow {
    pub id: i64,
    pub card: String,
    pub name: String,
    pub kana: String,
    pub birth: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub chrome: Option<Chrome>,
    pub kana: String,
    pub symbol: String,
    pub number: String,
    pub birth_date: String,
    pub searched: bool,
    pub hits: Vec<HitRow>,
    pub limit: i64,
    /// As many hits as the search returns at most (there may be more).
    pub full: bool,
}

/// One titled block of a person's record: fields, or a table.
#[derive(Clone, Debug)]
pub struct Section {
    pub title: &'static str,
    pub fields: Vec<Field>,
    pub table: Option<Table>,
}

#[derive(Clone, Debug)]
pub struct Link {
    pub href: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub chrome: Option<Chrome>,
    pub title: String,
    pub identity: Vec<Field>,
    pub masked: bool,
    pub sections: Vec<Section>,
    pub withheld: Vec<WithheldRow>,
    pub links: Vec<Link>,
}

#[derive(Clone, Debug)]
pub struct ReceiptRow {
    pub href: String,
    pub kind: String,
    pub institution: String,
    pub days: i64,
    pub points: String,
    pub cost: String,
    pub charge: String,
    pub diagnoses: String,
}

#[derive(Clone, Debug)]
pub struct MonthGroup {
    pub month: String,
    pub rows: Vec<ReceiptRow>,
    pub points: String,
}

#[derive(Template)]
#[template(path = "receipts.html")]
pub struct ReceiptsPage {
    pub chrome: Option<Chrome>,
    pub title: String,
    pub months: Vec<MonthGroup>,
    pub clinical: bool,
    pub withheld: Vec<WithheldRow>,
    pub back: Link,
}

#[derive(Clone, Debug)]
pub struct LineRow {
    pub care: String,
    pub kind: String,
    pub code: String,
    pub quantity: String,
    pub points: String,
    pub count: i64,
    pub days: String,
}

#[derive(Clone, Debug)]
pub struct DiagnosisRow {
    pub name: String,
    pub start: String,
    pub outcome: String,
    pub main: bool,
}

#[derive(Template)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub chrome: Option<Chrome>,
    pub month: String,
    pub kind: String,
    pub header: Vec<Field>,
    pub insurer: Vec<Field>,
    pub institution: Vec<Field>,
    pub diagnoses: Option<Vec<DiagnosisRow>>,
    pub lines: Option<Vec<LineRow>>,
    pub totals: Vec<Field>,
    pub withheld: Vec<WithheldRow>,
    pub back: Link,
}

/// A page of titled tables (reports, lists) with optional forms above them.
#[derive(Template)]
#[template(path = "tables.html")]
pub struct TablesPage {
    pub chrome: Option<Chrome>,
    pub title: String,
    pub intro: Vec<String>,
    pub month_form: Option<MonthForm>,
    pub tables: Vec<(String, Table)>,
    pub withheld: Vec<WithheldRow>,
    pub links: Vec<Link>,
}

/// A GET form choosing one value (a month, a fiscal year) from a list.
#[derive(Clone, Debug)]
pub struct MonthForm {
    pub action: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub options: Vec<(String, bool)>,
    /// POST actions run on the chosen value (e.g. この月を計算する), with their button texts.
    pub run: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "explain.html")]
pub struct ExplainPage {
    pub chrome: Option<Chrome>,
    pub categories: Vec<(String, String, bool)>,
    pub actions: Vec<(String, String, bool)>,
    pub person: Option<i64>,
    /// The member portal (no choice of category or action, member wording).
    pub member: bool,
    pub asked: bool,
    pub category: String,
    pub action: String,
    pub allowed: bool,
    pub rule: String,
    pub lines: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct FindingView {
    pub id: i64,
    pub month: String,
    pub rule: String,
    pub institution: String,
    pub kind: String,
    pub points: String,
    pub detail: String,
    pub status: String,
    pub status_id: String,
    pub by: String,
    pub at: String,
    pub note: String,
    pub receipt_href: Option<String>,
}

#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub chrome: Option<Chrome>,
    pub form: MonthForm,
    pub month: String,
    pub rules: Vec<(String, String, bool)>,
    pub findings: Vec<FindingView>,
    pub counts: Vec<(String, usize)>,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "imports.html")]
pub struct ImportsPage {
    pub chrome: Option<Chrome>,
    pub limit_mb: usize,
}

#[derive(Template)]
#[template(path = "import_job.html")]
pub struct ImportJobPage {
    pub chrome: Option<Chrome>,
    pub id: u64,
    pub file_name: String,
    pub state: String,
    pub read: u64,
    pub receipts: Option<u64>,
    pub matched: Option<u64>,
    pub unmatched: Option<u64>,
    pub error: Option<String>,
    pub outcome: Option<String>,
    /// What the file is, in Japanese.
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Option<Chrome>,
    pub actor: String,
    pub purpose: String,
    pub person: String,
    pub outcome: String,
    pub searched: bool,
    pub table: Table,
    pub verify: Option<Vec<Field>>,
}

#[derive(Clone, Debug)]
pub struct AccountView {
    pub login: String,
    pub kind: String,
    pub name: String,
    pub state: String,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub chrome: Option<Chrome>,
    pub accounts: Vec<AccountView>,
    pub roles: Vec<(String, String)>,
    /// A new or reset account's one-time secrets, shown once.
    pub issued: Option<Vec<Field>>,
    pub message: Option<String>,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
pub struct DisclosurePage {
    pub chrome: Option<Chrome>,
    pub title: String,
    pub identity: Vec<Field>,
    pub held: Table,
    pub provisions: Table,
    pub accesses: Table,
    pub note: Option<String>,
}

/// One input of a `FormPage`: a text/date/number box, or a select when `options` is not empty.
#[derive(Clone, Debug)]
pub struct FormField {
    pub label: &'static str,
    pub name: &'static str,
    /// text | date | number
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    /// (value, label) of a select.
    pub options: Vec<(String, String)>,
}

impl FormField {
    pub fn input(label: &'static str, name: &'static str, kind: &'static str, required: bool) -> Self {
        Self { label, name, kind, value: String::new(), required, options: Vec::new() }
    }
    pub fn select(label: &'static str, name: &'static str, options: &[(&str, &str)]) -> Self {
        Self {
            label,
            name,
            kind: "text",
            value: options.first().map(|o| o.0.to_string()).unwrap_or_default(),
            required: true,
            options: options.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect(),
        }
    }
}

/// A page with one form (posting to `action`) and, after a post, the result lines.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub chrome: Option<Chrome>,
    pub title: String,
    pub intro: Vec<String>,
    pub action: String,
    pub fields: Vec<FormField>,
    pub button: &'static str,
    pub result_title: &'static str,
    pub result: Vec<String>,
    pub links: Vec<Link>,
}
