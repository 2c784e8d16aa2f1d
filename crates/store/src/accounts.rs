//! Accounts of `kenpo serve`: the credentials behind an authenticated actor.
//!
//! The store keeps what it is given — a password as an argon2id PHC string, a one-time code as
//! its SHA-256, a TOTP secret sealed under the vault key — and never sees a password. Hashing
//! and checking live in `kenpo-app` (auth). Managing accounts is an operation the catalogue
//! grants per role (`accounts`, the 個人情報保護管理者's), decided and audited like the audit-log
//! operations; the login path itself reads only the account row (it runs before there is an
//! actor) and writes the failure counter and lock.

use crate::audit::Touched;
use crate::batch::{next_id, take_write_lock};
use crate::{Store, StoreError};
use kenpo_policy::{AccessContext, Action, PersonId, StaffRole};
use serde::Serialize;

/// What an account acts as once authenticated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountKind {
    Staff { role: String },
    Member { person_id: i64 },
    Contractor { contractor_id: String },
}

/// A new account, its secrets already hashed or sealed by the caller.
pub struct NewAccount {
    pub login: String,
    pub kind: AccountKind,
    pub display_name: String,
    /// argon2id PHC string; `None` for a member until activation.
    pub password_hash: Option<String>,
    /// TOTP secret (raw bytes), sealed here under the vault key.
    pub totp_secret: Option<Vec<u8>>,
    /// SHA-256 (hex) of a one-time code and its expiry (RFC 3339).
    pub onetime: Option<(String, String)>,
}

/// An account as the login path and `kenpo user list` see it. No secret leaves the store
/// except the TOTP secret, opened for the check and dropped.
#[derive(Clone, Debug, Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub login: String,
    #[serde(flatten)]
    pub kind: AccountKind,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    #[serde(skip)]
    pub onetime_hash: Option<String>,
    pub onetime_expires: Option<String>,
    pub has_totp: bool,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    pub last_login_at: Option<String>,
}

impl AccountRow {
    /// The actor this account acts as once authenticated (its login is the staff user).
    pub fn actor(&self) -> Result<kenpo_policy::Actor, StoreError> {
        Ok(match &self.kind {
            AccountKind::Staff { role } => kenpo_policy::Actor::Staff {
                role: StaffRole::from_id(role).ok_or_else(|| StoreError::Corrupt("account role".into()))?,
                user: self.login.clone(),
            },
            AccountKind::Member { person_id } => kenpo_policy::Actor::Member { person: PersonId(*person_id) },
            AccountKind::Contractor { contractor_id } => kenpo_policy::Actor::Contractor { id: contractor_id.clone() },
        })
    }

    /// `disabled`, `locked`, `not_activated` (a one-time code is outstanding) or `active`.
    pub fn state(&self) -> &'static str {
        if self.disabled {
            "disabled"
        } else if self.locked_until.is_some() {
            "locked"
        } else if self.onetime_expires.is_some() {
            "not_activated"
        } else {
            "active"
        }
    }
}

type RawAccount = (
    i64,
    String,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<Vec<u8>>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
    i64,
    String,
    Option<String>,
);

/// (nonce, ciphertext) of a sealed TOTP secret.
type SealedTotp = (Option<Vec<u8>>, Option<Vec<u8>>);

const ACCOUNT_COLUMNS: &str = "id, login, kind, role, person_id, contractor_id, display_name, password_hash, \
    totp_sealed, onetime_hash, onetime_expires, failed_logins, locked_until, disabled, created_at, last_login_at";

