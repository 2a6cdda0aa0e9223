//! The AWS side of the conversation tests: moto (the shared server of `support/moto.rs`), a
//! loopback stand-in for the two AWS Support operations moto does not implement, and a bot
//! handler wired to them.
//!
//! The Support stand-in answers exactly `DescribeServices` and `DescribeSeverityLevels`
//! (`X-Amz-Target: AWSSupport_20130415.<Operation>`) with the response shapes AWS documents
//! (`{"services":[{"code","name","categories":[{"code","name"}]}]}` and
//! `{"severityLevels":[{"code","name"}]}`), honouring `serviceCodeList`. Every other request
//! (CreateCase, DescribeCases, ...) is forwarded unchanged to moto, which implements them.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use aws_chatops::aws::{AwsError, Credentials, Engine, EngineConfig, Page};
use aws_chatops::command::{GlobalOptions, Invocation};
use aws_chatops::conversation::Conversations;
use aws_chatops::policy::{LocalOperator, Permit};
use aws_chatops::store::{EmbeddedStore, Store};
use serde_json::{json, Map, Value};

use super::standins::StandIn;

pub fn moto_url() -> String {
    super::moto::moto().url.clone()
}

pub fn credentials() -> Credentials {
    Credentials::new("testing", "testing", None, None, "test")
}

/// An invocation of `operation` (the model's key) of `service` (the CLI's name) with `params`.
pub fn invocation(service: &str, operation: &str, params: Map<String, Value>) -> Invocation {
    Invocation {
        service: service.into(),
        operation: operation.into(),
        cli_operation: String::new(),
        params,
        globals: GlobalOptions::default(),
    }
}

/// What an engine call runs with: every test gets its permit here, and only here, from the
/// same `LocalOperator` `exec` uses (fixed credentials; `region` unless the invocation names
/// one; the never-allowed list applies).
pub async fn permit(invocation: &Invocation, credentials: Credentials, region: &str) -> Permit {
    LocalOperator::with_credentials(region, credentials)
        .grant(invocation)
        .await
        .unwrap_or_else(|refusal| {
            panic!(
                "{} {}: {}",
                invocation.service,
                invocation.operation,
                refusal.into_denial()
            )
        })
}

/// One page of `operation` through `engine`, as the test credentials in us-east-1.
pub async fn call_page(
    engine: &Engine,
    service: &str,
    operation: &str,
    params: &Map<String, Value>,
) -> Result<Page, AwsError> {
    let invocation = invocation(service, operation, params.clone());
    let permit = permit(&invocation, credentials(), "us-east-1").await;
    engine.call(&permit, params).await
}

/// Every page of `invocation` through `engine`, as the test credentials in us-east-1.
pub async fn call_all(engine: &Engine, invocation: &Invocation) -> Result<Value, AwsError> {
    let permit = permit(invocation, credentials(), "us-east-1").await;
    engine.call_all(&permit, invocation).await
}

/// An engine pointed at moto, with Support pointed at `support_url`.
pub fn engine(support_url: Option<&str>) -> Engine {
    let mut config = EngineConfig {
        endpoint_url: Some(moto_url()),
        default_region: Some("us-east-1".into()),
        max_attempts: 1,
        ..EngineConfig::default()
    };
    if let Some(url) = support_url {
        config
            .service_endpoints
            .insert("SUPPORT".into(), url.to_owned());
    }
    Engine::new(config)
}

/// The engine configuration for moto, leaving the region to the caller.
pub fn moto_engine() -> EngineConfig {
    EngineConfig {
        endpoint_url: Some(moto_url()),
        max_attempts: 1,
        ..EngineConfig::default()
    }
}

/// A call straight to moto (to set up and check state, not through the bot).
pub async fn aws(service: &str, operation: &str, params: Value) -> Value {
    let params: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
    call_page(&engine(None), service, operation, &params)
        .await
        .unwrap_or_else(|e| panic!("{service} {operation}: {e}"))
        .output
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{:08x}", rand::random::<u32>())
}

/// The conversation handler against moto and the Support stand-in, with its store.
pub fn conversations(
    store: Arc<dyn Store>,
    support_url: &str,
    ttl: Duration,
) -> Arc<Conversations> {
    conversations_with_endpoints(store, support_url, ttl, &[])
}

