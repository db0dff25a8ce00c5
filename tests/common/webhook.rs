//! A webhook receiver served on loopback for the tests of `notify` and the Lambda's
//! posts: it answers as told (a 5xx retried, a 4xx final) and keeps each request.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::Emulator;

/// One request the receiver took: its headers (lower-cased names) and JSON body.
pub type Received = Arc<Mutex<Vec<(BTreeMap<String, String>, Value)>>>;

/// A receiver answering each request with the next of `statuses` (the last one again
/// once they run out).
pub fn receiver(statuses: &[u16]) -> (String, Received) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Received = Arc::default();
    let (seen, statuses) = (got.clone(), statuses.to_vec());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().flatten().enumerate() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = BTreeMap::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h == "\r\n" || h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                }
            }
            let length: usize = headers
                .get("content-length")
                .and_then(|l| l.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock().unwrap().push((
                headers,
                serde_json::from_slice(&body).unwrap_or(Value::Null),
            ));
            let status = statuses.get(n).or(statuses.last()).copied().unwrap_or(200);
            let mut out = stream;
            let _ = write!(
                out,
                "HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            );
        }
    });
    (url, got)
}

/// The stack's webhook secret (`compliance-webhook`) holding `url`; its ARN.
pub fn webhook_secret(emu: &Emulator, url: &str) -> String {
    emu.boto(&format!(
        r#"print(client("secretsmanager").create_secret(Name="compliance-webhook", SecretString=json.dumps({{"url": "{url}"}}))["ARN"])"#
    ))
    .trim()
    .to_string()
}
