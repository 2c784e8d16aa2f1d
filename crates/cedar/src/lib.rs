//! # kenpo-cedar
//!
//! The catalogue's Cedar reference. `kenpo_policy::cedar` generates a Cedar schema and policy
//! set from the catalogue; this crate parses and validates them with `cedar-policy` (strict
//! mode) and evaluates them ([`CedarEngine`]), so that tests can check that Cedar and the
//! decision table (`kenpo_policy::CatalogueEngine`) agree on every combination, and
//! [`bench_report`] can compare their latency.
//!
//! The decision table is the hot path. Cedar evaluates every policy of the set it is given
//! (about 1.6 µs each here, see `docs/cedar-performance.md`), so [`CedarEngine`] keeps one
//! small policy set per (use, principal type) — the use's permits for that kind of actor
//! and the forbids that can apply to it — and evaluates only that one.
//!
//! Must never: read or hold personal data. Like `kenpo-policy`, it decides on
//! (actor, action, purpose, category, subject, day) and nothing else.

mod bench;

pub use bench::{bench_report, investigation_report};

use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet,
    PrincipalConstraint, Request, Response, RestrictedExpression, Schema, ValidationMode, Validator,
};
use kenpo_domain::{DataCategory, Field};
use kenpo_policy::catalogue::{Catalogue, Flow, field_by_name};
use kenpo_policy::cedar as model;
use kenpo_policy::{AccessRequest, Action, Actor, Decision, Obligations, PolicyEngine, ProvisionRecord, StaffRole, Subject};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Rule id of an allow (some permit held, no forbid did).
pub const RULE_PERMIT: &str = "cedar_permit";
/// Rule id of a deny where no permit held (and no forbid did).
pub const RULE_DEFAULT_DENY: &str = "cedar_default_deny";

/// The generated schema and policies, parsed. Policy ids are the policies' `@id`s.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub schema: Schema,
    pub policies: PolicySet,
}

/// Parses the catalogue's generated schema and policies (no validation). Errors as strings.
pub fn compile(c: &Catalogue) -> Result<Compiled, Vec<String>> {
    let schema_text = model::schema(c);
    let (schema, _warnings) =
        Schema::from_cedarschema_str(&schema_text).map_err(|e| vec![format!("schema: {}", pretty(&e))])?;
    let parsed = PolicySet::from_str(&model::policies(c)).map_err(|e| vec![format!("policies: {}", pretty(&e))])?;
    let mut errors = Vec::new();
    let mut renamed = Vec::new();
    for p in parsed.policies() {
        match p.annotation(model::ID_ANNOTATION) {
            Some(id) => renamed.push(p.new_id(PolicyId::new(id))),
            None => errors.push(format!("policy {} has no @{}", p.id(), model::ID_ANNOTATION)),
        }
    }
    let policies = PolicySet::from_policies(renamed).map_err(|e| {
        errors.push(format!("policies: {}", pretty(&e)));
        errors.clone()
    })?;
    if errors.is_empty() { Ok(Compiled { schema, policies }) } else { Err(errors) }
}

/// Parses the generated schema and policies and runs Cedar's strict validator over them.
pub fn validate(c: &Catalogue) -> Result<(), Vec<String>> {
    let compiled = compile(c)?;
    let result = Validator::new(compiled.schema).validate(&compiled.policies, ValidationMode::Strict);
    let mut errors: Vec<String> = result.validation_errors().map(|e| pretty(e)).collect();
    errors.extend(result.validation_warnings().map(|w| format!("warning: {}", pretty(w))));
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

fn pretty(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// The principal types of the model, as indices into per-kind tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    Staff = 0,
    System = 1,
    Contractor = 2,
    Member = 3,
}

const KINDS: [Kind; 4] = [Kind::Staff, Kind::System, Kind::Contractor, Kind::Member];

impl Kind {
    fn type_name(self) -> &'static str {
        match self {
            Kind::Staff => model::STAFF,
            Kind::System => model::SYSTEM,
            Kind::Contractor => model::CONTRACTOR,
            Kind::Member => model::MEMBER,
        }
    }
    fn of(actor: &Actor) -> Self {
        match actor {
            Actor::Staff { .. } => Kind::Staff,
            Actor::System { .. } => Kind::System,
            Actor::Contractor { .. } => Kind::Contractor,
            Actor::Member { .. } => Kind::Member,
        }
    }
}

