//! Snapshot tests of every conversation card type: each is built from fixed inputs and
//! compared with its insta snapshot, `tests/it/snapshots/<name>.snap` (the card's pretty JSON
//! under a short header), checked to stay under 28 KB, and written to `target/card-samples/`
//! for `scripts/check-js.sh` to validate with the adaptivecards library and render to PNG.
//!
//! When a card changes on purpose, update the snapshots and review the diff:
//! `INSTA_UPDATE=always cargo test --test it card_snapshots` rewrites them in place, or
//! `cargo insta test --test it -- card_snapshots` then `cargo insta review` (with
//! `cargo install cargo-insta`) shows each change for accepting or rejecting.

use std::path::PathBuf;

use aws_chatops::command::{parse, CommandError, OutputFormat, ParseContext};
use aws_chatops::conversation;
use aws_chatops::models::Models;
use aws_chatops::prompt;
use aws_chatops::render::{
    self, ApprovalButtons, ApprovalView, Card, CommandHeader, FormView, ResultView, Status,
};
use serde_json::{json, Value};

const REQUEST: &str = "q7Vd0mYq3rJ2bN8xK1pL5w";

fn header(title: &str, line: &str) -> CommandHeader {
    CommandHeader {
        title: title.to_owned(),
        command_line: Some(line.to_owned()),
        account: Some("production (123456789012)".to_owned()),
        region: Some("eu-west-1".to_owned()),
        role: None,
        approved_by: None,
        alias: None,
    }
}

/// A wait of `dynamodb wait table-exists` as its live card shows it after three calls.
fn wait_view(phase: render::WaitPhase) -> render::WaitView {
    render::WaitView {
        header: header(
            "dynamodb wait table-exists",
            "aws dynamodb wait table-exists --table-name orders",
        ),
        phase,
        waiter: "table-exists".to_owned(),
        attempts: 3,
        max_attempts: 25,
        delay_seconds: 20,
        elapsed_seconds: 41,
        cap_minutes: 15,
        seen: Some("Table.TableStatus: \"CREATING\"".to_owned()),
        requester: "Ada Lovelace".to_owned(),
        request_id: REQUEST.to_owned(),
    }
}

fn alarms(count: usize) -> Value {
    let alarms: Vec<Value> = (0..count)
        .map(|i| {
            json!({
                "AlarmName": format!("api-latency-p99-{i:03}"),
                "AlarmArn": format!("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-latency-p99-{i:03}"),
                "StateValue": if i % 3 == 0 { "ALARM" } else { "INSUFFICIENT_DATA" },
                "StateReason": "Threshold Crossed: 1 datapoint [812.5 (16/04/26 09:58:00)] was greater than the threshold (500.0).",
                "MetricName": "Latency",
                "Namespace": "AWS/ApiGateway",
                "Statistic": "p99",
                "Dimensions": [{"Name": "ApiName", "Value": "orders"}],
                "Period": 60,
                "EvaluationPeriods": 3,
                "Threshold": 500.0,
                "ComparisonOperator": "GreaterThanThreshold"
            })
        })
        .collect();
    json!({"MetricAlarms": alarms, "CompositeAlarms": []})
}

fn form_for(text: &str) -> (aws_chatops::command::Invocation, Vec<prompt::FormField>) {
    match parse(text, Models::global(), ParseContext::Chat) {
        Err(CommandError::MissingRequired {
            invocation,
            missing,
        }) => {
            let missing: Vec<String> = missing.into_iter().map(|m| m.member).collect();
            let fields = prompt::form_fields(Models::global(), &invocation, &missing);
            (*invocation, fields)
        }
        other => panic!("{other:?}"),
    }
}

