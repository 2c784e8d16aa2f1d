//! Compact subject sets. An import touches millions of person ids, mostly contiguous; the audit
//! entry records them as runs, so a million-person import is a few bytes, and "was person X in
//! this batch?" is answered without a row per person.
//!
//! # Byte layout (format version 1)
//!
//! ```text
//! encode(ids) =
//!     0x01                              format version
//!     varint(r)                         number of runs
//!     zigzag_varint(start_1) varint(end_1 - start_1)
//!     varint(start_2 - end_1 - 2) varint(end_2 - start_2)
//!     …
//! ```
//!
//! Runs are maximal (ids sorted, duplicates removed, adjacent ids merged), so consecutive runs
//! are separated by at least one missing id and `start_i - end_{i-1} - 2 >= 0`. `varint` is
//! unsigned LEB128 (7 bits a byte, low first, at most 10 bytes, no redundant trailing zero
//! byte); `zigzag` maps 0, -1, 1, -2, … to 0, 1, 2, 3, …. The encoding of a set is unique, and
//! the decoder refuses anything [`encode_ranges`] would not produce.

use std::ops::RangeInclusive;

/// Format version byte of [`encode_ranges`].
pub const RANGES_FORMAT_VERSION: u8 = 1;

/// Why an encoded subject set was refused. Carries no ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangesError {
    #[error("subject set: the encoding ends early")]
    Truncated,
    #[error("subject set: unknown format version {0}")]
    UnknownVersion(u8),
    #[error("subject set: a number is encoded with redundant bytes")]
    NonMinimal,
    #[error("subject set: a number is out of range")]
    Overflow,
    #[error("subject set: bytes follow the last run")]
    TrailingBytes,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, RangesError> {
    let mut value = 0u64;
    for i in 0..10 {
        let b = *bytes.get(*pos).ok_or(RangesError::Truncated)?;
        *pos += 1;
        // The tenth byte holds bit 63 only.
        if i == 9 && b > 1 {
            return Err(RangesError::Overflow);
        }
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if b == 0 && i > 0 {
                return Err(RangesError::NonMinimal);
            }
            return Ok(value);
        }
    }
    Err(RangesError::Overflow)
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Encodes a set of ids (any order, duplicates allowed) as maximal runs.
pub fn encode_ranges(ids: &[i64]) -> Vec<u8> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();

    let mut runs: Vec<(i64, i64)> = Vec::new();
    for id in sorted {
        match runs.last_mut() {
            // `end < id` after dedup, so `end + 1` cannot overflow.
            Some((_, end)) if *end + 1 == id => *end = id,
            _ => runs.push((id, id)),
        }
    }

    let mut out = vec![RANGES_FORMAT_VERSION];
    put_varint(&mut out, runs.len() as u64);
    let mut prev_end: Option<i64> = None;
    for (start, end) in runs {
        match prev_end {
            None => put_varint(&mut out, zigzag(start)),
            Some(p) => put_varint(&mut out, (i128::from(start) - i128::from(p) - 2) as u64),
        }
        put_varint(&mut out, (i128::from(end) - i128::from(start)) as u64);
        prev_end = Some(end);
    }
    out
}

/// Walks the runs of an encoding, checking it completely (also past any early answer), so a
/// malformed encoding is always refused the same way.
fn for_each_run(encoded: &[u8], mut f: impl FnMut(i64, i64)) -> Result<(), RangesError> {
    let version = *encoded.first().ok_or(RangesError::Truncated)?;
    if version != RANGES_FORMAT_VERSION {
        return Err(RangesError::UnknownVersion(version));
    }
    let mut pos = 1;
    let count = get_varint(encoded, &mut pos)?;
    let mut prev_end: Option<i64> = None;
    for _ in 0..count {
        let first = get_varint(encoded, &mut pos)?;
        let start = match prev_end {
            None => unzigzag(first),
            Some(p) => {
                let s = i128::from(p) + 2 + i128::from(first);
                i64::try_from(s).map_err(|_| RangesError::Overflow)?
            }
        };
        let len = get_varint(encoded, &mut pos)?;
        let end = i64::try_from(i128::from(start) + i128::from(len)).map_err(|_| RangesError::Overflow)?;
        f(start, end);
        prev_end = Some(end);
    }
    if pos != encoded.len() {
        return Err(RangesError::TrailingBytes);
    }
    Ok(())
}

/// Whether `id` is in the encoded set.
pub fn ranges_contain(encoded: &[u8], id: i64) -> Result<bool, RangesError> {
    let mut found = false;
    for_each_run(encoded, |start, end| found |= start <= id && id <= end)?;
    Ok(found)
}

