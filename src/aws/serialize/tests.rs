//! The serialisers against the requests botocore builds, byte for byte.

use serde_json::Value;

use super::*;
use crate::models::Models;

/// The requests botocore 1.43 builds for the same parameters, produced by
/// `scripts/botocore-expected-requests.py`.
const BOTOCORE: &str = include_str!("../testdata/botocore_requests.json");

fn cli_name(service: &str) -> &str {
    if service == "s3" {
        "s3api"
    } else {
        service
    }
}

#[test]
fn requests_match_botocore_byte_for_byte() {
    let cases: Vec<Value> = serde_json::from_str(BOTOCORE).unwrap();
    assert!(cases.len() >= 15);
    for case in cases {
        let service = cli_name(case["service"].as_str().unwrap());
        let operation_key = case["operation"].as_str().unwrap();
        let model = Models::global().service(service).unwrap();
        let operation = &model.operations[operation_key];
        let protocol = Protocol::choose(&model.metadata).unwrap();
        let params = case["params"].as_object().unwrap();
        let request = serialize(protocol, &model, operation_key, operation, params)
            .unwrap_or_else(|e| panic!("{operation_key}: {e}"));
        let label = format!("{service} {operation_key}");
        assert_eq!(request.method, case["method"], "{label}");
        assert_eq!(request.path_and_query(), case["path"], "{label}");
        let expected_headers: Vec<(String, String)> =
            serde_json::from_value(case["headers"].clone()).unwrap();
        assert_eq!(request.headers, expected_headers, "{label}");
        assert_eq!(
            String::from_utf8(request.body).unwrap(),
            case["body"].as_str().unwrap(),
            "{label}"
        );
    }
}

/// `operation_key` of `service` serialised with the json protocol.
fn serialize_json(service: &str, operation_key: &str, params: Value) -> Result<SerializedRequest> {
    let model = Models::global().service(service).unwrap();
    let operation = &model.operations[operation_key];
    let params = params.as_object().unwrap();
    serialize(Protocol::Json, &model, operation_key, operation, params)
}

#[test]
fn host_prefix_labels_are_filled() {
    let params = serde_json::json!({"NamespaceName": "ns", "ServiceName": "svc"});
    let request = serialize_json("servicediscovery", "DiscoverInstances", params).unwrap();
    assert_eq!(request.host_prefix.as_deref(), Some("data-"));
}

#[test]
fn bad_values_are_refused_with_the_reason() {
    let params = serde_json::json!({"StartTime": "last tuesday"});
    let error = serialize_json("cloudwatch", "GetMetricStatistics", params).unwrap_err();
    assert!(
        error.contains("invalid timestamp 'last tuesday'"),
        "{error}"
    );
}
