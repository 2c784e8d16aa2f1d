//! 特定健診 after import: 階層化 of a fiscal year's checkups (stored with its reasoning), the
//! target lists (特定保健指導, 受診勧奨 and its follow-up through receipts), the hand-off of
//! guidance targets to a contractor, and the results the contractor returns.
//!
//! The rules are `kenpo_domain::stratify`; which result item means what (item codes) belongs to
//! the formats crate, so the caller passes the mapping in (`FindingsOf`).

use crate::audit::Touched;
use crate::batch::{TableBuffer, Val, iso, open_import, parse_iso, take_write_lock};
use crate::guard::Grant;
use crate::provisions::{NewProvision, Received};
use crate::{Store, StoreError};
use chrono::NaiveDate;
use kenpo_domain::checkup::{CheckupResult, GuidanceReport, GuidanceStatus, ResultValue};
use kenpo_domain::person::Sex;
use kenpo_domain::stratify::{self, Findings, Level};
use kenpo_domain::{DataCategory, YearMonth};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// From one checkup's sex, birth date and results to the findings for fiscal year `fy`.
pub type FindingsOf = dyn Fn(Sex, NaiveDate, &[CheckupResult], i32) -> Findings + Sync;

/// Checkups assessed per transaction round trip (memory stays bounded by this many documents).
const CHUNK: usize = 2_000;

/// What one assessment run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AssessmentSummary {
    pub fiscal_year: i32,
    pub documents: u64,
    pub unmatched: u64,
    pub intensive: u64,
    pub motivational: u64,
    pub information: u64,
    pub undeterminable: u64,
    pub metabolic_meets: u64,
    pub metabolic_prone: u64,
    pub referral_recommend: u64,
    pub referral_urgent: u64,
}

/// One person's latest assessed checkup of the year, as staff see it in the target lists.
#[derive(Clone, Serialize)]
pub struct TargetRow {
    pub person_id: i64,
    pub checkup_id: i64,
    pub card: String,
    pub name_kana: String,
    pub sex: Sex,
    pub age: i64,
    pub employer_code: String,
    pub exam_date: NaiveDate,
    pub level: Level,
    pub metabolic: String,
    pub on_medication: Option<bool>,
    /// `recommend` / `urgent`, or `None` when nothing is at a 受診勧奨判定値.
    pub referral: Option<String>,
    pub referral_items: Vec<String>,
    pub reasons: Vec<String>,
    /// The contractor this person was handed to for 特定保健指導 this year, if any.
    pub handed_to: Option<String>,
}

impl std::fmt::Debug for TargetRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TargetRow {{ person_id: {}, level: {:?}, .. }}", self.person_id, self.level)
    }
}

/// 受診勧奨 follow-up of one flagged person: the 医科 months seen from the exam month on.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    pub person_id: i64,
    pub exam_month: YearMonth,
    /// Last month of the window (exam month + N).
    pub until: YearMonth,
    /// 医科 (incl. DPC) service months with a receipt in the window.
    pub visits: Vec<YearMonth>,
}

/// A hand-off file for a guidance contractor, given out after its provision record is written.
#[derive(Clone)]
pub struct Handoff {
    pub file_name: String,
    pub people: u64,
    pub intensive: u64,
    pub motivational: u64,
    /// One row per person handed over: who, the level, and the values of [`HANDOFF_ITEMS`] —
    /// no 連絡先.
    pub rows: Vec<HandoffRow>,
    pub provision_id: i64,
}

/// The checkup values a hand-off carries, in the order of [`HandoffRow::items`].
pub const HANDOFF_ITEMS: [&str; 9] =
    ["腹囲", "BMI", "収縮期血圧", "拡張期血圧", "中性脂肪（空腹時または随時）", "HDL", "空腹時血糖", "HbA1c", "喫煙"];

/// One person in a guidance hand-off.
#[derive(Clone, Debug)]
pub struct HandoffRow {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: String,
    pub name_kana: String,
    pub sex: Sex,
    pub birth_date: String,
    pub age: i64,
    pub exam_date: NaiveDate,
    pub level: Level,
    /// Values of [`HANDOFF_ITEMS`], empty where not measured.
    pub items: Vec<String>,
}

