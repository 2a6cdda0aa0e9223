//! The conversation journeys end to end: signed activities through `/api/messages`, the
//! real command engine against moto (and the Support stand-in for the two operations moto
//! lacks), cards and in-place updates asserted on the recording Bot Connector, and the
//! effect checked in moto.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use aws_chatops::bot::DurableConversationStore;
use aws_chatops::conversation::pending::{PendingRequest, NAMESPACE};
use aws_chatops::store::{get_json, put_json};
use serde_json::{json, Value};

use crate::support::app::{TestApp, User, CONVERSATION_TTL as TTL};
use crate::support::aws::{aws, conversations, embedded_store, unique};

/// The pending-request id a card's buttons carry.
pub(crate) fn request_id(card: &Value) -> String {
    fn find(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("request") {
                    return Some(id.clone());
                }
                map.values().find_map(find)
            }
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(card).expect("the card carries a request id")
}

pub(crate) fn assert_contains(card: &Value, needles: &[&str]) {
    let text = card.to_string();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
}

pub(crate) fn invoke_card(body: &Value) -> Value {
    assert_eq!(body["statusCode"], 200, "{body}");
    assert_eq!(
        body["type"], "application/vnd.microsoft.card.adaptive",
        "{body}"
    );
    body["value"].clone()
}

