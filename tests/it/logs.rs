//! Show logs / Show error logs and `logs start-query` through /api/messages, as a user gets
//! them: the bot authorizing per channel (`[access]`, production as OPS's account), moto for
//! AWS, and a recording proxy in front of moto for CloudWatch Logs (moto runs Logs Insights but
//! ignores `filter`, so the query string the bot sent is asserted as well as the rows shown).
//!
//! The alarm records the buttons name are written straight to the bot's store here: the
//! notification hub and describe-alarms (which write them in the product) live in other
//! slices of issue 10.

use std::time::Duration;

use aws_chatops::conversation::alarm_records::{AlarmRecord, ALARM_RECORDS_NAMESPACE};
use aws_chatops::conversation::pending::new_request_id;
use aws_chatops::notify::message::{
    AlarmNotification, AlarmState, AlarmTrigger, MetricStat, MetricTrigger,
};
use aws_chatops::policy::{Authorizer as _, Requester};
use aws_chatops::store::put_json;
use serde_json::{json, Value};

use crate::support::app::{
    assert_contains, card_of, poll_for, TestApp, User, ONCALL, OPS, TENANT_ID, USER_AAD_ID,
};
use crate::support::aws::{aws, moto_engine, unique};
use crate::support::logs_proxy::LogsProxy;

const QUERY: &str = "fields @timestamp, @logStream, @message | sort @timestamp asc | limit 30";
const ERROR_QUERY: &str = "fields @timestamp, @logStream, @message | filter @message like /(?i)(error|exception|fail)/ | sort @timestamp asc | limit 30";
const STREAM: &str = "2026/12/03/[$LATEST]5b1c0e8e";

/// The bot with `guardrails` for OPS, production as Ada's account there, Logs through a proxy.
/// A short call limit keeps a query that stays Running from holding a test for 12 s.
async fn start(guardrails: &str) -> (TestApp, LogsProxy) {
    let proxy = LogsProxy::start();
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("CLOUDWATCH_LOGS".into(), proxy.url());
    engine.timeout = Duration::from_secs(4);
    let bot = TestApp::with_access(engine, guardrails).await;
    bot.authorizer()
        .set_default_account(&ada(), "production")
        .await
        .unwrap();
    (bot, proxy)
}

fn ada() -> Requester {
    Requester {
        tenant_id: Some(TENANT_ID.into()),
        team_id: Some("19:team-general@thread.tacv2".into()),
        channel_id: Some(OPS.into()),
        conversation_id: OPS.into(),
        conversation_type: Some("channel".into()),
        user_object_id: Some(USER_AAD_ID.into()),
        user_name: Some("Ada Lovelace".into()),
    }
}

fn now_millis() -> i64 {
    aws_chatops::common::now_millis() as i64
}

/// A log group in moto with one entry 20 minutes ago (outside any alarm window here) and
/// three in the last three minutes, one of them an error and one a failure.
async fn log_group(name: &str) {
    aws("logs", "CreateLogGroup", json!({"logGroupName": name})).await;
    aws(
        "logs",
        "CreateLogStream",
        json!({"logGroupName": name, "logStreamName": STREAM}),
    )
    .await;
    let now = now_millis();
    let events = [
        (now - 20 * 60_000, "INFO old entry outside the window"),
        (now - 180_000, "INFO handling order 58311"),
        (now - 120_000, "ERROR Unhandled exception: TimeoutError"),
        (now - 60_000, "Order 58312 failed validation"),
    ];
    let events: Vec<Value> = events
        .iter()
        .map(|(at, message)| json!({"timestamp": at, "message": message}))
        .collect();
    aws(
        "logs",
        "PutLogEvents",
        json!({"logGroupName": name, "logStreamName": STREAM, "logEvents": events}),
    )
    .await;
}

