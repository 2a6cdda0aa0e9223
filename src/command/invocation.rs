//! The typed result of parsing a command: what to call and how to print it.
//!
//! Parameter values use the same JSON shape botocore's parameter dictionaries have, keyed by
//! the model's member names, so that the protocol serialisers can follow botocore's:
//! - `string` → JSON string; `integer`/`long` → JSON integer; `float`/`double` → JSON number;
//!   `boolean` → JSON bool;
//! - `timestamp` → JSON string exactly as the user wrote it, already checked to be ISO 8601 or
//!   epoch seconds (the serialiser converts it to the protocol's wire format);
//! - `blob` → JSON string holding the raw text (the serialiser base64-encodes where the
//!   protocol wants base64, as the AWS CLI v1 does for blob arguments);
//! - `structure` and `map` → JSON object; `list` → JSON array.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::output::OutputFormat;

/// One AWS operation to run, with every option parsed and typed. Pending requests store it
/// as these fields in this order, the global options inline (`conversation::pending`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invocation {
    /// The AWS CLI's service command name (`cloudwatch`, `s3api`, `logs`).
    pub service: String,
    /// The model's operation key (`DescribeAlarms`).
    pub operation: String,
    /// The AWS CLI's operation name (`describe-alarms`).
    pub cli_operation: String,
    /// Input members by model member name, valued as described in the module docs.
    pub params: Map<String, Value>,
    #[serde(flatten)]
    pub globals: GlobalOptions,
}

/// Options that apply to every command rather than to one operation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GlobalOptions {
    pub region: Option<String>,
    /// A JMESPath expression applied to the result before formatting.
    pub query: Option<String>,
    pub output: Option<OutputFormat>,
    /// `--max-items`: stop after this many result items (paginated operations only).
    pub max_items: Option<u64>,
    /// `--starting-token`: resume a previous `--max-items` listing.
    pub starting_token: Option<String>,
    /// `--page-size`: items per service call (paginated operations only).
    pub page_size: Option<u64>,
    /// `--no-paginate`: one service call only.
    pub no_paginate: bool,
    /// `--cli-input-json`/`--cli-input-yaml`: read into `params` by the parser, never kept.
    #[serde(skip)]
    pub cli_input: Option<super::input::CliInput>,
    /// `--generate-cli-skeleton` (terminal only): print a skeleton instead of calling AWS.
    #[serde(skip)]
    pub generate_cli_skeleton: Option<super::skeleton::SkeletonKind>,
    /// What an AWS CLI customization changes in how the call is run or printed (the `s3 ls`
    /// lines, the outfile of a streamed payload); `None` for most commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customization: Option<super::Customization>,
}

impl Invocation {
    /// Every operation running this invocation may call, with its service (CLI name): its
    /// own, then, for a CLI command that makes several calls (`emr describe-cluster`,
    /// `configservice subscribe`), every other one its plan may make. Access control checks
    /// each of them before the first call.
    pub fn operations(&self) -> Vec<(&str, &str)> {
        let mut operations = vec![(self.service.as_str(), self.operation.as_str())];
        if let Some(super::Customization::Calls { plan }) = &self.globals.customization {
            for (service, operation) in plan.operations(self) {
                let call = (service.unwrap_or(self.service.as_str()), operation);
                if !operations.contains(&call) {
                    operations.push(call);
                }
            }
        }
        operations
    }
}
