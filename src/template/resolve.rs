//! Resolves CloudFormation's intrinsic functions over a template's nodes, as
//! CloudFormation would when it creates the stack with the given parameters.
//!
//! A value the template cannot tell becomes `Value::Unknown` with the reason (an
//! import, a parameter with no value, an SSM parameter, a condition that depends on
//! one), and the rules reading it say so instead of passing. A reference to another
//! resource stays a reference (`Value::Ref`), which is how attachments find their
//! target. A malformed intrinsic (an unknown function, a `Ref` to nothing) is an error.

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::node::{Entry, Node, Value};

/// Everything an intrinsic may read, built once per template.
pub struct Context<'t> {
    parameters: BTreeMap<String, Node>,
    conditions: Option<&'t Node>,
    decided: RefCell<BTreeMap<String, Result<bool, String>>>,
    mappings: Option<&'t Node>,
    resources: BTreeMap<String, &'t Node>,
    /// Names being resolved for `Ref` (a name that refers to itself stays a reference).
    naming: RefCell<Vec<String>>,
    region: String,
    /// A transform (SAM) adds resources: a `Ref` to an unknown id is one of them.
    transformed: bool,
}

/// The value a parameter takes: an override, else its default, else unknown.
pub fn parameter_value(name: &str, declared: &Node, given: Option<&str>) -> Node {
    let line = declared.line;
    let kind = declared
        .get("Type")
        .and_then(|t| t.text().ok())
        .unwrap_or_default();
    if kind.starts_with("AWS::SSM::Parameter::") {
        return Node::new(
            Value::Unknown(format!(
                "parameter {name} is read from SSM Parameter Store when the stack is deployed"
            )),
            line,
        );
    }
    let text = match given {
        Some(text) => text.to_string(),
        None => match declared.get("Default").map(Node::text) {
            Some(Ok(text)) => text,
            _ => {
                return Node::new(
                    Value::Unknown(format!(
                        "parameter {name} has no value (give it with --parameter {name}=VALUE)"
                    )),
                    line,
                )
            }
        },
    };
    if kind.starts_with("List<") || kind == "CommaDelimitedList" {
        let items = text
            .split(',')
            .map(|s| Node::new(Value::Scalar(s.trim().to_string()), line))
            .collect();
        Node::new(Value::List(items), line)
    } else {
        Node::new(Value::Scalar(text), line)
    }
}

