//! Who may run what, through /api/messages against moto (STS AssumeRole works there): a
//! config with two channels, two accounts, a channel role and user roles; the account
//! question on first use, the remembered choice, `set default-account`, region memory, denial
//! cards naming the layer, a submitted form re-checked after the config changed, and an audit
//! record for every outcome kind.

use std::net::TcpListener;
use std::time::Duration;

use aws_chatops::aws::EngineConfig;
use aws_chatops::policy::config::AccessConfig;
use aws_chatops::policy::{Authorizer as _, Requester};
use serde_json::{json, Value};

use crate::support::app::{access_text, TestApp, ONCALL, OPS, TENANT_ID, USER_AAD_ID};
use crate::support::aws::moto_engine;
use crate::support::moto;

const UNMAPPED_USER: &str = "99999999-0000-4000-8000-0000000000bb";

/// The bot with the `[access]` config of `access_text`, Lambda invocations allowed in OPS.
async fn start() -> TestApp {
    TestApp::with_access(moto_engine(), "\"ReadOnly\", \"LambdaInvoke\"").await
}

/// The bot of [`start`], with production as OPS's default account.
async fn start_in_production() -> TestApp {
    let bot = start().await;
    bot.authorizer()
        .set_default_account(&requester(OPS), "production")
        .await
        .unwrap();
    bot
}

/// Checks the facts a card's header shows: (title, value) pairs.
fn assert_facts(card: &Value, expected: &[(&str, &str)]) {
    for (title, value) in expected {
        assert_eq!(
            fact(card, title).as_deref(),
            Some(*value),
            "{title} in {card}"
        );
    }
}

/// Ada in a channel, as the activity describes her.
fn requester(channel: &str) -> Requester {
    crate::support::app::ada_in(channel)
}

/// The value of the fact titled `title` in a card's header.
pub(crate) fn fact(card: &Value, title: &str) -> Option<String> {
    fn walk(value: &Value, title: &str) -> Option<String> {
        match value {
            Value::Object(map) => {
                if map.get("title").and_then(Value::as_str) == Some(title) {
                    if let Some(value) = map.get("value").and_then(Value::as_str) {
                        // Long values carry zero-width spaces where phones may wrap them.
                        return Some(value.replace('\u{200b}', ""));
                    }
                }
                map.values().find_map(|v| walk(v, title))
            }
            Value::Array(items) => items.iter().find_map(|v| walk(v, title)),
            _ => None,
        }
    }
    walk(card, title)
}

