//! `scan --template`: CloudFormation templates (and CDK's synthesised ones) read into
//! the same resource model the collectors fill, so the same rules, engine and printers
//! judge a template before it is deployed. Pure: no AWS call, no credentials.
//!
//! `parse` reads the text with lines, `resolve` evaluates the intrinsic functions with
//! the parameters, `map` turns each resource type into its model (attachments folded
//! into their targets), `suppress` reads and applies `Metadata.compliance.suppress`,
//! `source` finds the templates under a path (files, directories, `cdk.out`).

pub mod map;
pub mod node;
pub mod parameters;
pub mod parse;
pub mod resolve;
pub mod sam;
pub mod source;
pub mod stack_resource;
pub mod suppress;

use std::collections::BTreeMap;

use crate::model::{CollectionError, Location, Resource};

use map::{Built, Input, Mapper, Targets};
use node::{Node, Value};
use resolve::Context;

/// What a scan of templates is given.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--parameter KEY=VALUE` and parameter files, by name.
    pub parameters: BTreeMap<String, String>,
    /// The region the template is deployed to (`AWS::Region`).
    pub region: String,
    /// When the scan runs (a resource created now is that old).
    pub at: chrono::DateTime<chrono::Utc>,
}

/// One template read into the model.
#[derive(Debug, Default)]
pub struct Read {
    pub resources: Vec<Resource>,
    /// The attributes the template cannot tell (`operation` = `model::UNRESOLVED`).
    pub errors: Vec<CollectionError>,
    pub suppressions: Vec<suppress::Entry>,
    /// What could not be judged and why (transforms), for stderr and the report.
    pub warnings: Vec<String>,
    /// Resources of types no rule covers, by type.
    pub unmapped: BTreeMap<String, usize>,
    /// Nested stacks (`AWS::CloudFormation::Stack` with a CDK `aws:asset:path`): the
    /// template file, beside this one, and the parameters the parent passes.
    pub nested: Vec<(String, BTreeMap<String, String>)>,
}

/// The account a template scan reports: the pseudo parameter, as references render it,
/// so a policy naming `${AWS::AccountId}` is the account's own.
pub const ACCOUNT: &str = "${AWS::AccountId}";

/// Everything `--template` paths hold, read into one inventory.
#[derive(Debug)]
pub struct Scanned {
    pub inventory: crate::model::Inventory,
    pub suppressions: Vec<suppress::Entry>,
    pub warnings: Vec<String>,
    pub unmapped: BTreeMap<String, usize>,
    pub templates: usize,
}

/// Reads every template under `paths` (see `source`), nested stacks included.
pub fn scan(paths: &[std::path::PathBuf], options: &Options) -> Result<Scanned, String> {
    let mut queue: Vec<(std::path::PathBuf, Options)> = Vec::new();
    for path in paths {
        for found in source::find(path)? {
            let mut options = options.clone();
            if let Some(region) = found.region {
                options.region = region;
            }
            queue.push((found.path, options));
        }
    }
    let mut all = Read::default();
    let mut templates = 0;
    let mut seen = std::collections::BTreeSet::new();
    while let Some((path, options)) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if !seen.insert(path.clone()) {
            continue;
        }
        let file = path.display().to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read {file}: {e}"))?;
        let read = read(&file, &text, &options)?;
        templates += 1;
        let dir = path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        for (asset, parameters) in read.nested {
            queue.push((
                dir.join(asset),
                Options {
                    parameters,
                    ..options.clone()
                },
            ));
        }
        all.resources.extend(read.resources);
        all.errors.extend(read.errors);
        all.suppressions.extend(read.suppressions);
        all.warnings.extend(read.warnings);
        for (t, n) in read.unmapped {
            *all.unmapped.entry(t).or_default() += n;
        }
    }
    let mut regions: Vec<String> = all.resources.iter().map(|r| r.region.clone()).collect();
    regions.push(options.region.clone());
    regions.sort();
    regions.dedup();
    Ok(Scanned {
        inventory: crate::model::Inventory {
            schema_version: crate::model::INVENTORY_SCHEMA_VERSION,
            account_id: ACCOUNT.into(),
            regions,
            collected_at: options.at,
            incomplete: false,
            resources: all.resources,
            errors: all.errors,
            elsewhere: Vec::new(),
        },
        suppressions: all.suppressions,
        warnings: all.warnings,
        unmapped: all.unmapped,
        templates,
    })
}

