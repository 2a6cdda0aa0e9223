//! Running a Logs Insights query as the person who asked and showing it: StartQuery and
//! GetQueryResults each authorized (guardrail and role) and audited, the results polled
//! (250 ms doubling to 1 s) within the call limit, and the logs card. A query still running
//! after that keeps its id, groups and window in a small store record that the card's Refresh
//! names; the card itself is never trusted.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::insights;
use crate::audit::{AuditRecord, Outcome};
use crate::aws::logs::{InsightsQuery, LogsApi, LogsError, QueryResults};
use crate::command::{GlobalOptions, Invocation};
use crate::common::{error_chain, now_millis, Backoff};
use crate::conversation::pending::{is_well_formed, new_request_id};
use crate::conversation::Inner;
use crate::policy::{Permit, Requester};
use crate::render::{self, Card, LogsView, NotificationButton, Verb};
use crate::store::{self, StoreResult};

/// The store namespace of running queries' records (what Refresh reads).
pub(super) const QUERY_RECORDS_NAMESPACE: &str = "logs-queries";

/// How long Refresh works: Logs Insights keeps results for 7 days, a day is plenty in chat.
const QUERY_RECORD_TTL: Duration = Duration::from_secs(24 * 3600);

/// The share of the call limit (15 s by default) that results are polled for after the query
/// started: 12 s by default.
const POLL_SHARE: f64 = 0.8;

/// The wait between polls: 250 ms, doubling to 1 s.
const POLL_BACKOFF: Backoff = Backoff {
    base: Duration::from_millis(250),
    cap: Duration::from_secs(1),
};

/// A query to show: what the card says, and what StartQuery runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct QueryPlan {
    /// "Logs of <alarm>", "Error logs of <alarm>", "Logs Insights query".
    pub title: String,
    pub log_groups: Vec<String>,
    pub start_millis: i64,
    pub end_millis: i64,
    pub errors_only: bool,
    pub query_string: String,
    /// The Region to query (the alarm's); the permit's when `None`.
    pub region: Option<String>,
    /// The alarm's account: a permit for another account is refused rather than queried.
    pub account_id: Option<String>,
}

/// A started query, kept for Refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct QueryRecord {
    pub plan: QueryPlan,
    pub query_id: String,
    /// The Region it runs in (GetQueryResults must ask there).
    pub region: String,
    /// Where the card is: Refresh from elsewhere is refused.
    pub conversation_id: String,
}

/// An invocation of a CloudWatch Logs operation, for authorization, audit and card headers.
pub(super) fn logs_invocation(
    inner: &Inner,
    operation: &str,
    region: Option<String>,
    params: Map<String, Value>,
) -> Invocation {
    let cli_operation = inner
        .models
        .service("logs")
        .ok()
        .and_then(|m| m.cli_operation_name(operation).map(str::to_owned))
        .unwrap_or_default();
    Invocation {
        service: "logs".into(),
        operation: operation.into(),
        cli_operation,
        params,
        globals: GlobalOptions {
            region,
            ..Default::default()
        },
    }
}

impl Inner {
    /// The CloudWatch Logs client of the engine's endpoint settings (built once, with the
    /// conversations).
    pub(super) fn logs_api(&self) -> &LogsApi {
        &self.logs
    }

    /// The permit to start a query as `requester`, or the card that says why not (a refusal,
    /// audited by the authorizer; or an alarm in another account than the permit's).
    pub(super) async fn start_query_permit(
        &self,
        requester: &Requester,
        plan: &QueryPlan,
    ) -> Result<Permit, Card> {
        let invocation = self.start_query_invocation(plan);
        let permit = self
            .authorizer
            .authorize(requester, &invocation)
            .await
            .map_err(|denial| self.denial_card(&invocation, &denial))?;
        if let (Some(alarm_account), Some(account)) = (&plan.account_id, permit.account()) {
            if *alarm_account != account.id {
                return Err(render::error(
                    "This alarm is in another account",
                    &format!(
                        "The alarm is in account {alarm_account}, and your commands here run in {} ({}). Choose its account with `@aws set default-account {alarm_account}` and click again.",
                        account.name, account.id
                    ),
                    Some(&self.header(&invocation, Some(&permit))),
                    None,
                ));
            }
        }
        Ok(permit)
    }

