//! One hg08 CDA document (特定保健指導情報ファイル): the subset a society needs back from a
//! guidance contractor — who, which level (保健指導区分), how far (報告区分 21 開始 / 22 実績評価
//! / 23 途中終了), the 初回面接 and 実績評価 dates, 腹囲・体重 at the evaluation.
//!
//! Layout: the header is the one hc08 uses (`document::render_head`). Sections and codes come
//! from the research note on hg08 (`reference/tokutei-kenshin-xml.md` §4 and the project's
//! research on third-party hg08 parsers): section codes 90010 (保健指導区分), 90030 (初回面接),
//! 90060 (実績評価) in code system 1.2.392.200119.6.1010 (confirmed in HealthDataWorks'
//! CDASectionCode); item codes 1020000001 (保健指導区分, code table …6.1112), 1042001031 /
//! 1042001032 (実績評価時の腹囲 / 体重) — **10-character codes seen only in third-party parsers, not
//! checked against the MHLW 5-1A spec**. The dates are also written on `serviceEvent/effectiveTime`
//! (`low` 初回面接, `high` 実績評価), which is where parsers read the final date from.

use super::CheckupXmlError;
use super::document::{DocKind, Head, Subject, cda_root, read_head, render_head};
use super::items::oid;
use super::xml::{Ctx, attr, child, children, date_attr, descend, escape};
use chrono::NaiveDate;
use kenpo_domain::checkup::{GuidanceLevel, GuidanceReport, GuidanceStatus};
use roxmltree::Node;

/// 保健指導区分 (別表12): 1 積極的支援, 2 動機付け支援, 3 動機付け支援相当.
pub const GUIDANCE_CLASS_OID: &str = "1.2.392.200119.6.1112";
const SECTION_CLASS: &str = "90010";
const SECTION_FIRST_INTERVIEW: &str = "90030";
const SECTION_EVALUATION: &str = "90060";
const ITEM_CLASS: &str = "1020000001";
const ITEM_WAIST: &str = "1042001031";
const ITEM_WEIGHT: &str = "1042001032";

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Writes one hg08 document.
pub(crate) fn render(r: &GuidanceReport, document_id: &str, created_on: NaiveDate) -> String {
    let e = escape;
    let mut x = String::with_capacity(4096);
    let who = Subject {
        insurer_number: &r.insurer_number,
        card_symbol: &r.card_symbol,
        card_number: &r.card_number,
        card_branch: r.card_branch,
        postal_code: &r.postal_code,
        address: &r.address,
        name_kana: &r.name_kana,
        sex: r.sex,
        birth_date: r.birth_date,
    };
    let kind = DocKind {
        report_category: r.status.report_category(),
        title: "特定保健指導情報ファイル",
        schema: "hg08_V08.xsd",
    };
    render_head(&mut x, &kind, document_id, created_on, &who, &r.institution);
    x.push_str("<documentationOf>\n<serviceEvent>\n<effectiveTime>\n");
    x.push_str(&format!("<low value=\"{}\"/>\n", date(r.first_interview)));
    if let Some(d) = r.evaluated_on {
        x.push_str(&format!("<high value=\"{}\"/>\n", date(d)));
    }
    x.push_str("</effectiveTime>\n</serviceEvent>\n</documentationOf>\n");
    x.push_str("<component>\n<structuredBody>\n");
    let section = |x: &mut String, code: &str, title: &str| {
        x.push_str(&format!(
            "<component>\n<section>\n<code code=\"{code}\" codeSystem=\"{}\"/>\n<title>{title}</title>\n<text/>\n",
            oid::SECTION
        ));
    };
    let class = match r.level {
        GuidanceLevel::Intensive => "1",
        GuidanceLevel::Motivational => "2",
    };
    section(&mut x, SECTION_CLASS, "保健指導区分");
    x.push_str(&format!(
        "<entry>\n<observation classCode=\"OBS\" moodCode=\"EVN\">\n<code code=\"{ITEM_CLASS}\" displayName=\"保健指導区分\"/>\n\
         <value xsi:type=\"CD\" code=\"{class}\" codeSystem=\"{GUIDANCE_CLASS_OID}\"/>\n</observation>\n</entry>\n"
    ));
    x.push_str("</section>\n</component>\n");
    section(&mut x, SECTION_FIRST_INTERVIEW, "初回面接");
    x.push_str(&format!(
        "<entry>\n<act classCode=\"ACT\" moodCode=\"EVN\">\n<effectiveTime value=\"{}\"/>\n</act>\n</entry>\n",
        date(r.first_interview)
    ));
    x.push_str("</section>\n</component>\n");
    if let Some(d) = r.evaluated_on {
        section(&mut x, SECTION_EVALUATION, "実績評価");
        x.push_str(&format!(
            "<entry>\n<act classCode=\"ACT\" moodCode=\"EVN\">\n<effectiveTime value=\"{}\"/>\n</act>\n</entry>\n",
            date(d)
        ));
        for (code, name, unit, value) in
            [(ITEM_WAIST, "実績評価時の腹囲", "cm", &r.waist_cm), (ITEM_WEIGHT, "実績評価時の体重", "kg", &r.weight_kg)]
        {
            if let Some(v) = value {
                x.push_str(&format!(
                    "<entry>\n<observation classCode=\"OBS\" moodCode=\"EVN\">\n<code code=\"{code}\" displayName=\"{name}\"/>\n\
                     <value xsi:type=\"PQ\" value=\"{}\" unit=\"{unit}\"/>\n</observation>\n</entry>\n",
                    e(v)
                ));
            }
        }
        x.push_str("</section>\n</component>\n");
    }
    x.push_str("</structuredBody>\n</component>\n</ClinicalDocument>\n");
    x
}

