//! The AWS session: loads the SDK configuration (profile, region, endpoint override),
//! checks that credentials exist and work, and learns the account id, so a missing
//! or wrong set-up is reported in one sentence before any scanning starts.

use std::time::Duration;

use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::meta::region::RegionProviderChain;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sts::operation::assume_role::AssumeRoleError;

use super::answers::WholeAnswers;
use super::errors::CallError;
use crate::error::Fatal;

/// How to reach AWS, from the command line: what `Session::connect` is given.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    pub profile: Option<String>,
    /// The home region, overriding the profile and the environment.
    pub region: Option<String>,
    /// Used as the home region when neither the profile nor the environment sets one.
    pub fallback_region: Option<String>,
    pub endpoint_url: Option<String>,
    /// A role to assume once connected (`--role-arn`): the session is then the role's.
    pub role: Option<Role>,
}

/// A role to assume, as `--role-arn` (or `--role-name` in each account) names it.
#[derive(Debug, Clone)]
pub struct Role {
    pub arn: String,
    pub external_id: Option<String>,
    pub session_name: String,
}

/// A checked connection to one account.
#[derive(Debug, Clone)]
pub struct Session {
    pub config: SdkConfig,
    pub account_id: String,
    /// Who the calls are made as (the caller's ARN), for audit records.
    pub caller_arn: String,
    /// An endpoint override is in force (an emulator or a proxy): S3 needs path-style
    /// addressing there.
    pub endpoint_override: bool,
}

impl Session {
    pub async fn connect(options: &SessionOptions) -> Result<Session, Fatal> {
        if let Some(url) = &options.endpoint_url {
            check_endpoint("--endpoint-url", url)?;
        }
        for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"] {
            if let Some(url) = std::env::var_os(var) {
                check_endpoint(var, &url.to_string_lossy())?;
            }
        }
        let named = options
            .profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
        // `default` may be absent from the files (the SDK then reads an empty profile).
        if let Some(profile) = named.filter(|p| p != "default" && !profile_exists(p)) {
            return Err(Fatal::new(format!(
                "the AWS profile `{}` is not in the AWS config or credentials file: check --profile / AWS_PROFILE (`aws configure list-profiles` lists them)",
                profile.escape_debug()
            )));
        }
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(WholeAnswers::new())
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .operation_attempt_timeout(Duration::from_secs(30))
                    .build(),
            );
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        // The home region (STS, region discovery) is the profile's or the environment's;
        // the first scanned region only stands in when neither names one.
        let mut home = DefaultRegionChain::builder();
        if let Some(profile) = &options.profile {
            home = home.profile_name(profile);
        }
        let mut chain = match &options.region {
            Some(region) => {
                RegionProviderChain::first_try(Region::new(region.clone())).or_else(home.build())
            }
            None => RegionProviderChain::first_try(home.build()),
        };
        if let Some(region) = &options.fallback_region {
            chain = chain.or_else(Region::new(region.clone()));
        }
        loader = loader.region(chain);
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;

        let Some(region) = config.region().map(|r| r.to_string()) else {
            return Err(Fatal::new(
                "no AWS region is set: pass --region, set AWS_REGION, or give the profile a region",
            ));
        };
        if !is_region_name(&region) {
            return Err(Fatal::new(format!(
                "`{}` is not an AWS region name (like eu-west-1): check --region, AWS_REGION and the profile's region",
                region.escape_debug()
            )));
        }
        let Some(provider) = config.credentials_provider() else {
            return Err(no_credentials(None));
        };
        if let Err(e) = provider.provide_credentials().await {
            return Err(no_credentials(Some(&DisplayErrorContext(&e).to_string())));
        }

        let endpoint_override =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let sts = aws_sdk_sts::Client::new(&config);
        let identity = sts.get_caller_identity().send().await.map_err(|e| {
            let e = CallError::from(e);
            let endpoint = config.endpoint_url().map_or("AWS".to_string(), redact);
            if e.is_unreachable() {
                Fatal::new(format!(
                    "cannot reach {endpoint} ({}): check --endpoint-url, the region and your network",
                    e.message
                ))
            } else if e.is(REFUSED_CREDENTIALS) {
                Fatal::new(format!(
                    "AWS refused the credentials ({e}): check the profile or the AWS_* variables"
                ))
            } else if e.is(THROTTLED) {
                Fatal::new(format!(
                    "AWS throttled the identity check sts:GetCallerIdentity ({e}): try again in a moment"
                ))
            } else {
                Fatal::new(format!(
                    "the identity check sts:GetCallerIdentity failed ({e}): check the region, the endpoint and the credentials"
                ))
            }
        })?;
        let account_id = identity.account().unwrap_or_default().to_string();
        let caller_arn = identity.arn().unwrap_or_default().to_string();
        let session = Session {
            config,
            account_id,
            caller_arn,
            endpoint_override,
        };
        match &options.role {
            Some(role) => session.assume(role).await.map_err(Fatal::new),
            None => Ok(session),
        }
    }

    /// A session as `role`, from this one's credentials: the SDK's assume-role provider,
    /// which renews the role's credentials before they expire, checked with one
    /// `sts:GetCallerIdentity` that also learns the account. A role that cannot be
    /// assumed (denied, missing, a wrong external id) is one sentence naming it.
    pub async fn assume(&self, role: &Role) -> Result<Session, String> {
        let mut builder = AssumeRoleProvider::builder(&role.arn)
            .session_name(&role.session_name)
            .configure(&self.config);
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        let config = self
            .config
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .build();
        let identity = aws_sdk_sts::Client::new(&config)
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| {
                format!(
                    "cannot assume the role {} as {}: {}",
                    role.arn,
                    self.caller_arn,
                    refusal(&e)
                )
            })?;
        Ok(Session {
            config,
            account_id: identity.account().unwrap_or_default().to_string(),
            caller_arn: identity.arn().unwrap_or_default().to_string(),
            endpoint_override: self.endpoint_override,
        })
    }

    /// The configuration with `region` in place of the home region.
    pub fn regional(&self, region: &str) -> SdkConfig {
        self.config
            .to_builder()
            .region(Region::new(region.to_string()))
            .build()
    }

    /// An S3 client for `region`, path-style behind an endpoint override.
    pub fn s3_in(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.regional(region))
            .force_path_style(self.endpoint_override)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// The region the configuration resolved to.
    pub fn default_region(&self) -> String {
        self.config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default()
    }
}