// Long on purpose: one table with the fixed inputs of every card type, so that the list of
// snapshots (and of target/card-samples) reads in one place.
/// Every conversation card type built from fixed inputs, by sample name.
fn cards() -> Vec<(&'static str, Card)> {
    let describe = header(
        "cloudwatch describe-alarms",
        "aws cloudwatch describe-alarms --state-value ALARM",
    );
    let result = |output: Value, format, page, next: bool, query: Option<&str>| {
        render::result(&ResultView {
            header: describe.clone(),
            output,
            format,
            query: query.map(str::to_owned),
            operation: "DescribeAlarms".to_owned(),
            page,
            next_page_request: next.then(|| REQUEST.to_owned()),
        })
    };
    let (_, lambda_fields) = form_for("lambda get-function --qualifier 3");
    let lambda_form = |error: Option<&str>| {
        render::form(&FormView {
            header: header(
                "lambda get-function",
                "aws lambda get-function --qualifier 3",
            ),
            fields: lambda_fields.clone(),
            choices: vec![(
                "FunctionName".to_owned(),
                ["checkout-api", "image-resizer", "orders-worker"]
                    .iter()
                    .map(|n| (n.to_string(), n.to_string()))
                    .collect(),
            )],
            free_text: true,
            error: error.map(str::to_owned),
            request_id: REQUEST.to_owned(),
            expires_in_minutes: 15,
        })
    };
    let (_, kinesis_fields) = form_for("kinesis update-shard-count --stream-name clicks");
    let kinesis_header = CommandHeader {
        role: Some("arn:aws:iam::123456789012:role/ChatOpsOperator".to_owned()),
        ..header(
            "kinesis update-shard-count",
            "aws kinesis update-shard-count --stream-name clicks --target-shard-count 4 --scaling-type UNIFORM_SCALING",
        )
    };
    let approval_view = ApprovalView {
        header: kinesis_header.clone(),
        requester: "Ada Lovelace".to_owned(),
        approvers: "any member of this conversation other than the requester".to_owned(),
        rule: "kinesis:Update*".to_owned(),
        request_id: REQUEST.to_owned(),
        expires_in_minutes: 15,
    };
    let support_header = CommandHeader {
        title: "New AWS Support case".to_owned(),
        ..header(
            "support create-case",
            "aws support create-case --subject 'Stream throttled'",
        )
    };
    let (support_invocation, _) = form_for("support create-case --subject 'Stream throttled'");
    // The journey's own fields for this command, exactly as the bot sends them.
    let support_fields = conversation::support_fields(&support_invocation, None);
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    };
    let summary_facts: Vec<(String, String)> = [
        ("Subject", "Stream throttled"),
        ("Service", "Amazon Kinesis"),
        ("Severity", "Production system impaired"),
        ("Issue type", "Technical"),
        ("Language", "English"),
        ("CC", "ops@example.com"),
        (
            "Description",
            "PutRecords has been throttled since 10:00 UTC on the clicks stream.",
        ),
    ]
    .iter()
    .map(|(t, v)| (t.to_string(), v.to_string()))
    .collect();
    let mut case_facts = vec![
        (
            "Case id".to_owned(),
            "case-123456789012-muen-2026-8d41a3c2f1e0b7a9".to_owned(),
        ),
        ("Case number".to_owned(), "178012345600".to_owned()),
    ];
    case_facts.extend(summary_facts.iter().cloned());
    let table_output = json!({"Functions": [
        {"FunctionName": "checkout-api", "Runtime": "python3.12", "MemorySize": 512, "LastModified": "2026-04-01T10:00:00.000+0000"},
        {"FunctionName": "image-resizer", "Runtime": "nodejs20.x", "MemorySize": 1024, "LastModified": "2026-03-12T08:30:00.000+0000"},
        {"FunctionName": "orders-worker", "Runtime": "java21", "MemorySize": 2048, "LastModified": "2026-02-20T17:45:00.000+0000"}
    ]});
    let function_header = header("lambda list-functions", "aws lambda list-functions --query 'Functions[].{FunctionName:FunctionName,Runtime:Runtime,MemorySize:MemorySize,LastModified:LastModified}'");
    let model = Models::global().service("cloudwatch").unwrap();
    let operation_help = {
        let op = model.operation_by_cli_name("describe-alarms").unwrap();
        let input = model.input_shape(op).unwrap();
        let options = model.cli_options(op).unwrap();
        let hidden = model.hidden_members(op);
        render::operation_help(&render::OperationHelp {
            service: "cloudwatch".to_owned(),
            operation: "describe-alarms".to_owned(),
            parameters: input
                .members
                .iter()
                .filter(|(m, _)| !hidden.contains(m))
                .map(|(member, r)| {
                    let shape = model.shape(&r.shape).unwrap();
                    render::ParameterHelp {
                        option: options[member].clone(),
                        type_name: format!("{:?}", shape.shape_type).to_lowercase(),
                        required: input.is_required(member),
                        allowed: shape.enum_values.clone(),
                    }
                })
                .collect(),
            paginated: true,
            read_only: true,
        })
    };
    let mut cards = logs_cards();
    cards.splice(0..0, [
        ("result-json", result(alarms(2), None, 1, false, None)),
        ("result-json-cut", result(alarms(200), None, 1, true, None)),
        ("result-table", render::result(&ResultView {
            header: function_header,
            output: table_output,
            format: None,
            query: None,
            operation: "ListFunctions".to_owned(),
            page: 2,
            next_page_request: Some(REQUEST.to_owned()),
        })),
        ("result-facts", render::result(&ResultView {
            header: header("sts get-caller-identity", "aws sts get-caller-identity"),
            output: json!({"UserId": "AROAEXAMPLE:ada", "Account": "123456789012", "Arn": "arn:aws:sts::123456789012:assumed-role/ChatOpsOperator/ada"}),
            format: None,
            query: None,
            operation: "GetCallerIdentity".to_owned(),
            page: 1,
            next_page_request: None,
        })),
        ("result-output-table", result(alarms(2), Some(OutputFormat::Table), 1, false, Some("MetricAlarms[].{Name:AlarmName,State:StateValue}"))),
        ("form", lambda_form(None)),
        ("form-error", lambda_form(Some("--function-name does not have the expected format."))),
        ("form-typed-inputs", render::form(&FormView {
            header: header("kinesis update-shard-count", "aws kinesis update-shard-count --stream-name clicks"),
            fields: kinesis_fields,
            choices: vec![],
            free_text: true,
            error: None,
            request_id: REQUEST.to_owned(),
            expires_in_minutes: 15,
        })),
        ("confirm", render::confirm(&kinesis_header, REQUEST, 15)),
        ("approval", render::approval(&approval_view, ApprovalButtons::All)),
        ("approval-requester", render::approval(&approval_view, ApprovalButtons::Requester)),
        ("approval-approver", render::approval(&approval_view, ApprovalButtons::Approver)),
        ("others-view", render::others_view("Ada Lovelace is confirming a change: kinesis update-shard-count.", REQUEST, Some(&["29:1user-mri".to_owned()]))),
        ("status-rejected", render::status(Status::Rejected, "Rejected by Grace Hopper. Nothing was run. Ada Lovelace can send the command again to ask again.", Some(&kinesis_header))),
        ("confirm-alias", render::confirm(&CommandHeader {
            alias: Some("silence".to_owned()),
            ..header(
                "cloudwatch set-alarm-state",
                "aws cloudwatch set-alarm-state --alarm-name orders-api-5xx --state-value OK --state-reason 'checked by hand'",
            )
        }, REQUEST, 15)),
        ("alias-list", render::alias_list(&render::AliasListView {
            scope: "this channel".to_owned(),
            notice: Some("Alias fn-info created.".to_owned()),
            problem: None,
            aliases: vec![
                render::AliasRow {
                    name: "firing".to_owned(),
                    template: "cloudwatch describe-alarms --state-value ALARM".to_owned(),
                    parameters: vec![],
                    from_config: true,
                    created_by: None,
                },
                render::AliasRow {
                    name: "fn-info".to_owned(),
                    template: "lambda get-function --function-name $fn --qualifier $version".to_owned(),
                    parameters: vec!["fn".to_owned(), "version".to_owned()],
                    from_config: false,
                    created_by: Some("Ada Lovelace".to_owned()),
                },
                render::AliasRow {
                    name: "silence".to_owned(),
                    template: "cloudwatch set-alarm-state --alarm-name $alarm --state-value OK --state-reason $why".to_owned(),
                    parameters: vec!["alarm".to_owned(), "why".to_owned()],
                    from_config: false,
                    created_by: Some("Grace Hopper".to_owned()),
                },
            ],
        })),
        ("alias-list-empty", render::alias_list(&render::AliasListView {
            scope: "your personal chats".to_owned(),
            notice: None,
            problem: None,
            aliases: vec![],
        })),
        ("history", render::history(&render::HistoryView {
            who: "Ada Lovelace".to_owned(),
            kept_days: 30,
            rows: vec![
                render::HistoryRow {
                    id: "h1Vd0mYq3rJ2bN8xK1pL5w".to_owned(),
                    time: "2026-12-03 14:05 UTC".to_owned(),
                    command_line: "aws lambda invoke --function-name orders-worker out.json".to_owned(),
                    outcome: "confirmed, succeeded".to_owned(),
                    alias: None,
                    dropped: vec!["payload".to_owned()],
                    can_run_again: true,
                },
                render::HistoryRow {
                    id: "h2Vd0mYq3rJ2bN8xK1pL5w".to_owned(),
                    time: "2026-12-03 13:58 UTC".to_owned(),
                    command_line: "aws cloudwatch set-alarm-state --alarm-name orders-api-5xx --state-value OK --state-reason 'checked by hand'".to_owned(),
                    outcome: "refused (guardrail)".to_owned(),
                    alias: Some("silence".to_owned()),
                    dropped: vec![],
                    can_run_again: true,
                },
                render::HistoryRow {
                    id: "h3Vd0mYq3rJ2bN8xK1pL5w".to_owned(),
                    time: "2026-12-03 13:41 UTC".to_owned(),
                    command_line: "aws cloudwatch describe-alarms --state-value ALARM".to_owned(),
                    outcome: "succeeded".to_owned(),
                    alias: Some("firing".to_owned()),
                    dropped: vec![],
                    can_run_again: true,
                },
            ],
        })),
        ("wait-live", render::wait(&wait_view(render::WaitPhase::Waiting))),
        ("wait-met", render::wait(&render::WaitView {
            attempts: 7,
            elapsed_seconds: 128,
            seen: Some("Table.TableStatus: \"ACTIVE\"".to_owned()),
            ..wait_view(render::WaitPhase::Met)
        })),
        ("wait-stopped", render::wait(&render::WaitView {
            header: header(
                "cloudformation wait stack-create-complete",
                "aws cloudformation wait stack-create-complete --stack-name orders-api",
            ),
            waiter: "stack-create-complete".to_owned(),
            attempts: 30,
            max_attempts: 120,
            delay_seconds: 30,
            elapsed_seconds: 900,
            seen: Some("Stacks[].StackStatus: [\"CREATE_IN_PROGRESS\"]".to_owned()),
            ..wait_view(render::WaitPhase::Stopped)
        })),
        ("wait-cancelled", render::wait(&wait_view(render::WaitPhase::Cancelled("Ada Lovelace".to_owned())))),
        ("slow-call-live", render::slow_call(&render::SlowCallView {
            header: header("athena get-query-results", "aws athena get-query-results --query-execution-id 3f1c2a9e-7b8d-4c1e-9f2a-5d6e7f8a9b0c"),
            elapsed_seconds: 47,
            cap_minutes: 15,
            cancelled_by: None,
            cancellable: true,
            requester: "Ada Lovelace".to_owned(),
            request_id: REQUEST.to_owned(),
        })),
        ("slow-call-cancelled", render::slow_call(&render::SlowCallView {
            header: header("athena get-query-results", "aws athena get-query-results --query-execution-id 3f1c2a9e-7b8d-4c1e-9f2a-5d6e7f8a9b0c"),
            elapsed_seconds: 92,
            cap_minutes: 15,
            cancelled_by: Some("Ada Lovelace".to_owned()),
            cancellable: true,
            requester: "Ada Lovelace".to_owned(),
            request_id: REQUEST.to_owned(),
        })),
        ("status-running", render::status(Status::Running, "Started by the requester. This card shows the result when the command finishes.", Some(&kinesis_header))),
        ("status-cancelled", render::status(Status::Cancelled, "Cancelled by Ada Lovelace. Nothing was run.", Some(&kinesis_header))),
        ("status-expired", render::status(Status::Expired, "This request expired after 15 minutes without an answer. Nothing was run. Send the command again to start over.", Some(&kinesis_header))),
        ("status-outcome-unknown", render::status(Status::OutcomeUnknown, "The bot stopped while this command was running, so I cannot tell whether it ran. Check in AWS before you run it again; it will not be run again by itself.", Some(&kinesis_header))),
        ("error-command", render::error("I could not read that command", "Unknown service 'cloudwach'. Did you mean cloudwatch?", None, None)),
        ("error-aws", render::error(
            "AWS refused the call",
            "AWS answered with the error below. Check the parameters, or ask for the permission it names.",
            Some(&header("lambda get-function", "aws lambda get-function --function-name orders")),
            Some("An error occurred (ResourceNotFoundException) when calling the GetFunction operation: Function not found: arn:aws:lambda:eu-west-1:123456789012:function:orders"),
        )),
        ("error-denied", render::error("Not allowed here", "This channel's guardrail does not allow kinesis:UpdateShardCount. Ask a channel admin to add it, or run it where it is allowed.", Some(&kinesis_header), Some("Refused by: Guardrail"))),
        ("help-service", render::service_help(&render::ServiceHelp {
            service: "lambda".to_owned(),
            full_name: Models::global().service("lambda").unwrap().metadata.service_full_name.clone(),
            operations: Models::global().service("lambda").unwrap().cli.operations.keys().cloned().collect(),
        }, "@AWS")),
        ("help-operation", operation_help),
        ("help", render::help(Some("AWS"))),
        ("welcome", render::welcome(Some("AWS"))),
        ("support-form", render::support_form(&FormView {
            header: support_header.clone(),
            fields: support_fields,
            choices: vec![
                ("serviceCode".to_owned(), pairs(&[("amazon-kinesis", "Amazon Kinesis"), ("amazon-dynamodb", "Amazon DynamoDB"), ("aws-lambda", "AWS Lambda")])),
                ("severityCode".to_owned(), pairs(&[("low", "General guidance"), ("normal", "System impaired"), ("high", "Production system impaired"), ("urgent", "Production system down"), ("critical", "Business-critical system down")])),
                ("language".to_owned(), pairs(&[("en", "English"), ("ja", "日本語 (Japanese)"), ("zh", "中文 (Chinese)"), ("ko", "한국어 (Korean)")])),
                ("issueType".to_owned(), pairs(&[("technical", "Technical"), ("customer-service", "Account and billing")])),
            ],
            free_text: false,
            error: None,
            request_id: REQUEST.to_owned(),
            expires_in_minutes: 15,
        })),
        ("support-summary", render::support_summary(
            &support_header,
            &summary_facts,
            &pairs(&[("general-guidance", "General Guidance"), ("performance", "Performance")]),
            REQUEST,
            14,
        )),
        ("support-case", render::support_case(
            &support_header,
            &case_facts,
            "https://support.console.aws.amazon.com/support/home#/case/?displayId=178012345600&language=en",
        )),
        ("support-no-plan", render::error(
            "This account cannot open support cases through the API",
            "The AWS Support API needs a Business, Enterprise On-Ramp or Enterprise support plan, and this account's plan does not include it. Open the case in the AWS Support Center instead (https://support.console.aws.amazon.com/support/home#/case/create), or ask your administrator about the support plan.",
            Some(&support_header),
            Some("An error occurred (SubscriptionRequiredException) when calling the DescribeServices operation: AWS Premium Support Subscription is required to use this service."),
        )),
        ("alarm-list", render::alarm_list(
            &header("cloudwatch describe-alarms", "aws cloudwatch describe-alarms"),
            &alarm_sections(),
            0,
        )),
        ("alarm-list-long", {
            let sections: Vec<render::AlarmSection> = (0..60)
                .map(|i| {
                    // Sparklines and refusals only: a long list has no room for inline images.
                    let mut section = alarm_sections()[1 + i % 2].clone();
                    section.name = format!("api-latency-p99-{i:03}");
                    if i >= 10 {
                        section.chart = None;
                    }
                    section
                })
                .collect();
            render::alarm_list(
                &header("cloudwatch describe-alarms", "aws cloudwatch describe-alarms"),
                &sections,
                0,
            )
        }),
    ]);
    cards.extend(notification_cards());
    cards
}

