//! Notification parsing, table-driven over the realistic messages in
//! `tests/fixtures/notifications/` (which the hub's end-to-end tests publish too), plus the
//! bounds: size, nesting, and whatever is not a known format becoming text.

use super::fields::{cut_text, nesting_within, parse_time_millis};
use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/notifications/",
            $name
        ))
    };
}

/// 2026-12-03T10:42:07.123Z in milliseconds.
const CHANGED_AT: i64 = 1_796_294_527_123;

fn alarm(message: &str) -> AlarmNotification {
    match Notification::parse(Some("ALARM: \"x\" in EU (Ireland)"), message) {
        Notification::Alarm(alarm) => alarm,
        other => panic!("not an alarm: {other:?}"),
    }
}

fn event(message: &str) -> EventNotification {
    match Notification::parse(None, message) {
        Notification::Event(event) => event,
        other => panic!("not an event: {other:?}"),
    }
}

fn parse_event(message: &str) -> EventNotification {
    event(message)
}

fn fact<'a>(event: &'a EventNotification, label: &str) -> Option<&'a str> {
    event
        .facts
        .iter()
        .find(|(l, _)| l == label)
        .map(|(_, v)| v.as_str())
}

#[test]
fn times_in_cloudwatch_and_rfc3339_formats() {
    let cases = [
        ("2026-12-03T10:42:07.123+0000", Some(CHANGED_AT)),
        ("2026-12-03T10:42:07.123Z", Some(CHANGED_AT)),
        ("2026-12-03T11:42:07.123+0100", Some(CHANGED_AT)),
        ("2026-12-03T10:42:07Z", Some(CHANGED_AT - 123)),
        ("yesterday", None),
        ("2026-12-03T10:42:07.123+00", None),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_time_millis(text), expected, "{text}");
    }
}

#[test]
fn a_metric_alarm_from_sns() {
    let alarm = alarm(fixture!("alarm-metric.json"));
    assert_eq!(alarm.name, "orders-api-high-cpu");
    assert_eq!(alarm.account_id, "123456789012");
    assert_eq!(alarm.region, "eu-west-1");
    assert_eq!(alarm.new_state, AlarmState::Alarm);
    assert_eq!(alarm.old_state, Some(AlarmState::Ok));
    assert_eq!(alarm.changed_at_millis, CHANGED_AT);
    assert!(alarm
        .reason
        .starts_with("Threshold Crossed: 3 out of the last 3"));
    let AlarmTrigger::Metric(trigger) = &alarm.trigger else {
        panic!("{:?}", alarm.trigger);
    };
    assert_eq!(
        trigger.metric,
        MetricStat {
            namespace: "AWS/EC2".into(),
            metric_name: "CPUUtilization".into(),
            dimensions: vec![("InstanceId".into(), "i-0a1b2c3d4e5f67890".into())],
            stat: "Average".into(),
            period_seconds: 300,
            unit: None,
        }
    );
    assert_eq!(trigger.evaluation_periods, 3);
    assert_eq!(trigger.comparison_operator, "GreaterThanThreshold");
    assert_eq!(trigger.threshold, Some(80.0));
    assert_eq!(trigger.treat_missing_data.as_deref(), Some("missing"));
    assert_eq!(
        Notification::Alarm(alarm.clone()).thread_key().as_deref(),
        Some("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-high-cpu")
    );
    assert_eq!(
        alarm.console_url(),
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/orders%2Dapi%2Dhigh%2Dcpu"
    );
}

