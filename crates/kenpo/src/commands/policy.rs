//! `kenpo notice …` and `kenpo policy …`: the catalogue rendered, diffed, linted, explained.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use kenpo_domain::DataCategory;
use kenpo_policy::catalogue::Catalogue;
use kenpo_policy::lint::Severity;
use kenpo_policy::{AccessContext, AccessRequest, Action, Actor, CatalogueEngine, PersonId, PurposeId, Subject};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum NoticeWhat {
    /// Write the published notice (Markdown and HTML) from the catalogue.
    Render {
        /// Catalogue folder (default: the shipped one, policy/).
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Output folder: notice.md and notice.html.
        #[arg(long)]
        out: PathBuf,
    },
    /// What a change of catalogue would tell members.
    Diff { old: PathBuf, new: PathBuf },
}

#[derive(Subcommand)]
pub enum PolicyWhat {
    /// Compliance checks; exits non-zero on errors (warnings are findings to document).
    Lint {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Day the checks are made on (contracts are dated; default today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// The decision for one question, with the catalogue entries behind it.
    Explain {
        #[arg(long = "as")]
        actor: String,
        #[arg(long)]
        purpose: String,
        #[arg(long)]
        category: String,
        #[arg(long, default_value = "read")]
        action: String,
        /// For a member: whose data (default: their own).
        #[arg(long)]
        subject: Option<i64>,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// The actor × use × category table (Markdown), as checked into docs/policy-matrix.md.
    Matrix {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        /// Day of the table (default: the catalogue's effective date).
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the generated Cedar schema and policies, validated with cedar-policy.
    Cedar {
        #[arg(long)]
        catalogue: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn load(dir: Option<&Path>) -> Result<Catalogue> {
    Ok(match dir {
        Some(d) => Catalogue::load_dir(d)?,
        None => Catalogue::default_catalogue()?,
    })
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

pub fn notice(what: NoticeWhat) -> Result<()> {
    match what {
        NoticeWhat::Render { catalogue, out } => {
            let c = load(catalogue.as_deref())?;
            std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
            write(&out.join("notice.md"), &kenpo_policy::render::markdown(&c))?;
            write(&out.join("notice.html"), &kenpo_policy::render::html(&c))?;
            println!("公表文を出力しました: {}/notice.md, notice.html (カタログ版 {})", out.display(), c.meta.version);
            Ok(())
        }
        NoticeWhat::Diff { old, new } => {
            let (a, b) = (Catalogue::load_dir(&old)?, Catalogue::load_dir(&new)?);
            let lines = kenpo_policy::diff::diff(&a, &b);
            if lines.is_empty() {
                println!("加入者にお知らせする変更はありません。");
            } else {
                println!("公表文の変更点 ({} → {}):", a.meta.version, b.meta.version);
                for l in lines {
                    println!("・{l}");
                }
            }
            Ok(())
        }
    }
}

fn parse_action(s: &str) -> Result<Action> {
    Ok(match s {
        "read" => Action::Read,
        "write" => Action::Write,
        "export" => Action::Export,
        _ => bail!("--action must be read, write or export"),
    })
}

pub fn policy(what: PolicyWhat, json: bool) -> Result<()> {
    let today = chrono::Local::now().date_naive();
    match what {
        PolicyWhat::Lint { catalogue, on } => {
            let c = load(catalogue.as_deref())?;
            let findings = kenpo_policy::lint::lint(&c, on.unwrap_or(today));
            let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
            for f in &findings {
                println!("{f}");
            }
            println!("{} error(s), {} warning(s) — catalogue {}", errors, findings.len() - errors, c.meta.version);
            if errors > 0 {
                bail!("the catalogue has {errors} compliance error(s)");
            }
            Ok(())
        }
        PolicyWhat::Explain { actor, purpose, category, action, subject, on, catalogue } => {
            let engine = CatalogueEngine::new(load(catalogue.as_deref())?);
            let actor = Actor::parse(&actor)?;
            let category = DataCategory::from_id(&category)
                .with_context(|| format!("unknown category {category:?} (e.g. identity, my_number, receipt_cost)"))?;
            let subject = match (&actor, subject) {
                (_, Some(id)) => Subject::Person(PersonId(id)),
                (Actor::Member { person }, None) => Subject::Person(*person),
                _ => Subject::Population,
            };
            let ctx = AccessContext::new(actor, PurposeId::parse(&purpose)?);
            let req = AccessRequest {
                context: &ctx,
                action: parse_action(&action)?,
                category,
                subject: &subject,
                on: on.unwrap_or(today),
            };
            let (decision, lines) = engine.explain(&req);
            if json {
                println!(
                    "{}",
                    serde_json::json!({"allowed": decision.is_allowed(), "rule": decision.rule(), "explanation": lines})
                );
            } else {
                for l in lines {
                    println!("{l}");
                }
            }
            Ok(())
        }
        PolicyWhat::Matrix { catalogue, on, out } => {
            let engine = CatalogueEngine::new(load(catalogue.as_deref())?);
            let day = on.unwrap_or(engine.catalogue().meta.effective_from);
            let text = kenpo_policy::matrix::markdown(&engine, day);
            match out {
                Some(path) => write(&path, &text)?,
                None => print!("{text}"),
            }
            Ok(())
        }
        PolicyWhat::Cedar { catalogue, out } => {
            let c = load(catalogue.as_deref())?;
            std::fs::create_dir_all(&out)?;
            write(&out.join("kenpo.cedarschema"), &kenpo_policy::cedar::schema(&c))?;
            write(&out.join("kenpo.cedar"), &kenpo_policy::cedar::policies(&c))?;
            match kenpo_cedar::validate(&c) {
                Ok(()) => println!("Cedar schema and policies written to {} and validated", out.display()),
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{e}");
                    }
                    bail!("the generated Cedar policies do not validate ({} error(s))", errors.len());
                }
            }
            Ok(())
        }
    }
}

/// `kenpo purposes`: the uses of the catalogue.
pub fn purposes(json: bool) -> Result<()> {
    let c = load(None)?;
    if json {
        let list: Vec<_> = c
            .uses
            .iter()
            .map(|u| {
                let group = c.placement(&u.id).map(|(g, _)| g.number).unwrap_or(0);
                serde_json::json!({"id": u.id, "group": group, "text": u.text, "flow": u.flow.label(), "my_number_affair": u.my_number_affair})
            })
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return Ok(());
    }
    for u in &c.uses {
        let group = c.placement(&u.id).map(|(g, _)| g.number).unwrap_or(0);
        println!(
            "{:<36} 別表2-{} [{}] {}{}",
            u.id,
            group,
            u.flow.label(),
            u.text,
            if u.my_number_affair { " [番号法]" } else { "" }
        );
    }
    Ok(())
}
