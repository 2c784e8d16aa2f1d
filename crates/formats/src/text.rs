//! Checks every text cell of the files Kenpo reads (roster, claims) before it is stored: no
//! control characters (a CR LF inside a name becomes a row in a file Kenpo writes; an escape
//! sequence rewrites a terminal) and a length cap (a 30 MB name must not reach the database).
//! The problem is described, never the value.

/// Most characters a text cell may hold (names, addresses, reasons, notes).
pub const MAX_TEXT_CHARS: usize = 200;
/// Most characters of a cell packing a history (標準報酬月額履歴: 30 bytes an entry).
pub const MAX_HISTORY_CHARS: usize = 4_000;
/// Largest amount of yen a roster or claim cell may hold (10 digits: no 標準報酬, income or
/// claim comes near it; sums of such amounts stay far from i64's range).
pub const MAX_YEN: i64 = 9_999_999_999;

/// Why a cell is refused, or `None`.
pub fn cell_problem(value: &str, max_chars: usize) -> Option<String> {
    if value.chars().any(|c| c.is_control() || c == '\u{7f}') {
        return Some("contains a control character (line break, tab or escape); refused".into());
    }
    let n = value.chars().count();
    if n > max_chars {
        return Some(format!("is {n} characters long, more than the {max_chars} allowed"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_length() {
        assert!(cell_problem("山田　太郎", 200).is_none());
        for bad in ["山田\r\n,偽の受給者", "a\tb", "\u{1b}[2J", "x\u{7f}", "\u{85}"] {
            assert!(cell_problem(bad, 200).is_some(), "{bad:?}");
        }
        assert!(cell_problem(&"あ".repeat(201), 200).unwrap().contains("201 characters"));
        assert!(cell_problem(&"あ".repeat(200), 200).is_none());
    }
}