#[test]
fn statistics_regions_and_extended_statistics() {
    let base: serde_json::Value = serde_json::from_str(fixture!("alarm-metric.json")).unwrap();
    // (Trigger changes, top-level changes) → (stat, region).
    let cases: &[(serde_json::Value, serde_json::Value, &str, &str)] = &[
        (
            json!({"Statistic": "SAMPLE_COUNT"}),
            json!({}),
            "SampleCount",
            "eu-west-1",
        ),
        (json!({"Statistic": "SUM"}), json!({}), "Sum", "eu-west-1"),
        (
            json!({"Statistic": "MAXIMUM"}),
            json!({}),
            "Maximum",
            "eu-west-1",
        ),
        (
            json!({"StatisticType": "ExtendedStatistic", "Statistic": null, "ExtendedStatistic": "p99"}),
            json!({}),
            "p99",
            "eu-west-1",
        ),
        // Without an ARN the display name is mapped to its code.
        (
            json!({}),
            json!({"AlarmArn": null, "Region": "Asia Pacific (Tokyo)"}),
            "Average",
            "ap-northeast-1",
        ),
        // The ARN's Region wins over the display name.
        (
            json!({}),
            json!({"Region": "US East (N. Virginia)"}),
            "Average",
            "eu-west-1",
        ),
    ];
    for (trigger_changes, changes, stat, region) in cases {
        let mut message = base.clone();
        for (key, value) in trigger_changes.as_object().unwrap() {
            message["Trigger"][key] = value.clone();
        }
        for (key, value) in changes.as_object().unwrap() {
            message[key] = value.clone();
        }
        let alarm = alarm(&message.to_string());
        let AlarmTrigger::Metric(trigger) = &alarm.trigger else {
            panic!("{:?}", alarm.trigger);
        };
        assert_eq!(trigger.metric.stat, *stat, "{trigger_changes} {changes}");
        assert_eq!(alarm.region, *region, "{trigger_changes} {changes}");
    }
}

use serde_json::json;

#[test]
fn a_metric_math_alarm_from_sns() {
    let alarm = alarm(fixture!("alarm-math.json"));
    assert_eq!(alarm.region, "us-east-1");
    let AlarmTrigger::Math(math) = &alarm.trigger else {
        panic!("{:?}", alarm.trigger);
    };
    assert_eq!(math.period_seconds, 60);
    assert_eq!(math.evaluation_periods, 2);
    assert_eq!(math.comparison_operator, "GreaterThanOrEqualToThreshold");
    assert_eq!(math.threshold, Some(5.0));
    let ids: Vec<&str> = math.queries.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["errors", "requests", "rate"]);
    let errors = math.queries[0].metric.as_ref().unwrap();
    assert_eq!(errors.metric_name, "HTTPCode_Target_5XX_Count");
    assert_eq!(errors.stat, "Sum");
    assert_eq!(
        errors.dimensions,
        [(
            "LoadBalancer".to_owned(),
            "app/checkout/50dc6c495c0c9188".to_owned()
        )]
    );
    let rate = &math.queries[2];
    assert!(rate.return_data && rate.metric.is_none());
    assert_eq!(rate.expression.as_deref(), Some("100 * errors / requests"));
    assert_eq!(rate.label.as_deref(), Some("5xx rate (%)"));
}

#[test]
fn a_composite_alarm_from_sns() {
    let alarm = alarm(fixture!("alarm-composite.json"));
    let AlarmTrigger::Composite(composite) = &alarm.trigger else {
        panic!("{:?}", alarm.trigger);
    };
    assert!(composite
        .rule
        .starts_with("ALARM(\"orders-api-high-cpu\") AND"));
    let children: Vec<(&str, Option<AlarmState>)> = composite
        .triggering_children
        .iter()
        .map(|c| (c.name(), c.state))
        .collect();
    assert_eq!(
        children,
        [
            ("orders-api-high-cpu", Some(AlarmState::Alarm)),
            ("orders-api-5xx", Some(AlarmState::Alarm)),
            ("orders-api-latency-p99", Some(AlarmState::Ok)),
        ]
    );
    // The documented schema writes children as bare ARNs.
    let mut message: serde_json::Value =
        serde_json::from_str(fixture!("alarm-composite.json")).unwrap();
    message["TriggeringChildren"] = json!(["arn:aws:cloudwatch:eu-west-1:1:alarm:a"]);
    let AlarmTrigger::Composite(composite) = alarm_of(&message).trigger else {
        panic!();
    };
    assert_eq!(composite.triggering_children[0].name(), "a");
    assert_eq!(composite.triggering_children[0].state, None);
}

