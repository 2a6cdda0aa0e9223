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
//! `--cli-input-json`, `--cli-input-yaml`, `--generate-cli-skeleton`, `file://`, `fileb://`).

mod canonical;
mod denylist;
mod error;
mod invocation;
mod s3;
pub(crate) mod shorthand;
mod tokenize;
mod values;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde_json::Value;

use crate::models::{Models, Operation, ServiceModel, ShapeType};

pub use canonical::render_command_line;
pub use denylist::{is_never_allowed, NeverAllowedEntry, NEVER_ALLOWED};
pub use error::{CommandError, MissingParameter};
pub use invocation::{GlobalOptions, Invocation, OutputFormat};
pub use s3::S3Command;
pub use tokenize::tokenize;

/// Where the command comes from. Both refuse the same options today (see the module docs);
/// the context is a parameter so that a later difference is a decision made here.
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
/// the same options and values today (see the module docs), so `context` does not change the
/// result yet; the never-allowed list applies whatever the caller.
pub fn parse(text: &str, models: &Models, context: ParseContext) -> Result<Command, CommandError> {
    let _same_rules_in_every_context = context;
    let words = tokenize(text)?;
    Parser { models }.parse(words)
}

/// A word of the command after dash normalisation: an option (name without dashes, and the
/// value given with `=`), or a plain word.
#[derive(Debug, Clone, PartialEq)]
enum Word {
    Option {
        name: String,
        inline_value: Option<String>,
        /// The word as typed, for messages.
        raw: String,
    },
    Plain(String),
}

impl Word {
    fn classify(raw: String) -> Word {
        let rest = raw.trim_start_matches(['-', '\u{2014}', '\u{2013}']);
        let has_dash = rest.len() < raw.len();
        // An option name starts with a letter, so `-1`, `-.5` and `-` stay values.
        if !has_dash || !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Word::Plain(raw);
        }
        let (name, inline_value) = match rest.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (rest.to_owned(), None),
        };
        Word::Option {
            name,
            inline_value,
            raw,
        }
    }

    fn is_help(&self) -> bool {
        matches!(self, Word::Option { name, inline_value: None, .. } if name == "help")
    }
}

/// The global options, each with how many values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    Region,
    Query,
    Output,
    MaxItems,
    StartingToken,
    PageSize,
    NoPaginate,
}

impl Global {
    const ALL: [(&'static str, Global); 7] = [
        ("region", Global::Region),
        ("query", Global::Query),
        ("output", Global::Output),
        ("max-items", Global::MaxItems),
        ("starting-token", Global::StartingToken),
        ("page-size", Global::PageSize),
        ("no-paginate", Global::NoPaginate),
    ];

    fn is_paging(self) -> bool {
        matches!(
            self,
            Global::MaxItems | Global::StartingToken | Global::PageSize | Global::NoPaginate
        )
    }

    fn takes_value(self) -> bool {
        self != Global::NoPaginate
    }
}

/// Options of the AWS CLI that the bot refuses, whatever the context, with the reason.
/// The second field says whether the CLI option takes a value.
const REFUSED_OPTIONS: &[(&str, bool, &str)] = &[
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
        "the bot runs commands and does not print input templates; add --help to see the options.",
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

struct Parser<'a> {
    models: &'a Models,
}

/// What an option word refers to for one operation.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Member { member: String, negated: bool },
    Global(Global),
    Refused(&'static str),
}

impl Parser<'_> {
    fn parse(&self, words: Vec<String>) -> Result<Command, CommandError> {
        let mut words: Vec<Word> = words.into_iter().map(Word::classify).collect();
        if matches!(words.first(), Some(Word::Plain(first)) if first.eq_ignore_ascii_case("aws")) {
            words.remove(0);
        }
        // Global options may come before the service, as in `aws --region eu-west-1 ec2 ...`:
        // move them to the end, where they are read with the operation's options.
        let leading = leading_options(&words);
        let mut words: Vec<Word> = words.split_off(leading).into_iter().chain(words).collect();
        let wants_help = words.iter().any(Word::is_help);

        let service = match words.first() {
            Some(Word::Plain(service)) => service.to_lowercase(),
            _ => return Ok(Command::Help(HelpRequest::General)),
        };
        words.remove(0);
        if service == "help" {
            // `help cloudwatch describe-alarms` is read as `cloudwatch describe-alarms help`.
            let mut rest: Vec<Word> = words
                .into_iter()
                .filter(|w| matches!(w, Word::Plain(_)))
                .take(2)
                .collect();
            if rest.is_empty() {
                return Ok(Command::Help(HelpRequest::General));
            }
            rest.push(Word::Plain("help".to_owned()));
            let Word::Plain(service) = rest.remove(0) else {
                unreachable!("only plain words were kept")
            };
            return self.parse_service(service.to_lowercase(), rest, true);
        }
        self.parse_service(service, words, wants_help)
    }

