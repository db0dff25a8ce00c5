//! Posting a webhook's messages: JSON over HTTPS with the SDK's own HTTP client (rustls
//! with aws-lc, the environment's proxy), each post given `TIMEOUT` and sent again with
//! backoff after a timeout, a failed connection, a 429 or a 5xx; any other answer is
//! final. Nothing here decides what is sent.

use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{tls, Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(10);
const TRIES: u32 = 4;
/// The first pause between tries, doubled each time.
const BACKOFF: Duration = Duration::from_millis(250);

/// A receiver: its URL and any headers it wants (Jira's and ServiceNow's
/// `Authorization`).
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub url: String,
    pub headers: Vec<(String, String)>,
}

impl Webhook {
    /// A webhook from a URL, or from a Secrets Manager secret's value: the URL alone, or
    /// `{"url": …, "headers": {…}, "jira_project": …}`. Returns it with the Jira project.
    pub fn parse(value: &str) -> Result<(Webhook, Option<String>), String> {
        let value = value.trim();
        if !value.starts_with('{') {
            return Ok((Webhook::at(value)?, None));
        }
        let doc: Value = serde_json::from_str(value)
            .map_err(|e| format!("the webhook secret is neither a URL nor JSON: {e}"))?;
        let url = doc["url"]
            .as_str()
            .ok_or("the webhook secret has no \"url\"")?;
        let mut hook = Webhook::at(url)?;
        if let Some(headers) = doc["headers"].as_object() {
            for (k, v) in headers {
                let v = v
                    .as_str()
                    .ok_or(format!("the webhook header {k} is not text"))?;
                hook.headers.push((k.clone(), v.to_string()));
            }
        }
        Ok((hook, doc["jira_project"].as_str().map(str::to_string)))
    }

    fn at(url: &str) -> Result<Webhook, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("{url:?} is not an http(s) URL"));
        }
        Ok(Webhook {
            url: url.to_string(),
            headers: Vec::new(),
        })
    }
}

/// Posts each body in turn; how many were delivered, or why one was not (those after
/// it are not sent: a receiver that refuses one would refuse the rest).
pub async fn post_all(hook: &Webhook, bodies: &[Value]) -> Result<usize, String> {
    let mut builder = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
        tls::rustls_provider::CryptoMode::AwsLc,
    ));
    builder.set_proxy_config(Some(ProxyConfig::from_env()));
    let connector = builder.build();
    for (n, body) in bodies.iter().enumerate() {
        post(&connector, hook, body).await.map_err(|e| {
            format!(
                "the webhook did not take message {} of {}: {e}",
                n + 1,
                bodies.len()
            )
        })?;
    }
    Ok(bodies.len())
}

async fn post(connector: &Connector, hook: &Webhook, body: &Value) -> Result<(), String> {
    let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    let mut last = String::new();
    for attempt in 0..TRIES {
        if attempt > 0 {
            tokio::time::sleep(BACKOFF * 2u32.pow(attempt - 1)).await;
        }
        let mut request = HttpRequest::new(SdkBody::from(bytes.clone()));
        request.set_method("POST").map_err(|e| e.to_string())?;
        request
            .set_uri(hook.url.as_str())
            .map_err(|e| format!("{} is not a URL: {e}", hook.url))?;
        let headers = request.headers_mut();
        headers.insert("content-type", "application/json");
        for (k, v) in &hook.headers {
            headers
                .try_insert(k.clone(), v.clone())
                .map_err(|e| format!("the header {k} cannot be sent: {e}"))?;
        }
        match tokio::time::timeout(TIMEOUT, connector.call(request)).await {
            Err(_) => last = format!("no answer within {}s", TIMEOUT.as_secs()),
            Ok(Err(e)) => last = format!("the connection failed: {e}"),
            Ok(Ok(answer)) => {
                let status = answer.status().as_u16();
                if (200..300).contains(&status) {
                    return Ok(());
                }
                let text = answer
                    .body()
                    .bytes()
                    .map(|b| {
                        String::from_utf8_lossy(b)
                            .chars()
                            .take(200)
                            .collect::<String>()
                    })
                    .unwrap_or_default();
                last = format!("HTTP {status} {text}").trim_end().to_string();
                if status != 429 && status < 500 {
                    return Err(last);
                }
            }
        }
    }
    Err(format!("{last} ({TRIES} tries)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_is_a_url_or_a_secret_with_headers_and_a_project() {
        let (hook, project) = Webhook::parse(" https://hooks.slack.com/services/T/B/x \n").unwrap();
        assert_eq!(hook.url, "https://hooks.slack.com/services/T/B/x");
        assert!(hook.headers.is_empty() && project.is_none());
        let (hook, project) = Webhook::parse(
            r#"{"url": "https://acme.atlassian.net/rest/api/2/issue", "headers": {"Authorization": "Basic eDp5"}, "jira_project": "SEC"}"#,
        )
        .unwrap();
        assert_eq!(
            hook.headers,
            [("Authorization".to_string(), "Basic eDp5".to_string())]
        );
        assert_eq!(project.as_deref(), Some("SEC"));
        assert!(Webhook::parse("ftp://x")
            .unwrap_err()
            .contains("not an http(s) URL"));
        assert!(Webhook::parse("{\"headers\": {}}")
            .unwrap_err()
            .contains("no \"url\""));
    }
}
