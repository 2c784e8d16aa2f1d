//! The 送付用ファイルアーカイブ: a ZIP whose root folder holds the index `ix08_V08.xml` and a
//! `DATA/` folder with one CDA document per person.

use super::document::{self, CheckupWarning, render};
use super::guidance;
use super::items::oid;
use super::xml::{self, Ctx, attr, child, date_attr, descend};
use super::{ArchiveHeader, CheckupArchive, CheckupXmlError, Location, NS_INDEX_2007, NS_INDEX_MHLW};
use kenpo_domain::checkup::CheckupRecord;
use kenpo_domain::checkup::GuidanceReport;
use std::io::{Read, Seek, Write};
use zip::write::SimpleFileOptions;

const INDEX_FILE: &str = "ix08_V08.xml";
/// 種別 6: 健診・保健指導機関 → 保険者.
const INTERACTION_INSTITUTION_TO_INSURER: &str = "6";
/// 実施区分 1: 特定健診.
const SERVICE_CHECKUP: u8 = 1;
/// 実施区分 2: 特定保健指導.
const SERVICE_GUIDANCE: u8 = 2;
/// Upper bound for one file inside an archive; a document is a few tens of KiB.
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Most DATA documents one archive may hold (a real one holds hundreds to a few thousand).
pub const MAX_DOCUMENTS: usize = 100_000;
/// Most bytes all of an archive's files may inflate to (a document is ~7 KB: 100,000 of them
/// are ~700 MB). Checked as the files are read, so a zip bomb stops at this many bytes.
pub const MAX_ARCHIVE_BYTES: u64 = 1024 * 1024 * 1024;

/// Writes a 送付用ファイルアーカイブ ZIP: `<root>/ix08_V08.xml` (index, 種別 6 機関→保険者) and
/// `<root>/DATA/h….xml`, one hc08 CDA per record. Everything is checked before the first byte
/// is written: header fields, and every record against the item table (units are written in
/// the table's spelling). The 集計情報 su08 and CLAIMS folder are not written (no 決済 data).
pub fn write_checkup_archive<W: Write + Seek>(
    out: W,
    header: &ArchiveHeader,
    records: &[CheckupRecord],
) -> Result<(), CheckupXmlError> {
    let names = check_header(header, SERVICE_CHECKUP, records.len())?;
    let root = header.archive_name();
    let mut documents = Vec::with_capacity(records.len());
    for (record, name) in records.iter().zip(&names) {
        let file = format!("{root}/DATA/{name}.xml");
        let results = document::validate_for_write(record).map_err(|(path, expected)| CheckupXmlError::Invalid {
            at: Location { archive: format!("{root}.zip"), file: file.clone(), path },
            expected,
        })?;
        let canonical = CheckupRecord { results, ..record.clone() };
        documents.push((file, render(&canonical, name, header.created_on)));
    }
    write_zip(out, header, &documents)
}

/// Writes a 特定保健指導 archive (実施区分 2): the index and one hg08 CDA per report, as a
/// guidance contractor sends it back. The hg08 layout is the subset described in
/// `guidance.rs` (unverified against the MHLW 5-1A spec).
pub fn write_guidance_archive<W: Write + Seek>(
    out: W,
    header: &ArchiveHeader,
    reports: &[GuidanceReport],
) -> Result<(), CheckupXmlError> {
    let names = check_header(header, SERVICE_GUIDANCE, reports.len())?;
    let root = header.archive_name();
    let documents: Vec<(String, String)> = reports
        .iter()
        .zip(&names)
        .map(|(r, name)| (format!("{root}/DATA/{name}.xml"), guidance::render(r, name, header.created_on)))
        .collect();
    write_zip(out, header, &documents)
}

/// Checks the header for an archive of `kind` with `count` documents; returns the DATA file
/// names (`h` + 機関番号 + 作成日 + 同日回数 + 実施区分 + 連番, without `.xml`).
fn check_header(header: &ArchiveHeader, kind: u8, count: usize) -> Result<Vec<String>, CheckupXmlError> {
    let root = header.archive_name();
    let bad_header = |path: &str, expected: &str| CheckupXmlError::Invalid {
        at: Location { archive: format!("{root}.zip"), file: format!("{root}/{INDEX_FILE}"), path: path.to_string() },
        expected: expected.to_string(),
    };
    if !xml::is_digits(&header.sender_institution, 10, 10) {
        return Err(bad_header("/index/sender/id", "送付元機関番号 of 10 digits"));
    }
    if !xml::is_digits(&header.receiver_insurer, 8, 8) {
        return Err(bad_header("/index/receiver/id", "送付先保険者番号 of 8 digits"));
    }
    if header.sequence > 9 {
        return Err(bad_header("", "同日回数 0-9"));
    }
    if header.service_kind != kind {
        return Err(bad_header("/index/serviceEventType", &format!("実施区分 {kind}")));
    }
    if count == 0 || count > 999_999 {
        return Err(bad_header("/index/totalRecordCount", "1 to 999999 records"));
    }
    let stamp = header.created_on.format("%Y%m%d");
    Ok((1..=count)
        .map(|n| format!("h{}{}{}{}{n:06}", header.sender_institution, stamp, header.sequence, header.service_kind))
        .collect())
}

