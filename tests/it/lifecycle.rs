//! What happens to a request around the bot's own life: the process dies while an AWS call
//! runs (the request must not stay "Running" forever, and must never run again by itself), and
//! a click that arrives from another conversation than the request's.

use std::io::Read as _;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aws_chatops::bot::DurableConversationStore;
use aws_chatops::conversation::pending::RequestState;
use serde_json::{json, Value};

use crate::support::app::{
    assert_contains, invoke_message, wait_until, TestApp, User, CONVERSATION_TTL as TTL,
};
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

/// Asks for `sqs send-message` to a queue at `queue_base` (a URL) and returns the id of the
/// request its confirmation card carries.
async fn confirmation_for_sqs(w: &TestApp, queue_base: &str, body: &str) -> String {
    let queue = unique("q");
    let command = format!(
        "sqs send-message --queue-url {queue_base}/123456789012/{queue} --message-body {body}"
    );
    w.confirmation(&command, &[]).await
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

    let id = confirmation_for_sqs(&w, &sqs.url, "hello").await;
    let running = w.execute_card("confirm", json!({"request": id}), User::Requester);
    assert_contains(&running.await, &["Running"]);
    let accepted = &sqs.accepted;
    wait_until("the AWS call under way", || {
        accepted.load(Ordering::SeqCst) == 1
    })
    .await;
    let running = w.pending(&id).await;
    assert_eq!(running.state, RequestState::Running);
    let lease = running
        .lease
        .clone()
        .expect("a running request carries a lease");
    assert!(lease.until_ms > lease.started_at_ms, "{lease:?}");

    // While the runner holds its lease, a second click is told it runs.
    let message = w.confirm_told(&id).await;
    assert!(message.contains("already running"), "{message}");

    // The process dies mid-call: nothing after this point is written by it.
    w.kill(runtime);
    assert_eq!(w.pending(&id).await.state, RequestState::Running);

    // Its lease runs out (wall-clock time in the store, as for request expiry).
    w.edit_pending(&id, |abandoned| {
        abandoned.lease.as_mut().unwrap().until_ms = 1
    })
    .await;

    // The next process finds it at start-up and says so on its card, without a click.
    let handler = conversations(store.clone(), &w.support().url(), TTL);
    w.restart(handler, conversation_store()).await;
    let card = w.updated_card("Outcome unknown").await;
    assert_contains(
        &card,
        &["check before running again", "Check in AWS", "send-message"],
    );
    assert_eq!(w.pending(&id).await.state, RequestState::OutcomeUnknown);

    // A click now explains, with the command, and runs nothing.
    let message = w.confirm_told(&id).await;
    assert!(message.contains("outcome is unknown"), "{message}");
    assert!(message.contains("sqs send-message"), "{message}");
    assert_eq!(sqs.accepted.load(Ordering::SeqCst), 1, "never run again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_request_found_by_a_click_shows_outcome_unknown_once() {
    let w = TestApp::with_conversations().await;
    let id = confirmation_for_sqs(&w, "http://127.0.0.1:9", "x").await;
    // A request left Running by a runner that is gone, as a store written before leases existed
    // would hold it (no lease at all).
    w.edit_pending(&id, |left| {
        left.state = RequestState::Running;
        left.lease = None;
    })
    .await;

    let unknown = ["Outcome unknown", "Check in AWS"];
    w.confirm_twice(&id, &unknown, "outcome is unknown").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_from_another_conversation_is_refused() {
    let w = TestApp::with_conversations().await;
    let sqs = BlackHole::start();
    let id = confirmation_for_sqs(&w, &sqs.url, "x").await;

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
    assert_eq!(w.pending(&id).await.state, RequestState::Open);
    assert_eq!(sqs.accepted.load(Ordering::SeqCst), 0, "nothing ran");
}

/// A cancelled and an expired confirmation are audited like a call that ran: with the
/// channel entry, account, role and region they would have run as; the expired one as
/// `expired`, not `cancelled`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_and_expired_requests_are_audited_with_channel_account_role_and_region() {
    use aws_chatops::conversation::pending::{PendingRequest, NAMESPACE};
    use aws_chatops::policy::Authorizer as _;
    use aws_chatops::store::{get_json, put_json, MemoryStore, Store};

    use crate::access::{actions, text};
    use crate::support::app::{OPS, TENANT_ID, USER_AAD_ID};

    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let bot = TestApp::with_access_and_store(
        crate::support::aws::moto_engine(),
        "\"ReadOnly\"",
        store.clone(),
    )
    .await;
    let ada = aws_chatops::policy::Requester {
        tenant_id: Some(TENANT_ID.into()),
        team_id: Some("19:team-general@thread.tacv2".into()),
        channel_id: Some(OPS.into()),
        conversation_id: OPS.into(),
        conversation_type: Some("channel".into()),
        user_object_id: Some(USER_AAD_ID.into()),
        user_name: Some("Ada Lovelace".into()),
    };
    bot.authorizer()
        .set_default_account(&ada, "production")
        .await
        .unwrap();
    let change = format!(
        "cloudwatch set-alarm-state --alarm-name {} --state-value OK --state-reason test",
        unique("lifecycle-audit")
    );

    let confirm = bot.say_in(OPS, &change).await;
    let cancelled = bot.click(OPS, actions(&confirm, "cancel")[0].clone()).await;
    assert!(text(&cancelled).contains("Cancelled"), "{cancelled}");
    bot.wait_records(1).await;

    let confirm = bot.say_in(OPS, &change).await;
    let button = actions(&confirm, "confirm")[0].clone();
    let id = button["request"].as_str().unwrap().to_owned();
    // Time passes: the request's life ends before the click.
    let mut request: PendingRequest = get_json(store.as_ref(), NAMESPACE, &id)
        .await
        .unwrap()
        .unwrap();
    request.expires_at_ms = 1;
    let ttl = Some(std::time::Duration::from_secs(3600));
    put_json(store.as_ref(), NAMESPACE, &id, &request, ttl)
        .await
        .unwrap();
    let expired = bot.click(OPS, button).await;
    let told = text(&expired);
    assert!(
        told.contains("This request expired after ") && told.contains(" minutes without an answer"),
        "{expired}"
    );
    bot.wait_records(2).await;

    let records = bot.records();
    let kinds: Vec<&str> = records
        .iter()
        .map(|r| r["outcome"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["cancelled", "expired"], "{records:#?}");
    for record in &records {
        assert_eq!(record["operation"], "SetAlarmState", "{record}");
        assert_eq!(record["channel_key"], "ops", "{record}");
        assert_eq!(record["account_name"], "production", "{record}");
        assert_eq!(record["account_id"], "123456789012", "{record}");
        assert_eq!(
            record["role_arn"], "arn:aws:iam::123456789012:role/oncall-ada",
            "{record}"
        );
        assert_eq!(record["region"], "us-east-1", "{record}");
        assert_eq!(record["iam_action"], "cloudwatch:SetAlarmState", "{record}");
    }
}
