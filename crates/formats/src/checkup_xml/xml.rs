//! Small XML helpers: escaping for the hand-written writer, and local-name navigation,
//! element paths and field parsers for the roxmltree-based reader.

use super::{CheckupXmlError, Location};
use chrono::NaiveDate;
use roxmltree::Node;

/// XML Schema instance namespace (`xsi:type`).
pub(crate) const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Escapes text for element content or a double-quoted attribute. Characters XML 1.0 cannot
/// carry are dropped; CR, LF and TAB become character references so attribute values and
/// text survive parsers' line-end and whitespace normalisation unchanged.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Context for errors while reading one file.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub archive: &'a str,
    pub file: &'a str,
}

impl Ctx<'_> {
    /// The location of `node` (file-level when `None`).
    pub fn at(&self, node: Option<Node>) -> Location {
        Location {
            archive: self.archive.to_string(),
            file: self.file.to_string(),
            path: node.map(path_of).unwrap_or_default(),
        }
    }
    /// `Invalid` at `node`.
    pub fn invalid(&self, node: Node, expected: impl Into<String>) -> CheckupXmlError {
        CheckupXmlError::Invalid { at: self.at(Some(node)), expected: expected.into() }
    }
    /// `Invalid` for a required child element that is absent (path ends in `/child`).
    pub fn missing(&self, parent: Node, child: &str) -> CheckupXmlError {
        let mut at = self.at(Some(parent));
        at.path.push('/');
        at.path.push_str(child);
        CheckupXmlError::Invalid { at, expected: format!("element {child}") }
    }
    /// Parses XML (a UTF-8 BOM is allowed; DTDs are refused by roxmltree's defaults).
    pub fn parse<'i>(&self, text: &'i str) -> Result<roxmltree::Document<'i>, CheckupXmlError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        roxmltree::Document::parse(text).map_err(|e| {
            let pos = e.pos();
            // roxmltree's message may quote document text; only the position is reported.
            CheckupXmlError::Malformed { at: self.at(None), line: pos.row, column: pos.col }
        })
    }
}

/// XPath-like path of an element: local names, with `[n]` where siblings share the name.
pub(crate) fn path_of(node: Node) -> String {
    let mut parts: Vec<String> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| {
            let name = n.tag_name().name();
            let same = |s: &Node| s.is_element() && s.tag_name().name() == name;
            let before = n.prev_siblings().skip(1).filter(same).count();
            let after = n.next_siblings().skip(1).filter(same).count();
            if before + after > 0 { format!("{name}[{}]", before + 1) } else { name.to_string() }
        })
        .collect();
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// Child elements with local name `name` (namespaces are not compared: files differ).
pub(crate) fn children<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// First child element with local name `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &'static str) -> Option<Node<'a, 'i>> {
    children(node, name).next()
}

/// Follows a chain of child names from `node`, reporting the first missing step.
pub(crate) fn descend<'a, 'i>(
    ctx: &Ctx,
    node: Node<'a, 'i>,
    steps: &[&'static str],
) -> Result<Node<'a, 'i>, CheckupXmlError> {
    let mut cur = node;
    for step in steps {
        cur = child(cur, step).ok_or_else(|| ctx.missing(cur, step))?;
    }
    Ok(cur)
}

/// A required attribute.
pub(crate) fn attr<'a>(ctx: &Ctx, node: Node<'a, '_>, name: &str) -> Result<&'a str, CheckupXmlError> {
    node.attribute(name).ok_or_else(|| ctx.invalid(node, format!("attribute {name}")))
}

/// `xsi:type`, without any namespace prefix of its value (`xsi:type="PQ"` or `"hl7:PQ"`).
pub(crate) fn xsi_type<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    let v = node.attribute((NS_XSI, "type"))?;
    Some(v.rsplit(':').next().unwrap_or(v))
}

/// All text below `node`, concatenated.
pub(crate) fn all_text(node: Node) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect()
}

/// A `YYYYMMDD` date (a longer HL7 timestamp is cut to its date) from attribute `name`.
pub(crate) fn date_attr(ctx: &Ctx, node: Node, name: &str, what: &str) -> Result<NaiveDate, CheckupXmlError> {
    let v = attr(ctx, node, name)?;
    let bad = || ctx.invalid(node, format!("{what} as a valid date YYYYMMDD in @{name}"));
    let head = v.get(..8).ok_or_else(bad)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    NaiveDate::parse_from_str(head, "%Y%m%d").map_err(|_| bad())
}

/// Whether `s` is `min..=max` ASCII digits.
pub(crate) fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is a plain decimal number as PQ values carry it (`-`? digits (`.` digits)?).
pub(crate) fn is_decimal(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A code value fit to quote in an error: short and plain, else only its length. Guards against
/// a garbled file that put personal text where a code belongs.
pub(crate) fn quotable_code(code: &str) -> String {
    if code.len() <= 20 && code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        code.to_string()
    } else {
        format!("(not a code: {} characters)", code.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_keeps_line_ends() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(escape("x\r\ny\u{1}"), "x&#13;&#10;y");
        let doc = roxmltree::Document::parse(r#"<a v="x&#13;&#10;y">p&#10;q&#13;</a>"#).unwrap();
        assert_eq!(doc.root_element().attribute("v"), Some("x\r\ny"));
        assert_eq!(doc.root_element().text(), Some("p\nq\r"));
    }

    #[test]
    fn paths_number_repeated_siblings() {
        let doc = roxmltree::Document::parse("<r><e/><e><o><v/></o></e><x/></r>").unwrap();
        let v = doc.descendants().find(|n| n.has_tag_name("v")).unwrap();
        assert_eq!(path_of(v), "/r/e[2]/o/v");
    }

    #[test]
    fn decimals() {
        for ok in ["0", "142", "5.6", "-1.25"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", ".5", "5.", "1e3", "５", "1,000", "-"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn codes_are_quoted_only_when_plain() {
        assert_eq!(quotable_code("9Z999000000000001"), "9Z999000000000001");
        assert_eq!(quotable_code("ヤマダ タロウ"), "(not a code: 7 characters)");
    }
}