/// The inline picture of a CPU alarm over 09:00–12:00 UTC, in ALARM for the last hour.
fn inline_chart() -> String {
    use aws_chatops::render::chart::{render_inline_png, MetricChart};
    use base64::Engine as _;
    const T0: i64 = 1_796_288_400;
    let chart = MetricChart {
        title: "CPUUtilization · Average · 5 min".into(),
        unit: Some("Percent".into()),
        points: (0..36)
            .map(|i| {
                (
                    T0 + i * 300,
                    if i < 24 {
                        38.0 + (i % 5) as f64 * 2.0
                    } else {
                        92.0 + (i % 3) as f64 * 2.0
                    },
                )
            })
            .collect(),
        start: T0,
        end: T0 + 3 * 3600,
        threshold: Some(80.0),
        alarm_periods: vec![(T0 + 2 * 3600, T0 + 3 * 3600)],
    };
    let png = render_inline_png(&chart).unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

/// Three alarms of a describe-alarms answer: in ALARM with an inline chart, OK with a
/// sparkline (no public URL, no room inline), INSUFFICIENT_DATA whose chart was refused.
fn alarm_sections() -> Vec<render::AlarmSection> {
    use aws_chatops::notify::message::AlarmState;
    use aws_chatops::render::chart::ChartImage;
    use aws_chatops::render::{AlarmSection, LabeledChart, NotificationButton, Verb};
    let buttons = |record: &str| {
        vec![
            NotificationButton {
                title: "Show logs".into(),
                verb: Verb::ShowLogs,
                record: record.into(),
                index: None,
            },
            NotificationButton {
                title: "Show error logs".into(),
                verb: Verb::ShowErrorLogs,
                record: record.into(),
                index: None,
            },
        ]
    };
    let section = |name: &str, state, reason: &str, image| AlarmSection {
        name: name.into(),
        state,
        reason: reason.into(),
        updated_millis: Some(1_796_294_527_000),
        chart: Some(LabeledChart {
            label: name.into(),
            image,
        }),
        buttons: buttons(REQUEST),
    };
    vec![
        section(
            "web-cpu-high",
            AlarmState::Alarm,
            "Threshold Crossed: 2 out of the last 2 datapoints [95.2 (03/12/26 10:41:00), 93.0 (03/12/26 10:36:00)] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition).",
            // Inline, as without a public URL: the sample renders without a network.
            ChartImage::DataUri {
                uri: inline_chart(),
                alt: "CPUUtilization · Average · 5 min, last 3 hours: 38 to 96 Percent; threshold 80; in ALARM 11:00–12:00 UTC".into(),
            },
        ),
        section(
            "orders-queue-depth",
            AlarmState::Ok,
            "Threshold Crossed: 1 out of the last 1 datapoints [12.0 (03/12/26 10:40:00)] was not greater than the threshold (500.0).",
            ChartImage::Sparkline {
                text: "▂▂▃▂▂▃▄▃▂▂▂▃▂▂▂▃▃▂▂▂▃▂▂▂▂▃▂▂▂▃▂▂▂▂▃▂".into(),
                alt: "ApproximateNumberOfMessagesVisible · Maximum · 5 min, last 3 hours: 3 to 41 Count; threshold 500".into(),
            },
        ),
        section(
            "checkout-errors",
            AlarmState::InsufficientData,
            "Insufficient Data: 3 datapoints were unknown.",
            ChartImage::Unavailable {
                reason: "cloudwatch get-metric-data was refused by the channel guardrail: The channel guardrail ReadOnly does not allow cloudwatch:GetMetricData".into(),
            },
        ),
    ]
}

fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .to_path_buf()
}

