//! Which log groups an alarm reads, first rule that finds any wins:
//! 1. the alarm's tag `aws-chatops:log-groups` (comma-separated names; CloudWatch
//!    ListTagsForResource on the alarm's ARN);
//! 2. the `[[notifications.log_groups]]` mapping of the alarm's name;
//! 3. metric filters that publish the alarm's metric (DescribeMetricFilters by metric name and
//!    namespace names their log groups);
//! 4. AWS/Lambda with a `FunctionName` dimension → `/aws/lambda/<FunctionName>`;
//! 5. AWS/ApiGateway with a `Stage` dimension → `API-Gateway-Execution-Logs_<apiId>/<Stage>`:
//!    the id is the `ApiId` dimension (HTTP and WebSocket APIs) or, for a REST API named by
//!    `ApiName`, the ids of the REST APIs with that name (apigateway GetRestApis).
//!
//! Every lookup is an AWS call authorized for the clicking user as a lookup; a denied or failing
//! lookup moves on to the next rule. When none finds anything, the caller asks with a form.

use serde_json::{Map, Value};

use super::insights::{is_log_group_name, parse_log_groups};
use super::query::logs_invocation;
use crate::command::{GlobalOptions, Invocation};
use crate::conversation::Inner;
use crate::notify::message::{AlarmNotification, AlarmTrigger, MetricStat};
use crate::policy::{Permit, Requester};

/// The tag that names an alarm's log groups.
pub(super) const LOG_GROUPS_TAG: &str = "aws-chatops:log-groups";

/// Log groups found for an alarm, and by which rule (for the logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FoundGroups {
    pub groups: Vec<String>,
    pub rule: &'static str,
}

impl Inner {
    /// The log groups of `alarm` for `requester`, by the rules of this module; `None` when no
    /// rule found any.
    pub(super) async fn alarm_log_groups(
        &self,
        requester: &Requester,
        alarm: &AlarmNotification,
        configured: Option<&[String]>,
    ) -> Option<FoundGroups> {
        let found = |groups: Vec<String>, rule| {
            (!groups.is_empty()).then_some(FoundGroups { groups, rule })
        };
        if let Some(found) = found(self.tagged_groups(requester, alarm).await, "tag") {
            return Some(found);
        }
        let configured = configured
            .unwrap_or_default()
            .iter()
            .filter(|g| is_log_group_name(g))
            .cloned()
            .collect();
        if let Some(found) = found(configured, "config") {
            return Some(found);
        }
        let metrics = alarm_metrics(alarm);
        let mut filtered = Vec::new();
        for metric in &metrics {
            for group in self.metric_filter_groups(requester, alarm, metric).await {
                if !filtered.contains(&group) {
                    filtered.push(group);
                }
            }
        }
        if let Some(found) = found(filtered, "metric filters") {
            return Some(found);
        }
        let lambda = metrics.iter().filter_map(lambda_group).collect();
        if let Some(found) = found(lambda, "lambda") {
            return Some(found);
        }
        let mut gateway = Vec::new();
        for metric in &metrics {
            gateway.extend(self.api_gateway_groups(requester, alarm, metric).await);
        }
        found(gateway, "api gateway")
    }

    /// A lookup permit for `service` `operation` in the alarm's Region, or `None` when denied.
    pub(super) async fn lookup_permit(
        &self,
        requester: &Requester,
        invocation: &Invocation,
    ) -> Option<Permit> {
        match self
            .authorizer
            .authorize_for_lookup(requester, invocation)
            .await
        {
            Ok(permit) => Some(permit),
            Err(denial) => {
                tracing::info!(
                    operation = invocation.operation,
                    layer = denial.layer.name(),
                    "log-group lookup not allowed; next rule"
                );
                None
            }
        }
    }

    async fn tagged_groups(&self, requester: &Requester, alarm: &AlarmNotification) -> Vec<String> {
        let invocation = cloudwatch_invocation(self, "ListTagsForResource", &alarm.region);
        let Some(permit) = self.lookup_permit(requester, &invocation).await else {
            return Vec::new();
        };
        let arn = alarm.arn.clone().unwrap_or_else(|| alarm_arn(alarm));
        match self.logs_api().alarm_tags(&permit, &arn).await {
            Ok(tags) => tags
                .iter()
                .find(|(key, _)| key == LOG_GROUPS_TAG)
                .and_then(|(_, value)| parse_log_groups(value).ok())
                .unwrap_or_default(),
            Err(error) => {
                tracing::info!(error = %error, "alarm tags unavailable; next rule");
                Vec::new()
            }
        }
    }

