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

use actix_web::{web, HttpRequest, HttpResponse};
use aws_chatops::aws::{AwsError, Credentials, Engine, EngineConfig, Page};
use aws_chatops::command::{GlobalOptions, Invocation};
use aws_chatops::conversation::Conversations;
use aws_chatops::policy::{LocalOperator, Permit};
use aws_chatops::store::{EmbeddedStore, Store};
use serde_json::{json, Map, Value};

use super::standins::Served;

pub fn moto_url() -> String {
    super::moto::moto().url.clone()
}

/// `request` (with `body`) passed to moto unchanged, and moto's answer passed back: what the
/// test stand-ins in front of moto do with every call they do not answer themselves.
pub async fn forward_to_moto(request: &HttpRequest, body: &[u8]) -> HttpResponse {
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

/// Creates a CloudWatch alarm on EC2 CPU above `threshold` in moto; its (unique) name.
pub async fn put_alarm(prefix: &str, threshold: f64) -> String {
    let name = unique(prefix);
    aws(
        "cloudwatch",
        "PutMetricAlarm",
        json!({"AlarmName": name, "MetricName": "CPUUtilization", "Namespace": "AWS/EC2",
               "Statistic": "Average", "Period": 60, "EvaluationPeriods": 1, "Threshold": threshold,
               "ComparisonOperator": "GreaterThanThreshold"}),
    )
    .await;
    name
}

/// Creates an SQS queue with a unique name in moto; its URL.
pub async fn create_queue(prefix: &str) -> String {
    let created = aws("sqs", "CreateQueue", json!({"QueueName": unique(prefix)})).await;
    created["QueueUrl"].as_str().unwrap().to_owned()
}

/// How many messages moto says the queue at `url` holds (as SQS prints it, a string).
pub async fn queue_depth(url: &str) -> Value {
    let attributes = aws(
        "sqs",
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["ApproximateNumberOfMessages"]}),
    )
    .await;
    attributes["Attributes"]["ApproximateNumberOfMessages"].clone()
}

/// Creates an on-demand DynamoDB table keyed by a string `pk` in moto; its (unique) name.
pub async fn create_table(prefix: &str) -> String {
    let name = unique(prefix);
    aws(
        "dynamodb",
        "CreateTable",
        json!({"TableName": name, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}),
    )
    .await;
    name
}

/// Creates a one-shard Kinesis stream in moto; its (unique) name.
pub async fn create_stream(prefix: &str) -> String {
    let name = unique(prefix);
    aws(
        "kinesis",
        "CreateStream",
        json!({"StreamName": name, "ShardCount": 1}),
    )
    .await;
    name
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

/// [`conversations`] serving alarm charts under `public_url` when given.
pub fn conversations_with_public_url(
    store: Arc<dyn Store>,
    support_url: &str,
    ttl: Duration,
    public_url: Option<&url::Url>,
) -> Arc<Conversations> {
    let engine = Arc::new(Engine::new(engine(Some(support_url)).config().clone()));
    let authorizer = Arc::new(LocalOperator::with_credentials("us-east-1", credentials()));
    Arc::new(Conversations::new(engine, authorizer, store, ttl).with_public_url(public_url))
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

/// The embedded store on `path`. A store just stopped in this process closes its file when the
/// last task holding it lets go (its writer thread finishes what it was given first), so this
/// waits for the file to be free rather than failing on the first try.
pub async fn embedded_store(path: &Path) -> Arc<dyn Store> {
    let store = super::app::poll_for("the store file to be free to open", || async {
        EmbeddedStore::open(path).await.ok()
    })
    .await;
    Arc::new(store)
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

pub type SupportStandIn = Served<SupportState>;

impl SupportStandIn {
    pub fn start() -> SupportStandIn {
        Served::start_with(1, SupportState::default(), |routes| {
            routes.default_service(web::to(support));
        })
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

/// The `X-Amz-Target` of a JSON-protocol request (`Service.Operation`), empty when absent.
pub fn amz_target(request: &HttpRequest) -> String {
    request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn support(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<SupportState>,
) -> HttpResponse {
    let target = amz_target(&request);
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
    forward_to_moto(&request, &body).await
}
