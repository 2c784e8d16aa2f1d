//! The society's own identifiers: 保険者番号 and 被保険者証 記号・番号・枝番.

use serde::{Deserialize, Serialize};
use std::fmt;

/// 保険者番号: 8 digits for a 健康保険組合 (法別番号 06 + 都道府県 + 保険者別 + 検証番号).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InsurerNumber(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("保険者番号 must be 6 or 8 digits, got {0:?}")]
    InsurerNumber(String),
    #[error("記号・番号 must be 1-20 characters without commas, got {0:?}")]
    Card(String),
    #[error("枝番 must be 2 digits, got {0:?}")]
    Branch(String),
}

impl InsurerNumber {
    /// Accepts 8 digits, or fewer right-aligned with spaces as 電子レセプト writes them.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let t = s.trim();
        if (t.len() == 8 || t.len() == 6) && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(t.to_string()))
        } else {
            Err(IdError::InsurerNumber(s.to_string()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises 記号・番号 as printed on cards and written in receipts: full-width ASCII
/// (`１９Ｄ０００１`) becomes half-width, surrounding spaces go. The same normalisation is used
/// when storing and when matching, so `１９` and `19` meet.
pub fn normalize_card_part(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// 被保険者証等の記号・番号・枝番, normalised. 枝番 00 is the insured person; 01… dependants.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardId {
    pub symbol: String,
    pub number: String,
    pub branch: u8,
}

impl CardId {
    pub fn new(symbol: &str, number: &str, branch: u8) -> Result<Self, IdError> {
        let symbol = normalize_card_part(symbol);
        let number = normalize_card_part(number);
        for part in [&symbol, &number] {
            if part.chars().count() > 20 || part.contains(',') {
                return Err(IdError::Card(part.clone()));
            }
        }
        if number.is_empty() {
            return Err(IdError::Card(number));
        }
        if branch > 99 {
            return Err(IdError::Branch(branch.to_string()));
        }
        Ok(Self { symbol, number, branch })
    }

    pub fn parse_branch(s: &str) -> Result<u8, IdError> {
        let t = normalize_card_part(s);
        if t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse().map_err(|_| IdError::Branch(s.to_string()))
        } else {
            Err(IdError::Branch(s.to_string()))
        }
    }
}

// 記号・番号 identify a person: debug output shows only the shape.
impl fmt::Debug for CardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardId(…/…/{:02})", self.branch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_card_numbers_meet_half_width() {
        let a = CardId::new("１９Ｄ", "０００１", 0).unwrap();
        let b = CardId::new("19D", "0001", 0).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn insurer_numbers() {
        assert!(InsurerNumber::parse("06139463").is_ok());
        assert_eq!(InsurerNumber::parse("  138057").unwrap().as_str(), "138057");
        assert!(InsurerNumber::parse("0613946").is_err());
        assert_eq!(CardId::parse_branch("01").unwrap(), 1);
        assert!(CardId::parse_branch("1").is_err());
    }
}
