//! Table tests of the formatters against strings printed by the AWS CLI's own formatters.
//!
//! `cases.json` is data produced by `scripts/gen-output-cases.py`, which runs awscli 1.45.11's
//! `get_formatter(...)` on each input (stdout not a terminal, so 80 columns and no colour).

use serde_json::Value;

use super::*;

fn check_format(case: &Value, format: OutputFormat, key: &str) -> Result<(), String> {
    let operation = case["operation"].as_str().expect("operation");
    let query = case["query"].as_str();
    let actual = render(
        &case["input"],
        format,
        query,
        &RenderContext::new(operation),
    );
    match (&case[key], actual) {
        (Value::String(expected), Ok(actual)) if *expected == actual => Ok(()),
        (Value::Object(_), Err(_)) => Ok(()),
        (expected, actual) => Err(format!(
            "{operation} --query {query:?} --output {key}\n--- expected (awscli)\n{}\n--- actual\n{}\n",
            expected.as_str().map_or_else(|| expected.to_string(), str::to_owned),
            match actual {
                Ok(text) => text,
                Err(e) => format!("error: {e}"),
            }
        )),
    }
}

#[test]
fn formats_like_the_aws_cli() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("cases.json")).expect("cases.json parses");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        for (format, key) in [
            (OutputFormat::Json, "json"),
            (OutputFormat::Text, "text"),
            (OutputFormat::Table, "table"),
        ] {
            checked += 1;
            if let Err(failure) = check_format(case, format, key) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} outputs differ from the AWS CLI:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_narrow_terminal_turns_single_row_sections_vertical() {
    let value = serde_json::json!({"Account": "123456789012", "Arn": "arn", "UserId": "AID"});
    let mut context = RenderContext::new("GetCallerIdentity");
    // Both expected strings printed by awscli's TableFormatter, the second with
    // `awscli.table.determine_terminal_width` patched to return 20.
    let wide = render(&value, OutputFormat::Table, None, &context).unwrap();
    assert_eq!(wide, "-----------------------------------\n|        GetCallerIdentity        |\n+---------------+------+----------+\n|    Account    | Arn  | UserId   |\n+---------------+------+----------+\n|  123456789012 |  arn |  AID     |\n+---------------+------+----------+\n");
    context.terminal_width = 20;
    let narrow = render(&value, OutputFormat::Table, None, &context).unwrap();
    assert_eq!(narrow, "-----------------------------\n|     GetCallerIdentity     |\n+----------+----------------+\n|  Account |  123456789012  |\n|  Arn     |  arn           |\n|  UserId  |  AID           |\n+----------+----------------+\n");
}

#[test]
fn query_syntax_errors_are_reported() {
    let err = render(
        &serde_json::json!({}),
        OutputFormat::Json,
        Some("a[?"),
        &RenderContext::new("X"),
    )
    .unwrap_err();
    assert!(matches!(err, OutputError::InvalidQuery { .. }), "{err}");
}
