//! CloudWatch alarm state changes in the JSON CloudWatch publishes to SNS: metric alarms
//! (`Trigger` with one metric), metric-math alarms (`Trigger.Metrics`) and composite alarms
//! (`AlarmRule`, `TriggeringChildren`). The Region comes from the alarm ARN when there is one,
//! else from the display name CloudWatch writes (`"EU (Ireland)"`).

use serde_json::{Map, Value};

use super::fields::{
    arn_account, arn_region, array_field, f64_field, object_field, parse_time_millis, str_field,
    string_field, u32_field,
};
use super::regions::region_code;
use super::{
    AlarmNotification, AlarmState, AlarmTrigger, ChildAlarm, CompositeTrigger, MathQuery,
    MathTrigger, MetricStat, MetricTrigger,
};
use crate::common::is_region;

/// At most this many triggering children or math queries are kept; AWS Chatbot shows three
/// children, and an alarm has at most 10 queries.
pub(super) const MAX_LISTED: usize = 20;

/// Whether the object looks like CloudWatch's SNS alarm message.
pub(super) fn is_sns_alarm(map: &Map<String, Value>) -> bool {
    str_field(map, "AlarmName").is_some() && str_field(map, "NewStateValue").is_some()
}

/// The alarm in CloudWatch's SNS message; `None` when its name or new state is missing.
pub(super) fn from_sns(map: &Map<String, Value>) -> Option<AlarmNotification> {
    let name = string_field(map, "AlarmName")?;
    let new_state = AlarmState::parse(str_field(map, "NewStateValue")?)?;
    let arn = string_field(map, "AlarmArn");
    let region = arn
        .as_deref()
        .and_then(arn_region)
        .map(str::to_owned)
        .or_else(|| {
            let display = str_field(map, "Region")?;
            Some(region_code(display).unwrap_or(display.trim()).to_owned())
        })
        .filter(|region| is_region(region))
        .unwrap_or_default();
    let account_id = string_field(map, "AWSAccountId")
        .or_else(|| arn.as_deref().and_then(arn_account).map(str::to_owned))
        .unwrap_or_default();
    Some(AlarmNotification {
        name,
        description: string_field(map, "AlarmDescription"),
        arn,
        account_id,
        region,
        new_state,
        old_state: str_field(map, "OldStateValue").and_then(AlarmState::parse),
        reason: string_field(map, "NewStateReason").unwrap_or_default(),
        changed_at_millis: str_field(map, "StateChangeTime")
            .and_then(parse_time_millis)
            .unwrap_or(0),
        trigger: sns_trigger(map),
    })
}

fn sns_trigger(map: &Map<String, Value>) -> AlarmTrigger {
    if let Some(rule) = string_field(map, "AlarmRule") {
        let triggering_children = array_field(map, "TriggeringChildren")
            .iter()
            .filter_map(sns_child)
            .take(MAX_LISTED)
            .collect();
        return AlarmTrigger::Composite(CompositeTrigger {
            rule,
            triggering_children,
        });
    }
    let Some(trigger) = object_field(map, "Trigger") else {
        return AlarmTrigger::Unknown;
    };
    let metrics = array_field(trigger, "Metrics");
    if !metrics.is_empty() {
        return math_trigger(trigger, metrics);
    }
    match sns_metric(trigger) {
        Some(metric) => AlarmTrigger::Metric(MetricTrigger {
            metric,
            evaluation_periods: u32_field(trigger, "EvaluationPeriods").unwrap_or(1),
            comparison_operator: string_field(trigger, "ComparisonOperator").unwrap_or_default(),
            threshold: f64_field(trigger, "Threshold"),
            treat_missing_data: string_field(trigger, "TreatMissingData"),
        }),
        None => AlarmTrigger::Unknown,
    }
}

/// A triggering child: `{"Arn", "State": {"Value", "Timestamp"}}`, or a bare ARN as the
/// documented schema writes it.
fn sns_child(value: &Value) -> Option<ChildAlarm> {
    match value {
        Value::String(arn) if !arn.is_empty() => Some(ChildAlarm {
            arn: arn.clone(),
            state: None,
        }),
        Value::Object(child) => Some(ChildAlarm {
            arn: string_field(child, "Arn").or_else(|| string_field(child, "arn"))?,
            state: object_field(child, "State")
                .or_else(|| object_field(child, "state"))
                .and_then(|state| str_field(state, "Value").or_else(|| str_field(state, "value")))
                .and_then(AlarmState::parse),
        }),
        _ => None,
    }
}

