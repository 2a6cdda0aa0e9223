//! Endpoint discovery through /api/messages (issue 11 item 2, botocore's `discovery.py`):
//! Timestream takes its calls only at the endpoint `DescribeEndpoints` names for the caller.
//! moto has Timestream, but its DescribeEndpoints names the real AWS host
//! (`ingest.timestream.<region>.amazonaws.com`), which cannot be reached here; so Timestream
//! Write is played by two stand-ins on 127.0.0.1 following the documented API: the Region's
//! endpoint, which answers `DescribeEndpoints` only (with the other stand-in's address and
//! a cache period), and the "cell" that answers the account's calls. STS is moto.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use actix_web::{web, HttpRequest, HttpResponse};

use crate::access::text;
use crate::support::app::{TestApp, OPS};
use crate::support::aws::moto_engine;
use crate::support::standins::Served;

/// One request a stand-in received: its `X-Amz-Target` operation, the Region and service its
/// signature was made for, and its `x-amz-api-version` header.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    operation: String,
    scope: String,
    api_version: Option<String>,
}

fn seen(request: &HttpRequest) -> Seen {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // `Credential=AKID/20261204/us-east-1/timestream/aws4_request`
    let scope = header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1).map(str::to_owned))
        .map(|credential| {
            let parts: Vec<&str> = credential.split('/').collect();
            format!(
                "{}/{}",
                parts.get(2).unwrap_or(&""),
                parts.get(3).unwrap_or(&"")
            )
        })
        .unwrap_or_default();
    Seen {
        operation: header("x-amz-target")
            .and_then(|t| t.split('.').nth(1).map(str::to_owned))
            .unwrap_or_default(),
        scope,
        api_version: header("x-amz-api-version"),
    }
}

fn json(status: u16, body: serde_json::Value) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .content_type("application/x-amz-json-1.0")
        .body(body.to_string())
}

/// The Region's endpoint: DescribeEndpoints names `cell` (or, if `cell` is empty, nothing).
#[derive(Default)]
struct Regional {
    cell: String,
    requests: Mutex<Vec<Seen>>,
}

async fn regional(request: HttpRequest, state: web::Data<Regional>) -> HttpResponse {
    let seen = seen(&request);
    state.requests.lock().unwrap().push(seen.clone());
    if seen.operation != "DescribeEndpoints" {
        return json(
            400,
            serde_json::json!({"__type": "InvalidEndpointException",
                               "Message": "Call DescribeEndpoints and use the endpoint it names."}),
        );
    }
    let endpoints = if state.cell.is_empty() {
        serde_json::json!([])
    } else {
        serde_json::json!([{"Address": state.cell, "CachePeriodInMinutes": 1440}])
    };
    json(200, serde_json::json!({ "Endpoints": endpoints }))
}

/// The caller's cell: ListDatabases, or a 421 once when told to refuse.
#[derive(Default)]
struct Cell {
    requests: Mutex<Vec<Seen>>,
    refuse_once: AtomicBool,
    refused: AtomicUsize,
}

async fn cell(request: HttpRequest, state: web::Data<Cell>) -> HttpResponse {
    let seen = seen(&request);
    state.requests.lock().unwrap().push(seen.clone());
    if state.refuse_once.swap(false, Ordering::SeqCst) {
        state.refused.fetch_add(1, Ordering::SeqCst);
        return json(
            421,
            serde_json::json!({"__type": "InvalidEndpointException",
                               "Message": "The endpoint is not valid for this account."}),
        );
    }
    match seen.operation.as_str() {
        "ListDatabases" => json(
            200,
            serde_json::json!({"Databases": [{
                "DatabaseName": "fleet-metrics",
                "Arn": "arn:aws:timestream:us-east-1:123456789012:database/fleet-metrics",
                "TableCount": 2,
                "CreationTime": 1764835200.0,
                "LastUpdatedTime": 1764835200.0
            }]}),
        ),
        other => json(
            400,
            serde_json::json!({"__type": "ValidationException",
                               "Message": format!("not played here: {other}")}),
        ),
    }
}