/// How a [`CedarEngine`] evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One policy set with every policy (Cedar evaluates all of them for each request).
    Naive,
    /// One policy set per (use, principal type): that use's permits for the kind of actor and
    /// the forbids that can apply to it. Exact, because a permit's `@purpose` use is the only
    /// purpose its condition accepts, and a policy scoped to one principal type cannot apply
    /// to another.
    Partitioned,
}

/// Obligations of a use, from the catalogue.
#[derive(Clone, Debug)]
struct UseObligations {
    leaves_society: bool,
    mask: Vec<Field>,
    counterparty: String,
    basis: String,
}

/// Prebuilt entity uids (parsing a type name runs Cedar's parser: never per request).
#[derive(Clone, Debug)]
struct Uids {
    actions: [EntityUid; 3],
    categories: Vec<EntityUid>,
    staff: Vec<EntityUid>,
    system: EntityUid,
    contractor_type: EntityTypeName,
    contractors: HashMap<String, EntityUid>,
    member_type: EntityTypeName,
}

fn type_name(name: &str) -> Result<EntityTypeName, String> {
    EntityTypeName::from_str(name).map_err(|e| format!("entity type {name}: {}", pretty(&e)))
}

fn uid(ty: &EntityTypeName, id: &str) -> EntityUid {
    EntityUid::from_type_name_and_id(ty.clone(), EntityId::new(id))
}

impl Uids {
    fn new(c: &Catalogue) -> Result<Self, String> {
        let action = type_name(model::ACTION)?;
        let category = type_name(model::CATEGORY)?;
        let staff = type_name(model::STAFF)?;
        let contractor_type = type_name(model::CONTRACTOR)?;
        Ok(Self {
            actions: [Action::Read, Action::Write, Action::Export].map(|a| uid(&action, a.id())),
            categories: DataCategory::ALL.iter().map(|d| uid(&category, d.id())).collect(),
            staff: StaffRole::ALL.iter().map(|r| uid(&staff, r.id())).collect(),
            system: uid(&type_name(model::SYSTEM)?, "batch"),
            contractors: c.contractors.iter().map(|k| (k.id.clone(), uid(&contractor_type, &k.id))).collect(),
            contractor_type,
            member_type: type_name(model::MEMBER)?,
        })
    }

    fn action(&self, a: Action) -> &EntityUid {
        match a {
            Action::Read => &self.actions[0],
            Action::Write => &self.actions[1],
            Action::Export => &self.actions[2],
        }
    }

    fn category(&self, d: DataCategory) -> Option<&EntityUid> {
        DataCategory::ALL.iter().position(|x| *x == d).and_then(|i| self.categories.get(i))
    }

    fn principal(&self, actor: &Actor) -> Option<EntityUid> {
        match actor {
            Actor::Staff { role, .. } => {
                StaffRole::ALL.iter().position(|r| r == role).and_then(|i| self.staff.get(i)).cloned()
            }
            Actor::System { .. } => Some(self.system.clone()),
            Actor::Contractor { id } => {
                Some(self.contractors.get(id).cloned().unwrap_or_else(|| uid(&self.contractor_type, id)))
            }
            Actor::Member { person } => Some(self.member(person.0)),
        }
    }

    fn member(&self, person: i64) -> EntityUid {
        uid(&self.member_type, &person.to_string())
    }
}

/// The entities of the model: staff (one per role, in its role) and contractors.
fn entities(c: &Catalogue, uids: &Uids, schema: &Schema) -> Result<Entities, String> {
    let role = type_name(model::ROLE)?;
    let mut list = Vec::new();
    for (r, staff) in StaffRole::ALL.iter().zip(&uids.staff) {
        let parents: HashSet<EntityUid> = [uid(&role, r.id())].into_iter().collect();
        list.push(Entity::new_no_attrs(staff.clone(), parents));
    }
    for k in &c.contractors {
        let attrs: HashMap<String, RestrictedExpression> = [
            ("contract_from".to_string(), RestrictedExpression::new_long(model::day(k.contract_from))),
            ("contract_to".to_string(), RestrictedExpression::new_long(model::day(k.contract_to))),
            ("my_number_affair".to_string(), RestrictedExpression::new_bool(k.my_number_affair)),
        ]
        .into_iter()
        .collect();
        let e = Entity::new(uid(&uids.contractor_type, &k.id), attrs, HashSet::new())
            .map_err(|e| format!("contractor {}: {}", k.id, pretty(&e)))?;
        list.push(e);
    }
    Entities::from_entities(list, Some(schema)).map_err(|e| format!("entities: {}", pretty(&e)))
}

