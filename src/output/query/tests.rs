//! `--query` evaluation compared with Python `jmespath`: expression and input in, the compact
//! JSON Python prints out.

use serde_json::{json, Value};

use super::Query;
use crate::output::python::{json_dumps, JsonStyle};

fn check(expression: &str, input: &Value, expected: &str) {
    let result = Query::parse(expression)
        .and_then(|q| q.search(input))
        .unwrap_or_else(|e| panic!("{expression}: {e}"));
    assert_eq!(
        json_dumps(&result, JsonStyle::COMPACT),
        expected,
        "{expression}"
    );
}

/// Expected values come from Python: `jmespath.search(expression, input)` dumped with
/// `json.dumps(separators=(',', ':'))`, which keeps Python's key order.
#[test]
fn evaluates_like_python_jmespath() {
    let alarms = json!({"MetricAlarms": [
        {"AlarmName": "b", "StateValue": "ALARM", "Threshold": 1.0, "Period": 60, "Dims": [{"Name": "x"}]},
        {"AlarmName": "a", "StateValue": "OK", "Threshold": 2.5, "Period": 300, "Dims": []}
    ]});
    let cases = [
        ("MetricAlarms[].AlarmName", r#"["b","a"]"#),
        (
            "MetricAlarms[].{Z: AlarmName, A: StateValue}",
            r#"[{"Z":"b","A":"ALARM"},{"Z":"a","A":"OK"}]"#,
        ),
        (
            "MetricAlarms[?StateValue=='ALARM']",
            r#"[{"AlarmName":"b","StateValue":"ALARM","Threshold":1.0,"Period":60,"Dims":[{"Name":"x"}]}]"#,
        ),
        ("sum(MetricAlarms[].Period)", "360"),
        ("avg(MetricAlarms[].Period)", "180.0"),
        ("max_by(MetricAlarms, &Period).AlarmName", r#""a""#),
        (
            "sort_by(MetricAlarms, &AlarmName)[].AlarmName",
            r#"["a","b"]"#,
        ),
        ("length(MetricAlarms)", "2"),
        (
            "MetricAlarms[0].keys(@)",
            r#"["AlarmName","StateValue","Threshold","Period","Dims"]"#,
        ),
        ("MetricAlarms[].Dims[]", r#"[{"Name":"x"}]"#),
        ("MetricAlarms[].Dims[].Name | [0]", r#""x""#),
        ("MetricAlarms[-1].Threshold", "2.5"),
        ("MetricAlarms[::-1].AlarmName", r#"["a","b"]"#),
        ("ceil(MetricAlarms[1].Threshold)", "3"),
        ("MetricAlarms[?Period > `100`].AlarmName", r#"["a"]"#),
        ("!MetricAlarms[0].Period", "null"),
        ("!(MetricAlarms[0].Period)", "false"),
        ("missing || 'x'", r#""x""#),
        ("to_string(MetricAlarms[0].Dims)", r#""[{\"Name\":\"x\"}]""#),
        (
            "merge(MetricAlarms[0], `{\"AlarmName\": \"z\"}`).AlarmName",
            r#""z""#,
        ),
        (
            "MetricAlarms[0].*",
            r#"["b","ALARM",1.0,60,[{"Name":"x"}]]"#,
        ),
        ("to_number('12')", "12"),
        ("to_number('1.5')", "1.5"),
        ("`1` == `true`", "false"),
        ("nothing.{a: b}", "null"),
    ];
    for (expression, expected) in cases {
        check(expression, &alarms, expected);
    }
}

/// Python's legacy literal: a backtick literal that is not JSON is a string. Expected values
/// from `jmespath.search` (jmespath 1.1.0, the CLI's) on the same input.
#[test]
fn legacy_literals_are_strings_as_in_python() {
    let input = json!({"A": [
        {"S": "ALARM", "N": 1}, {"S": "OK", "N": 2}, {"S": " ALARM", "N": 3},
        {"S": "ALARM ", "N": 4}, {"S": "a`b", "N": 5}, {"S": "x\ny", "N": 6}
    ]});
    let cases = [
        ("A[?S==`ALARM`].N", "[1]"),
        ("A[?S==` ALARM`].N", "[1]"),
        ("A[?S==`ALARM `].N", "[4]"),
        ("A[?S==`a\\`b`].N", "[5]"),
        ("A[?S==`x\\ny`].N", "[6]"),
        ("A[?S!=`ALARM`] | length(@)", "5"),
        ("`foo bar`", r#""foo bar""#),
        ("`[1, 2`", r#""[1, 2""#),
        ("`1 2`", r#""1 2""#),
        ("`-`", r#""-""#),
        ("`\\\\`", r#""\\""#),
        ("`\"q\"`", r#""q""#),
        ("`\\u00e9`", r#""\u00e9""#),
    ];
    for (expression, expected) in cases {
        check(expression, &input, expected);
    }
    // Python refuses these too ("Bad token").
    for expression in ["`a\"b`", "`\\q`", "`{\"a\":1} x`"] {
        assert!(Query::parse(expression).is_err(), "{expression}");
    }
}
