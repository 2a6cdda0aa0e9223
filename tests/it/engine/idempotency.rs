//! A retried create carries the idempotency token of its first attempt. A stand-in on
//! 127.0.0.1 sits in front of moto: it records the token of every attempt, answers the first
//! with a retryable error in the protocol's documented shape (EC2's `<Response><Errors>`
//! XML with a 500; rest-json's `x-amzn-ErrorType: ThrottlingException` with a 400), and
//! forwards the next one to moto, which creates the resource.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use actix_web::{web, HttpRequest, HttpResponse};
use aws_chatops::aws::{Engine, EngineConfig};
use serde_json::{json, Value};

use super::object;
use crate::support::aws::{call_page, forward_to_moto};
use crate::support::standins::Served;

#[derive(Default)]
struct FlakyState {
    /// How many attempts still get the retryable error.
    failures_left: AtomicUsize,
    /// The idempotency token each attempt carried, in order.
    tokens: Mutex<Vec<String>>,
}

/// The token of one request: EC2's form field `ClientToken`, or EFS's JSON `CreationToken`.
fn token_of(body: &[u8]) -> String {
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        return json["CreationToken"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
    }
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "ClientToken")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn flaky(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<FlakyState>,
) -> HttpResponse {
    state.tokens.lock().unwrap().push(token_of(&body));
    let fail = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if !fail {
        return forward_to_moto(&request, &body).await;
    }
    if request.path().starts_with("/2015-02-01/") {
        // EFS (rest-json): throttling, named by the error type header.
        return HttpResponse::BadRequest()
            .insert_header(("x-amzn-ErrorType", "ThrottlingException"))
            .content_type("application/json")
            .body(r#"{"message":"Rate exceeded"}"#);
    }
    HttpResponse::InternalServerError()
        .content_type("text/xml")
        .body(
            "<Response><Errors><Error><Code>InternalError</Code><Message>An internal error has \
             occurred</Message></Error></Errors><RequestID>r-1</RequestID></Response>",
        )
}

fn flaky_standin(failures: usize) -> Served<FlakyState> {
    let state = FlakyState {
        failures_left: AtomicUsize::new(failures),
        ..FlakyState::default()
    };
    Served::start_with(1, state, |routes| {
        routes.default_service(web::to(flaky));
    })
}

fn retrying_engine(url: String) -> Engine {
    Engine::new(EngineConfig {
        endpoint_url: Some(url),
        max_attempts: 3,
        ..EngineConfig::default()
    })
}

fn assert_one_token_for_both_attempts(tokens: &[String]) {
    assert_eq!(
        tokens.len(),
        2,
        "one failed attempt and one retry: {tokens:?}"
    );
    assert!(!tokens[0].is_empty(), "the first attempt carried no token");
    assert_eq!(tokens[0], tokens[1], "the retry carried another token");
}

#[tokio::test]
async fn a_retried_run_instances_resends_its_client_token() {
    let standin = flaky_standin(1);
    let engine = retrying_engine(standin.server.url());
    let params = object(json!({"ImageId": "ami-12345678", "MinCount": 1, "MaxCount": 1}));
    let page = call_page(&engine, "ec2", "RunInstances", &params)
        .await
        .expect("the retry succeeds");
    let tokens = standin.state.tokens.lock().unwrap().clone();
    assert_one_token_for_both_attempts(&tokens);
    let instances = page.output["Instances"].as_array().expect("instances");
    assert_eq!(instances.len(), 1, "created once: {}", page.output);
    assert_eq!(page.output["Instances"][0]["ClientToken"], json!(tokens[0]));
}

#[tokio::test]
async fn a_retried_create_file_system_resends_its_creation_token() {
    let standin = flaky_standin(1);
    let engine = retrying_engine(standin.server.url());
    let page = call_page(&engine, "efs", "CreateFileSystem", &object(json!({})))
        .await
        .expect("the retry succeeds");
    let tokens = standin.state.tokens.lock().unwrap().clone();
    assert_one_token_for_both_attempts(&tokens);
    assert_eq!(page.output["CreationToken"], json!(tokens[0]));
}

#[tokio::test]
async fn separate_calls_get_separate_tokens() {
    let standin = flaky_standin(0);
    let engine = retrying_engine(standin.server.url());
    for _ in 0..2 {
        call_page(&engine, "efs", "CreateFileSystem", &object(json!({})))
            .await
            .expect("moto creates a file system");
    }
    let tokens = standin.state.tokens.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    assert_ne!(tokens[0], tokens[1], "two calls, one token");
}
