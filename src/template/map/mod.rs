//! From a template's resolved resources to the model the collectors fill, so a rule
//! never knows where its resource came from. Each service's mappings live in its own
//! file here and are named in its registry entry (`templates:` in `model/mod.rs`).
//!
//! A mapping reads CloudFormation properties and writes what the resource will be once
//! deployed: an absent property takes the value AWS gives it, each default written
//! beside it with its source. A property the template cannot tell leaves its attribute
//! unknown (`Input::attr`), so the rules that read it say ERROR and why. Resources that
//! configure others (a bucket policy, an ingress rule) are attachments: they run after
//! every resource is mapped and change their targets.

pub mod cloudtrail;
pub mod dynamodb;
pub mod ec2;
pub mod ecr;
pub mod efs;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod rds;
pub mod s3;
pub mod secretsmanager;
pub mod sns;
pub mod sqs;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::policy::{self, ResourcePolicy};
use crate::model::{Properties, ResourceKind};

use super::node::{optional, Node};

/// How a CloudFormation type is read.
#[derive(Clone, Copy)]
pub enum Mapper {
    /// A resource of its own.
    Resource(fn(&mut Input<'_>) -> Properties),
    /// Configures resources mapped by the first kind (a bucket policy, an ingress rule).
    Attachment(fn(&mut Input<'_>, &mut Targets<'_>)),
}

/// One resource being mapped: its properties and what could not be told.
pub struct Input<'a> {
    pub id: &'a str,
    pub props: &'a Node,
    /// When the scan runs: what a resource created now would show (a secret's age).
    pub at: DateTime<Utc>,
    /// The resource's explicit physical name, when it has one.
    pub name: Option<String>,
    marks: Marks,
}

/// Attribute → why the template cannot tell it, and attribute → property line.
#[derive(Debug, Default, Clone)]
pub struct Marks {
    pub unknown: BTreeMap<String, String>,
    pub lines: BTreeMap<String, usize>,
    /// What a mapping and its attachments tally between them: a provisioned table's
    /// capacity dimensions still without a scalable target, a cluster's members' zones.
    pub notes: std::collections::BTreeSet<String>,
}

impl Marks {
    /// Notes where `attr` came from (the first of `keys` present in `props`).
    fn locate(&mut self, attr: &str, props: &Node, keys: &[&str]) {
        if let Some(entry) = keys.iter().find_map(|k| props.entry(k)) {
            self.lines.insert(attr.to_string(), entry.line);
        }
    }

    /// `attr` cannot be told from the template, for `reason`.
    pub fn unknown(&mut self, attr: &str, reason: String) {
        self.unknown.entry(attr.to_string()).or_insert(reason);
    }
}

impl<'a> Input<'a> {
    pub fn new(id: &'a str, props: &'a Node, at: DateTime<Utc>) -> Input<'a> {
        Input {
            id,
            props,
            at,
            name: None,
            marks: Marks::default(),
        }
    }

    /// Reads attribute `attr` from the properties `keys` with `read`; `None` (and the
    /// attribute marked unknown) when the template cannot tell it.
    pub fn attr<T>(
        &mut self,
        attr: &str,
        keys: &[&str],
        read: impl FnOnce(&Node) -> Result<T, String>,
    ) -> Option<T> {
        self.marks.locate(attr, self.props, keys);
        match read(self.props) {
            Ok(value) => Some(value),
            Err(reason) => {
                self.marks
                    .unknown(attr, format!("{}: {reason}", keys.join("/")));
                None
            }
        }
    }

    /// Boolean property `key` as attribute `attr`, `default` when absent.
    pub fn flag(&mut self, attr: &str, key: &str, default: bool) -> bool {
        self.attr(attr, &[key], |p| {
            Ok(optional(p.get(key), Node::boolean)?.unwrap_or(default))
        })
        .unwrap_or(default)
    }

    /// Whole-number property `key` as attribute `attr`, `default` when absent.
    pub fn number(&mut self, attr: &str, key: &str, default: i64) -> i64 {
        self.attr(attr, &[key], |p| {
            Ok(optional(p.get(key), Node::integer)?.unwrap_or(default))
        })
        .unwrap_or(default)
    }

    /// Optional text property `key` as attribute `attr`.
    pub fn text(&mut self, attr: &str, key: &str) -> Option<String> {
        self.attr(attr, &[key], |p| optional(p.get(key), Node::text))
            .flatten()
    }

    /// The resource's name: property `key` when given, else its logical id (live, AWS
    /// would generate one from the stack's name and the logical id).
    pub fn named(&mut self, key: &str) -> String {
        match self.props.get(key).map(Node::text) {
            Some(Ok(name)) => {
                self.name = Some(name.clone());
                name
            }
            _ => self.id.to_string(),
        }
    }

    /// `attr` cannot be told from the template, for `reason`.
    pub fn unknown(&mut self, attr: &str, reason: String) {
        self.marks.unknown(attr, reason);
    }

    /// `attr` is unknown for the reason `other` is (both read from one property).
    pub fn same_as(&mut self, attr: &str, other: &str) {
        if let Some(why) = self.marks.unknown.get(other).cloned() {
            self.marks.unknown(attr, why);
        }
    }

    /// Notes what attachments will tally (see `Marks::notes`).
    pub fn note(&mut self, what: String) {
        self.marks.notes.insert(what);
    }

