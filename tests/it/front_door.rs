//! The front door cannot be exhausted: bodies are read only for authenticated requests, within a
//! deadline and a number of concurrent reads; and `/readyz` reports the store's health. All
//! through real HTTP (raw TCP where a client must misbehave).

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_chatops::bot::DurableConversationStore;
use aws_chatops::store::RedisStore;
use serde_json::{json, Value};

use crate::support::app::{poll_for, wait_until, Answer, Options, TestApp};

/// Just under the default body limit (256 KiB), as an attacker holding memory would announce.
const ANNOUNCED: usize = 262_143;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_connections_without_a_valid_token_get_401_without_sending_their_body() {
    let h = TestApp::start().await;
    let partial = vec![b' '; 4096];
    let started = Instant::now();
    let mut connections = Vec::new();
    for index in 0..200 {
        // Half send no Authorization at all, half a token that is not a JWT.
        let authorization = (index % 2 == 1).then_some("Bearer not.a.jwt");
        connections.push(h.stalled_post(authorization, ANNOUNCED, &partial).await);
    }
    let answers = futures_util::future::join_all(
        connections
            .iter_mut()
            .map(|connection| connection.answer(Duration::from_secs(10))),
    )
    .await;
    for (index, answer) in answers.iter().enumerate() {
        assert_eq!(answer, &Answer::Status(401), "connection {index}");
    }
    // The body-read deadline is 10 s: every answer came well before any body could have been
    // waited for.
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "answered in {:?}",
        started.elapsed()
    );
    for connection in &mut connections {
        assert!(
            connection.closed_within(Duration::from_secs(5)).await,
            "the server closes a connection whose body it will not read"
        );
    }
    h.assert_sent(0, "nothing sent for a body not read");
}

/// Waits until `count` request bodies are being read. (Probing with requests would race: a
/// probe that takes the one slot first makes the bot refuse the body the test holds back.)
async fn wait_body_reads(h: &TestApp, count: usize, what: &str) {
    let server = h.server();
    wait_until(what, || server.body_reads_in_progress() == count).await;
}

/// Posts a body that is not JSON with a valid token: 400 while a body-read slot is free, 503
/// while none is; never a turn.
async fn probe(h: &TestApp) -> reqwest::Response {
    h.post_bytes(b"{not json".to_vec(), Some(&h.bearer())).await
}

/// The body-read deadline is proven by the order of events, not by how long anything took. A
/// body sent in two parts, the second only once the bot is seen waiting for it (its one
/// body-read slot is taken), is read in full and answered 200: the bot waits for a live client.
/// (That bot's deadline is 30 s, so a slow machine cannot make the probe miss the wait.) With a
/// 1 s deadline, a body that stalls is answered 408 and its connection closed, and a prompt
/// client is unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stalls_is_answered_408_at_the_deadline_and_its_connection_closed() {
    let patient = TestApp::with_settings(&[
        ("AWS_CHATOPS_BODY_READ_TIMEOUT_SECONDS", "30"),
        ("AWS_CHATOPS_MAX_BODY_READS", "1"),
    ])
    .await;
    let message = patient.message("s3 ls").to_string().into_bytes();
    let (first, rest) = message.split_at(message.len() / 2);
    let mut slow = patient
        .stalled_post(Some(&patient.bearer()), message.len(), first)
        .await;
    wait_body_reads(&patient, 1, "the bot reading the first part").await;
    assert_eq!(probe(&patient).await.status(), 503);
    slow.send(rest).await;
    assert_eq!(
        slow.answer(Duration::from_secs(10)).await,
        Answer::Status(200)
    );
    patient.wait_settled(1).await;

    let h = TestApp::with_settings(&[
        ("AWS_CHATOPS_BODY_READ_TIMEOUT_SECONDS", "1"),
        ("AWS_CHATOPS_MAX_BODY_READS", "1"),
    ])
    .await;
    let mut stalled = h
        .stalled_post(Some(&h.bearer()), message.len(), first)
        .await;
    let answer = stalled.answer(Duration::from_secs(10)).await;
    assert_eq!(answer, Answer::Status(408));
    assert!(stalled.closed_within(Duration::from_secs(5)).await);
    h.wait_turns_idle().await;
    h.assert_sent(0, "nothing sent for the body not read");

    // A prompt client is unaffected.
    h.send(&h.message("s3 ls")).await;
    h.wait_for_connector(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_body_read_slot_is_taken_the_next_authenticated_request_gets_503() {
    let h = TestApp::with_settings(&[("AWS_CHATOPS_MAX_BODY_READS", "1")]).await;
    // A body that is not JSON: 400 when a slot is free, 503 when none is, and never a turn.
    let message = h.message("s3 ls").to_string().into_bytes();
    let stalled = h
        .stalled_post(Some(&h.bearer()), message.len(), &message[..10])
        .await;
    wait_body_reads(&h, 1, "the slot taken").await;
    let full = probe(&h).await;
    assert_eq!(full.status(), 503);
    assert_eq!(
        full.headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok()),
        Some("1")
    );
    // Without a valid token the answer is still 401: authentication comes first.
    let response = h.post_bytes(b"{not json".to_vec(), None).await;
    assert_eq!(response.status(), 401);

    // The client goes away: its slot is released.
    drop(stalled);
    wait_body_reads(&h, 0, "the slot released").await;
    assert_eq!(probe(&h).await.status(), 400);
    h.assert_sent(0, "nothing sent for a body not read");
}

/// A port nothing listens on: bound, then released.
fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn redis_url() -> String {
    std::env::var("AWS_CHATOPS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

async fn readyz(h: &TestApp) -> (u16, Value) {
    let response = h.http.get(h.url("/readyz")).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_reports_the_store() {
    let prefix = format!("aws-chatops-it-{}", uuid::Uuid::new_v4());
    let cases = [
        (
            "Redis answering",
            redis_url(),
            200,
            json!({"signingKeysLoaded": true, "storeReachable": true}),
        ),
        (
            "nothing listening",
            format!("redis://127.0.0.1:{}", unused_port()),
            503,
            json!({"signingKeysLoaded": true, "storeReachable": false}),
        ),
    ];
    for (name, url, expected_status, expected_body) in cases {
        let store = RedisStore::connect_lazy(&url, &prefix).unwrap();
        let h = TestApp::start_with(Options {
            conversation_store: Some(Arc::new(DurableConversationStore::new(Arc::new(store)))),
            ..Options::default()
        })
        .await;
        // Wait for the signing keys, so that only the store decides.
        let (status, body) = poll_for(&format!("{name}: the signing keys"), || async {
            let (status, body) = readyz(&h).await;
            (body["signingKeysLoaded"] == json!(true)).then_some((status, body))
        })
        .await;
        assert_eq!(status, expected_status, "{name}");
        assert_eq!(body, expected_body, "{name}");
    }
}
