//! 和暦 (Japanese era) dates — the one place that knows eras.
//!
//! Older 電子レセプト (記録条件仕様 平成22年版) writes dates as `GYYMMDD` / `GYYMM` with an era
//! digit (1 明治, 2 大正, 3 昭和, 4 平成, 5 令和); the current spec writes 西暦 `YYYYMMDD` /
//! `YYYYMM`. Readers choose by length (see ../shared/reference/uke-receipt-format.md §2).

use chrono::NaiveDate;

/// An era with its code in 電子レセプト (別表4 年号区分コード) and its first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Era {
    pub code: u8,
    pub name: &'static str,
    pub starts: (i32, u32, u32),
}

/// Eras in order. Start days are the official changes of era.
pub const ERAS: [Era; 5] = [
    Era { code: 1, name: "明治", starts: (1868, 10, 23) },
    Era { code: 2, name: "大正", starts: (1912, 7, 30) },
    Era { code: 3, name: "昭和", starts: (1926, 12, 25) },
    Era { code: 4, name: "平成", starts: (1989, 1, 8) },
    Era { code: 5, name: "令和", starts: (2019, 5, 1) },
];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EraError {
    #[error("unknown era code {0}")]
    UnknownEra(u8),
    #[error("not a date: {0:?}")]
    BadDate(String),
}

fn era(code: u8) -> Result<&'static Era, EraError> {
    ERAS.iter().find(|e| e.code == code).ok_or(EraError::UnknownEra(code))
}

/// Converts an era year to the Gregorian year (令和1 = 2019).
pub fn gregorian_year(code: u8, era_year: i32) -> Result<i32, EraError> {
    Ok(era(code)?.starts.0 + era_year - 1)
}

/// Parses a date written either as 西暦 `YYYYMMDD` or as 和暦 `GYYMMDD`.
pub fn parse_receipt_date(s: &str) -> Result<NaiveDate, EraError> {
    let bad = || EraError::BadDate(s.to_string());
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| bad());
    let (year, month, day) = match s.len() {
        8 => (num(0..4)? as i32, num(4..6)?, num(6..8)?),
        7 => {
            let code = num(0..1)? as u8;
            (gregorian_year(code, num(1..3)? as i32)?, num(3..5)?, num(5..7)?)
        }
        _ => return Err(bad()),
    };
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)
}

/// Parses a month written as 西暦 `YYYYMM` or 和暦 `GYYMM`; returns (year, month).
pub fn parse_receipt_month(s: &str) -> Result<(i32, u32), EraError> {
    let bad = || EraError::BadDate(s.to_string());
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| bad());
    let (year, month) = match s.len() {
        6 => (num(0..4)? as i32, num(4..6)?),
        5 => (gregorian_year(num(0..1)? as u8, num(1..3)? as i32)?, num(3..5)?),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month) {
        return Err(bad());
    }
    Ok((year, month))
}

/// The 日本年金機構's 元号 codes in its 届書 (CSV形式届書作成仕様書 p.137, transcribed in
/// docs/research/eligibility-filings.md §1): 1 明治, 3 大正, 5 昭和, 7 平成, 9 令和 — not the
/// 電子レセプト codes above.
pub fn nenkin_era(code: u8) -> Result<&'static Era, EraError> {
    let receipt_code = match code {
        1 => 1,
        3 => 2,
        5 => 3,
        7 => 4,
        9 => 5,
        other => return Err(EraError::UnknownEra(other)),
    };
    era(receipt_code)
}

/// A 届書 date: its 元号 code and `YYMMDD`. The day must fall in the era (平成31年5月1日 is not a
/// day: 令和 began that morning).
pub fn parse_nenkin_date(code: u8, yymmdd: &str) -> Result<NaiveDate, EraError> {
    let bad = || EraError::BadDate(String::new());
    if yymmdd.len() != 6 || !yymmdd.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| yymmdd[r].parse::<u32>().map_err(|_| bad());
    let e = nenkin_era(code)?;
    let year = e.starts.0 + num(0..2)? as i32 - 1;
    let date = NaiveDate::from_ymd_opt(year, num(2..4)?, num(4..6)?).ok_or_else(bad)?;
    let (found, _) = to_era(date);
    if found.code != e.code || num(0..2)? == 0 {
        return Err(bad());
    }
    Ok(date)
}