/// The data of every Action.Execute in a card with this verb.
pub(crate) fn actions(card: &Value, verb: &str) -> Vec<Value> {
    fn walk(value: &Value, verb: &str, found: &mut Vec<Value>) {
        match value {
            Value::Object(map) => {
                if map.get("type").and_then(Value::as_str) == Some("Action.Execute")
                    && map.get("verb").and_then(Value::as_str) == Some(verb)
                {
                    found.push(map["data"].clone());
                }
                map.values().for_each(|v| walk(v, verb, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, verb, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(card, verb, &mut found);
    found
}

pub(crate) fn text(card: &Value) -> String {
    card.to_string().replace('\u{200b}', "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_asked_for_remembered_and_changed_and_regions_remembered() {
    let bot = start().await;

    // First use in a channel with two accounts: the account question.
    let question = bot
        .say_in(OPS, "cloudwatch describe-alarms --output json")
        .await;
    assert!(text(&question).contains("Which AWS account?"), "{question}");
    let buttons = actions(&question, "choose-account");
    let offered: Vec<&str> = buttons
        .iter()
        .map(|b| b["account"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["123456789012", "210987654321"]);

    // Choosing production runs the waiting command, as the channel role, in place.
    let production = buttons[0].clone();
    let running = bot.click(OPS, production).await;
    assert!(text(&running).contains("Running"), "{running}");
    let result = bot.updated_card("production (123456789012)").await;
    assert_facts(
        &result,
        &[
            ("Account", "production (123456789012)"),
            ("Region", "us-east-1"),
            // Ada has her own user role in production.
            ("Role", "arn:aws:iam::123456789012:role/oncall-ada"),
        ],
    );

    // The choice is remembered: no question the second time.
    let again = bot
        .say_in(OPS, "cloudwatch describe-alarms --output json")
        .await;
    assert_facts(&again, &[("Account", "production (123456789012)")]);

    // @aws set default-account changes it.
    let set = bot.say_in(OPS, "set default-account staging").await;
    assert!(text(&set).contains("Default account set"), "{set}");
    assert!(text(&set).contains("210987654321"), "{set}");
    let staging = bot
        .say_in(OPS, "cloudwatch describe-alarms --output json")
        .await;
    assert_facts(
        &staging,
        &[
            ("Account", "staging (210987654321)"),
            ("Role", "arn:aws:iam::210987654321:role/chatops-staging"),
            // The account's region.
            ("Region", "us-west-2"),
        ],
    );

    // The bare command shows the choices with the current one.
    let choices = bot.say_in(OPS, "set default-account").await;
    assert!(
        text(&choices).contains("Current default: staging (210987654321)"),
        "{choices}"
    );
    let back = actions(&choices, "choose-account")[0].clone();
    let chosen = bot.click(OPS, back).await;
    assert!(text(&chosen).contains("Default account set"), "{chosen}");
    assert!(text(&chosen).contains("123456789012"), "{chosen}");

    // A region given once is remembered for the channel; --region overrides it; another
    // channel has its own memory.
    let regions = [
        (
            OPS,
            "cloudwatch describe-alarms --region eu-west-1 --output json",
            "eu-west-1",
        ),
        (OPS, "cloudwatch describe-alarms --output json", "eu-west-1"),
        (
            OPS,
            "cloudwatch describe-alarms --region ap-southeast-2 --output json",
            "ap-southeast-2",
        ),
        (
            ONCALL,
            "cloudwatch describe-alarms --output json",
            "us-east-1",
        ),
    ];
    for (channel, command, region) in regions {
        let card = bot.say_in(channel, command).await;
        assert_facts(&card, &[("Region", region)]);
    }

    // Every run is audited as allowed, with where, who and as whom.
    let records = bot.records();
    let allowed: Vec<&Value> = records
        .iter()
        .filter(|r| r["outcome"]["kind"] == "allowed")
        .collect();
    assert_eq!(allowed.len(), 7, "{records:#?}");
    let first = allowed[0];
    assert_eq!(first["tenant_id"], TENANT_ID);
    assert_eq!(first["channel_id"], OPS);
    assert_eq!(first["channel_key"], "ops");
    assert_eq!(first["user_object_id"], USER_AAD_ID);
    assert_eq!(first["user_name"], "Ada Lovelace");
    assert_eq!(first["account_name"], "production");
    assert_eq!(first["account_id"], "123456789012");
    assert_eq!(
        first["role_arn"],
        "arn:aws:iam::123456789012:role/oncall-ada"
    );
    assert_eq!(first["region"], "us-east-1");
    assert_eq!(first["service"], "cloudwatch");
    assert_eq!(first["operation"], "DescribeAlarms");
    assert_eq!(first["iam_action"], "cloudwatch:DescribeAlarms");
    assert!(first["latency_ms"].is_u64());
    let all = serde_json::to_string(&records).unwrap();
    assert!(!all.contains("testing"), "no credentials in audit records");
    assert!(!all.to_ascii_lowercase().contains("secret"), "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_refusal_shows_the_layer_that_refused() {
    let bot = start_in_production().await;
    let cases: Vec<(&str, &str, &str, &str, &str)> = vec![
        // (channel, user, command, layer words on the card, what is missing)
        (
            OPS,
            USER_AAD_ID,
            "iam list-roles",
            "Refused by the never-allowed list",
            "never available from chat",
        ),
        (
            "19:unknown-channel@thread.tacv2",
            USER_AAD_ID,
            "cloudwatch describe-alarms",
            "Refused by the channel configuration",
            "channel_id = \"19:unknown-channel@thread.tacv2\"",
        ),
        (
            OPS,
            USER_AAD_ID,
            "ec2 run-instances --image-id ami-12345678 --count 1",
            "Refused by the channel guardrail",
            "do not allow ec2:RunInstances",
        ),
        (
            OPS,
            USER_AAD_ID,
            "ssm describe-parameters",
            "Refused by the channel guardrail",
            "denies ssm:DescribeParameters",
        ),
        (
            ONCALL,
            UNMAPPED_USER,
            "cloudwatch describe-alarms",
            "Refused by role mapping",
            UNMAPPED_USER,
        ),
    ];
    for (channel, user, command, layer, missing) in &cases {
        let card = bot.say_as(channel, user, command).await;
        let shown = text(&card);
        assert!(shown.contains(layer), "{command}: {shown}");
        assert!(
            shown.replace('\\', "").contains(missing),
            "{command}: {missing:?} not in {shown}"
        );
    }
    let records = bot.records();
    let layers: Vec<&str> = records
        .iter()
        .map(|r| r["outcome"]["layer"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(
        layers,
        ["never_allowed", "channel", "guardrail", "guardrail", "role"],
        "{records:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submitted_form_is_checked_again_after_the_config_changed() {
    let bot = start_in_production().await;
    // lambda invoke without a function name: a form (LambdaInvoke allows it now).
    let form = bot.say_in(OPS, "lambda invoke").await;
    let submit = actions(&form, "submit");
    assert_eq!(submit.len(), 1, "{form}");
    // The administrator removes LambdaInvoke from the channel's guardrails.
    bot.authorizer()
        .replace_config(AccessConfig::from_toml_str(&access_text("\"ReadOnly\"")).unwrap());
    let mut data = submit[0].clone();
    data["FunctionName"] = json!("my-function");
    let refused = bot.click(OPS, data).await;
    let shown = text(&refused);
    assert!(
        shown.contains("Refused by the channel guardrail"),
        "{shown}"
    );
    assert!(
        shown.contains("The channel guardrails ReadOnly, (the channel's inline statements) do not allow lambda:InvokeFunction"),
        "{shown}"
    );
    let last = bot.records().last().cloned().unwrap();
    assert_eq!(last["outcome"]["kind"], "denied");
    assert_eq!(last["outcome"]["layer"], "guardrail");
    assert_eq!(last["operation"], "Invoke");
    assert_eq!(last["iam_action"], "lambda:InvokeFunction");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmations_cancellations_and_failures_are_audited() {
    let bot = start_in_production().await;
    let alarm = format!("access-it-{}", uuid::Uuid::new_v4().simple());
    let put = format!(
        "cloudwatch put-metric-alarm --alarm-name {alarm} --metric-name CPUUtilization --namespace AWS/EC2 --statistic Average --period 60 --evaluation-periods 1 --threshold 90 --comparison-operator GreaterThanThreshold"
    );
    // A change: confirmed, then run.
    let confirm = bot.say_in(OPS, &put).await;
    let button = actions(&confirm, "confirm")[0].clone();
    bot.click(OPS, button).await;
    bot.wait_records(1).await;
    // A change: cancelled.
    let confirm = bot.say_in(OPS, &put).await;
    let button = actions(&confirm, "cancel")[0].clone();
    let cancelled = bot.click(OPS, button).await;
    assert!(text(&cancelled).contains("Cancelled"), "{cancelled}");
    // A change AWS refuses: failed.
    let confirm = bot
        .say_in(
            OPS,
            "cloudwatch set-alarm-state --alarm-name no-such-alarm-here --state-value OK --state-reason test",
        )
        .await;
    let button = actions(&confirm, "confirm")[0].clone();
    bot.click(OPS, button).await;
    bot.wait_records(3).await;

    let kinds: Vec<String> = bot
        .records()
        .iter()
        .map(|r| r["outcome"]["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["confirmed", "cancelled", "failed"],
        "{:#?}",
        bot.records()
    );
    let records = bot.records();
    assert_eq!(records[0]["operation"], "PutMetricAlarm");
    assert_eq!(records[0]["account_id"], "123456789012");
    let names: Vec<&str> = records[0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"AlarmName") && names.contains(&"Threshold"),
        "{names:?}"
    );
    assert_eq!(records[1]["operation"], "PutMetricAlarm");
    assert_eq!(records[2]["outcome"]["error"], "ResourceNotFound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_runs_out_of_time_is_audited_as_timed_out() {
    // An AWS endpoint that accepts connections and never answers; STS stays on moto.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let engine = EngineConfig {
        endpoint_url: Some(format!("http://{}", silent.local_addr().unwrap())),
        service_endpoints: [("STS".to_owned(), moto::moto().url.clone())].into(),
        max_attempts: 1,
        timeout: Duration::from_millis(300),
        ..EngineConfig::default()
    };
    let bot = TestApp::with_access(engine, "\"ReadOnly\"").await;
    bot.say_in(ONCALL, "cloudwatch describe-alarms").await;
    bot.wait_records(1).await;
    let last = bot.records().last().cloned().unwrap();
    assert_eq!(last["outcome"]["kind"], "timed_out");
    assert_eq!(
        last["role_arn"],
        "arn:aws:iam::123456789012:role/oncall-ada"
    );
    drop(silent);
}

/// `aws-chatops exec --as … --channel …` from a terminal: the same permission path, and an
/// audit record in the configured file.
#[test]
fn exec_as_a_user_in_a_channel_goes_through_the_same_checks() {
    let directory = tempfile::tempdir().unwrap();
    let audit_path = directory.path().join("audit.jsonl");
    let config_path = directory.path().join("config.toml");
    let config = format!(
        "{}\n[access.audit]\ndestination = \"file\"\npath = \"{}\"\n",
        access_text("\"ReadOnly\""),
        audit_path.display()
    );
    std::fs::write(&config_path, config).unwrap();
    let exec = |user: &str, channel: &str, command: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_aws-chatops"))
            .arg("--config")
            .arg(&config_path)
            .args(["exec", "--as", user, "--channel", channel, "--"])
            .args(command)
            .env("AWS_ENDPOINT_URL", &moto::moto().url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_MAX_ATTEMPTS", "1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .output()
            .expect("aws-chatops runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, out, err) = exec(USER_AAD_ID, "oncall", &["cloudwatch", "describe-alarms"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("MetricAlarms"), "{out}");

    // The outfile `lambda invoke` writes its payload to (the refusal comes first: none is).
    let outfile = directory.path().join("payload.json");
    let outfile = outfile.to_str().unwrap();
    // Refusals: (user, channel, command, what the error says), in this order.
    let alarms: &[&str] = &["cloudwatch", "describe-alarms"];
    let refusals: [(&str, &str, &[&str], &[&str]); 4] = [
        (
            UNMAPPED_USER,
            "oncall",
            alarms,
            &["refused by role mapping", UNMAPPED_USER],
        ),
        (
            USER_AAD_ID,
            "oncall",
            &["lambda", "invoke", "--function-name", "f", outfile],
            &["refused by the channel guardrail"],
        ),
        (USER_AAD_ID, "ops", alarms, &["choose one with --account"]),
        (
            USER_AAD_ID,
            "nowhere",
            alarms,
            &["There is no channel `nowhere`"],
        ),
    ];
    for (user, channel, command, says) in refusals {
        let (code, _, err) = exec(user, channel, command);
        assert_eq!(code, 255, "{err}");
        for words in says {
            assert!(err.contains(words), "{err}");
        }
    }

    let records: Vec<Value> = std::fs::read_to_string(&audit_path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let outcomes: Vec<(&str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["outcome"]["kind"].as_str().unwrap(),
                r["outcome"]["layer"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("allowed", "-"),
            ("denied", "role"),
            ("denied", "guardrail")
        ]
    );
    assert_eq!(
        records[0]["role_arn"],
        "arn:aws:iam::123456789012:role/oncall-ada"
    );
    assert_eq!(records[0]["channel_key"], "oncall");
}
