//! `--query` evaluation compared with Python `jmespath`: expression and input in, the compact
//! JSON Python prints out.

use serde_json::{json, Value};

use super::Query;
use crate::output::python::{json_dumps, JsonStyle};

fn check(expression: &str, input: Value, expected: &str) {
    let result = Query::parse(expression)
        .and_then(|q| q.search(&input))
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
    check("MetricAlarms[].AlarmName", alarms.clone(), r#"["b","a"]"#);
    check(
        "MetricAlarms[].{Z: AlarmName, A: StateValue}",
        alarms.clone(),
        r#"[{"Z":"b","A":"ALARM"},{"Z":"a","A":"OK"}]"#,
    );
    check(
        "MetricAlarms[?StateValue=='ALARM']",
        alarms.clone(),
        r#"[{"AlarmName":"b","StateValue":"ALARM","Threshold":1.0,"Period":60,"Dims":[{"Name":"x"}]}]"#,
    );
    check("sum(MetricAlarms[].Period)", alarms.clone(), "360");
    check("avg(MetricAlarms[].Period)", alarms.clone(), "180.0");
    check(
        "max_by(MetricAlarms, &Period).AlarmName",
        alarms.clone(),
        r#""a""#,
    );
    check(
        "sort_by(MetricAlarms, &AlarmName)[].AlarmName",
        alarms.clone(),
        r#"["a","b"]"#,
    );
    check("length(MetricAlarms)", alarms.clone(), "2");
    check(
        "MetricAlarms[0].keys(@)",
        alarms.clone(),
        r#"["AlarmName","StateValue","Threshold","Period","Dims"]"#,
    );
    check("MetricAlarms[].Dims[]", alarms.clone(), r#"[{"Name":"x"}]"#);
    check("MetricAlarms[].Dims[].Name | [0]", alarms.clone(), r#""x""#);
    check("MetricAlarms[-1].Threshold", alarms.clone(), "2.5");
    check(
        "MetricAlarms[::-1].AlarmName",
        alarms.clone(),
        r#"["a","b"]"#,
    );
    check("ceil(MetricAlarms[1].Threshold)", alarms.clone(), "3");
    check(
        "MetricAlarms[?Period > `100`].AlarmName",
        alarms.clone(),
        r#"["a"]"#,
    );
    check("!MetricAlarms[0].Period", alarms.clone(), "null");
    check("!(MetricAlarms[0].Period)", alarms.clone(), "false");
    check("missing || 'x'", alarms.clone(), r#""x""#);
    check(
        "to_string(MetricAlarms[0].Dims)",
        alarms.clone(),
        r#""[{\"Name\":\"x\"}]""#,
    );
    check(
        "merge(MetricAlarms[0], `{\"AlarmName\": \"z\"}`).AlarmName",
        alarms.clone(),
        r#""z""#,
    );
    check(
        "MetricAlarms[0].*",
        alarms.clone(),
        r#"["b","ALARM",1.0,60,[{"Name":"x"}]]"#,
    );
    check("to_number('12')", alarms.clone(), "12");
    check("to_number('1.5')", alarms.clone(), "1.5");
    check("`1` == `true`", alarms.clone(), "false");
    check("nothing.{a: b}", alarms, "null");
}
