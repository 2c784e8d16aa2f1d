//! Employers' eligibility filings in the 日本年金機構 電子媒体届書 CSV layout: 資格取得届
//! (`2200700`), 資格喪失届 (`2201700`) and 被扶養者（異動）届 (`2202700`), as `SHFD0006.CSV`
//! (for the 年金事務所) or `KPFD0006.CSV` (the 健康保険組合's copy, three society fields after
//! each data line).
//!
//! Layout source: 「CSV形式届書作成仕様書（電子申請）／電子媒体届書作成仕様書」令和8年3月 第16.2版,
//! **known to us only through transcriptions** (docs/research/eligibility-filings.md §§1–3: field
//! order and codes from two independent sources; byte widths from one). Fields marked
//! `UNVERIFIED` below are those the research could not check: the KPFD header lines and the
//! position of the three society fields after the 2024-12 field 34, and the meaning of 取得区分
//! `6`/`7`. What is enforced:
//! - Shift_JIS limited to JIS X 0208 (a Windows/IBM extension or a user-defined character is an
//!   error naming the line), CR LF or LF line ends, no quoting (a field cannot hold a comma);
//! - the `[kanri]` / `[data]` markers, the 様式コード, the exact field count of each layout;
//! - every field's width and character class as the research lists it, dates as 元号 + YYMMDD;
//! - the 喪失届's date rule (喪失日 = 退職日・死亡日 + 1 for 4 退職等 and 5 死亡).
//!
//! Errors name the file, the line and the field, never the value. The 個人番号 is parsed into
//! `MyNumber` (check digit verified) and goes nowhere else but the vault.

use chrono::NaiveDate;
use kenpo_domain::eligibility::LossReason;
use kenpo_domain::era;
use kenpo_domain::person::Sex;
use kenpo_domain::{MyNumber, Yen};

/// A filing file larger than this is refused (the 年金機構 refuses 4.5 MB for e-filing; a CD
/// may hold more, but no employer files 16 MB of people at once).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: column {field}: {problem}")]
pub struct FilingError {
    pub file: String,
    pub line: u64,
    pub field: String,
    pub problem: String,
}

/// Which copy of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// SHFD0006: for the 年金事務所.
    Pension,
    /// KPFD0006: for a 健康保険組合 (UNVERIFIED header and tail positions).
    Society,
}

/// The 事業所 the file is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// SHFD: 事業所番号 (as printed on the 納入告知書); KPFD: 事業所番号（健保組合）.
    pub number: String,
    pub name: String,
}

/// The society's own fields at the end of a KPFD data line (UNVERIFIED position).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SocietyFields {
    /// 事業所番号（健保組合）.
    pub office: Option<String>,
    /// 被保険者証番号（健保組合）: the member's 番号 under the employer's 記号.
    pub card_number: Option<String>,
}

/// The member a record is about, as filed.
#[derive(Clone, PartialEq, Eq)]
pub struct FiledPerson {
    pub kana: String,
    pub kanji: Option<String>,
    pub birth: NaiveDate,
    pub my_number: Option<MyNumber>,
}

impl std::fmt::Debug for FiledPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FiledPerson {{ .. }}")
    }
}

/// 資格取得届 (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acquisition {
    pub line: u64,
    pub person: FiledPerson,
    pub sex: Sex,
    pub acquired_on: NaiveDate,
    /// 報酬月額 合計 (通貨 + 現物).
    pub monthly_pay: Yen,
    pub has_dependants: bool,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    /// 資格確認書発行要否 (field 34).
    pub certificate: bool,
    pub society: SocietyFields,
}

/// 資格喪失届 (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loss {
    pub line: u64,
    pub person: FiledPerson,
    pub lost_on: NaiveDate,
    pub reason: LossReason,
    /// 退職日・死亡日 (for 4 and 5), else the 喪失日.
    pub event_day: NaiveDate,
    /// 資格確認書 returned with the filing, and not returnable.
    pub cards_returned: u8,
    pub cards_unreturnable: u8,
    pub society: SocietyFields,
}

/// 異動の別.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependantChange {
    Added,
    Removed,
    Changed,
}

/// One dependant on a 被扶養者（異動）届 line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledDependant {
    pub person: FiledPerson,
    pub sex: Option<Sex>,
    /// 続柄 as the rule reads it, and whether it is a spouse's block.
    pub relationship: kenpo_domain::person::Relationship,
    pub spouse: bool,
    pub cohabiting: Option<bool>,
    /// 被扶養者になった日 (該当) / でなくなった日 (非該当).
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// でなくなった理由 code as filed (`1` 死亡 …).
    pub removal_reason: Option<String>,
    pub income: Option<Yen>,
    pub certificate: bool,
}

/// 被扶養者（異動）届 (one line: the member, a spouse and up to two others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependantFiling {
    pub line: u64,
    pub member: FiledPerson,
    pub member_sex: Sex,
    pub change: DependantChange,
    pub dependants: Vec<FiledDependant>,
    pub society: SocietyFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilingRecord {
    Acquisition(Acquisition),
    Loss(Loss),
    Dependants(DependantFiling),
}

