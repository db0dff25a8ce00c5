//! The IMDSv2 fix: an instance's metadata service made to answer session-token requests
//! only. It takes effect at once, without a restart, and leaves the endpoint and hop
//! limit as they are. Software still reading the metadata with IMDSv1 (old SDKs, plain
//! `curl`) stops getting answers: the plan says so before anything changes.

use super::{failed, Fix};
use crate::model::Properties;
use crate::remediate::Decision;

pub const IMDSV2_REQUIRED: Fix = Fix {
    id: "ec2-imdsv2-required",
    permissions: |_| &["ec2:DescribeInstances", "ec2:ModifyInstanceMetadataOptions"],
    decide: |before, _, _| match before {
        Properties::Instance(i) => Decision::Change(format!(
            "ModifyInstanceMetadataOptions: HttpTokens {} → required, at once; software \
             on the instance still using IMDSv1 loses its metadata and credentials",
            i.http_tokens
        )),
        _ => Decision::NeedsInput("not an EC2 instance".into()),
    },
    apply: |session, t, _, _| {
        Box::pin(async move {
            aws_sdk_ec2::Client::new(&session.regional(&t.region))
                .modify_instance_metadata_options()
                .instance_id(&t.resource_id)
                .http_tokens(aws_sdk_ec2::types::HttpTokensState::Required)
                .send()
                .await
                .map(drop)
                .map_err(failed("ModifyInstanceMetadataOptions"))
        })
    },
};
