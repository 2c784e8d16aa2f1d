//! Typed access to the fields of one record, with errors that name the file, line, record,
//! position and field — never the value (a value may be personal, and an error travels to logs
//! and screens).

use super::error::UkeError;
use super::layout::Count;
use super::records::{UkeRecord, display_id};
use chrono::NaiveDate;
use kenpo_domain::YearMonth;
use kenpo_domain::era::{parse_receipt_date, parse_receipt_month};

/// One record in its file, for reading fields.
pub(crate) struct At<'a> {
    pub file: &'a str,
    pub rec: &'a UkeRecord,
}

impl At<'_> {
    pub fn record(&self) -> String {
        display_id(self.rec.id())
    }

    pub fn error(&self, position: usize, name: &'static str, problem: String) -> UkeError {
        UkeError::Field {
            file: self.file.to_string(),
            line: self.rec.line,
            record: self.record(),
            position,
            name,
            problem,
        }
    }

    pub fn structure(&self, problem: impl Into<String>) -> UkeError {
        UkeError::Structure {
            file: self.file.to_string(),
            line: self.rec.line,
            record: self.record(),
            problem: problem.into(),
        }
    }

    pub fn unsupported(&self, what: impl Into<String>) -> UkeError {
        UkeError::Unsupported {
            file: self.file.to_string(),
            line: self.rec.line,
            record: self.record(),
            what: what.into(),
        }
    }

    /// Fails unless the record has an accepted number of fields.
    pub fn check_count(&self, count: Count) -> Result<(), UkeError> {
        if count.accepts(self.rec.len()) {
            Ok(())
        } else {
            Err(UkeError::FieldCount {
                file: self.file.to_string(),
                line: self.rec.line,
                record: self.record(),
                expected: count.describe(),
                found: self.rec.len(),
            })
        }
    }

    /// Fails when a field is longer than the spec's maximum, counted in CP932 bytes as the
    /// spec counts them (漢字 2 bytes, ASCII and half-width カナ 1).
    pub fn max_bytes(&self, position: usize, name: &'static str, max: usize) -> Result<(), UkeError> {
        let found = cp932_len(self.rec.field(position));
        if found > max {
            return Err(UkeError::TooLong {
                file: self.file.to_string(),
                line: self.rec.line,
                record: self.record(),
                position,
                name,
                max,
                found,
            });
        }
        Ok(())
    }

    fn bad(&self, position: usize, name: &'static str, expected: &str) -> UkeError {
        // Never the value: an error reaches logs, screens and the people who fix files, and a
        // field's value may be personal (名前, 記号・番号, 傷病, 点数). File, line, record and
        // field name say where to look.
        let problem = if self.rec.field(position).is_empty() {
            format!("expected {expected}, found nothing")
        } else {
            format!("expected {expected} (the value is not shown)")
        };
        self.error(position, name, problem)
    }

    pub fn text(&self, position: usize) -> &str {
        self.rec.field(position)
    }

    pub fn opt_text(&self, position: usize) -> Option<String> {
        let t = self.text(position);
        (!t.is_empty()).then(|| t.to_string())
    }

    pub fn required(&self, position: usize, name: &'static str) -> Result<&str, UkeError> {
        let t = self.text(position);
        if t.is_empty() { Err(self.error(position, name, "required, found nothing".into())) } else { Ok(t) }
    }

    /// Exactly `len` ASCII digits.
    pub fn digits(&self, position: usize, name: &'static str, len: usize) -> Result<String, UkeError> {
        let t = self.text(position);
        if t.len() == len && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(t.to_string())
        } else {
            Err(self.bad(position, name, &format!("{len} digits")))
        }
    }

    /// A 数字 field: at most `width` ASCII digits, no sign (記録条件仕様 (ウ): 数字 is 半角数字
    /// only), as i64; `None` when empty. The width bounds every amount read here, so sums of
    /// them cannot come near i64's range.
    pub fn opt_number(&self, position: usize, name: &'static str, width: usize) -> Result<Option<i64>, UkeError> {
        self.integer(position, name, width, false)
    }

    /// [`Self::opt_number`], required.
    pub fn number(&self, position: usize, name: &'static str, width: usize) -> Result<i64, UkeError> {
        self.opt_number(position, name, width)?
            .ok_or_else(|| self.bad(position, name, &format!("a whole number of at most {width} digits")))
    }

    /// [`Self::opt_number`] as u32 (widths up to 9 digits always fit).
    pub fn opt_u32(&self, position: usize, name: &'static str, width: usize) -> Result<Option<u32>, UkeError> {
        match self.opt_number(position, name, width.min(9))? {
            None => Ok(None),
            Some(n) => u32::try_from(n).map(Some).map_err(|_| self.bad(position, name, "a smaller number")),
        }
    }

    pub fn u32(&self, position: usize, name: &'static str, width: usize) -> Result<u32, UkeError> {
        self.opt_u32(position, name, width)?
            .ok_or_else(|| self.bad(position, name, &format!("a whole number of at most {width} digits")))
    }

    /// A line's 点数 (N7). The spec's 数字 has no sign, but a leading `-` is accepted here for
    /// the マイナス items (点数識別 8) some software writes as negative points; the sign counts
    /// in the width, as it would on paper.
    pub fn opt_signed(&self, position: usize, name: &'static str, width: usize) -> Result<Option<i64>, UkeError> {
        self.integer(position, name, width, true)
    }

    /// At most `width` bytes of ASCII digits, after a leading `-` where `signed` (the sign
    /// counts in the width); `None` when empty. Widths above 18 are taken as 18 (i64 holds them).
    fn integer(
        &self,
        position: usize,
        name: &'static str,
        width: usize,
        signed: bool,
    ) -> Result<Option<i64>, UkeError> {
        let t = self.text(position);
        if t.is_empty() {
            return Ok(None);
        }
        let digits = if signed { t.strip_prefix('-').unwrap_or(t) } else { t };
        let bad = || {
            let expected = if signed {
                format!("a whole number of at most {width} characters")
            } else {
                format!("a whole number of at most {width} digits, without sign")
            };
            self.bad(position, name, &expected)
        };
        if digits.is_empty() || t.len() > width.min(18) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse().map(Some).map_err(|_| bad())
    }

    /// A decimal number as written (`12`, `0.5`); empty allowed.
    pub fn decimal(&self, position: usize, name: &'static str) -> Result<String, UkeError> {
        let t = self.text(position);
        if t.is_empty() || is_decimal(t) {
            Ok(t.to_string())
        } else {
            Err(self.bad(position, name, "a decimal number"))
        }
    }

    /// A date, 西暦 `YYYYMMDD` or 和暦 `GYYMMDD`.
    pub fn date(&self, position: usize, name: &'static str) -> Result<NaiveDate, UkeError> {
        parse_receipt_date(self.text(position)).map_err(|_| self.bad(position, name, "a date (YYYYMMDD or GYYMMDD)"))
    }

    pub fn opt_date(&self, position: usize, name: &'static str) -> Result<Option<NaiveDate>, UkeError> {
        if self.text(position).is_empty() { Ok(None) } else { self.date(position, name).map(Some) }
    }

    /// A month, 西暦 `YYYYMM` or 和暦 `GYYMM`.
    pub fn month(&self, position: usize, name: &'static str) -> Result<YearMonth, UkeError> {
        let bad = || self.bad(position, name, "a month (YYYYMM or GYYMM)");
        let (y, m) = parse_receipt_month(self.text(position)).map_err(|_| bad())?;
        YearMonth::new(y, m).ok_or_else(bad)
    }
}

/// Digits with at most one decimal point inside.
pub(crate) fn is_decimal(t: &str) -> bool {
    let mut parts = t.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

/// Length of a decoded field in CP932 bytes.
pub(crate) fn cp932_len(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() || ('\u{FF61}'..='\u{FF9F}').contains(&c) { 1 } else { 2 }).sum()
}
