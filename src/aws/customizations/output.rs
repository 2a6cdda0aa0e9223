//! botocore's `after-call` handlers: what the AWS CLI shows differs from the parsed response
//! for a few operations (a template body as JSON, console output decoded, S3 keys decoded).
//! They run on each page, before the paginator reads its next token.

use base64::Engine as _;
use serde_json::Value;

use super::{is_service, HandlerContext};
use crate::models::{Operation, ServiceModel};

/// Applies the handlers registered for `operation` to one parsed page.
pub(in crate::aws) fn after_call(
    model: &ServiceModel,
    operation: &Operation,
    context: HandlerContext,
    output: &mut Value,
) {
    let key = operation.key.as_str();
    if is_service(model, "cloudformation") && key == "GetTemplate" {
        json_decode_template_body(output);
    }
    if is_service(model, "ec2") && key == "GetConsoleOutput" {
        decode_console_output(output);
    }
    if is_service(model, "s3") && context.encoding_type_auto_set {
        let (top, nested): (&[&str], &[(&str, &str)]) = match key {
            "ListObjects" => (
                &["Delimiter", "Marker", "NextMarker"],
                &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
            ),
            "ListObjectsV2" => (
                &["Delimiter", "Prefix", "StartAfter"],
                &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
            ),
            "ListObjectVersions" => (
                &["KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"],
                &[
                    ("Versions", "Key"),
                    ("DeleteMarkers", "Key"),
                    ("CommonPrefixes", "Prefix"),
                ],
            ),
            _ => return,
        };
        decode_list_keys(output, top, nested);
    }
}

/// `json_decode_template_body`: a JSON template is shown as JSON, a YAML one as its text.
fn json_decode_template_body(output: &mut Value) {
    let Some(body) = output.get_mut("TemplateBody") else {
        return;
    };
    if let Some(text) = body.as_str() {
        if let Ok(decoded) = serde_json::from_str::<Value>(text) {
            *body = decoded;
        }
    }
}

/// `decode_console_output`: the console output arrives in base64 and is shown as text
/// (invalid UTF-8 replaced). Like Python's `b64decode`, characters outside the alphabet are
/// skipped; text that still does not decode is shown as it came.
fn decode_console_output(output: &mut Value) {
    let Some(Value::String(text)) = output.get_mut("Output") else {
        return;
    };
    let alphabet: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    if let Ok(bytes) = lenient.decode(alphabet) {
        *text = String::from_utf8_lossy(&bytes).into_owned();
    }
}

/// `_decode_list_object`: keys come back URL-encoded when we asked for it; shown decoded
/// (Python's `unquote_plus`).
fn decode_list_keys(output: &mut Value, top: &[&str], nested: &[(&str, &str)]) {
    if output.get("EncodingType").and_then(Value::as_str) != Some("url") {
        return;
    }
    for key in top {
        if let Some(Value::String(text)) = output.get_mut(*key) {
            *text = unquote_plus(text);
        }
    }
    for (list, child) in nested {
        let Some(Value::Array(items)) = output.get_mut(*list) else {
            continue;
        };
        for item in items {
            if let Some(Value::String(text)) = item.get_mut(*child) {
                *text = unquote_plus(text);
            }
        }
    }
}

/// Python's `urllib.parse.unquote_plus`: `+` is a space, `%XX` a byte, UTF-8 decoded with
/// invalid sequences replaced.
fn unquote_plus(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;
    use serde_json::json;

    fn after(service: &str, operation: &str, context: HandlerContext, mut output: Value) -> Value {
        let model = Models::global().service(service).unwrap();
        after_call(&model, &model.operations[operation], context, &mut output);
        output
    }

    #[test]
    fn json_templates_are_shown_as_json_in_their_order_and_yaml_as_text() {
        let body = r#"{"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "AWSTemplateFormatVersion": "2010-09-09"}"#;
        let shown = after(
            "cloudformation",
            "GetTemplate",
            HandlerContext::default(),
            json!({"TemplateBody": body, "StagesAvailable": ["Original"]}),
        );
        assert_eq!(
            serde_json::to_string(&shown["TemplateBody"]).unwrap(),
            r#"{"Resources":{"Topic":{"Type":"AWS::SNS::Topic"}},"AWSTemplateFormatVersion":"2010-09-09"}"#
        );
        let yaml = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n";
        let shown = after(
            "cloudformation",
            "GetTemplate",
            HandlerContext::default(),
            json!({"TemplateBody": yaml}),
        );
        assert_eq!(shown["TemplateBody"], yaml);
    }

    #[test]
    fn console_output_is_decoded() {
        let shown = after(
            "ec2",
            "GetConsoleOutput",
            HandlerContext::default(),
            json!({"InstanceId": "i-1", "Output": "aGVsbG8g\nd29ybGQ=", "Timestamp": "t"}),
        );
        assert_eq!(shown["Output"], "hello world");
        let broken = after(
            "ec2",
            "GetConsoleOutput",
            HandlerContext::default(),
            json!({"Output": "abc"}),
        );
        assert_eq!(broken["Output"], "abc");
    }

    #[test]
    fn listed_keys_are_decoded_only_when_we_asked_for_the_encoding() {
        let page = json!({"Contents": [{"Key": "a%20b%2541%2B%C3%A9.txt"}],
                          "Prefix": "a+b", "EncodingType": "url"});
        let auto = HandlerContext {
            encoding_type_auto_set: true,
        };
        let shown = after("s3api", "ListObjectsV2", auto, page.clone());
        assert_eq!(shown["Contents"][0]["Key"], "a b%41+é.txt");
        assert_eq!(shown["Prefix"], "a b");
        let asked = after(
            "s3api",
            "ListObjectsV2",
            HandlerContext::default(),
            page.clone(),
        );
        assert_eq!(asked, page);
    }
}
