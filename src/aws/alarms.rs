//! The CloudWatch calls alarm charts need, typed through `aws-sdk-cloudwatch`: GetMetricData
//! (the series an alarm watches: one metric, or a metric-math expression with its queries) and
//! DescribeAlarms (a composite alarm's children). The client is built per call from the permit's
//! credentials and region and the engine's endpoint settings, and every call checks that the
//! permit was granted for its operation. Inputs and outputs are plain types defined here (this
//! module knows no notifications); never formats anything for people.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    AlarmType, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, ScanBy, StandardUnit,
};

use super::sdk::{self, answer, CallError};
use super::EngineConfig;
use crate::policy::Permit;

/// GetMetricData answers at most this many pages for one chart (a 3-hour window at one
/// minute is 180 datapoints: one page).
const MAX_PAGES: usize = 5;

/// One metric with a statistic, as `MetricStat` names it.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSpec {
    pub namespace: String,
    pub metric_name: String,
    /// Name → value.
    pub dimensions: Vec<(String, String)>,
    /// `Average`, `Sum`, ... or an extended statistic (`p99`).
    pub stat: String,
    pub period_seconds: u32,
    pub unit: Option<String>,
}

/// One `MetricDataQuery`: a metric, or an expression over the other queries' ids.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    pub id: String,
    pub expression: Option<String>,
    pub metric: Option<MetricSpec>,
    pub label: Option<String>,
    /// The series asked for; the others only feed expressions.
    pub return_data: bool,
}

/// An alarm's configuration as DescribeAlarms gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmConfig {
    pub name: String,
    pub arn: Option<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: Option<String>,
    pub reason: Option<String>,
    /// When the state last changed, milliseconds since the epoch.
    pub updated_millis: Option<i64>,
    pub kind: AlarmKind,
}

/// What an alarm watches.
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmKind {
    /// One metric, or metric-math queries (`metric` is `None` and `queries` are set).
    Metric {
        metric: Option<MetricSpec>,
        queries: Vec<MetricQuery>,
        period_seconds: u32,
        evaluation_periods: u32,
        comparison_operator: Option<String>,
        threshold: Option<f64>,
    },
    /// A composite alarm's rule.
    Composite { rule: String },
}

/// Why a CloudWatch call failed: the failures every typed SDK call shares.
pub type AlarmsError = CallError;

/// Calls CloudWatch on behalf of a permit.
#[derive(Debug, Clone)]
pub struct AlarmsApi {
    sdk: sdk::SdkBase,
}

impl AlarmsApi {
    pub fn new(config: EngineConfig) -> Self {
        AlarmsApi {
            sdk: sdk::SdkBase::new(config),
        }
    }

    /// A client for `permit`, refused unless the permit is for cloudwatch `operation`.
    fn client(
        &self,
        permit: &Permit,
        operation: &str,
    ) -> Result<aws_sdk_cloudwatch::Client, AlarmsError> {
        sdk::require(permit, "cloudwatch", operation)?;
        let config = self.sdk.config(permit, "CloudWatch");
        Ok(aws_sdk_cloudwatch::Client::new(&config))
    }

    /// GetMetricData for `queries` between `start` and `end` (seconds since the epoch): the
    /// datapoints (seconds, value) of the query with `return_data` (the last one when several
    /// are marked), in time order.
    pub async fn metric_data(
        &self,
        permit: &Permit,
        queries: &[MetricQuery],
        start: i64,
        end: i64,
    ) -> Result<Vec<(i64, f64)>, AlarmsError> {
        let client = self.client(permit, "GetMetricData")?;
        let wanted = queries
            .iter()
            .rev()
            .find(|q| q.return_data)
            .or(queries.last())
            .map(|q| q.id.clone())
            .unwrap_or_default();
        let sdk_queries: Vec<MetricDataQuery> = queries
            .iter()
            .map(|q| sdk_query(q, q.id == wanted))
            .collect();
        let mut points = Vec::new();
        let mut next_token = None;
        for _ in 0..MAX_PAGES {
            let request = client
                .get_metric_data()
                .set_metric_data_queries(Some(sdk_queries.clone()))
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end))
                .scan_by(ScanBy::TimestampAscending)
                .set_next_token(next_token.take());
            let output = answer("GetMetricData", request.send()).await?;
            for result in output.metric_data_results() {
                if result.id() == Some(wanted.as_str()) {
                    points.extend(
                        result
                            .timestamps()
                            .iter()
                            .zip(result.values())
                            .map(|(at, value)| (at.secs(), *value)),
                    );
                }
            }
            match output.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_owned()),
                _ => break,
            }
        }
        points.sort_by_key(|(at, _)| *at);
        Ok(points)
    }

    /// DescribeAlarms for the alarms called `names` (metric and composite alarms).
    pub async fn describe_alarms(
        &self,
        permit: &Permit,
        names: &[String],
    ) -> Result<Vec<AlarmConfig>, AlarmsError> {
        let client = self.client(permit, "DescribeAlarms")?;
        let request = client
            .describe_alarms()
            .set_alarm_names(Some(names.to_vec()))
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm);
        let output = answer("DescribeAlarms", request.send()).await?;
        let mut alarms: Vec<AlarmConfig> =
            output.metric_alarms().iter().map(metric_alarm).collect();
        alarms.extend(output.composite_alarms().iter().map(|alarm| AlarmConfig {
            name: alarm.alarm_name().unwrap_or_default().to_owned(),
            arn: alarm.alarm_arn().map(str::to_owned),
            state: alarm.state_value().map(|s| s.as_str().to_owned()),
            reason: alarm.state_reason().map(str::to_owned),
            updated_millis: alarm.state_updated_timestamp().map(millis),
            kind: AlarmKind::Composite {
                rule: alarm.alarm_rule().unwrap_or_default().to_owned(),
            },
        }));
        Ok(alarms)
    }
}