async fn start(regional_url: &str) -> TestApp {
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("TIMESTREAM_WRITE".to_owned(), regional_url.to_owned());
    TestApp::ops_reading(engine).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestream_calls_go_to_the_discovered_endpoint_which_is_kept_and_refreshed_when_refused() {
    let cell_standin = Served::start_with(1, Cell::default(), |routes| {
        routes.default_service(web::to(cell));
    });
    let regional_standin = Served::start_with(
        1,
        Regional {
            cell: cell_standin.server.url(),
            ..Regional::default()
        },
        |routes| {
            routes.default_service(web::to(regional));
        },
    );
    let bot = start(&regional_standin.server.url()).await;

    let card = bot.say_in(OPS, "timestream-write list-databases").await;
    let shown = text(&card);
    assert!(shown.contains("fleet-metrics"), "{shown}");
    let asked = regional_standin.state.requests.lock().unwrap().clone();
    assert_eq!(
        asked,
        [Seen {
            operation: "DescribeEndpoints".into(),
            scope: "us-east-1/timestream".into(),
            api_version: Some("2018-11-01".into()),
        }],
        "the Region's endpoint is asked for the caller's endpoint, and only that"
    );
    let calls = cell_standin.state.requests.lock().unwrap().clone();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].operation, "ListDatabases");
    // Signed for the Region and service, as any call; no version header on it.
    assert_eq!(calls[0].scope, "us-east-1/timestream");
    assert_eq!(calls[0].api_version, None);

    // Kept for the period the answer gave: the next command asks no one.
    let card = bot.say_in(OPS, "timestream-write list-databases").await;
    assert!(text(&card).contains("fleet-metrics"));
    assert_eq!(regional_standin.state.requests.lock().unwrap().len(), 1);
    assert_eq!(cell_standin.state.requests.lock().unwrap().len(), 2);

    // The cell refuses the endpoint (421): it is asked for again and the call sent again.
    cell_standin.state.refuse_once.store(true, Ordering::SeqCst);
    let card = bot.say_in(OPS, "timestream-write list-databases").await;
    let shown = text(&card);
    assert!(shown.contains("fleet-metrics"), "{shown}");
    assert_eq!(cell_standin.state.refused.load(Ordering::SeqCst), 1);
    assert_eq!(regional_standin.state.requests.lock().unwrap().len(), 2);
    assert_eq!(cell_standin.state.requests.lock().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_endpoint_discovered_is_said_plainly_and_nothing_else_is_sent() {
    let regional_standin = Served::start_with(1, Regional::default(), |routes| {
        routes.default_service(web::to(regional));
    });
    let bot = start(&regional_standin.server.url()).await;
    let card = bot.say_in(OPS, "timestream-write list-databases").await;
    let shown = text(&card);
    assert!(
        shown.contains("Endpoint Discovery failed to refresh the required endpoints."),
        "{shown}"
    );
    assert!(shown.contains("named none"), "{shown}");
    // No Region-endpoint fallback: the call itself was never sent.
    let asked: Vec<String> = regional_standin
        .state
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.operation.clone())
        .collect();
    assert_eq!(asked, ["DescribeEndpoints"]);
    // A minute's pause after a failure: the next command fails without asking again.
    let card = bot.say_in(OPS, "timestream-write list-databases").await;
    assert!(text(&card).contains("Endpoint Discovery failed"));
    assert_eq!(regional_standin.state.requests.lock().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_turned_off_refuses_timestream_with_botocores_sentence() {
    let regional_standin = Served::start_with(1, Regional::default(), |routes| {
        routes.default_service(web::to(regional));
    });
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("TIMESTREAM_WRITE".to_owned(), regional_standin.server.url());
    // AWS_ENDPOINT_DISCOVERY_ENABLED=false
    engine.endpoint_discovery = false;
    let bot = TestApp::ops_reading(engine).await;
    let card = bot.say_in(OPS, "timestream-write list-databases").await;
    let shown = text(&card);
    assert!(
        shown.contains("Endpoint Discovery is not enabled but this operation requires it."),
        "{shown}"
    );
    assert!(
        shown.contains("AWS_ENDPOINT_DISCOVERY_ENABLED=false"),
        "{shown}"
    );
    assert!(regional_standin.state.requests.lock().unwrap().is_empty());
}
