//! The table's drift section for `scan --stack`: a count of the stack's resources by
//! drift status, then each modified resource with the attributes that differ (template
//! value, live value) and each one the live scan did not find. JSON carries the whole
//! list, in-sync and unchecked resources included.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::fit::cut;
use crate::report::{DriftStatus, StackScan};

pub fn write(stack: &StackScan, width: usize, out: &mut dyn Write) -> io::Result<()> {
    let mut counts: BTreeMap<DriftStatus, usize> = BTreeMap::new();
    for r in &stack.resources {
        *counts.entry(r.drift).or_default() += 1;
    }
    let counts: Vec<String> = counts
        .iter()
        .map(|(status, n)| format!("{n} {}", status.as_str().to_lowercase().replace('_', " ")))
        .collect();
    writeln!(
        out,
        "\nStack {} ({}): {} resources, {}",
        stack.name,
        stack.status,
        stack.resources.len(),
        counts.join(", ")
    )?;
    for r in &stack.resources {
        if !matches!(r.drift, DriftStatus::Modified | DriftStatus::Deleted) {
            continue;
        }
        let line = format!(
            "  {:<8} {}  {}  {}",
            r.drift.as_str(),
            r.logical_id,
            r.resource_type,
            r.physical_id.as_deref().unwrap_or("-")
        );
        writeln!(out, "{}", cut(&line, width))?;
        for d in &r.differences {
            let line = format!(
                "      {}: template {}, live {}",
                d.attribute, d.template, d.live
            );
            writeln!(out, "{}", cut(&line, width))?;
        }
        if let Some(note) = &r.note {
            writeln!(out, "{}", cut(&format!("      {note}"), width))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Difference, ResourceDrift};

    fn resource(id: &str, drift: DriftStatus, differences: Vec<Difference>) -> ResourceDrift {
        ResourceDrift {
            logical_id: id.into(),
            resource_type: "AWS::S3::Bucket".into(),
            physical_id: Some(id.to_lowercase()),
            live_id: None,
            drift,
            differences,
            note: (drift == DriftStatus::Deleted).then(|| "the live scan does not find x".into()),
        }
    }

    #[test]
    fn the_section_counts_every_status_and_lists_what_drifted() {
        let stack = StackScan {
            name: "app".into(),
            stack_id: "arn:aws:cloudformation:us-east-1:1:stack/app/x".into(),
            status: "UPDATE_COMPLETE".into(),
            resources: vec![
                resource(
                    "Reports",
                    DriftStatus::Modified,
                    vec![Difference {
                        attribute: "versioning.status".into(),
                        template: "Enabled".into(),
                        live: "Suspended".into(),
                    }],
                ),
                resource("Logs", DriftStatus::InSync, vec![]),
                resource("Gone", DriftStatus::Deleted, vec![]),
                resource("Rule", DriftStatus::NotChecked, vec![]),
            ],
        };
        let mut out = Vec::new();
        write(&stack, 120, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("Stack app (UPDATE_COMPLETE): 4 resources, 1 in sync, 1 modified, 1 deleted, 1 not checked"),
            "{text}"
        );
        assert!(
            text.contains("  MODIFIED Reports  AWS::S3::Bucket  reports\n"),
            "{text}"
        );
        assert!(
            text.contains("versioning.status: template \"Enabled\", live \"Suspended\""),
            "{text}"
        );
        assert!(text.contains("  DELETED  Gone"), "{text}");
        assert!(!text.contains("Logs") && !text.contains("Rule"), "{text}");
    }
}
