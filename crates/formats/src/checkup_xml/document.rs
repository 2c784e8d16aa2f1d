//! One hc08 CDA document (特定健診情報ファイル): writer and reader.

use super::items::{self, ItemDef, ItemTable, ValueType, item, oid};
use super::xml::{self, Ctx, NS_XSI, all_text, attr, child, children, date_attr, descend, escape};
use super::{CheckupXmlError, Location, NS_HL7};
use chrono::NaiveDate;
use kenpo_domain::checkup::{CheckupInstitution, CheckupRecord, CheckupResult, ResultValue};
use kenpo_domain::ids::{CardId, normalize_card_part};
use kenpo_domain::person::Sex;
use roxmltree::Node;

/// 報告区分 10: 特定健診情報.
const REPORT_CATEGORY_CHECKUP: &str = "10";
/// プログラム種別 010: 特定健診.
const PROGRAM_CHECKUP: &str = "010";
/// CDA セクション 01010: 特定健診検査・問診結果.
const SECTION_CHECKUP: &str = "01010";
const CDA_TYPE_ROOT: &str = "2.16.840.1.113883.1.3";
const CDA_TYPE_EXTENSION: &str = "POCD_HD000040";

/// Writes one hc08 CDA document as UTF-8 XML text. `document_id` becomes the document's `id`
/// (scoped by the 健診機関); the 作成日 is the exam date. Values are written as given: this
/// function does not check them against the item table (the archive writer does).
pub fn write_checkup_document(record: &CheckupRecord, document_id: &str) -> String {
    render(record, document_id, record.exam_date)
}

/// Who a document is about, as the CDA header carries it (hc08 and hg08 alike).
pub(crate) struct Subject<'a> {
    pub insurer_number: &'a str,
    pub card_symbol: &'a str,
    pub card_number: &'a str,
    pub card_branch: Option<u8>,
    pub postal_code: &'a str,
    pub address: &'a str,
    pub name_kana: &'a str,
    pub sex: Sex,
    pub birth_date: NaiveDate,
}

/// What a document's header says of its subject and its author (the read side of [`Subject`]).
pub(crate) struct Head {
    pub insurer_number: String,
    pub card_symbol: String,
    pub card_number: String,
    pub card_branch: Option<u8>,
    pub postal_code: String,
    pub address: String,
    pub name_kana: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub institution: CheckupInstitution,
}

/// Which document a header is for: 報告区分, title, schema file.
pub(crate) struct DocKind<'a> {
    pub report_category: &'a str,
    pub title: &'static str,
    pub schema: &'static str,
}

