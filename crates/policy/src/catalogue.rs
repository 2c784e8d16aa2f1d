//! The policy catalogue: the published notice as data.
//!
//! Human-edited TOML files under `policy/` at the repository root (embedded into the binary as
//! the default; another folder can be loaded). They hold 別表1 (data rows), 別表2 (groups,
//! sections, uses), the staff roles and the 業務委託先一覧 (contractors and their tasks). The
//! notice is rendered from them (`render`), the decision table is compiled from them
//! (`engine`), and `lint` checks them against the law's constraints.

use chrono::NaiveDate;
use kenpo_domain::{DataCategory, Field};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The files of a catalogue, in load order.
pub const FILES: [&str; 3] = ["notice.toml", "roles.toml", "contractors.toml"];

/// The catalogue shipped with Kenpo (the society's notice of 2025-01).
pub const DEFAULT_SOURCES: [(&str, &str); 3] = [
    ("notice.toml", include_str!("../../../policy/notice.toml")),
    ("roles.toml", include_str!("../../../policy/roles.toml")),
    ("contractors.toml", include_str!("../../../policy/contractors.toml")),
];

/// Header of the catalogue.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Version label, recorded with every decision.
    pub version: String,
    /// The day this version takes effect.
    pub effective_from: NaiveDate,
    /// Title of 別表1 as published.
    pub data_table_title: String,
    /// Title of 別表2 as published.
    pub purpose_table_title: String,
    /// Title of the contractor list and its "as of" line, e.g. 「(2025年1月現在)」.
    pub contractor_list_title: String,
    pub contractors_as_of: String,
    /// Years the audit log's personal payloads are kept after a member's coverage ends;
    /// afterwards the member key is erased (the chain stays verifiable).
    #[serde(default = "default_audit_retention")]
    pub audit_retention_years: u32,
    /// Years APPI provision/receipt records are kept (Art. 29/30 and 施行規則: 3 years).
    #[serde(default = "default_provision_retention")]
    pub provision_record_retention_years: u32,
    /// Audit-log operations batch jobs (`system:*`) may perform; never `erase`.
    #[serde(default)]
    pub system_audit_operations: Vec<String>,
    /// Whether a member's disclosure report names the staff who looked (default: roles only).
    #[serde(default)]
    pub disclose_staff_names: bool,
}

fn default_audit_retention() -> u32 {
    5
}

fn default_provision_retention() -> u32 {
    3
}

/// One bullet of a 別表1 row: the item text and its bracketed detail (【…】), if any.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DataItem {
    pub text: String,
    #[serde(default)]
    pub detail: Option<String>,
}

/// A row of 別表1.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DataRow {
    /// 個人情報の種類, e.g. 適用関連.
    pub label: String,
    pub items: Vec<DataItem>,
    /// Notes printed after the items (lines starting with ＊ in the original).
    #[serde(default)]
    pub notes: Vec<String>,
    /// The data categories this row covers (ids of `kenpo_domain::DataCategory`).
    pub categories: Vec<String>,
}

/// A section of a 別表2 group: a heading (【…】) and its uses, in order.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: String,
    pub uses: Vec<String>,
}

/// A group of 別表2.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub number: u8,
    pub title: String,
    /// A sentence printed under the title (group 7 has one).
    #[serde(default)]
    pub intro: Option<String>,
    pub sections: Vec<Section>,
}

/// How data moves for a use.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// 健保組合等の内部での利用.
    Internal,
    /// 委託: handing data to a contractor to do our work (APPI 27(5)(i): not a third-party provision).
    Entrustment,
    /// 第三者提供: to another body, with a legal basis.
    Provision,
    /// 番号法に定める情報連携 (and group 7's exchanges with 他機関).
    BangouLinkage,
    /// オンライン資格確認等システム.
    OnlineEligibility,
}

impl Flow {
    pub fn label(self) -> &'static str {
        match self {
            Flow::Internal => "内部利用",
            Flow::Entrustment => "委託",
            Flow::Provision => "第三者提供",
            Flow::BangouLinkage => "番号法に基づく情報連携",
            Flow::OnlineEligibility => "オンライン資格確認等システム",
        }
    }
    /// Data leaves the society under this flow (so `export` may be allowed and is recorded).
    pub fn leaves_society(self) -> bool {
        !matches!(self, Flow::Internal)
    }
}

