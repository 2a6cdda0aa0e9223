//! Notification cards from the fixture messages: what each kind shows, the buttons' data and
//! fallbacks, escaping, and that every card fits the budget whatever the input.

use serde_json::Value;

use super::alarm::{period_text, threshold_text};
use super::*;
use crate::notify::message::{AlarmTrigger, Notification, TextNotification};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/notifications/",
            $name
        ))
    };
}

/// 2026-12-03T10:42:07.123Z.
const AT: i64 = 1_796_294_527_123;

fn view<'a>(
    notification: &'a Notification,
    charts: &'a [LabeledChart],
    buttons: &'a [NotificationButton],
) -> NotificationView<'a> {
    NotificationView {
        notification,
        topic: "ops-alarms",
        charts,
        buttons,
        acknowledged_by: None,
        history: &[],
    }
}

fn alarm_buttons() -> Vec<NotificationButton> {
    let button = |title: &str, verb, index| NotificationButton {
        title: title.to_owned(),
        verb,
        record: "rec-1".to_owned(),
        index,
    };
    vec![
        button("Show logs", Verb::ShowLogs, None),
        button("Acknowledge", Verb::Acknowledge, None),
        button("Describe instance", Verb::RunButton, Some(2)),
    ]
}

/// Every TextBlock text and fact of a card, one per line, to search in.
fn texts(card: &Card) -> String {
    let mut out = Vec::new();
    let mut stack = vec![&card.content];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(text)) = map.get("text") {
                    out.push(text.clone());
                }
                if let (Some(Value::String(t)), Some(Value::String(v))) =
                    (map.get("title"), map.get("value"))
                {
                    out.push(format!("{t}: {v}"));
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    out.join("\n")
}

fn render(view: &NotificationView<'_>) -> Card {
    super::notification(view)
}

fn size(card: &Card) -> usize {
    card.content.to_string().len()
}

#[test]
fn state_change_lines_are_in_utc() {
    assert_eq!(
        state_change_text(Some(AlarmState::Ok), AlarmState::Alarm, AT),
        "OK → ALARM at 10:42 UTC"
    );
    assert_eq!(
        state_change_text(None, AlarmState::InsufficientData, AT),
        "INSUFFICIENT_DATA at 10:42 UTC"
    );
    assert_eq!(
        state_change_text(Some(AlarmState::Alarm), AlarmState::Ok, 0),
        "ALARM → OK at 00:00 UTC"
    );
}

#[test]
fn thresholds_and_periods_in_words() {
    let cases = [
        (
            "GreaterThanThreshold",
            Some(80.0),
            3,
            300,
            "CPUUtilization > 80 for 3 datapoints of 5 min",
        ),
        (
            "LessThanOrEqualToThreshold",
            Some(0.5),
            1,
            60,
            "CPUUtilization ≤ 0.5 for 1 datapoint of 1 min",
        ),
        (
            "GreaterThanOrEqualToThreshold",
            Some(5.0),
            2,
            3600,
            "CPUUtilization ≥ 5 for 2 datapoints of 1 hour",
        ),
        (
            "LessThanLowerOrGreaterThanUpperThreshold",
            None,
            1,
            10,
            "CPUUtilization outside the band for 1 datapoint of 10 s",
        ),
        (
            "",
            Some(80.0),
            3,
            86_400,
            "CPUUtilization crosses 80 for 3 datapoints of 1 day",
        ),
        (
            "",
            None,
            1,
            90,
            "CPUUtilization crosses its threshold for 1 datapoint of 90 s",
        ),
    ];
    for (operator, threshold, datapoints, period, expected) in cases {
        assert_eq!(
            threshold_text("CPUUtilization", operator, threshold, datapoints, period),
            expected
        );
    }
    assert_eq!(period_text(21_600), "6 hours");
}

