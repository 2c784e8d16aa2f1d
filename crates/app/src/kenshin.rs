//! 特定健診 reports: the small-cell rule for per-employer figures (コラボヘルス), the target
//! list and the yearly 実施状況 as tables, and the 実施状況 as a printable Japanese HTML page.

use kenpo_domain::Table;
use kenpo_domain::stratify::Level;
use kenpo_store::{FollowUp, StateReportRow, TargetRow};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Smallest number of examined people an employer's row may show (smaller ones are pooled).
const MIN_CELL: usize = 5;

#[derive(Debug, Default, serde::Serialize)]
pub struct Counts {
    pub examined: u64,
    pub intensive: u64,
    pub motivational: u64,
    pub information: u64,
    pub undeterminable: u64,
    pub medicated: u64,
    pub metabolic: u64,
    pub handed: u64,
    pub referral: u64,
    pub urgent: u64,
    pub no_visit: u64,
    pub urgent_no_visit: u64,
}

/// Counts per employer for コラボヘルス, and how many employers are not shown. Employers see
/// counts only, and no row may be small enough to point at a person: employers with fewer than
/// [`MIN_CELL`] examined are pooled into one row, shown only if it joins several employers and
/// reaches [`MIN_CELL`] people itself.
pub fn by_employer_counts(rows: &[TargetRow], follow: &HashMap<i64, FollowUp>) -> (BTreeMap<String, Counts>, usize) {
    let mut m: BTreeMap<String, Vec<&TargetRow>> = BTreeMap::new();
    for r in rows {
        let key =
            if r.employer_code.is_empty() { "（任意継続等）".to_string() } else { r.employer_code.clone() };
        m.entry(key).or_default().push(r);
    }
    let (big, small): (Vec<_>, Vec<_>) = m.into_iter().partition(|(_, v)| v.len() >= MIN_CELL);
    let mut out: BTreeMap<String, Counts> = big.into_iter().map(|(k, v)| (k, count_refs(&v, follow))).collect();
    let employers = small.len();
    let pooled: Vec<&TargetRow> = small.into_iter().flat_map(|(_, v)| v).collect();
    if employers > 1 && pooled.len() >= MIN_CELL {
        out.insert(format!("（受診者{MIN_CELL}人未満の事業所 {employers} か所の計）"), count_refs(&pooled, follow));
        return (out, 0);
    }
    (out, employers)
}

pub fn count(rows: &[TargetRow], follow: &HashMap<i64, FollowUp>) -> Counts {
    count_refs(&rows.iter().collect::<Vec<_>>(), follow)
}

fn count_refs(rows: &[&TargetRow], follow: &HashMap<i64, FollowUp>) -> Counts {
    let mut c = Counts::default();
    for r in rows {
        c.examined += 1;
        match r.level {
            Level::Intensive => c.intensive += 1,
            Level::Motivational => c.motivational += 1,
            Level::InformationOnly => c.information += 1,
            Level::Undeterminable => c.undeterminable += 1,
        }
        c.medicated += u64::from(r.on_medication == Some(true));
        c.metabolic += u64::from(r.metabolic == "meets");
        c.handed += u64::from(r.handed_to.is_some());
        if let Some(tier) = &r.referral {
            let urgent = tier == "urgent";
            c.referral += 1;
            c.urgent += u64::from(urgent);
            if follow.get(&r.person_id).is_none_or(|f| f.visits.is_empty()) {
                c.no_visit += 1;
                c.urgent_no_visit += u64::from(urgent);
            }
        }
    }
    c
}

