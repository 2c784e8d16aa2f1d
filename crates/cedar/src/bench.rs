//! Latency of decisions: the decision table against Cedar (naive and partitioned), and the
//! measurements behind `docs/cedar-performance.md`. Single thread, `std::time::Instant` around
//! each decision, after a warm-up pass.

use crate::{CedarEngine, Compiled, compile};
use cedar_policy::{
    Authorizer, Context, Entities, Entity, EntityUid, PolicySet, Request, RestrictedExpression, Schema,
};
use chrono::NaiveDate;
use kenpo_domain::DataCategory;
use kenpo_policy::catalogue::Catalogue;
use kenpo_policy::engine::actor_kinds;
use kenpo_policy::{
    AccessContext, AccessRequest, Action, Actor, CatalogueEngine, PersonId, PolicyEngine, PurposeId, StaffRole, Subject,
};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::hint::black_box;
use std::str::FromStr;
use std::time::Instant;

/// Cedar's published median authorization latency (OOPSLA 2024 paper's benchmarks), µs.
const PUBLISHED_MEDIAN_US: (f64, f64) = (4.0, 11.0);

/// One request of the mix, owning what `AccessRequest` borrows.
struct Owned {
    context: AccessContext,
    action: Action,
    category: DataCategory,
    subject: Subject,
    on: NaiveDate,
}

impl Owned {
    fn request(&self) -> AccessRequest<'_> {
        AccessRequest {
            context: &self.context,
            action: self.action,
            category: self.category,
            subject: &self.subject,
            on: self.on,
        }
    }
}

/// The day of the mix: the catalogue's effective date or a contract start after it, whichever
/// has the most contracts in force.
fn mix_day(c: &Catalogue) -> NaiveDate {
    let mut candidates = vec![c.meta.effective_from];
    candidates.extend(c.contractors.iter().map(|k| k.contract_from).filter(|d| *d >= c.meta.effective_from));
    let in_force = |d: &NaiveDate| c.contractors.iter().filter(|k| k.in_force(*d)).count();
    candidates.into_iter().max_by_key(|d| (in_force(d), std::cmp::Reverse(*d))).unwrap_or(c.meta.effective_from)
}

/// Every actor kind (and a member on another's data) × every use × every category × every
/// action, on one day, in a fixed pseudo-random order.
fn mix(c: &Catalogue) -> Vec<Owned> {
    let on = mix_day(c);
    let mut actors: Vec<(Actor, Subject)> = actor_kinds(c)
        .into_iter()
        .map(|(_, a)| {
            let subject = match &a {
                Actor::Member { person } => Subject::Person(*person),
                Actor::System { .. } => Subject::Population,
                _ => Subject::Person(PersonId(7)),
            };
            (a, subject)
        })
        .collect();
    actors.push((Actor::Member { person: PersonId(1) }, Subject::Person(PersonId(2))));
    let mut out = Vec::new();
    for (actor, subject) in &actors {
        for u in &c.uses {
            let Ok(purpose) = PurposeId::parse(&u.id) else { continue };
            for category in DataCategory::ALL {
                for action in [Action::Read, Action::Write, Action::Export] {
                    out.push(Owned {
                        context: AccessContext::new(actor.clone(), purpose.clone()),
                        action,
                        category,
                        subject: subject.clone(),
                        on,
                    });
                }
            }
        }
    }
    // A fixed shuffle (xorshift), so consecutive requests differ as they would in use.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..out.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        out.swap(i, j);
    }
    out
}

/// Latency percentiles in µs.
#[derive(Clone, Copy, Debug)]
struct Stats {
    p50: f64,
    p99: f64,
    mean: f64,
}

fn stats(mut ns: Vec<u64>) -> Stats {
    if ns.is_empty() {
        return Stats { p50: 0.0, p99: 0.0, mean: 0.0 };
    }
    ns.sort_unstable();
    let at = |q: f64| ns[((ns.len() - 1) as f64 * q).round() as usize] as f64 / 1000.0;
    let mean = ns.iter().sum::<u64>() as f64 / ns.len() as f64 / 1000.0;
    Stats { p50: at(0.50), p99: at(0.99), mean }
}