/// The sections of the body with a given code.
fn sections<'a, 'i>(body: Node<'a, 'i>, code: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    children(body, "component").filter_map(|c| child(c, "section")).filter(move |s| {
        child(*s, "code").is_some_and(|c| {
            c.attribute("code") == Some(code) && c.attribute("codeSystem").is_none_or(|cs| cs == oid::SECTION)
        })
    })
}

/// The observation of `item` in the sections, if any.
fn observation<'a, 'i>(sections: &[Node<'a, 'i>], item: &str) -> Option<Node<'a, 'i>> {
    sections
        .iter()
        .flat_map(|s| children(*s, "entry"))
        .filter_map(|e| child(e, "observation"))
        .find(|o| child(*o, "code").is_some_and(|c| c.attribute("code") == Some(item)))
}

/// The first `act/effectiveTime` date in the sections.
fn act_date(ctx: &Ctx, sections: &[Node], what: &str) -> Result<Option<NaiveDate>, CheckupXmlError> {
    let time = sections
        .iter()
        .flat_map(|s| children(*s, "entry"))
        .filter_map(|e| child(e, "act"))
        .find_map(|a| child(a, "effectiveTime"));
    time.map(|t| date_attr(ctx, t, "value", what)).transpose()
}

/// A PQ value in the unit expected (decimal text as written).
fn quantity(ctx: &Ctx, obs: Option<Node>, unit: &str) -> Result<Option<String>, CheckupXmlError> {
    let Some(obs) = obs else { return Ok(None) };
    let value = child(obs, "value").ok_or_else(|| ctx.missing(obs, "value"))?;
    let v = attr(ctx, value, "value")?.trim();
    if !super::xml::is_decimal(v) {
        return Err(ctx.invalid(value, "a decimal number"));
    }
    if !value.attribute("unit").is_some_and(|u| u.trim().eq_ignore_ascii_case(unit)) {
        return Err(ctx.invalid(value, format!("unit {unit}")));
    }
    Ok(Some(v.to_string()))
}

