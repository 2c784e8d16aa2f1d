//! Commands and their wiring.

use crate::config::{DATABASE_ENV, Location, redact};
use crate::output;
use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
pub(crate) use kenpo_app::imports::{sha256_hex, uke_files, zip_files};
use kenpo_domain::CardId;
use kenpo_store::{AccessContext, Actor, PersonId, PurposeId};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "kenpo", version, about = "Kenpo — 健康保険組合の基幹システム (synthetic data only)")]
pub struct Cli {
    /// Folder for the SQLite database and the vault key.
    #[arg(long, global = true, env = "KENPO_DATA_DIR", default_value = "kenpo-data")]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://PATH (default: DATA_DIR/kenpo.db) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = DATABASE_ENV)]
    pub database: Option<String>,
    /// Machine-readable output.
    #[arg(long, global = true)]
    pub json: bool,
    /// Encoding of the CSVs Kenpo writes: utf8-bom (default, opens in Excel), utf8 or cp932.
    #[arg(long, global = true, env = "KENPO_CSV_ENCODING", default_value = "utf8-bom", value_parser = parse_csv_encoding)]
    pub csv_encoding: kenpo_formats::csv_out::CsvEncoding,
    #[command(subcommand)]
    pub command: Command,
}

/// Who acts and why: every command that touches personal data needs both.
#[derive(Args, Clone)]
pub struct Access {
    /// staff:ROLE[:USER], contractor:ID, member:PERSON_ID or system:JOB.
    #[arg(long = "as")]
    pub actor: String,
    /// A use id from 別表2 (see `kenpo purposes`).
    #[arg(long)]
    pub purpose: String,
}