/// The header every CDA document of the format shares: type, id, 報告区分, title, 作成日,
/// recordTarget (the subject), author and custodian (the institution).
pub(crate) fn render_head(
    x: &mut String,
    kind: &DocKind,
    document_id: &str,
    created_on: NaiveDate,
    who: &Subject,
    inst: &CheckupInstitution,
) {
    let e = escape;
    let date = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let DocKind { report_category, title, schema } = kind;
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str(&format!(
        "<ClinicalDocument xmlns=\"{NS_HL7}\" xmlns:xsi=\"{NS_XSI}\" \
         xsi:schemaLocation=\"{NS_HL7} ../XSD/{schema}\">\n"
    ));
    x.push_str(&format!("<typeId root=\"{CDA_TYPE_ROOT}\" extension=\"{CDA_TYPE_EXTENSION}\"/>\n"));
    x.push_str(&format!("<id root=\"{}.1{}\" extension=\"{}\"/>\n", oid::INSTITUTION, e(&inst.code), e(document_id)));
    x.push_str(&format!("<code code=\"{report_category}\" codeSystem=\"{}\"/>\n", oid::REPORT_CATEGORY));
    x.push_str(&format!("<title>{title}</title>\n"));
    x.push_str(&format!("<effectiveTime value=\"{}\"/>\n", date(created_on)));
    x.push_str("<confidentialityCode code=\"N\" codeSystem=\"2.16.840.1.113883.5.25\"/>\n");
    // recordTarget: who.
    x.push_str("<recordTarget>\n<patientRole>\n");
    let id = |root: &str, ext: &str| format!("<id root=\"{root}\" extension=\"{}\"/>\n", e(ext));
    x.push_str(&id(oid::INSURER, who.insurer_number));
    if !who.card_symbol.is_empty() {
        x.push_str(&id(oid::CARD_SYMBOL, who.card_symbol));
    }
    x.push_str(&id(oid::CARD_NUMBER, who.card_number));
    if let Some(branch) = who.card_branch {
        x.push_str(&id(oid::CARD_BRANCH, &format!("{branch:02}")));
    }
    x.push_str(&format!("<addr><postalCode>{}</postalCode>{}</addr>\n", e(who.postal_code), e(who.address)));
    x.push_str("<patient>\n");
    x.push_str(&format!("<name>{}</name>\n", e(who.name_kana)));
    x.push_str(&format!("<administrativeGenderCode code=\"{}\" codeSystem=\"{}\"/>\n", who.sex.code(), oid::SEX));
    x.push_str(&format!("<birthTime value=\"{}\"/>\n", date(who.birth_date)));
    x.push_str("</patient>\n</patientRole>\n</recordTarget>\n");
    // author: the institution that made the document.
    x.push_str(&format!("<author>\n<time value=\"{}\"/>\n<assignedAuthor>\n", date(created_on)));
    x.push_str("<id nullFlavor=\"NI\"/>\n<representedOrganization>\n");
    x.push_str(&id(oid::INSTITUTION, &inst.code));
    x.push_str(&format!("<name>{}</name>\n<addr>{}</addr>\n", e(&inst.name), e(&inst.address)));
    x.push_str("</representedOrganization>\n</assignedAuthor>\n</author>\n");
    // custodian is mandatory in CDA; the institution keeps the original.
    x.push_str("<custodian>\n<assignedCustodian>\n<representedCustodianOrganization>\n");
    x.push_str(&id(oid::INSTITUTION, &inst.code));
    x.push_str(&format!("<name>{}</name>\n", e(&inst.name)));
    x.push_str("</representedCustodianOrganization>\n</assignedCustodian>\n</custodian>\n");
}

/// The writer behind [`write_checkup_document`], with an explicit 作成日.
pub(crate) fn render(record: &CheckupRecord, document_id: &str, created_on: NaiveDate) -> String {
    let date = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let mut x = String::with_capacity(4096 + 256 * record.results.len());
    let who = Subject {
        insurer_number: &record.insurer_number,
        card_symbol: &record.card_symbol,
        card_number: &record.card_number,
        card_branch: record.card_branch,
        postal_code: &record.postal_code,
        address: &record.address,
        name_kana: &record.name_kana,
        sex: record.sex,
        birth_date: record.birth_date,
    };
    render_head(
        &mut x,
        &DocKind {
            report_category: REPORT_CATEGORY_CHECKUP, title: "特定健診情報ファイル", schema: "hc08_V08.xsd"
        },
        document_id,
        created_on,
        &who,
        &record.institution,
    );
    // documentationOf: what was done, when (健診実施日).
    x.push_str("<documentationOf>\n<serviceEvent>\n");
    x.push_str(&format!("<code code=\"{PROGRAM_CHECKUP}\" codeSystem=\"{}\"/>\n", oid::PROGRAM_TYPE));
    x.push_str(&format!("<effectiveTime value=\"{}\"/>\n", date(record.exam_date)));
    x.push_str("</serviceEvent>\n</documentationOf>\n");
    // Body: one section with one entry per result.
    x.push_str("<component>\n<structuredBody>\n<component>\n<section>\n");
    x.push_str(&format!(
        "<code code=\"{SECTION_CHECKUP}\" codeSystem=\"{}\" displayName=\"検査・問診結果セクション\"/>\n",
        oid::SECTION
    ));
    x.push_str("<title>検査・問診結果セクション</title>\n<text/>\n");
    for result in &record.results {
        render_entry(&mut x, result);
    }
    x.push_str("</section>\n</component>\n</structuredBody>\n</component>\n</ClinicalDocument>\n");
    x
}

