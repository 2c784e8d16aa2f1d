//! Where the data lives: the data folder, the database URL and the vault key.

use anyhow::{Context, Result, bail};
use kenpo_store::{Store, VaultKeys};
use std::path::{Path, PathBuf};

pub const DATABASE_ENV: &str = "KENPO_DATABASE_URL";

/// Resolved locations.
pub struct Location {
    pub data_dir: PathBuf,
    pub database_url: String,
    /// How the CSVs handed to staff are encoded (`--csv-encoding`).
    pub csv_encoding: kenpo_formats::csv_out::CsvEncoding,
}

impl Location {
    pub fn new(data_dir: &Path, database: Option<&str>) -> Self {
        let database_url = match database {
            Some(url) => url.to_string(),
            None => format!("sqlite://{}", data_dir.join("kenpo.db").display()),
        };
        Self { data_dir: data_dir.to_path_buf(), database_url, csv_encoding: Default::default() }
    }

    pub fn key_path(&self) -> PathBuf {
        self.data_dir.join("vault.key")
    }

    /// The vault keys: `KENPO_VAULT_KEY` if set, else the key file in the data folder.
    pub fn keys(&self) -> Result<VaultKeys> {
        if let Ok(value) = std::env::var(kenpo_store::vault::KEY_ENV) {
            return Ok(VaultKeys::from_env_value(&value)?);
        }
        let path = self.key_path();
        if !path.exists() {
            bail!(
                "no vault key at {} (run `kenpo init` first, or set {})",
                path.display(),
                kenpo_store::vault::KEY_ENV
            );
        }
        Ok(VaultKeys::read_file(&path)?)
    }

    pub async fn open(&self) -> Result<Store> {
        let keys = self.keys()?;
        Store::open(&self.database_url, keys)
            .await
            .with_context(|| format!("opening the store at {}", redact(&self.database_url)))
    }

    /// Creates the data folder, a new vault key (never overwriting one) and the schema.
    pub async fn init(&self) -> Result<bool> {
        crate::files::private_dir(&self.data_dir)?;
        let created = if std::env::var(kenpo_store::vault::KEY_ENV).is_err() && !self.key_path().exists() {
            VaultKeys::generate().write_new_file(&self.key_path())?;
            true
        } else {
            false
        };
        // The audit log's checkpoint signing key, also kept outside the database.
        let audit_key = self.data_dir.join("audit-signing.key");
        if !audit_key.exists() {
            kenpo_audit::AuditSigningKey::generate().write_new_file(&audit_key)?;
        }
        let store = self.open().await?;
        store.close().await;
        Ok(created)
    }
}

/// Hides a password in a database URL before printing it.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
