//! The one writer of every CSV Kenpo hands out (exports, payroll, 再審査, targets, hand-offs,
//! reports): the `csv` crate quotes every cell that needs it (comma, quote, CR, LF), and a cell
//! a spreadsheet would run as a formula is neutralised. Files staff open in Excel get a UTF-8
//! BOM, or CP932 on request.
//!
//! Formula neutralisation (OWASP "CSV injection"): a cell starting with `=`, `+`, `-`, `@`, TAB
//! or CR is prefixed with `'`, which Excel and LibreOffice show as text. A plain number
//! (`-120`, `+3.5`) is left as it is: it cannot be a formula, and amounts must stay numbers.

use kenpo_domain::Table;
use std::borrow::Cow;

/// How the bytes are encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark, so Excel opens Japanese text correctly (the default).
    #[default]
    Utf8Bom,
    /// UTF-8 without a mark, for programs that read it back.
    Utf8,
    /// Shift_JIS (CP932), for older office software; a character CP932 cannot hold is an error.
    Cp932,
}

impl CsvEncoding {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "utf8-bom" | "utf-8-bom" | "bom" => Some(Self::Utf8Bom),
            "utf8" | "utf-8" => Some(Self::Utf8),
            "cp932" | "sjis" | "shift_jis" => Some(Self::Cp932),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CsvOutError {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("row {row}, column {column}: a character CP932 cannot hold (write UTF-8 instead)")]
    NotCp932 { row: usize, column: usize },
    #[error("row {row}: {found} cells where the header has {expected}")]
    Width { row: usize, expected: usize, found: usize },
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell as it will be written: a would-be formula gets a leading `'`.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    let risky = matches!(cell.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    if risky && !is_plain_number(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The table as CSV bytes (header first, CRLF line ends as RFC 4180 and Excel expect).
pub fn render(table: &Table, encoding: CsvEncoding) -> Result<Vec<u8>, CsvOutError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    w.write_record(table.headers.iter().map(|h| neutralise(h).into_owned()))?;
    for (i, row) in table.rows.iter().enumerate() {
        if row.len() != table.headers.len() {
            return Err(CsvOutError::Width { row: i + 1, expected: table.headers.len(), found: row.len() });
        }
        w.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
    }
    let utf8 = w.into_inner().map_err(|e| CsvOutError::Csv(e.into_error().into()))?;
    match encoding {
        CsvEncoding::Utf8 => Ok(utf8),
        CsvEncoding::Utf8Bom => Ok([BOM, &utf8].concat()),
        CsvEncoding::Cp932 => {
            for (r, row) in std::iter::once(&table.headers).chain(&table.rows).enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (_, _, unmappable) = encoding_rs::SHIFT_JIS.encode(cell);
                    if unmappable {
                        return Err(CsvOutError::NotCp932 { row: r, column: c + 1 });
                    }
                }
            }
            let text = String::from_utf8(utf8).map_err(|_| CsvOutError::NotCp932 { row: 0, column: 0 })?;
            Ok(encoding_rs::SHIFT_JIS.encode(&text).0.into_owned())
        }
    }
}

/// Strips a UTF-8 BOM, for reading back a file this module wrote.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cells: &[&str]) -> Table {
        let mut t = Table::new(["a"; 1].iter().copied().chain(std::iter::repeat_n("b", cells.len() - 1)));
        t.push(cells.iter().map(|c| c.to_string()).collect());
        t
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for (cell, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-120", "-120"),
            ("+3.5", "+3.5"),
            ("山田", "山田"),
        ] {
            assert_eq!(neutralise(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn crlf_commas_and_quotes_stay_inside_one_cell() {
        // The review's case: a name with CR LF and commas must not add a row.
        let t = table(&["山田\r\n,偽の受給者,家族療養付加金,9999999", "a\"b"]);
        let bytes = render(&t, CsvEncoding::Utf8).expect("renders");
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("parses")).collect();
        assert_eq!(rows.len(), 1, "one data row, not two");
        assert_eq!(&rows[0][0], "山田\r\n,偽の受給者,家族療養付加金,9999999");
        assert_eq!(&rows[0][1], "a\"b");
    }

    #[test]
    fn bom_and_cp932() {
        let t = table(&["健保"]);
        let bom = render(&t, CsvEncoding::Utf8Bom).expect("renders");
        assert!(bom.starts_with(BOM));
        let sjis = render(&t, CsvEncoding::Cp932).expect("renders");
        // 健 = 0x8C92, 保 = 0x95DB in Shift_JIS.
        assert_eq!(sjis, b"a\r\n\x8C\x92\x95\xDB\r\n");
        let bad = table(&["😀"]);
        assert!(matches!(render(&bad, CsvEncoding::Cp932), Err(CsvOutError::NotCp932 { row: 1, column: 1 })));
    }
}
