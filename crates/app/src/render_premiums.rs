//! The premium papers as tables (CSV) and documents (PDF): 標準報酬決定通知書, the month's
//! 保険料納入告知 and each one's 明細, the payers' statements (入金消込), a 報酬の届書's outcome.

use super::pdf::TableDoc;
use chrono::NaiveDate;
use kenpo_domain::Table;
use kenpo_domain::remuneration::DeterminationKind;
use kenpo_store::{ChargeRow, DeterminationRow, InvoiceRow, PaySummary, PayerStatement};

fn yen(v: i64) -> String {
    v.to_string()
}

fn kind_label(code: &str) -> &'static str {
    DeterminationKind::parse(code).map_or("不明", DeterminationKind::label)
}

/// 標準報酬決定通知書 rows (decided and not), one per filed line.
pub fn determinations_table(rows: &[DeterminationRow]) -> Table {
    let mut t = Table::new([
        "事業所",
        "記号",
        "番号",
        "氏名",
        "生年月日",
        "区分",
        "届出の年月",
        "決定",
        "適用年月",
        "等級",
        "標準報酬月額",
        "報酬月額（平均）",
        "従前の標準報酬月額",
        "理由",
    ]);
    for r in rows {
        t.push(vec![
            r.employer_code.clone().unwrap_or_default(),
            r.card_symbol.clone(),
            r.card_number.clone(),
            r.name_kanji.clone(),
            r.birth_date.clone(),
            kind_label(&r.kind).to_string(),
            r.filed_month.clone(),
            if r.decided { "決定" } else { "改定なし" }.to_string(),
            r.effective_from.clone().unwrap_or_default(),
            r.grade.map(|g| g.to_string()).unwrap_or_default(),
            r.monthly_amount.map(yen).unwrap_or_default(),
            r.average.map(yen).unwrap_or_default(),
            r.previous_amount.map(yen).unwrap_or_default(),
            r.reasoning.join(" / "),
        ]);
    }
    t
}

/// The 決定通知書 as PDF: one document per employer, decided lines only.
pub fn determination_notices(rows: &[DeterminationRow], society: &str, issued_on: NaiveDate) -> Vec<TableDoc> {
    let mut by_employer: std::collections::BTreeMap<String, Vec<&DeterminationRow>> = Default::default();
    for r in rows.iter().filter(|r| r.decided) {
        by_employer.entry(r.employer_code.clone().unwrap_or_default()).or_default().push(r);
    }
    by_employer
        .into_iter()
        .map(|(employer, rows)| {
            let mut table =
                Table::new(["記号", "番号", "氏名", "生年月日", "区分", "適用年月", "等級", "標準報酬月額", "従前"]);
            for r in rows {
                table.push(vec![
                    r.card_symbol.clone(),
                    r.card_number.clone(),
                    r.name_kanji.clone(),
                    r.birth_date.clone(),
                    kind_label(&r.kind).to_string(),
                    r.effective_from.clone().unwrap_or_default(),
                    r.grade.map(|g| g.to_string()).unwrap_or_default(),
                    r.monthly_amount.map(yen).unwrap_or_default(),
                    r.previous_amount.map(yen).unwrap_or_default(),
                ]);
            }
            TableDoc {
                title: "健康保険 標準報酬決定通知書".into(),
                lines: vec![
                    ("事業所".into(), employer),
                    ("保険者".into(), society.to_string()),
                    ("通知日".into(), kenpo_domain::era::era_date(issued_on)),
                    (String::new(), "次のとおり標準報酬月額を決定（改定）したので通知します。".into()),
                ],
                table,
            }
        })
        .collect()
}

