//! `kenpo audit …`, `kenpo export`, `kenpo disclose`: the audit log, provision records and the
//! member's disclosure report.

use crate::config::Location;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use kenpo_audit::AuditSigningKey;
use kenpo_policy::catalogue::Catalogue;
use kenpo_store::{AccessContext, Actor, PersonId, PurposeId, Store};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum AuditWhat {
    /// Recompute the hash chain and every checkpoint; name the first bad entry.
    Verify {
        #[arg(long = "as", default_value = "staff:auditor:-")]
        actor: String,
        /// Ed25519 public key (hex) to check checkpoint signatures (default: from the key file).
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Seal the log so far with a signed Merkle checkpoint.
    Checkpoint {
        #[arg(long = "as", default_value = "system:checkpoint")]
        actor: String,
    },
    /// Export an RFC 6962 inclusion proof of one entry (checkable offline with the public key).
    Prove {
        #[arg(long)]
        seq: i64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long = "as", default_value = "staff:auditor:-")]
        actor: String,
    },
    /// Check a proof file offline, with the public key alone (no database).
    CheckProof {
        file: PathBuf,
        #[arg(long)]
        public_key: String,
    },
    /// Print the audit public key (hex) to hand to auditors.
    PublicKey,
    /// What a contractor received and accessed (APPI Art. 25 supervision).
    Contractor {
        id: String,
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        #[arg(long = "as", default_value = "staff:privacy_officer:-")]
        actor: String,
    },
    /// After the retention period: erase what the log says about a member (the chain still verifies).
    EraseMember {
        #[arg(long)]
        id: i64,
        #[arg(long = "as", default_value = "staff:privacy_officer:-")]
        actor: String,
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// Append audited entries as fast as possible, printing `ack SEQ` after each commit (for the
    /// crash test and benchmarks).
    #[command(hide = true)]
    Burst {
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
}

fn operator_ctx(actor: &str) -> Result<AccessContext> {
    // Operating the log is attributed to the actor; the purpose is the society's 管理運営.
    Ok(AccessContext::new(Actor::parse(actor)?, PurposeId::parse("admin.basic_material")?))
}

fn signing_key(location: &Location) -> Result<AuditSigningKey> {
    let path = location.data_dir.join("audit-signing.key");
    AuditSigningKey::read_file(&path)
        .with_context(|| format!("audit signing key {} (run `kenpo init`)", path.display()))
}

fn log_id(key: &AuditSigningKey) -> String {
    format!("kenpo/{}", &key.public_key_hex()[..16])
}

pub async fn audit(what: AuditWhat, location: &Location, json: bool) -> Result<()> {
    match what {
        AuditWhat::CheckProof { file, public_key } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let proof: kenpo_audit::InclusionProof =
                serde_json::from_str(&text).with_context(|| format!("{}: not an inclusion proof", file.display()))?;
            kenpo_audit::check_proof(&proof, &public_key)
                .with_context(|| format!("{}: proof refused", file.display()))?;
            println!(
                "証明を確認しました: 記録 #{} は署名済みチェックポイント (件数 {}, {}) に含まれています",
                proof.index, proof.size, proof.checkpoint.checkpoint.at
            );
            return Ok(());
        }
        AuditWhat::PublicKey => {
            println!("{}", signing_key(location)?.public_key_hex());
            return Ok(());
        }
        _ => {}
    }
    let store = location.open().await?;
    let result = run_with_store(what, location, &store, json).await;
    store.close().await;
    result
}