#[test]
fn an_alarm_card_shows_state_reason_threshold_dimensions_chart_and_buttons() {
    let notification = Notification::parse(None, fixture!("alarm-metric.json"));
    let charts = [LabeledChart {
        label: "CPUUtilization · Average · 5 min".to_owned(),
        image: ChartImage::Url {
            url: "https://bot.example.com/charts/abc.png".to_owned(),
            alt: "CPUUtilization rose to 93.4 above the threshold 80".to_owned(),
        },
    }];
    let buttons = alarm_buttons();
    let card = render(&view(&notification, &charts, &buttons));
    assert_eq!(card.name, "notification");
    let header = &card.content["body"][0];
    assert_eq!(header["style"], "attention");
    assert_eq!(header["items"][0]["color"], "Attention");
    assert_eq!(header["items"][0]["text"], "ALARM · CloudWatch alarm");
    assert_eq!(header["items"][1]["text"], r"orders-api-high-cpu");
    assert_eq!(
        header["items"][2]["text"],
        "Account 123456789012 · eu-west-1 · topic ops-alarms"
    );
    let text = texts(&card);
    for expected in [
        "Threshold Crossed: 3 out of the last 3 datapoints",
        "Last change: 2026-12-03 10:42:07 UTC (OK → ALARM)",
        "Threshold: CPUUtilization > 80 for 3 datapoints of 5 min",
        "Metric: AWS/EC2 CPUUtilization · Average · 5 min",
        "InstanceId: i-0a1b2c3d4e5f67890",
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }
    let body = card.content["body"].as_array().unwrap();
    let image = body.iter().find(|e| e["type"] == "Image").unwrap();
    assert_eq!(image["url"], "https://bot.example.com/charts/abc.png");
    assert_eq!(
        image["altText"],
        "CPUUtilization rose to 93.4 above the threshold 80"
    );
    let sets: Vec<&Value> = body.iter().filter(|e| e["type"] == "ActionSet").collect();
    assert_eq!(sets.len(), 2, "rows of three");
    let actions: Vec<Value> = sets
        .iter()
        .flat_map(|set| set["actions"].as_array().unwrap().clone())
        .collect();
    assert_eq!(actions.len(), 4);
    assert_eq!(actions[0]["type"], "Action.Execute");
    assert_eq!(
        actions[0]["data"],
        serde_json::json!({"verb": "show-logs", "request": "rec-1"})
    );
    assert_eq!(actions[0]["fallback"]["type"], "Action.Submit");
    assert_eq!(
        actions[2]["data"],
        serde_json::json!({"verb": "run-button", "request": "rec-1", "button": 2})
    );
    assert_eq!(actions[2]["fallback"]["data"], actions[2]["data"]);
    assert_eq!(actions[3]["type"], "Action.OpenUrl");
    assert!(actions[3]["url"]
        .as_str()
        .unwrap()
        .contains("#alarmsV2:alarm/orders%2Dapi%2Dhigh%2Dcpu"));
}

#[test]
fn each_state_has_its_colour() {
    let base: Value = serde_json::from_str(fixture!("alarm-metric.json")).unwrap();
    for (state, style, colour) in [
        ("OK", "good", "Good"),
        ("ALARM", "attention", "Attention"),
        ("INSUFFICIENT_DATA", "emphasis", "Warning"),
    ] {
        let mut message = base.clone();
        message["NewStateValue"] = state.into();
        let notification = Notification::parse(None, &message.to_string());
        let card = render(&view(&notification, &[], &[]));
        assert_eq!(card.content["body"][0]["style"], style, "{state}");
        assert_eq!(
            card.content["body"][0]["items"][0]["color"], colour,
            "{state}"
        );
    }
}

#[test]
fn math_and_composite_alarms_show_what_they_watch() {
    let math = Notification::parse(None, fixture!("alarm-math.json"));
    let text = texts(&render(&view(&math, &[], &[])));
    assert!(
        text.contains("Threshold: 5xx rate (%) ≥ 5 for 2 datapoints of 1 min"),
        "{text}"
    );
    assert!(
        text.contains("rate (watched): 100 * errors / requests"),
        "{text}"
    );
    assert!(text.contains("errors: AWS/ApplicationELB HTTPCode_Target_5XX_Count · Sum · 1 min (LoadBalancer=app/checkout/50dc6c495c0c9188)"), "{text}");

    let composite = Notification::parse(None, fixture!("alarm-composite.json"));
    let Notification::Alarm(alarm) = &composite else {
        panic!()
    };
    assert!(matches!(alarm.trigger, AlarmTrigger::Composite(_)));
    let card = render(&view(&composite, &[], &[]));
    let text = texts(&card);
    assert!(text.contains("Composite alarm"), "{text}");
    assert!(
        text.contains("ALARM(\"orders-api-high-cpu\") AND"),
        "{text}"
    );
    for child in [
        "orders-api-high-cpu",
        "orders-api-5xx",
        "orders-api-latency-p99",
    ] {
        assert!(text.contains(child), "{child}");
    }
}

