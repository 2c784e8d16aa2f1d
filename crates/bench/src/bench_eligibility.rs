//! `kenpo-bench eligibility`: the record of coverage under load, on SQLite and PostgreSQL.
//!
//! 1. **Events**: 100,000 events (hires, 退職 with the dependants who lose with them, card
//!    reissues) applied in files of 1,000, in events/s — beside the backend's own bulk path in
//!    the same run: the roster import (multi-row INSERTs) in people/s.
//! 2. **As of a day**: `coverage_as_of` for every person of a ~1,000,000-person roster, in
//!    lookups/s — beside one plain SQL statement reading the same persons and periods (no
//!    history, no audit) in rows/s.
//! 3. **Receipts matched as of their month**: a year of receipts imported into a store holding
//!    the roster only, then into a store where a year of events has given 10 % of the members a
//!    new card from October and 5 % a 退職: receipts/s of both, and the ratio.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::person::{PersonKind, Sex};
use kenpo_store::{AccessContext, Actor, Change, NewAcquisition, NewEvent, PersonRef, PurposeId};
use std::path::Path;
use std::time::Instant;

const FILE: usize = 1_000;

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("a valid day")
}

pub async fn bench_eligibility(
    events: u64,
    people: u64,
    receipt_members: u64,
    postgres: Option<String>,
    dir: &Path,
) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let officer =
        AccessContext::new(Actor::parse("staff:mynumber_officer:bench")?, PurposeId::parse("mynumber.affairs")?);
    let staff =
        AccessContext::new(Actor::parse("staff:eligibility:bench")?, PurposeId::parse("eligibility.management")?);

    // 1. Events on a roster big enough to draw them from (~1.8 people a member).
    let members = (events / 2).max(1_000);
    let roster_dir = dir.join("events");
    crate::generate(members, 1, &roster_dir, true)?;
    let (targets, pg) =
        crate::bench::bench_targets(&dir.join("events-db"), postgres.clone(), "kenpo_bench_events").await?;
    for (name, location) in &targets {
        location.init().await?;
        let store = location.open().await?;
        let started = Instant::now();
        let roster = crate::import_roster(&store, &officer, &roster_dir.join("roster.csv")).await?;
        let roster_secs = started.elapsed().as_secs_f64();
        let eligible = members_covered(&store, &staff, day(2026, 5, 31)?, roster.people).await?;
        let list = plan_events(events, &eligible)?;
        let started = Instant::now();
        let mut applied = 0u64;
        for (i, chunk) in list.chunks(FILE).enumerate() {
            let s = store.apply_events(&staff, "events", &format!("bench-{i}"), &format!("bench-{i}"), chunk).await?;
            applied += s.events;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name} events: {} asked → {applied} events (dependants' losses included) in {secs:.1} s = {:.0} events/s; \
             baseline roster bulk import {} people in {roster_secs:.1} s = {:.0} people/s",
            list.len(),
            applied as f64 / secs,
            roster.people,
            roster.people as f64 / roster_secs
        );
        store.close().await;
    }
    if let Some(db) = pg {
        db.drop_database().await?;
    }

    // 2. As of a day for every person.
    let members = (people as f64 / 1.8).ceil() as u64;
    let roster_dir = dir.join("asof");
    crate::generate(members, 2, &roster_dir, true)?;
    let (targets, pg) = crate::bench::bench_targets(&dir.join("asof-db"), postgres.clone(), "kenpo_bench_asof").await?;
    let reader = AccessContext::new(Actor::parse("system:bench-asof")?, PurposeId::parse("eligibility.management")?);
    for (name, location) in &targets {
        location.init().await?;
        let store = location.open().await?;
        let roster = crate::import_roster(&store, &officer, &roster_dir.join("roster.csv")).await?;
        let ids: Vec<i64> = (1..=roster.people as i64).collect();
        let on = day(2026, 10, 1)?;
        let started = Instant::now();
        let mut covered = 0usize;
        for chunk in ids.chunks(50_000) {
            covered += store.coverage_as_of(&reader, on, chunk).await?.iter().filter(|c| c.covered).count();
        }
        let secs = started.elapsed().as_secs_f64();
        store.close().await;
        let base = plain_scan(location, on).await?;
        println!(
            "{name} as of {on}: {} people ({covered} covered) in {secs:.1} s = {:.0} lookups/s; \
             baseline one plain SELECT persons ⋈ periods {} rows in {:.1} s = {:.0} rows/s",
            ids.len(),
            ids.len() as f64 / secs,
            base.0,
            base.1,
            base.0 as f64 / base.1
        );
    }
    if let Some(db) = pg {
        db.drop_database().await?;
    }

    // 3. A year of receipts matched as of their month, with and without a year of events.
    let out = dir.join("receipts");
    let config = kenpo_synth::SocietyConfig::new(receipt_members, 1);
    let outputs = kenpo_synth::Outputs { roster: true, benefits: false, receipts: true, checkups: false };
    let started = Instant::now();
    let g = kenpo_synth::write_society(config.clone(), &out, outputs, &|_, _, _| {})?;
    println!("generate: {} members, {} receipts, {:.1} s", g.members, g.receipts, started.elapsed().as_secs_f64());
    let files = crate::uke_files(&out.join("receipts"))?;
    let importer = AccessContext::new(Actor::parse("system:bench-receipts")?, PurposeId::parse("receipts.review")?);
    for with_events in [false, true] {
        let tag = if with_events { "recv" } else { "recb" };
        let pg_name: &'static str = if with_events { "kenpo_bench_recv" } else { "kenpo_bench_recb" };
        let (targets, pg) = crate::bench::bench_targets(&dir.join(tag), postgres.clone(), pg_name).await?;
        for (name, location) in &targets {
            location.init().await?;
            let store = location.open().await?;
            let roster = crate::import_roster(&store, &officer, &out.join("roster.csv")).await?;
            if with_events {
                let eligible = members_covered(&store, &staff, day(2026, 9, 30)?, roster.people).await?;
                let list = year_of_changes(&eligible)?;
                for (i, chunk) in list.chunks(FILE).enumerate() {
                    store.apply_events(&staff, "events", &format!("year-{i}"), &format!("year-{i}"), chunk).await?;
                }
            }
            let started = Instant::now();
            let (s, failures) = crate::import_receipts(&store, &importer, &files).await?;
            let secs = started.elapsed().as_secs_f64();
            anyhow::ensure!(failures.is_empty(), "refused: {}", failures.join("; "));
            println!(
                "{name} receipts import ({}): {} receipts, matched {} / unmatched {}: {secs:.1} s = {:.0} receipts/s",
                if with_events { "after a year of events: 10 % new cards, 5 % 退職" } else { "roster only" },
                s.receipts,
                s.matched,
                s.unmatched,
                s.receipts as f64 / secs
            );
            store.close().await;
        }
        if let Some(db) = pg {
            db.drop_database().await?;
        }
    }
    Ok(())
}

