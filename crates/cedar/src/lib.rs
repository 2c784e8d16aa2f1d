//! # kenpo-cedar
//!
//! The catalogue's Cedar reference. `kenpo_policy::cedar` generates a Cedar schema and policy
//! set from the catalogue; this crate parses and validates them with `cedar-policy` (strict
//! mode) and evaluates them ([`CedarEngine`]), so that tests can check that Cedar and the
//! decision table (`kenpo_policy::CatalogueEngine`) agree on every combination, and
//! [`bench_report`] can compare their latency.
//!
//! The decision table is the hot path. Cedar evaluates every policy of the set it is given,
//! rebuilding each policy's condition on every request (0.3 µs per policy before any
//! condition, see `docs/cedar-performance.md`), so [`CedarEngine`] slices the policies once:
//! per (use, principal) one small set with the use's permits whose scope can match that
//! principal and the forbids that can apply to it, and evaluates only that set.
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
use kenpo_policy::{
    AccessRequest, Action, Actor, Decision, Obligations, PolicyEngine, ProvisionRecord, StaffRole, Subject,
};
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
    compile_text(&model::schema(c), &model::policies(c))
}

/// Parses a schema (`.cedarschema` syntax) and policies whose ids are their `@id`s.
pub fn compile_text(schema: &str, policies: &str) -> Result<Compiled, Vec<String>> {
    let (schema, _warnings) =
        Schema::from_cedarschema_str(schema).map_err(|e| vec![format!("schema: {}", pretty(&e))])?;
    let parsed = PolicySet::from_str(policies).map_err(|e| vec![format!("policies: {}", pretty(&e))])?;
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
    validate_text(&model::schema(c), &model::policies(c))
}

/// Parses a schema and policies and runs Cedar's strict validator (warnings count as errors).
pub fn validate_text(schema: &str, policies: &str) -> Result<(), Vec<String>> {
    let compiled = compile_text(schema, policies)?;
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

/// The principals a policy set is sliced for: each staff role, batch jobs, each contractor of
/// the catalogue, any other contractor, any member.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Class {
    Staff(StaffRole),
    System,
    Contractor(String),
    OtherContractor,
    Member,
}

impl Class {
    /// Every class, in the order `CedarEngine::class_index` relies on.
    fn all(c: &Catalogue) -> Vec<Class> {
        let mut out: Vec<Class> = StaffRole::ALL.into_iter().map(Class::Staff).collect();
        out.push(Class::System);
        out.extend(c.contractors.iter().map(|k| Class::Contractor(k.id.clone())));
        out.push(Class::OtherContractor);
        out.push(Class::Member);
        out
    }

    fn type_name(&self) -> &'static str {
        match self {
            Class::Staff(_) => model::STAFF,
            Class::System => model::SYSTEM,
            Class::Contractor(_) | Class::OtherContractor => model::CONTRACTOR,
            Class::Member => model::MEMBER,
        }
    }

    /// Whether a policy with this principal scope can apply to a principal of the class. Exact
    /// for classes of one entity (staff roles, batch, listed contractors); for open classes
    /// (members, unlisted contractors) any scope naming their type is kept.
    fn may_match(&self, scope: &PrincipalConstraint, uids: &Uids) -> bool {
        let ty = |t: &EntityTypeName| t.to_string() == self.type_name();
        let (uid, ancestors) = match self {
            Class::Staff(role) => (uids.staff_uid(*role), uids.role_uid(*role)),
            Class::System => (Some(&uids.system), None),
            Class::Contractor(id) => (uids.contractors.get(id), None),
            Class::OtherContractor | Class::Member => (None, None),
        };
        let is_or_in = |e: &EntityUid| match uid {
            Some(u) => u == e || ancestors == Some(e),
            None => ty(e.type_name()) && !uids.contractors.values().any(|k| k == e),
        };
        match scope {
            PrincipalConstraint::Any => true,
            PrincipalConstraint::Is(t) => ty(t),
            PrincipalConstraint::Eq(e) => match uid {
                Some(u) => u == e,
                None => ty(e.type_name()) && !uids.contractors.values().any(|k| k == e),
            },
            PrincipalConstraint::In(e) => is_or_in(e),
            PrincipalConstraint::IsIn(t, e) => ty(t) && is_or_in(e),
        }
    }
}

