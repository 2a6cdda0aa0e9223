//! The CloudWatch Logs calls behind Show logs, typed through `aws-sdk-cloudwatchlogs`:
//! StartQuery and GetQueryResults (Logs Insights), DescribeMetricFilters and DescribeLogGroups
//! (which log groups an alarm reads), and the alarm's tags through `aws-sdk-cloudwatch`
//! ListTagsForResource. The clients are built per call from the permit's credentials and region
//! and the engine's endpoint settings; every call first checks that its permit was granted for
//! exactly that operation. Never formats anything for people.

use super::sdk::{self, answer, CallError};
use super::EngineConfig;
use crate::policy::Permit;

/// At most this many log groups a DescribeLogGroups answer offers (one page).
pub const MAX_LISTED_LOG_GROUPS: i32 = 50;

/// One Logs Insights query to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsQuery {
    pub log_groups: Vec<String>,
    /// Seconds since the epoch, as StartQuery takes them.
    pub start_seconds: i64,
    pub end_seconds: i64,
    pub query_string: String,
}

/// What GetQueryResults answered: the query's status (`Running`, `Complete`, ...) and the
/// rows, each its (field, value) pairs in the service's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryResults {
    pub status: String,
    pub rows: Vec<Vec<(String, String)>>,
}

impl QueryResults {
    /// Whether the query is still going (`Scheduled` or `Running`): polling again may give more.
    pub fn is_running(&self) -> bool {
        matches!(self.status.as_str(), "Scheduled" | "Running")
    }
}

/// Why a Logs (or alarm tag) call failed: the failures every typed SDK call shares.
pub type LogsError = CallError;

/// Calls CloudWatch Logs (and CloudWatch's ListTagsForResource) on behalf of a permit.
#[derive(Debug, Clone)]
pub struct LogsApi {
    sdk: sdk::SdkBase,
}

impl LogsApi {
    pub fn new(config: EngineConfig) -> Self {
        LogsApi {
            sdk: sdk::SdkBase::new(config),
        }
    }

    fn logs_client(&self, permit: &Permit) -> aws_sdk_cloudwatchlogs::Client {
        aws_sdk_cloudwatchlogs::Client::new(&self.sdk.config(permit, "CloudWatch Logs"))
    }

    fn cloudwatch_client(&self, permit: &Permit) -> aws_sdk_cloudwatch::Client {
        aws_sdk_cloudwatch::Client::new(&self.sdk.config(permit, "CloudWatch"))
    }

    /// StartQuery: the query's id.
    pub async fn start_query(
        &self,
        permit: &Permit,
        query: &InsightsQuery,
    ) -> Result<String, LogsError> {
        sdk::require(permit, "logs", "StartQuery")?;
        let request = self
            .logs_client(permit)
            .start_query()
            .set_log_group_names(Some(query.log_groups.clone()))
            .start_time(query.start_seconds)
            .end_time(query.end_seconds)
            .query_string(&query.query_string);
        let output = answer("StartQuery", request.send()).await?;
        output
            .query_id()
            .map(str::to_owned)
            .ok_or_else(|| LogsError::Call {
                operation: "StartQuery".into(),
                message: "the answer named no queryId".into(),
            })
    }

    /// GetQueryResults of the query `query_id`.
    pub async fn query_results(
        &self,
        permit: &Permit,
        query_id: &str,
    ) -> Result<QueryResults, LogsError> {
        sdk::require(permit, "logs", "GetQueryResults")?;
        let request = self
            .logs_client(permit)
            .get_query_results()
            .query_id(query_id);
        let output = answer("GetQueryResults", request.send()).await?;
        Ok(QueryResults {
            status: output
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_else(|| "Unknown".to_owned()),
            rows: output
                .results()
                .iter()
                .map(|row| {
                    row.iter()
                        .filter_map(|f| {
                            Some((f.field()?.to_owned(), f.value().unwrap_or("").to_owned()))
                        })
                        .collect()
                })
                .collect(),
        })
    }

    /// DescribeMetricFilters by metric: the log groups whose filters publish `metric_name` in
    /// `namespace` (each once, in the service's order).
    pub async fn metric_filter_log_groups(
        &self,
        permit: &Permit,
        metric_name: &str,
        namespace: &str,
    ) -> Result<Vec<String>, LogsError> {
        sdk::require(permit, "logs", "DescribeMetricFilters")?;
        let request = self
            .logs_client(permit)
            .describe_metric_filters()
            .metric_name(metric_name)
            .metric_namespace(namespace);
        let output = answer("DescribeMetricFilters", request.send()).await?;
        let mut groups: Vec<String> = Vec::new();
        for filter in output.metric_filters() {
            // The service filters already; checking again keeps a lax answer from naming
            // groups that publish something else.
            let publishes = filter
                .metric_transformations()
                .iter()
                .any(|t| t.metric_name() == metric_name && t.metric_namespace() == namespace);
            if let (true, Some(group)) = (publishes, filter.log_group_name()) {
                if !groups.iter().any(|g| g == group) {
                    groups.push(group.to_owned());
                }
            }
        }
        Ok(groups)
    }

    /// DescribeLogGroups: the names of at most [`MAX_LISTED_LOG_GROUPS`] groups, starting with
    /// `prefix` when given.
    pub async fn log_groups(
        &self,
        permit: &Permit,
        prefix: Option<&str>,
    ) -> Result<Vec<String>, LogsError> {
        sdk::require(permit, "logs", "DescribeLogGroups")?;
        let request = self
            .logs_client(permit)
            .describe_log_groups()
            .set_log_group_name_prefix(prefix.map(str::to_owned))
            .limit(MAX_LISTED_LOG_GROUPS);
        let output = answer("DescribeLogGroups", request.send()).await?;
        Ok(output
            .log_groups()
            .iter()
            .filter_map(|g| g.log_group_name().map(str::to_owned))
            .collect())
    }

    /// CloudWatch ListTagsForResource of the alarm `alarm_arn`: (key, value) pairs.
    pub async fn alarm_tags(
        &self,
        permit: &Permit,
        alarm_arn: &str,
    ) -> Result<Vec<(String, String)>, LogsError> {
        sdk::require(permit, "cloudwatch", "ListTagsForResource")?;
        let request = self
            .cloudwatch_client(permit)
            .list_tags_for_resource()
            .resource_arn(alarm_arn);
        let output = answer("ListTagsForResource", request.send()).await?;
        Ok(output
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
            .collect())
    }
}
