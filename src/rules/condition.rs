//! Conditions compiled from rule files: every attribute path, operator and value is
//! checked against the resource kind's schema once, at load time, so evaluation cannot
//! meet a misspelt attribute or a string compared with a number.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use regex::Regex;
use serde_json::Value;

use super::format::Node;
use crate::model::schema::{lookup, Field, Type};

/// A validated condition over one resource's attributes.
#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test {
        path: String,
        op: Op,
    },
    Quantified {
        path: String,
        quantifier: Quantifier,
        inner: Box<Condition>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantifier {
    Every,
    Some,
    None,
}

#[derive(Debug, Clone)]
pub enum Op {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Exists(bool),
    Matches(Pattern),
    Compare(Comparison, f64),
    Contains(String),
    Empty(bool),
    HasKeys(Vec<String>),
    RangeIncludes(Vec<i64>),
    /// The value is a key of `dates` whose date is still ahead `days_ahead` days after
    /// the scan's start (a runtime's end of support, from a schedule in the rule).
    BeforeDateIn {
        dates: BTreeMap<String, NaiveDate>,
        days_ahead: u64,
    },
    /// The timestamp is more than `days` days before the scan's start (`older_than_days`),
    /// or no more than that (`within_days`, which a time after the start also meets).
    Age {
        older: bool,
        days: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Comparison {
    Gt,
    Gte,
    Lt,
    Lte,
}

/// A regular expression that may name `${region}` or `${account_id}`, filled in with
/// the resource's own values when evaluated.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    /// Compiled once when the pattern has no placeholder.
    pub fixed: Option<Regex>,
}

pub const PLACEHOLDERS: [&str; 2] = ["${region}", "${account_id}"];

impl Condition {
    /// The top-level attributes this condition reads: what a collector must fetch.
    pub fn attributes(&self, out: &mut BTreeSet<String>) {
        match self {
            Condition::All(list) | Condition::Any(list) => {
                list.iter().for_each(|c| c.attributes(out))
            }
            Condition::Not(inner) => inner.attributes(out),
            Condition::Test { path, .. } | Condition::Quantified { path, .. } => {
                out.insert(path.split('.').next().unwrap_or(path).to_string());
            }
        }
    }

    /// Whether the verdict depends on when it is given (so test cases must say when).
    pub fn uses_time(&self) -> bool {
        match self {
            Condition::All(list) | Condition::Any(list) => list.iter().any(Condition::uses_time),
            Condition::Not(inner) | Condition::Quantified { inner, .. } => inner.uses_time(),
            Condition::Test { op, .. } => matches!(op, Op::BeforeDateIn { .. } | Op::Age { .. }),
        }
    }
}

/// Compiles `node` against `fields`; `at` names the node's place for error messages.
pub fn compile(
    node: &Node,
    fields: &'static [Field],
    params: &Params,
    at: &str,
) -> Result<Condition, String> {
    let combinators = [node.all.is_some(), node.any.is_some(), node.not.is_some()];
    let combinator_count = combinators.iter().filter(|b| **b).count();
    if combinator_count > 0 {
        if combinator_count > 1 || node.attribute.is_some() || operator_names(node).next().is_some()
        {
            return Err(format!(
                "{at}: `all`, `any` and `not` stand alone in a condition node"
            ));
        }
        if let Some(list) = &node.all {
            return compile_list(list, fields, params, &format!("{at}.all")).map(Condition::All);
        }
        if let Some(list) = &node.any {
            return compile_list(list, fields, params, &format!("{at}.any")).map(Condition::Any);
        }
        if let Some(inner) = &node.not {
            let inner = compile(inner, fields, params, &format!("{at}.not"))?;
            return Ok(Condition::Not(Box::new(inner)));
        }
    }
    let Some(path) = &node.attribute else {
        return Err(format!(
            "{at}: a condition needs `all`, `any`, `not` or an `attribute`"
        ));
    };
    let ops: Vec<&str> = operator_names(node).collect();
    let [op] = ops.as_slice() else {
        return Err(if ops.is_empty() {
            format!("{at}: attribute `{path}` needs an operator (eq, ne, in, not_in, exists, matches, gt, gte, lt, lte, contains, empty, has_keys, range_includes, before_date_in, older_than_days, within_days, every, some, none)")
        } else {
            format!(
                "{at}: attribute `{path}` has several operators ({}); use `all` to combine them",
                ops.join(", ")
            )
        });
    };
    let field = lookup(fields, path).ok_or_else(|| {
        let known: Vec<_> = fields.iter().map(|f| f.name).collect();
        format!(
            "{at}: unknown attribute `{path}` (attributes here: {})",
            known.join(", ")
        )
    })?;
    let ty = field.ty;
    let at_op = format!("{at}.{op}");
    let mismatch = |expected: &str| {
        Err(format!(
            "{at_op}: `{op}` does not apply to `{path}`, a {}; it takes {expected}",
            ty.name()
        ))
    };
    let quantified = |inner: &Node, quantifier| match ty {
        Type::List(inner_fields) => Ok(Condition::Quantified {
            path: path.clone(),
            quantifier,
            inner: Box::new(compile(inner, inner_fields, params, &at_op)?),
        }),
        _ => mismatch("a list of objects"),
    };
    if let Some(inner) = &node.every {
        return quantified(inner, Quantifier::Every);
    }
    if let Some(inner) = &node.some {
        return quantified(inner, Quantifier::Some);
    }
    if let Some(inner) = &node.none {
        return quantified(inner, Quantifier::None);
    }
    let value = |v: &Option<Value>| resolve(v.as_ref().unwrap_or(&Value::Null), params, &at_op);
    let op = match *op {
        "eq" | "ne" => {
            let v = value(if *op == "eq" { &node.eq } else { &node.ne })?;
            if !scalar_fits(ty, &v) {
                return mismatch("a value of the attribute's type");
            }
            if *op == "eq" {
                Op::Eq(v)
            } else {
                Op::Ne(v)
            }
        }
        "in" | "not_in" => {
            let v = value(if *op == "in" { &node.in_ } else { &node.not_in })?;
            let Value::Array(items) = v else {
                return Err(format!("{at_op}: `{op}` takes a list"));
            };
            if !matches!(ty, Type::String | Type::Int) || !items.iter().all(|i| scalar_fits(ty, i))
            {
                return mismatch(
                    "a list of values of the attribute's type (string or integer attributes)",
                );
            }
            if *op == "in" {
                Op::In(items)
            } else {
                Op::NotIn(items)
            }
        }
        "exists" => Op::Exists(node.exists.unwrap_or(true)),
        "matches" => {
            let Value::String(source) = value(&node.matches)? else {
                return Err(format!(
                    "{at_op}: `matches` takes a regular expression string"
                ));
            };
            if ty != Type::String {
                return mismatch("a string attribute");
            }
            Op::Matches(pattern(&source).map_err(|e| format!("{at_op}: {e}"))?)
        }
        "gt" | "gte" | "lt" | "lte" => {
            let raw = match *op {
                "gt" => &node.gt,
                "gte" => &node.gte,
                "lt" => &node.lt,
                _ => &node.lte,
            };
            let Some(n) = value(raw)?.as_f64() else {
                return Err(format!("{at_op}: `{op}` takes a number"));
            };
            // On a list or map, the comparison is of how many items it holds.
            if !matches!(ty, Type::Int | Type::StringList | Type::List(_) | Type::Map) {
                return mismatch("an integer, list or map attribute");
            }
            let cmp = match *op {
                "gt" => Comparison::Gt,
                "gte" => Comparison::Gte,
                "lt" => Comparison::Lt,
                _ => Comparison::Lte,
            };
            Op::Compare(cmp, n)
        }
        "contains" => {
            let Value::String(s) = value(&node.contains)? else {
                return Err(format!("{at_op}: `contains` takes a string"));
            };
            if ty != Type::StringList {
                return mismatch("a string list attribute");
            }
            Op::Contains(s)
        }
        "empty" => {
            if !matches!(ty, Type::StringList | Type::Map | Type::List(_)) {
                return mismatch("a list or map attribute");
            }
            Op::Empty(node.empty.unwrap_or(true))
        }
        "has_keys" => {
            let keys = string_list(value(&node.has_keys)?)
                .ok_or_else(|| format!("{at_op}: `has_keys` takes a list of strings"))?;
            if ty != Type::Map {
                return mismatch("a map attribute (tags)");
            }
            Op::HasKeys(keys)
        }
        "before_date_in" => {
            if ty != Type::String {
                return mismatch("a string attribute");
            }
            before_date_in(node.before_date_in.as_ref(), params, &at_op)?
        }
        "older_than_days" | "within_days" => {
            let older = *op == "older_than_days";
            let raw = if older {
                &node.older_than_days
            } else {
                &node.within_days
            };
            let days = value(raw)?
                .as_u64()
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(|| format!("{at_op}: `{op}` takes a number of days, 0 or more"))?;
            if ty != Type::Time {
                return mismatch("a timestamp attribute");
            }
            Op::Age { older, days }
        }
        _ => {
            let ports = match value(&node.range_includes)? {
                Value::Array(items) => items.iter().map(Value::as_i64).collect::<Option<Vec<_>>>(),
                single => single.as_i64().map(|p| vec![p]),
            }
            .ok_or_else(|| format!("{at_op}: `range_includes` takes a port or a list of ports"))?;
            if ty != Type::Range {
                return mismatch("a port range attribute");
            }
            Op::RangeIncludes(ports)
        }
    };
    Ok(Condition::Test {
        path: path.clone(),
        op,
    })
}

/// `before_date_in: {dates: {NAME: YYYY-MM-DD, …}, days_ahead: N}`, each part a value or
/// a `{param: …}`.
fn before_date_in(node: Option<&Value>, params: &Params, at: &str) -> Result<Op, String> {
    let shape = || {
        format!("{at}: `before_date_in` takes {{dates: {{NAME: YYYY-MM-DD, …}}, days_ahead: DAYS}}")
    };
    let Some(Value::Object(parts)) = node else {
        return Err(shape());
    };
    if let Some(unknown) = parts
        .keys()
        .find(|k| !["dates", "days_ahead"].contains(&k.as_str()))
    {
        return Err(format!("{at}: unknown key `{unknown}`; {}", shape()));
    }
    let Value::Object(table) = resolve(parts.get("dates").unwrap_or(&Value::Null), params, at)?
    else {
        return Err(shape());
    };
    let dates = table
        .iter()
        .map(|(name, date)| {
            date.as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| (name.clone(), d))
                .ok_or_else(|| format!("{at}: dates.{name}: `{date}` is not a YYYY-MM-DD date"))
        })
        .collect::<Result<_, _>>()?;
    let days_ahead = match parts.get("days_ahead") {
        None => 0,
        Some(days) => resolve(days, params, at)?
            .as_u64()
            .ok_or_else(|| format!("{at}: days_ahead takes a number of days, 0 or more"))?,
    };
    Ok(Op::BeforeDateIn { dates, days_ahead })
}

fn compile_list(
    list: &[Node],
    fields: &'static [Field],
    params: &Params,
    at: &str,
) -> Result<Vec<Condition>, String> {
    if list.is_empty() {
        return Err(format!("{at}: the list is empty"));
    }
    list.iter()
        .enumerate()
        .map(|(i, n)| compile(n, fields, params, &format!("{at}[{i}]")))
        .collect()
}

fn operator_names(node: &Node) -> impl Iterator<Item = &'static str> + '_ {
    [
        ("eq", node.eq.is_some()),
        ("ne", node.ne.is_some()),
        ("in", node.in_.is_some()),
        ("not_in", node.not_in.is_some()),
        ("exists", node.exists.is_some()),
        ("matches", node.matches.is_some()),
        ("gt", node.gt.is_some()),
        ("gte", node.gte.is_some()),
        ("lt", node.lt.is_some()),
        ("lte", node.lte.is_some()),
        ("contains", node.contains.is_some()),
        ("empty", node.empty.is_some()),
        ("has_keys", node.has_keys.is_some()),
        ("range_includes", node.range_includes.is_some()),
        ("before_date_in", node.before_date_in.is_some()),
        ("older_than_days", node.older_than_days.is_some()),
        ("within_days", node.within_days.is_some()),
        ("every", node.every.is_some()),
        ("some", node.some.is_some()),
        ("none", node.none.is_some()),
    ]
    .into_iter()
    .filter(|(_, set)| *set)
    .map(|(name, _)| name)
}

/// The parameters a condition may name: its own rule's (`{param: NAME}`), and another
/// rule's (`{param: NAME, rule: ID}`), so one schedule serves a rule and its warning.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    pub own: &'a BTreeMap<String, Value>,
    pub others: &'a BTreeMap<String, BTreeMap<String, Value>>,
}