impl FilingRecord {
    pub fn line(&self) -> u64 {
        match self {
            FilingRecord::Acquisition(a) => a.line,
            FilingRecord::Loss(l) => l.line,
            FilingRecord::Dependants(d) => d.line,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    pub layout: Layout,
    pub created_on: NaiveDate,
    pub office: Office,
    pub records: Vec<FilingRecord>,
}

/// The 様式コード this reader knows and their field counts (SHFD; KPFD adds 3).
const ACQUISITION: (&str, usize) = ("2200700", 34);
const LOSS: (&str, usize) = ("2201700", 27);
const DEPENDANTS: (&str, usize) = ("2202700", 139);
/// Society fields after a KPFD data line.
pub(crate) const SOCIETY_TAIL: usize = 3;

/// The parts of a 電子媒体 file every form shares: the header, the office and the data lines.
pub(crate) struct Frame<'a> {
    pub layout: Layout,
    pub created_on: NaiveDate,
    pub office: Office,
    /// Non-empty data lines with their 1-based line numbers.
    pub data: Vec<(u64, &'a [u8])>,
}

pub(crate) fn read_frame<'a>(file: &str, bytes: &'a [u8]) -> Result<Frame<'a>, FilingError> {
    let err = |line: u64, field: &str, problem: &str| FilingError {
        file: file.to_string(),
        line,
        field: field.to_string(),
        problem: problem.to_string(),
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(err(0, "ファイル", "larger than 16 MB"));
    }
    let lines: Vec<&[u8]> = split_lines(bytes);
    let kanri =
        lines.iter().position(|l| *l == b"[kanri]").ok_or_else(|| err(2, "事業所識別符号", "no [kanri] line"))?;
    let data = lines.iter().position(|l| *l == b"[data]").ok_or_else(|| err(5, "データ識別符号", "no [data] line"))?;
    if kanri != 1 || data <= kanri + 2 {
        return Err(err(
            data as u64 + 1,
            "データ識別符号",
            "[kanri] must be line 2 and [data] come after the office lines",
        ));
    }
    // Line 1: 媒体管理レコード. SHFD: [都道府県,]郡市区,記号,通番,作成年月日,22223 (5 or 6 fields);
    // KPFD (UNVERIFIED): 健保組合の事業所番号,通番,作成年月日,(空),固有×4.
    let head = Fields::new(file, 1, lines[0])?;
    let (layout, created_at) = match head.len() {
        5 | 6 if head.raw(head.len() - 1) == "22223" => (Layout::Pension, head.len() - 2),
        8 => (Layout::Society, 2),
        _ => return Err(err(1, "媒体管理レコード", "neither the 年金事務所 (SHFD) nor the 健保組合 (KPFD) header")),
    };
    let created_on = head.ymd(created_at, "作成年月日")?;
    // Office line(s): after the count line.
    let office_line = kanri + 2;
    let o = Fields::new(file, office_line as u64 + 1, lines[office_line])?;
    let office = match layout {
        Layout::Pension => {
            o.count(12, "事業所情報")?;
            Office { number: o.digits(3, "事業所番号", 1, 5)?, name: o.text(7, "事業所名称", 50, true)? }
        }
        Layout::Society => {
            o.count(9, "事業所情報")?;
            Office {
                number: o.alnum(0, "事業所番号（健保組合）", 1, 10)?, name: o.text(4, "事業所名称", 50, true)?
            }
        }
    };
    let rows: Vec<(u64, &[u8])> = lines
        .iter()
        .enumerate()
        .skip(data + 1)
        .filter(|(_, raw)| !raw.is_empty())
        .map(|(i, raw)| (i as u64 + 1, *raw))
        .collect();
    if rows.is_empty() {
        return Err(err(data as u64 + 2, "データレコード", "the file has no data lines"));
    }
    Ok(Frame { layout, created_on, office, data: rows })
}

/// Reads a whole filing. `file` names it in errors.
pub fn read_filing(file: &str, bytes: &[u8]) -> Result<Filing, FilingError> {
    let frame = read_frame(file, bytes)?;
    let tail = match frame.layout {
        Layout::Pension => 0,
        Layout::Society => SOCIETY_TAIL,
    };
    let mut records = Vec::new();
    for (line, raw) in frame.data {
        let f = Fields::new(file, line, raw)?;
        let code = f.raw(0);
        let record = if code == ACQUISITION.0 {
            f.count(ACQUISITION.1 + tail, "様式コード")?;
            FilingRecord::Acquisition(acquisition(&f, line, tail)?)
        } else if code == LOSS.0 {
            f.count(LOSS.1 + tail, "様式コード")?;
            FilingRecord::Loss(loss(&f, line, tail)?)
        } else if code == DEPENDANTS.0 {
            f.count(DEPENDANTS.1 + tail, "様式コード")?;
            FilingRecord::Dependants(dependants(&f, line, tail)?)
        } else {
            return Err(f.err("様式コード", "not 2200700, 2201700 or 2202700"));
        };
        records.push(record);
    }
    Ok(Filing { layout: frame.layout, created_on: frame.created_on, office: frame.office, records })
}

