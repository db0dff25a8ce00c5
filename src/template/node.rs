//! A template's values with the line each came from, and the readers the type mappings
//! use. After `resolve`, a node holds no intrinsic function: only text, lists, maps,
//! references to other resources, values only a deployment knows (`Symbol`) and values
//! nobody can know from the template (`Unknown`, with the reason), which the readers
//! return as `Err(reason)` so no mapping can mistake them for a setting.

/// One value and where it starts (1-based line).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Text, numbers and booleans alike: CloudFormation reads each as the property wants.
    Scalar(String),
    List(Vec<Node>),
    Map(Vec<Entry>),
    /// `Ref` or `Fn::GetAtt` to a resource of the template.
    Ref {
        target: String,
        attr: Option<String>,
    },
    /// A value the deployment supplies (`AWS::AccountId`, the availability zones).
    Symbol(String),
    /// A value the template cannot tell, with the reason.
    Unknown(String),
    /// `AWS::NoValue`: the property is left out (removed by `resolve`).
    Absent,
}

/// A map entry with the line of its key (the property's line).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub line: usize,
    pub node: Node,
}

impl Node {
    pub fn new(value: Value, line: usize) -> Node {
        Node { value, line }
    }

    /// The entry `key` of a map (None for anything else).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The value of `key` in a map, when present and not null.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key)
            .map(|e| &e.node)
            .filter(|n| n.value != Value::Null)
    }

    /// The value at a path of keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The value as text; a reference renders as `${Target}` / `${Target.Attr}`.
    pub fn text(&self) -> Result<String, String> {
        match &self.value {
            Value::Scalar(s) => Ok(s.clone()),
            Value::Ref { target, attr: None } => Ok(format!("${{{target}}}")),
            Value::Ref {
                target,
                attr: Some(a),
            } => Ok(format!("${{{target}.{a}}}")),
            Value::Symbol(s) => Ok(format!("${{{s}}}")),
            Value::Unknown(reason) => Err(reason.clone()),
            Value::Null | Value::Absent => Err("the value is empty".into()),
            Value::List(_) | Value::Map(_) => Err(format!(
                "line {}: expected a value, found a list or map",
                self.line
            )),
        }
    }

    /// The value as CloudFormation reads a Boolean (`true`/`false`, any case).
    pub fn boolean(&self) -> Result<bool, String> {
        let text = self.text()?;
        match text.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("line {}: {text:?} is not true or false", self.line)),
        }
    }

    pub fn integer(&self) -> Result<i64, String> {
        let text = self.text()?;
        text.trim()
            .parse()
            .map_err(|_| format!("line {}: {text:?} is not a whole number", self.line))
    }

    /// The elements of a list (a single value counts as a list of one, as in policies).
    pub fn list(&self) -> Result<Vec<&Node>, String> {
        match &self.value {
            Value::List(items) => Ok(items.iter().collect()),
            Value::Unknown(reason) => Err(reason.clone()),
            Value::Symbol(s) => Err(format!("the list is {s}, known only once deployed")),
            _ => Ok(vec![self]),
        }
    }

    /// The list's elements as text.
    pub fn texts(&self) -> Result<Vec<String>, String> {
        self.list()?.into_iter().map(Node::text).collect()
    }

    /// The logical id this value refers to, when it is a `Ref`/`Fn::GetAtt`.
    pub fn target(&self) -> Option<&str> {
        match &self.value {
            Value::Ref { target, .. } => Some(target),
            _ => None,
        }
    }

    /// The value as JSON (policy documents), refusing what the template cannot tell.
    pub fn to_json(&self) -> Result<serde_json::Value, String> {
        Ok(match &self.value {
            Value::Null | Value::Absent => serde_json::Value::Null,
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect::<Result<_, _>>()?)
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| Ok((e.key.clone(), e.node.to_json()?)))
                    .collect::<Result<_, String>>()?,
            ),
            _ => serde_json::Value::String(self.text()?),
        })
    }
}

/// An optional property read with `read`: `Ok(None)` when absent.
pub fn optional<'n, T>(
    node: Option<&'n Node>,
    read: impl FnOnce(&'n Node) -> Result<T, String>,
) -> Result<Option<T>, String> {
    node.map(read).transpose()
}
