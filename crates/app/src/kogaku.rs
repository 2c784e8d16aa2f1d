//! 高額療養費・付加給付 use cases: the society's 付加給付 rules file and runs over a span of months.

use anyhow::{Context, Result, bail};
use kenpo_domain::YearMonth;
use kenpo_domain::kogaku::{AdditionRules, Rounding};
use kenpo_store::{AccessContext, Store};
use serde::Deserialize;
use std::path::Path;

/// The TOML shape of `--rules`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    threshold: i64,
    #[serde(default)]
    tiers: Vec<Tier>,
    rounding: i64,
    #[serde(default)]
    minimum: i64,
    #[serde(default = "yes")]
    combined: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tier {
    min_standard_monthly: i64,
    threshold: i64,
}

pub fn read_rules(path: Option<&Path>) -> Result<AdditionRules> {
    let Some(path) = path else { return Ok(AdditionRules::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let f: RulesFile =
        toml::from_str(&text).with_context(|| format!("{}: not a 付加給付 rules file", path.display()))?;
    let rounding = match f.rounding {
        100 => Rounding::Hundred,
        1000 => Rounding::Thousand,
        other => bail!("{}: rounding must be 100 or 1000, found {other}", path.display()),
    };
    if f.threshold < 0 || f.minimum < 0 || f.tiers.iter().any(|t| t.threshold < 0) {
        bail!("{}: thresholds and the minimum must not be negative", path.display());
    }
    Ok(AdditionRules {
        threshold: f.threshold,
        tiers: f.tiers.into_iter().map(|t| (t.min_standard_monthly, t.threshold)).collect(),
        rounding,
        minimum: f.minimum,
        combined: f.combined,
    })
}

/// Runs 高額療養費・付加給付 for every month from `from` to `to` in order (多数回 looks back at
/// the stored runs), at most 60 months.
pub async fn run_months(
    store: &Store,
    ctx: &AccessContext,
    from: YearMonth,
    to: YearMonth,
    rules: &AdditionRules,
) -> Result<Vec<kenpo_store::KogakuRunSummary>> {
    if to < from {
        bail!("--to {to} is before --month {from}");
    }
    // A run covers at most five years of months (a careless --to 9999-12 must not run for days).
    if (i64::from(to.year()) * 12 + i64::from(to.month())) - (i64::from(from.year()) * 12 + i64::from(from.month()))
        >= 60
    {
        bail!("--month {from} --to {to}: at most 60 months in one run");
    }
    let mut out = Vec::new();
    let mut m = from;
    loop {
        out.push(store.run_kogaku(ctx, m, rules).await?);
        if m == to {
            break;
        }
        m = m.next();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn the_readme_rules_file_is_the_default() {
        // The TOML block of README "付加給付" (documented as Kenpo's default).
        let f = write(
            "threshold = 25000\nrounding = 100\nminimum = 1000\ncombined = true\n\
             [[tiers]]\nmin_standard_monthly = 530000\nthreshold = 40000\n",
        );
        assert_eq!(read_rules(Some(f.path())).unwrap(), AdditionRules::default());
        assert_eq!(read_rules(None).unwrap(), AdditionRules::default());
    }

    #[test]
    fn a_society_with_1000_yen_truncation_and_no_tiers() {
        let f = write("threshold = 20000\nrounding = 1000\n");
        let r = read_rules(Some(f.path())).unwrap();
        assert_eq!((r.threshold, r.rounding, r.minimum, r.combined), (20_000, Rounding::Thousand, 0, true));
        assert_eq!(r.threshold_for(900_000), 20_000);
    }

    #[test]
    fn bad_rules_are_refused_naming_the_file() {
        for (text, what) in [
            ("threshold = 20000\nrounding = 500\n", "rounding must be 100 or 1000"),
            ("threshold = -1\nrounding = 100\n", "must not be negative"),
            ("threshold = 20000\nrounding = 100\nround = 1\n", "not a 付加給付 rules file"),
        ] {
            let f = write(text);
            let err = format!("{:#}", read_rules(Some(f.path())).unwrap_err());
            assert!(err.contains(what) && err.contains(&f.path().display().to_string()), "{err}");
        }
    }
}