#[test]
fn every_conversation_card_matches_its_snapshot_and_fits() {
    let samples = target_dir().join("card-samples");
    std::fs::create_dir_all(&samples).unwrap();
    let cards: Vec<(&str, String)> = cards()
        .into_iter()
        .map(|(name, card)| {
            let content = &card.content;
            assert_eq!(content["version"], "1.5", "{name}");
            let compact = content.to_string();
            assert!(
                compact.len() < render::CARD_BUDGET_BYTES,
                "{name} is {} bytes",
                compact.len()
            );
            assert!(!compact.contains("${"), "{name} has a placeholder left");
            let text = serde_json::to_string_pretty(content).unwrap();
            // Written before any snapshot is compared, so that a changed card can be looked at.
            std::fs::write(samples.join(format!("{name}.json")), &text).unwrap();
            (name, text)
        })
        .collect();
    insta::with_settings!({
        snapshot_path => "snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        for (name, text) in &cards {
            // Inline chart images are pictures, not layout: the snapshot names their size only.
            insta::assert_snapshot!(*name, redact_data_uris(text));
        }
    });
}

#[test]
fn long_output_is_cut_with_a_notice_and_every_button_has_a_fallback() {
    for (name, card) in cards() {
        // A card's `refresh` is no button: clients without Universal Actions ignore it.
        let mut content = card.content.clone();
        if let Some(card) = content.as_object_mut() {
            card.remove("refresh");
        }
        let text = content.to_string();
        let executes = text.matches("\"Action.Execute\"").count();
        let submits = text.matches("\"Action.Submit\"").count();
        assert_eq!(
            executes, submits,
            "{name}: every Action.Execute has an Action.Submit fallback"
        );
    }
    let cut = cards()
        .into_iter()
        .find(|(name, _)| *name == "result-json-cut")
        .unwrap()
        .1
        .content
        .to_string();
    assert!(cut.contains("Output cut:"), "{cut}");
    assert!(cut.contains("of 200 items shown"), "{cut}");
    assert!(cut.contains("Next page"));
}

