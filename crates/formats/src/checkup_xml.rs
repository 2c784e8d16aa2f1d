//! 特定健診 XML: the 送付用ファイルアーカイブ (ZIP) a 健診機関 sends, with its index (ix08) and one
//! HL7 CDA R2 document (hc08) per person.
//!
//! Layout and codes follow the MHLW 電子的な標準様式 as recorded in
//! `reference/tokutei-kenshin-xml.md`. The reader is strict where a silent mistake would reach
//! 階層化 (unknown item codes, PQ without or with the wrong unit, bad dates, index count ≠
//! documents) and lenient where real files legitimately differ (two index namespaces, item
//! `codeSystem` omitted, `mmHg` for `mm[Hg]`, full-width 記号, result groups).
//!
//! Errors name the archive, the file inside it, an element path and what was expected; they never
//! carry personal values (names, 記号・番号, dates of birth, results).

mod archive;
mod document;
mod findings;
mod guidance;
pub mod items;
mod xml;

pub use archive::{
    ArchiveLimits, MAX_ARCHIVE_BYTES, MAX_DOCUMENTS, read_checkup_archive, read_checkup_archive_within,
    read_guidance_archive, write_checkup_archive, write_guidance_archive,
};
pub use document::{CheckupWarning, MAX_ARCHIVE_WARNINGS, read_checkup_document, write_checkup_document};
pub use findings::findings;
pub use guidance::GUIDANCE_CLASS_OID;
pub use items::*;

use chrono::NaiveDate;
use std::fmt;

/// Index namespace of the 2008-era XSD copies.
pub const NS_INDEX_2007: &str = "http://tokuteikenshin.jp/checkup/2007";
/// Index namespace of the newer XSD bundle and recent files (the one we write).
pub const NS_INDEX_MHLW: &str = "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html";
/// Namespace of CDA documents.
pub const NS_HL7: &str = "urn:hl7-org:v3";

/// 交換用基本情報 of one archive, plus the 同日回数 that only its name carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveHeader {
    /// 送付元機関番号: 10 digits for a 健診機関.
    pub sender_institution: String,
    /// 送付先 保険者番号: 8 digits.
    pub receiver_insurer: String,
    /// 作成日.
    pub created_on: NaiveDate,
    /// 同日回数 0–9 (several archives on one day).
    pub sequence: u8,
    /// 実施区分: 1 特定健診, 2 特定保健指導.
    pub service_kind: u8,
}

impl ArchiveHeader {
    /// `<送付元 10>_<送付先 8>_<YYYYMMDD><N>_<実施区分>`, the ZIP name (without `.zip`) and its root
    /// folder.
    pub fn archive_name(&self) -> String {
        format!(
            "{}_{}_{}{}_{}",
            self.sender_institution,
            self.receiver_insurer,
            self.created_on.format("%Y%m%d"),
            self.sequence,
            self.service_kind
        )
    }

    /// Parses an archive name as [`Self::archive_name`] writes it; a directory prefix and a
    /// `.zip` suffix are ignored. `None` when it does not have that shape.
    pub fn parse_name(name: &str) -> Option<Self> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let base = match base.len().checked_sub(4) {
            Some(cut) if base.is_char_boundary(cut) && base[cut..].eq_ignore_ascii_case(".zip") => &base[..cut],
            _ => base,
        };
        let parts: Vec<&str> = base.split('_').collect();
        let [sender, receiver, stamp, kind] = parts.as_slice() else {
            return None;
        };
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(sender, 10) && digits(receiver, 8) && digits(stamp, 9) && digits(kind, 1)) {
            return None;
        }
        Some(Self {
            sender_institution: sender.to_string(),
            receiver_insurer: receiver.to_string(),
            created_on: NaiveDate::parse_from_str(&stamp[..8], "%Y%m%d").ok()?,
            sequence: stamp[8..].parse().ok()?,
            service_kind: kind.parse().ok()?,
        })
    }
}

/// A whole archive as read: its header, the count its index declares, and every document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckupArchive {
    /// From the index (and the 同日回数 from the archive name).
    pub header: ArchiveHeader,
    /// `totalRecordCount` of the index (checked against the documents found).
    pub declared_count: u32,
    /// One record per DATA document, in file-name order.
    pub records: Vec<kenpo_domain::checkup::CheckupRecord>,
    /// What the documents hold that was not read (items outside their table), in file order.
    pub warnings: Vec<CheckupWarning>,
}

