//! Eligibility as a record, on both backends: events applied over a synthetic roster whose few
//! people of interest (one member and their two dependants) are given known dates. Each test
//! states the rule it checks and works the expected dates and amounts by hand in its comments:
//! 退職 and its 喪失日, the dependants who lose with the member, the 5-day オンライン資格確認
//! clock, corrections that re-open what they reverse, cards matched as of the receipt's month,
//! receipts after the loss, the 20-day 任意継続 deadline, all-or-nothing files, new members
//! and their cards, the as-of lookup over many people, the 検認 list, name and address changes
//! (and their correction), and the correction of a 任意継続 with the dependants it covered.

mod common;

use chrono::NaiveDate;
use common::*;
use kenpo_domain::YearMonth;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::person::{EligibilityPeriod, Person, PersonKind, Relationship, Sex};
use kenpo_domain::receipt::{CareSetting, Institution, LineKind, Receipt, ReceiptKind, ReceiptLine};
use kenpo_store::{
    AccessContext, Change, CoverageAsOf, DependantCheckResult, EventSummary, NewAcquisition, NewEvent, PersonRef,
    Store, StoreError, VaultKeys,
};
use sqlx::AnyConnection;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// 適用担当 applying events and reading the record (policy/notice.toml: eligibility.management
/// is acted for by the roles `eligibility` and `system`).
fn staff() -> AccessContext {
    ctx("staff:eligibility:t", "eligibility.management")
}

/// The same staff registering with オンライン資格確認 (online.register: eligibility, health, system).
fn registrar() -> AccessContext {
    ctx("staff:eligibility:t", "online.register")
}

/// The day every covered person of interest was hired (or recognised as a dependant).
const HIRED: (i32, u32, u32) = (2010, 4, 1);

/// Who is who: indexes into `people`; a roster person's id is its index + 1 (ids are allocated
/// from MAX(id) + 1 on a fresh database, in file order).
struct Cast {
    society: kenpo_synth::Society,
    people: Vec<Person>,
    /// An employed member (本人) with an employer, born 1975-06-01, covered from 2010-04-01.
    member: usize,
    /// Their only two dependants, covered from 2010-04-01.
    deps: [usize; 2],
}

impl Cast {
    fn id(&self, index: usize) -> i64 {
        index as i64 + 1
    }
    fn member_id(&self) -> i64 {
        self.id(self.member)
    }
    fn dep_ids(&self) -> [i64; 2] {
        [self.id(self.deps[0]), self.id(self.deps[1])]
    }
    fn insurer(&self) -> String {
        self.people[self.member].insurer_number.as_str().to_string()
    }
    /// The member's card as a filing names them.
    fn member_card(&self) -> PersonRef {
        let p = &self.people[self.member];
        PersonRef::Card {
            insurer: self.insurer(),
            symbol: p.card.symbol.clone(),
            number: p.card.number.clone(),
            branch: p.card.branch,
        }
    }
    fn employer(&self) -> String {
        self.people[self.member].employer_code.clone().expect("the member has an employer")
    }
}

fn open_period(reason: &str) -> EligibilityPeriod {
    EligibilityPeriod {
        acquired_on: day(HIRED.0, HIRED.1, HIRED.2),
        acquisition_reason: reason.into(),
        lost_on: None,
        loss_reason: None,
    }
}

/// A synthetic roster with one family made known: a member with exactly two dependants, all
/// covered from 2010-04-01 with no loss, born on chosen days (the member is 50, then 51 from
/// 2026-06-01: 3割 all year).
fn cast() -> Cast {
    let (society, mut people) = society(40);
    let is_dep = |p: &Person| p.kind == PersonKind::Dependant;
    let member = (0..people.len().saturating_sub(2))
        .find(|&i| {
            people[i].kind == PersonKind::Insured
                && people[i].employer_code.is_some()
                && is_dep(&people[i + 1])
                && is_dep(&people[i + 2])
                && people.get(i + 3).is_none_or(|p| !is_dep(p))
        })
        .expect("the synthetic roster has a member with exactly two dependants");
    let m = &mut people[member];
    m.birth_date = day(1975, 6, 1);
    m.eligibility = vec![open_period("採用")];
    // No 個人番号 on file: a 任意継続 gets a 資格確認書 (§10), not a notice.
    m.my_number = None;
    for (i, birth) in [(member + 1, day(1978, 8, 20)), (member + 2, day(2008, 5, 5))] {
        people[i].birth_date = birth;
        people[i].eligibility = vec![open_period("被扶養者認定")];
    }
    Cast { society, people, member, deps: [member + 1, member + 2] }
}

async fn setup(backend: &'static str, tag: &str, cast: Cast) -> (TestDb, Store, Cast) {
    let db = fresh(backend, tag).await;
    let store = open(&db, VaultKeys::generate()).await;
    store.import_roster(&importer(), "roster.csv", "roster", rows(&cast.society, &cast.people), &|_| {}).await.unwrap();
    (db, store, cast)
}

fn ev(line: u64, received_on: NaiveDate, change: Change) -> NewEvent {
    NewEvent { line, received_on, change }
}

/// Applies a file of events as staff; the file name doubles as its content hash.
async fn apply(store: &Store, file: &str, events: &[NewEvent]) -> Result<EventSummary, StoreError> {
    store.apply_events(&staff(), "events", file, &format!("sha-{file}"), events).await
}

fn retire(who: PersonRef, last_day: NaiveDate) -> Change {
    Change::Lose { who, reason: LossReason::Retirement, event_day: last_day }
}

async fn as_of(store: &Store, on: NaiveDate, id: i64) -> CoverageAsOf {
    let mut rows = store.coverage_as_of(&staff(), on, &[id]).await.unwrap();
    assert_eq!(rows.len(), 1, "one row for one id");
    rows.remove(0)
}

/// Row counts of everything an event file writes.
const EVENT_TABLES: [&str; 12] = [
    "persons",
    "eligibility_events",
    "eligibility_periods",
    "online_outbox",
    "certificates",
    "card_history",
    "dependency_history",
    "name_history",
    "address_history",
    "dependants",
    "standard_remuneration",
    "imports",
];

async fn event_tables(conn: &mut AnyConnection) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for table in EVENT_TABLES {
        out.push((table, count(conn, &format!("SELECT COUNT(*) FROM {table}")).await));
    }
    out
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn card_of(p: &Person) -> (String, String, String, i64) {
    (p.insurer_number.as_str().to_string(), p.card.symbol.clone(), p.card.number.clone(), i64::from(p.card.branch))
}

/// A new person's filing with no card given.
fn acquisition(kind: PersonKind, kana: &str, birth: NaiveDate, on: NaiveDate, insurer: &str) -> NewAcquisition {
    NewAcquisition {
        kind,
        member: None,
        relationship: None,
        cohabiting: true,
        annual_income: None,
        name_kanji: "新規　太郎".into(),
        name_kana: kana.into(),
        birth_date: birth,
        sex: Sex::Male,
        employer_code: None,
        insurer: insurer.into(),
        card: None,
        number: None,
        acquired_on: on,
        reason: "採用".into(),
        my_number: None,
        certificate_requested: false,
        postal_code: None,
        address: None,
        monthly_pay: None,
    }
}

fn institution() -> Institution {
    Institution { code: "1000001".into(), prefecture: 13, name: "第一内科クリニック".into(), address: None }
}

fn line(points: i64, count: u32, days: &[u8]) -> ReceiptLine {
    ReceiptLine {
        kind: LineKind::Procedure,
        care_category: "11".into(),
        payer_code: "1".into(),
        code: "112007410".into(),
        quantity: String::new(),
        points: Some(points),
        count,
        service_days: days.to_vec(),
    }
}

