//! The conversation journeys end to end: signed activities through `/api/messages`, the
//! real command engine against moto (and the Support stand-in for the two operations moto
//! lacks), cards and in-place updates asserted on the recording Bot Connector, and the
//! effect checked in moto.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use aws_chatops::bot::DurableConversationStore;
use serde_json::{json, Value};

use crate::support::app::{assert_contains, request_id, TestApp, User, CONVERSATION_TTL as TTL};
use crate::support::aws::{
    aws, conversations, create_queue, create_stream, create_table, embedded_store, put_alarm,
    queue_depth, unique,
};

/// After the request `id` ended, one more confirm is told `told`, and the queue at `url` holds
/// `depth` messages: what the request sent, once or not at all.
async fn assert_ended(w: &TestApp, id: &str, told: &str, url: &str, depth: &str) {
    let message = w.confirm_told(id).await;
    assert!(message.contains(told), "{message}");
    assert_eq!(queue_depth(url).await, depth);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_command_answers_with_a_result_card_in_the_thread() {
    let w = TestApp::with_conversations().await;
    let alarm = put_alarm("cpu-high", 80.0).await;
    aws(
        "cloudwatch",
        "SetAlarmState",
        json!({"AlarmName": alarm, "StateValue": "ALARM", "StateReason": "test"}),
    )
    .await;

    let card = w
        .say(&format!(
            "cloudwatch describe-alarms --state-value ALARM --alarm-name-prefix {alarm} --output json"
        ))
        .await;
    assert_contains(
        &card,
        &[
            "cloudwatch describe-alarms",
            &format!(
                "aws cloudwatch describe-alarms --state-value ALARM --alarm-name-prefix {alarm} --output json"
            ),
            "us-east-1",
            &alarm,
            "CPUUtilization",
        ],
    );
    assert_eq!(card["version"], "1.5");
    assert!(card.to_string().len() < 28 * 1024);
    let sent = &w.connector.state.received()[0];
    assert!(
        sent.path.ends_with("/activities/1776390257332"),
        "a reply in the thread"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_page_keeps_the_cursor_on_the_server() {
    let w = TestApp::with_conversations().await;
    let prefix = unique("/app/page");
    for name in ["a", "b", "c"] {
        aws(
            "logs",
            "CreateLogGroup",
            json!({"logGroupName": format!("{prefix}/{name}")}),
        )
        .await;
    }
    let card = w
        .say(&format!(
            "logs describe-log-groups --log-group-name-prefix {prefix} --page-size 2"
        ))
        .await;
    assert_contains(
        &card,
        &["Next page", &format!("{prefix}/a"), &format!("{prefix}/b")],
    );
    assert!(!card.to_string().contains(&format!("{prefix}/c")));
    assert!(
        !card.to_string().contains("nextToken"),
        "the cursor stays on the server"
    );

    let next = json!({"request": request_id(&card)});
    let running = w.execute_card("next-page", next, User::Requester).await;
    assert_contains(&running, &["Running"]);
    let page_two = w.updated_card("Page 2").await;
    assert_contains(&page_two, &[&format!("{prefix}/c")]);
    assert!(
        !page_two.to_string().contains("Next page"),
        "no further page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_parameter_opens_a_form_and_action_execute_runs_it() {
    let w = TestApp::with_conversations().await;
    let table = create_table("orders").await;

    let form = w.say("dynamodb describe-table").await;
    assert_contains(
        &form,
        &[
            "Input.ChoiceSet",
            &table,
            "--table-name",
            "TableName__text",
            "Cancel",
        ],
    );
    let id = request_id(&form);

    let submit = json!({"request": id, "TableName": table, "TableName__text": ""});
    let running = w.execute_card("submit", submit, User::Requester).await;
    assert_contains(&running, &["Running"]);
    let result = w.updated_card("TableStatus").await;
    assert_contains(
        &result,
        &[
            &table,
            &format!("aws dynamodb describe-table --table-name {table}"),
        ],
    );
    // The Running card went to everyone first, then the result, both on the form's message.
    let puts = w.puts();
    assert!(puts.len() >= 2, "{puts:?}");
    assert!(puts[0].to_string().contains("Running"));
    let put_paths: Vec<String> = w
        .connector
        .state
        .received()
        .iter()
        .filter(|r| r.method == "PUT")
        .map(|r| r.path.clone())
        .collect();
    assert!(
        put_paths.iter().all(|p| p.ends_with("/activities/reply-1")),
        "{put_paths:?}"
    );

    // The same form cannot run twice.
    let again = w
        .execute_message(
            "submit",
            json!({"request": id, "TableName": table}),
            User::Requester,
        )
        .await;
    assert!(again.contains("already"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_is_validated_on_the_server_and_action_submit_runs_it() {
    let w = TestApp::with_conversations().await;
    let form = w.say("lambda get-function").await;
    assert_contains(&form, &["--function-name", "Input.Text", "Run"]);
    let id = request_id(&form);

    // Whatever the card checked, the server checks again: the form comes back with the reason.
    let again = w
        .execute_card(
            "submit",
            json!({"request": id, "FunctionName": "bad name!"}),
            User::Requester,
        )
        .await;
    assert_contains(&again, &["--function-name", "expected format", "bad name!"]);
    assert!(
        w.puts().is_empty(),
        "nothing ran and nobody else's card changed"
    );

    let missing = unique("missing-fn");
    w.submit(
        "submit",
        json!({"request": id, "FunctionName": missing}),
        User::Requester,
    )
    .await;
    let error = w.updated_card("ResourceNotFoundException").await;
    assert_contains(&error, &["AWS refused the call", &missing]);
    assert!(w.puts()[0].to_string().contains("Running"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_confirmed_and_runs_exactly_once() {
    let w = TestApp::with_conversations().await;
    let url = create_queue("jobs").await;

    let command = format!("sqs send-message --queue-url {url} --message-body hello");
    let shows = [
        "Account",
        "Region",
        "us-east-1",
        "Role",
        "--message-body hello",
        "Cancel",
    ];
    let id = w.confirmation(&command, &shows).await;

    // A forged id and another user's click are refused; nothing runs.
    let forged = json!({"request": "AAAAAAAAAAAAAAAAAAAAAA"});
    let refusals = [
        (
            "confirm",
            forged,
            User::Requester,
            "do not know this request",
        ),
        (
            "confirm",
            json!({"request": id}),
            User::Other,
            "Only Ada Lovelace",
        ),
        (
            "cancel",
            json!({"request": id}),
            User::Other,
            "Only Ada Lovelace",
        ),
    ];
    for (verb, data, user, said) in refusals {
        let message = w.execute_message(verb, data, user).await;
        assert!(message.contains(said), "{verb}: {message}");
    }

    // Two confirms at once: one runs, the other is told.
    let (first, second) = tokio::join!(
        w.execute("confirm", json!({"request": id}), User::Requester),
        w.execute("confirm", json!({"request": id}), User::Requester),
    );
    let bodies = [first.1, second.1];
    let running = bodies
        .iter()
        .filter(|b| b["type"] == "application/vnd.microsoft.card.adaptive")
        .count();
    assert_eq!(running, 1, "{bodies:?}");
    let result = w.updated_card("MD5OfMessageBody").await;
    assert_contains(&result, &["sqs send-message"]);

    assert_ended(&w, &id, "already handled", &url, "1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinesis_update_shard_count_through_action_submit_changes_it_once() {
    let w = TestApp::with_conversations().await;
    let stream = create_stream("clicks").await;

    let command = format!(
        "kinesis update-shard-count --stream-name {stream} --target-shard-count 2 --scaling-type UNIFORM_SCALING"
    );
    let id = w.confirmation(&command, &["update-shard-count"]).await;
    w.submit("confirm", json!({"request": id}), User::Requester)
        .await;
    w.updated_card("TargetShardCount").await;
    let before = w.connector.state.handled();
    w.submit("confirm", json!({"request": id}), User::Requester)
        .await;
    w.wait_for_connector(before + 1).await;
    let refusal = &w.connector.state.received()[before];
    assert_eq!(refusal.method, "POST");
    assert!(refusal.body["text"]
        .as_str()
        .unwrap()
        .contains("already handled"));

    let summary = aws(
        "kinesis",
        "DescribeStreamSummary",
        json!({"StreamName": stream}),
    )
    .await;
    assert_eq!(summary["StreamDescriptionSummary"]["OpenShardCount"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_cancelled_requests_run_nothing() {
    let w = TestApp::with_conversations().await;
    let url = create_queue("expiry").await;
    let command = format!("sqs send-message --queue-url {url} --message-body late");

    let id = w.confirmation(&command, &[]).await;
    // Let the request's time run out (its expiry is wall-clock time in the store).
    w.edit_pending(&id, |request| request.expires_at_ms = 1)
        .await;
    let expired = ["This request has expired", "Nothing was run"];
    w.confirm_twice(&id, &expired, "expired").await;

    let id = w.confirmation(&command, &[]).await;
    let cancelled = w.execute_card("cancel", json!({"request": id}), User::Requester);
    assert_contains(&cancelled.await, &["Cancelled", "Nothing was run"]);
    assert_ended(&w, &id, "cancelled", &url, "0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_support_journey_creates_one_case_with_the_submitted_fields() {
    let w = TestApp::with_conversations().await;
    let subject = unique("Stream throttled");
    let form = w
        .say(&format!("support create-case --subject '{subject}'"))
        .await;
    assert_contains(
        &form,
        &[
            "New AWS Support case",
            "Amazon Kinesis",
            "Production system down",
            "Attachments cannot be added",
            &subject,
            "Next",
        ],
    );
    let id = request_id(&form);
    let values = json!({
        "request": id, "subject": subject, "serviceCode": "amazon-kinesis", "severityCode": "high",
        "communicationBody": "PutRecords is throttled since 10:00.", "language": "en", "issueType": "technical",
        "ccEmailAddresses": "not-an-address"
    });

    let refused = w.execute_card("submit", values.clone(), User::Requester);
    assert_contains(&refused.await, &["is not an email address"]);

    let mut good = values.clone();
    good["ccEmailAddresses"] = json!("ops@example.com");
    let summary = w.execute_card("submit", good, User::Requester).await;
    assert_contains(
        &summary,
        &[
            "Create case",
            "Performance",
            "Production system impaired",
            "ops@example.com",
            "categoryCode",
        ],
    );
    w.updated_card("Create case").await;

    let confirm = json!({"request": id, "categoryCode": "performance"});
    let running = w.execute_card("confirm", confirm.clone(), User::Requester);
    assert_contains(&running.await, &["Running"]);
    let created = w.updated_card("Support case created").await;
    assert_contains(&created, &["Case id", &subject, "Open the case"]);

    let twice = w.execute_message("confirm", confirm, User::Requester);
    assert!(twice.await.contains("already handled"));

    let cases = aws(
        "support",
        "DescribeCases",
        json!({"includeResolvedCases": true}),
    )
    .await;
    let ours: Vec<&Value> = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["subject"] == json!(subject))
        .collect();
    assert_eq!(ours.len(), 1, "{cases}");
    let case = ours[0];
    assert_eq!(case["serviceCode"], "amazon-kinesis");
    assert_eq!(case["categoryCode"], "performance");
    assert_eq!(case["ccEmailAddresses"], json!(["ops@example.com"]));
    assert_eq!(case["language"], "en");
    // moto's DescribeCases moves every case's severity one step up per call (it simulates
    // escalation), so the severity is checked on the one CreateCase request instead.
    let forwarded = w.support().state.forwarded_requests.lock().unwrap().clone();
    let creates: Vec<&Value> = forwarded
        .iter()
        .filter(|(operation, _)| operation == "CreateCase")
        .map(|(_, body)| body)
        .collect();
    assert_eq!(creates.len(), 1, "exactly one CreateCase: {forwarded:?}");
    assert_eq!(creates[0]["severityCode"], "high");
    assert_eq!(creates[0]["issueType"], "technical");
    assert_eq!(creates[0]["subject"], json!(subject));
    assert_eq!(
        creates[0]["communicationBody"],
        "PutRecords is throttled since 10:00."
    );
    assert!(created
        .to_string()
        .contains(case["caseId"].as_str().unwrap()));
    assert!(w.support().state.answered.load(Ordering::SeqCst) >= 3);
    assert!(w.support().state.forwarded.load(Ordering::SeqCst) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_without_a_plan_and_attachments_are_explained() {
    let w = TestApp::with_conversations().await;
    let refused = w
        .say("support create-case --attachment-set-id as-123 --subject x")
        .await;
    assert_contains(
        &refused,
        &["Attachments cannot be added from chat", "Support Center"],
    );

    w.support()
        .state
        .no_subscription
        .store(true, Ordering::SeqCst);
    let card = w.say("support create-case").await;
    assert_contains(
        &card,
        &[
            "cannot open support cases through the API",
            "Business",
            "SubscriptionRequiredException",
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_cards_come_from_the_models_and_typos_get_suggestions() {
    let w = TestApp::with_conversations().await;
    let general = w.say("help").await;
    assert_contains(&general, &["AWS ChatOps help", "support create-case"]);
    let service = w.say("lambda --help").await;
    assert_contains(&service, &["lambda help", "get-function", "operations"]);
    let operation = w.say("cloudwatch describe-alarms --help").await;
    assert_contains(
        &operation,
        &[
            "**--state-value** · string",
            "ALARM",
            "INSUFFICIENT_DATA",
            "https://docs.aws.amazon.com/cli/latest/reference/cloudwatch/describe-alarms.html",
        ],
    );
    let typo = w.say("cloudwach describe-alarms").await;
    assert_contains(
        &typo,
        &["Unknown service 'cloudwach'", "Did you mean", "cloudwatch"],
    );
    let operation_typo = w.say("cloudwatch describe-alarm").await;
    assert_contains(&operation_typo, &["Did you mean", "describe-alarms"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_opened_before_a_restart_can_be_submitted_after_it() {
    let mut w = TestApp::with_conversations().await;
    let table = create_table("restart").await;
    let form = w.say("dynamodb describe-table").await;
    let id = request_id(&form);

    // The process stops; the store file is closed and opened again by the new process.
    w.stop().await;
    w.store = None;
    let store = embedded_store(w.state_path()).await;
    let handler = conversations(store.clone(), &w.support().url(), TTL);
    w.restart(
        handler,
        Some(Arc::new(DurableConversationStore::new(store.clone()))),
    )
    .await;
    w.store = Some(store);

    let submit = json!({"request": id, "TableName": table});
    let running = w.execute_card("submit", submit, User::Requester).await;
    assert_contains(&running, &["Running"]);
    let result = w.updated_card("TableStatus").await;
    assert_contains(&result, &[&table]);
}