/// How a [`CedarEngine`] evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One policy set with every policy (Cedar evaluates all of them for each request).
    Naive,
    /// One policy set per (use, principal): the use's permits whose principal scope can match
    /// and the forbids that can apply. Exact, because a permit's `@purpose` use is the only
    /// purpose its condition accepts, and a policy whose scope cannot match the principal
    /// cannot be satisfied.
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
    roles: Vec<EntityUid>,
    system: EntityUid,
    use_type: EntityTypeName,
    uses: HashMap<String, EntityUid>,
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
        let role = type_name(model::ROLE)?;
        let use_type = type_name(model::USE)?;
        Ok(Self {
            actions: [Action::Read, Action::Write, Action::Export].map(|a| uid(&action, a.id())),
            categories: DataCategory::ALL.iter().map(|d| uid(&category, d.id())).collect(),
            staff: StaffRole::ALL.iter().map(|r| uid(&staff, r.id())).collect(),
            roles: StaffRole::ALL.iter().map(|r| uid(&role, r.id())).collect(),
            system: uid(&type_name(model::SYSTEM)?, "batch"),
            uses: model::uses(c).iter().map(|u| (u.id.clone(), uid(&use_type, &u.id))).collect(),
            use_type,
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

    fn staff_uid(&self, role: StaffRole) -> Option<&EntityUid> {
        StaffRole::ALL.iter().position(|r| *r == role).and_then(|i| self.staff.get(i))
    }

    fn role_uid(&self, role: StaffRole) -> Option<&EntityUid> {
        StaffRole::ALL.iter().position(|r| *r == role).and_then(|i| self.roles.get(i))
    }

    fn purpose(&self, id: &str) -> EntityUid {
        self.uses.get(id).cloned().unwrap_or_else(|| uid(&self.use_type, id))
    }

    fn principal(&self, actor: &Actor) -> Option<EntityUid> {
        match actor {
            Actor::Staff { role, .. } => self.staff_uid(*role).cloned(),
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

/// The entities of the model: staff (one per role, in its role), contractors and uses. The
/// schema adds the actions and checks every entity against it.
fn entities(c: &Catalogue, uids: &Uids, schema: Option<&Schema>) -> Result<Entities, String> {
    let mut list = Vec::new();
    for (staff, role) in uids.staff.iter().zip(&uids.roles) {
        list.push(Entity::new_no_attrs(staff.clone(), [role.clone()].into_iter().collect()));
    }
    for u in model::uses(c) {
        let attrs: HashMap<String, RestrictedExpression> = [
            ("my_number_affair".to_string(), RestrictedExpression::new_bool(u.my_number_affair)),
            ("leaves_society".to_string(), RestrictedExpression::new_bool(u.leaves_society)),
            ("receives".to_string(), RestrictedExpression::new_bool(u.receives)),
            ("statutory".to_string(), RestrictedExpression::new_bool(u.statutory)),
        ]
        .into_iter()
        .collect();
        let e = Entity::new(uids.purpose(&u.id), attrs, HashSet::new())
            .map_err(|e| format!("use {}: {}", u.id, pretty(&e)))?;
        list.push(e);
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
    Entities::from_entities(list, schema).map_err(|e| format!("entities: {}", pretty(&e)))
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
    /// Position of each listed contractor in the catalogue (its class is `Class::all`'s 8 + i).
    contractor_index: HashMap<String, usize>,
    /// Per use, per principal class (partitioned mode).
    partitions: HashMap<String, Vec<PolicySet>>,
    /// Per principal class, the forbids alone (a purpose the catalogue does not list).
    forbids_only: Vec<PolicySet>,
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
        let entities = entities(c, &uids, Some(&schema))?;
        let mut forbids: Vec<&Policy> = Vec::new();
        let use_ids: Vec<String> = model::uses(c).into_iter().map(|u| u.id).collect();
        let mut permits: HashMap<&str, Vec<&Policy>> = HashMap::new();
        for p in policies.policies() {
            match p.effect() {
                cedar_policy::Effect::Forbid => forbids.push(p),
                cedar_policy::Effect::Permit => {
                    let purpose = p
                        .annotation(model::PURPOSE_ANNOTATION)
                        .ok_or_else(|| format!("permit {} has no @{}", p.id(), model::PURPOSE_ANNOTATION))?;
                    let key = use_ids.iter().find(|u| *u == purpose).map(String::as_str).ok_or_else(|| {
                        format!("permit {}: @{} {purpose} is not a use", p.id(), model::PURPOSE_ANNOTATION)
                    })?;
                    permits.entry(key).or_default().push(p);
                }
            }
        }
        let classes = Class::all(c);
        let slice = |candidates: &[&Policy], class: &Class| {
            let chosen = candidates.iter().filter(|p| class.may_match(&p.principal_constraint(), &uids));
            PolicySet::from_policies(chosen.map(|p| (*p).clone())).map_err(|e| pretty(&e))
        };
        let mut forbids_only = Vec::new();
        let mut partitions = HashMap::new();
        if mode == Mode::Partitioned {
            forbids_only = classes.iter().map(|class| slice(&forbids, class)).collect::<Result<Vec<_>, _>>()?;
        }
        for id in use_ids.iter().filter(|_| mode == Mode::Partitioned) {
            let mut candidates = permits.get(id.as_str()).cloned().unwrap_or_default();
            candidates.extend(forbids.iter().copied());
            let sets = classes.iter().map(|class| slice(&candidates, class)).collect::<Result<Vec<_>, _>>()?;
            partitions.insert(id.clone(), sets);
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
            contractor_index: c.contractors.iter().enumerate().map(|(i, k)| (k.id.clone(), i)).collect(),
            partitions,
            forbids_only,
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

    /// The index of the actor's class in `classes` (the order of `Class::all`).
    fn class_index(&self, actor: &Actor) -> Option<usize> {
        let roles = StaffRole::ALL.len();
        let listed = self.contractor_index.len();
        match actor {
            Actor::Staff { role, .. } => StaffRole::ALL.iter().position(|r| r == role),
            Actor::System { .. } => Some(roles),
            Actor::Contractor { id } => {
                Some(self.contractor_index.get(id).map_or(roles + 1 + listed, |i| roles + 1 + i))
            }
            Actor::Member { .. } => Some(roles + 2 + listed),
        }
    }

    fn policy_set(&self, purpose: &str, actor: &Actor) -> &PolicySet {
        if self.mode == Mode::Naive {
            return &self.all;
        }
        let sets = self.partitions.get(purpose).unwrap_or(&self.forbids_only);
        self.class_index(actor).and_then(|i| sets.get(i)).unwrap_or(&self.all)
    }

    /// The Cedar request for an access (`None` if the category or role is unknown to the model).
    pub fn request(&self, req: &AccessRequest<'_>) -> Option<Request> {
        let principal = self.uids.principal(req.context.actor())?;
        let resource = self.uids.category(req.category)?.clone();
        let mut pairs = vec![
            (
                "purpose".to_string(),
                RestrictedExpression::new_entity_uid(self.uids.purpose(req.context.purpose().id())),
            ),
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
            basis: if contractor.is_some() {
                kenpo_policy::ProvisionBasis::Entrustment
            } else {
                kenpo_policy::ProvisionBasis::from_label(&u.basis).unwrap_or(kenpo_policy::ProvisionBasis::Law)
            },
            use_id: purpose.to_string(),
        });
        Obligations { mask: u.mask.clone(), provision }
    }
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
        let fired: Vec<&str> =
            response.diagnostics().reason().filter_map(|id| model::forbid_rule(id.as_ref())).collect();
        let forbid = model::FORBID_RULES.into_iter().find(|rule| fired.contains(rule));
        Decision::deny(forbid.unwrap_or(RULE_DEFAULT_DENY))
    }

    fn version(&self) -> &str {
        &self.version
    }
}
