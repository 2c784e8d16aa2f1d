//! 報酬の届書 as the 日本年金機構's 電子媒体 CSV: 算定基礎届 `2225700` (53 fields), 月額変更届
//! `2221700` (49) and 賞与支払届 `2265700` (21), in the same SHFD0006 / KPFD0006 frame as the
//! eligibility filings (`crate::nenkin`).
//!
//! Layout: `docs/research/remuneration-filings.md` — two independent implementations of the
//! 2026 自動チェック tables agree field by field; the official PDF could not be opened here.
//! UNVERIFIED: whether the KPFD copy ends these lines with the 健保組合's three fields as it does
//! the 取得届; this reader expects them in a KPFD file (the 被保険者証番号 names the member).
//!
//! Refused, naming line and column: a field count other than the layout's, widths and
//! character classes, 元号 codes and dates, 給与支給月 other than April–June (算定) or the three
//! months before the 改定月 (月変), 合計 ≠ 通貨 + 現物, 総計 and 平均額 that do not follow from the
//! months (the spec's 自動チェック), 支払基礎日数 over 31. Lines marked 70歳以上被用者届のみ提出 are
//! kept but flagged: they are not for the health insurance.

use crate::nenkin::{
    Fields, FilingError, Layout, Office, SOCIETY_TAIL, SocietyFields, frame_bytes, frame_head, person, read_frame,
    society_tail,
};
use chrono::NaiveDate;
use kenpo_domain::date::YearMonth;
use kenpo_domain::remuneration::{PayChange, PayMonth, WorkerKind};
use kenpo_domain::{Yen, era};

pub use crate::nenkin::FiledPerson;

const ANNUAL: (&str, usize) = ("2225700", 53);
const INTERIM: (&str, usize) = ("2221700", 49);
const BONUS: (&str, usize) = ("2265700", 21);
/// Amounts at or above ten million are written as this (the spec's cap).
const CAPPED: Yen = 9_999_999;

/// 算定基礎届 (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReport {
    pub line: u64,
    pub person: FiledPerson,
    /// 適用年月 (September of the year).
    pub applies_from: YearMonth,
    /// 従前の標準報酬月額（健保）, in yen (filed in 千円).
    pub previous_standard: Option<Yen>,
    pub pay_change: Option<(u32, PayChange)>,
    /// 遡及支払額 and its month.
    pub retroactive: Option<(u32, Yen)>,
    pub months: [PayMonth; 3],
    pub total: Yen,
    pub average: Yen,
    /// 修正平均額 (when 遡及 or 年間平均 apply).
    pub corrected_average: Option<Yen>,
    pub worker: WorkerKind,
    /// 備考 8: 年間平均 (保険者算定の申立て).
    pub yearly_average: bool,
    pub mid_year_join: bool,
    pub on_leave: bool,
    pub seventy_only: bool,
    pub society: SocietyFields,
}

/// 月額変更届 (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterimReport {
    pub line: u64,
    pub person: FiledPerson,
    /// 改定年月.
    pub revised_from: YearMonth,
    pub previous_standard: Option<Yen>,
    pub pay_change: Option<(u32, PayChange)>,
    pub months: [PayMonth; 3],
    pub total: Yen,
    pub average: Yen,
    pub corrected_average: Option<Yen>,
    pub worker: WorkerKind,
    pub seventy_only: bool,
    pub society: SocietyFields,
}

/// 賞与支払届 (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BonusReport {
    pub line: u64,
    pub person: FiledPerson,
    pub paid_on: NaiveDate,
    pub cash: Yen,
    pub in_kind: Yen,
    /// 合計, truncated to 1,000 yen as filed.
    pub total: Yen,
    /// 同一月内の賞与合算: the day of the first payment.
    pub first_payment_day: Option<u32>,
    pub seventy_only: bool,
    pub society: SocietyFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayRecord {
    Annual(AnnualReport),
    Interim(InterimReport),
    Bonus(BonusReport),
}

