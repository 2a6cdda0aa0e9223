//! The json protocol (`X-Amz-Target` and a JSON body), and the JSON form of a value that the
//! rest-json protocol shares (botocore's `JSONSerializer`).

use serde_json::{Map, Number, Value};

use super::scalar::{
    base64_of, boolean_of, expect_array, expect_object, float_of, float_text, integer_of, text_of,
    timestamp_wire,
};
use super::{OperationInput, Result, SerializedRequest};
use crate::aws::shape::Resolved;
use crate::models::{ServiceModel, ShapeType};
use crate::output::{json_dumps, JsonStyle};

/// Fills the target and content-type headers and the JSON body.
pub(super) fn serialize_json(
    call: &OperationInput<'_>,
    request: &mut SerializedRequest,
) -> Result<()> {
    let (model, operation_key, input, params) =
        (call.model, call.operation_key, call.input, call.params);
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
    Ok(())
}

/// botocore's JSON body for a value of `shape` (timestamps default to epoch seconds).
pub(super) fn json_value(
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
) -> Result<Value> {
    Ok(match shape.kind() {
        ShapeType::Structure if shape.shape.document => value.clone(),
        ShapeType::Structure => {
            let mut out = Map::new();
            for given in shape.given_members(model, expect_object(value, "a structure")?) {
                let (member, item) = given?;
                let value = json_value(model, member.resolved, item)?;
                out.insert(member.wire_name().to_owned(), value);
            }
            Value::Object(out)
        }
        ShapeType::List => {
            let element = shape.list_element(model)?;
            Value::Array(
                expect_array(value, "a list")?
                    .iter()
                    .map(|item| json_value(model, element, item))
                    .collect::<Result<_>>()?,
            )
        }
        ShapeType::Map => {
            let entry = shape.map_entry(model)?;
            let mut out = Map::new();
            for (k, v) in expect_object(value, "a map")? {
                out.insert(k.clone(), json_value(model, entry.value, v)?);
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
