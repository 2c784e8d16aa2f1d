//! The printable papers: 資格確認書 and 資格情報のお知らせ as PDF (krilla), A4 or card size
//! (85.6 × 54 mm, the size of the old 被保険者証), with IPAexGothic embedded (subset; IPA Font
//! License v1.0, `crates/app/fonts/LICENSE-IPAexGothic.txt`), so the file prints the same on
//! any machine.
//!
//! Items (docs/research/eligibility-filings.md §5; the 省令's list itself was not found): 記号・
//! 番号・枝番, 氏名, 生年月日, 性別 (資格確認書 only), 保険者名称・番号, 資格取得年月日, 本人・家族の別
//! (with the 被保険者氏名 for a 家族), 有効期限 (資格確認書 only), 交付年月日, and for ages 70–74 the
//! 一部負担金の割合 and the month it applies from.

use kenpo_domain::era::era_date;
use kenpo_store::CertificateRow;
use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::text::{Font, TextDirection};

static FONT: &[u8] = include_bytes!("../fonts/ipaexg.ttf");

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// A4 portrait (210 × 297 mm): one certificate a page, for mailing.
    A4,
    /// Card (85.6 × 54 mm).
    Card,
}

impl Paper {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "a4" => Some(Paper::A4),
            "card" => Some(Paper::Card),
            _ => None,
        }
    }
    /// Width and height in points (1 mm = 72 / 25.4 pt).
    pub fn size_pt(self) -> (f32, f32) {
        let mm = 72.0 / 25.4;
        match self {
            Paper::A4 => (210.0 * mm, 297.0 * mm),
            Paper::Card => (85.6 * mm, 54.0 * mm),
        }
    }
}

/// 令和8年4月 (the era's year and month, for "from" months).
fn era_month(day: chrono::NaiveDate) -> String {
    let full = era_date(day);
    full.split_once('月').map(|(head, _)| format!("{head}月")).unwrap_or(full)
}

fn ymd(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").map(era_date).unwrap_or_default()
}

/// The lines on one paper, label and value, in print order.
pub fn certificate_lines(row: &CertificateRow, insurer_name: &str, issued_by: &str) -> (String, Vec<(String, String)>) {
    let certificate = row.kind == "certificate";
    let title = if certificate { "健康保険 資格確認書" } else { "資格情報のお知らせ" };
    let mut lines = vec![
        ("記号・番号（枝番）".to_string(), format!("{}・{}（{:02}）", row.card.0, row.card.1, row.card.2)),
        ("氏名".into(), row.name_kanji.clone()),
        ("生年月日".into(), ymd(&row.birth_date)),
    ];
    if certificate {
        lines.push(("性別".into(), if row.sex == 1 { "男" } else { "女" }.into()));
    }
    lines.push(("本人・家族の別".into(), row.family.clone()));
    if let Some(member) = &row.member_name {
        lines.push(("被保険者氏名".into(), member.clone()));
    }
    if let Some(acquired) = &row.acquired_on {
        lines.push(("資格取得年月日".into(), ymd(acquired)));
    }
    if let Some((share, from)) = &row.elderly {
        let from = from.parse::<kenpo_domain::YearMonth>().map(|m| era_month(m.first_day())).unwrap_or_default();
        lines.push(("一部負担金の割合".into(), format!("{share}割（{from}から）")));
    }
    if certificate {
        let until = row.valid_until.as_deref().map(ymd).unwrap_or_else(|| "—".into());
        lines.push(("有効期限".into(), until));
    }
    lines.push(("交付年月日".into(), ymd(&row.issued_on)));
    lines.push(("保険者番号".into(), row.insurer_number.clone()));
    lines.push(("保険者名称".into(), insurer_name.to_string()));
    let note = if certificate {
        "この資格確認書を医療機関等の窓口に提示してください。"
    } else {
        "このお知らせだけでは受診できません。マイナ保険証と一緒にお使いください。"
    };
    lines.push(("".into(), note.into()));
    lines.push(("".into(), issued_by.to_string()));
    (title.to_string(), lines)
}

