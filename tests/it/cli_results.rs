//! Results the AWS CLI prints its own way, through /api/messages (issue 11 item 5): `s3 ls`
//! answers with the CLI's lines (against moto), and `lambda invoke` with its decoded payload,
//! status, FunctionError and log tail. moto runs Lambda functions only in docker, so Invoke is
//! answered by a stand-in on 127.0.0.1 with the response AWS documents for it (status 200,
//! the payload as the body, `X-Amz-Executed-Version`, `X-Amz-Function-Error`,
//! `X-Amz-Log-Result` in base64); STS and everything else is moto.

use std::sync::Mutex;

use actix_web::{web, HttpRequest, HttpResponse};
use aws_chatops::aws::EngineConfig;
use base64::Engine as _;
use serde_json::{json, Value};

use aws_chatops::policy::{Authorizer as _, Requester};

use crate::support::app::{request_id, TestApp, User, OPS};
use crate::support::aws::{aws, moto_engine};
use crate::support::standins::Served;

/// The bot with Lambda invocations allowed in OPS, production its default account.
async fn start(engine: EngineConfig) -> TestApp {
    let bot = TestApp::with_access(engine, "\"ReadOnly\", \"LambdaInvoke\"").await;
    bot.authorizer()
        .set_default_account(&ada_in_ops(), "production")
        .await
        .unwrap();
    bot
}

/// Ada in OPS, as the test activities describe her.
fn ada_in_ops() -> Requester {
    crate::support::app::ada_in(OPS)
}

/// Every TextBlock text of a card, non-breaking spaces read as spaces.
fn card_text(card: &Value) -> String {
    fn walk(value: &Value, out: &mut String) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(text)) = map.get("text") {
                    out.push_str(&text.replace('\u{a0}', " "));
                    out.push('\n');
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = String::new();
    walk(card, &mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_ls_in_chat_shows_the_cli_lines_not_the_response() {
    let bucket = "h2-ls-lines";
    aws("s3api", "CreateBucket", json!({"Bucket": bucket})).await;
    for (key, body) in [("logs/a.txt", "12345"), ("top.txt", "hello world")] {
        aws(
            "s3api",
            "PutObject",
            json!({"Bucket": bucket, "Key": key, "Body": body}),
        )
        .await;
    }
    let bot = start(moto_engine()).await;
    let card = bot
        .say_in(OPS, &format!("s3 ls s3://{bucket} --summarize"))
        .await;
    let text = card_text(&card);
    assert!(text.contains("PRE logs/"), "{text}");
    let top = text
        .lines()
        .find(|line| line.ends_with(" top.txt"))
        .unwrap_or_else(|| panic!("a line for top.txt in {text}"));
    // `2026-01-02 10:00:00         11 top.txt`: the time, the size right-aligned, the name.
    assert!(
        regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +11 top\.txt$")
            .unwrap()
            .is_match(top),
        "{top:?}"
    );
    assert!(text.contains("Total Objects: 1"), "{text}");
    assert!(text.contains("Total Size: 11"), "{text}");
    assert!(
        !text.contains("KeyCount") && !text.contains("Contents"),
        "{text}"
    );

    let recursive = bot
        .say_in(
            OPS,
            &format!("s3 ls s3://{bucket} --recursive --human-readable"),
        )
        .await;
    let text = card_text(&recursive);
    assert!(text.contains("5 Bytes logs/a.txt"), "{text}");
    assert!(text.contains("11 Bytes top.txt"), "{text}");
    assert!(!text.contains("PRE "), "{text}");
}

/// What the Lambda stand-in received and answers.
#[derive(Default)]
struct LambdaState {
    /// (path, body) of every request.
    requests: Mutex<Vec<(String, String)>>,
    /// (payload, function error) to answer with.
    answer: Mutex<(String, Option<String>)>,
}

async fn invoke(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<LambdaState>,
) -> HttpResponse {
    state.requests.lock().unwrap().push((
        request.path().to_owned(),
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let (payload, function_error) = state.answer.lock().unwrap().clone();
    let log = base64::engine::general_purpose::STANDARD
        .encode("START RequestId: 7\nprocessing order 42\nEND RequestId: 7\n");
    let mut response = HttpResponse::Ok();
    response
        .insert_header(("X-Amz-Executed-Version", "$LATEST"))
        .insert_header(("X-Amz-Log-Result", log))
        .content_type("application/json");
    if let Some(error) = function_error {
        response.insert_header(("X-Amz-Function-Error", error));
    }
    response.body(payload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_invoke_in_chat_shows_the_decoded_payload_status_and_log_tail() {
    let lambda = Served::start_with(1, LambdaState::default(), |routes| {
        routes.default_service(web::to(invoke));
    });
    *lambda.state.answer.lock().unwrap() = (r#"{"orders":[42],"ok":true}"#.to_owned(), None);
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("LAMBDA".to_owned(), lambda.server.url());
    let bot = start(engine).await;

    // A runbook's line, outfile included: chat writes no file and shows the payload.
    let confirm = bot
        .say_in(
            OPS,
            "lambda invoke --function-name orders-worker --log-type Tail --payload '{\"id\":42}' response.json",
        )
        .await;
    assert!(
        card_text(&confirm).contains("Confirm this change"),
        "{confirm}"
    );
    let id = request_id(&confirm);
    bot.execute_card("confirm", json!({"request": id}), User::Requester)
        .await;
    let card = bot.updated_card("Payload").await;
    let text = card_text(&card);
    assert!(text.contains("\"orders\": ["), "{text}");
    assert!(text.contains("\"ok\": true"), "{text}");
    assert!(text.contains("processing order 42"), "{text}");
    assert!(text.contains("response.json"), "{text}");
    let all = card.to_string();
    assert!(
        all.contains("StatusCode") && all.contains("\"200\""),
        "{all}"
    );
    assert!(all.contains("$LATEST"), "{all}");
    assert!(!all.contains("FunctionError"), "{all}");
    let requests = lambda.state.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        [(
            "/2015-03-31/functions/orders-worker/invocations".to_owned(),
            r#"{"id":42}"#.to_owned()
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_lambda_invoke_shows_its_function_error_and_text_payload() {
    let lambda = Served::start_with(1, LambdaState::default(), |routes| {
        routes.default_service(web::to(invoke));
    });
    *lambda.state.answer.lock().unwrap() = (
        "Task timed out after 3.00 seconds".to_owned(),
        Some("Unhandled".to_owned()),
    );
    let mut engine = moto_engine();
    engine
        .service_endpoints
        .insert("LAMBDA".to_owned(), lambda.server.url());
    let bot = start(engine).await;
    let confirm = bot
        .say_in(OPS, "lambda invoke --function-name orders-worker")
        .await;
    let id = request_id(&confirm);
    bot.execute_card("confirm", json!({"request": id}), User::Requester)
        .await;
    let card = bot.updated_card("Payload").await;
    let text = card_text(&card);
    assert!(text.contains("Task timed out after 3.00 seconds"), "{text}");
    assert!(text.contains("The function failed (Unhandled)"), "{text}");
    assert!(card.to_string().contains("FunctionError"), "{card}");
}
