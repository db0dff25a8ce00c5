//! Evaluates a compiled condition against one resource's attributes, keeping what was
//! observed so every verdict can say which value decided it.

use chrono::{DateTime, Days, Utc};
use serde_json::Value;

use super::condition::{Comparison, Condition, Op, Quantifier, PLACEHOLDERS};

/// Where and when a resource is judged: the values a pattern may refer to, and the
/// moment dates are compared with (the scan's start, taken from the inventory, so a
/// replayed inventory is judged as it was the day it was collected).
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    pub region: &'a str,
    pub account_id: &'a str,
    pub at: DateTime<Utc>,
}

/// The result of a condition: whether it holds, what was seen, and what would have
/// made it hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub holds: bool,
    pub observed: String,
    pub expected: String,
}

impl Evaluation {
    /// One sentence for a finding: the observation, and the expectation when it failed.
    pub fn message(&self) -> String {
        if self.holds {
            self.observed.clone()
        } else {
            format!("{}; expected {}", self.observed, self.expected)
        }
    }
}

pub fn evaluate(cond: &Condition, attrs: &Value, setting: Setting<'_>) -> Evaluation {
    match cond {
        Condition::All(list) => {
            let outcomes: Vec<Evaluation> =
                list.iter().map(|c| evaluate(c, attrs, setting)).collect();
            match outcomes.iter().find(|o| !o.holds) {
                Some(failed) => failed.clone(),
                None => Evaluation {
                    holds: true,
                    observed: join(&outcomes, |o| &o.observed, ", "),
                    expected: join(&outcomes, |o| &o.expected, " and "),
                },
            }
        }
        Condition::Any(list) => {
            let outcomes: Vec<Evaluation> =
                list.iter().map(|c| evaluate(c, attrs, setting)).collect();
            match outcomes.iter().find(|o| o.holds) {
                Some(held) => held.clone(),
                None => Evaluation {
                    holds: false,
                    observed: join(&outcomes, |o| &o.observed, ", "),
                    expected: format!("({})", join(&outcomes, |o| &o.expected, " or ")),
                },
            }
        }
        Condition::Not(inner) => {
            let o = evaluate(inner, attrs, setting);
            Evaluation {
                holds: !o.holds,
                observed: o.observed,
                expected: format!("not ({})", o.expected),
            }
        }
        Condition::Test { path, op } => test(path, op, lookup(attrs, path), setting),
        Condition::Quantified {
            path,
            quantifier,
            inner,
        } => {
            let items = match lookup(attrs, path) {
                Some(Value::Array(items)) => items.as_slice(),
                _ => &[],
            };
            let results: Vec<Evaluation> = items
                .iter()
                .map(|item| evaluate(inner, item, setting))
                .collect();
            quantify(path, *quantifier, &results)
        }
    }
}

fn quantify(path: &str, quantifier: Quantifier, results: &[Evaluation]) -> Evaluation {
    let expected_inner = results
        .first()
        .map(|o| o.expected.clone())
        .unwrap_or_default();
    match quantifier {
        Quantifier::Every => match results.iter().position(|o| !o.holds) {
            Some(i) => Evaluation {
                holds: false,
                observed: format!("{path}[{i}]: {}", results[i].observed),
                expected: format!("every element of {path} with {}", results[i].expected),
            },
            None => Evaluation {
                holds: true,
                observed: format!("all {} element(s) of {path} comply", results.len()),
                expected: format!("every element of {path} with {expected_inner}"),
            },
        },
        Quantifier::Some => match results.iter().position(|o| o.holds) {
            Some(i) => Evaluation {
                holds: true,
                observed: format!("{path}[{i}]: {}", results[i].observed),
                expected: format!("an element of {path} with {}", results[i].expected),
            },
            None => Evaluation {
                holds: false,
                observed: if results.is_empty() {
                    format!("{path} is empty")
                } else {
                    format!(
                        "none of the {} element(s) of {path} complies",
                        results.len()
                    )
                },
                expected: if expected_inner.is_empty() {
                    format!("at least one matching element in {path}")
                } else {
                    format!("an element of {path} with {expected_inner}")
                },
            },
        },
        Quantifier::None => match results.iter().position(|o| o.holds) {
            Some(i) => Evaluation {
                holds: false,
                observed: format!("{path}[{i}]: {}", results[i].observed),
                expected: format!("no element of {path} with {}", results[i].expected),
            },
            None => Evaluation {
                holds: true,
                observed: format!("no element of {path} matches ({} checked)", results.len()),
                expected: format!("no element of {path} with {expected_inner}"),
            },
        },
    }
}