    fn parse_service(
        &self,
        service: String,
        mut words: Vec<Word>,
        wants_help: bool,
    ) -> Result<Command, CommandError> {
        if let Some(reason) = denylist::service_never_allowed(&service) {
            return Err(CommandError::NeverAllowed {
                service,
                operation: None,
                reason,
            });
        }
        if service == "s3" {
            return s3::parse(words, wants_help);
        }
        let model = self.models.service(&service).map_err(|_| {
            let names = self
                .models
                .services()
                .map(|s| s.cli_name)
                .chain(std::iter::once("s3"));
            CommandError::UnknownService {
                suggestions: crate::models::suggest(&service, names, 3),
                name: service.clone(),
            }
        })?;

        let operation_word = match words.first() {
            Some(Word::Plain(word)) => word.to_lowercase(),
            _ => return Ok(Command::Help(HelpRequest::Service { service })),
        };
        words.remove(0);
        if operation_word == "help" {
            return Ok(Command::Help(HelpRequest::Service { service }));
        }
        if let Some(reason) = denylist::cli_operation_never_allowed(&service, &operation_word) {
            return Err(CommandError::NeverAllowed {
                service,
                operation: Some(operation_word),
                reason,
            });
        }
        let Some(operation_key) = model.cli.operations.get(&operation_word).cloned() else {
            let suggestions = crate::models::suggest(
                &operation_word,
                model.cli.operations.keys().map(String::as_str),
                3,
            );
            return Err(CommandError::UnknownOperation {
                service,
                name: operation_word,
                suggestions,
            });
        };
        if let Some(reason) = is_never_allowed(&service, &operation_key) {
            return Err(CommandError::NeverAllowed {
                service,
                operation: Some(operation_word),
                reason,
            });
        }
        let help_word =
            matches!(words.first(), Some(Word::Plain(w)) if w.eq_ignore_ascii_case("help"));
        if wants_help || help_word {
            return Ok(Command::Help(HelpRequest::Operation {
                service,
                operation: operation_key,
                cli_operation: operation_word,
            }));
        }
        let operation = model
            .operations
            .get(&operation_key)
            .expect("the CLI's operation names map to the model's operations");
        OperationParser {
            model: &model,
            operation,
            service: &service,
            operation_key: &operation_key,
            cli_operation: &operation_word,
        }
        .parse(words)
        .map(Command::Run)
    }
}

/// How many words at the start are options (with their values) before the service word.
fn leading_options(words: &[Word]) -> usize {
    let mut index = 0;
    while let Some(Word::Option {
        name, inline_value, ..
    }) = words.get(index)
    {
        index += 1;
        // Exact names first, then a unique prefix, as when the options follow the operation.
        let known = Global::ALL
            .iter()
            .map(|(global_name, global)| (*global_name, global.takes_value()))
            .chain(
                REFUSED_OPTIONS
                    .iter()
                    .map(|(refused_name, takes_value, _)| (*refused_name, *takes_value)),
            );
        let exact = known.clone().find(|(known_name, _)| known_name == name);
        let prefixed: Vec<(&str, bool)> = known
            .filter(|(known_name, _)| known_name.starts_with(name.as_str()))
            .collect();
        let takes_value = match (exact, prefixed.as_slice()) {
            (Some((_, takes_value)), _) => takes_value,
            (None, [(_, takes_value)]) => *takes_value,
            _ => false,
        };
        if takes_value && inline_value.is_none() && matches!(words.get(index), Some(Word::Plain(_)))
        {
            index += 1;
        }
    }
    index
}

/// Parses the options of one operation.
struct OperationParser<'a> {
    model: &'a ServiceModel,
    operation: &'a Operation,
    service: &'a str,
    operation_key: &'a str,
    cli_operation: &'a str,
}