    async fn metric_filter_groups(
        &self,
        requester: &Requester,
        alarm: &AlarmNotification,
        metric: &MetricStat,
    ) -> Vec<String> {
        let invocation = logs_invocation(
            self,
            "DescribeMetricFilters",
            Some(alarm.region.clone()),
            Map::new(),
        );
        let Some(permit) = self.lookup_permit(requester, &invocation).await else {
            return Vec::new();
        };
        self.logs_api()
            .metric_filter_log_groups(&permit, &metric.metric_name, &metric.namespace)
            .await
            .unwrap_or_else(|error| {
                tracing::info!(error = %error, "metric filters unavailable; next rule");
                Vec::new()
            })
    }

    async fn api_gateway_groups(
        &self,
        requester: &Requester,
        alarm: &AlarmNotification,
        metric: &MetricStat,
    ) -> Vec<String> {
        if metric.namespace != "AWS/ApiGateway" {
            return Vec::new();
        }
        let Some(stage) = dimension(metric, "Stage") else {
            return Vec::new();
        };
        let ids = match (dimension(metric, "ApiId"), dimension(metric, "ApiName")) {
            (Some(id), _) => vec![id.to_owned()],
            (None, Some(name)) => self.rest_api_ids(requester, alarm, name).await,
            (None, None) => Vec::new(),
        };
        ids.iter()
            .map(|id| execution_log_group(id, stage))
            .filter(|g| is_log_group_name(g))
            .collect()
    }

