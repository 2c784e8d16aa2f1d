//! The roster CSV: one row per person (insured persons and dependants), Japanese headers.
//!
//! Layout (documented for staff in `docs/roster-format.md`): UTF-8 (a leading BOM is accepted),
//! comma separated, a header row with exactly the names in [`HEADERS`], dates `YYYY-MM-DD`.
//! Dependants carry the insured person's 記号・番号 with their own 枝番 (本人 = 00).
//! Histories are packed in one cell: 標準報酬月額履歴 `適用開始日:等級:月額|…`,
//! 標準賞与額履歴 `支給日:賞与額:標準賞与額|…`.

use crate::text;
use chrono::NaiveDate;
use kenpo_domain::person::{
    Bonus, Contact, DependantInfo, EligibilityPeriod, Employer, Person, PersonKind, Relationship, Sex,
    StandardRemuneration,
};
use kenpo_domain::{CardId, InsurerNumber, MyNumber};
use std::io::{Read, Write};

/// Column headers, in order.
pub const HEADERS: [&str; 25] = [
    "区分",
    "保険者番号",
    "記号",
    "番号",
    "枝番",
    "氏名",
    "氏名カナ",
    "生年月日",
    "性別",
    "個人番号",
    "事業所番号",
    "事業所名称",
    "事業所所在地",
    "資格取得日",
    "資格取得事由",
    "資格喪失日",
    "資格喪失事由",
    "標準報酬月額履歴",
    "標準賞与額履歴",
    "続柄",
    "同居",
    "前年度収入",
    "郵便番号",
    "住所",
    "電話番号",
];

/// One row: a person and the employer the row names.
#[derive(Debug, Clone)]
pub struct RosterRow {
    pub line: u64,
    pub person: Person,
    pub employer: Option<Employer>,
}

/// A roster error. It names the file, the line and the column, never the value (it may be
/// personal).
#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("{file}:{line}: column {column}: {problem}")]
    Field { file: String, line: u64, column: &'static str, problem: String },
    #[error("{file}:{line}: {problem}")]
    Row { file: String, line: u64, problem: String },
    #[error("{file}: header must be exactly: {expected}")]
    Header { file: String, expected: String },
    #[error("{file}: {source}")]
    Io { file: String, source: std::io::Error },
}

/// Writes the header and the rows.
pub fn write_roster<W: Write>(out: W, rows: &[(Person, Option<Employer>)]) -> Result<(), RosterError> {
    let mut w = RosterStreamWriter::new(out)?;
    for (p, employer) in rows {
        w.write(p, employer.as_ref())?;
    }
    w.finish()
}

/// Writes rows one at a time (the generator streams a million people through it).
pub struct RosterStreamWriter<W: Write> {
    writer: csv::Writer<W>,
}

impl<W: Write> RosterStreamWriter<W> {
    pub fn new(out: W) -> Result<Self, RosterError> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(HEADERS).map_err(write_error)?;
        Ok(Self { writer })
    }
    pub fn write(&mut self, person: &Person, employer: Option<&Employer>) -> Result<(), RosterError> {
        self.writer.write_record(row_cells(person, employer)).map_err(write_error)
    }
    pub fn finish(mut self) -> Result<(), RosterError> {
        self.writer.flush().map_err(|e| RosterError::Io { file: "(output)".into(), source: e })
    }
}

