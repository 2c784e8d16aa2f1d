//! 高額療養費 beyond one month: the yearly run of the 年間上限 (from the 2026-08 計算期間), which
//! reads what the monthly runs stored, and the comparison of a month under the ceilings in force
//! on another day (what a law change did, for the board, members and auditors).

use crate::audit::Touched;
use crate::batch::{TableBuffer, Val, iso, take_write_lock};
use crate::kogaku::{RUN_CATEGORIES, month_input};
use crate::{Store, StoreError};
use kenpo_domain::kogaku::{self, AdditionRules, BorneMonth, IncomeFacts, Payment, YearlyHousehold};
use kenpo_domain::{YearMonth, Yen};
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One household's 年間上限 as the yearly run stored it.
#[derive(Debug, Clone, Serialize)]
pub struct YearlyPaymentRow {
    pub member_id: i64,
    pub member_card: String,
    pub member_name: String,
    pub employer_code: String,
    pub bracket: String,
    pub cap: i64,
    pub total_borne: i64,
    pub amount: i64,
    pub explanation: Vec<String>,
}

/// What one yearly run did.
#[derive(Debug, Clone, Serialize)]
pub struct YearlyRunSummary {
    /// "2026-08〜2027-07".
    pub period: String,
    /// Households with a borne amount in the period.
    pub households: u64,
    pub payments: u64,
    pub total: i64,
    /// The households paid, with their arithmetic.
    pub rows: Vec<YearlyPaymentRow>,
}

/// One household of a month computed under two sets of ceilings.
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    pub member_id: i64,
    pub member_card: String,
    pub member_name: String,
    pub bracket_own: String,
    pub bracket_other: String,
    /// 高額療養費 (statutory) under the month's own ceilings and under the other ones.
    pub statutory_own: i64,
    pub statutory_other: i64,
    /// 付加給付 (the society's) under each.
    pub additions_own: i64,
    pub additions_other: i64,
    pub explanation_own: Vec<String>,
    pub explanation_other: Vec<String>,
}

/// A month under its own ceilings and under those in force on another day.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub month: String,
    pub own_from: String,
    pub other_from: String,
    pub other_source: String,
    pub rules_as_of: String,
    pub households: u64,
    /// Households paid under either set of ceilings, those whose amounts change first (largest
    /// change first).
    pub rows: Vec<CompareRow>,
    /// Households that cannot be computed under one of the two (e.g. pending 70–74 figures):
    /// (member id, reason).
    pub not_computed: Vec<(i64, String)>,
}

impl CompareRow {
    /// Whether either amount differs between the two sets of ceilings.
    pub fn changed(&self) -> bool {
        self.statutory_own != self.statutory_other || self.additions_own != self.additions_other
    }
}

fn period_months(year: i32) -> Result<(YearMonth, YearMonth), StoreError> {
    kogaku::yearly_period(year).ok_or_else(|| StoreError::Input(format!("--year {year}: not a 計算期間 year")))
}

/// (statutory, additions, explanation lines) of a month's payments.
fn sums(payments: &[Payment]) -> Result<(Yen, Yen, Vec<String>), StoreError> {
    let overflow = || StoreError::Corrupt("a payment total beyond i64".into());
    let (mut statutory, mut additions): (Yen, Yen) = (0, 0);
    let mut lines = Vec::new();
    for p in payments {
        if p.kind.is_statutory() {
            statutory = statutory.checked_add(p.amount).ok_or_else(overflow)?;
        } else {
            additions = additions.checked_add(p.amount).ok_or_else(overflow)?;
        }
        lines.push(format!("{} {}円", p.kind.label(), kogaku::yen(p.amount)));
        lines.extend(p.explanation.iter().map(|l| format!("  {l}")));
    }
    Ok((statutory, additions, lines))
}

