//! The tamper-evident audit log of access decisions, without the database: the pure part that
//! the store writes with and that an auditor verifies with.
//!
//! # What this crate owns
//!
//! - the **canonical encoding** of an audit entry ([`canonical`]): the exact bytes hashed;
//! - the **hash chain** ([`entry_hash`], [`verify_chain`], [`ChainVerifier`]): editing, removing,
//!   inserting or moving an entry breaks it, and verification names the first bad seq;
//! - **compact subject sets** ([`encode_ranges`]): the persons a batch touched, as id runs;
//! - the **RFC 6962 Merkle tree** over entry hashes ([`merkle_root`], [`inclusion_proof`],
//!   [`verify_inclusion`]);
//! - **signed checkpoints** ([`Checkpoint`], [`SignedCheckpoint`]) and the Ed25519 **signing key
//!   file** ([`AuditSigningKey`]);
//! - the **offline inclusion proof** ([`InclusionProof`], [`check_proof`]): one JSON document
//!   checkable with the public key alone.
//!
//! # What it must never do
//!
//! - touch a database or the network (the store persists entries and checkpoints; this crate
//!   only encodes, hashes, signs and checks);
//! - hold personal plaintext: an entry names a person only by an opaque keyed tag the store
//!   derives, a batch by id ranges, and a payload by the SHA-256 of its ciphertext; errors carry
//!   seqs, sizes and field names, never values;
//! - print or leak the signing key (`Debug` shows the public key; the secret is zeroized).
//!
//! # How the pieces fit
//!
//! ```text
//! entry fields ──canonical──▶ bytes ──entry_hash(prev, ·)──▶ entry hash ──▶ next entry's prev
//!                                                               │
//!                                    Merkle leaf (0x00 ‖ hash) ◀┘
//!                                    root of seqs 0..n ──▶ Checkpoint ──Ed25519──▶ SignedCheckpoint
//! ```
//!
//! Seqs are dense from 0, so an entry's seq is its leaf index and a checkpoint of size `n`
//! covers seqs `0..n`.
//!
//! ```
//! use kenpo_audit::*;
//!
//! let entry = EntryFields {
//!     seq: 0,
//!     at: "2025-04-01T09:30:00Z".into(),
//!     actor: "system".into(),
//!     purpose: "A01".into(),
//!     action: "write".into(),
//!     categories: vec!["identity".into()],
//!     outcome: OUTCOME_ALLOW.into(),
//!     rule: "batch".into(),
//!     policy_version: "2025.1".into(),
//!     subject: Subject::Set { ranges: encode_ranges(&[1, 2, 3]) },
//!     payload_digest: [0; 32],
//! };
//! let hash = entry_hash(&GENESIS, &canonical(&entry));
//! let key = AuditSigningKey::generate();
//! let checkpoint = Checkpoint {
//!     log_id: "kenpo/example".into(),
//!     size: 1,
//!     root: merkle_root(&[hash]),
//!     last_entry_hash: hash,
//!     at: "2025-04-01T10:00:00Z".into(),
//! };
//! let proof = InclusionProof {
//!     entry,
//!     entry_hash: hash,
//!     prev_hash: GENESIS,
//!     index: 0,
//!     size: 1,
//!     path: inclusion_proof(&[hash], 0),
//!     checkpoint: checkpoint.sign(&key)?,
//! };
//! let json = serde_json::to_string(&proof)?;
//! let proof: InclusionProof = serde_json::from_str(&json)?;
//! check_proof(&proof, &key.public_key_hex())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

mod chain;
mod checkpoint;
mod entry;
mod hexser;
mod merkle;
mod proof;
mod ranges;

pub use chain::{CHAIN_DOMAIN, ChainError, ChainVerifier, FIRST_SEQ, GENESIS, entry_hash, verify_chain};
pub use checkpoint::{
    AuditKeyError, AuditSigningKey, CHECKPOINT_HEADER, Checkpoint, CheckpointError, SignedCheckpoint,
    parse_public_key_hex,
};
pub use ed25519_dalek::VerifyingKey;
pub use entry::{ENTRY_DOMAIN, ENTRY_FORMAT_VERSION, EntryFields, OUTCOME_ALLOW, OUTCOME_DENY, Subject, canonical};
pub use merkle::{empty_root, inclusion_proof, leaf_hash, merkle_root, node_hash, verify_inclusion};
pub use proof::{InclusionProof, ProofError, check_proof};
pub use ranges::{RANGES_FORMAT_VERSION, RangesError, decode_ranges, encode_ranges, ranges_contain};
