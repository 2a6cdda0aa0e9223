//! Replies end to end: addressing, the outbound token, retries on throttling, token refresh
//! after a 401, and what happens when the retries run out (the outbox, see `delivery.rs`).

use std::collections::HashMap;
use std::time::Duration;

use aws_chatops::auth::TokenProvider;
use aws_chatops::bot::NO_COMMAND_ENGINE;
use aws_chatops::config::Config;
use aws_chatops::teams::RetryPolicy;
use serde_json::json;

use crate::support::app::{bot_id, Options, TestApp, APP_ID, APP_PASSWORD, TENANT_ID, USER_AAD_ID};
use crate::support::standins::TokenStandIn;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_teams_message_gets_a_correctly_addressed_reply() {
    let h = TestApp::start().await;
    let incoming = h.message("lambda get-function —function-name “my fn”");
    let response = h.post(&incoming, Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        "",
        "a message is acknowledged with an empty body"
    );

    h.wait_for_connector(1).await;
    let sent = &h.connector.state.received()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.path,
        "/amer/v3/conversations/19%3Aops-channel%40thread%2Etacv2%3Bmessageid%3D1776390257332/activities/1776390257332",
        "reply endpoint, ids percent-encoded (dots too), no doubled slash after the service URL"
    );
    assert_eq!(
        sent.authorization.as_deref(),
        Some("Bearer test-access-token-1")
    );

    let reply = &sent.body;
    assert_eq!(reply["type"], "message");
    assert_eq!(reply["conversation"], incoming["conversation"]);
    assert_eq!(reply["from"], json!({"id": bot_id(), "name": "AWS"}));
    assert_eq!(reply["recipient"]["id"], "29:1user-mri");
    assert_eq!(reply["recipient"]["aadObjectId"], USER_AAD_ID);
    assert_eq!(reply["replyToId"], "1776390257332");
    // No command engine in this harness: the honest fixed answer, as text.
    assert_eq!(reply["text"], NO_COMMAND_ENGINE);

    // The token came from the token endpoint, asked for correctly.
    assert_eq!(h.token.state.calls(), 1);
    let (tenant, form) = h.token.state.last_request.lock().unwrap().clone().unwrap();
    assert_eq!(tenant, TENANT_ID);
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], APP_ID);
    assert_eq!(form["client_secret"], APP_PASSWORD);
    assert_eq!(form["scope"], "https://api.botframework.com/.default");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_is_cached_between_replies() {
    let h = TestApp::start().await;
    for index in 0..3 {
        h.send(&h.message_in(&format!("c-{index}"), "help")).await;
    }
    h.wait_for_connector(3).await;
    assert_eq!(h.token.state.calls(), 1);
}

/// The `Authorization` of every request the Connector received, in order.
fn tokens_used(h: &TestApp) -> Vec<String> {
    let received = h.connector.state.received();
    received
        .iter()
        .map(|r| r.authorization.clone().unwrap_or_default())
        .collect()
}

/// Sends one message while the Connector throttles its next `times` requests with
/// `Retry-After: retry_after` (seconds), and waits until it has received `requests` requests
/// and the turn is over.
async fn send_throttled(h: &TestApp, times: usize, retry_after: u64, requests: usize) {
    h.connector.state.throttle(times, retry_after);
    h.send(&h.message("s3 ls")).await;
    h.wait_settled(requests).await;
}

/// Starts a bot with `options`, sends one message while the Connector throttles (`throttle`:
/// how many requests, with which `Retry-After`), and checks that the bot sent `sent` requests,
/// retried `retried` times and then kept the reply in the outbox.
async fn outboxed_by_throttling(
    options: Options,
    throttle: (usize, u64),
    sent: usize,
    retried: u64,
) {
    let h = TestApp::start_with(options).await;
    h.wait_ready().await;
    send_throttled(&h, throttle.0, throttle.1, sent).await;
    h.assert_sent(sent, "requests before the reply went to the outbox");
    h.assert_counters(|c| (c.outboxed, c.retried), (1, retried));
}

