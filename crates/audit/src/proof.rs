//! The offline inclusion proof: one JSON document that shows an entry was in the log, checkable
//! with the public key alone (no database, no network).
//!
//! [`check_proof`] recomputes, in order: the signature of the checkpoint; that the proof is for
//! the checkpoint's size; that the index is in range and equals the entry's seq; the entry hash
//! from the fields and the previous hash; for the last entry, that it is the one the checkpoint
//! names; and the Merkle path from the leaf to the signed root.

use crate::chain::{FIRST_SEQ, GENESIS, entry_hash};
use crate::checkpoint::{CheckpointError, SignedCheckpoint, parse_public_key_hex};
use crate::entry::{EntryFields, canonical};
use crate::merkle::verify_inclusion;
use serde::{Deserialize, Serialize};

/// Everything needed to check one entry against a signed checkpoint. Byte arrays are hex in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    pub entry: EntryFields,
    /// The entry's hash as stored.
    #[serde(with = "crate::hexser::array")]
    pub entry_hash: [u8; 32],
    /// The previous entry's hash as stored ([`GENESIS`] for seq 0).
    #[serde(with = "crate::hexser::array")]
    pub prev_hash: [u8; 32],
    /// Leaf index in the tree; equals `entry.seq`.
    pub index: u64,
    /// Tree size; equals `checkpoint.checkpoint.size`.
    pub size: u64,
    /// The audit path, from the leaf's sibling up.
    #[serde(with = "crate::hexser::hashes")]
    pub path: Vec<[u8; 32]>,
    pub checkpoint: SignedCheckpoint,
}

/// Why a proof was refused. Names the part that failed, never field values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("audit public key must be 64 hex digits of a valid Ed25519 key")]
    PublicKey,
    #[error("checkpoint {0} must be non-empty and on one line")]
    CheckpointText(&'static str),
    #[error(
        "checkpoint signature does not verify with this public key (the checkpoint was altered or signed by another key)"
    )]
    Signature,
    #[error("the proof is for a tree of {proof} entries but the checkpoint covers {checkpoint}")]
    SizeMismatch { proof: u64, checkpoint: u64 },
    #[error("leaf index {index} is outside a tree of {size} entries")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("leaf index {index} is not the entry's seq {seq}")]
    IndexMismatch { index: u64, seq: u64 },
    #[error("audit entry {seq} is the first entry but its previous hash is not the genesis hash")]
    Genesis { seq: u64 },
    #[error(
        "audit entry {seq}: its fields and previous hash do not give the stated entry hash (the entry was altered)"
    )]
    EntryHash { seq: u64 },
    #[error("audit entry {seq} is the checkpoint's last entry but its hash is not the one the checkpoint names")]
    LastEntry { seq: u64 },
    #[error("audit entry {seq}: the Merkle path does not lead to the checkpoint's root")]
    Path { seq: u64 },
}

impl From<CheckpointError> for ProofError {
    fn from(e: CheckpointError) -> Self {
        match e {
            CheckpointError::Text(field) => Self::CheckpointText(field),
            CheckpointError::PublicKey => Self::PublicKey,
            CheckpointError::Signature => Self::Signature,
        }
    }
}

/// Checks a proof with the audit public key alone (as [`crate::AuditSigningKey::public_key_hex`]
/// prints it). `Ok(())` means: the key signed a checkpoint of this log at this size, and this
/// entry, exactly as given, is at `index` in it.
pub fn check_proof(proof: &InclusionProof, public_key_hex: &str) -> Result<(), ProofError> {
    let key = parse_public_key_hex(public_key_hex)?;
    proof.checkpoint.verify(&key)?;
    let checkpoint = &proof.checkpoint.checkpoint;
    let seq = proof.entry.seq;
    if proof.size != checkpoint.size {
        return Err(ProofError::SizeMismatch { proof: proof.size, checkpoint: checkpoint.size });
    }
    if proof.index >= proof.size {
        return Err(ProofError::IndexOutOfRange { index: proof.index, size: proof.size });
    }
    if proof.index != seq {
        return Err(ProofError::IndexMismatch { index: proof.index, seq });
    }
    if seq == FIRST_SEQ && proof.prev_hash != GENESIS {
        return Err(ProofError::Genesis { seq });
    }
    if entry_hash(&proof.prev_hash, &canonical(&proof.entry)) != proof.entry_hash {
        return Err(ProofError::EntryHash { seq });
    }
    if proof.index + 1 == proof.size && proof.entry_hash != checkpoint.last_entry_hash {
        return Err(ProofError::LastEntry { seq });
    }
    if !verify_inclusion(&proof.entry_hash, proof.index, proof.size, &proof.path, &checkpoint.root) {
        return Err(ProofError::Path { seq });
    }
    Ok(())
}