fn alarm_of(message: &serde_json::Value) -> AlarmNotification {
    alarm(&message.to_string())
}

#[test]
fn an_alarm_state_change_from_eventbridge_is_the_same_alarm() {
    let from_event = alarm(fixture!("eventbridge-alarm.json"));
    let from_sns = alarm(fixture!("alarm-metric.json"));
    assert_eq!(from_event.name, from_sns.name);
    assert_eq!(from_event.arn, from_sns.arn);
    assert_eq!(from_event.account_id, "123456789012");
    assert_eq!(from_event.region, "eu-west-1");
    assert_eq!(from_event.new_state, AlarmState::Alarm);
    assert_eq!(from_event.old_state, Some(AlarmState::Ok));
    assert_eq!(from_event.reason, from_sns.reason);
    assert_eq!(from_event.changed_at_millis, CHANGED_AT);
    assert_eq!(from_event.description, from_sns.description);
    let (AlarmTrigger::Metric(event), AlarmTrigger::Metric(sns)) =
        (&from_event.trigger, &from_sns.trigger)
    else {
        panic!("{:?}", from_event.trigger);
    };
    assert_eq!(event.metric, sns.metric);
    // From state.reasonData: the threshold and the three evaluated datapoints.
    assert_eq!(event.threshold, Some(80.0));
    assert_eq!(event.evaluation_periods, 3);
    assert_eq!(event.comparison_operator, "");
}

/// Found by the hour-long property run: an event whose `region` is no Region code (and no
/// alarm ARN to take one from) made the console link's host name unparseable; a publisher to
/// the topic could also have pointed chart calls and links at another host.
#[test]
fn a_region_that_is_no_region_code_reaches_no_host_name() {
    for region in [
        "é".repeat(400),
        "evil.example.com/x".to_owned(),
        "us-east-1.evil".to_owned(),
    ] {
        let mut alarm_event: serde_json::Value =
            serde_json::from_str(fixture!("eventbridge-alarm.json")).unwrap();
        alarm_event["region"] = json!(region);
        alarm_event["resources"] = json!(null);
        let from_event = alarm_of(&alarm_event);
        assert_eq!(from_event.region, "", "{region}");
        let url = url::Url::parse(&from_event.console_url()).unwrap();
        assert_eq!(url.host_str(), Some("console.aws.amazon.com"));

        let mut sns: serde_json::Value =
            serde_json::from_str(fixture!("alarm-metric.json")).unwrap();
        sns["AlarmArn"] = json!(format!("arn:aws:cloudwatch:{region}:123456789012:alarm:x"));
        sns["Region"] = json!(region);
        assert_eq!(alarm_of(&sns).region, "", "{region}");

        let mut finding: serde_json::Value =
            serde_json::from_str(fixture!("guardduty.json")).unwrap();
        finding["region"] = json!(region);
        finding["detail"]["region"] = json!(region);
        let finding = event(&finding.to_string());
        let link = url::Url::parse(finding.console_url.as_deref().unwrap()).unwrap();
        assert_eq!(link.host_str(), Some("console.aws.amazon.com"), "{link}");
    }
}

/// Found by the hour-long property run: the hub stores notifications as JSON, and the default
/// float parser read this threshold back one unit in the last place off.
#[test]
fn a_stored_notification_reads_back_with_the_same_numbers() {
    let mut sns: serde_json::Value = serde_json::from_str(fixture!("alarm-metric.json")).unwrap();
    sns["Trigger"]["Threshold"] = json!(1.8899196543477043e-237);
    let notification = Notification::parse(None, &sns.to_string());
    let stored = serde_json::to_string(&notification).unwrap();
    let back: Notification = serde_json::from_str(&stored).unwrap();
    assert_eq!(back, notification);
    let Notification::Alarm(alarm) = back else {
        panic!("{back:?}");
    };
    let AlarmTrigger::Metric(trigger) = alarm.trigger else {
        panic!("{:?}", alarm.trigger);
    };
    assert_eq!(trigger.threshold, Some(1.8899196543477043e-237));
}