/// Direction of an exchange with another body.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// We use or send data (the default).
    #[default]
    Provide,
    /// We receive data from another body (APPI Art. 30 record).
    Receive,
}

/// A use of 別表2.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Use {
    /// Stable ASCII id, e.g. `eligibility.management`.
    pub id: String,
    /// The line of 別表2, verbatim.
    pub text: String,
    pub flow: Flow,
    #[serde(default)]
    pub direction: Direction,
    /// Legal basis of a provision or linkage: 委託, 法令, 同意, 番号法.
    #[serde(default)]
    pub basis: Option<String>,
    /// Who receives (or sends) the data, for provisions and linkages, e.g. 事業主.
    #[serde(default)]
    pub counterparty: Option<String>,
    /// A 番号法 affair: the only uses under which 個人番号 may be touched.
    #[serde(default)]
    pub my_number_affair: bool,
    /// The data categories this use needs (ids). Our judgement where the notice is silent.
    pub categories: Vec<String>,
    /// One line: why these categories.
    pub reason: String,
    /// Staff roles (ids from roles.toml, and `system` for batch jobs) that act for this use.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Members may act for this use on their own data.
    #[serde(default)]
    pub member_self: bool,
    /// Fields masked in what this use reads (names of `kenpo_domain::Field`).
    #[serde(default)]
    pub mask: Vec<String>,
    /// Where the notice is ambiguous about this use, the finding (reported by `policy lint`).
    #[serde(default)]
    pub ambiguity: Option<String>,
}

/// A staff role.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub id: String,
    pub label: String,
    /// Operations on the audit log this role may perform (`verify`, `checkpoint`, `prove`,
    /// `erase`, `mark`); none unless listed. (The contractor report is a statutory read,
    /// decided under `appi.supervision`.)
    #[serde(default)]
    pub audit_operations: Vec<String>,
}

/// The operations on the audit log, as the catalogue names them (`query`: the log viewer), and
/// `accounts`: managing the accounts of `kenpo serve` (who may log in as which role), an
/// operation on the gate itself.
pub const AUDIT_OPERATIONS: [&str; 7] = ["verify", "checkpoint", "prove", "erase", "mark", "query", "accounts"];

/// One task of a contractor's entrusted work (業務委託内容), mapped to the uses it serves.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The words of 業務委託内容 for this task, verbatim.
    pub text: String,
    /// Uses this task serves (empty = no published use covers it: a lint error).
    pub uses: Vec<String>,
    /// Categories the contractor receives for this task.
    pub categories: Vec<String>,
    /// One line: why this mapping.
    pub reason: String,
    /// The contractor also records data for this task (e.g. runs the core system). Without it a
    /// contractor only reads, or is handed data (export).
    #[serde(default)]
    pub write: bool,
    /// Where the notice leaves the mapping open, the finding.
    #[serde(default)]
    pub ambiguity: Option<String>,
}

/// A contractor of the 業務委託先一覧.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Contractor {
    /// Stable id, `c01`…`c18` in the list's order.
    pub id: String,
    /// 業務委託先, verbatim.
    pub name: String,
    /// 業務委託内容 as printed (the tasks' texts in order, as the notice lays them out).
    pub work: String,
    pub contract_from: NaiveDate,
    pub contract_to: NaiveDate,
    /// The contract is a 番号法 affair (a 個人番号利用事務等の委託 under 番号法 Art. 10).
    #[serde(default)]
    pub my_number_affair: bool,
    pub tasks: Vec<Task>,
}

