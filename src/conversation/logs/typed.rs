//! `logs start-query` typed in chat, a chat convenience: after StartQuery ran (through the
//! engine, as any command), its results are fetched with GetQueryResults (authorized as the
//! requester too) and shown as the logs card instead of the bare `queryId`. With `--query` or
//! `--output` the user asked for the CLI's text, and gets it. `exec` is unchanged.

use serde_json::Value;

use super::insights;
use super::query::{QueryPlan, QueryRecord};
use crate::command::Invocation;
use crate::conversation::pending::StoredRequester;
use crate::conversation::Inner;
use crate::policy::Permit;
use crate::render::Card;

impl Inner {
    /// The logs card of a `logs start-query` that just answered `output`; `None` for any other
    /// command (or when the user chose the CLI's output with `--query`/`--output`).
    pub(in crate::conversation) async fn start_query_results(
        &self,
        requester: &StoredRequester,
        invocation: &Invocation,
        permit: &Permit,
        output: &Value,
        correlation_id: &str,
    ) -> Option<Card> {
        if invocation.service != "logs" || invocation.operation != "StartQuery" {
            return None;
        }
        if invocation.globals.query.is_some() || invocation.globals.output.is_some() {
            return None;
        }
        let query_id = output.get("queryId").and_then(Value::as_str)?.to_owned();
        let record = QueryRecord {
            plan: typed_plan(invocation),
            query_id,
            region: permit.region().to_owned(),
            conversation_id: requester.who.conversation_id.clone(),
        };
        Some(
            self.show_query(&requester.to_requester(), &record, None, correlation_id)
                .await,
        )
    }
}

/// What a typed StartQuery asked for, as the logs card shows it.
fn typed_plan(invocation: &Invocation) -> QueryPlan {
    let params = &invocation.params;
    let mut groups: Vec<String> = Vec::new();
    for key in ["logGroupName", "logGroupNames", "logGroupIdentifiers"] {
        match params.get(key) {
            Some(Value::String(name)) => groups.push(name.clone()),
            Some(Value::Array(names)) => {
                groups.extend(names.iter().filter_map(|n| n.as_str().map(str::to_owned)))
            }
            _ => {}
        }
    }
    let seconds = |key: &str| params.get(key).and_then(Value::as_i64).unwrap_or_default();
    let query_string = params
        .get("queryString")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    QueryPlan {
        title: "Logs Insights query".to_owned(),
        log_groups: groups,
        start_millis: seconds("startTime").saturating_mul(1000),
        end_millis: seconds("endTime").saturating_mul(1000),
        errors_only: query_string.contains(insights::ERROR_FILTER),
        query_string,
        region: invocation.globals.region.clone(),
        account_id: None,
    }
}