/// The logs cards (Show logs, a query still running, the log-group form), from fixed inputs.
fn logs_cards() -> Vec<(&'static str, Card)> {
    let query = "fields @timestamp, @logStream, @message | filter @message like /(?i)(error|exception|fail)/ | sort @timestamp asc | limit 30";
    let messages = [
        "START RequestId: 8f2c1a7e-1b2d-4c3e-9f10-aa11bb22cc33 Version: $LATEST",
        "ERROR Unhandled exception: TimeoutError: connect ETIMEDOUT 10.0.3.17:5432 at TCPConnectWrapper.afterConnect [as oncomplete] (node:net:1607:16) while reading order 58311 from the orders table; the request will be retried by the caller with exponential backoff and the failure is counted in the Errors metric of this function",
        "Order 58312 failed validation: missing field `customerId`",
        "END RequestId: 8f2c1a7e-1b2d-4c3e-9f10-aa11bb22cc33",
    ];
    let rows: Vec<render::LogRow> = messages
        .iter()
        .enumerate()
        .map(|(i, message)| render::LogRow {
            timestamp: format!("2026-12-03 10:3{}:0{i}.{:03}", 8 + i / 2, 17 * i),
            stream: "2026/12/03/[$LATEST]5b1c0e8e4c0f4d2f9a7e".to_owned(),
            message: (*message).to_owned(),
        })
        .collect();
    let view = render::LogsView {
        title: "Error logs of orders-api-errors".to_owned(),
        log_groups: vec!["/aws/lambda/orders-api".to_owned()],
        start_millis: 1_796_294_220_000,
        end_millis: 1_796_294_707_000,
        errors_only: true,
        rows,
        status: "Complete".to_owned(),
        console_url: "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D$257E$2528end$257E$25272026-12-03T10*3a45*3a07.000Z$257Estart$257E$25272026-12-03T10*3a37*3a00.000Z$257EtimeType$257E$2527ABSOLUTE$257Etz$257E$2527UTC$257EeditorString$257E$2527fields*20*40timestamp$257EisLiveTail$257Efalse$257Esource$257E$2528$257E$2527*2faws*2flambda*2forders-api$2529$2529".to_owned(),
        command: format!("aws logs start-query --region eu-west-1 --log-group-names /aws/lambda/orders-api --start-time 1796294220 --end-time 1796294707 --query-string '{query}'"),
        refresh: None,
    };
    let running = render::LogsView {
        title: "Logs of orders-api-errors".to_owned(),
        errors_only: false,
        rows: view.rows[..1].to_vec(),
        status: "Running".to_owned(),
        refresh: Some(render::NotificationButton {
            title: "Refresh".to_owned(),
            verb: render::Verb::RefreshLogs,
            record: REQUEST.to_owned(),
            index: None,
        }),
        ..view.clone()
    };
    let form = render::LogGroupsForm {
        title: "Logs of cpu-high".to_owned(),
        reason: "I found no log groups for cpu-high: no aws-chatops:log-groups tag, no mapping in the configuration, no metric filter for its metric, and no Lambda or API Gateway dimension. Choose the log groups to read.".to_owned(),
        choices: ["/aws/lambda/orders-api", "/ecs/checkout", "/ecs/payments", "API-Gateway-Execution-Logs_a1b2c3d4e5/prod"]
            .map(str::to_owned)
            .to_vec(),
        submit: render::NotificationButton {
            title: "Show logs".to_owned(),
            verb: render::Verb::ShowLogs,
            record: REQUEST.to_owned(),
            index: None,
        },
    };
    vec![
        ("logs", render::logs(&view)),
        ("logs-running", render::logs(&running)),
        ("logs-form", render::log_groups_form(&form)),
    ]
}

