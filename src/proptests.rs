//! Property tests of every parser that reads untrusted input: message text, the command
//! grammar with its shorthand and JSON values, `--query`, activity JSON, submitted card data
//! and the access config. Each property is "never panics, never overflows the stack" (an
//! overflow aborts the test binary, so it fails the run too). The CI run keeps the case counts
//! small; `scripts/fuzz-long.sh` runs the same properties with `PROPTEST_CASES` set high.

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::{json, Map, Value};

use crate::bot::text;
use crate::command::{self, CommandError, ParseContext};
use crate::models::Models;
use crate::output::Query;
use crate::teams::Activity;

/// What AWS sends by itself: SNS envelopes, notification messages and their cards.
mod notifications;

/// `default` cases, or `PROPTEST_CASES` when set (the long run). Failures are not written to
/// files: every failure found becomes a named regression test instead.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text made of the pieces that matter to the parsers, repeated up to `max` times: quotes,
/// brackets, operators, mentions, entities and smart punctuation.
fn soup(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pieces), 0..max).prop_map(|parts| parts.concat())
}

const TEXT_PIECES: &[&str] = &[
    " ",
    "a",
    "-",
    "--",
    "—",
    "–",
    "\u{a0}",
    "'",
    "\"",
    "“",
    "”",
    "‘",
    "’",
    "\\",
    "<at>",
    "</at>",
    "aws",
    "&amp;",
    "&lt;",
    "&#39;",
    "&nbsp;",
    "=",
    ",",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "cloudwatch",
    "describe-alarms",
    "--query",
    "--dimensions",
    "Name=",
    "s3",
    "ls",
    "help",
];

const QUERY_PIECES: &[&str] = &[
    "!",
    "(",
    ")",
    "[",
    "]",
    "[?",
    "[*]",
    "[]",
    "[0]",
    "[-1]",
    "[::-1]",
    ".",
    ".a",
    "a",
    "@",
    "|",
    "||",
    "&&",
    "&",
    "==",
    "!=",
    "<",
    ">=",
    "{a:",
    "}",
    ",",
    "*",
    "`1`",
    "`[1,2]`",
    "'x'",
    "\"b\"",
    "length(",
    "sort_by(",
    "map(",
    "merge(",
    "to_string(",
    "[@,@]",
    " ",
];

const SHORTHAND_PIECES: &[&str] = &[
    "a", "=", ",", "[", "]", "{", "}", "'", "\"", "\\", " ", "Name", "Value", "@=", "file://",
    "b=", "{a=", "\\,",
];

const JSON_PIECES: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"a\":",
    "\"Name\":",
    "\"x\"",
    "1",
    "-1.5e3",
    "null",
    "true",
    ",",
    " ",
    "\"\\u0000\"",
    "\"\\ud800\"",
];

const TOML_PIECES: &[&str] = &[
    "[access]\n",
    "[access.accounts.a]\n",
    "[access.channels.c]\n",
    "[[access.x]]\n",
    "id = ",
    "\"123456789012\"",
    "channel_role = ",
    "accounts = ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "=",
    "\n",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "a",
    "1",
    "1979-05-27",
    "true",
    "# c\n",
    ".",
    "tenant_id = ",
    "guardrails = ",
    "\\u00e9",
    " ",
];

/// Arbitrary JSON up to a few levels deep, with keys the activity types know.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::String),
        soup(TEXT_PIECES, 20).prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        let keys = prop::sample::select(
            &[
                "type",
                "text",
                "value",
                "verb",
                "entities",
                "mentioned",
                "id",
                "name",
                "recipient",
                "from",
                "conversation",
                "channelData",
                "action",
                "data",
                "a",
                "request",
            ][..],
        );
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys, inner), 0..6).prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// A unit repeated up to 3000 times: the shape of every crash found so far.
fn deep(units: &'static [&'static str]) -> impl Strategy<Value = String> {
    (prop::sample::select(units), 0usize..3000).prop_map(|(unit, n)| unit.repeat(n))
}

