//! Typed view of one service model: metadata, operations, shapes, paginators and the AWS
//! CLI's names. Field names follow botocore's JSON; only what the engine uses is kept.

use std::collections::HashMap;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde::Deserialize;

use super::names::xform_name;

#[derive(Debug, Deserialize)]
pub struct ServiceModel {
    pub metadata: Metadata,
    /// Operations by model name (`DescribeAlarms`), in the model's order.
    pub operations: IndexMap<String, Operation>,
    /// Shapes by name, each parsed on first use: a large model (ec2 has over 4,000 shapes)
    /// would otherwise spend most of its cold start building shapes no command touches.
    shapes: HashMap<String, LazyShape>,
    #[serde(default)]
    pub paginators: HashMap<String, Paginator>,
    /// Waiters by model name (`TableExists`), from `waiters-2.json`.
    #[serde(default)]
    pub waiters: HashMap<String, Waiter>,
    pub cli: CliNames,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    pub endpoint_prefix: String,
    pub protocol: String,
    #[serde(default)]
    pub protocols: Vec<String>,
    pub service_full_name: String,
    pub service_id: String,
    #[serde(default)]
    pub signing_name: Option<String>,
    #[serde(default)]
    pub json_version: Option<String>,
    #[serde(default)]
    pub target_prefix: Option<String>,
    #[serde(default)]
    pub global_endpoint: Option<String>,
    #[serde(default)]
    pub xml_namespace: Option<String>,
    #[serde(default)]
    pub signature_version: Option<String>,
    #[serde(default)]
    pub aws_query_compatible: Option<serde_json::Value>,
}

impl Metadata {
    /// The protocols in the model's order of preference (older models list only `protocol`).
    pub fn protocol_preference(&self) -> Vec<&str> {
        if self.protocols.is_empty() {
            vec![self.protocol.as_str()]
        } else {
            self.protocols.iter().map(String::as_str).collect()
        }
    }

