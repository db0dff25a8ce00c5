//! Escaping text for the markup printers (HTML and JUnit XML): one function, so both
//! agree on what is safe inside an element or a quoted attribute.

use std::borrow::Cow;

/// `text` safe inside an element or a double- or single-quoted attribute. Characters XML
/// 1.0 forbids (control characters other than tab and newlines) become U+FFFD, so the
/// document always parses.
pub fn escape(text: &str) -> Cow<'_, str> {
    let plain = |c: char| !matches!(c, '&' | '<' | '>' | '"' | '\'') && !forbidden(c);
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_and_quotes_are_escaped_and_control_characters_replaced() {
        assert_eq!(
            escape(r#"<b a="1">Tom & 'Jerry'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(escape("bell\u{7}\ttab"), "bell\u{FFFD}\ttab");
        assert!(matches!(
            escape("plain-bucket"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
