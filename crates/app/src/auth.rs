//! Who is logged in: passwords (argon2id), the TOTP second factor, one-time activation codes,
//! lockout, and sessions with idle and absolute timeouts.
//!
//! An authenticated account becomes an [`Actor`] — staff in its catalogue role with its login
//! as the user, a member as their own person, a contractor by its catalogue id — and from there
//! every decision, mask and audit entry is the store's, exactly as for the CLI's `--as`.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use chrono::{DateTime, Duration, Utc};
use kenpo_policy::Actor;
use kenpo_policy::catalogue::Catalogue;
use kenpo_store::{AccountKind, AccountRow, Store, StoreError};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use zeroize::Zeroizing;

/// The rules of logging in. Defaults follow common guidance for staff systems (NIST SP 800-63B
/// allows up to 100 failures before a lock; a society's staff system is smaller and watched, so
/// 5 failures lock for 15 minutes); a session ends after 30 minutes idle or 8 hours in all.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    pub lock_after: i64,
    pub lock_for: Duration,
    pub idle: Duration,
    pub absolute: Duration,
    /// How long a printed one-time code stays valid.
    pub onetime_valid: Duration,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            lock_after: 5,
            lock_for: Duration::minutes(15),
            idle: Duration::minutes(30),
            absolute: Duration::hours(8),
            onetime_valid: Duration::days(30),
        }
    }
}

/// Why a login or activation was refused. The words never say whether a login name exists,
/// except that a locked or disabled account says so (its owner must be told to call the office).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("ログイン名またはパスワードが違います")]
    BadCredentials,
    #[error("ログインの失敗が続いたためロックされています。時間をおくか管理者に連絡してください")]
    Locked,
    #[error("このアカウントは無効です")]
    Disabled,
    #[error("この役割は二要素認証（ワンタイムコード）が必要です")]
    SecondFactorRequired,
    #[error("ワンタイムコードが違います")]
    BadSecondFactor,
    #[error("パスワードは12文字以上128文字以内で指定してください")]
    WeakPassword,
    #[error("利用開始コードが違うか、期限切れです")]
    BadActivation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Hashes a password with argon2id (the crate's defaults: m = 19 MiB, t = 2, p = 1, OWASP's
/// first recommended setting), as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    check_password_rules(password)?;
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AuthError::WeakPassword)
}

fn check_password_rules(password: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if !(12..=128).contains(&n) || password.chars().any(char::is_control) {
        return Err(AuthError::WeakPassword);
    }
    Ok(())
}

/// Checks a password on a blocking thread: argon2id takes tens of milliseconds of CPU, which
/// must not stall the async workers serving other requests.
async fn verify_password_off_thread(password: &str, phc: &str) -> bool {
    let (password, phc) = (Zeroizing::new(password.to_string()), phc.to_string());
    tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.unwrap_or(false)
}

fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A random secret as lowercase hex (`bytes` random bytes).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = Zeroizing::new(vec![0u8; bytes]);
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(&*buf)
}

/// A one-time code a person can type from paper: 4 groups of 4 from an alphabet without
/// look-alikes (0/O, 1/I/L), 80 bits.
pub fn onetime_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut raw = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let chars: Vec<char> = raw.iter().map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// SHA-256 (hex) of a one-time code, normalised (case, spaces and dashes ignored).
pub fn onetime_hash(code: &str) -> String {
    let norm: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    hex::encode(Sha256::digest(norm.as_bytes()))
}

/// TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps, one step of clock skew either way.
pub fn totp(secret: &[u8]) -> Result<totp_rs::TOTP, AuthError> {
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret.to_vec()).map_err(|_| AuthError::BadSecondFactor)
}

/// A new TOTP secret (160 bits, RFC 4226's recommendation) and its base32 form for an app.
pub fn new_totp_secret() -> (Vec<u8>, String) {
    let mut secret = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let encoded = totp_rs::Secret::Raw(secret.clone()).to_encoded().to_string();
    (secret, encoded)
}

/// Whether a staff role must use the second factor: it acts for a use that reads 要配慮個人情報
/// (health data) or 個人番号.
pub fn role_needs_second_factor(catalogue: &Catalogue, role: &str) -> bool {
    catalogue.uses.iter().filter(|u| u.roles.iter().any(|r| r == role)).any(|u| {
        u.my_number_affair
            || u.categories.iter().any(|c| {
                kenpo_domain::DataCategory::from_id(c)
                    .is_some_and(|c| c.is_sensitive() || c == kenpo_domain::DataCategory::MyNumber)
            })
    })
}

