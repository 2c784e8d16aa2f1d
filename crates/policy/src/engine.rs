//! The catalogue compiled into a decision table: per use, bit sets of categories and roles;
//! per contractor, per use, a bit set of categories and the contract period. A decision is a
//! few hash lookups and bit tests — cheap enough to call on every access.

use crate::catalogue::{Catalogue, Flow, SYSTEM_ROLE, categories_of, field_by_name};
use crate::{AccessRequest, Action, Actor, Decision, Obligations, PolicyEngine, ProvisionRecord, StaffRole, Subject};
use chrono::NaiveDate;
use kenpo_domain::{DataCategory, Field};
use std::collections::HashMap;
use std::sync::Arc;

/// A set of data categories as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CategorySet(u16);

impl CategorySet {
    fn bit(c: DataCategory) -> u16 {
        let index = DataCategory::ALL.iter().position(|x| *x == c).unwrap_or(15);
        1 << index
    }
    pub fn of(categories: &[DataCategory]) -> Self {
        Self(categories.iter().fold(0, |acc, c| acc | Self::bit(*c)))
    }
    pub fn contains(self, c: DataCategory) -> bool {
        self.0 & Self::bit(c) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = DataCategory> {
        DataCategory::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

/// Roles as bits; bit 15 is the batch pseudo-role `system`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct RoleSet(u16);

const SYSTEM_BIT: u16 = 1 << 15;

impl RoleSet {
    fn bit(role: StaffRole) -> u16 {
        1 << StaffRole::ALL.iter().position(|r| *r == role).unwrap_or(14)
    }
}

#[derive(Clone, Debug)]
struct CompiledUse {
    flow: Flow,
    receive: bool,
    my_number_affair: bool,
    categories: CategorySet,
    roles: RoleSet,
    member_self: bool,
    mask: Vec<Field>,
    counterparty: String,
    basis: crate::ProvisionBasis,
}

#[derive(Clone, Debug)]
struct CompiledContractor {
    name: String,
    from: NaiveDate,
    to: NaiveDate,
    my_number_affair: bool,
    /// Per use: the categories received, and whether the contractor also writes.
    per_use: HashMap<String, (CategorySet, bool)>,
}

/// The decision engine over a catalogue.
#[derive(Clone, Debug)]
pub struct CatalogueEngine {
    catalogue: Arc<Catalogue>,
    uses: HashMap<String, CompiledUse>,
    contractors: HashMap<String, CompiledContractor>,
    effective_from: NaiveDate,
    version: String,
}

impl CatalogueEngine {
    pub fn new(catalogue: Catalogue) -> Self {
        let mut uses = HashMap::new();
        for u in &catalogue.uses {
            let mut roles = 0u16;
            for r in &u.roles {
                if r == SYSTEM_ROLE {
                    roles |= SYSTEM_BIT;
                } else if let Some(role) = StaffRole::from_id(r) {
                    roles |= RoleSet::bit(role);
                }
            }
            // An internal use never writes a provision record (its flow stays in the society);
            // its basis is never read.
            let default_basis = match u.flow {
                Flow::Internal | Flow::Provision | Flow::OnlineEligibility => crate::ProvisionBasis::Law,
                Flow::Entrustment => crate::ProvisionBasis::Entrustment,
                Flow::BangouLinkage => crate::ProvisionBasis::MyNumberAct,
            };
            uses.insert(
                u.id.clone(),
                CompiledUse {
                    flow: u.flow,
                    receive: u.direction == crate::catalogue::Direction::Receive,
                    my_number_affair: u.my_number_affair,
                    categories: CategorySet::of(&categories_of(&u.categories)),
                    roles: RoleSet(roles),
                    member_self: u.member_self,
                    mask: u.mask.iter().filter_map(|f| field_by_name(f)).collect(),
                    counterparty: u.counterparty.clone().unwrap_or_default(),
                    // The catalogue refuses a basis it cannot parse when it loads.
                    basis: u.basis.as_deref().and_then(crate::ProvisionBasis::from_label).unwrap_or(default_basis),
                },
            );
        }
        let mut contractors = HashMap::new();
        for c in &catalogue.contractors {
            let mut per_use: HashMap<String, (CategorySet, bool)> = HashMap::new();
            for task in &c.tasks {
                let cats = CategorySet::of(&categories_of(&task.categories));
                for use_id in &task.uses {
                    let entry = per_use.entry(use_id.clone()).or_default();
                    entry.0.0 |= cats.0;
                    entry.1 |= task.write;
                }
            }
            contractors.insert(
                c.id.clone(),
                CompiledContractor {
                    name: c.name.clone(),
                    from: c.contract_from,
                    to: c.contract_to,
                    my_number_affair: c.my_number_affair,
                    per_use,
                },
            );
        }
        let version = catalogue.meta.version.clone();
        let effective_from = catalogue.meta.effective_from;
        Self { catalogue: Arc::new(catalogue), uses, contractors, effective_from, version }
    }

    /// The shipped catalogue's engine.
    pub fn default_engine() -> Result<Self, crate::catalogue::CatalogueError> {
        Ok(Self::new(Catalogue::default_catalogue()?))
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    fn obligations(
        &self,
        u: &CompiledUse,
        req: &AccessRequest<'_>,
        contractor: Option<&CompiledContractor>,
    ) -> Obligations {
        let provision = (req.action == Action::Export && u.flow.leaves_society()).then(|| ProvisionRecord {
            counterparty: contractor.map(|c| c.name.clone()).unwrap_or_else(|| u.counterparty.clone()),
            basis: if contractor.is_some() { crate::ProvisionBasis::Entrustment } else { u.basis },
            use_id: req.context.purpose().id().to_string(),
        });
        Obligations { mask: u.mask.clone(), provision }
    }
}

/// 開示請求への対応 (個人情報保護法第33条): a legal duty towards the member, not a use of 別表2.
pub const STATUTORY_DISCLOSURE: &str = "appi.disclosure";
/// 委託先の監督 (個人情報保護法第25条): a legal duty, not a use of 別表2.
pub const STATUTORY_SUPERVISION: &str = "appi.supervision";

/// The two legal duties the catalogue does not list as uses (policy-findings F-21): only the
/// 個人情報保護管理者 (and, for supervision, the auditor) act for them, read-only, never 個人番号.
fn statutory(purpose: &str, req: &AccessRequest<'_>) -> Option<Decision> {
    let role = match req.context.actor() {
        Actor::Staff { role, .. } => Some(*role),
        _ => None,
    };
    let decision = match purpose {
        STATUTORY_DISCLOSURE => {
            if let Actor::Member { person } = req.context.actor() {
                // The member's own request, answered on the portal (Art. 33(1) allows an
                // electromagnetic answer): their own data only, never 個人番号, and no 傷病名 —
                // those go through a written request on which the 医療機関 is asked first.
                return Some(match req.subject {
                    _ if req.action != Action::Read => Decision::deny("member_only_own_data_read"),
                    Subject::Person(p) if p == person => match req.category {
                        DataCategory::MyNumber => Decision::deny("member_never_reads_my_number"),
                        DataCategory::ReceiptClinical => Decision::deny("member_diagnoses_via_disclosure_request"),
                        _ => Decision::allow("member_own_disclosure", Obligations::default()),
                    },
                    _ => Decision::deny("member_only_own_data_read"),
                });
            }
            if role != Some(StaffRole::PrivacyOfficer) {
                Decision::deny("disclosure_by_privacy_officer_only")
            } else if req.action != Action::Read || !matches!(req.subject, Subject::Person(_)) {
                Decision::deny("disclosure_reads_one_member")
            } else if req.category == DataCategory::MyNumber {
                Decision::deny("disclosure_shows_my_number_presence_only")
            } else {
                Decision::allow("statutory_disclosure", Obligations::default())
            }
        }
        STATUTORY_SUPERVISION => {
            if !matches!(role, Some(StaffRole::PrivacyOfficer | StaffRole::Auditor)) {
                Decision::deny("supervision_by_privacy_officer_or_auditor")
            } else if req.action != Action::Read || req.category == DataCategory::MyNumber {
                Decision::deny("supervision_reads_records_only")
            } else {
                Decision::allow("statutory_supervision", Obligations::default())
            }
        }
        _ => return None,
    };
    Some(decision)
}

/// Who may operate the audit log itself (verify, checkpoint, prove, erase after retention).
/// Whether `actor` may perform `operation` on the audit log, as the catalogue's roles say
/// (`audit_operations` per role; `system_audit_operations` for batch jobs). Contractors and
/// members never operate the log. Returns the deciding rule either way.
pub fn audit_operation(catalogue: &crate::catalogue::Catalogue, actor: &Actor, operation: &str) -> Decision {
    let listed = match actor {
        Actor::Staff { role, .. } => catalogue
            .roles
            .iter()
            .find(|r| r.id == role.id())
            .is_some_and(|r| r.audit_operations.iter().any(|o| o == operation)),
        Actor::System { .. } => {
            operation != "erase" && catalogue.meta.system_audit_operations.iter().any(|o| o == operation)
        }
        _ => false,
    };
    if listed {
        Decision::allow("audit_operation_listed_for_role", Obligations::default())
    } else {
        Decision::deny("audit_operation_not_listed_for_role")
    }
}

impl PolicyEngine for CatalogueEngine {
    fn decide(&self, req: &AccessRequest<'_>) -> Decision {
        if let Some(decision) = statutory(req.context.purpose().id(), req) {
            return decision;
        }
        let Some(u) = self.uses.get(req.context.purpose().id()) else {
            return Decision::deny("purpose_not_in_catalogue");
        };
        if req.on < self.effective_from {
            return Decision::deny("catalogue_not_yet_in_force");
        }
        if !u.categories.contains(req.category) {
            return Decision::deny("category_not_needed_by_use");
        }
        let my_number = req.category == DataCategory::MyNumber;
        if my_number && !u.my_number_affair {
            return Decision::deny("my_number_only_for_bangouhou_affairs");
        }
        if req.action == Action::Export && !u.flow.leaves_society() {
            return Decision::deny("export_only_for_uses_that_leave_the_society");
        }
        if req.action == Action::Export && u.receive {
            // 「他機関より情報を受ける場合」: the society receives; nothing is sent under it.
            return Decision::deny("receive_use_sends_nothing");
        }
        match req.context.actor() {
            Actor::Staff { role, .. } => {
                if u.roles.0 & RoleSet::bit(*role) == 0 {
                    return Decision::deny("role_not_listed_for_use");
                }
                if my_number && *role != StaffRole::MyNumberOfficer {
                    return Decision::deny("my_number_only_by_officer");
                }
                if req.action != Action::Read && matches!(role, StaffRole::Auditor | StaffRole::PrivacyOfficer) {
                    // Oversight looks; it does not change or hand out what it oversees.
                    return Decision::deny("oversight_roles_read_only");
                }
                Decision::allow("role_acts_for_use", self.obligations(u, req, None))
            }
            Actor::System { .. } => {
                if u.roles.0 & SYSTEM_BIT == 0 {
                    return Decision::deny("batch_not_listed_for_use");
                }
                Decision::allow("batch_acts_for_use", self.obligations(u, req, None))
            }
            Actor::Contractor { id } => {
                let Some(c) = self.contractors.get(id) else {
                    return Decision::deny("unknown_contractor");
                };
                let Some((categories, writes)) = c.per_use.get(req.context.purpose().id()) else {
                    return Decision::deny("contract_does_not_cover_use");
                };
                if !(c.from <= req.on && req.on <= c.to) {
                    return Decision::deny("contract_not_in_force");
                }
                if !categories.contains(req.category) {
                    return Decision::deny("category_not_in_contract");
                }
                if my_number && !c.my_number_affair {
                    return Decision::deny("contractor_my_number_needs_bangou_contract");
                }
                if req.action == Action::Write && !writes {
                    return Decision::deny("contractor_write_not_in_contract");
                }
                Decision::allow("contract_covers_use", self.obligations(u, req, Some(c)))
            }
            Actor::Member { person } => {
                if !u.member_self {
                    return Decision::deny("member_self_not_for_use");
                }
                if my_number {
                    return Decision::deny("member_never_reads_my_number");
                }
                if req.category == DataCategory::ReceiptClinical {
                    // 診療報酬明細書等の被保険者等への開示 goes through a disclosure request, in
                    // which the society first asks the institution (傷病名 may harm the patient).
                    return Decision::deny("member_diagnoses_via_disclosure_request");
                }
                match (req.action, req.subject) {
                    (Action::Read, Subject::Person(p)) if p == person => {
                        Decision::allow("member_reads_own_data", self.obligations(u, req, None))
                    }
                    _ => Decision::deny("member_only_own_data_read"),
                }
            }
        }
    }

    fn version(&self) -> &str {
        &self.version
    }
}

/// The actor kinds a decision table distinguishes: every staff role, batch jobs, every
/// contractor, and a member (on their own data or another's).
pub fn actor_kinds(catalogue: &Catalogue) -> Vec<(String, Actor)> {
    let mut out: Vec<(String, Actor)> = StaffRole::ALL
        .iter()
        .map(|r| (format!("staff:{}", r.id()), Actor::Staff { role: *r, user: "-".into() }))
        .collect();
    out.push(("system".into(), Actor::System { job: "batch".into() }));
    for c in &catalogue.contractors {
        out.push((format!("contractor:{}", c.id), Actor::Contractor { id: c.id.clone() }));
    }
    out.push(("member (本人)".into(), Actor::Member { person: crate::PersonId(1) }));
    out
}

impl CatalogueEngine {
    /// The decision and the catalogue entries behind it, in Japanese, for `kenpo policy explain`.
    pub fn explain(&self, req: &AccessRequest<'_>) -> (Decision, Vec<String>) {
        let decision = self.decide(req);
        let c = &self.catalogue;
        let mut lines = vec![format!(
            "判定: {} (規則 {}; カタログ版 {}; 判定日 {})",
            if decision.is_allowed() { "許可" } else { "拒否" },
            decision.rule(),
            c.meta.version,
            req.on
        )];
        let purpose = req.context.purpose().id();
        match c.use_by_id(purpose) {
            None => lines.push(format!("利用目的 {purpose}: カタログ(別表2)にありません")),
            Some(u) => {
                if let Some((g, s)) = c.placement(purpose) {
                    lines.push(format!("利用目的 {purpose}: 別表2 {}. {} 【{}】", g.number, g.title, s.heading));
                }
                lines.push(format!("  「{}」", u.text));
                lines.push(format!(
                    "  取扱い: {}{}{}",
                    u.flow.label(),
                    u.basis.as_ref().map(|b| format!(" / 根拠 {b}")).unwrap_or_default(),
                    u.counterparty.as_ref().map(|p| format!(" / 提供先 {p}")).unwrap_or_default()
                ));
                let cats: Vec<String> = u.categories.clone();
                lines.push(format!("  必要な情報区分: {} — {}", cats.join(", "), u.reason));
                lines.push(format!(
                    "  行為者: 役割 [{}]{}",
                    u.roles.join(", "),
                    if u.member_self { "、加入者本人" } else { "" }
                ));
                if u.my_number_affair {
                    lines.push("  番号法に定める事務 (個人番号を扱える)".into());
                }
                if !u.mask.is_empty() {
                    lines.push(format!("  マスク: {}", u.mask.join(", ")));
                }
            }
        }
        if let Actor::Contractor { id } = req.context.actor() {
            match c.contractor(id) {
                None => lines.push(format!("委託先 {id}: 業務委託先一覧にありません")),
                Some(k) => {
                    lines.push(format!(
                        "委託先 {} {}: 契約期間 {}〜{}{}",
                        k.id,
                        k.name,
                        k.contract_from,
                        k.contract_to,
                        if k.my_number_affair { " (番号法の委託)" } else { "" }
                    ));
                    for t in k.tasks.iter().filter(|t| t.uses.iter().any(|u| u == purpose)) {
                        lines.push(format!(
                            "  業務「{}」→ 情報区分 {} — {}",
                            t.text,
                            t.categories.join(", "),
                            t.reason
                        ));
                    }
                }
            }
        }
        if let Some(p) = decision.obligations().and_then(|o| o.provision.as_ref()) {
            lines.push(format!("義務: 提供記録を作成 (提供先 {}, 根拠 {})", p.counterparty, p.basis));
        }
        if let Some(o) = decision.obligations().filter(|o| !o.mask.is_empty()) {
            lines.push(format!("義務: マスク {:?}", o.mask));
        }
        (decision, lines)
    }
}
