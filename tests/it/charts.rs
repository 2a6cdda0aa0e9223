//! Alarm charts through the path a user takes: metric data and an alarm in moto, then
//! `@aws cloudwatch describe-alarms` through /api/messages, and the card that comes back: one
//! section per alarm with its chart served at `{AWS_CHATOPS_PUBLIC_URL}charts/{id}.png` (fetched
//! here and decoded as a PNG), inline or as a sparkline without a public URL, "chart
//! unavailable" with the reason when the guardrail refuses GetMetricData, and the CLI's text
//! with `--output`.

use aws_chatops::conversation::alarm_records::{AlarmRecord, ALARM_RECORDS_NAMESPACE};
use aws_chatops::store::get_json;
use serde_json::{json, Value};

use crate::support::app::{Aws, Options, TestApp, OPS};
use crate::support::aws::{aws, moto_engine, unique};

const PUBLIC_URL: &str = "https://chatops.example.test/bot/";

/// Now, in seconds since the epoch.
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Three hours of five-minute CPU datapoints in a namespace of its own (moto is shared by
/// every test), the last half hour above 80, and an alarm on them set to ALARM; its name.
async fn alarm_in_alarm(prefix: &str) -> String {
    let namespace = unique("ChatOpsTest");
    let start = now() - 3 * 3600;
    let data: Vec<Value> = (0..36)
        .map(|i| {
            let value = if i >= 30 { 95.0 } else { 40.0 + (i % 5) as f64 };
            json!({"MetricName": "CPUUtilization", "Timestamp": (start + i * 300 + 30).to_string(),
                   "Value": value, "Unit": "Percent"})
        })
        .collect();
    aws(
        "cloudwatch",
        "PutMetricData",
        json!({"Namespace": namespace, "MetricData": data}),
    )
    .await;
    let name = unique(prefix);
    aws(
        "cloudwatch",
        "PutMetricAlarm",
        json!({"AlarmName": name, "MetricName": "CPUUtilization", "Namespace": namespace,
               "Statistic": "Average", "Period": 300, "EvaluationPeriods": 1, "Threshold": 80.0,
               "ComparisonOperator": "GreaterThanThreshold", "Unit": "Percent"}),
    )
    .await;
    aws(
        "cloudwatch",
        "SetAlarmState",
        json!({"AlarmName": name, "StateValue": "ALARM",
               "StateReason": "Threshold Crossed: 1 datapoint [95.0] was greater than the threshold (80.0)."}),
    )
    .await;
    name
}

/// Every object of `kind` in the card.
fn elements<'a>(card: &'a Value, kind: &str) -> Vec<&'a Value> {
    fn walk<'a>(value: &'a Value, kind: &str, found: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some(kind) {
                    found.push(value);
                }
                map.values().for_each(|v| walk(v, kind, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, kind, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(card, kind, &mut found);
    found
}

fn texts(card: &Value) -> Vec<String> {
    elements(card, "TextBlock")
        .iter()
        .filter_map(|t| t["text"].as_str().map(|t| t.replace('\u{200b}', "")))
        .collect()
}

fn describe(name: &str) -> String {
    format!("cloudwatch describe-alarms --state-value ALARM --alarm-name-prefix {name}")
}

async fn with_public_url() -> TestApp {
    let app = TestApp::start_with(Options {
        aws: Some(Aws::Conversations),
        public_url: Some(url::Url::parse(PUBLIC_URL).unwrap()),
        ..Options::default()
    })
    .await;
    app.wait_ready().await;
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_alarms_shows_each_alarm_with_a_chart_served_under_the_public_url() {
    let app = with_public_url().await;
    let name = alarm_in_alarm("cpu-high").await;
    let card = app.say(&describe(&name)).await;

    let texts = texts(&card);
    assert!(texts.contains(&name), "{texts:?}");
    assert!(texts.contains(&"ALARM".to_owned()), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.starts_with("Threshold Crossed")),
        "{texts:?}"
    );
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Last change ") && t.ends_with(" UTC")));
    let images = elements(&card, "Image");
    assert_eq!(images.len(), 1, "{card}");
    let url = images[0]["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{PUBLIC_URL}charts/")), "{url}");
    assert!(url.ends_with(".png"), "{url}");
    let alt = images[0]["altText"].as_str().unwrap();
    assert!(alt.contains("CPUUtilization · Average · 5 min"), "{alt}");
    assert!(alt.contains("threshold 80"), "{alt}");
    // The datapoints put into moto are what the chart shows, the last half hour in ALARM.
    assert!(alt.contains(": 40 to 95 Percent"), "{alt}");
    assert!(alt.contains("in ALARM"), "{alt}");

    // Teams fetches the image from the public URL, which is this bot behind a proxy that
    // strips the `/bot` prefix.
    let path = url.strip_prefix(PUBLIC_URL).unwrap();
    let response = app
        .http
        .get(app.url(&format!("/{path}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=604800, immutable"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let png_bytes = response.bytes().await.unwrap();
    // Kept to be looked at, beside (not among) the card samples: its data changes with the
    // clock, so it is not one of docs/cards' pictures.
    let looked_at = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/served-charts");
    std::fs::create_dir_all(&looked_at).unwrap();
    std::fs::write(looked_at.join("chart-served.png"), &png_bytes).unwrap();
    let info = png::Decoder::new(png_bytes.as_ref()).read_info().unwrap();
    assert_eq!((info.info().width, info.info().height), (720, 300));

    // Unknown and malformed ids are 404.
    let random = format!("/charts/{:032x}.png", 0x1234_5678_9abc_def0_u128);
    for path in [
        random.as_str(),
        "/charts/../../etc/passwd.png",
        "/charts/ABC.png",
    ] {
        let status = app.http.get(app.url(path)).send().await.unwrap().status();
        assert_eq!(status, 404, "{path}");
    }

    // Show logs and Show error logs carry a record of the alarm as the answer described it.
    let buttons = elements(&card, "Action.Execute");
    let verbs: Vec<&str> = buttons
        .iter()
        .map(|b| b["verb"].as_str().unwrap())
        .collect();
    assert_eq!(verbs, ["show-logs", "show-error-logs"]);
    let record_id = buttons[0]["data"]["request"].as_str().unwrap();
    let record: AlarmRecord = get_json(app.store().as_ref(), ALARM_RECORDS_NAMESPACE, record_id)
        .await
        .unwrap()
        .expect("the record is stored");
    assert_eq!(record.alarm.name, name);
    assert_eq!(record.alarm.region, "us-east-1");
    assert_eq!(record.topic, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_public_url_the_chart_is_inline_or_a_sparkline() {
    let app = TestApp::with_conversations().await;
    let name = alarm_in_alarm("cpu-inline").await;
    let card = app.say(&describe(&name)).await;
    assert!(texts(&card).contains(&name));
    let inline = elements(&card, "Image").iter().any(|i| {
        i["url"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,")
    });
    let sparkline = elements(&card, "TextBlock")
        .iter()
        .any(|t| t["fontType"] == "Monospace" && t["text"].as_str().unwrap().contains('█'));
    // One alarm: its inline image fits the card, so it is not a sparkline.
    assert!(inline && !sparkline, "{card}");
    assert!(card.to_string().len() < aws_chatops::render::CARD_BUDGET_BYTES);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_output_text_the_answer_is_the_cli_text() {
    let app = TestApp::with_conversations().await;
    let name = alarm_in_alarm("cpu-text").await;
    let card = app.say(&format!("{} --output text", describe(&name))).await;
    assert!(elements(&card, "Image").is_empty(), "{card}");
    assert!(elements(&card, "Action.Execute").is_empty(), "{card}");
    let text = card.to_string();
    assert!(
        text.contains("METRICALARMS"),
        "the CLI's text output: {text}"
    );
    assert!(text.contains(&name));
}

/// A guardrail that allows describe-alarms but denies cloudwatch:GetMetricData. The `[access]`
/// text of the harness puts the guardrails inside `guardrails = [...]`: this closes that list,
/// adds a Deny statement, and comments out the rest of the line.
const DENY_METRIC_DATA: &str = "\"ReadOnly\"]\n[[access.channels.ops.guardrail_statement]]\neffect = \"Deny\"\naction = [\"cloudwatch:GetMetricData\"]\n#";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guardrail_that_denies_metric_data_leaves_the_alarm_listed_without_a_chart() {
    let app = TestApp::with_access(moto_engine(), DENY_METRIC_DATA).await;
    app.say_in(OPS, "set default-account production").await;
    let name = alarm_in_alarm("cpu-denied").await;
    let card = app.say_in(OPS, &describe(&name)).await;
    let texts = texts(&card);
    assert!(
        texts.contains(&name),
        "the alarm is still listed: {texts:?}"
    );
    let unavailable = texts
        .iter()
        .find(|t| t.starts_with("Chart unavailable: "))
        .unwrap_or_else(|| panic!("{texts:?}"));
    assert!(
        unavailable.contains("cloudwatch get-metric-data was refused by the channel guardrail"),
        "{unavailable}"
    );
    assert!(unavailable.contains("GetMetricData"), "{unavailable}");
    assert!(elements(&card, "Image").is_empty());
    // The refused chart call is an audited attempt of the user's.
    let records = app.records();
    let refused = records
        .iter()
        .find(|r| r["operation"] == "GetMetricData")
        .unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(refused["outcome"]["layer"], "guardrail");
    assert_eq!(refused["channel_key"], "ops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_call_as_the_user_is_audited() {
    let app = TestApp::with_access(moto_engine(), "\"ReadOnly\"").await;
    app.say_in(OPS, "set default-account production").await;
    let name = alarm_in_alarm("cpu-audited").await;
    let card = app.say_in(OPS, &describe(&name)).await;
    assert!(texts(&card).contains(&name));
    let chart = elements(&card, "Image")
        .into_iter()
        .next()
        .map(|i| i["url"].as_str().unwrap().to_owned())
        .or_else(|| {
            texts(&card)
                .into_iter()
                .find(|t| t.contains('█') || t.starts_with("Chart unavailable"))
        })
        .unwrap_or_else(|| panic!("a chart of some kind: {card}"));
    assert!(!chart.starts_with("Chart unavailable"), "{chart}");
    let records = app.records();
    let fetched = records
        .iter()
        .find(|r| r["operation"] == "GetMetricData")
        .unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(fetched["outcome"]["kind"], "allowed");
    assert_eq!(fetched["iam_action"], "cloudwatch:GetMetricData");
    assert_eq!(fetched["account_id"], "123456789012");
}