/// What one hg08 archive import did (every document is matched, or the archive is refused).
#[derive(Debug, Clone, Default, Serialize)]
pub struct GuidanceImportSummary {
    pub import_id: i64,
    pub documents: u64,
    pub matched: u64,
    pub started: u64,
    pub completed: u64,
    pub dropped: u64,
}

/// First and last day of fiscal year `fy` (April to March).
pub fn fiscal_year_days(fy: i32) -> Result<(NaiveDate, NaiveDate), StoreError> {
    let start = NaiveDate::from_ymd_opt(fy, 4, 1);
    let end = NaiveDate::from_ymd_opt(fy + 1, 3, 31);
    match (start, end) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(StoreError::Input(format!("fiscal year {fy} is out of range"))),
    }
}

type ResultRow = (i64, String, String, Option<String>, Option<String>, Option<String>, Option<String>);
const RESULTS_SELECT: &str =
    "SELECT checkup_id, item_code, value_type, value, unit, code_system, interpretation FROM checkup_results";

/// Stored result rows back into results, per checkup (the inverse of the import's columns).
fn group_results(rows: Vec<ResultRow>) -> HashMap<i64, Vec<CheckupResult>> {
    let mut out: HashMap<i64, Vec<CheckupResult>> = HashMap::new();
    for (id, code, value_type, value, unit, system, interpretation) in rows {
        let value = match (value_type.as_str(), value) {
            ("PQ_BEYOND", Some(v)) => ResultValue::Beyond {
                interpretation: interpretation.unwrap_or_default(),
                value: v,
                unit: unit.unwrap_or_default(),
            },
            ("PQ", Some(v)) => ResultValue::Quantity { value: v, unit: unit.unwrap_or_default() },
            ("CD", Some(v)) => ResultValue::Coded { code: v, code_system: system.unwrap_or_default() },
            ("ST", Some(v)) => ResultValue::Text(v),
            ("UNMEASURABLE", _) => ResultValue::Unmeasurable,
            _ => ResultValue::NotPerformed,
        };
        out.entry(id).or_default().push(CheckupResult { code, value });
    }
    out
}

const ASSESS_CATEGORIES: [DataCategory; 3] =
    [DataCategory::Identity, DataCategory::Eligibility, DataCategory::CheckupResult];

type CheckupHead = (i64, Option<i64>, i64, String);

