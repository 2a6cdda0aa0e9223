//! Request serialisers for the json, rest-json, query, ec2 and rest-xml protocols, following
//! botocore's `serialize.py` so that the bytes on the wire are the ones the AWS CLI sends.
//! Pure: builds a [`SerializedRequest`]; never signs, resolves endpoints or sends.
//!
//! This file owns what every protocol shares: the request parts, URL encoding, the host
//! prefix and the choice of serialiser. One module per protocol: `query` (query and ec2),
//! `json` (json, and the JSON values rest-json reuses), `rest` (rest-json and rest-xml:
//! URI, query string, headers, payload) and `rest_xml` (the XML body); `scalar` converts
//! single values.

mod json;
mod query;
mod rest;
mod rest_xml;
mod scalar;
#[cfg(test)]
mod tests;

pub(crate) use query::form_encode;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::shape::{resolve, Protocol, Resolved};
use crate::models::{Operation, ServiceModel};

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

/// botocore's `percent_encode` with `/` kept as well (S3 copy sources, greedy labels).
pub(crate) fn percent_encode_keeping_slash(text: &str) -> String {
    utf8_percent_encode(text, UNRESERVED_AND_SLASH).to_string()
}

/// botocore's `percent_encode_sequence`: `key=value` pairs joined with `&`, `%20` for spaces.
pub(crate) fn encode_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
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
    let call = OperationInput {
        model,
        operation_key,
        operation,
        input,
        params,
    };
    match protocol {
        Protocol::Query => query::serialize_query(&call, false, &mut request)?,
        Protocol::Ec2 => query::serialize_query(&call, true, &mut request)?,
        Protocol::Json => json::serialize_json(&call, &mut request)?,
        Protocol::RestJson | Protocol::RestXml => {
            rest::serialize_rest(protocol, &call, &mut request)?;
        }
    }
    Ok(request)
}

/// What every protocol's serialiser reads: the operation and its input, resolved once.
struct OperationInput<'a> {
    model: &'a ServiceModel,
    /// The model's key, which is what goes into `Action=` and `X-Amz-Target`.
    operation_key: &'a str,
    operation: &'a Operation,
    /// The resolved input shape; `None` for operations without input.
    input: Option<Resolved<'a>>,
    params: &'a Map<String, Value>,
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