fn render_entry(x: &mut String, result: &CheckupResult) {
    let e = escape;
    let def = item(&result.code);
    let negation = if matches!(result.value, ResultValue::NotPerformed) { " negationInd=\"true\"" } else { "" };
    x.push_str(&format!("<entry>\n<observation classCode=\"OBS\" moodCode=\"EVN\"{negation}>\n"));
    let display = def.map(|d| format!(" displayName=\"{}\"", e(d.name))).unwrap_or_default();
    x.push_str(&format!("<code code=\"{}\" codeSystem=\"{}\"{display}/>\n", e(&result.code), oid::ITEM_CODE));
    let declared = def.map(|d| d.value_type);
    match &result.value {
        ResultValue::Quantity { value, unit } => {
            x.push_str(&format!("<value xsi:type=\"PQ\" value=\"{}\" unit=\"{}\"/>\n", e(value), e(unit)))
        }
        ResultValue::Coded { code, code_system } => {
            let ty = if declared == Some(ValueType::Co) { "CO" } else { "CD" };
            x.push_str(&format!("<value xsi:type=\"{ty}\" code=\"{}\" codeSystem=\"{}\"/>\n", e(code), e(code_system)));
        }
        ResultValue::Text(text) => {
            x.push_str(&format!("<value xsi:type=\"ST\">{}</value>\n", e(text)));
        }
        ResultValue::Beyond { interpretation, value, unit } => {
            x.push_str(&format!(
                "<value xsi:type=\"CD\" code=\"{}\" codeSystem=\"{}\"/>\n",
                e(interpretation),
                oid::OUT_OF_RANGE
            ));
            x.push_str(&format!("<value xsi:type=\"PQ\" value=\"{}\" unit=\"{}\"/>\n", e(value), e(unit)))
        }
        ResultValue::NotPerformed => {}
        ResultValue::Unmeasurable => {
            let ty = declared.unwrap_or(ValueType::Pq).xsi_type();
            x.push_str(&format!("<value xsi:type=\"{ty}\" nullFlavor=\"NI\"/>\n"));
        }
    }
    x.push_str("</observation>\n</entry>\n");
}

/// Checks a result value against its item row and returns it in canonical form (the table's
/// unit spelling; the item's code system filled in). `Err` says what was expected, without
/// quoting the value.
pub(crate) fn conform(def: &ItemDef, value: ResultValue) -> Result<ResultValue, String> {
    match (def.value_type, value) {
        (_, v @ (ResultValue::NotPerformed | ResultValue::Unmeasurable)) => Ok(v),
        (ValueType::Pq, ResultValue::Quantity { value, unit }) => {
            let unit = pq_unit(def, &value, &unit)?;
            Ok(ResultValue::Quantity { value, unit })
        }
        (ValueType::Pq, ResultValue::Beyond { interpretation, value, unit }) => {
            if interpretation != "H" && interpretation != "L" {
                return Err(format!("H or L beside the limit of item {}", def.code));
            }
            let unit = pq_unit(def, &value, &unit)?;
            Ok(ResultValue::Beyond { interpretation, value, unit })
        }
        // Outside the measurable range: L / H from HL7 ObservationInterpretation.
        (ValueType::Pq, ResultValue::Coded { code, code_system })
            if code_system == oid::OUT_OF_RANGE && (code == "L" || code == "H") =>
        {
            Ok(ResultValue::Coded { code, code_system })
        }
        (ValueType::Cd | ValueType::Co, ResultValue::Coded { code, code_system }) => {
            let expected = def.code_system.unwrap_or_default();
            if code.trim().is_empty() {
                Err(format!("a code in the value of item {}", def.code))
            } else if code_system != expected {
                Err(format!("codeSystem {expected} for item {}", def.code))
            } else {
                Ok(ResultValue::Coded { code, code_system })
            }
        }
        // Surrounding whitespace is dropped, as the reader drops it.
        (ValueType::St, ResultValue::Text(t)) => Ok(ResultValue::Text(t.trim().to_string())),
        (ty, _) => Err(format!("a value of type {} for item {}", ty.xsi_type(), def.code)),
    }
}

/// A PQ value's unit in the table's spelling, after checking the number and the unit. Items the
/// table gives no unit (尿比重, 視力, A/G) take none.
fn pq_unit(def: &ItemDef, value: &str, unit: &str) -> Result<String, String> {
    if !xml::is_decimal(value) {
        return Err(format!("a decimal number in the PQ value of item {}", def.code));
    }
    match def.unit {
        None if unit.trim().is_empty() => Ok(String::new()),
        None => Err(format!("no unit on the PQ value of item {}", def.code)),
        Some(_) if unit.trim().is_empty() => Err(format!("a unit on the PQ value of item {}", def.code)),
        Some(canonical) if def.unit_matches(unit) => Ok(canonical.to_string()),
        Some(canonical) => Err(format!("unit {canonical} for item {}", def.code)),
    }
}

