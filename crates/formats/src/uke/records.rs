//! The record layer: bytes in, one decoded record at a time out.
//!
//! A UKE file is a sequence of CSV records (no quoting) in CP932, each ended by CR LF, with one
//! 0x1A byte after the last one (\[SPEC-M\] 第1章 3(3)). The reader keeps one line in memory,
//! accepts a lone LF as a line end, stops at 0x1A, and decodes field by field so that an
//! invalid byte can be reported with its field position. Commas, CR, LF and 0x1A are below 0x40
//! and so can never be the second byte of a Shift_JIS character: splitting on them before
//! decoding is safe.
//!
//! Insurer-side deliveries (レセ電コード情報ファイル) prefix every record with three columns
//! (データ識別, 行番号, 枝番号); the reader recognises them on the first record and strips them
//! from every record, keeping them in [`DeliveryPrefix`].

use super::error::UkeError;
use encoding_rs::SHIFT_JIS;
use std::fmt;
use std::io::{BufRead, Read};

/// Longest physical line accepted. The longest record in the spec (SJ, 2,400 bytes of text)
/// is far below this; the cap only stops a file without line ends from filling memory.
const MAX_LINE: usize = 1 << 20;

/// The three columns an insurer-side delivery puts before each record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryPrefix {
    /// データ識別 (1 = the claim as examined; other values carry corrections).
    pub data_kind: String,
    /// 行番号.
    pub row: String,
    /// 枝番号.
    pub branch: String,
}

/// One decoded record. `fields[0]` is the record identifier, so the spec's 1-based field
/// position `p` is `fields[p - 1]`.
#[derive(Clone, PartialEq, Eq)]
pub struct UkeRecord {
    /// Physical line number in the file (1-based, counting every line).
    pub line: u64,
    /// The decoded record (identifier first), fields separated at `spans`: one allocation
    /// per record instead of one per field.
    text: String,
    spans: Vec<(u32, u32)>,
    /// Present when the record came from an insurer-side delivery.
    pub prefix: Option<DeliveryPrefix>,
}

impl UkeRecord {
    /// The record identifier, e.g. `"RE"`.
    pub fn id(&self) -> &str {
        self.field(1)
    }

    /// The field at 1-based spec position `position` (1 = the identifier); `""` when the record
    /// is shorter.
    pub fn field(&self, position: usize) -> &str {
        match position.checked_sub(1).and_then(|i| self.spans.get(i)) {
            Some(&(start, end)) => &self.text[start as usize..end as usize],
            None => "",
        }
    }

    /// Number of fields, identifier included (the spec's 項目数).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the record has no fields at all (never true for a record the reader yields).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

// Field values may be names or card numbers: debug output shows only the shape.
impl fmt::Debug for UkeRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UkeRecord {{ line: {}, id: {:?}, fields: {} }}", self.line, display_id(self.id()), self.len())
    }
}

/// The identifier as it may be shown in messages: only short ASCII alphanumerics are shown
/// as they are, anything else could be misplaced personal text.
pub(crate) fn display_id(id: &str) -> String {
    if !id.is_empty() && id.len() <= 4 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        id.to_string()
    } else {
        "(not a record identifier)".to_string()
    }
}

/// Reads records from any [`BufRead`], one line in memory at a time.
pub struct RecordReader<R> {
    input: R,
    file: String,
    line: u64,
    buf: Vec<u8>,
    finished: bool,
    eof_marker: bool,
    delivery: Option<bool>,
}

impl<R: BufRead> RecordReader<R> {
    /// `file_name` is used only in error messages.
    pub fn new(input: R, file_name: &str) -> Self {
        Self {
            input,
            file: file_name.to_string(),
            line: 0,
            buf: Vec::new(),
            finished: false,
            eof_marker: false,
            delivery: None,
        }
    }

    /// The name given to [`RecordReader::new`].
    pub fn file_name(&self) -> &str {
        &self.file
    }

