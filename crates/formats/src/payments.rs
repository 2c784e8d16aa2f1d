//! 入金明細 CSV: the payments the society's bank account received, one per row, as the bank's
//! statement download gives them after the society's own column mapping (our documented layout):
//! `入金日,振込依頼人コード,振込依頼人名,金額`, UTF-8 (a BOM is allowed) or Shift_JIS.
//!
//! The 振込依頼人コード is the payer code printed on the 保険料納入告知書 (the employer's code,
//! or `V` and the 任意継続被保険者's card number); the name is checked and dropped — matching is
//! by code, and a member's name is not needed to book a payment.

use crate::text;
use chrono::NaiveDate;
use kenpo_domain::Yen;

pub const HEADERS: [&str; 4] = ["入金日", "振込依頼人コード", "振込依頼人名", "金額"];
/// A bank statement larger than this is refused.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// One payment larger than this (¥100 billion) is refused as a typo.
pub const MAX_AMOUNT: Yen = 100_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub line: u64,
    pub paid_on: NaiveDate,
    pub payer: String,
    pub amount: Yen,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PaymentCsvError {
    #[error("{file}:{line}: column {column}: {problem}")]
    Field { file: String, line: u64, column: &'static str, problem: &'static str },
    #[error("{file}: {problem}")]
    File { file: String, problem: String },
}

/// Reads the whole file or refuses it, naming file, line and column (never the value).
pub fn read_payments(file: &str, bytes: &[u8]) -> Result<Vec<PaymentRow>, PaymentCsvError> {
    let whole = |problem: &str| PaymentCsvError::File { file: file.to_string(), problem: problem.to_string() };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(whole("larger than 64 MB"));
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let text: String = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
            if bad {
                return Err(whole("neither UTF-8 nor Shift_JIS"));
            }
            t.into_owned()
        }
    };
    // One physical line is one payment (a bank statement has no multi-line cells; a line break
    // inside a name is refused as a control character anyway), so each line is read on its own
    // and an error names the line as the file shows it, blank lines included.
    let parse = |line: &str| -> Option<csv::StringRecord> {
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        r.records().next().and_then(Result::ok)
    };
    let mut physical = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let header = physical.next().and_then(parse).ok_or_else(|| whole("the header line cannot be read"))?;
    if header.iter().ne(HEADERS.iter().copied()) {
        return Err(whole(&format!("header must be exactly: {}", HEADERS.join(","))));
    }
    let mut rows = Vec::new();
    for (i, raw) in physical.enumerate() {
        let line = i as u64 + 2;
        if raw.is_empty() {
            continue;
        }
        let field = |column: &'static str, problem: &'static str| PaymentCsvError::Field {
            file: file.to_string(),
            line,
            column,
            problem,
        };
        let record = parse(raw).ok_or_else(|| field("行", "broken quoting"))?;
        if record.len() != HEADERS.len() {
            return Err(field("行", "has the wrong number of fields"));
        }
        let get = |i: usize| record.get(i).unwrap_or("");
        let date = get(0);
        let paid_on = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(date, "%Y%m%d"))
            .map_err(|_| field("入金日", "must be a day YYYY-MM-DD or YYYYMMDD"))?;
        let payer = get(1);
        if payer.is_empty() || payer.len() > 16 || !payer.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(field("振込依頼人コード", "must be 1–16 letters or digits"));
        }
        if text::cell_problem(get(2), 60).is_some() {
            return Err(field("振込依頼人名", "holds a control character or is longer than 60 characters"));
        }
        let amount_text = get(3);
        if amount_text.is_empty() || amount_text.len() > 12 || !amount_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(field("金額", "must be a whole number of yen, without sign or separators"));
        }
        let amount: Yen = amount_text.parse().map_err(|_| field("金額", "is not a number"))?;
        if amount == 0 || amount > MAX_AMOUNT {
            return Err(field("金額", "must be between 1 and 100,000,000,000 yen"));
        }
        rows.push(PaymentRow { line, paid_on, payer: payer.to_string(), amount });
    }
    if rows.is_empty() {
        return Err(whole("the file has no payments"));
    }
    Ok(rows)
}
