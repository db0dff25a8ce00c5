//! A rule's written message: one sentence for a person ("versioning is Suspended"),
//! with placeholders filled from the observed values that decided the verdict. The
//! evaluator's full explanation stays beside it as the finding's evidence.
//!
//! `{path}` is a resource attribute (dotted), `{item.path}` the list element that
//! decided a quantified condition (the first offending element of `none`/`every`, the
//! first matching one of `some`), `{param.NAME}` a rule parameter. A filter may follow:
//! `|join` (a list, comma-separated), `|count` (a list's or map's items), `|ports` (a
//! port range: `22`, `20–25`, `all ports`), `|date` (a timestamp's day), `|missing:PARAM` (the items of the list
//! parameter PARAM the attribute's map keys or list lacks), `|or:TEXT` (TEXT when the
//! value is absent). A placeholder with no value and no `or` does not render: the rule
//! harness refuses a message that does not render for its own failing test cases.

use std::collections::BTreeMap;

use serde_json::Value;

use super::condition::{Condition, Quantifier};
use super::evaluate::{evaluate, lookup, Setting};
use crate::model::schema::Field;

/// The sentence for a failure, and optionally one for a pass.
#[derive(Debug, Clone)]
pub struct Message {
    pub fail: Template,
    pub pass: Option<Template>,
}

#[derive(Debug, Clone)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Slot {
        source: Source,
        path: String,
        filter: Filter,
        /// `|or:TEXT`: shown when the value is absent.
        default: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Resource,
    Item,
    Param,
}

#[derive(Debug, Clone)]
enum Filter {
    Plain,
    Join,
    Count,
    Ports,
    Date,
    Missing(String),
}

/// What a template is filled from.
pub struct Values<'a> {
    pub attrs: &'a Value,
    pub item: Option<&'a Value>,
    pub params: &'a BTreeMap<String, Value>,
}

impl Template {
    /// Parses `text`; `schema` is the resource kind's, `params` the rule's parameters.
    pub fn parse(
        text: &str,
        schema: &[Field],
        params: &BTreeMap<String, Value>,
    ) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err("is empty".to_string());
        }
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| format!("`{}` has no closing brace", &rest[open..]))?;
            let slot = &rest[open + 1..open + close];
            parts.push(slot_of(slot, schema, params)?);
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("`{rest}` has a closing brace with no opening one"));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Template {
            text: text.trim().to_string(),
            parts,
        })
    }

    /// The sentence, or the placeholder that has no value.
    pub fn render(&self, values: &Values<'_>) -> Result<String, String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Slot {
                    source,
                    path,
                    filter,
                    default,
                } => {
                    let value = match source {
                        Source::Resource => lookup(values.attrs, path),
                        Source::Item => values.item.and_then(|item| lookup(item, path)),
                        Source::Param => values.params.get(path).filter(|v| !v.is_null()),
                    };
                    let shown = fill(value, filter, values.params)
                        .or_else(|| default.clone())
                        .ok_or_else(|| {
                            format!("`{{{}}}` has no value", slot_text(*source, path))
                        })?;
                    out.push_str(&shown);
                }
            }
        }
        Ok(out)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn slot_text(source: Source, path: &str) -> String {
    match source {
        Source::Resource => path.to_string(),
        Source::Item => format!("item.{path}"),
        Source::Param => format!("param.{path}"),
    }
}

fn slot_of(slot: &str, schema: &[Field], params: &BTreeMap<String, Value>) -> Result<Part, String> {
    let mut pieces = slot.split('|').map(str::trim);
    let name = pieces.next().unwrap_or_default();
    let mut filter = None;
    let mut default = None;
    for piece in pieces {
        match piece.strip_prefix("or:") {
            Some(text) if default.is_none() => default = Some(text.to_string()),
            _ if default.is_some() => {
                return Err(format!("`{{{slot}}}`: `or:` comes last"));
            }
            _ if filter.is_some() => {
                return Err(format!("`{{{slot}}}`: one filter, then optionally `or:`"));
            }
            _ => filter = Some(piece),
        }
    }
    let (source, path) = if let Some(path) = name.strip_prefix("item.") {
        (Source::Item, path)
    } else if let Some(path) = name.strip_prefix("param.") {
        (Source::Param, path)
    } else {
        (Source::Resource, name)
    };
    if path.is_empty() {
        return Err(format!("`{{{slot}}}` names nothing"));
    }
    match source {
        Source::Resource => {
            let top = path.split('.').next().unwrap_or_default();
            if !schema.iter().any(|f| f.name == top) {
                return Err(format!("`{{{slot}}}`: unknown attribute `{top}`"));
            }
        }
        Source::Param if !params.contains_key(path) => {
            return Err(format!("`{{{slot}}}`: the rule has no parameter `{path}`"));
        }
        _ => {}
    }
    let filter = match filter {
        None => Filter::Plain,
        Some("join") => Filter::Join,
        Some("count") => Filter::Count,
        Some("ports") => Filter::Ports,
        Some("date") => Filter::Date,
        Some(f) if f.starts_with("missing:") => {
            let param = f["missing:".len()..].trim();
            if !params.get(param).is_some_and(Value::is_array) {
                return Err(format!(
                    "`{{{slot}}}`: `missing:` needs a list parameter, and `{param}` is not one"
                ));
            }
            Filter::Missing(param.to_string())
        }
        Some(f) => {
            return Err(format!(
            "`{{{slot}}}`: unknown filter `{f}` (join, count, ports, date, missing:PARAM, or:TEXT)"
        ))
        }
    };
    Ok(Part::Slot {
        source,
        path: path.to_string(),
        filter,
        default,
    })
}

