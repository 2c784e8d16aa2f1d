//! `kenpo kenshin …` (特定健診 after import: 階層化, target lists, hand-off to a guidance
//! contractor, the yearly 実施状況 report) and `kenpo import guidance` (hg08 results back).

use crate::config::Location;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use kenpo_domain::stratify::Level;
use kenpo_formats::csv_out::CsvEncoding;
use kenpo_store::{AccessContext, FollowUp, PurposeId, Store};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum KenshinWhat {
    /// 階層化, メタボ判定 and 受診勧奨 of every checkup of the fiscal year (stored with the
    /// reasoning; a re-run replaces the year's results).
    Assess {
        /// 2008 (the first year of 特定健診) to 2100.
        #[arg(long, value_parser = clap::value_parser!(i32).range(2008..=2100))]
        fiscal_year: i32,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Who needs 積極的支援 / 動機付け支援 and who should see a doctor (受診勧奨), with the
    /// follow-up through receipts: flagged people with no 医科 visit within N months.
    Targets {
        /// 2008 (the first year of 特定健診) to 2100.
        #[arg(long, value_parser = clap::value_parser!(i32).range(2008..=2100))]
        fiscal_year: i32,
        /// Months after the exam month in which a 医科 visit counts as the follow-up (0 to 24).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=24))]
        follow_up_months: u32,
        /// The purpose under which receipts are read for the follow-up (別表2 5.).
        #[arg(long, default_value = "analysis.receipt_targeting")]
        follow_up_purpose: String,
        /// Only this employer's people (事業所記号).
        #[arg(long)]
        employer: Option<String>,
        /// Counts per employer (コラボヘルス): no names, no values; employers with fewer than 5
        /// examined are pooled into one row.
        #[arg(long)]
        by_employer: bool,
        /// Write the list of people as CSV (staff use).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// Hand the year's 特定保健指導 targets not yet handed over to the guidance contractor acting
    /// (`--as contractor:c04 --purpose health.specific_checkup`): CSV, with the 委託 provision record.
    Handoff {
        /// 2008 (the first year of 特定健診) to 2100.
        #[arg(long, value_parser = clap::value_parser!(i32).range(2008..=2100))]
        fiscal_year: i32,
        /// Folder for the hand-off file.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
    /// The yearly 特定健診・特定保健指導 実施状況 by sex and 5-year band: CSV and Japanese HTML.
    Report {
        /// 2008 (the first year of 特定健診) to 2100.
        #[arg(long, value_parser = clap::value_parser!(i32).range(2008..=2100))]
        fiscal_year: i32,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        access: crate::commands::Access,
    },
}

pub async fn kenshin(what: KenshinWhat, location: &Location, json: bool) -> Result<()> {
    let store = location.open().await?;
    let result = kenshin_inner(what, &store, json, location.csv_encoding).await;
    store.close().await;
    result
}

/// The mapping from stored results to the rules' findings (item codes belong to the formats crate).
pub fn findings_of() -> &'static kenpo_store::FindingsOf {
    &kenpo_formats::checkup_xml::findings
}

async fn kenshin_inner(what: KenshinWhat, store: &Store, json: bool, csv_encoding: CsvEncoding) -> Result<()> {
    match what {
        KenshinWhat::Assess { fiscal_year, access } => {
            let s = store.assess_checkups(&access.context()?, fiscal_year, findings_of()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "{}年度 特定健診 {} 件を階層化しました（名簿と照合できなかったもの {} 件）",
                    s.fiscal_year, s.documents, s.unmatched
                );
                println!(
                    "  積極的支援 {} / 動機付け支援 {} / 情報提供 {} / 判定不能 {}",
                    s.intensive, s.motivational, s.information, s.undeterminable
                );
                println!("  メタボ 基準該当 {} / 予備群該当 {}", s.metabolic_meets, s.metabolic_prone);
                println!(
                    "  受診勧奨 {}（うち すぐに受診 {}）",
                    s.referral_recommend + s.referral_urgent,
                    s.referral_urgent
                );
            }
            Ok(())
        }
        KenshinWhat::Targets {
            fiscal_year,
            follow_up_months,
            follow_up_purpose,
            employer,
            by_employer,
            out,
            access,
        } => {
            let ctx = access.context()?;
            let mut rows = store.checkup_targets(&ctx, fiscal_year).await?;
            if rows.is_empty() {
                bail!(
                    "{fiscal_year}年度の階層化結果がありません: 先に `kenpo kenshin assess --fiscal-year {fiscal_year}` を実行してください"
                );
            }
            if let Some(code) = &employer {
                rows.retain(|r| &r.employer_code == code);
            }
            let flagged: Vec<(i64, chrono::NaiveDate)> =
                rows.iter().filter(|r| r.referral.is_some()).map(|r| (r.person_id, r.exam_date)).collect();
            let follow_ctx = AccessContext::new(ctx.actor().clone(), PurposeId::parse(&follow_up_purpose)?);
            let follow: HashMap<i64, FollowUp> = store
                .referral_follow_up(&follow_ctx, &flagged, follow_up_months)
                .await?
                .into_iter()
                .map(|f| (f.person_id, f))
                .collect();
            if let Some(path) = &out {
                crate::files::write_csv(path, &kenpo_app::kenshin::targets_table(&rows, &follow), csv_encoding)?;
            }
            let counts = kenpo_app::kenshin::count(&rows, &follow);
            let (per_employer, employers_not_shown) =
                if by_employer { kenpo_app::kenshin::by_employer_counts(&rows, &follow) } else { (BTreeMap::new(), 0) };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "fiscal_year": fiscal_year,
                        "follow_up_months": follow_up_months,
                        "totals": counts,
                        "by_employer": per_employer,
                        "employers_not_shown": employers_not_shown,
                        "people": rows.iter().map(|r| json!({
                            "person_id": r.person_id,
                            "level": r.level.code(),
                            "metabolic": r.metabolic,
                            "on_medication": r.on_medication,
                            "referral": r.referral,
                            "referral_items": r.referral_items,
                            "visited_months": follow.get(&r.person_id).map(|f| f.visits.iter().map(|m| m.to_string()).collect::<Vec<_>>()),
                            "handed_to": r.handed_to,
                            "reasons": r.reasons,
                        })).collect::<Vec<_>>(),
                    }))?
                );
                return Ok(());
            }
            println!("{fiscal_year}年度 特定健診 対象者一覧（受診者 {}）", counts.examined);
            println!(
                "  特定保健指導: 積極的支援 {} / 動機付け支援 {}（委託済み {}）",
                counts.intensive, counts.motivational, counts.handed
            );
            println!(
                "  情報提供 {}（うち服薬中 {}）/ 判定不能 {}",
                counts.information, counts.medicated, counts.undeterminable
            );
            println!(
                "  受診勧奨 {}（うち すぐに受診 {}）: 健診月から{}か月以内に医科受診なし {}（うち すぐに受診 {}）",
                counts.referral, counts.urgent, follow_up_months, counts.no_visit, counts.urgent_no_visit
            );
            println!("  受診状況はレセプトから利用目的 {follow_up_purpose} で確認した");
            if by_employer {
                println!("\n事業所別（コラボヘルス用: 人数のみ）");
                println!("  事業所\t受診者\t積極的\t動機付け\tメタボ該当\t受診勧奨\t未受診");
                for (code, c) in &per_employer {
                    println!(
                        "  {code}\t{}\t{}\t{}\t{}\t{}\t{}",
                        c.examined, c.intensive, c.motivational, c.metabolic, c.referral, c.no_visit
                    );
                }
                if employers_not_shown > 0 {
                    println!("  （受診者が少なく人が特定されうるため表示しない事業所 {employers_not_shown} か所）");
                }
            }
            if let Some(path) = &out {
                println!("\n一覧（{} 人）→ {}", rows.len(), path.display());
            }
            Ok(())
        }
        KenshinWhat::Handoff { fiscal_year, out, access } => {
            let ctx = access.context()?;
            let kenpo_store::Actor::Contractor { id: contractor } = ctx.actor() else {
                bail!("the hand-off is taken by the guidance contractor: --as contractor:ID (e.g. contractor:c04)")
            };
            let catalogue = kenpo_policy::catalogue::Catalogue::default_catalogue()?;
            let Some(c) = catalogue.contractor(contractor) else {
                bail!("no contractor {contractor} in the 業務委託先一覧")
            };
            let file_name = format!("guidance-handoff-{fiscal_year}-{contractor}.csv");
            crate::files::private_dir(&out)?;
            let h = store.guidance_handoff(&ctx, fiscal_year, &c.name, &file_name, findings_of()).await?;
            let path = out.join(&h.file_name);
            crate::files::write_csv(&path, &kenpo_app::render::handoff_table(&h), csv_encoding)?;
            if json {
                println!(
                    "{}",
                    json!({"file": path, "people": h.people, "intensive": h.intensive, "motivational": h.motivational, "provision_id": h.provision_id})
                );
            } else {
                println!(
                    "{} に特定保健指導 {} 人（積極的支援 {} / 動機付け支援 {}）を委託 → {}（提供記録 #{}）",
                    c.name,
                    h.people,
                    h.intensive,
                    h.motivational,
                    path.display(),
                    h.provision_id
                );
            }
            Ok(())
        }
        KenshinWhat::Report { fiscal_year, out, access } => {
            let rows = store.state_report(&access.context()?, fiscal_year).await?;
            crate::files::private_dir(&out)?;
            let csv_path = out.join(format!("jisshi-jokyo-{fiscal_year}.csv"));
            let html_path = out.join(format!("jisshi-jokyo-{fiscal_year}.html"));
            crate::files::write_csv(&csv_path, &kenpo_app::kenshin::report_table(&rows), csv_encoding)?;
            crate::files::write_private(&html_path, kenpo_app::kenshin::report_html(fiscal_year, &rows).as_bytes())?;
            let total = kenpo_app::kenshin::total_row(&rows);
            if json {
                println!("{}", json!({"csv": csv_path, "html": html_path, "rows": rows, "total": total}));
            } else {
                println!(
                    "{fiscal_year}年度 実施状況: 対象者 {} / 受診者 {}（実施率 {}%）/ 特定保健指導 対象者 {} 終了者 {}（実施率 {}%）",
                    total.subjects,
                    total.examined,
                    kenpo_app::kenshin::percent(total.examined, total.subjects),
                    total.intensive_targets + total.motivational_targets,
                    total.intensive_completed + total.motivational_completed,
                    kenpo_app::kenshin::percent(
                        total.intensive_completed + total.motivational_completed,
                        total.intensive_targets + total.motivational_targets
                    )
                );
                println!("  → {} / {}", csv_path.display(), html_path.display());
            }
            Ok(())
        }
    }
}

