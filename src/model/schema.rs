//! The attribute schema: which attributes each resource kind has, their types, and the
//! API call that fills the ones collected on demand.
//!
//! Rule loading checks every attribute path and operator against it, and collectors ask
//! it which calls the enabled rules need, so a scan narrowed to one rule makes only the
//! calls that rule reads. A unit test keeps it in step with the serde structs.

/// The type of an attribute, as the condition evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Type {
    Bool,
    Int,
    String,
    /// A string to string map (tags).
    Map,
    /// A list of strings.
    StringList,
    /// An inclusive `{from, to}` port range.
    Range,
    /// A timestamp in RFC 3339.
    Time,
    Object(&'static [Field]),
    /// A list of objects; quantifiers (`every`, `some`, `none`) reach inside.
    List(&'static [Field]),
}

impl Type {
    pub fn name(&self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::Int => "integer",
            Type::String => "string",
            Type::Map => "map",
            Type::StringList => "string list",
            Type::Range => "port range",
            Type::Time => "timestamp",
            Type::Object(_) => "object",
            Type::List(_) => "list of objects",
        }
    }
}

/// One attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    /// For top-level attributes collected on demand: the API call that fills them.
    /// `None` for attributes that come with the resource's listing.
    pub call: Option<&'static str>,
    pub doc: &'static str,
}

impl Field {
    /// An attribute that comes with the listing.
    pub const fn listed(name: &'static str, ty: Type, doc: &'static str) -> Field {
        Field {
            name,
            ty,
            call: None,
            doc,
        }
    }

    /// A top-level attribute that costs one call per resource to collect.
    pub const fn called(
        name: &'static str,
        ty: Type,
        call: &'static str,
        doc: &'static str,
    ) -> Field {
        Field {
            name,
            ty,
            call: Some(call),
            doc,
        }
    }
}

/// A range's bounds, readable as `<range>.from` and `<range>.to`.
const RANGE_BOUNDS: &[Field] = &[
    Field::listed("from", Type::Int, "first port"),
    Field::listed("to", Type::Int, "last port"),
];

/// Finds the field a dotted path names, walking objects (not lists).
pub fn lookup(fields: &'static [Field], path: &str) -> Option<&'static Field> {
    let mut current = fields;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        let field = current.iter().find(|f| f.name == segment)?;
        if segments.peek().is_none() {
            return Some(field);
        }
        match field.ty {
            Type::Object(inner) => current = inner,
            Type::Range => current = RANGE_BOUNDS,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Properties, ResourceKind};
    use serde_json::{json, Value};

    /// A value with every attribute of `fields` set, built from the schema alone.
    fn sample(fields: &[Field]) -> Value {
        let mut map = serde_json::Map::new();
        for f in fields {
            let v = match f.ty {
                Type::Bool => json!(true),
                Type::Int => json!(7),
                Type::String => json!("x"),
                Type::Map => json!({"k": "v"}),
                Type::StringList => json!(["x"]),
                Type::Range => json!({"from": 1, "to": 2}),
                Type::Time => json!("2026-01-02T03:04:05Z"),
                Type::Object(inner) => sample(inner),
                Type::List(inner) => json!([sample(inner)]),
            };
            map.insert(f.name.to_string(), v);
        }
        Value::Object(map)
    }

    #[test]
    fn every_kind_s_schema_matches_its_struct_exactly() {
        for &kind in ResourceKind::ALL {
            let attrs = sample(kind.schema());
            // deny_unknown_fields: each schema attribute exists in the struct with its type;
            // the round trip: the struct has nothing the schema does not describe.
            let props = Properties::from_attributes(kind, attrs.clone())
                .unwrap_or_else(|e| panic!("{kind}: the schema names what the struct lacks: {e}"));
            assert_eq!(props.kind(), kind);
            assert_eq!(
                props.attributes(),
                attrs,
                "{kind}: struct and schema differ"
            );
        }
    }

    #[test]
    fn lookup_walks_objects_and_ranges_but_not_lists() {
        let s3 = ResourceKind::S3Bucket.schema();
        assert_eq!(
            lookup(s3, "encryption.algorithm").map(|f| f.ty),
            Some(Type::String)
        );
        assert!(lookup(s3, "encryption.nope").is_none());
        let sg = ResourceKind::SecurityGroup.schema();
        assert!(matches!(
            lookup(sg, "ingress").map(|f| f.ty),
            Some(Type::List(_))
        ));
        assert!(lookup(sg, "ingress.protocol").is_none());
    }

    #[test]
    fn top_level_attributes_collected_on_demand_name_their_call() {
        let s3 = ResourceKind::S3Bucket.schema();
        assert_eq!(
            lookup(s3, "policy").and_then(|f| f.call),
            Some("GetBucketPolicy")
        );
        assert_eq!(lookup(s3, "name").and_then(|f| f.call), None);
    }
}

#[cfg(test)]
mod docs {
    //! docs/attributes.md is rendered from the schema; this test keeps it current
    //! (`UPDATE_DOCS=1 cargo test` rewrites it).
    use super::*;
    use crate::model::ResourceKind;

    fn rows(fields: &[Field], prefix: &str, out: &mut String) {
        for f in fields {
            let path = format!("{prefix}{}", f.name);
            let call = f.call.map_or(String::new(), |c| format!("`{c}`"));
            out.push_str(&format!(
                "| `{path}` | {} | {call} | {} |\n",
                f.ty.name(),
                f.doc
            ));
            match f.ty {
                Type::Object(inner) => rows(inner, &format!("{path}."), out),
                Type::List(inner) => rows(inner, &format!("{path}[]."), out),
                Type::Range => rows(RANGE_BOUNDS, &format!("{path}."), out),
                _ => {}
            }
        }
    }

    fn render() -> String {
        let mut out = String::from(
            "# Resource attributes\n\n\
             What a rule's `attribute:` can name, per resource kind. Generated from the schema in\n\
             `src/model/` (regenerate with `UPDATE_DOCS=1 cargo test`). An attribute with a call is\n\
             collected only when an enabled rule reads it, with one call per resource (per region for\n\
             EC2); the others come with the resource's listing. `[]` marks the elements of a list,\n\
             reached with `every`, `some` or `none`.\n",
        );
        for kind in ResourceKind::ALL {
            out.push_str(&format!("\n## `{kind}` (service `{}`)\n\n| attribute | type | call | meaning |\n|---|---|---|---|\n", kind.service()));
            rows(kind.schema(), "", &mut out);
        }
        out
    }

    #[test]
    fn attribute_reference_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/attributes.md");
        let rendered = render();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &rendered).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == rendered,
            "docs/attributes.md is stale: run UPDATE_DOCS=1 cargo test"
        );
    }
}
