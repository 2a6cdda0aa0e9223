//! Resolving a shape reference the way botocore does: the member's traits laid over the
//! target shape's (`locationName`, `flattened`, `timestampFormat`, `xmlNamespace`, ...), and
//! choosing the wire protocol of a service. Pure: reads models only.

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