impl OperationParser<'_> {
    fn parse(&self, words: Vec<Word>) -> Result<Invocation, CommandError> {
        let options = self.option_names();
        let input = self.model.input_shape(self.operation);
        let paginator = self.model.paginators.get(self.operation_key);
        let mut invocation = Invocation {
            service: self.service.to_owned(),
            operation: self.operation_key.to_owned(),
            cli_operation: self.cli_operation.to_owned(),
            params: serde_json::Map::new(),
            globals: GlobalOptions::default(),
        };
        let mut seen: HashSet<String> = HashSet::new();
        let mut paging_given: Option<String> = None;

        let mut index = 0;
        while index < words.len() {
            let (typed, inline_value) = match &words[index] {
                Word::Option {
                    name, inline_value, ..
                } => (name.clone(), inline_value.clone()),
                Word::Plain(value) => {
                    return Err(CommandError::UnexpectedArgument {
                        value: value.clone(),
                        after: None,
                    })
                }
            };
            index += 1;
            let (name, target) = self.resolve(&options, &typed, paginator.is_some())?;
            // The values: `--name=value`, or every plain word up to the next option.
            let mut values: Vec<String> = inline_value.into_iter().collect();
            if values.is_empty() {
                while let Some(Word::Plain(value)) = words.get(index) {
                    values.push(value.clone());
                    index += 1;
                }
            }
            let key = match &target {
                Target::Member { member, .. } => member.clone(),
                _ => name.clone(),
            };
            if !seen.insert(key) {
                return Err(CommandError::DuplicateOption { option: name });
            }
            match target {
                Target::Refused(reason) => {
                    return Err(CommandError::RefusedOption {
                        option: name,
                        reason,
                    })
                }
                Target::Global(global) => {
                    if global.is_paging() && paginator.is_none() {
                        return Err(CommandError::PaginationNotSupported {
                            option: name,
                            service: self.service.to_owned(),
                            operation: self.cli_operation.to_owned(),
                        });
                    }
                    if global != Global::NoPaginate && global.is_paging() {
                        paging_given.get_or_insert_with(|| name.clone());
                    }
                    self.global(&mut invocation.globals, global, &name, values)?;
                }
                Target::Member { member, negated } => {
                    let member_ref = input
                        .and_then(|shape| shape.members.get(&member))
                        .expect("option names come from the input members");
                    let member_type = self.model.shape(&member_ref.shape).map(|s| s.shape_type);
                    let value = if member_type == Some(ShapeType::Boolean) {
                        if let Some(value) = values.first() {
                            return Err(CommandError::FlagWithValue {
                                option: name,
                                value: value.clone(),
                            });
                        }
                        Value::Bool(!negated)
                    } else {
                        if values.is_empty() {
                            return Err(CommandError::MissingValue {
                                expected: values::describe_shape(self.model, &member_ref.shape),
                                option: name,
                            });
                        }
                        values::ValueParser {
                            model: self.model,
                            option: &name,
                        }
                        .parse_member(member_ref, &values)?
                    };
                    invocation.params.insert(member, value);
                }
            }
        }

        self.check_manual_paging(&mut invocation, paging_given)?;
        let missing = self.missing_required(&invocation, &options);
        if !missing.is_empty() {
            return Err(CommandError::MissingRequired {
                invocation: Box::new(invocation),
                missing,
            });
        }
        Ok(invocation)
    }

    /// Every option name this operation accepts, with what it refers to.
    fn option_names(&self) -> Vec<(String, Target)> {
        let mut names = Vec::new();
        let paginated = self.model.paginators.contains_key(self.operation_key);
        // The CLI's paging options shadow members of the same name on paginated operations.
        for (name, global) in Global::ALL {
            if !global.is_paging() || paginated {
                names.push((name.to_owned(), Target::Global(global)));
            }
        }
        if let Some(options) = self.model.cli_options(self.operation) {
            let input = self.model.input_shape(self.operation);
            for (member, option) in options {
                if names.iter().any(|(name, _)| name == option) {
                    continue;
                }
                names.push((
                    option.clone(),
                    Target::Member {
                        member: member.clone(),
                        negated: false,
                    },
                ));
                let is_boolean = input
                    .and_then(|shape| shape.members.get(member))
                    .and_then(|member_ref| self.model.shape(&member_ref.shape))
                    .is_some_and(|shape| shape.shape_type == ShapeType::Boolean);
                if is_boolean {
                    names.push((
                        format!("no-{option}"),
                        Target::Member {
                            member: member.clone(),
                            negated: true,
                        },
                    ));
                }
            }
        }
        for (name, _, reason) in REFUSED_OPTIONS {
            names.push(((*name).to_owned(), Target::Refused(reason)));
        }
        names
    }

    /// Finds the option a typed name refers to: the exact name, or else a unique prefix of
    /// one (as the CLI's argparse allows).
    fn resolve(
        &self,
        options: &[(String, Target)],
        typed: &str,
        paginated: bool,
    ) -> Result<(String, Target), CommandError> {
        if let Some((name, target)) = options.iter().find(|(name, _)| name == typed) {
            return Ok((name.clone(), target.clone()));
        }
        // The paging options are named even on operations without pages, to explain.
        if !paginated {
            if let Some((name, global)) = Global::ALL
                .iter()
                .find(|(name, global)| global.is_paging() && *name == typed)
            {
                return Ok(((*name).to_owned(), Target::Global(*global)));
            }
        }
        let matches: Vec<&(String, Target)> = options
            .iter()
            .filter(|(name, _)| name.starts_with(typed))
            .collect();
        match matches.as_slice() {
            [(name, target)] => Ok((name.clone(), target.clone())),
            [] => {
                let hidden: Vec<&String> = self
                    .model
                    .cli
                    .hidden
                    .get(self.operation_key)
                    .map(|h| h.iter().collect())
                    .unwrap_or_default();
                let candidates = options.iter().filter_map(|(name, target)| match target {
                    Target::Refused(_) => None,
                    Target::Member { member, .. } if hidden.contains(&member) => None,
                    _ => Some(name.as_str()),
                });
                Err(CommandError::UnknownOption {
                    service: self.service.to_owned(),
                    operation: self.cli_operation.to_owned(),
                    option: typed.to_owned(),
                    suggestions: crate::models::suggest(typed, candidates, 3),
                })
            }
            many => Err(CommandError::AmbiguousOption {
                option: typed.to_owned(),
                candidates: many.iter().map(|(name, _)| name.clone()).collect(),
            }),
        }
    }

    fn global(
        &self,
        globals: &mut GlobalOptions,
        global: Global,
        name: &str,
        values: Vec<String>,
    ) -> Result<(), CommandError> {
        if global == Global::NoPaginate {
            if let Some(value) = values.into_iter().next() {
                return Err(CommandError::FlagWithValue {
                    option: name.to_owned(),
                    value,
                });
            }
            globals.no_paginate = true;
            return Ok(());
        }
        let expected = match global {
            Global::Region => "a region name like us-east-1",
            Global::Query => "a JMESPath expression like 'MetricAlarms[].AlarmName'",
            Global::Output => "json, text, table or yaml",
            Global::MaxItems | Global::PageSize => "a whole number of items, at least 1",
            Global::StartingToken => "the NextToken printed by an earlier call",
            Global::NoPaginate => unreachable!("handled above"),
        };
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
        match global {
            Global::Region => {
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
                globals.region = Some(value);
            }
            Global::Query => {
                // `Query::parse` checks the query's length and nesting limits before the
                // JMESPath parser (which recurses per level) sees it.
                if let Err(error) = crate::output::Query::parse(&value) {
                    let reason = match error {
                        crate::output::OutputError::InvalidQuery { reason, .. } => reason,
                        other => other.to_string(),
                    };
                    return Err(CommandError::InvalidQuery {
                        // The library's message draws a caret under the query on more
                        // lines; the first line says what is wrong.
                        message: reason.lines().next().unwrap_or_default().to_owned(),
                        query: value,
                    });
                }
                globals.query = Some(value);
            }
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
                if global == Global::MaxItems {
                    globals.max_items = Some(count);
                } else {
                    globals.page_size = Some(count);
                }
            }
            Global::StartingToken => globals.starting_token = Some(value),
            Global::NoPaginate => unreachable!("handled above"),
        }
        Ok(())
    }

    /// Giving the operation's own paging member (`--next-token`, `--max-records`) turns the
    /// CLI's automatic pagination off, as `--no-paginate` does, and then the CLI's paging
    /// options cannot be used with it.
    fn check_manual_paging(
        &self,
        invocation: &mut Invocation,
        paging_given: Option<String>,
    ) -> Result<(), CommandError> {
        let Some(paginator) = self.model.paginators.get(self.operation_key) else {
            return Ok(());
        };
        let manual_members = paginator
            .input_token
            .as_slice()
            .iter()
            .chain(paginator.limit_key.iter());
        let options = self.model.cli_options(self.operation);
        for member in manual_members {
            if !invocation.params.contains_key(member) {
                continue;
            }
            let manual = options
                .and_then(|o| o.get(member))
                .cloned()
                .unwrap_or_else(|| crate::models::xform_name(member));
            if let Some(option) = paging_given {
                return Err(CommandError::PaginationConflict { option, manual });
            }
            invocation.globals.no_paginate = true;
            return Ok(());
        }
        Ok(())
    }

    fn missing_required(
        &self,
        invocation: &Invocation,
        options: &[(String, Target)],
    ) -> Vec<MissingParameter> {
        let Some(input) = self.model.input_shape(self.operation) else {
            return Vec::new();
        };
        input
            .required
            .iter()
            .filter(|member| !invocation.params.contains_key(member.as_str()))
            .filter_map(|member| {
                let member_ref = input.members.get(member)?;
                let option = options.iter().find_map(|(name, target)| match target {
                    Target::Member {
                        member: m,
                        negated: false,
                    } if m == member => Some(name.clone()),
                    _ => None,
                })?;
                let shape_type = self
                    .model
                    .shape(&member_ref.shape)
                    .map(|s| s.shape_type)
                    .unwrap_or(ShapeType::String);
                Some(MissingParameter {
                    member: member.clone(),
                    option,
                    shape: member_ref.shape.clone(),
                    shape_type,
                })
            })
            .collect()
    }
}
