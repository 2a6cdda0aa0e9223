//! botocore's `before-parameter-build` handlers: the input rewrites and checks it applies to
//! the caller's parameters before it serialises them, once per request (a retry resends the
//! same parameters, so an idempotency token filled in here is the same on every attempt).

use std::sync::OnceLock;

use base64::Engine as _;
use md5::Digest as _;
use serde_json::{Map, Value};

use super::{is_service, HandlerContext};
use crate::aws::serialize::percent_encode_keeping_slash;
use crate::models::{Operation, ServiceModel};

/// The parameters to send for one request of `operation`, with what the output handlers
/// need to know; an error is botocore's `ParamValidationError`, as the CLI words it.
pub(in crate::aws) fn before_parameter_build(
    model: &ServiceModel,
    operation: &Operation,
    params: &Map<String, Value>,
) -> Result<(Map<String, Value>, HandlerContext), String> {
    let mut params = params.clone();
    let mut context = HandlerContext::default();
    fill_idempotency_tokens(model, operation, &mut params);
    let key = operation.key.as_str();
    if is_service(model, "route53") {
        fix_route53_ids(model, operation, &mut params);
    }
    if (is_service(model, "ec2") && key == "RunInstances")
        || (is_service(model, "autoscaling") && key == "CreateLaunchConfiguration")
    {
        base64_encode_user_data(&mut params);
    }
    if is_service(model, "glacier") && !matches!(params.get("accountId"), Some(v) if !v.is_null()) {
        // `inject_account_id`: "-" is the account of the credentials.
        params.insert("accountId".into(), Value::String("-".into()));
    }
    if is_service(model, "s3") {
        s3_parameters(key, &mut params, &mut context)?;
    }
    Ok((params, context))
}

/// `generate_idempotent_uuid`: top-level idempotency tokens the caller left out get a UUID.
fn fill_idempotency_tokens(
    model: &ServiceModel,
    operation: &Operation,
    params: &mut Map<String, Value>,
) {
    let Some(input) = model.input_shape(operation) else {
        return;
    };
    for (name, member) in &input.members {
        if member.idempotency_token && !params.contains_key(name) {
            params.insert(
                name.clone(),
                Value::String(uuid::Uuid::new_v4().to_string()),
            );
        }
    }
}

/// `fix_route53_ids`: Route 53 ids are accepted with their `/hostedzone/` (`/change/`,
/// `/delegationset/`) prefix, as other Route 53 operations return them.
fn fix_route53_ids(model: &ServiceModel, operation: &Operation, params: &mut Map<String, Value>) {
    let Some(input) = model.input_shape(operation) else {
        return;
    };
    for (name, member) in &input.members {
        if !matches!(
            member.shape.as_str(),
            "ResourceId" | "DelegationSetId" | "ChangeId"
        ) {
            continue;
        }
        if let Some(Value::String(id)) = params.get_mut(name) {
            if let Some(last) = id.rsplit('/').next() {
                *id = last.to_owned();
            }
        }
    }
}

