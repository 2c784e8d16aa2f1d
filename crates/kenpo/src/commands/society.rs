//! The synthetic society and the imports with progress bars on the terminal, and the demo
//! (README's first command) that strings them together.

use crate::config::{Location, redact};
use crate::output;
use anyhow::{Context, Result, bail};
use kenpo_store::{AccessContext, Actor, PurposeId};
use std::path::{Path, PathBuf};

pub(crate) use kenpo_app::imports::{uke_files, zip_files};

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
pub async fn demo(location: &Location, members: u64, seed: u64, json: bool) -> Result<()> {
    let db_file = location.data_dir.join("kenpo.db");
    if location.database_url.starts_with("sqlite:") && db_file.exists() {
        bail!(
            "{} already holds a store; the demo wants a fresh folder (remove it, or pass --data-dir)",
            location.data_dir.display()
        );
    }
    location.init().await?;
    let out = location.data_dir.join("synthetic");
    eprintln!("1/9 合成データを生成 (members={members}, seed={seed}) → {}", out.display());
    let generated = generate(members, seed, &out, false)?;
    let store = location.open().await?;
    eprintln!("2/9 加入者名簿を取込 ({})", redact(&location.database_url));
    // The roster carries 個人番号: its import is a 番号法 affair, done by a named 番号事務取扱担当者
    // (the catalogue lets no batch job touch 個人番号).
    let roster_ctx =
        AccessContext::new(Actor::parse("staff:mynumber_officer:demo")?, PurposeId::parse("mynumber.affairs")?);
    let roster = import_roster(&store, &roster_ctx, &out.join("roster.csv")).await?;
    eprintln!("3/9 現金給付申請を取込");
    let benefits_ctx =
        AccessContext::new(Actor::parse("system:demo-benefits-import")?, PurposeId::parse("benefits.payment")?);
    let claims = import_benefits(&store, &benefits_ctx, &out.join("benefits.csv")).await?;
    eprintln!("4/9 レセプトを取込");
    let receipts_ctx =
        AccessContext::new(Actor::parse("system:demo-receipts-import")?, PurposeId::parse("receipts.review")?);
    let (receipts, failures) = import_receipts(&store, &receipts_ctx, &uke_files(&out.join("receipts"))?).await?;
    if !failures.is_empty() {
        bail!("the generated receipts were refused: {}", failures.join("; "));
    }
    eprintln!("5/9 特定健診を取込・レセプト点検（資格・重複・縦覧・突合）");
    let checkups_ctx =
        AccessContext::new(Actor::parse("system:demo-checkups-import")?, PurposeId::parse("health.specific_checkup")?);
    let (checkups, failures) = import_checkups(&store, &checkups_ctx, &zip_files(&out.join("checkups"))?).await?;
    if !failures.is_empty() {
        bail!("the generated checkup archives were refused: {}", failures.join("; "));
    }
    eprintln!("6/9 資格異動を適用（1年分の届書・任意継続・氏名変更）・オンライン資格確認の登録・資格確認書");
    let eligibility = eligibility_year(&store, location, members, seed).await?;
    let review_ctx =
        AccessContext::new(Actor::parse("system:demo-receipt-review")?, PurposeId::parse("receipts.review")?);
    let mut review = Vec::new();
    for month in store.receipt_months(&review_ctx).await? {
        review.push(store.run_review(&review_ctx, month).await?);
    }
    eprintln!("6b/9 標準報酬・保険料（算定基礎届・月額変更届・賞与支払届、各月の保険料と納入告知、入金消込）");
    let premiums = premium_year(&store, location, members, seed).await?;
    eprintln!("7/9 高額療養費・付加給付（年度の各月）");
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
    eprintln!("8/9 特定健診の階層化・対象者抽出・保健指導の委託と結果取込・実施状況報告");
    let kenshin = crate::commands::kenshin::demo_step(
        &store,
        chrono::Datelike::year(&fy.fiscal_start()),
        &location.data_dir,
        seed,
    )
    .await?;
    eprintln!("9/9 集計");
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
    eprintln!(
        "\n資格異動: 届書 {} 件（取得 {}・喪失 {}・被扶養者の連動喪失 {}）、任意継続 {}、氏名変更 {}、75歳到達 {}・高齢受給者の開始 {}（月初の年齢到達バッチ）、オンライン資格確認 登録 {} 件、資格確認書・お知らせ {} 枚（{}）、資格喪失後のレセプト {} 件",
        eligibility.files,
        eligibility.summary.acquired,
        eligibility.summary.lost,
        eligibility.summary.dependants_lost_with_member,
        eligibility.voluntary,
        eligibility.names,
        eligibility.age75,
        eligibility.elderly,
        eligibility.registered,
        eligibility.certificates,
        eligibility.pdf.display(),
        eligibility.after_loss,
    );
    eprintln!(
        "\n標準報酬・保険料: 算定基礎届 {} 行（決定 {}・対象外 {}）、月額変更届 {} 行（改定 {}・改定なし {}）、賞与 {} 件、納入告知 {} 件（{} か月）、告知額 {} 円・入金 {} 円・未納 {} 円・過納 {} 円、任意継続の未納喪失 {} 件（{}、{}）",
        premiums.annual_lines,
        premiums.annual_decided,
        premiums.annual_excluded,
        premiums.interim_lines,
        premiums.interim_revised,
        premiums.interim_lines - premiums.interim_revised,
        premiums.bonuses,
        premiums.invoices,
        premiums.months,
        premiums.billed,
        premiums.received,
        premiums.outstanding,
        premiums.credit,
        premiums.non_payment,
        premiums.notices.display(),
        premiums.invoices_pdf.display(),
    );
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

/// What the demo's year of eligibility changes did.
struct EligibilityYear {
    files: usize,
    summary: kenpo_store::EventSummary,
    voluntary: u64,
    names: u64,
    age75: u64,
    elderly: u64,
    registered: usize,
    certificates: usize,
    pdf: std::path::PathBuf,
    after_loss: usize,
}

/// Applies the synthetic year of filings (written to `synthetic/filings/` first, then read back
/// through the real reader), the counter entries, registers the changes for オンライン資格確認
/// and prints the year's 資格確認書.
async fn eligibility_year(
    store: &kenpo_store::Store,
    location: &Location,
    members: u64,
    seed: u64,
) -> Result<EligibilityYear> {
    let society = kenpo_synth::Society::new(kenpo_synth::SocietyConfig::new(members, seed));
    let year = kenpo_synth::year_of_events(&society)?;
    let dir = location.data_dir.join("synthetic").join("filings");
    kenpo_app::files::private_dir(&dir)?;
    // Filings carry 個人番号: receiving them is a 番号法 affair of the 番号事務取扱担当者 (as the
    // roster is); the counter entries below carry none and are 適用 staff's.
    let filing_ctx =
        AccessContext::new(Actor::parse("staff:mynumber_officer:demo")?, PurposeId::parse("mynumber.affairs")?);
    let ctx = AccessContext::new(Actor::parse("staff:eligibility:demo")?, PurposeId::parse("eligibility.management")?);
    let mut total = kenpo_store::EventSummary::default();
    for f in &year.filings {
        let path = dir.join(&f.file_name);
        kenpo_app::files::write_private(&path, &f.bytes)?;
        let bytes = kenpo_app::files::read_limited(&path, kenpo_formats::nenkin::MAX_FILE_BYTES as u64)?;
        let s =
            kenpo_app::eligibility::import_filing_bytes(store, &filing_ctx, &f.file_name, &bytes, None, f.received_on)
                .await?;
        total.events += s.events;
        total.acquired += s.acquired;
        total.lost += s.lost;
        total.dependants_lost_with_member += s.dependants_lost_with_member;
        total.outbox += s.outbox;
        total.certificates += s.certificates;
    }
    let (mut voluntary, mut names) = (0, 0);
    for entry in &year.entries {
        let (what, day, change) = match entry {
            kenpo_synth::SynthEntry::Voluntary { employer, number, applied_on } => (
                "任意継続",
                *applied_on,
                kenpo_store::Change::Voluntary {
                    who: kenpo_store::PersonRef::EmployerNumber { employer: employer.clone(), number: number.clone() },
                    applied_on: *applied_on,
                },
            ),
            kenpo_synth::SynthEntry::Name { employer, number, on, kanji, kana } => (
                "氏名変更",
                *on,
                kenpo_store::Change::Name {
                    who: kenpo_store::PersonRef::EmployerNumber { employer: employer.clone(), number: number.clone() },
                    on: *on,
                    kanji: kanji.clone(),
                    kana: kana.clone(),
                },
            ),
        };
        let event = kenpo_store::NewEvent { line: 1, received_on: day, change };
        kenpo_app::eligibility::apply_entry(store, &ctx, what, event).await?;
        if what == "任意継続" {
            voluntary += 1;
        } else {
            names += 1;
        }
    }
    // The age batch on the first of each month: 75歳到達 and 高齢受給者 starts.
    let batch = AccessContext::new(Actor::parse("system:demo-age-batch")?, PurposeId::parse("eligibility.management")?);
    let config = kenpo_synth::SocietyConfig::new(members, seed);
    let mut month = kenpo_domain::YearMonth::of(config.fiscal_start());
    let (mut age75, mut elderly) = (0, 0);
    while month <= kenpo_domain::YearMonth::of(config.as_of) {
        let s = kenpo_app::eligibility::age_batch(store, &batch, month.first_day()).await?;
        age75 += s.lost;
        elderly += s.changes;
        month = month.next();
    }
    // Registration with オンライン資格確認 (the file layout is unverified: README).
    let online = AccessContext::new(Actor::parse("staff:eligibility:demo")?, PurposeId::parse("online.register")?);
    let rows = store.outbox_take(&online, "online-registration.csv", chrono::Local::now().date_naive()).await?;
    kenpo_app::files::write_csv(
        &location.data_dir.join("online-registration.csv"),
        &kenpo_app::render::online_registration_table(&rows),
        location.csv_encoding,
    )?;
    let certificates = store.certificates(&ctx, Some(config.fiscal_start()), None).await?;
    let pdf = location.data_dir.join("certificates.pdf");
    if !certificates.is_empty() {
        let bytes = kenpo_app::render::pdf::certificates_pdf(
            &certificates,
            "Kenpo健康保険組合",
            kenpo_app::render::pdf::Paper::A4,
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        kenpo_app::files::write_private(&pdf, &bytes)?;
    }
    let review = AccessContext::new(Actor::parse("staff:receipt_review:demo")?, PurposeId::parse("receipts.review")?);
    let after_loss = store
        .receipts_after_loss(
            &review,
            kenpo_domain::YearMonth::of(config.fiscal_start()),
            kenpo_domain::YearMonth::of(config.as_of),
        )
        .await?;
    Ok(EligibilityYear {
        files: year.filings.len(),
        summary: total,
        voluntary,
        names,
        age75,
        elderly,
        registered: rows.len(),
        certificates: certificates.len(),
        pdf,
        after_loss: after_loss.len(),
    })
}

/// What the demo's year of 標準報酬 and premiums did.
#[derive(Default)]
struct PremiumYear {
    annual_lines: u64,
    annual_decided: u64,
    annual_excluded: u64,
    interim_lines: u64,
    interim_revised: u64,
    bonuses: u64,
    months: u64,
    invoices: u64,
    billed: i64,
    received: i64,
    outstanding: i64,
    credit: i64,
    non_payment: u64,
    notices: std::path::PathBuf,
    invoices_pdf: std::path::PathBuf,
}

/// The demo's rates: a society at 93/1000 (member 43, employer 50), 調整 1.3/1000, 介護 18/1000,
/// 子ども・子育て支援金 2.3/1000, 任意継続 cap 320,000 (the 2026 協会けんぽ-like figure).
const DEMO_RATES: &str = r#"
effective_from = "2026-04"
voluntary_cap = 320000
care_for_specified = false
basic = { member = "20.0", employer = "23.5" }
specific = { member = "23.0", employer = "26.5" }
adjustment = { member = "0.65", employer = "0.65" }
care = { member = "9.0", employer = "9.0" }
support = { member = "1.15", employer = "1.15" }
"#;

/// A year of premiums: rates, the July 算定基礎届, a March 決算賞与 (賞与支払届; June's and
/// December's bonuses come with the roster), November's
/// 月額変更届 (pay changed in August), every month's premiums and 納入告知, the employers' and
/// 任意継続's payments (one employer short every month, one over; one 任意継続 in 37 not paying
/// September), the non-payment losses, the 決定通知書 and the October 納入告知書 as PDF.
async fn premium_year(store: &kenpo_store::Store, location: &Location, members: u64, seed: u64) -> Result<PremiumYear> {
    use kenpo_domain::YearMonth;
    let staff = AccessContext::new(Actor::parse("staff:eligibility:demo")?, PurposeId::parse("premiums.remuneration")?);
    let collect = AccessContext::new(Actor::parse("staff:eligibility:demo")?, PurposeId::parse("premiums.collection")?);
    let lapse =
        AccessContext::new(Actor::parse("staff:eligibility:demo")?, PurposeId::parse("eligibility.management")?);
    store.set_premium_rates(&staff, &kenpo_app::premiums::parse_rates(DEMO_RATES)?).await?;
    let config = kenpo_synth::SocietyConfig::new(members, seed);
    let dir = location.data_dir.join("synthetic").join("pay");
    kenpo_app::files::private_dir(&dir)?;
    let payees = kenpo_app::premiums::payees;
    let mut year = PremiumYear::default();
    let apply = |files: Vec<kenpo_synth::PayFile>| async {
        let mut sums = Vec::new();
        for f in files {
            let path = dir.join(&f.file_name);
            kenpo_app::files::write_private(&path, &f.bytes)?;
            let bytes = kenpo_app::files::read_limited(&path, kenpo_formats::nenkin::MAX_FILE_BYTES as u64)?;
            sums.push(kenpo_app::premiums::import_pay_filing_bytes(store, &staff, &f.file_name, &bytes, None).await?);
        }
        anyhow::Ok(sums)
    };
    let first = YearMonth::of(config.fiscal_start());
    let last = YearMonth::of(config.as_of);
    let (short_payer, over_payer) = {
        let e = kenpo_synth::employers(&config);
        (e.first().map(|e| e.employer.code.clone()), e.get(1).map(|e| e.employer.code.clone()))
    };
    let mut month = first;
    while month <= last {
        let y = month.year();
        let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).context("day");
        if month.month() == 3 {
            // The roster already holds June's and December's bonuses; the employers file a 決算賞与.
            let paid = day(3, 25)?;
            let list = payees(store.insured_on(&staff, paid).await?);
            for s in apply(kenpo_synth::bonus_files(seed, paid, &list)?).await? {
                year.bonuses += s.bonuses;
            }
        }
        if month.month() == 7 {
            let list = payees(store.insured_on(&staff, day(7, 1)?).await?);
            for s in apply(kenpo_synth::annual_files(seed, y, &list)?).await? {
                year.annual_lines += s.lines.len() as u64;
                year.annual_decided += s.determinations;
                year.annual_excluded += s.excluded;
            }
        }
        if month.month() == 11 {
            // Fixed pay changed in August; the three months to October; revised from November.
            let changed = YearMonth::from_parts(y, 8);
            let list = payees(store.insured_on(&staff, month.first_day()).await?);
            let covered_since: Vec<kenpo_synth::Payee> = {
                let august = store.insured_on(&staff, changed.first_day()).await?;
                let ids: std::collections::HashSet<i64> = august.iter().map(|m| m.person_id).collect();
                list.into_iter().filter(|p| ids.contains(&p.person_id)).collect()
            };
            for s in apply(kenpo_synth::interim_files(seed, changed, &covered_since, 0.02)?).await? {
                year.interim_lines += s.lines.len() as u64;
                year.interim_revised += s.determinations;
            }
        }
        store.run_premium_month(&collect, month).await?;
        year.months += 1;
        // The bank: 任意継続 pay this month's by the 5th (but for one in 37 in September);
        // employers pay last month's on its due day.
        let mut bank = kenpo_domain::Table::new(kenpo_formats::payments::HEADERS);
        for i in store.invoices(&collect, Some(month)).await? {
            if i.payer_kind == "voluntary" {
                let skip = month.month() == 9 && i.id % 37 == 0;
                if !skip {
                    bank.push(vec![
                        day(month.month(), 5)?.to_string(),
                        i.payer.clone(),
                        String::new(),
                        i.total.to_string(),
                    ]);
                }
            }
        }
        if month > first {
            for i in store.invoices(&collect, Some(month.prev())).await? {
                if i.payer_kind == "employer" {
                    let amount = if Some(&i.payer) == short_payer.as_ref() {
                        i.total - 10_000
                    } else if Some(&i.payer) == over_payer.as_ref() {
                        i.total + 5_000
                    } else {
                        i.total
                    };
                    bank.push(vec![i.due_on.clone(), i.payer.clone(), String::new(), amount.to_string()]);
                }
            }
        }
        if !bank.is_empty() {
            let path = dir.join(format!("bank-{month}.csv"));
            kenpo_app::files::write_csv(&path, &bank, kenpo_formats::csv_out::CsvEncoding::Utf8)?;
            let bytes = kenpo_app::files::read_limited(&path, kenpo_formats::payments::MAX_FILE_BYTES as u64)?;
            kenpo_app::premiums::import_payments_bytes(store, &collect, &format!("bank-{month}.csv"), &bytes).await?;
        }
        let lapsed = kenpo_app::premiums::voluntary_non_payment(store, &lapse, day(month.month(), 11)?).await?;
        year.non_payment += lapsed.events.saturating_sub(lapsed.dependants_lost_with_member);
        month = month.next();
    }
    let statements = store.statements(&collect, None).await?;
    for s in &statements {
        year.billed += s.statement.billed;
        year.received += s.statement.received;
        year.outstanding += s.statement.outstanding();
        year.credit += s.statement.credit;
    }
    year.invoices = store.invoices(&collect, None).await?.len() as u64;
    kenpo_app::files::write_csv(
        &location.data_dir.join("premium-statements.csv"),
        &kenpo_app::render::premiums::statements_table(&statements, config.as_of),
        location.csv_encoding,
    )?;
    let determinations = store.determinations(&staff, None, Some(YearMonth::from_parts(first.year(), 9))).await?;
    year.notices = location.data_dir.join("remuneration-notices.pdf");
    let docs = kenpo_app::render::premiums::determination_notices(&determinations, "Kenpo健康保険組合", config.as_of);
    let pdf = kenpo_app::render::pdf::tables_pdf("標準報酬決定通知書", &docs).map_err(|e| anyhow::anyhow!(e))?;
    kenpo_app::files::write_private(&year.notices, &pdf)?;
    let october = YearMonth::from_parts(first.year(), 10);
    let mut docs = Vec::new();
    for i in store.invoices(&collect, Some(october)).await?.iter().filter(|i| i.payer_kind == "employer") {
        let lines = store.invoice_lines(&collect, i.id).await?;
        docs.push(kenpo_app::render::premiums::invoice_doc(i, &lines, "Kenpo健康保険組合"));
    }
    year.invoices_pdf = location.data_dir.join("premium-invoices-2026-10.pdf");
    let pdf = kenpo_app::render::pdf::tables_pdf("保険料納入告知書", &docs).map_err(|e| anyhow::anyhow!(e))?;
    kenpo_app::files::write_private(&year.invoices_pdf, &pdf)?;
    Ok(year)
}
