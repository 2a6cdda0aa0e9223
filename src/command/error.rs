//! The grammar's errors: each variant says when it happens, and its `Display` is the
//! user-facing sentence (what was wrong and how to fix it). Never formats cards or logs.

use crate::models::ShapeType;

use super::Invocation;

/// Why a command could not be parsed. `Display` is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError {
    /// A single or double quote is opened and never closed.
    #[error("The command has an unclosed {quote} quote. Close it, or escape it with a backslash.")]
    UnclosedQuote { quote: char },

    /// An unquoted value opens a bracket, brace or parenthesis and the command ends before it
    /// is closed (or they nest deeper than the tokenizer follows).
    #[error("{problem} in `{word}`. Close it with `{close}`, or quote the whole value.")]
    UnbalancedBracket {
        /// What is wrong, as a sentence start (`The { is never closed`).
        problem: String,
        /// The value so far, shortened.
        word: String,
        /// The character that would close the innermost open bracket.
        close: char,
    },

    /// The first word is not a service the AWS CLI knows.
    #[error("Unknown service '{name}'.{}", did_you_mean(suggestions, ""))]
    UnknownService {
        name: String,
        suggestions: Vec<String>,
    },

    /// The second word is not an operation of the service.
    #[error(
        "Unknown operation '{name}' for {service}.{} Type `{service} help` to list its operations.",
        did_you_mean(suggestions, "")
    )]
    UnknownOperation {
        service: String,
        name: String,
        suggestions: Vec<String>,
    },

    /// `<service> wait` without a waiter, or with one the service does not have.
    #[error(
        "{}{service} has these waiters: {}.",
        unknown_waiter(name),
        waiters.join(", ")
    )]
    UnknownWaiter {
        service: String,
        /// The waiter typed, if any.
        name: Option<String>,
        waiters: Vec<String>,
    },

    /// The service or the operation is on the never-allowed list (product feature F6), whatever
    /// the role or channel. Checked before anything else about the command.
    #[error("{} is never available from chat: {reason}", never_allowed_subject(service, operation.as_deref()))]
    NeverAllowed {
        /// The service as typed (its CLI name).
        service: String,
        /// The operation as typed (its CLI name), or `None` when the whole service is refused.
        operation: Option<String>,
        /// The list entry that refuses it, in the seed page's wording.
        reason: &'static str,
    },

    /// An option the bot refuses because it would redirect or weaken the call, read local
    /// files or change how the CLI itself behaves (`--endpoint-url`, `--profile`, ...).
    #[error("--{option} is not available here: {reason}")]
    RefusedOption {
        option: String,
        reason: &'static str,
    },

    /// A value starts with `file://` or `fileb://`: the bot never reads its own files.
    #[error("The value of --{option} starts with '{prefix}', but the bot never reads files. Paste the content itself instead (JSON or shorthand).")]
    FileReference { option: String, prefix: String },

    /// An option that neither the operation nor the global options know.
    #[error("Unknown option --{option} for {service} {operation}.{} Type `{service} {operation} help` to list its options.", did_you_mean(suggestions, "--"))]
    UnknownOption {
        service: String,
        operation: String,
        option: String,
        suggestions: Vec<String>,
    },

    /// An abbreviated option name that starts several option names (the AWS CLI accepts a
    /// unique prefix, like `--state` for `--state-value`).
    #[error(
        "--{option} is ambiguous: it could be {}. Write the option name in full.",
        list_options(candidates)
    )]
    AmbiguousOption {
        option: String,
        candidates: Vec<String>,
    },

    /// The same option (or a flag and its `--no-` twin) is given twice.
    #[error("--{option} is given more than once. Give it once; a list takes several values after one --{option}.")]
    DuplicateOption { option: String },

    /// An option that needs a value is followed by another option or by nothing.
    #[error("--{option} needs a value: {expected}.")]
    MissingValue { option: String, expected: String },

    /// A value follows a boolean flag, which takes none.
    #[error("--{option} is a flag and takes no value (got '{value}'). Write --{flag} for true or --no-{flag} for false.", flag = option.trim_start_matches("no-"))]
    FlagWithValue { option: String, value: String },

    /// A word that belongs to no option: an extra value after a single-valued option, or a
    /// value before any option.
    #[error("Unexpected '{value}'{}. Quote a value that contains spaces, and put each value after its --option.", after.as_ref().map(|a| format!(" after --{a}")).unwrap_or_default())]
    UnexpectedArgument {
        value: String,
        /// The option the word followed, if any.
        after: Option<String>,
    },

    /// A value does not have the type or format its model shape asks for (an integer that
    /// is not a number, a bad timestamp, invalid JSON or shorthand, an unknown structure key).
    #[error(
        "Invalid value for --{option}{}: {problem}. Expected {expected}.",
        at_path(path)
    )]
    InvalidValue {
        option: String,
        /// Where inside the value, like `Dimensions[0].Name`; empty for the value itself.
        path: String,
        problem: String,
        /// The expected shape, with an example (shorthand for structures).
        expected: String,
    },

    /// A value that is not one of the model's enum values.
    #[error("Invalid value '{value}' for --{option}{}. Allowed values: {}.", at_path(path), allowed.join(", "))]
    InvalidEnum {
        option: String,
        path: String,
        value: String,
        allowed: Vec<String>,
    },

    /// A number outside the model's range, or a string or list whose length is outside the
    /// model's bounds.
    #[error("Invalid value for --{option}{}: {problem}.", at_path(path))]
    OutOfRange {
        option: String,
        path: String,
        problem: String,
    },

    /// `--max-items`, `--starting-token`, `--page-size` or `--no-paginate` on an operation
    /// the AWS CLI does not paginate.
    #[error("--{option} only applies to operations that return pages, and {service} {operation} does not. Remove it.")]
    PaginationNotSupported {
        option: String,
        service: String,
        operation: String,
    },

    /// The CLI's pagination options together with the operation's own paging member
    /// (`--max-items` with `--next-token`), which turns the CLI's pagination off.
    #[error("--{option} cannot be combined with --{manual}: giving --{manual} turns automatic pagination off. Use one or the other.")]
    PaginationConflict { option: String, manual: String },

    /// `--query` is not a valid JMESPath expression.
    #[error("--query is not a valid JMESPath expression: {message}")]
    InvalidQuery { query: String, message: String },

    /// `--output` is not one of json, text, table, yaml.
    #[error("Invalid --output '{value}'. Allowed values: json, text, table, yaml.")]
    InvalidOutput { value: String },

    /// `--region` does not look like a region name.
    #[error("Invalid --region '{value}'. Use a region name like us-east-1.")]
    InvalidRegion { value: String },

    /// An `s3` command other than the `ls` and `cp` aliases (product feature F7).
    #[error("Unknown s3 command '{name}'.{} From chat, s3 offers `s3 ls` and `s3 cp s3://bucket/key s3://bucket/key`; every other S3 operation is under `s3api`.", did_you_mean(suggestions, ""))]
    UnknownS3Command {
        name: String,
        suggestions: Vec<String>,
    },

    /// `s3 cp` with a local path or `-`: the bot has no files to upload or to write to.
    #[error("'{path}' is not an s3:// path. From chat, s3 cp copies from one S3 object to another: s3 cp s3://bucket/key s3://other-bucket/key.")]
    S3LocalPath { path: String },

    /// An `s3 ls`/`s3 cp` call with the wrong number of paths or an unsupported option.
    #[error("{message}")]
    S3Usage { message: String },

    /// A usage error the AWS CLI raises itself (`aws: error: ...`, without the prefix), like
    /// EMR's missing step fields.
    #[error("{message}")]
    CliUsage { message: String },

    /// Two options that the AWS CLI does not take together (a customization's options beside
    /// the model's option they stand for).
    #[error("--{option} cannot be combined with --{other}: {hint}.")]
    OptionConflict {
        option: String,
        other: String,
        hint: String,
    },

    /// Options an AWS CLI customization requires are missing (`cloudsearch define-expression`
    /// without `--name` or `--expression`).
    #[error("{command} is missing the required {} {}.", if options.len() == 1 { "option" } else { "options" }, list_options(options))]
    MissingFlattened {
        command: String,
        options: Vec<String>,
    },

    /// A command that does something only when one of several options is given (`emr
    /// modify-cluster-attributes` without an attribute).
    #[error("{command} needs at least one of {}.", list_alternatives(options))]
    NeedsOneOf {
        command: String,
        options: Vec<String>,
    },

    /// One of the AWS CLI's own commands that only makes sense on a workstation (local files,
    /// local configuration, credentials for other tools, interactive sessions).
    #[error("`{command}` is not available from chat or exec: {reason}")]
    WorkstationOnly {
        command: String,
        reason: &'static str,
    },

    /// Required options are missing. Everything else parsed: the invocation carries what was
    /// given, so the prompt flow can ask for the rest in a form and run it.
    #[error("{} {} is missing the required {} {}.", invocation.service, invocation.cli_operation, if missing.len() == 1 { "option" } else { "options" }, list_options(&missing.iter().map(|m| m.option.clone()).collect::<Vec<_>>()))]
    MissingRequired {
        invocation: Box<Invocation>,
        missing: Vec<MissingParameter>,
    },
}