/// Reads one hg08 document (errors name the file and element, never values).
pub(crate) fn read(text: &str, ctx: Ctx) -> Result<GuidanceReport, CheckupXmlError> {
    let doc = ctx.parse(text)?;
    let root = cda_root(&ctx, &doc)?;
    let code = descend(&ctx, root, &["code"])?;
    let status = code
        .attribute("code")
        .and_then(GuidanceStatus::from_report_category)
        .filter(|_| code.attribute("codeSystem").is_none_or(|s| s == oid::REPORT_CATEGORY))
        .ok_or_else(|| ctx.invalid(code, "報告区分 21, 22 or 23 (特定保健指導) in codeSystem 1.2.392.200119.6.1001"))?;
    let Head {
        insurer_number,
        card_symbol,
        card_number,
        card_branch,
        postal_code,
        address,
        name_kana,
        sex,
        birth_date,
        institution,
    } = read_head(&ctx, root)?;
    let body = descend(&ctx, root, &["component", "structuredBody"])?;

    let class_sections: Vec<Node> = sections(body, SECTION_CLASS).collect();
    let class_obs = observation(&class_sections, ITEM_CLASS)
        .ok_or_else(|| ctx.invalid(body, format!("section {SECTION_CLASS} with item {ITEM_CLASS} (保健指導区分)")))?;
    let class_value = child(class_obs, "value").ok_or_else(|| ctx.missing(class_obs, "value"))?;
    // 3 動機付け支援相当 is given to someone who would be 積極的支援 (2年連続の改善): it is reported
    // and counted with 積極的支援 (research note Q12), so it reads as Intensive.
    let level = match (class_value.attribute("code"), class_value.attribute("codeSystem")) {
        (Some("1" | "3"), Some(GUIDANCE_CLASS_OID) | None) => GuidanceLevel::Intensive,
        (Some("2"), Some(GUIDANCE_CLASS_OID) | None) => GuidanceLevel::Motivational,
        _ => return Err(ctx.invalid(class_value, format!("保健指導区分 1, 2 or 3 in codeSystem {GUIDANCE_CLASS_OID}"))),
    };

    let event_time =
        child(root, "documentationOf").and_then(|d| child(d, "serviceEvent")).and_then(|e| child(e, "effectiveTime"));
    let event = |edge: &'static str| event_time.and_then(|t| child(t, edge));
    let first_sections: Vec<Node> = sections(body, SECTION_FIRST_INTERVIEW).collect();
    let first_interview = match act_date(&ctx, &first_sections, "初回面接日")? {
        Some(d) => d,
        None => match event("low") {
            Some(low) => date_attr(&ctx, low, "value", "初回面接日")?,
            None => return Err(ctx.invalid(body, format!("section {SECTION_FIRST_INTERVIEW} with the 初回面接 date"))),
        },
    };
    let eval_sections: Vec<Node> = sections(body, SECTION_EVALUATION).collect();
    let evaluated_on = match act_date(&ctx, &eval_sections, "実績評価日")? {
        Some(d) => Some(d),
        None => event("high").map(|h| date_attr(&ctx, h, "value", "実績評価日")).transpose()?,
    };
    if status == GuidanceStatus::Completed && evaluated_on.is_none() {
        return Err(ctx.invalid(body, format!("報告区分 22 needs the 実績評価 date (section {SECTION_EVALUATION})")));
    }
    if evaluated_on.is_some_and(|d| d < first_interview) {
        return Err(ctx.invalid(body, "実績評価日 on or after the 初回面接日"));
    }
    let waist_cm = quantity(&ctx, observation(&eval_sections, ITEM_WAIST), "cm")?;
    let weight_kg = quantity(&ctx, observation(&eval_sections, ITEM_WEIGHT), "kg")?;
    Ok(GuidanceReport {
        insurer_number,
        card_symbol,
        card_number,
        card_branch,
        name_kana,
        sex,
        birth_date,
        postal_code,
        address,
        institution,
        status,
        level,
        first_interview,
        evaluated_on,
        waist_cm,
        weight_kg,
    })
}
