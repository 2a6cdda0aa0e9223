//! Request serialisers for the json, rest-json, query, ec2 and rest-xml protocols, following
//! botocore's `serialize.py` so that the bytes on the wire are the ones the AWS CLI sends.
//! Pure: builds a [`SerializedRequest`]; never signs, resolves endpoints or sends.

use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Number, Value};

use super::shape::{resolve, Protocol, Resolved};
use super::timestamp::Timestamp;
use crate::models::{Operation, ServiceModel, ShapeType, XmlNamespace};
use crate::output::{json_dumps, JsonStyle};

/// The protocol-level parts of an HTTP request, before the endpoint and the signature.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct SerializedRequest {
    pub method: String,
    /// The encoded path, which may already carry a query part from the model's `requestUri`.
    pub path: String,
    /// Query parameters, not yet encoded, in botocore's order.
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// `endpoint.hostPrefix` with its labels filled in.
    pub host_prefix: Option<String>,
}

impl SerializedRequest {
    /// The path and query string joined as botocore joins them (`?` or `&`).
    pub fn path_and_query(&self) -> String {
        let mut out = self.path.clone();
        if !self.query.is_empty() {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&encode_query(&self.query));
        }
        out
    }
}

/// botocore's `percent_encode`: everything but ASCII letters, digits and `-_.~`.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Greedy labels (`{Key+}`) keep their slashes.
const UNRESERVED_AND_SLASH: &AsciiSet = &UNRESERVED.remove(b'/');

pub(crate) fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED).to_string()
}

/// botocore's `percent_encode_sequence`: `key=value` pairs joined with `&`, `%20` for spaces.
pub(crate) fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Python's `urlencode(..., doseq=True)` for query-protocol bodies: `quote_plus` with no safe
/// characters beyond letters, digits and `_.-~`.
fn form_encode(pairs: &[(String, String)]) -> String {
    let plus = |text: &str| percent_encode(text).replace("%20", "+");
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", plus(k), plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

type Result<T> = std::result::Result<T, String>;

/// Serialises `params` (keyed by member names, valued as in [`crate::command::Invocation`])
/// for `operation` (the model's key, which is what goes into `Action=` and `X-Amz-Target`).
pub(crate) fn serialize(
    protocol: Protocol,
    model: &ServiceModel,
    operation_key: &str,
    operation: &Operation,
    params: &Map<String, Value>,
) -> Result<SerializedRequest> {
    let input = match &operation.input {
        Some(input) => Some(resolve(model, input)?),
        None => None,
    };
    if input.is_none() && !params.is_empty() {
        return Err(format!("{operation_key} takes no parameters"));
    }
    let mut request = SerializedRequest {
        method: operation.http.method.clone(),
        path: "/".into(),
        ..Default::default()
    };
    request.host_prefix = host_prefix(model, operation, params)?;
    match protocol {
        Protocol::Query | Protocol::Ec2 => {
            let mut pairs = vec![
                ("Action".to_owned(), operation_key.to_owned()),
                ("Version".to_owned(), model.metadata.api_version.clone()),
            ];
            if let Some(input) = input {
                let ec2 = protocol == Protocol::Ec2;
                let object = Value::Object(params.clone());
                query_value(&mut pairs, model, input, &object, "", ec2)?;
            }
            request.headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            ));
            request.body = form_encode(&pairs).into_bytes();
        }
        Protocol::Json => {
            let target = model.metadata.target_prefix.as_deref().unwrap_or_default();
            let version = model.metadata.json_version.as_deref().unwrap_or("1.0");
            request
                .headers
                .push(("X-Amz-Target".into(), format!("{target}.{operation_key}")));
            request.headers.push((
                "Content-Type".into(),
                format!("application/x-amz-json-{version}"),
            ));
            if model.metadata.aws_query_compatible.is_some() {
                request
                    .headers
                    .push(("x-amzn-query-mode".into(), "true".into()));
            }
            let body = match input {
                Some(input) => json_value(model, input, &Value::Object(params.clone()))?,
                None => Value::Object(Map::new()),
            };
            request.body = json_dumps(&body, JsonStyle::PYTHON_DEFAULT).into_bytes();
        }
        Protocol::RestJson | Protocol::RestXml => {
            serialize_rest(protocol, model, operation, input, params, &mut request)?;
        }
    }
    Ok(request)
}

