//! Commands and their wiring.

use crate::commands::Access;
use crate::commands::society::{generate, import_benefits, import_checkups, import_receipts, import_roster};
use crate::config::{DATABASE_ENV, Location};
use crate::output;
use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use kenpo_domain::CardId;
use kenpo_store::PersonId;
use std::path::PathBuf;

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
        what: crate::commands::policy::NoticeWhat,
    },
    /// The policy catalogue: lint, explain, matrix, Cedar.
    Policy {
        #[command(subcommand)]
        what: crate::commands::policy::PolicyWhat,
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
        what: crate::commands::audit::AuditWhat,
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
        what: crate::commands::receipts::ReviewWhat,
    },
    /// 高額療養費 and 付加給付: the monthly run, the payment list, payroll files for employers.
    Kogaku {
        #[command(subcommand)]
        what: crate::commands::receipts::KogakuWhat,
    },
    /// 特定健診: 階層化, target lists, hand-off to a guidance contractor, the yearly 実施状況.
    Kenshin {
        #[command(subcommand)]
        what: crate::commands::kenshin::KenshinWhat,
    },
    /// 資格: filings, events, corrections, as-of lookups, 被扶養者 rule, 検認, オンライン資格確認
    /// outbox, 資格確認書 PDF, receipts after a loss.
    Eligibility {
        #[command(subcommand)]
        what: crate::commands::eligibility::EligibilityWhat,
    },
    /// 標準報酬 and 保険料: rates, 算定基礎届・月額変更届・賞与支払届, 決定通知書, a month's premiums and
    /// 納入告知, payments, statements (入金消込), 任意継続 non-payment.
    Premium {
        #[command(subcommand)]
        what: crate::commands::premium::PremiumWhat,
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
            let result = crate::commands::kenshin::import_guidance(&store, &access.context()?, &from, &archives).await;
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
        Command::Purposes => crate::commands::policy::purposes(cli.json),
        Command::Notice { what } => crate::commands::policy::notice(what),
        Command::Policy { what } => crate::commands::policy::policy(what, cli.json),
        Command::Demo { members, seed } => crate::commands::society::demo(&location, members, seed, cli.json).await,
        Command::Serve(args) => crate::commands::serve::run(&location, args).await,
        Command::User { what } => crate::commands::user::run(&location, what, cli.json).await,
        Command::Kenshin { what } => crate::commands::kenshin::kenshin(what, &location, cli.json).await,
        Command::Eligibility { what } => crate::commands::eligibility::run(what, &location, cli.json).await,
        Command::Premium { what } => crate::commands::premium::run(what, &location, cli.json).await,
        Command::Review { what } => crate::commands::receipts::review(what, &location, cli.json).await,
        Command::Kogaku { what } => crate::commands::receipts::kogaku(what, &location, cli.json).await,
        Command::Audit { what } => crate::commands::audit::audit(what, &location, cli.json).await,
        Command::Export { to, categories, who, out, access } => {
            crate::commands::audit::export(&location, &access.context()?, &to, &categories, &who, &out, cli.json).await
        }
        Command::Disclose { member, out, actor } => {
            crate::commands::audit::disclose(&location, &actor, member, &out).await
        }
    }
}

fn parse_card(s: &str) -> Result<CardId> {
    let parts: Vec<&str> = s.split(':').collect();
    let [symbol, number, branch] = parts.as_slice() else {
        bail!("--card must be SYMBOL:NUMBER:BRANCH, e.g. 100:1:00");
    };
    Ok(CardId::new(symbol, number, CardId::parse_branch(branch)?)?)
}
