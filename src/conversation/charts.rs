//! Alarm charts: the metric data of an alarm fetched with `GetMetricData` as the person (or,
//! for a posted notification, the channel) it is shown to, drawn to PNG, and made into an image
//! a card can show (a URL under `AWS_CHATOPS_PUBLIC_URL`, an inline image, or a sparkline).
//!
//! Every fetch is an AWS call of its own: authorized (`cloudwatch:GetMetricData`, and
//! `cloudwatch:DescribeAlarms` for a composite alarm's children) and audited. Nothing here
//! fails a card: a chart that cannot be made is [`ChartImage::Unavailable`] with a short reason.

mod plan;
mod publish;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::Map;

use super::Inner;
use crate::audit::{AuditRecord, Outcome};
use crate::aws::alarms::{AlarmConfig, AlarmsError};
use crate::command::{GlobalOptions, Invocation};
use crate::common::now_millis;
use crate::notify::message::{AlarmNotification, AlarmTrigger};
use crate::policy::channel::notification_requester;
use crate::policy::{Denial, Permit, Requester};
use crate::render::chart::{ChartImage, MetricChart};
use crate::render::LabeledChart;

pub(super) use plan::ChartPlan;
pub(super) use publish::{data_uri, sparkline_image};
pub use publish::{CHARTS_NAMESPACE, CHART_TTL};

/// All charts of one card are fetched within this, well inside the 15 s a turn has.
const CHARTS_DEADLINE: Duration = Duration::from_secs(10);
/// A composite alarm shows at most this many children.
pub(super) const MAX_CHILD_CHARTS: usize = 3;
/// What the charts of one notification card may add inline (data URIs) when there is no
/// public URL; the rest become sparklines.
#[allow(dead_code)] // used by alarm_charts, which the notification hub calls
const NOTIFICATION_INLINE_BUDGET: usize = 16 * 1024;

/// Whose permissions a chart's data is fetched with.
#[derive(Debug, Clone, Copy)]
pub(super) enum Acting<'a> {
    /// The person who asked (describe-alarms, Show chart).
    User(&'a Requester),
    /// A channel a notification is posted to, as its channel role (`[access.channels.<key>]`).
    #[allow(dead_code)] // the notification hub acts as the channel
    Channel { key: &'a str },
}

/// A chart with its data, or why there is none, before it becomes an image.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DrawnChart {
    pub label: String,
    pub chart: Result<MetricChart, String>,
}

impl Inner {
    /// The charts of `alarm`: one for a metric or metric-math alarm, one per triggering child
    /// (at most 3) for a composite. A chart that cannot be made says why
    /// ([`crate::render::chart::ChartImage::Unavailable`]).
    #[allow(dead_code)] // called by the notification hub (posting, Show chart)
    pub(super) async fn alarm_charts(
        &self,
        acting: Acting<'_>,
        alarm: &AlarmNotification,
    ) -> Vec<LabeledChart> {
        let drawn = self.chart_data(acting, alarm).await;
        self.chart_images(drawn, NOTIFICATION_INLINE_BUDGET).await
    }

    /// The data of `alarm`'s charts (see [`Inner::alarm_charts`]), fetched concurrently within
    /// [`CHARTS_DEADLINE`].
    pub(super) async fn chart_data(
        &self,
        acting: Acting<'_>,
        alarm: &AlarmNotification,
    ) -> Vec<DrawnChart> {
        let deadline = Instant::now() + CHARTS_DEADLINE;
        let now_secs = (now_millis() / 1000) as i64;
        let plans = match &alarm.trigger {
            AlarmTrigger::Composite(composite) => {
                let names = plan::child_names(composite);
                match self.children(acting, alarm, &names, deadline).await {
                    Ok(children) => plan::child_plans(alarm, &children, now_secs),
                    Err(reason) => vec![Err((alarm.name.clone(), reason))],
                }
            }
            _ => vec![plan::alarm_plan(alarm, now_secs)],
        };
        let fetches = plans.into_iter().map(|planned| async move {
            match planned {
                Ok(plan) => {
                    let label = plan.label.clone();
                    DrawnChart {
                        label,
                        chart: self.fetch_chart(acting, alarm, plan, deadline).await,
                    }
                }
                Err((label, reason)) => DrawnChart {
                    label,
                    chart: Err(reason),
                },
            }
        });
        join_all(fetches).await
    }

    /// One chart's datapoints, as `acting`, made into what the picture shows.
    async fn fetch_chart(
        &self,
        acting: Acting<'_>,
        alarm: &AlarmNotification,
        plan: ChartPlan,
        deadline: Instant,
    ) -> Result<MetricChart, String> {
        let invocation = cloudwatch_invocation("GetMetricData", "get-metric-data", &alarm.region);
        let permit = self.chart_permit(acting, alarm, &invocation).await?;
        let started = Instant::now();
        let fetched = tokio::time::timeout_at(
            deadline.into(),
            self.alarms
                .metric_data(&permit, &plan.queries, plan.start, plan.end),
        )
        .await;
        let fetched = match fetched {
            Ok(result) => result,
            Err(_) => Err(AlarmsError::Call {
                operation: "GetMetricData".into(),
                message: "timed out".into(),
            }),
        };
        self.audit_chart_call(acting, &invocation, &permit, &fetched, started);
        let points = fetched.map_err(|error| call_failure(&error))?;
        if points.is_empty() {
            return Err("no datapoints in the last 3 hours".to_owned());
        }
        Ok(plan.into_chart(points))
    }