fn host_prefix(
    model: &ServiceModel,
    operation: &Operation,
    params: &Map<String, Value>,
) -> Result<Option<String>> {
    let Some(endpoint) = &operation.endpoint else {
        return Ok(None);
    };
    let mut prefix = endpoint.host_prefix.clone();
    if let Some(input) = model.input_shape(operation) {
        for (name, member) in &input.members {
            if !member.host_label {
                continue;
            }
            let value = params
                .get(name)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{name} is required: it is part of the host name"))?;
            if value.is_empty()
                || !value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            {
                return Err(format!(
                    "Invalid value for parameter(s): {name}. Must contain only alphanumeric \
                     characters, hyphen, or period."
                ));
            }
            prefix = prefix.replace(&format!("{{{name}}}"), value);
        }
    }
    Ok(Some(prefix))
}

// ---- scalar conversions shared by the protocols ----

fn expect_object<'v>(value: &'v Value, what: &str) -> Result<&'v Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| format!("{what} must be a structure (a JSON object)"))
}

fn expect_array<'v>(value: &'v Value, what: &str) -> Result<&'v Vec<Value>> {
    value
        .as_array()
        .ok_or_else(|| format!("{what} must be a list"))
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn timestamp_of(value: &Value) -> Result<Timestamp> {
    match value {
        Value::String(text) => Timestamp::parse(text)
            .ok_or_else(|| format!("invalid timestamp '{text}': use ISO 8601 or epoch seconds")),
        Value::Number(number) => number
            .as_f64()
            .and_then(Timestamp::from_epoch)
            .ok_or_else(|| format!("invalid timestamp {number}")),
        other => Err(format!("invalid timestamp {other}")),
    }
}

/// A timestamp in one of botocore's wire formats, as a JSON value (epoch seconds are numbers).
fn timestamp_wire(value: &Value, format: &str) -> Result<Value> {
    let timestamp = timestamp_of(value)?;
    Ok(match format.to_ascii_lowercase().as_str() {
        "unixtimestamp" => Value::Number(timestamp.to_epoch_seconds().into()),
        "rfc822" => Value::String(timestamp.to_rfc822()),
        _ => Value::String(timestamp.to_wire_iso8601()),
    })
}

fn float_of(value: &Value) -> Result<f64> {
    match value {
        Value::Number(number) => number
            .as_f64()
            .ok_or_else(|| format!("invalid number {number}")),
        Value::String(text) => match text.as_str() {
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            "NaN" => Ok(f64::NAN),
            _ => text.parse().map_err(|_| format!("invalid number '{text}'")),
        },
        other => Err(format!("invalid number {other}")),
    }
}

fn integer_of(value: &Value) -> Result<Value> {
    match value {
        Value::Number(number) if number.is_i64() || number.is_u64() => {
            Ok(Value::Number(number.clone()))
        }
        Value::String(text) => text
            .parse::<i64>()
            .map(|n| Value::Number(n.into()))
            .map_err(|_| format!("invalid integer '{text}'")),
        other => Err(format!("invalid integer {other}")),
    }
}

fn boolean_of(value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("invalid boolean {other}")),
    }
}

fn base64_of(value: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(text_of(value).as_bytes())
}

/// Python's `str()` of a float as botocore writes it into query strings and headers.
fn float_text(value: f64) -> String {
    crate::output::float_repr(value)
}

/// The text of a scalar in a query string, URI label or form body.
fn scalar_text(shape: Resolved<'_>, value: &Value, default_timestamp: &str) -> Result<String> {
    Ok(match shape.kind() {
        ShapeType::Boolean => boolean_of(value)?.to_string(),
        ShapeType::Float | ShapeType::Double => float_text(float_of(value)?),
        ShapeType::Integer | ShapeType::Long => text_of(&integer_of(value)?),
        ShapeType::Timestamp => text_of(&timestamp_wire(
            value,
            shape.timestamp_format.unwrap_or(default_timestamp),
        )?),
        ShapeType::Blob => base64_of(value),
        _ => text_of(value),
    })
}

// ---- query and ec2 ----