pub(crate) fn invoke_message(body: &Value) -> String {
    assert_eq!(
        body["type"], "application/vnd.microsoft.activity.message",
        "{body}"
    );
    body["value"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_command_answers_with_a_result_card_in_the_thread() {
    let w = TestApp::with_conversations().await;
    let alarm = unique("cpu-high");
    aws(
        "cloudwatch",
        "PutMetricAlarm",
        json!({"AlarmName": alarm, "MetricName": "CPUUtilization", "Namespace": "AWS/EC2",
               "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": 80.0,
               "ComparisonOperator": "GreaterThanThreshold"}),
    )
    .await;
    aws(
        "cloudwatch",
        "SetAlarmState",
        json!({"AlarmName": alarm, "StateValue": "ALARM", "StateReason": "test"}),
    )
    .await;

    let card = w
        .say(&format!(
            "cloudwatch describe-alarms --state-value ALARM --alarm-name-prefix {alarm}"
        ))
        .await;
    assert_contains(
        &card,
        &[
            "cloudwatch describe-alarms",
            &format!(
                "aws cloudwatch describe-alarms --state-value ALARM --alarm-name-prefix {alarm}"
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

    let (status, body) = w
        .execute(
            "next-page",
            json!({"request": request_id(&card)}),
            User::Requester,
        )
        .await;
    assert_eq!(status, 200);
    assert_contains(&invoke_card(&body), &["Running"]);
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
    let table = unique("orders");
    aws(
        "dynamodb",
        "CreateTable",
        json!({"TableName": table, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}),
    )
    .await;

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

    let (status, body) = w
        .execute(
            "submit",
            json!({"request": id, "TableName": table, "TableName__text": ""}),
            User::Requester,
        )
        .await;
    assert_eq!(status, 200);
    assert_contains(&invoke_card(&body), &["Running"]);
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
    let (_, again) = w
        .execute(
            "submit",
            json!({"request": id, "TableName": table}),
            User::Requester,
        )
        .await;
    assert!(invoke_message(&again).contains("already"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_is_validated_on_the_server_and_action_submit_runs_it() {
    let w = TestApp::with_conversations().await;
    let form = w.say("lambda get-function").await;
    assert_contains(&form, &["--function-name", "Input.Text", "Run"]);
    let id = request_id(&form);

    // Whatever the card checked, the server checks again: the form comes back with the reason.
    let (_, body) = w
        .execute(
            "submit",
            json!({"request": id, "FunctionName": "bad name!"}),
            User::Requester,
        )
        .await;
    let again = invoke_card(&body);
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
    let queue = unique("jobs");
    let url = aws("sqs", "CreateQueue", json!({"QueueName": queue})).await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_owned();

    let confirm = w
        .say(&format!(
            "sqs send-message --queue-url {url} --message-body hello"
        ))
        .await;
    assert_contains(
        &confirm,
        &[
            "Confirm this change",
            "Account",
            "Region",
            "us-east-1",
            "Role",
            "--message-body hello",
            "Cancel",
        ],
    );
    let id = request_id(&confirm);

    // A forged id and another user's click are refused; nothing runs.
    let (_, forged) = w
        .execute(
            "confirm",
            json!({"request": "AAAAAAAAAAAAAAAAAAAAAA"}),
            User::Requester,
        )
        .await;
    assert!(invoke_message(&forged).contains("do not know this request"));
    let (_, other) = w
        .execute("confirm", json!({"request": id}), User::Other)
        .await;
    assert!(invoke_message(&other).contains("Only Ada Lovelace"));
    let (_, other_cancel) = w
        .execute("cancel", json!({"request": id}), User::Other)
        .await;
    assert!(invoke_message(&other_cancel).contains("Only Ada Lovelace"));

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

    let (_, late) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert!(invoke_message(&late).contains("already handled"));

    let attributes = aws(
        "sqs",
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]}),
    )
    .await;
    assert_eq!(attributes["Attributes"]["ApproximateNumberOfMessages"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kinesis_update_shard_count_through_action_submit_changes_it_once() {
    let w = TestApp::with_conversations().await;
    let stream = unique("clicks");
    aws(
        "kinesis",
        "CreateStream",
        json!({"StreamName": stream, "ShardCount": 1}),
    )
    .await;

    let confirm = w
        .say(&format!(
            "kinesis update-shard-count --stream-name {stream} --target-shard-count 2 --scaling-type UNIFORM_SCALING"
        ))
        .await;
    assert_contains(&confirm, &["Confirm this change", "update-shard-count"]);
    let id = request_id(&confirm);
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
    let queue = unique("expiry");
    let url = aws("sqs", "CreateQueue", json!({"QueueName": queue})).await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    let command = format!("sqs send-message --queue-url {url} --message-body late");

    let confirm = w.say(&command).await;
    let id = request_id(&confirm);
    // Let the request's time run out (its expiry is wall-clock time in the store).
    let mut stored: PendingRequest = get_json(w.store().as_ref(), NAMESPACE, &id)
        .await
        .unwrap()
        .unwrap();
    stored.expires_at_ms = 1;
    put_json(
        w.store().as_ref(),
        NAMESPACE,
        &id,
        &stored,
        Some(Duration::from_secs(3600)),
    )
    .await
    .unwrap();
    let (_, body) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert_contains(
        &invoke_card(&body),
        &["This request has expired", "Nothing was run"],
    );
    w.updated_card("This request has expired").await;
    let (_, again) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert!(invoke_message(&again).contains("expired"));

    let confirm = w.say(&command).await;
    let id = request_id(&confirm);
    let (_, body) = w
        .execute("cancel", json!({"request": id}), User::Requester)
        .await;
    assert_contains(&invoke_card(&body), &["Cancelled", "Nothing was run"]);
    let (_, after) = w
        .execute("confirm", json!({"request": id}), User::Requester)
        .await;
    assert!(invoke_message(&after).contains("cancelled"));

    let attributes = aws(
        "sqs",
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]}),
    )
    .await;
    assert_eq!(attributes["Attributes"]["ApproximateNumberOfMessages"], "0");
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

    let (_, body) = w.execute("submit", values.clone(), User::Requester).await;
    assert_contains(&invoke_card(&body), &["is not an email address"]);

    let mut good = values.clone();
    good["ccEmailAddresses"] = json!("ops@example.com");
    let (_, body) = w.execute("submit", good, User::Requester).await;
    let summary = invoke_card(&body);
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

    let (_, body) = w
        .execute(
            "confirm",
            json!({"request": id, "categoryCode": "performance"}),
            User::Requester,
        )
        .await;
    assert_contains(&invoke_card(&body), &["Running"]);
    let created = w.updated_card("Support case created").await;
    assert_contains(&created, &["Case id", &subject, "Open the case"]);

    let (_, twice) = w
        .execute(
            "confirm",
            json!({"request": id, "categoryCode": "performance"}),
            User::Requester,
        )
        .await;
    assert!(invoke_message(&twice).contains("already handled"));

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
    let table = unique("restart");
    aws(
        "dynamodb",
        "CreateTable",
        json!({"TableName": table, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}),
    )
    .await;
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

    let (_, body) = w
        .execute(
            "submit",
            json!({"request": id, "TableName": table}),
            User::Requester,
        )
        .await;
    assert_contains(&invoke_card(&body), &["Running"]);
    let result = w.updated_card("TableStatus").await;
    assert_contains(&result, &[&table]);
}
