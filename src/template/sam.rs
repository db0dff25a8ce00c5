//! The SAM transform (`Transform: AWS::Serverless-2016-10-31`), as far as the rules
//! need it: `Globals` merged into each serverless resource the way SAM merges them
//! (maps merged key by key, lists appended, other values overridden by the resource's
//! own), before `map` reads `AWS::Serverless::Function` and `SimpleTable` as the
//! Lambda function and DynamoDB table SAM expands them into.

use super::node::{Entry, Node, Value};

/// The `Globals` section each serverless type takes its defaults from.
const GLOBALS: &[(&str, &str)] = &[
    ("AWS::Serverless::Function", "Function"),
    ("AWS::Serverless::SimpleTable", "SimpleTable"),
    ("AWS::Serverless::Api", "Api"),
    ("AWS::Serverless::HttpApi", "HttpApi"),
];

/// `props` of a resource of `template_type` with the template's globals merged in.
pub fn with_globals(root: &Node, template_type: &str, props: Node) -> Node {
    let Some((_, section)) = GLOBALS.iter().find(|(t, _)| *t == template_type) else {
        return props;
    };
    match root.path(&["Globals", section]) {
        Some(globals) => merge(globals, props),
        None => props,
    }
}

/// SAM's merge: the resource's value wins, maps merge, lists append.
fn merge(global: &Node, own: Node) -> Node {
    match (&global.value, own.value) {
        (Value::Map(defaults), Value::Map(mut entries)) => {
            for d in defaults {
                match entries.iter().position(|e| e.key == d.key) {
                    Some(i) => {
                        let e = entries.remove(i);
                        entries.insert(
                            i,
                            Entry {
                                node: merge(&d.node, e.node),
                                ..e
                            },
                        );
                    }
                    None => entries.push(d.clone()),
                }
            }
            Node::new(Value::Map(entries), own.line)
        }
        (Value::List(defaults), Value::List(items)) => {
            let mut all = defaults.clone();
            all.extend(items);
            Node::new(Value::List(all), own.line)
        }
        (_, value) => Node::new(value, own.line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::parse::parse;

    #[test]
    fn globals_merge_as_sam_merges_them() {
        let root = parse(
            "Globals:\n  Function:\n    Runtime: python3.12\n    Tracing: Active\n    Environment: {Variables: {A: '1'}}\n    Layers: [a]\nResources: {}\n",
        )
        .unwrap();
        let own = parse("Tracing: PassThrough\nEnvironment: {Variables: {B: '2'}}\nLayers: [b]\n")
            .unwrap();
        let merged = with_globals(&root, "AWS::Serverless::Function", own);
        assert_eq!(merged.get("Runtime").unwrap().text().unwrap(), "python3.12");
        assert_eq!(
            merged.get("Tracing").unwrap().text().unwrap(),
            "PassThrough"
        );
        let vars = merged.path(&["Environment", "Variables"]).unwrap();
        assert!(vars.get("A").is_some() && vars.get("B").is_some());
        assert_eq!(merged.get("Layers").unwrap().texts().unwrap(), ["a", "b"]);
    }
}
