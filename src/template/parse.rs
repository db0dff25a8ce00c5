//! Reads a template's text (YAML or JSON) into `Node`s that remember their lines.
//! CloudFormation's short-form tags (`!Ref X`, `!GetAtt A.B`, `!Sub …`) become the
//! long form (`{Ref: X}`, `{Fn::GetAtt: [A, B]}`), so `resolve` sees one shape. JSON is
//! checked by serde_json first, for its exact error, then read by the same YAML parser
//! (JSON is YAML's flow style) so its values have lines too.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::node::{Entry, Node, Value};

/// The short-form tags CloudFormation's YAML accepts (the `Rules` section's assertion
/// functions included).
const SHORT_FORMS: &[&str] = &[
    "And",
    "Base64",
    "Cidr",
    "Condition",
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "Equals",
    "FindInMap",
    "ForEach",
    "GetAtt",
    "GetAZs",
    "GetStackOutput",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Ref",
    "RefAll",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "ValueOf",
    "ValueOfAll",
];

/// The template's root node, or one sentence naming the line and column of the problem.
pub fn parse(text: &str) -> Result<Node, String> {
    let json = text.trim_start().starts_with('{');
    let owned;
    let text = if json {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| {
            format!(
                "line {} column {}: not valid JSON: {e}",
                e.line(),
                e.column()
            )
        })?;
        // Valid JSON has tabs only between tokens, where YAML's flow style wants spaces.
        owned = text.replace('\t', " ");
        owned.as_str()
    } else {
        text
    };
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| {
        format!(
            "line {} column {}: not valid YAML: {}",
            e.marker().line(),
            e.marker().col() + 1,
            e.info()
        )
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    builder.root.ok_or_else(|| "the file is empty".to_string())
}

/// A container being filled, with its tag and, for a map, the key awaiting its value.
enum Open {
    List(Vec<Node>, usize, Option<Tag>, usize),
    Map(
        Vec<Entry>,
        usize,
        Option<Tag>,
        usize,
        Option<(String, usize)>,
    ),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
    error: Option<String>,
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = if style == TScalarStyle::Plain
                    && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL")
                    && tag.is_none()
                {
                    Value::Null
                } else {
                    Value::Scalar(text)
                };
                self.finish(Node::new(value, line), tag, anchor, mark);
            }
            Event::SequenceStart(anchor, tag) => {
                self.stack.push(Open::List(Vec::new(), line, tag, anchor))
            }
            Event::MappingStart(anchor, tag) => {
                self.stack
                    .push(Open::Map(Vec::new(), line, tag, anchor, None))
            }
            Event::SequenceEnd => {
                if let Some(Open::List(items, line, tag, anchor)) = self.stack.pop() {
                    self.finish(Node::new(Value::List(items), line), tag, anchor, mark);
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map(entries, line, tag, anchor, _)) = self.stack.pop() {
                    self.finish(Node::new(Value::Map(entries), line), tag, anchor, mark);
                }
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) => self.place(node, mark),
                None => self.fail(mark, "an alias to an unknown anchor".into()),
            },
            _ => {}
        }
    }
}

impl Builder {
    fn fail(&mut self, mark: Marker, message: String) {
        self.error = Some(format!(
            "line {} column {}: {message}",
            mark.line(),
            mark.col() + 1
        ));
    }

    /// A complete node: its short-form tag expanded, its anchor remembered, then placed.
    fn finish(&mut self, node: Node, tag: Option<Tag>, anchor: usize, mark: Marker) {
        let node = match tag {
            Some(tag) if tag.handle == "!" => match expand(&tag.suffix, node) {
                Ok(node) => node,
                Err(message) => return self.fail(mark, message),
            },
            _ => node,
        };
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        self.place(node, mark);
    }

    fn place(&mut self, node: Node, mark: Marker) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::List(items, ..)) => items.push(node),
            Some(Open::Map(entries, .., pending)) => match pending.take() {
                None => match node.value {
                    Value::Scalar(key) => *pending = Some((key, node.line)),
                    Value::Null => *pending = Some((String::new(), node.line)),
                    _ => self.fail(mark, "a map key must be text".into()),
                },
                Some((key, line)) => {
                    if entries.iter().any(|e| e.key == key) {
                        let message = format!("the key {key:?} appears twice in one map");
                        return self.fail(mark, message);
                    }
                    entries.push(Entry { key, line, node });
                }
            },
        }
    }
}

/// `!Name value` as `{Fn::Name: value}` (`Ref` and `Condition` keep their bare names).
fn expand(suffix: &str, node: Node) -> Result<Node, String> {
    if !SHORT_FORMS.contains(&suffix) {
        return Err(format!("unknown tag !{suffix}"));
    }
    let line = node.line;
    let key = match suffix {
        "Ref" | "Condition" => suffix.to_string(),
        _ => format!("Fn::{suffix}"),
    };
    let node = match (&node.value, suffix) {
        // `!GetAtt Resource.Attribute` (the attribute may itself contain dots).
        (Value::Scalar(text), "GetAtt") => {
            let (resource, attribute) = text
                .split_once('.')
                .ok_or_else(|| format!("!GetAtt {text} names no attribute"))?;
            let part = |s: &str| Node::new(Value::Scalar(s.to_string()), line);
            Node::new(Value::List(vec![part(resource), part(attribute)]), line)
        }
        // `!GetAZs` with no value means the stack's own region.
        (Value::Null, "GetAZs") => Node::new(Value::Scalar(String::new()), line),
        _ => node,
    };
    Ok(Node::new(Value::Map(vec![Entry { key, line, node }]), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(node: &Node) -> &str {
        match &node.value {
            Value::Scalar(s) => s,
            other => panic!("not a scalar: {other:?}"),
        }
    }

    #[test]
    fn short_forms_become_long_forms_and_keep_lines() {
        let root = parse("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-x'\n      Arn: !GetAtt Key.Arn.Part\n").unwrap();
        let props = root.path(&["Resources", "B", "Properties"]).unwrap();
        let name = props.entry("BucketName").unwrap();
        assert_eq!(name.line, 5);
        assert_eq!(
            scalar(name.node.get("Fn::Sub").unwrap()),
            "${AWS::StackName}-x"
        );
        let arn = props
            .get("Arn")
            .unwrap()
            .get("Fn::GetAtt")
            .unwrap()
            .list()
            .unwrap();
        assert_eq!((scalar(arn[0]), scalar(arn[1])), ("Key", "Arn.Part"));
    }

    #[test]
    fn json_has_lines_too() {
        let root =
            parse("{\n\t\"Resources\": {\n\t\t\"B\": {\"Type\": \"AWS::S3::Bucket\"}\n\t}\n}")
                .unwrap();
        assert_eq!(root.entry("Resources").unwrap().line, 2);
        assert_eq!(root.path(&["Resources", "B"]).unwrap().line, 3);
    }

    #[test]
    fn bad_text_is_one_sentence_with_a_position() {
        let err = parse("{\"Resources\": {\"B\": }}").unwrap_err();
        assert!(err.starts_with("line 1 column 21: not valid JSON"), "{err}");
        let err = parse("Resources:\n  B: !Reff X\n").unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("unknown tag !Reff"),
            "{err}"
        );
        let err = parse("A: [1,\n").unwrap_err();
        assert!(err.contains("not valid YAML"), "{err}");
        let err = parse("A: 1\nA: 2\n").unwrap_err();
        assert!(err.contains("appears twice"), "{err}");
    }
}
