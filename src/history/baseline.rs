//! `scan --baseline`: each failure of the scan marked new or existing against an earlier
//! scan (matched by rule, region and resource, as `report --diff` matches), and the
//! earlier failures that went away listed as resolved.

use std::collections::BTreeSet;

use super::diff::{diff, Change, Difference};
use crate::report::{Baseline, BaselineState, Place, Report, Resolved};
use crate::rules::Status;

/// Marks `report` against `earlier`; an earlier scan of another account is refused.
/// `evaluated` are the rule ids this scan ran: an earlier failure is only resolved when
/// this scan judged it again — its rule ran, its region was scanned, and it did not
/// turn into an ERROR (a narrower scan than the baseline's resolves nothing it skipped).
pub fn mark(
    report: &mut Report,
    earlier: &Report,
    evaluated: &BTreeSet<&str>,
) -> Result<(), String> {
    if earlier.scan.account_id != report.scan.account_id {
        return Err(format!(
            "the baseline is scan {} of account {}, but this scan is of account {}",
            earlier.scan.id, earlier.scan.account_id, report.scan.account_id
        ));
    }
    let changes = diff(earlier, report);
    let of = |c: &Difference| c.account_id.clone();
    let is_new = |account: Option<&str>, rule: &str, region: &str, id: &str| {
        changes.iter().any(|c| {
            c.change == Change::New
                && (c.account_id.is_none() || c.account_id.as_deref() == account)
                && c.rule_id == rule
                && c.region == region
                && c.resource_id == id
        })
    };
    let (mut new, mut existing) = (0, 0);
    for f in &mut report.findings {
        f.baseline = None;
        if f.status != Status::Fail {
            continue;
        }
        let account = f.account_id.as_deref().or(Some(&report.scan.account_id));
        let state = if is_new(account, &f.rule_id, &f.region, &f.resource_id) {
            new += 1;
            BaselineState::New
        } else {
            existing += 1;
            BaselineState::Existing
        };
        f.baseline = Some(state);
    }
    let judged_again = |c: &&Difference| {
        let at = Place {
            account: c.account_id.as_deref().unwrap_or(&report.scan.account_id),
            region: &c.region,
        };
        report.judged_again(evaluated, at, &c.rule_id, &c.resource_id)
    };
    let resolved = changes
        .iter()
        .filter(|c| c.change == Change::Resolved)
        .filter(judged_again)
        .map(|c| Resolved {
            account_id: of(c),
            rule_id: c.rule_id.clone(),
            title: earlier
                .findings
                .iter()
                .find(|f| f.rule_id == c.rule_id)
                .map(|f| f.title.clone())
                .unwrap_or_default(),
            severity: c.severity,
            resource_type: c.resource_type,
            resource_id: c.resource_id.clone(),
            region: c.region.clone(),
        })
        .collect();
    report.baseline = Some(Baseline {
        scan_id: earlier.scan.id.clone(),
        started_at: earlier.scan.started_at,
        new,
        existing,
        resolved,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fixtures;

    #[test]
    fn failures_are_new_or_existing_and_what_went_away_is_resolved() {
        let mut earlier = fixtures::report();
        earlier.scan.id = "before".into();
        // Earlier, `leaky` did not fail but `gone` did; `open` failed both times.
        earlier.findings.retain(|f| f.resource_id != "leaky");
        let mut gone = earlier.findings[1].clone();
        gone.resource_id = "gone".into();
        earlier.findings.push(gone);
        let mut report = fixtures::report();
        let rules = ids(&report);
        mark(&mut report, &earlier, &set(&rules)).unwrap();
        let state = |id: &str| {
            report
                .findings
                .iter()
                .find(|f| f.resource_id == id)
                .unwrap()
                .baseline
        };
        assert_eq!(state("leaky"), Some(BaselineState::New));
        assert_eq!(state("open, \"quoted\""), Some(BaselineState::Existing));
        assert_eq!(state("good"), None, "a pass is neither");
        let baseline = report.baseline.as_ref().unwrap();
        assert_eq!(
            (baseline.new, baseline.existing, baseline.scan_id.as_str()),
            (1, 1, "before")
        );
        assert_eq!(baseline.resolved.len(), 1);
        assert_eq!(baseline.resolved[0].resource_id, "gone");

        let mut other = fixtures::report();
        other.scan.account_id = "999999999999".into();
        let rules = ids(&other);
        assert!(mark(&mut fixtures::report(), &other, &set(&rules))
            .unwrap_err()
            .contains("account 999999999999"));
    }

    /// Every rule id of `report`'s findings.
    fn ids(report: &Report) -> Vec<String> {
        report.findings.iter().map(|f| f.rule_id.clone()).collect()
    }

    fn set(ids: &[String]) -> BTreeSet<&str> {
        ids.iter().map(String::as_str).collect()
    }

    #[test]
    fn only_what_this_scan_judged_again_can_be_resolved() {
        let earlier = fixtures::report();
        // This scan ran one rule, and could not read one bucket.
        let mut report = fixtures::report();
        report
            .findings
            .retain(|f| f.rule_id == "s3-bucket-no-public-read");
        report.findings[0].status = Status::Error;
        let evaluated = BTreeSet::from(["s3-bucket-no-public-read"]);
        mark(&mut report, &earlier, &evaluated).unwrap();
        assert!(
            report.baseline.unwrap().resolved.is_empty(),
            "not run, or not read"
        );
        let mut elsewhere = fixtures::report();
        elsewhere.findings.clear();
        elsewhere.scan.regions = vec!["eu-west-1".into()];
        mark(&mut elsewhere, &earlier, &set(&ids(&earlier))).unwrap();
        assert!(
            elsewhere.baseline.unwrap().resolved.is_empty(),
            "another region"
        );
        let mut fixed = fixtures::report();
        fixed.findings.retain(|f| f.status != Status::Fail);
        mark(&mut fixed, &earlier, &set(&ids(&earlier))).unwrap();
        assert_eq!(
            fixed.baseline.unwrap().resolved.len(),
            2,
            "both failures judged again, passing"
        );
    }

    #[test]
    fn the_same_resource_in_another_region_is_new() {
        let earlier = fixtures::report();
        let mut report = fixtures::report();
        for f in &mut report.findings {
            f.region = "eu-west-1".into();
        }
        mark(&mut report, &earlier, &set(&ids(&earlier))).unwrap();
        assert!(report
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .all(|f| f.baseline == Some(BaselineState::New)));
    }
}