async fn run_with_store(what: AuditWhat, location: &Location, store: &Store, json: bool) -> Result<()> {
    match what {
        AuditWhat::Verify { actor, public_key } => {
            let key = match public_key {
                Some(hex) => Some(kenpo_audit::parse_public_key_hex(&hex).context("--public-key")?),
                None => signing_key(location).ok().map(|k| k.verifying_key()),
            };
            let report = store.audit_verify(&operator_ctx(&actor)?, key.as_ref()).await?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            }
            match &report.first_bad {
                None => {
                    if !json {
                        println!(
                            "監査ログは改ざんされていません: {} 件, チェックポイント {} 件{}",
                            report.entries,
                            report.checkpoints,
                            if report.signatures_checked {
                                " (署名確認済)"
                            } else {
                                " (署名未確認: 公開鍵なし)"
                            }
                        );
                    }
                    Ok(())
                }
                Some(bad) => bail!("audit log does not verify: first bad entry #{}: {}", bad.seq, bad.problem),
            }
        }
        AuditWhat::Checkpoint { actor } => {
            let key = signing_key(location)?;
            let cp = store.audit_checkpoint(&operator_ctx(&actor)?, &key, &log_id(&key)).await?;
            if json {
                println!("{}", serde_json::to_string(&cp)?);
            } else {
                println!(
                    "チェックポイントに署名しました: 件数 {} root {}",
                    cp.checkpoint.size,
                    hex::encode(cp.checkpoint.root)
                );
            }
            Ok(())
        }
        AuditWhat::Prove { seq, out, actor } => {
            let proof = store.audit_prove(&operator_ctx(&actor)?, seq).await?;
            crate::files::write_private(&out, serde_json::to_string_pretty(&proof)?.as_bytes())
                .with_context(|| format!("writing {}", out.display()))?;
            println!("記録 #{seq} の包含証明を書き出しました: {}", out.display());
            Ok(())
        }
        AuditWhat::Contractor { id, from, to, actor } => {
            let catalogue = Catalogue::default_catalogue()?;
            let Some(contractor) = catalogue.contractor(&id) else { bail!("no contractor {id} in the catalogue") };
            let ctx = AccessContext::new(Actor::parse(&actor)?, PurposeId::parse("appi.supervision")?);
            let report = store.contractor_report(&ctx, &id, &contractor.name, from, to).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
                return Ok(());
            }
            println!("委託先 {} {} の取扱状況 ({from} 〜 {to})", id, contractor.name);
            println!("  受け渡した個人データ (提供記録): {} 件", report.received.len());
            for p in &report.received {
                println!(
                    "    {} 目的 {} 区分 {} 対象 {} 人 ({})",
                    p.at, p.use_id, p.categories, p.subject_count, p.file_name
                );
            }
            println!("  委託先によるアクセス: {} 種類", report.accesses.len());
            for (purpose, cats, outcome, n) in &report.accesses {
                println!("    目的 {purpose} 区分 {cats} {} {n} 回", if outcome == "allow" { "許可" } else { "拒否" });
            }
            Ok(())
        }
        AuditWhat::EraseMember { id, actor, on } => {
            let n = store.audit_erase_member(&operator_ctx(&actor)?, PersonId(id), on).await?;
            println!("加入者 #{id} の監査ログ上の個人情報を消去しました ({n} 件の記録; 連鎖はそのまま検証できます)");
            Ok(())
        }
        AuditWhat::Burst { count } => {
            let ctx = operator_ctx("system:burst")?;
            let reader = AccessContext::new(
                Actor::parse("staff:eligibility:burst")?,
                PurposeId::parse("eligibility.management")?,
            );
            for i in 0..count {
                // Alternate an audited read of a person with an audited write mark.
                if i % 2 == 0 {
                    let _ = store.person(&reader, PersonId((i / 2 % 50) as i64 + 1)).await;
                }
                let seq = store.audit_mark(&ctx, "burst").await?;
                println!("ack {seq}");
            }
            Ok(())
        }
        AuditWhat::CheckProof { .. } | AuditWhat::PublicKey => Ok(()),
    }
}

/// `kenpo export`.
#[allow(clippy::too_many_arguments)]
pub async fn export(
    location: &Location,
    ctx: &AccessContext,
    to: &str,
    categories: &str,
    who: &str,
    out: &Path,
    json: bool,
) -> Result<()> {
    let app = kenpo_app::App::new(location.open().await?)?;
    let file_name = out.display().to_string();
    let exported = app.export(ctx, to, categories, who, &file_name).await;
    app.close().await;
    let exported = exported?;
    let table = kenpo_domain::Table { headers: exported.headers.clone(), rows: exported.rows.clone() };
    crate::files::write_csv(out, &table, location.csv_encoding)?;
    if json {
        println!(
            "{}",
            serde_json::json!({"rows": exported.rows.len(), "provision_id": exported.provision_id, "audit_seq": exported.audit_seq, "basis": exported.basis})
        );
    } else {
        println!(
            "{} 人分を {} に出力し、提供記録 #{} (根拠 {}) と監査記録 #{} を残しました",
            exported.rows.len(),
            out.display(),
            exported.provision_id,
            exported.basis,
            exported.audit_seq
        );
    }
    Ok(())
}

/// `kenpo disclose`: the disclosure report as HTML and JSON.
pub async fn disclose(location: &Location, actor: &str, member: i64, out: &Path) -> Result<()> {
    let catalogue = Catalogue::default_catalogue()?;
    let ctx = AccessContext::new(Actor::parse(actor)?, PurposeId::parse("appi.disclosure")?);
    let store = location.open().await?;
    let label = |a: &str| kenpo_app::names::actor_label(&catalogue, a);
    let report = store.disclosure(&ctx, PersonId(member), &label).await;
    store.close().await;
    let report = report?;
    crate::files::private_dir(out)?;
    crate::files::write_private(&out.join("disclosure.json"), serde_json::to_string_pretty(&report)?.as_bytes())?;
    crate::files::write_private(
        &out.join("disclosure.html"),
        kenpo_app::disclosure_html::render(&report, &catalogue).as_bytes(),
    )?;
    println!("開示報告書を出力しました: {}/disclosure.html, disclosure.json", out.display());
    Ok(())
}
