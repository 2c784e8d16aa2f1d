//! The only holder of the connection pool. Its field is private to this module, so the rest of
//! the store reaches the database through one of the doors below, and each door says why:
//!
//! - [`Db::granted`] needs a [`Grant`] — the proof that the policy allowed this access. Every
//!   read or write of personal data goes through it.
//! - [`Db::operator`] needs an [`Operator`] — the proof that the catalogue lets this actor
//!   operate the audit log or the accounts (`require_operator`).
//! - [`Db::login_path`] is the login of `kenpo serve`, before there is an actor: it reads the
//!   account row being logged in to and writes its counter, lock and first password.
//!
//! The audit appender gets its own handle when the store opens (it records decisions rather
//! than making them); a test that swaps the policy engine restarts it through
//! [`Db::appender`], which exists only under the `test-policy` feature.

use crate::guard::Grant;
use sqlx::AnyPool;

pub(crate) struct Db {
    pool: AnyPool,
}

/// Proof that the catalogue allowed an actor an operation on the audit log or the accounts;
/// made only by `Store::require_operator`.
pub(crate) struct Operator {
    _private: (),
}

impl Operator {
    pub(crate) fn checked() -> Self {
        Self { _private: () }
    }
}

impl Db {
    pub(crate) fn new(pool: AnyPool) -> Self {
        Self { pool }
    }

    pub(crate) fn granted(&self, _grant: &Grant<'_>) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn operator(&self, _operator: &Operator) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn login_path(&self) -> &AnyPool {
        &self.pool
    }

    #[cfg(feature = "test-policy")]
    pub(crate) fn appender(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}