    /// The SigV4 signing name (defaults to the endpoint prefix, as botocore does).
    pub fn signing_name(&self) -> &str {
        self.signing_name
            .as_deref()
            .unwrap_or(&self.endpoint_prefix)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The API name: the key of the model's operation map (`AssociateAlias`), which botocore
    /// calls the operation's name and puts in `X-Amz-Target` and `Action=`.
    #[serde(skip)]
    pub key: String,
    /// The wire name, which may carry a version suffix (`AssociateAlias2020_05_31`).
    pub name: String,
    /// Input member → CLI option name, worked out on first use: converting every member name
    /// of a large model (ec2) up front would dominate its cold start.
    #[serde(skip)]
    cli_option_names: OnceLock<Option<IndexMap<String, String>>>,
    pub http: Http,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    #[serde(default)]
    pub endpoint: Option<OperationEndpoint>,
    #[serde(default)]
    pub deprecated: bool,
    /// Set by the model for operations documented as read-only (a minority of models).
    #[serde(default)]
    pub readonly: bool,
    #[serde(default)]
    pub idempotent: bool,
    #[serde(default)]
    pub authtype: Option<String>,
    #[serde(default)]
    pub http_checksum_required: bool,
    #[serde(default)]
    pub http_checksum: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationEndpoint {
    pub host_prefix: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Http {
    pub method: String,
    pub request_uri: String,
    #[serde(default)]
    pub response_code: Option<u16>,
}

/// A reference to a shape from a member, a list member, a map key/value or an operation's
/// input/output, with the serialisation hints that belong to the reference.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    /// `uri`, `querystring`, `header`, `headers`, `statusCode` (REST protocols).
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub location_name: Option<String>,
    #[serde(default)]
    pub query_name: Option<String>,
    #[serde(default)]
    pub result_wrapper: Option<String>,
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    #[serde(default)]
    pub xml_attribute: bool,
    #[serde(default)]
    pub flattened: bool,
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub host_label: bool,
    #[serde(default, rename = "jsonvalue")]
    pub json_value: bool,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default, rename = "eventpayload")]
    pub event_payload: bool,
    #[serde(default)]
    pub deprecated: bool,
    /// A per-member override of the shape's timestamp format.
    #[serde(default)]
    pub timestamp_format: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum XmlNamespace {
    Uri(String),
    Full {
        uri: String,
        #[serde(default)]
        prefix: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob,
    #[serde(alias = "bigdecimal")]
    BigDecimal,
    #[serde(alias = "biginteger")]
    BigInteger,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    #[serde(rename = "type")]
    pub shape_type: ShapeType,
    /// Structure members in the model's order (output keys follow this order).
    #[serde(default)]
    pub members: IndexMap<String, ShapeRef>,
    #[serde(default)]
    pub required: Vec<String>,
    /// The element of a list.
    #[serde(default)]
    pub member: Option<ShapeRef>,
    #[serde(default)]
    pub key: Option<ShapeRef>,
    #[serde(default)]
    pub value: Option<ShapeRef>,
    #[serde(default, rename = "enum")]
    pub enum_values: Vec<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub flattened: bool,
    #[serde(default)]
    pub location_name: Option<String>,
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// For REST protocols: the member that is the whole body.
    #[serde(default)]
    pub payload: Option<String>,
    #[serde(default)]
    pub timestamp_format: Option<String>,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub union: bool,
    #[serde(default)]
    pub streaming: bool,
    #[serde(default)]
    pub eventstream: bool,
    #[serde(default)]
    pub document: bool,
    #[serde(default)]
    pub wrapper: bool,
    #[serde(default)]
    pub requires_length: bool,
}

/// A shape kept as its JSON text until something asks for it. The parsed shape is boxed: a
/// `Shape` takes about a kilobyte inline, and the shape map keeps a slot of this type for
/// every shape of the model and for the free capacity of its hash table, parsed or not (ec2's
/// 4,014 shapes took about 7 MB of slots, most of them empty, beside its 1.2 MB of JSON).
#[derive(Debug)]
struct LazyShape {
    raw: Box<serde_json::value::RawValue>,
    parsed: OnceLock<Option<Box<Shape>>>,
}

impl<'de> Deserialize<'de> for LazyShape {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        Ok(Self {
            raw,
            parsed: OnceLock::new(),
        })
    }
}

impl LazyShape {
    /// The parsed shape; `None` only for a shape the generator wrote wrongly, which the
    /// model tests rule out by parsing every shape of every model.
    fn get(&self) -> Option<&Shape> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.raw.get()).ok())
            .as_deref()
    }
}

impl Shape {
    pub fn is_required(&self, member: &str) -> bool {
        self.required.iter().any(|r| r == member)
    }
}

/// A waiter from `waiters-2.json`: the operation it polls, every `delay` seconds, at most
/// `max_attempts` times, and the acceptors that decide each response, first match wins.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiter {
    pub operation: String,
    pub delay: u64,
    pub max_attempts: u32,
    pub acceptors: Vec<Acceptor>,
}

/// One acceptor: the state a response moves the waiter to when `matcher` with `argument`
/// (a JMESPath expression, for the path matchers) finds `expected`.
#[derive(Debug, Clone, Deserialize)]
pub struct Acceptor {
    pub state: AcceptorState,
    pub matcher: Matcher,
    #[serde(default)]
    pub argument: Option<String>,
    pub expected: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AcceptorState {
    Success,
    Failure,
    Retry,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Matcher {
    Path,
    PathAll,
    PathAny,
    Status,
    Error,
}

/// A paginator from `paginators-1.json`; tokens and result keys may be one or several.
#[derive(Debug, Deserialize)]
pub struct Paginator {
    pub input_token: OneOrMany,
    pub output_token: OneOrMany,
    #[serde(default)]
    pub limit_key: Option<String>,
    #[serde(default)]
    pub result_key: Option<OneOrMany>,
    #[serde(default)]
    pub more_results: Option<String>,
    #[serde(default)]
    pub non_aggregate_keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}

/// The AWS CLI's names for this service, recorded from the CLI itself by the generator.
#[derive(Debug, Deserialize)]
pub struct CliNames {
    /// The service command (`logs`, `s3api`).
    pub name: String,
    /// CLI operation name → model operation name, for every operation the CLI offers.
    pub operations: IndexMap<String, String>,
    /// Operation → member → CLI option name, only where the CLI departs from `xform_name`.
    #[serde(default)]
    pub args: HashMap<String, HashMap<String, String>>,
    /// Operation → members the CLI hides from help (the pagination tokens it manages).
    #[serde(default)]
    pub hidden: HashMap<String, Vec<String>>,
}

impl ServiceModel {
    pub(super) fn finish_loading(&mut self) {
        for (key, operation) in self.operations.iter_mut() {
            operation.key.clone_from(key);
        }
        for (command, operation) in super::cli_commands::of_service(&self.cli.name) {
            if self.operations.contains_key(operation) {
                self.cli
                    .operations
                    .insert(command.to_owned(), operation.to_owned());
            }
        }
        self.cli.operations.sort_keys();
    }

    /// The model operation behind a CLI operation name (`describe-alarms`).
    pub fn operation_by_cli_name(&self, cli_operation: &str) -> Option<&Operation> {
        self.cli
            .operations
            .get(cli_operation)
            .and_then(|name| self.operations.get(name))
    }

    /// The CLI name of an operation, if the CLI offers it.
    pub fn cli_operation_name(&self, operation: &str) -> Option<&str> {
        self.cli
            .operations
            .iter()
            .find(|(_, op)| *op == operation)
            .map(|(cli, _)| cli.as_str())
    }

    /// The names of every shape in the model.
    pub fn shape_names(&self) -> impl Iterator<Item = &str> {
        self.shapes.keys().map(String::as_str)
    }

    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name).and_then(LazyShape::get)
    }

