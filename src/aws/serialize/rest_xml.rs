//! The XML body of the rest-xml protocol, written as botocore's `RestXMLSerializer` writes it
//! with ElementTree (no XML declaration, `<a />` for empty elements).

use serde_json::Value;

use super::scalar::{expect_array, expect_object, scalar_text, text_of};
use super::Result;
use crate::aws::shape::Resolved;
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
fn element(name: &str, attributes: &str, content: &str) -> String {
    if content.is_empty() {
        format!("<{name}{attributes} />")
    } else {
        format!("<{name}{attributes}>{content}</{name}>")
    }
}

/// botocore's rest-xml body: `value` as the element `name` (ElementTree, no XML declaration).
pub(super) fn xml_value(
    model: &ServiceModel,
    shape: Resolved<'_>,
    value: &Value,
    name: &str,
) -> Result<String> {
    XmlWriter { model }.value(shape, value, name)
}

/// Writes the elements of one body; each method returns the element it wrote.
struct XmlWriter<'m> {
    model: &'m ServiceModel,
}

impl XmlWriter<'_> {
    fn value(&self, shape: Resolved<'_>, value: &Value, name: &str) -> Result<String> {
        match shape.kind() {
            ShapeType::Structure => self.structure(shape, value, name),
            ShapeType::List => self.list(shape, value, name),
            ShapeType::Map => self.map(shape, value, name),
            _ => {
                let text = scalar_text(shape, value, "iso8601")?;
                let attributes = namespace_attribute(shape.xml_namespace);
                Ok(element(name, &attributes, &xml_escape(&text, false)))
            }
        }
    }

    /// Members become child elements, or attributes when the model says `xmlAttribute`.
    fn structure(&self, shape: Resolved<'_>, value: &Value, name: &str) -> Result<String> {
        let mut attributes = namespace_attribute(shape.xml_namespace);
        let mut content = String::new();
        for given in shape.given_members(self.model, expect_object(value, name)?) {
            let (member, item) = given?;
            let member_name = member.wire_name();
            if member.resolved.xml_attribute {
                let text = xml_escape(&text_of(item), true);
                attributes.push_str(&format!(" {member_name}=\"{text}\""));
            } else {
                content.push_str(&self.value(member.resolved, item, member_name)?);
            }
        }
        Ok(element(name, &attributes, &content))
    }

    /// Items wrapped in `<member>` (or the element's own name), or repeated bare when
    /// flattened.
    fn list(&self, shape: Resolved<'_>, value: &Value, name: &str) -> Result<String> {
        let member = shape.list_element(self.model)?;
        let items = expect_array(value, name)?;
        if shape.flattened {
            return items
                .iter()
                .map(|item| self.value(member, item, name))
                .collect();
        }
        let element_name = member.name.unwrap_or("member");
        let content = items
            .iter()
            .map(|item| self.value(member, item, element_name))
            .collect::<Result<String>>()?;
        let attributes = namespace_attribute(shape.xml_namespace);
        Ok(element(name, &attributes, &content))
    }

    /// Entries as `<entry><key/><value/></entry>`, or as repeated elements when flattened.
    fn map(&self, shape: Resolved<'_>, value: &Value, name: &str) -> Result<String> {
        let entry = shape.map_entry(self.model)?;
        let (key_name, value_name) = entry.names();
        let entry_name = if shape.flattened { name } else { "entry" };
        let mut entries = String::new();
        for (k, v) in expect_object(value, name)? {
            let mut pair = self.value(entry.key, &Value::String(k.clone()), key_name)?;
            pair.push_str(&self.value(entry.value, v, value_name)?);
            entries.push_str(&element(entry_name, "", &pair));
        }
        if shape.flattened {
            return Ok(entries);
        }
        let attributes = namespace_attribute(shape.xml_namespace);
        Ok(element(name, &attributes, &entries))
    }
}