/// A required input member the command did not give.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingParameter {
    /// The model's member name (`FunctionName`), the key in [`Invocation::params`].
    pub member: String,
    /// The CLI option name without dashes (`function-name`).
    pub option: String,
    /// The model shape's name (`NamespacedFunctionName`).
    pub shape: String,
    pub shape_type: ShapeType,
}

fn did_you_mean(suggestions: &[String], prefix: &str) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!(" Did you mean {prefix}{one}?"),
        many => {
            let names: Vec<String> = many.iter().map(|s| format!("{prefix}{s}")).collect();
            format!(" Did you mean one of: {}?", names.join(", "))
        }
    }
}

fn list_options(options: &[String]) -> String {
    join_options(options, "and")
}

fn list_alternatives(options: &[String]) -> String {
    join_options(options, "or")
}

/// `--a, --b and --c` (or `or`).
fn join_options(options: &[String], conjunction: &str) -> String {
    let dashed: Vec<String> = options.iter().map(|o| format!("--{o}")).collect();
    match dashed.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}

fn at_path(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!(" (at {path})")
    }
}

fn never_allowed_subject(service: &str, operation: Option<&str>) -> String {
    match operation {
        Some(operation) => format!("{service} {operation}"),
        None => format!("Every {service} operation"),
    }
}

/// The start of [`CommandError::UnknownWaiter`]'s message.
fn unknown_waiter(name: &Option<String>) -> String {
    match name {
        Some(name) => format!("Unknown waiter '{name}'. "),
        None => "Name the waiter to wait for. ".to_owned(),
    }
}
