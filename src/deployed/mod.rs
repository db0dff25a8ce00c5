//! `scan --stack`: a deployed stack judged twice by the same rules — its template (what
//! CloudFormation runs, after transforms, with the stack's own parameter values) and its
//! live resources (a live scan of the stack's region, of only the kinds its template
//! maps to, narrowed to the stack's resources) — in one report that marks, for each
//! resource, where the two disagree. The CLI and the Lambda (on a stack's "Stack Status
//! Change") run it alike.

pub mod drift;
pub mod link;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::error::Fatal;
use crate::model::{Inventory, ResourceKind, INVENTORY_SCHEMA_VERSION};
use crate::pipeline::{self, Live, Progress};
use crate::report::{DriftStatus, Report, ResourceDrift, StackScan};
use crate::rules::RuleSet;
use crate::suppress::Suppressions;
use crate::template;

/// A deployed stack as `aws::deployed::read` found it.
#[derive(Debug, Clone, Default)]
pub struct Deployed {
    pub name: String,
    pub stack_id: String,
    pub status: String,
    pub region: String,
    /// The template body (YAML or JSON) after transforms.
    pub template: String,
    /// The values it was deployed with (`NoEcho` ones left out: unknown).
    pub parameters: BTreeMap<String, String>,
    pub resources: Vec<StackResource>,
}

/// One resource of the stack, from `ListStackResources`.
#[derive(Debug, Clone, PartialEq)]
pub struct StackResource {
    pub logical_id: String,
    /// Absent until CloudFormation has created it.
    pub physical_id: Option<String>,
    pub resource_type: String,
    pub status: String,
}

/// What one stack scan produced.
pub struct Judged {
    pub report: Report,
    /// The live resources judged (the evidence `--save-inventory` would keep).
    pub live: Inventory,
    /// What the template scan could not judge (transforms, nested stacks).
    pub warnings: Vec<String>,
}

/// How a stack scan runs: the live part's settings, and the run's id and start.
pub struct Run<'a> {
    pub live: Live<'a>,
    pub scan_id: Option<String>,
    pub started_at: DateTime<Utc>,
}

/// The template file name a stack's findings carry: `stack/NAME`.
pub fn label(name: &str) -> String {
    format!("stack/{name}")
}

/// Judges `deployed` with `rules`: its template, then its live resources.
pub async fn judge(
    deployed: &Deployed,
    run: &Run<'_>,
    rules: &RuleSet,
    suppressions: &Suppressions,
    progress: &dyn Progress,
) -> Result<Judged, Fatal> {
    let file = label(&deployed.name);
    let options = template::Options {
        parameters: deployed.parameters.clone(),
        region: deployed.region.clone(),
        at: run.started_at,
    };
    let read = template::read(&file, &deployed.template, &options).map_err(|e| {
        Fatal::new(format!(
            "cannot judge the template of stack {}: {e}",
            deployed.name
        ))
    })?;
    let mut warnings = read.warnings.clone();
    for s in &deployed.resources {
        if s.resource_type == "AWS::CloudFormation::Stack" {
            warnings.push(format!(
                "{file}: {} is a nested stack: scan it with --stack {}",
                s.logical_id,
                s.physical_id.as_deref().unwrap_or(&s.logical_id)
            ));
        }
    }
    let template = Inventory {
        schema_version: INVENTORY_SCHEMA_VERSION,
        account_id: run.live.session.account_id.clone(),
        regions: vec![deployed.region.clone()],
        collected_at: run.started_at,
        incomplete: false,
        resources: read.resources,
        errors: read.errors,
        elsewhere: Vec::new(),
    };

    let kinds = link::template_kinds(&template);
    let mapped: BTreeSet<ResourceKind> = kinds.values().flatten().copied().collect();
    let mut live_rules = rules.clone();
    live_rules.rules.retain(|r| mapped.contains(&r.resource));
    let read_live: BTreeSet<ResourceKind> = live_rules.rules.iter().map(|r| r.resource).collect();
    let live = pipeline::collect_live(&run.live, &live_rules, suppressions, progress).await?;
    let links = link::link(&deployed.resources, &kinds, &live);
    let live_of: BTreeMap<String, (ResourceKind, String)> = links
        .iter()
        .map(|(logical, &i)| {
            let r = &live.resources[i];
            (logical.clone(), (r.properties.kind(), r.id.clone()))
        })
        .collect();
    let live = link::narrow(live, &links.values().copied().collect());

    let judge = |rules: &RuleSet, inventory: &Inventory, suppressions: &Suppressions| {
        pipeline::judge(
            rules,
            inventory,
            suppressions,
            "stack",
            run.scan_id.clone(),
            run.started_at,
        )
    };
    let mut report = judge(&live_rules, &live, suppressions);
    let from_template = judge(rules, &template, &Suppressions::default());
    report.findings.extend(from_template.findings);
    report.findings.sort_by(|a, b| {
        (&a.rule_id, &a.region, &a.resource_id).cmp(&(&b.rule_id, &b.region, &b.resource_id))
    });
    report.errors.extend(from_template.errors);
    report.scan.rules_evaluated = rules.rules.len();
    report.scan.regions = vec![deployed.region.clone()];
    report.summary.resources_scanned += template.resources.len();
    // The template's suppressions accept its resources' failures, template and live.
    let logical_of: BTreeMap<(ResourceKind, &str), &str> = live_of
        .iter()
        .map(|(logical, (kind, id))| ((*kind, id.as_str()), logical.as_str()))
        .collect();
    warnings.extend(template::suppress::accept(
        &mut report,
        &read.suppressions,
        |f| {
            template::suppress::in_template(f).or_else(|| {
                let logical = logical_of.get(&(f.resource_type, f.resource_id.as_str()))?;
                Some((file.clone(), logical.to_string()))
            })
        },
    ));
    report.stack = Some(StackScan {
        name: deployed.name.clone(),
        stack_id: deployed.stack_id.clone(),
        status: deployed.status.clone(),
        resources: states(deployed, &template, &live, &live_of, &read_live),
    });
    Ok(Judged {
        report,
        live,
        warnings,
    })
}

