//! Matching an incoming document (receipt, checkup) to a person by its card: 保険者番号 +
//! 記号・番号, then 枝番 — or, when the document carries no 枝番, the birth date (the family
//! shares the card). Cards are looked up in batches, one indexed query per [`LOOKUP`] cards.

use crate::batch::parse_iso;
use crate::{Backend, StoreError};
use chrono::NaiveDate;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Cards per lookup query: one JSON parameter each (see `history`).
const LOOKUP: usize = 2_000;

/// 保険者番号, 記号, 番号.
pub(crate) type CardKey = (String, String, String);

/// A person a card was issued to, and when it was theirs.
struct Candidate {
    id: i64,
    branch: u8,
    birth: NaiveDate,
    from: NaiveDate,
    until: Option<NaiveDate>,
}

/// The people behind the cards seen so far in one import.
#[derive(Default)]
pub(crate) struct CardMatcher {
    cards: HashMap<CardKey, Vec<Candidate>>,
}

impl CardMatcher {
    /// Looks up the cards not seen before, inside the import's transaction: every holder the
    /// card has had (`card_history`), so a receipt is matched with the card of its own month.
    pub(crate) async fn load(
        &mut self,
        tx: &mut Transaction<'static, Any>,
        backend: Backend,
        keys: impl IntoIterator<Item = CardKey>,
    ) -> Result<(), StoreError> {
        let mut wanted: Vec<CardKey> = Vec::new();
        for key in keys {
            if !self.cards.contains_key(&key) {
                self.cards.insert(key.clone(), Vec::new());
                wanted.push(key);
            }
        }
        for batch in wanted.chunks(LOOKUP) {
            let (json, table) = crate::history::card_set(backend, batch);
            let sql = format!(
                "SELECT c.person_id, c.insurer_number, c.card_symbol, c.card_number, c.card_branch, p.birth_date, \
                        c.valid_from, c.valid_until \
                 FROM {table} k JOIN card_history c ON c.insurer_number = k.i AND c.card_symbol = k.s \
                      AND c.card_number = k.n \
                 JOIN persons p ON p.id = c.person_id"
            );
            type Row = (i64, String, String, String, i64, String, String, Option<String>);
            let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(json).fetch_all(&mut **tx).await?;
            for (id, insurer, symbol, number, branch, birth, from, until) in rows {
                if let Some(list) = self.cards.get_mut(&(insurer, symbol, number)) {
                    list.push(Candidate {
                        id,
                        branch: u8::try_from(branch).unwrap_or(u8::MAX),
                        birth: parse_iso(&birth)?,
                        from: parse_iso(&from)?,
                        until: until.as_deref().map(parse_iso).transpose()?,
                    });
                }
            }
        }
        Ok(())
    }

    /// The one person the card (loaded before) names for a document of the days `from..=to`
    /// (a receipt's 診療年月, a checkup's date), if exactly one. The card's holder in those days
    /// wins; a card only ever held by one person names that person whatever the date (so a
    /// receipt after the loss of status is matched, and the 資格 check finds it).
    pub(crate) fn person(
        &self,
        key: &CardKey,
        branch: Option<u8>,
        birth: NaiveDate,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Option<i64> {
        let candidates = self.cards.get(key)?;
        let fits = |c: &&Candidate| match branch {
            Some(b) => c.branch == b,
            None => c.birth == birth,
        };
        let one = |ids: &mut Vec<i64>| {
            ids.sort_unstable();
            ids.dedup();
            (ids.len() == 1).then(|| ids[0])
        };
        let mut in_force: Vec<i64> = candidates
            .iter()
            .filter(fits)
            .filter(|c| c.from <= to && c.until.is_none_or(|u| u > from))
            .map(|c| c.id)
            .collect();
        if !in_force.is_empty() {
            return one(&mut in_force);
        }
        let mut ever: Vec<i64> = candidates.iter().filter(fits).map(|c| c.id).collect();
        one(&mut ever)
    }
}