/// The same, with some services sent elsewhere: (`SQS`-style service key, URL).
pub fn conversations_with_endpoints(
    store: Arc<dyn Store>,
    support_url: &str,
    ttl: Duration,
    endpoints: &[(&str, String)],
) -> Arc<Conversations> {
    let mut config = engine(Some(support_url)).config().clone();
    for (service, url) in endpoints {
        config
            .service_endpoints
            .insert((*service).to_owned(), url.clone());
    }
    let engine = Arc::new(Engine::new(config));
    let authorizer = Arc::new(LocalOperator::with_credentials("us-east-1", credentials()));
    Arc::new(Conversations::new(engine, authorizer, store, ttl))
}

pub async fn embedded_store(path: &Path) -> Arc<dyn Store> {
    Arc::new(EmbeddedStore::open(path).await.expect("store opens"))
}

#[derive(Default)]
pub struct SupportState {
    /// Answer DescribeServices and DescribeSeverityLevels with SubscriptionRequiredException.
    pub no_subscription: AtomicBool,
    pub answered: AtomicUsize,
    pub forwarded: AtomicUsize,
    /// The operation and JSON body of every forwarded request, in order.
    pub forwarded_requests: std::sync::Mutex<Vec<(String, Value)>>,
}

pub struct SupportStandIn {
    pub server: StandIn,
    pub state: Arc<SupportState>,
}

impl SupportStandIn {
    pub fn start() -> SupportStandIn {
        let state = Arc::new(SupportState::default());
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(support))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind("127.0.0.1:0")
        .expect("stand-in binds");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        SupportStandIn {
            server: StandIn::from_parts(addr, handle),
            state,
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }
}

fn services() -> Value {
    json!([
        {"code": "amazon-kinesis", "name": "Amazon Kinesis", "categories": [
            {"code": "general-guidance", "name": "General Guidance"},
            {"code": "performance", "name": "Performance"}
        ]},
        {"code": "amazon-dynamodb", "name": "Amazon DynamoDB", "categories": [
            {"code": "general-guidance", "name": "General Guidance"},
            {"code": "throttling", "name": "Throttling"}
        ]},
        {"code": "aws-lambda", "name": "AWS Lambda", "categories": [
            {"code": "general-guidance", "name": "General Guidance"}
        ]}
    ])
}

async fn support(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<SupportState>,
) -> HttpResponse {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let input: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let own = matches!(
        target.as_str(),
        "AWSSupport_20130415.DescribeServices" | "AWSSupport_20130415.DescribeSeverityLevels"
    );
    if own {
        state.answered.fetch_add(1, Ordering::SeqCst);
        if state.no_subscription.load(Ordering::SeqCst) {
            return HttpResponse::BadRequest()
                .content_type("application/x-amz-json-1.1")
                .json(json!({
                    "__type": "SubscriptionRequiredException",
                    "message": "AWS Premium Support Subscription is required to use this service."
                }));
        }
        let answer = if target.ends_with("DescribeServices") {
            let wanted: Vec<String> = input["serviceCodeList"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let all = services();
            let chosen: Vec<Value> = all
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| wanted.is_empty() || wanted.iter().any(|w| s["code"] == *w))
                .cloned()
                .collect();
            json!({"services": chosen})
        } else {
            json!({"severityLevels": [
                {"code": "low", "name": "General guidance"},
                {"code": "normal", "name": "System impaired"},
                {"code": "high", "name": "Production system impaired"},
                {"code": "urgent", "name": "Production system down"},
                {"code": "critical", "name": "Business-critical system down"}
            ]})
        };
        return HttpResponse::Ok()
            .content_type("application/x-amz-json-1.1")
            .body(answer.to_string());
    }
    // Everything else goes to moto unchanged.
    state.forwarded.fetch_add(1, Ordering::SeqCst);
    state.forwarded_requests.lock().unwrap().push((
        target.trim_start_matches("AWSSupport_20130415.").to_owned(),
        input.clone(),
    ));
    let url = format!("{}{}", moto_url(), request.uri());
    let mut forward = reqwest::Client::new().request(
        reqwest::Method::from_bytes(request.method().as_str().as_bytes()).unwrap(),
        url,
    );
    for (name, value) in request.headers() {
        if name.as_str() != "host" && name.as_str() != "content-length" {
            forward = forward.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = forward
        .body(body.to_vec())
        .send()
        .await
        .expect("moto answers");
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/x-amz-json-1.1")
        .to_owned();
    let bytes = answer.bytes().await.unwrap_or_default();
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .content_type(content_type)
        .body(bytes)
}