/// Lines on CR LF (or a lone LF); a trailing EOF mark (0x1A) and the last empty line dropped.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let bytes = bytes.strip_suffix(&[0x1a]).unwrap_or(bytes);
    let mut out: Vec<&[u8]> = bytes.split(|b| *b == b'\n').map(|l| l.strip_suffix(b"\r").unwrap_or(l)).collect();
    if out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// One line's fields, split on commas before decoding (a comma, 0x2C, is never the second byte
/// of a Shift_JIS character).
pub(crate) struct Fields<'a> {
    file: &'a str,
    line: u64,
    raw: Vec<&'a [u8]>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(file: &'a str, line: u64, bytes: &'a [u8]) -> Result<Self, FilingError> {
        let me = Self { file, line, raw: bytes.split(|b| *b == b',').collect() };
        // Checked field by field so the error names the column (項目n, numbered from 1 as the
        // spec and research §2 number them), not just the line.
        for (n, field) in me.raw.iter().enumerate() {
            if let Some(problem) = jis_x0208_problem(field) {
                return Err(me.err(&format!("項目{}", n + 1), problem));
            }
        }
        Ok(me)
    }
    pub(crate) fn err(&self, field: &str, problem: &str) -> FilingError {
        FilingError {
            file: self.file.to_string(),
            line: self.line,
            field: field.to_string(),
            problem: problem.to_string(),
        }
    }
    pub(crate) fn len(&self) -> usize {
        self.raw.len()
    }
    pub(crate) fn count(&self, n: usize, field: &str) -> Result<(), FilingError> {
        if self.raw.len() == n {
            Ok(())
        } else {
            Err(self.err(field, &format!("has {} fields, the layout has {n}", self.raw.len())))
        }
    }
    /// ASCII fields as text (codes, digits); non-ASCII gives "" so it fails the checks.
    pub(crate) fn raw(&self, i: usize) -> &str {
        std::str::from_utf8(self.raw.get(i).copied().unwrap_or(b"")).unwrap_or("")
    }
    pub(crate) fn is_empty(&self, i: usize) -> bool {
        self.raw.get(i).is_none_or(|f| f.is_empty())
    }
    pub(crate) fn digits(&self, i: usize, field: &str, min: usize, max: usize) -> Result<String, FilingError> {
        let s = self.raw(i);
        if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(field, &format!("must be {min}–{max} digits")));
        }
        Ok(s.to_string())
    }
    pub(crate) fn opt_digits(&self, i: usize, field: &str, max: usize) -> Result<Option<String>, FilingError> {
        if self.is_empty(i) { Ok(None) } else { self.digits(i, field, 1, max).map(Some) }
    }
    pub(crate) fn alnum(&self, i: usize, field: &str, min: usize, max: usize) -> Result<String, FilingError> {
        let s = self.raw(i);
        if s.len() < min || s.len() > max || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(self.err(field, &format!("must be {min}–{max} letters or digits")));
        }
        Ok(s.to_string())
    }
    pub(crate) fn opt_alnum(&self, i: usize, field: &str, max: usize) -> Result<Option<String>, FilingError> {
        if self.is_empty(i) { Ok(None) } else { self.alnum(i, field, 1, max).map(Some) }
    }
    /// A text field of at most `max_bytes` Shift_JIS bytes, decoded; control characters refused.
    pub(crate) fn text(&self, i: usize, field: &str, max_bytes: usize, required: bool) -> Result<String, FilingError> {
        let bytes = self.raw.get(i).copied().unwrap_or(b"");
        if bytes.is_empty() {
            return if required { Err(self.err(field, "required")) } else { Ok(String::new()) };
        }
        if bytes.len() > max_bytes {
            return Err(self.err(field, &format!("is {} bytes, more than {max_bytes}", bytes.len())));
        }
        let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(bytes);
        if bad {
            return Err(self.err(field, "is not Shift_JIS"));
        }
        if let Some(problem) = crate::text::cell_problem(&text, max_bytes) {
            return Err(self.err(field, &problem));
        }
        Ok(text.into_owned())
    }
    /// Half-width katakana name (≤25 bytes, one byte a character), family and given name
    /// separated by a space; stored as full-width カナ like the roster's.
    pub(crate) fn kana(&self, i: usize, field: &str) -> Result<String, FilingError> {
        let text = self.text(i, field, 25, true)?;
        if !text.chars().all(|c| ('\u{FF61}'..='\u{FF9F}').contains(&c) || c == ' ') {
            return Err(self.err(field, "must be half-width katakana"));
        }
        Ok(kenpo_domain::kana::to_full_width(&text))
    }
    pub(crate) fn opt_text(&self, i: usize, field: &str, max_bytes: usize) -> Result<Option<String>, FilingError> {
        let t = self.text(i, field, max_bytes, false)?;
        Ok((!t.is_empty()).then_some(t))
    }
    /// 元号 code at `i`, YYMMDD at `i + 1`.
    pub(crate) fn date(&self, i: usize, field: &str) -> Result<NaiveDate, FilingError> {
        let code = self.digits(i, field, 1, 1)?;
        let ymd = self.raw(i + 1);
        era::parse_nenkin_date(code.parse().unwrap_or(0), ymd)
            .map_err(|_| self.err(field, "must be a 元号 code (1/3/5/7/9) and a day YYMMDD within that era"))
    }
    /// An event date: 平成 or 令和 only (the spec accepts only 7 or 9 there).
    pub(crate) fn event_date(&self, i: usize, field: &str) -> Result<NaiveDate, FilingError> {
        if !matches!(self.raw(i), "7" | "9") {
            return Err(self.err(field, "an event date takes 元号 7 (平成) or 9 (令和)"));
        }
        self.date(i, field)
    }
    pub(crate) fn opt_event_date(&self, i: usize, field: &str) -> Result<Option<NaiveDate>, FilingError> {
        if self.is_empty(i) && self.is_empty(i + 1) { Ok(None) } else { self.event_date(i, field).map(Some) }
    }
    /// 西暦 YYYYMMDD (媒体管理レコードの作成年月日).
    pub(crate) fn ymd(&self, i: usize, field: &str) -> Result<NaiveDate, FilingError> {
        let s = self.digits(i, field, 8, 8)?;
        NaiveDate::parse_from_str(&s, "%Y%m%d").map_err(|_| self.err(field, "is not a day YYYYMMDD"))
    }
    pub(crate) fn flag(&self, i: usize, field: &str) -> Result<bool, FilingError> {
        match self.raw(i) {
            "" | "0" => Ok(false),
            "1" => Ok(true),
            _ => Err(self.err(field, "must be empty or 1")),
        }
    }
    pub(crate) fn my_number(&self, i: usize, field: &str) -> Result<Option<MyNumber>, FilingError> {
        if self.is_empty(i) {
            return Ok(None);
        }
        // MyNumber's errors never carry the input.
        MyNumber::parse(self.raw(i)).map(Some).map_err(|e| self.err(field, &e.to_string()))
    }
    pub(crate) fn yen(&self, i: usize, field: &str) -> Result<Yen, FilingError> {
        let s = self.digits(i, field, 1, 7)?;
        s.parse::<Yen>().map_err(|_| self.err(field, "not a number"))
    }
    pub(crate) fn opt_yen(&self, i: usize, field: &str) -> Result<Option<Yen>, FilingError> {
        if self.is_empty(i) { Ok(None) } else { self.yen(i, field).map(Some) }
    }
    pub(crate) fn society(&self, tail: usize) -> Result<SocietyFields, FilingError> {
        if tail == 0 {
            return Ok(SocietyFields::default());
        }
        let n = self.raw.len();
        Ok(SocietyFields {
            office: self.opt_alnum(n - 3, "事業所番号（健保組合）", 10)?,
            card_number: self.opt_digits(n - 2, "被保険者証番号（健保組合）", 8)?,
        })
    }
}