impl Store {
    /// 階層化, メタボ判定 and 受診勧奨 of every checkup whose exam date falls in fiscal year `fy`;
    /// the year's earlier assessments are replaced (a re-run is idempotent).
    pub async fn assess_checkups(
        &self,
        ctx: &AccessContext,
        fy: i32,
        findings_of: &FindingsOf,
    ) -> Result<AssessmentSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &ASSESS_CATEGORIES, Subject::Population).await?;
        let (from, to) = fiscal_year_days(fy)?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let heads: Vec<CheckupHead> = sqlx::query_as(
            "SELECT id, person_id, sex, birth_date FROM checkups WHERE exam_date >= $1 AND exam_date <= $2 ORDER BY id",
        )
        .bind(iso(from))
        .bind(iso(to))
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM checkup_assessments WHERE fiscal_year = $1")
            .bind(i64::from(fy))
            .execute(&mut *tx)
            .await?;
        let mut rows = TableBuffer::new(
            self.backend,
            "checkup_assessments",
            &[
                "checkup_id",
                "fiscal_year",
                "person_id",
                "age",
                "sex",
                "level",
                "metabolic",
                "on_medication",
                "referral",
                "referral_items",
                "reasons",
                "assessed_at",
            ],
        );
        let now = chrono::Utc::now().to_rfc3339();
        let mut summary = AssessmentSummary { fiscal_year: fy, ..Default::default() };
        let mut people = Vec::new();
        for chunk in heads.chunks(CHUNK) {
            let (Some(first), Some(last)) = (chunk.first(), chunk.last()) else { continue };
            let raw: Vec<ResultRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RESULTS_SELECT} WHERE checkup_id >= $1 AND checkup_id <= $2 ORDER BY checkup_id, seq"
            )))
            .bind(first.0)
            .bind(last.0)
            .fetch_all(&mut *tx)
            .await?;
            let results = group_results(raw);
            for (id, person, sex, birth) in chunk {
                let sex = Sex::from_code(&sex.to_string())
                    .ok_or_else(|| StoreError::Input(format!("checkup {id}: stored sex code is not 1 or 2")))?;
                let birth = parse_iso(birth)?;
                let findings = findings_of(sex, birth, results.get(id).map_or(&[], Vec::as_slice), fy);
                let s = stratify::stratify(&findings);
                let (metabolic, metabolic_reasons) = stratify::metabolic(&findings);
                let flags = stratify::referrals(&findings);
                let tier = stratify::referral_tier(&flags);
                match s.level {
                    Level::Intensive => summary.intensive += 1,
                    Level::Motivational => summary.motivational += 1,
                    Level::InformationOnly => summary.information += 1,
                    Level::Undeterminable => summary.undeterminable += 1,
                }
                match metabolic {
                    stratify::Metabolic::Meets => summary.metabolic_meets += 1,
                    stratify::Metabolic::Prone => summary.metabolic_prone += 1,
                    _ => {}
                }
                match tier {
                    Some(stratify::ReferralTier::Urgent) => summary.referral_urgent += 1,
                    Some(stratify::ReferralTier::Recommend) => summary.referral_recommend += 1,
                    None => {}
                }
                match person {
                    Some(p) => people.push(*p),
                    None => summary.unmatched += 1,
                }
                summary.documents += 1;
                let mut reasons = s.reasons.join("\n");
                reasons.push('\n');
                reasons.push_str(&metabolic_reasons.join("\n"));
                rows.push(vec![
                    Val::Int(*id),
                    Val::Int(i64::from(fy)),
                    Val::OptInt(*person),
                    Val::Int(i64::from(findings.age)),
                    Val::Int(i64::from(sex.code())),
                    Val::Text(s.level.code().into()),
                    Val::Text(metabolic.code().into()),
                    Val::OptInt(s.on_medication.map(i64::from)),
                    Val::OptText(tier.map(|t| t.code().to_string())),
                    Val::Text(
                        flags
                            .iter()
                            .map(|r| format!("{}: {}", r.tier.label(), r.reason))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ),
                    Val::Text(reasons),
                    Val::Text(now.clone()),
                ]);
            }
            rows.flush(&mut tx).await?;
        }
        people.sort_unstable();
        people.dedup();
        self.record_in(&mut tx, &grant, &Touched::Set(people)).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Everyone's latest assessed checkup of fiscal year `fy` (matched people only), with the
    /// contractor each was handed to. Run [`Store::assess_checkups`] first.
    pub async fn checkup_targets(&self, ctx: &AccessContext, fy: i32) -> Result<Vec<TargetRow>, StoreError> {
        let grant = self.decide(ctx, Action::Read, &ASSESS_CATEGORIES, Subject::Population).await?;
        let rows = self.load_targets(&grant, fy).await?;
        let people: Vec<i64> = rows.iter().map(|r| r.person_id).collect();
        self.record(&grant, &Touched::Set(people)).await?;
        Ok(rows)
    }

    /// The rows of [`Store::checkup_targets`], for callers that decide and record the access.
    async fn load_targets(&self, grant: &Grant<'_>, fy: i32) -> Result<Vec<TargetRow>, StoreError> {
        type Raw = (
            i64,
            i64,
            String,
            String,
            String,
            i64,
            i64,
            Option<String>,
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            String,
            String,
            Option<String>,
        );
        let raw: Vec<Raw> = sqlx::query_as(
            "SELECT a.person_id, a.checkup_id, p.card_symbol, p.card_number, p.name_kana, a.sex, a.age, \
             p.employer_code, c.exam_date, a.level, a.metabolic, a.on_medication, a.referral, a.referral_items, \
             a.reasons, h.contractor \
             FROM checkup_assessments a JOIN checkups c ON c.id = a.checkup_id \
             JOIN persons p ON p.id = a.person_id \
             LEFT JOIN guidance_handoffs h ON h.fiscal_year = a.fiscal_year AND h.person_id = a.person_id \
             WHERE a.fiscal_year = $1 ORDER BY a.person_id, c.exam_date, a.checkup_id",
        )
        .bind(i64::from(fy))
        .fetch_all(self.db.granted(grant))
        .await?;
        // The latest checkup of the year stands for the person (a re-examination replaces the first).
        let mut latest: BTreeMap<i64, TargetRow> = BTreeMap::new();
        for r in raw {
            let level = Level::from_code(&r.9)
                .ok_or_else(|| StoreError::Input(format!("checkup {}: stored level {:?} is unknown", r.1, r.9)))?;
            let sex = Sex::from_code(&r.5.to_string())
                .ok_or_else(|| StoreError::Input(format!("checkup {}: stored sex code is not 1 or 2", r.1)))?;
            let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
            latest.insert(
                r.0,
                TargetRow {
                    person_id: r.0,
                    checkup_id: r.1,
                    card: format!("{}-{}", r.2, r.3),
                    name_kana: r.4,
                    sex,
                    age: r.6,
                    employer_code: r.7.unwrap_or_default(),
                    exam_date: parse_iso(&r.8)?,
                    level,
                    metabolic: r.10,
                    on_medication: r.11.map(|m| m != 0),
                    referral: r.12,
                    referral_items: lines(&r.13),
                    reasons: lines(&r.14),
                    handed_to: r.15,
                },
            );
        }
        Ok(latest.into_values().collect())
    }

    /// 受診勧奨 follow-up: for each flagged person, the 医科 months with a receipt from the exam
    /// month through `months` months later. Reads receipts, so it runs under its own purpose
    /// (e.g. `analysis.receipt_targeting`, 別表2 5: 健診後の事後指導の対象者抽出).
    pub async fn referral_follow_up(
        &self,
        ctx: &AccessContext,
        flagged: &[(i64, NaiveDate)],
        months: u32,
    ) -> Result<Vec<FollowUp>, StoreError> {
        let grant = self
            .decide(ctx, Action::Read, &[DataCategory::Identity, DataCategory::ReceiptCost], Subject::Population)
            .await?;
        let window = |exam: NaiveDate| {
            let start = YearMonth::of(exam);
            let mut end = start;
            for _ in 0..months {
                end = end.next();
            }
            (start, end)
        };
        let (Some(lo), Some(hi)) =
            (flagged.iter().map(|f| window(f.1).0).min(), flagged.iter().map(|f| window(f.1).1).max())
        else {
            return Ok(Vec::new());
        };
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT DISTINCT person_id, service_month FROM receipts \
             WHERE person_id IS NOT NULL AND kind IN ('medical', 'dpc') AND service_month >= $1 AND service_month <= $2",
        )
        .bind(lo.to_string())
        .bind(hi.to_string())
        .fetch_all(self.db.granted(&grant))
        .await?;
        let mut seen: HashMap<i64, Vec<YearMonth>> = HashMap::new();
        for (person, month) in rows {
            let m: YearMonth =
                month.parse().map_err(|_| StoreError::Input(format!("receipt month {month:?} is not YYYY-MM")))?;
            seen.entry(person).or_default().push(m);
        }
        let mut out = Vec::new();
        for &(person, exam) in flagged {
            let (start, until) = window(exam);
            let mut visits: Vec<YearMonth> = seen
                .get(&person)
                .map(|ms| ms.iter().copied().filter(|m| *m >= start && *m <= until).collect())
                .unwrap_or_default();
            visits.sort_unstable();
            out.push(FollowUp { person_id: person, exam_month: start, until, visits });
        }
        let people: Vec<i64> = out.iter().map(|f| f.person_id).collect();
        self.record(&grant, &Touched::Set(people)).await?;
        Ok(out)
    }

    /// Hands the year's 特定保健指導 targets (積極的支援・動機付け支援, not yet handed to anyone) to
    /// the guidance contractor acting in `ctx`: a CSV of who and the checkup values the guidance
    /// needs — no address or phone (the contractor's task does not include 連絡先).
    ///
    /// The contractor takes the list itself (`contractor:ID`), because the catalogue maps the
    /// 特定保健指導 entrustment to the internal use 特定健診、保健指導の実施 (notice gap F-11):
    /// policy then decides on this contractor's contract — in force, covering the use and each
    /// category — and an internal use never allows a staff `Export`. The file still leaves the
    /// society, so the APPI record (委託) and the hand-off rows are written before it is given out.
    pub async fn guidance_handoff(
        &self,
        ctx: &AccessContext,
        fy: i32,
        contractor_name: &str,
        file_name: &str,
        findings_of: &FindingsOf,
    ) -> Result<Handoff, StoreError> {
        const CATS: [DataCategory; 3] =
            [DataCategory::Identity, DataCategory::Eligibility, DataCategory::CheckupResult];
        let kenpo_policy::Actor::Contractor { id: contractor_id } = ctx.actor() else {
            return Err(StoreError::Input(
                "the guidance hand-off is taken by the entrusted contractor (act as contractor:ID)".into(),
            ));
        };
        let grant = self.decide(ctx, Action::Read, &CATS, Subject::Population).await?;
        let all: Vec<TargetRow> = self
            .load_targets(&grant, fy)
            .await?
            .into_iter()
            .filter(|t| matches!(t.level, Level::Intensive | Level::Motivational))
            .collect();
        let handed = all.iter().filter(|t| t.handed_to.is_some()).count();
        let targets: Vec<TargetRow> = all.into_iter().filter(|t| t.handed_to.is_none()).collect();
        if targets.is_empty() {
            // Say which case it is: nothing assessed, or everything already handed over.
            return Err(StoreError::Input(if handed > 0 {
                format!(
                    "{fy}年度: 特定保健指導の対象者 {handed} 人は全員すでに委託先へ引き渡し済みです（引き渡し先は kenshin targets の「委託先」欄）"
                )
            } else {
                format!("{fy}年度: 特定保健指導の対象者がいません（kenshin assess で階層化を済ませてください）")
            }));
        }
        let values = self.handoff_values(&grant, &targets, fy, findings_of).await?;
        let mut intensive = 0;
        let mut motivational = 0;
        let mut handed = Vec::with_capacity(targets.len());
        for t in &targets {
            let v = values.get(&t.person_id).cloned().unwrap_or_default();
            match t.level {
                Level::Intensive => intensive += 1,
                _ => motivational += 1,
            }
            let mut items = v.items.clone();
            items.resize(HANDOFF_ITEMS.len(), String::new());
            handed.push(HandoffRow {
                insurer_number: v.insurer.clone(),
                card_symbol: v.symbol.clone(),
                card_number: v.number.clone(),
                card_branch: v.branch.clone(),
                name_kana: t.name_kana.clone(),
                sex: t.sex,
                birth_date: v.birth.clone(),
                age: t.age,
                exam_date: t.exam_date,
                level: t.level,
                items,
            });
        }
        let people: Vec<i64> = targets.iter().map(|t| t.person_id).collect();
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let seq = self.record_in(&mut tx, &grant, &Touched::Set(people.clone())).await?;
        let provision_id = self
            .insert_provision(
                &mut tx,
                NewProvision {
                    direction: "provide",
                    counterparty: contractor_name.to_string(),
                    basis: "委託".into(),
                    use_id: ctx.purpose().id().to_string(),
                    categories: CATS.iter().map(|c| c.id().to_string()).collect(),
                    fields: "insurer,card,branch,name_kana,sex,birth_date,exam_date,level,checkup_values".into(),
                    subjects: people,
                    file_name: file_name.to_string(),
                    actor: ctx.actor().to_string(),
                    audit_seq: seq,
                },
            )
            .await?;
        let now = chrono::Utc::now().to_rfc3339();
        let mut rows = TableBuffer::new(
            self.backend,
            "guidance_handoffs",
            &[
                "fiscal_year",
                "person_id",
                "checkup_id",
                "level",
                "contractor",
                "file_name",
                "provision_id",
                "handed_at",
            ],
        );
        for t in &targets {
            rows.push(vec![
                Val::Int(i64::from(fy)),
                Val::Int(t.person_id),
                Val::Int(t.checkup_id),
                Val::Text(t.level.code().into()),
                Val::Text(contractor_id.clone()),
                Val::Text(file_name.to_string()),
                Val::Int(provision_id),
                Val::Text(now.clone()),
            ]);
        }
        rows.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(Handoff {
            file_name: file_name.to_string(),
            people: targets.len() as u64,
            intensive,
            motivational,
            rows: handed,
            provision_id,
        })
    }

    /// Imports the 特定保健指導 results a contractor returns (read from its hg08 archive by the
    /// caller), all or nothing; refused a second time (content hash); each result matched to the
    /// person by card (+ 枝番 or birth date) — an unknown card refuses the archive; Art. 30
    /// record naming the contractor.
    pub async fn import_guidance(
        &self,
        ctx: &AccessContext,
        archive_name: &str,
        content_sha256: &str,
        contractor: &str,
        results: &[GuidanceReport],
    ) -> Result<GuidanceImportSummary, StoreError> {
        const CATS: [DataCategory; 3] =
            [DataCategory::Identity, DataCategory::Eligibility, DataCategory::GuidanceRecord];
        let grant = self.decide(ctx, Action::Write, &CATS, Subject::Population).await?;
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        let import_id =
            open_import(&mut tx, "guidance", archive_name, content_sha256, ctx, results.len() as i64).await?;
        let mut cards = crate::matching::CardMatcher::default();
        let keys = results.iter().map(|r| (r.insurer_number.clone(), r.card_symbol.clone(), r.card_number.clone()));
        cards.load(&mut tx, self.backend, keys).await?;
        let mut next = crate::batch::next_id(&mut tx, "guidance").await?;
        let mut rows = TableBuffer::new(
            self.backend,
            "guidance",
            &[
                "id",
                "person_id",
                "level",
                "started_on",
                "plan",
                "evaluated_on",
                "outcome",
                "contractor",
                "fiscal_year",
                "status",
                "import_id",
                "waist_cm",
                "weight_kg",
            ],
        );
        let mut summary = GuidanceImportSummary { import_id, ..Default::default() };
        let mut people = Vec::new();
        for (index, r) in results.iter().enumerate() {
            summary.documents += 1;
            let key = (r.insurer_number.clone(), r.card_symbol.clone(), r.card_number.clone());
            // A contractor reports only on people it was handed: an unknown card is a mix-up to
            // sort out with the contractor, so the whole archive is refused (nothing is dropped).
            let Some(person) = cards.person(
                &key,
                r.card_branch,
                r.birth_date,
                r.first_interview,
                r.evaluated_on.unwrap_or(r.first_interview),
            ) else {
                return Err(StoreError::Input(format!(
                    "{archive_name}: document {} of {}: no member with its 保険者番号・記号・番号 (and 枝番 or birth date)",
                    index + 1,
                    results.len()
                )));
            };
            summary.matched += 1;
            match r.status {
                GuidanceStatus::Completed => summary.completed += 1,
                GuidanceStatus::Dropped => summary.dropped += 1,
                GuidanceStatus::Started => summary.started += 1,
            }
            people.push(person);
            // Guidance counts in the fiscal year of its 初回面接.
            let fy = i64::from(kenpo_domain::date::fiscal_year_of(r.first_interview));
            rows.push(vec![
                Val::Int(next),
                Val::Int(person),
                Val::Text(r.level.code().into()),
                Val::Text(iso(r.first_interview)),
                Val::Text(String::new()),
                Val::OptText(r.evaluated_on.map(iso)),
                Val::OptText(None),
                Val::Text(contractor.to_string()),
                Val::Int(fy),
                Val::Text(r.status.code().to_string()),
                Val::Int(import_id),
                Val::OptText(r.waist_cm.clone()),
                Val::OptText(r.weight_kg.clone()),
            ]);
            next += 1;
        }
        rows.flush(&mut tx).await?;
        let received = Received {
            from: contractor,
            basis: "委託（高齢者の医療の確保に関する法律第28条: 特定保健指導の実施の委託）",
            categories: &CATS,
            file_name: archive_name,
        };
        self.record_import(&mut tx, &grant, people, received).await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// The checkup values a guidance contractor needs, per person (from the person's latest checkup).
#[derive(Clone, Default)]
struct HandoffValues {
    insurer: String,
    symbol: String,
    number: String,
    branch: String,
    birth: String,
    items: Vec<String>,
}

impl Store {
    async fn handoff_values(
        &self,
        grant: &Grant<'_>,
        targets: &[TargetRow],
        fy: i32,
        findings_of: &FindingsOf,
    ) -> Result<HashMap<i64, HandoffValues>, StoreError> {
        let mut out = HashMap::new();
        for chunk in targets.chunks(300) {
            // Ids are integers from our own rows, so the list is safe to inline.
            let list = chunk.iter().map(|t| t.checkup_id.to_string()).collect::<Vec<_>>().join(",");
            let heads: Vec<(i64, String, String, String, Option<i64>, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT id, insurer_number, card_symbol, card_number, card_branch, birth_date FROM checkups \
                 WHERE id IN ({list})"
                )))
                .fetch_all(self.db.granted(grant))
                .await?;
            let raw: Vec<ResultRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{RESULTS_SELECT} WHERE checkup_id IN ({list}) ORDER BY checkup_id, seq"
            )))
            .fetch_all(self.db.granted(grant))
            .await?;
            let results = group_results(raw);
            for t in chunk {
                let Some(h) = heads.iter().find(|h| h.0 == t.checkup_id) else { continue };
                let birth = parse_iso(&h.5)?;
                let f = findings_of(t.sex, birth, results.get(&t.checkup_id).map_or(&[], Vec::as_slice), fy);
                let n =
                    |v: Option<f64>| v.map(|v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") });
                let smoking = f.smoking.map(|s| match s {
                    stratify::Smoking::Yes => "はい".to_string(),
                    stratify::Smoking::Quit => "以前は吸っていた".to_string(),
                    stratify::Smoking::No => "いいえ".to_string(),
                });
                let items = [
                    n(f.waist_cm),
                    n(f.bmi),
                    n(f.systolic),
                    n(f.diastolic),
                    n(f.tg_fasting.or(f.tg_casual)),
                    n(f.hdl),
                    n(f.fasting_glucose),
                    n(f.hba1c),
                    smoking,
                ];
                out.insert(
                    t.person_id,
                    HandoffValues {
                        insurer: h.1.clone(),
                        symbol: h.2.clone(),
                        number: h.3.clone(),
                        branch: h.4.map(|b| format!("{b:02}")).unwrap_or_default(),
                        birth: h.5.clone(),
                        items: items.into_iter().map(Option::unwrap_or_default).collect(),
                    },
                );
            }
        }
        Ok(out)
    }
}