/// The members (本人, not 任意継続 or dependants) covered on `on` by a period still open, by id.
async fn members_covered(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    on: NaiveDate,
    people: u64,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = (1..=people as i64).collect();
    let rows = store.coverage_as_of(ctx, on, &ids).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.covered && r.lost_on.is_none() && r.kind == "insured")
        .map(|r| r.person_id)
        .collect())
}

/// `events` events: 40 % 退職 (the dependants lose with them, one event each more), 40 % hires,
/// 20 % card reissues, drawn from `members` (covered members; retirees from the front, reissues
/// from the back, never the same person twice).
fn plan_events(events: u64, members: &[i64]) -> Result<Vec<NewEvent>> {
    let received = day(2026, 6, 5)?;
    let mut out = Vec::with_capacity(events as usize);
    let (mut front, mut back) = (0usize, members.len());
    for i in 0..events {
        let change = match i % 5 {
            0 | 1 if front < back => {
                front += 1;
                Change::Lose {
                    who: PersonRef::Id(members[front - 1]),
                    reason: LossReason::Retirement,
                    event_day: day(2026, 5, 31)?,
                }
            }
            4 if front < back => {
                back -= 1;
                Change::Card {
                    who: PersonRef::Id(members[back]),
                    on: day(2026, 7, 1)?,
                    symbol: "9".into(),
                    number: members[back].to_string(),
                    branch: 0,
                }
            }
            _ => Change::Acquire(Box::new(NewAcquisition {
                kind: PersonKind::Insured,
                member: None,
                relationship: None,
                cohabiting: false,
                annual_income: None,
                name_kanji: "試験　太郎".into(),
                name_kana: "シケン　タロウ".into(),
                birth_date: day(1990, 1, 1)?,
                sex: Sex::Male,
                employer_code: Some("E0001".into()),
                insurer: String::new(),
                card: None,
                number: None,
                acquired_on: day(2026, 6, 1)?,
                reason: "資格取得届".into(),
                my_number: None,
                certificate_requested: false,
                postal_code: None,
                address: None,
                monthly_pay: Some(300_000),
            })),
        };
        out.push(NewEvent { line: i + 1, received_on: received, change });
    }
    Ok(out)
}

/// A year for receipts: 5 % of the members retire on 2026-12-31 (their dependants with them),
/// 10 % get a new card from 2026-10-01.
fn year_of_changes(members: &[i64]) -> Result<Vec<NewEvent>> {
    let received = day(2026, 10, 5)?;
    let mut out = Vec::new();
    for (i, id) in members.iter().enumerate() {
        let change = match i % 20 {
            0 => {
                Change::Lose { who: PersonRef::Id(*id), reason: LossReason::Retirement, event_day: day(2026, 12, 31)? }
            }
            1 | 11 => Change::Card {
                who: PersonRef::Id(*id),
                on: day(2026, 10, 1)?,
                symbol: "8".into(),
                number: id.to_string(),
                branch: 0,
            },
            _ => continue,
        };
        out.push(NewEvent { line: out.len() as u64 + 1, received_on: received, change });
    }
    Ok(out)
}

/// One plain statement over the same rows the as-of lookup reads (persons ⋈ periods), timed.
async fn plain_scan(location: &kenpo_app::config::Location, on: NaiveDate) -> Result<(u64, f64)> {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&location.database_url).await?;
    let iso = on.format("%Y-%m-%d").to_string();
    let started = Instant::now();
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.kind, e.acquired_on FROM persons p LEFT JOIN eligibility_periods e ON e.person_id = p.id \
         AND e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $1) ORDER BY p.id",
    )
    .bind(iso)
    .fetch_all(&mut conn)
    .await?;
    Ok((rows.len() as u64, started.elapsed().as_secs_f64()))
}