/// Why a line is not JIS X 0208 Shift_JIS, if it is not: NEC special characters (lead 0x87),
/// NEC-selected IBM extensions (0xED–0xEE), user-defined (0xF0–0xF9) and IBM extensions
/// (0xFA–0xFC) are refused, as the 年金機構 refuses them.
fn jis_x0208_problem(bytes: &[u8]) -> Option<&'static str> {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x00..=0x7f | 0xa1..=0xdf => {
                if b < 0x20 || b == 0x7f {
                    return Some("contains a control character");
                }
                i += 1;
            }
            0x81..=0x9f | 0xe0..=0xef => {
                if b == 0x87 || b == 0xed || b == 0xee {
                    return Some("contains a character outside JIS X 0208 (a Windows or IBM extension)");
                }
                if i + 1 >= bytes.len() {
                    return Some("ends inside a two-byte character");
                }
                i += 2;
            }
            0xf0..=0xfc => return Some("contains a user-defined or IBM extension character"),
            _ => return Some("is not Shift_JIS"),
        }
    }
    None
}

pub(crate) fn person(
    f: &Fields<'_>,
    kana: usize,
    kanji: usize,
    birth: usize,
    number: Option<usize>,
) -> Result<FiledPerson, FilingError> {
    Ok(FiledPerson {
        kana: f.kana(kana, "被保険者氏名（カナ）")?,
        kanji: f.opt_text(kanji, "被保険者氏名（漢字）", 25)?,
        birth: f.date(birth, "生年月日")?,
        my_number: match number {
            Some(i) => f.my_number(i, "個人番号")?,
            None => None,
        },
    })
}

fn postal(f: &Fields<'_>, parent: usize, child: usize) -> Result<Option<String>, FilingError> {
    match (f.opt_digits(parent, "郵便番号（親）", 3)?, f.opt_digits(child, "郵便番号（子）", 4)?) {
        (Some(p), Some(c)) if p.len() == 3 && c.len() == 4 => Ok(Some(format!("{p}-{c}"))),
        (None, None) => Ok(None),
        _ => Err(f.err("郵便番号", "both parts (3 and 4 digits) or neither")),
    }
}

