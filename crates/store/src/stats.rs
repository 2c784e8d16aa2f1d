//! Aggregate figures about the society. No row of personal data leaves; still decided, as a
//! read over the population for a named purpose.

use crate::{Store, StoreError};
use kenpo_domain::DataCategory;
use kenpo_policy::{AccessContext, Action, Subject};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub as_of: chrono::NaiveDate,
    pub employers: i64,
    pub people: i64,
    pub insured: i64,
    pub voluntary: i64,
    pub dependants: i64,
    /// Covered on `as_of`.
    pub covered: i64,
    pub male: i64,
    pub female: i64,
    /// Insured persons (本人 and 任意継続) covered on `as_of`, by 10-year age band (0-9, 10-19, …).
    pub insured_by_age_band: Vec<(i64, i64)>,
    /// Mean 標準報酬月額 in force on `as_of` over covered insured persons, yen.
    pub mean_standard_remuneration: i64,
    pub my_numbers_on_file: i64,
    pub cash_benefit_claims: i64,
    pub receipts: i64,
    pub checkups: i64,
}

impl Store {
    pub async fn stats(&self, ctx: &AccessContext, as_of: chrono::NaiveDate) -> Result<Stats, StoreError> {
        let grant = self
            .decide(
                ctx,
                Action::Read,
                &[DataCategory::Identity, DataCategory::Eligibility, DataCategory::Remuneration],
                Subject::Population,
            )
            .await?;
        grant.require(DataCategory::Remuneration)?;
        let day = crate::batch::iso(as_of);
        let pool = self.db.granted(&grant);
        let count = |sql: &'static str| async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await?;
            Ok::<i64, StoreError>(n)
        };
        let mut s = Stats { as_of, ..Default::default() };
        s.employers = count("SELECT COUNT(*) FROM employers").await?;
        s.people = count("SELECT COUNT(*) FROM persons").await?;
        s.insured = count("SELECT COUNT(*) FROM persons WHERE kind = 'insured'").await?;
        s.voluntary = count("SELECT COUNT(*) FROM persons WHERE kind = 'voluntary'").await?;
        s.dependants = count("SELECT COUNT(*) FROM persons WHERE kind = 'dependant'").await?;
        s.male = count("SELECT COUNT(*) FROM persons WHERE sex = 1").await?;
        s.female = count("SELECT COUNT(*) FROM persons WHERE sex = 2").await?;
        s.my_numbers_on_file = count("SELECT COUNT(*) FROM my_numbers").await?;
        s.cash_benefit_claims = count("SELECT COUNT(*) FROM cash_benefits").await?;
        s.receipts = count("SELECT COUNT(*) FROM receipts").await?;
        s.checkups = count("SELECT COUNT(*) FROM checkups").await?;
        let (covered,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT person_id) FROM eligibility_periods \
             WHERE acquired_on <= $1 AND (lost_on IS NULL OR lost_on > $1)",
        )
        .bind(day.clone())
        .fetch_one(self.db.granted(&grant))
        .await?;
        s.covered = covered;
        // Ages from ISO text: year difference, minus one before the birthday (MM-DD compare).
        // Portable across SQLite and PostgreSQL without date functions.
        let ages: Vec<(String,)> = sqlx::query_as(
            "SELECT p.birth_date FROM persons p JOIN eligibility_periods e ON e.person_id = p.id \
             WHERE p.kind <> 'dependant' AND e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $1)",
        )
        .bind(day.clone())
        .fetch_all(self.db.granted(&grant))
        .await?;
        let mut bands = std::collections::BTreeMap::<i64, i64>::new();
        for (birth,) in ages {
            let birth = crate::batch::parse_iso(&birth)?;
            let age = kenpo_domain::date::age_on(birth, as_of) as i64;
            *bands.entry(age / 10 * 10).or_default() += 1;
        }
        s.insured_by_age_band = bands.into_iter().collect();
        let (mean,): (Option<f64>,) = sqlx::query_as(
            "SELECT CAST(AVG(r.monthly_amount) AS DOUBLE PRECISION) FROM standard_remuneration r \
             JOIN eligibility_periods e ON e.person_id = r.person_id \
             WHERE e.acquired_on <= $1 AND (e.lost_on IS NULL OR e.lost_on > $1) \
             AND r.effective_from = (SELECT MAX(r2.effective_from) FROM standard_remuneration r2 \
                                     WHERE r2.person_id = r.person_id AND r2.effective_from <= $1)",
        )
        .bind(day)
        .fetch_one(self.db.granted(&grant))
        .await?;
        s.mean_standard_remuneration = mean.unwrap_or(0.0).round() as i64;
        self.record(&grant, &crate::audit::Touched::Population).await?;
        Ok(s)
    }
}
