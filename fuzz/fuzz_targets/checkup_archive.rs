//! 特定健診 / 特定保健指導 archives (hc08 / hg08 送付用ファイルアーカイブ) and their documents.
//!
//! * Input that starts with `PK` is a ZIP: it is read as a 特定健診 archive (index and every
//!   hc08 document) and as a 特定保健指導 archive (every hg08 document).
//! * Any other input is one document: a fuzzer mutating a deflated ZIP rarely reaches the XML
//!   readers, so the bytes are wrapped in a stored ZIP with a valid index and read through
//!   both archive readers, and, when UTF-8, through `read_checkup_document` as well.
//!
//! Errors are expected; only a panic, a hang or runaway memory is a bug. Keep `check` and
//! `stored_zip` in step with /tmp/fuzz_regressions.rs (crates/formats/tests).

#![no_main]

use kenpo_formats::checkup_xml::{NS_INDEX_MHLW, read_checkup_archive, read_checkup_document, read_guidance_archive};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;

fuzz_target!(|data: &[u8]| check(data));

fn check(data: &[u8]) {
    if data.starts_with(b"PK") {
        let _ = read_checkup_archive(Cursor::new(data), "1234567890_12345678_202401010_1.zip");
        let _ = read_guidance_archive(Cursor::new(data), "1234567890_12345678_202401010_2.zip");
        return;
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = read_checkup_document(text, "h0000000001.xml");
    }
    for kind in [1u8, 2] {
        let root = format!("1234567890_12345678_202401010_{kind}");
        let index = index_xml(kind);
        let zip = stored_zip(&[
            (&format!("{root}/ix08_V08.xml"), index.as_bytes()),
            (&format!("{root}/DATA/h0000000001.xml"), data),
        ]);
        let name = format!("{root}.zip");
        if kind == 1 {
            let _ = read_checkup_archive(Cursor::new(&zip), &name);
        } else {
            let _ = read_guidance_archive(Cursor::new(&zip), &name);
        }
    }
}

/// A valid ix08 index for one document of 実施区分 `kind`.
fn index_xml(kind: u8) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<index xmlns=\"{NS_INDEX_MHLW}\">\
         <interactionType code=\"6\"/><creationTime value=\"20240101\"/>\
         <sender><id root=\"1.2.392.200119.6.102\" extension=\"1234567890\"/></sender>\
         <receiver><id root=\"1.2.392.200119.6.101\" extension=\"12345678\"/></receiver>\
         <serviceEventType code=\"{kind}\"/><totalRecordCount value=\"1\"/></index>\n"
    )
}

/// CRC-32 (IEEE), as ZIP uses it.
fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *slot = c;
        }
        t
    });
    !bytes.iter().fold(!0u32, |c, &b| table[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8))
}

/// A ZIP with the entries stored (no compression), names flagged UTF-8.
fn stored_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, body) in entries {
        let offset = out.len() as u32;
        let crc = crc32(body);
        let size = body.len() as u32;
        // Local file header.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&20u16.to_le_bytes()); // version needed
        out.extend_from_slice(&0x0800u16.to_le_bytes()); // flags: UTF-8 name
        out.extend_from_slice(&0u16.to_le_bytes()); // stored
        out.extend_from_slice(&0u16.to_le_bytes()); // time
        out.extend_from_slice(&0x0021u16.to_le_bytes()); // date 1980-01-01
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // extra
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);
        // Central directory entry.
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20u16.to_le_bytes()); // version needed
        central.extend_from_slice(&0x0800u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0x0021u16.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0u8; 12]); // extra, comment, disk, internal attrs, external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]); // disk numbers
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&central_size.to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment
    out
}
