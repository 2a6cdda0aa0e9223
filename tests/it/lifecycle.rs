//! What happens to a request around the bot's own life: the process dies while an AWS call
//! runs (the request must not stay "Running" forever, and must never run again by itself), and
//! a click that arrives from another conversation than the request's.

use std::io::Read as _;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_chatops::bot::DurableConversationStore;
use aws_chatops::conversation::pending::{PendingRequest, RequestState, NAMESPACE};
use aws_chatops::store::{get_json, put_json};
use serde_json::{json, Value};

use crate::conversations::{assert_contains, invoke_card, invoke_message, request_id};
use crate::support::app::{wait_until, TestApp, User, CONVERSATION_TTL as TTL};
use crate::support::aws::{conversations, conversations_with_endpoints, unique};

/// An endpoint that accepts connections, reads what is sent and never answers: an AWS call
/// to it stays under way until its deadline.
struct BlackHole {
    url: String,
    accepted: Arc<AtomicUsize>,
}

impl BlackHole {
    fn start() -> BlackHole {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                counter.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 4096];
                    while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {}
                });
            }
        });
        BlackHole { url, accepted }
    }
}

async fn stored(store: &dyn aws_chatops::store::Store, id: &str) -> PendingRequest {
    get_json(store, NAMESPACE, id).await.unwrap().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_runner_died_shows_outcome_unknown_and_never_runs_again() {
    let mut w = TestApp::with_conversations().await;
    let sqs = BlackHole::start();
    let store = w.store().clone();
    let conversation_store = || Some(Arc::new(DurableConversationStore::new(store.clone())) as _);
    let dying = conversations_with_endpoints(
        store.clone(),
        &w.support().url(),
        TTL,
        &[("SQS", sqs.url.clone())],
    );
    let runtime = w.restart_on_own_runtime(dying, conversation_store()).await;

    let command = format!(
        "sqs send-message --queue-url {}/123456789012/{} --message-body hello",
        sqs.url,
        unique("orders")
    );
    let confirm = w.say(&command).await;
    let id = request_id(&confirm);
    let (_, body) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert_contains(&invoke_card(&body), &["Running"]);
    let accepted = &sqs.accepted;
    wait_until("the AWS call under way", || {
        accepted.load(Ordering::SeqCst) == 1
    })
    .await;
    let running = stored(store.as_ref(), &id).await;
    assert_eq!(running.state, RequestState::Running);
    let lease = running
        .lease
        .clone()
        .expect("a running request carries a lease");
    assert!(lease.until_ms > lease.started_at_ms, "{lease:?}");

    // While the runner holds its lease, a second click is told it runs.
    let (_, body) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert!(invoke_message(&body).contains("already running"), "{body}");

    // The process dies mid-call: nothing after this point is written by it.
    w.kill(runtime);
    assert_eq!(
        stored(store.as_ref(), &id).await.state,
        RequestState::Running
    );

    // Its lease runs out (wall-clock time in the store, as for request expiry).
    let mut abandoned = stored(store.as_ref(), &id).await;
    abandoned.lease.as_mut().unwrap().until_ms = 1;
    put_json(
        store.as_ref(),
        NAMESPACE,
        &id,
        &abandoned,
        Some(Duration::from_secs(3600)),
    )
    .await
    .unwrap();

    // The next process finds it at start-up and says so on its card, without a click.
    let handler = conversations(store.clone(), &w.support().url(), TTL);
    w.restart(handler, conversation_store()).await;
    let card = w.updated_card("Outcome unknown").await;
    assert_contains(
        &card,
        &["check before running again", "Check in AWS", "send-message"],
    );
    assert_eq!(
        stored(store.as_ref(), &id).await.state,
        RequestState::OutcomeUnknown
    );

    // A click now explains, with the command, and runs nothing.
    let (_, body) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    let message = invoke_message(&body);
    assert!(message.contains("outcome is unknown"), "{message}");
    assert!(message.contains("sqs send-message"), "{message}");
    assert_eq!(sqs.accepted.load(Ordering::SeqCst), 1, "never run again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_request_found_by_a_click_shows_outcome_unknown_once() {
    let w = TestApp::with_conversations().await;
    let command = format!(
        "sqs send-message --queue-url http://127.0.0.1:9/123456789012/{} --message-body x",
        unique("q")
    );
    let confirm = w.say(&command).await;
    let id = request_id(&confirm);
    // A request left Running by a runner that is gone, as a store written before leases existed
    // would hold it (no lease at all).
    let mut left = stored(w.store().as_ref(), &id).await;
    left.state = RequestState::Running;
    left.lease = None;
    put_json(
        w.store().as_ref(),
        NAMESPACE,
        &id,
        &left,
        Some(Duration::from_secs(3600)),
    )
    .await
    .unwrap();

    let (_, body) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert_contains(&invoke_card(&body), &["Outcome unknown", "Check in AWS"]);
    w.updated_card("Outcome unknown").await;
    let (_, again) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert!(invoke_message(&again).contains("outcome is unknown"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_from_another_conversation_is_refused() {
    let w = TestApp::with_conversations().await;
    let sqs = BlackHole::start();
    let command = format!(
        "sqs send-message --queue-url {}/123456789012/{} --message-body x",
        sqs.url,
        unique("q")
    );
    let confirm = w.say(&command).await;
    let id = request_id(&confirm);

    let mut activity =
        w.click_activity("invoke", "confirm", json!({"request": id}), User::Requester);
    activity["conversation"]["id"] = Value::String("19:other-channel@thread.tacv2".into());
    activity["channelData"]["channel"]["id"] =
        Value::String("19:other-channel@thread.tacv2".into());
    let response = w.post(&activity, Some(&w.bearer())).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let message = invoke_message(&body);
    assert!(message.contains("another conversation"), "{message}");
    assert_eq!(
        stored(w.store().as_ref(), &id).await.state,
        RequestState::Open
    );
    assert_eq!(sqs.accepted.load(Ordering::SeqCst), 0, "nothing ran");
}
