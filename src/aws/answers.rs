//! Every AWS answer is read whole, or it is an error — never a shorter answer. The SDK's
//! XML reader takes a 200 whose body was cut short (a proxy, a reset half way) for the
//! whole document, and its readers take an empty 200 for a document with nothing in
//! it: a halved `DescribeSecurityGroups` would silently drop groups, an empty
//! `GetKeyRotationStatus` would say rotation is off. This HTTP client wraps the SDK's
//! default one and refuses such a body as a transient I/O error, which the SDK retries
//! like any other and then reports, so collection records it against what it was
//! reading. Installed once, in `Session::connect`, it covers every call of every
//! service.

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
        let asked = Asked::of(&request);
        let answer = self.0.call(request);
        HttpConnectorFuture::new(async move {
            let mut response = answer.await?;
            if !response.status().is_success() || asked.object {
                return Ok(response);
            }
            let body = ByteStream::new(response.take_body())
                .collect()
                .await
                .map_err(|e| ConnectorError::io(e.into()))?
                .into_bytes();
            if let Err(reason) = whole(&asked, response.status().as_u16(), &body) {
                return Err(ConnectorError::io(
                    format!("the {} answer was not whole: {reason}", asked.service).into(),
                ));
            }
            *response.body_mut() = SdkBody::from(body);
            Ok(response)
        })
    }
}

/// What a request says of the answer it expects. Decided from the request, never from
/// the answer's content type (which the emulator, and any proxy, may get wrong).
#[derive(Debug)]
struct Asked {
    /// The service the request was signed for (`Credential=…/<region>/<service>/…`).
    service: String,
    /// A read: a GET, a POST of the query protocol (EC2, SNS, STS: always answered with
    /// XML) or a JSON-protocol `Get…`, `List…` or `Describe…`. AWS always answers a read
    /// with a document, so an empty 200 is not an answer; a write may have none
    /// (KMS's `EnableKeyRotation`).
    document: bool,
    /// An S3 object (`GetObject`): bytes of the user's, not a protocol document.
    object: bool,
}

impl Asked {
    fn of(request: &HttpRequest) -> Asked {
        let service = request
            .headers()
            .get("authorization")
            .and_then(|auth| auth.split("Credential=").nth(1))
            .and_then(|cred| cred.split(['/', ',']).nth(3))
            .unwrap_or("AWS")
            .to_string();
        let object = service == "s3" && request.uri().contains("x-id=GetObject");
        let header = |name| request.headers().get(name).unwrap_or_default();
        let operation = header("x-amz-target")
            .rsplit('.')
            .next()
            .unwrap_or_default();
        let document = request.method() == "GET"
            || header("content-type").starts_with("application/x-www-form-urlencoded")
            || ["Get", "List", "Describe"]
                .iter()
                .any(|verb| operation.starts_with(verb));
        Asked {
            service,
            document,
            object,
        }
    }
}

/// Whether `body`, answered with `status` to `asked`, is a whole document. A cut JSON
/// document the SDK's own reader refuses; a cut XML one it takes for the whole (it
/// stops at the end of the input), and an empty body either takes for a document
/// with nothing in it: those two are checked here.
fn whole(asked: &Asked, status: u16, body: &[u8]) -> Result<(), String> {
    let text = body.trim_ascii();
    if text.is_empty() {
        // 202 and 204 are answers without a body by definition.
        return if asked.document && !matches!(status, 202 | 204) {
            Err("it is empty".to_string())
        } else {
            Ok(())
        };
    }
    if text.starts_with(b"<") {
        xml_closed(text)
    } else {
        Ok(())
    }
}

