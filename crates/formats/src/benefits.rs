//! Cash-benefit claims CSV (現金給付申請一覧): one row per claim, Japanese headers, UTF-8.
//! The person is named by 保険者番号 and 記号・番号・枝番; amounts in yen; dates `YYYY-MM-DD`.

use crate::text;
use chrono::NaiveDate;
use kenpo_domain::CardId;
use kenpo_domain::benefit::{BenefitStatus, CashBenefitClaim, CashBenefitKind};
use std::io::{Read, Write};

pub const HEADERS: [&str; 20] = [
    "保険者番号",
    "記号",
    "番号",
    "枝番",
    "給付種別",
    "受付日",
    "処理状況",
    "期間開始日",
    "期間終了日",
    "傷病名",
    "医師の意見等",
    "期間中報酬額",
    "年金受給額",
    "出勤日数",
    "出産日等",
    "請求額",
    "支給決定額",
    "請求者",
    "備考",
    "様式版",
];

/// A claim row: who, and the claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub line: u64,
    pub insurer_number: String,
    pub card: CardId,
    pub claim: CashBenefitClaim,
}

#[derive(Debug, thiserror::Error)]
pub enum BenefitCsvError {
    #[error("{file}:{line}: column {column}: {problem}")]
    Field { file: String, line: u64, column: &'static str, problem: &'static str },
    #[error("{file}:{line}: {problem}")]
    Row { file: String, line: u64, problem: String },
    #[error("{file}: header must be exactly: {expected}")]
    Header { file: String, expected: String },
    #[error("writing claims: {0}")]
    Write(#[from] csv::Error),
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}
fn num<T: ToString>(n: Option<T>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

pub fn write_claims<W: Write>(out: W, rows: &[(String, CardId, CashBenefitClaim)]) -> Result<(), BenefitCsvError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADERS)?;
    for (insurer, card, c) in rows {
        w.write_record([
            insurer.clone(),
            card.symbol.clone(),
            card.number.clone(),
            format!("{:02}", card.branch),
            c.kind.label().to_string(),
            date(Some(c.received_on)),
            c.status.label().to_string(),
            date(c.period_from),
            date(c.period_to),
            c.diagnosis.clone().unwrap_or_default(),
            c.clinical_note.clone().unwrap_or_default(),
            num(c.pay_during_period),
            num(c.pension_amount),
            num(c.days_worked),
            date(c.event_date),
            c.claimed_amount.to_string(),
            num(c.decided_amount),
            c.claimant.clone().unwrap_or_default(),
            String::new(),
            "1".to_string(),
        ])?;
    }
    w.flush().map_err(|e| BenefitCsvError::Write(e.into()))
}