fn write_error(e: csv::Error) -> RosterError {
    RosterError::Io { file: "(output)".into(), source: e.into() }
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn row_cells(p: &Person, employer: Option<&Employer>) -> Vec<String> {
    let period = p.eligibility.last();
    let remuneration = p
        .remuneration
        .iter()
        .map(|r| format!("{}:{}:{}", date(r.effective_from), r.grade, r.monthly_amount))
        .collect::<Vec<_>>()
        .join("|");
    let bonuses = p
        .bonuses
        .iter()
        .map(|b| format!("{}:{}:{}", date(b.paid_on), b.amount, b.standard_amount))
        .collect::<Vec<_>>()
        .join("|");
    let dep = p.dependant.as_ref();
    let contact = p.contact.as_ref();
    vec![
        p.kind.label().to_string(),
        p.insurer_number.to_string(),
        p.card.symbol.clone(),
        p.card.number.clone(),
        format!("{:02}", p.card.branch),
        p.name_kanji.clone(),
        p.name_kana.clone(),
        date(p.birth_date),
        p.sex.label().to_string(),
        p.my_number.as_ref().map(MyNumber::expose_digits).unwrap_or_default(),
        employer.map(|e| e.code.clone()).or_else(|| p.employer_code.clone()).unwrap_or_default(),
        employer.map(|e| e.name.clone()).unwrap_or_default(),
        employer.map(|e| e.address.clone()).unwrap_or_default(),
        period.map(|e| date(e.acquired_on)).unwrap_or_default(),
        period.map(|e| e.acquisition_reason.clone()).unwrap_or_default(),
        period.and_then(|e| e.lost_on).map(date).unwrap_or_default(),
        period.and_then(|e| e.loss_reason.clone()).unwrap_or_default(),
        remuneration,
        bonuses,
        dep.map(|d| d.relationship.label().to_string()).unwrap_or_default(),
        dep.map(|d| if d.cohabiting { "同居" } else { "別居" }.to_string()).unwrap_or_default(),
        dep.map(|d| d.annual_income.to_string()).unwrap_or_default(),
        contact.map(|c| c.postal_code.clone()).unwrap_or_default(),
        contact.map(|c| c.address.clone()).unwrap_or_default(),
        contact.map(|c| c.phone.clone()).unwrap_or_default(),
    ]
}

/// A streaming reader: rows come one at a time, memory does not grow with the file.
pub struct RosterReader<R: Read> {
    file: String,
    records: csv::StringRecordsIntoIter<R>,
    /// Line of the last record read. Counted here, not taken from the csv crate, whose
    /// positions are one line short after a CR LF header; a cell holding a line break is
    /// refused, so every accepted record is one line.
    line: u64,
}

impl<R: Read> RosterReader<R> {
    /// Checks the header and returns a reader over the rows.
    pub fn new(input: R, file_name: &str) -> Result<Self, RosterError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
        let headers = reader.headers().map_err(|e| csv_error(file_name, 1, e))?.clone();
        let names: Vec<&str> = headers.iter().map(|h| h.trim_start_matches('\u{feff}').trim()).collect();
        if names != HEADERS {
            return Err(RosterError::Header { file: file_name.to_string(), expected: HEADERS.join(",") });
        }
        Ok(Self { file: file_name.to_string(), records: reader.into_records(), line: 1 })
    }
}

fn csv_error(file: &str, line: u64, e: csv::Error) -> RosterError {
    // csv's messages can quote the offending bytes; describe the kind only.
    let problem = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("has {len} columns, expected {expected_len}")
        }
        csv::ErrorKind::Io(_) => "could not be read".to_string(),
        _ => "is not well-formed CSV".to_string(),
    };
    RosterError::Row { file: file.to_string(), line, problem }
}

impl<R: Read> Iterator for RosterReader<R> {
    type Item = Result<RosterRow, RosterError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.line += 1;
        let record = match self.records.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(csv_error(&self.file, self.line, e))),
        };
        Some(parse_row(&self.file, self.line, &record))
    }
}

struct Cells<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
}

impl Cells<'_> {
    fn err(&self, column: &'static str, problem: impl Into<String>) -> RosterError {
        RosterError::Field { file: self.file.to_string(), line: self.line, column, problem: problem.into() }
    }
    fn get(&self, column: &'static str) -> &str {
        let i = HEADERS.iter().position(|h| *h == column).unwrap_or(usize::MAX);
        self.record.get(i).unwrap_or("").trim()
    }
    fn required(&self, column: &'static str) -> Result<&str, RosterError> {
        let v = self.get(column);
        if v.is_empty() { Err(self.err(column, "is required")) } else { Ok(v) }
    }
    fn date(&self, column: &'static str, v: &str) -> Result<NaiveDate, RosterError> {
        NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| self.err(column, "must be a date YYYY-MM-DD"))
    }
    fn opt_date(&self, column: &'static str) -> Result<Option<NaiveDate>, RosterError> {
        let v = self.get(column);
        if v.is_empty() { Ok(None) } else { self.date(column, v).map(Some) }
    }
    fn yen(&self, column: &'static str, v: &str) -> Result<i64, RosterError> {
        v.parse::<i64>()
            .ok()
            .filter(|n| (0..=text::MAX_YEN).contains(n))
            .ok_or_else(|| self.err(column, "must be a whole number of yen, 0 to 9,999,999,999"))
    }
}