impl PayRecord {
    pub fn line(&self) -> u64 {
        match self {
            PayRecord::Annual(a) => a.line,
            PayRecord::Interim(i) => i.line,
            PayRecord::Bonus(b) => b.line,
        }
    }
    pub fn seventy_only(&self) -> bool {
        match self {
            PayRecord::Annual(a) => a.seventy_only,
            PayRecord::Interim(i) => i.seventy_only,
            PayRecord::Bonus(b) => b.seventy_only,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayFiling {
    pub layout: Layout,
    pub created_on: NaiveDate,
    pub office: Office,
    pub records: Vec<PayRecord>,
}

/// Reads a whole file of 報酬の届書. `file` names it in errors.
pub fn read_pay_filing(file: &str, bytes: &[u8]) -> Result<PayFiling, FilingError> {
    let frame = read_frame(file, bytes)?;
    let tail = match frame.layout {
        Layout::Pension => 0,
        Layout::Society => SOCIETY_TAIL,
    };
    let mut records = Vec::new();
    for (line, raw) in frame.data {
        let f = Fields::new(file, line, raw)?;
        let code = f.raw(0);
        let record = if code == ANNUAL.0 {
            f.count(ANNUAL.1 + tail, "様式コード")?;
            PayRecord::Annual(annual(&f, line, tail)?)
        } else if code == INTERIM.0 {
            f.count(INTERIM.1 + tail, "様式コード")?;
            PayRecord::Interim(interim(&f, line, tail)?)
        } else if code == BONUS.0 {
            f.count(BONUS.1 + tail, "様式コード")?;
            PayRecord::Bonus(bonus(&f, line, tail)?)
        } else {
            return Err(f.err("様式コード", "not 2225700, 2221700 or 2265700"));
        };
        records.push(record);
    }
    Ok(PayFiling { layout: frame.layout, created_on: frame.created_on, office: frame.office, records })
}

fn office_fields(f: &Fields<'_>) -> Result<(), FilingError> {
    f.digits(1, "都道府県コード", 2, 2)?;
    f.digits(2, "郡市区符号", 2, 2)?;
    let symbol = f.text(3, "事業所記号", 4, true)?;
    if !symbol.chars().all(|c| c.is_ascii_alphanumeric() || ('\u{FF61}'..='\u{FF9F}').contains(&c)) {
        return Err(f.err("事業所記号", "must be letters and digits or half-width kana"));
    }
    f.opt_digits(4, "被保険者整理番号", 6)?;
    Ok(())
}

/// 元号 (7/9) at `i`, YY at `i + 1`, MM at `i + 2`.
fn year_month(f: &Fields<'_>, i: usize, field: &str) -> Result<YearMonth, FilingError> {
    if !matches!(f.raw(i), "7" | "9") {
        return Err(f.err(field, "takes 元号 7 (平成) or 9 (令和)"));
    }
    let yy = f.digits(i + 1, field, 2, 2)?;
    let mm = f.digits(i + 2, field, 2, 2)?;
    let code: u8 = f.raw(i).parse().unwrap_or(0);
    let day = era::parse_nenkin_date(code, &format!("{yy}{mm}01"))
        .map_err(|_| f.err(field, "is not a month within that era"))?;
    Ok(YearMonth::of(day))
}

fn month_number(f: &Fields<'_>, i: usize, field: &str) -> Result<u32, FilingError> {
    let m: u32 = f.digits(i, field, 1, 2)?.parse().unwrap_or(0);
    if !(1..=12).contains(&m) {
        return Err(f.err(field, "must be a month 01–12"));
    }
    Ok(m)
}

fn pay_change(f: &Fields<'_>, month: usize, kind: usize) -> Result<Option<(u32, PayChange)>, FilingError> {
    if f.is_empty(month) && f.is_empty(kind) {
        return Ok(None);
    }
    let m = month_number(f, month, "昇（降）給月")?;
    let k = match f.raw(kind) {
        "1" => PayChange::Raise,
        "2" => PayChange::Cut,
        _ => return Err(f.err("昇（降）給区分", "must be 1 (昇給) or 2 (降給)")),
    };
    Ok(Some((m, k)))
}

/// 基礎年金番号 (課所符号 4 digits, 一連番号 6 digits): both or neither.
fn pension_number(f: &Fields<'_>, i: usize) -> Result<(), FilingError> {
    match (f.opt_digits(i, "基礎年金番号（課所符号）", 4)?, f.opt_digits(i + 1, "基礎年金番号（一連番号）", 6)?)
    {
        (Some(a), Some(b)) if a.len() == 4 && b.len() == 6 => Ok(()),
        (None, None) => Ok(()),
        _ => Err(f.err("基礎年金番号", "both parts (4 and 6 digits) or neither")),
    }
}

fn previous_standard(f: &Fields<'_>, i: usize) -> Result<Option<Yen>, FilingError> {
    f.opt_digits(i + 1, "従前の標準報酬月額（厚年）", 4)?;
    match f.opt_digits(i, "従前の標準報酬月額（健保）", 4)? {
        None => Ok(None),
        Some(s) => {
            let thousands: Yen = s.parse().unwrap_or(0);
            if thousands == 0 {
                return Err(f.err("従前の標準報酬月額（健保）", "must not be 0 (千円 units)"));
            }
            Ok(Some(thousands * 1000))
        }
    }
}

/// The three months' 日数, 通貨, 現物, 合計 at fields 25–36 (indices 24–35), for `months`.
fn pay_months(f: &Fields<'_>, months: [YearMonth; 3]) -> Result<[PayMonth; 3], FilingError> {
    let mut out = [PayMonth { month: months[0], base_days: 0, cash: 0, in_kind: 0 }; 3];
    for k in 0..3 {
        let days: u32 = f.digits(24 + k, "報酬支払基礎日数", 1, 2)?.parse().unwrap_or(99);
        if days > 31 {
            return Err(f.err("報酬支払基礎日数", "must be 0–31"));
        }
        let cash = f.yen(27 + k, "通貨によるものの額")?;
        let in_kind = f.yen(30 + k, "現物によるものの額")?;
        let total = f.yen(33 + k, "合計")?;
        if total != (cash + in_kind).min(CAPPED) {
            return Err(f.err("合計", "is not 通貨 + 現物"));
        }
        out[k] = PayMonth { month: months[k], base_days: days, cash, in_kind };
    }
    Ok(out)
}

fn averaged(f: &Fields<'_>, counted: &[&PayMonth]) -> Result<(Yen, Yen), FilingError> {
    let total_filed = f.yen(36, "総計")?;
    let average_filed = f.yen(37, "平均額")?;
    let sum: Yen = counted.iter().map(|m| (m.cash + m.in_kind).min(CAPPED)).sum();
    let expected_total = sum.min(CAPPED);
    if total_filed != expected_total {
        return Err(f.err("総計", "is not the sum of the months that count"));
    }
    if !counted.is_empty() && total_filed < CAPPED && average_filed != sum / counted.len() as Yen {
        return Err(f.err("平均額", "is not 総計 ÷ the months that count (1円未満切捨て)"));
    }
    Ok((total_filed, average_filed))
}

fn annual(f: &Fields<'_>, line: u64, tail: usize) -> Result<AnnualReport, FilingError> {
    office_fields(f)?;
    let person = person(f, 5, 6, 7, None)?;
    let applies_from = year_month(f, 9, "適用年月")?;
    if applies_from.month() != 9 {
        return Err(f.err("適用年月", "must be September (月 09)"));
    }
    let previous_standard = previous_standard(f, 12)?;
    year_month(f, 14, "従前の改定月")?;
    let pay_change = pay_change(f, 17, 18)?;
    let retroactive = match (f.is_empty(19), f.opt_yen(20, "遡及支払額")?) {
        (true, None) => None,
        (false, Some(a)) => {
            let m = month_number(f, 19, "遡及支払月")?;
            if !(4..=6).contains(&m) {
                return Err(f.err("遡及支払月", "must be 04–06"));
            }
            Some((m, a))
        }
        _ => return Err(f.err("遡及支払月", "month and amount go together")),
    };
    let year = applies_from.year();
    for (k, expected) in ["04", "05", "06"].iter().enumerate() {
        let m = f.raw(21 + k);
        if m != *expected {
            return Err(f.err("給与支給月", "must be 04, 05 and 06"));
        }
    }
    let months = pay_months(
        f,
        [YearMonth::from_parts(year, 4), YearMonth::from_parts(year, 5), YearMonth::from_parts(year, 6)],
    )?;
    let corrected_average = f.opt_yen(38, "修正平均額")?;
    f.my_number(39, "個人番号")?;
    pension_number(f, 40)?;
    let seventy = f.flag(42, "70歳以上被用者")?;
    f.opt_digits(43, "算定基礎月", 4)?;
    f.flag(44, "二以上勤務")?;
    f.flag(45, "月額変更予定")?;
    let mid_year_join = f.flag(46, "途中入社")?;
    let on_leave = f.flag(47, "病休・育休・休職等")?;
    let short = f.flag(48, "短時間労働者")?;
    let part = f.flag(49, "パート")?;
    let yearly_average = f.flag(50, "年間平均")?;
    f.opt_text(51, "備考", 75)?;
    let seventy_only = f.flag(52, "70歳以上被用者届のみ提出")?;
    if seventy_only && !seventy {
        return Err(f.err("70歳以上被用者届のみ提出", "needs 備考 1 (70歳以上被用者)"));
    }
    let worker = match (short, part) {
        (true, true) => return Err(f.err("パート", "短時間労働者 and パート are exclusive")),
        (true, false) => WorkerKind::ShortTime,
        (false, true) => WorkerKind::PartTime,
        _ => WorkerKind::Regular,
    };
    // The months that count, as the spec's check computes 総計 (§5 of the research note).
    let threshold = if worker == WorkerKind::ShortTime { 11 } else { 17 };
    let mut counted: Vec<&PayMonth> = months.iter().filter(|m| m.base_days >= threshold).collect();
    if counted.is_empty() && worker == WorkerKind::PartTime {
        counted = months.iter().filter(|m| m.base_days >= 15).collect();
    }
    let (total, average) = averaged(f, &counted)?;
    // The file's own 個人番号 is only allowed for 70歳以上被用者; the society never needs it here.
    let person = FiledPerson { my_number: None, ..person };
    Ok(AnnualReport {
        line,
        person,
        applies_from,
        previous_standard,
        pay_change,
        retroactive,
        months,
        total,
        average,
        corrected_average,
        worker,
        yearly_average,
        mid_year_join,
        on_leave,
        seventy_only,
        society: f.society(tail)?,
    })
}

fn interim(f: &Fields<'_>, line: u64, tail: usize) -> Result<InterimReport, FilingError> {
    office_fields(f)?;
    let person = person(f, 5, 6, 7, None)?;
    let revised_from = year_month(f, 9, "改定年月")?;
    let previous_standard = previous_standard(f, 12)?;
    year_month(f, 14, "従前の改定月")?;
    let pay_change = pay_change(f, 17, 18)?;
    if !f.is_empty(19) {
        month_number(f, 19, "遡及支払月")?;
    }
    f.opt_yen(20, "遡及支払額")?;
    let first = revised_from.prev().prev().prev();
    let months_expected = [first, first.next(), first.next().next()];
    for (k, m) in months_expected.iter().enumerate() {
        let filed = month_number(f, 21 + k, "給与支給月")?;
        if filed != m.month() {
            return Err(f.err("給与支給月", "must be the three months before the 改定月"));
        }
    }
    let months = pay_months(f, months_expected)?;
    let short = f.flag(44, "短時間労働者")?;
    let threshold = if short { 11 } else { 17 };
    if months.iter().any(|m| m.base_days < threshold) {
        return Err(f.err("報酬支払基礎日数", "every month must have 17 days (11 for 短時間労働者)"));
    }
    let counted: Vec<&PayMonth> = months.iter().collect();
    let (total, average) = averaged(f, &counted)?;
    let corrected_average = f.opt_yen(38, "修正平均額")?;
    f.my_number(39, "個人番号")?;
    pension_number(f, 40)?;
    let seventy = f.flag(42, "70歳以上被用者")?;
    f.flag(43, "二以上勤務")?;
    f.opt_text(45, "昇給・降給の理由", 75)?;
    f.flag(46, "健康保険のみ月額変更")?;
    f.opt_text(47, "備考", 75)?;
    let seventy_only = f.flag(48, "70歳以上被用者届のみ提出")?;
    if seventy_only && !seventy {
        return Err(f.err("70歳以上被用者届のみ提出", "needs 備考 1 (70歳以上被用者)"));
    }
    Ok(InterimReport {
        line,
        person: FiledPerson { my_number: None, ..person },
        revised_from,
        previous_standard,
        pay_change,
        months,
        total,
        average,
        corrected_average,
        worker: if short { WorkerKind::ShortTime } else { WorkerKind::Regular },
        seventy_only,
        society: f.society(tail)?,
    })
}

fn bonus(f: &Fields<'_>, line: u64, tail: usize) -> Result<BonusReport, FilingError> {
    office_fields(f)?;
    let person = person(f, 5, 6, 7, None)?;
    let paid_on = f.event_date(9, "賞与支払年月日")?;
    let cash = f.yen(11, "賞与額（通貨）")?;
    let in_kind = f.yen(12, "賞与額（現物）")?;
    let total = f.yen(13, "賞与額（合計）")?;
    let expected = (cash + in_kind) / 1000 * 1000;
    // Above ten million the sources differ (9999999 or 9999000): both are taken as the cap.
    let capped = cash + in_kind >= CAPPED && (total == CAPPED || total == 9_999_000);
    if total != expected && !capped {
        return Err(f.err("賞与額（合計）", "is not 通貨 + 現物 truncated to 1,000 yen"));
    }
    if total < 1000 {
        return Err(f.err("賞与額（合計）", "must be 1,000 yen or more"));
    }
    f.my_number(14, "個人番号")?;
    pension_number(f, 15)?;
    let seventy = f.flag(17, "70歳以上被用者")?;
    f.flag(18, "二以上勤務")?;
    let first_payment_day = match f.opt_digits(19, "同一月内の賞与合算（初回支払日）", 2)? {
        None => None,
        Some(d) => {
            let d: u32 = d.parse().unwrap_or(0);
            if d == 0 || d >= chrono::Datelike::day(&paid_on) {
                return Err(f.err("同一月内の賞与合算（初回支払日）", "must be a day before the 賞与支払年月日"));
            }
            Some(d)
        }
    };
    let seventy_only = f.flag(20, "70歳以上被用者届のみ提出")?;
    if seventy_only && !seventy {
        return Err(f.err("70歳以上被用者届のみ提出", "needs 備考 1 (70歳以上被用者)"));
    }
    Ok(BonusReport {
        line,
        person: FiledPerson { my_number: None, ..person },
        paid_on,
        cash,
        in_kind,
        total: if capped { (cash + in_kind) / 1000 * 1000 } else { total },
        first_payment_day,
        seventy_only,
        society: f.society(tail)?,
    })
}

/// Writes a file the reader takes (the demo's employers and the tests use it).
pub fn write_pay_filing(filing: &PayFiling) -> Result<Vec<u8>, FilingError> {
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
    let month3 = |m: YearMonth| {
        let (code, ymd) = era::to_nenkin_date(m.first_day());
        [code.to_string(), ymd[0..2].to_string(), ymd[2..4].to_string()]
    };
    let mut lines = frame_head(filing.layout, filing.created_on, &filing.office);
    for r in &filing.records {
        let line = r.line();
        let (mut f, person, society) = match r {
            PayRecord::Annual(a) => (vec![String::new(); ANNUAL.1], &a.person, &a.society),
            PayRecord::Interim(i) => (vec![String::new(); INTERIM.1], &i.person, &i.society),
            PayRecord::Bonus(b) => (vec![String::new(); BONUS.1], &b.person, &b.society),
        };
        f[1] = "21".into();
        f[2] = "01".into();
        f[3] = "KNP".into();
        f[4] = "1".into();
        f[5] =
            kenpo_domain::kana::to_half_width(&person.kana).ok_or_else(|| bad(line, "氏名（カナ）", "not katakana"))?;
        f[6] = person.kanji.clone().unwrap_or_default();
        f[7..9].clone_from_slice(&date(person.birth));
        let months_out = |f: &mut Vec<String>, months: &[PayMonth; 3], counted: &[bool; 3], average: Yen| {
            for k in 0..3 {
                let m = months[k];
                f[21 + k] = format!("{:02}", m.month.month());
                f[24 + k] = format!("{:02}", m.base_days);
                f[27 + k] = m.cash.min(CAPPED).to_string();
                f[30 + k] = m.in_kind.min(CAPPED).to_string();
                f[33 + k] = (m.cash + m.in_kind).min(CAPPED).to_string();
            }
            let total: Yen =
                (0..3).filter(|k| counted[*k]).map(|k| (months[k].cash + months[k].in_kind).min(CAPPED)).sum();
            f[36] = total.min(CAPPED).to_string();
            f[37] = average.to_string();
        };
        let standard = |s: Option<Yen>| s.map(|v| format!("{:04}", v / 1000)).unwrap_or_default();
        match r {
            PayRecord::Annual(a) => {
                f[0] = ANNUAL.0.into();
                f[9..12].clone_from_slice(&month3(a.applies_from));
                f[12] = standard(a.previous_standard);
                f[13] = f[12].clone();
                f[14..17].clone_from_slice(&month3(YearMonth::from_parts(a.applies_from.year() - 1, 9)));
                if let Some((m, k)) = a.pay_change {
                    f[17] = format!("{m:02}");
                    f[18] = if k == PayChange::Raise { "1" } else { "2" }.into();
                }
                if let Some((m, amount)) = a.retroactive {
                    f[19] = format!("{m:02}");
                    f[20] = amount.to_string();
                }
                let threshold = if a.worker == WorkerKind::ShortTime { 11 } else { 17 };
                let mut counted = a.months.map(|m| m.base_days >= threshold);
                if counted.iter().all(|c| !c) && a.worker == WorkerKind::PartTime {
                    counted = a.months.map(|m| m.base_days >= 15);
                }
                months_out(&mut f, &a.months, &counted, a.average);
                f[38] = a.corrected_average.map(|v| v.to_string()).unwrap_or_default();
                f[46] = if a.mid_year_join { "1" } else { "" }.into();
                f[47] = if a.on_leave { "1" } else { "" }.into();
                f[48] = if a.worker == WorkerKind::ShortTime { "1" } else { "" }.into();
                f[49] = if a.worker == WorkerKind::PartTime { "1" } else { "" }.into();
                f[50] = if a.yearly_average { "1" } else { "" }.into();
                if a.seventy_only {
                    f[42] = "1".into();
                    f[52] = "1".into();
                }
            }
            PayRecord::Interim(i) => {
                f[0] = INTERIM.0.into();
                f[9..12].clone_from_slice(&month3(i.revised_from));
                f[12] = standard(i.previous_standard);
                f[13] = f[12].clone();
                f[14..17].clone_from_slice(&month3(YearMonth::from_parts(i.revised_from.year() - 1, 9)));
                if let Some((m, k)) = i.pay_change {
                    f[17] = format!("{m:02}");
                    f[18] = if k == PayChange::Raise { "1" } else { "2" }.into();
                }
                months_out(&mut f, &i.months, &[true; 3], i.average);
                f[38] = i.corrected_average.map(|v| v.to_string()).unwrap_or_default();
                f[44] = if i.worker == WorkerKind::ShortTime { "1" } else { "" }.into();
                if i.seventy_only {
                    f[42] = "1".into();
                    f[48] = "1".into();
                }
            }
            PayRecord::Bonus(b) => {
                f[0] = BONUS.0.into();
                f[9..11].clone_from_slice(&date(b.paid_on));
                f[11] = b.cash.min(CAPPED).to_string();
                f[12] = b.in_kind.min(CAPPED).to_string();
                f[13] = b.total.min(CAPPED).to_string();
                f[19] = b.first_payment_day.map(|d| format!("{d:02}")).unwrap_or_default();
                if b.seventy_only {
                    f[17] = "1".into();
                    f[20] = "1".into();
                }
            }
        }
        if filing.layout == Layout::Society {
            f.extend(society_tail(&filing.office.number, society));
        }
        if f.iter().any(|c| c.contains(',') || c.contains('\n') || c.contains('\r')) {
            return Err(bad(line, "データレコード", "a field holds a comma or a line break"));
        }
        lines.push(f.join(","));
    }
    frame_bytes(&lines)
}
