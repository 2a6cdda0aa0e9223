//! The query and ec2 protocols: the input flattened into `Name.member.1=value` pairs, sent as
//! a form body with `Action=` and `Version=` first (botocore's `QuerySerializer` and
//! `EC2Serializer`).

use serde_json::Value;

use super::scalar::{expect_array, expect_object, scalar_text};
use super::{percent_encode, OperationInput, Result, SerializedRequest};
use crate::aws::shape::Resolved;
use crate::models::{ServiceModel, ShapeType};

/// Fills the form body and its content type; `ec2` selects the EC2 dialect of member names
/// and lists.
pub(super) fn serialize_query(
    call: &OperationInput<'_>,
    ec2: bool,
    request: &mut SerializedRequest,
) -> Result<()> {
    let mut writer = QueryWriter {
        model: call.model,
        ec2,
        pairs: vec![
            ("Action".to_owned(), call.operation_key.to_owned()),
            (
                "Version".to_owned(),
                call.model.metadata.api_version.clone(),
            ),
        ],
    };
    if let Some(input) = call.input {
        let object = Value::Object(call.params.clone());
        writer.value(input, &object, "")?;
    }
    request.headers.push((
        "Content-Type".into(),
        "application/x-www-form-urlencoded; charset=utf-8".into(),
    ));
    request.body = form_encode(&writer.pairs).into_bytes();
    Ok(())
}

/// Python's `urlencode(..., doseq=True)` for query-protocol bodies: `quote_plus` with no safe
/// characters beyond letters, digits and `_.-~`.
pub(crate) fn form_encode(pairs: &[(String, String)]) -> String {
    let plus = |text: &str| percent_encode(text).replace("%20", "+");
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", plus(k), plus(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Collects the `key=value` pairs of one input, in botocore's order.
struct QueryWriter<'m> {
    model: &'m ServiceModel,
    ec2: bool,
    pairs: Vec<(String, String)>,
}

impl QueryWriter<'_> {
    /// The name a member goes by: its `locationName`, or for EC2 its `queryName` or its
    /// capitalised `locationName`.
    fn member_name(&self, resolved: &Resolved<'_>, default: &str) -> String {
        if !self.ec2 {
            return resolved.name.unwrap_or(default).to_owned();
        }
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
    }

    fn value(&mut self, shape: Resolved<'_>, value: &Value, prefix: &str) -> Result<()> {
        match shape.kind() {
            ShapeType::Structure => self.structure(shape, value, prefix),
            ShapeType::List => self.list(shape, value, prefix),
            ShapeType::Map => self.map(shape, value, prefix),
            _ => {
                let text = scalar_text(shape, value, "iso8601")?;
                self.pairs.push((prefix.to_owned(), text));
                Ok(())
            }
        }
    }

    fn structure(&mut self, shape: Resolved<'_>, value: &Value, prefix: &str) -> Result<()> {
        for given in shape.given_members(self.model, expect_object(value, prefix)?) {
            let (member, item) = given?;
            let name = self.member_name(&member.resolved, member.key);
            let member_prefix = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            self.value(member.resolved, item, &member_prefix)?;
        }
        Ok(())
    }

    fn list(&mut self, shape: Resolved<'_>, value: &Value, prefix: &str) -> Result<()> {
        let items = expect_array(value, prefix)?;
        if items.is_empty() && !self.ec2 {
            // The query protocol sends an empty list as the bare name; EC2 sends nothing.
            self.pairs.push((prefix.to_owned(), String::new()));
            return Ok(());
        }
        let element = shape.list_element(self.model)?;
        let list_prefix = if self.ec2 {
            prefix.to_owned()
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
            self.value(element, item, &format!("{list_prefix}.{}", i + 1))?;
        }
        Ok(())
    }

    fn map(&mut self, shape: Resolved<'_>, value: &Value, prefix: &str) -> Result<()> {
        let entries = expect_object(value, prefix)?;
        let entry = shape.map_entry(self.model)?;
        let full_prefix = if shape.flattened {
            prefix.to_owned()
        } else {
            format!("{prefix}.entry")
        };
        let key_suffix = self.member_name(&entry.key, "key");
        let value_suffix = self.member_name(&entry.value, "value");
        for (i, (k, v)) in entries.iter().enumerate() {
            let i = i + 1;
            let key_value = Value::String(k.clone());
            self.value(
                entry.key,
                &key_value,
                &format!("{full_prefix}.{i}.{key_suffix}"),
            )?;
            self.value(entry.value, v, &format!("{full_prefix}.{i}.{value_suffix}"))?;
        }
        Ok(())
    }
}
