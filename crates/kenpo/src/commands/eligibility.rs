//! `kenpo eligibility …`: the record of who is covered — filings from employers, staff entries,
//! corrections, "as of a day", a person's history, the 被扶養者 rule, 検認, the オンライン資格確認
//! outbox, 資格確認書 PDF and receipts after a loss.

use crate::config::Location;
use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use kenpo_app::eligibility::{self as uc, StaffEntry};
use kenpo_app::render;
use kenpo_domain::YearMonth;
use kenpo_domain::dependant::{self, Evidence, Kinship, Residence};
use kenpo_store::{EventSummary, OutboxMark, Store};
use std::path::PathBuf;

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[derive(Subcommand)]
pub enum EligibilityWhat {
    /// An employer's 資格取得届 / 資格喪失届 / 被扶養者（異動）届 file (日本年金機構 CSV, SHFD0006 or
    /// KPFD0006): every line becomes an event, all or nothing.
    Filing {
        file: PathBuf,
        /// The day the society received it (the 5-day オンライン資格確認 clock starts here).
        #[arg(long)]
        received: Option<NaiveDate>,
        /// The society's 事業所番号 (needed for an SHFD file, which carries the 年金機構's).
        #[arg(long)]
        employer: Option<String>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 資格喪失 (or 被扶養者 削除) of one person, entered by staff.
    Lose {
        #[arg(long)]
        person: i64,
        /// retirement | death | age75 | disability | agreement | covered_elsewhere | non_payment |
        /// own_request | two_years | no_longer_dependant
        #[arg(long)]
        reason: String,
        /// The event's day (退職日, 死亡日, the due date not paid, the day the 申出 was received…).
        #[arg(long)]
        day: NaiveDate,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 任意継続: the 申出 of a member who left by 退職 (refused after day 20).
    Voluntary {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        applied: NaiveDate,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 氏名変更.
    Name {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        on: NaiveDate,
        #[arg(long)]
        kanji: String,
        #[arg(long)]
        kana: String,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 住所変更.
    Address {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        on: NaiveDate,
        #[arg(long)]
        postal_code: String,
        #[arg(long)]
        address: String,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// 転勤: the member moves to another 事業所 of the society from a day (dependants follow).
    Employer {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        on: NaiveDate,
        #[arg(long)]
        employer: String,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Card reissue: a new 記号・番号・枝番 from a day.
    Card {
        #[arg(long)]
        person: i64,
        #[arg(long)]
        on: NaiveDate,
        #[arg(long)]
        symbol: String,
        #[arg(long)]
        number: String,
        #[arg(long, default_value_t = 0)]
        branch: u8,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// The daily batch: 任意継続 ended by its two years, 75歳到達 losses of everyone still covered (dependants with
    /// them) and the 高齢受給者 starts of the day's month, as events registered for オンライン資格確認.
    Age {
        #[arg(long)]
        day: Option<NaiveDate>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Reverse an earlier event (a new event names it; nothing is deleted).
    Correct {
        #[arg(long)]
        event: i64,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Who was covered on a day, with which card, under which member.
    AsOf {
        #[arg(long)]
        day: NaiveDate,
        #[arg(long, num_args = 1.., required = true)]
        person: Vec<i64>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// One person's events, periods and cards.
    History {
        #[arg(long)]
        person: i64,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// The 被扶養者 recognition rule on given evidence (nothing is stored): the outcome and why.
    Recognise {
        /// spouse | common_law_spouse | child | grandchild | ascendant | sibling | other_relative |
        /// common_law_relative | unrelated
        #[arg(long)]
        kinship: String,
        #[arg(long)]
        birth: NaiveDate,
        #[arg(long)]
        day: NaiveDate,
        #[arg(long)]
        apart: bool,
        #[arg(long)]
        income: Option<i64>,
        #[arg(long)]
        member_income: Option<i64>,
        #[arg(long)]
        support: Option<i64>,
        #[arg(long)]
        disabled: bool,
        /// japan | excluded_visa | student | accompanying | temporary | formed_abroad | japan_based | abroad
        #[arg(long, default_value = "japan")]
        residence: String,
        #[arg(long)]
        exception_documents: bool,
    },
    /// 検認: the year's list of dependants (CSV per employer), answers in, removals out.
    Kenin {
        #[command(subcommand)]
        what: KeninWhat,
    },
    /// The オンライン資格確認 registration outbox.
    Outbox {
        #[command(subcommand)]
        what: OutboxWhat,
    },
    /// 資格確認書 / 資格情報のお知らせ issued since a day (or to one person), as PDF.
    Certificates {
        #[arg(long)]
        since: Option<NaiveDate>,
        #[arg(long)]
        person: Option<i64>,
        /// a4 | card
        #[arg(long, default_value = "a4")]
        paper: String,
        /// 保険者名称 printed on the paper.
        #[arg(long, default_value = "Kenpo健康保険組合")]
        insurer_name: String,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Receipts for days without coverage (レセプト振替 / 返還請求), with what the society paid.
    AfterLoss {
        #[arg(long)]
        from: YearMonth,
        #[arg(long)]
        to: YearMonth,
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

#[derive(Subcommand)]
pub enum KeninWhat {
    /// List the dependants covered on a day for the year's 検認 (CSV to send to employers).
    List {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        as_of: NaiveDate,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Take the answers back (the list's CSV with the answer columns filled), run the rule.
    Answers {
        file: PathBuf,
        #[arg(long)]
        year: i32,
        #[arg(long)]
        as_of: NaiveDate,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Remove (as events) the dependants the year's 検認 refused, from a day.
    Remove {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        as_of: NaiveDate,
        #[arg(long)]
        day: NaiveDate,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

#[derive(Subcommand)]
pub enum OutboxWhat {
    /// The outbox (all, or one status), overdue rows marked.
    List {
        /// pending | sent | error | resend
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        overdue: bool,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Write the registration file of everything pending or queued again, and mark it sent.
    Export {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Mark rows the 中間サーバー refused (with its code), or queue errors again.
    Mark {
        #[arg(long, num_args = 1.., required = true)]
        id: Vec<i64>,
        /// error | resend
        #[arg(long)]
        to: String,
        #[arg(long)]
        code: Option<String>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

pub async fn run(what: EligibilityWhat, location: &Location, json: bool) -> Result<()> {
    let store = location.open().await?;
    let result = inner(what, &store, location, json).await;
    store.close().await;
    result
}

fn summary(s: &EventSummary, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!(
            "事象 {} 件を記録しました（取得 {}・喪失 {}（被扶養者の連動喪失 {}）・任意継続 {}・変更 {}・訂正 {}）",
            s.events, s.acquired, s.lost, s.dependants_lost_with_member, s.voluntary, s.changes, s.corrections
        );
        println!(
            "  オンライン資格確認 登録待ち {} 件、資格確認書・お知らせ {} 件、個人番号 {} 件（金庫へ）",
            s.outbox, s.certificates, s.my_numbers
        );
    }
    Ok(())
}

/// A staff entry, parsed and applied by the app as the screens and the API do.
async fn staff_entry(store: &Store, access: &crate::commands::Access, e: StaffEntry, json: bool) -> Result<()> {
    let s = uc::apply_staff_entry(store, &access.context()?, &e, today()).await?;
    summary(&s, json)
}

fn kinship(s: &str) -> Result<Kinship> {
    uc::kinship(s).ok_or_else(|| anyhow!("--kinship: not one of the listed values"))
}

fn residence(s: &str) -> Result<Residence> {
    uc::residence(s).ok_or_else(|| anyhow!("--residence: not one of the listed values"))
}

async fn inner(what: EligibilityWhat, store: &Store, location: &Location, json: bool) -> Result<()> {
    match what {
        EligibilityWhat::Filing { file, received, employer, access } => {
            let bytes = kenpo_app::files::read_limited(&file, kenpo_formats::nenkin::MAX_FILE_BYTES as u64)?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("filing").to_string();
            let s = uc::import_filing_bytes(
                store,
                &access.context()?,
                &name,
                &bytes,
                employer.as_deref(),
                received.unwrap_or_else(today),
            )
            .await?;
            summary(&s, json)
        }
        EligibilityWhat::Lose { person, reason, day, access } => {
            let e =
                StaffEntry { kind: "lose".into(), person, day: Some(day), reason: Some(reason), ..Default::default() };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::Voluntary { person, applied, access } => {
            let e = StaffEntry { kind: "voluntary".into(), person, day: Some(applied), ..Default::default() };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::Name { person, on, kanji, kana, access } => {
            let e = StaffEntry {
                kind: "name".into(),
                person,
                day: Some(on),
                kanji: Some(kanji),
                kana: Some(kana),
                ..Default::default()
            };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::Address { person, on, postal_code, address, access } => {
            let e = StaffEntry {
                kind: "address".into(),
                person,
                day: Some(on),
                postal_code: Some(postal_code),
                address: Some(address),
                ..Default::default()
            };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::Employer { person, on, employer, access } => {
            let e = StaffEntry {
                kind: "employer".into(),
                person,
                day: Some(on),
                employer: Some(employer),
                ..Default::default()
            };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::Card { person, on, symbol, number, branch, access } => {
            let e = StaffEntry {
                kind: "card".into(),
                person,
                day: Some(on),
                symbol: Some(symbol),
                number: Some(number),
                branch: Some(branch),
                ..Default::default()
            };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::Age { day, access } => {
            let s = uc::age_batch(store, &access.context()?, day.unwrap_or_else(today)).await?;
            summary(&s, json)
        }
        EligibilityWhat::Correct { event, access } => {
            let e = StaffEntry { kind: "correct".into(), person: 0, event: Some(event), ..Default::default() };
            staff_entry(store, &access, e, json).await
        }
        EligibilityWhat::AsOf { day, person, access } => {
            let rows = store.coverage_as_of(&access.context()?, day, &person).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    let card = r.card.map(|c| format!("{}・{}（{:02}）", c.1, c.2, c.3)).unwrap_or_else(|| "—".into());
                    let under = r
                        .insured_id
                        .map(|m| format!(" 被保険者 {m}（{}）", r.relationship.unwrap_or_default()))
                        .unwrap_or_default();
                    println!(
                        "{} {}: {} {} 証 {card}{under}",
                        r.person_id,
                        day,
                        if r.covered { "資格あり" } else { "資格なし" },
                        r.kind,
                    );
                }
            }
            Ok(())
        }
        EligibilityWhat::History { person, access } => {
            let h = store.person_history(&access.context()?, person).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&h)?);
            } else {
                println!("加入者 {person}");
                for p in &h.periods {
                    println!(
                        "  資格 {} 〜 {}（{}）{} {}",
                        p.0,
                        p.1.clone().unwrap_or_default(),
                        p.2.clone().unwrap_or_default(),
                        p.3,
                        p.4.clone().unwrap_or_default()
                    );
                }
                for c in &h.cards {
                    println!("  証 {}・{}（{:02}） {} 〜 {}", c.0, c.1, c.2, c.3, c.4.clone().unwrap_or_default());
                }
                for (code, until) in &h.employers {
                    println!("  旧事業所 {} （{until} から変更）", code.clone().unwrap_or_default());
                }
                for e in &h.events {
                    let corrected = e.corrected_by.map(|c| format!(" → 訂正 {c}")).unwrap_or_default();
                    println!(
                        "  事象 {} {} {} 受付 {} {}{corrected}",
                        e.id, e.kind, e.effective_on, e.received_on, e.actor
                    );
                    for line in &e.reasoning {
                        println!("      {line}");
                    }
                }
            }
            Ok(())
        }
        EligibilityWhat::Recognise {
            kinship: k,
            birth,
            day,
            apart,
            income,
            member_income,
            support,
            disabled,
            residence: r,
            exception_documents,
        } => {
            let ruled = dependant::recognise(&Evidence {
                kinship: kinship(&k)?,
                birth_date: birth,
                cohabiting: !apart,
                expected_income: income,
                disabled,
                member_income,
                support_sent: support,
                residence: residence(&r)?,
                exception_documents,
                recognition_day: day,
            });
            if json {
                println!("{}", serde_json::to_string_pretty(&ruled)?);
            } else {
                println!("{}", ruled.outcome.label());
                for line in &ruled.reasoning {
                    println!("  {line}");
                }
            }
            Ok(())
        }
        EligibilityWhat::Kenin { what } => kenin(what, store, location, json).await,
        EligibilityWhat::Outbox { what } => outbox(what, store, location, json).await,
        EligibilityWhat::Certificates { since, person, paper, insurer_name, out, access } => {
            let paper = render::pdf::Paper::parse(&paper).ok_or_else(|| anyhow!("--paper: a4 or card"))?;
            if let Some(p) = kenpo_formats::text::cell_problem(&insurer_name, 40) {
                bail!("--insurer-name: {p}");
            }
            let rows = store.certificates(&access.context()?, since, person).await?;
            if rows.is_empty() {
                bail!("no 資格確認書 or お知らせ issued for that selection");
            }
            let pdf = render::pdf::certificates_pdf(&rows, &insurer_name, paper).map_err(|e| anyhow!(e))?;
            kenpo_app::files::write_private(&out, &pdf)?;
            if json {
                println!("{}", serde_json::json!({ "pages": rows.len(), "file": out }));
            } else {
                let certificates = rows.iter().filter(|r| r.kind == "certificate").count();
                println!(
                    "資格確認書 {} 枚・資格情報のお知らせ {} 枚を {} に書きました",
                    certificates,
                    rows.len() - certificates,
                    out.display()
                );
            }
            Ok(())
        }
        EligibilityWhat::AfterLoss { from, to, out, access } => {
            let rows = store.receipts_after_loss(&access.context()?, from, to).await?;
            if let Some(out) = &out {
                kenpo_app::files::write_csv(out, &render::receipts_after_loss_table(&rows), location.csv_encoding)?;
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let total: i64 =
                    rows.iter().try_fold(0i64, |a, r| a.checked_add(r.society_paid)).context("total beyond i64")?;
                println!("資格のない診療日のあるレセプト {} 件、組合負担額 計 {} 円", rows.len(), total);
            }
            Ok(())
        }
    }
}

async fn kenin(what: KeninWhat, store: &Store, location: &Location, json: bool) -> Result<()> {
    match what {
        KeninWhat::List { year, as_of, out, access } => {
            let rows = store.dependant_checks(&access.context()?, year, as_of).await?;
            kenpo_app::files::write_csv(&out, &render::kenin_table(&rows), location.csv_encoding)?;
            if json {
                println!("{}", serde_json::json!({ "listed": rows.len(), "file": out }));
            } else {
                println!("{year}年 検認対象の被扶養者 {} 人を {} に書きました", rows.len(), out.display());
            }
            Ok(())
        }
        KeninWhat::Answers { file, year, as_of, access } => {
            let bytes = kenpo_app::files::read_limited(&file, 64 * 1024 * 1024)?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("answers.csv").to_string();
            let (file_year, answers) = uc::read_kenin_answers(&name, &bytes)?;
            if file_year.is_some_and(|y| y != year) {
                bail!("{name}: column 検認年: the file is the list of another year than --year");
            }
            let results = uc::kenin_answers(store, &access.context()?, &name, year, as_of, &answers).await?;
            let refused = results.iter().filter(|r| r.outcome == "refused").count();
            let documents = results.iter().filter(|r| r.outcome == "documents").count();
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "answers": results.len(), "refused": refused, "documents": documents })
                );
            } else {
                println!(
                    "回答 {} 件: 認定継続 {}・不認定 {}・書類不足 {}",
                    results.len(),
                    results.len() - refused - documents,
                    refused,
                    documents
                );
            }
            Ok(())
        }
        KeninWhat::Remove { year, as_of, day, access } => {
            let s = uc::kenin_remove(store, &access.context()?, year, as_of, day).await?;
            summary(&s, json)
        }
    }
}

async fn outbox(what: OutboxWhat, store: &Store, location: &Location, json: bool) -> Result<()> {
    match what {
        OutboxWhat::List { status, overdue, on, access } => {
            if let Some(s) = &status
                && !matches!(s.as_str(), "pending" | "sent" | "error" | "resend")
            {
                bail!("--status: pending, sent, error or resend");
            }
            let day = on.unwrap_or_else(today);
            let rows = store.outbox(&access.context()?, status.as_deref(), overdue, day).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                let late = rows.iter().filter(|r| r.overdue).count();
                println!("オンライン資格確認 登録 {} 件（{day} 時点で期限超過 {late} 件）", rows.len());
                for r in rows.iter().take(50) {
                    println!(
                        "  {} 加入者 {} {} 期限 {} {}{}",
                        r.id,
                        r.person_id,
                        r.change,
                        r.deadline,
                        kenpo_store::outbox_status_label(&r.status),
                        if r.overdue { " 期限超過" } else { "" }
                    );
                }
            }
            Ok(())
        }
        OutboxWhat::Export { out, access } => {
            let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("registration.csv").to_string();
            let rows = store.outbox_take(&access.context()?, &name, today()).await?;
            kenpo_app::files::write_csv(&out, &render::online_registration_table(&rows), location.csv_encoding)?;
            if json {
                println!("{}", serde_json::json!({ "rows": rows.len(), "file": out }));
            } else {
                println!(
                    "オンライン資格確認 登録 {} 件を {} に書き、送信済にしました（様式は未検証: README 参照）",
                    rows.len(),
                    out.display()
                );
            }
            Ok(())
        }
        OutboxWhat::Mark { id, to, code, access } => {
            let mark = match to.as_str() {
                "error" => OutboxMark::Error,
                "resend" => OutboxMark::Resend,
                _ => bail!("--to: error or resend"),
            };
            let n = store.outbox_mark(&access.context()?, &id, mark, code.as_deref()).await?;
            println!("{n} 件を {} にしました", kenpo_store::outbox_status_label(&to));
            Ok(())
        }
    }
}