/// A day as a 届書 writes it: the 年金機構 元号 code and `YYMMDD`.
pub fn to_nenkin_date(date: NaiveDate) -> (u8, String) {
    use chrono::Datelike;
    let (era, year) = to_era(date);
    (era.code * 2 - 1, format!("{:02}{:02}{:02}", year, date.month(), date.day()))
}

/// The era a date falls in, with its era year, e.g. 2019-05-01 → (令和, 1).
pub fn to_era(date: NaiveDate) -> (&'static Era, i32) {
    use chrono::Datelike;
    let mut found = &ERAS[0];
    for e in ERAS.iter() {
        let (y, m, d) = e.starts;
        if (date.year(), date.month(), date.day()) >= (y, m, d) {
            found = e;
        }
    }
    (found, date.year() - found.starts.0 + 1)
}

/// A date as staff and members read it on paper: 和暦 with the Gregorian year beside it,
/// e.g. 2026-12-07 → 令和8年12月7日（2026年）; the first year of an era is 元年.
pub fn era_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    let (era, year) = to_era(date);
    let year_text = if year == 1 { "元".to_string() } else { year.to_string() };
    format!("{}{}年{}月{}日（{}年）", era.name, year_text, date.month(), date.day(), date.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_dates_as_printed() {
        // 令和 starts 2019-05-01: 2026 is 令和8 (2026 − 2019 + 1); 2019-05-01 is 令和元年.
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(era_date(d(2026, 12, 7)), "令和8年12月7日（2026年）");
        assert_eq!(era_date(d(2019, 5, 1)), "令和元年5月1日（2019年）");
        // The day before is 平成31年4月30日 (平成1 = 1989: 2019 − 1989 + 1 = 31).
        assert_eq!(era_date(d(2019, 4, 30)), "平成31年4月30日（2019年）");
        // 昭和64年1月7日 was the last day of 昭和 (昭和1 = 1926: 1989 − 1926 + 1 = 64).
        assert_eq!(era_date(d(1989, 1, 7)), "昭和64年1月7日（1989年）");
    }

    #[test]
    fn nenkin_codes_are_odd_digits() {
        // 年金機構: 5 昭和, 7 平成, 9 令和. 昭和51年4月1日 = 1976 (1926 + 51 − 1); 令和8年4月1日 =
        // 2026 (2019 + 8 − 1); 平成31年4月30日 = 2019-04-30, but 平成31年5月1日 is 令和元年.
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(parse_nenkin_date(5, "510401"), Ok(d(1976, 4, 1)));
        assert_eq!(parse_nenkin_date(9, "080401"), Ok(d(2026, 4, 1)));
        assert_eq!(parse_nenkin_date(7, "310430"), Ok(d(2019, 4, 30)));
        assert!(parse_nenkin_date(7, "310501").is_err());
        assert!(parse_nenkin_date(4, "010101").is_err(), "4 is a receipt code, not a 年金機構 one");
        assert!(parse_nenkin_date(9, "08041").is_err());
        assert_eq!(to_nenkin_date(d(1976, 4, 1)), (5, "510401".to_string()));
        assert_eq!(to_nenkin_date(d(2019, 5, 1)), (9, "010501".to_string()));
    }

    #[test]
    fn reads_both_calendars() {
        // 平成3年11月21日 = 1991-11-21 (平成1 = 1989).
        let d = NaiveDate::from_ymd_opt(1991, 11, 21).unwrap();
        assert_eq!(parse_receipt_date("4031121").unwrap(), d);
        assert_eq!(parse_receipt_date("19911121").unwrap(), d);
        // 令和3年10月 = 2021-10.
        assert_eq!(parse_receipt_month("50310").unwrap(), (2021, 10));
        assert_eq!(parse_receipt_month("202110").unwrap(), (2021, 10));
        assert!(parse_receipt_date("20211332").is_err());
        assert!(parse_receipt_date("9031121").is_err());
    }

    #[test]
    fn era_boundaries() {
        let last_heisei = NaiveDate::from_ymd_opt(2019, 4, 30).unwrap();
        let first_reiwa = NaiveDate::from_ymd_opt(2019, 5, 1).unwrap();
        assert_eq!(to_era(last_heisei).0.name, "平成");
        assert_eq!(to_era(last_heisei).1, 31);
        assert_eq!(to_era(first_reiwa).0.name, "令和");
        assert_eq!(to_era(first_reiwa).1, 1);
    }
}