#[test]
fn acknowledgement_history_and_unavailable_charts_are_shown() {
    let notification = Notification::parse(None, fixture!("alarm-metric.json"));
    let charts = [
        LabeledChart {
            label: "CPU".into(),
            image: ChartImage::Unavailable {
                reason: "not allowed to read cloudwatch:GetMetricData".into(),
            },
        },
        LabeledChart {
            label: "CPU".into(),
            image: ChartImage::Sparkline {
                text: "▁▂▅▇█".into(),
                alt: "rising".into(),
            },
        },
    ];
    let history = [
        "ALARM → OK at 09:10 UTC".to_owned(),
        "OK → ALARM at 08:55 UTC".to_owned(),
    ];
    let card = render(&NotificationView {
        acknowledged_by: Some("Ada Lovelace at 10:44 UTC"),
        history: &history,
        ..view(&notification, &charts, &[])
    });
    let text = texts(&card);
    assert!(
        text.contains("Acknowledged by Ada Lovelace at 10:44 UTC"),
        "{text}"
    );
    assert!(text.contains("ALARM → OK at 09:10 UTC"));
    assert!(text.contains("No chart: not allowed to read cloudwatch:GetMetricData"));
    assert!(text.contains("▁▂▅▇█"));
}

#[test]
fn events_custom_and_text_cards() {
    let cases: &[(&str, &[&str])] = &[
        (
            fixture!("health.json"),
            &[
                "AWS Health: EC2 instance retirement scheduled",
                "Status: upcoming",
                "EC2 has detected degradation",
            ],
        ),
        (
            fixture!("guardduty.json"),
            &[
                "Severity: High (8)",
                "Finding type: UnauthorizedAccess:EC2/SSHBruteForce",
            ],
        ),
        (
            fixture!("securityhub.json"),
            &["Severity: HIGH", "Compliance: FAILED", "2 in this event"],
        ),
        (
            fixture!("codepipeline.json"),
            &[
                "Pipeline orders-deploy: FAILED",
                "Trigger: StartPipelineExecution",
            ],
        ),
    ];
    for (message, expected) in cases {
        let notification = Notification::parse(None, message);
        let card = render(&view(&notification, &[], &[]));
        let text = texts(&card);
        for phrase in *expected {
            assert!(text.contains(phrase), "{phrase} not in\n{text}");
        }
        let actions = card.content["body"].as_array().unwrap().last().unwrap()["actions"].clone();
        assert_eq!(actions[0]["type"], "Action.OpenUrl", "{text}");
    }

    let custom = Notification::parse(None, fixture!("custom.json"));
    let text = texts(&render(&view(&custom, &[], &[])));
    // client-markdown: the sender's markdown is kept.
    assert!(text.contains("The canary at **10%** of traffic"), "{text}");
    assert!(
        text.contains("1. Check the canary dashboard\n2. Continue the deployment: `@aws deploy"),
        "{text}"
    );
    assert!(
        text.contains("Keywords: orders-api · canary · production"),
        "{text}"
    );
    assert!(text.contains("deploymentId: d-7XJ3K2ABC"), "{text}");
    // Without textType the same text is shown as typed.
    let mut plain: Value = serde_json::from_str(fixture!("custom.json")).unwrap();
    plain["content"]["textType"] = Value::Null;
    let plain = Notification::parse(None, &plain.to_string());
    let text = texts(&render(&view(&plain, &[], &[])));
    assert!(
        text.contains(r"The canary at \*\*10%\*\* of traffic"),
        "{text}"
    );

    let message = Notification::Text(TextNotification {
        subject: Some("Maintenance *tonight*".into()),
        text: fixture!("plain.txt").into(),
    });
    let card = render(&view(&message, &[], &[]));
    assert_eq!(
        card.content["body"][0]["items"][0]["text"],
        r"Maintenance \*tonight\*"
    );
    assert!(texts(&card).contains("the orders database fails over"));
}