fn parse_chat(text: &str) -> Result<command::Command, CommandError> {
    command::parse(text, Models::global(), ParseContext::Chat)
}

/// The response a query runs on in the properties: nested objects, arrays and scalars.
fn sample_response() -> Value {
    json!({"a": [{"a": [1, 2], "b": "x"}, {"a": {"a": null}, "b": "y"}], "b": [[1], [2, [3]]]})
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn message_text_normalises_tokenises_and_parses(raw in prop_oneof![".{0,300}", soup(TEXT_PIECES, 80)]) {
        let normalized = text::normalize(&raw, &[], None);
        let _ = command::tokenize(&normalized);
        let _ = parse_chat(&normalized);
    }

    #[test]
    fn shorthand_values_parse_or_are_refused(value in prop_oneof![soup(SHORTHAND_PIECES, 120), deep(&["{a=", "[", "[{a=", "a=["])]) {
        let _ = command::shorthand::parse(&value);
        let quoted = value.replace('\'', "'\\''");
        let _ = parse_chat(&format!("cloudwatch list-metrics --dimensions 'Name={quoted}'"));
        let _ = parse_chat(&format!("ec2 describe-instances --filters '{quoted}'"));
    }

    #[test]
    fn json_values_parse_or_are_refused(value in prop_oneof![soup(JSON_PIECES, 120), deep(&["[", "{\"a\":", "[{\"Name\":"]), json_value().prop_map(|v| v.to_string())]) {
        let quoted = value.replace('\'', "'\\''");
        let _ = parse_chat(&format!("cloudwatch list-metrics --dimensions '{quoted}'"));
        let _ = parse_chat(&format!("cloudwatch put-metric-alarm --alarm-name x --dimensions '[{quoted}]'"));
    }

    #[test]
    fn queries_parse_and_evaluate_or_are_refused(expression in prop_oneof![".{0,200}", soup(QUERY_PIECES, 200), deep(&["!", "(", "[", "[?", ".a", "[0]", "&", "|a", "{a:", "[@,@]|", "[*].a", "a==", "!a.", "`[`"])]) {
        if let Ok(query) = Query::parse(&expression) {
            let _ = query.search(&sample_response());
            let _ = query.search(&Value::Null);
        }
        let quoted = expression.replace('\'', "'\\''");
        let _ = parse_chat(&format!("cloudwatch describe-alarms --query '{quoted}'"));
    }

    #[test]
    fn activity_json_deserialises_and_its_text_is_read(body in prop_oneof![
        json_value().prop_map(|v| v.to_string()),
        soup(JSON_PIECES, 200),
        deep(&["[", "{\"text\":", "{\"entities\":[", "{\"value\":{\"verb\":"]),
    ]) {
        if let Ok(activity) = serde_json::from_str::<Activity>(&body) {
            // The bot's own reading of a message: text, or a submitted card's verb.
            let verb = activity.value.as_ref().and_then(|v| v.get("verb")).and_then(Value::as_str);
            let raw = activity.text.clone().or(verb.map(str::to_owned)).unwrap_or_default();
            let normalized = text::normalize(&raw, &activity.entities, activity.recipient.as_ref());
            let _ = command::tokenize(&normalized);
        }
    }

    #[test]
    fn submitted_card_values_are_revalidated(values in prop::collection::vec(prop_oneof![
        json_value(),
        soup(SHORTHAND_PIECES, 60).prop_map(Value::String),
        soup(JSON_PIECES, 60).prop_map(Value::String),
        deep(&["{a=", "[", "!", "("]).prop_map(Value::String),
    ], 0..8)) {
        let (base, fields) = put_metric_alarm_form();
        let mut submitted = Map::new();
        for (field, value) in fields.iter().zip(values) {
            submitted.insert(field.member.clone(), value);
        }
        let _ = crate::prompt::apply_submission(Models::global(), &base, &fields, &submitted);
    }

    #[test]
    fn config_toml_parses_with_spans_or_explains(text in prop_oneof![".{0,300}", soup(TOML_PIECES, 120), deep(&["[", "{a=", "a.", "[[a]]\n"]).prop_map(|d| format!("[access]\nx = {d}"))]) {
        let report = crate::policy::config::check::check_config_text("access.toml", &text);
        prop_assert!(report.ok || !report.text.is_empty());
        let _ = crate::config::Config::from_toml_str(&text);
    }
}

