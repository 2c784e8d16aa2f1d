//! `kenpo user add|disable|enable|reset|list`: accounts of `kenpo serve` (the `accounts`
//! operation, the 個人情報保護管理者's in the shipped catalogue).

use crate::commands::Access;
use crate::config::Location;
use anyhow::{Result, bail};
use clap::Subcommand;
use kenpo_app::{App, IssuedAccount};
use kenpo_store::AccountKind;

#[derive(Subcommand)]
pub enum UserWhat {
    /// A new account with a one-time code for its first password (and a TOTP secret where the
    /// role reads 要配慮個人情報 or 個人番号). Give exactly one of --role, --member, --contractor.
    Add {
        /// Login name: 3–64 of a-z A-Z 0-9 . _ -
        login: String,
        /// A staff role of the catalogue (eligibility, benefits, health, receipt_review, …).
        #[arg(long, conflicts_with_all = ["member", "contractor"])]
        role: Option<String>,
        /// A member's person id (the portal: their own data only).
        #[arg(long, conflicts_with = "contractor")]
        member: Option<i64>,
        /// A contractor id of the 業務委託先一覧 (an API client within its contract).
        #[arg(long)]
        contractor: Option<String>,
        /// The name shown in the header of the screens.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        access: Access,
    },
    /// Disable an account (its sessions end).
    Disable {
        login: String,
        #[command(flatten)]
        access: Access,
    },
    /// Enable an account again and clear its lock.
    Enable {
        login: String,
        #[command(flatten)]
        access: Access,
    },
    /// Clear the password and issue a new one-time code (and TOTP secret).
    Reset {
        login: String,
        #[command(flatten)]
        access: Access,
    },
    /// Every account.
    List {
        #[command(flatten)]
        access: Access,
    },
}

pub async fn run(location: &Location, what: UserWhat, json: bool) -> Result<()> {
    let app = App::new(location.open().await?)?;
    let result = run_on(&app, what, json).await;
    app.close().await;
    result
}

async fn run_on(app: &App, what: UserWhat, json: bool) -> Result<()> {
    let now = chrono::Utc::now();
    match what {
        UserWhat::Add { login, role, member, contractor, name, access } => {
            let kind = match (role, member, contractor) {
                (Some(role), None, None) => AccountKind::Staff { role },
                (None, Some(person_id), None) => AccountKind::Member { person_id },
                (None, None, Some(contractor_id)) => AccountKind::Contractor { contractor_id },
                _ => bail!("give exactly one of --role, --member, --contractor"),
            };
            let issued = app.add_account(&access.context()?, &login, kind, &name, now).await?;
            print_issued(&issued, json)
        }
        UserWhat::Reset { login, access } => {
            let issued = app.reset_account(&access.context()?, &login, now).await?;
            print_issued(&issued, json)
        }
        UserWhat::Disable { login, access } => {
            let row = app.set_account_disabled(&access.context()?, &login, true).await?;
            println!("{}: 無効にしました", row.login);
            Ok(())
        }
        UserWhat::Enable { login, access } => {
            let row = app.set_account_disabled(&access.context()?, &login, false).await?;
            println!("{}: 有効にしました（ロック解除）", row.login);
            Ok(())
        }
        UserWhat::List { access } => {
            let rows = app.list_accounts(&access.context()?).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            for r in rows {
                let kind = match &r.kind {
                    AccountKind::Staff { role } => format!("staff:{role}"),
                    AccountKind::Member { person_id } => format!("member:{person_id}"),
                    AccountKind::Contractor { contractor_id } => format!("contractor:{contractor_id}"),
                };
                let state = match r.state() {
                    "disabled" => "無効",
                    "locked" => "ロック",
                    "not_activated" => "利用開始前",
                    _ => "有効",
                };
                println!(
                    "{}\t{}\t{}\t{}\t二要素:{}\t最終ログイン:{}",
                    r.login,
                    kind,
                    crate::output::plain(&r.display_name),
                    state,
                    if r.has_totp { "あり" } else { "なし" },
                    r.last_login_at.as_deref().unwrap_or("-")
                );
            }
            Ok(())
        }
    }
}

/// The secrets are shown once, here: they are not stored in a form that could show them again.
pub fn print_issued(issued: &IssuedAccount, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(issued)?);
        return Ok(());
    }
    println!("ログイン名: {}", issued.account.login);
    println!("利用開始コード: {}（{} まで有効、一度だけ）", issued.onetime_code, issued.onetime_expires);
    if let Some(secret) = &issued.totp_secret {
        println!("二要素認証の秘密鍵 (TOTP, base32): {secret}");
    }
    println!("利用開始: POST /api/v1/activation {{\"login\", \"code\", \"password\"}}");
    Ok(())
}
