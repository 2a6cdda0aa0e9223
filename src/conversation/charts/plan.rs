//! What each chart of an alarm asks `GetMetricData` for and how its picture is made from the
//! answer: the window, the period, the queries (the metric, or the metric-math queries with
//! the expression that returns data), the threshold and the ALARM periods. Pure.

use crate::aws::alarms::{AlarmConfig, AlarmKind, MetricQuery, MetricSpec};
use crate::notify::message::{AlarmNotification, AlarmState, AlarmTrigger, CompositeTrigger};
use crate::notify::message::{MathQuery, MetricStat};
use crate::render::chart::{alarm_periods, merge_periods, MetricChart};

/// The window every chart shows.
pub(super) const WINDOW_SECONDS: i64 = 3 * 3600;
/// No chart asks for periods shorter than a minute (high-resolution alarms included).
const MIN_PERIOD: u32 = 60;
/// Chart titles are cut to this many characters so they fit across a phone-width picture.
const MAX_TITLE_CHARS: usize = 56;

/// One chart to fetch and draw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChartPlan {
    /// What the card calls the chart: the alarm's (or child alarm's) name.
    pub label: String,
    pub title: String,
    pub unit: Option<String>,
    pub queries: Vec<MetricQuery>,
    /// The window, seconds since the epoch, on whole periods.
    pub start: i64,
    pub end: i64,
    pub period: i64,
    pub threshold: Option<f64>,
    pub comparison_operator: Option<String>,
    pub evaluation_periods: u32,
    /// Since when the alarm is in ALARM (seconds), when it is now.
    pub in_alarm_since: Option<i64>,
}

impl ChartPlan {
    /// The picture of `points`: the threshold and the ALARM periods. moto (the test double)
    /// has no DescribeAlarmHistory, and a history call would be one more permission to ask
    /// for, so the ALARM periods are derived from the datapoints against the threshold (see
    /// [`alarm_periods`]), plus the current episode from the last state change to now.
    pub(crate) fn into_chart(self, points: Vec<(i64, f64)>) -> MetricChart {
        let derived = match (self.threshold, self.comparison_operator.as_deref()) {
            (Some(threshold), Some(operator)) => alarm_periods(
                &points,
                threshold,
                operator,
                self.period,
                self.evaluation_periods,
            ),
            _ => Vec::new(),
        };
        let current = self.in_alarm_since.map(|since| (since, self.end));
        MetricChart {
            title: self.title,
            unit: self.unit,
            points,
            start: self.start,
            end: self.end,
            threshold: self.threshold,
            alarm_periods: merge_periods(derived, current),
        }
    }
}

/// The window of a chart: the 3 hours up to now, or up to a period after the state change
/// when that is later (a clock behind CloudWatch's), on whole periods.
pub(crate) fn window(now_secs: i64, changed_at_secs: i64, period: i64) -> (i64, i64) {
    let period = period.max(1);
    let end = now_secs.max(changed_at_secs + period);
    let end = end.div_euclid(period) * period + if end % period == 0 { 0 } else { period };
    let start = (end - WINDOW_SECONDS).div_euclid(period) * period;
    (start, end)
}

/// The plan of a metric or metric-math alarm; the reason when it has none.
pub(crate) fn alarm_plan(
    alarm: &AlarmNotification,
    now_secs: i64,
) -> Result<ChartPlan, (String, String)> {
    let no_chart = |why: &str| Err((alarm.name.clone(), why.to_owned()));
    let state = Facts {
        label: alarm.name.clone(),
        state: Some(alarm.new_state),
        changed_at_secs: alarm.changed_at_millis.div_euclid(1000),
    };
    match &alarm.trigger {
        AlarmTrigger::Metric(trigger) => Ok(state.plan(
            vec![metric_query("m1", &trigger.metric, None, true)],
            Shape {
                title: format!("{} · {}", trigger.metric.metric_name, trigger.metric.stat),
                unit: trigger.metric.unit.clone(),
                period: trigger.metric.period_seconds,
                threshold: trigger.threshold,
                comparison_operator: Some(trigger.comparison_operator.clone()),
                evaluation_periods: trigger.evaluation_periods,
            },
            now_secs,
        )),
        AlarmTrigger::Math(math) => {
            let Some(returned) = math.queries.iter().find(|q| q.return_data) else {
                return no_chart("the alarm's metric math returns no data");
            };
            let queries = math.queries.iter().map(math_query).collect();
            Ok(state.plan(
                queries,
                Shape {
                    title: math_title(returned),
                    unit: math
                        .queries
                        .iter()
                        .find_map(|q| q.metric.as_ref()?.unit.clone()),
                    period: math.period_seconds,
                    threshold: math.threshold,
                    comparison_operator: Some(math.comparison_operator.clone()),
                    evaluation_periods: math.evaluation_periods,
                },
                now_secs,
            ))
        }
        AlarmTrigger::Composite(_) => no_chart("a composite alarm is charted by its children"),
        AlarmTrigger::Unknown => no_chart("the alarm does not say which metric it watches"),
    }
}