/// Something the reader noticed in a document and did not refuse it for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckupWarning {
    /// A result whose item code is not in the item table of the document's exam date (e.g. a
    /// 第2期 question in a 2013 document): the result is left out, the rest of the document read.
    /// `code` is quoted only when it looks like an item code.
    UnknownItem { at: Location, code: String, table: &'static str },
    /// More warnings than an archive keeps ([`MAX_ARCHIVE_WARNINGS`]): how many were left out.
    More { archive: String, count: usize },
}

/// Warnings one archive keeps: a hostile or broken archive cannot fill the import log.
pub const MAX_ARCHIVE_WARNINGS: usize = 1_000;

impl std::fmt::Display for CheckupWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckupWarning::UnknownItem { at, code, table } => {
                write!(f, "{at}: item {code} is not in the {table} item table; that result was not read")
            }
            CheckupWarning::More { archive, count } => {
                write!(f, "{archive}: {count} more warnings of the same kind not listed")
            }
        }
    }
}

/// Reads one hc08 CDA document, with what it holds that was not read. `file_name` is used
/// only in messages.
pub fn read_checkup_document(
    xml: &str,
    file_name: &str,
) -> Result<(CheckupRecord, Vec<CheckupWarning>), CheckupXmlError> {
    read(xml, Ctx { archive: "", file: file_name })
}

/// The root of a CDA R2 document of the format: `ClinicalDocument` in the HL7 namespace, with
/// the CDA typeId.
pub(crate) fn cda_root<'a, 'i>(ctx: &Ctx, doc: &'a roxmltree::Document<'i>) -> Result<Node<'a, 'i>, CheckupXmlError> {
    let root = doc.root_element();
    if root.tag_name().name() != "ClinicalDocument" {
        return Err(ctx.invalid(root, "root element ClinicalDocument"));
    }
    if root.tag_name().namespace() != Some(NS_HL7) {
        return Err(CheckupXmlError::WrongNamespace { at: ctx.at(Some(root)), expected: NS_HL7.to_string() });
    }
    let type_id = descend(ctx, root, &["typeId"])?;
    if type_id.attribute("root") != Some(CDA_TYPE_ROOT) || type_id.attribute("extension") != Some(CDA_TYPE_EXTENSION) {
        return Err(ctx.invalid(type_id, format!("CDA R2 typeId {CDA_TYPE_ROOT} / {CDA_TYPE_EXTENSION}")));
    }
    Ok(root)
}

pub(crate) fn read(text: &str, ctx: Ctx) -> Result<(CheckupRecord, Vec<CheckupWarning>), CheckupXmlError> {
    let doc = ctx.parse(text)?;
    let root = cda_root(&ctx, &doc)?;
    let code = descend(&ctx, root, &["code"])?;
    if code.attribute("code") != Some(REPORT_CATEGORY_CHECKUP)
        || code.attribute("codeSystem").is_some_and(|s| s != oid::REPORT_CATEGORY)
    {
        return Err(ctx.invalid(code, "報告区分 10 (特定健診情報) in codeSystem 1.2.392.200119.6.1001"));
    }
    date_attr(&ctx, descend(&ctx, root, &["effectiveTime"])?, "value", "作成日")?;

    let head = read_head(&ctx, root)?;

    // documentationOf: 健診実施日.
    let event = descend(&ctx, root, &["documentationOf", "serviceEvent"])?;
    let time = descend(&ctx, event, &["effectiveTime"])?;
    let exam_date = match (time.attribute("value"), child(time, "low")) {
        (None, Some(low)) => date_attr(&ctx, low, "value", "健診実施日")?,
        _ => date_attr(&ctx, time, "value", "健診実施日")?,
    };

    // Body: the 01010 section(s). Other sections (01990 任意追加項目 …) are not 特定健診 data.
    let body = descend(&ctx, root, &["component", "structuredBody"])?;
    let sections: Vec<Node> = children(body, "component")
        .filter_map(|c| child(c, "section"))
        .filter(|s| {
            child(*s, "code").is_some_and(|c| {
                c.attribute("code") == Some(SECTION_CHECKUP)
                    && c.attribute("codeSystem").is_none_or(|cs| cs == oid::SECTION)
            })
        })
        .collect();
    if sections.is_empty() {
        return Err(ctx.invalid(body, "a section with code 01010 (特定健診検査・問診結果)"));
    }
    // Items are read with the table in force on the exam date (第3期 before FY2024).
    let table = ItemTable::for_exam_date(exam_date);
    let mut results = Vec::new();
    let mut warnings = Vec::new();
    for section in sections {
        for entry in children(section, "entry") {
            let obs = child(entry, "observation").ok_or_else(|| ctx.missing(entry, "observation"))?;
            read_observation(&ctx, table, obs, &mut results, &mut warnings)?;
        }
    }

    let record = CheckupRecord {
        insurer_number: head.insurer_number,
        card_symbol: head.card_symbol,
        card_number: head.card_number,
        card_branch: head.card_branch,
        name_kana: head.name_kana,
        sex: head.sex,
        birth_date: head.birth_date,
        postal_code: head.postal_code,
        address: head.address,
        exam_date,
        institution: head.institution,
        results,
    };
    Ok((record, warnings))
}

