//! Shell-style patterns for suppression entries: `*` any run of characters (`/` and
//! `:` included, so `arn:aws:s3:::logs-*` covers every such bucket), `?` one character,
//! everything else literal. Matched whole, case-sensitively, as AWS compares ids.

use regex::Regex;

#[derive(Debug, Clone)]
pub struct Glob {
    text: String,
    regex: Option<Regex>,
}

impl Glob {
    pub fn new(text: &str) -> Glob {
        let regex = text.contains(['*', '?']).then(|| {
            let body: String = text
                .chars()
                .map(|c| match c {
                    '*' => ".*".to_string(),
                    '?' => ".".to_string(),
                    c => regex::escape(&c.to_string()),
                })
                .collect();
            Regex::new(&format!("^(?s:{body})$")).expect("an escaped pattern compiles")
        });
        Glob {
            text: text.to_string(),
            regex,
        }
    }

    pub fn matches(&self, value: &str) -> bool {
        match &self.regex {
            Some(re) => re.is_match(value),
            None => self.text == value,
        }
    }

    /// The pattern has a wildcard.
    pub fn is_pattern(&self) -> bool {
        self.regex.is_some()
    }

    /// The pattern matches anything (`*`, `**`, …).
    pub fn matches_all(&self) -> bool {
        !self.text.is_empty() && self.text.chars().all(|c| c == '*')
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    #[test]
    fn wildcards_match_whole_values_and_nothing_else_is_special() {
        let g = Glob::new("arn:aws:s3:::logs-*");
        assert!(g.matches("arn:aws:s3:::logs-2026"));
        assert!(g.matches("arn:aws:s3:::logs-"));
        assert!(
            !g.matches("arn:aws:s3:::app-logs-2026"),
            "anchored at the start"
        );
        assert!(Glob::new("sg-?").matches("sg-1"));
        assert!(!Glob::new("sg-?").matches("sg-12"));
        assert!(!Glob::new("a.c").matches("abc"), "a dot is a dot");
        assert!(Glob::new("a.c").matches("a.c"));
        assert!(
            !Glob::new("Bucket").matches("bucket"),
            "ids are case-sensitive"
        );
        assert!(Glob::new("s3-*").matches("s3-bucket\nversioning"));
        assert!(Glob::new("**").matches_all() && !Glob::new("*x").matches_all());
        assert!(!Glob::new("plain").is_pattern());
    }
}