/// One PDF with a page per certificate.
pub fn certificates_pdf(rows: &[CertificateRow], insurer_name: &str, paper: Paper) -> Result<Vec<u8>, String> {
    let font = Font::new(FONT.into(), 0).ok_or("the embedded font could not be read")?;
    let mut document = Document::new();
    document.set_metadata(krilla::metadata::Metadata::new().title("資格確認書・資格情報のお知らせ".to_string()));
    let (w, h) = paper.size_pt();
    let (title_size, size, left, top, step, label_width) = match paper {
        Paper::A4 => (20.0, 11.0, 60.0, 90.0, 24.0, 140.0),
        Paper::Card => (8.0, 5.0, 8.0, 16.0, 9.0, 54.0),
    };
    for row in rows {
        let (title, lines) = certificate_lines(row, insurer_name, insurer_name);
        let settings = PageSettings::from_wh(w, h).ok_or("bad paper size")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        // Frame.
        let mut frame = PathBuilder::new();
        let inset = if paper == Paper::Card { 3.0 } else { 36.0 };
        if let Some(r) = Rect::from_xywh(inset, inset, w - 2.0 * inset, h - 2.0 * inset) {
            frame.push_rect(r);
        }
        if let Some(path) = frame.finish() {
            surface.set_fill(None);
            surface
                .set_stroke(Some(Stroke { width: if paper == Paper::Card { 0.5 } else { 1.0 }, ..Default::default() }));
            surface.draw_path(&path);
            surface.set_stroke(None);
            surface.set_fill(Some(Default::default()));
        }
        surface.draw_text(
            Point::from_xy(left, top - step * 0.4),
            font.clone(),
            title_size,
            &title,
            false,
            TextDirection::Auto,
        );
        let mut y = top + step;
        for (label, value) in &lines {
            if label.is_empty() {
                surface.draw_text(Point::from_xy(left, y), font.clone(), size * 0.9, value, false, TextDirection::Auto);
            } else {
                surface.draw_text(Point::from_xy(left, y), font.clone(), size, label, false, TextDirection::Auto);
                surface.draw_text(
                    Point::from_xy(left + label_width, y),
                    font.clone(),
                    size,
                    value,
                    false,
                    TextDirection::Auto,
                );
            }
            y += step;
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("PDF: {e:?}"))
}

/// One printed document: a title, label–value lines under it, and a table that runs over as
/// many pages as it needs (the header repeated on each).
pub struct TableDoc {
    pub title: String,
    pub lines: Vec<(String, String)>,
    pub table: kenpo_domain::Table,
}

/// Documents on A4 landscape pages (保険料納入告知書, 標準報酬決定通知書), IPAexGothic embedded.
/// Column widths follow the longest cell of each column (a full-width character counts two).
pub fn tables_pdf(title: &str, docs: &[TableDoc]) -> Result<Vec<u8>, String> {
    let font = Font::new(FONT.into(), 0).ok_or("the embedded font could not be read")?;
    let mut document = Document::new();
    document.set_metadata(krilla::metadata::Metadata::new().title(title.to_string()));
    let (w, h) = (297.0 * 72.0 / 25.4, 210.0 * 72.0 / 25.4);
    let (left, top, size, step) = (36.0f32, 48.0f32, 7.5f32, 11.0f32);
    let width_of = |s: &str| s.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f32>();
    for doc in docs {
        let cols = doc.table.headers.len();
        let mut widths = vec![0f32; cols];
        for (i, head) in doc.table.headers.iter().enumerate() {
            widths[i] = width_of(head);
        }
        for row in &doc.table.rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(width_of(cell).min(40.0));
            }
        }
        let total: f32 = widths.iter().sum::<f32>().max(1.0);
        let usable = w - 2.0 * left;
        let scale = (usable / total).min(size * 0.62);
        let xs: Vec<f32> = widths
            .iter()
            .scan(left, |x, wdt| {
                let at = *x;
                *x += wdt * scale;
                Some(at)
            })
            .collect();
        let head_height = top + step * (doc.lines.len() as f32 + 2.5);
        let per_page = (((h - 36.0 - head_height) / step).floor() as usize).max(1);
        let chunks: Vec<&[Vec<String>]> =
            if doc.table.rows.is_empty() { vec![&[]] } else { doc.table.rows.chunks(per_page).collect() };
        let pages = chunks.len();
        for (n, chunk) in chunks.into_iter().enumerate() {
            let settings = PageSettings::from_wh(w, h).ok_or("bad paper size")?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            let heading = if pages > 1 { format!("{}（{}/{}）", doc.title, n + 1, pages) } else { doc.title.clone() };
            surface.draw_text(Point::from_xy(left, top), font.clone(), 14.0, &heading, false, TextDirection::Auto);
            let mut y = top + step * 1.6;
            for (label, value) in &doc.lines {
                let text = if label.is_empty() { value.clone() } else { format!("{label}：{value}") };
                surface.draw_text(Point::from_xy(left, y), font.clone(), size + 1.0, &text, false, TextDirection::Auto);
                y += step;
            }
            y += step * 0.5;
            for (i, head) in doc.table.headers.iter().enumerate() {
                surface.draw_text(Point::from_xy(xs[i], y), font.clone(), size, head, false, TextDirection::Auto);
            }
            let mut rule = PathBuilder::new();
            rule.move_to(left, y + 3.0);
            rule.line_to(w - left, y + 3.0);
            if let Some(path) = rule.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke { width: 0.5, ..Default::default() }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(Default::default()));
            }
            y += step;
            for row in chunk {
                for (i, cell) in row.iter().enumerate().take(cols) {
                    let shown: String = cell.chars().take(40).collect();
                    surface.draw_text(Point::from_xy(xs[i], y), font.clone(), size, &shown, false, TextDirection::Auto);
                }
                y += step;
            }
            surface.finish();
            page.finish();
        }
    }
    document.finish().map_err(|e| format!("PDF: {e:?}"))
}