/// The ZIP itself: root folder, index, DATA documents.
fn write_zip<W: Write + Seek>(
    out: W,
    header: &ArchiveHeader,
    documents: &[(String, String)],
) -> Result<(), CheckupXmlError> {
    let root = header.archive_name();
    let write_err = |file: &str, e: &dyn std::fmt::Display| CheckupXmlError::Write {
        at: Location { archive: format!("{root}.zip"), file: file.to_string(), path: String::new() },
        reason: e.to_string(),
    };
    let index_file = format!("{root}/{INDEX_FILE}");
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut zip = zip::ZipWriter::new(out);
    zip.add_directory(format!("{root}/"), options).map_err(|e| write_err("", &e))?;
    zip.add_directory(format!("{root}/DATA/"), options).map_err(|e| write_err("", &e))?;
    zip.start_file(index_file.as_str(), options).map_err(|e| write_err(&index_file, &e))?;
    zip.write_all(render_index(header, documents.len()).as_bytes()).map_err(|e| write_err(&index_file, &e))?;
    for (file, text) in documents {
        zip.start_file(file.as_str(), options).map_err(|e| write_err(file, &e))?;
        zip.write_all(text.as_bytes()).map_err(|e| write_err(file, &e))?;
    }
    zip.finish().map_err(|e| write_err("", &e))?;
    Ok(())
}

/// The ix08 index, in the MHLW-URL namespace of the current XSD bundle.
fn render_index(header: &ArchiveHeader, count: usize) -> String {
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<index xmlns=\"{NS_INDEX_MHLW}\" xmlns:xsi=\"{}\" \
         xsi:schemaLocation=\"{NS_INDEX_MHLW} XSD/ix08_V08.xsd\">\n",
        xml::NS_XSI
    ));
    x.push_str(&format!("<interactionType code=\"{INTERACTION_INSTITUTION_TO_INSURER}\"/>\n"));
    x.push_str(&format!("<creationTime value=\"{}\"/>\n", header.created_on.format("%Y%m%d")));
    x.push_str(&format!(
        "<sender><id root=\"{}\" extension=\"{}\"/></sender>\n",
        oid::INSTITUTION,
        xml::escape(&header.sender_institution)
    ));
    x.push_str(&format!(
        "<receiver><id root=\"{}\" extension=\"{}\"/></receiver>\n",
        oid::INSURER,
        xml::escape(&header.receiver_insurer)
    ));
    x.push_str(&format!("<serviceEventType code=\"{}\"/>\n", header.service_kind));
    x.push_str(&format!("<totalRecordCount value=\"{count}\"/>\n"));
    x.push_str("</index>\n");
    x
}

/// What the index says.
struct Index {
    sender: String,
    receiver: Option<String>,
    created_on: chrono::NaiveDate,
    service_kind: u8,
    total: u32,
}