/// An 外来 receipt for `p` with the card (記号, 番号, 枝番) given; `search` is its 検索番号.
fn receipt(p: &Person, card: (&str, &str, u8), search: &str, month: YearMonth, lines: Vec<ReceiptLine>) -> Receipt {
    // 合計点数 = Σ 点数 × 回数.
    let points = lines.iter().map(|l| l.points.unwrap_or(0) * i64::from(l.count)).sum();
    let mut days: Vec<u8> = lines.iter().flat_map(|l| l.service_days.iter().copied()).collect();
    days.sort_unstable();
    days.dedup();
    Receipt {
        kind: ReceiptKind::Medical,
        setting: CareSetting::Outpatient,
        receipt_type: "1112".into(),
        service_month: month,
        institution: institution(),
        patient_name: p.name_kanji.clone(),
        patient_name_kana: p.name_kana.clone(),
        sex: p.sex,
        birth_date: p.birth_date,
        insurer_number: p.insurer_number.as_str().to_string(),
        card_symbol: card.0.into(),
        card_number: card.1.into(),
        card_branch: Some(card.2),
        admission_date: None,
        days: days.len() as u32,
        total_points: points,
        patient_charge: None,
        meal_amount: None,
        search_number: Some(search.into()),
        prescriber: None,
        diagnoses: Vec::new(),
        lines,
        delivery: None,
    }
}

async fn receipt_person(conn: &mut AnyConnection, search: &str) -> Option<i64> {
    let (person,): (Option<i64>,) = sqlx::query_as("SELECT person_id FROM receipts WHERE search_number = $1")
        .bind(search.to_string())
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    person
}

// ---------------------------------------------------------------------------------------------
// 1. 退職: the member and their dependants lose on the day after; history and outbox
// ---------------------------------------------------------------------------------------------

/// 退職 on 2026-03-31: 健康保険法36条 — the 資格喪失日 is the day after, 2026-04-01, so the
/// member is covered on 03-31 and not on 04-01. Both dependants (covered) lose on the member's
/// 喪失日, one event each. Received 2026-04-03: registration due 5 days later, 2026-04-08.
#[tokio::test]
async fn retirement_loses_the_day_after_with_the_dependants_and_queues_three_registrations() {
    for backend in BACKENDS {
        let (_db, store, cast) = setup(backend, "retire", cast()).await;
        let member = cast.member_id();
        let deps = cast.dep_ids();
        let received = day(2026, 4, 3);
        let s =
            apply(&store, "loss.csv", &[ev(1, received, retire(cast.member_card(), day(2026, 3, 31)))]).await.unwrap();
        assert_eq!(
            (s.events, s.lost, s.dependants_lost_with_member, s.outbox, s.acquired, s.corrections),
            (3, 1, 2, 3, 0, 0),
            "{backend}: {s:?}"
        );

        // As of the last day worked: covered; as of the 喪失日: not.
        let before = as_of(&store, day(2026, 3, 31), member).await;
        assert!(before.covered, "{backend}: covered on the 退職日");
        assert_eq!(before.acquired_on.as_deref(), Some("2010-04-01"), "{backend}");
        assert_eq!(before.lost_on.as_deref(), Some("2026-04-01"), "{backend}: 喪失日 = 退職日 + 1");
        assert_eq!(before.card, Some(card_of(&cast.people[cast.member])), "{backend}");
        let after = as_of(&store, day(2026, 4, 1), member).await;
        assert!(!after.covered, "{backend}: not covered on the 喪失日");
        assert_eq!((after.acquired_on, after.lost_on), (None, None), "{backend}: no period covers the day");
        for (&dep, &i) in deps.iter().zip(&cast.deps) {
            let b = as_of(&store, day(2026, 3, 31), dep).await;
            assert!(b.covered, "{backend}: dependant covered on 03-31");
            assert_eq!(b.insured_id, Some(member), "{backend}: under the member on 03-31");
            let rel = cast.people[i].dependant.as_ref().map(|d| d.relationship.label().to_string());
            assert_eq!(b.relationship, rel, "{backend}");
            assert_eq!(b.lost_on.as_deref(), Some("2026-04-01"), "{backend}: the member's 喪失日");
            let a = as_of(&store, day(2026, 4, 1), dep).await;
            assert!(!a.covered, "{backend}: dependant not covered on 04-01");
            assert_eq!(a.insured_id, None, "{backend}: no longer anyone's dependant on 04-01");
        }

        // The history lists the events: the member's loss names the 退職 and its 2 dependants;
        // each dependant's loss names the member's loss event.
        let h = store.person_history(&staff(), member).await.unwrap();
        assert_eq!(h.events.len(), 1, "{backend}: {:?}", h.events);
        let loss = &h.events[0];
        assert_eq!(
            (loss.kind.as_str(), loss.effective_on.as_str(), loss.received_on.as_str(), loss.reason.as_deref()),
            ("lose", "2026-04-01", "2026-04-03", Some("retirement")),
            "{backend}"
        );
        assert_eq!((loss.corrects, loss.corrected_by), (None, None), "{backend}");
        assert_eq!(loss.actor, "staff:eligibility:t", "{backend}");
        assert!(loss.reasoning.iter().any(|l| l.contains("被扶養者 2人")), "{backend}: {:?}", loss.reasoning);
        assert_eq!(
            h.periods,
            vec![(
                "2010-04-01".to_string(),
                Some("2026-04-01".to_string()),
                Some("insured".into()),
                "採用".into(),
                Some("退職等".into())
            )],
            "{backend}"
        );
        let mut event_of = vec![(member, loss.id)];
        for dep in deps {
            let h = store.person_history(&staff(), dep).await.unwrap();
            assert_eq!(h.events.len(), 1, "{backend}");
            let e = &h.events[0];
            assert_eq!(
                (e.kind.as_str(), e.effective_on.as_str(), e.reason.as_deref()),
                ("lose", "2026-04-01", Some("member_lost")),
                "{backend}"
            );
            let cause = format!("事象 {}", loss.id);
            assert!(e.reasoning.iter().any(|l| l.contains(&cause)), "{backend}: {:?}", e.reasoning);
            event_of.push((dep, e.id));
        }

        // The outbox: 3 rows, pending, due received + 5 days = 2026-04-08, each naming its
        // person's event; not overdue on 04-08, overdue on 04-09.
        let rows = store.outbox(&registrar(), None, false, day(2026, 4, 8)).await.unwrap();
        assert_eq!(rows.len(), 3, "{backend}: {rows:?}");
        let mut seen: Vec<(i64, i64)> = rows.iter().map(|r| (r.person_id, r.event_id)).collect();
        seen.sort_unstable();
        event_of.sort_unstable();
        assert_eq!(seen, event_of, "{backend}");
        for r in &rows {
            assert_eq!(
                (r.status.as_str(), r.change.as_str(), r.received_on.as_str(), r.deadline.as_str(), r.overdue),
                ("pending", "lose", "2026-04-03", "2026-04-08", false),
                "{backend}"
            );
            assert_eq!(r.items.lost_on.as_deref(), Some("2026-04-01"), "{backend}");
            // 本人 1, 家族 2.
            let family = if r.person_id == member { 1 } else { 2 };
            assert_eq!(r.items.family, family, "{backend}");
            let reason = if r.person_id == member { "退職等" } else { "被保険者の資格喪失" };
            assert_eq!(r.items.loss_reason.as_deref(), Some(reason), "{backend}");
        }
        let late = store.outbox(&registrar(), Some("pending"), true, day(2026, 4, 9)).await.unwrap();
        assert_eq!(late.len(), 3, "{backend}: past the deadline on 04-09");

        // Handing the rows out marks them sent: none pending after.
        let taken = store.outbox_take(&registrar(), "register.csv", day(2026, 4, 4)).await.unwrap();
        assert_eq!(taken.len(), 3, "{backend}");
        assert!(store.outbox(&registrar(), Some("pending"), false, day(2026, 4, 4)).await.unwrap().is_empty());
        let sent = store.outbox(&registrar(), Some("sent"), false, day(2026, 4, 4)).await.unwrap();
        assert!(sent.iter().all(|r| r.attempts == 1), "{backend}: {sent:?}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Correction of the loss
// ---------------------------------------------------------------------------------------------

/// A correction reverses the loss: the member and both dependants are covered on 2026-04-01
/// again (the dependants under the member), each by a correction event naming the loss event it
/// reverses; the loss events stay. A second correction of the same loss is refused and changes
/// nothing, as is correcting a dependant's loss on its own (it was corrected with the member's).
#[tokio::test]
async fn correcting_a_loss_reopens_member_and_dependants_once_and_keeps_the_loss_events() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "correct", cast()).await;
        let member = cast.member_id();
        let deps = cast.dep_ids();
        apply(&store, "loss.csv", &[ev(1, day(2026, 4, 3), retire(cast.member_card(), day(2026, 3, 31)))])
            .await
            .unwrap();
        let lose_of = |h: &kenpo_store::PersonHistory| h.events.iter().find(|e| e.kind == "lose").unwrap().id;
        let member_loss = lose_of(&store.person_history(&staff(), member).await.unwrap());
        let mut dep_losses = Vec::new();
        for dep in deps {
            dep_losses.push(lose_of(&store.person_history(&staff(), dep).await.unwrap()));
        }

        let fix = [ev(1, day(2026, 4, 10), Change::Correct { event_id: member_loss })];
        let s = apply(&store, "fix.csv", &fix).await.unwrap();
        // One correction each for the member and the two dependants, each registered again.
        assert_eq!((s.events, s.corrections, s.outbox, s.lost), (3, 3, 3, 0), "{backend}: {s:?}");

        for id in [member, deps[0], deps[1]] {
            let c = as_of(&store, day(2026, 4, 1), id).await;
            assert!(c.covered, "{backend}: person {id} covered on 04-01 after the correction");
            assert_eq!(c.lost_on, None, "{backend}: the period is open again");
        }
        for dep in deps {
            assert_eq!(as_of(&store, day(2026, 4, 1), dep).await.insured_id, Some(member), "{backend}");
        }
        // Each person: the loss (corrected by the correction) and the correction naming it.
        for (id, loss) in [(member, member_loss), (deps[0], dep_losses[0]), (deps[1], dep_losses[1])] {
            let h = store.person_history(&staff(), id).await.unwrap();
            let kinds: Vec<&str> = h.events.iter().map(|e| e.kind.as_str()).collect();
            assert_eq!(kinds, vec!["lose", "correction"], "{backend}");
            let correction = &h.events[1];
            assert_eq!(h.events[0].id, loss, "{backend}");
            assert_eq!(correction.corrects, Some(loss), "{backend}: names the event it reverses");
            assert_eq!(h.events[0].corrected_by, Some(correction.id), "{backend}");
            assert_eq!(h.periods.len(), 1, "{backend}");
            assert_eq!(h.periods[0].1, None, "{backend}: 喪失日 cleared");
        }

        // Nothing deleted: 3 loss events + 3 corrections.
        let mut conn = raw(&db).await;
        assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM eligibility_events WHERE kind = 'lose'").await, 3);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM eligibility_events WHERE kind = 'correction'").await, 3);

        // Correcting again (the member's loss, or a dependant's loss alone) is refused.
        let before = event_tables(&mut conn).await;
        let again = apply(&store, "fix-again.csv", &fix).await;
        match &again {
            Err(StoreError::Input(m)) => assert!(m.contains("already corrected"), "{backend}: {m}"),
            other => panic!("{backend}: a second correction must be refused: {other:?}"),
        }
        let dep_alone = [ev(1, day(2026, 4, 10), Change::Correct { event_id: dep_losses[0] })];
        assert!(matches!(apply(&store, "fix-dep.csv", &dep_alone).await, Err(StoreError::Input(_))), "{backend}");
        assert_eq!(event_tables(&mut conn).await, before, "{backend}: refusals change nothing");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Card reissue mid-year