/// What proves that `Retry-After` is honoured, without measuring time: the throttled reply is
/// sent again (the same body) and succeeds; and a `Retry-After` of 30 s (within the 60 s this
/// bot accepts) that cannot fit in the call's 10 s budget makes the bot give up at once and
/// keep the reply in the outbox, where a bot that ignored it would have retried after its own
/// 20 ms backoff and succeeded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_with_retry_after_is_honoured_then_the_reply_succeeds() {
    let h = TestApp::start().await;
    send_throttled(&h, 1, 1, 2).await;
    let received = h.connector.state.received();
    assert_eq!(received.len(), 2, "one throttled attempt, one retry");
    assert_eq!(received[0].body, received[1].body);
    h.assert_counters(|c| (c.retried, c.outboxed), (1, 0));

    let retry = RetryPolicy {
        max_retry_after: Duration::from_secs(60),
        ..Options::default().retry
    };
    assert_eq!(retry.max_elapsed, Duration::from_secs(10));
    let patient = Options {
        retry,
        ..Options::default()
    };
    // No retry within the call.
    outboxed_by_throttling(patient, (1, 30), 1, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_throttling_moves_the_reply_to_the_outbox_after_the_retry_budget() {
    // The first attempt and 3 retries, then the call stops.
    outboxed_by_throttling(Options::default(), (100, 0), 4, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_beyond_the_limit_moves_the_reply_to_the_outbox_at_once() {
    // No retry: the Retry-After is beyond the limit.
    outboxed_by_throttling(Options::default(), (100, 3600), 1, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_from_the_connector_refreshes_the_token_once() {
    let h = TestApp::start().await;
    let unauthorized = |times| {
        h.connector
            .state
            .unauthorized_next
            .store(times, std::sync::atomic::Ordering::SeqCst)
    };
    unauthorized(1);
    h.send(&h.message("s3 ls")).await;
    h.wait_settled(2).await;
    assert_eq!(
        tokens_used(&h),
        ["Bearer test-access-token-1", "Bearer test-access-token-2"]
    );
    assert_eq!(h.token.state.calls(), 2);

    // A connector that keeps refusing gets one refresh, not a loop.
    unauthorized(100);
    h.send(&h.message("s3 ls")).await;
    h.wait_settled(4).await;
    h.assert_sent(4, "one refresh, not a loop");
    assert_eq!(h.token.state.calls(), 3);
    // A second 401 is a refusal, not an outage: the reply is not kept for later.
    h.assert_counters(|c| (c.refused, c.outboxed), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_tokens_are_refreshed_before_they_expire() {
    let h = TestApp::start_with(Options::default()).await;
    h.wait_ready().await;
    // A token issued with `expires_in: 0` is past its refresh point as soon as it arrives: the
    // next reply must fetch a new one rather than reuse it (when exactly a longer-lived token
    // is refreshed is checked on a paused clock below).
    h.token
        .state
        .expires_in
        .store(0, std::sync::atomic::Ordering::SeqCst);
    h.send(&h.message_in("c-a", "s3 ls")).await;
    h.wait_for_connector(1).await;
    h.send(&h.message_in("c-b", "s3 ls")).await;
    h.wait_for_connector(2).await;
    assert_eq!(h.token.state.calls(), 2);
    assert_eq!(
        tokens_used(&h),
        ["Bearer test-access-token-1", "Bearer test-access-token-2"]
    );
}

/// A 2 s token is refreshed at half its life and not before: reused at 0.9 s, replaced at
/// 1.1 s. The token cache runs on tokio's clock, which this test pauses and moves by hand.
#[tokio::test]
async fn a_short_lived_token_is_refreshed_at_half_its_life() {
    let token = TokenStandIn::start();
    token
        .state
        .expires_in
        .store(2, std::sync::atomic::Ordering::SeqCst);
    let settings = HashMap::from([
        ("MicrosoftAppId", APP_ID.to_owned()),
        ("MicrosoftAppPassword", APP_PASSWORD.to_owned()),
        ("MicrosoftAppTenantId", TENANT_ID.to_owned()),
        ("ToChannelFromBotLoginUrl", token.login_url(TENANT_ID)),
    ]);
    let config = Config::from_lookup(|name| settings.get(name).cloned()).expect("test config");
    let tokens = TokenProvider::new(&config, reqwest::Client::new());
    let first = tokens.token().await.expect("a token");
    assert_eq!(token.state.calls(), 1);

    tokio::time::pause();
    tokio::time::advance(Duration::from_millis(900)).await;
    assert_eq!(tokens.token().await.expect("a token"), first);
    assert_eq!(token.state.calls(), 1, "reused before half its life");

    tokio::time::advance(Duration::from_millis(200)).await;
    // The refresh is a real HTTP request: let the clock run again (from 1.1 s on) so that its
    // timeout is not hit by a paused clock jumping ahead while the runtime waits on the socket.
    tokio::time::resume();
    let second = tokens.token().await.expect("a token");
    assert_ne!(second, first);
    assert_eq!(token.state.calls(), 2, "refreshed past half its life");
}
