//! The My Number vault: AES-256-GCM encryption and an HMAC-SHA256 blind index, with keys held
//! outside the database (a key file written by `kenpo init`, or the environment).
//!
//! The ciphertext's associated data binds it to its person row, so a ciphertext copied to
//! another row fails to decrypt. The blind index lets `find_by_my_number` work without
//! decrypting every row; it is keyed, so it cannot be brute-forced without the index key.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use kenpo_domain::MyNumber;
use sha2::Sha256;
use std::path::Path;
use zeroize::Zeroizing;

const KEY_FILE_MAGIC: &str = "KENPO-VAULT-KEYS v1";

/// The environment variable that may hold the keys instead of a file: `KEY_ID:AEAD_HEX:INDEX_HEX`.
pub const KEY_ENV: &str = "KENPO_VAULT_KEY";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("vault key file {path}: {problem}")]
    KeyFile { path: String, problem: String },
    #[error("{KEY_ENV} must be KEY_ID:AEAD_HEX(64):INDEX_HEX(64)")]
    KeyEnv,
    #[error("a 個人番号 ciphertext did not decrypt (wrong key, or the row was altered)")]
    Decrypt,
    #[error("vault key {found:?} is not the key {expected:?} these numbers were sealed with")]
    WrongKey { expected: String, found: String },
}

/// The two vault keys. Wiped from memory on drop; `Debug` shows only the key id.
pub struct VaultKeys {
    key_id: String,
    aead: Zeroizing<[u8; 32]>,
    index: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for VaultKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VaultKeys {{ key_id: {:?} }}", self.key_id)
    }
}

fn parse_hex32(s: &str) -> Option<Zeroizing<[u8; 32]>> {
    let mut out = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(s.trim(), out.as_mut()).ok()?;
    Some(out)
}

impl VaultKeys {
    /// Fresh random keys.
    pub fn generate() -> Self {
        let mut aead = Zeroizing::new([0u8; 32]);
        let mut index = Zeroizing::new([0u8; 32]);
        OsRng.fill_bytes(aead.as_mut());
        OsRng.fill_bytes(index.as_mut());
        let mut id = [0u8; 4];
        OsRng.fill_bytes(&mut id);
        Self { key_id: hex::encode(id), aead, index }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Writes the key file, readable by the owner only. Refuses to overwrite an existing file:
    /// losing the key loses every stored 個人番号.
    pub fn write_new_file(&self, path: &Path) -> Result<(), VaultError> {
        let err = |problem: String| VaultError::KeyFile { path: path.display().to_string(), problem };
        let text = Zeroizing::new(format!(
            "{KEY_FILE_MAGIC}\nkey_id={}\naead={}\nindex={}\n",
            self.key_id,
            hex::encode(self.aead.as_ref()),
            hex::encode(self.index.as_ref())
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| err(format!("cannot create: {e}")))?;
        use std::io::Write;
        file.write_all(text.as_bytes()).map_err(|e| err(format!("cannot write: {e}")))?;
        file.sync_all().map_err(|e| err(format!("cannot sync: {e}")))
    }

    pub fn read_file(path: &Path) -> Result<Self, VaultError> {
        let err = |problem: &str| VaultError::KeyFile { path: path.display().to_string(), problem: problem.into() };
        if !owner_only(path) {
            return Err(err(
                "can be read or written by group or others: refused (run `chmod 600` on it, and consider the key exposed)",
            ));
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|_| err("cannot be read (run `kenpo init`)"))?);
        let mut lines = text.lines();
        if lines.next() != Some(KEY_FILE_MAGIC) {
            return Err(err("is not a Kenpo vault key file"));
        }
        let (mut key_id, mut aead, mut index) = (None, None, None);
        for line in lines {
            match line.split_once('=') {
                Some(("key_id", v)) => key_id = Some(v.trim().to_string()),
                Some(("aead", v)) => aead = parse_hex32(v),
                Some(("index", v)) => index = parse_hex32(v),
                _ => {}
            }
        }
        match (key_id, aead, index) {
            (Some(key_id), Some(aead), Some(index)) => Ok(Self { key_id, aead, index }),
            _ => Err(err("must hold key_id, aead and index (64 hex digits each)")),
        }
    }

    /// Reads `KEY_ID:AEAD_HEX:INDEX_HEX` (the form of [`KEY_ENV`]).
    pub fn from_env_value(value: &str) -> Result<Self, VaultError> {
        let parts: Vec<&str> = value.trim().split(':').collect();
        let [key_id, aead, index] = parts.as_slice() else {
            return Err(VaultError::KeyEnv);
        };
        Ok(Self {
            key_id: key_id.to_string(),
            aead: parse_hex32(aead).ok_or(VaultError::KeyEnv)?,
            index: parse_hex32(index).ok_or(VaultError::KeyEnv)?,
        })
    }
}

/// A sealed 個人番号 as stored (one row of `my_numbers`, less the person id).
#[derive(sqlx::FromRow)]
pub(crate) struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub blind_index: Vec<u8>,
}