/// An alarm on `namespace`/`metric` with `dimensions`, 5 periods of 60 s, changed a minute ago.
fn alarm(
    name: &str,
    namespace: &str,
    metric: &str,
    dimensions: &[(&str, &str)],
) -> AlarmNotification {
    AlarmNotification {
        name: name.to_owned(),
        description: None,
        arn: None,
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        new_state: AlarmState::Alarm,
        old_state: Some(AlarmState::Ok),
        reason: "Threshold Crossed".into(),
        changed_at_millis: now_millis() - 60_000,
        trigger: AlarmTrigger::Metric(MetricTrigger {
            metric: MetricStat {
                namespace: namespace.to_owned(),
                metric_name: metric.to_owned(),
                dimensions: dimensions
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
                stat: "Sum".into(),
                period_seconds: 60,
                unit: None,
            },
            evaluation_periods: 5,
            comparison_operator: "GreaterThanThreshold".into(),
            threshold: Some(1.0),
            treat_missing_data: None,
        }),
    }
}

/// Stores the record an alarm card's buttons name, for a card in `conversation`; its id.
async fn record(bot: &TestApp, alarm: &AlarmNotification, conversation: &str) -> String {
    let id = new_request_id();
    let record = AlarmRecord {
        alarm: alarm.clone(),
        topic: Some("prod-alarms".into()),
        conversation_id: conversation.to_owned(),
        acknowledged: None,
        card: None,
    };
    put_json(
        bot.store().as_ref(),
        ALARM_RECORDS_NAMESPACE,
        &id,
        &record,
        Some(Duration::from_secs(3600)),
    )
    .await
    .unwrap();
    id
}

/// An alarm in moto tagged with its log group, the group with entries, and the record.
async fn tagged_alarm(bot: &TestApp) -> (AlarmNotification, String, String) {
    let group = format!("/aws/lambda/{}", unique("orders"));
    log_group(&group).await;
    let name = unique("orders-errors");
    aws(
        "cloudwatch",
        "PutMetricAlarm",
        json!({"AlarmName": name, "MetricName": "Errors", "Namespace": "AWS/Lambda",
               "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 5, "Threshold": 1.0,
               "ComparisonOperator": "GreaterThanThreshold",
               "Tags": [{"Key": "aws-chatops:log-groups", "Value": group}]}),
    )
    .await;
    let alarm = alarm(
        &name,
        "AWS/Lambda",
        "Errors",
        &[("FunctionName", "not-this-one")],
    );
    let id = record(bot, &alarm, OPS).await;
    (alarm, group, id)
}

/// The first card posted (POST) after the first `before` Connector requests that contains
/// `text`.
async fn posted(bot: &TestApp, before: usize, text: &str) -> Value {
    let state = &bot.connector.state;
    poll_for(&format!("a posted card with {text:?}"), || {
        let found = state.received()[before..]
            .iter()
            .filter(|r| r.method == "POST")
            .map(card_of)
            .find(|card| card.to_string().contains(text));
        std::future::ready(found)
    })
    .await
}

/// Ada clicks `verb` on the alarm card of `record` in OPS; the invoke's message to her.
async fn click(bot: &TestApp, verb: &str, record: &str, channel: &str) -> String {
    let told = bot
        .click(channel, json!({"verb": verb, "request": record}))
        .await;
    told.as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn show_logs_queries_the_alarm_window_as_the_clicker_and_posts_the_entries() {
    let (bot, proxy) = start("\"ReadOnly\"").await;
    let (alarm, group, id) = tagged_alarm(&bot).await;
    let before = bot.connector.state.received().len();
    let clicked_at = now_millis() / 1000;
    let told = click(&bot, "show-logs", &id, OPS).await;
    assert!(told.contains("Running the Logs Insights query"), "{told}");
    let card = posted(&bot, before, &format!("Logs of {}", alarm.name)).await;
    let text = card.to_string();
    for shown in [
        "handling order 58311",
        "Unhandled exception",
        "failed validation",
    ] {
        assert!(text.contains(shown), "{shown} in {text}");
    }
    assert!(!text.contains("outside the window"), "{text}");
    assert_contains(
        &card,
        &[
            "Open in Logs Insights",
            "aws logs start-query",
            "Complete, 3 entries",
        ],
    );
    // The query the bot sent: the tagged group, the evaluation window, no error filter.
    let sent = proxy.start_queries();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["queryString"], QUERY);
    assert_eq!(sent[0]["logGroupNames"], json!([group]));
    assert_eq!(
        sent[0]["startTime"],
        (alarm.changed_at_millis - 300_000).div_euclid(1000)
    );
    let end = sent[0]["endTime"].as_i64().unwrap();
    assert!(
        (clicked_at..=clicked_at + 30).contains(&end),
        "{end} vs {clicked_at}"
    );
    let records = bot.records();
    let operations: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap(),
                r["outcome"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        operations.contains(&("StartQuery", "allowed")),
        "{operations:?}"
    );
    assert!(
        operations.contains(&("GetQueryResults", "allowed")),
        "{operations:?}"
    );

    // Show error logs: the same window with the filter before the sort.
    let before = bot.connector.state.received().len();
    click(&bot, "show-error-logs", &id, OPS).await;
    let card = posted(&bot, before, &format!("Error logs of {}", alarm.name)).await;
    assert_contains(&card, &["Only entries containing Error, Exception or Fail"]);
    let sent = proxy.start_queries();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1]["queryString"], ERROR_QUERY);
    assert_eq!(sent[1]["logGroupNames"], json!([group]));
}

