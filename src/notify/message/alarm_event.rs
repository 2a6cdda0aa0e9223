//! EventBridge's "CloudWatch Alarm State Change" event (source `aws.cloudwatch`), delivered
//! through SNS, read into the same alarm notification as CloudWatch's own SNS message. The event
//! carries no comparison operator or evaluation periods: the threshold comes from
//! `state.reasonData` when it names one, and the evaluation periods from the datapoints it
//! evaluated.

use serde_json::{Map, Value};

use super::alarm::{statistic_name, MAX_LISTED};
use super::fields::{
    arn_region, array_field, f64_field, nesting_within, object_field, parse_time_millis,
    scalar_text, str_field, string_field, u32_field,
};
use super::regions::code_or_empty;
use super::{
    AlarmNotification, AlarmState, AlarmTrigger, ChildAlarm, CompositeTrigger, MathQuery,
    MathTrigger, MetricStat, MetricTrigger, MAX_JSON_DEPTH,
};

/// The envelope fields of an EventBridge event that the alarm needs.
pub(super) struct Envelope<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub resources: &'a [Value],
}

/// The alarm of a "CloudWatch Alarm State Change" event; `None` when its name or state is
/// missing (the event is then shown as a generic event).
pub(super) fn from_event(
    envelope: &Envelope<'_>,
    detail: &Map<String, Value>,
) -> Option<AlarmNotification> {
    let name = string_field(detail, "alarmName")?;
    let state = object_field(detail, "state")?;
    let new_state = AlarmState::parse(str_field(state, "value")?)?;
    let arn = envelope
        .resources
        .iter()
        .filter_map(Value::as_str)
        .find(|arn| arn.contains(":alarm:"))
        .map(str::to_owned);
    let region = arn
        .as_deref()
        .and_then(arn_region)
        .map(code_or_empty)
        .unwrap_or(envelope.region)
        .to_owned();
    let reason_data = str_field(state, "reasonData").and_then(parse_reason_data);
    let configuration = object_field(detail, "configuration");
    Some(AlarmNotification {
        name,
        description: configuration.and_then(|c| string_field(c, "description")),
        arn,
        account_id: envelope.account.to_owned(),
        region,
        new_state,
        old_state: object_field(detail, "previousState")
            .and_then(|previous| str_field(previous, "value"))
            .and_then(AlarmState::parse),
        reason: string_field(state, "reason").unwrap_or_default(),
        changed_at_millis: str_field(state, "timestamp")
            .and_then(parse_time_millis)
            .unwrap_or(0),
        trigger: configuration.map_or(AlarmTrigger::Unknown, |configuration| {
            event_trigger(configuration, reason_data.as_ref())
        }),
    })
}

/// `state.reasonData`: JSON in a string, parsed only within the same nesting bound.
fn parse_reason_data(text: &str) -> Option<Map<String, Value>> {
    if !nesting_within(text, MAX_JSON_DEPTH) {
        return None;
    }
    match serde_json::from_str(text).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn event_trigger(
    configuration: &Map<String, Value>,
    reason_data: Option<&Map<String, Value>>,
) -> AlarmTrigger {
    if let Some(rule) = string_field(configuration, "alarmRule") {
        let triggering_children = reason_data
            .map(|data| array_field(data, "triggeringAlarms"))
            .unwrap_or(&[])
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|child| {
                Some(ChildAlarm {
                    arn: string_field(child, "arn")?,
                    state: object_field(child, "state")
                        .and_then(|state| str_field(state, "value"))
                        .and_then(AlarmState::parse),
                })
            })
            .take(MAX_LISTED)
            .collect();
        return AlarmTrigger::Composite(CompositeTrigger {
            rule,
            triggering_children,
        });
    }
    let queries: Vec<MathQuery> = array_field(configuration, "metrics")
        .iter()
        .filter_map(Value::as_object)
        .filter_map(event_query)
        .take(MAX_LISTED)
        .collect();
    let threshold = reason_data.and_then(|data| f64_field(data, "threshold"));
    // The datapoints CloudWatch evaluated are the alarm's evaluation periods.
    let evaluation_periods = reason_data
        .map(|data| array_field(data, "evaluatedDatapoints").len())
        .and_then(|count| u32::try_from(count).ok())
        .filter(|count| *count > 0)
        .unwrap_or(1);
    match queries.as_slice() {
        [] => AlarmTrigger::Unknown,
        [single] if single.expression.is_none() && single.metric.is_some() => {
            let Some(metric) = single.metric.clone() else {
                return AlarmTrigger::Unknown;
            };
            AlarmTrigger::Metric(MetricTrigger {
                metric,
                evaluation_periods,
                comparison_operator: String::new(),
                threshold,
                treat_missing_data: None,
            })
        }
        _ => {
            let period_seconds = reason_data
                .and_then(|data| u32_field(data, "period"))
                .or_else(|| {
                    queries
                        .iter()
                        .find_map(|query| query.metric.as_ref().map(|m| m.period_seconds))
                })
                .unwrap_or(60);
            AlarmTrigger::Math(MathTrigger {
                queries,
                period_seconds,
                evaluation_periods,
                comparison_operator: String::new(),
                threshold,
            })
        }
    }
}

/// One `configuration.metrics` entry (camelCase keys, dimensions as an object).
fn event_query(query: &Map<String, Value>) -> Option<MathQuery> {
    let metric = object_field(query, "metricStat").and_then(|stat| {
        let metric = object_field(stat, "metric")?;
        let dimensions = object_field(metric, "dimensions")
            .map(|dimensions| {
                dimensions
                    .iter()
                    .filter_map(|(name, value)| Some((name.clone(), scalar_text(value)?)))
                    .take(MAX_LISTED)
                    .collect()
            })
            .unwrap_or_default();
        Some(MetricStat {
            namespace: string_field(metric, "namespace")?,
            metric_name: string_field(metric, "name")?,
            dimensions,
            stat: str_field(stat, "stat").map(statistic_name)?,
            period_seconds: u32_field(stat, "period").unwrap_or(60),
            unit: string_field(stat, "unit"),
        })
    });
    Some(MathQuery {
        id: string_field(query, "id")?,
        expression: string_field(query, "expression"),
        metric,
        label: string_field(query, "label"),
        return_data: query
            .get("returnData")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}
