//! The intrinsic functions and conditions, resolved over small templates.

use super::*;
use crate::template::parse::parse;

/// The template's resource `B` property `P`, resolved with `given` parameters.
fn resolved(template: &str, given: &[(&str, &str)]) -> Node {
    let root = parse(template).unwrap();
    let parameters = match root.get("Parameters").map(|p| &p.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .map(|e| {
                let value = given.iter().find(|(k, _)| *k == e.key).map(|(_, v)| *v);
                (e.key.clone(), parameter_value(&e.key, &e.node, value))
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    let context = Context::new(&root, parameters, "eu-west-1", false);
    let props = root.path(&["Resources", "B", "Properties"]).unwrap();
    context
        .resolve(props)
        .unwrap()
        .get("P")
        .cloned()
        .unwrap_or(Node::new(Value::Absent, 0))
}

const HEAD: &str = "Parameters:\n  Env: {Type: String, Default: dev}\n  Cidr: {Type: String}\n  Zones: {Type: CommaDelimitedList, Default: 'a,b,c'}\n  Ami: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /ami}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\n  Open: !Equals [!Ref Cidr, 0.0.0.0/0]\n  ProdOrOpen: !Or [!Condition IsProd, !Condition Open]\n  ProdAndOpen: !And [!Condition IsProd, !Condition Open]\nMappings:\n  Size: {dev: {Gb: '10'}, prod: {Gb: '100'}}\nResources:\n  Other:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: named-bucket}\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n";

fn value(property: &str, given: &[(&str, &str)]) -> Value {
    resolved(&format!("{HEAD}      P: {property}\n"), given).value
}

fn text(s: &str) -> Value {
    Value::Scalar(s.to_string())
}

#[test]
fn sub_join_select_split_and_find_in_map() {
    assert_eq!(
        value("!Sub 'x-${Env}-${AWS::Region}-${!Literal}'", &[]),
        text("x-dev-eu-west-1-${Literal}")
    );
    assert_eq!(
        value("!Sub ['${A}/${Env}', {A: !Ref Env}]", &[("Env", "prod")]),
        text("prod/prod")
    );
    assert_eq!(value("!Join ['-', [a, !Ref Env]]", &[]), text("a-dev"));
    assert_eq!(value("!Select [1, !Ref Zones]", &[]), text("b"));
    assert_eq!(value("!Select [2, !Split [',', 'x,y,z']]", &[]), text("z"));
    assert_eq!(
        value("!FindInMap [Size, !Ref Env, Gb]", &[("Env", "prod")]),
        text("100")
    );
    assert_eq!(
        value("!Sub 'arn:${AWS::Partition}:s3:::b'", &[]),
        text("arn:aws:s3:::b")
    );
    // Ref to a resource whose name the template gives returns the name.
    assert_eq!(value("!Ref Other", &[]), text("named-bucket"));
    assert_eq!(
        value("!GetAtt Other.Arn", &[]),
        Value::Ref {
            target: "Other".into(),
            attr: Some("Arn".into())
        }
    );
}

#[test]
fn conditions_follow_the_parameters_and_say_when_they_cannot() {
    assert_eq!(value("!If [IsProd, big, small]", &[]), text("small"));
    assert_eq!(
        value("!If [IsProd, big, small]", &[("Env", "prod")]),
        text("big")
    );
    // Cidr has no value: Open cannot be decided, nor an Or without a true side...
    let Value::Unknown(why) = value("!If [ProdOrOpen, a, b]", &[]) else {
        panic!("decided without Cidr")
    };
    assert!(why.contains("parameter Cidr has no value"), "{why}");
    // ...but a true side decides an Or, and a false side an And.
    assert_eq!(
        value("!If [ProdOrOpen, a, b]", &[("Env", "prod")]),
        text("a")
    );
    assert_eq!(value("!If [ProdAndOpen, a, b]", &[]), text("b"));
    assert_eq!(
        value("!If [Open, a, b]", &[("Cidr", "10.0.0.0/8")]),
        text("b")
    );
}

#[test]
fn what_only_a_deployment_knows_stays_unknown() {
    for property in [
        "!Ref Ami",
        "!ImportValue shared-key",
        "!Ref Cidr",
        "!Sub '${Cidr}/x'",
    ] {
        assert!(
            matches!(value(property, &[]), Value::Unknown(_)),
            "{property}"
        );
    }
    assert_eq!(
        value("!Ref AWS::AccountId", &[]),
        Value::Symbol("AWS::AccountId".into())
    );
    // AWS::NoValue removes the property.
    assert_eq!(
        value("!If [IsProd, x, !Ref AWS::NoValue]", &[]),
        Value::Absent
    );
}

#[test]
fn malformed_intrinsics_are_errors() {
    let root = parse(&format!("{HEAD}      P: !Ref Nowhere\n")).unwrap();
    let context = Context::new(&root, BTreeMap::new(), "us-east-1", false);
    let err = context
        .resolve(root.path(&["Resources", "B", "Properties"]).unwrap())
        .unwrap_err();
    assert!(
        err.contains("Nowhere, which is neither a parameter nor a resource"),
        "{err}"
    );
    let root = parse(&format!("{HEAD}      P: {{'Fn::Nope': 1}}\n")).unwrap();
    let context = Context::new(&root, BTreeMap::new(), "us-east-1", false);
    let err = context
        .resolve(root.path(&["Resources", "B", "Properties"]).unwrap())
        .unwrap_err();
    assert!(err.contains("unknown intrinsic function Fn::Nope"), "{err}");
}
