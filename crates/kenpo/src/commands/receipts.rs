//! `kenpo review …` (レセプト点検) and `kenpo kogaku …` (高額療養費・付加給付).

use crate::config::Location;
use anyhow::{Context, Result};
use clap::Subcommand;
use kenpo_domain::YearMonth;

use kenpo_formats::csv_out::CsvEncoding;
use kenpo_store::Store;

use serde_json::json;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ReviewWhat {
    /// Run every review rule over one 診療年月 (or every month with receipts) and store the findings.
    Run {
        #[arg(long)]
        month: Option<YearMonth>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// List stored findings.
    List {
        #[arg(long)]
        month: Option<YearMonth>,
        #[arg(long)]
        rule: Option<String>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Resolve a finding after checking it (e.g. a duplicate that is two real visits): its
    /// receipts are then paid by the next `kogaku run` of the month.
    Resolve {
        #[arg(long)]
        id: i64,
        /// Why (1–200 characters).
        #[arg(long)]
        note: String,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Write the findings as a CSV for preparing 再審査等請求.
    Export {
        #[arg(long)]
        month: Option<YearMonth>,
        #[arg(long)]
        rule: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

#[derive(Subcommand)]
pub enum KogakuWhat {
    /// Compute and store 高額療養費 and 付加給付 for a 診療年月 (through --to, month by month).
    Run {
        #[arg(long)]
        month: YearMonth,
        #[arg(long)]
        to: Option<YearMonth>,
        /// The society's 付加給付 rules (TOML; see README). Default: Kenpo's documented default.
        #[arg(long)]
        rules: Option<PathBuf>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// The payment list per employer, each amount with its arithmetic (staff).
    List {
        #[arg(long)]
        month: YearMonth,
        #[arg(long)]
        employer: Option<String>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// One CSV per employer for payroll payment (who, which benefit, how much; no care details).
    Payroll {
        #[arg(long)]
        month: YearMonth,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 年間上限: compute and store the yearly cap of the 計算期間 8月 YEAR – 7月 YEAR+1 from the
    /// stored monthly results (every month of it must have been run). A re-run replaces it.
    Yearly {
        /// The year the 計算期間 starts in (2026: 2026-08 – 2027-07).
        #[arg(long, value_parser = clap::value_parser!(i32).range(2000..=2100))]
        year: i32,
        /// Also write the payments as CSV here.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// What a law change did: a 診療年月 computed under its own ceilings and under those in force
    /// on another day, per household, with both arithmetics. Stores nothing.
    Compare {
        #[arg(long)]
        month: YearMonth,
        /// The day whose ceilings to compare with (e.g. 2026-07-31 for the table before 2026-08).
        #[arg(long)]
        rules_as_of: chrono::NaiveDate,
        /// The society's 付加給付 rules (TOML; see README). Default: Kenpo's documented default.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also write the comparison as CSV here.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

pub async fn review(what: ReviewWhat, location: &Location, json: bool) -> Result<()> {
    let store = location.open().await?;
    let result = review_inner(what, &store, json, location.csv_encoding).await;
    store.close().await;
    result
}

async fn review_inner(what: ReviewWhat, store: &Store, json: bool, csv_encoding: CsvEncoding) -> Result<()> {
    match what {
        ReviewWhat::Run { month, access } => {
            let ctx = access.context()?;
            let months = match month {
                Some(m) => vec![m],
                None => store.receipt_months(&ctx).await?,
            };
            let mut out = Vec::new();
            for m in months {
                let s = store.run_review(&ctx, m).await?;
                if !json {
                    let rules: Vec<String> = s
                        .by_rule
                        .iter()
                        .map(|(r, n)| format!("{} {}", kenpo_store::rule_label(r), crate::output::thousands(*n as i64)))
                        .collect();
                    println!(
                        "{} 点検 {} 件: 指摘 {} 件 ({})",
                        s.month,
                        crate::output::thousands(s.receipts as i64),
                        crate::output::thousands(s.findings as i64),
                        rules.join("、")
                    );
                }
                out.push(s);
            }
            if json {
                println!("{}", json!({ "review": out }));
            }
        }
        ReviewWhat::List { month, rule, access } => {
            let rows = store.review_findings(&access.context()?, month, rule.as_deref()).await?;
            if json {
                println!("{}", json!({ "findings": rows }));
            } else {
                let mut out = String::from("番号\t診療年月\tレセプト\t医療機関\t点検区分\t事由\t状態\n");
                for r in &rows {
                    out.push_str(&format!(
                        "#{}\t{}\t{}\t{} {}\t{}\t{}\t{}\n",
                        r.id,
                        r.service_month,
                        r.receipt_id,
                        r.institution_code,
                        r.institution_name,
                        kenpo_store::rule_label(&r.rule),
                        r.detail,
                        match &r.resolution {
                            Some(note) => format!("解決済（{note}）"),
                            None => "未解決".to_string(),
                        }
                    ));
                }
                print!("{}", crate::output::plain(&out));
                println!("{} 件", crate::output::thousands(rows.len() as i64));
            }
        }
        ReviewWhat::Resolve { id, note, access } => {
            let r = store.resolve_finding(&access.context()?, id, &note).await?;
            if json {
                println!("{}", json!({ "finding": r }));
            } else {
                println!(
                    "指摘 #{id}（{}、レセプト {}）を解決済にしました。該当月の高額療養費を再計算してください: kogaku run --month {}",
                    kenpo_store::rule_label(&r.rule),
                    r.receipt_id,
                    r.service_month
                );
            }
        }
        ReviewWhat::Export { month, rule, out, access } => {
            let rows = store.review_findings(&access.context()?, month, rule.as_deref()).await?;
            crate::files::write_csv(&out, &kenpo_app::render::rereview_table(&rows), csv_encoding)?;
            if json {
                println!("{}", json!({ "file": out.display().to_string(), "findings": rows.len() }));
            } else {
                println!("再審査等請求の準備用に {} 件を {} に書き出しました", rows.len(), out.display());
            }
        }
    }
    Ok(())
}

pub async fn kogaku(what: KogakuWhat, location: &Location, json: bool) -> Result<()> {
    let store = location.open().await?;
    let result = kogaku_inner(what, &store, json, location.csv_encoding).await;
    store.close().await;
    result
}

/// Runs months `from..=to` in order (多数回 looks back at the stored runs).
async fn kogaku_inner(what: KogakuWhat, store: &Store, json: bool, csv_encoding: CsvEncoding) -> Result<()> {
    match what {
        KogakuWhat::Run { month, to, rules, access } => {
            let rules = kenpo_app::kogaku::read_rules(rules.as_deref())?;
            let runs =
                kenpo_app::kogaku::run_months(store, &access.context()?, month, to.unwrap_or(month), &rules).await?;
            if json {
                println!("{}", json!({ "runs": runs }));
                return Ok(());
            }
            for s in &runs {
                println!(
                    "{} 高額療養費・付加給付（{}〜の限度額）: レセプト {} 件, 世帯 {} , 支給 {} 件 計 {} 円",
                    s.month,
                    s.ceilings_from,
                    crate::output::thousands(s.receipts as i64),
                    crate::output::thousands(s.households as i64),
                    crate::output::thousands(s.payments as i64),
                    kenpo_domain::kogaku::yen(s.total)
                );
                for (kind, (n, amount)) in &s.by_kind {
                    let label = kenpo_domain::kogaku::PaymentKind::from_code(kind).map_or(kind.as_str(), |k| k.label());
                    println!("  {label}: {n} 件 {} 円", kenpo_domain::kogaku::yen(*amount));
                }
                if !s.months_without_run.is_empty() {
                    println!(
                        "  注意: 直近12か月のうち未計算の月があり、多数回該当を数え漏らすおそれ: {}",
                        s.months_without_run.join(", ")
                    );
                }
                if !s.held_receipts.is_empty() {
                    println!(
                        "  保留: 重複の疑いがあるレセプト {} 件には支給していません（review list --rule duplicate.same_month で確認し、review resolve で解決後に再計算）: {}",
                        s.held_receipts.len(),
                        s.held_receipts.iter().map(|r| format!("#{r}")).collect::<Vec<_>>().join(" ")
                    );
                }
            }
        }
        KogakuWhat::List { month, employer, access } => {
            let rows = store.kogaku_payments(&access.context()?, month, employer.as_deref()).await?;
            if json {
                println!("{}", json!({ "payments": rows }));
                return Ok(());
            }
            let mut current = None;
            for r in &rows {
                if current.as_deref() != Some(r.employer_code.as_str()) {
                    if r.employer_code.is_empty() {
                        println!("■ 任意継続被保険者（事業主を通さず本人の口座へ振込: 口座振込待ち）");
                    } else {
                        println!("■ 事業所 {}", r.employer_code);
                    }
                    current = Some(r.employer_code.clone());
                }
                println!(
                    "  {} {} {}: {} 円",
                    r.member_card,
                    r.member_name,
                    r.kind_label,
                    kenpo_domain::kogaku::yen(r.amount)
                );
                for line in &r.explanation {
                    println!("      {line}");
                }
            }
            println!("{} 件", rows.len());
        }
        KogakuWhat::Yearly { year, out, access } => {
            let summary = store.run_kogaku_yearly(&access.context()?, year).await?;
            if let Some(path) = &out {
                crate::files::write_csv(path, &kenpo_app::render::yearly_table(&summary), csv_encoding)?;
            }
            if json {
                println!("{}", json!({ "yearly": summary }));
                return Ok(());
            }
            println!(
                "高額療養費 年間上限 {}: 対象世帯 {} , 支給 {} 件 計 {} 円",
                summary.period,
                crate::output::thousands(summary.households as i64),
                crate::output::thousands(summary.payments as i64),
                kenpo_domain::kogaku::yen(summary.total)
            );
            for r in &summary.rows {
                println!("  {} {}: {} 円", r.member_card, r.member_name, kenpo_domain::kogaku::yen(r.amount));
                for line in &r.explanation {
                    println!("      {line}");
                }
            }
            if let Some(path) = &out {
                println!("{} に書き出しました", path.display());
            }
        }
        KogakuWhat::Compare { month, rules_as_of, rules, out, access } => {
            let rules = kenpo_app::kogaku::read_rules(rules.as_deref())?;
            let c = store.kogaku_compare(&access.context()?, month, rules_as_of, &rules).await?;
            if let Some(path) = &out {
                crate::files::write_csv(path, &kenpo_app::render::comparison_table(&c), csv_encoding)?;
            }
            if json {
                println!("{}", json!({ "comparison": c }));
                return Ok(());
            }
            println!(
                "{} を当月の規則（{}〜の限度額）と {} の規則（{}〜の限度額）で計算: 世帯 {} のうち支給のある {} 世帯、額が変わる {} 世帯",
                c.month,
                c.own_from,
                c.rules_as_of,
                c.other_from,
                crate::output::thousands(c.households as i64),
                crate::output::thousands(c.rows.len() as i64),
                crate::output::thousands(c.rows.iter().filter(|r| r.changed()).count() as i64)
            );
            let yen = kenpo_domain::kogaku::yen;
            let (mut own, mut other) = (0i64, 0i64);
            for r in &c.rows {
                // Each amount is bounded by a household's charges; the sums are checked all the same.
                let add = |a: i64, b: i64, c: i64| a.checked_add(b).and_then(|x| x.checked_add(c));
                own = add(own, r.statutory_own, r.additions_own).context("a total beyond i64")?;
                other = add(other, r.statutory_other, r.additions_other).context("a total beyond i64")?;
                if !r.changed() {
                    // Same under both: one line, the arithmetic is in `kogaku list` and the CSV.
                    println!(
                        "□ {} {}: 高額療養費 {} 円、付加給付 {} 円（変わらず）",
                        r.member_card,
                        r.member_name,
                        yen(r.statutory_own),
                        yen(r.additions_own)
                    );
                    continue;
                }
                println!(
                    "■ {} {}: 高額療養費 {} 円 → {} 円（差 {} 円）、付加給付 {} 円 → {} 円（差 {} 円）",
                    r.member_card,
                    r.member_name,
                    yen(r.statutory_own),
                    yen(r.statutory_other),
                    signed(r.statutory_other - r.statutory_own),
                    yen(r.additions_own),
                    yen(r.additions_other),
                    signed(r.additions_other - r.additions_own)
                );
                println!("  当月の規則（{}〜）:", c.own_from);
                for line in &r.explanation_own {
                    println!("    {line}");
                }
                println!("  {} の規則（{}〜）:", c.rules_as_of, c.other_from);
                for line in &r.explanation_other {
                    println!("    {line}");
                }
            }
            println!(
                "支給計: 当月の規則 {} 円、比較する規則 {} 円（差 {} 円）",
                yen(own),
                yen(other),
                signed(other - own)
            );
            for (member, why) in &c.not_computed {
                println!("  計算できない世帯 #{member}: {why}");
            }
            if let Some(path) = &out {
                println!("{} に書き出しました", path.display());
            }
        }
        KogakuWhat::Payroll { month, out, access } => {
            let payroll = store.kogaku_payroll(&access.context()?, month).await?;
            let files = &payroll.files;
            let pending = &payroll.transfer_pending;
            crate::files::private_dir(&out)?;
            for f in files {
                crate::files::write_csv(&out.join(&f.file_name), &kenpo_app::render::payroll_table(f), csv_encoding)?;
            }
            if json {
                let list: Vec<_> = files
                    .iter()
                    .map(
                        |f| json!({"employer": f.employer_code, "file": f.file_name, "rows": f.rows, "total": f.total}),
                    )
                    .collect();
                println!("{}", json!({ "files": list, "transfer_pending": pending }));
            } else {
                let total: i64 = files.iter().map(|f| f.total).sum();
                println!(
                    "事業主 {} 社分の支払明細を {} に書き出しました（計 {} 円、提供記録を作成）",
                    files.len(),
                    out.display(),
                    kenpo_domain::kogaku::yen(total)
                );
                if pending.payments > 0 {
                    println!(
                        "口座振込待ち: 任意継続被保険者 {} 人・{} 件 計 {} 円（事業主を通さず本人の口座へ振り込みます。振込データの作成は未対応）",
                        pending.members,
                        pending.payments,
                        kenpo_domain::kogaku::yen(pending.total)
                    );
                }
            }
        }
    }
    Ok(())
}

/// A difference with its sign: "+5,700", "−1,200", "0".
fn signed(v: i64) -> String {
    if v > 0 { format!("+{}", kenpo_domain::kogaku::yen(v)) } else { kenpo_domain::kogaku::yen(v) }
}
