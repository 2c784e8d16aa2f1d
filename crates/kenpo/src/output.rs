//! What the commands print: Japanese for staff, JSON with `--json`. Never a 個人番号.

use crate::config::Location;
use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use kenpo_store::{ImportSummary, PersonView, Stats};
use kenpo_synth::GenerateSummary;
use serde_json::json;
use std::path::Path;
use std::sync::Mutex;

/// Progress bars (hidden when stderr is not a terminal).
pub struct Bars {
    bar: Mutex<Option<(String, ProgressBar)>>,
}

impl Bars {
    pub fn new() -> Self {
        Self { bar: Mutex::new(None) }
    }
    pub fn step(&self, what: &str, done: u64, total: u64) {
        let Ok(mut slot) = self.bar.lock() else { return };
        if slot.as_ref().is_none_or(|(name, _)| name != what) {
            if let Some((_, old)) = slot.take() {
                old.finish_and_clear();
            }
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template("{msg:>14} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(what.to_string());
            *slot = Some((what.to_string(), bar));
        }
        if let Some((_, bar)) = slot.as_ref() {
            bar.set_length(total.max(done));
            bar.set_position(done);
        }
    }
    pub fn finish(&self) {
        if let Some((_, bar)) = self.bar.lock().ok().and_then(|mut s| s.take()) {
            bar.finish_and_clear();
        }
    }
}

pub fn init(location: &Location, created_key: bool, json: bool) {
    if json {
        println!("{}", json!({"data_dir": location.data_dir, "vault_key_created": created_key}));
    } else {
        println!("初期化しました: {}", location.data_dir.display());
        if created_key {
            println!(
                "暗号鍵を作成しました: {} (紛失すると個人番号は復号できません。バックアップしてください)",
                location.key_path().display()
            );
        }
    }
}

pub fn generated(s: &GenerateSummary, out: &Path, json: bool) {
    if json {
        println!("{}", serde_json::to_string(s).unwrap_or_default());
        return;
    }
    println!("合成データを出力しました: {}", out.display());
    println!("  被保険者 {} 人 / 被扶養者 {} 人 / 事業所 {}", n(s.members), n(s.dependants), n(s.employers));
    println!(
        "  レセプト {} 件 ({} ファイル) / 特定健診 {} 件 ({} アーカイブ) / 現金給付申請 {} 件",
        n(s.receipts),
        n(s.receipt_files),
        n(s.checkups),
        n(s.checkup_archives),
        n(s.benefit_claims)
    );
}

pub fn roster_imported(s: &ImportSummary, json: bool) {
    if json {
        println!("{}", serde_json::to_string(s).unwrap_or_default());
    } else {
        println!(
            "名簿を取り込みました (取込番号 {}): {} 人 (本人 {}, 任意継続 {}, 家族 {}), 新規事業所 {}, 個人番号 {} 件 (暗号化して保管)",
            s.import_id,
            n(s.people),
            n(s.insured),
            n(s.voluntary),
            n(s.dependants),
            n(s.employers_added),
            n(s.my_numbers)
        );
    }
}

pub fn benefits_imported(count: u64, json: bool) {
    if json {
        println!("{}", json!({"claims": count}));
    } else {
        println!("現金給付申請を取り込みました: {} 件", n(count));
    }
}

pub fn person(v: &PersonView, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    use std::fmt::Write;
    let mut out = String::new();
    let i = &v.identity;
    writeln!(out, "加入者 #{} ({})", v.id, i.kind.label())?;
    writeln!(
        out,
        "  保険者番号 {}  記号 {}  番号 {}  枝番 {:02}",
        i.insurer_number, i.card_symbol, i.card_number, i.card_branch
    )?;
    writeln!(out, "  氏名 {} ({})  生年月日 {}  性別 {}", i.name_kanji, i.name_kana, i.birth_date, i.sex.label())?;
    if let Some(e) = &v.eligibility {
        for p in &e.periods {
            writeln!(
                out,
                "  資格 {} 取得 ({}) — {}",
                p.acquired_on,
                p.acquisition_reason,
                match (&p.lost_on, &p.loss_reason) {
                    (Some(d), Some(r)) => format!("{d} 喪失 ({r})"),
                    (Some(d), None) => format!("{d} 喪失"),
                    _ => "継続中".to_string(),
                }
            )?;
        }
        if let Some(emp) = &e.employer {
            writeln!(out, "  事業所 {} {}", emp.code, emp.name)?;
        }
        if !e.dependant_ids.is_empty() {
            writeln!(
                out,
                "  被扶養者 {} 人 (#{})",
                e.dependant_ids.len(),
                e.dependant_ids.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", #")
            )?;
        }
        if let Some(id) = e.insured_id {
            writeln!(out, "  被保険者本人 #{id}")?;
        }
        writeln!(out, "  個人番号 {}", if e.my_number_on_file { "登録済 (番号法事務でのみ参照可)" } else { "未登録" })?;
    }
    if let Some(r) = &v.remuneration {
        for m in &r.monthly {
            writeln!(
                out,
                "  標準報酬月額 {} 円 ({} 級) {} から",
                thousands(m.monthly_amount),
                m.grade,
                m.effective_from
            )?;
        }
        for b in &r.bonuses {
            writeln!(
                out,
                "  賞与 {} 円 → 標準賞与額 {} 円 ({})",
                thousands(b.amount),
                thousands(b.standard_amount),
                b.paid_on
            )?;
        }
    }
    if let Some(rel) = &v.relation {
        writeln!(out, "  続柄 {}  {}", rel.relationship.label(), if rel.cohabiting { "同居" } else { "別居" })?;
    }
    if let Some(income) = v.annual_income {
        writeln!(out, "  前年度収入 {} 円", thousands(income))?;
    }
    if let Some(c) = &v.contact {
        writeln!(out, "  連絡先 〒{} {} {}", c.postal_code, c.address, c.phone)?;
    }
    if let Some(claims) = &v.cash_benefits {
        for c in claims {
            writeln!(
                out,
                "  現金給付 {} {} 受付 {} 請求 {} 円 決定 {}{}",
                c.kind.label(),
                c.status.label(),
                c.received_on,
                thousands(c.claimed_amount),
                c.decided_amount.map(|d| format!("{} 円", thousands(d))).unwrap_or_else(|| "-".into()),
                c.diagnosis.as_ref().map(|d| format!(" 傷病名 {d}")).unwrap_or_default()
            )?;
        }
    }
    if !v.masked.is_empty() {
        writeln!(
            out,
            "  (マスク表示: {} — この利用目的では不要な項目)",
            v.masked.iter().map(|f| f.label()).collect::<Vec<_>>().join("、")
        )?;
    }
    for w in &v.withheld {
        writeln!(out, "  (非表示: {} — 規則 {})", w.category.label(), w.rule)?;
    }
    print!("{}", plain(&out));
    Ok(())
}

