//! What a deleted stack left behind: the resources still tagged with its name
//! (CloudFormation tags everything it creates with `aws:cloudformation:stack-name`), found
//! through the Resource Groups Tagging API in the stack's region.

use aws_sdk_resourcegroupstagging::types::TagFilter;

use super::errors::CallError;
use super::session::Session;

/// The ARNs of the resources in the home region tagged as part of stack `name`, sorted.
pub async fn tagged_with_stack(session: &Session, name: &str) -> Result<Vec<String>, CallError> {
    let client = aws_sdk_resourcegroupstagging::Client::new(&session.config);
    let filter = TagFilter::builder()
        .key("aws:cloudformation:stack-name")
        .values(name)
        .build();
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_resources()
            .tag_filters(filter.clone())
            .set_pagination_token(token.clone())
            .send()
            .await?;
        arns.extend(
            page.resource_tag_mapping_list()
                .iter()
                .filter_map(|m| m.resource_arn().map(str::to_string)),
        );
        token = page
            .pagination_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    arns.sort();
    Ok(arns)
}
