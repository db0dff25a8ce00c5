//! The command line's value parsers: each flag's value checked where clap reads it, so
//! a bad one is a usage error (one sentence, exit 2) before anything runs.

use super::FailOn;

/// `NAME: VALUE`, both printable ASCII.
pub fn parse_header(raw: &str) -> Result<(String, String), String> {
    let (name, value) = raw
        .split_once(':')
        .ok_or_else(|| format!("{raw:?} is not a header: give NAME: VALUE"))?;
    let (name, value) = (name.trim(), value.trim());
    let token = |c: char| c.is_ascii_alphanumeric() || "-_".contains(c);
    if name.is_empty()
        || !name.chars().all(token)
        || !value.chars().all(|c| c.is_ascii() && !c.is_ascii_control())
    {
        return Err(format!(
            "{raw:?} is not a header: NAME is letters, digits and hyphens, VALUE printable ASCII"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// `all`, or region names separated by commas.
pub fn parse_scan_regions(raw: &str) -> Result<String, String> {
    if raw == "all" || raw.split(',').all(crate::aws::session::is_region_name) {
        Ok(raw.to_string())
    } else {
        Err(format!(
            "{raw:?} is not a list of regions: give us-east-1,eu-west-1 or all"
        ))
    }
}

/// A 12-digit AWS account id.
pub fn parse_account_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(format!("{raw:?} is not an AWS account id (12 digits)"))
    }
}

/// An organisation root (`r-…`) or organizational unit (`ou-…-…`) id, as Organizations
/// writes them.
pub fn parse_parent_id(raw: &str) -> Result<String, String> {
    let id = raw.trim();
    let part = |s: &str, min: usize| {
        s.len() >= min
            && s.len() <= 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
    };
    let fits = match id.split('-').collect::<Vec<_>>()[..] {
        ["r", root] => part(root, 4),
        ["ou", root, unit] => part(root, 4) && part(unit, 8),
        _ => false,
    };
    if fits {
        Ok(id.to_string())
    } else {
        Err(format!(
            "{raw:?} is not an organizational unit id (ou-ab12-cd34ef56) or a root id (r-ab12)"
        ))
    }
}

/// A comma-separated list each of whose items `item` accepts, or `""` for none (which
/// clears a stack's list); given back joined by commas.
pub fn parse_list(raw: &str, item: fn(&str) -> Result<String, String>) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    let items: Result<Vec<String>, String> = raw.split(',').map(item).collect();
    Ok(items?.join(","))
}

/// A role's name, with its path if any (`audit/ComplianceScan`): IAM's characters.
pub fn parse_role_name(raw: &str) -> Result<String, String> {
    let name_chars = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    };
    if raw.split('/').all(name_chars) {
        Ok(raw.to_string())
    } else {
        Err(format!(
            "{raw:?} is not an IAM role name (letters, digits and +=,.@_-, up to 64, an optional path before a /)"
        ))
    }
}

/// `arn:<partition>:iam::<account>:role/<path/>NAME`.
pub fn parse_role_arn(raw: &str) -> Result<String, String> {
    let parts: Vec<&str> = raw.splitn(6, ':').collect();
    let ok = matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && parse_account_id(account).is_ok()
            && resource.strip_prefix("role/").is_some_and(|r| parse_role_name(r).is_ok()));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(format!(
            "{raw:?} is not an IAM role ARN: give arn:aws:iam::123456789012:role/NAME"
        ))
    }
}

/// STS's external id: 2 to 1224 of `[\w+=,.@:/-]`.
pub fn parse_external_id(raw: &str) -> Result<String, String> {
    let ok = (2..=1224).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c));
    ok.then(|| raw.to_string()).ok_or_else(|| {
        format!("{raw:?} is not an external id (2 to 1224 letters, digits or +=,.@:/_-)")
    })
}

/// STS's role session name: 2 to 64 of `[\w+=,.@-]`.
pub fn parse_session_name(raw: &str) -> Result<String, String> {
    let ok = (2..=64).contains(&raw.len())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    ok.then(|| raw.to_string()).ok_or_else(|| {
        format!("{raw:?} is not a role session name (2 to 64 letters, digits or +=,.@_-)")
    })
}

pub fn parse_parameter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("{s:?} is not KEY=VALUE")),
    }
}

pub fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("none") {
        Ok(FailOn::Never)
    } else {
        s.parse().map(FailOn::AtLeast)
    }
}

pub fn parse_tag(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.is_empty() => {
            Ok((k.trim().to_string(), v.to_string()))
        }
        _ => Err(format!("`{s}` is not KEY=VALUE with a key and a value")),
    }
}

pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date like 2026-11-23"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_are_organizations_ids_and_lists_may_be_emptied() {
        assert!(parse_parent_id("ou-ab12-cd34ef56").is_ok());
        assert!(parse_parent_id("r-ab12").is_ok());
        for bad in ["ou-ab12", "OU-AB12-CD34EF56", "ab12", "ou-ab12-cd34ef56/x"] {
            assert!(
                parse_parent_id(bad)
                    .unwrap_err()
                    .contains("is not an organizational unit id"),
                "{bad}"
            );
        }
        assert_eq!(parse_list("", parse_account_id).unwrap(), "");
        assert_eq!(
            parse_list("111122223333, 444455556666", parse_account_id).unwrap(),
            "111122223333,444455556666"
        );
        assert!(parse_list("111122223333,12", parse_account_id).is_err());
    }
}