impl Store {
    /// The 年間上限 of the 計算期間 8月 `year` – 7月 `year + 1`: for each household, the sum of
    /// what the monthly runs stored as borne, less the cap of its bracket on the 基準日 (31 July).
    /// Every month of the period must have a stored monthly run. A re-run replaces the period's
    /// results whole (idempotent).
    pub async fn run_kogaku_yearly(&self, ctx: &AccessContext, year: i32) -> Result<YearlyRunSummary, StoreError> {
        let grant = self.decide(ctx, Action::Write, &RUN_CATEGORIES, Subject::Population).await?;
        let (first, last) = period_months(year)?;
        let period = format!("{first}〜{last}");
        let figures =
            kogaku::ceilings_for(kogaku::ceiling_table(), last).map_err(|e| StoreError::Input(e.to_string()))?;
        if figures.under70().iter().all(|b| b.yearly.is_none()) {
            return Err(StoreError::Input(format!("{period}: 年間上限はありません（2026-08 診療分からの制度です）")));
        }
        let base_day = last.last_day();
        let mut tx = self.db.granted(&grant).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;

        let runs: Vec<(String,)> =
            sqlx::query_as("SELECT service_month FROM kogaku_runs WHERE service_month >= $1 AND service_month <= $2")
                .bind(first.to_string())
                .bind(last.to_string())
                .fetch_all(&mut *tx)
                .await?;
        let ran: BTreeSet<String> = runs.into_iter().map(|r| r.0).collect();
        let mut missing = Vec::new();
        let mut m = first;
        loop {
            if !ran.contains(&m.to_string()) {
                missing.push(m.to_string());
            }
            if m == last {
                break;
            }
            m = m.next();
        }
        if !missing.is_empty() {
            return Err(StoreError::Input(format!(
                "{period}: 月次の高額療養費が未計算の月があります（kogaku run で計算してから）: {}",
                missing.join(", ")
            )));
        }

        let stored: Vec<(String, i64, String, i64)> = sqlx::query_as(
            "SELECT service_month, member_id, bracket, borne FROM kogaku_household_months \
             WHERE service_month >= $1 AND service_month <= $2 ORDER BY member_id, service_month",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut by_member: BTreeMap<i64, Vec<BorneMonth>> = BTreeMap::new();
        for (month, member, bracket, borne) in stored {
            let month: YearMonth = month.parse().map_err(|_| StoreError::Corrupt("a stored 診療年月".into()))?;
            by_member.entry(member).or_default().push(BorneMonth { month, borne, bracket });
        }
        let members: Vec<i64> = by_member.keys().copied().collect();
        // The member's 標準報酬月額 in force on the 基準日, birth day and employer.
        let remuneration: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT s.person_id, s.effective_from, s.monthly_amount FROM standard_remuneration s \
             WHERE s.effective_from <= $1 AND s.person_id IN (SELECT DISTINCT member_id FROM kogaku_household_months \
               WHERE service_month >= $2 AND service_month <= $3) ORDER BY s.person_id, s.effective_from",
        )
        .bind(iso(base_day))
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch_all(&mut *tx)
        .await?;
        let mut standard: HashMap<i64, i64> = HashMap::new();
        for (person, _, amount) in remuneration {
            standard.insert(person, amount); // ordered by date: the last one is in force
        }
        let people = self.member_facts(&mut tx, first, last).await?;

        let mut rows = TableBuffer::new(
            self.backend,
            "kogaku_yearly_payments",
            &[
                "period_start",
                "seq",
                "member_id",
                "employer_code",
                "bracket",
                "cap",
                "total_borne",
                "amount",
                "explanation",
            ],
        );
        let mut summary = YearlyRunSummary {
            period: period.clone(),
            households: members.len() as u64,
            payments: 0,
            total: 0,
            rows: vec![],
        };
        for (member, months) in by_member {
            let facts = people.get(&member).ok_or_else(|| StoreError::Corrupt(format!("member #{member}")))?;
            let household = YearlyHousehold {
                year,
                member,
                income: IncomeFacts {
                    standard_monthly: standard.get(&member).copied().unwrap_or(0),
                    tax_exempt: false,
                    no_income: false,
                },
                member_elderly: kogaku::is_elderly_in(facts.birth, last),
                months,
            };
            let result = kogaku::yearly_cap(&household, figures).map_err(|e| StoreError::Input(e.to_string()))?;
            if result.amount == 0 {
                continue;
            }
            rows.push(vec![
                Val::Text(first.to_string()),
                Val::Int(summary.payments as i64),
                Val::Int(member),
                Val::OptText(facts.employer.clone()),
                Val::Text(result.bracket.clone()),
                Val::Int(result.cap),
                Val::Int(result.total),
                Val::Int(result.amount),
                Val::Text(result.explanation.join("\n")),
            ]);
            summary.payments += 1;
            summary.total = summary
                .total
                .checked_add(result.amount)
                .ok_or_else(|| StoreError::Corrupt("a payment total beyond i64".into()))?;
            summary.rows.push(YearlyPaymentRow {
                member_id: member,
                member_card: facts.card.clone(),
                member_name: facts.name.clone(),
                employer_code: facts.employer.clone().unwrap_or_default(),
                bracket: result.bracket,
                cap: result.cap,
                total_borne: result.total,
                amount: result.amount,
                explanation: result.explanation,
            });
        }
        sqlx::query("DELETE FROM kogaku_yearly_payments WHERE period_start = $1")
            .bind(first.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM kogaku_yearly_runs WHERE period_start = $1")
            .bind(first.to_string())
            .execute(&mut *tx)
            .await?;
        rows.flush(&mut tx).await?;
        sqlx::query(
            "INSERT INTO kogaku_yearly_runs (period_start, run_at, actor, households, payments, total) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(first.to_string())
        .bind(chrono::Utc::now().to_rfc3339())
        .bind(ctx.actor().to_string())
        .bind(summary.households as i64)
        .bind(summary.payments as i64)
        .bind(summary.total)
        .execute(&mut *tx)
        .await?;
        self.record_in(&mut tx, &grant, &Touched::Set(members)).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The members who have stored household months in `first..=last`: card, name, birth, employer.
    async fn member_facts(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        first: YearMonth,
        last: YearMonth,
    ) -> Result<HashMap<i64, MemberFacts>, StoreError> {
        let raw: Vec<(i64, String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT p.id, p.card_symbol, p.card_number, p.name_kanji, p.birth_date, p.employer_code FROM persons p \
             WHERE p.id IN (SELECT DISTINCT member_id FROM kogaku_household_months \
               WHERE service_month >= $1 AND service_month <= $2)",
        )
        .bind(first.to_string())
        .bind(last.to_string())
        .fetch_all(&mut **tx)
        .await?;
        let mut out = HashMap::new();
        for (id, symbol, number, name, birth, employer) in raw {
            out.insert(
                id,
                MemberFacts {
                    card: format!("{symbol}-{number}"),
                    name,
                    birth: crate::batch::parse_iso(&birth)?,
                    employer,
                },
            );
        }
        Ok(out)
    }

    /// A 診療年月 computed under its own ceilings and under those in force on `rules_as_of`,
    /// household by household, with both arithmetics. Nothing is stored; the read is audited.
    pub async fn kogaku_compare(
        &self,
        ctx: &AccessContext,
        month: YearMonth,
        rules_as_of: chrono::NaiveDate,
        rules: &AdditionRules,
    ) -> Result<Comparison, StoreError> {
        let grant = self.decide(ctx, Action::Read, &RUN_CATEGORIES, Subject::Population).await?;
        let table = kogaku::ceiling_table();
        let own = kogaku::ceilings_for(table, month).map_err(|e| StoreError::Input(e.to_string()))?;
        let other_month = YearMonth::of(rules_as_of);
        let other = kogaku::ceilings_for(table, other_month).map_err(|e| StoreError::Input(e.to_string()))?;
        let other_source = kogaku::period_for(table, other_month)
            .map(|p| p.source.clone())
            .map_err(|e| StoreError::Input(e.to_string()))?;
        // One transaction: both computations see the same receipts.
        let mut tx = self.db.granted(&grant).begin().await?;
        let input = month_input(&mut tx, month).await?;
        let mut cards: HashMap<i64, (String, String)> = HashMap::new();
        let raw: Vec<(i64, String, String, String)> = sqlx::query_as(
            "SELECT p.id, p.card_symbol, p.card_number, p.name_kanji FROM persons p WHERE p.id IN ( \
               SELECT COALESCE(q.insured_id, q.id) FROM receipts r JOIN persons q ON q.id = r.person_id \
               WHERE r.service_month = $1)",
        )
        .bind(month.to_string())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        for (id, symbol, number, name) in raw {
            cards.insert(id, (format!("{symbol}-{number}"), name));
        }
        let mut out = Comparison {
            month: month.to_string(),
            own_from: own.from().to_string(),
            other_from: other.from().to_string(),
            other_source,
            rules_as_of: rules_as_of.to_string(),
            households: input.households.len() as u64,
            rows: Vec::new(),
            not_computed: Vec::new(),
        };
        for h in &input.households {
            let (a, b) = match (kogaku::compute_month(h, own, rules), kogaku::compute_month(h, other, rules)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => {
                    out.not_computed.push((h.member, e.to_string()));
                    continue;
                }
            };
            let (statutory_own, additions_own, explanation_own) = sums(&a.payments)?;
            let (statutory_other, additions_other, explanation_other) = sums(&b.payments)?;
            if statutory_own + additions_own + statutory_other + additions_other == 0 {
                continue;
            }
            let (card, name) = cards.get(&h.member).cloned().unwrap_or_default();
            out.rows.push(CompareRow {
                member_id: h.member,
                member_card: card,
                member_name: name,
                bracket_own: a.bracket,
                bracket_other: b.bracket,
                statutory_own,
                statutory_other,
                additions_own,
                additions_other,
                explanation_own,
                explanation_other,
            });
        }
        // Households whose amounts change first, the largest change first.
        out.rows.sort_by_key(|r| {
            let change = (r.statutory_other - r.statutory_own).abs() + (r.additions_other - r.additions_own).abs();
            (std::cmp::Reverse(change), r.member_id)
        });
        let mut touched: Vec<i64> = out.rows.iter().map(|r| r.member_id).collect();
        touched.extend(out.not_computed.iter().map(|n| n.0));
        touched.sort_unstable();
        touched.dedup();
        self.record(&grant, &Touched::Set(touched)).await?;
        Ok(out)
    }
}

struct MemberFacts {
    card: String,
    name: String,
    birth: chrono::NaiveDate,
    employer: Option<String>,
}