// ---------------------------------------------------------------------------------------------

/// The member's card changes on 2026-07-01 (記号 990, 番号 1, 枝番 00 — no synthetic card has 記号
/// 990). A May receipt carries the old card (in force 2010-04-01 … 2026-06-30), a September one
/// the new card (from 2026-07-01): both are the member's. The old card is never given again: a
/// new member filed with it, or another member's reissue to it, is refused.
#[tokio::test]
async fn card_reissue_matches_receipts_by_the_card_of_their_month_and_never_reuses_the_old_card() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "card", cast()).await;
        let member = cast.member_id();
        let p = cast.people[cast.member].clone();
        let (old_symbol, old_number) = (p.card.symbol.clone(), p.card.number.clone());
        let reissue = Change::Card {
            who: PersonRef::Id(member),
            on: day(2026, 7, 1),
            symbol: "990".into(),
            number: "1".into(),
            branch: 0,
        };
        let s = apply(&store, "card.csv", &[ev(1, day(2026, 6, 20), reissue)]).await.unwrap();
        assert_eq!((s.events, s.changes, s.outbox), (1, 1, 1), "{backend}: {s:?}");

        // As of 06-30 the old card; as of 07-01 the new one.
        let insurer = cast.insurer();
        let june = as_of(&store, day(2026, 6, 30), member).await;
        assert_eq!(june.card, Some((insurer.clone(), old_symbol.clone(), old_number.clone(), 0)), "{backend}");
        let july = as_of(&store, day(2026, 7, 1), member).await;
        assert_eq!(july.card, Some((insurer.clone(), "990".into(), "1".into(), 0)), "{backend}");
        let h = store.person_history(&staff(), member).await.unwrap();
        assert_eq!(
            h.cards,
            vec![
                (old_symbol.clone(), old_number.clone(), 0, "2010-04-01".into(), Some("2026-07-01".into())),
                ("990".into(), "1".into(), 0, "2026-07-01".into(), None),
            ],
            "{backend}"
        );

        let may = YearMonth::from_parts(2026, 5);
        let sep = YearMonth::from_parts(2026, 9);
        let file = vec![
            receipt(&p, (&old_symbol, &old_number, 0), "OLD-05", may, vec![line(75, 1, &[12])]),
            receipt(&p, ("990", "1", 0), "NEW-09", sep, vec![line(75, 1, &[8])]),
        ];
        let r = store.import_receipts(&reviewer(), "2609.UKE", "uke", &file, &[]).await.unwrap();
        assert_eq!((r.receipts, r.matched, r.unmatched), (2, 2, 0), "{backend}: {r:?}");
        let mut conn = raw(&db).await;
        assert_eq!(receipt_person(&mut conn, "OLD-05").await, Some(member), "{backend}: old card, May");
        assert_eq!(receipt_person(&mut conn, "NEW-09").await, Some(member), "{backend}: new card, September");

        // The old card (枝番 00) for a new member of the same employer: refused, nothing written.
        let before = event_tables(&mut conn).await;
        let mut a = acquisition(PersonKind::Insured, "シンキ　タロウ", day(1990, 1, 1), day(2026, 8, 1), &insurer);
        a.employer_code = Some(cast.employer());
        a.card = Some((old_symbol.clone(), old_number.clone(), 0));
        let err = apply(&store, "reuse.csv", &[ev(1, day(2026, 8, 3), Change::Acquire(Box::new(a)))]).await;
        match &err {
            Err(StoreError::Input(m)) => {
                assert!(m.contains("reuse.csv:1: column 被保険者証番号"), "{backend}: {m}");
                assert!(m.contains("already issued"), "{backend}: {m}");
            }
            other => panic!("{backend}: the old card must not be issued again: {other:?}"),
        }
        // Nor may another member's card be changed to it.
        let other = cast
            .people
            .iter()
            .position(|q| {
                q.kind == PersonKind::Insured
                    && q.card.symbol != old_symbol
                    && q.eligibility.iter().all(|e| e.acquired_on < day(2026, 8, 1) && e.lost_on.is_none())
            })
            .expect("another member, covered since before 2026-08-01");
        let to_old = Change::Card {
            who: PersonRef::Id(cast.id(other)),
            on: day(2026, 8, 1),
            symbol: old_symbol.clone(),
            number: old_number.clone(),
            branch: 0,
        };
        match apply(&store, "reuse2.csv", &[ev(1, day(2026, 8, 3), to_old)]).await {
            Err(StoreError::Input(m)) => assert!(m.contains("already issued to someone else"), "{backend}: {m}"),
            other => panic!("{backend}: another member may not take the old card: {other:?}"),
        }
        assert_eq!(event_tables(&mut conn).await, before, "{backend}: refusals change nothing");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 4. A receipt after the loss
