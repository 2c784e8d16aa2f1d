//! 標準報酬月額 grade table (健康保険法 Art. 40) and 標準賞与額 (Art. 45), as dated data.
//!
//! Source: ../shared/reference/rules-benefits-premiums-privacy.md §1.1–1.2 (50 grades since
//! 2016-04-01; bonus cap 5,730,000 per fiscal year since 2016-04).

use crate::Yen;
use chrono::NaiveDate;

/// One grade: 級, 標準報酬月額, and the lower bound of 報酬月額 (inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grade {
    pub grade: u8,
    pub monthly_amount: Yen,
    pub lower_bound: Yen,
}

/// A grade table in force from a date.
pub struct GradeTable {
    pub effective_from: (i32, u32, u32),
    pub grades: &'static [Grade],
    /// 標準賞与額 cumulative cap per fiscal year (Apr–Mar).
    pub bonus_annual_cap: Yen,
}

macro_rules! g {
    ($g:expr, $m:expr, $lo:expr) => {
        Grade { grade: $g, monthly_amount: $m, lower_bound: $lo }
    };
}

const GRADES_2016: [Grade; 50] = [
    g!(1, 58_000, 0),
    g!(2, 68_000, 63_000),
    g!(3, 78_000, 73_000),
    g!(4, 88_000, 83_000),
    g!(5, 98_000, 93_000),
    g!(6, 104_000, 101_000),
    g!(7, 110_000, 107_000),
    g!(8, 118_000, 114_000),
    g!(9, 126_000, 122_000),
    g!(10, 134_000, 130_000),
    g!(11, 142_000, 138_000),
    g!(12, 150_000, 146_000),
    g!(13, 160_000, 155_000),
    g!(14, 170_000, 165_000),
    g!(15, 180_000, 175_000),
    g!(16, 190_000, 185_000),
    g!(17, 200_000, 195_000),
    g!(18, 220_000, 210_000),
    g!(19, 240_000, 230_000),
    g!(20, 260_000, 250_000),
    g!(21, 280_000, 270_000),
    g!(22, 300_000, 290_000),
    g!(23, 320_000, 310_000),
    g!(24, 340_000, 330_000),
    g!(25, 360_000, 350_000),
    g!(26, 380_000, 370_000),
    g!(27, 410_000, 395_000),
    g!(28, 440_000, 425_000),
    g!(29, 470_000, 455_000),
    g!(30, 500_000, 485_000),
    g!(31, 530_000, 515_000),
    g!(32, 560_000, 545_000),
    g!(33, 590_000, 575_000),
    g!(34, 620_000, 605_000),
    g!(35, 650_000, 635_000),
    g!(36, 680_000, 665_000),
    g!(37, 710_000, 695_000),
    g!(38, 750_000, 730_000),
    g!(39, 790_000, 770_000),
    g!(40, 830_000, 810_000),
    g!(41, 880_000, 855_000),
    g!(42, 930_000, 905_000),
    g!(43, 980_000, 955_000),
    g!(44, 1_030_000, 1_005_000),
    g!(45, 1_090_000, 1_055_000),
    g!(46, 1_150_000, 1_115_000),
    g!(47, 1_210_000, 1_175_000),
    g!(48, 1_270_000, 1_235_000),
    g!(49, 1_330_000, 1_295_000),
    g!(50, 1_390_000, 1_355_000),
];

/// Tables in force, oldest first. Only the 2016 table is held; earlier dates are refused.
pub const TABLES: [GradeTable; 1] =
    [GradeTable { effective_from: (2016, 4, 1), grades: &GRADES_2016, bonus_annual_cap: 5_730_000 }];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GradeError {
    #[error("no 標準報酬 grade table is held for {0} (tables start 2016-04-01)")]
    NoTable(NaiveDate),
    #[error("no grade {0}")]
    NoGrade(u8),
}

pub fn table_on(day: NaiveDate) -> Result<&'static GradeTable, GradeError> {
    TABLES
        .iter()
        .rev()
        .find(|t| {
            let (y, m, d) = t.effective_from;
            NaiveDate::from_ymd_opt(y, m, d).is_some_and(|from| from <= day)
        })
        .ok_or(GradeError::NoTable(day))
}

/// The grade for a 報酬月額 (ranges are "≥ lower, < next lower").
pub fn grade_for_pay(day: NaiveDate, monthly_pay: Yen) -> Result<Grade, GradeError> {
    let table = table_on(day)?;
    let grade = table.grades.iter().rev().find(|g| monthly_pay >= g.lower_bound).unwrap_or(&table.grades[0]);
    Ok(*grade)
}

pub fn grade_by_number(day: NaiveDate, grade: u8) -> Result<Grade, GradeError> {
    table_on(day)?.grades.iter().find(|g| g.grade == grade).copied().ok_or(GradeError::NoGrade(grade))
}

/// 標準賞与額 for one bonus: truncated to 1,000 yen, then limited so that the fiscal year's
/// total stays within the cap. `already_this_year` is the sum of earlier 標準賞与額 in the same
/// fiscal year.
pub fn standard_bonus(day: NaiveDate, bonus: Yen, already_this_year: Yen) -> Result<Yen, GradeError> {
    let cap = table_on(day)?.bonus_annual_cap;
    let truncated = bonus / 1000 * 1000;
    Ok(truncated.min((cap - already_this_year).max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn grades_from_the_table() {
        let day = d(2025, 4, 1);
        // 報酬月額 300,000 falls in 290,000–310,000 → 22級 300,000.
        assert_eq!(grade_for_pay(day, 300_000).unwrap().grade, 22);
        // Boundaries: 395,000 is the first of 27級; 394,999 is still 26級.
        assert_eq!(grade_for_pay(day, 395_000).unwrap().monthly_amount, 410_000);
        assert_eq!(grade_for_pay(day, 394_999).unwrap().monthly_amount, 380_000);
        // Below 63,000 → 1級; 1,355,000 and above → 50級.
        assert_eq!(grade_for_pay(day, 10_000).unwrap().grade, 1);
        assert_eq!(grade_for_pay(day, 5_000_000).unwrap().monthly_amount, 1_390_000);
        assert!(grade_for_pay(d(2015, 3, 31), 300_000).is_err());
    }

    #[test]
    fn the_table_is_monotone() {
        for w in GRADES_2016.windows(2) {
            assert!(w[0].monthly_amount < w[1].monthly_amount);
            assert!(w[0].lower_bound < w[1].lower_bound);
            // Each 標準報酬月額 lies inside its own range.
            assert!(w[0].monthly_amount >= w[0].lower_bound && w[0].monthly_amount < w[1].lower_bound);
        }
    }

    #[test]
    fn bonus_truncation_and_cap() {
        let day = d(2025, 12, 10);
        // 1,234,567 → 1,234,000.
        assert_eq!(standard_bonus(day, 1_234_567, 0).unwrap(), 1_234_000);
        // 5,000,000 already counted this fiscal year: only 730,000 more fits under 5,730,000.
        assert_eq!(standard_bonus(day, 2_000_000, 5_000_000).unwrap(), 730_000);
        assert_eq!(standard_bonus(day, 2_000_000, 5_730_000).unwrap(), 0);
    }
}
