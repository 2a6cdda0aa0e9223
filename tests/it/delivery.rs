//! No reply is lost silently, through real HTTP: failure bursts of the Connector and of the
//! token endpoint are retried, a Connector that stays down leaves the reply in the outbox until
//! it recovers (also across a restart), a reply finally given up is announced in the
//! conversation, redirects are not followed, and ids cannot reach other Connector paths.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use aws_chatops::bot::NoCommandHandler;
use aws_chatops::store::{EmbeddedStore, Store};
use aws_chatops::teams::{DeliveryPolicy, OutboxPolicy, RetryPolicy, MAX_CONNECTOR_REQUESTS};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::support::app::{poll_for, wait_until, Options, TestApp};
use crate::support::standins::ConnectorStandIn;

/// An outbox that tries again after 50 ms, so tests wait milliseconds, not minutes.
fn quick_outbox(max_attempts: u32) -> DeliveryPolicy {
    DeliveryPolicy {
        outbox: OutboxPolicy {
            backoff: vec![Duration::from_millis(50)],
            max_attempts,
            poll_interval: Duration::from_millis(20),
            claim_lease: Duration::from_secs(5),
            ..OutboxPolicy::default()
        },
        ..DeliveryPolicy::default()
    }
}

/// Retries slow and many enough that a burst's failures are spread over every reply, whatever
/// order the replies' requests arrive in on a busy machine.
fn patient_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 5,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(400),
        ..Options::default().retry
    }
}

/// Opens the embedded store file once the stopped bot has let go of it.
async fn reopen(path: &std::path::Path) -> Arc<dyn Store> {
    // The stopped bot's handle on the file may take a moment to go.
    let store = poll_for("the stopped bot to release the store file", || async {
        EmbeddedStore::open(path).await.ok()
    })
    .await;
    Arc::new(store)
}

async fn started(options: Options) -> TestApp {
    let h = TestApp::start_with(options).await;
    h.wait_ready().await;
    h
}

/// A bot whose calls retry patiently ([`patient_retries`]).
async fn patient() -> TestApp {
    started(Options {
        retry: patient_retries(),
        ..Options::default()
    })
    .await
}

/// A bot whose outbox tries again quickly ([`quick_outbox`]), keeping its messages in
/// `outbox_store` (default: in memory).
async fn quick(max_attempts: u32, outbox_store: Option<Arc<dyn Store>>) -> TestApp {
    started(Options {
        delivery: quick_outbox(max_attempts),
        outbox_store,
        ..Options::default()
    })
    .await
}

/// The conversation id in a recorded Connector path `/amer/v3/conversations/{id}/...`.
fn conversation_of(path: &str) -> String {
    path.split('/').nth(4).unwrap_or_default().to_owned()
}

/// Posts one message into each of `count` conversations named `{prefix}-{n}`, all at once.
async fn message_many(h: &TestApp, prefix: &str, count: usize) -> HashSet<String> {
    let conversations: Vec<String> = (0..count).map(|n| format!("{prefix}-{n}")).collect();
    let bearer = h.bearer();
    let messages: Vec<Value> = conversations
        .iter()
        .map(|conversation| h.message_in(conversation, "help"))
        .collect();
    let responses = join_all(messages.iter().map(|m| h.post(m, Some(&bearer)))).await;
    assert!(responses.iter().all(|r| r.status() == 200));
    conversations.into_iter().collect()
}

/// Waits until every conversation in `expected` has had a reply accepted.
async fn wait_for_replies_in(h: &TestApp, expected: &HashSet<String>) {
    let connector = h.connector.state.clone();
    wait_until("a reply accepted in every conversation", || {
        let answered: HashSet<String> = connector
            .accepted()
            .iter()
            .map(|r| conversation_of(&r.path))
            .collect();
        expected.is_subset(&answered)
    })
    .await;
}