/// `data:` URIs replaced by their length, so that snapshots stay readable.
fn redact_data_uris(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("\"data:") {
        let end = rest[start + 1..]
            .find('"')
            .map_or(rest.len(), |e| start + 1 + e);
        out.push_str(&rest[..start]);
        out.push_str(&format!("\"data:… ({} bytes)", end - start - 1));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A real alarm chart (render::chart) at half size as a `data:` URI: small enough to inline
/// in a sample card, so that the rendered PNG of the card shows a picture without any network.
fn sample_chart(
    label: &str,
    points: &[f64],
    threshold: f64,
    alarm_from: Option<usize>,
) -> render::LabeledChart {
    use render::chart::{render_png, MetricChart};
    let end = 1_796_294_527; // 2026-12-03T10:42:07Z
    let start = end - 3 * 3600;
    let step = (end - start) / points.len() as i64;
    let points: Vec<(i64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, v)| (start + i as i64 * step, *v))
        .collect();
    let alarm_periods = alarm_from
        .map(|i| vec![(points[i].0, end)])
        .unwrap_or_default();
    let png = render_png(&MetricChart {
        title: label.to_owned(),
        unit: Some("Percent".to_owned()),
        points,
        start,
        end,
        threshold: Some(threshold),
        alarm_periods,
    })
    .unwrap();
    let uri = format!(
        "data:image/png;base64,{}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            half_size_png(&png)
        )
    );
    render::LabeledChart {
        label: label.to_owned(),
        image: render::chart::ChartImage::DataUri {
            uri,
            alt: format!("{label} over the last 3 hours with the threshold {threshold}"),
        },
    }
}