/// recordTarget (保険者番号, 記号・番号・枝番, address, name, sex, birth date) and the author
/// organisation (10-digit 機関番号), as every document of the format carries them.
pub(crate) fn read_head(ctx: &Ctx, root: Node) -> Result<Head, CheckupXmlError> {
    let ctx = *ctx;
    let role = descend(&ctx, root, &["recordTarget", "patientRole"])?;
    let id_ext = |want: &str| -> Result<Option<(Node, &str)>, CheckupXmlError> {
        match children(role, "id").find(|n| n.attribute("root") == Some(want)) {
            Some(n) => Ok(Some((n, attr(&ctx, n, "extension")?))),
            None => Ok(None),
        }
    };
    let (insurer_node, insurer) = id_ext(oid::INSURER)?
        .ok_or_else(|| ctx.invalid(role, format!("id with root {} (保険者番号)", oid::INSURER)))?;
    if !xml::is_digits(insurer.trim(), 1, 8) {
        return Err(ctx.invalid(insurer_node, "保険者番号 of up to 8 digits"));
    }
    let card_part = |found: Option<(Node, &str)>, what: &str| -> Result<String, CheckupXmlError> {
        let Some((node, raw)) = found else {
            return Ok(String::new());
        };
        let v = normalize_card_part(raw);
        if v.chars().count() > 20 {
            return Err(ctx.invalid(node, format!("{what} of at most 20 characters")));
        }
        Ok(v)
    };
    let card_symbol = card_part(id_ext(oid::CARD_SYMBOL)?, "記号")?;
    let number = id_ext(oid::CARD_NUMBER)?;
    let number_node = number.map(|(n, _)| n);
    let card_number = card_part(number, "番号")?;
    if card_number.is_empty() {
        let at = number_node.unwrap_or(role);
        return Err(ctx.invalid(at, format!("id with root {} (番号), not empty", oid::CARD_NUMBER)));
    }
    let card_branch = match id_ext(oid::CARD_BRANCH)? {
        None => None,
        Some((node, raw)) => Some(CardId::parse_branch(raw).map_err(|_| ctx.invalid(node, "枝番 of 2 digits"))?),
    };
    let (postal_code, address) = match child(role, "addr") {
        Some(addr) => split_addr(addr),
        None => (String::new(), String::new()),
    };
    let patient = descend(&ctx, role, &["patient"])?;
    let name_kana = person_name(descend(&ctx, patient, &["name"])?);
    let gender = descend(&ctx, patient, &["administrativeGenderCode"])?;
    let sex = Sex::from_code(attr(&ctx, gender, "code")?).ok_or_else(|| ctx.invalid(gender, "男女区分 1 or 2"))?;
    let birth_date = date_attr(&ctx, descend(&ctx, patient, &["birthTime"])?, "value", "生年月日")?;

    // author: the 健診機関 (or 保健指導機関).
    let org = descend(&ctx, root, &["author", "assignedAuthor", "representedOrganization"])?;
    let org_id = children(org, "id")
        .find(|n| n.attribute("root") == Some(oid::INSTITUTION))
        .ok_or_else(|| ctx.invalid(org, format!("id with root {} (健診機関番号)", oid::INSTITUTION)))?;
    let org_code = attr(&ctx, org_id, "extension")?.trim();
    if !xml::is_digits(org_code, 10, 10) {
        return Err(ctx.invalid(org_id, "健診機関番号 of 10 digits"));
    }
    let institution = CheckupInstitution {
        code: org_code.to_string(),
        name: child(org, "name").map(|n| all_text(n).trim().to_string()).unwrap_or_default(),
        address: child(org, "addr").map(|a| split_addr(a).1).unwrap_or_default(),
    };

    Ok(Head {
        insurer_number: insurer.trim().to_string(),
        card_symbol,
        card_number,
        card_branch,
        postal_code,
        address,
        name_kana,
        sex,
        birth_date,
        institution,
    })
}