    fn start_query_invocation(&self, plan: &QueryPlan) -> Invocation {
        let (start, end) = insights::window_seconds(plan.start_millis, plan.end_millis);
        let params = json!({
            "logGroupNames": plan.log_groups,
            "startTime": start,
            "endTime": end,
            "queryString": plan.query_string,
        });
        let params = params.as_object().cloned().unwrap_or_default();
        logs_invocation(self, "StartQuery", plan.region.clone(), params)
    }

    /// Starts `plan` with `permit` (audited), polls its results and renders the card.
    pub(super) async fn run_query(
        &self,
        requester: &Requester,
        plan: QueryPlan,
        permit: &Permit,
        conversation_id: &str,
        correlation_id: &str,
    ) -> Card {
        let invocation = self.start_query_invocation(&plan);
        let (start_seconds, end_seconds) =
            insights::window_seconds(plan.start_millis, plan.end_millis);
        let query = InsightsQuery {
            log_groups: plan.log_groups.clone(),
            start_seconds,
            end_seconds,
            query_string: plan.query_string.clone(),
        };
        let started = Instant::now();
        let result = self.logs_api().start_query(permit, &query).await;
        self.audit_logs_call(
            requester,
            &invocation,
            permit,
            &result,
            started,
            correlation_id,
        );
        let query_id = match result {
            Ok(id) => id,
            Err(error) => return self.logs_error_card(&invocation, &error, correlation_id),
        };
        let record = QueryRecord {
            plan,
            query_id,
            region: permit.region().to_owned(),
            conversation_id: conversation_id.to_owned(),
        };
        self.show_query(requester, &record, None, correlation_id)
            .await
    }

    /// Polls the started query of `record` as `requester` (GetQueryResults authorized and
    /// audited) and renders its card; a query still running gets a Refresh button, kept under
    /// `record_id` (a new record when `None`).
    pub(super) async fn show_query(
        &self,
        requester: &Requester,
        record: &QueryRecord,
        record_id: Option<&str>,
        correlation_id: &str,
    ) -> Card {
        let params = json!({"queryId": record.query_id});
        let invocation = logs_invocation(
            self,
            "GetQueryResults",
            Some(record.region.clone()),
            params.as_object().cloned().unwrap_or_default(),
        );
        let permit = match self.authorizer.authorize(requester, &invocation).await {
            Ok(permit) => permit,
            Err(denial) => return self.denial_card(&invocation, &denial),
        };
        let started = Instant::now();
        let polled = self.poll(&permit, &record.query_id).await;
        self.audit_logs_call(
            requester,
            &invocation,
            &permit,
            &polled,
            started,
            correlation_id,
        );
        let results = match polled {
            Ok(results) => results,
            Err(error) => return self.logs_error_card(&invocation, &error, correlation_id),
        };
        let refresh = if results.is_running() {
            self.keep_for_refresh(record, record_id).await
        } else {
            None
        };
        render::logs(&logs_view(record, &results, refresh))
    }

