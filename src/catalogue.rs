//! The control catalogues of the frameworks the rules cite (`frameworks/*.yaml`,
//! embedded): every control with its title and whether the framework itself calls it
//! automated or manual, so a report by framework can show what no rule decides —
//! coverage visible, never implied.

use std::sync::OnceLock;

use serde::Deserialize;

/// The catalogue files, embedded at build time.
const FILES: &[&str] = &[include_str!("../frameworks/cis-aws-3.0.yaml")];

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
