//! Long-running commands in chat (B5) through `/api/messages`, against moto: in a channel
//! with `long_running = true`, `dynamodb wait table-exists` posts a live card that is updated
//! in place after every call while the table does not exist, survives the process dying in
//! the middle (the next process resumes it from the stored progress and finishes when the
//! table appears), can be cancelled only by its requester, and is audited when it ends. A
//! channel without the setting refuses the waiter and names the setting.
//!
//! The bot sleeps 200 ms between calls here instead of the waiter's 20 s
//! (`Conversations::with_wait_delay`); nothing in the tests sleeps.

use std::sync::Arc;
use std::time::Duration;

use aws_chatops::bot::DurableConversationStore;
use aws_chatops::conversation::pending::{RequestKind, RequestState};
use aws_chatops::store::MemoryStore;
use serde_json::{json, Value};

use crate::access::{actions, fact, text};
use crate::support::app::{channel_handler_with, Aws, Options, TestApp, GRACE, ONCALL, TENANT_ID};
use crate::support::aws::{aws, moto_engine, unique};

/// The channel that lets commands run long.
const WAITS: &str = "19:waits-channel@thread.tacv2";
const GUARDRAILS: &str = "\"ReadOnly\"";
const DELAY: Duration = Duration::from_millis(200);

fn waits_toml() -> String {
    format!(
        r#"
[access.channels.waits]
tenant_id = "{TENANT_ID}"
channel_id = "19%3Awaits-channel%40thread.tacv2"
accounts = ["production"]
long_running = true
"#
    )
}

async fn start() -> TestApp {
    let bot = TestApp::start_with(Options {
        aws: Some(Aws::Access {
            engine: moto_engine(),
            ops_guardrails: GUARDRAILS.to_owned(),
            store: Arc::new(MemoryStore::default()),
        }),
        access_extra: waits_toml(),
        wait_delay: Some(DELAY),
        ..Options::default()
    })
    .await;
    bot.wait_ready().await;
    bot
}

/// A handler for the next process of `bot`: the same config, store and audit log.
async fn next_process(bot: &TestApp) -> Arc<aws_chatops::conversation::Conversations> {
    channel_handler_with(
        moto_engine(),
        GUARDRAILS,
        &waits_toml(),
        bot.store().clone(),
        bot.audit_log(),
        None,
        false,
        Some(DELAY),
    )
    .await
    .0
}

fn create_table(name: &str) -> Value {
    json!({"TableName": name, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
           "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"})
}

/// The calls a stored wait has made.
async fn attempts(bot: &TestApp, id: &str) -> u32 {
    match bot.pending(id).await.kind {
        RequestKind::Wait(state) => state.progress.attempts,
        other => panic!("a wait, not {other:?}"),
    }
}