pub fn stats(s: &Stats, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    println!("{} 現在の集計", s.as_of);
    println!("  事業所 {}", n(s.employers));
    println!(
        "  加入者 {} 人 (本人 {}, 任意継続 {}, 家族 {}; うち資格あり {})",
        n(s.people),
        n(s.insured),
        n(s.voluntary),
        n(s.dependants),
        n(s.covered)
    );
    println!("  男 {} / 女 {}", n(s.male), n(s.female));
    println!("  平均標準報酬月額 {} 円", n(s.mean_standard_remuneration));
    let bands: Vec<String> = s.insured_by_age_band.iter().map(|(b, k)| format!("{b}代 {}", n(*k))).collect();
    println!("  被保険者の年齢構成: {}", bands.join(", "));
    println!(
        "  個人番号登録 {} 件 / 現金給付申請 {} 件 / レセプト {} 件 / 特定健診 {} 件",
        n(s.my_numbers_on_file),
        n(s.cash_benefit_claims),
        n(s.receipts),
        n(s.checkups)
    );
    Ok(())
}

pub fn receipts_imported(s: &kenpo_store::ReceiptImportSummary, failures: &[String], json: bool) {
    if json {
        println!("{}", json!({"summary": s, "refused": failures}));
        return;
    }
    println!(
        "レセプトを取り込みました: {} 件 ({} 行, {} 点), 加入者と照合 {} 件 / 照合できず {} 件, 警告 {} 件, 審査支払機関の補正 {} 件",
        n(s.receipts),
        n(s.lines),
        n(s.points),
        n(s.matched),
        n(s.unmatched),
        n(s.warnings),
        n(s.corrections)
    );
    for f in failures {
        println!("  取込を拒否したファイル: {}", plain(f));
    }
}

