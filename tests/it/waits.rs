//! Long-running commands in chat (B5) through `/api/messages`, against moto: in a channel
//! with `long_running = true`, `dynamodb wait table-exists` posts a live card that is updated
//! in place after every call while the table does not exist, survives the process dying in
//! the middle (the next process resumes it from the stored progress and finishes when the
//! table appears), can be cancelled only by its requester, and is audited when it ends. A
//! channel without the setting refuses the waiter and names the setting.
//!
//! A slow call there (DynamoDB behind a gate that holds every request until the test opens
//! it) gets a live card instead of the 15-second limit: a typed read is called again after a
//! restart and can be cancelled; a confirmed change keeps its lease while it runs.
//!
//! The bot sleeps 200 ms between calls here instead of the waiter's 20 s, and live cards come
//! and tick after 200 ms instead of 10 and 15 s (`with_wait_delay`, `with_live_timing`);
//! nothing in the tests sleeps.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpRequest, HttpResponse};
use aws_chatops::aws::EngineConfig;
use aws_chatops::bot::DurableConversationStore;
use aws_chatops::conversation::pending::{RequestKind, RequestState};
use aws_chatops::store::MemoryStore;
use serde_json::{json, Value};

use crate::access::{actions, fact, text};
use crate::support::app::{
    channel_handler_with, wait_until, Aws, Options, TestApp, GRACE, ONCALL, TENANT_ID,
};
use crate::support::aws::{aws, forward_to_moto, moto_engine, unique};
use crate::support::standins::Served;

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
guardrails = ["ReadOnly"]
[[access.channels.waits.guardrail_statement]]
effect = "Allow"
action = ["dynamodb:PutItem"]
"#
    )
}

async fn start() -> TestApp {
    start_with(moto_engine()).await
}