/// The id of the request a live card's Cancel carries.
fn cancel_request(card: &Value) -> String {
    let cancel = actions(card, "cancel");
    assert_eq!(cancel.len(), 1, "one Cancel: {card}");
    cancel[0]["request"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_shows_live_progress_survives_a_restart_and_ends_when_the_table_appears() {
    let mut bot = start().await;
    let store = bot.store().clone();
    let conversation_store = || Some(Arc::new(DurableConversationStore::new(store.clone())) as _);
    // The first process runs on a runtime of its own, to die with it.
    let dying = next_process(&bot).await;
    let runtime = bot
        .restart_on_own_runtime(dying, conversation_store())
        .await;

    let table = unique("wait-it");
    let card = bot
        .say_in(
            WAITS,
            &format!("dynamodb wait table-exists --table-name {table}"),
        )
        .await;
    let shown = text(&card);
    assert!(shown.contains("Waiting: table-exists"), "{shown}");
    assert!(shown.contains(&format!("--table-name {table}")), "{shown}");
    let id = cancel_request(&card);
    assert_eq!(bot.pending(&id).await.state, RequestState::Running);

    // Every call updates the card in place: the table is not there yet.
    let live = bot.updated_card("ResourceNotFoundException").await;
    assert!(
        fact(&live, "Calls").is_some_and(|calls| calls.contains("of at most 25")),
        "{live}"
    );
    assert_eq!(actions(&live, "cancel").len(), 1, "{live}");

    // The process dies mid-wait; its lease runs out (wall-clock time in the store).
    bot.kill(runtime);
    let made = attempts(&bot, &id).await;
    assert!(made >= 1, "{made}");
    bot.edit_pending(&id, |left| left.lease.as_mut().unwrap().until_ms = 1)
        .await;

    // The table appears while no process runs the wait.
    aws("dynamodb", "CreateTable", create_table(&table)).await;

    // The next process resumes the wait at start-up, from the stored progress.
    let handler = next_process(&bot).await;
    bot.restart(handler, conversation_store()).await;
    let done = bot.updated_card("Done: table-exists").await;
    let shown = text(&done);
    assert!(shown.contains("The condition holds"), "{shown}");
    assert!(shown.contains("ACTIVE"), "{shown}");
    assert!(actions(&done, "cancel").is_empty(), "{done}");
    let ended = bot.pending(&id).await;
    assert_eq!(ended.state, RequestState::Done);
    assert!(ended.lease.is_none());
    assert_eq!(
        attempts(&bot, &id).await,
        made + 1,
        "resumed, not started over"
    );

    // One audit record for the whole wait, with the waiter and its calls.
    bot.wait_records(1).await;
    let records = bot.records();
    let record = records
        .iter()
        .find(|r| r["wait"]["waiter"] == "TableExists")
        .unwrap_or_else(|| panic!("a wait record in {records:?}"));
    assert_eq!(record["outcome"]["kind"], "allowed", "{record}");
    assert_eq!(record["wait"]["attempts"], made + 1, "{record}");
    assert_eq!(record["operation"], "DescribeTable", "{record}");
    assert_eq!(record["channel_key"], "waits", "{record}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_started_from_its_form_is_cancelled_by_its_requester_only() {
    let bot = start().await;
    let form = bot.say_in(WAITS, "dynamodb wait table-exists").await;
    let submit = actions(&form, "submit");
    assert_eq!(submit.len(), 1, "a form for --table-name: {form}");
    let mut filled = submit[0].clone();
    filled["TableName"] = json!(unique("never-there"));
    filled["TableName__text"] = json!("");
    let live = bot.click(WAITS, filled).await;
    assert!(text(&live).contains("Waiting: table-exists"), "{live}");
    let id = cancel_request(&live);
    bot.updated_card("ResourceNotFoundException").await;

    // Grace cannot stop Ada's wait.
    let cancel = json!({"verb": "cancel", "request": id});
    let refused = bot.click_as(WAITS, &GRACE, cancel.clone()).await;
    assert!(
        refused.as_str().is_some_and(|m| m.contains("Only")),
        "{refused}"
    );
    assert_eq!(bot.pending(&id).await.state, RequestState::Running);

    let cancelled = bot.click(WAITS, cancel.clone()).await;
    let shown = text(&cancelled);
    assert!(shown.contains("Cancelled by"), "{shown}");
    assert!(shown.contains("nothing to undo"), "{shown}");
    assert!(actions(&cancelled, "cancel").is_empty(), "{cancelled}");
    let ended = bot.pending(&id).await;
    assert_eq!(ended.state, RequestState::Cancelled);
    assert!(ended.lease.is_none());

    // The card everyone sees ends cancelled, and a second Cancel changes nothing.
    bot.updated_card("Cancelled: table-exists").await;
    let again = bot.click(WAITS, cancel).await;
    assert!(
        again.as_str().is_some_and(|m| m.contains("cancelled")),
        "{again}"
    );
    bot.wait_records(1).await;
    assert!(
        bot.records()
            .iter()
            .any(|r| r["outcome"]["kind"] == "cancelled" && r["operation"] == "DescribeTable"),
        "{:?}",
        bot.records()
    );
    // The history has the wait once, cancelled.
    let history = bot.say_in(WAITS, "history").await;
    let shown = text(&history);
    assert!(shown.contains("Your last command here"), "{shown}");
    assert!(shown.contains("dynamodb wait table-exists"), "{shown}");
    assert!(shown.contains("cancelled"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_without_long_running_refuses_a_waiter_and_names_the_setting() {
    let bot = start().await;
    let card = bot
        .say_in(ONCALL, "dynamodb wait table-exists --table-name orders")
        .await;
    let shown = text(&card);
    for needle in [
        "This wait cannot run here",
        "long_running = true",
        "[access.channels.oncall]",
        "dynamodb describe-table",
    ] {
        assert!(shown.contains(needle), "{needle}: {shown}");
    }
    assert!(actions(&card, "cancel").is_empty(), "{card}");
    bot.wait_records(1).await;
    let records = bot.records();
    assert_eq!(records[0]["outcome"]["kind"], "denied", "{records:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_stops_at_the_fifteen_minute_cap_of_chat() {
    let bot = start().await;
    let card = bot
        .say_in(
            WAITS,
            &format!("dynamodb wait table-exists --table-name {}", unique("late")),
        )
        .await;
    let id = cancel_request(&card);
    let deadline = match bot.pending(&id).await.kind {
        RequestKind::Wait(state) => state.deadline_ms - state.started_at_ms,
        other => panic!("a wait, not {other:?}"),
    };
    assert_eq!(deadline, 15 * 60 * 1000);
    bot.updated_card("ResourceNotFoundException").await;

    // Fifteen minutes pass (wall-clock time in the store).
    bot.edit_pending(&id, |request| {
        if let RequestKind::Wait(state) = &mut request.kind {
            state.deadline_ms = 1;
        }
    })
    .await;
    let stopped = bot.updated_card("Stopped: table-exists").await;
    let shown = text(&stopped);
    assert!(shown.contains("within 15 minutes"), "{shown}");
    assert!(actions(&stopped, "cancel").is_empty(), "{stopped}");
    assert_eq!(bot.pending(&id).await.state, RequestState::Failed);
    bot.wait_records(1).await;
    assert!(
        bot.records()
            .iter()
            .any(|r| r["outcome"]["kind"] == "timed_out" && r["wait"]["waiter"] == "TableExists"),
        "{:?}",
        bot.records()
    );
}
