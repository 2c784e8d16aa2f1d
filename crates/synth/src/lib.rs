//! # kenpo-synth
//!
//! Owns the synthetic society: a deterministic (seeded) population of employers, insured
//! persons and dependants, their receipts, checkups and cash-benefit claims, written in the
//! real exchange formats by `kenpo-formats`' writers.
//!
//! Must never: read real data, or produce anything that depends on the clock or on the
//! machine (same seed and size → same bytes). Every person is made from name parts chosen at
//! random; 個人番号 are synthetic with valid check digits.

mod checkups;
mod events;
mod guidance;
mod names;
mod pay;
mod people;
mod receipts;
mod write;

pub use checkups::checkup_archives;
pub use events::{SynthEntry, SynthFiling, SynthYear, year_of_events};
pub use guidance::{HandedPerson, guidance_reports};
pub use pay::{PayFile, Payee, annual_files, bonus_files, interim_files};
pub use people::{EmployerSpec, Society, SocietyConfig, benefit_claims, employers, family};
pub use receipts::{Institutions, month_receipts};
pub use write::{GenerateSummary, Outputs, write_society};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// An independent random stream for (what, which): the same person gets the same values
/// whatever else is generated, so parts can be made in any order or in parallel.
pub(crate) fn stream(seed: u64, domain: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ domain.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    rng.set_stream(index);
    rng
}

/// Standard normal by Box-Muller (no extra crate for one distribution).
pub(crate) fn normal(rng: &mut impl rand::Rng, mean: f64, sd: f64) -> f64 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.r#gen();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Poisson by inversion (small rates only).
pub(crate) fn poisson(rng: &mut impl rand::Rng, lambda: f64) -> u32 {
    let l = (-lambda).exp();
    let mut k = 0;
    let mut p = 1.0;
    loop {
        p *= rng.r#gen::<f64>();
        if p <= l || k > 50 {
            return k;
        }
        k += 1;
    }
}
