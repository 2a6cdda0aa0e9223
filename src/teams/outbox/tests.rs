//! Tests of the outbox: queueing, the retry schedule, claims between replicas, and giving up.

use super::*;
use crate::auth::TokenProvider;
use crate::config::Config;
use crate::store::MemoryStore;
use crate::teams::{PacingPolicy, RetryPolicy};

/// An outbox on a memory store whose client is never reached (nothing here is sent).
fn outbox() -> (Outbox, Arc<dyn Store>) {
    let config = Config::from_lookup(|name| match name {
        "MicrosoftAppId" => Some("6f0b3c1e-8a2d-4c5e-9f10-112233445566".into()),
        "MicrosoftAppPassword" => Some("secret".into()),
        "MicrosoftAppTenantId" => Some("0d9b0a4c-1111-4222-8333-444455556666".into()),
        _ => None,
    })
    .unwrap();
    let tokens = Arc::new(TokenProvider::new(&config, reqwest::Client::new()));
    let connector =
        ConnectorClient::new(tokens, RetryPolicy::default(), PacingPolicy::default()).unwrap();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let outbox = Outbox::new(store.clone(), Arc::new(connector), OutboxPolicy::default());
    (outbox, store)
}

fn card_update(text: &str) -> Activity {
    Activity {
        activity_type: "message".into(),
        text: Some(text.into()),
        ..Activity::default()
    }
}

#[tokio::test]
async fn a_newer_update_of_a_message_replaces_the_queued_one_and_a_sent_one_removes_it() {
    let (outbox, store) = outbox();
    let update = Operation::Update {
        activity_id: "a1".into(),
    };
    let down = ConnectorError::GaveUp {
        status: 503,
        attempts: 4,
    };
    let url = "https://smba.trafficmanager.net/amer/";
    let first = outbox
        .enqueue(update.clone(), url, "19:c", &card_update("Running"), &down)
        .await
        .unwrap();
    let second = outbox
        .enqueue(update.clone(), url, "19:c", &card_update("Result"), &down)
        .await
        .unwrap();
    assert_eq!(first, second, "one entry per message");
    let reply = Operation::Reply {
        reply_to_id: "a1".into(),
    };
    let reply_reference = outbox
        .enqueue(reply, url, "19:c", &card_update("reply"), &down)
        .await
        .unwrap();
    assert_ne!(reply_reference, first);
    assert_eq!(store.keys(NAMESPACE).await.unwrap().len(), 2);
    let stored: Entry =
        serde_json::from_slice(&store.get(NAMESPACE, &first).await.unwrap().unwrap()).unwrap();
    assert_eq!(stored.activity.text.as_deref(), Some("Result"));
    let counters = outbox.counters.snapshot();
    assert_eq!((counters.outboxed, counters.outbox_depth), (3, 2));

    // Another message's update, a send, or the same update in another conversation
    // leave it alone; the same message's update sent directly removes it.
    outbox.superseded_by(&Operation::Send, "19:c").await;
    outbox.superseded_by(&update, "19:other").await;
    assert_eq!(store.keys(NAMESPACE).await.unwrap().len(), 2);
    outbox.superseded_by(&update, "19:c").await;
    assert_eq!(store.keys(NAMESPACE).await.unwrap(), vec![reply_reference]);
    assert_eq!(outbox.counters.snapshot().outbox_depth, 1);
}

#[tokio::test]
async fn one_replica_claims_an_entry_and_the_others_leave_it_alone() {
    let (first, store) = outbox();
    let second = Outbox::new(
        store.clone(),
        first.connector.clone(),
        OutboxPolicy::default(),
    );
    let down = ConnectorError::GaveUp {
        status: 503,
        attempts: 4,
    };
    let reference = first
        .enqueue(
            Operation::Send,
            "https://smba.trafficmanager.net/amer/",
            "19:c",
            &card_update("hello"),
            &down,
        )
        .await
        .unwrap();
    let bytes = store.get(NAMESPACE, &reference).await.unwrap().unwrap();
    let entry: Entry = serde_json::from_slice(&bytes).unwrap();

    // Both replicas saw the same entry; only the first compare-and-swap wins.
    let claimed = second.claim(entry.clone(), bytes.clone()).await;
    assert!(claimed.is_some());
    assert!(first.claim(entry, bytes).await.is_none());
    let stored: Entry =
        serde_json::from_slice(&store.get(NAMESPACE, &reference).await.unwrap().unwrap()).unwrap();
    assert_eq!(stored.claimed_by.as_deref(), Some(second.replica.as_str()));
    // While the claim lasts, the other replica does not even try it.
    assert_eq!(first.drain_now().await, 0);
}

#[test]
fn the_schedule_follows_the_backoff_list_and_repeats_its_last_step() {
    let policy = OutboxPolicy::default();
    let minutes: Vec<u64> = (1..=8)
        .map(|attempts| policy.backoff_after(attempts).as_secs() / 60)
        .collect();
    assert_eq!(minutes, [1, 2, 5, 10, 30, 60, 60, 60]);
    let empty = OutboxPolicy {
        backoff: Vec::new(),
        ..OutboxPolicy::default()
    };
    assert_eq!(empty.backoff_after(3), Duration::from_secs(60));
    // The default schedule ends well inside the entry's lifetime.
    let total: Duration = (1..policy.max_attempts)
        .map(|a| policy.backoff_after(a))
        .sum();
    assert!(total + policy.claim_lease < policy.ttl, "{total:?}");
}

#[test]
fn the_notice_names_the_attempts_and_the_reference_and_carries_no_content() {
    let activity = Activity {
        activity_type: "message".into(),
        text: Some("secret command output".into()),
        conversation: Some(ConversationAccount {
            id: "19:c".into(),
            tenant_id: Some("t".into()),
            ..ConversationAccount::default()
        }),
        ..Activity::default()
    };
    let entry = Entry {
        id: "00112233aabbccdd".into(),
        operation: Operation::Reply {
            reply_to_id: "1".into(),
        },
        service_url: "https://smba.trafficmanager.net/amer/".into(),
        conversation_id: "19:c".into(),
        activity,
        attempts: 10,
        created_at_ms: 0,
        next_attempt_at_ms: 0,
        last_error: String::new(),
        claimed_by: None,
        claimed_until_ms: 0,
    };
    let notice = give_up_notice(&entry);
    assert_eq!(
        notice.text.as_deref(),
        Some("A reply could not be delivered to this conversation after 10 attempts (reference 00112233aabbccdd).")
    );
    assert_eq!(notice.tenant_id(), Some("t"));
    assert!(notice.attachments.is_empty());
    assert_eq!(notice.reply_to_id, None);
}
