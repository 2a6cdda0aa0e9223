//! Errors users can act on: when STS or AWS fails in a way only an operator can look into,
//! the card says what failed in plain words with a short reference, and the SDK's report,
//! response bodies and internal endpoint URLs stay in the log.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use aws_chatops::aws::EngineConfig;

use crate::access::text;
use crate::support::app::{TestApp, ONCALL};
use crate::support::moto;

/// An endpoint that answers every request with a 200 whose body no AWS parser can read, and a
/// header and body that must never reach a card.
fn garbage_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buffer = [0u8; 16384];
                let _ = stream.read(&mut buffer);
                let body = "<html>proxy-internal-page upstream=sts-backend-7</html>";
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nx-internal-route: edge-proxy-3\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
            });
        }
    });
    url
}

fn assert_no_internals(shown: &str, endpoint: &str) {
    for internal in [
        "proxy-internal-page",
        "sts-backend-7",
        "edge-proxy-3",
        "aws_sdk",
        "aws-smithy",
        "DispatchFailure",
        "ResponseError",
        endpoint.trim_start_matches("http://"),
    ] {
        assert!(!shown.contains(internal), "{internal:?} shown: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_sts_answer_is_told_in_plain_words() {
    let sts = garbage_endpoint();
    let engine = EngineConfig {
        endpoint_url: Some(moto::moto().url.clone()),
        service_endpoints: [("STS".to_owned(), sts.clone())].into(),
        max_attempts: 1,
        ..EngineConfig::default()
    };
    let bot = TestApp::with_access(engine, "\"ReadOnly\"").await;
    let shown = text(&bot.say_in(ONCALL, "cloudwatch describe-alarms").await);
    assert!(
        shown.contains("STS could not be reached or its answer could not be read"),
        "{shown}"
    );
    assert_no_internals(&shown, &sts);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_aws_endpoint_is_told_with_a_reference_not_its_url() {
    // A port nothing listens on: the connection is refused.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let engine = EngineConfig {
        endpoint_url: Some(endpoint.clone()),
        service_endpoints: [("STS".to_owned(), moto::moto().url.clone())].into(),
        max_attempts: 1,
        timeout: Duration::from_secs(5),
        ..EngineConfig::default()
    };
    let bot = TestApp::with_access(engine, "\"ReadOnly\"").await;
    let shown = text(&bot.say_in(ONCALL, "cloudwatch describe-alarms").await);
    assert!(shown.contains("AWS could not be reached"), "{shown}");
    assert!(shown.contains("reference"), "{shown}");
    assert_no_internals(&shown, &endpoint);
}