/// The principal type a policy is scoped to, if any.
fn scoped_kind(p: &Policy) -> Option<Kind> {
    let ty = match p.principal_constraint() {
        PrincipalConstraint::Any | PrincipalConstraint::In(_) => return None,
        PrincipalConstraint::Eq(u) => u.type_name().to_string(),
        PrincipalConstraint::Is(t) | PrincipalConstraint::IsIn(t, _) => t.to_string(),
    };
    KINDS.into_iter().find(|k| k.type_name() == ty)
}

/// The catalogue's policies evaluated by Cedar.
#[derive(Clone, Debug)]
pub struct CedarEngine {
    mode: Mode,
    version: String,
    authorizer: Authorizer,
    entities: Entities,
    uids: Uids,
    /// Every policy (naive mode).
    all: PolicySet,
    /// Per use, per principal type (partitioned mode).
    partitions: HashMap<String, [PolicySet; 4]>,
    /// Per principal type, the forbids alone (a purpose the catalogue does not list).
    forbids_only: [PolicySet; 4],
    obligations: HashMap<String, UseObligations>,
    contractor_names: HashMap<String, String>,
    policy_count: usize,
}

impl CedarEngine {
    /// The fast engine (partitioned policy sets).
    pub fn new(c: &Catalogue) -> Result<Self, String> {
        Self::with_mode(c, Mode::Partitioned)
    }

    /// One policy set with every policy: what a straightforward integration does.
    pub fn naive(c: &Catalogue) -> Result<Self, String> {
        Self::with_mode(c, Mode::Naive)
    }