/// Reads all rows; the first error stops the read (imports are all-or-nothing).
pub fn read_claims<R: Read>(input: R, file: &str) -> Result<Vec<ClaimRow>, BenefitCsvError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let row_err = |line: u64, problem: String| BenefitCsvError::Row { file: file.to_string(), line, problem };
    let headers = reader.headers().map_err(|_| row_err(1, "is not well-formed CSV".into()))?.clone();
    let names: Vec<&str> = headers.iter().map(|h| h.trim_start_matches('\u{feff}').trim()).collect();
    if names != HEADERS {
        return Err(BenefitCsvError::Header { file: file.to_string(), expected: HEADERS.join(",") });
    }
    let mut out = Vec::new();
    // Lines are counted here: the csv crate's positions are one short after a CR LF header, and
    // a cell holding a line break is refused, so each record is one line.
    for (i, record) in reader.into_records().enumerate() {
        let line = i as u64 + 2;
        let record = record.map_err(|_| row_err(line, "is not well-formed UTF-8 CSV".into()))?;
        if record.len() != HEADERS.len() {
            return Err(row_err(line, format!("has {} columns, expected {}", record.len(), HEADERS.len())));
        }
        let get = |c: &str| record.get(HEADERS.iter().position(|h| *h == c).unwrap_or(usize::MAX)).unwrap_or("").trim();
        let err = |column: &'static str, problem: &'static str| BenefitCsvError::Field {
            file: file.to_string(),
            line,
            column,
            problem,
        };
        for (i, column) in HEADERS.iter().enumerate() {
            if let Some(problem) = text::cell_problem(record.get(i).unwrap_or(""), text::MAX_TEXT_CHARS) {
                return Err(BenefitCsvError::Row {
                    file: file.to_string(),
                    line,
                    problem: format!("column {column}: {problem}"),
                });
            }
        }
        let opt_date = |c: &'static str| -> Result<Option<NaiveDate>, BenefitCsvError> {
            match get(c) {
                "" => Ok(None),
                v => {
                    NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| err(c, "must be a date YYYY-MM-DD"))
                }
            }
        };
        let opt_yen = |c: &'static str| -> Result<Option<i64>, BenefitCsvError> {
            match get(c) {
                "" => Ok(None),
                v => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (0..=text::MAX_YEN).contains(n))
                    .map(Some)
                    .ok_or(err(c, "must be whole yen, 0 to 9,999,999,999")),
            }
        };
        let text = |c: &str| Some(get(c).to_string()).filter(|s| !s.is_empty());
        let branch = CardId::parse_branch(get("枝番")).map_err(|_| err("枝番", "must be 2 digits"))?;
        let card = CardId::new(get("記号"), get("番号"), branch)
            .map_err(|_| err("番号", "is required (at most 20 characters)"))?;
        let claim = CashBenefitClaim {
            kind: CashBenefitKind::from_code(get("給付種別"))
                .ok_or(err("給付種別", "must be 療養費, 移送費, 傷病手当金, 出産手当金, 出産育児一時金 or 埋葬料"))?,
            received_on: opt_date("受付日")?.ok_or(err("受付日", "is required"))?,
            status: BenefitStatus::from_code(get("処理状況"))
                .ok_or(err("処理状況", "must be 受付, 審査中, 支給決定, 不支給 or 支払済"))?,
            period_from: opt_date("期間開始日")?,
            period_to: opt_date("期間終了日")?,
            diagnosis: text("傷病名"),
            clinical_note: text("医師の意見等"),
            pay_during_period: opt_yen("期間中報酬額")?,
            pension_amount: opt_yen("年金受給額")?,
            days_worked: match get("出勤日数") {
                "" => None,
                v => Some(v.parse::<u32>().map_err(|_| err("出勤日数", "must be a whole number of days"))?),
            },
            event_date: opt_date("出産日等")?,
            claimed_amount: opt_yen("請求額")?.ok_or(err("請求額", "is required"))?,
            decided_amount: opt_yen("支給決定額")?,
            claimant: text("請求者"),
        };
        if let (Some(from), Some(to)) = (claim.period_from, claim.period_to)
            && to < from
        {
            return Err(err("期間終了日", "must not be before 期間開始日"));
        }
        out.push(ClaimRow { line, insurer_number: get("保険者番号").to_string(), card, claim });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let claim = CashBenefitClaim {
            kind: CashBenefitKind::SicknessAllowance,
            received_on: d(2025, 7, 1),
            status: BenefitStatus::Approved,
            period_from: Some(d(2025, 5, 10)),
            period_to: Some(d(2025, 6, 30)),
            diagnosis: Some("腰椎椎間板ヘルニア".into()),
            clinical_note: Some("労務不能と認める".into()),
            pay_during_period: Some(0),
            pension_amount: None,
            days_worked: Some(0),
            event_date: None,
            claimed_amount: 333_350,
            decided_amount: Some(333_350),
            claimant: None,
        };
        let rows = vec![("06139999".to_string(), CardId::new("12", "345", 0).unwrap(), claim.clone())];
        let mut buf = Vec::new();
        write_claims(&mut buf, &rows).unwrap();
        let back = read_claims(buf.as_slice(), "b.csv").unwrap();
        assert_eq!(back[0].claim, claim);
        assert_eq!(back[0].line, 2);
        let bad = String::from_utf8(buf).unwrap().replace("傷病手当金", "見舞金");
        let e = read_claims(bad.as_bytes(), "b.csv").unwrap_err().to_string();
        assert!(e.starts_with("b.csv:2: column 給付種別"), "{e}");
    }
}