impl Contractor {
    pub fn in_force(&self, on: NaiveDate) -> bool {
        self.contract_from <= on && on <= self.contract_to
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFile {
    meta: Meta,
    data_rows: Vec<DataRow>,
    groups: Vec<Group>,
    uses: Vec<Use>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    roles: Vec<Role>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractorsFile {
    contractors: Vec<Contractor>,
}

/// A loaded, structurally valid catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    pub meta: Meta,
    pub data_rows: Vec<DataRow>,
    pub groups: Vec<Group>,
    pub uses: Vec<Use>,
    pub roles: Vec<Role>,
    pub contractors: Vec<Contractor>,
}

/// The pseudo-role under which batch jobs (`system:JOB`) act.
pub const SYSTEM_ROLE: &str = "system";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: {what}: {problem}")]
    Invalid { file: String, what: String, problem: String },
    #[error("{0}: cannot be read")]
    Read(String),
}

impl Catalogue {
    /// The shipped catalogue.
    pub fn default_catalogue() -> Result<Self, CatalogueError> {
        Self::from_sources(&DEFAULT_SOURCES)
    }

    /// Loads `notice.toml`, `roles.toml` and `contractors.toml` from a folder.
    pub fn load_dir(dir: &Path) -> Result<Self, CatalogueError> {
        let mut texts = Vec::new();
        for name in FILES {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(|_| CatalogueError::Read(path.display().to_string()))?;
            texts.push((name, text));
        }
        let borrowed: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
        Self::from_sources(&borrowed)
    }

    /// Parses the three files' texts (names are for messages).
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Self, CatalogueError> {
        let find = |name: &str| {
            sources.iter().find(|(n, _)| *n == name).map(|(_, t)| *t).ok_or_else(|| CatalogueError::Read(name.into()))
        };
        let parse_err =
            |file: &str, e: toml::de::Error| CatalogueError::Parse { file: file.into(), message: e.to_string() };
        let notice: NoticeFile = toml::from_str(find("notice.toml")?).map_err(|e| parse_err("notice.toml", e))?;
        let roles: RolesFile = toml::from_str(find("roles.toml")?).map_err(|e| parse_err("roles.toml", e))?;
        let contractors: ContractorsFile =
            toml::from_str(find("contractors.toml")?).map_err(|e| parse_err("contractors.toml", e))?;
        let catalogue = Catalogue {
            meta: notice.meta,
            data_rows: notice.data_rows,
            groups: notice.groups,
            uses: notice.uses,
            roles: roles.roles,
            contractors: contractors.contractors,
        };
        catalogue.check_structure()?;
        Ok(catalogue)
    }

