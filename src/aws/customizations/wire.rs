//! botocore's `before-call` and `request-created` handlers: what single services need in the
//! serialised request beyond the model (headers, an escaped body, a POST, another host).
//! They run on every attempt, before the checksum and the signature.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::is_service;
use crate::aws::serialize::SerializedRequest;
use crate::models::{Operation, ServiceModel};

/// Applies the handlers registered for `operation` to `request`.
pub(in crate::aws) fn before_call(
    model: &ServiceModel,
    operation: &Operation,
    request: &mut SerializedRequest,
) {
    let key = operation.key.as_str();
    if is_service(model, "apigateway") && header(request, "Accept").is_none() {
        // `add_accept_header`: API Gateway answers JSON only when asked for it.
        request
            .headers
            .push(("Accept".into(), "application/json".into()));
    }
    if is_service(model, "glacier") {
        request.headers.push((
            "x-amz-glacier-version".into(),
            model.metadata.api_version.clone(),
        ));
        if matches!(key, "UploadArchive" | "UploadMultipartPart") {
            add_glacier_checksums(request);
        }
    }
    if is_service(model, "s3") && matches!(key, "DeleteObjects" | "PutBucketLifecycleConfiguration")
    {
        escape_xml_payload(request);
    }
    if is_endpoint_discovery_operation(model, key) {
        // `inject_api_version_header_if_needed`.
        request.headers.push((
            "x-amz-api-version".into(),
            model.metadata.api_version.clone(),
        ));
    }
    if is_service(model, "cloudsearchdomain") && key == "Search" {
        change_get_to_post(request);
    }
}