    /// The configuration of a composite alarm's children `names`, as `acting`.
    async fn children(
        &self,
        acting: Acting<'_>,
        alarm: &AlarmNotification,
        names: &[String],
        deadline: Instant,
    ) -> Result<Vec<AlarmConfig>, String> {
        if names.is_empty() {
            return Err("the alarm names no child alarms".to_owned());
        }
        let invocation = cloudwatch_invocation("DescribeAlarms", "describe-alarms", &alarm.region);
        let permit = self.chart_permit(acting, alarm, &invocation).await?;
        let started = Instant::now();
        let described = match tokio::time::timeout_at(
            deadline.into(),
            self.alarms.describe_alarms(&permit, names),
        )
        .await
        {
            Ok(result) => result,
            Err(_) => Err(AlarmsError::Call {
                operation: "DescribeAlarms".into(),
                message: "timed out".into(),
            }),
        };
        self.audit_chart_call(acting, &invocation, &permit, &described, started);
        described.map_err(|error| call_failure(&error))
    }

    /// The permit for a chart's call: the user's own decision (in the account their commands
    /// run in, which must be the alarm's), or the channel's role in the alarm's account.
    async fn chart_permit(
        &self,
        acting: Acting<'_>,
        alarm: &AlarmNotification,
        invocation: &Invocation,
    ) -> Result<Permit, String> {
        let permit = match acting {
            Acting::User(requester) => self.authorizer.authorize(requester, invocation).await,
            Acting::Channel { key } => {
                self.authorizer
                    .authorize_as_channel(key, &alarm.account_id, invocation)
                    .await
            }
        }
        .map_err(|denial| refusal(&denial, invocation))?;
        match permit.account() {
            Some(account) if !alarm.account_id.is_empty() && account.id != alarm.account_id => {
                Err(format!(
                    "the alarm is in account {}, and commands here run in account {} ({})",
                    alarm.account_id, account.name, account.id
                ))
            }
            _ => Ok(permit),
        }
    }

    /// The audit record of one call a chart made.
    fn audit_chart_call<T>(
        &self,
        acting: Acting<'_>,
        invocation: &Invocation,
        permit: &Permit,
        result: &Result<T, AlarmsError>,
        started: Instant,
    ) {
        let outcome = match result {
            Ok(_) => Outcome::Allowed,
            Err(error) => Outcome::failed(error),
        };
        let requester = match acting {
            Acting::User(requester) => requester.clone(),
            Acting::Channel { key } => notification_requester(key),
        };
        self.audit.write(
            &AuditRecord::new(&requester, invocation, outcome)
                .with_permit(permit)
                .with_latency(started.elapsed()),
        );
    }

    /// The images of `drawn`: URLs under the public URL when there is one, else inline images
    /// while they fit in `inline_budget` bytes, else sparklines.
    #[allow(dead_code)] // through alarm_charts
    pub(super) async fn chart_images(
        &self,
        drawn: Vec<DrawnChart>,
        inline_budget: usize,
    ) -> Vec<LabeledChart> {
        let mut budget = inline_budget;
        let mut images = Vec::with_capacity(drawn.len());
        for chart in drawn {
            let image = match &chart.chart {
                Err(reason) => ChartImage::Unavailable {
                    reason: reason.clone(),
                },
                Ok(metric) => match self.published(metric).await {
                    Some(url) => url,
                    None => publish::inline_or_sparkline(metric, &mut budget).await,
                },
            };
            images.push(LabeledChart {
                label: chart.label,
                image,
            });
        }
        images
    }
}

/// An invocation of a CloudWatch call a chart makes, in `region`.
fn cloudwatch_invocation(operation: &str, cli_operation: &str, region: &str) -> Invocation {
    Invocation {
        service: "cloudwatch".to_owned(),
        operation: operation.to_owned(),
        cli_operation: cli_operation.to_owned(),
        params: Map::new(),
        globals: GlobalOptions {
            region: (!region.is_empty()).then(|| region.to_owned()),
            ..GlobalOptions::default()
        },
    }
}

/// A refusal as a chart's reason: the layer, and the first sentence of what it said.
fn refusal(denial: &Denial, invocation: &Invocation) -> String {
    let first = denial
        .message
        .split_inclusive(". ")
        .next()
        .unwrap_or_default()
        .trim()
        .trim_end_matches('.');
    format!(
        "cloudwatch {} was refused by {}: {first}",
        invocation.cli_operation,
        denial.layer.describe()
    )
}

/// A failed call as a chart's reason: the service's error code and message, or that it
/// could not be made (never credentials: the SDK's errors do not carry them).
fn call_failure(error: &AlarmsError) -> String {
    let text = match error {
        AlarmsError::Service { code, message, .. } => format!("{code}: {message}"),
        other => other.to_string(),
    };
    let mut line = text.lines().next().unwrap_or_default().to_owned();
    if line.chars().count() > 200 {
        line = line.chars().take(199).collect::<String>() + "…";
    }
    format!("CloudWatch did not answer: {line}")
}
