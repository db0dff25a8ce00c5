//! CloudWatch Logs metric filter patterns for JSON events (`{ $.eventName = X || … }`),
//! parsed and evaluated, so a CIS 4.x monitoring control is decided by what a filter
//! matches, not by how it is written: spacing, order, quoting and parentheses vary in
//! real accounts. A filter monitors an event class when it matches every sample event of
//! that class (`model/monitoring.rs`); a filter narrowed by an extra condition the samples
//! do not meet does not. Patterns that are not JSON filters (space-delimited, plain
//! terms) are not understood: they match nothing here.

use serde_json::Value;

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Test(Test),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `$.a.b = value` (`*` a wildcard in strings), `!=`, and number comparisons.
    Compare {
        path: Vec<String>,
        op: Op,
        value: Literal,
    },
    /// `$.a NOT EXISTS`.
    NotExists(Vec<String>),
    /// `$.a IS NULL`, `IS TRUE`, `IS FALSE`.
    Is(Vec<String>, Value),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Number(f64),
}

impl Expr {
    /// Whether the pattern matches `event`.
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Expr::And(a, b) => a.matches(event) && b.matches(event),
            Expr::Or(a, b) => a.matches(event) || b.matches(event),
            Expr::Test(t) => t.matches(event),
        }
    }
}

impl Test {
    fn matches(&self, event: &Value) -> bool {
        match self {
            Test::NotExists(path) => lookup(event, path).is_none(),
            Test::Is(path, want) => lookup(event, path) == Some(want),
            Test::Compare { path, op, value } => {
                let Some(found) = lookup(event, path) else {
                    return false;
                };
                match (value, found) {
                    (Literal::Number(n), Value::Number(f)) => {
                        let f = f.as_f64().unwrap_or(f64::NAN);
                        match op {
                            Op::Eq => f == *n,
                            Op::Ne => f != *n,
                            Op::Lt => f < *n,
                            Op::Le => f <= *n,
                            Op::Gt => f > *n,
                            Op::Ge => f >= *n,
                        }
                    }
                    (Literal::Text(t), Value::String(s)) => match op {
                        Op::Eq => wildcard(t, s),
                        Op::Ne => !wildcard(t, s),
                        _ => false,
                    },
                    (Literal::Number(n), Value::String(s)) => {
                        let text = n.to_string();
                        match op {
                            Op::Eq => *s == text,
                            Op::Ne => *s != text,
                            _ => false,
                        }
                    }
                    _ => false,
                }
            }
        }
    }
}

fn lookup<'v>(event: &'v Value, path: &[String]) -> Option<&'v Value> {
    path.iter().try_fold(event, |v, key| v.get(key.as_str()))
}

