//! ECR fixes: scan on push and immutable tags for a repository. Neither touches an
//! image. Scan on push is the repository's own setting: where the registry has
//! scanning rules they decide instead, the re-read shows it and the action is reported
//! unverified. Immutable tags refuse a push over an existing tag from then on: a
//! pipeline that re-pushes `latest` must push a new tag instead (the plan says so).

use super::{failed, Fix};
use crate::aws::session::Session;
use crate::model::Properties;
use crate::remediate::{Decision, FixTarget};

fn client(session: &Session, t: &FixTarget) -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(&session.regional(&t.region))
}

pub const SCAN_ON_PUSH: Fix = Fix {
    id: "ecr-scan-on-push",
    permissions: |_| {
        &[
            "ecr:DescribeRepositories",
            "ecr:BatchGetRepositoryScanningConfiguration",
            "ecr:PutImageScanningConfiguration",
        ]
    },
    decide: |before, _, _| match before {
        Properties::EcrRepository(r) => Decision::Change(format!(
            "PutImageScanningConfiguration: scan frequency {} → scan on push (the \
             registry's scanning rules, where there are any, still decide)",
            r.scan_frequency.as_deref().unwrap_or("unknown")
        )),
        _ => Decision::NeedsInput("not an ECR repository".into()),
    },
    apply: |session, t, _, _| {
        Box::pin(async move {
            let on = aws_sdk_ecr::types::ImageScanningConfiguration::builder()
                .scan_on_push(true)
                .build();
            client(session, t)
                .put_image_scanning_configuration()
                .repository_name(&t.resource_id)
                .image_scanning_configuration(on)
                .send()
                .await
                .map(drop)
                .map_err(failed("PutImageScanningConfiguration"))
        })
    },
};

pub const TAG_IMMUTABILITY: Fix = Fix {
    id: "ecr-tag-immutability",
    permissions: |_| &["ecr:DescribeRepositories", "ecr:PutImageTagMutability"],
    decide: |before, _, _| match before {
        Properties::EcrRepository(r) => Decision::Change(format!(
            "PutImageTagMutability: {} → IMMUTABLE (a push over an existing tag, such as \
             `latest`, is refused from then on)",
            r.image_tag_mutability
        )),
        _ => Decision::NeedsInput("not an ECR repository".into()),
    },
    apply: |session, t, _, _| {
        Box::pin(async move {
            client(session, t)
                .put_image_tag_mutability()
                .repository_name(&t.resource_id)
                .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Immutable)
                .send()
                .await
                .map(drop)
                .map_err(failed("PutImageTagMutability"))
        })
    },
};
