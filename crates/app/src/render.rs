//! Every table Kenpo hands out, built in one place from the store's typed rows; the one CSV
//! writer (`kenpo_formats::csv_out`, through `files::write_csv`) turns them into files. HTML
//! and PDF renderings join here as they move out of the interfaces.

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