fn aad(person_id: i64) -> Vec<u8> {
    format!("kenpo/my_numbers/v1/person/{person_id}").into_bytes()
}

pub(crate) struct Vault {
    keys: VaultKeys,
    cipher: Aes256Gcm,
}

impl Vault {
    pub fn new(keys: VaultKeys) -> Self {
        let cipher = Aes256Gcm::new(keys.aead.as_ref().into());
        Self { keys, cipher }
    }

    pub fn blind_index(&self, number: &MyNumber) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(self.keys.index.as_ref()).expect("HMAC accepts keys of any length");
        let digits = Zeroizing::new(number.expose_digits());
        mac.update(digits.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    pub fn seal(&self, person_id: i64, number: &MyNumber) -> Sealed {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let digits = Zeroizing::new(number.expose_digits());
        let aad = aad(person_id);
        let ciphertext = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: digits.as_bytes(), aad: &aad })
            .expect("AES-GCM encryption of 12 bytes cannot fail");
        Sealed {
            key_id: self.keys.key_id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
            blind_index: self.blind_index(number),
        }
    }

    /// Wraps a member's audit key (32 bytes) under the vault key, bound to the person.
    pub fn wrap_member_key(&self, person_id: i64, key: &[u8; 32]) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let aad = format!("kenpo/member_keys/v1/person/{person_id}").into_bytes();
        let wrapped = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: key, aad: &aad })
            .expect("AES-GCM encryption of 32 bytes cannot fail");
        (nonce.to_vec(), wrapped)
    }

    pub fn unwrap_member_key(
        &self,
        person_id: i64,
        nonce: &[u8],
        wrapped: &[u8],
    ) -> Result<Zeroizing<[u8; 32]>, VaultError> {
        if nonce.len() != 12 {
            return Err(VaultError::Decrypt);
        }
        let aad = format!("kenpo/member_keys/v1/person/{person_id}").into_bytes();
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(Nonce::from_slice(nonce), Payload { msg: wrapped, aad: &aad })
                .map_err(|_| VaultError::Decrypt)?,
        );
        let mut key = Zeroizing::new([0u8; 32]);
        if plain.len() != 32 {
            return Err(VaultError::Decrypt);
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }

    /// Seals a small secret (an account's TOTP key) bound to `aad`: (nonce, ciphertext).
    pub fn seal_secret(&self, aad: &[u8], secret: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: secret, aad })
            .expect("AES-GCM encryption of a short secret cannot fail");
        (nonce.to_vec(), sealed)
    }

    pub fn open_secret(&self, aad: &[u8], nonce: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        if nonce.len() != 12 {
            return Err(VaultError::Decrypt);
        }
        self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad }).map_err(|_| VaultError::Decrypt)
    }

    pub fn key_id(&self) -> &str {
        &self.keys.key_id
    }

    pub fn open(&self, person_id: i64, sealed: &Sealed) -> Result<MyNumber, VaultError> {
        if sealed.key_id != self.keys.key_id {
            return Err(VaultError::WrongKey { expected: sealed.key_id.clone(), found: self.keys.key_id.clone() });
        }
        if sealed.nonce.len() != 12 {
            return Err(VaultError::Decrypt);
        }
        let aad = aad(person_id);
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(Nonce::from_slice(&sealed.nonce), Payload { msg: &sealed.ciphertext, aad: &aad })
                .map_err(|_| VaultError::Decrypt)?,
        );
        let text = std::str::from_utf8(&plain).map_err(|_| VaultError::Decrypt)?;
        MyNumber::parse(text).map_err(|_| VaultError::Decrypt)
    }
}

/// Whether a key file is closed to group and others (mode `0600` or stricter). A missing file
/// passes here and fails on reading. Not Unix: always true (no mode bits to check).
pub fn owner_only(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(m) => m.permissions().mode() & 0o077 == 0,
            Err(_) => true,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_and_bind_to_row() {
        let vault = Vault::new(VaultKeys::generate());
        let n = MyNumber::parse("123456789018").unwrap();
        let sealed = vault.seal(5, &n);
        assert!(!sealed.ciphertext.windows(12).any(|w| w == b"123456789018"));
        assert_eq!(vault.open(5, &sealed).unwrap(), n);
        // The same ciphertext under another person's row does not open.
        assert!(matches!(vault.open(6, &sealed), Err(VaultError::Decrypt)));
        // The blind index is stable per key and differs between keys.
        assert_eq!(vault.blind_index(&n), sealed.blind_index);
        assert_ne!(Vault::new(VaultKeys::generate()).blind_index(&n), sealed.blind_index);
    }

    #[test]
    fn key_file_round_trip_and_no_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.key");
        let keys = VaultKeys::generate();
        keys.write_new_file(&path).unwrap();
        let back = VaultKeys::read_file(&path).unwrap();
        assert_eq!(back.key_id(), keys.key_id());
        assert!(keys.write_new_file(&path).is_err(), "must not overwrite a key file");
        let n = MyNumber::parse("123456789018").unwrap();
        assert_eq!(Vault::new(back).open(1, &Vault::new(keys).seal(1, &n)).unwrap(), n);
    }
}
