//! Messages that used to abort the whole process: a deeply nested `--query` or shorthand
//! value overflowed a worker's stack while parsing, before access control. Each is sent
//! through `/api/messages`; the refusal card must name the limit, and a normal command sent
//! afterwards must still be answered (a stack overflow would have killed this test binary).

use crate::support::app::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_messages_are_refused_and_the_bot_stays_up() {
    let bot = TestApp::with_conversations().await;
    let describe = "cloudwatch describe-alarms";
    let list_metrics = "cloudwatch list-metrics";
    // (command text, what the refusal card must say)
    let crashes: Vec<(String, &str)> = vec![
        // Numbers the jmespath crate's lexer panics on (found by the hour-long property run).
        (format!("{describe} --query '-²'"), "ASCII digits"),
        (
            format!("{describe} --query 'MetricAlarms[99999999999]'"),
            "numbers in an expression go up to 2147483647",
        ),
        (
            format!("{describe} --query '{}a'", "!".repeat(3000)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query 'a{}'", " ".repeat(4096)),
            "the limit is 4096",
        ),
        (
            format!("{describe} --query '{}'", "[".repeat(3000)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query '{}'", "(".repeat(3000)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query '{}'", "[?".repeat(1500)),
            "the limit is 32",
        ),
        (
            format!("{describe} --query 'a{}'", ".a".repeat(3000)),
            "the limit is 4096",
        ),
        (
            format!("{describe} --query 'a{}'", ".a".repeat(1000)),
            "the limit is 256",
        ),
        (
            format!("{describe} --query 'a{}'", "[0]".repeat(3000)),
            "the limit is 4096",
        ),
        (
            format!("{describe} --query 'a{}'", "[0]".repeat(1000)),
            "the limit is 256",
        ),
        (
            format!("{describe} --query 'a{}'", ".a".repeat(100)),
            "the limit is 64",
        ),
        (
            format!("{list_metrics} --dimensions Name={}", "{a=".repeat(1000)),
            "the limit; flatten the value or give it as JSON",
        ),
        (
            format!("{list_metrics} --dimensions Name={}", "[".repeat(3000)),
            "the limit; flatten the value or give it as JSON",
        ),
        (
            format!(
                "{list_metrics} --dimensions '{}1{}'",
                "[".repeat(40),
                "]".repeat(40)
            ),
            "levels deep, the limit; flatten the value",
        ),
    ];
    for (text, limit) in &crashes {
        let card = bot.say(text).await.to_string();
        assert!(
            card.contains(limit),
            "{:.80}: {limit:?} not in {card:.600}",
            text
        );
    }
    // Still alive: a normal command gets its answer.
    let card = bot
        .say(&format!("{describe} --query 'length(MetricAlarms)'"))
        .await;
    let text = card.to_string();
    assert!(
        text.contains("aws cloudwatch describe-alarms --query"),
        "{text:.600}"
    );
    assert!(!text.contains("limit"), "{text:.600}");
}

/// A query that doubles its result at every step stops at the evaluation budget with a
/// message, instead of allocating 2^40 copies of the response.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doubling_query_stops_at_the_work_budget() {
    let bot = TestApp::with_conversations().await;
    let doubling = format!("@{}", "|[@,@]".repeat(40));
    let card = bot
        .say(&format!("cloudwatch describe-alarms --query '{doubling}'"))
        .await
        .to_string();
    assert!(card.contains("grows past the limit of"), "{card:.600}");
    let again = bot
        .say("cloudwatch describe-alarms --output json")
        .await
        .to_string();
    assert!(again.contains("MetricAlarms"), "{again:.600}");
}

/// The same refusal from a terminal: `aws-chatops exec` prints it on stderr and exits with
/// the parse-error status instead of aborting.
#[test]
fn exec_refuses_a_deep_query_on_stderr() {
    let query = "(".repeat(3000);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aws-chatops"))
        .args([
            "exec",
            "--",
            "cloudwatch",
            "describe-alarms",
            "--query",
            &query,
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the limit is 32"), "{stderr}");
    assert!(output.status.code().is_some(), "killed by a signal");
    assert_ne!(output.status.code(), Some(0));
}
