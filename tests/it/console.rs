//! `aws-chatops console` (F26) driven through a pseudo-terminal, expect-style, as a person
//! would use it: tab completion, a read, a form answered at the prompts, a confirmation
//! declined and one accepted, against moto; and the same through a channel's permission path
//! with its audit records.

use std::path::Path;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect, Regex, Session};
use serde_json::Value;

use crate::support::app::{access_text, USER_AAD_ID};
use crate::support::moto;

/// Starts the console in a pseudo-terminal against moto, with `args` after `console`.
fn console(config: Option<&Path>, args: &[&str]) -> expectrl::session::OsSession {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_aws-chatops"));
    if let Some(config) = config {
        command.arg("--config").arg(config);
    }
    command
        .arg("console")
        .args(args)
        .env("AWS_ENDPOINT_URL", &moto::moto().url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("TERM", "xterm")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_DEFAULT_OUTPUT");
    let mut session = Session::spawn(command).expect("the console starts in a pty");
    // A bound for a wedged console, not a wait: each step returns as soon as its text shows.
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

/// Sends `exit` and checks the console ends with status 0.
fn leave(mut session: expectrl::session::OsSession) {
    session.send_line("exit").unwrap();
    session.expect(Eof).unwrap();
    let status = session.get_process_mut().wait().unwrap();
    assert!(
        matches!(status, WaitStatus::Exited(_, 0)),
        "the console ends with status 0: {status:?}"
    );
}

fn unique() -> String {
    format!("{:x}", rand::random::<u32>())
}

#[test]
fn console_completes_reads_asks_for_missing_options_and_confirms_changes() {
    let u = unique();
    let mut console = console(None, &[]);
    console.expect("aws> ").unwrap();

    // Tab completes the operation from the model; the rest is typed.
    console.send("logs describe-log-gr\t").unwrap();
    console.expect("describe-log-groups ").unwrap();
    console
        .send_line(format!(
            "--log-group-name-prefix /console-{u} --output json"
        ))
        .unwrap();
    console.expect("\"logGroups\": []").unwrap();
    console.expect("aws> ").unwrap();

    // A command missing its required option asks for it, then for confirmation.
    console.send_line("logs create-log-group").unwrap();
    console
        .expect("logs create-log-group needs one more option")
        .unwrap();
    console.expect("--log-group-name> ").unwrap();
    console.send_line(format!("/console-{u}/app")).unwrap();
    console.expect("This changes something:").unwrap();
    console
        .expect(format!(
            "aws logs create-log-group --log-group-name /console-{u}/app"
        ))
        .unwrap();
    console.expect("Run it? [y/N] ").unwrap();
    console.send_line("y").unwrap();
    console.expect("aws> ").unwrap();

    // A change declined is not made.
    console
        .send_line(format!(
            "logs create-log-group --log-group-name /console-{u}/no"
        ))
        .unwrap();
    console.expect("Run it? [y/N] ").unwrap();
    console.send_line("n").unwrap();
    console.expect("Not run.").unwrap();
    console.expect("aws> ").unwrap();

    // The read prints as the AWS CLI prints text: only the group that was confirmed.
    console
        .send_line(format!(
            "logs describe-log-groups --log-group-name-prefix /console-{u} --query logGroups[].logGroupName --output text"
        ))
        .unwrap();
    console
        .expect(Regex(&format!(r"\n/console-{u}/app\r?\n")))
        .unwrap();
    console.expect("aws> ").unwrap();

    // A mistake is explained and the session goes on.
    console.send_line("logs describe-log-groupz").unwrap();
    console.expect("describe-log-groups").unwrap();
    console.expect("aws> ").unwrap();
    leave(console);
}

#[test]
fn console_as_a_user_in_a_channel_is_authorized_and_audited() {
    let u = unique();
    let directory = tempfile::tempdir().unwrap();
    let audit_path = directory.path().join("audit.jsonl");
    let config_path = directory.path().join("config.toml");
    let config = format!(
        "{}\n[access.audit]\ndestination = \"file\"\npath = \"{}\"\n",
        access_text("\"ReadOnly\""),
        audit_path.display()
    );
    std::fs::write(&config_path, config).unwrap();
    let mut console = console(
        Some(&config_path),
        &[
            "--as",
            USER_AAD_ID,
            "--channel",
            "ops",
            "--account",
            "production",
        ],
    );
    console.expect("aws (ops, production)> ").unwrap();

    // The channel's inline statement allows PutMetricAlarm: a form, then a confirmation that
    // names who runs it.
    console.send_line("cloudwatch put-metric-alarm --metric-name Errors --namespace Console --statistic Sum --period 60 --threshold 1 --evaluation-periods 1").unwrap();
    console
        .expect("cloudwatch put-metric-alarm needs one more option")
        .unwrap();
    console.expect("--alarm-name> ").unwrap();
    console.send_line(format!("console-{u}")).unwrap();
    console
        .expect(format!(
            "runs as {USER_AAD_ID} in channel ops, account production"
        ))
        .unwrap();
    console.expect("Run it? [y/N] ").unwrap();
    console.send_line("y").unwrap();
    console.expect("aws (ops, production)> ").unwrap();

    console
        .send_line(format!(
            "cloudwatch describe-alarms --alarm-names console-{u} --query MetricAlarms[].[AlarmName,EvaluationPeriods] --output text"
        ))
        .unwrap();
    console
        .expect(Regex(&format!(r"\nconsole-{u}\s+1\r?\n")))
        .unwrap();
    console.expect("aws (ops, production)> ").unwrap();

    // The guardrail refuses what it does not allow, as in chat.
    console
        .send_line("logs create-log-group --log-group-name /console/refused")
        .unwrap();
    console.expect("Run it? [y/N] ").unwrap();
    console.send_line("y").unwrap();
    console.expect("refused by the channel guardrail").unwrap();
    console.expect("aws (ops, production)> ").unwrap();
    leave(console);

    let records: Vec<Value> = std::fs::read_to_string(&audit_path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let seen: Vec<(&str, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["operation"].as_str().unwrap_or("-"),
                r["outcome"]["kind"].as_str().unwrap_or("-"),
                r["channel_key"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("PutMetricAlarm", "allowed", "ops"),
            ("DescribeAlarms", "allowed", "ops"),
            ("CreateLogGroup", "denied", "ops"),
        ],
        "{records:#?}"
    );
    assert_eq!(
        records[0]["role_arn"],
        "arn:aws:iam::123456789012:role/oncall-ada"
    );
}