// ---------------------------------------------------------------------------------------------

/// 退職 on 2026-05-15 → 喪失日 2026-05-16. A June receipt for the 3rd and the 10th (two lines,
/// the 10th on both) has every service day after the loss; a May receipt for the 7th is inside
/// the period. The review of June finds the June receipt once under `eligibility.outside_period`
/// and nothing else; the receipts-after-loss list for May–July has it once: 2 days outside
/// (3rd, 10th), first 2026-06-03; the member (born 1975-06-01) is 51 that day → 3割, so the
/// society paid 点数 × 10円 × 7/10: (75 × 2 + 30 × 1) = 180点 → 180 × 10 × 7/10 = 1,260円.
#[tokio::test]
async fn receipt_after_loss_is_found_once_by_review_and_listed_once_with_what_the_society_paid() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "afterloss", cast()).await;
        let member = cast.member_id();
        apply(&store, "loss.csv", &[ev(1, day(2026, 5, 18), retire(PersonRef::Id(member), day(2026, 5, 15)))])
            .await
            .unwrap();
        let p = &cast.people[cast.member];
        let card = (p.card.symbol.as_str(), p.card.number.as_str(), 0);
        let may = YearMonth::from_parts(2026, 5);
        let june = YearMonth::from_parts(2026, 6);
        let file = vec![
            receipt(p, card, "IN-05", may, vec![line(75, 1, &[7])]),
            receipt(p, card, "LATE-06", june, vec![line(75, 2, &[3, 10]), line(30, 1, &[10])]),
        ];
        let s = store.import_receipts(&reviewer(), "2606.UKE", "uke", &file, &[]).await.unwrap();
        assert_eq!((s.receipts, s.matched), (2, 2), "{backend}: matched by the card the member held");
        let mut conn = raw(&db).await;
        let late = receipt_id(&mut conn, "LATE-06").await;

        let may_review = store.run_review(&reviewer(), may).await.unwrap();
        assert_eq!(may_review.findings, 0, "{backend}: the 7th of May is covered: {may_review:?}");
        let review = store.run_review(&reviewer(), june).await.unwrap();
        assert_eq!(review.findings, 1, "{backend}: {review:?}");
        let by_rule: Vec<(&str, u64)> = review.by_rule.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(by_rule, vec![("eligibility.outside_period", 1)], "{backend}");
        let found = store.review_findings(&reviewer(), Some(june), None).await.unwrap();
        assert_eq!(found.len(), 1, "{backend}");
        assert_eq!((found[0].receipt_id, found[0].person_id), (late, Some(member)), "{backend}");
        assert_eq!(found[0].detail, "資格喪失日 2026-05-16 以後の診療日が 2 日", "{backend}");

        let listed = store.receipts_after_loss(&reviewer(), may, YearMonth::from_parts(2026, 7)).await.unwrap();
        assert_eq!(listed.len(), 1, "{backend}: {listed:?}");
        let r = &listed[0];
        assert_eq!((r.receipt_id, r.person_id, r.service_month.as_str()), (late, member, "2026-06"), "{backend}");
        assert_eq!((r.total_points, r.days_outside, r.first_day_outside.as_str()), (180, 2, "2026-06-03"));
        assert_eq!((r.lost_on.as_deref(), r.loss_reason.as_deref()), (Some("2026-05-16"), Some("退職等")));
        assert_eq!((r.patient_share, r.society_paid), (3, 1_260), "{backend}: 180点 × 10 × 7/10");
        // Nobody else should have paid (not a 75歳到達): the society asks the person back.
        assert_eq!((r.should_have_paid.as_deref(), r.action.as_str()), (None, "返還請求"), "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 5. 任意継続: the 20-day deadline
// ---------------------------------------------------------------------------------------------

/// 退職 on 2026-03-31 → 喪失日 2026-04-01 (a Wednesday). 健康保険法37条: apply within 20 days
/// counting the 喪失日 as day 1 → day 20 is 04-01 + 19 = 2026-04-20, a Monday (no weekend shift).
/// Applied on day 21 (04-21): refused, nothing written. Applied on day 20: a voluntary period from
/// the 喪失日 04-01; as of 04-20 (and 04-01) the kind is `voluntary`, as of 03-31 still `insured`;
/// the dependants who lost with the member are covered again from 04-01 under them.
#[tokio::test]
async fn voluntary_continuation_is_accepted_on_day_20_and_refused_on_day_21() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "voluntary", cast()).await;
        let member = cast.member_id();
        apply(&store, "loss.csv", &[ev(1, day(2026, 4, 2), retire(PersonRef::Id(member), day(2026, 3, 31)))])
            .await
            .unwrap();
        let mut conn = raw(&db).await;
        let before = event_tables(&mut conn).await;

        let day21 =
            [ev(1, day(2026, 4, 21), Change::Voluntary { who: PersonRef::Id(member), applied_on: day(2026, 4, 21) })];
        match apply(&store, "late.csv", &day21).await {
            Err(StoreError::Input(m)) => assert!(m.contains("late.csv:1: column 申出日"), "{backend}: {m}"),
            other => panic!("{backend}: day 21 must be refused: {other:?}"),
        }
        assert_eq!(event_tables(&mut conn).await, before, "{backend}: the refusal wrote nothing");
        assert!(!as_of(&store, day(2026, 4, 21), member).await.covered, "{backend}");

        let day20 =
            [ev(1, day(2026, 4, 20), Change::Voluntary { who: PersonRef::Id(member), applied_on: day(2026, 4, 20) })];
        let s = apply(&store, "ontime.csv", &day20).await.unwrap();
        // One event; registrations for the member and both dependants; one 資格確認書.
        assert_eq!((s.events, s.voluntary, s.outbox, s.certificates), (1, 1, 3, 1), "{backend}: {s:?}");
        for on in [day(2026, 4, 1), day(2026, 4, 20)] {
            let c = as_of(&store, on, member).await;
            assert!(c.covered, "{backend}: covered on {on}");
            assert_eq!(c.kind, "voluntary", "{backend}: {on}");
            assert_eq!(c.acquired_on.as_deref(), Some("2026-04-01"), "{backend}: from the 喪失日");
        }
        assert_eq!(as_of(&store, day(2026, 3, 31), member).await.kind, "insured", "{backend}: before, employed");
        for dep in cast.dep_ids() {
            let c = as_of(&store, day(2026, 4, 1), dep).await;
            assert!(c.covered, "{backend}: dependant covered again from 04-01");
            assert_eq!((c.kind.as_str(), c.insured_id), ("dependant", Some(member)), "{backend}");
        }
        let h = store.person_history(&staff(), member).await.unwrap();
        assert_eq!(h.periods.len(), 2, "{backend}");
        assert_eq!(h.periods[1], ("2026-04-01".into(), None, Some("voluntary".into()), "任意継続".into(), None));
        // No 個人番号 on file → a 資格確認書, valid 5 years: 2026-04-01 … 2031-03-31 (the 75th
        // birthday, 2050-06-01, is later).
        let certs = store.certificates(&staff(), None, Some(member)).await.unwrap();
        assert_eq!(certs.len(), 1, "{backend}");
        assert_eq!(
            (certs[0].kind.as_str(), certs[0].valid_from.as_str(), certs[0].valid_until.as_deref()),
            ("certificate", "2026-04-01", Some("2031-03-31")),
            "{backend}"
        );
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 6. All or nothing
// ---------------------------------------------------------------------------------------------