/// Where something went wrong: archive, file inside it, element path. Never holds values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// Archive name as given by the caller (empty when a single document is read).
    pub archive: String,
    /// File name (path inside the archive).
    pub file: String,
    /// Element path, XPath-like (`/ClinicalDocument/recordTarget/...`); empty for file-level.
    pub path: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        for part in [&self.archive, &self.file, &self.path] {
            if !part.is_empty() {
                write!(f, "{sep}{part}")?;
                sep = ": ";
            }
        }
        if sep.is_empty() {
            f.write_str("(input)")?;
        }
        Ok(())
    }
}

/// Everything that can fail reading or writing 特定健診 XML.
///
/// Field conventions: `archive` is the archive name the caller gave; `at` locates the problem;
/// `reason` is a library message (ZIP / I/O) that holds no document content; `expected` says
/// what the format requires there. None of them carries a personal value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // field meanings are given once, above
pub enum CheckupXmlError {
    /// The input is not a ZIP archive, or its directory cannot be read.
    #[error("{archive}: not a readable ZIP archive ({reason})")]
    NotZip { archive: String, reason: String },
    /// A file inside the archive cannot be read (I/O, decompression, size, encoding).
    #[error("{at}: cannot read the file ({reason})")]
    Unreadable { at: Location, reason: String },
    /// Not well-formed XML; only the position is reported, as parser messages may quote text.
    #[error("{at}: not well-formed XML (line {line}, column {column})")]
    Malformed { at: Location, line: u32, column: u32 },
    /// No `ix08_V08.xml`, or more than one (`found`).
    #[error("{archive}: expected exactly one index file ix08_V08.xml, found {found}")]
    MissingIndex { archive: String, found: usize },
    /// No `DATA/` folder beside the index.
    #[error("{archive}: expected a DATA folder beside ix08_V08.xml")]
    MissingDataFolder { archive: String },
    /// `DATA/` holds no `.xml` document.
    #[error("{archive}: the DATA folder holds no XML documents")]
    NoDocuments { archive: String },
    /// The index's `totalRecordCount` (`declared`) disagrees with the documents `found`.
    #[error("{archive}: index declares {declared} documents, the archive holds {found}")]
    CountMismatch { archive: String, declared: u32, found: usize },
    /// The root element is in the wrong namespace.
    #[error("{at}: wrong namespace, expected {expected}")]
    WrongNamespace { at: Location, expected: String },
    /// Anything else that is not what the format requires.
    #[error("{at}: expected {expected}")]
    Invalid { at: Location, expected: String },
    /// Writing failed (ZIP or I/O).
    #[error("{at}: cannot write ({reason})")]
    Write { at: Location, reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> ArchiveHeader {
        ArchiveHeader {
            sender_institution: "1322100106".into(),
            receiver_insurer: "06139463".into(),
            created_on: NaiveDate::from_ymd_opt(2026, 8, 10).unwrap(),
            sequence: 0,
            service_kind: 1,
        }
    }

    #[test]
    fn archive_name_has_the_spec_shape() {
        assert_eq!(header().archive_name(), "1322100106_06139463_202608100_1");
    }

    #[test]
    fn archive_names_parse_back() {
        assert_eq!(ArchiveHeader::parse_name("in/1322100106_06139463_202608100_1.ZIP"), Some(header()));
        assert_eq!(ArchiveHeader::parse_name("1322100106_06139463_202608100_1"), Some(header()));
        assert_eq!(ArchiveHeader::parse_name("1322100106_06139463_202613400_1.zip"), None);
        assert_eq!(ArchiveHeader::parse_name("results.zip"), None);
        assert_eq!(ArchiveHeader::parse_name("ü"), None);
    }

    #[test]
    fn locations_print_only_what_is_known() {
        let at = Location { archive: "a.zip".into(), file: "DATA/h1.xml".into(), path: "/x".into() };
        assert_eq!(at.to_string(), "a.zip: DATA/h1.xml: /x");
        let at = Location { file: "h1.xml".into(), ..Location::default() };
        assert_eq!(at.to_string(), "h1.xml");
    }
}