/// `*` matches any run of characters; everything else matches itself.
fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// Parses a JSON filter pattern (`{ … }`); `Err` says why it is not one.
pub fn parse(pattern: &str) -> Result<Expr, String> {
    let inner = pattern
        .trim()
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .ok_or_else(|| "not a JSON filter pattern ({ … })".to_string())?;
    let tokens = tokenize(inner)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!("unexpected {:?}", parser.tokens[parser.at]));
    }
    Ok(expr)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Op(Op),
    Selector(Vec<String>),
    Quoted(String),
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '&' if next == Some('&') => {
                out.push(Token::And);
                i += 2;
            }
            '|' if next == Some('|') => {
                out.push(Token::Or);
                i += 2;
            }
            '!' if next == Some('=') => {
                out.push(Token::Op(Op::Ne));
                i += 2;
            }
            '=' => {
                out.push(Token::Op(Op::Eq));
                i += if next == Some('=') { 2 } else { 1 };
            }
            '<' | '>' => {
                let eq = next == Some('=');
                out.push(Token::Op(match (c, eq) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                }));
                i += if eq { 2 } else { 1 };
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                if i == chars.len() {
                    return Err("a quoted value is not closed".to_string());
                }
                out.push(Token::Quoted(s));
                i += 1;
            }
            '$' if next == Some('.') => {
                let start = i + 2;
                i = start;
                while i < chars.len() && (chars[i].is_alphanumeric() || "._-".contains(chars[i])) {
                    i += 1;
                }
                let path: String = chars[start..i].iter().collect();
                out.push(Token::Selector(
                    path.split('.').map(str::to_string).collect(),
                ));
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !"()&|!=<>\"".contains(chars[i])
                {
                    i += 1;
                }
                if i == start {
                    return Err(format!("unexpected character {c:?}"));
                }
                out.push(Token::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    /// `||` binds loosest.
    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.term()?));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    other => Err(format!("expected ), found {other:?}")),
                }
            }
            Some(Token::Selector(path)) => self.test(path).map(Expr::Test),
            other => Err(format!("expected a selector ($.field), found {other:?}")),
        }
    }

    fn test(&mut self, path: Vec<String>) -> Result<Test, String> {
        match self.next() {
            Some(Token::Op(op)) => {
                let value = match self.next() {
                    Some(Token::Quoted(s)) => Literal::Text(s),
                    Some(Token::Word(w)) => match w.parse::<f64>() {
                        Ok(n) => Literal::Number(n),
                        Err(_) => Literal::Text(w),
                    },
                    other => return Err(format!("expected a value, found {other:?}")),
                };
                Ok(Test::Compare { path, op, value })
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("NOT") => match self.next() {
                Some(Token::Word(e)) if e.eq_ignore_ascii_case("EXISTS") => {
                    Ok(Test::NotExists(path))
                }
                other => Err(format!("expected EXISTS, found {other:?}")),
            },
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("IS") => {
                let value = match self.next() {
                    Some(Token::Word(v)) if v.eq_ignore_ascii_case("NULL") => Value::Null,
                    Some(Token::Word(v)) if v.eq_ignore_ascii_case("TRUE") => Value::Bool(true),
                    Some(Token::Word(v)) if v.eq_ignore_ascii_case("FALSE") => Value::Bool(false),
                    other => return Err(format!("expected NULL, TRUE or FALSE, found {other:?}")),
                };
                Ok(Test::Is(path, value))
            }
            other => Err(format!("expected an operator, found {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn matches(pattern: &str, event: Value) -> bool {
        parse(pattern).unwrap().matches(&event)
    }

    #[test]
    fn spacing_quoting_and_parentheses_do_not_change_the_meaning() {
        let event = json!({"eventName": "StopLogging", "eventSource": "cloudtrail.amazonaws.com"});
        for pattern in [
            "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = StopLogging) }",
            "{($.eventName=CreateTrail)||($.eventName=UpdateTrail)||($.eventName=StopLogging)}",
            "{ $.eventName = \"StopLogging\" || $.eventName = \"CreateTrail\" }",
            "{ (($.eventName == StopLogging)) }",
        ] {
            assert!(matches(pattern, event.clone()), "{pattern}");
        }
        assert!(!matches("{ $.eventName = CreateTrail }", event));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        // As CloudWatch reads CIS 4.1's pattern: a || (b && c && d).
        let p = "{ ($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\") && ($.sourceIPAddress != \"delivery.logs.amazonaws.com\") && ($.eventName != \"HeadBucket\") }";
        assert!(matches(
            p,
            json!({"errorCode": "Client.UnauthorizedOperation", "sourceIPAddress": "delivery.logs.amazonaws.com"})
        ));
        assert!(matches(
            p,
            json!({"errorCode": "AccessDenied", "sourceIPAddress": "198.51.100.7", "eventName": "GetObject"})
        ));
        assert!(!matches(
            p,
            json!({"errorCode": "AccessDenied", "sourceIPAddress": "198.51.100.7", "eventName": "HeadBucket"})
        ));
    }

    #[test]
    fn nested_fields_wildcards_and_existence() {
        let login = json!({"eventName": "ConsoleLogin", "additionalEventData": {"MFAUsed": "No"}, "userIdentity": {"type": "IAMUser"}});
        assert!(matches(
            "{ ($.eventName = \"ConsoleLogin\") && ($.additionalEventData.MFAUsed != \"Yes\") }",
            login.clone()
        ));
        assert!(!matches(
            "{ $.additionalEventData.MFAUsed = \"Yes\" }",
            login.clone()
        ));
        assert!(matches(
            "{ $.userIdentity.invokedBy NOT EXISTS }",
            login.clone()
        ));
        assert!(!matches(
            "{ $.userIdentity.type NOT EXISTS }",
            login.clone()
        ));
        assert!(matches("{ $.eventName = Console* }", login.clone()));
        assert!(matches("{ $.eventName = *Log* }", login.clone()));
        assert!(!matches("{ $.eventName = *Logout }", login));
        // A field the event lacks matches neither = nor !=.
        assert!(!matches(
            "{ $.errorCode != \"x\" }",
            json!({"eventName": "a"})
        ));
    }

    #[test]
    fn what_is_not_a_json_filter_is_an_error() {
        for bad in [
            "ERROR",
            "[ip, user]",
            "{ $.a = }",
            "{ ($.a = b }",
            "{ $.a = \"b }",
            "{ a = b }",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