/// One row of the yearly 実施状況 report: one sex and 5-year age band (年度末年齢).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct StateReportRow {
    /// 1 男, 2 女.
    pub sex: u8,
    /// Lower bound of the band: 40, 45, …, 70.
    pub band: u32,
    /// 対象者: 加入者 aged 40–74 at the fiscal-year end, covered the whole year.
    pub subjects: u64,
    /// 受診者: subjects with a checkup in the year.
    pub examined: u64,
    /// 特定保健指導の対象者 among the examined (latest checkup of the year).
    pub intensive_targets: u64,
    pub motivational_targets: u64,
    /// 利用者 (初回面接 in the year) and 終了者 (実績評価 done), by the level guided.
    pub intensive_started: u64,
    pub intensive_completed: u64,
    pub motivational_started: u64,
    pub motivational_completed: u64,
    /// メタボ 基準該当 / 予備群該当 among the examined.
    pub metabolic_meets: u64,
    pub metabolic_prone: u64,
}

/// The band (40, 45, …, 70) of an age, if it is a 特定健診 age.
pub fn age_band(age: i32) -> Option<u32> {
    (40..=74).contains(&age).then(|| u32::try_from(age - age % 5).unwrap_or(0))
}

impl Store {
    /// The yearly 特定健診・特定保健指導 実施状況 figures, by sex and 5-year band (both sexes,
    /// every band, zero rows included). Only subjects count: someone who joined or left during
    /// the year is in no row, as the 法定報告 leaves them out.
    pub async fn state_report(&self, ctx: &AccessContext, fy: i32) -> Result<Vec<StateReportRow>, StoreError> {
        let grant = self
            .decide(
                ctx,
                Action::Read,
                &[
                    DataCategory::Identity,
                    DataCategory::Eligibility,
                    DataCategory::CheckupResult,
                    DataCategory::GuidanceRecord,
                ],
                Subject::Population,
            )
            .await?;
        let (from, to) = fiscal_year_days(fy)?;
        let people: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT DISTINCT p.id, p.birth_date, p.sex FROM persons p JOIN eligibility_periods e ON e.person_id = p.id \
             WHERE e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $2)",
        )
        .bind(iso(from))
        .bind(iso(to))
        .fetch_all(self.db.granted(&grant))
        .await?;
        let assessed: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT a.person_id, a.level, a.metabolic FROM checkup_assessments a JOIN checkups c ON c.id = a.checkup_id \
             WHERE a.fiscal_year = $1 AND a.person_id IS NOT NULL ORDER BY a.person_id, c.exam_date, a.checkup_id",
        )
        .bind(i64::from(fy))
        .fetch_all(self.db.granted(&grant))
        .await?;
        let latest: HashMap<i64, (String, String)> = assessed.into_iter().map(|(p, l, m)| (p, (l, m))).collect();
        let guided: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT person_id, level, status FROM guidance WHERE fiscal_year = $1")
                .bind(i64::from(fy))
                .fetch_all(self.db.granted(&grant))
                .await?;
        // A person's furthest status in the year counts (a 開始 report followed by 実績評価).
        let mut guidance: HashMap<i64, (String, bool)> = HashMap::new();
        for (p, level, status) in guided {
            let e = guidance.entry(p).or_insert((level.clone(), false));
            e.0 = level;
            e.1 |= status == "completed";
        }
        let mut rows: BTreeMap<(u8, u32), StateReportRow> = BTreeMap::new();
        for sex in [1u8, 2] {
            for band in (40..=70).step_by(5) {
                rows.insert((sex, band), StateReportRow { sex, band, ..Default::default() });
            }
        }
        let mut counted = Vec::new();
        for (id, birth, sex) in people {
            let age = kenpo_domain::date::age_at_fiscal_year_end(parse_iso(&birth)?, fy);
            let (Some(band), Ok(sex)) = (age_band(age), u8::try_from(sex)) else { continue };
            let Some(row) = rows.get_mut(&(sex, band)) else { continue };
            counted.push(id);
            row.subjects += 1;
            if let Some((level, metabolic)) = latest.get(&id) {
                row.examined += 1;
                match level.as_str() {
                    "intensive" => row.intensive_targets += 1,
                    "motivational" => row.motivational_targets += 1,
                    _ => {}
                }
                match metabolic.as_str() {
                    "meets" => row.metabolic_meets += 1,
                    "prone" => row.metabolic_prone += 1,
                    _ => {}
                }
            }
            if let Some((level, completed)) = guidance.get(&id) {
                let (started, done) = match level.as_str() {
                    "intensive" => (&mut row.intensive_started, &mut row.intensive_completed),
                    _ => (&mut row.motivational_started, &mut row.motivational_completed),
                };
                *started += 1;
                if *completed {
                    *done += 1;
                }
            }
        }
        self.record(&grant, &Touched::Set(counted)).await?;
        Ok(rows.into_values().collect())
    }
}