/// Each stack resource's drift, with the reason when it was not compared.
fn states(
    deployed: &Deployed,
    template: &Inventory,
    live: &Inventory,
    live_of: &BTreeMap<String, (ResourceKind, String)>,
    read_live: &BTreeSet<ResourceKind>,
) -> Vec<ResourceDrift> {
    let physical: BTreeMap<String, String> = deployed
        .resources
        .iter()
        .filter_map(|s| Some((s.logical_id.clone(), s.physical_id.clone()?)))
        .collect();
    let kinds = link::template_kinds(template);
    deployed
        .resources
        .iter()
        .map(|s| {
            let mut state = ResourceDrift {
                logical_id: s.logical_id.clone(),
                resource_type: s.resource_type.clone(),
                physical_id: s.physical_id.clone(),
                live_id: None,
                drift: DriftStatus::NotChecked,
                differences: Vec::new(),
                note: None,
            };
            let Some(wanted) = kinds.get(s.logical_id.as_str()) else {
                let attachment = template::map::mappers(&s.resource_type)
                    .any(|m| matches!(m, template::map::Mapper::Attachment(_)));
                state.note = Some(if attachment {
                    "judged as part of the resource it configures".into()
                } else {
                    format!("no rule reads a live {}", s.resource_type)
                });
                return state;
            };
            let Some((kind, id)) = live_of.get(&s.logical_id) else {
                let listing = live.errors.iter().find(|e| {
                    wanted.contains(&e.resource_type)
                        && e.resource_id.is_none()
                        && e.attributes.is_empty()
                });
                state.note = Some(match (&s.physical_id, listing) {
                    (None, _) => format!("not created ({})", s.status),
                    (_, Some(e)) => format!(
                        "the live listing failed: {} failed: {}",
                        e.operation, e.code
                    ),
                    _ if !wanted.iter().any(|k| read_live.contains(k)) => {
                        "no selected rule reads it".into()
                    }
                    (Some(p), None) => {
                        state.drift = DriftStatus::Deleted;
                        format!("the live scan does not find {p}")
                    }
                });
                return state;
            };
            state.live_id = Some(id.clone());
            let declared = template
                .resources
                .iter()
                .find(|r| r.id == s.logical_id && r.properties.kind() == *kind);
            let found = live
                .resources
                .iter()
                .find(|r| r.id == *id && r.properties.kind() == *kind);
            if let (Some(t), Some(l)) = (declared, found) {
                let cx = drift::Context {
                    physical: &physical,
                    unknown: drift::Context::unknowns((template, t), (live, l)),
                };
                state.differences = drift::differences(t, l, &cx);
                state.drift = if state.differences.is_empty() {
                    DriftStatus::InSync
                } else {
                    DriftStatus::Modified
                };
            }
            state
        })
        .collect()
}
