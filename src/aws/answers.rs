//! Every AWS answer is read whole, or it is an error — never a shorter answer. The SDK's
//! XML and JSON readers take a 200 whose body was cut short (a proxy, a reset half way)
//! for the whole document: a halved `DescribeSecurityGroups` would silently drop groups.
//! This HTTP client wraps the SDK's default one and refuses such a body as a transient
//! I/O error, which the SDK retries like any other and then reports, so collection
//! records it against what it was reading. Installed once, in `Session::connect`, it
//! covers every call of every service.

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{tls, Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

/// The SDK's default HTTPS client (rustls with aws-lc, the environment's proxy), each
/// answer checked whole.
#[derive(Debug)]
pub struct WholeAnswers(SharedHttpClient);

impl WholeAnswers {
    pub fn new() -> WholeAnswers {
        WholeAnswers(
            Builder::new().build_with_connector_fn(|settings, components| {
                let mut connector = ConnectorBuilder::default().tls_provider(
                    tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc),
                );
                connector.set_connector_settings(settings.cloned());
                if let Some(components) = components {
                    connector.set_sleep_impl(components.sleep_impl());
                }
                connector.set_proxy_config(Some(ProxyConfig::from_env()));
                connector.build()
            }),
        )
    }
}

impl HttpClient for WholeAnswers {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(Checked(self.0.http_connector(settings, components)))
    }
}

#[derive(Debug)]
struct Checked(SharedHttpConnector);

impl HttpConnector for Checked {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let service = signed_service(&request);
        let answer = self.0.call(request);
        HttpConnectorFuture::new(async move {
            let mut response = answer.await?;
            if !response.status().is_success() {
                return Ok(response);
            }
            let kind = content_kind(
                response.headers().get("content-type").unwrap_or_default(),
                &service,
            );
            if kind == Kind::Opaque {
                return Ok(response);
            }
            let body = ByteStream::new(response.take_body())
                .collect()
                .await
                .map_err(|e| ConnectorError::io(e.into()))?
                .into_bytes();
            if let Err(reason) = whole(kind, &body) {
                return Err(ConnectorError::io(
                    format!("the {service} answer was not whole: {reason}").into(),
                ));
            }
            *response.body_mut() = SdkBody::from(body);
            Ok(response)
        })
    }
}

/// What a body is expected to be.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Xml,
    /// The awsJson protocols (KMS, Logs, EventBridge …): always a JSON object.
    AwsJson,
    /// REST-JSON (Lambda): JSON when there is a body.
    RestJson,
    /// Anything else, and every S3 object: not a protocol document.
    Opaque,
}

fn content_kind(content_type: &str, service: &str) -> Kind {
    let ty = content_type.to_ascii_lowercase();
    if ty.contains("xml") {
        Kind::Xml
    } else if ty.starts_with("application/x-amz-json") {
        Kind::AwsJson
    } else if ty.starts_with("application/json") && service != "s3" {
        Kind::RestJson
    } else {
        Kind::Opaque
    }
}

/// The service a request was signed for (`Credential=…/<region>/<service>/aws4_request`).
fn signed_service(request: &HttpRequest) -> String {
    request
        .headers()
        .get("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|cred| cred.split(['/', ',']).nth(3))
        .unwrap_or("AWS")
        .to_string()
}

/// Whether `body` is a whole document of `kind`.
fn whole(kind: Kind, body: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(body).map_err(|_| "it is not UTF-8".to_string())?;
    let text = text.trim();
    match kind {
        Kind::Opaque => Ok(()),
        // S3 answers some calls with a document of another kind (a bucket policy).
        Kind::Xml if !text.starts_with('<') => Ok(()),
        Kind::Xml => xml_closed(text),
        Kind::RestJson if text.is_empty() => Ok(()),
        Kind::AwsJson if text.is_empty() => Err("it is empty".to_string()),
        Kind::AwsJson | Kind::RestJson => serde_json::from_str::<serde::de::IgnoredAny>(text)
            .map(drop)
            .map_err(|e| format!("its JSON ends early or is broken ({e})")),
    }
}

/// Whether the document's root element is closed at its very end.
fn xml_closed(text: &str) -> Result<(), String> {
    let mut rest = text;
    // Skip the declaration, comments and processing instructions before the root.
    while let Some(stripped) = rest.strip_prefix("<?").or_else(|| rest.strip_prefix("<!")) {
        let end = stripped
            .find('>')
            .ok_or_else(|| "it ends inside its prologue".to_string())?;
        rest = stripped[end + 1..].trim_start();
    }
    let root: String = rest
        .strip_prefix('<')
        .ok_or_else(|| "it has no root element".to_string())?
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    if root.is_empty() {
        return Err("it has no root element".to_string());
    }
    let self_closed = rest
        .find('>')
        .is_some_and(|end| end + 1 == rest.len() && rest[..end].ends_with('/'));
    if self_closed || rest.ends_with(&format!("</{root}>")) {
        Ok(())
    } else {
        Err(format!("<{root}> is never closed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUPS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>1</requestId><securityGroupInfo><item><groupId>sg-1</groupId></item>
  <item><groupId>sg-2</groupId></item></securityGroupInfo>
</DescribeSecurityGroupsResponse>"#;

    #[test]
    fn a_whole_xml_answer_passes_and_any_cut_of_it_does_not() {
        assert_eq!(whole(Kind::Xml, GROUPS.as_bytes()), Ok(()));
        for cut in 1..GROUPS.trim_end().len() - 1 {
            let part = &GROUPS.as_bytes()[..cut];
            if std::str::from_utf8(part).is_ok_and(|p| p.trim().is_empty()) {
                continue; // an empty body is an answer without content (S3's PUTs)
            }
            assert!(whole(Kind::Xml, part).is_err(), "cut at {cut} passed");
        }
        assert_eq!(
            whole(
                Kind::Xml,
                br#"<?xml version="1.0"?><VersioningConfiguration xmlns="x"/>"#
            ),
            Ok(())
        );
        assert_eq!(whole(Kind::Xml, br#"{"Version": "2012-10-17"}"#), Ok(()));
    }

    #[test]
    fn json_answers_must_parse_and_awsjson_ones_must_be_there() {
        assert_eq!(
            whole(Kind::AwsJson, br#"{"Keys": [], "Truncated": false}"#),
            Ok(())
        );
        assert!(whole(Kind::AwsJson, br#"{"Keys": [{"KeyId": "a"}"#).is_err());
        assert!(whole(Kind::AwsJson, b"").is_err());
        assert_eq!(whole(Kind::RestJson, b""), Ok(()));
        assert!(whole(Kind::RestJson, br#"{"Functions": ["#).is_err());
    }

    #[test]
    fn s3_objects_are_never_read_as_protocol_documents() {
        assert_eq!(content_kind("application/json", "s3"), Kind::Opaque);
        assert_eq!(content_kind("application/json", "lambda"), Kind::RestJson);
        assert_eq!(
            content_kind("application/x-amz-json-1.1", "kms"),
            Kind::AwsJson
        );
        assert_eq!(content_kind("text/xml;charset=UTF-8", "ec2"), Kind::Xml);
        assert_eq!(content_kind("text/csv", "s3"), Kind::Opaque);
    }
}
