//! Reading describe-alarms answers into alarms, and when an answer is shown as an alarm list.

use serde_json::{json, Map};

use super::parse::rule_children;
use super::*;
use crate::command::{GlobalOptions, OutputFormat};
use crate::notify::message::{AlarmState, AlarmTrigger};
use crate::policy::{Credentials, LocalOperator};

fn describe(query: Option<&str>, output: Option<OutputFormat>) -> Invocation {
    Invocation {
        service: "cloudwatch".into(),
        operation: "DescribeAlarms".into(),
        cli_operation: "describe-alarms".into(),
        params: Map::new(),
        globals: GlobalOptions {
            query: query.map(str::to_owned),
            output,
            ..GlobalOptions::default()
        },
    }
}

async fn permit() -> Permit {
    LocalOperator::with_credentials("eu-west-1", Credentials::new("a", "b", None, None, "t"))
        .grant(&describe(None, None))
        .await
        .unwrap()
}

#[test]
fn only_describe_alarms_without_query_or_output_is_an_alarm_list() {
    assert!(shows_alarm_list(&describe(None, None)));
    let mut for_metric = describe(None, None);
    for_metric.operation = "DescribeAlarmsForMetric".into();
    assert!(shows_alarm_list(&for_metric));
    assert!(!shows_alarm_list(&describe(
        Some("MetricAlarms[].AlarmName"),
        None
    )));
    assert!(!shows_alarm_list(&describe(None, Some(OutputFormat::Text))));
    let mut history = describe(None, None);
    history.operation = "DescribeAlarmHistory".into();
    assert!(!shows_alarm_list(&history));
}

#[tokio::test]
async fn metric_math_and_composite_alarms_are_read_from_the_answer() {
    let output = json!({
        "MetricAlarms": [
            {
                "AlarmName": "web-cpu-high",
                "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high",
                "StateValue": "ALARM",
                "StateReason": "Threshold Crossed",
                "StateUpdatedTimestamp": "2026-12-03T10:42:07.123000+00:00",
                "MetricName": "CPUUtilization",
                "Namespace": "AWS/EC2",
                "Statistic": "Average",
                "Dimensions": [{"Name": "InstanceId", "Value": "i-0abc"}],
                "Period": 300,
                "EvaluationPeriods": 3,
                "Threshold": 80.0,
                "ComparisonOperator": "GreaterThanThreshold",
                "Unit": "Percent",
                "Metrics": []
            },
            {
                "AlarmName": "error-rate",
                "StateValue": "OK",
                "StateReason": "fine",
                "EvaluationPeriods": 1,
                "Threshold": 5.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "Metrics": [
                    {"Id": "e1", "Expression": "100 * m1 / m2", "Label": "Error %", "ReturnData": true},
                    {"Id": "m1", "ReturnData": false, "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors"}, "Period": 60, "Stat": "Sum"}},
                    {"Id": "m2", "ReturnData": false, "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations"}, "Period": 60, "Stat": "Sum"}}
                ]
            }
        ],
        "CompositeAlarms": [
            {
                "AlarmName": "service-down",
                "AlarmArn": "arn:aws:cloudwatch:eu-west-1:210987654321:alarm:service-down",
                "AlarmRule": "ALARM(\"web-cpu-high\") OR ALARM(error-rate)",
                "StateValue": "ALARM",
                "StateReason": "arn:...:alarm:web-cpu-high transitioned to ALARM",
                "StateReasonData": "{\"triggeringAlarms\":[{\"arn\":\"arn:aws:cloudwatch:eu-west-1:210987654321:alarm:web-cpu-high\",\"state\":{\"value\":\"ALARM\",\"timestamp\":\"2026-12-03T10:42:07.123+0000\"}}]}"
            },
            {"AlarmName": "quiet", "AlarmRule": "OK(a) AND INSUFFICIENT_DATA( 'b' )", "StateValue": "OK"}
        ]
    });
    let alarms = alarms_of(&output, &permit().await);
    let names: Vec<&str> = alarms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["web-cpu-high", "error-rate", "service-down", "quiet"]
    );

    let cpu = &alarms[0];
    assert_eq!(
        (cpu.region.as_str(), cpu.account_id.as_str()),
        ("us-east-1", "123456789012")
    );
    assert_eq!(cpu.new_state, AlarmState::Alarm);
    assert_eq!(cpu.changed_at_millis, 1_796_294_527_123);
    let AlarmTrigger::Metric(trigger) = &cpu.trigger else {
        panic!("{:?}", cpu.trigger)
    };
    assert_eq!(
        trigger.metric.dimensions,
        [("InstanceId".into(), "i-0abc".into())]
    );
    assert_eq!(
        (trigger.metric.period_seconds, trigger.evaluation_periods),
        (300, 3)
    );
    assert_eq!(trigger.metric.unit.as_deref(), Some("Percent"));

    // Without an ARN: the permit's region.
    let math = &alarms[1];
    assert_eq!(math.region, "eu-west-1");
    let AlarmTrigger::Math(trigger) = &math.trigger else {
        panic!("{:?}", math.trigger)
    };
    assert_eq!(trigger.period_seconds, 60, "from the queries");
    assert!(trigger.queries[0].return_data);
    assert_eq!(
        trigger.queries[1].metric.as_ref().unwrap().metric_name,
        "Errors"
    );

    let composite = &alarms[2];
    assert_eq!(composite.account_id, "210987654321");
    let AlarmTrigger::Composite(trigger) = &composite.trigger else {
        panic!()
    };
    assert_eq!(
        trigger.triggering_children.len(),
        1,
        "the service's triggering alarms"
    );
    assert_eq!(
        trigger.triggering_children[0].state,
        Some(AlarmState::Alarm)
    );

    let AlarmTrigger::Composite(quiet) = &alarms[3].trigger else {
        panic!()
    };
    let children: Vec<&str> = quiet
        .triggering_children
        .iter()
        .map(|c| c.arn.as_str())
        .collect();
    assert_eq!(
        children,
        ["a", "b"],
        "without reason data: what the rule names"
    );
}

#[test]
fn a_rule_names_its_children_once() {
    assert_eq!(
        rule_children("ALARM(\"x\") OR (OK(y) AND ALARM(x)) OR TRUE"),
        ["x", "y"]
    );
    assert!(rule_children("TRUE").is_empty());
}