#[test]
fn every_card_fits_whatever_the_input() {
    let huge = "Threshold *crossed* ".repeat(20_000);
    let mut alarm: Value = serde_json::from_str(fixture!("alarm-composite.json")).unwrap();
    alarm["NewStateReason"] = huge.clone().into();
    alarm["AlarmDescription"] = huge.clone().into();
    alarm["AlarmRule"] = huge.clone().into();
    let children: Vec<Value> = (0..500)
        .map(|i| serde_json::json!({"Arn": format!("arn:aws:cloudwatch:eu-west-1:1:alarm:child-{i}-{}", "x".repeat(200)), "State": {"Value": "ALARM"}}))
        .collect();
    alarm["TriggeringChildren"] = children.into();
    let alarm = Notification::parse(None, &alarm.to_string());
    let data_uri = format!("data:image/png;base64,{}", "A".repeat(20_000));
    let charts: Vec<LabeledChart> = (0..3)
        .map(|i| LabeledChart {
            label: format!("child {i}"),
            image: ChartImage::DataUri {
                uri: data_uri.clone(),
                alt: "a chart".into(),
            },
        })
        .collect();
    let history: Vec<String> = (0..1000)
        .map(|i| format!("OK → ALARM at {i} {huge}"))
        .collect();
    let buttons: Vec<NotificationButton> = (0..100)
        .map(|i| NotificationButton {
            title: "b".repeat(500),
            verb: Verb::RunButton,
            record: "rec-1".into(),
            index: Some(i),
        })
        .collect();
    let custom = Notification::Custom(crate::notify::message::CustomNotification {
        title: Some(huge.clone()),
        description: huge.clone(),
        next_steps: vec![huge.clone(); 20],
        keywords: vec![huge.clone(); 20],
        thread_id: None,
        summary: None,
        additional_context: vec![("k".into(), huge.clone()); 20],
        markdown: false,
        event_type: Some(huge.clone()),
        related_resources: vec![huge.clone(); 20],
    });
    let text = Notification::Text(TextNotification {
        subject: Some(huge.clone()),
        text: "ü".repeat(200_000),
    });
    let mut event: Value = serde_json::from_str(fixture!("health.json")).unwrap();
    event["detail"]["eventDescription"][0]["latestDescription"] = huge.clone().into();
    let event = Notification::parse(None, &event.to_string());
    for notification in [&alarm, &custom, &text, &event] {
        let card = render(&NotificationView {
            acknowledged_by: Some(&huge),
            history: &history,
            ..view(notification, &charts, &buttons)
        });
        assert!(size(&card) < CARD_BUDGET_BYTES, "{} bytes", size(&card));
        for set in card.content["body"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "ActionSet")
        {
            assert!(set["actions"].as_array().unwrap().len() <= 5, "{set}");
        }
        assert!(texts(&card).contains('…'), "a cut is visible");
    }
    let entries: Vec<DigestEntry> = (0..500)
        .map(|i| DigestEntry {
            at_millis: AT + i,
            title: huge.clone(),
            state: Some(AlarmState::Alarm),
        })
        .collect();
    let digest = notification_digest(&entries, 10_000);
    assert!(size(&digest) < CARD_BUDGET_BYTES);
    assert!(texts(&digest).contains("10500 notifications in the last minute"));
    assert!(texts(&digest).contains("and 10480 more"));
}

#[test]
fn a_digest_lists_the_latest_and_counts_the_rest() {
    let entries = [
        DigestEntry {
            at_millis: AT,
            title: "orders-api-high-cpu".into(),
            state: Some(AlarmState::Alarm),
        },
        DigestEntry {
            at_millis: AT - 30_000,
            title: "GuardDuty: SSH brute force".into(),
            state: None,
        },
    ];
    let card = notification_digest(&entries, 9);
    assert_eq!(card.name, "notification-digest");
    let text = texts(&card);
    assert!(
        text.contains("11 notifications in the last minute"),
        "{text}"
    );
    assert!(text.contains("10:42:07 UTC"), "{text}");
    assert!(text.contains("10:41:37 UTC"), "{text}");
    assert!(text.contains("and 9 more"), "{text}");
    let none = notification_digest(&entries[..1], 0);
    assert!(!texts(&none).contains("more"));
    assert!(texts(&none).contains("1 notification in the last minute"));
}

#[test]
fn markdown_in_aws_values_and_people_text_cannot_format_the_card() {
    let mut message: Value = serde_json::from_str(fixture!("alarm-metric.json")).unwrap();
    message["AlarmName"] = "*urgent* [click](https://evil.example)".into();
    message["AlarmDescription"] = "**bold** <at>team</at>".into();
    let alarm = Notification::parse(None, &message.to_string());
    let card = render(&view(&alarm, &[], &[]));
    assert_eq!(
        card.content["body"][0]["items"][1]["text"],
        r"\*urgent\* [click\](https://evil.example)"
    );
    assert_eq!(
        card.content["body"][1]["text"],
        r"\*\*bold\*\* \<at>team\</at>"
    );
}
