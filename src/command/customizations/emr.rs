//! EMR's hand-written CLI commands (`awscli/customizations/emr/`) that stand for operations
//! the CLI does not offer by their own names: `describe-cluster` (DescribeCluster and the
//! listings it merges in), `terminate-clusters` (TerminateJobFlows, `--cluster-ids`) and
//! `modify-cluster-attributes` (one `Set*` call per attribute); and `add-tags`' `--tags k=v`
//! words (`addtags.py`). `models::cli_commands` routes the names; this module says which
//! options each takes and builds what the CLI builds.

use serde_json::Value;

use super::option_group::CommandOptions;
use super::{single_word, CommandError, Invocation};

/// `emr describe-cluster --cluster-id`: only the cluster id.
pub(super) const DESCRIBE_CLUSTER: CommandOptions = CommandOptions {
    renamed: &[],
    removed: &[],
    offered: Some(&["ClusterId"]),
};

/// `emr terminate-clusters --cluster-ids ID...`.
pub(super) const TERMINATE_CLUSTERS: CommandOptions = CommandOptions {
    renamed: &[("JobFlowIds", "cluster-ids")],
    removed: &[],
    offered: Some(&["JobFlowIds"]),
};

/// `emr modify-cluster-attributes` (and the HBase commands): none of the model's options;
/// `--cluster-id` and the rest are the command's own ([`OPTIONS`], `emr_hbase`).
pub(super) const MODIFY_CLUSTER_ATTRIBUTES: CommandOptions = CommandOptions {
    renamed: &[],
    removed: &[],
    offered: Some(&[]),
};

/// One attribute `modify-cluster-attributes` sets, in the order the CLI sets them.
pub(super) struct Attribute {
    /// The key the flag is kept under in the invocation's parameters (`true` for
    /// `--visible-to-all-users`, `false` for `--no-visible-to-all-users`).
    pub(super) param: &'static str,
    /// The flag without dashes (its negation adds `no-`).
    pub(super) option: &'static str,
    /// The operation that sets it.
    pub(super) operation: &'static str,
    /// The operation's member it sets.
    pub(super) member: &'static str,
    /// Whether the member is the flag's opposite (`--auto-terminate` keeps no job flow alive).
    pub(super) inverted: bool,
}

pub(super) const ATTRIBUTES: [Attribute; 4] = [
    Attribute {
        param: "VisibleToAllUsers",
        option: "visible-to-all-users",
        operation: "SetVisibleToAllUsers",
        member: "VisibleToAllUsers",
        inverted: false,
    },
    Attribute {
        param: "TerminationProtected",
        option: "termination-protected",
        operation: "SetTerminationProtection",
        member: "TerminationProtected",
        inverted: false,
    },
    Attribute {
        param: "AutoTerminate",
        option: "auto-terminate",
        operation: "SetKeepJobFlowAliveWhenNoSteps",
        member: "KeepJobFlowAliveWhenNoSteps",
        inverted: true,
    },
    Attribute {
        param: "UnhealthyNodeReplacement",
        option: "unhealthy-node-replacement",
        operation: "SetUnhealthyNodeReplacement",
        member: "UnhealthyNodeReplacement",
        inverted: false,
    },
];

/// An option of `modify-cluster-attributes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum AttributeOption {
    ClusterId,
    /// The attribute (an index into [`ATTRIBUTES`]) on or off.
    Flag {
        attribute: usize,
        on: bool,
    },
}

pub(super) const OPTIONS: [(&str, AttributeOption); 9] = [
    ("cluster-id", AttributeOption::ClusterId),
    ("visible-to-all-users", flag(0, true)),
    ("no-visible-to-all-users", flag(0, false)),
    ("termination-protected", flag(1, true)),
    ("no-termination-protected", flag(1, false)),
    ("auto-terminate", flag(2, true)),
    ("no-auto-terminate", flag(2, false)),
    ("unhealthy-node-replacement", flag(3, true)),
    ("no-unhealthy-node-replacement", flag(3, false)),
];

const fn flag(attribute: usize, on: bool) -> AttributeOption {
    AttributeOption::Flag { attribute, on }
}