fn parse_row(file: &str, line: u64, record: &csv::StringRecord) -> Result<RosterRow, RosterError> {
    let c = Cells { file, line, record };
    if record.len() != HEADERS.len() {
        return Err(RosterError::Row {
            file: file.to_string(),
            line,
            problem: format!("has {} columns, expected {}", record.len(), HEADERS.len()),
        });
    }
    for (i, column) in HEADERS.iter().enumerate() {
        let max = if column.ends_with("履歴") { text::MAX_HISTORY_CHARS } else { text::MAX_TEXT_CHARS };
        if let Some(problem) = text::cell_problem(record.get(i).unwrap_or(""), max) {
            return Err(c.err(column, problem));
        }
    }
    let kind =
        PersonKind::from_label(c.required("区分")?).ok_or_else(|| c.err("区分", "must be 本人, 任意継続 or 家族"))?;
    let insurer_number =
        InsurerNumber::parse(c.required("保険者番号")?).map_err(|_| c.err("保険者番号", "must be 8 digits"))?;
    let branch = CardId::parse_branch(c.required("枝番")?).map_err(|_| c.err("枝番", "must be 2 digits"))?;
    let card = CardId::new(c.get("記号"), c.required("番号")?, branch)
        .map_err(|_| c.err("番号", "記号・番号 must be at most 20 characters"))?;
    if kind.is_insured() != (branch == 0) {
        return Err(c.err("枝番", "must be 00 for 本人/任意継続 and 01 or more for 家族"));
    }
    let birth_date = c.date("生年月日", c.required("生年月日")?)?;
    let sex = Sex::from_label(c.required("性別")?).ok_or_else(|| c.err("性別", "must be 男 or 女"))?;
    let my_number = match c.get("個人番号") {
        "" => None,
        v => Some(MyNumber::parse(v).map_err(|e| c.err("個人番号", e.to_string()))?),
    };
    let employer_code = Some(c.get("事業所番号").to_string()).filter(|s| !s.is_empty());
    let employer = match &employer_code {
        Some(code) if !c.get("事業所名称").is_empty() => Some(Employer {
            code: code.clone(),
            name: c.get("事業所名称").to_string(),
            address: c.get("事業所所在地").to_string(),
        }),
        _ => None,
    };
    let acquired_on = c.date("資格取得日", c.required("資格取得日")?)?;
    let lost_on = c.opt_date("資格喪失日")?;
    if lost_on.is_some_and(|l| l <= acquired_on) {
        return Err(c.err("資格喪失日", "must be after 資格取得日"));
    }
    let eligibility = vec![EligibilityPeriod {
        acquired_on,
        acquisition_reason: c.required("資格取得事由")?.to_string(),
        lost_on,
        loss_reason: Some(c.get("資格喪失事由").to_string()).filter(|s| !s.is_empty()),
    }];
    let mut remuneration = Vec::new();
    for item in c.get("標準報酬月額履歴").split('|').filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = item.split(':').collect();
        let [from, grade, amount] = parts.as_slice() else {
            return Err(c.err("標準報酬月額履歴", "each entry must be 適用開始日:等級:月額"));
        };
        let grade: u8 = grade
            .parse()
            .ok()
            .filter(|g| (1..=50).contains(g))
            .ok_or_else(|| c.err("標準報酬月額履歴", "等級 must be 1-50"))?;
        remuneration.push(StandardRemuneration {
            effective_from: c.date("標準報酬月額履歴", from)?,
            grade,
            monthly_amount: c.yen("標準報酬月額履歴", amount)?,
        });
    }
    if kind.is_insured() && remuneration.is_empty() {
        return Err(c.err("標準報酬月額履歴", "is required for 本人 and 任意継続"));
    }
    let mut bonuses = Vec::new();
    for item in c.get("標準賞与額履歴").split('|').filter(|s| !s.is_empty()) {
        let parts: Vec<&str> = item.split(':').collect();
        let [paid, amount, standard] = parts.as_slice() else {
            return Err(c.err("標準賞与額履歴", "each entry must be 支給日:賞与額:標準賞与額"));
        };
        bonuses.push(Bonus {
            paid_on: c.date("標準賞与額履歴", paid)?,
            amount: c.yen("標準賞与額履歴", amount)?,
            standard_amount: c.yen("標準賞与額履歴", standard)?,
        });
    }
    let dependant = if kind == PersonKind::Dependant {
        Some(DependantInfo {
            relationship: Relationship::from_label(c.required("続柄")?)
                .ok_or_else(|| c.err("続柄", "must be one of 配偶者, 子, 父母, 祖父母, 兄弟姉妹, 孫, その他"))?,
            cohabiting: match c.required("同居")? {
                "同居" => true,
                "別居" => false,
                _ => return Err(c.err("同居", "must be 同居 or 別居")),
            },
            annual_income: c.yen("前年度収入", c.required("前年度収入")?)?,
        })
    } else {
        None
    };
    let contact = if c.get("住所").is_empty() {
        None
    } else {
        Some(Contact {
            postal_code: c.get("郵便番号").to_string(),
            address: c.get("住所").to_string(),
            phone: c.get("電話番号").to_string(),
        })
    };
    if kind == PersonKind::VoluntaryContinuation && contact.is_none() {
        return Err(c.err("住所", "is required for 任意継続"));
    }
    let person = Person {
        insurer_number,
        card,
        kind,
        name_kanji: c.required("氏名")?.to_string(),
        name_kana: c.required("氏名カナ")?.to_string(),
        birth_date,
        sex,
        my_number,
        employer_code,
        eligibility,
        remuneration,
        bonuses,
        dependant,
        contact,
    };
    Ok(RosterRow { line, person, employer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn insured() -> (Person, Option<Employer>) {
        let employer =
            Employer {
                code: "E0001".into(), name: "架空商事株式会社".into(), address: "東京都架空区1-1".into()
            };
        let p = Person {
            insurer_number: InsurerNumber::parse("06139999").unwrap(),
            card: CardId::new("12", "345", 0).unwrap(),
            kind: PersonKind::Insured,
            name_kanji: "試験 太郎".into(),
            name_kana: "シケン タロウ".into(),
            birth_date: d(1980, 2, 29),
            sex: Sex::Male,
            my_number: Some(MyNumber::parse("123456789018").unwrap()),
            employer_code: Some("E0001".into()),
            eligibility: vec![EligibilityPeriod {
                acquired_on: d(2005, 4, 1),
                acquisition_reason: "採用".into(),
                lost_on: None,
                loss_reason: None,
            }],
            remuneration: vec![
                StandardRemuneration { effective_from: d(2024, 9, 1), grade: 22, monthly_amount: 300_000 },
                StandardRemuneration { effective_from: d(2025, 9, 1), grade: 23, monthly_amount: 320_000 },
            ],
            bonuses: vec![Bonus { paid_on: d(2025, 6, 30), amount: 612_345, standard_amount: 612_000 }],
            dependant: None,
            contact: None,
        };
        (p, Some(employer))
    }

    fn spouse() -> Person {
        let (mut p, _) = insured();
        p.kind = PersonKind::Dependant;
        p.card = CardId::new("12", "345", 1).unwrap();
        p.name_kanji = "試験 花子".into();
        p.sex = Sex::Female;
        p.my_number = None;
        p.remuneration.clear();
        p.bonuses.clear();
        p.dependant =
            Some(DependantInfo { relationship: Relationship::Spouse, cohabiting: true, annual_income: 900_000 });
        p
    }

    #[test]
    fn round_trip() {
        let rows = vec![insured(), (spouse(), None)];
        let mut buf = Vec::new();
        write_roster(&mut buf, &rows).unwrap();
        let back: Vec<RosterRow> = RosterReader::new(buf.as_slice(), "t.csv").unwrap().map(Result::unwrap).collect();
        assert_eq!(back.len(), 2);
        assert_eq!(back[0].person, rows[0].0);
        assert_eq!(back[0].employer, rows[0].1);
        assert_eq!(back[1].person, rows[1].0);
        assert_eq!(back[1].line, 3, "header is line 1");
    }

    #[test]
    fn errors_name_line_and_column_but_not_the_value() {
        let mut buf = Vec::new();
        write_roster(&mut buf, &[insured()]).unwrap();
        let text = String::from_utf8(buf).unwrap().replace("123456789018", "123456789017");
        let err = RosterReader::new(text.as_bytes(), "roster.csv").unwrap().next().unwrap().unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("roster.csv:2: column 個人番号"), "{msg}");
        assert!(!msg.contains("12345678901"), "{msg}");
    }

    #[test]
    fn bad_header_and_bad_dates_are_refused() {
        assert!(RosterReader::new("a,b\n1,2\n".as_bytes(), "x.csv").is_err());
        let mut buf = Vec::new();
        write_roster(&mut buf, &[insured()]).unwrap();
        let text = String::from_utf8(buf).unwrap().replace("1980-02-29", "1981-02-29");
        let err = RosterReader::new(text.as_bytes(), "r.csv").unwrap().next().unwrap().unwrap_err();
        assert!(err.to_string().contains("column 生年月日"), "{err}");
    }

    fn one_row_csv(edit: impl Fn(&mut Person)) -> String {
        let (mut p, e) = insured();
        edit(&mut p);
        let mut buf = Vec::new();
        write_roster(&mut buf, &[(p, e)]).unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn first_error(text: &str) -> String {
        match RosterReader::new(text.as_bytes(), "r.csv") {
            Err(e) => e.to_string(),
            Ok(mut r) => r.find_map(Result::err).map(|e| e.to_string()).unwrap_or_default(),
        }
    }

    #[test]
    fn control_characters_in_a_cell_are_refused_naming_line_and_column_not_the_value() {
        // The review's case: a name with CR LF and commas (it became a row of a payroll CSV).
        let text = one_row_csv(|p| p.name_kanji = "山田\r\n,偽の受給者,家族療養付加金,9999999".into());
        let e = first_error(&text);
        assert!(e.starts_with("r.csv:2: column 氏名"), "{e}");
        assert!(e.contains("control character") && !e.contains("偽の受給者"), "{e}");
        let e = first_error(&one_row_csv(|p| p.name_kana = "\u{1b}]0;x\u{7}ｱ".into()));
        assert!(e.starts_with("r.csv:2: column 氏名カナ"), "{e}");
    }

    #[test]
    fn over_long_cells_and_amounts_are_refused() {
        let e = first_error(&one_row_csv(|p| p.name_kanji = "あ".repeat(201)));
        assert!(e.starts_with("r.csv:2: column 氏名") && e.contains("201 characters"), "{e}");
        let e = first_error(&one_row_csv(|p| p.remuneration[0].monthly_amount = 10_000_000_000));
        assert!(e.starts_with("r.csv:2: column 標準報酬月額履歴"), "{e}");
    }

    #[test]
    fn errors_in_crlf_files_name_the_right_line() {
        // Three rows; the third (file line 4) is bad. With CR LF line ends the line is still 4.
        let (p, e) = insured();
        let mut bad = p.clone();
        bad.card = CardId::new("12", "347", 0).unwrap();
        bad.sex = Sex::Female;
        let mut second = p.clone();
        second.card = CardId::new("12", "346", 0).unwrap();
        let mut buf = Vec::new();
        write_roster(&mut buf, &[(p, e.clone()), (second, e.clone()), (bad, e)]).unwrap();
        let text = String::from_utf8(buf).unwrap().replacen("女", "不明", 1);
        let crlf = text.replace('\n', "\r\n");
        for t in [&text, &crlf] {
            let err = first_error(t);
            assert!(err.starts_with("r.csv:4: column 性別"), "{err}");
        }
    }
}
