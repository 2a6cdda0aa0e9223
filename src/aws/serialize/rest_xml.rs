//! The XML body of the rest-xml protocol, written as botocore's `RestXMLSerializer` writes it
//! with ElementTree (no XML declaration, `<a />` for empty elements).

use serde_json::Value;

use super::scalar::{expect_array, expect_object, scalar_text, text_of};
use super::Result;
use crate::aws::shape::{resolve, Resolved};
use crate::models::{ServiceModel, ShapeType, XmlNamespace};

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
pub(super) fn xml_value(
    out: &mut String,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    name: &str,
) -> Result<()> {
    match shape.kind() {
        ShapeType::Structure => xml_structure(out, model, shape, value, name)?,
        ShapeType::List => xml_list(out, model, shape, value, name)?,
        ShapeType::Map => xml_map(out, model, shape, value, name)?,
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

/// Members become child elements, or attributes when the model says `xmlAttribute`.
fn xml_structure(
    out: &mut String,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    name: &str,
) -> Result<()> {
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
    Ok(())
}

/// Items wrapped in `<member>` (or the element's own name), or repeated bare when flattened.
fn xml_list(
    out: &mut String,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    name: &str,
) -> Result<()> {
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
    Ok(())
}

/// Entries as `<entry><key/><value/></entry>`, or as repeated elements when flattened.
fn xml_map(
    out: &mut String,
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    name: &str,
) -> Result<()> {
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
    Ok(())
}