fn query_value(
    out: &mut Vec<(String, String)>,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    prefix: &str,
    ec2: bool,
) -> Result<()> {
    let member_name = |resolved: &Resolved<'_>, default: &str| -> String {
        if ec2 {
            if let Some(query_name) = resolved.query_name {
                return query_name.to_owned();
            }
            if let Some(name) = resolved.name {
                let mut chars = name.chars();
                return match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars).collect(),
                    None => String::new(),
                };
            }
            default.to_owned()
        } else {
            resolved.name.unwrap_or(default).to_owned()
        }
    };
    match shape.kind() {
        ShapeType::Structure => {
            for (key, item) in expect_object(value, prefix)? {
                if item.is_null() {
                    continue;
                }
                let member_ref = shape
                    .shape
                    .members
                    .get(key)
                    .ok_or_else(|| format!("unknown parameter {key}"))?;
                let member = resolve(model, member_ref)?;
                let name = member_name(&member, key);
                let member_prefix = if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}.{name}")
                };
                query_value(out, model, member, item, &member_prefix, ec2)?;
            }
        }
        ShapeType::List => {
            let items = expect_array(value, prefix)?;
            let element_ref = shape
                .shape
                .member
                .as_ref()
                .ok_or("a list shape without a member")?;
            let element = resolve(model, element_ref)?;
            let list_prefix = if ec2 {
                prefix.to_owned()
            } else if items.is_empty() {
                out.push((prefix.to_owned(), String::new()));
                return Ok(());
            } else if shape.flattened {
                match element.name {
                    Some(name) => match prefix.rsplit_once('.') {
                        Some((head, _)) => format!("{head}.{name}"),
                        None => name.to_owned(),
                    },
                    None => prefix.to_owned(),
                }
            } else {
                format!("{prefix}.{}", element.name.unwrap_or("member"))
            };
            for (i, item) in items.iter().enumerate() {
                query_value(
                    out,
                    model,
                    element,
                    item,
                    &format!("{list_prefix}.{}", i + 1),
                    ec2,
                )?;
            }
        }
        ShapeType::Map => {
            let entries = expect_object(value, prefix)?;
            let key = resolve(model, shape.shape.key.as_ref().ok_or("a map without key")?)?;
            let val = resolve(
                model,
                shape.shape.value.as_ref().ok_or("a map without value")?,
            )?;
            let full_prefix = if shape.flattened {
                prefix.to_owned()
            } else {
                format!("{prefix}.entry")
            };
            let key_suffix = member_name(&key, "key");
            let value_suffix = member_name(&val, "value");
            for (i, (k, v)) in entries.iter().enumerate() {
                let i = i + 1;
                let key_value = Value::String(k.clone());
                query_value(
                    out,
                    model,
                    key,
                    &key_value,
                    &format!("{full_prefix}.{i}.{key_suffix}"),
                    ec2,
                )?;
                query_value(
                    out,
                    model,
                    val,
                    v,
                    &format!("{full_prefix}.{i}.{value_suffix}"),
                    ec2,
                )?;
            }
        }
        _ => out.push((prefix.to_owned(), scalar_text(shape, value, "iso8601")?)),
    }
    Ok(())
}

// ---- json (json and rest-json bodies) ----

/// botocore's JSON body for a value of `shape` (timestamps default to epoch seconds).
pub(crate) fn json_value(
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
) -> Result<Value> {
    Ok(match shape.kind() {
        ShapeType::Structure if shape.shape.document => value.clone(),
        ShapeType::Structure => {
            let mut out = Map::new();
            for (key, item) in expect_object(value, "a structure")? {
                if item.is_null() {
                    continue;
                }
                let member_ref = shape
                    .shape
                    .members
                    .get(key)
                    .ok_or_else(|| format!("unknown parameter {key}"))?;
                let member = resolve(model, member_ref)?;
                let name = member.name.unwrap_or(key).to_owned();
                out.insert(name, json_value(model, member, item)?);
            }
            Value::Object(out)
        }
        ShapeType::List => {
            let element_ref = shape.shape.member.as_ref().ok_or("a list without member")?;
            let element = resolve(model, element_ref)?;
            Value::Array(
                expect_array(value, "a list")?
                    .iter()
                    .map(|item| json_value(model, element, item))
                    .collect::<Result<_>>()?,
            )
        }
        ShapeType::Map => {
            let val = resolve(
                model,
                shape.shape.value.as_ref().ok_or("a map without value")?,
            )?;
            let mut out = Map::new();
            for (k, v) in expect_object(value, "a map")? {
                out.insert(k.clone(), json_value(model, val, v)?);
            }
            Value::Object(out)
        }
        ShapeType::Timestamp => {
            timestamp_wire(value, shape.timestamp_format.unwrap_or("unixtimestamp"))?
        }
        ShapeType::Blob => Value::String(base64_of(value)),
        ShapeType::Float | ShapeType::Double => {
            let float = float_of(value)?;
            match Number::from_f64(float) {
                Some(number) => Value::Number(number),
                None => Value::String(float_text(float)),
            }
        }
        ShapeType::Integer | ShapeType::Long => integer_of(value)?,
        ShapeType::Boolean => Value::Bool(boolean_of(value)?),
        ShapeType::String => Value::String(text_of(value)),
        ShapeType::BigDecimal | ShapeType::BigInteger => value.clone(),
    })
}