/// 資格取得届 `2200700`: fields 1-based as in the research table §2.1 (index = field − 1).
fn acquisition(f: &Fields<'_>, line: u64, tail: usize) -> Result<Acquisition, FilingError> {
    let person = person(f, 6, 7, 8, Some(12))?;
    // 種別: 1/5 男, 2/6 女, 3/7 坑内員 (underground work, by law men only: 労基法64条の2).
    let sex = match f.raw(10) {
        "1" | "5" | "3" | "7" => Sex::Male,
        "2" | "6" => Sex::Female,
        _ => return Err(f.err("種別", "must be 1, 2, 3, 5, 6 or 7")),
    };
    // 取得区分: 1 健保・厚年, 3 共済出向, 4 船保任継; 6 and 7 are allowed by the spec (meaning UNVERIFIED).
    if !matches!(f.raw(11), "1" | "3" | "4" | "6" | "7") {
        return Err(f.err("取得区分", "must be 1, 3, 4, 6 or 7"));
    }
    if person.my_number.is_some() && !f.is_empty(13) {
        return Err(f.err("住民票住所を記載できない理由", "must be empty when the 個人番号 is given"));
    }
    let acquired_on = f.event_date(17, "資格取得年月日")?;
    if acquired_on <= person.birth {
        return Err(f.err("資格取得年月日", "not after the birth date"));
    }
    let has_dependants = match f.raw(19) {
        "0" => false,
        "1" => true,
        _ => return Err(f.err("被扶養者の有無", "must be 0 or 1")),
    };
    let cash = f.yen(20, "報酬月額（通貨）")?;
    let kind = f.yen(21, "報酬月額（現物）")?;
    let total = f.yen(22, "報酬月額（合計）")?;
    if cash.checked_add(kind) != Some(total) {
        return Err(f.err("報酬月額（合計）", "is not 通貨 + 現物"));
    }
    if total < 1000 {
        return Err(f.err("報酬月額（合計）", "must be at least 1000"));
    }
    for (i, name) in [
        (23, "備考欄項目1"),
        (24, "備考欄項目2"),
        (25, "備考欄項目3"),
        (26, "備考欄項目4"),
        (32, "70歳以上被用者届のみ提出"),
    ] {
        f.flag(i, name)?;
    }
    f.opt_text(27, "備考欄", 75)?;
    let postal_code = postal(f, 28, 29)?;
    f.opt_text(30, "被保険者住所（カナ）", 75)?;
    let address = f.opt_text(31, "被保険者住所（漢字）", 74)?;
    if person.my_number.is_none() && (postal_code.is_none() || address.is_none()) {
        return Err(f.err("被保険者住所（漢字）", "required when the 個人番号 is not given"));
    }
    Ok(Acquisition {
        line,
        sex,
        acquired_on,
        monthly_pay: total,
        has_dependants,
        postal_code,
        address,
        certificate: f.flag(33, "資格確認書発行要否")?,
        society: f.society(tail)?,
        person,
    })
}

/// 資格喪失届 `2201700` (§2.2).
fn loss(f: &Fields<'_>, line: u64, tail: usize) -> Result<Loss, FilingError> {
    let person = person(f, 6, 7, 8, Some(10))?;
    if person.my_number.is_none() && (f.is_empty(11) || f.is_empty(12)) {
        return Err(f.err("基礎年金番号", "required when the 個人番号 is not given"));
    }
    let lost_on = f.event_date(13, "資格喪失年月日")?;
    let reason = LossReason::from_filing_code(f.raw(15))
        .ok_or_else(|| f.err("喪失（不該当）原因", "must be 4, 5, 7, 9 or 11"))?;
    let event = f.opt_event_date(16, "退職日死亡日")?;
    let only_70 = f.flag(26, "70歳以上被用者届のみ提出")?;
    let event_day = match (reason, event) {
        (LossReason::Retirement | LossReason::Death, Some(day)) => {
            // 喪失日 = 退職日・死亡日 + 1 (4 退職等; 5 死亡 unless only the 70歳 part is filed).
            if !(reason == LossReason::Death && only_70) && day.succ_opt() != Some(lost_on) {
                return Err(f.err("資格喪失年月日", "must be the day after the 退職日・死亡日"));
            }
            day
        }
        (LossReason::Retirement | LossReason::Death, None) => {
            return Err(f.err("退職日死亡日", "required for 喪失原因 4 and 5"));
        }
        (_, Some(_)) => return Err(f.err("退職日死亡日", "must be empty unless 喪失原因 is 4 or 5")),
        (LossReason::Age75, None) => {
            let b75 = kenpo_domain::eligibility::seventy_fifth_birthday(person.birth);
            if b75.is_none_or(|d| lost_on < d) {
                return Err(f.err("資格喪失年月日", "before the 75th birthday for 喪失原因 7"));
            }
            lost_on
        }
        (_, None) => lost_on,
    };
    if lost_on <= person.birth {
        return Err(f.err("資格喪失年月日", "not after the birth date"));
    }
    let count = |i: usize, name: &str| -> Result<u8, FilingError> {
        Ok(f.opt_digits(i, name, 2)?.map_or(0, |s| s.parse().unwrap_or(0)))
    };
    f.flag(18, "備考欄項目1")?;
    f.flag(19, "備考欄項目2")?;
    f.opt_text(20, "備考欄", 75)?;
    Ok(Loss {
        line,
        lost_on,
        reason,
        event_day,
        cards_returned: count(21, "資格確認書回収（添付）")?,
        cards_unreturnable: count(22, "資格確認書回収（返不能）")?,
        society: f.society(tail)?,
        person,
    })
}