impl<'t> Context<'t> {
    pub fn new(
        root: &'t Node,
        parameters: BTreeMap<String, Node>,
        region: &str,
        transformed: bool,
    ) -> Context<'t> {
        let resources = match root.get("Resources").map(|r| &r.value) {
            Some(Value::Map(entries)) => entries.iter().map(|e| (e.key.clone(), &e.node)).collect(),
            _ => BTreeMap::new(),
        };
        Context {
            parameters,
            conditions: root.get("Conditions"),
            decided: RefCell::new(BTreeMap::new()),
            mappings: root.get("Mappings"),
            resources,
            naming: RefCell::new(Vec::new()),
            region: region.to_string(),
            transformed,
        }
    }

    fn partition(&self) -> &'static str {
        crate::model::partition(&self.region)
    }

    /// `node` with every intrinsic function evaluated and `AWS::NoValue` removed.
    pub fn resolve(&self, node: &Node) -> Result<Node, String> {
        let line = node.line;
        match &node.value {
            Value::Map(entries) if entries.len() == 1 && is_intrinsic(&entries[0].key) => {
                self.intrinsic(&entries[0].key, &entries[0].node, line)
            }
            Value::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for e in entries {
                    let value = self.resolve(&e.node)?;
                    if value.value != Value::Absent {
                        out.push(Entry {
                            key: e.key.clone(),
                            line: e.line,
                            node: value,
                        });
                    }
                }
                Ok(Node::new(Value::Map(out), line))
            }
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let value = self.resolve(item)?;
                    if value.value != Value::Absent {
                        out.push(value);
                    }
                }
                Ok(Node::new(Value::List(out), line))
            }
            _ => Ok(node.clone()),
        }
    }

    /// Whether the condition named `name` holds (`Err`: it cannot be told, and why).
    pub fn condition(&self, name: &str) -> Result<Result<bool, String>, String> {
        if let Some(done) = self.decided.borrow().get(name) {
            return Ok(done.clone());
        }
        let expression = self
            .conditions
            .and_then(|c| c.get(name))
            .ok_or_else(|| format!("the condition {name} is not declared under Conditions"))?;
        // A condition that refers to itself is decided unknown rather than looping.
        self.decided.borrow_mut().insert(
            name.to_string(),
            Err(format!("condition {name} refers to itself")),
        );
        let outcome = self
            .truth(expression)?
            .map_err(|why| format!("condition {name} cannot be decided: {why}"));
        self.decided
            .borrow_mut()
            .insert(name.to_string(), outcome.clone());
        Ok(outcome)
    }

    /// A condition function's truth.
    fn truth(&self, node: &Node) -> Result<Result<bool, String>, String> {
        let Some(Entry {
            key,
            node: arg,
            line,
            ..
        }) = (match &node.value {
            Value::Map(entries) if entries.len() == 1 => entries.first(),
            _ => None,
        })
        else {
            let value = self.resolve(node)?;
            return Ok(match value.value {
                Value::Unknown(why) => Err(why),
                _ => value
                    .boolean()
                    .map_err(|e| format!("line {}: {e}", node.line)),
            });
        };
        let args = |n: usize| -> Result<Vec<&Node>, String> {
            match &arg.value {
                Value::List(items) if items.len() >= n => Ok(items.iter().collect()),
                _ => Err(format!("line {line}: {key} takes a list of at least {n}")),
            }
        };
        match key.as_str() {
            "Condition" => self.condition(&arg.text()?),
            "Fn::Equals" => {
                let pair = args(2)?;
                let (a, b) = (self.resolve(pair[0])?, self.resolve(pair[1])?);
                Ok(match (comparable(&a), comparable(&b)) {
                    (Ok(a), Ok(b)) => Ok(a == b),
                    (Err(why), _) | (_, Err(why)) => Err(why),
                })
            }
            "Fn::Not" => Ok(self.truth(args(1)?[0])?.map(|b| !b)),
            "Fn::And" | "Fn::Or" => {
                let want = key == "Fn::Or";
                let mut unknown = None;
                for item in args(2)? {
                    match self.truth(item)? {
                        Ok(b) if b == want => return Ok(Ok(want)),
                        Ok(_) => {}
                        Err(why) => unknown = Some(why),
                    }
                }
                Ok(unknown.map_or(Ok(!want), Err))
            }
            _ => {
                let value = self.resolve(node)?;
                Ok(value.boolean())
            }
        }
    }

    fn intrinsic(&self, name: &str, arg: &Node, line: usize) -> Result<Node, String> {
        let node = |value| Ok(Node::new(value, line));
        let unknown = |why: String| node(Value::Unknown(why));
        let list = |n: usize| -> Result<Vec<&Node>, String> {
            match &arg.value {
                Value::List(items) if items.len() >= n => Ok(items.iter().collect()),
                _ => Err(format!("line {line}: {name} takes a list of {n}")),
            }
        };
        match name {
            "Ref" => self.reference(&arg.text()?, None, line),
            "Fn::GetAtt" => {
                let parts = list(2)?;
                let attr = self.resolve(parts[1])?.text()?;
                self.reference(&parts[0].text()?, Some(attr), line)
            }
            "Fn::Sub" => self.sub(arg, line),
            "Fn::Join" => {
                let parts = list(2)?;
                let delimiter = parts[0].text()?;
                let items = self.resolve(parts[1])?;
                match items.texts() {
                    Ok(texts) => node(Value::Scalar(texts.join(&delimiter))),
                    Err(why) => unknown(why),
                }
            }
            "Fn::Select" => {
                let parts = list(2)?;
                let index = self.resolve(parts[0])?;
                let items = self.resolve(parts[1])?;
                if let Value::Symbol(s) = &items.value {
                    return node(Value::Symbol(format!("one of {s}")));
                }
                let (index, items) = match (index.integer(), items.list()) {
                    (Ok(i), Ok(items)) => (i, items),
                    (Err(why), _) | (_, Err(why)) => return unknown(why),
                };
                match usize::try_from(index).ok().and_then(|i| items.get(i)) {
                    Some(item) => Ok((*item).clone()),
                    None => Err(format!("line {line}: Fn::Select index {index} is out of range")),
                }
            }
            "Fn::Split" => {
                let parts = list(2)?;
                let delimiter = parts[0].text()?;
                let source = self.resolve(parts[1])?;
                match &source.value {
                    Value::Scalar(text) => node(Value::List(
                        text.split(delimiter.as_str())
                            .map(|s| Node::new(Value::Scalar(s.to_string()), line))
                            .collect(),
                    )),
                    Value::Unknown(why) => unknown(why.clone()),
                    _ => unknown(format!("line {line}: Fn::Split of a value known only once deployed")),
                }
            }
            "Fn::FindInMap" => {
                let parts = list(3)?;
                let mut keys = Vec::new();
                for part in &parts[..3] {
                    match self.resolve(part)?.text() {
                        Ok(key) => keys.push(key),
                        Err(why) => return unknown(why),
                    }
                }
                let found = self
                    .mappings
                    .and_then(|m| m.path(&[&keys[0], &keys[1], &keys[2]]));
                // AWS::LanguageExtensions' fourth argument: {DefaultValue: …}.
                let default = parts.get(3).and_then(|d| d.get("DefaultValue"));
                match found.or(default) {
                    Some(value) => self.resolve(value),
                    // CloudFormation refuses the stack where this is evaluated.
                    None => unknown(format!(
                        "line {line}: Fn::FindInMap finds nothing at {}",
                        keys.join(" → ")
                    )),
                }
            }
            "Fn::If" => {
                let parts = list(3)?;
                match self.condition(&parts[0].text()?)? {
                    Ok(true) => self.resolve(parts[1]),
                    Ok(false) => self.resolve(parts[2]),
                    Err(why) => unknown(why),
                }
            }
            "Fn::Base64" => self.resolve(arg),
            "Fn::GetAZs" => node(Value::Symbol("the region's availability zones".into())),
            "Fn::Cidr" => node(Value::Symbol("the CIDR blocks Fn::Cidr computes".into())),
            "Fn::ImportValue" => unknown(format!(
                "line {line}: Fn::ImportValue reads another stack's export, known only once deployed"
            )),
            "Fn::GetStackOutput" => unknown(format!(
                "line {line}: Fn::GetStackOutput reads another stack's output, known only once deployed"
            )),
            "Fn::Transform" => unknown(format!(
                "line {line}: Fn::Transform runs a macro, which a template scan does not"
            )),
            "Fn::ToJsonString" | "Fn::Length" | "Fn::ForEach" => unknown(format!(
                "line {line}: {name} (AWS::LanguageExtensions) is not evaluated by a template scan"
            )),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let wrapped = Node::new(
                    Value::Map(vec![Entry {
                        key: name.to_string(),
                        line,
                        node: arg.clone(),
                    }]),
                    line,
                );
                match self.truth(&wrapped)? {
                    Ok(b) => node(Value::Scalar(b.to_string())),
                    Err(why) => unknown(why),
                }
            }
            _ => Err(format!("line {line}: unknown intrinsic function {name}")),
        }
    }

    /// `Ref`/`Fn::GetAtt` to a parameter, a pseudo parameter or a resource.
    fn reference(&self, name: &str, attr: Option<String>, line: usize) -> Result<Node, String> {
        let node = |value| Ok(Node::new(value, line));
        if attr.is_none() {
            if let Some(value) = self.parameters.get(name) {
                return Ok(Node::new(value.value.clone(), line));
            }
            match name {
                "AWS::Region" => return node(Value::Scalar(self.region.clone())),
                "AWS::Partition" => return node(Value::Scalar(self.partition().into())),
                "AWS::URLSuffix" => {
                    let suffix = if self.partition() == "aws-cn" {
                        "amazonaws.com.cn"
                    } else {
                        "amazonaws.com"
                    };
                    return node(Value::Scalar(suffix.into()));
                }
                "AWS::NoValue" => return node(Value::Absent),
                "AWS::AccountId" | "AWS::StackName" | "AWS::StackId" | "AWS::NotificationARNs" => {
                    return node(Value::Symbol(name.into()))
                }
                _ => {}
            }
        }
        if attr.is_none() {
            if let Some(named) = self.named(name)? {
                return node(named);
            }
        }
        if self.transformed || self.resources.contains_key(name) {
            return node(Value::Ref {
                target: name.to_string(),
                attr,
            });
        }
        Err(format!(
            "line {line}: {} refers to {name}, which is neither a parameter nor a resource of the template",
            if attr.is_some() { "Fn::GetAtt" } else { "Ref" }
        ))
    }

    /// The name a `Ref` to resource `id` returns, when its type's `Ref` is the name and
    /// the template gives it (a bucket's `BucketName`, a log group's `LogGroupName`).
    fn named(&self, id: &str) -> Result<Option<Value>, String> {
        let Some(declared) = self.resources.get(id) else {
            return Ok(None);
        };
        let kind = declared.get("Type").and_then(|t| t.text().ok());
        let Some((_, key)) = REF_IS_NAME
            .iter()
            .find(|(t, _)| Some(*t) == kind.as_deref())
        else {
            return Ok(None);
        };
        let Some(given) = declared.path(&["Properties", key]) else {
            return Ok(None);
        };
        if self.naming.borrow().iter().any(|n| n == id) {
            return Ok(None);
        }
        self.naming.borrow_mut().push(id.to_string());
        let resolved = self.resolve(given);
        self.naming.borrow_mut().pop();
        Ok(match resolved?.value {
            named @ (Value::Scalar(_) | Value::Unknown(_)) => Some(named),
            _ => None,
        })
    }

    /// `Fn::Sub`: a string with `${Name}` / `${Resource.Attr}`, optionally with variables.
    fn sub(&self, arg: &Node, line: usize) -> Result<Node, String> {
        let (template, variables) = match &arg.value {
            Value::List(items) if items.len() == 2 => (self.resolve(&items[0])?, Some(&items[1])),
            _ => (self.resolve(arg)?, None),
        };
        // The string itself may come from a function (`Fn::Transform`).
        let template = match &template.value {
            Value::Unknown(why) => return Ok(Node::new(Value::Unknown(why.clone()), line)),
            _ => template.text()?,
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after
                .find('}')
                .ok_or_else(|| format!("line {line}: Fn::Sub has an unclosed ${{"))?;
            let name = after[..end].trim();
            let value = match variables.and_then(|v| v.get(name)) {
                Some(value) => self.resolve(value)?,
                None => match name.split_once('.') {
                    Some((resource, attr)) if !self.parameters.contains_key(name) => {
                        self.reference(resource, Some(attr.to_string()), line)?
                    }
                    _ => self.reference(name, None, line)?,
                },
            };
            match &value.value {
                Value::Unknown(why) => return Ok(Node::new(Value::Unknown(why.clone()), line)),
                _ => out.push_str(&value.text()?),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(Node::new(Value::Scalar(out), line))
    }
}

/// Types whose `Ref` returns the name property given (CloudFormation reference, each
/// type's "Return values").
const REF_IS_NAME: &[(&str, &str)] = &[
    ("AWS::S3::Bucket", "BucketName"),
    ("AWS::Logs::LogGroup", "LogGroupName"),
    ("AWS::Lambda::Function", "FunctionName"),
    ("AWS::IAM::Role", "RoleName"),
    ("AWS::IAM::User", "UserName"),
    ("AWS::DynamoDB::Table", "TableName"),
    ("AWS::ECR::Repository", "RepositoryName"),
    ("AWS::CloudTrail::Trail", "TrailName"),
];

fn is_intrinsic(key: &str) -> bool {
    // `{Condition: Name}` is one only inside `Conditions`; in properties (an IAM
    // statement's `Condition`) it is data.
    key == "Ref" || key.starts_with("Fn::")
}

/// What `Fn::Equals` compares: the value's JSON, unless the template cannot tell it.
fn comparable(node: &Node) -> Result<serde_json::Value, String> {
    fn check(node: &Node) -> Result<(), String> {
        match &node.value {
            Value::Unknown(why) => Err(why.clone()),
            Value::Ref { target, .. } => {
                Err(format!("it compares {target}, known only once deployed"))
            }
            Value::Symbol(s) => Err(format!("it compares {s}, known only once deployed")),
            Value::List(items) => items.iter().try_for_each(check),
            Value::Map(entries) => entries.iter().try_for_each(|e| check(&e.node)),
            _ => Ok(()),
        }
    }
    check(node)?;
    node.to_json()
}

#[cfg(test)]
mod tests;