/// The targets list as staff receive it, one row a person (written by the one CSV writer).
pub fn targets_table(rows: &[TargetRow], follow: &HashMap<i64, FollowUp>) -> Table {
    let mut out = Table::new([
        "記号-番号",
        "氏名カナ",
        "性別",
        "年度末年齢",
        "事業所",
        "健診実施日",
        "保健指導レベル",
        "メタボ判定",
        "服薬",
        "受診勧奨",
        "受診勧奨項目",
        "医科受診月",
        "委託先",
    ]);
    for r in rows {
        let metabolic = match r.metabolic.as_str() {
            "meets" => "基準該当",
            "prone" => "予備群該当",
            "no" => "非該当",
            _ => "判定不能",
        };
        let referral = match r.referral.as_deref() {
            Some("urgent") => "すぐに受診",
            Some(_) => "受診勧奨",
            None => "",
        };
        let visits = match (r.referral.is_some(), follow.get(&r.person_id)) {
            (true, Some(f)) if f.visits.is_empty() => format!("なし（{}〜{}）", f.exam_month, f.until),
            (true, Some(f)) => f.visits.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" "),
            _ => String::new(),
        };
        let cells = [
            r.card.clone(),
            r.name_kana.clone(),
            if r.sex == kenpo_domain::person::Sex::Male { "男".into() } else { "女".into() },
            r.age.to_string(),
            r.employer_code.clone(),
            r.exam_date.to_string(),
            r.level.label().to_string(),
            metabolic.to_string(),
            match r.on_medication {
                Some(true) => "あり".into(),
                Some(false) => "なし".into(),
                None => "不明".into(),
            },
            referral.to_string(),
            r.referral_items.join(" / "),
            visits,
            r.handed_to.clone().unwrap_or_default(),
        ];
        out.push(cells.to_vec());
    }
    out
}

/// `part / whole` as a percentage with one decimal, rounded half up in integers ("-" for 0/0).
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "-".into();
    }
    let tenths = (part * 1000 * 2 + whole) / (whole * 2);
    format!("{}.{}", tenths / 10, tenths % 10)
}

pub fn total_row(rows: &[StateReportRow]) -> StateReportRow {
    let mut t = StateReportRow::default();
    for r in rows {
        t.subjects += r.subjects;
        t.examined += r.examined;
        t.intensive_targets += r.intensive_targets;
        t.motivational_targets += r.motivational_targets;
        t.intensive_started += r.intensive_started;
        t.intensive_completed += r.intensive_completed;
        t.motivational_started += r.motivational_started;
        t.motivational_completed += r.motivational_completed;
        t.metabolic_meets += r.metabolic_meets;
        t.metabolic_prone += r.metabolic_prone;
    }
    t
}

const REPORT_HEADERS: [&str; 15] = [
    "性別",
    "年齢階級",
    "対象者数",
    "受診者数",
    "特定健診実施率(%)",
    "積極的支援対象者",
    "動機付け支援対象者",
    "積極的支援利用者",
    "積極的支援終了者",
    "動機付け支援利用者",
    "動機付け支援終了者",
    "特定保健指導対象者",
    "特定保健指導終了者",
    "特定保健指導実施率(%)",
    "メタボ該当者・予備群",
];

fn report_cells(sex: &str, band: &str, r: &StateReportRow) -> Vec<String> {
    let targets = r.intensive_targets + r.motivational_targets;
    let completed = r.intensive_completed + r.motivational_completed;
    vec![
        sex.to_string(),
        band.to_string(),
        r.subjects.to_string(),
        r.examined.to_string(),
        percent(r.examined, r.subjects),
        r.intensive_targets.to_string(),
        r.motivational_targets.to_string(),
        r.intensive_started.to_string(),
        r.intensive_completed.to_string(),
        r.motivational_started.to_string(),
        r.motivational_completed.to_string(),
        targets.to_string(),
        completed.to_string(),
        percent(completed, targets),
        format!("{}・{}", r.metabolic_meets, r.metabolic_prone),
    ]
}

fn report_lines(rows: &[StateReportRow]) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let sex = if r.sex == 1 { "男" } else { "女" };
            report_cells(sex, &format!("{}〜{}歳", r.band, r.band + 4), r)
        })
        .collect();
    for (sex, code) in [("男", 1), ("女", 2)] {
        let part: Vec<StateReportRow> = rows.iter().filter(|r| r.sex == code).cloned().collect();
        lines.push(report_cells(sex, "計", &total_row(&part)));
    }
    lines.push(report_cells("計", "計", &total_row(rows)));
    lines
}

pub fn report_table(rows: &[StateReportRow]) -> Table {
    let mut out = Table::new(REPORT_HEADERS);
    for line in report_lines(rows) {
        out.push(line);
    }
    out
}

