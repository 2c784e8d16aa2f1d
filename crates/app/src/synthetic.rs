//! The synthetic society (trials, the demo, benchmarks): written in the real file formats.

use anyhow::Result;
use std::path::Path;

/// Writes a synthetic society of `members` insured persons (deterministic for `seed`): the
/// roster only, or every file (roster, claims, a year of receipts, checkup archives).
/// `progress` is told (what, done, total).
pub fn generate(
    members: u64,
    seed: u64,
    out: &Path,
    roster_only: bool,
    progress: crate::imports::Progress<'_>,
) -> Result<kenpo_synth::GenerateSummary> {
    let config = kenpo_synth::SocietyConfig::new(members, seed);
    let outputs = if roster_only {
        kenpo_synth::Outputs { roster: true, benefits: false, receipts: false, checkups: false }
    } else {
        kenpo_synth::Outputs::all()
    };
    Ok(kenpo_synth::write_society(config, out, outputs, &|done, total, what| progress(what, done, total))?)
}
