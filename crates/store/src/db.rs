//! Connection and migrations. One SQL dialect subset serves both backends through sqlx's
//! `Any` driver: `$n` placeholders, BIGINT/INTEGER, TEXT dates, BLOB/BYTEA.

use crate::StoreError;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub(crate) async fn connect(url: &str) -> Result<(AnyPool, Backend), StoreError> {
    sqlx::any::install_default_drivers();
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Backend::Postgres
    } else {
        return Err(StoreError::Url);
    };
    let url = match backend {
        // Create the file if missing.
        Backend::Sqlite if !url.contains("mode=") => {
            format!("{url}{}mode=rwc", if url.contains('?') { "&" } else { "?" })
        }
        _ => url.to_string(),
    };
    let options = AnyConnectOptions::from_str(&url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL: readers do not block the writer; NORMAL sync is durable across
                    // application crashes in WAL mode. Foreign keys are off by default in SQLite.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // A large page cache (256 MiB, allocated only as used): with SQLite's
                    // default 2 MiB, a big import spills dirty pages to the WAL and appends
                    // each index page again every time it changes — measured here as a
                    // 1M-member roster crawling at a few thousand rows/s.
                    conn.execute("PRAGMA cache_size = -262144").await?;
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    Ok((pool, backend))
}

pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS.run(pool).await?,
        Backend::Postgres => POSTGRES_MIGRATIONS.run(pool).await?,
    }
    Ok(())
}

/// Keeps PostgreSQL's planner statistics of a bulk-loaded table fresh enough to choose its
/// indexes: ANALYZE when the table was never analysed (`pg_class.reltuples` is −1, PostgreSQL
/// 14+) or has had at least as many rows changed since as it had then (and ≥ 10,000). Without
/// statistics the planner guesses 0.5 % of rows per value, so a lookup of 500 content keys or 300
/// cards becomes a scan of the whole table (measured: a 20k-member year of receipts imported in
/// 805 s instead of 82 s); autovacuum may be off, or lag behind a long import. Each doubling costs
/// one ANALYZE (a sample of at most 30,000 rows), so a year's import of millions of receipts pays
/// about ten. The change count comes from the statistics system, which may lag a second; the
/// never-analysed test does not. SQLite needs none of this: its planner uses the unique and
/// explicit indexes without statistics.
pub(crate) async fn refresh_statistics(
    pool: &AnyPool,
    backend: Backend,
    table: &'static str,
) -> Result<(), StoreError> {
    if backend != Backend::Postgres {
        return Ok(());
    }
    // `to_regclass` resolves the name through the search path, as the store's own queries do.
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT CAST(c.reltuples AS BIGINT), COALESCE(s.n_mod_since_analyze, 0) \
         FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass($1)",
    )
    .bind(table)
    .fetch_optional(pool)
    .await?;
    let Some((rows_then, changed)) = row else { return Ok(()) };
    if rows_then < 0 || (changed >= 10_000 && changed >= rows_then) {
        // Only a fixed table name from the callers is added to the text.
        sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}"))).execute(pool).await?;
    }
    Ok(())
}
