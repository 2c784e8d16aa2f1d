//! The audit entry and its canonical encoding: the exact bytes the hash chain covers.
//!
//! # Byte layout (format version 1)
//!
//! ```text
//! canonical(e) =
//!     "kenpo-audit-entry"      17 bytes ASCII   domain separation: these bytes are an audit entry
//!     0x01                     1 byte           format version
//!     seq                      8 bytes          u64, big-endian
//!     str(at)                                   RFC 3339 UTC timestamp, as given
//!     str(actor)
//!     str(purpose)
//!     str(action)
//!     u64be(n) str(c_1) … str(c_n)              categories: sorted bytewise, duplicates removed
//!     str(outcome)                              "allow" | "deny"
//!     str(rule)
//!     str(policy_version)
//!     subject                                   0x00                  None
//!                                               0x01                  Population
//!                                               0x02 bytes(tag)       Person
//!                                               0x03 bytes(ranges)    Set
//!     payload_digest           32 bytes         raw
//!
//! str(s)   = bytes(UTF-8 of s)
//! bytes(b) = u64be(len(b)) || b
//! ```
//!
//! Every variable-length field carries its length, so no two different entries share an
//! encoding (moving a character from `actor` to `purpose` changes the bytes). Categories are a
//! set: the order a caller or a database hands them back in does not change the hash.

use serde::{Deserialize, Serialize};

/// Domain-separation prefix of [`canonical`].
pub const ENTRY_DOMAIN: &[u8] = b"kenpo-audit-entry";
/// Format version byte of [`canonical`].
pub const ENTRY_FORMAT_VERSION: u8 = 1;
/// The value of [`EntryFields::outcome`] for a granted access.
pub const OUTCOME_ALLOW: &str = "allow";
/// The value of [`EntryFields::outcome`] for a refused access.
pub const OUTCOME_DENY: &str = "deny";

/// One access decision as recorded. Holds no personal plaintext: a person appears only as an
/// opaque keyed tag, a batch as encoded id ranges, and the personal payload only as a digest of
/// its ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryFields {
    /// Position in the log, starting at [`crate::FIRST_SEQ`] (0); it is also the entry's leaf
    /// index in the Merkle tree.
    pub seq: u64,
    /// When the decision was made, RFC 3339 in UTC.
    pub at: String,
    pub actor: String,
    pub purpose: String,
    pub action: String,
    /// Data categories the decision covered (a set).
    pub categories: Vec<String>,
    /// [`OUTCOME_ALLOW`] or [`OUTCOME_DENY`].
    pub outcome: String,
    /// The rule id that decided.
    pub rule: String,
    /// Version of the policy catalogue that decided.
    pub policy_version: String,
    pub subject: Subject,
    /// SHA-256 of the encrypted personal payload, or zeros when there is none.
    #[serde(with = "crate::hexser::array")]
    pub payload_digest: [u8; 32],
}

/// Whose data the decision was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Subject {
    /// No personal data (e.g. reading the catalogue).
    None,
    /// The whole insured population (statistics, full exports).
    Population,
    /// One person, as an opaque keyed tag the store derives; never the id or a name.
    Person {
        #[serde(with = "crate::hexser::bytes")]
        tag: Vec<u8>,
    },
    /// Many persons, as [`crate::encode_ranges`] output.
    Set {
        #[serde(with = "crate::hexser::bytes")]
        ranges: Vec<u8>,
    },
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u64).to_be_bytes());
    out.extend_from_slice(b);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