/// Whether the XML document's root element is closed at its very end.
fn xml_closed(text: &[u8]) -> Result<(), String> {
    let mut rest = text;
    // Skip the declaration, comments and processing instructions before the root.
    while let Some(stripped) = rest
        .strip_prefix(b"<?")
        .or_else(|| rest.strip_prefix(b"<!"))
    {
        let end = stripped
            .iter()
            .position(|&b| b == b'>')
            .ok_or_else(|| "it ends inside its prologue".to_string())?;
        rest = stripped[end + 1..].trim_ascii_start();
    }
    let after = rest
        .strip_prefix(b"<")
        .ok_or_else(|| "it has no root element".to_string())?;
    let name_len = after
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        .unwrap_or(after.len());
    let root = &after[..name_len];
    if root.is_empty() {
        return Err("it has no root element".to_string());
    }
    let self_closed = rest
        .iter()
        .position(|&b| b == b'>')
        .is_some_and(|end| end + 1 == rest.len() && rest[..end].ends_with(b"/"));
    let closed = rest
        .strip_suffix(b">")
        .and_then(|r| r.strip_suffix(root))
        .is_some_and(|r| r.ends_with(b"</"));
    if self_closed || closed {
        Ok(())
    } else {
        Err(format!(
            "<{}> is never closed",
            String::from_utf8_lossy(root)
        ))
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

    fn asked(service: &str, method: &str, uri: &str) -> Asked {
        asked_with(service, method, uri, &[])
    }

    fn asked_with(service: &str, method: &str, uri: &str, headers: &[(&str, &str)]) -> Asked {
        let mut request = HttpRequest::new(SdkBody::empty());
        for (name, value) in headers {
            request
                .headers_mut()
                .insert(name.to_string(), value.to_string());
        }
        request.set_method(method).unwrap();
        request.set_uri(uri).unwrap();
        request.headers_mut().insert(
            "authorization",
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/{service}/aws4_request, \
                 SignedHeaders=host, Signature=0"
            ),
        );
        Asked::of(&request)
    }

    #[test]
    fn a_whole_xml_answer_passes_and_any_cut_of_it_does_not() {
        let read = asked_with(
            "ec2",
            "POST",
            "https://ec2.us-east-1.amazonaws.com/",
            &[("content-type", "application/x-www-form-urlencoded")],
        );
        assert_eq!(whole(&read, 200, GROUPS.as_bytes()), Ok(()));
        for cut in 0..GROUPS.trim_end().len() - 1 {
            let part = &GROUPS.as_bytes()[..cut];
            assert!(whole(&read, 200, part).is_err(), "cut at {cut} passed");
        }
        let versioning = asked("s3", "GET", "https://b.s3.amazonaws.com/?versioning");
        assert_eq!(
            whole(
                &versioning,
                200,
                br#"<?xml version="1.0"?><VersioningConfiguration xmlns="x"/>"#
            ),
            Ok(())
        );
        assert!(whole(&versioning, 200, b"<VersioningConfiguration xmlns=\"x\"").is_err());
        let policy = asked("s3", "GET", "https://b.s3.amazonaws.com/?policy");
        assert_eq!(whole(&policy, 200, br#"{"Version": "2012-10-17"}"#), Ok(()));
    }

    #[test]
    fn an_empty_answer_to_a_read_is_not_an_answer() {
        let form = ("content-type", "application/x-www-form-urlencoded");
        for (service, method, uri, headers) in [
            (
                "kms",
                "POST",
                "https://kms.us-east-1.amazonaws.com/",
                vec![("x-amz-target", "TrentService.GetKeyRotationStatus")],
            ),
            (
                "kms",
                "POST",
                "https://kms.us-east-1.amazonaws.com/",
                vec![("x-amz-target", "TrentService.ListKeys")],
            ),
            (
                "lambda",
                "GET",
                "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/",
                vec![],
            ),
            ("s3", "GET", "https://b.s3.amazonaws.com/?policy", vec![]),
            (
                "sns",
                "POST",
                "https://sns.us-east-1.amazonaws.com/",
                vec![form],
            ),
        ] {
            let read = asked_with(service, method, uri, &headers);
            assert!(whole(&read, 200, b"").is_err(), "{service} {headers:?}");
            assert!(whole(&read, 200, b" \n").is_err(), "{service} {headers:?}");
            assert_eq!(whole(&read, 204, b""), Ok(()), "{service} 204");
        }
        // Writes may be answered without a body.
        let write = asked("s3", "PUT", "https://b.s3.amazonaws.com/?versioning");
        assert_eq!(whole(&write, 200, b""), Ok(()));
        let rotate = asked_with(
            "kms",
            "POST",
            "https://kms.us-east-1.amazonaws.com/",
            &[("x-amz-target", "TrentService.EnableKeyRotation")],
        );
        assert_eq!(whole(&rotate, 200, b""), Ok(()));
    }

    #[test]
    fn s3_objects_are_never_read_as_protocol_documents() {
        let object = asked(
            "s3",
            "GET",
            "https://b.s3.amazonaws.com/scans/a.json?x-id=GetObject",
        );
        assert!(object.object);
        assert!(!asked("s3", "GET", "https://b.s3.amazonaws.com/?policy").object);
        assert!(
            !asked(
                "lambda",
                "GET",
                "https://l/2015-03-31/functions/?x-id=GetObject"
            )
            .object
        );
    }
}