/// Imports 特定保健指導 result archives (hg08) from a guidance contractor, each all or nothing.
pub async fn import_guidance(
    store: &Store,
    ctx: &AccessContext,
    contractor: &str,
    archives: &[PathBuf],
) -> Result<(kenpo_store::GuidanceImportSummary, Vec<String>)> {
    let catalogue = kenpo_policy::catalogue::Catalogue::default_catalogue()?;
    let Some(c) = catalogue.contractor(contractor) else {
        bail!("no contractor {contractor} in the 業務委託先一覧")
    };
    let mut total = kenpo_store::GuidanceImportSummary::default();
    let mut failures = Vec::new();
    for path in archives {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("reading {name}"))?;
        let sha = kenpo_app::imports::sha256_hex(&bytes);
        let reports = match kenpo_formats::checkup_xml::read_guidance_archive(std::io::Cursor::new(bytes), &name) {
            Ok((_, reports)) => reports,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        match store.import_guidance(ctx, &name, &sha, &c.name, &reports).await {
            Ok(s) => {
                total.documents += s.documents;
                total.matched += s.matched;
                total.started += s.started;
                total.completed += s.completed;
                total.dropped += s.dropped;
                total.import_id = s.import_id;
            }
            Err(e @ kenpo_store::StoreError::Denied { .. }) => return Err(e.into()),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    Ok((total, failures))
}

/// The people of a hand-off CSV, as the contractor reads them (for the simulated contractor).
pub fn handed_people(bytes: &[u8]) -> Result<Vec<kenpo_synth::HandedPerson>> {
    let mut reader = csv::Reader::from_reader(kenpo_formats::csv_out::strip_bom(bytes));
    let mut out = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.with_context(|| format!("hand-off file, line {}", i + 2))?;
        let get = |n: usize| rec.get(n).unwrap_or_default();
        let date = |n: usize| {
            chrono::NaiveDate::parse_from_str(get(n), "%Y-%m-%d")
                .with_context(|| format!("hand-off file, line {}: column {} is not a date", i + 2, n + 1))
        };
        out.push(kenpo_synth::HandedPerson {
            insurer_number: get(0).to_string(),
            card_symbol: get(1).to_string(),
            card_number: get(2).to_string(),
            card_branch: get(3).parse().ok(),
            name_kana: get(4).to_string(),
            sex: if get(5) == "男" { kenpo_domain::person::Sex::Male } else { kenpo_domain::person::Sex::Female },
            birth_date: date(6)?,
            exam_date: date(8)?,
            level: kenpo_domain::checkup::GuidanceLevel::from_code(get(9))
                .with_context(|| format!("hand-off file, line {}: unknown 保健指導レベル", i + 2))?,
            waist_cm: get(10).parse().ok(),
        });
    }
    Ok(out)
}

/// Where the demo's simulated contractor writes its archive.
pub fn write_guidance_archive(
    dir: &Path,
    header: &kenpo_formats::checkup_xml::ArchiveHeader,
    reports: &[kenpo_domain::checkup::GuidanceReport],
) -> Result<PathBuf> {
    crate::files::private_dir(dir)?;
    let path = dir.join(format!("{}.zip", header.archive_name()));
    let file = std::fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
    kenpo_formats::checkup_xml::write_guidance_archive(file, header, reports)?;
    Ok(path)
}

pub use kenpo_app::kenshin::KenshinDemo;

/// README's main job, 特定健診 part: assess the year, list targets (with the receipt follow-up),
/// hand the guidance targets to contractor c04, let the simulated contractor return hg08 results,
/// import them, and write the 実施状況 report.
pub async fn demo_step(store: &Store, fy: i32, data_dir: &Path, seed: u64) -> Result<KenshinDemo> {
    use kenpo_store::Actor;
    let staff = Actor::parse("staff:health:demo")?;
    let ctx = AccessContext::new(staff.clone(), PurposeId::parse("health.specific_checkup")?);
    let assessment = store.assess_checkups(&ctx, fy, findings_of()).await?;
    let targets = store.checkup_targets(&ctx, fy).await?;
    let flagged: Vec<(i64, chrono::NaiveDate)> =
        targets.iter().filter(|r| r.referral.is_some()).map(|r| (r.person_id, r.exam_date)).collect();
    let follow_ctx = AccessContext::new(staff.clone(), PurposeId::parse("analysis.receipt_targeting")?);
    let follow = store.referral_follow_up(&follow_ctx, &flagged, 3).await?;
    let referral_without_visit = follow.iter().filter(|f| f.visits.is_empty()).count() as u64;

    let contractor_id = "c04";
    let catalogue = kenpo_policy::catalogue::Catalogue::default_catalogue()?;
    let Some(contractor) = catalogue.contractor(contractor_id) else { bail!("no contractor {contractor_id}") };
    let out = data_dir.join("handoff");
    crate::files::private_dir(&out)?;
    let file_name = format!("guidance-handoff-{fy}-{contractor_id}.csv");
    let contractor_ctx = AccessContext::new(
        Actor::Contractor { id: contractor_id.to_string() },
        PurposeId::parse("health.specific_checkup")?,
    );
    // A very small society may have nobody to guide; the hand-off would rightly refuse then.
    let anyone = targets.iter().any(|t| matches!(t.level, Level::Intensive | Level::Motivational));
    let handoff = if anyone {
        store.guidance_handoff(&contractor_ctx, fy, &contractor.name, &file_name, findings_of()).await?
    } else {
        kenpo_store::Handoff {
            file_name: file_name.clone(),
            people: 0,
            intensive: 0,
            motivational: 0,
            rows: Vec::new(),
            provision_id: 0,
        }
    };
    let handoff_path = out.join(&file_name);
    crate::files::write_csv(
        &handoff_path,
        &kenpo_app::render::handoff_table(&handoff),
        kenpo_formats::csv_out::CsvEncoding::Utf8Bom,
    )?;

    // The contractor's side: it reads the file and, months later, sends hg08 results back.
    let handed_bytes = std::fs::read(&handoff_path).with_context(|| format!("reading {}", handoff_path.display()))?;
    let people = if handoff.people == 0 { Vec::new() } else { handed_people(&handed_bytes)? };
    let institution = kenpo_domain::checkup::CheckupInstitution {
        code: "2690000017".into(),
        name: contractor.name.clone(),
        address: String::new(),
    };
    let reports = kenpo_synth::guidance_reports(&people, &institution, seed);
    let mut guidance = kenpo_store::GuidanceImportSummary::default();
    if let Some(insurer) = people.first().map(|p| p.insurer_number.clone()) {
        let last = reports.iter().filter_map(|r| r.evaluated_on).max();
        let header = kenpo_formats::checkup_xml::ArchiveHeader {
            sender_institution: institution.code.clone(),
            receiver_insurer: insurer,
            created_on: last.unwrap_or_else(|| chrono::Local::now().date_naive()),
            sequence: 0,
            service_kind: 2,
        };
        if !reports.is_empty() {
            let path = write_guidance_archive(&data_dir.join("synthetic").join("guidance"), &header, &reports)?;
            let (g, failures) = import_guidance(store, &ctx, contractor_id, &[path]).await?;
            if !failures.is_empty() {
                bail!("the simulated contractor's archive was refused: {}", failures.join("; "));
            }
            guidance = g;
        }
    }

    let report_ctx = AccessContext::new(staff, PurposeId::parse("health.state_report")?);
    let rows = store.state_report(&report_ctx, fy).await?;
    let reports_dir = data_dir.join("reports");
    crate::files::private_dir(&reports_dir)?;
    let report_html_path = reports_dir.join(format!("jisshi-jokyo-{fy}.html"));
    crate::files::write_csv(
        &reports_dir.join(format!("jisshi-jokyo-{fy}.csv")),
        &kenpo_app::kenshin::report_table(&rows),
        kenpo_formats::csv_out::CsvEncoding::Utf8Bom,
    )?;
    crate::files::write_private(&report_html_path, kenpo_app::kenshin::report_html(fy, &rows).as_bytes())?;
    let total = kenpo_app::kenshin::total_row(&rows);
    Ok(KenshinDemo {
        fiscal_year: fy,
        assessment,
        referral_without_visit,
        handed_to: contractor.name.clone(),
        handed: handoff.people,
        guidance,
        subjects: total.subjects,
        examined: total.examined,
        report_html: report_html_path,
    })
}
