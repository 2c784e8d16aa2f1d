//! The RFC 6962 Merkle tree over entry hashes. A signed root commits to the whole log at a size;
//! an inclusion proof shows one entry is in it with about log2(n) hashes, so a person or an
//! auditor can check an entry without the rest of the log.
//!
//! ```text
//! leaf     = SHA-256(0x00 || entry_hash)
//! node     = SHA-256(0x01 || left || right)
//! MTH({})  = SHA-256("")
//! MTH(D_n) = node(MTH(D[0:k]), MTH(D[k:n]))   k = the largest power of two < n   (RFC 6962 §2.1)
//! ```

use sha2::{Digest, Sha256};

/// A leaf's hash: `SHA-256(0x00 || entry_hash)`. The prefixes keep a leaf from passing as a node.
pub fn leaf_hash(entry_hash: &[u8; 32]) -> [u8; 32] {
    hash_leaf_data(entry_hash)
}

/// `SHA-256(0x00 || data)` for leaf data of any length (RFC 6962 allows any; ours is 32 bytes).
fn hash_leaf_data(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// An interior node's hash: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree, `SHA-256("")`.
pub fn empty_root() -> [u8; 32] {
    Sha256::digest([]).into()
}

/// The largest power of two strictly less than `n` (`n >= 2`).
fn split(n: usize) -> usize {
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH over leaf hashes (already prefixed with 0x00); `hashes` is not empty.
fn mth(hashes: &[[u8; 32]]) -> [u8; 32] {
    match hashes {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = split(hashes.len());
            node_hash(&mth(&hashes[..k]), &mth(&hashes[k..]))
        }
    }
}

/// PATH(m, D[n]) over leaf hashes (RFC 6962 §2.1.1): siblings from the leaf up.
fn path(m: usize, hashes: &[[u8; 32]], out: &mut Vec<[u8; 32]>) {
    if hashes.len() <= 1 {
        return;
    }
    let k = split(hashes.len());
    if m < k {
        path(m, &hashes[..k], out);
        out.push(mth(&hashes[k..]));
    } else {
        path(m - k, &hashes[k..], out);
        out.push(mth(&hashes[..k]));
    }
}

/// The Merkle tree head over entry hashes, in seq order.
pub fn merkle_root(leaves: &[[u8; 32]]) -> [u8; 32] {
    let hashes: Vec<[u8; 32]> = leaves.iter().map(leaf_hash).collect();
    mth(&hashes)
}

/// The audit path of leaf `index` in the tree over `leaves` (entry hashes).
///
/// # Panics
/// If `index >= leaves.len()`: there is no such leaf, which is the caller's mistake.
pub fn inclusion_proof(leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
    assert!(index < leaves.len(), "inclusion_proof: leaf index {index} is not below tree size {}", leaves.len());
    let hashes: Vec<[u8; 32]> = leaves.iter().map(leaf_hash).collect();
    let mut out = Vec::new();
    path(index, &hashes, &mut out);
    out
}

/// The root an inclusion proof leads to from a leaf hash (RFC 9162 §2.1.3.2), or `None` when
/// the proof cannot belong to a tree of this size (index out of range, wrong length).
fn root_from_proof(leaf_hash: [u8; 32], index: u64, size: u64, proof: &[[u8; 32]]) -> Option<[u8; 32]> {
    if index >= size {
        return None;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = leaf_hash;
    for p in proof {
        if snode == 0 {
            return None;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    (snode == 0).then_some(r)
}

/// Whether `proof` shows the entry hash `leaf` at `index` in the tree of `size` leaves whose
/// root is `root` (the verification algorithm of RFC 9162 §2.1.3.2).
pub fn verify_inclusion(leaf: &[u8; 32], index: u64, size: u64, proof: &[[u8; 32]], root: &[u8; 32]) -> bool {
    root_from_proof(leaf_hash(leaf), index, size, proof).is_some_and(|r| r == *root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> [u8; 32] {
        crate::hexser::decode_array(s).unwrap()
    }

    /// Leaf inputs and tree heads from Google Trillian, `merkle/testonly/constants.go`
    /// (`LeafInputs`, `RootHashes`; github.com/google/trillian, Apache-2.0), the same set used by
    /// transparency-dev/merkle's `proof/verify_test.go`.
    const LEAF_INPUTS: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    /// Inclusion proofs from transparency-dev/merkle `proof/verify_test.go` (`inclusionProofs`;
    /// github.com/transparency-dev/merkle, Apache-2.0): (leaf index, tree size, path).
    fn published_proofs() -> Vec<(usize, usize, Vec<[u8; 32]>)> {
        vec![
            (0, 1, vec![]),
            (
                0,
                8,
                vec![
                    h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
                ],
            ),
            (
                5,
                8,
                vec![
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                    h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
                ],
            ),
            (2, 3, vec![h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
            (
                1,
                5,
                vec![
                    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
                    h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                    h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                ],
            ),
        ]
    }

    fn vector_leaf_hashes() -> Vec<[u8; 32]> {
        LEAF_INPUTS.iter().map(|s| hash_leaf_data(&hex::decode(s).unwrap())).collect()
    }

    #[test]
    fn published_roots() {
        assert_eq!(merkle_root(&[]), h(ROOTS[0]));
        let leaves = vector_leaf_hashes();
        for (size, root) in ROOTS.iter().enumerate() {
            assert_eq!(mth(&leaves[..size]), h(root), "tree size {size}");
        }
    }

    #[test]
    fn published_inclusion_proofs() {
        let leaves = vector_leaf_hashes();
        for (index, size, proof) in published_proofs() {
            let mut ours = Vec::new();
            path(index, &leaves[..size], &mut ours);
            assert_eq!(ours, proof, "path of {index} in {size}");
            let root = root_from_proof(leaves[index], index as u64, size as u64, &proof);
            assert_eq!(root, Some(h(ROOTS[size])), "verify {index} in {size}");
            // The corruptions transparency-dev applies: wrong index, size, extra or missing nodes.
            let (i, s) = (index as u64, size as u64);
            let good = h(ROOTS[size]);
            let mut bad_probes: Vec<(u64, u64, Vec<[u8; 32]>)> =
                vec![(i.wrapping_sub(1), s, proof.clone()), (i + 1, s, proof.clone()), (i ^ 2, s, proof.clone())];
            bad_probes.push((i, s * 2, proof.clone()));
            bad_probes.push((i, s / 2, proof.clone()));
            bad_probes.push((i, s, [proof.clone(), vec![good]].concat()));
            bad_probes.push((i, s, [vec![good], proof.clone()].concat()));
            if !proof.is_empty() {
                bad_probes.push((i, s, proof[..proof.len() - 1].to_vec()));
            }
            for (bi, bs, bp) in bad_probes {
                if (bi, bs) != (i, s) || bp != proof {
                    assert_ne!(root_from_proof(leaves[index], bi, bs, &bp), Some(good), "probe {bi} {bs}");
                }
            }
        }
    }

    #[test]
    fn out_of_range_is_refused() {
        let leaves = [[1u8; 32]; 3];
        let root = merkle_root(&leaves);
        assert!(!verify_inclusion(&leaves[0], 3, 3, &[], &root));
        assert!(!verify_inclusion(&leaves[0], 0, 0, &[], &merkle_root(&[])));
        assert!(std::panic::catch_unwind(|| inclusion_proof(&leaves, 3)).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_index_verifies_and_tampering_does_not(
            seeds in prop::collection::vec(any::<[u8; 32]>(), 1..130),
            bit in 0usize..256,
        ) {
            let root = merkle_root(&seeds);
            let size = seeds.len() as u64;
            for (i, leaf) in seeds.iter().enumerate() {
                let proof = inclusion_proof(&seeds, i);
                let idx = i as u64;
                prop_assert!(verify_inclusion(leaf, idx, size, &proof, &root));

                let mut bad_leaf = *leaf;
                bad_leaf[bit / 8] ^= 1 << (bit % 8);
                prop_assert!(!verify_inclusion(&bad_leaf, idx, size, &proof, &root));

                for j in 0..proof.len() {
                    let mut bad = proof.clone();
                    bad[j][bit / 8] ^= 1 << (bit % 8);
                    prop_assert!(!verify_inclusion(leaf, idx, size, &bad, &root));
                }
                for other in [idx.wrapping_sub(1), idx + 1, idx ^ 1, idx ^ 2] {
                    // A duplicate leaf value at the other index would legitimately verify.
                    if other != idx && other < size && seeds[other as usize] == *leaf {
                        continue;
                    }
                    if other != idx {
                        prop_assert!(!verify_inclusion(leaf, other, size, &proof, &root));
                    }
                }
                let mut bad_root = root;
                bad_root[0] ^= 1;
                prop_assert!(!verify_inclusion(leaf, idx, size, &proof, &bad_root));
                // The root of a longer tree (one more entry) does not accept this path.
                let mut longer = seeds.clone();
                longer.push([0xEE; 32]);
                prop_assert!(!verify_inclusion(leaf, idx, size + 1, &proof, &merkle_root(&longer)));
            }
        }
    }
}