fn read_index(text: &str, ctx: Ctx, expected_kind: u8) -> Result<Index, CheckupXmlError> {
    let doc = ctx.parse(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "index" {
        return Err(ctx.invalid(root, "root element index"));
    }
    if !matches!(root.tag_name().namespace(), Some(NS_INDEX_MHLW | NS_INDEX_2007)) {
        return Err(CheckupXmlError::WrongNamespace {
            at: ctx.at(Some(root)),
            expected: format!("{NS_INDEX_MHLW} or {NS_INDEX_2007}"),
        });
    }
    let interaction = descend(&ctx, root, &["interactionType"])?;
    if !xml::is_digits(attr(&ctx, interaction, "code")?, 1, 2) {
        return Err(ctx.invalid(interaction, "種別 code 1-20"));
    }
    let created_on = date_attr(&ctx, descend(&ctx, root, &["creationTime"])?, "value", "作成日")?;
    let sender_id = descend(&ctx, root, &["sender", "id"])?;
    let sender = attr(&ctx, sender_id, "extension")?.trim();
    if !xml::is_digits(sender, 1, 10) {
        return Err(ctx.invalid(sender_id, "送付元番号 of up to 10 digits"));
    }
    let receiver = match child(root, "receiver") {
        None => None,
        Some(r) => {
            let id = descend(&ctx, r, &["id"])?;
            let v = attr(&ctx, id, "extension")?.trim();
            if !xml::is_digits(v, 1, 10) {
                return Err(ctx.invalid(id, "送付先番号 of up to 10 digits"));
            }
            Some(v.to_string())
        }
    };
    let kind_node = descend(&ctx, root, &["serviceEventType"])?;
    let service_kind: u8 =
        attr(&ctx, kind_node, "code")?.trim().parse().map_err(|_| ctx.invalid(kind_node, "実施区分 code 1-9"))?;
    if service_kind != expected_kind {
        let what = if expected_kind == SERVICE_CHECKUP { "1 (特定健診)" } else { "2 (特定保健指導)" };
        return Err(ctx.invalid(kind_node, format!("実施区分 {what} for this kind of archive")));
    }
    let total_node = descend(&ctx, root, &["totalRecordCount"])?;
    let total: u32 = attr(&ctx, total_node, "value")?
        .trim()
        .parse()
        .map_err(|_| ctx.invalid(total_node, "totalRecordCount as a whole number"))?;
    Ok(Index { sender: sender.to_string(), receiver, created_on, service_kind, total })
}

/// Reads a whole archive: the index and every DATA document, all or nothing (the first error
/// fails it). `archive_name` is used in errors, and for the 同日回数, which only the archive or
/// root folder name carries (0 when neither has the standard shape). Nothing else is taken from
/// file names: header fields come from the index, record fields from the documents.
/// `totalRecordCount` must equal the DATA documents (or DATA + CLAIMS files, when CLAIMS exist).
pub fn read_checkup_archive<R: Read + Seek>(input: R, archive_name: &str) -> Result<CheckupArchive, CheckupXmlError> {
    read_checkup_archive_within(input, archive_name, ArchiveLimits::default())
}

/// What one archive may hold: DATA documents, and bytes its files inflate to in all.
#[derive(Clone, Copy, Debug)]
pub struct ArchiveLimits {
    pub documents: usize,
    pub inflated_bytes: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self { documents: MAX_DOCUMENTS, inflated_bytes: MAX_ARCHIVE_BYTES }
    }
}

/// [`read_checkup_archive`] with other limits (tests use small ones).
pub fn read_checkup_archive_within<R: Read + Seek>(
    input: R,
    archive_name: &str,
    limits: ArchiveLimits,
) -> Result<CheckupArchive, CheckupXmlError> {
    let (header, declared_count, read) = read_archive(input, archive_name, SERVICE_CHECKUP, document::read, limits)?;
    let mut records = Vec::with_capacity(read.len());
    let mut warnings = Vec::new();
    let mut left_out = 0;
    for (record, w) in read {
        records.push(record);
        let room = document::MAX_ARCHIVE_WARNINGS.saturating_sub(warnings.len());
        left_out += w.len().saturating_sub(room);
        warnings.extend(w.into_iter().take(room));
    }
    if left_out > 0 {
        warnings.push(CheckupWarning::More { archive: archive_name.to_string(), count: left_out });
    }
    Ok(CheckupArchive { header, declared_count, records, warnings })
}

/// Reads a 特定保健指導 archive (実施区分 2, one hg08 document per person) the same way as
/// [`read_checkup_archive`]: all or nothing, header from the index.
pub fn read_guidance_archive<R: Read + Seek>(
    input: R,
    archive_name: &str,
) -> Result<(ArchiveHeader, Vec<GuidanceReport>), CheckupXmlError> {
    let (header, _, reports) =
        read_archive(input, archive_name, SERVICE_GUIDANCE, guidance::read, ArchiveLimits::default())?;
    Ok((header, reports))
}

type ReadDocument<T> = fn(&str, Ctx) -> Result<T, CheckupXmlError>;

