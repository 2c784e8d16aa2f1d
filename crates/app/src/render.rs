//! Every table Kenpo hands out, built in one place from the store's typed rows; the one CSV
//! writer (`kenpo_formats::csv_out`, through `files::write_csv`) turns them into files. HTML
//! and PDF renderings join here as they move out of the interfaces.

#[path = "render_pdf.rs"]
pub mod pdf;
#[path = "render_premiums.rs"]
pub mod premiums;

use kenpo_domain::Table;
use kenpo_formats::csv_out::CsvEncoding;
use kenpo_store::{Comparison, FindingRow, Handoff, PayrollFile, YearlyRunSummary};

/// The findings as a table for preparing 再審査等請求 (one line per finding; the reason in
/// Japanese; receipts named by 診療年月, 医療機関コード and 検索番号 as the 支払基金 asks).
pub fn rereview_table(rows: &[FindingRow]) -> Table {
    let mut t = Table::new([
        "診療年月",
        "医療機関コード",
        "医療機関名称",
        "レセプト種類",
        "検索番号",
        "レセプトID",
        "関連レセプトID",
        "点数",
        "点検区分",
        "事由",
    ]);
    for r in rows {
        t.push(vec![
            r.service_month.clone(),
            r.institution_code.clone(),
            r.institution_name.clone(),
            r.receipt_kind.clone(),
            r.search_number.clone().unwrap_or_default(),
            r.receipt_id.to_string(),
            r.related_receipt_id.map(|v| v.to_string()).unwrap_or_default(),
            r.total_points.to_string(),
            kenpo_store::rule_label(&r.rule).to_string(),
            r.detail.clone(),
        ]);
    }
    t
}

/// The 年間上限 payments of a yearly run.
pub fn yearly_table(run: &YearlyRunSummary) -> Table {
    let mut t = Table::new([
        "計算期間",
        "事業所記号",
        "被保険者証記号番号",
        "氏名",
        "区分",
        "年間上限（円）",
        "負担計（円）",
        "支給額（円）",
        "計算",
    ]);
    for r in &run.rows {
        t.push(vec![
            run.period.clone(),
            r.employer_code.clone(),
            r.member_card.clone(),
            r.member_name.clone(),
            r.bracket.clone(),
            r.cap.to_string(),
            r.total_borne.to_string(),
            r.amount.to_string(),
            r.explanation.join(" / "),
        ]);
    }
    t
}

/// A month under two sets of ceilings, household by household.
pub fn comparison_table(c: &Comparison) -> Table {
    let mut t = Table::new([
        "診療年月",
        "被保険者証記号番号",
        "氏名",
        "区分（当月の規則）",
        "高額療養費（当月の規則）",
        "付加給付（当月の規則）",
        "区分（比較する規則）",
        "高額療養費（比較する規則）",
        "付加給付（比較する規則）",
        "高額療養費の差",
        "付加給付の差",
        "計算（当月の規則）",
        "計算（比較する規則）",
    ]);
    for r in &c.rows {
        t.push(vec![
            c.month.clone(),
            r.member_card.clone(),
            r.member_name.clone(),
            r.bracket_own.clone(),
            r.statutory_own.to_string(),
            r.additions_own.to_string(),
            r.bracket_other.clone(),
            r.statutory_other.to_string(),
            r.additions_other.to_string(),
            (r.statutory_other - r.statutory_own).to_string(),
            (r.additions_other - r.additions_own).to_string(),
            r.explanation_own.join(" / "),
            r.explanation_other.join(" / "),
        ]);
    }
    t
}

/// An employer's payroll file: the columns its provision record names (card, name, benefit
/// kind, amount), under the employer's 事業所記号.
pub fn payroll_table(file: &PayrollFile) -> Table {
    let mut t = Table::new(["事業所記号", "被保険者証記号番号", "氏名", "給付の種類", "支給額（円）"]);
    for l in &file.lines {
        t.push(vec![
            file.employer_code.clone(),
            l.card.clone(),
            l.name.clone(),
            l.benefit.clone(),
            l.amount.to_string(),
        ]);
    }
    t
}