#[test]
fn composite_and_anomaly_alarms_from_eventbridge() {
    let composite = json!({
        "version": "0", "id": "d3dfc86d", "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch", "account": "123456789012", "time": "2026-12-03T10:42:08Z",
        "region": "us-east-1",
        "resources": ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServiceAggregatedAlarm"],
        "detail": {
            "alarmName": "ServiceAggregatedAlarm",
            "state": {
                "value": "ALARM",
                "reason": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh transitioned to ALARM",
                "reasonData": "{\"triggeringAlarms\":[{\"arn\":\"arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2026-12-03T10:42:07.123+0000\"}}]}",
                "timestamp": "2026-12-03T10:42:08.011+0000"
            },
            "previousState": {"value": "OK", "timestamp": "2026-12-03T09:00:00.000+0000"},
            "configuration": {"alarmRule": "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)"}
        }
    });
    let AlarmTrigger::Composite(trigger) = alarm_of(&composite).trigger else {
        panic!();
    };
    assert_eq!(
        trigger.rule,
        "ALARM(ServerCpuTooHigh) OR ALARM(TotalNetworkTrafficTooHigh)"
    );
    assert_eq!(trigger.triggering_children.len(), 1);
    assert_eq!(trigger.triggering_children[0].name(), "ServerCpuTooHigh");

    let mut anomaly = composite.clone();
    anomaly["detail"]["configuration"] = json!({"metrics": [
        {"id": "m1", "metricStat": {"metric": {"namespace": "AWS/EC2", "name": "CPUUtilization",
            "dimensions": {"InstanceId": "i-1"}}, "period": 60, "stat": "Average"}, "returnData": true},
        {"id": "ad1", "expression": "ANOMALY_DETECTION_BAND(m1, 0.8)", "label": "expected", "returnData": true}
    ]});
    anomaly["detail"]["state"]["reasonData"] = json!("{\"period\":60}");
    let AlarmTrigger::Math(math) = alarm_of(&anomaly).trigger else {
        panic!();
    };
    assert_eq!(math.queries.len(), 2);
    assert_eq!(math.period_seconds, 60);
    assert_eq!(math.threshold, None);
}