fn fill(
    value: Option<&Value>,
    filter: &Filter,
    params: &BTreeMap<String, Value>,
) -> Option<String> {
    match filter {
        Filter::Missing(param) => {
            let wanted = params.get(param)?.as_array()?;
            let has = |w: &Value| match value {
                Some(Value::Object(map)) => w.as_str().is_some_and(|k| map.contains_key(k)),
                Some(Value::Array(items)) => items.contains(w),
                _ => false,
            };
            let missing: Vec<String> = wanted.iter().filter(|w| !has(w)).map(plain).collect();
            Some(missing.join(", "))
        }
        Filter::Count => match value {
            Some(Value::Array(items)) => Some(items.len().to_string()),
            Some(Value::Object(map)) => Some(map.len().to_string()),
            None => Some("0".to_string()),
            Some(other) => Some(plain(other)),
        },
        Filter::Date => value.map(|v| plain(v).chars().take(10).collect()),
        Filter::Ports => {
            // A rule without a range (protocol `all`) opens every port.
            let Some(range) = value else {
                return Some("all ports".to_string());
            };
            let (from, to) = (range.get("from")?.as_i64()?, range.get("to")?.as_i64()?);
            Some(if from == 0 && to == 65535 || from < 0 {
                "all ports".to_string()
            } else if from == to {
                from.to_string()
            } else {
                format!("{from}–{to}")
            })
        }
        Filter::Join | Filter::Plain => value.map(plain),
    }
}

/// A value as a person reads it: strings unquoted, lists comma-separated.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "none".to_string(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

/// The list element that decided the first quantified condition of `cond` (through
/// `all`, `any` and `not`): the first offending element of `none` and `every`, the first
/// matching element of `some`.
pub fn deciding_item<'a>(
    cond: &Condition,
    attrs: &'a Value,
    setting: Setting<'_>,
) -> Option<&'a Value> {
    match cond {
        Condition::All(list) | Condition::Any(list) => {
            list.iter().find_map(|c| deciding_item(c, attrs, setting))
        }
        Condition::Not(inner) => deciding_item(inner, attrs, setting),
        Condition::Test { .. } => None,
        Condition::Quantified {
            path,
            quantifier,
            inner,
        } => {
            let items = lookup(attrs, path)?.as_array()?;
            items.iter().find(|item| {
                let holds = evaluate(inner, item, setting).holds;
                match quantifier {
                    Quantifier::Every => !holds,
                    Quantifier::Some | Quantifier::None => holds,
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ResourceKind;

    fn template(text: &str) -> Result<Template, String> {
        let params = BTreeMap::from([("required_tags".to_string(), json!(["Owner", "Env"]))]);
        Template::parse(text, ResourceKind::S3Bucket.schema(), &params)
    }

    fn render(text: &str, attrs: Value, item: Option<&Value>) -> Result<String, String> {
        let params = BTreeMap::from([("required_tags".to_string(), json!(["Owner", "Env"]))]);
        template(text)?.render(&Values {
            attrs: &attrs,
            item,
            params: &params,
        })
    }

    #[test]
    fn placeholders_take_the_observed_values_as_a_person_reads_them() {
        assert_eq!(
            render(
                "versioning is {versioning.status}",
                json!({"versioning": {"status": "Suspended"}}),
                None
            )
            .unwrap(),
            "versioning is Suspended"
        );
        assert_eq!(
            render(
                "lacks the tags {tags|missing:required_tags}",
                json!({"tags": {"Env": "prod"}}),
                None
            )
            .unwrap(),
            "lacks the tags Owner"
        );
        assert_eq!(
            render("lacks {tags|missing:required_tags}", json!({}), None).unwrap(),
            "lacks Owner, Env",
            "no tags at all"
        );
        let item = json!({"protocol": "tcp", "ports": {"from": 20, "to": 25}, "ipv4_ranges": ["0.0.0.0/0", "10.0.0.0/8"]});
        assert_eq!(
            render(
                "allows {item.protocol} {item.ports|ports} from {item.ipv4_ranges|join}",
                json!({}),
                Some(&item)
            )
            .unwrap(),
            "allows tcp 20–25 from 0.0.0.0/0, 10.0.0.0/8"
        );
        assert_eq!(
            render("key {encryption.kms_key_id|or:none}", json!({}), None).unwrap(),
            "key none"
        );
        assert_eq!(
            render("{tags|count} tags", json!({"tags": {"a": "b"}}), None).unwrap(),
            "1 tags"
        );
    }

    #[test]
    fn a_placeholder_without_a_value_does_not_render_and_bad_templates_are_refused() {
        let e = render("versioning is {versioning.status}", json!({}), None).unwrap_err();
        assert_eq!(e, "`{versioning.status}` has no value");
        assert!(template("{versionin}")
            .unwrap_err()
            .contains("unknown attribute `versionin`"));
        assert!(template("{param.nope}")
            .unwrap_err()
            .contains("no parameter `nope`"));
        assert!(template("{tags|upper}")
            .unwrap_err()
            .contains("unknown filter `upper`"));
        assert!(template("{tags|missing:nope}")
            .unwrap_err()
            .contains("needs a list parameter"));
        assert!(template("open {tags")
            .unwrap_err()
            .contains("no closing brace"));
        assert!(template("  ").unwrap_err().contains("is empty"));
        assert!(template("{tags|or:x|count}")
            .unwrap_err()
            .contains("`or:` comes last"));
    }
}
