//! The options every operation takes (`--region`, `--query`, `--output` and the paging
//! options), how their values are checked, and the AWS CLI options the bot refuses.

use super::input::{CliInput, CliInputFormat};
use super::shorthand;
use super::skeleton::SkeletonKind;
use super::{CommandError, GlobalOptions, OutputFormat, ParseContext};

/// The global options, each with how many values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Global {
    Region,
    Query,
    Output,
    MaxItems,
    StartingToken,
    PageSize,
    NoPaginate,
    CliInputJson,
    CliInputYaml,
    GenerateCliSkeleton,
}

impl Global {
    pub(super) const ALL: [(&'static str, Global); 10] = [
        ("region", Global::Region),
        ("query", Global::Query),
        ("output", Global::Output),
        ("max-items", Global::MaxItems),
        ("starting-token", Global::StartingToken),
        ("page-size", Global::PageSize),
        ("no-paginate", Global::NoPaginate),
        ("cli-input-json", Global::CliInputJson),
        ("cli-input-yaml", Global::CliInputYaml),
        ("generate-cli-skeleton", Global::GenerateCliSkeleton),
    ];

    pub(super) fn is_paging(self) -> bool {
        matches!(
            self,
            Global::MaxItems | Global::StartingToken | Global::PageSize | Global::NoPaginate
        )
    }

    /// Whether the option always takes one value (`--generate-cli-skeleton`'s is optional).
    pub(super) fn takes_one_value(self) -> bool {
        !matches!(self, Global::NoPaginate | Global::GenerateCliSkeleton)
    }

    /// Whether the option exists in this context: a chat answers with a card rather than a
    /// template to save, so `--generate-cli-skeleton` is the terminal's only (chat refuses it
    /// with the reason in [`REFUSED_OPTIONS`]).
    pub(super) fn available_in(self, context: ParseContext) -> bool {
        self != Global::GenerateCliSkeleton || context == ParseContext::Terminal
    }

    /// What a value of this option looks like, for messages.
    fn expected(self) -> &'static str {
        match self {
            Global::Region => "a region name like us-east-1",
            Global::Query => "a JMESPath expression like 'MetricAlarms[].AlarmName'",
            Global::Output => "json, text, table or yaml",
            Global::MaxItems | Global::PageSize => "a whole number of items, at least 1",
            Global::StartingToken => "the NextToken printed by an earlier call",
            Global::NoPaginate => "no value",
            Global::CliInputJson => "a JSON object of the operation's input members, as --generate-cli-skeleton prints it",
            Global::CliInputYaml => "a YAML mapping of the operation's input members, as --generate-cli-skeleton yaml-input prints it",
            Global::GenerateCliSkeleton => "input, yaml-input or output",
        }
    }

    /// Checks the words given to the option `name` and records its value in `globals`.
    pub(super) fn apply(
        self,
        globals: &mut GlobalOptions,
        name: &str,
        values: Vec<String>,
    ) -> Result<(), CommandError> {
        if self == Global::NoPaginate {
            if let Some(value) = values.into_iter().next() {
                return Err(CommandError::FlagWithValue {
                    option: name.to_owned(),
                    value,
                });
            }
            globals.no_paginate = true;
            return Ok(());
        }
        if self == Global::GenerateCliSkeleton {
            return skeleton_kind(globals, name, values);
        }
        let expected = self.expected();
        let value = single_value(name, expected, values)?;
        match self {
            Global::Region => globals.region = Some(region(value)?),
            Global::Query => globals.query = Some(query(value)?),
            Global::Output => {
                let Some(output) = OutputFormat::from_cli(&value) else {
                    return Err(CommandError::InvalidOutput { value });
                };
                globals.output = Some(output);
            }
            Global::MaxItems | Global::PageSize => {
                let Some(count) = value.trim().parse::<u64>().ok().filter(|n| *n >= 1) else {
                    return Err(CommandError::InvalidValue {
                        option: name.to_owned(),
                        path: String::new(),
                        problem: format!("'{value}' is not a whole number above 0"),
                        expected: expected.to_owned(),
                    });
                };
                if self == Global::MaxItems {
                    globals.max_items = Some(count);
                } else {
                    globals.page_size = Some(count);
                }
            }
            Global::StartingToken => globals.starting_token = Some(value),
            Global::CliInputJson | Global::CliInputYaml => {
                let format = if self == Global::CliInputJson {
                    CliInputFormat::Json
                } else {
                    CliInputFormat::Yaml
                };
                if let Some(other) = &globals.cli_input {
                    return Err(CommandError::UnexpectedArgument {
                        value: format!("--{name}"),
                        after: Some(other.format.option().to_owned()),
                    });
                }
                globals.cli_input = Some(CliInput {
                    format,
                    text: value,
                });
            }
            Global::NoPaginate | Global::GenerateCliSkeleton => unreachable!("handled above"),
        }
        Ok(())
    }
}

