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