/// Times `f` on each item (cycling), after one warm-up pass.
fn time_each<T>(items: &[T], iterations: usize, mut f: impl FnMut(&T)) -> Stats {
    if items.is_empty() {
        return stats(Vec::new());
    }
    for item in items.iter().take(iterations.max(1)) {
        f(item);
    }
    let mut ns = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let item = &items[i % items.len()];
        let t = Instant::now();
        f(item);
        ns.push(t.elapsed().as_nanos() as u64);
    }
    stats(ns)
}

/// Times `f` alone, `iterations` times, after a warm-up.
fn time_fn(iterations: usize, mut f: impl FnMut()) -> Stats {
    time_each(&[()], iterations, |_| f())
}

/// p50/p99 of single decisions for the decision table, Cedar naive and Cedar partitioned.
pub fn bench_report(c: &Catalogue, iterations: usize) -> String {
    let mut out = String::new();
    let requests = mix(c);
    let table = CatalogueEngine::new(c.clone());
    let (naive, partitioned) = match (CedarEngine::naive(c), CedarEngine::new(c)) {
        (Ok(n), Ok(p)) => (n, p),
        (Err(e), _) | (_, Err(e)) => return format!("Cedar engine cannot be built: {e}\n"),
    };
    let allowed = requests.iter().filter(|r| table.decide(&r.request()).is_allowed()).count();
    let mean_policies = if requests.is_empty() {
        0.0
    } else {
        requests
            .iter()
            .map(|r| partitioned.policies_evaluated(r.context.purpose().id(), r.context.actor()))
            .sum::<usize>() as f64
            / requests.len() as f64
    };
    let _ = writeln!(
        out,
        "policy decision latency, catalogue {} (single thread, {iterations} decisions each)",
        c.meta.version
    );
    let _ = writeln!(
        out,
        "mix: {} requests (actor kinds × uses × categories × actions) on {}, {} allowed",
        requests.len(),
        mix_day(c),
        allowed
    );
    let _ = writeln!(
        out,
        "Cedar policies: {} in the whole set; partitioned: {:.1} evaluated per request on average",
        naive.policy_count(),
        mean_policies
    );
    let clock = time_fn(iterations, || {});
    let engines: [(&str, &dyn PolicyEngine); 3] =
        [("decision table", &table), ("Cedar naive", &naive), ("Cedar partitioned", &partitioned)];
    let mut results = Vec::new();
    for (name, engine) in engines {
        let s = time_each(&requests, iterations, |r| {
            black_box(engine.decide(black_box(&r.request())));
        });
        results.push((name, s));
    }
    let _ = writeln!(out, "\n{:<20} {:>10} {:>10} {:>10}", "engine", "p50 µs", "p99 µs", "mean µs");
    for (name, s) in &results {
        let _ = writeln!(out, "{:<20} {:>10.3} {:>10.3} {:>10.3}", name, s.p50, s.p99, s.mean);
    }
    let _ = writeln!(out, "{:<20} {:>10.3} {:>10.3} {:>10.3}", "(empty timing)", clock.p50, clock.p99, clock.mean);
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let (t, n, p) = (results[0].1, results[1].1, results[2].1);
    let _ = writeln!(
        out,
        "\nratios (p50): naive/partitioned {:.1}×, naive/table {:.0}×, partitioned/table {:.0}×",
        ratio(n.p50, p.p50),
        ratio(n.p50, t.p50),
        ratio(p.p50, t.p50)
    );
    let _ = writeln!(
        out,
        "ratios (p99): naive/partitioned {:.1}×, naive/table {:.0}×, partitioned/table {:.0}×",
        ratio(n.p99, p.p99),
        ratio(n.p99, t.p99),
        ratio(p.p99, t.p99)
    );
    let _ = writeln!(
        out,
        "Cedar's published median: {}–{} µs per authorization (its benchmark policy sets)",
        PUBLISHED_MEDIAN_US.0, PUBLISHED_MEDIAN_US.1
    );
    out
}

