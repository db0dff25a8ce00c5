//! Decides which regions a scan covers: the ones named (each checked to exist and be
//! enabled for the account), every enabled region, or the profile's own.

use super::errors::CallError;
use super::session::Session;
use crate::error::Fatal;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct RegionChoice {
    pub named: Vec<String>,
    pub all: bool,
}

pub async fn resolve(session: &Session, choice: &RegionChoice) -> Result<Vec<String>, Fatal> {
    let ec2 = aws_sdk_ec2::Client::new(&session.config);
    let answer = ec2
        .describe_regions()
        .all_regions(true)
        .send()
        .await
        .map_err(CallError::from);
    let known: Vec<(String, bool)> = match answer {
        Ok(out) => out
            .regions()
            .iter()
            .filter_map(|r| {
                let enabled = r.opt_in_status().is_none_or(|s| s != "not-opted-in");
                r.region_name().map(|n| (n.to_string(), enabled))
            })
            .collect(),
        Err(e) => {
            return Err(Fatal::new(format!(
                "cannot list the account's regions (ec2:DescribeRegions failed: {e}); grant ec2:DescribeRegions"
            )))
        }
    };
    let enabled: Vec<String> = known
        .iter()
        .filter(|(_, on)| *on)
        .map(|(n, _)| n.clone())
        .collect();
    if choice.all {
        let mut all = enabled;
        all.sort();
        return Ok(all);
    }
    let wanted = if choice.named.is_empty() {
        vec![session.default_region()]
    } else {
        choice.named.clone()
    };
    let mut regions = Vec::new();
    for region in wanted {
        match known.iter().find(|(n, _)| *n == region) {
            None => {
                return Err(Fatal::new(format!(
                "unknown region `{}`: name an AWS region such as us-east-1, or use --all-regions",
                region.escape_debug()
            )))
            }
            Some((_, false)) => {
                return Err(Fatal::new(format!(
                    "region `{region}` is not enabled for this account: enable it or leave it out"
                )))
            }
            Some(_) if !regions.contains(&region) => regions.push(region),
            Some(_) => {}
        }
    }
    Ok(regions)
}
