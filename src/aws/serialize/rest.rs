//! The rest-json and rest-xml protocols: members placed into the URI, the query string and
//! headers by their `location`, the rest into a JSON or XML body or the payload member
//! (botocore's `BaseRestSerializer`).

use base64::Engine as _;
use percent_encoding::utf8_percent_encode;
use serde_json::{Map, Value};

use super::json::json_value;
use super::rest_xml::xml_value;
use super::scalar::{expect_array, expect_object, scalar_text, text_of, timestamp_wire};
use super::{percent_encode, OperationInput, Result, SerializedRequest, UNRESERVED_AND_SLASH};
use crate::aws::shape::{Member, Protocol, Resolved};
use crate::models::{ServiceModel, ShapeType};
use crate::output::{json_dumps, JsonStyle};

/// Fills the path, query, headers and body; `protocol` is `RestJson` or `RestXml`.
pub(super) fn serialize_rest(
    protocol: Protocol,
    call: &OperationInput<'_>,
    request: &mut SerializedRequest,
) -> Result<()> {
    let template = call.operation.http.request_uri.as_str();
    let Some(input) = call.input else {
        request.path = template.to_owned();
        return Ok(());
    };
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut body_params = Map::new();
    for given in input.given_members(call.model, call.params) {
        let (member, value) = given?;
        let (key, shape, wire_name) = (member.key, member.resolved, member.wire_name().to_owned());
        match shape.location {
            Some("uri") => labels.push((wire_name, scalar_text(shape, value, "iso8601")?)),
            Some("querystring") => push_query(call.model, member, value, request)?,
            Some("header") => {
                if shape.kind() == ShapeType::List && value.as_array().is_some_and(Vec::is_empty) {
                    continue;
                }
                request
                    .headers
                    .push((wire_name, header_text(call.model, shape, value)?));
            }
            Some("headers") => {
                for (k, v) in expect_object(value, key)? {
                    request
                        .headers
                        .push((format!("{wire_name}{k}"), text_of(v)));
                }
            }
            _ => {
                body_params.insert(key.to_owned(), value.clone());
            }
        }
    }
    request.path = render_uri(template, &labels)?;
    fill_body(protocol, call, input, body_params, request)
}

/// A `querystring` member: a map spreads its entries, a list repeats its name.
fn push_query(
    model: &ServiceModel,
    member: Member<'_>,
    value: &Value,
    request: &mut SerializedRequest,
) -> Result<()> {
    let (key, shape, wire_name) = (member.key, member.resolved, member.wire_name());
    match shape.kind() {
        ShapeType::Map => {
            for (k, v) in expect_object(value, key)? {
                match v {
                    Value::Array(items) => request
                        .query
                        .extend(items.iter().map(|item| (k.clone(), text_of(item)))),
                    other => request.query.push((k.clone(), text_of(other))),
                }
            }
        }
        ShapeType::List => {
            let element = shape.list_element(model)?;
            for item in expect_array(value, key)? {
                request
                    .query
                    .push((wire_name.to_owned(), scalar_text(element, item, "iso8601")?));
            }
        }
        _ => request
            .query
            .push((wire_name.to_owned(), scalar_text(shape, value, "iso8601")?)),
    }
    Ok(())
}

/// The body: the payload member when the input names one, otherwise the members that went
/// nowhere else; rest-json sends `{}` rather than nothing when the input has body members.
fn fill_body(
    protocol: Protocol,
    call: &OperationInput<'_>,
    input: Resolved<'_>,
    body_params: Map<String, Value>,
    request: &mut SerializedRequest,
) -> Result<()> {
    let (model, params) = (call.model, call.params);
    match input.payload(model)? {
        Some(payload) if matches!(payload.resolved.kind(), ShapeType::Blob | ShapeType::String) => {
            // A streaming or raw payload: the text itself is the body.
            if let Some(value) = params.get(payload.key) {
                request.body = text_of(value).into_bytes();
            }
            return Ok(());
        }
        Some(payload) => match params.get(payload.key) {
            Some(value) if !value.is_null() => {
                request.body = rest_body(protocol, model, payload.resolved, value)?;
            }
            _ => {
                if protocol == Protocol::RestJson {
                    request.body = b"{}".to_vec();
                }
            }
        },
        None => {
            if !body_params.is_empty() {
                request.body = rest_body(protocol, model, input, &Value::Object(body_params))?;
            } else if protocol == Protocol::RestJson
                && input.shape.members.values().any(|m| m.location.is_none())
            {
                request.body = b"{}".to_vec();
            }
        }
    }
    if protocol == Protocol::RestJson
        && !request.body.is_empty()
        && !request
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        request
            .headers
            .push(("Content-Type".into(), "application/json".into()));
    }
    Ok(())
}

fn rest_body(
    protocol: Protocol,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
) -> Result<Vec<u8>> {
    if protocol == Protocol::RestJson {
        return Ok(
            json_dumps(&json_value(model, shape, value)?, JsonStyle::PYTHON_DEFAULT).into_bytes(),
        );
    }
    let root = shape
        .name
        .ok_or("the XML payload shape has no element name")?;
    Ok(xml_value(model, shape, value, root)?.into_bytes())
}

fn render_uri(template: &str, labels: &[(String, String)]) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or("unbalanced requestUri template")?
            + open;
        let label = &rest[open + 1..close];
        let (name, greedy) = match label.strip_suffix('+') {
            Some(name) => (name, true),
            None => (label, false),
        };
        let value = labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| format!("{name} is required: it is part of the request path"))?;
        if greedy {
            out.push_str(&utf8_percent_encode(value, UNRESERVED_AND_SLASH).to_string());
        } else {
            out.push_str(&percent_encode(value));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn header_text(model: &ServiceModel, shape: Resolved<'_>, value: &Value) -> Result<String> {
    Ok(match shape.kind() {
        ShapeType::Timestamp => text_of(&timestamp_wire(
            value,
            shape.timestamp_format.unwrap_or("rfc822"),
        )?),
        ShapeType::List => {
            let element = shape.list_element(model)?;
            let mut parts = Vec::new();
            for item in expect_array(value, "a header list")? {
                if element.kind() == ShapeType::String {
                    let text = text_of(item);
                    if text.contains('"') || text.contains(',') {
                        parts.push(format!("\"{}\"", text.replace('"', "\\\"")));
                    } else {
                        parts.push(text);
                    }
                } else {
                    parts.push(header_text(model, element, item)?);
                }
            }
            parts.join(",")
        }
        ShapeType::String if shape.json_value => {
            let compact = match value {
                Value::String(text) => serde_json::from_str::<Value>(text)
                    .map(|v| v.to_string())
                    .unwrap_or_else(|_| text.clone()),
                other => other.to_string(),
            };
            base64::engine::general_purpose::STANDARD.encode(compact.as_bytes())
        }
        _ => scalar_text(shape, value, "rfc822")?,
    })
}