#[tokio::test]
async fn lambda_alarms_and_metric_filters_name_their_log_groups() {
    let (bot, proxy) = start("\"ReadOnly\"").await;
    // A Lambda function's alarm reads /aws/lambda/<function>.
    let function = unique("checkout");
    log_group(&format!("/aws/lambda/{function}")).await;
    let lambda = alarm(
        &unique("checkout-errors"),
        "AWS/Lambda",
        "Errors",
        &[("FunctionName", &function)],
    );
    let id = record(&bot, &lambda, OPS).await;
    let before = bot.connector.state.received().len();
    click(&bot, "show-logs", &id, OPS).await;
    posted(&bot, before, "Unhandled exception").await;
    assert_eq!(
        proxy.start_queries()[0]["logGroupNames"],
        json!([format!("/aws/lambda/{function}")])
    );
    // A custom metric published by a metric filter reads the filter's log group.
    let group = format!("/ecs/{}", unique("payments"));
    log_group(&group).await;
    let namespace = unique("Payments");
    aws(
        "logs",
        "PutMetricFilter",
        json!({"logGroupName": group, "filterName": "failures", "filterPattern": "failed",
               "metricTransformations": [{"metricName": "Failures", "metricNamespace": namespace, "metricValue": "1"}]}),
    )
    .await;
    let filtered = alarm(&unique("payment-failures"), &namespace, "Failures", &[]);
    let id = record(&bot, &filtered, OPS).await;
    let before = bot.connector.state.received().len();
    click(&bot, "show-logs", &id, OPS).await;
    posted(&bot, before, "failed validation").await;
    assert_eq!(proxy.start_queries()[1]["logGroupNames"], json!([group]));
}

#[tokio::test]
async fn without_a_known_log_group_a_form_asks_and_its_choice_runs_the_query() {
    let (bot, proxy) = start("\"ReadOnly\"").await;
    let group = format!("/aws/lambda/{}", unique("inventory"));
    log_group(&group).await;
    let cpu = alarm(
        &unique("cpu-high"),
        "AWS/EC2",
        "CPUUtilization",
        &[("InstanceId", "i-0abc")],
    );
    let id = record(&bot, &cpu, OPS).await;
    let before = bot.connector.state.received().len();
    click(&bot, "show-error-logs", &id, OPS).await;
    let form = posted(&bot, before, "Choose the log groups to read").await;
    assert_contains(
        &form,
        &["\"id\":\"logGroups\"", "\"verb\":\"show-error-logs\"", &id],
    );
    assert!(
        proxy.start_queries().is_empty(),
        "nothing ran before the choice"
    );
    // A name that is not a log group is refused and nothing runs.
    let told = bot
        .execute_message(
            "show-error-logs",
            json!({"request": id, "logGroups": "/a b;"}),
            User::Requester,
        )
        .await;
    assert!(told.contains("not a log group name"), "{told}");
    assert!(proxy.start_queries().is_empty());
    // The chosen group: the form's card shows "Running…", then the logs in its place.
    let running = bot
        .execute_card(
            "show-error-logs",
            json!({"request": id, "logGroups": group}),
            User::Requester,
        )
        .await;
    assert_contains(&running, &["Running"]);
    let card = bot
        .updated_card(&format!("Error logs of {}", cpu.name))
        .await;
    assert_contains(&card, &["Unhandled exception"]);
    let sent = proxy.start_queries();
    assert_eq!(sent[0]["queryString"], ERROR_QUERY);
    assert_eq!(sent[0]["logGroupNames"], json!([group]));
}

