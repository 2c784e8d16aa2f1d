//! 個人番号 (My Number): a 12-digit number whose last digit is a check digit.
//!
//! The type never shows its value: `Debug` and `Display` print a mask, it does not implement
//! `Serialize`, and the digits are wiped on drop. The only way to the digits is
//! [`MyNumber::expose_digits`], which the vault (to encrypt) and the roster writer call.

use std::fmt;

/// A valid 個人番号. Construct with [`MyNumber::parse`].
#[derive(Clone, PartialEq, Eq)]
pub struct MyNumber([u8; 12]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MyNumberError {
    // The error never carries the input: it may be a real number typed by mistake.
    #[error("個人番号 must be exactly 12 half-width digits")]
    Shape,
    #[error("個人番号 check digit does not match")]
    CheckDigit,
}

/// Check digit per 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令
/// 第八条 / 総務省令 第五条: with P(n) the n-th of the 11 digits counted from the right and
/// Q(n) = n+1 for n ≤ 6, n−5 for 7 ≤ n ≤ 11, the check digit is 0 when Σ P(n)·Q(n) mod 11 ≤ 1,
/// else 11 − (Σ mod 11).
pub fn check_digit(first_eleven: &[u8; 11]) -> u8 {
    let mut sum: u32 = 0;
    for n in 1..=11usize {
        let p = first_eleven[11 - n] as u32;
        let q = if n <= 6 { n as u32 + 1 } else { n as u32 - 5 };
        sum += p * q;
    }
    let r = sum % 11;
    if r <= 1 { 0 } else { (11 - r) as u8 }
}

impl MyNumber {
    pub fn parse(s: &str) -> Result<Self, MyNumberError> {
        let bytes = s.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(MyNumberError::Shape);
        }
        let mut digits = [0u8; 12];
        for (d, b) in digits.iter_mut().zip(bytes) {
            *d = b - b'0';
        }
        let mut first = [0u8; 11];
        first.copy_from_slice(&digits[..11]);
        if check_digit(&first) != digits[11] {
            return Err(MyNumberError::CheckDigit);
        }
        Ok(Self(digits))
    }

    /// Builds a valid number from 11 digits by appending the check digit (the generator uses it).
    pub fn from_first_eleven(first: [u8; 11]) -> Self {
        let mut digits = [0u8; 12];
        digits[..11].copy_from_slice(&first);
        digits[11] = check_digit(&first);
        Self(digits)
    }

    /// The 12 digits as text. Call only to encrypt, or to write a file whose recipient is
    /// entitled to it; never to log or display.
    pub fn expose_digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }
}

impl Drop for MyNumber {
    fn drop(&mut self) {
        // Best-effort wipe; `black_box` keeps the optimiser from removing the stores.
        for d in self.0.iter_mut() {
            *std::hint::black_box(d) = 0;
        }
    }
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(************)")
    }
}

impl fmt::Display for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("************")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digit_worked_example() {
        // 1 2 3 4 5 6 7 8 9 0 1: from the right P1=1 P2=0 P3=9 P4=8 P5=7 P6=6 P7=5 P8=4 P9=3
        // P10=2 P11=1; Q = 2 3 4 5 6 7 2 3 4 5 6.
        // Σ = 2+0+36+40+42+42+10+12+12+10+6 = 212; 212 mod 11 = 3; 11-3 = 8.
        assert_eq!(check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]), 8);
        assert!(MyNumber::parse("123456789018").is_ok());
        assert_eq!(MyNumber::parse("123456789017"), Err(MyNumberError::CheckDigit));
    }

    #[test]
    fn remainder_zero_or_one_gives_zero() {
        // 0…0 1 at P1: Σ = 1·2 = 2 → 11-2 = 9. All zero: Σ = 0 → check 0.
        assert_eq!(check_digit(&[0; 11]), 0);
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), 9);
        // P1 = 6: Σ = 12, 12 mod 11 = 1 → 0.
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]), 0);
    }

    #[test]
    fn never_shows_its_digits() {
        let n = MyNumber::parse("123456789018").unwrap();
        assert!(!format!("{n:?}").contains("1234"));
        assert!(!format!("{n}").contains("1234"));
        assert_eq!(n.expose_digits(), "123456789018");
    }

    #[test]
    fn rejects_bad_shapes_without_echoing_input() {
        let e = MyNumber::parse("12345678901a").unwrap_err();
        assert!(!e.to_string().contains("12345678901"));
        assert_eq!(MyNumber::parse("１２３４５６７８９０１８"), Err(MyNumberError::Shape));
    }
}
