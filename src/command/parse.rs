//! Reads the words of a command up to the operation: a leading `aws`, global options before
//! the service, `help` in its places, the service and operation names (checked against the
//! never-allowed list and the models), then hands the rest to the operation's parser.

use super::customizations;
use super::denylist;
use super::global_options::{Global, REFUSED_OPTIONS};
use super::operation::OperationParser;
use super::s3;
use super::words::Word;
use super::{is_never_allowed, Command, CommandError, Customization, HelpRequest};
use crate::models::{Models, ServiceModel};

/// Reads a tokenized command against the service models.
pub(super) struct Parser<'a> {
    pub(super) models: &'a Models,
    pub(super) context: super::ParseContext,
}

impl Parser<'_> {
    pub(super) fn parse(&self, words: Vec<String>) -> Result<Command, CommandError> {
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
        let command_word = match words.first() {
            Some(Word::Plain(word)) => word.to_lowercase(),
            _ => String::new(),
        };
        if let Some(reason) = customizations::workstation_only(&service, &command_word) {
            return Err(CommandError::WorkstationOnly {
                command: format!("{service} {command_word}").trim_end().to_owned(),
                reason,
            });
        }
        if service == "s3" {
            return s3::parse(words, wants_help);
        }
        let model = self.service_model(&service)?;

        let operation_word = match words.first() {
            Some(Word::Plain(word)) => word.to_lowercase(),
            _ => return Ok(Command::Help(HelpRequest::Service { service })),
        };
        words.remove(0);
        if operation_word == "help" {
            return Ok(Command::Help(HelpRequest::Service { service }));
        }
        if operation_word == "wait" && !model.waiters.is_empty() {
            return self.parse_wait(&model, service, words, wants_help);
        }
        let operation_key = operation_key(&model, &service, &operation_word)?;
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
            context: self.context,
        }
        .parse(words)
        .map(Command::Run)
    }

    /// `<service> wait <waiter> [options]`: the waiter's operation with the options typed,
    /// marked as a wait (awscli `customizations/waiters.py`).
    fn parse_wait(
        &self,
        model: &ServiceModel,
        service: String,
        mut words: Vec<Word>,
        wants_help: bool,
    ) -> Result<Command, CommandError> {
        let typed = match words.first() {
            Some(Word::Plain(word)) => Some(word.to_lowercase()),
            _ => None,
        };
        let found = typed.as_deref().and_then(|name| model.waiter(name));
        let (Some(cli_name), Some((waiter_name, waiter))) = (typed, found) else {
            return Err(CommandError::UnknownWaiter {
                name: match words.first() {
                    Some(Word::Plain(word)) => Some(word.clone()),
                    _ => None,
                },
                service,
                waiters: model.waiter_cli_names(),
            });
        };
        words.remove(0);
        let operation_key = waiter.operation.clone();
        if let Some(reason) = is_never_allowed(&service, &operation_key) {
            return Err(CommandError::NeverAllowed {
                service,
                operation: Some(format!("wait {cli_name}")),
                reason,
            });
        }
        let operation_cli_name = model
            .cli_operation_name(&operation_key)
            .map_or_else(|| crate::models::xform_name(&operation_key), str::to_owned);
        let help_word =
            matches!(words.first(), Some(Word::Plain(w)) if w.eq_ignore_ascii_case("help"));
        if wants_help || help_word {
            return Ok(Command::Help(HelpRequest::Operation {
                service,
                operation: operation_key,
                cli_operation: operation_cli_name,
            }));
        }
        let operation = model
            .operations
            .get(&operation_key)
            .expect("a waiter polls one of its service's operations");
        let cli_operation = format!("wait {cli_name}");
        let mut invocation = OperationParser {
            model,
            operation,
            service: &service,
            operation_key: &operation_key,
            cli_operation: &cli_operation,
            context: self.context,
        }
        .parse(words)?;
        invocation.globals.customization = Some(Customization::Wait {
            waiter: waiter_name.to_owned(),
        });
        Ok(Command::Run(invocation))
    }

    /// The model of a service, or an error suggesting the closest names.
    fn service_model(&self, service: &str) -> Result<std::sync::Arc<ServiceModel>, CommandError> {
        self.models.service(service).map_err(|_| {
            let names = self
                .models
                .services()
                .map(|s| s.cli_name)
                .chain(std::iter::once("s3"));
            CommandError::UnknownService {
                suggestions: crate::models::suggest(service, names, 3),
                name: service.to_owned(),
            }
        })
    }
}

/// The model's operation key (`DescribeAlarms`) for the CLI's operation name
/// (`describe-alarms`), unless the operation is unknown or never allowed.
fn operation_key(
    model: &ServiceModel,
    service: &str,
    operation_word: &str,
) -> Result<String, CommandError> {
    if let Some(reason) = denylist::cli_operation_never_allowed(service, operation_word) {
        return Err(CommandError::NeverAllowed {
            service: service.to_owned(),
            operation: Some(operation_word.to_owned()),
            reason,
        });
    }
    let Some(operation_key) = model.cli.operations.get(operation_word).cloned() else {
        let suggestions = crate::models::suggest(
            operation_word,
            model.cli.operations.keys().map(String::as_str),
            3,
        );
        return Err(CommandError::UnknownOperation {
            service: service.to_owned(),
            name: operation_word.to_owned(),
            suggestions,
        });
    };
    if let Some(reason) = is_never_allowed(service, &operation_key) {
        return Err(CommandError::NeverAllowed {
            service: service.to_owned(),
            operation: Some(operation_word.to_owned()),
            reason,
        });
    }
    Ok(operation_key)
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
            .map(|(global_name, global)| (*global_name, global.takes_one_value()))
            .chain(
                REFUSED_OPTIONS
                    .iter()
                    .filter(|(refused_name, _, _)| {
                        !Global::ALL.iter().any(|(name, _)| name == refused_name)
                    })
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
