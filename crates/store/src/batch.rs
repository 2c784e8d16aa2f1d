//! Multi-row INSERTs for bulk paths: one statement carries many rows, inside the caller's
//! transaction. The same SQL runs on SQLite (inside one transaction this is its fast path)
//! and on PostgreSQL (multi-row VALUES).

use crate::Backend;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// A value to bind. Only the types both backends share through `Any`.
#[derive(Clone)]
pub(crate) enum Val {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bytes(Vec<u8>),
    OptBytes(Option<Vec<u8>>),
}

// Stay well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters per statement.
const MAX_PARAMS: usize = 16_000;

/// Buffers rows for one table and writes them in as few statements as the parameter limit
/// allows.
pub(crate) struct TableBuffer {
    backend: Backend,
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
    sql_cache: HashMap<usize, String>,
}

impl TableBuffer {
    pub(crate) fn new(backend: Backend, table: &'static str, columns: &'static [&'static str]) -> Self {
        Self { backend, table, columns, values: Vec::new(), sql_cache: HashMap::new() }
    }

    pub(crate) fn push(&mut self, row: Vec<Val>) {
        debug_assert_eq!(row.len(), self.columns.len(), "row width for {}", self.table);
        self.values.extend(row);
    }

    pub(crate) fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    fn sql(&mut self, rows: usize) -> String {
        let (backend, table, columns) = (self.backend, self.table, self.columns);
        self.sql_cache
            .entry(rows)
            .or_insert_with(|| {
                let width = columns.len();
                let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
                for r in 0..rows {
                    if r > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('(');
                    for c in 0..width {
                        if c > 0 {
                            sql.push_str(", ");
                        }
                        // SQLite gets anonymous `?`: sqlx looks every parameter up by name, and
                        // SQLite's name lookup is linear, so `$n` made a 16,000-value
                        // statement quadratic (measured: 90% of an import's time).
                        match backend {
                            Backend::Sqlite => sql.push('?'),
                            Backend::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
                        }
                    }
                    sql.push(')');
                }
                sql
            })
            .clone()
    }

    /// Writes everything buffered.
    pub(crate) async fn flush(&mut self, tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
        let width = self.columns.len();
        let per_statement = (MAX_PARAMS / width).max(1);
        let mut remaining = self.rows();
        let mut values = std::mem::take(&mut self.values).into_iter();
        while remaining > 0 {
            // Full statements, then powers of two: few distinct SQL texts, so the connection's
            // prepared-statement cache keeps them (a statement per row count was re-prepared
            // for nearly every file: 9% of a receipts import).
            let rows = if remaining >= per_statement { per_statement } else { 1 << remaining.ilog2() };
            let sql = self.sql(rows);
            // The SQL text is built from our own constant table and column names only.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in values.by_ref().take(rows * width) {
                query = match v {
                    Val::Int(i) => query.bind(i),
                    Val::OptInt(i) => query.bind(i),
                    Val::Text(s) => query.bind(s),
                    Val::OptText(s) => query.bind(s),
                    Val::Bytes(b) => query.bind(b),
                    Val::OptBytes(b) => query.bind(b),
                };
            }
            query.execute(&mut **tx).await?;
            remaining -= rows;
        }
        Ok(())
    }
}

/// Dates are stored as ISO text on both backends.
pub(crate) fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) fn parse_iso(s: &str) -> Result<chrono::NaiveDate, crate::StoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| crate::StoreError::Corrupt("a stored date is not YYYY-MM-DD".into()))
}

/// Next free id of a table, read inside the import's transaction (imports hold the write lock).
pub(crate) async fn next_id(tx: &mut Transaction<'static, Any>, table: &'static str) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
    let (id,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(&mut **tx).await?;
    Ok(id)
}

/// On SQLite, makes the transaction's first statement a write, so it holds the write lock from
/// the start: a deferred transaction that reads first and writes later fails at once (not after
/// the busy timeout) when another connection wrote in between. PostgreSQL locks per row.
pub(crate) async fn take_write_lock(tx: &mut Transaction<'static, Any>, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        sqlx::query("UPDATE audit_head SET next_seq = next_seq WHERE id = 1").execute(&mut **tx).await?;
    }
    Ok(())
}

/// Starts an import inside its transaction: refuses content already imported (same kind and
/// SHA-256) and writes the `imports` row. Returns the new import id.
pub(crate) async fn open_import(
    tx: &mut Transaction<'static, Any>,
    kind: &'static str,
    file_name: &str,
    content_sha256: &str,
    ctx: &kenpo_policy::AccessContext,
    row_count: i64,
) -> Result<i64, crate::StoreError> {
    let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM imports WHERE kind = $1 AND content_sha256 = $2")
        .bind(kind)
        .bind(content_sha256.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    if let Some((import_id,)) = existing {
        return Err(crate::StoreError::AlreadyImported { file: file_name.to_string(), import_id });
    }
    let import_id = next_id(tx, "imports").await?;
    sqlx::query(
        "INSERT INTO imports (id, kind, file_name, content_sha256, imported_at, actor, purpose, row_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(import_id)
    .bind(kind)
    .bind(file_name.to_string())
    .bind(content_sha256.to_string())
    .bind(chrono::Utc::now().to_rfc3339())
    .bind(ctx.actor().to_string())
    .bind(ctx.purpose().id().to_string())
    .bind(row_count)
    .execute(&mut **tx)
    .await?;
    Ok(import_id)
}