/// Reads `modify-cluster-attributes`' options into the invocation, with the CLI's checks, and
/// makes the invocation stand for the first call it makes.
pub(super) fn apply_attributes(
    invocation: &mut Invocation,
    given: Vec<(String, AttributeOption, Vec<String>)>,
    requires_options: bool,
) -> Result<(), CommandError> {
    let mut flags: [(Option<bool>, Option<bool>); 4] = [(None, None); 4];
    for (name, option, words) in given {
        match option {
            AttributeOption::ClusterId => {
                let id = single_word(&name, words, "a cluster id (j-...)")?;
                invocation
                    .params
                    .insert("ClusterId".into(), Value::String(id));
            }
            AttributeOption::Flag { attribute, on } => {
                let slot = &mut flags[attribute];
                if on {
                    slot.0 = Some(true);
                } else {
                    slot.1 = Some(false);
                }
            }
        }
    }
    for (attribute, (on, off)) in ATTRIBUTES.iter().zip(flags) {
        match (on, off) {
            (Some(_), Some(_)) => {
                // The CLI's MutualExclusiveOptionError.
                return Err(CommandError::OptionConflict {
                    option: attribute.option.to_owned(),
                    other: format!("no-{}", attribute.option),
                    hint: "give one of them, to turn the attribute on or off".into(),
                });
            }
            (Some(value), None) | (None, Some(value)) => {
                invocation
                    .params
                    .insert(attribute.param.into(), Value::Bool(value));
            }
            (None, None) => {}
        }
    }
    if !requires_options {
        return Ok(());
    }
    if !invocation.params.contains_key("ClusterId") {
        return Err(CommandError::MissingFlattened {
            command: "emr modify-cluster-attributes".into(),
            options: vec!["cluster-id".into()],
        });
    }
    // The CLI's MissingClusterAttributesError.
    let Some(first) = super::calls::first_attribute_operation(&invocation.params) else {
        return Err(CommandError::NeedsOneOf {
            command: "emr modify-cluster-attributes".into(),
            options: OPTIONS[1..]
                .iter()
                .map(|(name, _)| (*name).to_owned())
                .collect(),
        });
    };
    first.clone_into(&mut invocation.operation);
    Ok(())
}

/// `emr add-tags --tags key=value key ...`: each word a tag, split at the first `=`; a word
/// without one is a key with an empty value (`emrutils.parse_tags`).
pub(super) fn apply_tags(invocation: &mut Invocation, words: Vec<String>) {
    let tags = words
        .into_iter()
        .map(|word| {
            let (key, value) = word.split_once('=').unwrap_or((word.as_str(), ""));
            serde_json::json!({"Key": key, "Value": value})
        })
        .collect();
    invocation.params.insert("Tags".into(), Value::Array(tags));
}

/// How an EMR command prints a parameter back where it differs from the model's form:
/// `modify-cluster-attributes`' attributes as their flags, `add-tags`' tags as `key=value`.
pub(in crate::command) fn printed_words(
    invocation: &Invocation,
    param: &str,
    value: &Value,
) -> Option<String> {
    if invocation.service != "emr" {
        return None;
    }
    if invocation.operation == "AddTags" && param == "Tags" {
        let words: Option<Vec<String>> = value
            .as_array()?
            .iter()
            .map(|tag| {
                let key = tag.get("Key")?.as_str()?;
                let value = tag.get("Value").and_then(Value::as_str).unwrap_or_default();
                Some(super::super::canonical::quote(&format!("{key}={value}")))
            })
            .collect();
        return words.map(|words| format!("--tags {}", words.join(" ")));
    }
    if let Some(word) = super::emr_hbase::flag_word(invocation, param, value) {
        return Some(word);
    }
    if let Some(word) = super::emr_commands::flag_word(invocation, param, value) {
        return Some(word);
    }
    if invocation.cli_operation != "modify-cluster-attributes" {
        return None;
    }
    let attribute = ATTRIBUTES.iter().find(|a| a.param == param)?;
    match value {
        Value::Bool(true) => Some(format!("--{}", attribute.option)),
        Value::Bool(false) => Some(format!("--no-{}", attribute.option)),
        _ => None,
    }
}