    /// `Some(true)` for an insurer-side delivery, `Some(false)` for a raw UKE, `None` before
    /// the first record was read.
    pub fn is_delivery(&self) -> Option<bool> {
        self.delivery
    }

    /// Whether the 0x1A end-of-file byte has been met.
    pub fn saw_eof_marker(&self) -> bool {
        self.eof_marker
    }

    /// The next record, `Ok(None)` at the end. After an error the reader yields nothing more.
    pub fn read_record(&mut self) -> Result<Option<UkeRecord>, UkeError> {
        let result = self.read_record_inner();
        if result.is_err() {
            self.finished = true;
        }
        result
    }

    fn read_record_inner(&mut self) -> Result<Option<UkeRecord>, UkeError> {
        loop {
            if self.finished {
                return Ok(None);
            }
            self.buf.clear();
            let limit = (MAX_LINE + 1) as u64;
            let n = (&mut self.input)
                .take(limit)
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| UkeError::Io { file: self.file.clone(), source })?;
            if n == 0 {
                self.finished = true;
                return Ok(None);
            }
            self.line += 1;
            if self.buf.len() > MAX_LINE {
                return Err(UkeError::Structure {
                    file: self.file.clone(),
                    line: self.line,
                    record: "(line)".into(),
                    problem: format!("line longer than {MAX_LINE} bytes"),
                });
            }
            let mut bytes = &self.buf[..];
            if let Some(rest) = bytes.strip_suffix(b"\n") {
                bytes = rest;
            }
            if let Some(rest) = bytes.strip_suffix(b"\r") {
                bytes = rest;
            }
            // Min/max reductions (which vectorise) tell the common line — printable ASCII
            // only — from the rest.
            let low = bytes.iter().copied().min().unwrap_or(b' ');
            let high = bytes.iter().copied().max().unwrap_or(0);
            let mut control = low < 0x20 || memchr::memchr(0x7F, bytes).is_some();
            let ascii = high < 0x80;
            if control && let Some(pos) = bytes.iter().position(|&b| b == 0x1A) {
                bytes = &bytes[..pos];
                self.finished = true;
                self.eof_marker = true;
                control = bytes.iter().any(|&b| b < 0x20 || b == 0x7F);
            }
            if bytes.is_empty() {
                continue;
            }
            if !control && ascii && self.delivery == Some(false) {
                return Ok(Some(self.plain_record(bytes)));
            }
            let raw: Vec<&[u8]> = bytes.split(|&b| b == b',').collect();
            let delivery = *self.delivery.get_or_insert_with(|| looks_like_delivery(&raw));
            return self.decode(raw, delivery, !control && ascii).map(Some);
        }
    }

    /// The common case of a raw UKE: printable ASCII only, so nothing to check or decode — one
    /// copy of the line and the comma positions.
    fn plain_record(&self, bytes: &[u8]) -> UkeRecord {
        let text = std::str::from_utf8(bytes).unwrap_or_default().to_owned();
        let mut spans = Vec::with_capacity(48);
        let mut start = 0u32;
        for i in memchr::memchr_iter(b',', bytes) {
            spans.push((start, i as u32));
            start = i as u32 + 1;
        }
        spans.push((start, bytes.len() as u32));
        UkeRecord { line: self.line, text, spans, prefix: None }
    }

    /// `plain`: the line holds printable ASCII only, so no field needs checking or decoding.
    fn decode(&self, raw: Vec<&[u8]>, delivery: bool, plain: bool) -> Result<UkeRecord, UkeError> {
        let skip = if delivery { 3 } else { 0 };
        let structure = |problem: &str| UkeError::Structure {
            file: self.file.clone(),
            line: self.line,
            record: "(line)".into(),
            problem: problem.to_string(),
        };
        if delivery && (raw.len() <= skip || !raw[..skip].iter().all(|c| is_digits(c))) {
            return Err(structure(
                "an insurer-side delivery line must start with three numeric columns \
                 (データ識別, 行番号, 枝番号) and a record identifier",
            ));
        }
        let id_bytes = raw.get(skip).copied().unwrap_or_default();
        let id = match std::str::from_utf8(id_bytes) {
            Ok(s) => display_id(s),
            Err(_) => display_id(""),
        };
        let mut text = String::with_capacity(raw[skip..].iter().map(|f| f.len()).sum::<usize>() * 3 / 2);
        let mut spans = Vec::with_capacity(raw.len() - skip);
        for (i, bytes) in raw[skip..].iter().enumerate() {
            let position = i + 1;
            if plain {
                let start = text.len() as u32;
                text.push_str(std::str::from_utf8(bytes).unwrap_or_default());
                spans.push((start, text.len() as u32));
                continue;
            }
            if bytes.iter().any(|&b| b < 0x20 || b == 0x7F) {
                return Err(UkeError::Field {
                    file: self.file.clone(),
                    line: self.line,
                    record: id.clone(),
                    position,
                    name: "(any)",
                    problem: "control character inside a field".into(),
                });
            }
            let start = text.len() as u32;
            match std::str::from_utf8(bytes) {
                // ASCII (most fields: codes, digits) is the same in CP932 and UTF-8.
                Ok(ascii) if ascii.is_ascii() => text.push_str(ascii),
                _ => {
                    let decoded =
                        SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes).ok_or_else(|| {
                            UkeError::Encoding {
                                file: self.file.clone(),
                                line: self.line,
                                record: id.clone(),
                                position,
                            }
                        })?;
                    text.push_str(&decoded);
                }
            }
            spans.push((start, text.len() as u32));
        }
        let prefix =
            delivery.then(|| DeliveryPrefix { data_kind: ascii(raw[0]), row: ascii(raw[1]), branch: ascii(raw[2]) });
        Ok(UkeRecord { line: self.line, text, spans, prefix })
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = Result<UkeRecord, UkeError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.read_record().transpose()
    }
}

