//! Errors and warnings of the UKE reader and writer.
//!
//! Every reader error names the file, the physical line, the record and (where one field is at
//! fault) the field's position and name. A field's value appears only for code-like fields
//! (record ids, codes, counts, points); names, 記号・番号 and dates are described, never quoted,
//! so that an error message can go to a log.

use std::fmt;

/// Why a UKE file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum UkeError {
    /// The underlying reader failed.
    #[error("{file}: cannot read ({source})")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// Bytes that are not CP932 (Shift_JIS with the Windows extensions).
    #[error("{file}: line {line}: {record} field {position}: invalid CP932 byte sequence")]
    Encoding { file: String, line: u64, record: String, position: usize },
    /// A record identifier this reader does not know for the file's 点数表.
    #[error("{file}: line {line}: unknown record {record} for a {kind} file")]
    UnknownRecord { file: String, line: u64, record: String, kind: &'static str },
    /// A known record with too few or too many fields.
    #[error("{file}: line {line}: {record}: expected {expected} fields, found {found}")]
    FieldCount { file: String, line: u64, record: String, expected: String, found: usize },
    /// One field does not hold what the layout says it must.
    #[error("{file}: line {line}: {record} field {position} ({name}): {problem}")]
    Field { file: String, line: u64, record: String, position: usize, name: &'static str, problem: String },
    /// Records in an order the format does not allow (e.g. SY before any RE, nothing after GO).
    #[error("{file}: line {line}: {record}: {problem}")]
    Structure { file: String, line: u64, record: String, problem: String },
    /// A declared total (GO 総件数/総合計点数, HO 合計点数) that the records do not add up to.
    #[error("{file}: line {line}: {record} field {position} ({name}): declared {declared}, {counted_as} {counted}")]
    Totals {
        file: String,
        line: u64,
        record: String,
        position: usize,
        name: &'static str,
        declared: i64,
        counted_as: &'static str,
        counted: i64,
    },
    /// A field longer than the spec allows (bytes, counted in CP932).
    #[error("{file}: line {line}: {record} field {position} ({name}): {found} bytes, the spec allows at most {max}")]
    TooLong { file: String, line: u64, record: String, position: usize, name: &'static str, max: usize, found: usize },
    /// Well-formed input that this reader deliberately does not interpret (e.g. JY 補正).
    #[error("{file}: line {line}: {record}: not supported: {what}")]
    Unsupported { file: String, line: u64, record: String, what: String },
}

/// Something a reader noticed but did not refuse; the importer decides what to do with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UkeWarning {
    /// A field longer than the spec allows where the reader keeps the value (names).
    FieldTooLong { line: u64, record: String, position: usize, name: &'static str, max: usize, found: usize },
    /// The file is one volume of several (マルチボリューム): GO totals cover the other volumes too
    /// and cannot be checked against this file alone.
    TotalsNotCheckable { line: u64, volume: String },
    /// A receipt without HO (公費単独): it carries no 医療保険 points or card.
    NoHealthInsurance { line: u64, receipt_number: u32 },
    /// A block of records that this reader recognises but does not turn into lines.
    RecordsSkipped { line: u64, receipt_number: u32, what: &'static str },
    /// The file ends without the 0x1A end-of-file byte the spec requires.
    MissingEofMarker,
    /// An insurer-side delivery without a GO record for its last block.
    MissingTrailer,
    /// A record with fewer fields than the current 記録条件仕様 gives it: read as an older
    /// layout (the fields it lacks are empty), but staff should know the file is not current.
    /// Given once per record kind and file.
    ShortRecord { line: u64, record: String, found: usize, current: usize },
}

impl fmt::Display for UkeWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UkeWarning::FieldTooLong { line, record, position, name, max, found } => write!(
                f,
                "line {line}: {record} field {position} ({name}): {found} bytes, longer than the spec's {max}; kept"
            ),
            UkeWarning::TotalsNotCheckable { line, volume } => write!(
                f,
                "line {line}: GO of volume {volume} of a multi-volume claim: totals cover other volumes, not checked"
            ),
            UkeWarning::NoHealthInsurance { line, receipt_number } => {
                write!(f, "line {line}: receipt {receipt_number} has no HO record (公費単独)")
            }
            UkeWarning::RecordsSkipped { line, receipt_number, what } => {
                write!(f, "line {line}: receipt {receipt_number}: skipped {what}")
            }
            UkeWarning::MissingEofMarker => f.write_str("no 0x1A end-of-file byte"),
            UkeWarning::MissingTrailer => f.write_str("no GO record at the end"),
            UkeWarning::ShortRecord { line, record, found, current } => write!(
                f,
                "line {line}: {record} has {found} fields, fewer than the {current} of the current spec; read as an older layout"
            ),
        }
    }
}

/// Why a [`super::UkeFile`] could not be written. Receipts are named by their レセプト番号
/// (1-based position in the file), fields by their spec name; values are never included.
#[derive(Debug, thiserror::Error)]
pub enum UkeWriteError {
    #[error("cannot write ({0})")]
    Io(#[from] std::io::Error),
    /// A character with no CP932 code.
    #[error("{at}: {field} has a character that CP932 cannot encode")]
    Unencodable { at: Location, field: &'static str },
    /// A value the layout cannot hold (too long, wrong shape, forbidden character).
    #[error("{at}: {field}: {problem}")]
    Invalid { at: Location, field: &'static str, problem: String },
    /// Data the layout for this 点数表 has no (verified) place for.
    #[error("{at}: not supported: {what}")]
    Unsupported { at: Location, what: String },
}

/// Where in a [`super::UkeFile`] a write error is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// The file header (IR / UK / YK) or trailer (GO).
    File,
    /// The receipt with this レセプト番号 (1-based).
    Receipt(u32),
    /// Line `line` (0-based index into `Receipt::lines`) of receipt `receipt`.
    Line { receipt: u32, line: usize },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("file header"),
            Location::Receipt(n) => write!(f, "receipt {n}"),
            Location::Line { receipt, line } => write!(f, "receipt {receipt}, line {}", line + 1),
        }
    }
}
