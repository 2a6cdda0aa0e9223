//! A recording HTTP proxy in front of moto for CloudWatch Logs: the bot's Logs endpoint
//! (`CLOUDWATCH_LOGS`) points here, every request is forwarded to moto unchanged, and the
//! operation names and StartQuery bodies are kept for the test to read (moto runs Logs
//! Insights but ignores `filter`, so the query string sent is what shows the error filter).
//! While `running` is set, GetQueryResults is answered here with a query still `Running`
//! (no rows yet), as a slow query answers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::aws::forward_to_moto;
use super::standins::Served;

#[derive(Default)]
pub struct LogsProxyState {
    /// Answer GetQueryResults with `Running` instead of forwarding it.
    pub running: AtomicBool,
    /// The operation (`StartQuery`, ...) of every request, in order.
    pub operations: Mutex<Vec<String>>,
    /// The JSON body of every StartQuery, in order.
    pub start_queries: Mutex<Vec<Value>>,
}

pub type LogsProxy = Served<LogsProxyState>;

impl LogsProxy {
    pub fn start() -> LogsProxy {
        Served::start_with(1, LogsProxyState::default(), |routes| {
            routes.default_service(web::to(forward));
        })
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The StartQuery bodies so far.
    pub fn start_queries(&self) -> Vec<Value> {
        self.state.start_queries.lock().unwrap().clone()
    }

    /// The operations so far.
    pub fn operations(&self) -> Vec<String> {
        self.state.operations.lock().unwrap().clone()
    }

    /// Whether GetQueryResults answers `Running` from now on.
    pub fn set_running(&self, running: bool) {
        self.state.running.store(running, Ordering::SeqCst);
    }
}

async fn forward(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<LogsProxyState>,
) -> HttpResponse {
    let operation = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("Logs_20140328.")
        .to_owned();
    state.operations.lock().unwrap().push(operation.clone());
    if operation == "StartQuery" {
        let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        state.start_queries.lock().unwrap().push(input);
    }
    if operation == "GetQueryResults" && state.running.load(Ordering::SeqCst) {
        return HttpResponse::Ok()
            .content_type("application/x-amz-json-1.1")
            .body(json!({"results": [], "status": "Running"}).to_string());
    }
    forward_to_moto(&request, &body).await
}