/// The single metric of a metric alarm's `Trigger`.
fn sns_metric(trigger: &Map<String, Value>) -> Option<MetricStat> {
    let extended = str_field(trigger, "StatisticType") == Some("ExtendedStatistic");
    let stat = if extended {
        string_field(trigger, "ExtendedStatistic")
    } else {
        str_field(trigger, "Statistic").map(statistic_name)
    };
    Some(MetricStat {
        namespace: string_field(trigger, "Namespace")?,
        metric_name: string_field(trigger, "MetricName")?,
        dimensions: name_value_dimensions(array_field(trigger, "Dimensions")),
        stat: stat.or_else(|| string_field(trigger, "ExtendedStatistic"))?,
        period_seconds: u32_field(trigger, "Period").unwrap_or(60),
        unit: string_field(trigger, "Unit"),
    })
}

/// A metric-math alarm: the queries, with period, evaluation periods and threshold from the
/// `Trigger` (or, when it has no period, the returned query's).
fn math_trigger(trigger: &Map<String, Value>, metrics: &[Value]) -> AlarmTrigger {
    let queries: Vec<MathQuery> = metrics
        .iter()
        .filter_map(Value::as_object)
        .filter_map(sns_query)
        .take(MAX_LISTED)
        .collect();
    let query_period = queries
        .iter()
        .filter_map(|query| query.metric.as_ref().map(|metric| metric.period_seconds))
        .next();
    AlarmTrigger::Math(MathTrigger {
        period_seconds: u32_field(trigger, "Period").or(query_period).unwrap_or(60),
        evaluation_periods: u32_field(trigger, "EvaluationPeriods").unwrap_or(1),
        comparison_operator: string_field(trigger, "ComparisonOperator").unwrap_or_default(),
        threshold: f64_field(trigger, "Threshold"),
        queries,
    })
}

/// One `Trigger.Metrics` entry (PascalCase keys, dimensions as `[{"value","name"}]`).
fn sns_query(query: &Map<String, Value>) -> Option<MathQuery> {
    let metric = object_field(query, "MetricStat").and_then(|stat| {
        let metric = object_field(stat, "Metric")?;
        Some(MetricStat {
            namespace: string_field(metric, "Namespace")?,
            metric_name: string_field(metric, "MetricName")?,
            dimensions: name_value_dimensions(array_field(metric, "Dimensions")),
            stat: str_field(stat, "Stat").map(statistic_name)?,
            period_seconds: u32_field(stat, "Period").unwrap_or(60),
            unit: string_field(stat, "Unit"),
        })
    });
    Some(MathQuery {
        id: string_field(query, "Id")?,
        expression: string_field(query, "Expression"),
        metric,
        label: string_field(query, "Label"),
        return_data: query
            .get("ReturnData")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

/// Dimensions written as `[{"value": ..., "name": ...}]` (either case of the keys).
fn name_value_dimensions(values: &[Value]) -> Vec<(String, String)> {
    values
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|dimension| {
            let name = str_field(dimension, "name").or_else(|| str_field(dimension, "Name"))?;
            let value = dimension
                .get("value")
                .or_else(|| dimension.get("Value"))
                .and_then(super::fields::scalar_text)?;
            Some((name.to_owned(), value))
        })
        .take(MAX_LISTED)
        .collect()
}

/// The statistic as `GetMetricData` names it: SNS writes `AVERAGE`, `SAMPLE_COUNT`, ...
pub(super) fn statistic_name(text: &str) -> String {
    match text {
        "AVERAGE" => "Average",
        "SUM" => "Sum",
        "SAMPLE_COUNT" => "SampleCount",
        "MINIMUM" => "Minimum",
        "MAXIMUM" => "Maximum",
        other => return other.to_owned(),
    }
    .to_owned()
}