/// The logged-in party.
#[derive(Clone, Debug)]
pub struct Principal {
    pub account_id: i64,
    pub login: String,
    pub display_name: String,
    pub actor: Actor,
}

impl Principal {
    fn of(account: &AccountRow) -> Result<Self, AuthError> {
        let actor = account.actor()?;
        Ok(Self {
            account_id: account.id,
            login: account.login.clone(),
            display_name: account.display_name.clone(),
            actor,
        })
    }
    pub fn is_member(&self) -> bool {
        matches!(self.actor, Actor::Member { .. })
    }
}

/// Checks a login: lock, password, second factor. Failures count toward the lock; an unknown
/// login costs the same argon2 work as a known one.
pub async fn login(
    store: &Store,
    catalogue: &Catalogue,
    settings: &AuthSettings,
    login: &str,
    password: &str,
    second_factor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Principal, AuthError> {
    let Some(account) = store.account_by_login(login).await? else {
        // Same work as a real check, so the answer's timing does not tell which logins exist.
        let _ = verify_password_off_thread(password, dummy_hash()).await;
        return Err(AuthError::BadCredentials);
    };
    if account.disabled {
        store.account_audit_login(&account, false, "disabled").await?;
        return Err(AuthError::Disabled);
    }
    if let Some(until) = account.locked_until.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        && until > now
    {
        store.account_audit_login(&account, false, "locked").await?;
        return Err(AuthError::Locked);
    }
    let until = (now + settings.lock_for).to_rfc3339();
    let fail = || store.account_login_failed(account.id, settings.lock_after, &until);
    let Some(phc) = account.password_hash.as_deref() else {
        let _ = verify_password_off_thread(password, dummy_hash()).await;
        fail().await?;
        store.account_audit_login(&account, false, "not_activated").await?;
        return Err(AuthError::BadCredentials);
    };
    if !verify_password_off_thread(password, phc).await {
        let failed = fail().await?;
        store.account_audit_login(&account, false, "bad_password").await?;
        return Err(if failed >= settings.lock_after { AuthError::Locked } else { AuthError::BadCredentials });
    }
    let needs_totp = match &account.kind {
        AccountKind::Staff { role } => role_needs_second_factor(catalogue, role),
        _ => false,
    };
    if needs_totp || account.has_totp {
        let secret = store.account_totp_secret(&account).await?.ok_or(AuthError::SecondFactorRequired)?;
        let Some(code) = second_factor.map(str::trim).filter(|c| !c.is_empty()) else {
            store.account_audit_login(&account, false, "second_factor_missing").await?;
            return Err(AuthError::SecondFactorRequired);
        };
        let t = totp(&secret)?;
        let ok = t.check(code, now.timestamp().max(0) as u64);
        if !ok {
            let failed = fail().await?;
            store.account_audit_login(&account, false, "bad_second_factor").await?;
            return Err(if failed >= settings.lock_after { AuthError::Locked } else { AuthError::BadSecondFactor });
        }
    }
    store.account_login_ok(account.id).await?;
    store.account_audit_login(&account, true, "ok").await?;
    Principal::of(&account)
}

/// A member (or a reset account) sets a password with the one-time code printed for them.
pub async fn activate(
    store: &Store,
    settings: &AuthSettings,
    login: &str,
    code: &str,
    new_password: &str,
    now: DateTime<Utc>,
) -> Result<(), AuthError> {
    check_password_rules(new_password)?;
    let account = store.account_by_login(login).await?.ok_or(AuthError::BadActivation)?;
    if account.disabled {
        return Err(AuthError::Disabled);
    }
    if let Some(until) = account.locked_until.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok())
        && until > now
    {
        return Err(AuthError::Locked);
    }
    let expected = account.onetime_hash.as_deref().ok_or(AuthError::BadActivation)?;
    let in_time =
        account.onetime_expires.as_deref().and_then(|e| DateTime::parse_from_rfc3339(e).ok()).is_some_and(|e| e > now);
    let given = onetime_hash(code);
    let same: bool = subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_bytes()).into();
    if !same || !in_time {
        store.account_login_failed(account.id, settings.lock_after, &(now + settings.lock_for).to_rfc3339()).await?;
        return Err(AuthError::BadActivation);
    }
    let new_password = Zeroizing::new(new_password.to_string());
    let phc = tokio::task::spawn_blocking(move || hash_password(&new_password))
        .await
        .map_err(|_| AuthError::WeakPassword)??;
    store.account_activate(account.id, &phc).await?;
    Ok(())
}