// ---- rest-json and rest-xml ----

fn serialize_rest(
    protocol: Protocol,
    model: &ServiceModel,
    operation: &Operation,
    input: Option<Resolved<'_>>,
    params: &Map<String, Value>,
    request: &mut SerializedRequest,
) -> Result<()> {
    let template = operation.http.request_uri.as_str();
    let Some(input) = input else {
        request.path = template.to_owned();
        return Ok(());
    };
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut body_params = Map::new();
    for (key, value) in params {
        if value.is_null() {
            continue;
        }
        let member_ref = input
            .shape
            .members
            .get(key)
            .ok_or_else(|| format!("unknown parameter {key}"))?;
        let member = resolve(model, member_ref)?;
        let wire_name = member.name.unwrap_or(key).to_owned();
        match member.location {
            Some("uri") => labels.push((wire_name, scalar_text(member, value, "iso8601")?)),
            Some("querystring") => match member.kind() {
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
                    let element_ref = member
                        .shape
                        .member
                        .as_ref()
                        .ok_or("a list without member")?;
                    let element = resolve(model, element_ref)?;
                    for item in expect_array(value, key)? {
                        request
                            .query
                            .push((wire_name.clone(), scalar_text(element, item, "iso8601")?));
                    }
                }
                _ => request
                    .query
                    .push((wire_name, scalar_text(member, value, "iso8601")?)),
            },
            Some("header") => {
                if member.kind() == ShapeType::List && value.as_array().is_some_and(Vec::is_empty) {
                    continue;
                }
                request
                    .headers
                    .push((wire_name, header_text(model, member, value)?));
            }
            Some("headers") => {
                for (k, v) in expect_object(value, key)? {
                    request
                        .headers
                        .push((format!("{wire_name}{k}"), text_of(v)));
                }
            }
            _ => {
                body_params.insert(key.clone(), value.clone());
            }
        }
    }
    request.path = render_uri(template, &labels)?;

    let payload = input.shape.payload.as_deref();
    let payload_member = match payload {
        Some(name) => Some((
            name,
            resolve(
                model,
                input
                    .shape
                    .members
                    .get(name)
                    .ok_or("the payload member is missing")?,
            )?,
        )),
        None => None,
    };
    match payload_member {
        Some((name, member)) if matches!(member.kind(), ShapeType::Blob | ShapeType::String) => {
            // A streaming or raw payload: the text itself is the body.
            if let Some(value) = params.get(name) {
                request.body = text_of(value).into_bytes();
            }
            return Ok(());
        }
        Some((name, member)) => match params.get(name) {
            Some(value) if !value.is_null() => {
                request.body = rest_body(protocol, model, member, value)?;
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
    let mut out = String::new();
    xml_value(&mut out, model, shape, value, root)?;
    Ok(out.into_bytes())
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
            let element_ref = shape.shape.member.as_ref().ok_or("a list without member")?;
            let element = resolve(model, element_ref)?;
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

fn xml_escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    out
}

fn namespace_attribute(namespace: Option<&XmlNamespace>) -> String {
    match namespace {
        Some(XmlNamespace::Uri(uri)) => format!(" xmlns=\"{}\"", xml_escape(uri, true)),
        Some(XmlNamespace::Full { uri, prefix }) => match prefix.as_deref() {
            Some(prefix) if !prefix.is_empty() => {
                format!(" xmlns:{prefix}=\"{}\"", xml_escape(uri, true))
            }
            _ => format!(" xmlns=\"{}\"", xml_escape(uri, true)),
        },
        None => String::new(),
    }
}

/// One element as ElementTree writes it (`<a />` when empty).
fn element(out: &mut String, name: &str, attributes: &str, content: &str) {
    if content.is_empty() {
        out.push_str(&format!("<{name}{attributes} />"));
    } else {
        out.push_str(&format!("<{name}{attributes}>{content}</{name}>"));
    }
}

/// botocore's rest-xml body (ElementTree, no XML declaration).
fn xml_value(
    out: &mut String,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    name: &str,
) -> Result<()> {
    match shape.kind() {
        ShapeType::Structure => {
            let mut attributes = namespace_attribute(shape.xml_namespace);
            let mut content = String::new();
            for (key, item) in expect_object(value, name)? {
                if item.is_null() {
                    continue;
                }
                let member_ref = shape
                    .shape
                    .members
                    .get(key)
                    .ok_or_else(|| format!("unknown parameter {key}"))?;
                let member = resolve(model, member_ref)?;
                let member_name = member.name.unwrap_or(key);
                if member.xml_attribute {
                    attributes.push_str(&format!(
                        " {member_name}=\"{}\"",
                        xml_escape(&text_of(item), true)
                    ));
                    continue;
                }
                xml_value(&mut content, model, member, item, member_name)?;
            }
            element(out, name, &attributes, &content);
        }
        ShapeType::List => {
            let element_ref = shape.shape.member.as_ref().ok_or("a list without member")?;
            let member = resolve(model, element_ref)?;
            let items = expect_array(value, name)?;
            if shape.flattened {
                for item in items {
                    xml_value(out, model, member, item, name)?;
                }
            } else {
                let element_name = member.name.unwrap_or("member");
                let mut content = String::new();
                for item in items {
                    xml_value(&mut content, model, member, item, element_name)?;
                }
                element(
                    out,
                    name,
                    &namespace_attribute(shape.xml_namespace),
                    &content,
                );
            }
        }
        ShapeType::Map => {
            let key = resolve(model, shape.shape.key.as_ref().ok_or("a map without key")?)?;
            let val = resolve(
                model,
                shape.shape.value.as_ref().ok_or("a map without value")?,
            )?;
            let key_name = key.name.unwrap_or("key");
            let value_name = val.name.unwrap_or("value");
            let mut entries = String::new();
            for (k, v) in expect_object(value, name)? {
                let mut pair = String::new();
                xml_value(&mut pair, model, key, &Value::String(k.clone()), key_name)?;
                xml_value(&mut pair, model, val, v, value_name)?;
                if shape.flattened {
                    element(out, name, "", &pair);
                } else {
                    element(&mut entries, "entry", "", &pair);
                }
            }
            if !shape.flattened {
                element(
                    out,
                    name,
                    &namespace_attribute(shape.xml_namespace),
                    &entries,
                );
            }
        }
        _ => {
            let text = scalar_text(shape, value, "iso8601")?;
            element(
                out,
                name,
                &namespace_attribute(shape.xml_namespace),
                &xml_escape(&text, false),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;

    /// The requests botocore 1.43 builds for the same parameters, produced by
    /// `scripts/botocore-expected-requests.py`.
    const BOTOCORE: &str = include_str!("testdata/botocore_requests.json");

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

    #[test]
    fn host_prefix_labels_are_filled() {
        let model = Models::global().service("servicediscovery").unwrap();
        let operation = &model.operations["DiscoverInstances"];
        let params = serde_json::json!({"NamespaceName": "ns", "ServiceName": "svc"});
        let request = serialize(
            Protocol::Json,
            &model,
            "DiscoverInstances",
            operation,
            params.as_object().unwrap(),
        )
        .unwrap();
        assert_eq!(request.host_prefix.as_deref(), Some("data-"));
    }

    #[test]
    fn bad_values_are_refused_with_the_reason() {
        let model = Models::global().service("cloudwatch").unwrap();
        let operation = &model.operations["GetMetricStatistics"];
        let params = serde_json::json!({"StartTime": "last tuesday"});
        let error = serialize(
            Protocol::Json,
            &model,
            "GetMetricStatistics",
            operation,
            params.as_object().unwrap(),
        )
        .unwrap_err();
        assert!(
            error.contains("invalid timestamp 'last tuesday'"),
            "{error}"
        );
    }
}
