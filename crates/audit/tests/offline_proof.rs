//! A log of 1000 entries, proofs for several of them checked offline, and every part of a proof
//! tampered with in turn.

use kenpo_audit::*;

struct Log {
    entries: Vec<EntryFields>,
    prevs: Vec<[u8; 32]>,
    hashes: Vec<[u8; 32]>,
}

fn entry(seq: u64) -> EntryFields {
    let subject = match seq % 4 {
        0 => Subject::None,
        1 => Subject::Population,
        2 => Subject::Person { tag: (seq as u32).to_be_bytes().repeat(4) },
        _ => Subject::Set { ranges: encode_ranges(&(1..=10_000).chain([seq as i64 * 100_000]).collect::<Vec<_>>()) },
    };
    EntryFields {
        seq,
        at: format!("2025-04-01T09:{:02}:{:02}Z", (seq / 60) % 60, seq % 60),
        actor: if seq.is_multiple_of(3) { "system".into() } else { format!("staff:kyufu-{:02}", seq % 7) },
        purpose: format!("B{:02}", seq % 40 + 1),
        action: if seq.is_multiple_of(5) { "write".into() } else { "read".into() },
        categories: vec!["identity".into(), "benefits".into()],
        outcome: if seq.is_multiple_of(11) { OUTCOME_DENY.into() } else { OUTCOME_ALLOW.into() },
        rule: "staff-role".into(),
        policy_version: "2025.1".into(),
        subject,
        payload_digest: if seq.is_multiple_of(2) { [0; 32] } else { [seq as u8; 32] },
    }
}

fn build(n: u64) -> Log {
    let mut log = Log { entries: Vec::new(), prevs: Vec::new(), hashes: Vec::new() };
    let mut prev = GENESIS;
    for seq in 0..n {
        let e = entry(seq);
        let h = entry_hash(&prev, &canonical(&e));
        log.entries.push(e);
        log.prevs.push(prev);
        log.hashes.push(h);
        prev = h;
    }
    log
}

fn prove(log: &Log, key: &AuditSigningKey, seq: usize) -> InclusionProof {
    let checkpoint = Checkpoint {
        log_id: "kenpo/example-kenpo/audit".into(),
        size: log.hashes.len() as u64,
        root: merkle_root(&log.hashes),
        last_entry_hash: *log.hashes.last().unwrap(),
        at: "2025-04-02T00:00:00Z".into(),
    };
    InclusionProof {
        entry: log.entries[seq].clone(),
        entry_hash: log.hashes[seq],
        prev_hash: log.prevs[seq],
        index: seq as u64,
        size: log.hashes.len() as u64,
        path: inclusion_proof(&log.hashes, seq),
        checkpoint: checkpoint.sign(key).unwrap(),
    }
}

#[test]
fn the_log_verifies_as_a_chain() {
    let log = build(1000);
    let rows = (0..1000).map(|i| (log.entries[i].clone(), log.prevs[i], log.hashes[i]));
    assert_eq!(verify_chain(rows), Ok(1000));
}

#[test]
fn proofs_check_offline_through_json() {
    let log = build(1000);
    let key = AuditSigningKey::generate();
    let public = key.public_key_hex();
    for seq in [0, 1, 2, 3, 255, 511, 512, 513, 777, 998, 999] {
        let proof = prove(&log, &key, seq);
        let json = serde_json::to_string_pretty(&proof).unwrap();
        let back: InclusionProof = serde_json::from_str(&json).unwrap();
        assert_eq!(back, proof);
        assert_eq!(check_proof(&back, &public), Ok(()), "seq {seq}");
        assert!(back.path.len() <= 10, "path of {seq} has {} hashes", back.path.len());
    }
}

#[test]
fn the_json_document_is_hex_and_refuses_extras() {
    let log = build(10);
    let key = AuditSigningKey::generate();
    let proof = prove(&log, &key, 2);
    let json: serde_json::Value = serde_json::to_value(&proof).unwrap();
    assert_eq!(json["entry_hash"], hex::encode(proof.entry_hash));
    assert_eq!(json["checkpoint"]["signature"].as_str().unwrap().len(), 128);
    assert_eq!(json["path"][0], hex::encode(proof.path[0]));
    assert_eq!(json["entry"]["subject"]["kind"], "person");
    let mut extra = json.clone();
    extra["note"] = "trust me".into();
    assert!(serde_json::from_value::<InclusionProof>(extra).is_err());
    let mut short = json;
    short["path"][0] = "abcd".into();
    assert!(serde_json::from_value::<InclusionProof>(short).is_err());
}

