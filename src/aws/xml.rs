//! A small XML tree for response parsing: element local names (namespace prefixes dropped,
//! as botocore does), raw attribute names, children and text. Pure.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

#[derive(Debug, Default, Clone)]
pub(crate) struct XmlNode {
    /// The tag without its namespace prefix.
    pub name: String,
    /// Attributes by their written names (`xsi:type`), values unescaped.
    pub attributes: Vec<(String, String)>,
    pub children: Vec<XmlNode>,
    /// All character data directly inside this element.
    pub text: String,
}

impl XmlNode {
    pub fn child(&self, name: &str) -> Option<&XmlNode> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first element named `name` at or below this one, breadth first.
    pub fn find(&self, name: &str) -> Option<&XmlNode> {
        if self.name == name {
            return Some(self);
        }
        let mut level: Vec<&XmlNode> = self.children.iter().collect();
        while !level.is_empty() {
            if let Some(found) = level.iter().find(|n| n.name == name) {
                return Some(found);
            }
            level = level.iter().flat_map(|n| n.children.iter()).collect();
        }
        None
    }
}

fn local_name(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    match text.rsplit_once(':') {
        Some((_, local)) => local.to_owned(),
        None => text.into_owned(),
    }
}

fn open(start: &BytesStart<'_>) -> Result<XmlNode, String> {
    let mut node = XmlNode {
        name: local_name(start.name().as_ref()),
        ..Default::default()
    };
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map_err(|e| e.to_string())?
            .into_owned();
        node.attributes.push((key, value));
    }
    Ok(node)
}

/// Parses a document into its root element.
pub(crate) fn parse(body: &[u8]) -> Result<XmlNode, String> {
    let mut reader = Reader::from_reader(body);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<XmlNode> = Vec::new();
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(start)) => stack.push(open(&start)?),
            Ok(Event::Empty(start)) => {
                let node = open(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Ok(Event::End(_)) => {
                let node = stack.pop().ok_or("unbalanced XML")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => return Ok(node),
                }
            }
            Ok(Event::Text(text)) => {
                if let Some(node) = stack.last_mut() {
                    node.text
                        .push_str(&text.unescape().map_err(|e| e.to_string())?);
                }
            }
            Ok(Event::CData(data)) => {
                if let Some(node) = stack.last_mut() {
                    node.text
                        .push_str(&String::from_utf8_lossy(&data.into_inner()));
                }
            }
            Ok(Event::Eof) => return Err("the XML document has no root element".into()),
            Ok(_) => {}
            Err(error) => return Err(format!("invalid XML: {error}")),
        }
        buffer.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_without_namespace_prefixes() {
        let root = parse(
            br#"<?xml version="1.0"?><a:Root xmlns:a="urn:x"><Item id="1">x &amp; y</Item><Item/><Deep><Error><Code>C</Code></Error></Deep></a:Root>"#,
        )
        .unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.children.len(), 3);
        assert_eq!(root.children[0].text, "x & y");
        assert_eq!(root.children[0].attributes, [("id".into(), "1".into())]);
        assert_eq!(root.find("Code").unwrap().text, "C");
        assert!(parse(b"").is_err());
    }
}
