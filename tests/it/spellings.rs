//! The spellings the seed page and phone keyboards produce, through `/api/messages`: the
//! seed's multi-line unquoted `--query`, curly quotes inside a query, Python's legacy JMESPath
//! literal, an unknown first word, and a follow-up message that fills in an open form.

use std::process::Command;

use serde_json::Value;

use crate::support::app::{assert_contains, request_id, TestApp};
use crate::support::aws::{create_table, moto_url, unique};
use crate::support::moto::python_tool;

/// Runs the pip AWS CLI against the shared moto server; its stdout.
fn aws_cli(args: &[&str]) -> String {
    let output = Command::new(python_tool("aws"))
        .args(args)
        .env("AWS_ENDPOINT_URL", moto_url())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("the aws CLI runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// An alarm in `region`, made with the AWS CLI.
fn put_alarm_in(region: &str, name: &str) {
    aws_cli(&[
        "cloudwatch",
        "put-metric-alarm",
        "--region",
        region,
        "--alarm-name",
        name,
        "--alarm-description",
        "seed example",
        "--metric-name",
        "CPUUtilization",
        "--namespace",
        "AWS/EC2",
        "--statistic",
        "Average",
        "--period",
        "300",
        "--evaluation-periods",
        "1",
        "--threshold",
        "80",
        "--comparison-operator",
        "GreaterThanThreshold",
    ]);
}

/// Every string a card shows, one per line.
fn card_texts(card: &Value) -> String {
    let mut texts = Vec::new();
    let mut stack = vec![card];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) => texts.push(text.clone()),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    texts.join("\n")
}

/// The seed's `--query`, typed over several lines without quotes, answers with what the AWS
/// CLI prints for that query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_multi_line_query_answers_like_the_cli() {
    let w = TestApp::with_conversations().await;
    let alarm = unique("seed-query");
    put_alarm_in("us-east-2", &alarm);
    let query = "@.{MetricAlarms:MetricAlarms[*].{AlarmName:AlarmName, AlarmDescription:AlarmDescription, StateValue:StateValue, StateReason:StateReason, Namespace:Namespace, MetricName:MetricName, Dimensions:Dimensions, ComparisonOperator:ComparisonOperator, Threshold:Threshold, Period:Period, EvaluationPeriods:EvaluationPeriods, Statistic:Statistic}}";
    let expected: Value = serde_json::from_str(&aws_cli(&[
        "cloudwatch",
        "describe-alarms",
        "--region",
        "us-east-2",
        "--alarm-name-prefix",
        &alarm,
        "--query",
        query,
        "--output",
        "json",
    ]))
    .unwrap();
    let alarms = expected["MetricAlarms"].as_array().unwrap();
    assert_eq!(alarms.len(), 1, "{expected}");

    // As the seed page writes it, line breaks and all.
    let card = w
        .say(&format!(
            "cloudwatch describe-alarms --alarm-name-prefix {alarm} --output json --query \n \
             @.{{MetricAlarms:MetricAlarms[*].\n {{AlarmName:AlarmName, AlarmDescription:AlarmDescription, StateValue:StateValue, \n \
             StateReason:StateReason, Namespace:Namespace, MetricName:MetricName, \n \
             Dimensions:Dimensions, ComparisonOperator:ComparisonOperator, Threshold:Threshold, \n \
             Period:Period, EvaluationPeriods:EvaluationPeriods, Statistic:Statistic}}}} \n \
             --region us-east-2"
        ))
        .await;
    let shown = card_texts(&card);
    assert!(!shown.contains("could not read"), "{shown}");
    // The CLI's JSON, line by line (the card escapes markdown, so compare without it).
    let unescaped = shown.replace('\\', "");
    for line in serde_json::to_string_pretty(&expected).unwrap().lines() {
        let line = line.trim().trim_end_matches(',');
        assert!(unescaped.contains(line), "{line:?} not in {unescaped}");
    }
    // What the query leaves out is not shown.
    assert!(!shown.contains("AlarmArn"), "{shown}");
}

/// A phone keyboard's curly quotes around and inside a query, and Python's legacy literal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curly_quotes_and_legacy_literals_in_a_query() {
    let w = TestApp::with_conversations().await;
    let alarm = unique("curly");
    put_alarm_in("us-east-1", &alarm);
    let card = w
        .say(&format!(
            "cloudwatch describe-alarms --alarm-name-prefix {alarm} --output json --query “MetricAlarms[?AlarmName==‘{alarm}’].[AlarmName, Threshold]”"
        ))
        .await;
    assert_contains(&card, &[&alarm, "80.0"]);
    let card = w
        .say(&format!(
            "cloudwatch describe-alarms --alarm-name-prefix {alarm} --output json --query MetricAlarms[?AlarmName==`{alarm}`].Period"
        ))
        .await;
    assert_contains(&card, &["300"]);
    assert!(!card.to_string().contains("could not read"), "{card}");
    // The same legacy literal that matches nothing: an empty list, not an error.
    let card = w
        .say(&format!(
            "cloudwatch describe-alarms --alarm-name-prefix {alarm} --output json --query MetricAlarms[?StateValue==`ALARM`].Period"
        ))
        .await;
    assert!(!card.to_string().contains("300"), "{card}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_first_word_points_to_help() {
    let w = TestApp::with_conversations().await;
    let card = w.say("hello").await;
    assert_contains(
        &card,
        &[
            "I do not know that command",
            "Unknown service 'hello'",
            "help",
        ],
    );
    let card = w.say("lamda list-functions").await;
    assert_contains(&card, &["Did you mean", "lambda", "help"]);
    // An unclosed bracket is named.
    let card = w
        .say("cloudwatch describe-alarms --query MetricAlarms[0")
        .await;
    assert_contains(&card, &["is never closed", "MetricAlarms"]);
}

/// `@aws dynamodb describe-table` opens a form; `@aws table-name <t>` fills it in, and the
/// form's card shows the result, exactly as if the form were submitted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_message_fills_in_the_open_form() {
    let w = TestApp::with_conversations().await;
    let table = create_table("follow-up").await;

    // Nothing open yet: a dashed parameter is explained.
    let card = w.say(&format!("--table-name {table}")).await;
    assert_contains(&card, &["Nothing is waiting for parameters"]);

    let form = w.say("dynamodb describe-table").await;
    assert_contains(&form, &["--table-name"]);
    let id = request_id(&form);

    // Not a parameter of the pending command: refused, the form stays open.
    let card = w.say("--function-name x").await;
    assert_contains(&card, &["not a parameter", "dynamodb describe-table"]);

    let response = w
        .post(
            &w.message(&format!("table-name {table}")),
            Some(&w.bearer()),
        )
        .await;
    assert_eq!(response.status(), 200);
    let result = w.updated_card("TableArn").await;
    assert_contains(&result, &[&table, "describe-table"]);
    assert_eq!(w.pending(&id).await.state.name(), "done");
}
