//! The synthetic society and the imports with progress bars on the terminal, and the demo
//! (README's first command) that strings them together.

use crate::config::{Location, redact};
use crate::output;
use anyhow::{Result, bail};
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