/// The names of a composite alarm's triggering children (ARNs or names), in order.
pub(crate) fn child_names(composite: &CompositeTrigger) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for child in &composite.triggering_children {
        let name = alarm_name_of(&child.arn).to_owned();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `my-alarm` from `arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm` (a name stays).
pub(crate) fn alarm_name_of(arn_or_name: &str) -> &str {
    arn_or_name
        .split_once(":alarm:")
        .map_or(arn_or_name, |(_, name)| name)
}

/// The plans of a composite alarm's children: those in ALARM first, at most
/// [`super::MAX_CHILD_CHARTS`]; a child that is itself composite has no chart of its own.
pub(crate) fn child_plans(
    alarm: &AlarmNotification,
    children: &[AlarmConfig],
    now_secs: i64,
) -> Vec<Result<ChartPlan, (String, String)>> {
    let mut ordered: Vec<&AlarmConfig> = children.iter().collect();
    ordered.sort_by_key(|child| child.state.as_deref() != Some("ALARM"));
    let plans: Vec<_> = ordered
        .into_iter()
        .take(super::MAX_CHILD_CHARTS)
        .map(|child| child_plan(child, now_secs))
        .collect();
    if plans.is_empty() {
        return vec![Err((
            alarm.name.clone(),
            "its child alarms were not found".to_owned(),
        ))];
    }
    plans
}

fn child_plan(child: &AlarmConfig, now_secs: i64) -> Result<ChartPlan, (String, String)> {
    let facts = Facts {
        label: child.name.clone(),
        state: child.state.as_deref().and_then(AlarmState::parse),
        changed_at_secs: child.updated_millis.unwrap_or(0).div_euclid(1000),
    };
    match &child.kind {
        AlarmKind::Composite { .. } => Err((
            child.name.clone(),
            "a composite child alarm has no metric of its own".to_owned(),
        )),
        AlarmKind::Metric {
            metric,
            queries,
            period_seconds,
            evaluation_periods,
            comparison_operator,
            threshold,
        } => {
            let (queries, title, unit) = match metric {
                Some(spec) => (
                    vec![MetricQuery {
                        id: "m1".to_owned(),
                        expression: None,
                        metric: Some(spec.clone()),
                        label: None,
                        return_data: true,
                    }],
                    format!("{} · {}", spec.metric_name, spec.stat),
                    spec.unit.clone(),
                ),
                None => {
                    let returned = queries.iter().rev().find(|q| q.return_data);
                    let title = returned
                        .map(|q| {
                            let text = q.label.clone().or_else(|| q.expression.clone());
                            format!(
                                "{} · {}",
                                text.unwrap_or_else(|| q.id.clone()),
                                period_text(*period_seconds)
                            )
                        })
                        .unwrap_or_default();
                    let unit = queries.iter().find_map(|q| q.metric.as_ref()?.unit.clone());
                    (queries.clone(), title, unit)
                }
            };
            Ok(facts.plan(
                queries,
                Shape {
                    title,
                    unit,
                    period: *period_seconds,
                    threshold: *threshold,
                    comparison_operator: comparison_operator.clone(),
                    evaluation_periods: *evaluation_periods,
                },
                now_secs,
            ))
        }
    }
}

/// Which alarm a chart is of, and its state.
struct Facts {
    label: String,
    state: Option<AlarmState>,
    changed_at_secs: i64,
}

/// How a chart is drawn.
struct Shape {
    title: String,
    unit: Option<String>,
    period: u32,
    threshold: Option<f64>,
    comparison_operator: Option<String>,
    evaluation_periods: u32,
}

impl Facts {
    fn plan(self, queries: Vec<MetricQuery>, shape: Shape, now_secs: i64) -> ChartPlan {
        let period = i64::from(shape.period.max(MIN_PERIOD));
        let (start, end) = window(now_secs, self.changed_at_secs, period);
        ChartPlan {
            label: self.label,
            // The period the chart is drawn at, which may be longer than the alarm's.
            title: format!(
                "{} · {}",
                cut(&shape.title, MAX_TITLE_CHARS),
                period_text(period as u32)
            ),
            unit: shape.unit,
            queries: queries
                .into_iter()
                .map(|mut query| {
                    // Every metric is asked for at the chart's period (at least a minute).
                    if let Some(metric) = &mut query.metric {
                        metric.period_seconds = metric.period_seconds.max(MIN_PERIOD);
                    }
                    query
                })
                .collect(),
            start,
            end,
            period,
            threshold: shape.threshold,
            comparison_operator: shape.comparison_operator,
            evaluation_periods: shape.evaluation_periods,
            in_alarm_since: (self.state == Some(AlarmState::Alarm))
                .then_some(self.changed_at_secs.clamp(start, end)),
        }
    }
}

fn spec_of(metric: &MetricStat) -> MetricSpec {
    MetricSpec {
        namespace: metric.namespace.clone(),
        metric_name: metric.metric_name.clone(),
        dimensions: metric.dimensions.clone(),
        stat: metric.stat.clone(),
        period_seconds: metric.period_seconds,
        unit: metric.unit.clone(),
    }
}

fn metric_query(
    id: &str,
    metric: &MetricStat,
    label: Option<String>,
    returned: bool,
) -> MetricQuery {
    MetricQuery {
        id: id.to_owned(),
        expression: None,
        metric: Some(spec_of(metric)),
        label,
        return_data: returned,
    }
}

fn math_query(query: &MathQuery) -> MetricQuery {
    MetricQuery {
        id: query.id.clone(),
        expression: query.expression.clone(),
        metric: query.metric.as_ref().map(spec_of),
        label: query.label.clone(),
        return_data: query.return_data,
    }
}

/// `Error rate %`: the returned query's label, else its expression.
fn math_title(returned: &MathQuery) -> String {
    returned
        .label
        .clone()
        .or_else(|| returned.expression.clone())
        .or_else(|| returned.metric.as_ref().map(|m| m.metric_name.clone()))
        .unwrap_or_else(|| returned.id.clone())
}

/// `1 min`, `5 min`, `1 h`, `30 s`.
pub(crate) fn period_text(seconds: u32) -> String {
    match seconds {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars().take(max - 1).collect::<String>() + "…"
    }
}
