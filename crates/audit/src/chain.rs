//! The hash chain: each entry's hash covers the previous entry's hash, so an entry cannot be
//! edited, removed, inserted or moved without breaking every later link.
//!
//! ```text
//! entry_hash(prev, canonical) = SHA-256( "kenpo-audit-v1" || prev (32 bytes) || canonical )
//! ```
//!
//! The first entry (seq [`FIRST_SEQ`]) has `prev` = [`GENESIS`] (32 zero bytes).

use crate::entry::{EntryFields, canonical};
use sha2::{Digest, Sha256};

/// Domain-separation prefix of [`entry_hash`].
pub const CHAIN_DOMAIN: &[u8] = b"kenpo-audit-v1";
/// The `prev` of the first entry.
pub const GENESIS: [u8; 32] = [0; 32];
/// The seq of the first entry. Seqs are dense, so an entry's seq is also its Merkle leaf index.
pub const FIRST_SEQ: u64 = 0;

/// `SHA-256(b"kenpo-audit-v1" || prev || canonical)`.
pub fn entry_hash(prev: &[u8; 32], canonical: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(CHAIN_DOMAIN);
    h.update(prev);
    h.update(canonical);
    h.finalize().into()
}

/// Why a chain did not verify, naming the first entry where it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The stored hash is not the hash of the stored fields: the entry was edited.
    #[error("audit entry {seq}: its hash does not match its fields (the entry was edited)")]
    HashMismatch { seq: u64 },
    /// The stored `prev` is not the previous entry's hash: an entry before it was removed,
    /// inserted, moved, or edited with its hash recomputed.
    #[error(
        "audit entry {seq}: it does not link to the entry before it (an earlier entry was removed, inserted, \
         moved, or rewritten)"
    )]
    PrevMismatch { seq: u64 },
    /// The seqs are not dense: entries were removed, inserted or reordered.
    #[error("audit entry {found} found where {expected} was expected (entries were removed, inserted or reordered)")]
    SeqGap { expected: u64, found: u64 },
}

impl ChainError {
    /// The seq of the first entry that failed (for a gap, the seq that was expected).
    pub fn seq(&self) -> u64 {
        match self {
            Self::HashMismatch { seq } | Self::PrevMismatch { seq } => *seq,
            Self::SeqGap { expected, .. } => *expected,
        }
    }
}

/// Checks a chain one entry at a time, so a caller reading the log as an async stream or in
/// pages need not hold it in memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: u64,
    last_hash: [u8; 32],
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// Starts at the beginning of the log.
    pub fn new() -> Self {
        Self::resume(FIRST_SEQ, GENESIS)
    }

    /// Starts after an entry already trusted (e.g. the last entry of a verified checkpoint):
    /// `next_seq` is its seq + 1 and `last_hash` its hash.
    pub fn resume(next_seq: u64, last_hash: [u8; 32]) -> Self {
        Self { next_seq, last_hash, count: 0 }
    }

    /// Checks the next entry against its stored `prev` and `hash`.
    pub fn push(
        &mut self,
        entry: &EntryFields,
        stored_prev: &[u8; 32],
        stored_hash: &[u8; 32],
    ) -> Result<(), ChainError> {
        if entry.seq != self.next_seq {
            return Err(ChainError::SeqGap { expected: self.next_seq, found: entry.seq });
        }
        if *stored_prev != self.last_hash {
            return Err(ChainError::PrevMismatch { seq: entry.seq });
        }
        if entry_hash(stored_prev, &canonical(entry)) != *stored_hash {
            return Err(ChainError::HashMismatch { seq: entry.seq });
        }
        self.last_hash = *stored_hash;
        self.next_seq = entry.seq.wrapping_add(1);
        self.count += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last entry checked ([`GENESIS`] or the resume point before any).
    pub fn last_hash(&self) -> [u8; 32] {
        self.last_hash
    }

    /// The seq the next entry must carry.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }
}