#[tokio::test]
async fn clicks_from_elsewhere_or_on_unknown_alarms_are_refused_and_nothing_runs() {
    let (bot, proxy) = start("\"ReadOnly\"").await;
    let (_, _, id) = tagged_alarm(&bot).await;
    let told = click(&bot, "show-logs", &id, ONCALL).await;
    assert!(told.contains("belongs to another conversation"), "{told}");
    let told = click(&bot, "show-logs", "AAAAAAAAAAAAAAAAAAAAAA", OPS).await;
    assert!(told.contains("I do not know this alarm"), "{told}");
    let told = click(&bot, "refresh-logs", "AAAAAAAAAAAAAAAAAAAAAA", OPS).await;
    assert!(told.contains("no longer kept"), "{told}");
    bot.wait_turns_idle().await;
    assert!(proxy.operations().is_empty(), "{:?}", proxy.operations());
    bot.assert_sent(0, "nothing was posted");
}

#[tokio::test]
async fn a_guardrail_without_start_query_refuses_with_the_layer_and_runs_nothing() {
    let (bot, proxy) = start("\"Notification\"").await;
    let (_, _, id) = tagged_alarm(&bot).await;
    let before = bot.connector.state.received().len();
    click(&bot, "show-logs", &id, OPS).await;
    let card = posted(&bot, before, "Not allowed here").await;
    assert_contains(&card, &["guardrail", "logs:StartQuery"]);
    assert!(proxy.start_queries().is_empty());
    let last = bot.records().last().cloned().unwrap();
    assert_eq!(last["operation"], "StartQuery");
    assert_eq!(last["outcome"]["kind"], "denied");
}

#[tokio::test]
async fn a_query_still_running_shows_what_is_there_and_refresh_shows_the_rest() {
    let (bot, proxy) = start("\"ReadOnly\"").await;
    let (alarm, _, id) = tagged_alarm(&bot).await;
    proxy.set_running(true);
    let before = bot.connector.state.received().len();
    click(&bot, "show-logs", &id, OPS).await;
    let card = posted(&bot, before, "Still running").await;
    let refresh = crate::support::app::request_id(
        &card["body"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == "ActionSet")
            .cloned()
            .unwrap(),
    );
    assert_ne!(refresh, id, "Refresh names the query's own record");
    assert_contains(&card, &["\"verb\":\"refresh-logs\""]);
    bot.wait_turns_idle().await;
    proxy.set_running(false);
    let running = bot
        .execute_card("refresh-logs", json!({"request": refresh}), User::Requester)
        .await;
    assert_contains(&running, &["Running"]);
    let card = bot.updated_card("Complete, 3 entries").await;
    assert_contains(
        &card,
        &[&format!("Logs of {}", alarm.name), "Unhandled exception"],
    );
    assert_eq!(
        proxy.start_queries().len(),
        1,
        "Refresh starts no new query"
    );
}

#[tokio::test]
async fn logs_start_query_typed_in_chat_shows_the_results() {
    let (bot, proxy) = start("\"ReadOnly\"").await;
    let group = format!("/aws/lambda/{}", unique("typed"));
    log_group(&group).await;
    let now = now_millis() / 1000;
    let card = bot
        .say_in(
            OPS,
            &format!(
                "logs start-query --log-group-names {group} --start-time {} --end-time {} --query-string '{ERROR_QUERY}'",
                now - 600,
                now + 60
            ),
        )
        .await;
    assert_contains(
        &card,
        &[
            "Logs Insights query",
            "Unhandled exception",
            "failed validation",
            "Open in Logs Insights",
        ],
    );
    assert_eq!(proxy.start_queries()[0]["queryString"], ERROR_QUERY);
    // With --output the CLI's answer is what the user asked for.
    let card = bot
        .say_in(
            OPS,
            &format!(
                "logs start-query --log-group-names {group} --start-time {} --end-time {} --query-string 'fields @message' --output json",
                now - 600,
                now + 60
            ),
        )
        .await;
    assert_contains(&card, &["queryId"]);
}