/// The canonical bytes of an entry (layout in the module documentation). Deterministic: equal
/// fields, up to the order and repetition of categories, give equal bytes.
pub fn canonical(e: &EntryFields) -> Vec<u8> {
    let mut categories: Vec<&str> = e.categories.iter().map(String::as_str).collect();
    categories.sort_unstable();
    categories.dedup();

    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(ENTRY_DOMAIN);
    out.push(ENTRY_FORMAT_VERSION);
    out.extend_from_slice(&e.seq.to_be_bytes());
    put_str(&mut out, &e.at);
    put_str(&mut out, &e.actor);
    put_str(&mut out, &e.purpose);
    put_str(&mut out, &e.action);
    out.extend_from_slice(&(categories.len() as u64).to_be_bytes());
    for c in categories {
        put_str(&mut out, c);
    }
    put_str(&mut out, &e.outcome);
    put_str(&mut out, &e.rule);
    put_str(&mut out, &e.policy_version);
    match &e.subject {
        Subject::None => out.push(0x00),
        Subject::Population => out.push(0x01),
        Subject::Person { tag } => {
            out.push(0x02);
            put_bytes(&mut out, tag);
        }
        Subject::Set { ranges } => {
            out.push(0x03);
            put_bytes(&mut out, ranges);
        }
    }
    out.extend_from_slice(&e.payload_digest);
    out
}

#[cfg(test)]
pub(crate) fn sample(seq: u64) -> EntryFields {
    EntryFields {
        seq,
        at: "2025-04-01T09:30:00Z".into(),
        actor: "staff:kyufu-01".into(),
        purpose: "B03".into(),
        action: "read".into(),
        categories: vec!["identity".into(), "benefits".into()],
        outcome: OUTCOME_ALLOW.into(),
        rule: "staff-role".into(),
        policy_version: "2025.1".into(),
        subject: Subject::Person { tag: vec![0xAB; 16] },
        payload_digest: [7; 32],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the layout: any change to the encoding breaks every stored chain, so it must be a
    /// deliberate new format version, not an accident.
    #[test]
    fn golden_layout() {
        let e = EntryFields {
            seq: 258,
            at: "T".into(),
            actor: "a".into(),
            purpose: "".into(),
            action: "r".into(),
            categories: vec!["y".into(), "x".into(), "y".into()],
            outcome: "deny".into(),
            rule: "R".into(),
            policy_version: "1".into(),
            subject: Subject::Set { ranges: vec![1, 2] },
            payload_digest: [0; 32],
        };
        let mut want = b"kenpo-audit-entry".to_vec();
        want.push(1);
        want.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 2]);
        for s in ["T", "a", "", "r"] {
            want.extend_from_slice(&(s.len() as u64).to_be_bytes());
            want.extend_from_slice(s.as_bytes());
        }
        want.extend_from_slice(&2u64.to_be_bytes());
        for s in ["x", "y", "deny", "R", "1"] {
            want.extend_from_slice(&(s.len() as u64).to_be_bytes());
            want.extend_from_slice(s.as_bytes());
        }
        want.push(3);
        want.extend_from_slice(&2u64.to_be_bytes());
        want.extend_from_slice(&[1, 2]);
        want.extend_from_slice(&[0; 32]);
        assert_eq!(canonical(&e), want);
    }

    #[test]
    fn unambiguous_and_set_like() {
        let base = sample(1);
        let mut shifted = base.clone();
        shifted.actor = "staff:kyufu-0".into();
        shifted.purpose = "1B03".into();
        assert_ne!(canonical(&base), canonical(&shifted));

        let mut reordered = base.clone();
        reordered.categories.reverse();
        reordered.categories.push("identity".into());
        assert_eq!(canonical(&base), canonical(&reordered));

        // Subjects with the same payload bytes but different kinds differ.
        let mut person = base.clone();
        person.subject = Subject::Person { tag: vec![1] };
        let mut set = base.clone();
        set.subject = Subject::Set { ranges: vec![1] };
        assert_ne!(canonical(&person), canonical(&set));
        let mut none = base.clone();
        none.subject = Subject::None;
        let mut population = base;
        population.subject = Subject::Population;
        assert_ne!(canonical(&none), canonical(&population));
    }

    #[test]
    fn json_uses_hex_and_round_trips() {
        let e = sample(3);
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains(r#""subject":{"kind":"person","tag":"abababababababababababababababab"}"#), "{json}");
        assert!(json.contains(&hex::encode([7u8; 32])));
        assert_eq!(serde_json::from_str::<EntryFields>(&json).unwrap(), e);
        let bad = json.replace(&hex::encode([7u8; 32]), "07");
        assert!(serde_json::from_str::<EntryFields>(&bad).is_err());
    }
}