    pub fn input_shape(&self, operation: &Operation) -> Option<&Shape> {
        operation
            .input
            .as_ref()
            .and_then(|input| self.shape(&input.shape))
    }

    pub fn output_shape(&self, operation: &Operation) -> Option<&Shape> {
        operation
            .output
            .as_ref()
            .and_then(|output| self.shape(&output.shape))
    }

    /// Input member name → CLI option name (without `--`), in the input shape's order.
    pub fn cli_options<'a>(
        &self,
        operation: &'a Operation,
    ) -> Option<&'a IndexMap<String, String>> {
        operation
            .cli_option_names
            .get_or_init(|| {
                let input = self.input_shape(operation)?;
                let renames = self.cli.args.get(&operation.key);
                let options = input
                    .members
                    .keys()
                    .map(|member| {
                        let option = renames
                            .and_then(|r| r.get(member).cloned())
                            .unwrap_or_else(|| xform_name(member));
                        (member.clone(), option)
                    })
                    .collect();
                Some(options)
            })
            .as_ref()
    }

    /// Members the CLI hides from help for this operation (pagination tokens it manages).
    pub fn hidden_members(&self, operation: &Operation) -> &[String] {
        self.cli
            .hidden
            .get(&operation.name)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn paginator(&self, operation: &Operation) -> Option<&Paginator> {
        self.paginators.get(&operation.key)
    }

    /// The waiter the CLI names `cli_name` (`table-exists`, from `TableExists`), with its
    /// model name.
    pub fn waiter(&self, cli_name: &str) -> Option<(&str, &Waiter)> {
        self.waiters
            .iter()
            .find(|(name, _)| xform_name(name) == cli_name)
            .map(|(name, waiter)| (name.as_str(), waiter))
    }

    /// The CLI's names of the waiters, sorted (`aws <service> wait <name>`).
    pub fn waiter_cli_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.waiters.keys().map(|name| xform_name(name)).collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_not_yet_parsed_takes_a_small_slot() {
        // A model's shape map has a slot of this size for every shape and for its free
        // capacity; a parsed `Shape` inline made ec2's map take about 7 MB.
        assert!(
            std::mem::size_of::<LazyShape>() <= 32,
            "a lazy shape takes {} bytes",
            std::mem::size_of::<LazyShape>()
        );
        assert!(std::mem::size_of::<Shape>() > 256);
    }

    #[test]
    fn a_lazy_shape_parses_on_first_use() {
        let shape: LazyShape =
            serde_json::from_str(r#"{"type": "string", "enum": ["a", "b"]}"#).expect("parses");
        assert!(shape.parsed.get().is_none());
        let parsed = shape.get().expect("a valid shape");
        assert_eq!(parsed.enum_values, ["a", "b"]);
        assert!(shape.parsed.get().is_some());
    }
}