fn is_digits(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(u8::is_ascii_digit)
}

fn ascii(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn is_record_id(bytes: &[u8]) -> bool {
    bytes.len() == 2 && bytes.iter().all(u8::is_ascii_uppercase)
}

/// A raw UKE starts with a record identifier; a delivery with three numbers and then one.
fn looks_like_delivery(raw: &[&[u8]]) -> bool {
    match raw {
        [first, ..] if is_record_id(first) => false,
        [a, b, c, id, ..] => is_digits(a) && is_digits(b) && is_digits(c) && is_record_id(id),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Vec<Result<UkeRecord, UkeError>> {
        RecordReader::new(bytes, "t.UKE").collect()
    }

    #[test]
    fn splits_crlf_and_lone_lf_and_stops_at_eof_byte() {
        let recs = read_all(b"IR,1\r\nRE,2\nGO,3\r\n\x1aXX,garbage\r\n");
        let recs: Vec<UkeRecord> = recs.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].id(), "RE");
        assert_eq!(recs[1].line, 2);
        assert_eq!(recs[2].field(2), "3");
        assert_eq!(recs[2].field(9), "");
    }

    #[test]
    fn strips_delivery_prefix() {
        let mut r = RecordReader::new(&b"1,10,0,MN,123\r\n1,11,0,RE,1\r\n"[..], "d.CSV");
        let mn = r.read_record().unwrap().unwrap();
        assert_eq!(r.is_delivery(), Some(true));
        assert_eq!(mn.id(), "MN");
        assert_eq!(mn.prefix.as_ref().unwrap().row, "10");
        assert_eq!(r.read_record().unwrap().unwrap().field(2), "1");
    }

    #[test]
    fn debug_shows_no_values() {
        let (bytes, _, _) = SHIFT_JIS.encode("RE,1,1112,202504,山田　太郎\r\n");
        let r = RecordReader::new(&bytes[..], "t").next();
        let text = format!("{:?}", r.unwrap().unwrap());
        assert!(!text.contains("山田"), "{text}");
    }
}