    /// GetQueryResults until the query is no longer running or the budget is spent.
    async fn poll(&self, permit: &Permit, query_id: &str) -> Result<QueryResults, LogsError> {
        let deadline = Instant::now() + self.engine.config().timeout.mul_f64(POLL_SHARE);
        let api = self.logs_api();
        let mut attempt = 0;
        loop {
            let results = api.query_results(permit, query_id).await?;
            let wait = POLL_BACKOFF.delay(attempt);
            if !results.is_running() || Instant::now() + wait > deadline {
                return Ok(results);
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The Refresh button of a query still running, its record stored (or kept) under an id.
    async fn keep_for_refresh(
        &self,
        record: &QueryRecord,
        record_id: Option<&str>,
    ) -> Option<NotificationButton> {
        let id = match record_id {
            Some(id) => id.to_owned(),
            None => {
                let id = new_request_id();
                if let Err(error) = self.save_query_record(&id, record).await {
                    tracing::error!(error = %error_chain(&error), "query record could not be stored; no Refresh");
                    return None;
                }
                id
            }
        };
        Some(NotificationButton {
            title: "Refresh".into(),
            verb: Verb::RefreshLogs,
            record: id,
            index: None,
        })
    }

    async fn save_query_record(&self, id: &str, record: &QueryRecord) -> StoreResult<()> {
        store::put_json(
            self.pending.store().as_ref(),
            QUERY_RECORDS_NAMESPACE,
            id,
            record,
            Some(QUERY_RECORD_TTL),
        )
        .await
    }

    /// The query record `id` names; `None` for an unknown, expired or malformed id.
    pub(super) async fn query_record(&self, id: &str) -> StoreResult<Option<QueryRecord>> {
        if !is_well_formed(id) {
            return Ok(None);
        }
        store::get_json(self.pending.store().as_ref(), QUERY_RECORDS_NAMESPACE, id).await
    }

    fn audit_logs_call<T>(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        permit: &Permit,
        result: &Result<T, LogsError>,
        started: Instant,
        correlation_id: &str,
    ) {
        let outcome = match result {
            Ok(_) => Outcome::Allowed,
            Err(LogsError::Service { code, .. }) => Outcome::Failed {
                error: code.clone(),
            },
            Err(other) => Outcome::failed(other),
        };
        self.audit.write(
            &AuditRecord::new(requester, invocation, outcome)
                .with_permit(permit)
                .with_latency(started.elapsed())
                .with_correlation_id(correlation_id),
        );
    }

    /// The card of a failed Logs call: AWS's refusal as it is; anything else logged and shown
    /// with the correlation id only.
    fn logs_error_card(
        &self,
        invocation: &Invocation,
        error: &LogsError,
        correlation_id: &str,
    ) -> Card {
        let header = self.header(invocation, None);
        if let LogsError::Service { .. } = error {
            return render::error(
                "AWS refused the call",
                "AWS answered with the error below. Check the log groups, or ask for the permission it names.",
                Some(&header),
                Some(&error.to_string()),
            );
        }
        tracing::error!(error = %error_chain(error), correlation_id, "logs query failed");
        render::error(
            "The query could not be run",
            &format!("CloudWatch Logs could not be reached. Try again; if it keeps failing, give your administrator the reference {correlation_id}."),
            Some(&header),
            None,
        )
    }
}

/// What the logs card of `record` shows with `results`.
fn logs_view(
    record: &QueryRecord,
    results: &QueryResults,
    refresh: Option<NotificationButton>,
) -> LogsView {
    let plan = &record.plan;
    let (start_seconds, end_seconds) = insights::window_seconds(plan.start_millis, plan.end_millis);
    LogsView {
        title: plan.title.clone(),
        log_groups: plan.log_groups.clone(),
        start_millis: plan.start_millis,
        end_millis: plan.end_millis,
        errors_only: plan.errors_only,
        rows: insights::rows(results),
        status: results.status.clone(),
        console_url: insights::console_url(
            &record.region,
            &plan.log_groups,
            plan.start_millis,
            plan.end_millis,
            &plan.query_string,
        ),
        command: insights::command_line(
            Some(&record.region),
            &plan.log_groups,
            start_seconds,
            end_seconds,
            &plan.query_string,
        ),
        refresh,
    }
}

/// Milliseconds since the epoch now, as the windows count them.
pub(super) fn now() -> i64 {
    i64::try_from(now_millis()).unwrap_or(i64::MAX)
}
