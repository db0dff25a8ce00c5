//! Drift, as the rules see it: a stack resource's effective configuration from its
//! template against what the collectors read live, attribute by attribute along the
//! kind's schema (the paths rules name). Only what both sides know is compared: an
//! attribute the template cannot tell, one a call failed to read, one no rule asked for,
//! a timestamp, or a reference the template cannot resolve (`${…}`) is left out, so a
//! difference is one a person can act on. References to the stack's own resources are
//! compared by their physical ids (a `Ref` to a key against the key's ARN).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::model::schema::{Field, Type};
use crate::model::{Inventory, Resource};
use crate::report::Difference;

/// What a comparison knows besides the two resources.
pub struct Context<'a> {
    /// Logical id → physical id, for every resource of the stack.
    pub physical: &'a BTreeMap<String, String>,
    /// Attributes the template cannot tell, or the live scan could not read.
    pub unknown: BTreeSet<String>,
}

impl Context<'_> {
    /// The attributes `template` cannot tell and `live` could not read (theirs, or every
    /// resource's of the kind in the region).
    pub fn unknowns(
        template: (&Inventory, &Resource),
        live: (&Inventory, &Resource),
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (inventory, r) in [template, live] {
            let kind = r.properties.kind();
            for e in &inventory.errors {
                let about = e.resource_id.as_deref().is_none_or(|id| id == r.id);
                if e.resource_type == kind && about && e.region == r.region {
                    out.extend(e.attributes.iter().cloned());
                }
            }
        }
        out
    }
}

/// The attributes whose values differ between the template's resource and the live one
/// (of one kind).
pub fn differences(template: &Resource, live: &Resource, cx: &Context<'_>) -> Vec<Difference> {
    let (t, l) = (
        template.properties.attributes(),
        live.properties.attributes(),
    );
    let mut out = Vec::new();
    let schema = live.properties.kind().schema();
    // The name is the template's logical id when it gives none; the physical id linked them.
    let fields = schema.iter().filter(|f| f.name != "name");
    walk(fields, "", &t, &l, cx, &mut out);
    out
}

fn walk<'f>(
    fields: impl Iterator<Item = &'f Field>,
    prefix: &str,
    t: &Value,
    l: &Value,
    cx: &Context<'_>,
    out: &mut Vec<Difference>,
) {
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        let below = format!("{path}.");
        let unknown_below = cx.unknown.iter().any(|u| u.starts_with(&below));
        if cx.unknown.contains(&path) || (unknown_below && !matches!(f.ty, Type::Object(_))) {
            continue;
        }
        let (Some(tv), Some(lv)) = (present(t, f.name), present(l, f.name)) else {
            continue;
        };
        match f.ty {
            Type::Time => {}
            Type::Object(inner) => walk(inner.iter(), &below, tv, lv, cx, out),
            Type::Map => {
                // Tags CloudFormation adds (`aws:cloudformation:stack-name`) are not drift.
                let own = |v: &Value| -> BTreeMap<String, Value> {
                    v.as_object()
                        .map(|m| {
                            m.iter()
                                .filter(|(k, _)| !k.starts_with("aws:"))
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                let ours = own(&resolve(tv, cx));
                if ours.values().any(unresolved) {
                    continue;
                }
                if ours != own(lv) {
                    push(out, path, tv, lv);
                }
            }
            _ => {
                let ours = resolve(tv, cx);
                if !unresolved(&ours) && !same(&ours, lv) {
                    push(out, path, tv, lv);
                }
            }
        }
    }
}

fn push(out: &mut Vec<Difference>, attribute: String, template: &Value, live: &Value) {
    out.push(Difference {
        attribute,
        template: template.clone(),
        live: live.clone(),
    });
}

/// The value at `key`, unless absent or null (nothing to compare).
fn present<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// `v` with references to the stack's resources (`${Logical}`, or a logical id alone)
/// replaced by their physical ids.
fn resolve(v: &Value, cx: &Context<'_>) -> Value {
    match v {
        Value::String(s) => {
            if let Some(p) = cx.physical.get(s) {
                return Value::String(p.clone());
            }
            let mut text = s.clone();
            for (logical, physical) in cx.physical {
                text = text.replace(&format!("${{{logical}}}"), physical);
            }
            Value::String(text)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| resolve(i, cx)).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), resolve(v, cx))).collect())
        }
        other => other.clone(),
    }
}

/// Whether the template's value still holds something it cannot resolve.
fn unresolved(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("${"),
        Value::Array(items) => items.iter().any(unresolved),
        Value::Object(m) => m.values().any(unresolved),
        _ => false,
    }
}

/// Equal values; for strings, one naming the other (an id against its ARN); for lists,
/// the same items in any order; for objects, the same keys with the same values.
fn same(t: &Value, l: &Value) -> bool {
    match (t, l) {
        (Value::String(a), Value::String(b)) => a == b || names(a, b) || names(b, a),
        (Value::Array(a), Value::Array(b)) => {
            let mut left: Vec<&Value> = b.iter().collect();
            a.len() == b.len()
                && a.iter()
                    .all(|x| match left.iter().position(|y| same(x, y)) {
                        Some(i) => {
                            left.swap_remove(i);
                            true
                        }
                        None => false,
                    })
        }
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a
                .iter()
                .chain(b.iter())
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k)
                .collect();
            keys.into_iter().all(|k| match (a.get(k), b.get(k)) {
                (Some(x), Some(y)) => same(x, y),
                (x, y) => x.is_none_or(Value::is_null) && y.is_none_or(Value::is_null),
            })
        }
        _ => t == l,
    }
}

/// `long` is an ARN or path ending in `short` (`arn:…:key/ID` and `ID`).
fn names(long: &str, short: &str) -> bool {
    !short.is_empty()
        && long.len() > short.len()
        && long.ends_with(short)
        && matches!(long.as_bytes()[long.len() - short.len() - 1], b'/' | b':')
}

#[cfg(test)]
mod tests;