/// `base64_encode_user_data`: EC2 wants the user data in base64; the CLI takes it as text.
fn base64_encode_user_data(params: &mut Map<String, Value>) {
    if let Some(value) = params.get_mut("UserData") {
        let text = text_of(value);
        *value = Value::String(base64::engine::general_purpose::STANDARD.encode(text));
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The S3 handlers, in botocore's order.
fn s3_parameters(
    key: &str,
    params: &mut Map<String, Value>,
    context: &mut HandlerContext,
) -> Result<(), String> {
    validate_bucket_name(params)?;
    if matches!(key, "ListObjects" | "ListObjectsV2" | "ListObjectVersions")
        && !params.contains_key("EncodingType")
    {
        // `set_list_objects_encoding_type_url`: keys that XML cannot carry come back encoded,
        // and the output handler decodes them again.
        params.insert("EncodingType".into(), Value::String("url".into()));
        context.encoding_type_auto_set = true;
    }
    if matches!(key, "CopyObject" | "UploadPartCopy") {
        if let Some(Value::String(source)) = params.get_mut("CopySource") {
            *source = quote_copy_source(source);
        }
    }
    if matches!(key, "CopyObject" | "PutObject" | "CreateMultipartUpload") {
        validate_ascii_metadata(params)?;
    }
    if matches!(
        key,
        "HeadObject"
            | "GetObject"
            | "PutObject"
            | "CopyObject"
            | "CreateMultipartUpload"
            | "UploadPart"
            | "UploadPartCopy"
            | "CompleteMultipartUpload"
            | "SelectObjectContent"
    ) {
        sse_md5(params, "SSECustomer");
    }
    if matches!(key, "CopyObject" | "UploadPartCopy") {
        sse_md5(params, "CopySourceSSECustomer");
    }
    Ok(())
}

const VALID_BUCKET: &str = r"^[a-zA-Z0-9.\-_]{1,255}$";
const VALID_S3_ARN: &str = concat!(
    r"^arn:(aws).*:(s3|s3-object-lambda):[a-z\-0-9]*:[0-9]{12}:accesspoint[/:]",
    r"[a-zA-Z0-9\-.]{1,63}$",
    "|",
    r"^arn:(aws).*:s3-outposts:[a-z\-0-9]+:[0-9]{12}:outpost[/:]",
    r"[a-zA-Z0-9\-]{1,63}[/:]accesspoint[/:][a-zA-Z0-9\-]{1,63}$",
);

/// `validate_bucket_name`: a bucket name or an access point ARN, refused before anything is
/// sent with botocore's words.
fn validate_bucket_name(params: &Map<String, Value>) -> Result<(), String> {
    static PATTERNS: OnceLock<(regex::Regex, regex::Regex)> = OnceLock::new();
    let Some(Value::String(bucket)) = params.get("Bucket") else {
        return Ok(());
    };
    let (valid, arn) = PATTERNS.get_or_init(|| {
        (
            regex::Regex::new(VALID_BUCKET).expect("the bucket pattern compiles"),
            regex::Regex::new(VALID_S3_ARN).expect("the ARN pattern compiles"),
        )
    });
    if valid.is_match(bucket) || arn.is_match(bucket) {
        return Ok(());
    }
    Err(format!(
        "Parameter validation failed:\nInvalid bucket name \"{bucket}\": Bucket name must match \
         the regex \"{VALID_BUCKET}\" or be an ARN matching the regex \"{VALID_S3_ARN}\""
    ))
}

/// `handle_copy_source_param`: the key part of `bucket/key[?versionId=id]` percent-encoded
/// (slashes kept), the version id suffix left as it is.
fn quote_copy_source(source: &str) -> String {
    const SUFFIX: &str = "?versionId=";
    let version_at = source.match_indices(SUFFIX).map(|(at, _)| at).find(|&at| {
        let id = &source[at + SUFFIX.len()..];
        !id.is_empty() && !id.chars().any(char::is_whitespace)
    });
    match version_at {
        Some(at) => format!(
            "{}{}",
            percent_encode_keeping_slash(&source[..at]),
            &source[at..]
        ),
        None => percent_encode_keeping_slash(source),
    }
}

/// `validate_ascii_metadata`: S3 keeps user metadata in US-ASCII.
fn validate_ascii_metadata(params: &Map<String, Value>) -> Result<(), String> {
    let Some(Value::Object(metadata)) = params.get("Metadata") else {
        return Ok(());
    };
    for (key, value) in metadata {
        let value = text_of(value);
        if !key.is_ascii() || !value.is_ascii() {
            return Err(format!(
                "Parameter validation failed:\nNon ascii characters found in S3 metadata for key \
                 \"{key}\", value: \"{value}\".  \nS3 metadata can only contain ASCII characters. "
            ));
        }
    }
    Ok(())
}

/// `sse_md5`: an SSE-C key is sent in base64 with the base64 MD5 of its bytes, unless the
/// caller gave the MD5 (then both are sent as given).
fn sse_md5(params: &mut Map<String, Value>, prefix: &str) {
    let key_member = format!("{prefix}Key");
    let md5_member = format!("{prefix}KeyMD5");
    if params.contains_key(&md5_member) {
        return;
    }
    let key = match params.get(&key_member) {
        None | Some(Value::Null) => return,
        Some(value) => text_of(value),
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let digest = md5::Md5::digest(key.as_bytes());
    params.insert(key_member, Value::String(engine.encode(key.as_bytes())));
    params.insert(md5_member, Value::String(engine.encode(digest)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;
    use serde_json::json;

    fn build(service: &str, operation: &str, params: Value) -> Result<Map<String, Value>, String> {
        let model = Models::global().service(service).unwrap();
        let params = params.as_object().cloned().unwrap();
        before_parameter_build(&model, &model.operations[operation], &params).map(|(p, _)| p)
    }

    #[test]
    fn missing_idempotency_tokens_get_a_uuid_and_given_ones_stay() {
        let filled = build("ec2", "RunInstances", json!({})).unwrap();
        let token = filled["ClientToken"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(token).is_ok(), "{token}");
        let kept = build("ec2", "RunInstances", json!({"ClientToken": "mine"})).unwrap();
        assert_eq!(kept["ClientToken"], "mine");
    }

    #[test]
    fn user_data_goes_out_in_base64_for_ec2_and_launch_configurations() {
        let ec2 = build(
            "ec2",
            "RunInstances",
            json!({"UserData": "#!/bin/sh\necho hi\n"}),
        );
        assert_eq!(ec2.unwrap()["UserData"], "IyEvYmluL3NoCmVjaG8gaGkK");
        let asg = build(
            "autoscaling",
            "CreateLaunchConfiguration",
            json!({"LaunchConfigurationName": "l", "UserData": "é"}),
        );
        assert_eq!(asg.unwrap()["UserData"], "w6k=");
        // Other operations' UserData (a launch template's) are sent as given.
        let other = build(
            "ec2",
            "CreateLaunchTemplate",
            json!({"LaunchTemplateName": "t", "LaunchTemplateData": {"UserData": "abc"}}),
        );
        assert_eq!(other.unwrap()["LaunchTemplateData"]["UserData"], "abc");
    }

    #[test]
    fn sse_c_keys_go_out_in_base64_with_their_md5() {
        let key = "01234567890123456789012345678901";
        let sent = build(
            "s3api",
            "CopyObject",
            json!({"Bucket": "b", "Key": "k", "CopySource": "src/k",
                   "SSECustomerKey": key, "CopySourceSSECustomerKey": key}),
        )
        .unwrap();
        // Python: base64.b64encode(hashlib.md5(key.encode()).digest())
        assert_eq!(
            sent["SSECustomerKey"],
            "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="
        );
        assert_eq!(sent["SSECustomerKeyMD5"], "KYvwGXoFFJ42a2u2GDWhwQ==");
        assert_eq!(
            sent["CopySourceSSECustomerKeyMD5"],
            "KYvwGXoFFJ42a2u2GDWhwQ=="
        );
        let given = build(
            "s3api",
            "PutObject",
            json!({"Bucket": "b", "Key": "k", "SSECustomerKey": "raw", "SSECustomerKeyMD5": "m"}),
        )
        .unwrap();
        assert_eq!(
            (
                given["SSECustomerKey"].clone(),
                given["SSECustomerKeyMD5"].clone()
            ),
            (json!("raw"), json!("m"))
        );
    }

    #[test]
    fn copy_sources_are_percent_encoded_but_their_version_id() {
        let cases = [
            ("bucket/dir/a b+c%41.txt", "bucket/dir/a%20b%2Bc%2541.txt"),
            ("bucket/k?versionId=v1+x", "bucket/k?versionId=v1+x"),
            ("bucket/é?versionId=", "bucket/%C3%A9%3FversionId%3D"),
            ("bucket/-._~", "bucket/-._~"),
        ];
        for (given, sent) in cases {
            assert_eq!(quote_copy_source(given), sent, "{given}");
        }
    }

    #[test]
    fn s3_refusals_read_like_botocores() {
        let error = build("s3api", "ListObjects", json!({"Bucket": "a b"})).unwrap_err();
        assert!(
            error.starts_with("Parameter validation failed:\nInvalid bucket name \"a b\": Bucket name must match the regex \"^[a-zA-Z0-9.\\-_]{1,255}$\" or be an ARN"),
            "{error}"
        );
        let arn = "arn:aws:s3:us-east-1:123456789012:accesspoint/my-ap";
        assert!(build("s3api", "ListObjects", json!({"Bucket": arn})).is_ok());
        let error = build(
            "s3api",
            "PutObject",
            json!({"Bucket": "b", "Key": "k", "Metadata": {"a": "é"}}),
        )
        .unwrap_err();
        assert_eq!(
            error,
            "Parameter validation failed:\nNon ascii characters found in S3 metadata for key \
             \"a\", value: \"é\".  \nS3 metadata can only contain ASCII characters. "
        );
    }

    #[test]
    fn listings_ask_for_url_encoded_keys_unless_the_caller_chose() {
        let model = Models::global().service("s3api").unwrap();
        let operation = &model.operations["ListObjectsV2"];
        let params = json!({"Bucket": "b"}).as_object().cloned().unwrap();
        let (sent, context) = before_parameter_build(&model, operation, &params).unwrap();
        assert_eq!(sent["EncodingType"], "url");
        assert!(context.encoding_type_auto_set);
        let mut chosen = params.clone();
        chosen.insert("EncodingType".into(), json!("url"));
        let (_, context) = before_parameter_build(&model, operation, &chosen).unwrap();
        assert!(!context.encoding_type_auto_set);
    }

    #[test]
    fn glacier_defaults_to_the_callers_account_and_route53_ids_lose_their_prefix() {
        let glacier = build("glacier", "ListVaults", json!({})).unwrap();
        assert_eq!(glacier["accountId"], "-");
        let given = build(
            "glacier",
            "ListVaults",
            json!({"accountId": "123456789012"}),
        )
        .unwrap();
        assert_eq!(given["accountId"], "123456789012");
        let route53 = build("route53", "GetHostedZone", json!({"Id": "/hostedzone/Z1"})).unwrap();
        assert_eq!(route53["Id"], "Z1");
    }
}
