//! Resolving a shape reference the way botocore does: the member's traits laid over the
//! target shape's (`locationName`, `flattened`, `timestampFormat`, `xmlNamespace`, ...), and
//! choosing the wire protocol of a service. Also the one walk over a structure's members,
//! a list's element and a map's key and value that every serialiser and parser shares.
//! Pure: reads models only.

use serde_json::{Map, Value};

use crate::models::{Metadata, ServiceModel, Shape, ShapeRef, ShapeType, XmlNamespace};

/// A shape as seen through one reference to it.
#[derive(Clone, Copy)]
pub(crate) struct Resolved<'a> {
    pub shape: &'a Shape,
    /// `locationName`: the name on the wire (element, JSON key, header, query key).
    pub name: Option<&'a str>,
    pub query_name: Option<&'a str>,
    /// `uri`, `querystring`, `header`, `headers`, `statusCode` (REST protocols).
    pub location: Option<&'a str>,
    pub flattened: bool,
    pub timestamp_format: Option<&'a str>,
    pub xml_namespace: Option<&'a XmlNamespace>,
    pub xml_attribute: bool,
    pub json_value: bool,
}

impl<'a> Resolved<'a> {
    pub fn kind(&self) -> ShapeType {
        self.shape.shape_type
    }

    /// A list's element shape.
    pub fn list_element(&self, model: &'a ServiceModel) -> Result<Resolved<'a>, String> {
        resolve(
            model,
            self.shape.member.as_ref().ok_or("a list without member")?,
        )
    }

    /// A map's key and value shapes.
    pub fn map_entry(&self, model: &'a ServiceModel) -> Result<MapEntry<'a>, String> {
        Ok(MapEntry {
            key: resolve(model, self.shape.key.as_ref().ok_or("a map without key")?)?,
            value: resolve(
                model,
                self.shape.value.as_ref().ok_or("a map without value")?,
            )?,
        })
    }

    /// A structure's members in the model's order, which is the order botocore's parsers
    /// fill the output in.
    pub fn members(
        &self,
        model: &'a ServiceModel,
    ) -> impl Iterator<Item = Result<Member<'a>, String>> + use<'a> {
        self.shape.members.iter().map(move |(key, member)| {
            Ok(Member {
                key,
                resolved: resolve(model, member)?,
            })
        })
    }

    /// The structure member `key`; a key the model does not know is the caller's mistake.
    pub fn member(&self, model: &'a ServiceModel, key: &str) -> Result<Member<'a>, String> {
        self.find_member(model, key)
            .unwrap_or_else(|| Err(format!("unknown parameter {key}")))
    }

    /// The members a caller gave values for, with the values, in the caller's order (the
    /// order botocore's serialisers write in). A null value counts as not given.
    pub fn given_members<'v>(
        &self,
        model: &'a ServiceModel,
        params: &'v Map<String, Value>,
    ) -> impl Iterator<Item = Result<(Member<'a>, &'v Value), String>> + use<'a, 'v> {
        let structure = *self;
        params
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(move |(key, value)| Ok((structure.member(model, key)?, value)))
    }

    /// The member the structure names as its payload (REST protocols), if it names one.
    pub fn payload(&self, model: &'a ServiceModel) -> Result<Option<Member<'a>>, String> {
        self.shape
            .payload
            .as_deref()
            .map(|name| {
                self.find_member(model, name)
                    .unwrap_or_else(|| Err("the payload member is missing".to_owned()))
            })
            .transpose()
    }

    fn find_member(
        &self,
        model: &'a ServiceModel,
        key: &str,
    ) -> Option<Result<Member<'a>, String>> {
        let (key, member) = self.shape.members.get_key_value(key)?;
        Some(resolve(model, member).map(|resolved| Member { key, resolved }))
    }
}

/// One member of a structure: the name the model (and so the parameters and the parsed
/// output) knows it by, and its shape seen through the member's reference.
#[derive(Clone, Copy)]
pub(crate) struct Member<'a> {
    pub key: &'a str,
    pub resolved: Resolved<'a>,
}

impl<'a> Member<'a> {
    /// The name on the wire: the member's `locationName`, else its name in the model.
    pub fn wire_name(&self) -> &'a str {
        self.resolved.name.unwrap_or(self.key)
    }
}

/// A map's key and value shapes.
#[derive(Clone, Copy)]
pub(crate) struct MapEntry<'a> {
    pub key: Resolved<'a>,
    pub value: Resolved<'a>,
}

impl<'a> MapEntry<'a> {
    /// The element names of an entry's key and value (`key`, `value` unless renamed).
    pub fn names(&self) -> (&'a str, &'a str) {
        (
            self.key.name.unwrap_or("key"),
            self.value.name.unwrap_or("value"),
        )
    }
}

pub(crate) fn resolve<'a>(
    model: &'a ServiceModel,
    r: &'a ShapeRef,
) -> Result<Resolved<'a>, String> {
    let shape = model
        .shape(&r.shape)
        .ok_or_else(|| format!("the model has no shape {}", r.shape))?;
    Ok(Resolved {
        shape,
        name: r
            .location_name
            .as_deref()
            .or(shape.location_name.as_deref()),
        query_name: r.query_name.as_deref(),
        location: r.location.as_deref(),
        flattened: r.flattened || shape.flattened,
        timestamp_format: r
            .timestamp_format
            .as_deref()
            .or(shape.timestamp_format.as_deref()),
        xml_namespace: r.xml_namespace.as_ref().or(shape.xml_namespace.as_ref()),
        xml_attribute: r.xml_attribute,
        json_value: r.json_value,
    })
}

/// The wire protocols the engine speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Json,
    RestJson,
    RestXml,
    Query,
    Ec2,
}

impl Protocol {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "json" => Some(Protocol::Json),
            "rest-json" => Some(Protocol::RestJson),
            "rest-xml" => Some(Protocol::RestXml),
            "query" => Some(Protocol::Query),
            "ec2" => Some(Protocol::Ec2),
            _ => None,
        }
    }

    /// botocore's choice: the first protocol of its own priority list (`json`, `rest-json`,
    /// `rest-xml`, `smithy-rpc-v2-cbor`, `query`, `ec2`) that the model offers. CBOR is
    /// skipped: no model offers only CBOR, and moto does not speak it. For CloudWatch
    /// (`smithy-rpc-v2-cbor, json, query`) this is `json`, as botocore 1.43 sends.
    pub fn choose(metadata: &Metadata) -> Option<Self> {
        let offered = metadata.protocol_preference();
        const PRIORITY: [&str; 5] = ["json", "rest-json", "rest-xml", "query", "ec2"];
        PRIORITY
            .iter()
            .find(|p| offered.contains(p))
            .and_then(|p| Self::from_name(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::Models;

    #[test]
    fn protocol_follows_botocore_priority() {
        let models = Models::global();
        let cases = [
            ("cloudwatch", Protocol::Json),
            ("logs", Protocol::Json),
            ("sqs", Protocol::Json),
            ("sns", Protocol::Query),
            ("ec2", Protocol::Ec2),
            ("s3api", Protocol::RestXml),
            ("lambda", Protocol::RestJson),
        ];
        for (service, expected) in cases {
            let model = models.service(service).unwrap();
            assert_eq!(
                Protocol::choose(&model.metadata),
                Some(expected),
                "{service}"
            );
        }
    }
}