fn header<'r>(request: &'r SerializedRequest, name: &str) -> Option<&'r str> {
    request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The operations the models mark `endpointoperation` (the models we embed keep no such
/// flag): each service's `DescribeEndpoints` of DynamoDB and Timestream.
fn is_endpoint_discovery_operation(model: &ServiceModel, key: &str) -> bool {
    key == "DescribeEndpoints"
        && matches!(
            model.metadata.service_id.as_str(),
            "DynamoDB" | "Timestream Query" | "Timestream Write"
        )
}

/// `add_glacier_checksums`: the SHA-256 of the body and Glacier's tree hash (SHA-256 of each
/// MiB, then of each pair, up to one), both in hex, unless the caller sent them.
fn add_glacier_checksums(request: &mut SerializedRequest) {
    if header(request, "x-amz-content-sha256").is_none() {
        let digest = hex(&Sha256::digest(&request.body));
        request
            .headers
            .push(("x-amz-content-sha256".into(), digest));
    }
    if header(request, "x-amz-sha256-tree-hash").is_none() {
        let tree = tree_hash(&request.body);
        request
            .headers
            .push(("x-amz-sha256-tree-hash".into(), tree));
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// botocore's `calculate_tree_hash`.
fn tree_hash(body: &[u8]) -> String {
    const CHUNK: usize = 1024 * 1024;
    let mut level: Vec<Vec<u8>> = body
        .chunks(CHUNK)
        .map(|chunk| Sha256::digest(chunk).to_vec())
        .collect();
    if level.is_empty() {
        return hex(&Sha256::digest(b""));
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [first, second] => {
                    let mut hasher = Sha256::new();
                    hasher.update(first);
                    hasher.update(second);
                    hasher.finalize().to_vec()
                }
                [single] => single.clone(),
                _ => Vec::new(),
            })
            .collect();
    }
    hex(&level[0])
}

/// `escape_xml_payload`: S3 reads raw line breaks in these bodies as whitespace, so they go
/// out as character references.
fn escape_xml_payload(request: &mut SerializedRequest) {
    if !request.body.iter().any(|&b| b == b'\r' || b == b'\n') {
        return;
    }
    let mut escaped = Vec::with_capacity(request.body.len() + 16);
    for &byte in &request.body {
        match byte {
            b'\r' => escaped.extend_from_slice(b"&#xD;"),
            b'\n' => escaped.extend_from_slice(b"&#xA;"),
            other => escaped.push(other),
        }
    }
    request.body = escaped;
}

/// `change_get_to_post`: CloudSearch's Search goes as a form POST, its query in the body.
fn change_get_to_post(request: &mut SerializedRequest) {
    if request.method != "GET" {
        return;
    }
    let full = request.path_and_query();
    let Some((path, query)) = full.split_once('?') else {
        return;
    };
    request.method = "POST".into();
    request.path = path.to_owned();
    request.body = query.as_bytes().to_vec();
    request.query.clear();
    request.headers.push((
        "Content-Type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
}

/// `switch_host_machinelearning`: Machine Learning's Predict goes to the `PredictEndpoint`
/// it names (its scheme and host, the request's path and query).
pub(in crate::aws) fn switch_host(
    model: &ServiceModel,
    operation: &Operation,
    params: &Map<String, Value>,
    url: String,
) -> String {
    if !is_service(model, "machinelearning") || operation.key != "Predict" {
        return url;
    }
    let Some(endpoint) = params
        .get("PredictEndpoint")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty())
    else {
        return url;
    };
    let (Ok(target), Ok(original)) = (url::Url::parse(endpoint), url::Url::parse(&url)) else {
        return url;
    };
    let authority = match (target.host_str(), target.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return url,
    };
    let mut switched = format!("{}://{authority}{}", target.scheme(), original.path());
    if let Some(query) = original.query() {
        switched.push('?');
        switched.push_str(query);
    }
    switched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;
    use serde_json::json;

    fn request_for(service: &str, operation: &str, request: &mut SerializedRequest) {
        let model = Models::global().service(service).unwrap();
        before_call(&model, &model.operations[operation], request);
    }

    #[test]
    fn service_headers_are_added_as_botocore_adds_them() {
        let mut api = SerializedRequest::default();
        request_for("apigateway", "GetRestApis", &mut api);
        assert_eq!(header(&api, "accept"), Some("application/json"));
        let mut glacier = SerializedRequest {
            body: b"hello".to_vec(),
            ..Default::default()
        };
        request_for("glacier", "UploadArchive", &mut glacier);
        assert_eq!(
            header(&glacier, "x-amz-glacier-version"),
            Some("2012-06-01")
        );
        // Python: hashlib.sha256(b"hello").hexdigest(); one chunk, so the tree hash is the same.
        let sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
        assert_eq!(header(&glacier, "x-amz-content-sha256"), Some(sha));
        assert_eq!(header(&glacier, "x-amz-sha256-tree-hash"), Some(sha));
        let mut dynamodb = SerializedRequest::default();
        request_for("dynamodb", "DescribeEndpoints", &mut dynamodb);
        assert_eq!(header(&dynamodb, "x-amz-api-version"), Some("2012-08-10"));
        let mut scan = SerializedRequest::default();
        request_for("dynamodb", "Scan", &mut scan);
        assert!(scan.headers.is_empty(), "{:?}", scan.headers);
    }

    #[test]
    fn tree_hashes_combine_mebibyte_chunks_in_pairs() {
        // Python: botocore.utils.calculate_tree_hash(io.BytesIO(b"a" * (3 * 1024 * 1024 + 1)))
        let body = vec![b'a'; 3 * 1024 * 1024 + 1];
        let chunk = |bytes: &[u8]| Sha256::digest(bytes).to_vec();
        let pair = |a: &[u8], b: &[u8]| {
            let mut h = Sha256::new();
            h.update(a);
            h.update(b);
            h.finalize().to_vec()
        };
        let mib = chunk(&body[..1024 * 1024]);
        let last = chunk(b"a");
        let expected = pair(&pair(&mib, &mib), &pair(&mib, &last));
        assert_eq!(tree_hash(&body), hex(&expected));
        assert_eq!(tree_hash(b""), hex(&Sha256::digest(b"")));
    }

    #[test]
    fn s3_line_breaks_are_escaped_and_cloudsearch_posts_its_query() {
        let mut delete = SerializedRequest {
            body: b"<Key>a\r\nb</Key>".to_vec(),
            ..Default::default()
        };
        request_for("s3api", "DeleteObjects", &mut delete);
        assert_eq!(delete.body, b"<Key>a&#xD;&#xA;b</Key>");
        let mut search = SerializedRequest {
            method: "GET".into(),
            path: "/2013-01-01/search?format=sdk&pretty=true".into(),
            query: vec![("q".into(), "a b".into())],
            ..Default::default()
        };
        request_for("cloudsearchdomain", "Search", &mut search);
        assert_eq!(search.method, "POST");
        assert_eq!(search.path_and_query(), "/2013-01-01/search");
        assert_eq!(search.body, b"format=sdk&pretty=true&q=a%20b");
    }

    #[test]
    fn predict_goes_to_its_own_endpoint() {
        let model = Models::global().service("machinelearning").unwrap();
        let operation = &model.operations["Predict"];
        let params =
            json!({"MLModelId": "m", "PredictEndpoint": "https://realtime.example.com:8443"});
        let switched = switch_host(
            &model,
            operation,
            params.as_object().unwrap(),
            "https://machinelearning.us-east-1.amazonaws.com/".into(),
        );
        assert_eq!(switched, "https://realtime.example.com:8443/");
    }
}