/// `<addr>` is mixed content: a `postalCode` element plus the address as text (possibly in
/// further elements). Returns (postal code, address).
fn split_addr(addr: Node) -> (String, String) {
    let postal = child(addr, "postalCode").map(|p| all_text(p).trim().to_string()).unwrap_or_default();
    let address: String = addr
        .descendants()
        .filter(|n| n.is_text() && !n.ancestors().any(|a| a.has_tag_name("postalCode")))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    (postal, address)
}

/// Plain `<name>text</name>`, or family/given parts joined by a space.
fn person_name(name: Node) -> String {
    let parts: Vec<String> = name
        .children()
        .filter(|c| c.is_element())
        .map(|c| all_text(c).trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() { all_text(name).trim().to_string() } else { parts.join(" ") }
}

/// One observation, and its `COMP` components. A group (`<code nullFlavor="NA"/>`) only carries
/// components. `RSON` relationships (詳細健診の実施理由) are not results and are skipped.
fn read_observation(
    ctx: &Ctx,
    table: ItemTable,
    obs: Node,
    out: &mut Vec<CheckupResult>,
    warnings: &mut Vec<CheckupWarning>,
) -> Result<(), CheckupXmlError> {
    let code_el = child(obs, "code").ok_or_else(|| ctx.missing(obs, "code"))?;
    let components = children(obs, "entryRelationship")
        .filter(|r| r.attribute("typeCode") == Some("COMP"))
        .flat_map(|r| children(r, "observation"));
    if code_el.attribute("nullFlavor").is_none() {
        let code = attr(ctx, code_el, "code")?;
        if let Some(system) = code_el.attribute("codeSystem")
            && system != oid::ITEM_CODE
        {
            return Err(ctx.invalid(code_el, format!("item codeSystem {}", oid::ITEM_CODE)));
        }
        match table.item(code) {
            None => warnings.push(CheckupWarning::UnknownItem {
                at: ctx.at(Some(code_el)),
                code: xml::quotable_code(code),
                table: table.label(),
            }),
            Some(def) => {
                let value = if obs.attribute("negationInd") == Some("true") {
                    ResultValue::NotPerformed
                } else {
                    observation_value(ctx, obs, def)?
                };
                out.push(CheckupResult { code: def.code.to_string(), value });
            }
        }
    }
    for component in components {
        read_observation(ctx, table, component, out, warnings)?;
    }
    Ok(())
}

/// An observation's value: one `<value>`, or two where a quantity is beyond the measurable
/// range (`CD` H/L in ObservationInterpretation beside the `PQ` limit, in either order).
fn observation_value(ctx: &Ctx, obs: Node, def: &ItemDef) -> Result<ResultValue, CheckupXmlError> {
    let values: Vec<Node> = children(obs, "value").collect();
    match values.as_slice() {
        [] => Err(CheckupXmlError::Invalid {
            at: ctx.at(Some(obs)),
            expected: format!("a value (or negationInd=\"true\") for item {}", def.code),
        }),
        [v] => conform(def, read_value(ctx, *v, def)?).map_err(|expected| ctx.invalid(*v, expected)),
        [a, b] => {
            let pair = (read_value(ctx, *a, def)?, read_value(ctx, *b, def)?);
            let beyond = match pair {
                (ResultValue::Coded { code, code_system }, ResultValue::Quantity { value, unit })
                | (ResultValue::Quantity { value, unit }, ResultValue::Coded { code, code_system })
                    if code_system == oid::OUT_OF_RANGE =>
                {
                    ResultValue::Beyond { interpretation: code, value, unit }
                }
                _ => {
                    return Err(ctx.invalid(
                        *b,
                        format!("a second value only as CD H/L ({}) beside a PQ, item {}", oid::OUT_OF_RANGE, def.code),
                    ));
                }
            };
            conform(def, beyond).map_err(|expected| ctx.invalid(*b, expected))
        }
        [_, _, extra, ..] => Err(ctx.invalid(*extra, format!("at most two values for item {}", def.code))),
    }
}

/// The `<value>` as written, before checking it against the item row.
fn read_value(ctx: &Ctx, v: Node, def: &ItemDef) -> Result<ResultValue, CheckupXmlError> {
    if let Some(flavor) = v.attribute("nullFlavor") {
        return if flavor == "NI" {
            Ok(ResultValue::Unmeasurable)
        } else {
            Err(ctx.invalid(v, "nullFlavor NI (測定不能) as the only null value"))
        };
    }
    let ty = xml::xsi_type(v).ok_or_else(|| ctx.invalid(v, "attribute xsi:type"))?;
    match ty {
        "PQ" => Ok(ResultValue::Quantity {
            value: attr(ctx, v, "value")?.trim().to_string(),
            unit: v.attribute("unit").unwrap_or_default().trim().to_string(),
        }),
        "CD" | "CO" => Ok(ResultValue::Coded {
            code: attr(ctx, v, "code")?.trim().to_string(),
            // Often omitted when it is the item's own code system.
            code_system: v.attribute("codeSystem").or(def.code_system).unwrap_or_default().to_string(),
        }),
        // Surrounding whitespace is layout (pretty-printed files indent it), not content.
        "ST" => Ok(ResultValue::Text(all_text(v).trim().to_string())),
        _ => Err(ctx.invalid(v, format!("xsi:type {} for item {}", def.value_type.xsi_type(), def.code))),
    }
}

/// Checks a record before it is written, so the writer never emits what the reader rejects.
/// Returns the canonical results (units spelled as in the table).
pub(crate) fn validate_for_write(record: &CheckupRecord) -> Result<Vec<CheckupResult>, (String, String)> {
    let fail = |path: &str, expected: String| Err((path.to_string(), expected));
    if !xml::is_digits(&record.insurer_number, 1, 8) {
        return fail("/ClinicalDocument/recordTarget/patientRole/id", "保険者番号 of up to 8 digits".into());
    }
    let symbol = normalize_card_part(&record.card_symbol);
    let number = normalize_card_part(&record.card_number);
    if symbol != record.card_symbol || symbol.chars().count() > 20 {
        return fail("/ClinicalDocument/recordTarget/patientRole/id", "記号 normalised, at most 20 characters".into());
    }
    if number != record.card_number || number.is_empty() || number.chars().count() > 20 {
        return fail("/ClinicalDocument/recordTarget/patientRole/id", "番号 normalised, 1-20 characters".into());
    }
    if record.card_branch.is_some_and(|b| b > 99) {
        return fail("/ClinicalDocument/recordTarget/patientRole/id", "枝番 0-99".into());
    }
    if !xml::is_digits(&record.institution.code, 10, 10) {
        return fail(
            "/ClinicalDocument/author/assignedAuthor/representedOrganization/id",
            "健診機関番号 of 10 digits".into(),
        );
    }
    let mut out = Vec::with_capacity(record.results.len());
    for (i, r) in record.results.iter().enumerate() {
        let path = format!("/ClinicalDocument/component/structuredBody/component/section/entry[{}]", i + 1);
        let Some(def) = items::item(&r.code) else {
            return fail(&path, format!("a 第4期 item code, not {}", xml::quotable_code(&r.code)));
        };
        match conform(def, r.value.clone()) {
            Ok(value) => out.push(CheckupResult { code: r.code.clone(), value }),
            Err(expected) => return fail(&path, expected),
        }
    }
    Ok(out)
}