/// The PNG at half its width and height (2×2 pixels averaged), re-encoded.
fn half_size_png(png: &[u8]) -> Vec<u8> {
    let mut decoder = png::Decoder::new(png);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let (half_w, half_h) = (width / 2, height / 2);
    let mut out = Vec::with_capacity(half_w * half_h * 3);
    for y in 0..half_h {
        for x in 0..half_w {
            for c in 0..3 {
                let at = |dx: usize, dy: usize| {
                    u32::from(pixels[((2 * y + dy) * width + 2 * x + dx) * channels + c])
                };
                // Four levels per channel step keep the PNG small; the picture stays legible.
                let mean = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4;
                out.push(((mean / 16) * 17) as u8);
            }
        }
    }
    let mut encoded = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut encoded, half_w as u32, half_h as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder
            .write_header()
            .unwrap()
            .write_image_data(&out)
            .unwrap();
    }
    encoded
}

fn notification_view<'a>(
    notification: &'a aws_chatops::notify::message::Notification,
    charts: &'a [render::LabeledChart],
    buttons: &'a [render::NotificationButton],
) -> render::NotificationView<'a> {
    render::NotificationView {
        notification,
        topic: "ops-alarms",
        charts,
        buttons,
        acknowledged_by: None,
        history: &[],
    }
}

fn notification_fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/notifications/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

