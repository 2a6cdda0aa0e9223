//! Replies end to end: addressing, the outbound token, retries on throttling, token refresh
//! after a 401, and what happens when the retries run out (the outbox, see `delivery.rs`).

use std::collections::HashMap;
use std::time::Duration;

use aws_chatops::auth::TokenProvider;
use aws_chatops::bot::NO_COMMAND_ENGINE;
use aws_chatops::config::Config;
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
        let response = h
            .post(
                &h.message_in(&format!("c-{index}"), "help"),
                Some(&h.bearer()),
            )
            .await;
        assert_eq!(response.status(), 200);
    }
    h.wait_for_connector(3).await;
    assert_eq!(h.token.state.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_with_retry_after_is_honoured_then_the_reply_succeeds() {
    let h = TestApp::start().await;
    h.connector.state.throttle(1, 1);
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(2).await;
    h.wait_turns_idle().await;
    let received = h.connector.state.received();
    assert_eq!(received.len(), 2, "one throttled attempt, one retry");
    let waited = received[1].at - received[0].at;
    assert!(
        waited >= Duration::from_millis(990),
        "Retry-After: 1 was honoured (waited {waited:?}; the policy's own backoff is 20 ms)"
    );
    assert_eq!(received[0].body, received[1].body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_throttling_moves_the_reply_to_the_outbox_after_the_retry_budget() {
    let h = TestApp::start().await;
    h.connector.state.throttle(100, 0);
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(4).await;
    h.wait_turns_idle().await;
    assert_eq!(
        h.connector.state.count(),
        4,
        "the first attempt and 3 retries, then the call stops"
    );
    let counters = h.delivery_counters();
    assert_eq!(
        (counters.outboxed, counters.retried),
        (1, 3),
        "{counters:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_after_beyond_the_limit_moves_the_reply_to_the_outbox_at_once() {
    let h = TestApp::start().await;
    h.connector.state.throttle(100, 3600);
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(1).await;
    h.wait_turns_idle().await;
    assert_eq!(h.connector.state.count(), 1);
    assert_eq!(h.delivery_counters().outboxed, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_from_the_connector_refreshes_the_token_once() {
    let h = TestApp::start().await;
    h.connector
        .state
        .unauthorized_next
        .store(1, std::sync::atomic::Ordering::SeqCst);
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(2).await;
    h.wait_turns_idle().await;
    let received = h.connector.state.received();
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0].authorization.as_deref(),
        Some("Bearer test-access-token-1")
    );
    assert_eq!(
        received[1].authorization.as_deref(),
        Some("Bearer test-access-token-2")
    );
    assert_eq!(h.token.state.calls(), 2);

    // A connector that keeps refusing gets one refresh, not a loop.
    h.connector
        .state
        .unauthorized_next
        .store(100, std::sync::atomic::Ordering::SeqCst);
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(4).await;
    h.wait_turns_idle().await;
    assert_eq!(h.connector.state.count(), 4);
    assert_eq!(h.token.state.calls(), 3);
    // A second 401 is a refusal, not an outage: the reply is not kept for later.
    let counters = h.delivery_counters();
    assert_eq!(
        (counters.refused, counters.outboxed),
        (1, 0),
        "{counters:?}"
    );
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
    let response = h
        .post(&h.message_in("c-a", "s3 ls"), Some(&h.bearer()))
        .await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(1).await;
    let response = h
        .post(&h.message_in("c-b", "s3 ls"), Some(&h.bearer()))
        .await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(2).await;
    assert_eq!(h.token.state.calls(), 2);
    let received = h.connector.state.received();
    assert_eq!(
        received[0].authorization.as_deref(),
        Some("Bearer test-access-token-1")
    );
    assert_eq!(
        received[1].authorization.as_deref(),
        Some("Bearer test-access-token-2")
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