/// Replaces `{param: NAME}` (or `{param: NAME, rule: ID}`) with the parameter's value.
fn resolve(value: &Value, params: &Params, at: &str) -> Result<Value, String> {
    match value {
        Value::Object(map)
            if map.contains_key("param") && map.keys().all(|k| k == "param" || k == "rule") =>
        {
            let name = map["param"].as_str().unwrap_or_default();
            let (table, whose) = match map.get("rule") {
                None => (params.own, "this rule".to_string()),
                Some(rule) => {
                    let id = rule.as_str().unwrap_or_default();
                    let table = params.others.get(id).ok_or_else(|| {
                        format!("{at}: no rule `{id}` to take parameter `{name}` from")
                    })?;
                    (table, format!("rule {id}"))
                }
            };
            table.get(name).cloned().ok_or_else(|| {
                format!(
                    "{at}: unknown parameter `{name}` of {whose} (declare it under `parameters`)"
                )
            })
        }
        Value::Null => Err(format!("{at}: the operator needs a value")),
        other => Ok(other.clone()),
    }
}

fn scalar_fits(ty: Type, value: &Value) -> bool {
    matches!(
        (ty, value),
        (Type::Bool, Value::Bool(_))
            | (Type::Int, Value::Number(_))
            | (Type::String, Value::String(_))
            | (Type::Time, Value::String(_))
    )
}

fn string_list(value: Value) -> Option<Vec<String>> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

fn pattern(source: &str) -> Result<Pattern, String> {
    // Check the syntax with placeholders stood in by a plain word.
    let probe = PLACEHOLDERS
        .iter()
        .fold(source.to_string(), |s, p| s.replace(p, "x"));
    let invalid = |e: regex::Error| {
        // The crate's message draws the pattern over several lines; its last line says
        // what is wrong.
        let text = e.to_string();
        let what = text
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string();
        format!("invalid regular expression `{source}`: {what}")
    };
    Regex::new(&probe).map_err(invalid)?;
    let fixed = if PLACEHOLDERS.iter().any(|p| source.contains(p)) {
        None
    } else {
        Some(Regex::new(source).map_err(invalid)?)
    };
    Ok(Pattern {
        source: source.to_string(),
        fixed,
    })
}