/// Synthetic policy sets of `n` policies of one shape, for the per-policy cost.
fn synthetic(shape: &str, n: usize) -> Option<PolicySet> {
    let text: String = (0..n).map(|i| shape.replace("{i}", &i.to_string())).collect();
    PolicySet::from_str(&text).ok()
}

/// Where the time of a Cedar decision goes: request construction, entity building, and the
/// cost per policy evaluated by shape. The figures behind `docs/cedar-performance.md`.
pub fn investigation_report(c: &Catalogue, iterations: usize) -> String {
    let mut out = String::new();
    let (Ok(Compiled { schema, policies }), Ok(naive), Ok(part)) =
        (compile(c), CedarEngine::naive(c), CedarEngine::new(c))
    else {
        return "Cedar policies do not compile\n".to_string();
    };
    let authorizer = Authorizer::new();
    let staff = Actor::Staff { role: StaffRole::Eligibility, user: "-".into() };
    let purpose = c
        .uses
        .iter()
        .find(|u| u.roles.iter().any(|r| r == StaffRole::Eligibility.id()))
        .or_else(|| c.uses.first())
        .and_then(|u| PurposeId::parse(&u.id).ok());
    let Some(purpose) = purpose else { return "the catalogue has no uses\n".to_string() };
    let ctx = AccessContext::new(staff.clone(), purpose.clone());
    let subject = Subject::Person(PersonId(7));
    let req = AccessRequest {
        context: &ctx,
        action: Action::Read,
        category: DataCategory::Identity,
        subject: &subject,
        on: mix_day(c),
    };
    let Some(request) = naive.request(&req) else { return "request cannot be built\n".to_string() };
    let _ = writeln!(out, "Cedar cost breakdown, catalogue {} ({iterations} runs each, p50 / p99 µs)", c.meta.version);
    let _ = writeln!(out, "request: {} {} {} for {}\n", ctx.actor(), req.action.id(), req.category.id(), purpose);
    let row = |out: &mut String, what: &str, s: Stats| {
        let _ = writeln!(out, "{what:<62} {:>8.3} {:>8.3}", s.p50, s.p99);
    };

    let _ = writeln!(out, "-- building the request --");
    row(
        &mut out,
        "EntityUid::from_str (parses with Cedar's grammar)",
        time_fn(iterations, || {
            black_box(EntityUid::from_str(black_box(r#"Staff::"eligibility""#)).ok());
        }),
    );
    let prebuilt = naive.uids.staff[0].clone();
    row(
        &mut out,
        "EntityUid clone (prebuilt)",
        time_fn(iterations, || {
            black_box(prebuilt.clone());
        }),
    );
    let on = kenpo_policy::cedar::day(req.on);
    row(
        &mut out,
        "Context::from_pairs (purpose, on, subject)",
        time_fn(iterations, || {
            let pairs = vec![
                ("purpose".to_string(), RestrictedExpression::new_entity_uid(naive.uids.purpose(purpose.id()))),
                ("on".to_string(), RestrictedExpression::new_long(on)),
                ("subject".to_string(), RestrictedExpression::new_entity_uid(naive.uids.member(7))),
            ];
            black_box(Context::from_pairs(pairs).ok());
        }),
    );
    let json = format!(
        r#"{{"purpose": {{"__entity": {{"type": "Use", "id": "{}"}}}}, "on": {on}, "subject": {{"__entity": {{"type": "Member", "id": "7"}}}}}}"#,
        purpose.id()
    );
    row(
        &mut out,
        "Context::from_json_str",
        time_fn(iterations, || {
            black_box(Context::from_json_str(black_box(&json), None).ok());
        }),
    );
    row(
        &mut out,
        "whole Cedar request (uids, context, Request::new)",
        time_fn(iterations, || {
            black_box(naive.request(black_box(&req)));
        }),
    );
    let request_parts = naive
        .request(&req)
        .and_then(|r| Some((r.principal()?.clone(), r.action()?.clone(), r.resource()?.clone(), r.context()?.clone())));
    if let Some((p, a, r, ctx)) = request_parts {
        row(
            &mut out,
            "Request::new without schema",
            time_fn(iterations, || {
                black_box(Request::new(p.clone(), a.clone(), r.clone(), ctx.clone(), None).ok());
            }),
        );
        row(
            &mut out,
            "Request::new validated against the schema",
            time_fn(iterations, || {
                black_box(Request::new(p.clone(), a.clone(), r.clone(), ctx.clone(), Some(&schema)).ok());
            }),
        );
    }

    let _ = writeln!(out, "\n-- building entities (done once by CedarEngine) --");
    let what = format!(
        "Entities: {} staff, {} contractors, {} uses; no schema",
        StaffRole::ALL.len(),
        c.contractors.len(),
        c.uses.len()
    );
    row(
        &mut out,
        &what,
        time_fn(iterations.min(2000), || {
            black_box(build_entities(c, &naive, None));
        }),
    );
    row(
        &mut out,
        "same, with the schema (adds actions, checks every entity)",
        time_fn(iterations.min(2000), || {
            black_box(build_entities(c, &naive, Some(&schema)));
        }),
    );

    let _ = writeln!(out, "\n-- is_authorized with a prebuilt request, by policy set --");
    let count = |s: &PolicySet| s.policies().count();
    let sets: Vec<(String, &PolicySet)> = vec![
        (format!("naive: all {} policies", count(&policies)), &naive.all),
        (
            format!("partitioned: use + staff ({} policies)", count(naive_partition(&part, purpose.id(), &staff))),
            naive_partition(&part, purpose.id(), &staff),
        ),
        (format!("forbids only, staff ({} policies)", count(&part.forbids_only[0])), &part.forbids_only[0]),
        ("empty set".to_string(), &EMPTY),
    ];
    let mut measured = Vec::new();
    for (name, set) in &sets {
        let s = time_fn(iterations, || {
            black_box(authorizer.is_authorized(black_box(&request), set, &naive.entities));
        });
        row(&mut out, name, s);
        measured.push((count(set), s.p50));
    }
    if let (Some(&(n_all, t_all)), Some(&(n_part, t_part))) = (measured.first(), measured.get(1))
        && n_all > n_part
    {
        let slope = (t_all - t_part) / (n_all - n_part) as f64;
        let _ = writeln!(out, "slope naive→partitioned: {slope:.3} µs per policy");
    }

    let _ = writeln!(
        out,
        "\n-- per-policy cost by shape: {SHAPE_COPIES} copies of one policy, minus the empty set, per copy --"
    );
    out.push_str(&shape_costs(iterations / 4));
    out
}

const SHAPE_COPIES: usize = 50;

/// The cost of one policy by shape, on a request none of them permits except the unconditional
/// one: staff `s` (in `Role::"r"`) reads `Category::"c9"` for purpose `"zz"`.
fn shape_costs(iterations: usize) -> String {
    let mut out = String::new();
    let cats6 =
        "[Category::\"c1\", Category::\"c2\", Category::\"c3\", Category::\"c4\", Category::\"c5\", Category::\"c6\"]";
    let strings30: Vec<String> = (0..30).map(|i| format!("\"u{i}\"")).collect();
    let strings30 = format!("[{}]", strings30.join(", "));
    let shapes: Vec<(&str, String)> = vec![
        ("permit (principal, action, resource);  [satisfied]", "permit (principal, action, resource);".into()),
        ("principal == Contractor::\"z\" [scope mismatch]", "permit (principal == Contractor::\"z{i}\", action, resource);".into()),
        ("principal is Contractor [scope mismatch]", "permit (principal is Contractor, action, resource);".into()),
        ("principal in Role::\"r\" + purpose test", "permit (principal in Role::\"r\", action, resource) when { context.purpose == \"p{i}\" };".into()),
        ("action == Action::\"read\" + purpose test", "permit (principal, action == Action::\"read\", resource) when { context.purpose == \"p{i}\" };".into()),
        ("action in [read, write] + purpose test", "permit (principal, action in [Action::\"read\", Action::\"write\"], resource) when { context.purpose == \"p{i}\" };".into()),
        ("when { context.purpose == \"p\" }", "permit (principal, action, resource) when { context.purpose == \"p{i}\" };".into()),
        ("when { context.use == Use::\"p\" } (entity)", "permit (principal, action, resource) when { context.use == Use::\"p{i}\" };".into()),
        ("when { principal in [3 roles] }", "permit (principal, action, resource) when { principal in [Role::\"a{i}\", Role::\"b\", Role::\"c\"] };".into()),
        ("when { resource in [6 categories] }", format!("permit (principal, action, resource) when {{ resource in {cats6} }};")),
        ("when { [6 categories].contains(resource) }", format!("permit (principal, action, resource) when {{ {cats6}.contains(resource) }};")),
        ("when { resource == c1 || … || resource == c6 }", "permit (principal, action, resource) when { resource == Category::\"c1\" || resource == Category::\"c2\" || resource == Category::\"c3\" || resource == Category::\"c4\" || resource == Category::\"c5\" || resource == Category::\"c6\" };".into()),
        ("when { [30 strings].contains(context.purpose) }", format!("permit (principal, action, resource) when {{ {strings30}.contains(context.purpose) }};")),
        ("when { context.use.affair } (entity attribute)", "permit (principal, action, resource) when { context.use.affair_{i} };".into()),
        ("when { principal.missing } (evaluation error)", "permit (principal, action, resource) when { principal.missing_{i} };".into()),
    ];
    let role = EntityUid::from_str("Role::\"r\"").ok();
    let staff = EntityUid::from_str("Staff::\"s\"").ok();
    let use_uid = EntityUid::from_str("Use::\"u1\"").ok();
    let (Some(role), Some(staff), Some(use_uid)) = (role, staff, use_uid) else { return "uids do not parse\n".into() };
    let use_attrs: HashMap<String, RestrictedExpression> =
        (0..SHAPE_COPIES).map(|i| (format!("affair_{i}"), RestrictedExpression::new_bool(false))).collect();
    let entities = Entity::new(use_uid.clone(), use_attrs, HashSet::new()).ok().and_then(|u| {
        Entities::from_entities([Entity::new_no_attrs(staff.clone(), [role].into_iter().collect()), u], None).ok()
    });
    let context = Context::from_pairs([
        ("purpose".to_string(), RestrictedExpression::new_string("zz".into())),
        ("use".to_string(), RestrictedExpression::new_entity_uid(use_uid)),
    ]);
    let (Some(entities), Ok(context)) = (entities, context) else { return "entities do not build\n".into() };
    let (Ok(action), Ok(resource)) = (EntityUid::from_str("Action::\"read\""), EntityUid::from_str("Category::\"c9\""))
    else {
        return "uids do not parse\n".into();
    };
    let Ok(request) = Request::new(staff, action, resource, context, None) else { return "request\n".into() };
    let authorizer = Authorizer::new();
    let base = time_fn(iterations, || {
        black_box(authorizer.is_authorized(black_box(&request), &EMPTY, &entities));
    });
    let _ = writeln!(out, "{:<52} {:>8.3} µs per request", "empty policy set", base.p50);
    for (name, shape) in shapes {
        let Some(set) = synthetic(&shape, SHAPE_COPIES) else {
            let _ = writeln!(out, "{name:<52} (does not parse)");
            continue;
        };
        let s = time_fn(iterations, || {
            black_box(authorizer.is_authorized(black_box(&request), &set, &entities));
        });
        let _ = writeln!(out, "{name:<52} {:>8.3} µs per policy", (s.p50 - base.p50) / SHAPE_COPIES as f64);
    }
    out
}

static EMPTY: std::sync::LazyLock<PolicySet> = std::sync::LazyLock::new(PolicySet::new);

fn naive_partition<'a>(engine: &'a CedarEngine, purpose: &str, actor: &Actor) -> &'a PolicySet {
    engine.policy_set(purpose, actor)
}

fn build_entities(c: &Catalogue, engine: &CedarEngine, schema: Option<&Schema>) -> Option<Entities> {
    crate::entities(c, &engine.uids, schema).ok()
}
