//! Audit records: sensitive values dropped, every field written, every outcome named.

use super::*;
use crate::command::GlobalOptions;
use serde_json::json;

fn invocation(service: &str, operation: &str, params: Value) -> Invocation {
    Invocation {
        service: service.into(),
        operation: operation.into(),
        cli_operation: String::new(),
        params: params.as_object().unwrap().clone(),
        globals: GlobalOptions::default(),
    }
}

fn subject() -> AuditSubject {
    AuditSubject {
        conversation: AuditConversation {
            tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
            team_id: Some("8d9a3c4e-5b6f-4a1b-9c2d-3e4f5a6b7c8d".into()),
            channel_id: Some("19:ops@thread.tacv2".into()),
            conversation_id: "19:ops@thread.tacv2".into(),
        },
        user: AuditUser {
            user_object_id: Some("3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f".into()),
            user_name: Some("Alice Example".into()),
        },
    }
}

fn shown(service: &str, operation: &str, params: Value) -> Vec<(String, Option<Value>)> {
    audit_parameters(
        Models::global(),
        service,
        operation,
        params.as_object().unwrap(),
    )
    .into_iter()
    .map(|p| (p.name, p.value))
    .collect()
}

#[test]
fn sensitive_values_are_dropped_and_names_kept() {
    type Case = (
        &'static str,
        &'static str,
        Value,
        Vec<(&'static str, Option<Value>)>,
    );
    let cases: Vec<Case> = vec![
        (
            "cloudwatch",
            "DescribeAlarms",
            json!({"AlarmNames": ["cpu-high"], "StateValue": "ALARM"}),
            vec![
                ("AlarmNames", Some(json!(["cpu-high"]))),
                ("StateValue", Some(json!("ALARM"))),
            ],
        ),
        // The model marks the master password sensitive.
        (
            "rds",
            "CreateDBInstance",
            json!({"DBInstanceIdentifier": "db1", "MasterUserPassword": "hunter2"}),
            vec![
                ("DBInstanceIdentifier", Some(json!("db1"))),
                ("MasterUserPassword", None),
            ],
        ),
        // Blobs (a Lambda payload) are data, not audit material.
        (
            "lambda",
            "Invoke",
            json!({"FunctionName": "f", "Payload": "{\"card\": \"4111\"}"}),
            vec![("FunctionName", Some(json!("f"))), ("Payload", None)],
        ),
        // Names that say token: dropped even where the model does not say sensitive.
        (
            "logs",
            "DescribeLogGroups",
            json!({"nextToken": "abc", "logGroupNamePrefix": "/aws"}),
            vec![
                ("nextToken", None),
                ("logGroupNamePrefix", Some(json!("/aws"))),
            ],
        ),
        // A structure with a sensitive member inside is dropped whole.
        (
            "lambda",
            "UpdateFunctionConfiguration",
            json!({"FunctionName": "f", "Environment": {"Variables": {"DB_PASSWORD": "x"}}}),
            vec![("FunctionName", Some(json!("f"))), ("Environment", None)],
        ),
        // Unknown service: nothing can be judged, every value is dropped.
        (
            "no-such-service",
            "Op",
            json!({"Name": "x"}),
            vec![("Name", None)],
        ),
    ];
    for (service, operation, params, expected) in cases {
        let expected: Vec<(String, Option<Value>)> = expected
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect();
        assert_eq!(
            shown(service, operation, params),
            expected,
            "{service} {operation}"
        );
    }
    for (name, sensitive) in [
        ("SecretAccessKey", true),
        ("client_secret", true),
        ("SSHPrivateKey", true),
        ("KeyName", false),
        ("Key", false),
    ] {
        assert_eq!(is_sensitive_name(name), sensitive, "{name}");
    }
}

/// A record of `subject()` describing the alarms in state ALARM.
fn alarms_record(outcome: Outcome) -> AuditRecord {
    AuditRecord::new(
        subject(),
        &invocation(
            "cloudwatch",
            "DescribeAlarms",
            json!({"StateValue": "ALARM"}),
        ),
        outcome,
    )
}

#[test]
fn records_have_every_field_and_go_to_the_sink() {
    let (log, memory) = AuditLog::memory();
    let record = alarms_record(Outcome::denied(
        "guardrail",
        "the channel guardrail Notification does not allow x:Y",
    ))
    .with_latency(Duration::from_millis(42))
    .with_correlation_id("c0ffee");
    log.write(&record);
    let records = memory.records();
    assert_eq!(records.len(), 1);
    let written = &records[0];
    for field in [
        "time",
        "tenant_id",
        "team_id",
        "channel_id",
        "conversation_id",
        "channel_key",
        "user_object_id",
        "user_name",
        "account_name",
        "account_id",
        "role_arn",
        "region",
        "service",
        "operation",
        "iam_action",
        "parameters",
        "outcome",
        "latency_ms",
        "correlation_id",
    ] {
        assert!(written.get(field).is_some(), "{field} missing in {written}");
    }
    assert_eq!(written["conversation_id"], "19:ops@thread.tacv2");
    assert_eq!(written["outcome"]["kind"], "denied");
    assert_eq!(written["outcome"]["layer"], "guardrail");
    assert_eq!(written["latency_ms"], 42);
    assert_eq!(
        written["parameters"],
        json!([{"name": "StateValue", "value": "ALARM"}])
    );
    let time = written["time"].as_str().unwrap();
    assert!(time.ends_with('Z') && time.contains('T'), "{time}");
}

/// People query the records by field name and read them as lines: each field keeps its name
/// and its place in the line.
#[test]
fn records_keep_their_fields_in_order() {
    let record = alarms_record(Outcome::Allowed)
        .with_permit(AuditGrant {
            run_as: AuditRunAs {
                account_name: Some("production".into()),
                account_id: Some("123456789012".into()),
                role_arn: Some("arn:aws:iam::123456789012:role/ChatOpsReadOnly".into()),
            },
            region: "eu-west-1".into(),
            channel_key: Some("ops".into()),
            iam_action: Some("cloudwatch:DescribeAlarms".into()),
        })
        .with_latency(Duration::from_millis(42))
        .with_correlation_id("c0ffee");
    let mut written = serde_json::to_value(&record).unwrap();
    written["time"] = json!("2026-01-02T03:04:05Z");
    let expected = concat!(
        r#"{"time":"2026-01-02T03:04:05Z","tenant_id":"72f988bf-86f1-41af-91ab-2d7cd011db47","#,
        r#""team_id":"8d9a3c4e-5b6f-4a1b-9c2d-3e4f5a6b7c8d","channel_id":"19:ops@thread.tacv2","#,
        r#""conversation_id":"19:ops@thread.tacv2","channel_key":"ops","#,
        r#""user_object_id":"3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f","user_name":"Alice Example","#,
        r#""account_name":"production","account_id":"123456789012","#,
        r#""role_arn":"arn:aws:iam::123456789012:role/ChatOpsReadOnly","region":"eu-west-1","#,
        r#""service":"cloudwatch","operation":"DescribeAlarms","iam_action":"cloudwatch:DescribeAlarms","#,
        r#""parameters":[{"name":"StateValue","value":"ALARM"}],"outcome":{"kind":"allowed"},"#,
        r#""latency_ms":42,"correlation_id":"c0ffee"}"#
    );
    assert_eq!(written.to_string(), expected);
    // Before a permit, the account fields are null and the region is the one asked for.
    let bare = serde_json::to_value(AuditRecord::new(
        subject(),
        &invocation("cloudwatch", "DescribeAlarms", json!({})),
        Outcome::Cancelled,
    ))
    .unwrap();
    let keys =
        |record: &Value| -> Vec<String> { record.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&bare), keys(&written));
    assert_eq!(bare["account_name"], Value::Null);
    assert_eq!(bare["region"], Value::Null);
}

