//! `rds add-option-to-option-group` and `rds remove-option-from-option-group` (awscli
//! `rds.py`): CLI-only commands that stand for ModifyOptionGroup (the CLI removes
//! `modify-option-group` itself). The models already route both names to ModifyOptionGroup, so
//! the invocation, access control and the audit see that operation (a write); what the models
//! cannot say is how each command names the members, because both share one operation: the
//! CLI renames `--options-to-include` (add) or `--options-to-remove` (remove) to `--options`
//! and deletes the other one.

use indexmap::IndexMap;

use crate::models::{Operation, ServiceModel};

/// How one CLI command names the members of the operation it stands for.
pub(in crate::command) struct CommandOptions {
    /// Member → the command's option name.
    pub(in crate::command) renamed: &'static [(&'static str, &'static str)],
    /// Members the command does not take: the model's option name and why, with what to use.
    pub(in crate::command) removed: &'static [(&'static str, &'static str, &'static str)],
}

const ADD: CommandOptions = CommandOptions {
    renamed: &[("OptionsToInclude", "options")],
    removed: &[(
        "OptionsToRemove",
        "options-to-remove",
        "add-option-to-option-group only adds options; remove one with `rds \
         remove-option-from-option-group --option-group-name NAME --options OPTION`",
    )],
};

const REMOVE: CommandOptions = CommandOptions {
    renamed: &[("OptionsToRemove", "options")],
    removed: &[(
        "OptionsToInclude",
        "options-to-include",
        "remove-option-from-option-group only removes options; add one with `rds \
         add-option-to-option-group --option-group-name NAME --options OptionName=OPTION`",
    )],
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