/// The partial invocation and form fields of `cloudwatch put-metric-alarm` with nothing given:
/// the form with the most fields of different kinds among the common commands.
fn put_metric_alarm_form() -> (command::Invocation, Vec<crate::prompt::FormField>) {
    match parse_chat("cloudwatch put-metric-alarm --dimensions Name=a,Value=b") {
        Err(CommandError::MissingRequired {
            invocation,
            missing,
        }) => {
            let members: Vec<String> = missing.into_iter().map(|m| m.member).collect();
            let fields = crate::prompt::form_fields(Models::global(), &invocation, &members);
            (*invocation, fields)
        }
        other => panic!("expected a form, got {other:?}"),
    }
}

/// Named regressions: the deepest inputs of each kind the properties generate, run on half a
/// tokio worker's stack so that the margin is part of the test.
#[test]
fn deep_inputs_of_every_kind_fit_half_a_worker_stack() {
    let outcome = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            // Config: refused by the nesting pre-scan before toml_edit (whose own limit of 80
            // levels did not fit in 1 MiB in a debug build); check-config explains it.
            for unit in ["[", "{a=", "[{a="] {
                let text = format!("[access]\nx = {}", unit.repeat(3000));
                let report = crate::policy::config::check::check_config_text("access.toml", &text);
                assert!(!report.ok);
                assert!(report.text.contains("the limit is 16"), "{}", report.text);
                assert!(crate::config::Config::from_toml_str(&text).is_err());
            }
            // The deepest accepted config text goes through toml_edit.
            for unit in ["[", "{a="] {
                let n = crate::config::toml_limits::MAX_TOML_NESTING;
                let close = if unit == "[" { "]" } else { "}" };
                let text = format!("[access]\nx = {}1{}", unit.repeat(n), close.repeat(n));
                let _ = crate::policy::config::check::check_config_text("access.toml", &text);
                let _ = crate::config::Config::from_toml_str(&text);
            }
            // Activity JSON: serde_json stops at 128 levels; a value just under that is read,
            // its text extracted, and dropped.
            let deep_value = format!("{}1{}", "[".repeat(125), "]".repeat(125));
            let body = format!(
                r#"{{"type":"message","text":"a","value":{{"verb":"x","d":{deep_value}}}}}"#
            );
            let activity: Activity = serde_json::from_str(&body).expect("127 levels in all parse");
            let _ = text::normalize(
                activity.text.as_deref().unwrap_or_default(),
                &activity.entities,
                None,
            );
            let too_deep = format!(r#"{{"value":{}1{}}}"#, "[".repeat(3000), "]".repeat(3000));
            assert!(serde_json::from_str::<Activity>(&too_deep).is_err());
            // Card data: a deep submitted value is rendered to text and re-parsed.
            let (base, fields) = put_metric_alarm_form();
            let mut submitted = Map::new();
            for field in &fields {
                let deep: Value = serde_json::from_str(&deep_value).expect("parses");
                submitted.insert(field.member.clone(), deep);
            }
            let _ = crate::prompt::apply_submission(Models::global(), &base, &fields, &submitted);
        })
        .expect("spawn")
        .join();
    assert!(outcome.is_ok());
}

#[test]
fn the_card_data_property_fills_a_real_form() {
    let (_, fields) = put_metric_alarm_form();
    assert!(fields.len() >= 2, "{} fields", fields.len());
}
