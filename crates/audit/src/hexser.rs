//! Serde helpers: byte arrays travel as lowercase hex strings, so a proof document stays
//! readable and diffable, and a verifier in another language needs only a hex decoder.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serializer};

/// A fixed-size array (`[u8; N]`) as one hex string of `2 * N` digits.
pub(crate) mod array {
    use super::*;

    pub fn serialize<S: Serializer, const N: usize>(bytes: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(d: D) -> Result<[u8; N], D::Error> {
        let text = String::deserialize(d)?;
        decode_array(&text).ok_or_else(|| D::Error::custom(format!("expected {} hex digits", 2 * N)))
    }
}

/// A byte vector as one hex string.
pub(crate) mod bytes {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        hex::decode(&text).map_err(|_| D::Error::custom("expected an even number of hex digits"))
    }
}

/// A list of 32-byte hashes as a list of hex strings.
pub(crate) mod hashes {
    use super::*;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(hashes: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(hashes.len()))?;
        for h in hashes {
            seq.serialize_element(&hex::encode(h))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts.iter().map(|t| decode_array(t).ok_or_else(|| D::Error::custom("expected 64 hex digits"))).collect()
    }
}

/// Decodes exactly `N` bytes of hex (surrounding whitespace is not accepted).
pub(crate) fn decode_array<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}