async fn start_with(engine: EngineConfig) -> TestApp {
    let bot = TestApp::start_with(Options {
        aws: Some(Aws::Access {
            engine,
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
    next_process_with(bot, moto_engine()).await
}

async fn next_process_with(
    bot: &TestApp,
    engine: EngineConfig,
) -> Arc<aws_chatops::conversation::Conversations> {
    channel_handler_with(
        engine,
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
            .any(|r| r["outcome"]["kind"] == "cancelled"
                && r["operation"] == "DescribeTable"
                && r["wait"]["waiter"] == "TableExists"
                && r["wait"]["attempts"].as_u64().is_some_and(|n| n >= 1)),
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

/// DynamoDB behind a gate: every request waits until the gate opens, then goes to moto.
struct Gate {
    open: tokio::sync::watch::Sender<bool>,
    requests: AtomicUsize,
}

async fn through_gate(
    request: HttpRequest,
    body: web::Bytes,
    gate: web::Data<Gate>,
) -> HttpResponse {
    gate.requests.fetch_add(1, Ordering::SeqCst);
    let mut open = gate.open.subscribe();
    if open.wait_for(|open| *open).await.is_err() {
        return HttpResponse::ServiceUnavailable().finish();
    }
    forward_to_moto(&request, &body).await
}

/// A closed gate in front of moto for DynamoDB, and the engine that calls DynamoDB through it.
fn gate() -> (Served<Gate>, EngineConfig) {
    let (open, _) = tokio::sync::watch::channel(false);
    let gate = Served::start_with(
        2,
        Gate {
            open,
            requests: AtomicUsize::new(0),
        },
        |routes| {
            routes.default_service(web::to(through_gate));
        },
    );
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("DYNAMODB".to_owned(), gate.server.url());
    (gate, engine)
}

async fn table() -> String {
    let name = unique("slow-it");
    aws("dynamodb", "CreateTable", create_table(&name)).await;
    name
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_read_gets_a_live_card_and_is_called_again_after_a_restart() {
    let (gate, engine) = gate();
    let mut bot = start_with(engine.clone()).await;
    let store = bot.store().clone();
    let conversation_store = || Some(Arc::new(DurableConversationStore::new(store.clone())) as _);
    let dying = next_process_with(&bot, engine.clone()).await;
    let runtime = bot
        .restart_on_own_runtime(dying, conversation_store())
        .await;
    let table = table().await;

    // The call does not answer: instead of a timeout after 15 s, a live card.
    let live = bot
        .say_in(
            WAITS,
            &format!("dynamodb describe-table --table-name {table}"),
        )
        .await;
    let shown = text(&live);
    assert!(
        shown.contains("Running: dynamodb describe-table"),
        "{shown}"
    );
    assert!(shown.contains("up to 15 minutes"), "{shown}");
    let id = cancel_request(&live);
    let running = bot.pending(&id).await;
    assert_eq!(running.state, RequestState::Running);
    assert!(
        matches!(running.kind, RequestKind::SlowRead { .. }),
        "{:?}",
        running.kind
    );
    // It ticks: the card is updated in place while the call runs.
    bot.updated_card("Running: dynamodb describe-table").await;

    // The process dies mid-call; its lease runs out; the gate opens.
    bot.kill(runtime);
    assert_eq!(gate.state.requests.load(Ordering::SeqCst), 1);
    bot.edit_pending(&id, |left| left.lease.as_mut().unwrap().until_ms = 1)
        .await;
    gate.state.open.send_replace(true);

    // The next process calls the read again (it only reads) and shows the result on the card.
    let handler = next_process_with(&bot, engine).await;
    bot.restart(handler, conversation_store()).await;
    let result = bot.updated_card("ACTIVE").await;
    assert!(text(&result).contains(&table), "{result}");
    assert_eq!(bot.pending(&id).await.state, RequestState::Done);
    assert_eq!(
        gate.state.requests.load(Ordering::SeqCst),
        2,
        "called again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_read_is_cancelled_by_its_requester_and_its_call_stopped() {
    let (gate, engine) = gate();
    let bot = start_with(engine).await;
    let table = table().await;
    let live = bot
        .say_in(
            WAITS,
            &format!("dynamodb describe-table --table-name {table}"),
        )
        .await;
    let id = cancel_request(&live);
    let cancel = json!({"verb": "cancel", "request": id});
    let refused = bot.click_as(WAITS, &GRACE, cancel.clone()).await;
    assert!(
        refused.as_str().is_some_and(|m| m.contains("Only")),
        "{refused}"
    );

    let cancelled = bot.click(WAITS, cancel).await;
    let shown = text(&cancelled);
    assert!(shown.contains("Cancelled by"), "{shown}");
    assert!(shown.contains("nothing changed"), "{shown}");
    assert_eq!(bot.pending(&id).await.state, RequestState::Cancelled);
    bot.updated_card("Cancelled: dynamodb describe-table").await;
    assert_eq!(gate.state.requests.load(Ordering::SeqCst), 1);
    bot.wait_records(1).await;
    assert!(
        bot.records()
            .iter()
            .any(|r| r["outcome"]["kind"] == "cancelled"),
        "{:?}",
        bot.records()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_change_keeps_its_lease_and_shows_its_time_until_it_ends() {
    let (gate, engine) = gate();
    let bot = start_with(engine).await;
    let table = table().await;
    let confirm = bot
        .say_in(
            WAITS,
            &format!(
                "dynamodb put-item --table-name {table} --item '{{\"pk\": {{\"S\": \"a\"}}}}'"
            ),
        )
        .await;
    assert!(text(&confirm).contains("Confirm this change"), "{confirm}");
    let id = crate::support::app::request_id(&confirm);
    let running = bot
        .click(WAITS, json!({"verb": "confirm", "request": id}))
        .await;
    assert!(text(&running).contains("Running"), "{running}");
    let first = bot.pending(&id).await.lease.expect("a lease").until_ms;

    // While the call waits at the gate, the card shows its time and the lease moves on.
    let ticking = bot.updated_card("cannot be called back").await;
    assert!(actions(&ticking, "cancel").is_empty(), "{ticking}");
    let (store_bot, id_ref) = (&bot, id.as_str());
    crate::support::app::poll_for("the lease renewed", || async move {
        let lease = store_bot.pending(id_ref).await.lease?;
        (lease.until_ms > first).then_some(())
    })
    .await;
    assert_eq!(bot.pending(&id).await.state, RequestState::Running);

    gate.state.open.send_replace(true);
    crate::support::app::poll_for("the change done", || async move {
        (store_bot.pending(id_ref).await.state == RequestState::Done).then_some(())
    })
    .await;
    wait_until("the result on the card", || {
        bot.puts().last().is_some_and(|card| {
            text(card).contains("dynamodb put-item") && !text(card).contains("Running:")
        })
    })
    .await;
    assert_eq!(gate.state.requests.load(Ordering::SeqCst), 1, "sent once");
}
