//! Matching an incoming document (receipt, checkup) to a person by its card: 保険者番号 +
//! 記号・番号, then 枝番 — or, when the document carries no 枝番, the birth date (the family
//! shares the card). Cards are looked up in batches, one indexed query per [`LOOKUP`] cards.

use crate::batch::parse_iso;
use crate::{Backend, StoreError};
use chrono::NaiveDate;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Cards per lookup query (3 bound values each).
const LOOKUP: usize = 300;

/// 保険者番号, 記号, 番号.
pub(crate) type CardKey = (String, String, String);

/// A person a card may belong to.
struct Candidate {
    id: i64,
    branch: u8,
    birth: NaiveDate,
}

/// The people behind the cards seen so far in one import.
#[derive(Default)]
pub(crate) struct CardMatcher {
    cards: HashMap<CardKey, Vec<Candidate>>,
}

impl CardMatcher {
    /// Looks up the cards not seen before, inside the import's transaction.
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
            let sql = lookup_sql(backend, batch.len());
            let mut q = sqlx::query_as::<_, (i64, String, String, String, i64, String)>(sqlx::AssertSqlSafe(sql));
            for (insurer, symbol, number) in batch {
                q = q.bind(insurer.clone()).bind(symbol.clone()).bind(number.clone());
            }
            for (id, insurer, symbol, number, branch, birth) in q.fetch_all(&mut **tx).await? {
                if let Some(list) = self.cards.get_mut(&(insurer, symbol, number)) {
                    list.push(Candidate { id, branch: branch as u8, birth: parse_iso(&birth)? });
                }
            }
        }
        Ok(())
    }

    /// The one person the card (loaded before) names, if exactly one.
    pub(crate) fn person(&self, key: &CardKey, branch: Option<u8>, birth: NaiveDate) -> Option<i64> {
        let candidates = self.cards.get(key)?;
        let mut chosen = candidates.iter().filter(|c| match branch {
            Some(b) => c.branch == b,
            None => c.birth == birth,
        });
        let first = chosen.next()?;
        chosen.next().is_none().then_some(first.id)
    }
}

/// `SELECT … WHERE (card = …) OR (card = …) …` for `n` cards: each term uses the persons
/// unique index on both backends. SQLite gets anonymous `?` (see batch.rs on `$n` there).
fn lookup_sql(backend: Backend, n: usize) -> String {
    let mut sql = String::from(
        "SELECT id, insurer_number, card_symbol, card_number, card_branch, birth_date FROM persons WHERE ",
    );
    for i in 0..n {
        if i > 0 {
            sql.push_str(" OR ");
        }
        match backend {
            Backend::Sqlite => sql.push_str("(insurer_number = ? AND card_symbol = ? AND card_number = ?)"),
            Backend::Postgres => sql.push_str(&format!(
                "(insurer_number = ${} AND card_symbol = ${} AND card_number = ${})",
                3 * i + 1,
                3 * i + 2,
                3 * i + 3
            )),
        }
    }
    sql
}