impl Access {
    pub(crate) fn context(&self) -> Result<AccessContext> {
        Ok(AccessContext::new(Actor::parse(&self.actor)?, PurposeId::parse(&self.purpose)?))
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Create the data folder, the vault key and the database schema.
    Init,
    /// Write a synthetic society in real formats (roster CSV, UKE, 特定健診 XML, claims CSV).
    Generate {
        /// 1 to 2,000,000 (the largest society).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=2_000_000))]
        members: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// Only the roster (for large benchmarks).
        #[arg(long)]
        roster_only: bool,
    },
    /// Load files into the store.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Look at one person.
    Member {
        #[command(subcommand)]
        what: MemberWhat,
    },
    /// Figures about the society.
    Stats {
        #[command(flatten)]
        access: Access,
        /// Day the figures are taken on (default: today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// List the uses of 別表2 with their ids.
    Purposes,
    /// The published notice, rendered from the policy catalogue.
    Notice {
        #[command(subcommand)]
        what: crate::policy_cmd::NoticeWhat,
    },
    /// The policy catalogue: lint, explain, matrix, Cedar.
    Policy {
        #[command(subcommand)]
        what: crate::policy_cmd::PolicyWhat,
    },
    /// The main job on a fresh folder: init, generate, import, summary.
    Demo {
        /// 1 to 2,000,000 (the largest society).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=2_000_000))]
        members: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        what: crate::audit_cmd::AuditWhat,
    },
    /// Export person data as CSV to a named recipient for a purpose (writes the APPI provision record).
    Export {
        /// contractor:ID (委託) or the name of another body (第三者提供).
        #[arg(long)]
        to: String,
        /// Data categories, comma separated (identity is always included).
        #[arg(long)]
        categories: String,
        /// covered, covered:YYYY-MM-DD or ids:1,2,3
        #[arg(long, default_value = "covered")]
        who: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: Access,
    },
    /// A member's disclosure report (開示請求への回答), HTML and JSON.
    Disclose {
        #[arg(long)]
        member: i64,
        #[arg(long)]
        out: PathBuf,
        /// The 個人情報保護管理者 answering the request.
        #[arg(long = "as", default_value = "staff:privacy_officer:-")]
        actor: String,
    },
    /// レセプト点検: 資格・重複・縦覧・突合 findings, listed and exported for 再審査請求.
    Review {
        #[command(subcommand)]
        what: crate::receipts_cmd::ReviewWhat,
    },
    /// 高額療養費 and 付加給付: the monthly run, the payment list, payroll files for employers.
    Kogaku {
        #[command(subcommand)]
        what: crate::receipts_cmd::KogakuWhat,
    },
    /// 特定健診: 階層化, target lists, hand-off to a guidance contractor, the yearly 実施状況.
    Kenshin {
        #[command(subcommand)]
        what: crate::kenshin_cmd::KenshinWhat,
    },
    /// The authenticated HTTP API (JSON under /api/v1, OpenAPI at /api/openapi.json).
    Serve(crate::commands::serve::ServeArgs),
    /// Accounts of `kenpo serve`: add, disable, enable, reset, list.
    User {
        #[command(subcommand)]
        what: crate::commands::user::UserWhat,
    },
}

#[derive(Subcommand)]
pub enum ImportWhat {
    /// The roster CSV (docs/roster-format.md).
    Roster {
        file: PathBuf,
        #[command(flatten)]
        access: Access,
    },
    /// 電子レセプト files (UKE, as written by clinics, or the insurer-side delivery). Each file is
    /// imported all or nothing; a file already imported is refused.
    Receipts {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        access: Access,
    },
    /// 特定健診 archives (ZIP: index, summary, DATA). Each archive is imported all or nothing;
    /// an archive already imported is refused.
    Checkups {
        #[arg(required = true)]
        archives: Vec<PathBuf>,
        #[command(flatten)]
        access: Access,
    },
    /// 特定保健指導 results (hg08 archives, 実施区分 2) returned by a guidance contractor. Each
    /// archive is imported all or nothing; an archive already imported is refused.
    Guidance {
        #[arg(required = true)]
        archives: Vec<PathBuf>,
        /// The contractor (id from the 業務委託先一覧) that sent them.
        #[arg(long)]
        from: String,
        #[command(flatten)]
        access: Access,
    },
    /// Cash-benefit claims CSV.
    Benefits {
        file: PathBuf,
        #[command(flatten)]
        access: Access,
    },
}

#[derive(Subcommand)]
pub enum MemberWhat {
    /// Show a person: by --id, or by --card SYMBOL:NUMBER:BRANCH.
    Show {
        #[arg(long, conflicts_with = "card")]
        id: Option<i64>,
        #[arg(long)]
        card: Option<String>,
        /// 保険者番号 for --card (default: the synthetic society's).
        #[arg(long, default_value = "06279996")]
        insurer: String,
        #[command(flatten)]
        access: Access,
    },
}

fn parse_csv_encoding(s: &str) -> Result<kenpo_formats::csv_out::CsvEncoding, String> {
    kenpo_formats::csv_out::CsvEncoding::parse(s)
        .ok_or_else(|| "utf8-bom、utf8 または cp932 を指定してください".to_string())
}

pub async fn run(cli: Cli) -> Result<()> {
    let mut location = Location::new(&cli.data_dir, cli.database.as_deref());
    location.csv_encoding = cli.csv_encoding;
    match cli.command {
        Command::Init => {
            let created = location.init().await?;
            output::init(&location, created, cli.json);
            Ok(())
        }
        Command::Generate { members, seed, out, roster_only } => {
            let summary = generate(members, seed, &out, roster_only)?;
            output::generated(&summary, &out, cli.json);
            Ok(())
        }
        Command::Import { what: ImportWhat::Roster { file, access } } => {
            let store = location.open().await?;
            let summary = import_roster(&store, &access.context()?, &file).await?;
            store.close().await;
            output::roster_imported(&summary, cli.json);
            Ok(())
        }
        Command::Import { what: ImportWhat::Receipts { files, access } } => {
            let store = location.open().await?;
            let result = import_receipts(&store, &access.context()?, &files).await;
            store.close().await;
            let (total, failures) = result?;
            output::receipts_imported(&total, &failures, cli.json);
            if !failures.is_empty() {
                bail!("{} of {} file(s) were refused; nothing of them was stored", failures.len(), files.len());
            }
            Ok(())
        }
        Command::Import { what: ImportWhat::Checkups { archives, access } } => {
            let store = location.open().await?;
            let result = import_checkups(&store, &access.context()?, &archives).await;
            store.close().await;
            let (total, failures) = result?;
            output::checkups_imported(&total, &failures, cli.json);
            if !failures.is_empty() {
                bail!("{} of {} archive(s) were refused; nothing of them was stored", failures.len(), archives.len());
            }
            Ok(())
        }
        Command::Import { what: ImportWhat::Guidance { archives, from, access } } => {
            let store = location.open().await?;
            let result = crate::kenshin_cmd::import_guidance(&store, &access.context()?, &from, &archives).await;
            store.close().await;
            let (total, failures) = result?;
            output::guidance_imported(&total, &failures, cli.json);
            if !failures.is_empty() {
                bail!("{} of {} archive(s) were refused; nothing of them was stored", failures.len(), archives.len());
            }
            Ok(())
        }
        Command::Import { what: ImportWhat::Benefits { file, access } } => {
            let store = location.open().await?;
            let count = import_benefits(&store, &access.context()?, &file).await?;
            store.close().await;
            output::benefits_imported(count, cli.json);
            Ok(())
        }
        Command::Member { what: MemberWhat::Show { id, card, insurer, access } } => {
            let ctx = access.context()?;
            let store = location.open().await?;
            let person = match (id, card) {
                (Some(id), _) => PersonId(id),
                (None, Some(card)) => store.find_person(&ctx, &insurer, &parse_card(&card)?).await?,
                (None, None) => bail!("give --id or --card"),
            };
            let view = store.person(&ctx, person).await?;
            store.close().await;
            output::person(&view, cli.json)
        }
        Command::Stats { access, as_of } => {
            let store = location.open().await?;
            let day = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            let stats = store.stats(&access.context()?, day).await?;
            store.close().await;
            output::stats(&stats, cli.json)
        }
        Command::Purposes => crate::policy_cmd::purposes(cli.json),
        Command::Notice { what } => crate::policy_cmd::notice(what),
        Command::Policy { what } => crate::policy_cmd::policy(what, cli.json),
        Command::Demo { members, seed } => demo(&location, members, seed, cli.json).await,
        Command::Serve(args) => crate::commands::serve::run(&location, args).await,
        Command::User { what } => crate::commands::user::run(&location, what, cli.json).await,
        Command::Kenshin { what } => crate::kenshin_cmd::kenshin(what, &location, cli.json).await,
        Command::Review { what } => crate::receipts_cmd::review(what, &location, cli.json).await,
        Command::Kogaku { what } => crate::receipts_cmd::kogaku(what, &location, cli.json).await,
        Command::Audit { what } => crate::audit_cmd::audit(what, &location, cli.json).await,
        Command::Export { to, categories, who, out, access } => {
            crate::audit_cmd::export(&location, &access.context()?, &to, &categories, &who, &out, cli.json).await
        }
        Command::Disclose { member, out, actor } => crate::audit_cmd::disclose(&location, &actor, member, &out).await,
    }
}

fn parse_card(s: &str) -> Result<CardId> {
    let parts: Vec<&str> = s.split(':').collect();
    let [symbol, number, branch] = parts.as_slice() else {
        bail!("--card must be SYMBOL:NUMBER:BRANCH, e.g. 100:1:00");
    };
    Ok(CardId::new(symbol, number, CardId::parse_branch(branch)?)?)
}

/// The synthetic society, with progress bars.
pub fn generate(members: u64, seed: u64, out: &Path, roster_only: bool) -> Result<kenpo_synth::GenerateSummary> {
    let bars = output::Bars::new();
    let summary = kenpo_app::synthetic::generate(members, seed, out, roster_only, &|w, d, t| bars.step(w, d, t));
    bars.finish();
    summary
}

/// The app's imports with progress bars on the terminal.
pub async fn import_roster(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    file: &Path,
) -> Result<kenpo_store::ImportSummary> {
    let bars = output::Bars::new();
    let result = kenpo_app::imports::import_roster(store, ctx, file, &|w, d, t| bars.step(w, d, t)).await;
    bars.finish();
    result
}

pub async fn import_receipts(
    store: &kenpo_store::Store,
    ctx: &AccessContext,
    files: &[PathBuf],
) -> Result<(kenpo_store::ReceiptImportSummary, Vec<String>)> {
    let bars = output::Bars::new();
    let result = kenpo_app::imports::import_receipts(store, ctx, files, &|w, d, t| bars.step(w, d, t)).await;
    bars.finish();
    result
}

pub use kenpo_app::imports::{import_benefits, import_checkups};

/// README's first command: a fresh synthetic society, imported and summarised.
async fn demo(location: &Location, members: u64, seed: u64, json: bool) -> Result<()> {
    let db_file = location.data_dir.join("kenpo.db");
    if location.database_url.starts_with("sqlite:") && db_file.exists() {
        bail!(
            "{} already holds a store; the demo wants a fresh folder (remove it, or pass --data-dir)",
            location.data_dir.display()
        );
    }
    location.init().await?;
    let out = location.data_dir.join("synthetic");
    eprintln!("1/8 合成データを生成 (members={members}, seed={seed}) → {}", out.display());
    let generated = generate(members, seed, &out, false)?;
    let store = location.open().await?;
    eprintln!("2/8 加入者名簿を取込 ({})", redact(&location.database_url));
    // The roster carries 個人番号: its import is a 番号法 affair, done by a named 番号事務取扱担当者
    // (the catalogue lets no batch job touch 個人番号).
    let roster_ctx =
        AccessContext::new(Actor::parse("staff:mynumber_officer:demo")?, PurposeId::parse("mynumber.affairs")?);
    let roster = import_roster(&store, &roster_ctx, &out.join("roster.csv")).await?;
    eprintln!("3/8 現金給付申請を取込");
    let benefits_ctx =
        AccessContext::new(Actor::parse("system:demo-benefits-import")?, PurposeId::parse("benefits.payment")?);
    let claims = import_benefits(&store, &benefits_ctx, &out.join("benefits.csv")).await?;
    eprintln!("4/8 レセプトを取込");
    let receipts_ctx =
        AccessContext::new(Actor::parse("system:demo-receipts-import")?, PurposeId::parse("receipts.review")?);
    let (receipts, failures) = import_receipts(&store, &receipts_ctx, &uke_files(&out.join("receipts"))?).await?;
    if !failures.is_empty() {
        bail!("the generated receipts were refused: {}", failures.join("; "));
    }
    eprintln!("5/8 特定健診を取込・レセプト点検（資格・重複・縦覧・突合）");
    let checkups_ctx =
        AccessContext::new(Actor::parse("system:demo-checkups-import")?, PurposeId::parse("health.specific_checkup")?);
    let (checkups, failures) = import_checkups(&store, &checkups_ctx, &zip_files(&out.join("checkups"))?).await?;
    if !failures.is_empty() {
        bail!("the generated checkup archives were refused: {}", failures.join("; "));
    }
    let review_ctx =
        AccessContext::new(Actor::parse("system:demo-receipt-review")?, PurposeId::parse("receipts.review")?);
    let mut review = Vec::new();
    for month in store.receipt_months(&review_ctx).await? {
        review.push(store.run_review(&review_ctx, month).await?);
    }
    eprintln!("6/8 高額療養費・付加給付（年度の各月）");
    let kogaku_ctx = AccessContext::new(Actor::parse("system:demo-kogaku")?, PurposeId::parse("benefits.payment")?);
    let fy = kenpo_synth::SocietyConfig::new(members, seed);
    let kogaku = kenpo_app::kogaku::run_months(
        &store,
        &kogaku_ctx,
        kenpo_domain::YearMonth::of(fy.fiscal_start()),
        kenpo_domain::YearMonth::of(fy.as_of),
        &kenpo_domain::kogaku::AdditionRules::default(),
    )
    .await?;
    eprintln!("7/8 特定健診の階層化・対象者抽出・保健指導の委託と結果取込・実施状況報告");
    let kenshin =
        crate::kenshin_cmd::demo_step(&store, chrono::Datelike::year(&fy.fiscal_start()), &location.data_dir, seed)
            .await?;
    eprintln!("8/8 集計");
    let stats_ctx = AccessContext::new(Actor::parse("system:demo-stats")?, PurposeId::parse("admin.basic_material")?);
    let stats = store.stats(&stats_ctx, kenpo_synth::SocietyConfig::new(members, seed).as_of).await?;
    // Seal and check the audit log the job wrote.
    let operator = AccessContext::new(Actor::parse("system:demo-audit")?, PurposeId::parse("admin.basic_material")?);
    let key = kenpo_audit::AuditSigningKey::read_file(&location.data_dir.join("audit-signing.key"))?;
    let checkpoint = store.audit_checkpoint(&operator, &key, &format!("kenpo/{}", &key.public_key_hex()[..16])).await?;
    let verified = store.audit_verify(&operator, Some(&key.verifying_key())).await?;
    store.close().await;
    if let Some(bad) = &verified.first_bad {
        bail!("audit log does not verify: entry #{}: {}", bad.seq, bad.problem);
    }
    // A first staff login for `kenpo serve` (README): its one-time code and TOTP secret are
    // printed once, here.
    let app = kenpo_app::App::new(location.open().await?)?;
    let officer =
        AccessContext::new(Actor::parse("staff:privacy_officer:demo")?, PurposeId::parse("admin.basic_material")?);
    let issued = app
        .add_account(
            &officer,
            "demo-benefits",
            kenpo_store::AccountKind::Staff { role: "benefits".into() },
            "給付担当（デモ）",
            chrono::Utc::now(),
        )
        .await;
    app.close().await;
    output::demo(
        &generated,
        &roster,
        claims,
        &receipts,
        &checkups,
        &review,
        &kogaku,
        &kenshin,
        &stats,
        checkpoint.checkpoint.size,
        json,
    )?;
    eprintln!("\nkenpo serve の最初のログイン（給付担当、一度だけ表示）:");
    let issued = issued?;
    eprintln!(
        "  ログイン名 {} / 利用開始コード {} / TOTP 秘密鍵 {}",
        issued.account.login,
        issued.onetime_code,
        issued.totp_secret.as_deref().unwrap_or("（不要）")
    );
    Ok(())
}
