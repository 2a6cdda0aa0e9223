//! The `aws-chatops serve` binary as an operator runs it, against the loopback stand-ins for
//! Microsoft and moto for AWS: `GET /metrics`, and the `[access]` table reloaded on SIGHUP
//! (validated first; a broken file keeps the running configuration).

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::access::text;
use crate::support::app::{access_text, wait_until, TestApp, ADA, APP_ID, APP_PASSWORD, TENANT_ID};
use crate::support::moto;

const CHANNEL: &str = "19:reload-channel@thread.tacv2";

/// The running binary, killed when dropped, with its log lines collected.
struct Served {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn log_has(&self, needle: &str) -> bool {
        self.log
            .lock()
            .unwrap()
            .iter()
            .any(|line| line.contains(needle))
    }

    fn hang_up(&self) {
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `aws-chatops serve` with `config` and `store` on `port`, against `h`'s Microsoft stand-ins
/// and moto, with test credentials and nothing of the environment's AWS profile.
pub fn serve_command(
    h: &TestApp,
    config: &std::path::Path,
    store: &std::path::Path,
    port: u16,
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aws-chatops"));
    command
        .arg("--config")
        .arg(config)
        .arg("serve")
        .env("MicrosoftAppId", APP_ID)
        .env("MicrosoftAppPassword", APP_PASSWORD)
        .env("MicrosoftAppTenantId", TENANT_ID)
        .env("ToBotFromChannelOpenIdMetadataUrl", h.login.metadata_url())
        .env("ToChannelFromBotLoginUrl", h.token.login_url(TENANT_ID))
        .env("PORT", port.to_string())
        .env("AWS_CHATOPS_BIND_ADDRESS", "127.0.0.1")
        .env("AWS_CHATOPS_STORE", store)
        .env("AWS_ENDPOINT_URL", &moto::moto().url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    command
}

fn serve(h: &TestApp, config: &std::path::Path, store: &std::path::Path, port: u16) -> Served {
    let mut child = serve_command(h, config, store, port)
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aws-chatops serve starts");
    let log = Arc::new(Mutex::new(Vec::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                log.lock().unwrap().push(line);
            }
        });
    }
    Served { child, log }
}

/// Sends `command` in the reload channel and returns the card the bot posted for it.
async fn say(h: &TestApp, command: &str) -> Value {
    let mut activity = h.message_in(&format!("{CHANNEL};messageid=1776390257332"), command);
    activity["channelData"]["channel"]["id"] = json!(CHANNEL);
    let before = h.connector.state.received().len();
    let response = h.post(&activity, Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    let state = &h.connector.state;
    wait_until("the bot's card", || state.received().len() > before).await;
    state.received()[before].body["attachments"][0]["content"].clone()
}

/// Says `command` until the card contains `needle` (a reload is applied asynchronously), for
/// at most 10 s.
async fn say_until(h: &TestApp, command: &str, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let shown = text(&say(h, command).await);
        if shown.contains(needle) {
            return shown;
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} never shown; last card: {shown}"
        );
    }
}

fn with_reload_channel(base: &str) -> String {
    format!(
        "{base}\n[access.channels.reload]\ntenant_id = \"{TENANT_ID}\"\nchannel_id = \"{CHANNEL}\"\naccounts = [\"production\"]\nguardrails = [\"ReadOnly\"]\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_applies_a_valid_access_table_and_keeps_the_running_one_on_mistakes() {
    let mut h = TestApp::start().await;
    let directory = tempfile::tempdir().unwrap();
    let config = directory.path().join("config.toml");
    let base = access_text("\"ReadOnly\"");
    std::fs::write(&config, &base).unwrap();
    let port = free_port();
    let served = serve(&h, &config, &directory.path().join("state.redb"), port);
    h.addr = format!("127.0.0.1:{port}").parse().unwrap();
    h.wait_ready().await;

    // `serve` shows a refusal in a channel in full only to its requester (user-specific
    // views): the others' line, then Ada's own view through the refresh invoke.
    let posted = say(&h, "cloudwatch describe-alarms").await;
    assert!(
        text(&posted).contains("Ada Lovelace was refused cloudwatch describe-alarms."),
        "{posted}"
    );
    let refused = text(&h.refresh_as(CHANNEL, &ADA, &posted).await);
    assert!(
        refused.contains("Refused by the channel configuration"),
        "{refused}"
    );

    // The channel is added and the file reloaded: the same command now runs.
    std::fs::write(&config, with_reload_channel(&base)).unwrap();
    served.hang_up();
    say_until(
        &h,
        "cloudwatch describe-alarms --output json",
        "MetricAlarms",
    )
    .await;
    assert!(served.log_has("configuration reloaded"));

    // A broken file is refused on reload; the running configuration stays in force.
    std::fs::write(&config, "[access\nbroken = ").unwrap();
    served.hang_up();
    wait_until("the refused reload to be logged", || {
        served.log_has("configuration not reloaded")
    })
    .await;
    let still = text(&say(&h, "cloudwatch describe-alarms --output json").await);
    assert!(still.contains("MetricAlarms"), "{still}");

    // /metrics counts what happened, in the Prometheus text format.
    let unauthenticated = h.post(&json!({"type": "message"}), None).await;
    assert_eq!(unauthenticated.status(), 401);
    let metrics = h.http.get(h.url("/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    assert!(metrics.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let body = metrics.text().await.unwrap();
    for expected in [
        "aws_chatops_aws_calls_total{service=\"cloudwatch\",operation=\"DescribeAlarms\",outcome=\"ok\"}",
        "aws_chatops_store_operations_total{operation=\"",
        "aws_chatops_process_memory_bytes{kind=\"resident\"}",
        "aws_chatops_turn_seconds_count",
        "aws_chatops_activities_total{type=\"message\",outcome=\"accepted\"}",
        "aws_chatops_auth_failures_total{reason=\"missing_header\"} 1",
        "aws_chatops_connector_events_total{event=\"sent\"}",
    ] {
        assert!(body.contains(expected), "{expected} not in\n{body}");
    }
    let calls: f64 = body
        .lines()
        .find(|line| line.starts_with("aws_chatops_aws_calls_total{service=\"cloudwatch\",operation=\"DescribeAlarms\",outcome=\"ok\"}"))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap();
    assert!(calls >= 2.0, "{calls}");
}
