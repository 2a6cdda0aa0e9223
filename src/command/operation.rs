//! Reads the options of one operation into an [`Invocation`]: each option word resolved to a
//! member, a global option or a refusal (exact name or unique prefix, as argparse allows), its
//! values typed by the member's shape, the CLI's paging rules applied, and required options
//! that are missing returned as data.

use std::collections::HashSet;

use serde_json::Value;

use super::customizations::{self, Arity, CustomOption, Customization};
use super::global_options::{Global, REFUSED_OPTIONS};
use super::skeleton::SkeletonKind;
use super::values;
use super::words::Word;
use super::{CommandError, GlobalOptions, Invocation, MissingParameter};
use crate::models::{Operation, ServiceModel, ShapeType};

/// What an option word refers to for one operation.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Member {
        member: String,
        negated: bool,
    },
    Global(Global),
    Refused(&'static str),
    /// An option an AWS CLI customization adds (`put-metric-data --metric-name`).
    Custom(CustomOption),
}

/// Parses the options of one operation.
pub(super) struct OperationParser<'a> {
    pub(super) model: &'a ServiceModel,
    pub(super) operation: &'a Operation,
    pub(super) service: &'a str,
    pub(super) operation_key: &'a str,
    pub(super) cli_operation: &'a str,
    pub(super) context: super::ParseContext,
}

/// What the options read so far have given: the invocation being built, the option names
/// seen (a second use is an error), and the first CLI paging option given.
struct Reading {
    invocation: Invocation,
    seen: HashSet<String>,
    paging_given: Option<String>,
    /// The customization options given, applied after every option is read.
    custom: customizations::Given,
    /// The positional outfile of a streamed output, when the operation takes one (the
    /// output member), and the path given.
    outfile: Option<(String, Option<String>)>,
}