fn account_of(raw: RawAccount) -> Result<AccountRow, StoreError> {
    let (
        id,
        login,
        kind,
        role,
        person,
        contractor,
        display_name,
        password_hash,
        totp,
        onetime,
        expires,
        failed,
        locked,
        disabled,
        created,
        last,
    ) = raw;
    let corrupt = || StoreError::Corrupt(format!("account #{id}: kind"));
    let kind = match (kind.as_str(), role, person, contractor) {
        ("staff", Some(role), None, None) => AccountKind::Staff { role },
        ("member", None, Some(person_id), None) => AccountKind::Member { person_id },
        ("contractor", None, None, Some(contractor_id)) => AccountKind::Contractor { contractor_id },
        _ => return Err(corrupt()),
    };
    Ok(AccountRow {
        id,
        login,
        kind,
        display_name,
        password_hash,
        onetime_hash: onetime,
        onetime_expires: expires,
        has_totp: totp.is_some(),
        failed_logins: failed,
        locked_until: locked,
        disabled: disabled != 0,
        created_at: created,
        last_login_at: last,
    })
}

/// The purpose recorded with login attempts in the audit log (not a use of 別表2: logging in
/// reads nobody's data).
pub const LOGIN_PURPOSE: &str = "auth.login";

/// Login names: 3 to 64 of ASCII letters, digits, `.`, `_`, `-` (they appear in the audit log
/// as the staff user, so nothing that could pass for another field).
pub fn valid_login(login: &str) -> bool {
    (3..=64).contains(&login.len())
        && login.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

impl Store {
    /// Creates an account (the `accounts` operation). A member account names an existing person
    /// (one account per person); a staff account a catalogue role; a contractor account a
    /// contractor of the 業務委託先一覧.
    pub async fn account_add(&self, ctx: &AccessContext, new: NewAccount) -> Result<AccountRow, StoreError> {
        let op = self.require_operator(ctx, "accounts").await?;
        if !valid_login(&new.login) {
            return Err(StoreError::Input("login: 3〜64文字の英数字と . _ - で指定してください".into()));
        }
        let display = new.display_name.trim();
        if display.is_empty() || display.chars().count() > 60 || display.chars().any(char::is_control) {
            return Err(StoreError::Input("display name: 1〜60文字、制御文字なしで指定してください".into()));
        }
        let (kind, role, person, contractor) = match &new.kind {
            AccountKind::Staff { role } => {
                if StaffRole::from_id(role).is_none() {
                    return Err(StoreError::Input("role: カタログにない役割です".into()));
                }
                ("staff", Some(role.clone()), None, None)
            }
            AccountKind::Member { person_id } => ("member", None, Some(*person_id), None),
            AccountKind::Contractor { contractor_id } => {
                if self.catalogue.contractor(contractor_id).is_none() {
                    return Err(StoreError::Input("contractor: 業務委託先一覧にない委託先です".into()));
                }
                ("contractor", None, None, Some(contractor_id.clone()))
            }
        };
        let mut tx = self.db.operator(&op).begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        if let Some(person_id) = person {
            let exists: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM persons WHERE id = $1").bind(person_id).fetch_optional(&mut *tx).await?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("person {person_id}")));
            }
            let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM accounts WHERE person_id = $1")
                .bind(person_id)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Input(format!("person {person_id}: この加入者のアカウントは既にあります")));
            }
        }
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM accounts WHERE login = $1")
            .bind(new.login.clone())
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Input("login: 同じログイン名のアカウントが既にあります".into()));
        }
        let id = next_id(&mut tx, "accounts").await?;
        let (nonce, sealed) = match &new.totp_secret {
            Some(secret) => {
                let (n, s) = self.vault.seal_secret(&totp_aad(&new.login), secret);
                (Some(n), Some(s))
            }
            None => (None, None),
        };
        let now = chrono::Utc::now().to_rfc3339();
        sqlx::query(
            "INSERT INTO accounts (id, login, kind, role, person_id, contractor_id, display_name, password_hash, \
             totp_nonce, totp_sealed, onetime_hash, onetime_expires, failed_logins, disabled, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, 0, $13, $14)",
        )
        .bind(id)
        .bind(new.login.clone())
        .bind(kind)
        .bind(role)
        .bind(person)
        .bind(contractor)
        .bind(display.to_string())
        .bind(new.password_hash)
        .bind(nonce)
        .bind(sealed)
        .bind(new.onetime.as_ref().map(|o| o.0.clone()))
        .bind(new.onetime.as_ref().map(|o| o.1.clone()))
        .bind(now)
        .bind(ctx.actor().to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.audit_now(ctx, Action::Write, &[], true, &format!("accounts:add:{id}"), &Touched::Nothing).await?;
        self.account_by_login(&new.login).await?.ok_or_else(|| StoreError::Corrupt("account vanished".into()))
    }

    /// Every account, by login (the `accounts` operation).
    pub async fn account_list(&self, ctx: &AccessContext) -> Result<Vec<AccountRow>, StoreError> {
        let op = self.require_operator(ctx, "accounts").await?;
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY login");
        let rows: Vec<RawAccount> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(self.db.operator(&op)).await?;
        self.audit_now(ctx, Action::Read, &[], true, "accounts:list", &Touched::Nothing).await?;
        rows.into_iter().map(account_of).collect()
    }

    /// One account by login (the `accounts` operation): decided before anything is read, so a
    /// caller without the operation cannot learn which logins exist.
    pub async fn account_of(&self, ctx: &AccessContext, login: &str) -> Result<AccountRow, StoreError> {
        let op = self.require_operator(ctx, "accounts").await?;
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = $1");
        let row: Option<RawAccount> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(login.to_string())
            .fetch_optional(self.db.operator(&op))
            .await?;
        row.map(account_of).transpose()?.ok_or_else(|| StoreError::NotFound("account".into()))
    }

    /// Disables or re-enables an account, or clears its lock (the `accounts` operation).
    pub async fn account_set_disabled(
        &self,
        ctx: &AccessContext,
        login: &str,
        disabled: bool,
    ) -> Result<AccountRow, StoreError> {
        let op = self.require_operator(ctx, "accounts").await?;
        let done =
            sqlx::query("UPDATE accounts SET disabled = $1, failed_logins = 0, locked_until = NULL WHERE login = $2")
                .bind(i64::from(disabled))
                .bind(login.to_string())
                .execute(self.db.operator(&op))
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("account".into()));
        }
        let row = self.account_by_login(login).await?.ok_or_else(|| StoreError::NotFound("account".into()))?;
        let what = if disabled { "disable" } else { "enable" };
        self.audit_now(ctx, Action::Write, &[], true, &format!("accounts:{what}:{}", row.id), &Touched::Nothing)
            .await?;
        Ok(row)
    }

    /// Replaces an account's password (cleared when `None`: the account then logs in only by
    /// its new one-time code) and TOTP secret, clears the lock (the `accounts` operation).
    pub async fn account_reset(
        &self,
        ctx: &AccessContext,
        login: &str,
        password_hash: Option<String>,
        totp_secret: Option<Vec<u8>>,
        onetime: Option<(String, String)>,
    ) -> Result<AccountRow, StoreError> {
        let op = self.require_operator(ctx, "accounts").await?;
        let (nonce, sealed) = match &totp_secret {
            Some(secret) => {
                let (n, s) = self.vault.seal_secret(&totp_aad(login), secret);
                (Some(n), Some(s))
            }
            None => (None, None),
        };
        let done = sqlx::query(
            "UPDATE accounts SET password_hash = $1, totp_nonce = $2, totp_sealed = $3, onetime_hash = $4, \
             onetime_expires = $5, failed_logins = 0, locked_until = NULL WHERE login = $6",
        )
        .bind(password_hash)
        .bind(nonce)
        .bind(sealed)
        .bind(onetime.as_ref().map(|o| o.0.clone()))
        .bind(onetime.as_ref().map(|o| o.1.clone()))
        .bind(login.to_string())
        .execute(self.db.operator(&op))
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("account".into()));
        }
        let row = self.account_by_login(login).await?.ok_or_else(|| StoreError::NotFound("account".into()))?;
        self.audit_now(ctx, Action::Write, &[], true, &format!("accounts:reset:{}", row.id), &Touched::Nothing).await?;
        Ok(row)
    }

    /// The login path: the account of a login name, if any (no actor exists yet to decide on).
    pub async fn account_by_login(&self, login: &str) -> Result<Option<AccountRow>, StoreError> {
        if !valid_login(login) {
            return Ok(None);
        }
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE login = $1");
        let row: Option<RawAccount> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(login.to_string())
            .fetch_optional(self.db.login_path())
            .await?;
        row.map(account_of).transpose()
    }

    /// The login path: the account's TOTP secret, opened from the vault.
    pub async fn account_totp_secret(&self, account: &AccountRow) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<SealedTotp> = sqlx::query_as("SELECT totp_nonce, totp_sealed FROM accounts WHERE id = $1")
            .bind(account.id)
            .fetch_optional(self.db.login_path())
            .await?;
        match row {
            Some((Some(nonce), Some(sealed))) => {
                Ok(Some(self.vault.open_secret(&totp_aad(&account.login), &nonce, &sealed)?))
            }
            _ => Ok(None),
        }
    }

    /// The login path: a failed attempt. After `lock_after` failures in a row the account is
    /// locked until `lock_until` (RFC 3339). Returns the failures counted so far.
    pub async fn account_login_failed(&self, id: i64, lock_after: i64, lock_until: &str) -> Result<i64, StoreError> {
        let mut tx = self.db.login_path().begin().await?;
        take_write_lock(&mut tx, self.backend).await?;
        sqlx::query("UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let (failed,): (i64,) =
            sqlx::query_as("SELECT failed_logins FROM accounts WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        if failed >= lock_after {
            sqlx::query("UPDATE accounts SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                .bind(lock_until.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(failed)
    }

    /// The login path: a successful login clears the failure counter.
    pub async fn account_login_ok(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
            .bind(chrono::Utc::now().to_rfc3339())
            .bind(id)
            .execute(self.db.login_path())
            .await?;
        Ok(())
    }

    /// The activation path: a member (or a reset account) sets a password with its one-time
    /// code; the code is spent.
    pub async fn account_activate(&self, id: i64, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE accounts SET password_hash = $1, onetime_hash = NULL, onetime_expires = NULL, failed_logins = 0, \
             locked_until = NULL WHERE id = $2",
        )
        .bind(password_hash.to_string())
        .bind(id)
        .execute(self.db.login_path())
        .await?;
        Ok(())
    }

    /// The login path: every attempt on an existing account is an audit-log entry, as the
    /// account's actor under the pseudo-purpose [`LOGIN_PURPOSE`], with the outcome as its rule
    /// (`login:ok`, `login:bad_password`, `login:locked`, …). It touches nobody's data.
    pub async fn account_audit_login(
        &self,
        account: &AccountRow,
        ok: bool,
        why: &'static str,
    ) -> Result<(), StoreError> {
        let actor = account.actor()?;
        let purpose = kenpo_policy::PurposeId::parse(LOGIN_PURPOSE).map_err(|e| StoreError::Policy(e.to_string()))?;
        let ctx = AccessContext::new(actor, purpose);
        self.audit_now(&ctx, Action::Read, &[], ok, &format!("login:{why}"), &Touched::Nothing).await?;
        Ok(())
    }

    /// The person behind a member account (for the portal's own-data checks).
    pub fn member_person(account: &AccountRow) -> Option<PersonId> {
        match account.kind {
            AccountKind::Member { person_id } => Some(PersonId(person_id)),
            _ => None,
        }
    }
}

fn totp_aad(login: &str) -> Vec<u8> {
    format!("kenpo/accounts/v1/totp/{login}").into_bytes()
}