pub fn report_html(fy: i32, rows: &[StateReportRow]) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n<title>{fy}年度 特定健康診査・特定保健指導 実施状況</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}th,td{{border:1px solid #999;padding:.3em .6em;text-align:right}}\
         th{{background:#eee;white-space:nowrap}}td:first-child,td:nth-child(2){{text-align:left}}tr.total td{{font-weight:bold}}\
         @media print{{@page{{size:A4 landscape;margin:10mm}}body{{margin:0;font-size:8pt}}th,td{{padding:.1em .25em;white-space:nowrap}}}}</style>\n</head>\n<body>\n\
         <h1>{fy}年度 特定健康診査・特定保健指導 実施状況</h1>\n\
         <p>対象者は年度末（{}年3月31日）時点で40〜74歳の加入者のうち、年度を通じて加入していた者。年齢は年度末年齢。\
         特定保健指導の対象者は受診者のうちその年度の最後の健診で積極的支援・動機付け支援となった者、利用者は初回面接を行った者、終了者は実績評価を終えた者。</p>\n\
         <table>\n<thead><tr>",
        fy + 1
    );
    for head in REPORT_HEADERS {
        let _ = write!(h, "<th>{head}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for line in report_lines(rows) {
        let class = if line[1] == "計" { " class=\"total\"" } else { "" };
        let _ = write!(h, "<tr{class}>");
        for cell in line {
            let _ = write!(h, "<td>{}</td>", html_escape(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</body>\n</html>\n");
    h
}

fn html_escape(s: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_quoted_attribute(s)
}

/// What the demo's 特定健診 step did.
#[derive(Debug, serde::Serialize)]
pub struct KenshinDemo {
    pub fiscal_year: i32,
    pub assessment: kenpo_store::AssessmentSummary,
    pub referral_without_visit: u64,
    pub handed_to: String,
    pub handed: u64,
    pub guidance: kenpo_store::GuidanceImportSummary,
    pub subjects: u64,
    pub examined: u64,
    pub report_html: std::path::PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(person_id: i64, employer: &str) -> TargetRow {
        TargetRow {
            person_id,
            checkup_id: person_id,
            card: String::new(),
            name_kana: String::new(),
            sex: kenpo_domain::person::Sex::Male,
            age: 50,
            employer_code: employer.into(),
            exam_date: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
            level: Level::Motivational,
            metabolic: "no".into(),
            on_medication: Some(false),
            referral: None,
            referral_items: Vec::new(),
            reasons: Vec::new(),
            handed_to: None,
        }
    }

    fn rows(spec: &[(&str, usize)]) -> Vec<TargetRow> {
        let mut out = Vec::new();
        for (employer, n) in spec {
            for _ in 0..*n {
                out.push(row(out.len() as i64 + 1, employer));
            }
        }
        out
    }

    #[test]
    fn small_employers_are_pooled_and_a_small_pool_is_not_shown() {
        let none = HashMap::new();
        // A has 5 (shown); B 2 and C 3 pool into one row of 5 people from 2 employers.
        let (m, hidden) = by_employer_counts(&rows(&[("A", 5), ("B", 2), ("C", 3)]), &none);
        assert_eq!(hidden, 0);
        assert_eq!(m.len(), 2);
        assert_eq!(m["A"].examined, 5);
        assert_eq!(m["（受診者5人未満の事業所 2 か所の計）"].examined, 5);
        // B 2 and C 2: a pool of 4 people is itself too small — neither is shown.
        let (m, hidden) = by_employer_counts(&rows(&[("A", 6), ("B", 2), ("C", 2)]), &none);
        assert_eq!((m.len(), hidden), (1, 2));
        // One small employer alone would be its own figures: not shown.
        let (m, hidden) = by_employer_counts(&rows(&[("A", 5), ("B", 4)]), &none);
        assert_eq!((m.len(), hidden), (1, 1));
    }

    #[test]
    fn percentages_round_half_up_to_one_decimal() {
        // 1/3 = 33.33… → 33.3; 2/3 = 66.66… → 66.7; 1/8 = 12.5 exactly; 1/16 = 6.25 → 6.3.
        assert_eq!(percent(1, 3), "33.3");
        assert_eq!(percent(2, 3), "66.7");
        assert_eq!(percent(1, 8), "12.5");
        assert_eq!(percent(1, 16), "6.3");
        assert_eq!(percent(0, 0), "-");
    }
}