/// Every employer's payroll file of a month in one ZIP (one CSV per employer, written by the
/// one CSV writer), for the screen's download.
pub fn payroll_zip(payroll: &kenpo_store::Payroll, encoding: CsvEncoding) -> Result<Vec<u8>, anyhow::Error> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for f in &payroll.files {
        zip.start_file(f.file_name.as_str(), options)?;
        zip.write_all(&kenpo_formats::csv_out::render(&payroll_table(f), encoding)?)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A guidance contractor's hand-off file: who, the level and the checkup values, no 連絡先.
pub fn handoff_table(h: &Handoff) -> Table {
    let mut headers: Vec<&str> = vec![
        "保険者番号",
        "記号",
        "番号",
        "枝番",
        "氏名カナ",
        "性別",
        "生年月日",
        "年度末年齢",
        "健診実施日",
        "保健指導レベル",
    ];
    headers.extend(kenpo_store::HANDOFF_ITEMS);
    let mut t = Table::new(headers);
    for r in &h.rows {
        let mut row = vec![
            r.insurer_number.clone(),
            r.card_symbol.clone(),
            r.card_number.clone(),
            r.card_branch.clone(),
            r.name_kana.clone(),
            r.sex.label().to_string(),
            r.birth_date.clone(),
            r.age.to_string(),
            r.exam_date.to_string(),
            r.level.label().to_string(),
        ];
        row.extend(r.items.iter().cloned());
        t.push(row);
    }
    t
}

/// The オンライン資格確認 registration file (医療保険者等向け中間サーバー). **UNVERIFIED layout**:
/// the 中間サーバー's insurer-side interface specification is handed to insurers and is not
/// public (docs/research/eligibility-filings.md §4); these columns are the items the clinic-side
/// reply shows the insurer must have registered. This function is the one place the layout lives:
/// when the specification is at hand, change it here. No 個人番号: that is registered through
/// the vault under a 番号法 use, not from this file.
pub fn online_registration_table(rows: &[kenpo_store::OutboxRow]) -> Table {
    let mut t = Table::new([
        "送信ID",
        "異動区分",
        "保険者番号",
        "被保険者等記号",
        "被保険者等番号",
        "枝番",
        "本人家族の別",
        "氏名",
        "氏名カナ",
        "生年月日",
        "性別",
        "資格取得年月日",
        "資格喪失年月日",
        "喪失事由",
        "高齢受給者一部負担金割合",
        "限度額適用区分",
        "登録期限",
    ]);
    for r in rows {
        let i = &r.items;
        t.push(vec![
            r.id.to_string(),
            match r.change.as_str() {
                "acquire" => "取得",
                "lose" => "喪失",
                _ => "変更",
            }
            .into(),
            i.insurer_number.clone(),
            i.card_symbol.clone(),
            i.card_number.clone(),
            format!("{:02}", i.card_branch),
            i.family.to_string(),
            r.name_kanji.clone(),
            r.name_kana.clone(),
            r.birth_date.replace('-', ""),
            r.sex.to_string(),
            i.acquired_on.clone().unwrap_or_default().replace('-', ""),
            i.lost_on.clone().unwrap_or_default().replace('-', ""),
            i.loss_reason.clone().unwrap_or_default(),
            i.elderly_share.map(|s| s.to_string()).unwrap_or_default(),
            i.limit_category.clone().unwrap_or_default(),
            r.deadline.replace('-', ""),
        ]);
    }
    t
}

/// The outbox as staff read it (status in Japanese, overdue marked).
pub fn outbox_table(rows: &[kenpo_store::OutboxRow]) -> Table {
    let mut t = Table::new([
        "送信ID",
        "加入者ID",
        "異動区分",
        "受付日",
        "登録期限",
        "状態",
        "期限超過",
        "送信回数",
        "エラーコード",
    ]);
    for r in rows {
        t.push(vec![
            r.id.to_string(),
            r.person_id.to_string(),
            r.change.clone(),
            r.received_on.clone(),
            r.deadline.clone(),
            kenpo_store::outbox_status_label(&r.status).into(),
            if r.overdue { "超過" } else { "" }.into(),
            r.attempts.to_string(),
            r.error_code.clone().unwrap_or_default(),
        ]);
    }
    t
}

/// Receipts for days without coverage, for レセプト振替 or 返還請求, with the arithmetic.
pub fn receipts_after_loss_table(rows: &[kenpo_store::ReceiptAfterLoss]) -> Table {
    let mut t = Table::new([
        "レセプトID",
        "加入者ID",
        "診療年月",
        "医療機関名称",
        "点数",
        "資格のない診療日数",
        "最初の日",
        "資格喪失日",
        "喪失事由",
        "組合負担額",
        "計算",
        "本来の保険者",
        "処理",
    ]);
    for r in rows {
        t.push(vec![
            r.receipt_id.to_string(),
            r.person_id.to_string(),
            r.service_month.clone(),
            r.institution_name.clone(),
            r.total_points.to_string(),
            r.days_outside.to_string(),
            r.first_day_outside.clone(),
            r.lost_on.clone().unwrap_or_default(),
            r.loss_reason.clone().unwrap_or_default(),
            r.society_paid.to_string(),
            r.arithmetic.clone(),
            r.should_have_paid.clone().unwrap_or_else(|| "不明（国民健康保険等）".into()),
            r.action.clone(),
        ]);
    }
    t
}

/// A year's 検認 list for one employer (or all), to send out and to take the answers back in
/// (the answer columns are left empty).
pub fn kenin_table(rows: &[kenpo_store::DependantCheckRow]) -> Table {
    let mut t = Table::new([
        "検認年",
        "加入者ID",
        "事業所番号",
        "記号",
        "番号",
        "枝番",
        "氏名カナ",
        "生年月日",
        "続柄",
        "結果",
        "回答日",
        "同居",
        "収入見込",
        "被保険者収入",
        "仕送り額",
        "障害",
        "居住",
        "例外書類",
    ]);
    for r in rows {
        t.push(vec![
            r.year.to_string(),
            r.person_id.to_string(),
            r.employer_code.clone().unwrap_or_default(),
            r.card.0.clone(),
            r.card.1.clone(),
            format!("{:02}", r.card.2),
            r.name_kana.clone(),
            r.birth_date.clone(),
            r.relationship.clone(),
            match r.outcome.as_deref() {
                Some("recognised") => "認定",
                Some("refused") => "不認定",
                Some("documents") => "書類不足",
                _ => "",
            }
            .into(),
            r.answered_on.clone().unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    t
}
