//! The AWS CLI grammar: turns the text of a command into a typed [`Command`] or a precise
//! [`CommandError`], driven by the service models. Pure: no IO, no AWS calls, no chat types,
//! no roles or guardrails (except the never-allowed list, which nothing may override).
//!
//! The rules are the AWS CLI's (v1, whose source is the reference): `<service> <operation>
//! [--option value ...]` with the CLI's names; values by member type (see [`Invocation`]);
//! lists take every following word up to the next option; structures and maps take JSON or
//! shorthand; top-level booleans are `--flag`/`--no-flag`; `--option=value` works; an option
//! may be abbreviated to a unique prefix (the CLI's argparse does this, which is why the AWS
//! Chatbot page's `cloudwatch describe-alarms --state ALARM` works). Chat additions: `-option`
//! and a leading `—`/`–` work like `--option` (a negative number stays a value), a leading
//! `aws` is ignored, and the service and operation words are read case-insensitively (phone
//! keyboards capitalise the first word).
//!
//! Options that would redirect or weaken the call or read local files are refused in every
//! [`ParseContext`]: the local `exec` runs the same pipeline as chat, so it refuses the same
//! things (`--endpoint-url`, `--profile`, `--debug`, `--no-verify-ssl`, `--ca-bundle`,
//! `file://`, `fileb://`). `--cli-input-json`/`--cli-input-yaml` take their document inline
//! in both (`input`); `--generate-cli-skeleton` (`skeleton`) only in the terminal.
//!
//! Where things are: `parse` reads a command up to the operation (and `help`); `operation`
//! reads one operation's options into an [`Invocation`]; `global_options` holds `--region`,
//! `--query`, `--output`, the paging options and the refused options; `values` types an
//! option's words by the member's shape; `words` tells options from plain words; `s3`
//! handles the `s3 ls`/`s3 cp` aliases; `customizations` adds the AWS CLI's own options and
//! outfile and refuses its workstation-only commands.

pub mod alias;
mod canonical;
mod customizations;
mod denylist;
mod error;
mod global_options;
pub mod input;
mod invocation;
mod operation;
mod parse;
mod s3;
pub(crate) mod shorthand;
pub mod skeleton;
mod tokenize;
mod values;
mod words;

#[cfg(test)]
mod tests;

use crate::models::{Models, ServiceModel};

pub use crate::output::OutputFormat;
pub use canonical::render_command_line;
pub use customizations::{
    command_option_names, custom_options_help, Call, CustomOptionHelp, Customization, Finished,
    Next, Plan,
};
pub use denylist::{is_never_allowed, NeverAllowedEntry, NEVER_ALLOWED, NO_ATTACHMENTS_FROM_CHAT};
pub use error::{CommandError, MissingParameter};
pub use invocation::{GlobalOptions, Invocation};
pub use s3::{ListOptions, S3Command, S3Object};
pub use tokenize::tokenize;

// The `s3` aliases read the same words and refuse the same options as the other commands.
use global_options::REFUSED_OPTIONS;
use words::Word;

/// Where the command comes from. Both refuse the same options but one (see the module docs);
/// the context is a parameter so that each difference is a decision made here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseContext {
    /// A message in a Teams channel or chat.
    Chat,
    /// The local `exec` command or console.
    Terminal,
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Run one AWS operation.
    Run(Invocation),
    /// One of the `s3` aliases (`s3 ls`, `s3 cp`).
    S3(S3Command),
    /// Show help.
    Help(HelpRequest),
}

/// What help was asked for. Names are checked: an unknown one is an error, not a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRequest {
    /// `help`, `--help`, or an empty command.
    General,
    /// `<service> help`, `<service> --help`, or a service alone.
    Service { service: String },
    /// `<service> <operation> help`, or `--help` anywhere after the operation.
    Operation {
        service: String,
        /// The model's operation key (`DescribeAlarms`).
        operation: String,
        /// The CLI's operation name (`describe-alarms`).
        cli_operation: String,
    },
    /// `s3 ls --help`, `s3 cp help`: help on one of the `s3` aliases (`ls` or `cp`).
    S3Alias { command: String },
}

/// What a value of the model shape `shape_name` looks like, with an example (shorthand where
/// the CLI offers it). Forms and help cards show it next to inputs.
pub fn describe_value(model: &ServiceModel, shape_name: &str) -> String {
    values::describe_shape(model, shape_name)
}

/// Quotes a word so that [`tokenize`] gives it back unchanged (POSIX single quotes).
pub fn quote_word(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Parses the text of a command (the bot's mention already removed). Both contexts refuse
/// the same options and values except `--generate-cli-skeleton`, which only the terminal
/// takes (see the module docs); the never-allowed list applies whatever the caller.
pub fn parse(text: &str, models: &Models, context: ParseContext) -> Result<Command, CommandError> {
    let words = tokenize(text)?;
    parse::Parser { models, context }.parse(words)
}