    /// The ids of the REST APIs named `name` (GetRestApis, one page of up to 500).
    async fn rest_api_ids(
        &self,
        requester: &Requester,
        alarm: &AlarmNotification,
        name: &str,
    ) -> Vec<String> {
        let cli_operation = self
            .models
            .service("apigateway")
            .ok()
            .and_then(|m| m.cli_operation_name("GetRestApis").map(str::to_owned))
            .unwrap_or_default();
        let mut params = Map::new();
        params.insert("limit".into(), Value::from(500));
        let invocation = Invocation {
            service: "apigateway".into(),
            operation: "GetRestApis".into(),
            cli_operation,
            params: params.clone(),
            globals: GlobalOptions {
                region: Some(alarm.region.clone()),
                ..Default::default()
            },
        };
        let Some(permit) = self.lookup_permit(requester, &invocation).await else {
            return Vec::new();
        };
        let Ok(page) = self.engine.call(&permit, &params).await else {
            tracing::info!("REST APIs unavailable; next rule");
            return Vec::new();
        };
        page.output["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|item| item["name"] == name)
                    .filter_map(|item| item["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// An invocation of a CloudWatch operation in `region`, for a lookup's authorization.
fn cloudwatch_invocation(inner: &Inner, operation: &str, region: &str) -> Invocation {
    let cli_operation = inner
        .models
        .service("cloudwatch")
        .ok()
        .and_then(|m| m.cli_operation_name(operation).map(str::to_owned))
        .unwrap_or_default();
    Invocation {
        service: "cloudwatch".into(),
        operation: operation.into(),
        cli_operation,
        params: Map::new(),
        globals: GlobalOptions {
            region: Some(region.to_owned()),
            ..Default::default()
        },
    }
}

/// The metrics an alarm watches: its metric, or the metrics of a metric-math alarm's queries.
pub(super) fn alarm_metrics(alarm: &AlarmNotification) -> Vec<MetricStat> {
    match &alarm.trigger {
        AlarmTrigger::Metric(trigger) => vec![trigger.metric.clone()],
        AlarmTrigger::Math(math) => math
            .queries
            .iter()
            .filter_map(|q| q.metric.clone())
            .collect(),
        AlarmTrigger::Composite(_) | AlarmTrigger::Unknown => Vec::new(),
    }
}

fn dimension<'a>(metric: &'a MetricStat, name: &str) -> Option<&'a str> {
    metric
        .dimensions
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// `/aws/lambda/<FunctionName>` of a Lambda metric.
pub(super) fn lambda_group(metric: &MetricStat) -> Option<String> {
    if metric.namespace != "AWS/Lambda" {
        return None;
    }
    let group = format!("/aws/lambda/{}", dimension(metric, "FunctionName")?);
    is_log_group_name(&group).then_some(group)
}

/// The execution log group API Gateway writes for a stage of an API.
pub(super) fn execution_log_group(api_id: &str, stage: &str) -> String {
    format!("API-Gateway-Execution-Logs_{api_id}/{stage}")
}

/// The alarm's ARN when the message did not give it.
pub(super) fn alarm_arn(alarm: &AlarmNotification) -> String {
    let partition = if alarm.region.starts_with("cn-") {
        "aws-cn"
    } else if alarm.region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!(
        "arn:{partition}:cloudwatch:{}:{}:alarm:{}",
        alarm.region, alarm.account_id, alarm.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::{AlarmState, MathQuery, MathTrigger, MetricTrigger};

    fn metric(namespace: &str, dimensions: &[(&str, &str)]) -> MetricStat {
        MetricStat {
            namespace: namespace.into(),
            metric_name: "Errors".into(),
            dimensions: dimensions
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            stat: "Sum".into(),
            period_seconds: 60,
            unit: None,
        }
    }

    fn alarm(region: &str, trigger: AlarmTrigger) -> AlarmNotification {
        AlarmNotification {
            name: "api-5xx".into(),
            description: None,
            arn: None,
            account_id: "123456789012".into(),
            region: region.into(),
            new_state: AlarmState::Alarm,
            old_state: None,
            reason: String::new(),
            changed_at_millis: 0,
            trigger,
        }
    }

    #[test]
    fn lambda_and_api_gateway_groups_follow_the_services_conventions() {
        let lambda = metric("AWS/Lambda", &[("FunctionName", "orders")]);
        assert_eq!(lambda_group(&lambda).as_deref(), Some("/aws/lambda/orders"));
        assert_eq!(
            lambda_group(&metric("AWS/Lambda", &[("Resource", "x")])),
            None
        );
        assert_eq!(
            lambda_group(&metric("AWS/EC2", &[("FunctionName", "x")])),
            None
        );
        assert_eq!(
            execution_log_group("a1b2c3", "prod"),
            "API-Gateway-Execution-Logs_a1b2c3/prod"
        );
    }

    #[test]
    fn the_arn_is_made_in_the_regions_partition() {
        let trigger = AlarmTrigger::Unknown;
        assert_eq!(
            alarm_arn(&alarm("eu-west-1", trigger.clone())),
            "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx"
        );
        assert!(alarm_arn(&alarm("cn-north-1", trigger.clone())).starts_with("arn:aws-cn:"));
        assert!(alarm_arn(&alarm("us-gov-west-1", trigger)).starts_with("arn:aws-us-gov:"));
    }

    #[test]
    fn a_math_alarm_watches_the_metrics_of_its_queries() {
        let query = |id: &str, metric: Option<MetricStat>| MathQuery {
            id: id.into(),
            expression: metric.is_none().then(|| "m1/m2".to_owned()),
            metric,
            label: None,
            return_data: false,
        };
        let math = AlarmTrigger::Math(MathTrigger {
            queries: vec![
                query("m1", Some(metric("AWS/Lambda", &[("FunctionName", "a")]))),
                query("e1", None),
            ],
            period_seconds: 60,
            evaluation_periods: 1,
            comparison_operator: "GreaterThanThreshold".into(),
            threshold: None,
        });
        assert_eq!(alarm_metrics(&alarm("us-east-1", math)).len(), 1);
        let single = AlarmTrigger::Metric(MetricTrigger {
            metric: metric("AWS/EC2", &[]),
            evaluation_periods: 1,
            comparison_operator: "GreaterThanThreshold".into(),
            threshold: Some(1.0),
            treat_missing_data: None,
        });
        assert_eq!(
            alarm_metrics(&alarm("us-east-1", single))[0].namespace,
            "AWS/EC2"
        );
    }
}