/// 被扶養者（異動）届 `2202700` (§2.3): the member, the spouse block (22–69) and two other blocks
/// (70–102, 103–135), 資格確認書発行要否 in 137–139.
fn dependants(f: &Fields<'_>, line: u64, tail: usize) -> Result<DependantFiling, FilingError> {
    let member = person(f, 8, 9, 10, Some(13))?;
    let member_sex = match f.raw(12) {
        "1" => Sex::Male,
        "2" => Sex::Female,
        _ => return Err(f.err("被保険者の性別", "must be 1 or 2")),
    };
    let change = match f.raw(20) {
        "1" => DependantChange::Added,
        "2" => DependantChange::Removed,
        "3" => DependantChange::Changed,
        _ => return Err(f.err("異動の別", "must be 1, 2 or 3")),
    };
    let mut dependants = Vec::new();
    // Spouse block: 24 カナ (index 23).
    if !f.is_empty(23) {
        use kenpo_domain::person::Relationship;
        let p = FiledPerson {
            kana: f.kana(23, "配偶者氏名（カナ）")?,
            kanji: f.opt_text(24, "配偶者氏名（漢字）", 25)?,
            birth: f.date(25, "配偶者生年月日")?,
            my_number: f.my_number(28, "配偶者個人番号")?,
        };
        // 28: 1 夫, 2 妻, 3 夫（未届）, 4 妻（未届）— the relationship, not the sex.
        let sex = match f.raw(27) {
            "1" | "3" => Sex::Male,
            "2" | "4" => Sex::Female,
            _ => return Err(f.err("配偶者の続柄", "must be 1, 2, 3 or 4")),
        };
        dependants.push(FiledDependant {
            person: p,
            sex: Some(sex),
            relationship: Relationship::Spouse,
            spouse: true,
            cohabiting: cohabiting(f, 34, "配偶者 同居・別居の別")?,
            since: f.opt_event_date(43, "配偶者 被扶養者になった日")?,
            until: f.opt_event_date(49, "配偶者 被扶養者でなくなった日")?,
            removal_reason: f.opt_digits(51, "配偶者 被扶養者でなくなった理由", 1)?,
            income: f.opt_yen(48, "配偶者 収入")?,
            certificate: f.flag(136, "資格確認書発行要否（配偶者）")?,
        });
    }
    for (block, start, cert) in [(1, 69usize, 137usize), (2, 102, 138)] {
        if f.is_empty(start + 1) {
            continue;
        }
        let name = |what: &str| format!("その他の被扶養者{block} {what}");
        let p = FiledPerson {
            kana: f.kana(start + 1, &name("氏名（カナ）"))?,
            kanji: f.opt_text(start + 2, &name("氏名（漢字）"), 25)?,
            birth: f.date(start + 3, &name("生年月日"))?,
            my_number: f.my_number(start + 8, &name("個人番号"))?,
        };
        let sex = match f.raw(start + 5) {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            "" => None,
            _ => return Err(f.err(&name("性別"), "must be 1 or 2")),
        };
        dependants.push(FiledDependant {
            person: p,
            sex,
            relationship: relationship_code(f, start + 6, &name("続柄"))?,
            spouse: false,
            cohabiting: cohabiting(f, start + 9, &name("同居・別居の別"))?,
            since: f.opt_event_date(start + 20, &name("被扶養者になった日"))?,
            until: f.opt_event_date(start + 27, &name("被扶養者でなくなった日"))?,
            removal_reason: f.opt_digits(start + 29, &name("被扶養者でなくなった理由"), 1)?,
            income: f.opt_yen(start + 24, &name("収入"))?,
            certificate: f.flag(cert, &format!("資格確認書発行要否（その他{block}）"))?,
        });
    }
    if dependants.is_empty() {
        return Err(f.err("配偶者氏名（カナ）", "the line names no dependant"));
    }
    for d in &dependants {
        match change {
            DependantChange::Added if d.since.is_none() => {
                return Err(f.err("被扶養者になった日", "required for 該当"));
            }
            DependantChange::Removed if d.until.is_none() => {
                return Err(f.err("被扶養者でなくなった日", "required for 非該当"));
            }
            _ => {}
        }
    }
    Ok(DependantFiling { line, member, member_sex, change, dependants, society: f.society(tail)? })
}

fn cohabiting(f: &Fields<'_>, i: usize, field: &str) -> Result<Option<bool>, FilingError> {
    match f.raw(i) {
        "1" => Ok(Some(true)),
        "2" => Ok(Some(false)),
        "" => Ok(None),
        _ => Err(f.err(field, "must be 1 (同居) or 2 (別居)")),
    }
}

