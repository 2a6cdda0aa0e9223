//! Messages that used to abort the whole process: a deeply nested `--query` or shorthand
//! value overflowed a worker's stack while parsing, before access control. Each is sent
//! through `/api/messages`; the refusal card must name the limit, and a normal command sent
//! afterwards must still be answered (a stack overflow would have killed this test binary).

use crate::support::app::{wait_until, TestApp};
use crate::support::sns::TOPIC;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_messages_are_refused_and_the_bot_stays_up() {
    let bot = TestApp::with_conversations().await;
    let describe = "cloudwatch describe-alarms";
    let list_metrics = "cloudwatch list-metrics";
    // (command text, what the refusal card must say)
    let crashes: Vec<(String, &str)> = vec![
        // Numbers the jmespath crate's lexer panics on (found by the hour-long property run).
        (format!("{describe} --query '-²'"), "ASCII digits"),
        (
            format!("{describe} --query 'MetricAlarms[99999999999]'"),
            "numbers in an expression go up to 2147483647",
        ),
        (
            format!("{describe} --query '{}a'", "!".repeat(3000)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query 'a{}'", " ".repeat(4096)),
            "the limit is 4096",
        ),
        (
            format!("{describe} --query '{}'", "[".repeat(3000)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query '{}'", "(".repeat(3000)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query '{}'", "[?".repeat(1500)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query 'a{}'", ".a".repeat(3000)),
            "the limit is 4096",
        ),
        (
            format!("{describe} --query 'a{}'", ".a".repeat(1000)),
            "the limit is 256",
        ),
        (
            format!("{describe} --query 'a{}'", "[0]".repeat(3000)),
            "the limit is 4096",
        ),
        (
            format!("{describe} --query 'a{}'", "[0]".repeat(1000)),
            "the limit is 256",
        ),
        (
            format!("{describe} --query 'a{}'", ".a".repeat(100)),
            "the limit is 64",
        ),
        // Unquoted, the tokenizer's bracket bound refuses these; quoted, shorthand's bound.
        (
            format!("{list_metrics} --dimensions Name={}", "{a=".repeat(1000)),
            "Brackets nest more than 64 deep",
        ),
        (
            format!("{list_metrics} --dimensions Name={}", "[".repeat(3000)),
            "Brackets nest more than 64 deep",
        ),
        (
            format!("{list_metrics} --dimensions 'Name={}'", "{a=".repeat(1000)),
            "the limit; flatten the value or give it as JSON",
        ),
        (
            format!("{list_metrics} --dimensions 'Name={}'", "[".repeat(3000)),
            "the limit; flatten the value or give it as JSON",
        ),
        (
            format!(
                "{list_metrics} --dimensions '{}1{}'",
                "[".repeat(40),
                "]".repeat(40)
            ),
            "levels deep, the limit; flatten the value",
        ),
    ];
    for (text, limit) in &crashes {
        let card = bot.say(text).await.to_string();
        assert!(
            card.contains(limit),
            "{:.80}: {limit:?} not in {card:.600}",
            text
        );
    }
    // Still alive: a normal command gets its answer.
    let card = bot
        .say(&format!("{describe} --query 'length(MetricAlarms)'"))
        .await;
    let text = card.to_string();
    assert!(
        text.contains("aws cloudwatch describe-alarms --query"),
        "{text:.600}"
    );
    assert!(!text.contains("limit"), "{text:.600}");
}

/// A query that doubles its result at every step stops at the evaluation budget with a
/// message, instead of allocating 2^40 copies of the response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doubling_query_stops_at_the_work_budget() {
    let bot = TestApp::with_conversations().await;
    let doubling = format!("@{}", "|[@,@]".repeat(40));
    let card = bot
        .say(&format!("cloudwatch describe-alarms --query '{doubling}'"))
        .await
        .to_string();
    assert!(card.contains("grows past the limit of"), "{card:.600}");
    let again = bot
        .say("cloudwatch describe-alarms --output json")
        .await
        .to_string();
    assert!(again.contains("MetricAlarms"), "{again:.600}");
}

/// The same refusal from a terminal: `aws-chatops exec` prints it on stderr and exits with
/// the parse-error status instead of aborting.
#[test]
fn exec_refuses_a_deep_query_on_stderr() {
    let query = "(".repeat(3000);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aws-chatops"))
        .args([
            "exec",
            "--",
            "cloudwatch",
            "describe-alarms",
            "--query",
            &query,
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the limit is 32"), "{stderr}");
    assert!(output.status.code().is_some(), "killed by a signal");
    assert_ne!(output.status.code(), Some(0));
}

/// A notification message with a value nested `depth` deep inside it (the top object counts
/// as one level), for each format that keeps nested values: a custom notification's
/// `additionalContext`, a generic EventBridge event's `detail`, CloudWatch's own alarm JSON,
/// and an EventBridge alarm event's `reasonData` (JSON in a string, bounded the same way).
fn nested_notifications(depth: usize) -> Vec<(&'static str, String)> {
    let nested = |levels: usize| format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
    let alarm_metric = include_str!("../fixtures/notifications/alarm-metric.json");
    let reason_data = format!(r#"{{"threshold":80.0,"deep":{}}}"#, nested(depth - 1));
    let mut event: serde_json::Value = serde_json::from_str(include_str!(
        "../fixtures/notifications/eventbridge-alarm.json"
    ))
    .unwrap();
    event["detail"]["state"]["reasonData"] = serde_json::json!(reason_data);
    vec![
        (
            "custom",
            format!(
                r#"{{"version":"1.0","source":"custom","content":{{"description":"deep context"}},"metadata":{{"additionalContext":{{"deep":{}}}}}}}"#,
                nested(depth - 3)
            ),
        ),
        (
            "event",
            format!(
                r#"{{"detail-type":"Deep Event","source":"test.deep","detail":{{"deep":{}}}}}"#,
                nested(depth - 2)
            ),
        ),
        (
            "alarm",
            format!(
                r#"{{"Deep":{},{}"#,
                nested(depth - 1),
                alarm_metric.trim().trim_start_matches('{')
            ),
        ),
        ("reasonData", event.to_string()),
    ]
}

/// The deepest notification read as what it is, and one level more shown as text, on half a
/// tokio worker's stack (1 MiB) in a debug build: parsing and rendering never recurse past the
/// nesting bound. `reasonData` is parsed on its own: one level too deep there loses only the
/// threshold it carries.
#[test]
fn the_deepest_accepted_notifications_fit_half_a_worker_stack() {
    use aws_chatops::notify::message::{AlarmTrigger, Notification, MAX_JSON_DEPTH};
    use aws_chatops::render::{notification, NotificationView, CARD_BUDGET_BYTES};
    let render = |read: &Notification| {
        let card = notification(&NotificationView {
            notification: read,
            topic: "alarms",
            charts: &[],
            buttons: &[],
            acknowledged_by: None,
            history: &[],
        });
        assert!(card.content.to_string().len() < CARD_BUDGET_BYTES);
    };
    let threshold = |read: &Notification| match read {
        Notification::Alarm(alarm) => match &alarm.trigger {
            AlarmTrigger::Metric(metric) => metric.threshold,
            other => panic!("a metric alarm: {other:?}"),
        },
        other => panic!("an alarm: {other:?}"),
    };
    let outcome = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            for (kind, message) in nested_notifications(MAX_JSON_DEPTH) {
                let read = Notification::parse(Some("deep"), &message);
                assert!(!matches!(read, Notification::Text(_)), "{kind}: {read:?}");
                if kind == "reasonData" {
                    assert_eq!(threshold(&read), Some(80.0));
                }
                render(&read);
            }
            for (kind, message) in nested_notifications(MAX_JSON_DEPTH + 1) {
                let read = Notification::parse(Some("deep"), &message);
                if kind == "reasonData" {
                    assert_eq!(
                        threshold(&read),
                        None,
                        "reasonData past the bound is not read"
                    );
                } else {
                    assert!(matches!(read, Notification::Text(_)), "{kind}: {read:?}");
                }
                render(&read);
            }
            let far_too_deep = format!("{{\"a\":{}", "[".repeat(200_000));
            let read = Notification::parse(None, &far_too_deep);
            assert!(matches!(read, Notification::Text(_)));
            render(&read);
        })
        .expect("spawn")
        .join();
    assert!(outcome.is_ok(), "a deep notification failed: see above");
}

/// Through `/api/sns`: the deepest custom notification is posted as a card, one level more
/// is posted as text, and the bot stays up for the next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deep_notifications_through_sns_are_posted_and_the_bot_stays_up() {
    use aws_chatops::notify::message::MAX_JSON_DEPTH;
    let (app, publisher) = crate::sns_limits::start(&[]).await;
    crate::sns_limits::install_in_team(&app).await;
    let hub = app
        .server()
        .notification_hub()
        .expect("notifications on")
        .clone();
    let deepest = &nested_notifications(MAX_JSON_DEPTH)[0].1;
    let too_deep = &nested_notifications(MAX_JSON_DEPTH + 1)[0].1;
    for (n, (message, shows)) in [(deepest, "deep context"), (too_deep, "additionalContext")]
        .into_iter()
        .enumerate()
    {
        let before = app.connector.state.accepted().len();
        let body = publisher.notification(TOPIC, &format!("deep-{n}"), "deep", message);
        let status = crate::sns_limits::post_sns(&app, body.to_string().into_bytes()).await;
        assert_eq!(status, 200);
        wait_until("the card posted", || hub.counts().posted > n as u64).await;
        app.wait_turns_idle().await;
        let cards: Vec<String> = app.connector.state.accepted()[before..]
            .iter()
            .map(|r| r.body.to_string())
            .collect();
        assert!(
            cards.iter().any(|card| card.contains(shows)),
            "{shows:?} not in {cards:.600?}"
        );
    }
}
