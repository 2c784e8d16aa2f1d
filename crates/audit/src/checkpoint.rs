//! Signed checkpoints and the signing key file.
//!
//! A checkpoint states "the log `log_id` had `size` entries, with this Merkle root and this last
//! entry hash, at `at`", signed with Ed25519. Anyone holding the public key can then check that
//! an entry was in the log, and a later copy of the log that drops or rewrites entries no longer
//! matches a checkpoint already handed out.
//!
//! # Signed bytes (format version 1)
//!
//! A text note in the spirit of the transparency-log checkpoint format, each line ending in
//! `\n` (0x0A), hashes as 64 lowercase hex digits, the size in decimal without leading zeros:
//!
//! ```text
//! kenpo-audit-checkpoint v1
//! <log_id>
//! <size>
//! <root>
//! <last_entry_hash>
//! <at>
//! ```
//!
//! `log_id` and `at` must be non-empty and hold no control characters, so the lines cannot be
//! shifted. The signature is Ed25519 (RFC 8032, pure) over exactly these bytes; verification is
//! strict (`verify_strict`: no malleable signatures, no weak keys).

use crate::hexser::decode_array;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// First line of the signed note: separates checkpoint signatures from anything else the key
/// might ever sign.
pub const CHECKPOINT_HEADER: &str = "kenpo-audit-checkpoint v1";
const KEY_FILE_MAGIC: &str = "KENPO-AUDIT-SIGNING-KEY v1";

/// A statement about the log at one size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Names the log (e.g. the society and database), so a checkpoint of one log cannot be
    /// presented for another.
    pub log_id: String,
    /// Number of entries covered: seqs `0..size`.
    pub size: u64,
    /// [`crate::merkle_root`] of the entry hashes of seqs `0..size`.
    #[serde(with = "crate::hexser::array")]
    pub root: [u8; 32],
    /// Hash of entry `size - 1` ([`crate::GENESIS`] for an empty log): where the chain resumes.
    #[serde(with = "crate::hexser::array")]
    pub last_entry_hash: [u8; 32],
    /// When it was made, RFC 3339 in UTC.
    pub at: String,
}

/// A checkpoint and its Ed25519 signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    #[serde(with = "crate::hexser::array")]
    pub signature: [u8; 64],
}

/// Why a checkpoint could not be signed or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("checkpoint {0} must be non-empty and on one line")]
    Text(&'static str),
    #[error("audit public key must be 64 hex digits of a valid Ed25519 key")]
    PublicKey,
    #[error(
        "checkpoint signature does not verify with this public key (the checkpoint was altered or signed by another key)"
    )]
    Signature,
}

fn check_line(field: &'static str, value: &str) -> Result<(), CheckpointError> {
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(CheckpointError::Text(field));
    }
    Ok(())
}

impl Checkpoint {
    /// The bytes that are signed (layout in the module documentation).
    pub fn to_signed_bytes(&self) -> Result<Vec<u8>, CheckpointError> {
        check_line("log_id", &self.log_id)?;
        check_line("at", &self.at)?;
        Ok(format!(
            "{CHECKPOINT_HEADER}\n{}\n{}\n{}\n{}\n{}\n",
            self.log_id,
            self.size,
            hex::encode(self.root),
            hex::encode(self.last_entry_hash),
            self.at
        )
        .into_bytes())
    }

    /// Signs the checkpoint.
    pub fn sign(&self, key: &AuditSigningKey) -> Result<SignedCheckpoint, CheckpointError> {
        let bytes = self.to_signed_bytes()?;
        Ok(SignedCheckpoint { checkpoint: self.clone(), signature: key.key.sign(&bytes).to_bytes() })
    }
}

impl SignedCheckpoint {
    /// Checks the signature with the public key alone.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), CheckpointError> {
        let bytes = self.checkpoint.to_signed_bytes()?;
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.verify_strict(&bytes, &signature).map_err(|_| CheckpointError::Signature)
    }
}

/// Reads a public key as [`AuditSigningKey::public_key_hex`] prints it. Weak (small-order) keys
/// are refused: a signature under one proves nothing.
pub fn parse_public_key_hex(text: &str) -> Result<VerifyingKey, CheckpointError> {
    let bytes: [u8; 32] = decode_array(text.trim()).ok_or(CheckpointError::PublicKey)?;
    let key = VerifyingKey::from_bytes(&bytes).map_err(|_| CheckpointError::PublicKey)?;
    if key.is_weak() {
        return Err(CheckpointError::PublicKey);
    }
    Ok(key)
}

/// Why the signing key file could not be written or read. Never carries key material.
#[derive(Debug, thiserror::Error)]
pub enum AuditKeyError {
    #[error("audit signing key file {path}: {problem}")]
    KeyFile { path: String, problem: String },
}

/// The Ed25519 key that signs checkpoints. The secret is wiped from memory on drop; `Debug`
/// shows only the public key.
pub struct AuditSigningKey {
    key: SigningKey,
}

impl std::fmt::Debug for AuditSigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditSigningKey {{ public: {} }}", self.public_key_hex())
    }
}