impl OperationParser<'_> {
    pub(super) fn parse(&self, words: Vec<Word>) -> Result<Invocation, CommandError> {
        let options = self.option_names();
        let paginated = self.model.paginators.contains_key(self.operation_key);
        let mut reading = Reading {
            invocation: Invocation {
                service: self.service.to_owned(),
                operation: self.operation_key.to_owned(),
                cli_operation: self.cli_operation.to_owned(),
                params: serde_json::Map::new(),
                globals: GlobalOptions::default(),
            },
            seen: HashSet::new(),
            paging_given: None,
            custom: Vec::new(),
            outfile: customizations::streaming_payload(self.model, self.operation)
                .map(|member| (member, None)),
        };

        let mut index = 0;
        while index < words.len() {
            let (typed, inline_value) = match &words[index] {
                Word::Option {
                    name, inline_value, ..
                } => (name.clone(), inline_value.clone()),
                Word::Plain(value) => {
                    take_outfile(&mut reading, value, None)?;
                    index += 1;
                    continue;
                }
            };
            index += 1;
            let (name, target) = self.resolve(&options, &typed, paginated)?;
            // The values: `--name=value`, or every plain word up to the next option. Where
            // the operation takes a positional outfile, an option takes only as many words
            // as argparse gives it, and the next word is the outfile.
            let arity = match reading.outfile {
                Some((_, None)) => self.arity(&target),
                _ => Arity::Many,
            };
            let mut values: Vec<String> = inline_value.into_iter().collect();
            let wanted = match arity {
                Arity::Flag => 0,
                Arity::One => 1,
                Arity::Many => usize::MAX,
            };
            while values.len() < wanted {
                let Some(Word::Plain(value)) = words.get(index) else {
                    break;
                };
                values.push(value.clone());
                index += 1;
            }
            self.apply(&mut reading, name, target, values)?;
        }

        let mut invocation = reading.invocation;
        super::input::apply(self.model, self.operation, &mut invocation)?;
        customizations::apply(self.model, self.operation, &mut invocation, reading.custom)?;
        if let Some((member, path)) = reading.outfile {
            invocation.globals.customization = Some(Customization::Outfile { member, path });
        }
        self.check_manual_paging(&mut invocation, reading.paging_given)?;
        // An input skeleton needs no option, as in the CLI (OverrideRequiredArgsArgument).
        let missing = match invocation.globals.generate_cli_skeleton {
            Some(SkeletonKind::Input | SkeletonKind::YamlInput) => Vec::new(),
            _ => self.missing_required(&invocation, &options),
        };
        if !missing.is_empty() {
            return Err(CommandError::MissingRequired {
                invocation: Box::new(invocation),
                missing,
            });
        }
        Ok(invocation)
    }

    /// Records one option and its values.
    fn apply(
        &self,
        reading: &mut Reading,
        name: String,
        target: Target,
        values: Vec<String>,
    ) -> Result<(), CommandError> {
        let key = match &target {
            Target::Member { member, .. } => member.clone(),
            _ => name.clone(),
        };
        if !reading.seen.insert(key) {
            return Err(CommandError::DuplicateOption { option: name });
        }
        match target {
            Target::Refused(reason) => Err(CommandError::RefusedOption {
                option: name,
                reason,
            }),
            Target::Global(global) => {
                if global.is_paging() && !self.model.paginators.contains_key(self.operation_key) {
                    return Err(CommandError::PaginationNotSupported {
                        option: name,
                        service: self.service.to_owned(),
                        operation: self.cli_operation.to_owned(),
                    });
                }
                if global != Global::NoPaginate && global.is_paging() {
                    reading.paging_given.get_or_insert_with(|| name.clone());
                }
                global.apply(&mut reading.invocation.globals, &name, values)
            }
            Target::Member { member, negated } => {
                let value = self.member_value(&member, negated, name, values)?;
                reading.invocation.params.insert(member, value);
                Ok(())
            }
            Target::Custom(option) => {
                if option.arity() == Arity::Flag {
                    if let Some(value) = values.into_iter().next() {
                        // Only a flag with a `--no-` twin can be written as false.
                        let negated = format!("no-{name}");
                        let has_twin = name.starts_with("no-")
                            || customizations::options(
                                self.service,
                                self.operation_key,
                                self.cli_operation,
                            )
                            .iter()
                            .any(|(other, _)| *other == negated);
                        return Err(if has_twin {
                            CommandError::FlagWithValue {
                                option: name,
                                value,
                            }
                        } else {
                            CommandError::UnexpectedArgument {
                                value,
                                after: Some(name),
                            }
                        });
                    }
                    reading.custom.push((name, option, Vec::new()));
                    return Ok(());
                }
                reading.custom.push((name, option, values));
                Ok(())
            }
        }
    }

    /// How many words argparse gives an option: none to a flag, all to a list, else one.
    fn arity(&self, target: &Target) -> Arity {
        match target {
            Target::Global(Global::NoPaginate) => Arity::Flag,
            Target::Global(_) | Target::Refused(_) => Arity::One,
            Target::Custom(option) => option.arity(),
            Target::Member { member, .. } => {
                let shape = self
                    .model
                    .input_shape(self.operation)
                    .and_then(|shape| shape.members.get(member))
                    .and_then(|member_ref| self.model.shape(&member_ref.shape));
                match shape.map(|shape| (shape.shape_type, shape.document)) {
                    Some((ShapeType::Boolean, _)) => Arity::Flag,
                    Some((ShapeType::List, false)) => Arity::Many,
                    _ => Arity::One,
                }
            }
        }
    }

    /// The value of a member option: `true`/`false` for a boolean flag (`--flag`,
    /// `--no-flag`), otherwise the words typed by the member's shape.
    fn member_value(
        &self,
        member: &str,
        negated: bool,
        name: String,
        values: Vec<String>,
    ) -> Result<Value, CommandError> {
        let member_ref = self
            .model
            .input_shape(self.operation)
            .and_then(|shape| shape.members.get(member))
            .expect("option names come from the input members");
        let member_type = self.model.shape(&member_ref.shape).map(|s| s.shape_type);
        if member_type == Some(ShapeType::Boolean) {
            if let Some(value) = values.first() {
                return Err(CommandError::FlagWithValue {
                    option: name,
                    value: value.clone(),
                });
            }
            return Ok(Value::Bool(!negated));
        }
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
        .parse_member(member_ref, &values)
    }

    /// Every option name this operation accepts, with what it refers to.
    fn option_names(&self) -> Vec<(String, Target)> {
        let mut names = Vec::new();
        let paginated = self.model.paginators.contains_key(self.operation_key);
        // The CLI's paging options shadow members of the same name on paginated operations.
        for (name, global) in Global::ALL {
            if !global.available_in(self.context) {
                continue;
            }
            if !global.is_paging() || paginated {
                names.push((name.to_owned(), Target::Global(global)));
            }
        }
        let removed = customizations::removed_options(self.service, self.operation_key);
        for (name, reason) in removed {
            names.push(((*name).to_owned(), Target::Refused(reason)));
        }
        // A CLI command that stands for another operation may name its members otherwise.
        let command_options = customizations::command_options(self.service, self.cli_operation);
        // A customization's option replaces the model's of the same name, as in the CLI's
        // argument table (`cloudsearch define-expression --expression`).
        let custom = customizations::options(self.service, self.operation_key, self.cli_operation);
        if let Some(options) = self.model.cli_options(self.operation) {
            let input = self.model.input_shape(self.operation);
            for (member, option) in options {
                if command_options.is_some_and(|c| !c.offers(member)) {
                    continue;
                }
                if let Some((_, name, reason)) =
                    command_options.and_then(|c| c.removed.iter().find(|(m, _, _)| m == member))
                {
                    names.push(((*name).to_owned(), Target::Refused(reason)));
                    continue;
                }
                let option = command_options
                    .and_then(|c| c.renamed.iter().find(|(m, _)| m == member))
                    .map_or(option.as_str(), |(_, renamed)| *renamed);
                if names.iter().any(|(name, _)| name == option)
                    || custom.iter().any(|(name, _)| *name == option)
                {
                    continue;
                }
                names.push((
                    option.to_owned(),
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
        for (name, option) in custom {
            if !names.iter().any(|(known, _)| known == name) {
                names.push((name.to_owned(), Target::Custom(option)));
            }
        }
        for (name, _, reason) in REFUSED_OPTIONS {
            if names.iter().any(|(known, _)| known == name) {
                continue;
            }
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

/// A plain word where an option was expected: the operation's positional outfile when it
/// takes one and has none yet, otherwise an error.
fn take_outfile(
    reading: &mut Reading,
    value: &str,
    after: Option<String>,
) -> Result<(), CommandError> {
    match &mut reading.outfile {
        Some((_, path @ None)) => {
            *path = Some(value.to_owned());
            Ok(())
        }
        _ => Err(CommandError::UnexpectedArgument {
            value: value.to_owned(),
            after,
        }),
    }
}