    /// Structural checks (ids unique and known, categories and fields real). Compliance
    /// checks are `lint`'s job: a catalogue that breaks the law still loads, so lint can say so.
    fn check_structure(&self) -> Result<(), CatalogueError> {
        let invalid = |file: &str, what: String, problem: &str| CatalogueError::Invalid {
            file: file.into(),
            what,
            problem: problem.into(),
        };
        let category = |file: &str, what: &str, id: &str| {
            DataCategory::from_id(id)
                .map(|_| ())
                .ok_or_else(|| invalid(file, format!("{what}: category {id:?}"), "is not a data category"))
        };
        for u in &self.uses {
            if let Some(b) = &u.basis
                && crate::ProvisionBasis::from_label(b).is_none()
            {
                return Err(invalid(
                    "notice.toml",
                    format!("use {}: basis {b:?}", u.id),
                    "is not one of 委託, 法令, 同意, 番号法",
                ));
            }
        }
        for r in &self.roles {
            if let Some(op) = r.audit_operations.iter().find(|o| !AUDIT_OPERATIONS.contains(&o.as_str())) {
                return Err(invalid(
                    "roles.toml",
                    format!("role {}: audit operation {op:?}", r.id),
                    "is not one of verify, checkpoint, prove, erase, mark, query, accounts",
                ));
            }
        }
        if let Some(op) = self
            .meta
            .system_audit_operations
            .iter()
            .find(|o| !AUDIT_OPERATIONS.contains(&o.as_str()) || *o == "erase" || *o == "accounts")
        {
            return Err(invalid(
                "notice.toml",
                format!("system_audit_operations {op:?}"),
                "must be verify, checkpoint, prove or mark (erasure is the privacy officer's)",
            ));
        }
        let mut use_ids = BTreeSet::new();
        for u in &self.uses {
            if !use_ids.insert(u.id.as_str()) {
                return Err(invalid("notice.toml", format!("use {}", u.id), "is defined twice"));
            }
            if !is_id(&u.id) {
                return Err(invalid(
                    "notice.toml",
                    format!("use {:?}", u.id),
                    "id must be lowercase ASCII, digits, '.', '_'",
                ));
            }
            for c in &u.categories {
                category("notice.toml", &format!("use {}", u.id), c)?;
            }
            for f in &u.mask {
                if !field_by_name(f).is_some_and(|f| MASKABLE_FIELDS.contains(&f)) {
                    return Err(invalid(
                        "notice.toml",
                        format!("use {}: mask {f:?}", u.id),
                        "is not a maskable field (NameKanji, NameKana, CardSymbol, CardNumber, Address, Phone, PostalCode)",
                    ));
                }
            }
        }
        let mut placed = BTreeMap::new();
        for g in &self.groups {
            for s in &g.sections {
                for id in &s.uses {
                    if !use_ids.contains(id.as_str()) {
                        return Err(invalid(
                            "notice.toml",
                            format!("group {}: use {id}", g.number),
                            "is not defined in [[uses]]",
                        ));
                    }
                    if placed.insert(id.clone(), g.number).is_some() {
                        return Err(invalid("notice.toml", format!("use {id}"), "is placed in 別表2 twice"));
                    }
                }
            }
        }
        for u in &self.uses {
            if !placed.contains_key(&u.id) {
                return Err(invalid("notice.toml", format!("use {}", u.id), "is not placed in any 別表2 section"));
            }
        }
        for r in &self.data_rows {
            for c in &r.categories {
                category("notice.toml", &format!("別表1 {}", r.label), c)?;
            }
        }
        let mut role_ids = BTreeSet::new();
        for r in &self.roles {
            if !role_ids.insert(r.id.as_str()) {
                return Err(invalid("roles.toml", format!("role {}", r.id), "is defined twice"));
            }
        }
        for u in &self.uses {
            for r in &u.roles {
                if r != SYSTEM_ROLE && !role_ids.contains(r.as_str()) {
                    return Err(invalid("notice.toml", format!("use {}: role {r}", u.id), "is not in roles.toml"));
                }
            }
        }
        let mut contractor_ids = BTreeSet::new();
        for c in &self.contractors {
            if !contractor_ids.insert(c.id.as_str()) {
                return Err(invalid("contractors.toml", format!("contractor {}", c.id), "is defined twice"));
            }
            if c.contract_to < c.contract_from {
                return Err(invalid(
                    "contractors.toml",
                    format!("contractor {}", c.id),
                    "contract ends before it starts",
                ));
            }
            for t in &c.tasks {
                for c2 in &t.categories {
                    category("contractors.toml", &format!("contractor {}", c.id), c2)?;
                }
                // Unknown use ids still load: lint reports them (K002).
            }
        }
        Ok(())
    }

    pub fn use_by_id(&self, id: &str) -> Option<&Use> {
        self.uses.iter().find(|u| u.id == id)
    }

    pub fn contractor(&self, id: &str) -> Option<&Contractor> {
        self.contractors.iter().find(|c| c.id == id)
    }

    /// The group a use is placed in, with the section heading.
    pub fn placement(&self, use_id: &str) -> Option<(&Group, &Section)> {
        self.groups.iter().find_map(|g| g.sections.iter().find(|s| s.uses.iter().any(|u| u == use_id)).map(|s| (g, s)))
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_')
}

/// The fields a use may mask (text fields; the store replaces them with ＊＊＊).
pub const MASKABLE_FIELDS: [Field; 7] = [
    Field::NameKanji,
    Field::NameKana,
    Field::CardSymbol,
    Field::CardNumber,
    Field::Address,
    Field::Phone,
    Field::PostalCode,
];

/// Looks a field up by its Rust name (as written in `mask = [...]`).
pub fn field_by_name(name: &str) -> Option<Field> {
    Field::ALL.into_iter().find(|f| format!("{f:?}") == name)
}

/// Parses category ids (already checked at load).
pub fn categories_of(ids: &[String]) -> Vec<DataCategory> {
    ids.iter().filter_map(|id| DataCategory::from_id(id)).collect()
}