pub fn checkups_imported(s: &kenpo_store::CheckupImportSummary, failures: &[String], json: bool) {
    if json {
        println!("{}", json!({"summary": s, "refused": failures}));
        return;
    }
    println!(
        "特定健診を取り込みました: {} アーカイブ, {} 件 ({} 項目), 加入者と照合 {} 件 / 照合できず {} 件, 警告 {} 件 (項目表にない項目)",
        n(s.archives),
        n(s.documents),
        n(s.results),
        n(s.matched),
        n(s.unmatched),
        n(s.warnings)
    );
    for f in failures {
        println!("  取込を拒否したアーカイブ: {}", plain(f));
    }
}

pub fn guidance_imported(s: &kenpo_store::GuidanceImportSummary, failures: &[String], json: bool) {
    if json {
        println!("{}", json!({"summary": s, "refused": failures}));
        return;
    }
    println!(
        "特定保健指導の結果を取り込みました: {} 件（開始 {} / 終了 {} / 途中終了 {}）",
        s.documents, s.started, s.completed, s.dropped
    );
    for f in failures {
        println!("  取込を拒否したアーカイブ: {}", plain(f));
    }
}

#[allow(clippy::too_many_arguments)]
pub fn demo(
    g: &GenerateSummary,
    r: &ImportSummary,
    claims: u64,
    receipts: &kenpo_store::ReceiptImportSummary,
    checkups: &kenpo_store::CheckupImportSummary,
    review: &[kenpo_store::ReviewSummary],
    kogaku: &[kenpo_store::KogakuRunSummary],
    kenshin: &kenpo_app::kenshin::KenshinDemo,
    s: &Stats,
    audited: u64,
    json: bool,
) -> Result<()> {
    if json {
        println!(
            "{}",
            json!({"generated": g, "roster": r, "benefit_claims": claims, "receipts": receipts, "checkups": checkups, "review": review, "kogaku": kogaku, "kenshin": kenshin, "stats": s, "audit_entries_sealed": audited})
        );
        return Ok(());
    }
    generated(g, Path::new("(synthetic)"), false);
    roster_imported(r, false);
    benefits_imported(claims, false);
    receipts_imported(receipts, &[], false);
    checkups_imported(checkups, &[], false);
    let mut by_rule: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    for m in review {
        for (rule, n) in &m.by_rule {
            *by_rule.entry(rule.as_str()).or_default() += n;
        }
    }
    let findings: u64 = review.iter().map(|m| m.findings).sum();
    let rules: Vec<String> = by_rule.iter().map(|(r, k)| format!("{} {}", kenpo_store::rule_label(r), n(*k))).collect();
    println!("レセプト点検: {} か月, 指摘 {} 件 ({})", review.len(), n(findings), rules.join("、"));
    let total: i64 = kogaku.iter().map(|k| k.total).sum();
    let payments: u64 = kogaku.iter().map(|k| k.payments).sum();
    let statutory: i64 = kogaku
        .iter()
        .flat_map(|k| k.by_kind.iter())
        .filter(|(kind, _)| kind.starts_with("kogaku"))
        .map(|(_, (_, amount))| amount)
        .sum();
    println!(
        "高額療養費・付加給付: {} か月, 支給 {} 件 計 {} 円（うち高額療養費 {} 円）",
        kogaku.len(),
        n(payments),
        kenpo_domain::kogaku::yen(total),
        kenpo_domain::kogaku::yen(statutory)
    );
    // Which ceiling table each month used (a month is computed with the table in force on its
    // first day): e.g. "2018-08〜の限度額 4 か月、2026-08〜の限度額 8 か月".
    let mut tables: std::collections::BTreeMap<&str, (usize, i64)> = std::collections::BTreeMap::new();
    for k in kogaku {
        let e = tables.entry(k.ceilings_from.as_str()).or_default();
        e.0 += 1;
        e.1 += k.total;
    }
    let tables: Vec<String> = tables
        .iter()
        .map(|(from, (months, total))| {
            format!("{from}〜の限度額 {months} か月 {} 円", kenpo_domain::kogaku::yen(*total))
        })
        .collect();
    println!("  {}", tables.join("、"));
    let held: usize = kogaku.iter().map(|k| k.held_receipts.len()).sum();
    if held > 0 {
        println!(
            "  重複の疑いで支給を保留したレセプト {} 件（review list で確認、review resolve で解決後に再計算）",
            n(held)
        );
    }
    let a = &kenshin.assessment;
    println!(
        "特定健診 {}年度: 階層化 {} 件（積極的支援 {} / 動機付け支援 {} / 情報提供 {} / 判定不能 {}）, 受診勧奨 {} 件のうち3か月以内に医科受診なし {} 件",
        kenshin.fiscal_year,
        n(a.documents),
        n(a.intensive),
        n(a.motivational),
        n(a.information),
        n(a.undeterminable),
        n(a.referral_recommend + a.referral_urgent),
        n(kenshin.referral_without_visit)
    );
    println!(
        "特定保健指導: {} に {} 人を委託, 結果 {} 件を取込（終了 {} / 途中終了 {}）; 実施状況: 対象者 {} / 受診者 {} → {}",
        kenshin.handed_to,
        n(kenshin.handed),
        n(kenshin.guidance.documents),
        n(kenshin.guidance.completed),
        n(kenshin.guidance.dropped),
        n(kenshin.subjects),
        n(kenshin.examined),
        kenshin.report_html.display()
    );
    stats(s, false)?;
    println!("監査ログ: {} 件を署名付きチェックポイントで封印し、改ざんのないことを確認しました", n(audited));
    Ok(())
}

/// Text from files or the database made safe for a terminal: control characters (C0 but line
/// feed and tab, DEL, C1 — which covers ESC and so every escape sequence) are replaced by `�`,
/// so data cannot move the cursor, retitle the window or hide what is printed.
pub fn plain(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n' && c != '\t') || c == '\u{7f}';
    if s.chars().any(unsafe_char) {
        std::borrow::Cow::Owned(s.chars().map(|c| if unsafe_char(c) { '\u{fffd}' } else { c }).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Any count or amount with thousands separators (counts beyond i64 cannot occur).
fn n<T: TryInto<i64>>(v: T) -> String {
    thousands(v.try_into().unwrap_or(i64::MAX))
}

/// A whole number with thousands separators (12,345), as staff read amounts.
pub fn thousands(n: i64) -> String {
    kenpo_domain::kogaku::yen(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_terminal() {
        // Clear screen, retitle the window, C1 CSI, a lone CR that would overwrite the line.
        let hostile = "山田\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\r太郎";
        let shown = plain(hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
        assert!(shown.starts_with("山田") && shown.ends_with("太郎"), "{shown:?}");
        assert_eq!(plain("普通の名前\n次の行\tタブ"), "普通の名前\n次の行\tタブ");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