/// An argon2id hash of a random string, checked against when the login does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(random_hex(16).as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

/// One session: who, since when, last seen, and the CSRF token its forms and requests carry.
#[derive(Clone, Debug)]
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    pub created: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// Why a session token was not accepted.
#[derive(Debug, PartialEq, Eq)]
pub enum SessionRefusal {
    Unknown,
    Idle,
    Absolute,
}

/// Live sessions, in memory, keyed by the SHA-256 of their token (a token is a 256-bit random
/// value shown only to the browser or client). A restart logs everyone out.
#[derive(Default)]
pub struct Sessions {
    live: Mutex<HashMap<[u8; 32], Session>>,
}

fn token_key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Sessions {
    /// Starts a session: (token, CSRF token).
    pub fn start(&self, principal: Principal, now: DateTime<Utc>) -> (String, String) {
        let token = random_hex(32);
        let csrf = random_hex(32);
        let session = Session { principal, csrf: csrf.clone(), created: now, last_seen: now };
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, s| s.last_seen > now - Duration::days(1));
        live.insert(token_key(&token), session);
        (token, csrf)
    }

    /// The session of a token, touched now; expired sessions are ended here.
    pub fn get(&self, token: &str, settings: &AuthSettings, now: DateTime<Utc>) -> Result<Session, SessionRefusal> {
        let key = token_key(token);
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let Some(s) = live.get_mut(&key) else {
            return Err(SessionRefusal::Unknown);
        };
        if now - s.created > settings.absolute {
            live.remove(&key);
            return Err(SessionRefusal::Absolute);
        }
        if now - s.last_seen > settings.idle {
            live.remove(&key);
            return Err(SessionRefusal::Idle);
        }
        s.last_seen = now;
        Ok(s.clone())
    }

    pub fn end(&self, token: &str) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&token_key(token));
    }

    /// Ends every session of an account (disabled or reset).
    pub fn end_account(&self, account_id: i64) {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, s| s.principal.account_id != account_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, seed "12345678901234567890": at T = 59 s the 8-digit code is
    /// 94287082, so the 6-digit code is its last six digits, 287082; at 1111111109 s,
    /// 07081804 → 081804.
    #[test]
    fn totp_matches_rfc_6238_vectors() {
        let t = totp(b"12345678901234567890").unwrap();
        assert_eq!(t.generate(59), "287082");
        assert_eq!(t.generate(1_111_111_109), "081804");
        assert!(t.check("287082", 59 + 30), "one step of skew is accepted");
        assert!(!t.check("287082", 59 + 90), "three steps later it is refused");
    }

    #[test]
    fn onetime_codes_are_80_bits_of_unambiguous_letters() {
        let c = onetime_code();
        assert_eq!(c.len(), 19);
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(onetime_hash(&c), onetime_hash(&c.to_lowercase().replace('-', " ")));
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &phc));
        assert!(!verify_password("correct horse batterY", &phc));
        assert!(matches!(hash_password("short"), Err(AuthError::WeakPassword)));
    }

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let s = Sessions::default();
        let settings = AuthSettings { idle: Duration::minutes(30), absolute: Duration::hours(8), ..Default::default() };
        let t0 = DateTime::parse_from_rfc3339("2026-12-07T09:00:00Z").unwrap().with_timezone(&Utc);
        let p = Principal {
            account_id: 1,
            login: "sato".into(),
            display_name: "佐藤".into(),
            actor: Actor::System { job: "t".into() },
        };
        let (token, _) = s.start(p.clone(), t0);
        // Seen every 29 minutes: alive until the 8-hour mark.
        let mut now = t0;
        for _ in 0..16 {
            now += Duration::minutes(29);
            assert!(s.get(&token, &settings, now).is_ok(), "{now}");
        }
        now += Duration::minutes(29); // 8 h 13 min after the start
        assert_eq!(s.get(&token, &settings, now).unwrap_err(), SessionRefusal::Absolute);
        let (token, _) = s.start(p, t0);
        assert_eq!(s.get(&token, &settings, t0 + Duration::minutes(31)).unwrap_err(), SessionRefusal::Idle);
        assert_eq!(s.get(&token, &settings, t0).unwrap_err(), SessionRefusal::Unknown, "an ended session stays ended");
    }
}