/// Why a call as an assumed role failed: STS's answer to `AssumeRole` (its code and
/// message) when that is what failed, else the whole chain of causes.
fn refusal(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(answer) = e.downcast_ref::<AssumeRoleError>() {
            return format!(
                "{}: {}",
                answer.code().unwrap_or("Error"),
                answer.message().unwrap_or("no message")
            );
        }
        cause = e.source();
    }
    super::errors::causes(err)
}

/// Refuses an endpoint override that is not an `http(s)://host[:port]` URL, or that
/// carries credentials (AWS signs requests with the AWS credentials; a `user:password@`
/// would only leak into logs). The message never repeats the credentials.
fn check_endpoint(source: &str, url: &str) -> Result<(), Fatal> {
    let shown = redact(url);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let authority = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    match authority {
        Some(a) if a.contains('@') => Err(Fatal::new(format!(
            "{source} `{shown}` carries credentials: remove them (requests are signed with the AWS credentials)"
        ))),
        Some(a) if !a.is_empty() && !a.starts_with(':') => Ok(()),
        _ => Err(Fatal::new(format!(
            "{source} `{shown}` is not an endpoint URL: give http://HOST[:PORT] or https://HOST[:PORT]"
        ))),
    }
}

/// `url` with any `user:password@` replaced by `***@`.
fn redact(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// STS's answers to credentials it does not accept.
const REFUSED_CREDENTIALS: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
];

/// Answers that mean "too many requests", in each protocol's spelling.
const THROTTLED: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
];

/// Whether the shared config or credentials file names `profile` (`[profile NAME]` or
/// `[NAME]`, as the SDK reads them; `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`
/// move them).
fn profile_exists(profile: &str) -> bool {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let file = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    [
        file("AWS_CONFIG_FILE", "config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
    ]
    .into_iter()
    .flatten()
    .filter_map(|path| std::fs::read_to_string(path).ok())
    .any(|text| {
        text.lines().any(|line| {
            let Some(section) = line
                .trim()
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            else {
                return false;
            };
            let name = section.trim();
            let name = name.strip_prefix("profile ").map_or(name, str::trim);
            name == profile
        })
    })
}

/// Whether `name` has the shape of a region name (`us-east-1`, `us-gov-west-1`).
pub(crate) fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// No usable credentials; `reason` is why the chain found none (a missing profile, say).
fn no_credentials(reason: Option<&str>) -> Fatal {
    match reason {
        Some(reason) => Fatal::new(format!(
            "no AWS credentials could be loaded ({}): check --profile / AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            reason.split_whitespace().collect::<Vec<_>>().join(" ")
        )),
        None => Fatal::new(
            "no AWS credentials found: set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_are_told_from_typos() {
        for ok in ["us-east-1", "eu-west-3", "us-gov-west-1", "ap-southeast-5"] {
            assert!(is_region_name(ok), "{ok}");
        }
        for bad in [
            "",
            "us east 1",
            "US-EAST-1",
            "us-east",
            "useast1",
            "us--1",
            "eu-west-1\n",
        ] {
            assert!(!is_region_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn endpoint_overrides_must_be_urls_without_credentials() {
        assert!(check_endpoint("--endpoint-url", "http://127.0.0.1:5000").is_ok());
        assert!(check_endpoint("--endpoint-url", "https://proxy.internal/path").is_ok());
        for bad in ["", "127.0.0.1:5000", "http://", "http://:80", "ftp://host"] {
            let e = check_endpoint("--endpoint-url", bad).unwrap_err().0;
            assert!(e.contains("is not an endpoint URL"), "{bad}: {e}");
        }
        let e = check_endpoint("AWS_ENDPOINT_URL", "http://admin:s3cret@host:9000/x")
            .unwrap_err()
            .0;
        assert!(e.contains("carries credentials"), "{e}");
        assert!(!e.contains("s3cret") && !e.contains("admin"), "{e}");
        assert!(e.contains("http://***@host:9000/x"), "{e}");
    }
}
