//! Half-width katakana (JIS X 0201, as the 年金機構 届書 write names) to full-width, the form
//! Kenpo stores (the roster's and 電子レセプト's カナ): voiced and semi-voiced marks join the
//! letter before them (ｶﾞ → ガ, ﾊﾟ → パ), a space becomes a full-width space.

const BASE: &str =
    "ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン";

const VOICED_FROM: &str = "カキクケコサシスセソタチツテトハヒフヘホウ";
const VOICED_TO: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボヴ";
const SEMI_FROM: &str = "ハヒフヘホ";
const SEMI_TO: &str = "パピプペポ";

/// Converts half-width katakana to full-width; other characters pass unchanged.
pub fn to_full_width(text: &str) -> String {
    let base: Vec<char> = BASE.chars().collect();
    let mut out = String::with_capacity(text.len() * 3);
    for c in text.chars() {
        match c {
            ' ' => out.push('\u{3000}'),
            '\u{FF66}'..='\u{FF9D}' => out.push(base[(c as u32 - 0xFF66) as usize]),
            '\u{FF61}' => out.push('。'),
            '\u{FF62}' => out.push('「'),
            '\u{FF63}' => out.push('」'),
            '\u{FF64}' => out.push('、'),
            '\u{FF65}' => out.push('・'),
            // ﾞ: カ → ガ, ウ → ヴ; ﾟ: ハ → パ. After any other letter the mark stands alone.
            '\u{FF9E}' | '\u{FF9F}' => {
                let voiced = c == '\u{FF9E}';
                let (from, to) = if voiced { (VOICED_FROM, VOICED_TO) } else { (SEMI_FROM, SEMI_TO) };
                let joined = out.pop().and_then(|prev| match from.chars().position(|f| f == prev) {
                    Some(i) => to.chars().nth(i),
                    None => {
                        out.push(prev);
                        None
                    }
                });
                match joined {
                    Some(n) => out.push(n),
                    None => out.push(if voiced { '゛' } else { '゜' }),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Full-width katakana to half-width (what a 届書 holds); `None` if a character has no
/// half-width form (kanji, hiragana, letters).
pub fn to_half_width(text: &str) -> Option<String> {
    let base: Vec<char> = BASE.chars().collect();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\u{3000}' || c == ' ' {
            out.push(' ');
        } else if let Some(i) = base.iter().position(|b| *b == c) {
            out.push(char::from_u32(0xFF66 + i as u32)?);
        } else if let Some(i) = VOICED_TO.chars().position(|v| v == c) {
            out.push_str(&to_half_width(&VOICED_FROM.chars().nth(i)?.to_string())?);
            out.push('\u{FF9E}');
        } else if let Some(i) = SEMI_TO.chars().position(|v| v == c) {
            out.push_str(&to_half_width(&SEMI_FROM.chars().nth(i)?.to_string())?);
            out.push('\u{FF9F}');
        } else {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_marks_and_widens() {
        assert_eq!(to_full_width("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダ\u{3000}タロウ");
        assert_eq!(to_full_width("ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ﾊﾞﾋﾞ ｳﾞ"), "ガギグゲゴ\u{3000}パピプペポ\u{3000}バビ\u{3000}ヴ");
        assert_eq!(to_full_width("ﾁﾞﾂﾞﾃﾞﾄﾞｯ"), "ヂヅデドッ");
        // A mark after a letter that takes none stays a mark.
        assert_eq!(to_full_width("ｱﾞ"), "ア゛");
        assert_eq!(to_full_width("ﾞ"), "゛");
    }

    #[test]
    fn round_trips_katakana_and_refuses_the_rest() {
        for name in ["ヤマダ\u{3000}タロウ", "ガギグゲゴ\u{3000}パピプペポ", "ヴァイオリン", "キッチョウ"]
        {
            let half = to_half_width(name).unwrap();
            assert_eq!(to_full_width(&half), name);
        }
        assert_eq!(to_half_width("山田"), None);
        assert_eq!(to_half_width("やまだ"), None);
    }
}