/// `--generate-cli-skeleton [input|yaml-input|output]`: `input` when no value is given.
fn skeleton_kind(
    globals: &mut GlobalOptions,
    name: &str,
    values: Vec<String>,
) -> Result<(), CommandError> {
    let mut values = values.into_iter();
    let kind = match values.next() {
        None => SkeletonKind::Input,
        Some(value) => {
            SkeletonKind::from_cli(&value).ok_or_else(|| CommandError::InvalidValue {
                option: name.to_owned(),
                path: String::new(),
                problem: format!("'{value}' is not a skeleton kind"),
                expected: Global::GenerateCliSkeleton.expected().to_owned(),
            })?
        }
    };
    if let Some(extra) = values.next() {
        return Err(CommandError::UnexpectedArgument {
            value: extra,
            after: Some(name.to_owned()),
        });
    }
    globals.generate_cli_skeleton = Some(kind);
    Ok(())
}

/// The one value an option takes: missing, a second word, or a `file://` reference is an
/// error.
fn single_value(name: &str, expected: &str, values: Vec<String>) -> Result<String, CommandError> {
    let mut values = values.into_iter();
    let Some(value) = values.next() else {
        return Err(CommandError::MissingValue {
            option: name.to_owned(),
            expected: expected.to_owned(),
        });
    };
    if let Some(extra) = values.next() {
        return Err(CommandError::UnexpectedArgument {
            value: extra,
            after: Some(name.to_owned()),
        });
    }
    if let Some(prefix) = shorthand::file_prefix(&value) {
        return Err(CommandError::FileReference {
            option: name.to_owned(),
            prefix: prefix.to_owned(),
        });
    }
    Ok(value)
}

/// A region name: lowercase letters, digits and inner dashes, at most 63 characters.
fn region(value: String) -> Result<String, CommandError> {
    let valid = !value.is_empty()
        && value.len() <= 63
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !value.starts_with('-')
        && !value.ends_with('-');
    if !valid {
        return Err(CommandError::InvalidRegion { value });
    }
    Ok(value)
}

/// A `--query` expression that parses. `Query::parse` checks the query's length and nesting
/// limits before the JMESPath parser (which recurses per level) sees it.
fn query(value: String) -> Result<String, CommandError> {
    if let Err(error) = crate::output::Query::parse(&value) {
        let reason = match error {
            crate::output::OutputError::InvalidQuery { reason, .. } => reason,
            other => other.to_string(),
        };
        return Err(CommandError::InvalidQuery {
            // The library's message draws a caret under the query on more lines; the first
            // line says what is wrong.
            message: reason.lines().next().unwrap_or_default().to_owned(),
            query: value,
        });
    }
    Ok(value)
}

/// Options of the AWS CLI that the bot refuses, whatever the context, with the reason.
/// The second field says whether the CLI option takes a value.
pub(super) const REFUSED_OPTIONS: &[(&str, bool, &str)] = &[
    (
        "endpoint-url",
        true,
        "the bot only calls the AWS endpoints of the chosen region.",
    ),
    (
        "profile",
        true,
        "commands run as the role mapped to this channel or to you, never as a local profile.",
    ),
    (
        "debug",
        false,
        "debug output can reveal request signatures and credentials.",
    ),
    (
        "no-verify-ssl",
        false,
        "the bot always verifies AWS's certificates.",
    ),
    (
        "ca-bundle",
        true,
        "the bot always trusts the standard certificate authorities only.",
    ),
    (
        "no-sign-request",
        false,
        "every call is signed as the channel's or your role.",
    ),
    // Refused only where the option is not a global of the context: the `s3` aliases (which
    // have no such options in the CLI either) and, for the skeleton, chat.
    (
        "cli-input-json",
        true,
        "give each option on the command line instead.",
    ),
    (
        "cli-input-yaml",
        true,
        "give each option on the command line instead.",
    ),
    (
        "generate-cli-skeleton",
        false,
        "the bot runs commands and does not print input templates here; add --help to see the options, or use aws-chatops exec.",
    ),
    (
        "cli-read-timeout",
        true,
        "the bot applies its own time limit to every command.",
    ),
    (
        "cli-connect-timeout",
        true,
        "the bot applies its own time limit to every command.",
    ),
    (
        "cli-binary-format",
        true,
        "the bot reads blob values as text.",
    ),
    (
        "cli-auto-prompt",
        false,
        "missing options are asked for in a form instead.",
    ),
    (
        "no-cli-auto-prompt",
        false,
        "missing options are asked for in a form instead.",
    ),
    ("no-cli-pager", false, "the bot has no pager."),
    ("color", true, "the bot formats its own output."),
    (
        "version",
        false,
        "the bot is not the AWS CLI; type help to see what it offers.",
    ),
];
