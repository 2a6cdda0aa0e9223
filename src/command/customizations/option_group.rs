//! `rds add-option-to-option-group` and `rds remove-option-from-option-group` (awscli
//! `rds.py`): CLI-only commands that stand for ModifyOptionGroup (the CLI removes
//! `modify-option-group` itself). The models already route both names to ModifyOptionGroup, so
//! the invocation, access control and the audit see that operation (a write); what the models
//! cannot say is how each command names the members, because both share one operation: the
//! CLI renames `--options-to-include` (add) or `--options-to-remove` (remove) to `--options`
//! and deletes the other one. The same table serves the CLI's hand-written commands that stand
//! for an operation and offer only some of its members (`emr describe-cluster`,
//! `configservice get-status`).

use indexmap::IndexMap;

use crate::models::{Operation, ServiceModel};

/// How one CLI command names the members of the operation it stands for.
pub(in crate::command) struct CommandOptions {
    /// Member → the command's option name.
    pub(in crate::command) renamed: &'static [(&'static str, &'static str)],
    /// Members the command does not take: the model's option name and why, with what to use.
    pub(in crate::command) removed: &'static [(&'static str, &'static str, &'static str)],
    /// When set, the only members the command offers as options (a hand-written command
    /// whose other options are its own); the rest are unknown to it, as in the CLI.
    pub(in crate::command) offered: Option<&'static [&'static str]>,
}

impl CommandOptions {
    /// Whether the command offers `member` as an option.
    pub(in crate::command) fn offers(&self, member: &str) -> bool {
        self.offered.is_none_or(|offered| offered.contains(&member))
    }
}

const ADD: CommandOptions = CommandOptions {
    renamed: &[("OptionsToInclude", "options")],
    removed: &[(
        "OptionsToRemove",
        "options-to-remove",
        "add-option-to-option-group only adds options; remove one with `rds \
         remove-option-from-option-group --option-group-name NAME --options OPTION`",
    )],
    offered: None,
};

const REMOVE: CommandOptions = CommandOptions {
    renamed: &[("OptionsToRemove", "options")],
    removed: &[(
        "OptionsToInclude",
        "options-to-include",
        "remove-option-from-option-group only removes options; add one with `rds \
         add-option-to-option-group --option-group-name NAME --options OptionName=OPTION`",
    )],
    offered: None,
};

/// `configservice get-status`: no options.
const GET_STATUS: CommandOptions = CommandOptions {
    renamed: &[],
    removed: &[],
    offered: Some(&[]),
};

/// The option names of `service cli_operation` where the command departs from its model
/// operation's, for the commands that stand for another operation.
pub(in crate::command) fn command_options(
    service: &str,
    cli_operation: &str,
) -> Option<&'static CommandOptions> {
    match (service, cli_operation) {
        ("rds", "add-option-to-option-group") => Some(&ADD),
        ("rds", "remove-option-from-option-group") => Some(&REMOVE),
        ("emr", "describe-cluster") => Some(&super::emr::DESCRIBE_CLUSTER),
        ("emr", "terminate-clusters") => Some(&super::emr::TERMINATE_CLUSTERS),
        ("emr", "modify-cluster-attributes") => Some(&super::emr::MODIFY_CLUSTER_ATTRIBUTES),
        ("emr", command) if super::emr_hbase::is_hbase_command(command) => {
            Some(&super::emr::MODIFY_CLUSTER_ATTRIBUTES)
        }
        (
            "emr",
            "add-instance-groups" | "add-steps" | "create-cluster" | "install-applications",
        ) => Some(&super::emr_commands::OWN_OPTIONS_ONLY),
        ("configservice", "get-status") => Some(&GET_STATUS),
        ("configservice", "subscribe") => Some(&super::config_subscribe::COMMAND_OPTIONS),
        _ => None,
    }
}

/// Member → CLI option name of `operation` as `service cli_operation` offers it: the model's
/// names with the changes of a command that stands for another operation (`rds
/// add-option-to-option-group` names OptionsToInclude `--options` and has no option for
/// OptionsToRemove). What help, completion, forms and cards should list.
pub fn command_option_names(
    model: &ServiceModel,
    operation: &Operation,
    service: &str,
    cli_operation: &str,
) -> Option<IndexMap<String, String>> {
    let options = model.cli_options(operation)?;
    let Some(command) = command_options(service, cli_operation) else {
        return Some(options.clone());
    };
    Some(
        options
            .iter()
            .filter(|(member, _)| !command.removed.iter().any(|(m, _, _)| m == member))
            .filter(|(member, _)| command.offers(member))
            .map(|(member, option)| {
                let option = command
                    .renamed
                    .iter()
                    .find(|(m, _)| m == member)
                    .map_or(option.as_str(), |(_, renamed)| *renamed);
                (member.clone(), option.to_owned())
            })
            .collect(),
    )
}