/// Recomputes a whole log from [`GENESIS`]: items are `(fields, stored prev, stored hash)` in
/// seq order. Returns the number of entries, or the first entry that is wrong and why.
pub fn verify_chain(entries: impl IntoIterator<Item = (EntryFields, [u8; 32], [u8; 32])>) -> Result<u64, ChainError> {
    let mut verifier = ChainVerifier::new();
    for (entry, prev, hash) in entries {
        verifier.push(&entry, &prev, &hash)?;
    }
    Ok(verifier.count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::sample;

    type Row = (EntryFields, [u8; 32], [u8; 32]);

    fn log(n: u64) -> Vec<Row> {
        let mut prev = GENESIS;
        (0..n)
            .map(|seq| {
                let mut e = sample(seq);
                e.rule = format!("rule-{seq}");
                let h = entry_hash(&prev, &canonical(&e));
                let row = (e, prev, h);
                prev = h;
                row
            })
            .collect()
    }

    #[test]
    fn known_hash() {
        // SHA-256("kenpo-audit-v1") with zero prev and empty canonical, computed independently
        // (python3 -c 'import hashlib;print(hashlib.sha256(b"kenpo-audit-v1"+bytes(32)).hexdigest())').
        assert_eq!(
            hex::encode(entry_hash(&GENESIS, b"")),
            "a257cfc14f3ffbd04e251f55093691fab790dd61c6f13fb339714e903f99c897"
        );
    }

    #[test]
    fn intact_log_verifies() {
        assert_eq!(verify_chain(log(10)), Ok(10));
        assert_eq!(verify_chain(Vec::<Row>::new()), Ok(0));
    }

    #[test]
    fn edited_entry_is_named() {
        let mut rows = log(10);
        rows[4].0.outcome = "deny".into();
        assert_eq!(verify_chain(rows), Err(ChainError::HashMismatch { seq: 4 }));
    }

    #[test]
    fn edited_entry_with_recomputed_hash_breaks_the_next_link() {
        let mut rows = log(10);
        rows[4].0.actor = "someone-else".into();
        rows[4].2 = entry_hash(&rows[4].1, &canonical(&rows[4].0));
        assert_eq!(verify_chain(rows), Err(ChainError::PrevMismatch { seq: 5 }));
    }

    #[test]
    fn removed_and_reordered_entries_are_named() {
        let mut rows = log(10);
        rows.remove(6);
        let err = verify_chain(rows).unwrap_err();
        assert_eq!(err, ChainError::SeqGap { expected: 6, found: 7 });
        assert_eq!(err.seq(), 6);

        let mut rows = log(10);
        rows.swap(2, 3);
        assert_eq!(verify_chain(rows), Err(ChainError::SeqGap { expected: 2, found: 3 }));

        // The last entry removed is not visible to the chain alone: checkpoints catch it.
        let mut rows = log(10);
        rows.pop();
        assert_eq!(verify_chain(rows), Ok(9));
    }

    #[test]
    fn renumbered_after_removal_breaks_the_link() {
        let mut rows = log(10);
        rows.remove(3);
        for (i, row) in rows.iter_mut().enumerate().skip(3) {
            row.0.seq = i as u64;
        }
        assert_eq!(verify_chain(rows), Err(ChainError::PrevMismatch { seq: 3 }));
    }

    #[test]
    fn first_entry_must_start_at_genesis() {
        let mut rows = log(3);
        rows[0].1 = [1; 32];
        rows[0].2 = entry_hash(&rows[0].1, &canonical(&rows[0].0));
        assert_eq!(verify_chain(rows), Err(ChainError::PrevMismatch { seq: 0 }));
    }

    #[test]
    fn resume_continues_a_verified_prefix() {
        let rows = log(10);
        let mut v = ChainVerifier::resume(5, rows[4].2);
        for (e, p, h) in &rows[5..] {
            v.push(e, p, h).unwrap();
        }
        assert_eq!((v.count(), v.next_seq(), v.last_hash()), (5, 10, rows[9].2));
    }
}