impl AuditSigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        Self { key: SigningKey::generate(&mut OsRng) }
    }

    /// The public half, for verifiers.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key as 64 lowercase hex digits: what an auditor is given.
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// Writes the key file, readable by the owner only. Refuses to overwrite an existing file:
    /// replacing the key would orphan every checkpoint already handed out.
    pub fn write_new_file(&self, path: &Path) -> Result<(), AuditKeyError> {
        let err = |problem: String| AuditKeyError::KeyFile { path: path.display().to_string(), problem };
        let secret = Zeroizing::new(hex::encode(self.key.to_bytes()));
        let text =
            Zeroizing::new(format!("{KEY_FILE_MAGIC}\nsecret={}\npublic={}\n", secret.as_str(), self.public_key_hex()));
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

    /// Reads a key file written by [`Self::write_new_file`], checking that the stored public
    /// key is the one the secret derives (a damaged file is refused, not half-used).
    pub fn read_file(path: &Path) -> Result<Self, AuditKeyError> {
        let err = |problem: &str| AuditKeyError::KeyFile { path: path.display().to_string(), problem: problem.into() };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
                return Err(err(
                    "can be read or written by group or others: refused (run `chmod 600` on it, and consider the key exposed)",
                ));
            }
        }
        let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|_| err("cannot be read"))?);
        let mut lines = text.lines();
        if lines.next() != Some(KEY_FILE_MAGIC) {
            return Err(err("is not a Kenpo audit signing key file"));
        }
        let (mut secret, mut public) = (None, None);
        for line in lines {
            match line.split_once('=') {
                Some(("secret", v)) => secret = decode_array::<32>(v.trim()).map(Zeroizing::new),
                Some(("public", v)) => public = Some(v.trim().to_string()),
                _ => {}
            }
        }
        let (Some(secret), Some(public)) = (secret, public) else {
            return Err(err("must hold secret and public (64 hex digits each)"));
        };
        let key = Self { key: SigningKey::from_bytes(&secret) };
        if key.public_key_hex() != public.to_ascii_lowercase() {
            return Err(err("its public key does not match its secret key (the file is damaged)"));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint {
        Checkpoint {
            log_id: "kenpo/example-kenpo/main".into(),
            size: 3,
            root: [1; 32],
            last_entry_hash: [2; 32],
            at: "2025-04-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn signed_bytes_layout() {
        let text = String::from_utf8(checkpoint().to_signed_bytes().unwrap()).unwrap();
        let want = format!(
            "kenpo-audit-checkpoint v1\nkenpo/example-kenpo/main\n3\n{}\n{}\n2025-04-01T00:00:00Z\n",
            "01".repeat(32),
            "02".repeat(32)
        );
        assert_eq!(text, want);
        let mut shifted = checkpoint();
        shifted.log_id = "a\n3".into();
        assert_eq!(shifted.to_signed_bytes(), Err(CheckpointError::Text("log_id")));
        shifted = checkpoint();
        shifted.at = String::new();
        assert_eq!(shifted.to_signed_bytes(), Err(CheckpointError::Text("at")));
    }

    /// RFC 8032 §7.1 TEST 1 (secret key 9d61…7f60, empty message): our Ed25519 is the standard one.
    #[test]
    fn rfc8032_test_1() {
        let secret: [u8; 32] =
            decode_array("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").unwrap();
        let key = SigningKey::from_bytes(&secret);
        assert_eq!(
            hex::encode(key.verifying_key().as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(key.sign(b"").to_bytes()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn sign_verify_and_refuse_changes() {
        let key = AuditSigningKey::generate();
        let signed = checkpoint().sign(&key).unwrap();
        let public = parse_public_key_hex(&key.public_key_hex()).unwrap();
        assert_eq!(signed.verify(&public), Ok(()));

        let mut changed = signed.clone();
        changed.checkpoint.size = 4;
        assert_eq!(changed.verify(&public), Err(CheckpointError::Signature));
        let mut changed = signed.clone();
        changed.signature[10] ^= 1;
        assert_eq!(changed.verify(&public), Err(CheckpointError::Signature));
        let other = AuditSigningKey::generate().verifying_key();
        assert_eq!(signed.verify(&other), Err(CheckpointError::Signature));

        assert_eq!(parse_public_key_hex("zz"), Err(CheckpointError::PublicKey));
        // The identity point is a weak key.
        let identity = format!("01{}", "00".repeat(31));
        assert_eq!(parse_public_key_hex(&identity), Err(CheckpointError::PublicKey));
    }

    #[test]
    fn debug_hides_the_secret() {
        let key = AuditSigningKey::generate();
        let shown = format!("{key:?}");
        assert!(shown.contains(&key.public_key_hex()));
        assert!(!shown.contains(&hex::encode(key.key.to_bytes())));
    }

    #[test]
    fn key_file_round_trip_no_overwrite_and_damage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.key");
        let key = AuditSigningKey::generate();
        key.write_new_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let back = AuditSigningKey::read_file(&path).unwrap();
        assert_eq!(back.public_key_hex(), key.public_key_hex());
        let other = AuditSigningKey::generate();
        assert!(other.write_new_file(&path).is_err(), "must not overwrite a key file");
        assert_eq!(AuditSigningKey::read_file(&path).unwrap().public_key_hex(), key.public_key_hex());

        let text = std::fs::read_to_string(&path).unwrap();
        let damaged = dir.path().join("damaged.key");
        std::fs::write(&damaged, text.replace(&key.public_key_hex(), &other.public_key_hex())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&damaged, std::fs::Permissions::from_mode(0o600)).unwrap();
            // A key anyone on the machine may read is refused before it is used.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let e = AuditSigningKey::read_file(&path).unwrap_err().to_string();
            assert!(e.contains("group or others"), "{e}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let e = AuditSigningKey::read_file(&damaged).unwrap_err().to_string();
        assert!(e.contains("does not match"), "{e}");
        assert!(!e.contains(&hex::encode(key.key.to_bytes())));
        let wrong = dir.path().join("wrong.key");
        std::fs::write(&wrong, "KENPO-VAULT-KEYS v1\n").unwrap();
        assert!(AuditSigningKey::read_file(&wrong).is_err());
    }
}