/// The template `text` (shown as `file`), or one sentence naming the file and position.
pub fn read(file: &str, text: &str, options: &Options) -> Result<Read, String> {
    let at = |e: String| format!("{file}: {e}");
    let root = parse::parse(text).map_err(at)?;
    let resources = match root.get("Resources").map(|r| &r.value) {
        Some(Value::Map(entries)) => entries,
        _ => {
            return Err(format!(
                "{file} is not a CloudFormation template: it has no Resources section"
            ))
        }
    };
    let mut out = Read::default();
    let transforms = match root.get("Transform") {
        Some(t) => t.texts().map_err(at)?,
        None => Vec::new(),
    };
    for transform in transforms.iter().filter(|t| *t != SAM) {
        out.warnings.push(format!(
            "{file}: the transform {transform} is not run by a template scan: the resources it would add or change are not judged"
        ));
    }
    let parameters = match root.get("Parameters").map(|p| &p.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .map(|e| {
                let given = options.parameters.get(&e.key).map(String::as_str);
                (
                    e.key.clone(),
                    resolve::parameter_value(&e.key, &e.node, given),
                )
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    let declared_parameters: Vec<String> = parameters.keys().cloned().collect();
    let context = Context::new(&root, parameters, &options.region, !transforms.is_empty());

    let mut built: Vec<(Built, Location)> = Vec::new();
    let mut attachments = Vec::new();
    for entry in resources {
        let id = entry.key.as_str();
        if id.starts_with("Fn::ForEach::") {
            out.warnings.push(format!(
                "{file}: line {}: {id} (AWS::LanguageExtensions) is not expanded: the resources it makes are not judged",
                entry.line
            ));
            continue;
        }
        let declared = &entry.node;
        let template_type = declared
            .get("Type")
            .and_then(|t| t.text().ok())
            .ok_or_else(|| at(format!("line {}: resource {id} has no Type", entry.line)))?;
        if let Some(condition) = declared.get("Condition") {
            let name = condition.text().map_err(at)?;
            if context.condition(&name).map_err(at)? == Ok(false) {
                continue;
            }
        }
        let props = match declared.get("Properties") {
            Some(p) => p.clone(),
            None => Node::new(Value::Map(Vec::new()), entry.line),
        };
        let props = if transforms.iter().any(|t| t == SAM) {
            sam::with_globals(&root, &template_type, props)
        } else {
            props
        };
        let props = context.resolve(&props).map_err(at)?;
        out.suppressions
            .extend(suppress::read(file, id, declared.get("Metadata")).map_err(at)?);
        let location = Location {
            file: file.to_string(),
            line: entry.line,
            template_type: template_type.clone(),
            cdk_path: declared
                .path(&["Metadata", "aws:cdk:path"])
                .and_then(|p| p.text().ok()),
            property_lines: BTreeMap::new(),
        };
        if template_type == "AWS::CloudFormation::Stack" {
            if let Some(asset) = declared.path(&["Metadata", "aws:asset:path"]) {
                let given = match props.get("Parameters").map(|p| &p.value) {
                    Some(Value::Map(entries)) => entries
                        .iter()
                        .filter_map(|e| Some((e.key.clone(), e.node.text().ok()?)))
                        .collect(),
                    _ => BTreeMap::new(),
                };
                out.nested.push((asset.text().map_err(at)?, given));
            }
        }
        let mut input = Input::new(id, &props, options.at);
        let properties = stack_resource::map(
            &mut input,
            declared,
            &template_type,
            &context,
            &declared_parameters,
        );
        built.push((
            Built {
                id: id.to_string(),
                name: input.name.clone(),
                properties,
                marks: input.into_marks(),
            },
            location.clone(),
        ));
        let mut mapped_at_all = false;
        for mapper in map::mappers(&template_type) {
            mapped_at_all = true;
            match mapper {
                Mapper::Resource(map) => {
                    let mut input = Input::new(id, &props, options.at);
                    let properties = map(&mut input);
                    let name = input.name.clone();
                    built.push((
                        Built {
                            id: id.to_string(),
                            name,
                            properties,
                            marks: input.into_marks(),
                        },
                        location.clone(),
                    ));
                }
                Mapper::Attachment(attach) => {
                    attachments.push((id.to_string(), props.clone(), attach))
                }
            }
        }
        if !mapped_at_all {
            *out.unmapped.entry(template_type).or_default() += 1;
        }
    }
    let (mut mapped, locations): (Vec<Built>, Vec<Location>) = built.into_iter().unzip();
    for (id, props, attach) in &attachments {
        let mut input = Input::new(id, props, options.at);
        attach(&mut input, &mut Targets { built: &mut mapped });
    }
    for (b, mut location) in mapped.into_iter().zip(locations) {
        let kind = b.properties.kind();
        for (attribute, reason) in b.marks.unknown {
            out.errors.push(CollectionError {
                account_id: None,
                region: options.region.clone(),
                service: kind.service(),
                resource_type: kind,
                resource_id: Some(b.id.clone()),
                attributes: vec![attribute],
                operation: crate::model::UNRESOLVED.into(),
                code: "Unresolved".into(),
                message: reason,
            });
        }
        location.property_lines = b.marks.lines;
        out.resources.push(Resource {
            id: b.id,
            arn: None,
            region: options.region.clone(),
            location: Some(location),
            properties: b.properties,
        });
    }
    Ok(out)
}

/// The SAM transform, whose resources the scan expands itself.
const SAM: &str = "AWS::Serverless-2016-10-31";