fn test(path: &str, op: &Op, value: Option<&Value>, setting: Setting<'_>) -> Evaluation {
    let observed = match value {
        Some(v) => format!("{path} is {}", show(v)),
        None => format!("{path} is not set"),
    };
    let (holds, expected) = match op {
        Op::Eq(want) => (value == Some(want), format!("{path} = {}", show(want))),
        Op::Ne(want) => (value != Some(want), format!("{path} != {}", show(want))),
        Op::In(list) => (
            value.is_some_and(|v| list.contains(v)),
            format!("{path} in {}", show_list(list)),
        ),
        Op::NotIn(list) => (
            value.is_some_and(|v| !list.contains(v)),
            format!("{path} not in {}", show_list(list)),
        ),
        Op::BeforeDateIn { dates, days_ahead } => {
            let day = (setting.at + Days::new(*days_ahead)).date_naive();
            let date = value.and_then(Value::as_str).and_then(|v| dates.get(v));
            let ahead = if *days_ahead > 0 {
                format!(" and for {days_ahead} days after")
            } else {
                String::new()
            };
            let expected = format!(
                "{path} still supported on {}{ahead}",
                setting.at.date_naive()
            );
            return Evaluation {
                holds: date.is_some_and(|d| day < *d),
                observed: match (value, date) {
                    (Some(v), Some(d)) => format!("{path} is {} (its end: {d})", show(v)),
                    (Some(v), None) => {
                        format!("{path} is {}, which the schedule does not list", show(v))
                    }
                    (None, _) => format!("{path} is not set"),
                },
                expected,
            };
        }
        Op::Age { older, days } => {
            let when = value
                .and_then(Value::as_str)
                .and_then(|v| DateTime::parse_from_rfc3339(v).ok())
                .map(|t| t.with_timezone(&Utc));
            let limit = setting.at - chrono::Duration::days(i64::from(*days));
            let (holds, relation) = if *older {
                (when.is_some_and(|t| t < limit), "more than")
            } else {
                (when.is_some_and(|t| t >= limit), "at most")
            };
            return Evaluation {
                holds,
                observed: match (value, when) {
                    (Some(v), Some(t)) => format!("{path} is {} ({})", show(v), age(t, setting.at)),
                    (Some(v), None) => format!("{path} is {}, not a timestamp", show(v)),
                    (None, _) => format!("{path} is not set"),
                },
                // The scan's day, not its second: two scans of an unchanged account
                // say the same (a diff shows no change).
                expected: format!(
                    "{path} {relation} {days} days before the scan of {}",
                    setting.at.date_naive()
                ),
            };
        }
        Op::Exists(want) => (
            value.is_some() == *want,
            format!("{path} {}", if *want { "set" } else { "not set" }),
        ),
        Op::Matches(pattern) => {
            let fill = |escape: bool| {
                PLACEHOLDERS
                    .iter()
                    .zip([setting.region, setting.account_id])
                    .fold(pattern.source.clone(), |s, (p, v)| {
                        s.replace(
                            p,
                            &if escape {
                                regex::escape(v)
                            } else {
                                v.to_string()
                            },
                        )
                    })
            };
            let holds = match (&pattern.fixed, value.and_then(Value::as_str)) {
                (Some(re), Some(s)) => re.is_match(s),
                (None, Some(s)) => regex::Regex::new(&fill(true)).is_ok_and(|re| re.is_match(s)),
                _ => false,
            };
            (holds, format!("{path} matching /{}/", fill(false)))
        }
        Op::Compare(cmp, n) => {
            let (sym, f): (&str, fn(f64, f64) -> bool) = match cmp {
                Comparison::Gt => (">", |a, b| a > b),
                Comparison::Gte => (">=", |a, b| a >= b),
                Comparison::Lt => ("<", |a, b| a < b),
                Comparison::Lte => ("<=", |a, b| a <= b),
            };
            let (number, what) = match value {
                Some(Value::Array(a)) => (Some(a.len() as f64), " items"),
                Some(Value::Object(m)) => (Some(m.len() as f64), " items"),
                other => (other.and_then(Value::as_f64), ""),
            };
            (
                number.is_some_and(|v| f(v, *n)),
                format!("{path} {sym} {n}{what}"),
            )
        }
        Op::Contains(item) => (
            value
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item))),
            format!("{path} containing {}", show(&Value::String(item.clone()))),
        ),
        Op::Empty(want) => {
            let empty = match value {
                None => true,
                Some(Value::Array(a)) => a.is_empty(),
                Some(Value::Object(m)) => m.is_empty(),
                Some(_) => false,
            };
            (
                empty == *want,
                format!("{path} {}", if *want { "empty" } else { "not empty" }),
            )
        }
        Op::HasKeys(keys) => {
            let present = |k: &String| {
                value
                    .and_then(Value::as_object)
                    .is_some_and(|m| m.contains_key(k))
            };
            let missing: Vec<&String> = keys.iter().filter(|k| !present(k)).collect();
            let observed = if missing.is_empty() {
                format!("{path} has {}", join_strs(keys))
            } else {
                format!("{path} lacks {}", join_strs(&missing))
            };
            let holds = missing.is_empty();
            return Evaluation {
                holds,
                observed,
                expected: format!("{path} with keys {}", join_strs(keys)),
            };
        }
        Op::RangeIncludes(ports) => {
            let range =
                value.and_then(|v| Some((v.get("from")?.as_i64()?, v.get("to")?.as_i64()?)));
            let hit = range.and_then(|(from, to)| ports.iter().find(|p| (from..=to).contains(*p)));
            let observed = match (range, hit) {
                (Some((from, to)), Some(port)) => {
                    format!("{path} {from}-{to} includes port {port}")
                }
                (Some((from, to)), None) => format!("{path} {from}-{to}"),
                (None, _) => format!("{path} is not set"),
            };
            let list: Vec<String> = ports.iter().map(i64::to_string).collect();
            return Evaluation {
                holds: hit.is_some(),
                observed,
                expected: format!("{path} including port {}", list.join(" or ")),
            };
        }
    };
    Evaluation {
        holds,
        observed,
        expected,
    }
}

/// Looks a dotted path up; JSON null counts as absent.
pub fn lookup<'v>(attrs: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .try_fold(attrs, |v, seg| v.get(seg))
        .filter(|v| !v.is_null())
}

/// How long before (or after) the scan's start `t` is, in whole days.
fn age(t: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let days = (at - t).num_days();
    match days {
        0 if t > at => "after the scan's start".to_string(),
        0 => "the scan's day".to_string(),
        d if d < 0 => format!("{} days after the scan's start", -d),
        d => format!("{d} days before the scan"),
    }
}

fn show(v: &Value) -> String {
    v.to_string()
}

fn show_list(list: &[Value]) -> String {
    let items: Vec<String> = list.iter().map(show).collect();
    format!("[{}]", items.join(", "))
}

fn join_strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn join(outcomes: &[Evaluation], pick: fn(&Evaluation) -> &String, sep: &str) -> String {
    outcomes
        .iter()
        .map(pick)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests;