/// その他の被扶養者の続柄コード (research §2.3, to be checked against the spec: UNVERIFIED).
fn relationship_code(f: &Fields<'_>, i: usize, field: &str) -> Result<kenpo_domain::person::Relationship, FilingError> {
    use kenpo_domain::person::Relationship;
    Ok(match f.raw(i) {
        "01" | "02" => Relationship::Child,
        "03" | "04" => Relationship::Parent,
        "05" | "06" => Relationship::Sibling,
        "07" | "08" => Relationship::Grandparent,
        "09" => Relationship::Grandchild,
        "10" => Relationship::Other,
        _ => return Err(f.err(field, "must be a 続柄コード 01–10")),
    })
}

/// Writes a filing in the layout it names (the synthetic society's employers, the tests). Fields
/// Kenpo does not model are written with neutral values the reader accepts: 都道府県コード 21,
/// 郡市区符号 01, 事業所記号 `KNP`, 取得区分 1, 基礎年金番号 `1234`/`567890` when no 個人番号 is
/// given, the member's address as 東京都 when a 被扶養者届 needs one.
pub fn write_filing(filing: &Filing) -> Result<Vec<u8>, FilingError> {
    let bad = |line: u64, field: &str, problem: &str| FilingError {
        file: "(written)".into(),
        line,
        field: field.into(),
        problem: problem.into(),
    };
    let date = |d: NaiveDate| {
        let (code, ymd) = era::to_nenkin_date(d);
        [code.to_string(), ymd]
    };
    let half = |line: u64, kana: &str| {
        kenpo_domain::kana::to_half_width(kana).ok_or_else(|| bad(line, "氏名（カナ）", "not katakana"))
    };
    let number = |n: &Option<MyNumber>| n.as_ref().map(|n| n.expose_digits()).unwrap_or_default();
    let mut lines = frame_head(filing.layout, filing.created_on, &filing.office);
    let tail = |office: &str, s: &SocietyFields| society_tail(office, s);
    let office_head = ["21".to_string(), "01".into(), "KNP".into(), "1".into()];
    for r in &filing.records {
        let line = r.line();
        let mut f: Vec<String>;
        let society;
        match r {
            FilingRecord::Acquisition(a) => {
                f = vec![String::new(); ACQUISITION.1];
                f[0] = ACQUISITION.0.into();
                f[1..5].clone_from_slice(&office_head);
                f[6] = half(line, &a.person.kana)?;
                f[7] = a.person.kanji.clone().unwrap_or_default();
                f[8..10].clone_from_slice(&date(a.person.birth));
                f[10] = a.sex.code().to_string();
                f[11] = "1".into();
                f[12] = number(&a.person.my_number);
                f[17..19].clone_from_slice(&date(a.acquired_on));
                f[19] = if a.has_dependants { "1" } else { "0" }.into();
                f[20] = a.monthly_pay.to_string();
                f[21] = "0".into();
                f[22] = a.monthly_pay.to_string();
                if a.person.my_number.is_none() {
                    let (p, c) = a.postal_code.as_deref().and_then(|p| p.split_once('-')).unwrap_or(("100", "0001"));
                    f[28] = p.into();
                    f[29] = c.into();
                    f[31] = a.address.clone().unwrap_or_else(|| "東京都".into());
                }
                f[33] = if a.certificate { "1" } else { "" }.into();
                society = &a.society;
            }
            FilingRecord::Loss(l) => {
                f = vec![String::new(); LOSS.1];
                f[0] = LOSS.0.into();
                f[1..5].clone_from_slice(&office_head);
                f[6] = half(line, &l.person.kana)?;
                f[7] = l.person.kanji.clone().unwrap_or_default();
                f[8..10].clone_from_slice(&date(l.person.birth));
                f[10] = number(&l.person.my_number);
                if l.person.my_number.is_none() {
                    f[11] = "1234".into();
                    f[12] = "567890".into();
                }
                f[13..15].clone_from_slice(&date(l.lost_on));
                f[15] = l.reason.filing_code().ok_or_else(|| bad(line, "喪失（不該当）原因", "no filing code"))?.into();
                if matches!(l.reason, LossReason::Retirement | LossReason::Death) {
                    f[16..18].clone_from_slice(&date(l.event_day));
                }
                if l.cards_returned > 0 {
                    f[21] = l.cards_returned.to_string();
                }
                if l.cards_unreturnable > 0 {
                    f[22] = l.cards_unreturnable.to_string();
                }
                society = &l.society;
            }
            FilingRecord::Dependants(d) => {
                f = vec![String::new(); DEPENDANTS.1];
                f[0] = DEPENDANTS.0.into();
                f[1..4].clone_from_slice(&office_head[..3]);
                f[4] = "1".into();
                f[8] = half(line, &d.member.kana)?;
                f[9] = d.member.kanji.clone().unwrap_or_default();
                f[10..12].clone_from_slice(&date(d.member.birth));
                f[12] = d.member_sex.code().to_string();
                f[13] = number(&d.member.my_number);
                if d.member.my_number.is_none() {
                    f[14] = "1234".into();
                    f[15] = "567890".into();
                    f[17] = "100".into();
                    f[18] = "0001".into();
                    f[19] = "東京都".into();
                }
                f[20] = match d.change {
                    DependantChange::Added => "1",
                    DependantChange::Removed => "2",
                    DependantChange::Changed => "3",
                }
                .into();
                let mut others = [(69usize, 137usize), (102, 138)].into_iter();
                for dep in &d.dependants {
                    let cohab = match dep.cohabiting {
                        Some(true) => "1",
                        Some(false) => "2",
                        None => "",
                    };
                    if dep.spouse {
                        f[23] = half(line, &dep.person.kana)?;
                        f[24] = dep.person.kanji.clone().unwrap_or_default();
                        f[25..27].clone_from_slice(&date(dep.person.birth));
                        f[27] = if dep.sex == Some(Sex::Male) { "1" } else { "2" }.into();
                        f[28] = number(&dep.person.my_number);
                        f[34] = cohab.into();
                        f[36] = "100".into();
                        f[37] = "0001".into();
                        f[38] = "東京都".into();
                        if let Some(s) = dep.since {
                            f[43..45].clone_from_slice(&date(s));
                        }
                        f[48] = dep.income.map(|i| i.to_string()).unwrap_or_default();
                        if let Some(u) = dep.until {
                            f[49..51].clone_from_slice(&date(u));
                        }
                        f[51] = dep.removal_reason.clone().unwrap_or_default();
                        f[136] = if dep.certificate { "1" } else { "" }.into();
                    } else {
                        let (start, cert) =
                            others.next().ok_or_else(|| bad(line, "その他の被扶養者", "more than two on one line"))?;
                        f[start + 1] = half(line, &dep.person.kana)?;
                        f[start + 2] = dep.person.kanji.clone().unwrap_or_default();
                        f[start + 3..start + 5].clone_from_slice(&date(dep.person.birth));
                        f[start + 5] = dep.sex.map(|s| s.code().to_string()).unwrap_or_default();
                        f[start + 6] = relationship_to_code(dep.relationship).into();
                        f[start + 8] = number(&dep.person.my_number);
                        f[start + 9] = cohab.into();
                        f[start + 10] = "100".into();
                        f[start + 11] = "0001".into();
                        f[start + 12] = "東京都".into();
                        if let Some(s) = dep.since {
                            f[start + 20..start + 22].clone_from_slice(&date(s));
                        }
                        f[start + 24] = dep.income.map(|i| i.to_string()).unwrap_or_default();
                        if let Some(u) = dep.until {
                            f[start + 27..start + 29].clone_from_slice(&date(u));
                        }
                        f[start + 29] = dep.removal_reason.clone().unwrap_or_default();
                        f[cert] = if dep.certificate { "1" } else { "" }.into();
                    }
                }
                society = &d.society;
            }
        }
        if filing.layout == Layout::Society {
            f.extend(tail(&filing.office.number, society));
        }
        if f.iter().any(|c| c.contains(',') || c.contains('\n') || c.contains('\r')) {
            return Err(bad(line, "データレコード", "a field holds a comma or a line break"));
        }
        lines.push(f.join(","));
    }
    frame_bytes(&lines)
}