/// The month's invoices (one row per payer).
pub fn invoices_table(rows: &[InvoiceRow]) -> Table {
    let mut t = Table::new([
        "告知番号",
        "納付者コード",
        "区分",
        "名称",
        "対象月",
        "納期限",
        "人数",
        "被保険者負担分",
        "事業主負担分",
        "合計",
    ]);
    for r in rows {
        t.push(vec![
            r.id.to_string(),
            r.payer.clone(),
            if r.payer_kind == "voluntary" { "任意継続" } else { "事業所" }.to_string(),
            r.payer_name.clone(),
            r.month.clone(),
            r.due_on.clone(),
            r.members.to_string(),
            yen(r.member_total),
            yen(r.employer_total),
            yen(r.total),
        ]);
    }
    t
}

/// An invoice's 明細: one row per person and source, the components on each side.
pub fn invoice_lines_table(rows: &[ChargeRow]) -> Table {
    let mut t = Table::new([
        "記号",
        "番号",
        "氏名",
        "区分",
        "標準報酬・標準賞与額",
        "一般（本人）",
        "一般（事業主）",
        "調整（本人）",
        "調整（事業主）",
        "介護（本人）",
        "介護（事業主）",
        "支援金（本人）",
        "支援金（事業主）",
        "本人計",
        "事業主計",
        "計算",
    ]);
    for r in rows {
        t.push(vec![
            r.card_symbol.clone(),
            r.card_number.clone(),
            r.name_kanji.clone(),
            if r.source == "monthly" { "月額".to_string() } else { format!("賞与 {}", &r.source[6..]) },
            yen(r.base),
            yen(r.general.0),
            yen(r.general.1),
            yen(r.adjustment.0),
            yen(r.adjustment.1),
            yen(r.care.0),
            yen(r.care.1),
            yen(r.support.0),
            yen(r.support.1),
            yen(r.member_total),
            yen(r.employer_total),
            r.reasoning.join(" / "),
        ]);
    }
    t
}

/// A 保険料納入告知書 with its 明細, for the PDF.
pub fn invoice_doc(invoice: &InvoiceRow, lines: &[ChargeRow], society: &str) -> TableDoc {
    let mut table = invoice_lines_table(lines);
    // The printed 明細 leaves the reasoning to the CSV and the screens.
    table.headers.pop();
    for row in &mut table.rows {
        row.pop();
    }
    TableDoc {
        title: "健康保険料 納入告知書".into(),
        lines: vec![
            ("納付者".into(), format!("{}（{}）", invoice.payer_name, invoice.payer)),
            ("保険者".into(), society.to_string()),
            ("対象月".into(), invoice.month.clone()),
            ("納期限".into(), invoice.due_on.clone()),
            (
                "納付額".into(),
                format!(
                    "{} 円（被保険者負担分 {} 円、事業主負担分 {} 円、{} 名）",
                    invoice.total, invoice.member_total, invoice.employer_total, invoice.members
                ),
            ),
        ],
        table,
    }
}

/// Every payer's statement: billed, received, outstanding, arrears as of `today`, credit.
pub fn statements_table(rows: &[PayerStatement], today: NaiveDate) -> Table {
    let mut t = Table::new(["納付者コード", "区分", "告知額合計", "入金額合計", "未納額", "滞納月", "過納繰越額"]);
    for s in rows {
        let arrears: Vec<String> = s.statement.arrears(today).iter().map(|a| a.month.to_string()).collect();
        t.push(vec![
            s.payer.clone(),
            if s.payer_kind == "voluntary" { "任意継続" } else { "事業所" }.to_string(),
            yen(s.statement.billed),
            yen(s.statement.received),
            yen(s.statement.outstanding()),
            arrears.join(" "),
            yen(s.statement.credit),
        ]);
    }
    t
}

/// The lines a staff member reads after a 報酬の届書.
pub fn pay_summary_table(s: &PaySummary) -> Table {
    let mut t = Table::new(["行", "区分", "理由"]);
    for (line, kind, reasoning) in &s.lines {
        t.push(vec![line.to_string(), kind.clone(), reasoning.join(" / ")]);
    }
    t
}