/// The runs of an encoded set, ascending and disjoint.
pub fn decode_ranges(encoded: &[u8]) -> Result<Vec<RangeInclusive<i64>>, RangesError> {
    let mut runs = Vec::new();
    for_each_run(encoded, |start, end| runs.push(start..=end))?;
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn layout_and_small_cases() {
        assert_eq!(encode_ranges(&[]), vec![1, 0]);
        // {1..=3, 7}: zigzag(1)=2, len-1=2; gap 7-3-2=2, len-1=0.
        assert_eq!(encode_ranges(&[3, 2, 7, 1, 2]), vec![1, 2, 2, 2, 2, 0]);
        assert_eq!(decode_ranges(&[1, 2, 2, 2, 2, 0]).unwrap(), vec![1..=3, 7..=7]);
        let million: Vec<i64> = (1..=1_000_000).collect();
        let enc = encode_ranges(&million);
        assert!(enc.len() <= 8, "{} bytes", enc.len());
        assert!(ranges_contain(&enc, 500_000).unwrap());
        assert!(!ranges_contain(&enc, 0).unwrap());
        let extremes = encode_ranges(&[i64::MIN, i64::MAX, i64::MIN + 1, i64::MAX - 1]);
        assert_eq!(decode_ranges(&extremes).unwrap(), vec![i64::MIN..=i64::MIN + 1, i64::MAX - 1..=i64::MAX]);
    }

    #[test]
    fn malformed_encodings_are_refused() {
        assert_eq!(decode_ranges(&[]), Err(RangesError::Truncated));
        assert_eq!(decode_ranges(&[2, 0]), Err(RangesError::UnknownVersion(2)));
        assert_eq!(decode_ranges(&[1, 1, 2]), Err(RangesError::Truncated));
        assert_eq!(decode_ranges(&[1, 0, 0]), Err(RangesError::TrailingBytes));
        assert_eq!(decode_ranges(&[1, 0x80, 0x00]), Err(RangesError::NonMinimal));
        assert_eq!(
            decode_ranges(&[1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
            Err(RangesError::Overflow)
        );
        // A run past i64::MAX.
        let mut big = vec![1, 1];
        put_varint(&mut big, zigzag(i64::MAX));
        put_varint(&mut big, 1);
        assert_eq!(decode_ranges(&big), Err(RangesError::Overflow));
        // ranges_contain checks the whole encoding even when the answer is known early.
        assert_eq!(ranges_contain(&[1, 1, 2, 0, 9], 1), Err(RangesError::TrailingBytes));
    }

    /// Ids drawn as a few runs of consecutive values plus scattered ones, like real batches.
    fn ids() -> impl Strategy<Value = Vec<i64>> {
        let run = (-1_000i64..1_000_000, 0i64..300).prop_map(|(s, n)| (s..s + n).collect::<Vec<_>>());
        let scattered = prop::collection::vec(any::<i64>(), 0..20);
        (prop::collection::vec(run, 0..6), scattered, prop::collection::vec(-1_000i64..1_000_000, 0..50))
            .prop_map(|(runs, a, b)| runs.into_iter().flatten().chain(a).chain(b).collect())
            .prop_shuffle()
    }

    proptest! {
        #[test]
        fn contains_iff_in_input(input in ids(), probes in prop::collection::vec(-1_100i64..1_000_400, 0..200)) {
            let enc = encode_ranges(&input);
            for x in input.iter().chain(&probes) {
                prop_assert_eq!(ranges_contain(&enc, *x).unwrap(), input.contains(x));
            }
            for x in [i64::MIN, i64::MAX, 0] {
                prop_assert_eq!(ranges_contain(&enc, x).unwrap(), input.contains(&x));
            }
        }

        #[test]
        fn decode_is_maximal_and_reencodes(input in ids()) {
            let enc = encode_ranges(&input);
            let runs = decode_ranges(&enc).unwrap();
            for w in runs.windows(2) {
                prop_assert!(i128::from(*w[0].end()) + 1 < i128::from(*w[1].start()));
            }
            let expanded: Vec<i64> = runs.iter().flat_map(|r| r.clone()).collect();
            let mut sorted = input.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(&expanded, &sorted);
            prop_assert_eq!(encode_ranges(&expanded), enc);
        }

        #[test]
        fn arbitrary_bytes_never_panic_and_accepted_ones_are_canonical(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(runs) = decode_ranges(&bytes) {
                // Small bytes only: re-expanding is bounded by checking the runs, not the ids.
                let mut re = vec![RANGES_FORMAT_VERSION];
                put_varint(&mut re, runs.len() as u64);
                let mut prev: Option<i64> = None;
                for r in &runs {
                    match prev {
                        None => put_varint(&mut re, zigzag(*r.start())),
                        Some(p) => put_varint(&mut re, (i128::from(*r.start()) - i128::from(p) - 2) as u64),
                    }
                    put_varint(&mut re, (i128::from(*r.end()) - i128::from(*r.start())) as u64);
                    prev = Some(*r.end());
                }
                prop_assert_eq!(re, bytes);
            }
        }
    }
}