fn millis(at: &DateTime) -> i64 {
    at.secs() * 1000 + i64::from(at.subsec_nanos() / 1_000_000)
}

/// The SDK's query for one of ours; `returned` marks the one series asked for.
fn sdk_query(query: &MetricQuery, returned: bool) -> MetricDataQuery {
    let mut builder = MetricDataQuery::builder()
        .id(&query.id)
        .set_expression(query.expression.clone())
        .set_label(query.label.clone())
        .return_data(returned);
    if let Some(spec) = &query.metric {
        let metric = Metric::builder()
            .namespace(&spec.namespace)
            .metric_name(&spec.metric_name)
            .set_dimensions(Some(
                spec.dimensions
                    .iter()
                    .map(|(name, value)| Dimension::builder().name(name).value(value).build())
                    .collect(),
            ))
            .build();
        builder = builder.metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(i32::try_from(spec.period_seconds.max(1)).unwrap_or(i32::MAX))
                .stat(&spec.stat)
                .set_unit(spec.unit.as_deref().map(StandardUnit::from))
                .build(),
        );
    }
    builder.build()
}

/// One metric alarm's configuration.
fn metric_alarm(alarm: &MetricAlarm) -> AlarmConfig {
    let period_seconds = alarm.period().and_then(|p| u32::try_from(p).ok());
    let metric = alarm.metric_name().map(|name| MetricSpec {
        namespace: alarm.namespace().unwrap_or_default().to_owned(),
        metric_name: name.to_owned(),
        dimensions: dimensions(alarm.dimensions()),
        stat: alarm
            .extended_statistic()
            .map(str::to_owned)
            .or_else(|| alarm.statistic().map(|s| s.as_str().to_owned()))
            .unwrap_or_else(|| "Average".to_owned()),
        period_seconds: period_seconds.unwrap_or(60),
        unit: alarm.unit().map(|u| u.as_str().to_owned()),
    });
    let queries: Vec<MetricQuery> = alarm
        .metrics()
        .iter()
        .map(|q| MetricQuery {
            id: q.id().unwrap_or_default().to_owned(),
            expression: q.expression().map(str::to_owned),
            label: q.label().map(str::to_owned),
            return_data: q.return_data().unwrap_or(true),
            metric: q.metric_stat().and_then(|stat| {
                let metric = stat.metric()?;
                Some(MetricSpec {
                    namespace: metric.namespace().unwrap_or_default().to_owned(),
                    metric_name: metric.metric_name().unwrap_or_default().to_owned(),
                    dimensions: dimensions(metric.dimensions()),
                    stat: stat.stat().unwrap_or("Average").to_owned(),
                    period_seconds: stat
                        .period()
                        .and_then(|p| u32::try_from(p).ok())
                        .unwrap_or(60),
                    unit: stat.unit().map(|u| u.as_str().to_owned()),
                })
            }),
        })
        .collect();
    let period_seconds = period_seconds
        .or_else(|| {
            queries
                .iter()
                .find_map(|q| Some(q.metric.as_ref()?.period_seconds))
        })
        .unwrap_or(60);
    AlarmConfig {
        name: alarm.alarm_name().unwrap_or_default().to_owned(),
        arn: alarm.alarm_arn().map(str::to_owned),
        state: alarm.state_value().map(|s| s.as_str().to_owned()),
        reason: alarm.state_reason().map(str::to_owned),
        updated_millis: alarm.state_updated_timestamp().map(millis),
        kind: AlarmKind::Metric {
            metric,
            queries,
            period_seconds,
            evaluation_periods: alarm
                .evaluation_periods()
                .and_then(|p| u32::try_from(p).ok())
                .unwrap_or(1),
            comparison_operator: alarm.comparison_operator().map(|c| c.as_str().to_owned()),
            threshold: alarm.threshold(),
        },
    }
}

fn dimensions(dimensions: &[Dimension]) -> Vec<(String, String)> {
    dimensions
        .iter()
        .map(|d| {
            (
                d.name().unwrap_or_default().to_owned(),
                d.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