fn relationship_to_code(r: kenpo_domain::person::Relationship) -> &'static str {
    use kenpo_domain::person::Relationship;
    match r {
        Relationship::Child => "01",
        Relationship::Parent => "03",
        Relationship::Sibling => "05",
        Relationship::Grandparent => "07",
        Relationship::Grandchild => "09",
        Relationship::Spouse | Relationship::Other => "10",
    }
}

/// The KPFD society fields written after a data line.
pub(crate) fn society_tail(office: &str, s: &SocietyFields) -> Vec<String> {
    vec![
        s.office.clone().unwrap_or_else(|| office.to_string()),
        s.card_number.clone().unwrap_or_default(),
        String::new(),
    ]
}

/// The header, the [kanri] section with the office, and the [data] marker.
pub(crate) fn frame_head(layout: Layout, created_on: NaiveDate, office: &Office) -> Vec<String> {
    let created = created_on.format("%Y%m%d").to_string();
    let mut lines = Vec::new();
    match layout {
        Layout::Pension => {
            lines.push(format!("21,01,KNP,001,{created},22223"));
            lines.push("[kanri]".into());
            lines.push(",001".into());
            lines.push(format!(
                "21,01,KNP,{},100,0001,東京都千代田区,{},事業主,03,1234,5678",
                office.number, office.name
            ));
        }
        Layout::Society => {
            lines.push(format!("{},001,{created},,,,,", office.number));
            lines.push("[kanri]".into());
            lines.push(",001".into());
            lines.push(format!("{},100,0001,東京都千代田区,{},事業主,03,1234,5678", office.number, office.name));
        }
    }
    lines.push("[data]".into());
    lines
}

/// Lines joined with CR LF and encoded as Shift_JIS.
pub(crate) fn frame_bytes(lines: &[String]) -> Result<Vec<u8>, FilingError> {
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    if unmappable {
        return Err(FilingError {
            file: "(written)".into(),
            line: 0,
            field: "文字".into(),
            problem: "a character Shift_JIS cannot hold".into(),
        });
    }
    Ok(bytes.into_owned())
}