    pub fn with_mode(c: &Catalogue, mode: Mode) -> Result<Self, String> {
        let Compiled { schema, policies } = compile(c).map_err(|e| e.join("\n"))?;
        let uids = Uids::new(c)?;
        let entities = entities(c, &uids, &schema)?;
        let mut forbids: Vec<(Option<Kind>, Policy)> = Vec::new();
        let mut permits: HashMap<&str, Vec<(Option<Kind>, Policy)>> = HashMap::new();
        for p in policies.policies() {
            let kind = scoped_kind(p);
            match p.effect() {
                cedar_policy::Effect::Forbid => forbids.push((kind, p.clone())),
                cedar_policy::Effect::Permit => {
                    let purpose = p
                        .annotation(model::PURPOSE_ANNOTATION)
                        .ok_or_else(|| format!("permit {} has no @{}", p.id(), model::PURPOSE_ANNOTATION))?;
                    let key = c.use_by_id(purpose).map(|u| u.id.as_str()).ok_or_else(|| {
                        format!("permit {}: @{} {purpose} is not a use", p.id(), model::PURPOSE_ANNOTATION)
                    })?;
                    permits.entry(key).or_default().push((kind, p.clone()));
                }
            }
        }
        let set = |list: &mut dyn Iterator<Item = &(Option<Kind>, Policy)>, kind: Kind| {
            let chosen = list.filter(|(k, _)| k.is_none() || *k == Some(kind)).map(|(_, p)| p.clone());
            PolicySet::from_policies(chosen).map_err(|e| pretty(&e))
        };
        let mut forbids_only = Vec::new();
        for kind in KINDS {
            forbids_only.push(set(&mut forbids.iter(), kind)?);
        }
        let mut partitions = HashMap::new();
        for u in &c.uses {
            let mut sets = Vec::new();
            let own = permits.get(u.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            for kind in KINDS {
                sets.push(set(&mut own.iter().chain(forbids.iter()), kind)?);
            }
            partitions.insert(u.id.clone(), to_array(sets)?);
        }
        let obligations = c
            .uses
            .iter()
            .map(|u| {
                let o = UseObligations {
                    leaves_society: u.flow.leaves_society(),
                    mask: u.mask.iter().filter_map(|f| field_by_name(f)).collect(),
                    counterparty: u.counterparty.clone().unwrap_or_default(),
                    basis: u.basis.clone().unwrap_or_else(|| default_basis(u.flow).to_string()),
                };
                (u.id.clone(), o)
            })
            .collect();
        Ok(Self {
            mode,
            version: c.meta.version.clone(),
            authorizer: Authorizer::new(),
            entities,
            uids,
            policy_count: policies.policies().count(),
            all: policies,
            partitions,
            forbids_only: to_array(forbids_only)?,
            obligations,
            contractor_names: c.contractors.iter().map(|k| (k.id.clone(), k.name.clone())).collect(),
        })
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Number of policies in the whole set.
    pub fn policy_count(&self) -> usize {
        self.policy_count
    }

    /// Number of policies the engine evaluates for a request of this purpose and actor.
    pub fn policies_evaluated(&self, purpose: &str, actor: &Actor) -> usize {
        self.policy_set(purpose, actor).policies().count()
    }

    fn policy_set(&self, purpose: &str, actor: &Actor) -> &PolicySet {
        let kind = Kind::of(actor) as usize;
        match self.mode {
            Mode::Naive => &self.all,
            Mode::Partitioned => match self.partitions.get(purpose) {
                Some(sets) => &sets[kind],
                None => &self.forbids_only[kind],
            },
        }
    }

    /// The Cedar request for an access (`None` if the category or role is unknown to the model).
    pub fn request(&self, req: &AccessRequest<'_>) -> Option<Request> {
        let principal = self.uids.principal(req.context.actor())?;
        let resource = self.uids.category(req.category)?.clone();
        let mut pairs = vec![
            ("purpose".to_string(), RestrictedExpression::new_string(req.context.purpose().id().to_string())),
            ("on".to_string(), RestrictedExpression::new_long(model::day(req.on))),
        ];
        if let Subject::Person(p) = req.subject {
            pairs.push(("subject".to_string(), RestrictedExpression::new_entity_uid(self.uids.member(p.0))));
        }
        let context = Context::from_pairs(pairs).ok()?;
        Request::new(principal, self.uids.action(req.action).clone(), resource, context, None).ok()
    }

    /// Cedar's full response (for `explain` and tests).
    pub fn response(&self, req: &AccessRequest<'_>) -> Option<Response> {
        let request = self.request(req)?;
        let set = self.policy_set(req.context.purpose().id(), req.context.actor());
        Some(self.authorizer.is_authorized(&request, set, &self.entities))
    }

    fn obligations(&self, req: &AccessRequest<'_>) -> Obligations {
        let purpose = req.context.purpose().id();
        let Some(u) = self.obligations.get(purpose) else {
            return Obligations::default();
        };
        let contractor = match req.context.actor() {
            Actor::Contractor { id } => self.contractor_names.get(id),
            _ => None,
        };
        let provision = (req.action == Action::Export && u.leaves_society).then(|| ProvisionRecord {
            counterparty: contractor.cloned().unwrap_or_else(|| u.counterparty.clone()),
            basis: if contractor.is_some() { "委託".to_string() } else { u.basis.clone() },
            use_id: purpose.to_string(),
        });
        Obligations { mask: u.mask.clone(), provision }
    }
}

fn to_array(sets: Vec<PolicySet>) -> Result<[PolicySet; 4], String> {
    sets.try_into().map_err(|_| "expected one policy set per principal type".to_string())
}

/// The basis recorded for a provision when the use names none (as the decision table does).
fn default_basis(flow: Flow) -> &'static str {
    match flow {
        Flow::Internal => "",
        Flow::Entrustment => "委託",
        Flow::Provision | Flow::OnlineEligibility => "法令",
        Flow::BangouLinkage => "番号法",
    }
}

impl PolicyEngine for CedarEngine {
    fn decide(&self, req: &AccessRequest<'_>) -> Decision {
        let Some(response) = self.response(req) else {
            return Decision::deny(RULE_DEFAULT_DENY);
        };
        if response.decision() == cedar_policy::Decision::Allow {
            return Decision::allow(RULE_PERMIT, self.obligations(req));
        }
        let reasons: Vec<&str> = response.diagnostics().reason().map(|id| id.as_ref()).collect();
        let forbid = model::FORBID_RULES.into_iter().find(|rule| reasons.contains(rule));
        Decision::deny(forbid.unwrap_or(RULE_DEFAULT_DENY))
    }

    fn version(&self) -> &str {
        &self.version
    }
}
