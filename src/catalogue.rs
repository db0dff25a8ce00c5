//! The control catalogues of the frameworks the rules cite (`frameworks/*.yaml`,
//! embedded): every control with its title, whether the framework itself calls it
//! automated or manual and, where the framework grades them (FSBP), its severity, so a
//! report by framework can show what no rule decides — coverage visible, never implied.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::rules::Severity;

/// The catalogue files, embedded at build time.
const FILES: &[&str] = &[
    include_str!("../frameworks/aws-fsbp.yaml"),
    include_str!("../frameworks/cis-aws-3.0.yaml"),
    include_str!("../frameworks/pci-dss-4.0.yaml"),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub id: String,
    pub title: String,
    pub controls: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub title: String,
    pub assessment: Assessment,
    /// What a person verifies, for a manual control.
    #[serde(default)]
    pub check: Option<String>,
    /// The framework's own severity for the control, where it grades them.
    #[serde(default)]
    pub severity: Option<Severity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Assessment {
    Automated,
    Manual,
}

/// Every embedded catalogue.
pub fn all() -> &'static [Catalogue] {
    static ALL: OnceLock<Vec<Catalogue>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|text| serde_yaml_ng::from_str(text).expect("an embedded catalogue parses"))
            .collect()
    })
}

/// The catalogue of `framework`, if one is shipped.
pub fn of(framework: &str) -> Option<&'static Catalogue> {
    all().iter().find(|c| c.id == framework)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_catalogue_parses_with_unique_ids_and_manual_checks() {
        assert!(!all().is_empty());
        for c in all() {
            let ids: BTreeSet<&str> = c.controls.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(ids.len(), c.controls.len(), "{}: a control id twice", c.id);
            for e in &c.controls {
                let manual = e.assessment == Assessment::Manual;
                assert_eq!(
                    manual,
                    e.check.is_some(),
                    "{} {}: a manual control says what to check, an automated one not",
                    c.id,
                    e.id
                );
            }
        }
        let cis = of("cis-aws-3.0").unwrap();
        assert_eq!(cis.controls.len(), 62, "CIS v3.0.0 has 62 controls");
        let fsbp = of("aws-fsbp").unwrap();
        assert_eq!(
            fsbp.controls.len(),
            205,
            "FSBP's 2023 list has 205 controls"
        );
        assert!(fsbp
            .controls
            .iter()
            .all(|e| e.assessment == Assessment::Automated && e.severity.is_some()));
        let get = |id: &str| fsbp.controls.iter().find(|e| e.id == id).unwrap();
        assert_eq!(get("S3.2").severity, Some(Severity::Critical));
        assert_eq!(get("IAM.21").severity, Some(Severity::Low));
        assert!(cis.controls.iter().all(|e| e.severity.is_none()));
    }

    /// Security Hub names each control once (S3.8, CloudWatch.1); a rule files it under
    /// `aws-fsbp` when the FSBP catalogue lists it and under `aws-securityhub` when not
    /// (the CIS standard's CloudWatch.1-14, IAM.9, …), so `--framework aws-fsbp` never
    /// counts a control outside the standard and never misses one inside it.
    #[test]
    fn a_security_hub_control_is_under_aws_fsbp_exactly_when_fsbp_lists_it() {
        let fsbp = of("aws-fsbp").unwrap();
        let rules = crate::rules::load::load(&[], &crate::aws::remediate::ids()).unwrap();
        let mut misfiled = Vec::new();
        let mut outside = 0;
        for rule in &rules.rules {
            for id in rule.frameworks.get("aws-securityhub").into_iter().flatten() {
                outside += 1;
                if fsbp.controls.iter().any(|e| &e.id == id) {
                    misfiled.push(format!("{}: {id} is an FSBP control", rule.id));
                }
            }
        }
        assert!(misfiled.is_empty(), "{}", misfiled.join("\n"));
        assert!(outside > 0, "some rules name controls outside FSBP");
    }

    #[test]
    fn every_rule_names_only_controls_its_framework_s_catalogue_has() {
        let rules = crate::rules::load::load(&[], &crate::aws::remediate::ids()).unwrap();
        let mut unknown = Vec::new();
        for rule in &rules.rules {
            for (framework, ids) in &rule.frameworks {
                let Some(catalogue) = of(framework) else {
                    continue;
                };
                for id in ids {
                    if !catalogue.controls.iter().any(|e| &e.id == id) {
                        unknown.push(format!("{}: {framework} {id}", rule.id));
                    }
                }
            }
        }
        assert!(
            unknown.is_empty(),
            "controls not in the catalogue:\n{}",
            unknown.join("\n")
        );
    }
}