fn read_archive<R: Read + Seek, T>(
    input: R,
    archive_name: &str,
    service_kind: u8,
    read_document: ReadDocument<T>,
    limits: ArchiveLimits,
) -> Result<(ArchiveHeader, u32, Vec<T>), CheckupXmlError> {
    let archive = archive_name.to_string();
    let mut zip = zip::ZipArchive::new(input)
        .map_err(|e| CheckupXmlError::NotZip { archive: archive.clone(), reason: e.to_string() })?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();

    let indexes: Vec<&String> =
        names.iter().filter(|n| n.rsplit('/').next().is_some_and(|b| b.eq_ignore_ascii_case(INDEX_FILE))).collect();
    let [index_name] = indexes.as_slice() else {
        return Err(CheckupXmlError::MissingIndex { archive, found: indexes.len() });
    };
    let root = &index_name[..index_name.len() - INDEX_FILE.len()];

    let under = |folder: &str| {
        let prefix = format!("{root}{folder}/");
        names
            .iter()
            .filter(move |n| {
                n.len() >= prefix.len()
                    && n.is_char_boundary(prefix.len())
                    && n[..prefix.len()].eq_ignore_ascii_case(&prefix)
            })
            .cloned()
            .collect::<Vec<String>>()
    };
    let is_xml =
        |n: &String| n.len() > 4 && n.is_char_boundary(n.len() - 4) && n[n.len() - 4..].eq_ignore_ascii_case(".xml");
    let data_entries = under("DATA");
    if data_entries.is_empty() {
        return Err(CheckupXmlError::MissingDataFolder { archive });
    }
    let mut documents: Vec<String> = data_entries.into_iter().filter(is_xml).collect();
    documents.sort();
    if documents.is_empty() {
        return Err(CheckupXmlError::NoDocuments { archive });
    }
    if documents.len() > limits.documents {
        return Err(CheckupXmlError::Unreadable {
            at: Location { archive: archive.clone(), file: String::new(), path: String::new() },
            reason: format!(
                "{} DATA documents, more than the {} one archive may hold",
                documents.len(),
                limits.documents
            ),
        });
    }
    let claims = under("CLAIMS").into_iter().filter(is_xml).count();

    let mut budget = Budget { left: limits.inflated_bytes, limit: limits.inflated_bytes };
    let index_text = read_entry(&mut zip, &archive, index_name, &mut budget)?;
    let index = read_index(&index_text, Ctx { archive: &archive, file: index_name }, service_kind)?;
    let declared = usize::try_from(index.total).unwrap_or(usize::MAX);
    if declared != documents.len() && (claims == 0 || declared != documents.len() + claims) {
        return Err(CheckupXmlError::CountMismatch { archive, declared: index.total, found: documents.len() });
    }

    let root_folder = root.trim_end_matches('/');
    let from_name = ArchiveHeader::parse_name(root_folder).or_else(|| ArchiveHeader::parse_name(archive_name));
    let receiver =
        index.receiver.or_else(|| from_name.as_ref().map(|h| h.receiver_insurer.clone())).unwrap_or_default();
    let header = ArchiveHeader {
        sender_institution: index.sender,
        receiver_insurer: receiver,
        created_on: index.created_on,
        sequence: from_name.map_or(0, |h| h.sequence),
        service_kind: index.service_kind,
    };

    let mut records = Vec::with_capacity(documents.len());
    let mut seen = std::collections::HashMap::new();
    for name in &documents {
        let text = read_entry(&mut zip, &archive, name, &mut budget)?;
        // The same document twice in one archive (byte for byte, under two names) is refused;
        // the store also refuses a document whose person, day and 健診機関 it already holds.
        let digest = fnv1a(text.as_bytes());
        if let Some(first) = seen.insert(digest, name.clone())
            && read_entry(&mut zip, &archive, &first, &mut budget)? == text
        {
            return Err(CheckupXmlError::Unreadable {
                at: Location { archive: archive.clone(), file: name.clone(), path: String::new() },
                reason: format!("the same document as {first}: an archive holds each document once"),
            });
        }
        records.push(read_document(&text, Ctx { archive: &archive, file: name })?);
    }
    Ok((header, index.total, records))
}

/// Inflated bytes left to read in one archive.
struct Budget {
    left: u64,
    limit: u64,
}

/// FNV-1a, 64 bits: a cheap fingerprint to find candidate duplicate documents (a match is
/// confirmed byte for byte, so collisions cost a re-read, never a wrong refusal).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// One file of the archive as UTF-8 text, bounded in size, counted against the archive's
/// budget of inflated bytes.
fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    archive: &str,
    name: &str,
    budget: &mut Budget,
) -> Result<String, CheckupXmlError> {
    let unreadable = |reason: String| CheckupXmlError::Unreadable {
        at: Location { archive: archive.to_string(), file: name.to_string(), path: String::new() },
        reason,
    };
    let file = zip.by_name(name).map_err(|e| unreadable(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(unreadable(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    let limit = budget.limit;
    budget.left = budget
        .left
        .checked_sub(bytes.len() as u64)
        .ok_or_else(|| unreadable(format!("the archive's files inflate to more than {limit} bytes in all")))?;
    String::from_utf8(bytes).map_err(|_| unreadable("not UTF-8 text".to_string()))
}
