//! The alarms of a describe-alarms answer (the AWS CLI's JSON of `MetricAlarms` and
//! `CompositeAlarms`) read into [`AlarmNotification`]s, the shape alarm records, charts and
//! log buttons share with posted notifications. Pure.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::common::now_millis;
use crate::notify::message::{
    AlarmNotification, AlarmState, AlarmTrigger, ChildAlarm, CompositeTrigger, MathQuery,
    MathTrigger, MetricStat, MetricTrigger,
};
use crate::policy::Permit;

/// Every alarm of `output`, metric alarms first, in the service's order. Region and account
/// come from each alarm's ARN, else from the permit the answer was fetched with.
pub(in crate::conversation) fn alarms_of(
    output: &Value,
    permit: &Permit,
) -> Vec<AlarmNotification> {
    let fallback = Place {
        region: permit.region().to_owned(),
        account_id: permit.account().map(|a| a.id.clone()).unwrap_or_default(),
    };
    let list = |key: &str| {
        output
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let metric = list("MetricAlarms")
        .into_iter()
        .map(|alarm| read_alarm(&alarm, &fallback, metric_trigger(&alarm)));
    let composite = list("CompositeAlarms")
        .into_iter()
        .map(|alarm| read_alarm(&alarm, &fallback, composite_trigger(&alarm)));
    metric.chain(composite).collect()
}

/// Where an alarm lives when its ARN does not say.
struct Place {
    region: String,
    account_id: String,
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn number(value: &Value, key: &str) -> Option<u32> {
    value
        .get(key)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

fn read_alarm(alarm: &Value, fallback: &Place, trigger: AlarmTrigger) -> AlarmNotification {
    let arn = text(alarm, "AlarmArn");
    // arn:aws:cloudwatch:<region>:<account>:alarm:<name>
    let parts: Vec<&str> = arn.as_deref().unwrap_or_default().splitn(6, ':').collect();
    let from_arn = |index: usize| {
        parts
            .get(index)
            .filter(|part| !part.is_empty() && parts.len() == 6)
            .map(|part| (*part).to_owned())
    };
    AlarmNotification {
        name: text(alarm, "AlarmName").unwrap_or_default(),
        description: text(alarm, "AlarmDescription"),
        region: from_arn(3).unwrap_or_else(|| fallback.region.clone()),
        account_id: from_arn(4).unwrap_or_else(|| fallback.account_id.clone()),
        arn,
        new_state: text(alarm, "StateValue")
            .as_deref()
            .and_then(AlarmState::parse)
            .unwrap_or(AlarmState::InsufficientData),
        old_state: None,
        reason: text(alarm, "StateReason").unwrap_or_default(),
        changed_at_millis: text(alarm, "StateUpdatedTimestamp")
            .and_then(|at| OffsetDateTime::parse(&at, &Rfc3339).ok())
            .map(|at| (at.unix_timestamp_nanos() / 1_000_000) as i64)
            .unwrap_or_else(|| now_millis() as i64),
        trigger,
    }
}

/// A metric alarm's trigger: one metric, or its metric-math queries.
fn metric_trigger(alarm: &Value) -> AlarmTrigger {
    let period = number(alarm, "Period");
    let evaluation_periods = number(alarm, "EvaluationPeriods").unwrap_or(1);
    let comparison_operator = text(alarm, "ComparisonOperator").unwrap_or_default();
    let threshold = alarm.get("Threshold").and_then(Value::as_f64);
    // Metric alarms answer with an empty `Metrics` list: only a non-empty one is metric math.
    let math = alarm
        .get("Metrics")
        .and_then(Value::as_array)
        .filter(|queries| !queries.is_empty());
    if let Some(queries) = math {
        let queries: Vec<MathQuery> = queries.iter().map(math_query).collect();
        let period_seconds = period
            .or_else(|| {
                queries
                    .iter()
                    .find_map(|q| Some(q.metric.as_ref()?.period_seconds))
            })
            .unwrap_or(60);
        return AlarmTrigger::Math(MathTrigger {
            queries,
            period_seconds,
            evaluation_periods,
            comparison_operator,
            threshold,
        });
    }
    let Some(metric_name) = text(alarm, "MetricName") else {
        return AlarmTrigger::Unknown;
    };
    AlarmTrigger::Metric(MetricTrigger {
        metric: MetricStat {
            namespace: text(alarm, "Namespace").unwrap_or_default(),
            metric_name,
            dimensions: dimensions(alarm.get("Dimensions")),
            stat: text(alarm, "ExtendedStatistic")
                .or_else(|| text(alarm, "Statistic"))
                .unwrap_or_else(|| "Average".to_owned()),
            period_seconds: period.unwrap_or(60),
            unit: text(alarm, "Unit"),
        },
        evaluation_periods,
        comparison_operator,
        threshold,
        treat_missing_data: text(alarm, "TreatMissingData"),
    })
}

fn math_query(query: &Value) -> MathQuery {
    let stat = query.get("MetricStat");
    MathQuery {
        id: text(query, "Id").unwrap_or_default(),
        expression: text(query, "Expression"),
        label: text(query, "Label"),
        return_data: query
            .get("ReturnData")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        metric: stat.and_then(|stat| {
            let metric = stat.get("Metric")?;
            Some(MetricStat {
                namespace: text(metric, "Namespace").unwrap_or_default(),
                metric_name: text(metric, "MetricName")?,
                dimensions: dimensions(metric.get("Dimensions")),
                stat: text(stat, "Stat").unwrap_or_else(|| "Average".to_owned()),
                period_seconds: number(stat, "Period").unwrap_or(60),
                unit: text(stat, "Unit"),
            })
        }),
    }
}

fn dimensions(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_array)
        .map(|dimensions| {
            dimensions
                .iter()
                .filter_map(|d| Some((text(d, "Name")?, text(d, "Value")?)))
                .collect()
        })
        .unwrap_or_default()
}

/// A composite alarm's rule and the children that triggered it: `StateReasonData`'s
/// `triggeringAlarms` when the service gives them, else every alarm its rule names.
fn composite_trigger(alarm: &Value) -> AlarmTrigger {
    let rule = text(alarm, "AlarmRule").unwrap_or_default();
    let from_reason = text(alarm, "StateReasonData")
        .and_then(|data| serde_json::from_str::<Value>(&data).ok())
        .and_then(|data| {
            data.get("triggeringAlarms")
                .and_then(Value::as_array)
                .cloned()
        })
        .map(|children| {
            children
                .iter()
                .filter_map(|child| {
                    Some(ChildAlarm {
                        arn: text(child, "arn")?,
                        state: child
                            .get("state")
                            .and_then(|s| s.get("value"))
                            .and_then(Value::as_str)
                            .and_then(AlarmState::parse),
                    })
                })
                .collect::<Vec<_>>()
        })
        .filter(|children| !children.is_empty());
    let triggering_children = from_reason.unwrap_or_else(|| {
        rule_children(&rule)
            .into_iter()
            .map(|arn| ChildAlarm { arn, state: None })
            .collect()
    });
    AlarmTrigger::Composite(CompositeTrigger {
        rule,
        triggering_children,
    })
}

/// The alarms an alarm rule names: `ALARM("a") OR OK(b)` → `a`, `b` (names or ARNs).
pub(super) fn rule_children(rule: &str) -> Vec<String> {
    let mut children = Vec::new();
    for (keyword_end, _) in rule.match_indices('(') {
        let before = rule[..keyword_end].trim_end();
        let is_state = ["ALARM", "OK", "INSUFFICIENT_DATA"]
            .iter()
            .any(|state| before.ends_with(state));
        if !is_state {
            continue;
        }
        let rest = &rule[keyword_end + 1..];
        let Some(close) = rest.find(')') else {
            continue;
        };
        let name = rest[..close]
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .trim();
        if !name.is_empty() && !children.iter().any(|c| c == name) {
            children.push(name.to_owned());
        }
    }
    children
}
