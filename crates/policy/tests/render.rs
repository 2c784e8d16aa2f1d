//! The rendered notice says everything the published one says: every purpose line, every data
//! item (with its 【detail】 and notes) and every contractor with its work, in the original's
//! order, compared after normalising whitespace and bullets.
//!
//! The original is docs/published-notice.ja.txt, a copy of ../shared/mission/published-notice.ja.txt
//! (checked to be identical when that folder is present).

use kenpo_policy::catalogue::Catalogue;
use std::path::PathBuf;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn original() -> String {
    std::fs::read_to_string(repo().join("docs/published-notice.ja.txt")).expect("docs/published-notice.ja.txt")
}

/// Drops whitespace (incl. full-width), bullets and table/markup punctuation.
fn norm(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && !matches!(c, '・' | '|' | '-' | '\u{3000}')).collect::<String>()
}

/// Strips the HTML-ish markup the original's 別表1 cells carry.
fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out
}

/// A contractor row of the original: number, name, work.
type ContractorRow = (String, String, String);

/// The pieces of the original, derived from its text alone.
fn original_pieces() -> (Vec<String>, Vec<String>, Vec<ContractorRow>) {
    let text = original();
    let mut purposes = Vec::new();
    let mut data = Vec::new();
    let mut contractors = Vec::new();
    let mut in_table1 = false;
    let mut in_contractors = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("別表1") {
            in_table1 = true;
            continue;
        }
        if t.starts_with("別表2") {
            in_table1 = false;
            continue;
        }
        if t.starts_with("業務委託先 一覧") {
            in_contractors = true;
            continue;
        }
        if in_table1 && line.contains('\t') && !t.starts_with("個人情報の種類") {
            let (label, content) = line.split_once('\t').unwrap();
            data.push(label.trim().to_string());
            // Each ・item, 【detail】 and <p>note</p> of the cell is a piece. Bullets are a ・ at
            // the start of a segment or after a space (a ・ inside words, as in 取得・喪失, is not).
            let segmented = content.replace("<p>", "\n").replace("</p>", "\n");
            for segment in strip_tags(&segmented).split('\n') {
                let spaced = format!(" {segment}");
                for item in spaced.split(" ・") {
                    for piece in item.split(['【', '】']) {
                        let p = piece.trim();
                        if !p.is_empty() {
                            data.push(p.to_string());
                        }
                    }
                }
            }
        }
        if let Some(rest) = t.strip_prefix("- ・") {
            purposes.push(rest.trim().to_string());
        }
        if in_contractors {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() == 3 && cols[0].trim().parse::<u32>().is_ok() {
                contractors.push((cols[0].trim().to_string(), cols[1].trim().to_string(), cols[2].trim().to_string()));
            }
        }
    }
    (purposes, data, contractors)
}

#[test]
fn the_copy_is_the_published_notice() {
    let shared = repo().join("../shared/mission/published-notice.ja.txt");
    if let Ok(text) = std::fs::read_to_string(&shared) {
        assert_eq!(text, original(), "docs/published-notice.ja.txt differs from the mission's notice");
    }
}

#[test]
fn rendering_holds_every_line_of_the_original_in_order() {
    let c = Catalogue::default_catalogue().expect("shipped catalogue loads");
    let md = norm(&kenpo_policy::render::markdown(&c));
    let html = norm(&strip_tags(&kenpo_policy::render::html(&c)).replace("&amp;", "&"));
    let (purposes, data, contractors) = original_pieces();
    assert_eq!(purposes.len(), 40, "the original lists 40 uses");
    assert_eq!(contractors.len(), 18, "the original lists 18 contractors");
    assert!(data.len() > 15, "別表1 pieces found: {}", data.len());
    for rendered in [&md, &html] {
        let mut from = 0;
        for piece in purposes.iter().chain(data.iter()) {
            let n = norm(piece);
            assert!(rendered.contains(&n), "missing from the rendering: {piece}");
        }
        // Purposes keep the original's order.
        for p in &purposes {
            let n = norm(p);
            let at = rendered[from..].find(&n).map(|i| i + from);
            assert!(at.is_some(), "purpose out of order: {p}");
            from = at.unwrap_or(from);
        }
        let mut from = 0;
        for (number, name, work) in &contractors {
            let row = norm(&format!("{number}{name}{work}"));
            let at = rendered[from..].find(&row).map(|i| i + from);
            assert!(at.is_some(), "contractor {number} {name} with its work is missing or out of order");
            from = at.unwrap_or(from);
        }
    }
}
