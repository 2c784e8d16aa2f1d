//! `kenpo premium …`: 標準報酬 and 保険料 — the society's rates, the employers' 算定基礎届・
//! 月額変更届・賞与支払届, 休業 for the exemptions, the 決定通知書, a month's premiums and
//! 納入告知 (CSV and PDF), the bank's payments, statements (入金消込) and 任意継続 non-payment.

use crate::config::Location;
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use kenpo_app::premiums as uc;
use kenpo_app::render::{self, premiums as papers};
use kenpo_domain::YearMonth;
use kenpo_domain::premium::Leave;
use kenpo_domain::remuneration::LeaveKind;
use kenpo_store::Store;
use std::path::PathBuf;

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[derive(Subcommand)]
pub enum PremiumWhat {
    /// Record the society's rates from a month (a TOML file; README §保険料).
    Rates {
        file: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// An employer's 算定基礎届 / 月額変更届 / 賞与支払届 (日本年金機構 CSV, SHFD0006 or KPFD0006),
    /// all or nothing; prints each line's outcome.
    Filing {
        file: PathBuf,
        /// The society's 事業所番号 (needed for an SHFD file, which carries the 年金機構's).
        #[arg(long)]
        employer: Option<String>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// A 産前産後休業 (maternity) or 育児休業等 (childcare) of a member, for the exemptions.
    Leave {
        #[arg(long)]
        person: i64,
        /// maternity | childcare
        #[arg(long)]
        kind: String,
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 標準報酬決定通知書: the determinations filed for a month (CSV, or PDF per employer).
    Notices {
        /// The 適用年月 / 改定年月 filed (e.g. 2026-09 for the 定時決定).
        #[arg(long)]
        month: Option<YearMonth>,
        #[arg(long)]
        employer: Option<String>,
        #[arg(long)]
        out: PathBuf,
        /// csv | pdf
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long, default_value = "健康保険組合")]
        insurer_name: String,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Compute a month's premiums and issue the 納入告知 (once per month).
    Month {
        #[arg(long)]
        month: YearMonth,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// The 納入告知 of a month: the list, or one with its 明細 (CSV), or all as PDF.
    Invoices {
        #[arg(long)]
        month: YearMonth,
        /// One invoice's 明細 (its 告知番号).
        #[arg(long)]
        invoice: Option<i64>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// csv | pdf
        #[arg(long, default_value = "csv")]
        format: String,
        #[arg(long, default_value = "健康保険組合")]
        insurer_name: String,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Book a bank statement (入金明細 CSV: 入金日,振込依頼人コード,振込依頼人名,金額), all or nothing.
    Payments {
        file: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Every payer's account: billed, received, outstanding, arrears, credit (入金消込).
    Statements {
        #[arg(long)]
        payer: Option<String>,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the line-by-line 消込 of one payer.
        #[arg(long)]
        explain: bool,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 任意継続 not paid by the due day lose their status the next day (38条3号).
    NonPayment {
        #[arg(long)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

pub async fn run(what: PremiumWhat, location: &Location, json: bool) -> Result<()> {
    let store = location.open().await?;
    let result = inner(what, &store, location, json).await;
    store.close().await;
    result
}

fn name_of(file: &std::path::Path, default: &str) -> String {
    file.file_name().and_then(|n| n.to_str()).unwrap_or(default).to_string()
}

fn format_of(s: &str) -> Result<bool> {
    match s {
        "csv" => Ok(false),
        "pdf" => Ok(true),
        _ => bail!("--format: csv or pdf"),
    }
}

fn insurer(name: &str) -> Result<()> {
    if let Some(p) = kenpo_formats::text::cell_problem(name, 40) {
        bail!("--insurer-name: {p}");
    }
    Ok(())
}

async fn inner(what: PremiumWhat, store: &Store, location: &Location, json: bool) -> Result<()> {
    match what {
        PremiumWhat::Rates { file, access } => {
            let bytes = kenpo_app::files::read_limited(&file, 16 * 1024)?;
            let text = String::from_utf8(bytes).map_err(|_| anyhow!("{}: not UTF-8", name_of(&file, "rates")))?;
            let rates = uc::parse_rates(&text)?;
            store.set_premium_rates(&access.context()?, &rates).await?;
            println!("保険料率を {} から適用として記録しました", rates.effective_from);
            Ok(())
        }
        PremiumWhat::Filing { file, employer, access } => {
            let bytes = kenpo_app::files::read_limited(&file, kenpo_formats::nenkin::MAX_FILE_BYTES as u64)?;
            let s = uc::import_pay_filing_bytes(
                store,
                &access.context()?,
                &name_of(&file, "filing"),
                &bytes,
                employer.as_deref(),
            )
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "決定・改定 {} 件、改定なし {} 件、定時決定の対象外 {} 件、賞与 {} 件",
                    s.determinations, s.not_revised, s.excluded, s.bonuses
                );
                for (line, kind, reasoning) in &s.lines {
                    println!("  {line}行 {kind}: {}", reasoning.last().cloned().unwrap_or_default());
                }
            }
            Ok(())
        }
        PremiumWhat::Leave { person, kind, from, to, access } => {
            let kind = LeaveKind::parse(&kind).ok_or_else(|| anyhow!("--kind: maternity or childcare"))?;
            store.add_leave(&access.context()?, person, Leave { kind, start: from, end: to }).await?;
            println!("{} {from}〜{to} を記録しました", kind.label());
            Ok(())
        }
        PremiumWhat::Notices { month, employer, out, format, insurer_name, access } => {
            let pdf = format_of(&format)?;
            insurer(&insurer_name)?;
            let rows = store.determinations(&access.context()?, employer.as_deref(), month).await?;
            if rows.is_empty() {
                bail!("no 報酬の届書 on file for that selection");
            }
            if pdf {
                let docs = papers::determination_notices(&rows, &insurer_name, today());
                let bytes = render::pdf::tables_pdf("標準報酬決定通知書", &docs).map_err(|e| anyhow!(e))?;
                kenpo_app::files::write_private(&out, &bytes)?;
                println!("決定通知書 {} 事業所分を {} に書きました", docs.len(), out.display());
            } else {
                kenpo_app::files::write_csv(&out, &papers::determinations_table(&rows), location.csv_encoding)?;
                println!("{} 行を {} に書きました", rows.len(), out.display());
            }
            Ok(())
        }
        PremiumWhat::Month { month, access } => {
            let r = store.run_premium_month(&access.context()?, month).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "{} 保険料: 徴収 {} 名、免除 {} 名、徴収なし {} 名、賞与 {} 件、納入告知 {} 件",
                    r.month, r.charged_people, r.exempt, r.not_charged, r.bonus_charges, r.invoices
                );
                println!(
                    "  合計 {} 円（被保険者負担分 {} 円、事業主負担分 {} 円）",
                    r.total, r.member_total, r.employer_total
                );
            }
            Ok(())
        }
        PremiumWhat::Invoices { month, invoice, out, format, insurer_name, access } => {
            let pdf = format_of(&format)?;
            insurer(&insurer_name)?;
            let ctx = access.context()?;
            let invoices = store.invoices(&ctx, Some(month)).await?;
            let chosen: Vec<_> = invoices.iter().filter(|i| invoice.is_none_or(|n| n == i.id)).cloned().collect();
            if chosen.is_empty() {
                bail!("no 納入告知 for that month or number");
            }
            match (pdf, invoice, &out) {
                (true, _, Some(out)) => {
                    let mut docs = Vec::new();
                    for i in &chosen {
                        let lines = store.invoice_lines(&ctx, i.id).await?;
                        docs.push(papers::invoice_doc(i, &lines, &insurer_name));
                    }
                    let bytes = render::pdf::tables_pdf("保険料納入告知書", &docs).map_err(|e| anyhow!(e))?;
                    kenpo_app::files::write_private(out, &bytes)?;
                    println!("納入告知書 {} 件を {} に書きました", docs.len(), out.display());
                }
                (true, _, None) => bail!("--format pdf needs --out"),
                (false, Some(id), Some(out)) => {
                    let lines = store.invoice_lines(&ctx, id).await?;
                    kenpo_app::files::write_csv(out, &papers::invoice_lines_table(&lines), location.csv_encoding)?;
                    println!("告知 {id} の明細 {} 行を {} に書きました", lines.len(), out.display());
                }
                (false, None, Some(out)) => {
                    kenpo_app::files::write_csv(out, &papers::invoices_table(&chosen), location.csv_encoding)?;
                    println!("納入告知 {} 件を {} に書きました", chosen.len(), out.display());
                }
                (false, _, None) => {
                    if json {
                        println!("{}", serde_json::to_string_pretty(&chosen)?);
                    } else {
                        for i in &chosen {
                            println!(
                                "{} {} {} 納期限 {} {} 名 合計 {} 円",
                                i.id, i.payer, i.payer_name, i.due_on, i.members, i.total
                            );
                        }
                    }
                }
            }
            Ok(())
        }
        PremiumWhat::Payments { file, access } => {
            let bytes = kenpo_app::files::read_limited(&file, kenpo_formats::payments::MAX_FILE_BYTES as u64)?;
            let s = uc::import_payments_bytes(store, &access.context()?, &name_of(&file, "payments"), &bytes).await?;
            println!("入金 {} 件、{} 円を記録しました", s.payments, s.amount);
            Ok(())
        }
        PremiumWhat::Statements { payer, on, out, explain, access } => {
            let on = on.unwrap_or_else(today);
            let rows = store.statements(&access.context()?, payer.as_deref()).await?;
            if let Some(out) = out {
                kenpo_app::files::write_csv(&out, &papers::statements_table(&rows, on), location.csv_encoding)?;
                println!("{} 納付者を {} に書きました", rows.len(), out.display());
            } else if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for s in &rows {
                    let arrears: Vec<String> = s.statement.arrears(on).iter().map(|a| a.month.to_string()).collect();
                    println!(
                        "{} 告知 {} 円 入金 {} 円 未納 {} 円 過納 {} 円{}",
                        s.payer,
                        s.statement.billed,
                        s.statement.received,
                        s.statement.outstanding(),
                        s.statement.credit,
                        if arrears.is_empty() { String::new() } else { format!(" 滞納 {}", arrears.join(" ")) }
                    );
                    if explain {
                        for line in &s.reasoning {
                            println!("    {line}");
                        }
                    }
                }
            }
            Ok(())
        }
        PremiumWhat::NonPayment { on, access } => {
            let s = uc::voluntary_non_payment(store, &access.context()?, on.unwrap_or_else(today)).await?;
            println!(
                "任意継続 保険料未納による資格喪失 {} 件（被扶養者の連動喪失 {} 件）",
                s.events.saturating_sub(s.dependants_lost_with_member),
                s.dependants_lost_with_member
            );
            Ok(())
        }
    }
}