// Long on purpose, like `cards`: every notification card from the fixture messages.
/// The notification cards: alarms in each state and kind, each EventBridge layout, a custom
/// notification, plain text and the digest.
fn notification_cards() -> Vec<(&'static str, Card)> {
    use aws_chatops::notify::message::{AlarmState, Notification};
    use aws_chatops::render::chart::ChartImage;
    use render::{DigestEntry, NotificationButton, NotificationView, Verb};
    let parse = |name: &str| Notification::parse(None, &notification_fixture(name));
    let with_state = |name: &str, state: &str, old: &str, reason: &str| {
        let mut message: Value = serde_json::from_str(&notification_fixture(name)).unwrap();
        message["NewStateValue"] = state.into();
        message["OldStateValue"] = old.into();
        message["NewStateReason"] = reason.into();
        Notification::parse(None, &message.to_string())
    };
    let button = |title: &str, verb, index| NotificationButton {
        title: title.to_owned(),
        verb,
        record: REQUEST.to_owned(),
        index,
    };
    let alarm_buttons = vec![
        button("Show logs", Verb::ShowLogs, None),
        button("Show error logs", Verb::ShowErrorLogs, None),
        button("Show chart", Verb::ShowChart, None),
        button("Acknowledge", Verb::Acknowledge, None),
        button("Describe instance", Verb::RunButton, Some(0)),
    ];
    let cpu = [
        41.0, 44.5, 39.8, 47.2, 52.0, 58.3, 61.2, 66.0, 71.4, 78.9, 85.7, 88.0, 93.4,
    ];
    let cpu_chart = sample_chart("CPUUtilization · Average · 5 min", &cpu, 80.0, Some(10));
    let calm = [
        41.0, 44.5, 39.8, 47.2, 52.0, 58.3, 61.2, 66.0, 71.4, 78.9, 85.7, 72.0, 63.4,
    ];
    let ok_chart = sample_chart("CPUUtilization · Average · 5 min", &calm, 80.0, Some(10));
    let alarm = parse("alarm-metric.json");
    let ok = with_state("alarm-metric.json", "OK", "ALARM", "Threshold Crossed: 1 out of the last 3 datapoints [63.4 (03/12/26 10:57:00)] was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).");
    let insufficient = with_state(
        "alarm-metric.json",
        "INSUFFICIENT_DATA",
        "OK",
        "Insufficient Data: 3 datapoints were unknown.",
    );
    let math = parse("alarm-math.json");
    let composite = parse("alarm-composite.json");
    let eventbridge_alarm = parse("eventbridge-alarm.json");
    let history = [
        "OK → ALARM at 10:42 UTC".to_owned(),
        "ALARM → OK at 09:58 UTC".to_owned(),
        "OK → ALARM at 09:31 UTC".to_owned(),
    ];
    let no_data = [render::LabeledChart {
        label: "CPUUtilization · Average · 5 min".to_owned(),
        image: ChartImage::Unavailable {
            reason: "no datapoints in the last 3 hours".to_owned(),
        },
    }];
    let composite_charts = [
        sample_chart(
            "orders-api-high-cpu: CPUUtilization · Average · 5 min",
            &cpu,
            80.0,
            Some(10),
        ),
        render::LabeledChart {
            label: "orders-api-5xx: HTTPCode_Target_5XX_Count · Sum · 1 min".to_owned(),
            image: ChartImage::Sparkline {
                text: "▁▁▂▁▃▅▇█▇▆".to_owned(),
                alt: "5xx errors rising to 212 a minute".to_owned(),
            },
        },
        render::LabeledChart {
            label: "orders-api-latency-p99: Latency · p99 · 1 min".to_owned(),
            image: ChartImage::Unavailable {
                reason:
                    "this channel may not read cloudwatch:GetMetricData in account 123456789012"
                        .to_owned(),
            },
        },
    ];
    let buttons = &alarm_buttons;
    let mut cards = vec![
        (
            "notification-alarm",
            render::notification(&notification_view(&alarm, &[cpu_chart], buttons)),
        ),
        (
            "notification-alarm-ok",
            render::notification(&NotificationView {
                history: &history,
                acknowledged_by: Some("Ada Lovelace at 10:44 UTC"),
                ..notification_view(&ok, &[ok_chart], buttons)
            }),
        ),
        (
            "notification-alarm-insufficient-data",
            render::notification(&notification_view(&insufficient, &no_data, buttons)),
        ),
        (
            "notification-alarm-math",
            render::notification(&notification_view(&math, &[], buttons)),
        ),
        (
            "notification-alarm-composite",
            render::notification(&notification_view(&composite, &composite_charts, buttons)),
        ),
        (
            "notification-eventbridge-alarm",
            render::notification(&notification_view(&eventbridge_alarm, &[], buttons)),
        ),
    ];
    for (name, fixture) in [
        ("notification-health", "health.json"),
        ("notification-guardduty", "guardduty.json"),
        ("notification-securityhub", "securityhub.json"),
        ("notification-codepipeline", "codepipeline.json"),
        ("notification-custom", "custom.json"),
    ] {
        cards.push((
            name,
            render::notification(&notification_view(&parse(fixture), &[], &[])),
        ));
    }
    let generic = Notification::parse(
        None,
        r#"{"version":"0","id":"ee376907","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2026-12-03T10:30:00Z","region":"eu-west-1","resources":["arn:aws:ec2:eu-west-1:123456789012:instance/i-0a1b2c3d4e5f67890"],"detail":{"instance-id":"i-0a1b2c3d4e5f67890","state":"stopped"}}"#,
    );
    cards.push((
        "notification-event",
        render::notification(&notification_view(&generic, &[], &[])),
    ));
    let text = Notification::parse(
        Some("Maintenance tonight"),
        &notification_fixture("plain.txt"),
    );
    cards.push((
        "notification-text",
        render::notification(&notification_view(&text, &[], &[])),
    ));
    let at = 1_796_294_527_123_i64;
    let entries: Vec<DigestEntry> = [
        ("orders-api-high-cpu", Some(AlarmState::Alarm)),
        ("orders-api-high-cpu", Some(AlarmState::Ok)),
        ("checkout-5xx-rate", Some(AlarmState::Alarm)),
        (
            "GuardDuty: 198.51.100.7 is performing SSH brute force attacks",
            None,
        ),
        ("orders-api-latency-p99", Some(AlarmState::InsufficientData)),
    ]
    .iter()
    .enumerate()
    .map(|(i, (title, state))| DigestEntry {
        at_millis: at - i as i64 * 4_000,
        title: title.to_string(),
        state: *state,
    })
    .collect();
    cards.push((
        "notification-digest",
        render::notification_digest(&entries, 7),
    ));
    cards
}