    /// Takes what `other` (a rewritten copy of these properties) marked.
    pub fn absorb(&mut self, other: Input<'_>) {
        let marks = other.into_marks();
        self.marks.unknown.extend(marks.unknown);
        self.marks.lines.extend(marks.lines);
        self.marks.notes.extend(marks.notes);
    }

    pub fn into_marks(self) -> Marks {
        self.marks
    }
}

/// A mapped resource, as attachments see it.
pub struct Built {
    pub id: String,
    pub name: Option<String>,
    pub properties: Properties,
    pub marks: Marks,
}

/// The resources attachments may change.
pub struct Targets<'b> {
    pub built: &'b mut [Built],
}

impl Targets<'_> {
    /// Calls `change` on each resource of `kind` that `reference` names: a `Ref` or
    /// `Fn::GetAtt` to it, its physical name (or an ARN ending in it), or a text that
    /// is its reference rendered (`${Id}`, `${Id.Arn}`).
    pub fn each(
        &mut self,
        reference: &Node,
        kind: ResourceKind,
        mut change: impl FnMut(&mut Properties, &mut Marks),
    ) {
        let target = reference.target().map(str::to_string);
        let text = reference.text().ok();
        for built in self.built.iter_mut() {
            if built.properties.kind() != kind {
                continue;
            }
            let rendered = text.as_deref().is_some_and(|t| {
                t == format!("${{{}}}", built.id) || t.starts_with(&format!("${{{}.", built.id))
            });
            let by_ref = target.as_deref() == Some(built.id.as_str()) || rendered;
            let by_name = target.is_none()
                && built.name.as_ref().is_some_and(|name| {
                    text.as_ref()
                        .is_some_and(|t| t == name || t.ends_with(&format!(":{name}")))
                });
            if by_ref || by_name {
                change(&mut built.properties, &mut built.marks);
            }
        }
    }
}

/// The mappers of CloudFormation type `template_type`, from the registry: a type may
/// be a resource and configure others too (a DB instance is its cluster's member).
pub fn mappers(template_type: &str) -> impl Iterator<Item = Mapper> + '_ {
    crate::model::TEMPLATE_TYPES
        .iter()
        .filter(move |(t, _)| *t == template_type)
        .map(|(_, m)| *m)
}

/// A resource policy document (`PolicyDocument`, `KeyPolicy`) as the rules see it.
pub fn resource_policy(document: &Node) -> Result<ResourcePolicy, String> {
    let json = document.to_json()?;
    let facts = policy::analyze(&json.to_string())?;
    Ok(ResourcePolicy::from_facts(&facts))
}

/// Tags as CloudFormation writes them (`[{Key, Value}]`), or as SAM does (a map);
/// empty when absent.
pub fn tags(props: &Node) -> Result<crate::model::Tags, String> {
    tags_at(props, "Tags")
}

/// Tags under property `key` (`FileSystemTags`, `AccessPointTags` have their own).
pub fn tags_at(props: &Node, key: &str) -> Result<crate::model::Tags, String> {
    let mut out = crate::model::Tags::new();
    if let Some(crate::template::node::Value::Map(entries)) = props.get(key).map(|t| &t.value) {
        for e in entries {
            out.insert(e.key.clone(), e.node.text()?);
        }
        return Ok(out);
    }
    if let Some(list) = props.get(key) {
        for tag in list.list()? {
            let key = tag.get("Key").ok_or("a tag without Key")?.text()?;
            let value = tag.get("Value").map(Node::text).transpose()?;
            out.insert(key, value.unwrap_or_default());
        }
    }
    Ok(out)
}

/// An attachment's `PolicyDocument` given to each resource of `kind` its `list_key`
/// names (`Topics` of a topic policy, `Queues` of a queue policy), by `set`.
pub fn policy_attachment(
    input: &Input<'_>,
    targets: &mut Targets<'_>,
    list_key: &str,
    kind: ResourceKind,
    set: impl Fn(&mut Properties, ResourcePolicy),
) {
    let document = input.props.entry("PolicyDocument");
    let read = document
        .ok_or_else(|| "the policy has no PolicyDocument".to_string())
        .and_then(|d| resource_policy(&d.node));
    let Some(list) = input.props.get(list_key) else {
        return;
    };
    for target in list.list().unwrap_or_default() {
        targets.each(target, kind, |props, marks| {
            if let Some(d) = document {
                marks.lines.insert("policy".into(), d.line);
            }
            match &read {
                Ok(policy) => set(props, policy.clone()),
                Err(why) => marks.unknown("policy", format!("PolicyDocument: {why}")),
            }
        });
    }
}

/// Who manages the KMS key a property names: `CUSTOMER` for a key of the template or
/// any key named other than by an `alias/aws/…` alias; `AWS` for those; unknown when
/// only a deployment tells (a parameter holding a key id, an import).
pub fn key_manager(key: &Node) -> Result<&'static str, String> {
    if key.target().is_some() {
        return Ok("CUSTOMER");
    }
    let text = key.text()?;
    if text.contains("alias/aws/") {
        Ok("AWS")
    } else if text.contains("alias/") {
        Ok("CUSTOMER")
    } else if text.contains("${") {
        Err(format!("{text} is known only once deployed"))
    } else {
        // A key id or ARN: AWS managed keys are named by their alias in templates, but
        // only DescribeKey tells for sure.
        Err(format!(
            "key {text} may be AWS managed or the customer's; only DescribeKey tells"
        ))
    }
}

#[cfg(test)]
mod tests;