#[test]
fn every_tampered_part_is_refused_precisely() {
    let log = build(1000);
    let key = AuditSigningKey::generate();
    let public = key.public_key_hex();
    let good = prove(&log, &key, 517);
    assert_eq!(check_proof(&good, &public), Ok(()));
    let check = |f: &dyn Fn(&mut InclusionProof)| {
        let mut p = good.clone();
        f(&mut p);
        check_proof(&p, &public)
    };

    // A field of the entry (entry 517 is a denial about the population).
    assert_eq!((good.entry.outcome.as_str(), &good.entry.subject), (OUTCOME_DENY, &Subject::Population));
    assert_eq!(check(&|p| p.entry.outcome = OUTCOME_ALLOW.into()), Err(ProofError::EntryHash { seq: 517 }));
    assert_eq!(check(&|p| p.entry.categories.push("my_number".into())), Err(ProofError::EntryHash { seq: 517 }));
    assert_eq!(check(&|p| p.entry.payload_digest[0] ^= 1), Err(ProofError::EntryHash { seq: 517 }));
    assert_eq!(check(&|p| p.entry.subject = Subject::None), Err(ProofError::EntryHash { seq: 517 }));
    // The hashes stated beside it.
    assert_eq!(check(&|p| p.prev_hash[31] ^= 1), Err(ProofError::EntryHash { seq: 517 }));
    assert_eq!(check(&|p| p.entry_hash[0] ^= 1), Err(ProofError::EntryHash { seq: 517 }));
    // Another entry's fields and hash presented at this position.
    assert_eq!(
        check(&|p| {
            p.entry = log.entries[518].clone();
            p.entry_hash = log.hashes[518];
            p.prev_hash = log.prevs[518];
        }),
        Err(ProofError::IndexMismatch { index: 517, seq: 518 })
    );
    // The path: a node changed, dropped, added, or swapped.
    assert_eq!(check(&|p| p.path[3][7] ^= 0x80), Err(ProofError::Path { seq: 517 }));
    assert_eq!(check(&|p| p.path.truncate(p.path.len() - 1)), Err(ProofError::Path { seq: 517 }));
    assert_eq!(check(&|p| p.path.push([0; 32])), Err(ProofError::Path { seq: 517 }));
    assert_eq!(check(&|p| p.path.swap(0, 1)), Err(ProofError::Path { seq: 517 }));
    // The index, alone or with the seq (then the fields no longer hash to the entry hash).
    assert_eq!(check(&|p| p.index = 516), Err(ProofError::IndexMismatch { index: 516, seq: 517 }));
    assert_eq!(check(&|p| p.index = 1000), Err(ProofError::IndexOutOfRange { index: 1000, size: 1000 }));
    assert_eq!(
        check(&|p| {
            p.index = 516;
            p.entry.seq = 516;
        }),
        Err(ProofError::EntryHash { seq: 516 })
    );
    // The size.
    assert_eq!(check(&|p| p.size = 999), Err(ProofError::SizeMismatch { proof: 999, checkpoint: 1000 }));
    // The root, size or any other part of the signed checkpoint.
    assert_eq!(check(&|p| p.checkpoint.checkpoint.root[0] ^= 1), Err(ProofError::Signature));
    assert_eq!(
        check(&|p| {
            p.checkpoint.checkpoint.size = 2000;
            p.size = 2000;
        }),
        Err(ProofError::Signature)
    );
    assert_eq!(check(&|p| p.checkpoint.checkpoint.log_id.push('x')), Err(ProofError::Signature));
    assert_eq!(check(&|p| p.checkpoint.checkpoint.at = "2030-01-01T00:00:00Z".into()), Err(ProofError::Signature));
    assert_eq!(check(&|p| p.checkpoint.checkpoint.log_id = "a\nb".into()), Err(ProofError::CheckpointText("log_id")));
    // The signature.
    assert_eq!(check(&|p| p.checkpoint.signature[63] ^= 0x10), Err(ProofError::Signature));
    assert_eq!(check(&|p| p.checkpoint.signature = [0; 64]), Err(ProofError::Signature));
    // The key: another key, or no valid key.
    let other = AuditSigningKey::generate().public_key_hex();
    assert_eq!(check_proof(&good, &other), Err(ProofError::Signature));
    assert_eq!(check_proof(&good, "not hex"), Err(ProofError::PublicKey));
    assert_eq!(check_proof(&good, &public[..62]), Err(ProofError::PublicKey));
}

#[test]
fn a_rewritten_log_re_signed_by_another_key_is_refused() {
    // An attacker who rewrites entry 517 must recompute the chain, the root, and a signature;
    // without the audit key, the checkpoint does not verify.
    let log = build(1000);
    let key = AuditSigningKey::generate();
    let mut forged = build(1000);
    forged.entries[517].outcome = OUTCOME_ALLOW.into();
    forged.entries[517].rule = "forged".into();
    let mut prev = forged.prevs[517];
    for i in 517..1000 {
        forged.prevs[i] = prev;
        forged.hashes[i] = entry_hash(&prev, &canonical(&forged.entries[i]));
        prev = forged.hashes[i];
    }
    let attacker = AuditSigningKey::generate();
    let proof = prove(&forged, &attacker, 517);
    assert_eq!(check_proof(&proof, &attacker.public_key_hex()), Ok(()));
    assert_eq!(check_proof(&proof, &key.public_key_hex()), Err(ProofError::Signature));
    // And the original checkpoint's root does not accept the forged entry.
    let original = prove(&log, &key, 517);
    let mut mixed = proof;
    mixed.checkpoint = original.checkpoint;
    assert_eq!(check_proof(&mixed, &key.public_key_hex()), Err(ProofError::Path { seq: 517 }));
}

#[test]
fn edge_entries_first_and_last() {
    let log = build(1000);
    let key = AuditSigningKey::generate();
    let public = key.public_key_hex();
    let first = prove(&log, &key, 0);
    let mut p = first.clone();
    p.prev_hash = [9; 32];
    assert_eq!(check_proof(&p, &public), Err(ProofError::Genesis { seq: 0 }));

    // The last entry must be the one the checkpoint names, even with a consistent path.
    let last = prove(&log, &key, 999);
    assert_eq!(check_proof(&last, &public), Ok(()));
    let mut cp = last.checkpoint.checkpoint.clone();
    cp.last_entry_hash = [3; 32];
    let mut p = last;
    p.checkpoint = cp.sign(&key).unwrap();
    assert_eq!(check_proof(&p, &public), Err(ProofError::LastEntry { seq: 999 }));

    // A one-entry log: empty path.
    let one = build(1);
    let p = prove(&one, &key, 0);
    assert!(p.path.is_empty());
    assert_eq!(check_proof(&p, &public), Ok(()));
}