/// A burst of replies waits for the Connector client's requests on the wire: 48 replies at
/// once, each answered by the Connector after a second, never have more than
/// `MAX_CONNECTOR_REQUESTS` requests at the Connector at a time (a connection each), and every
/// reply arrives. (Unbounded, every turn opened its own connection.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_replies_keeps_a_bounded_number_of_requests_on_the_wire() {
    let h = patient().await;
    h.connector
        .state
        .delay_ms
        .store(1000, std::sync::atomic::Ordering::SeqCst);
    let conversations = message_many(&h, "wire", 48).await;
    wait_for_replies_in(&h, &conversations).await;

    let accepted = h.connector.state.accepted();
    assert_eq!(accepted.len(), 48, "one reply each");
    // The most requests the Connector held at one moment: those that had arrived and were
    // not answered yet when some request arrived.
    let most = accepted
        .iter()
        .map(|request| {
            accepted
                .iter()
                .filter(|other| other.at <= request.at && request.at < other.answered)
                .count()
        })
        .max()
        .unwrap_or(0);
    // The bound as documented (32), not only as the constant says: 48 at once without it.
    assert_eq!(MAX_CONNECTOR_REQUESTS, 32);
    assert!(
        (2..=32).contains(&most),
        "{most} requests at the Connector at once"
    );
    h.assert_counters(|c| (c.sent, c.retried, c.outboxed), (48, 0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_500_502_and_503_loses_no_reply() {
    let h = patient().await;
    // The first 40 requests fail, then half of the 40 retries; nobody fails more than twice.
    h.connector
        .state
        .fail_next([500, 502, 503].into_iter().cycle().take(60));
    let conversations = message_many(&h, "c", 40).await;
    wait_for_replies_in(&h, &conversations).await;
    h.wait_turns_idle().await;

    assert_eq!(h.connector.state.accepted().len(), 40, "one reply each");
    let counters = h.delivery_counters();
    assert_eq!(counters.sent, 40, "{counters:?}");
    assert_eq!(counters.retried, 60, "{counters:?}");
    h.assert_counters(|c| (c.outboxed, c.given_up), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_endpoint_outage_after_a_forced_401_loses_no_reply() {
    let h = patient().await;
    // A first reply caches token 1.
    let warm_up = message_many(&h, "w", 1).await;
    wait_for_replies_in(&h, &warm_up).await;
    h.wait_turns_idle().await;

    // The Connector now refuses token 1, and the token endpoint fails its next 5 requests.
    *h.connector.state.rejected_authorization.lock().unwrap() =
        Some("Bearer test-access-token-1".into());
    h.token.state.fail(5);
    let before = h.connector.state.count();
    let conversations = message_many(&h, "t", 40).await;
    wait_for_replies_in(&h, &conversations).await;
    h.wait_turns_idle().await;

    let accepted: Vec<_> = h.connector.state.received()[before..]
        .iter()
        .filter(|r| r.accepted())
        .cloned()
        .collect();
    assert_eq!(accepted.len(), 40, "one reply each");
    assert!(accepted
        .iter()
        .all(|r| r.authorization.as_deref() != Some("Bearer test-access-token-1")));
    assert_eq!(
        h.token
            .state
            .fail_next
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    let counters = h.delivery_counters();
    assert_eq!(counters.sent, 41, "{counters:?}");
    assert!(
        counters.retried >= 5,
        "the token failures were retried: {counters:?}"
    );
    h.assert_counters(|c| (c.outboxed, c.given_up), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_down_beyond_the_retries_delivers_from_the_outbox_once_it_recovers() {
    let h = quick(1000, None).await;
    h.connector.state.set_down(503);
    h.send(&h.message("s3 ls")).await;
    h.wait_for_counters("the reply in the outbox", |c| c.outboxed == 1)
        .await;
    // The outbox keeps trying while the Connector is down.
    let failed_so_far = h.connector.state.count();
    h.wait_for_connector(failed_so_far + 2).await;
    assert!(h.connector.state.accepted().is_empty());

    h.connector.state.set_down(0);
    h.wait_for_counters("delivery from the outbox", |c| {
        c.delivered_from_outbox == 1 && c.outbox_depth == 0
    })
    .await;
    let received = h.connector.state.received();
    let accepted = h.connector.state.accepted();
    assert_eq!(accepted.len(), 1, "delivered exactly once");
    assert_eq!(accepted[0].body, received[0].body, "the same reply");
    assert_eq!(accepted[0].path, received[0].path, "to the same endpoint");
    assert_eq!(h.delivery_counters().given_up, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outboxed_reply_is_delivered_after_a_restart() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("state.redb");
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&path).await.unwrap());
    let mut h = quick(1000, Some(store.clone())).await;
    h.connector.state.set_down(503);
    h.send(&h.message("s3 ls")).await;
    h.wait_for_counters("the reply in the outbox", |c| c.outboxed == 1)
        .await;
    let original = h.connector.state.received()[0].clone();

    // The process stops; the store file is closed, the Connector recovers, a new process
    // opens the same file.
    h.stop().await;
    h.set_outbox_store(None);
    drop(store);
    let store = reopen(&path).await;
    assert_eq!(store.keys("outbox").await.unwrap().len(), 1, "kept on disk");
    h.connector.state.set_down(0);
    h.set_outbox_store(Some(store.clone()));
    h.restart(Arc::new(NoCommandHandler), None).await;

    h.wait_for_counters("delivery from the outbox after the restart", |c| {
        c.delivered_from_outbox == 1
    })
    .await;
    let accepted = h.connector.state.accepted();
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].body, original.body);
    assert_eq!(accepted[0].path, original.path);
    assert!(store.keys("outbox").await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_given_up_is_announced_in_the_conversation() {
    let h = quick(3, None).await;
    // Replies fail; new messages (the notice) still go through.
    h.connector
        .state
        .down_replies_only
        .store(true, std::sync::atomic::Ordering::SeqCst);
    h.connector.state.set_down(503);
    let incoming = h.message("s3 ls");
    h.send(&incoming).await;
    h.wait_for_counters("the reply given up", |c| c.given_up == 1)
        .await;
    h.wait_for_connector(7).await;

    let received = h.connector.state.received();
    let failed = received.iter().filter(|r| !r.accepted()).count();
    assert_eq!(
        failed, 6,
        "4 in the first call (3 retries), 2 from the outbox"
    );
    let accepted = h.connector.state.accepted();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let notice = &accepted[0];
    assert!(
        notice.path.ends_with("/activities"),
        "a new message: {}",
        notice.path
    );
    assert_eq!(
        conversation_of(&notice.path),
        conversation_of(&received[0].path)
    );
    let text = notice.body["text"].as_str().unwrap();
    let prefix = "A reply could not be delivered to this conversation after 3 attempts (reference ";
    assert!(text.starts_with(prefix), "{text}");
    let reference = text[prefix.len()..].trim_end_matches(").");
    assert_eq!(reference.len(), 16, "{text}");
    assert!(reference.chars().all(|c| c.is_ascii_hexdigit()), "{text}");
    assert_eq!(
        notice.body.get("attachments"),
        None,
        "the notice carries no card"
    );
    assert_eq!(notice.body["conversation"], incoming["conversation"]);
    h.wait_for_counters("an empty outbox", |c| c.outbox_depth == 0)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_from_the_connector_is_not_followed() {
    let h = started(Options::default()).await;
    let elsewhere = ConnectorStandIn::start(1, true);
    *h.connector.state.redirect_to.lock().unwrap() = Some(elsewhere.server.url());
    h.send(&h.message("s3 ls")).await;
    h.wait_for_counters("the reply refused", |c| c.refused == 1)
        .await;
    h.wait_turns_idle().await;

    assert_eq!(elsewhere.state.count(), 0, "the other host saw nothing");
    h.assert_sent(1, "a redirect is not retried");
    assert_eq!(h.connector.state.received()[0].status, 307);
    h.assert_counters(|c| (c.outboxed, c.retried), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_cannot_reach_other_connector_paths() {
    let h = started(Options::default()).await;
    let with_ids = |conversation: &str, id: &str| -> Value {
        let mut message = h.message_in(conversation, "help");
        message["id"] = json!(id);
        message
    };

    // Ids made only of dots are refused before any request.
    for message in [
        with_ids("..", "1776390257332"),
        with_ids(".", "1776390257332"),
        with_ids("19:ok", ".."),
    ] {
        h.send(&message).await;
    }
    h.wait_for_counters("three replies refused", |c| c.refused == 3)
        .await;
    h.wait_turns_idle().await;
    h.assert_sent(0, "no request left the bot");

    // Anything else stays inside its own path segment.
    h.send(&with_ids("../../v3/conversations/victim", "../x?y#z"))
        .await;
    h.wait_for_connector(1).await;
    assert_eq!(
        h.connector.state.received()[0].path,
        "/amer/v3/conversations/%2E%2E%2F%2E%2E%2Fv3%2Fconversations%2Fvictim/activities/%2E%2E%2Fx%3Fy%23z"
    );
    assert_eq!(h.delivery_counters().outboxed, 0);
}