/// A file of three events — a new member, the cast member's 退職 (with two dependants), and a loss
/// naming a card nobody holds (記号 991, 番号 4444444) — is refused as a whole: the error names the
/// file, line 3 and the column, never the card; no table an event writes has changed. The two good
/// events then apply on their own.
#[tokio::test]
async fn a_file_with_one_bad_event_is_refused_whole_and_the_error_names_line_and_column_only() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "allornothing", cast()).await;
        let mut conn = raw(&db).await;
        let before = event_tables(&mut conn).await;
        let insurer = cast.insurer();
        let mut a = acquisition(PersonKind::Insured, "シンキ　ハナコ", day(1995, 2, 2), day(2026, 4, 1), &insurer);
        a.employer_code = Some(cast.employer());
        let good = vec![
            ev(1, day(2026, 4, 2), Change::Acquire(Box::new(a))),
            ev(2, day(2026, 4, 2), retire(cast.member_card(), day(2026, 3, 31))),
        ];
        let mut file = good.clone();
        file.push(ev(
            3,
            day(2026, 4, 2),
            retire(
                PersonRef::Card { insurer: insurer.clone(), symbol: "991".into(), number: "4444444".into(), branch: 0 },
                day(2026, 3, 31),
            ),
        ));
        let err = apply(&store, "bad.csv", &file).await;
        let message = match &err {
            Err(StoreError::Input(m)) => m.clone(),
            other => panic!("{backend}: the file must be refused: {other:?}"),
        };
        assert!(message.starts_with("bad.csv:3: column "), "{backend}: {message}");
        assert!(message.contains("記号・番号"), "{backend}: {message}");
        assert!(!message.contains("4444444") && !message.contains("991"), "{backend}: a card in the error: {message}");
        assert_eq!(event_tables(&mut conn).await, before, "{backend}: nothing of lines 1–2 is kept");
        assert!(as_of(&store, day(2026, 4, 1), cast.member_id()).await.covered, "{backend}: still covered");

        // 1 acquisition + the member's loss and two dependants' losses.
        let s = apply(&store, "good.csv", &good).await.unwrap();
        assert_eq!((s.events, s.acquired, s.lost, s.dependants_lost_with_member), (4, 1, 1, 2), "{backend}: {s:?}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 7. A new member and their dependant
// ---------------------------------------------------------------------------------------------

/// A new member of the cast's employer filed without a card gets the employer's 記号 (the one its
/// members carry) and the next 番号 under it: the largest numeric 番号 ever issued under that 記号
/// plus one, zero-padded to the longest such 番号; 枝番 00. Their dependant, filed in the same file
/// naming the member by カナ氏名 and birth date, takes the member's card with the next 枝番, 01.
/// Ids follow the roster: n + 1 and n + 2. No 個人番号 filed → a 資格確認書 each, valid 5 years
/// from 2026-05-01: until 2031-04-30.
#[tokio::test]
async fn a_new_member_gets_the_next_number_under_the_employer_and_a_dependant_the_next_branch() {
    for backend in BACKENDS {
        let (_db, store, cast) = setup(backend, "acquire", cast()).await;
        let insurer = cast.insurer();
        let employer = cast.employer();
        let symbol = cast.people[cast.member].card.symbol.clone();
        // The rule worked over the roster as loaded: the 番号 under the employer's 記号.
        let numbers: Vec<&str> =
            cast.people.iter().filter(|p| p.card.symbol == symbol).map(|p| p.card.number.as_str()).collect();
        let width = numbers.iter().map(|n| n.len()).max().unwrap();
        let next = numbers.iter().map(|n| n.parse::<u64>().unwrap()).max().unwrap() + 1;
        let number = format!("{next:0width$}");

        let on = day(2026, 5, 1);
        let mut m = acquisition(PersonKind::Insured, "シンキ　イチロウ", day(1996, 7, 7), on, &insurer);
        m.employer_code = Some(employer.clone());
        let mut d = acquisition(PersonKind::Dependant, "シンキ　ハナ", day(1997, 9, 9), on, &insurer);
        d.name_kanji = "新規　花".into();
        d.sex = Sex::Female;
        d.reason = "被扶養者認定".into();
        d.relationship = Some(Relationship::Spouse);
        d.member = Some(PersonRef::KanaBirth { kana: "シンキ　イチロウ".into(), birth: day(1996, 7, 7) });
        let file = [
            ev(1, day(2026, 5, 7), Change::Acquire(Box::new(m))),
            ev(2, day(2026, 5, 7), Change::Acquire(Box::new(d))),
        ];
        let s = apply(&store, "new.csv", &file).await.unwrap();
        assert_eq!((s.events, s.acquired, s.outbox, s.certificates), (2, 2, 2, 2), "{backend}: {s:?}");

        let member = cast.people.len() as i64 + 1;
        let dependant = member + 1;
        let got = store.coverage_as_of(&staff(), on, &[member, dependant]).await.unwrap();
        assert_eq!(got.len(), 2, "{backend}");
        assert_eq!(got[0].person_id, member, "{backend}");
        assert!(got[0].covered && got[0].kind == "insured", "{backend}: {:?}", got[0]);
        assert_eq!(got[0].card, Some((insurer.clone(), symbol.clone(), number.clone(), 0)), "{backend}");
        assert_eq!(got[0].insured_id, None, "{backend}");
        assert_eq!(got[1].person_id, dependant, "{backend}");
        assert!(got[1].covered && got[1].kind == "dependant", "{backend}: {:?}", got[1]);
        assert_eq!(got[1].card, Some((insurer.clone(), symbol.clone(), number.clone(), 1)), "{backend}");
        assert_eq!((got[1].insured_id, got[1].relationship.as_deref()), (Some(member), Some("配偶者")), "{backend}");
        // Not covered the day before.
        assert!(!as_of(&store, day(2026, 4, 30), member).await.covered, "{backend}");

        for (id, family) in [(member, "本人"), (dependant, "家族")] {
            let certs = store.certificates(&staff(), None, Some(id)).await.unwrap();
            assert_eq!(certs.len(), 1, "{backend}");
            let c = &certs[0];
            assert_eq!(
                (c.kind.as_str(), c.valid_from.as_str(), c.valid_until.as_deref(), c.family.as_str()),
                ("certificate", "2026-05-01", Some("2031-04-30"), family),
                "{backend}"
            );
            assert_eq!(c.card, (symbol.clone(), number.clone(), i64::from(id == dependant)), "{backend}");
            assert_eq!(c.acquired_on.as_deref(), Some("2026-05-01"), "{backend}");
        }
        let dep_cert = &store.certificates(&staff(), None, Some(dependant)).await.unwrap()[0];
        assert_eq!(dep_cert.member_name.as_deref(), Some("新規　太郎"), "{backend}: the member named on it");
        // Registered: due 5 days after 05-07.
        let rows = store.outbox(&registrar(), None, false, day(2026, 5, 7)).await.unwrap();
        assert_eq!(rows.len(), 2, "{backend}");
        assert!(rows.iter().all(|r| r.change == "acquire" && r.deadline == "2026-05-12"), "{backend}: {rows:?}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 8. The as-of lookup over many people
// ---------------------------------------------------------------------------------------------

/// Everyone of a synthetic society larger than one lookup batch (5,000 ids), asked in descending
/// id order: one row per id, in ascending id order, each as the roster says for 2026-10-01 — a
/// period covers the day when 取得日 ≤ day < 喪失日; the card is the roster's from the first
/// 取得日 on; a dependant is under the member of its family (the 本人 above it in the file).
#[tokio::test]
async fn coverage_as_of_many_ids_returns_one_row_per_id_in_id_order() {
    for backend in BACKENDS {
        let db = fresh(backend, "asofmany").await;
        let store = open(&db, VaultKeys::generate()).await;
        let (society, people) = society(2_900);
        assert!(people.len() > kenpo_store::AS_OF_BATCH, "more people than one batch: {}", people.len());
        store.import_roster(&importer(), "roster.csv", "r", rows(&society, &people), &|_| {}).await.unwrap();
        let on = day(2026, 10, 1);
        let ids: Vec<i64> = (1..=people.len() as i64).rev().collect();
        let got = store.coverage_as_of(&staff(), on, &ids).await.unwrap();
        assert_eq!(got.len(), people.len(), "{backend}: one row per id");
        let got_ids: Vec<i64> = got.iter().map(|c| c.person_id).collect();
        let want_ids: Vec<i64> = (1..=people.len() as i64).collect();
        assert!(got_ids == want_ids, "{backend}: rows in id order");

        let mut member = 0i64;
        for (i, (p, c)) in people.iter().zip(&got).enumerate() {
            let id = i as i64 + 1;
            if p.kind.is_insured() {
                member = id;
            }
            let period = p.eligibility.iter().find(|e| e.covers(on));
            let since = p.eligibility.iter().map(|e| e.acquired_on).min().unwrap_or(p.birth_date);
            let dependant = p.kind == PersonKind::Dependant && since <= on;
            let want = CoverageAsOf {
                person_id: id,
                covered: period.is_some(),
                kind: p.kind.code().to_string(),
                acquired_on: period.map(|e| iso(e.acquired_on)),
                lost_on: period.and_then(|e| e.lost_on.map(iso)),
                card: (since <= on).then(|| card_of(p)),
                insured_id: dependant.then_some(member),
                relationship: dependant
                    .then(|| p.dependant.as_ref().map_or("その他", |d| d.relationship.label()).to_string()),
            };
            assert_eq!(c, &want, "{backend}: person {id}");
        }
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// 9. 検認
// ---------------------------------------------------------------------------------------------

/// The 2026 検認 as of 2026-06-01 lists every dependant covered that day: the roster's dependants
/// covered on 06-01 less the cast's second dependant, removed (被扶養者非該当) from 2026-05-01.
/// The list runs per employer then card, the dependants of a 任意継続 member (no employer) after
/// the employers', the same on both backends. An outcome recorded for a listed dependant is kept;
/// a batch naming someone not listed is refused whole.
#[tokio::test]
async fn kenin_lists_dependants_covered_on_the_day_and_refuses_a_batch_naming_someone_else() {
    for backend in BACKENDS {
        let mut c = cast();
        // Another family made 任意継続: no employer on the member's or the dependants' rows.
        let vol = (0..c.people.len() - 1)
            .find(|&i| {
                i != c.member
                    && c.people[i].kind == PersonKind::Insured
                    && c.people[i + 1].kind == PersonKind::Dependant
                    && c.people[i].covered_on(day(2026, 6, 1))
                    && c.people[i + 1].covered_on(day(2026, 6, 1))
            })
            .expect("another family with a dependant");
        c.people[vol].kind = PersonKind::VoluntaryContinuation;
        c.people[vol].employer_code = None;
        for p in c.people[vol + 1..].iter_mut().take_while(|p| p.kind == PersonKind::Dependant) {
            p.employer_code = None;
        }
        let (_db, store, cast) = setup(backend, "kenin", c).await;
        let [dep1, dep2] = cast.dep_ids();
        let removal = Change::Lose {
            who: PersonRef::Id(dep2),
            reason: LossReason::NoLongerDependant,
            event_day: day(2026, 5, 1),
        };
        apply(&store, "remove.csv", &[ev(1, day(2026, 5, 7), removal)]).await.unwrap();

        let on = day(2026, 6, 1);
        let list = store.dependant_checks(&staff(), 2026, on).await.unwrap();
        // Expected: the roster's dependants covered on 06-01, without dep2; ordered by employer
        // (none last), then 記号, 番号, 枝番.
        let mut member_employer: Option<String> = None;
        let mut want: Vec<(Option<String>, String, String, i64, i64)> = Vec::new();
        for (i, p) in cast.people.iter().enumerate() {
            if p.kind.is_insured() {
                member_employer = p.employer_code.clone();
            }
            let id = cast.id(i);
            if p.kind == PersonKind::Dependant && p.covered_on(on) && id != dep2 {
                want.push((
                    member_employer.clone(),
                    p.card.symbol.clone(),
                    p.card.number.clone(),
                    i64::from(p.card.branch),
                    id,
                ));
            }
        }
        want.sort_by(|a, b| (a.0.is_none(), &a.0, &a.1, &a.2, a.3).cmp(&(b.0.is_none(), &b.0, &b.1, &b.2, b.3)));
        let got: Vec<(Option<String>, String, String, i64, i64)> = list
            .iter()
            .map(|r| (r.employer_code.clone(), r.card.0.clone(), r.card.1.clone(), r.card.2, r.person_id))
            .collect();
        assert_eq!(got, want, "{backend}");
        assert!(got.iter().any(|g| g.0.is_none()), "{backend}: the 任意継続 family is listed");
        let row1 = list.iter().find(|r| r.person_id == dep1).expect("dep1 listed");
        assert_eq!(
            (row1.member_id, row1.listed_on.as_str(), row1.outcome.as_deref()),
            (cast.member_id(), "2026-06-01", None)
        );

        let answer = |line: u64, person_id: i64, outcome: &'static str| DependantCheckResult {
            line,
            person_id,
            answered_on: day(2026, 7, 10),
            outcome,
            reasoning: vec!["年間収入 0円 < 130万円: 認定".into()],
        };
        assert_eq!(
            store
                .record_dependant_checks(&staff(), "kenin1.csv", 2026, &[answer(2, dep1, "recognised")])
                .await
                .unwrap(),
            1
        );
        // A batch whose 2nd result names dep2 (not listed: not covered on 06-01) stores nothing,
        // not even the 1st result for a listed dependant.
        let other = want.iter().map(|w| w.4).find(|&id| id != dep1).expect("another listed dependant");
        let batch = [answer(2, other, "refused"), answer(3, dep2, "recognised")];
        match store.record_dependant_checks(&staff(), "kenin2.csv", 2026, &batch).await {
            Err(StoreError::Input(m)) => assert!(m.starts_with("kenin2.csv:3: column "), "{backend}: {m}"),
            other => panic!("{backend}: must be refused: {other:?}"),
        }
        // Listing again adds nobody and shows the one stored outcome.
        let again = store.dependant_checks(&staff(), 2026, on).await.unwrap();
        assert_eq!(again.len(), list.len(), "{backend}");
        let answered: Vec<(i64, Option<&str>, Option<&str>)> = again
            .iter()
            .filter(|r| r.outcome.is_some())
            .map(|r| (r.person_id, r.outcome.as_deref(), r.answered_on.as_deref()))
            .collect();
        assert_eq!(answered, vec![(dep1, Some("recognised"), Some("2026-07-10"))], "{backend}");
        let r1 = again.iter().find(|r| r.person_id == dep1).unwrap();
        assert_eq!(r1.reasoning, Some(vec!["年間収入 0円 < 130万円: 認定".to_string()]), "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Name and address changes (and their correction)
// ---------------------------------------------------------------------------------------------

/// A name change on 2026-08-01 and an address change on 2026-08-01 for the member: the current
/// name is the new one, the old one is kept in the history; a correction of the name change puts
/// the old name back by a new event naming it.
#[tokio::test]
async fn name_and_address_changes_keep_the_old_values_and_a_correction_restores_the_name() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "name", cast()).await;
        let member = cast.member_id();
        let old = cast.people[cast.member].name_kanji.clone();
        let file = [
            ev(
                1,
                day(2026, 8, 3),
                Change::Name {
                    who: PersonRef::Id(member),
                    on: day(2026, 8, 1),
                    kanji: "改姓　太郎".into(),
                    kana: "カイセイ　タロウ".into(),
                },
            ),
            ev(
                2,
                day(2026, 8, 3),
                Change::Address {
                    who: PersonRef::Id(member),
                    on: day(2026, 8, 1),
                    postal_code: "100-0001".into(),
                    address: "東京都千代田区千代田1-1".into(),
                },
            ),
        ];
        let s = apply(&store, "change.csv", &file).await.unwrap();
        assert_eq!((s.events, s.changes), (2, 2), "{backend}: {s:?}");
        let mut conn = raw(&db).await;
        let name: (String,) = sqlx::query_as("SELECT name_kanji FROM persons WHERE id = $1")
            .bind(member)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(name.0, "改姓　太郎", "{backend}");
        let kept: (String,) = sqlx::query_as("SELECT name_kanji FROM name_history WHERE person_id = $1")
            .bind(member)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(kept.0, old, "{backend}: the old name in the history");

        let h = store.person_history(&staff(), member).await.unwrap();
        let name_event = h.events.iter().find(|e| e.kind == "name").expect("name event").id;
        apply(&store, "fix.csv", &[ev(1, day(2026, 8, 10), Change::Correct { event_id: name_event })]).await.unwrap();
        let name: (String,) = sqlx::query_as("SELECT name_kanji FROM persons WHERE id = $1")
            .bind(member)
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(name.0, old, "{backend}: the correction restores the old name");
        let h = store.person_history(&staff(), member).await.unwrap();
        let kinds: Vec<&str> = h.events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, vec!["name", "address", "correction"], "{backend}");
        assert_eq!(h.events[2].corrects, Some(name_event), "{backend}");
        store.close().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Correcting a 任意継続
// ---------------------------------------------------------------------------------------------

/// 退職 on 2026-03-31 (喪失日 04-01, both dependants with the member), 任意継続 applied on 04-10
/// (covered again from 04-01, the dependants too). The 任意継続 is then corrected (it was never
/// accepted): it never covered a day, so on 04-01 neither the member nor the dependants it had
/// covered again are covered. The loss, which the 任意継続 rested on ("correct that first"), can
/// then be corrected too: all three covered on 04-01 as before, the dependants under the member.
#[tokio::test]
async fn correcting_a_voluntary_continuation_reverses_it_for_the_dependants_and_frees_the_loss() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "volfix", cast()).await;
        let member = cast.member_id();
        let deps = cast.dep_ids();
        apply(&store, "loss.csv", &[ev(1, day(2026, 4, 2), retire(PersonRef::Id(member), day(2026, 3, 31)))])
            .await
            .unwrap();
        let vol = Change::Voluntary { who: PersonRef::Id(member), applied_on: day(2026, 4, 10) };
        apply(&store, "vol.csv", &[ev(1, day(2026, 4, 10), vol)]).await.unwrap();
        let h = store.person_history(&staff(), member).await.unwrap();
        let loss = h.events.iter().find(|e| e.kind == "lose").unwrap().id;
        let voluntary = h.events.iter().find(|e| e.kind == "voluntary").unwrap().id;

        let s = apply(&store, "volfix.csv", &[ev(1, day(2026, 4, 15), Change::Correct { event_id: voluntary })])
            .await
            .unwrap();
        // One correction; the cover it withdraws is registered for all three.
        assert_eq!((s.events, s.corrections, s.outbox), (1, 1, 3), "{backend}: {s:?}");
        for id in [member, deps[0], deps[1]] {
            assert!(!as_of(&store, day(2026, 4, 1), id).await.covered, "{backend}: person {id} covered on 04-01");
        }

        apply(&store, "lossfix.csv", &[ev(1, day(2026, 4, 16), Change::Correct { event_id: loss })]).await.unwrap();
        let m = as_of(&store, day(2026, 4, 1), member).await;
        assert!(m.covered && m.kind == "insured", "{backend}: {m:?}");
        for dep in deps {
            let d = as_of(&store, day(2026, 4, 1), dep).await;
            assert!(d.covered, "{backend}: dependant {dep} covered again: {d:?}");
            assert_eq!(d.insured_id, Some(member), "{backend}");
        }
        // One current link per dependant: the one the loss closed, open again; the one the
        // 任意継続 opened stays void (closed on its first day).
        let mut conn = raw(&db).await;
        for dep in deps {
            let open =
                format!("SELECT COUNT(*) FROM dependency_history WHERE person_id = {dep} AND valid_until IS NULL");
            assert_eq!(count(&mut conn, &open).await, 1, "{backend}: dependant {dep}");
        }
        store.close().await;
    }
}

/// The age milestones (§5): the 70–74 share starts the month of a 70th birthday on the 1st
/// (born 1956-08-01 → 70 on 2026-08-01, reached at the end of 07-31 → from 2026-08), and
/// membership ends on the 75th birthday (born 1951-10-15 → 2026-10-15, that day itself).
#[tokio::test]
async fn age_milestones_start_the_elderly_share_and_end_coverage_at_75() {
    for backend in BACKENDS {
        let mut c = cast();
        let member = c.member;
        c.people[member].birth_date = day(1956, 8, 1);
        // The spouse (first dependant) is older: 75 on 2026-10-15.
        c.people[c.deps[0]].birth_date = day(1951, 10, 15);
        let (_db, store, c) = setup(backend, "age", c).await;
        let (m, [spouse, child]) = (c.member_id(), c.dep_ids());

        // 2026-08-01: the member starts the share; nobody is 75 yet (the spouse is 74).
        let found = store.age_milestones(&staff(), day(2026, 8, 1)).await.unwrap();
        // (Other synthetic people may reach a milestone too: the assertions name ours.)
        assert!(!found.dependants_75.contains(&spouse), "{backend}: the spouse is 74 on 2026-08-01");
        assert!(found.elderly.contains(&(m, YearMonth::from_parts(2026, 8))), "{backend}");
        let elderly_event = Change::Elderly { who: PersonRef::Id(m), month: YearMonth::from_parts(2026, 8) };
        let s = apply(&store, "elderly", &[ev(1, day(2026, 8, 1), elderly_event.clone())]).await.unwrap();
        assert_eq!((s.events, s.outbox), (1, 1), "{backend}: one event, one registration");
        // Its registration carries the share the rule gives for the member's 標準報酬月額 on
        // 2026-08-01 (3割 from 280,000, else 2割).
        let standard = c.people[member].remuneration_on(day(2026, 8, 1)).map_or(0, |r| r.monthly_amount);
        let expected = if standard >= 280_000 { 3 } else { 2 };
        let rows = store.outbox(&registrar(), Some("pending"), false, day(2026, 8, 2)).await.unwrap();
        let row = rows.iter().find(|r| r.person_id == m).expect("the member's registration");
        assert_eq!(row.items.elderly_share, Some(expected), "{backend}");
        // Recorded once: the same start again is refused, and the milestone is not offered again.
        let again = apply(&store, "elderly-again", &[ev(1, day(2026, 8, 2), elderly_event)]).await.unwrap_err();
        assert!(again.to_string().contains("開始月"), "{backend}: {again}");
        let found = store.age_milestones(&staff(), day(2026, 8, 20)).await.unwrap();
        assert!(!found.elderly.iter().any(|e| e.0 == m), "{backend}");
        // A wrong month is refused: the rule decides the month, not the caller.
        let wrong = Change::Elderly { who: PersonRef::Id(spouse), month: YearMonth::from_parts(2026, 8) };
        assert!(apply(&store, "elderly-wrong", &[ev(1, day(2026, 8, 2), wrong)]).await.is_err(), "{backend}");

        // 2026-10-15: the spouse reaches 75 and leaves that day; the member and the child stay.
        let found = store.age_milestones(&staff(), day(2026, 10, 15)).await.unwrap();
        assert!(found.dependants_75.contains(&spouse), "{backend}: a dependant, listed apart");
        assert!(!found.members_75.contains(&m) && !found.dependants_75.contains(&child), "{backend}");
        let lose = Change::Lose { who: PersonRef::Id(spouse), reason: LossReason::Age75, event_day: day(2026, 10, 15) };
        apply(&store, "age75", &[ev(1, day(2026, 10, 15), lose)]).await.unwrap();
        assert!(as_of(&store, day(2026, 10, 14), spouse).await.covered, "{backend}: covered the day before");
        assert!(!as_of(&store, day(2026, 10, 15), spouse).await.covered, "{backend}: not on the birthday");
        assert!(as_of(&store, day(2026, 10, 15), child).await.covered, "{backend}: the child stays");
        assert!(as_of(&store, day(2026, 10, 15), m).await.covered, "{backend}: the member stays");
    }
}

/// A dependant whose coverage would start after the member's 喪失日 (a child born 2026-08-01,
/// filed before the member's 退職 of 2026-05-31 reached the society) was never covered: the
/// member's loss closes the child's period on its first day (2026-08-01 … 2026-08-01, no day),
/// and the spouse loses on the member's 喪失日 2026-06-01 as usual.
#[tokio::test]
async fn a_dependant_recognised_after_the_members_loss_was_never_covered() {
    for backend in BACKENDS {
        let mut c = cast();
        let child = c.deps[1];
        c.people[child].birth_date = day(2026, 8, 1);
        c.people[child].eligibility[0].acquired_on = day(2026, 8, 1);
        let (_db, store, c) = setup(backend, "late_child", c).await;
        let (m, [spouse, child]) = (c.member_id(), c.dep_ids());
        let s = apply(&store, "retire", &[ev(1, day(2026, 6, 3), retire(PersonRef::Id(m), day(2026, 5, 31)))])
            .await
            .unwrap();
        assert_eq!((s.lost, s.dependants_lost_with_member), (1, 2), "{backend}: {s:?}");
        assert!(!as_of(&store, day(2026, 8, 1), child).await.covered, "{backend}: never covered");
        assert!(!as_of(&store, day(2026, 9, 1), child).await.covered, "{backend}");
        assert!(as_of(&store, day(2026, 5, 31), spouse).await.covered, "{backend}");
        assert!(!as_of(&store, day(2026, 6, 1), spouse).await.covered, "{backend}");
        let h = store.person_history(&staff(), child).await.unwrap();
        assert_eq!(h.periods[0].0, "2026-08-01", "{backend}");
        assert_eq!(h.periods[0].1.as_deref(), Some("2026-08-01"), "{backend}: closed on its first day");
    }
}

/// 任意継続 ends after two years (Art. 38(1)): from 2026-04-01 (the 喪失日 after a 退職 on
/// 2026-03-31) the last covered day is 2028-03-31 and the 喪失日 is 2028-04-01 (2026-04-01 plus
/// two years); the dependants covered again with it lose with the member.
#[tokio::test]
async fn voluntary_continuation_ends_after_two_years_with_its_dependants() {
    for backend in BACKENDS {
        let (_db, store, cast) = setup(backend, "two_years", cast()).await;
        let m = cast.member_id();
        apply(&store, "loss", &[ev(1, day(2026, 4, 2), retire(PersonRef::Id(m), day(2026, 3, 31)))]).await.unwrap();
        let apply_voluntary =
            [ev(1, day(2026, 4, 10), Change::Voluntary { who: PersonRef::Id(m), applied_on: day(2026, 4, 10) })];
        apply(&store, "voluntary", &apply_voluntary).await.unwrap();
        assert!(!store.voluntary_ends(&staff(), day(2028, 3, 31)).await.unwrap().iter().any(|v| v.0 == m), "{backend}");
        let due = store.voluntary_ends(&staff(), day(2028, 4, 1)).await.unwrap();
        assert!(due.contains(&(m, day(2026, 4, 1))), "{backend}: {due:?}");
        let end = Change::Lose { who: PersonRef::Id(m), reason: LossReason::TwoYears, event_day: day(2026, 4, 1) };
        let s = apply(&store, "two-years", &[ev(1, day(2028, 4, 1), end)]).await.unwrap();
        assert_eq!((s.lost, s.dependants_lost_with_member), (1, 2), "{backend}: {s:?}");
        assert!(as_of(&store, day(2028, 3, 31), m).await.covered, "{backend}");
        assert!(!as_of(&store, day(2028, 4, 1), m).await.covered, "{backend}");
        for dep in cast.dep_ids() {
            assert!(!as_of(&store, day(2028, 4, 1), dep).await.covered, "{backend}");
        }
    }
}

/// 転勤 within the society: the member's 事業所 changes from 2026-10-01, the old one is kept in
/// the history, the dependants follow (their employer is the member's), and a correction puts
/// the old 事業所 back while both events stay.
#[tokio::test]
async fn a_transfer_keeps_the_old_employer_and_a_correction_restores_it() {
    for backend in BACKENDS {
        let (_db, store, cast) = setup(backend, "transfer", cast()).await;
        let m = cast.member_id();
        let old = cast.employer();
        let new = cast
            .society
            .employers
            .iter()
            .map(|e| e.employer.code.clone())
            .find(|c| *c != old)
            .expect("the society has two employers");
        let transfer = Change::Employer { who: PersonRef::Id(m), on: day(2026, 10, 1), employer: new.clone() };
        let s = apply(&store, "transfer", &[ev(1, day(2026, 10, 2), transfer)]).await.unwrap();
        assert_eq!((s.events, s.changes), (1, 1), "{backend}");
        let h = store.person_history(&staff(), m).await.unwrap();
        assert_eq!(h.employers, vec![(Some(old.clone()), "2026-10-01".to_string())], "{backend}");
        let employer_of = |v: &kenpo_store::PersonView| {
            v.eligibility.as_ref().and_then(|e| e.employer.as_ref().map(|x| x.code.clone()))
        };
        let member = store.person(&staff(), kenpo_store::PersonId(m)).await.unwrap();
        assert_eq!(employer_of(&member), Some(new.clone()), "{backend}");
        let dep = store.person(&staff(), kenpo_store::PersonId(cast.dep_ids()[0])).await.unwrap();
        assert_eq!(employer_of(&dep), Some(new.clone()), "{backend}: the dependant follows");
        // An unknown 事業所 is refused, naming the column.
        let bad = Change::Employer { who: PersonRef::Id(m), on: day(2026, 11, 1), employer: "E9999".into() };
        let err = apply(&store, "bad-transfer", &[ev(1, day(2026, 11, 1), bad)]).await.unwrap_err();
        assert!(err.to_string().contains("column 事業所番号"), "{backend}: {err}");
        // The correction restores the old 事業所; the transfer event is still there.
        let id = h.events.iter().find(|e| e.kind == "employer").map(|e| e.id).expect("the transfer event");
        apply(&store, "undo", &[ev(1, day(2026, 10, 5), Change::Correct { event_id: id })]).await.unwrap();
        let member = store.person(&staff(), kenpo_store::PersonId(m)).await.unwrap();
        assert_eq!(employer_of(&member), Some(old.clone()), "{backend}");
        let h = store.person_history(&staff(), m).await.unwrap();
        assert!(h.events.iter().any(|e| e.id == id && e.corrected_by.is_some()), "{backend}");
    }
}

/// The same 資格取得届 filed twice — a re-sent file with other bytes, so the file hash does not
/// catch it — is found by content: the second is refused naming the column, and nothing of it is
/// written; after the person's loss, the same acquisition is a re-hire and is taken.
#[tokio::test]
async fn the_same_acquisition_filed_twice_is_refused_by_content() {
    for backend in BACKENDS {
        let (db, store, cast) = setup(backend, "twice", cast()).await;
        let insurer = cast.insurer();
        let on = day(2026, 5, 1);
        let hire = || {
            let mut m = acquisition(PersonKind::Insured, "ニドメ　タロウ", day(1990, 2, 2), on, &insurer);
            m.employer_code = Some(cast.employer());
            Change::Acquire(Box::new(m))
        };
        apply(&store, "first.csv", &[ev(1, day(2026, 5, 7), hire())]).await.unwrap();
        let mut conn = raw(&db).await;
        let before = event_tables(&mut conn).await;
        let err = apply(&store, "resent.csv", &[ev(1, day(2026, 5, 8), hire())]).await.unwrap_err();
        assert!(err.to_string().contains("resent.csv:1: column 氏名（カナ）・生年月日"), "{backend}: {err}");
        assert!(!err.to_string().contains("ニドメ"), "{backend}: the error names no value");
        assert_eq!(event_tables(&mut conn).await, before, "{backend}: nothing written");
        // Left on 2026-08-31, hired again from 2026-10-01: a new period, taken.
        let first = cast.people.len() as i64 + 1;
        apply(&store, "leave.csv", &[ev(1, day(2026, 9, 2), retire(PersonRef::Id(first), day(2026, 8, 31)))])
            .await
            .unwrap();
        let mut again = acquisition(PersonKind::Insured, "ニドメ　タロウ", day(1990, 2, 2), day(2026, 10, 1), &insurer);
        again.employer_code = Some(cast.employer());
        apply(&store, "rehire.csv", &[ev(1, day(2026, 10, 2), Change::Acquire(Box::new(again)))]).await.unwrap();
    }
}