/// (message, kind, title, facts that must be there, console link prefix).
type LayoutCase = (
    &'static str,
    EventKind,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[test]
fn eventbridge_layouts() {
    // (fixture, kind, title, facts that must be there, console link prefix)
    let cases: &[LayoutCase] = &[
        (
            fixture!("health.json"),
            EventKind::HealthEvent,
            "AWS Health: EC2 instance retirement scheduled",
            &[("Status", "upcoming"), ("Category", "scheduledChange"), ("Affected", "i-0a1b2c3d4e5f67890, i-0fedcba9876543210")],
            "https://health.aws.amazon.com/health/home#/account/event-log?eventID=arn%3Aaws%3Ahealth",
        ),
        (
            fixture!("guardduty.json"),
            EventKind::GuardDutyFinding,
            "198.51.100.7 is performing SSH brute force attacks against i-0a1b2c3d4e5f67890.",
            &[("Severity", "High (8)"), ("Finding type", "UnauthorizedAccess:EC2/SSHBruteForce"), ("Resource", "Instance i-0a1b2c3d4e5f67890"), ("Count", "42")],
            "https://eu-west-1.console.aws.amazon.com/guardduty/home?region=eu-west-1#/findings?macros=current&fId=16afba5c",
        ),
        (
            fixture!("securityhub.json"),
            EventKind::SecurityHubFindings,
            "S3.8 S3 general purpose buckets should block public access",
            &[("Severity", "HIGH"), ("Resource", "arn:aws:s3:::orders-exports"), ("Compliance", "FAILED"), ("Findings", "2 in this event (the first is shown)")],
            "https://eu-west-1.console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings",
        ),
        (
            fixture!("codepipeline.json"),
            EventKind::CodePipelineExecution,
            "Pipeline orders-deploy: FAILED",
            &[("State", "FAILED"), ("Execution", "3f1c2e0a-5b6d-4e7f-8a9b-0c1d2e3f4a5b"), ("Trigger", "StartPipelineExecution")],
            "https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/orders%2Ddeploy/executions/3f1c2e0a%2D5b6d",
        ),
    ];
    for (message, kind, title, facts, console) in cases {
        let event = event(message);
        assert_eq!(event.kind, *kind, "{title}");
        assert_eq!(event.title, *title);
        assert_eq!(event.account, "123456789012");
        assert_eq!(event.region, "eu-west-1");
        for (label, value) in *facts {
            assert_eq!(
                fact(&event, label),
                Some(*value),
                "{title}: {label} in {:?}",
                event.facts
            );
        }
        let url = event.console_url.as_deref().unwrap_or_default();
        assert!(url.starts_with(console), "{title}: {url}");
    }
    assert!(event(fixture!("health.json"))
        .description
        .unwrap()
        .starts_with("EC2 has detected degradation"));
}

#[test]
fn guardduty_severity_bands() {
    let base: serde_json::Value = serde_json::from_str(fixture!("guardduty.json")).unwrap();
    for (severity, band) in [
        (2.0, "Low (2)"),
        (5.5, "Medium (5.5)"),
        (7.0, "High (7)"),
        (9.1, "Critical (9.1)"),
    ] {
        let mut message = base.clone();
        message["detail"]["severity"] = json!(severity);
        let event = event(&message.to_string());
        assert_eq!(fact(&event, "Severity"), Some(band));
    }
}

#[test]
fn any_other_event_gets_the_generic_layout() {
    let long = "x".repeat(500);
    let message = json!({
        "version": "0", "id": "1", "detail-type": "EC2 Instance State-change Notification",
        "source": "aws.ec2", "account": "123456789012", "time": "2026-12-03T10:00:00Z",
        "region": "eu-west-1", "resources": ["arn:aws:ec2:eu-west-1:123456789012:instance/i-1"],
        "detail": {"instance-id": "i-1", "state": "stopped", "empty": null, "tags": ["a", "b"],
            "nested": {"deep": {"er": 1}}, "long": long, "f1": 1, "f2": true, "f3": "3", "f4": "4", "f5": "5"}
    });
    let event = event(&message.to_string());
    assert_eq!(event.kind, EventKind::Generic);
    assert_eq!(event.title, "EC2 Instance State-change Notification");
    assert_eq!(event.source, "aws.ec2");
    assert_eq!(
        event.resources,
        ["arn:aws:ec2:eu-west-1:123456789012:instance/i-1"]
    );
    assert_eq!(event.facts.len(), 8);
    assert_eq!(fact(&event, "instance-id"), Some("i-1"));
    assert_eq!(fact(&event, "empty"), None);
    assert_eq!(fact(&event, "tags"), Some("a, b"));
    assert_eq!(fact(&event, "nested"), Some(r#"{"deep":{"er":1}}"#));
    let cut = fact(&event, "long").unwrap();
    assert_eq!(cut.chars().count(), 200);
    assert!(cut.ends_with('…'));
    assert_eq!(event.console_url, None);
    // A known detail-type without the fields its layout needs falls back to the generic one.
    let mut odd: serde_json::Value = serde_json::from_str(fixture!("guardduty.json")).unwrap();
    odd["detail"] = json!({"severity": 5});
    let fallback = parse_event(&odd.to_string());
    assert_eq!(fallback.kind, EventKind::Generic);
    assert_eq!(fallback.title, "GuardDuty Finding");
    // An alarm event without a state is a generic event, not an alarm.
    let mut stateless: serde_json::Value =
        serde_json::from_str(fixture!("eventbridge-alarm.json")).unwrap();
    stateless["detail"]["state"] = json!(null);
    assert_eq!(parse_event(&stateless.to_string()).kind, EventKind::Generic);
}

#[test]
fn a_custom_notification() {
    let Notification::Custom(custom) = Notification::parse(None, fixture!("custom.json")) else {
        panic!();
    };
    assert_eq!(
        custom.title.as_deref(),
        Some(":rocket: Deployment of *orders-api* v2.14.0 is waiting for approval")
    );
    assert!(custom.description.starts_with("The canary at **10%**"));
    assert!(custom.markdown);
    assert_eq!(custom.next_steps.len(), 3);
    assert_eq!(custom.keywords, ["orders-api", "canary", "production"]);
    assert_eq!(
        custom.thread_id.as_deref(),
        Some("deploy-orders-api-2.14.0")
    );
    assert_eq!(custom.event_type.as_deref(), Some("DeploymentWaiting"));
    assert_eq!(custom.related_resources.len(), 1);
    assert_eq!(
        custom.additional_context,
        [
            ("deploymentId".to_owned(), "d-7XJ3K2ABC".to_owned()),
            ("canaryPercent".to_owned(), "10".to_owned()),
            ("region".to_owned(), "eu-west-1".to_owned()),
        ]
    );
    assert_eq!(
        Notification::Custom(custom).thread_key().as_deref(),
        Some("deploy-orders-api-2.14.0")
    );
}

#[test]
fn what_is_not_a_known_format_is_text_with_its_subject() {
    let plain = fixture!("plain.txt");
    let cases: &[(Option<&str>, String)] = &[
        (Some("Maintenance"), plain.to_owned()),
        (None, "{\"hello\": \"world\"}".to_owned()),
        (Some(""), "{not json".to_owned()),
        (None, "[1, 2, 3]".to_owned()),
        // Custom without a description, wrong version, an alarm with an unknown state.
        (
            None,
            json!({"version": "1.0", "source": "custom", "content": {"title": "t"}}).to_string(),
        ),
        (
            None,
            json!({"version": "2.0", "source": "custom", "content": {"description": "d"}})
                .to_string(),
        ),
        (
            None,
            json!({"AlarmName": "a", "NewStateValue": "PANIC"}).to_string(),
        ),
    ];
    for (subject, message) in cases {
        match Notification::parse(*subject, message) {
            Notification::Text(text) => {
                assert_eq!(text.text, *message);
                assert_eq!(text.subject.as_deref(), subject.filter(|s| !s.is_empty()));
            }
            other => panic!("{message}: {other:?}"),
        }
    }
}

#[test]
fn deep_and_huge_messages_are_text_without_being_parsed() {
    let deep = |levels: usize| {
        format!(
            "{{\"AlarmName\":\"a\",\"NewStateValue\":\"OK\",\"x\":{}1{}}}",
            "[".repeat(levels),
            "]".repeat(levels)
        )
    };
    // The outer object is one level: 63 more fit, 64 more do not.
    assert!(matches!(
        Notification::parse(None, &deep(MAX_JSON_DEPTH - 1)),
        Notification::Alarm(_)
    ));
    assert!(matches!(
        Notification::parse(None, &deep(MAX_JSON_DEPTH)),
        Notification::Text(_)
    ));
    // Far deeper than serde_json's own limit: still no recursion, still text.
    let Notification::Text(text) = Notification::parse(None, &deep(100_000)) else {
        panic!();
    };
    assert!(text.text.len() <= MAX_MESSAGE_BYTES);
    // Brackets inside strings do not count.
    assert!(nesting_within(&format!("[\"{}\"]", "[".repeat(100)), 1));
    assert!(nesting_within(r#"["\"[["]"#, 1));
    assert!(!nesting_within("[[", 1));

    let huge = format!("{}é", "a".repeat(MAX_MESSAGE_BYTES));
    let Notification::Text(text) = Notification::parse(Some("big"), &huge) else {
        panic!();
    };
    assert!(text.text.len() <= MAX_MESSAGE_BYTES, "{}", text.text.len());
    assert!(text.text.ends_with('…'));
}

#[test]
fn cut_text_keeps_short_text_and_marks_a_cut() {
    assert_eq!(cut_text("short", 10), "short");
    assert_eq!(cut_text("exactly10!", 10), "exactly10!");
    assert_eq!(cut_text("abcdefghijkl", 5), "abcd…");
    assert_eq!(cut_text("ééééé é", 3), "éé…");
}