#[test]
fn every_outcome_kind_serialises_with_its_name() {
    let cases = [
        (Outcome::Allowed, "allowed"),
        (Outcome::denied("never_allowed", "x"), "denied"),
        (Outcome::Confirmed, "confirmed"),
        (Outcome::Cancelled, "cancelled"),
        (Outcome::Expired, "expired"),
        (
            Outcome::Failed {
                error: "AccessDenied".into(),
            },
            "failed",
        ),
        (Outcome::TimedOut, "timed_out"),
        (Outcome::OutcomeUnknown, "outcome_unknown"),
    ];
    for (outcome, kind) in cases {
        assert_eq!(serde_json::to_value(&outcome).unwrap()["kind"], kind);
    }
}

#[test]
fn a_file_log_appends_json_lines() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("audit.jsonl");
    let log = AuditLog::open(&AuditDestination::File(path.clone())).unwrap();
    let record = AuditRecord::new(
        subject(),
        &invocation("cloudwatch", "DescribeAlarms", json!({})),
        Outcome::Allowed,
    );
    log.write(&record);
    log.write(&AuditRecord {
        outcome: Outcome::TimedOut,
        ..record
    });
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["outcome"]["kind"], "allowed");
    assert_eq!(lines[1]["outcome"]["kind"], "timed_out");
}
