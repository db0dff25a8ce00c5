//! The AWS session: loads the SDK configuration (profile, region, endpoint override),
//! checks that credentials exist and work, and learns the account id, so a missing
//! or wrong set-up is reported in one sentence before any scanning starts.

use std::time::Duration;

use aws_config::default_provider::region::DefaultRegionChain;
use aws_config::meta::region::RegionProviderChain;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;

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
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(
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

        if config.region().is_none() {
            return Err(Fatal::new(
                "no AWS region is set: pass --region, set AWS_REGION, or give the profile a region",
            ));
        }
        let Some(provider) = config.credentials_provider() else {
            return Err(no_credentials());
        };
        if provider.provide_credentials().await.is_err() {
            return Err(no_credentials());
        }

        let endpoint_override =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let sts = aws_sdk_sts::Client::new(&config);
        let identity = sts.get_caller_identity().send().await.map_err(|e| {
            let e = CallError::from(e);
            let endpoint = config.endpoint_url().unwrap_or("AWS");
            if e.is_unreachable() {
                Fatal::new(format!(
                    "cannot reach {endpoint} ({}): check --endpoint-url, the region and your network",
                    e.message
                ))
            } else {
                Fatal::new(format!(
                    "AWS refused the credentials ({e}): check the profile or the AWS_* variables"
                ))
            }
        })?;
        let account_id = identity.account().unwrap_or_default().to_string();
        let caller_arn = identity.arn().unwrap_or_default().to_string();
        Ok(Session {
            config,
            account_id,
            caller_arn,
            endpoint_override,
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

fn no_credentials() -> Fatal {
    Fatal::new(
        "no AWS credentials found: set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    )
}
