//! Turns the words given to one option into the member's typed JSON value, by the member's
//! model shape, with the AWS CLI's rules (scalars, space-separated lists, JSON, shorthand),
//! and checks the value against the model (types, structure keys, enums, ranges). Also
//! describes shapes for error messages. Never reads files: `file://` values are refused.
//!
//! This file reads the words; `check` types and checks a value against its shape;
//! `describe` says what a value of a shape looks like.

mod check;
mod describe;

use serde_json::{Map, Value};

use crate::models::{ServiceModel, Shape, ShapeRef, ShapeType};

use super::shorthand::{self, ShorthandError};
use super::CommandError;

pub(crate) use describe::describe_shape;

/// How deep a JSON option value may nest arrays and objects. serde_json refuses past 128
/// levels on its own; the value is then walked by recursive code (the model check below, the
/// request serialisers, the audit record), so the bot keeps a tighter bound that no AWS input
/// needs (the deepest input shapes nest about ten levels) and that keeps each of those walks a
/// few dozen frames deep on a 2 MiB worker stack.
pub(crate) const MAX_JSON_VALUE_DEPTH: usize = 32;

/// Everything needed to check one option's value.
pub(crate) struct ValueParser<'a> {
    pub model: &'a ServiceModel,
    /// The option name without dashes, for messages.
    pub option: &'a str,
}

/// How strictly scalar values are read. Words from the command line and shorthand leaves are
/// text that the model types (`"5"` becomes 5); JSON values must already have the right type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Text,
    Json,
}

impl ValueParser<'_> {
    /// The value of a top-level member from the words that followed its option. A list takes
    /// all of them, anything else exactly one (the caller guarantees at least one).
    pub fn parse_member(&self, member: &ShapeRef, words: &[String]) -> Result<Value, CommandError> {
        for word in words {
            if let Some(prefix) = shorthand::file_prefix(word) {
                return Err(CommandError::FileReference {
                    option: self.option.to_owned(),
                    prefix: prefix.to_owned(),
                });
            }
        }
        let shape = self.shape(&member.shape)?;
        let is_list = shape.shape_type == ShapeType::List && !shape.document;
        if !is_list && words.len() > 1 {
            return Err(CommandError::UnexpectedArgument {
                value: words[1].clone(),
                after: Some(self.option.to_owned()),
            });
        }
        let mut path = String::new();
        if shape.document || member.json_value {
            let value = self.json(&words[0], &member.shape)?;
            return self.check(&member.shape, value, Source::Json, &mut path);
        }
        match shape.shape_type {
            ShapeType::Structure | ShapeType::Map => {
                self.parse_structure_or_map(&member.shape, shape, &words[0])
            }
            ShapeType::List => self.parse_list(&member.shape, shape, words),
            _ => self.check(
                &member.shape,
                Value::String(words[0].clone()),
                Source::Text,
                &mut path,
            ),
        }
    }

    /// A member value read from a JSON document (`--cli-input-json`/`--cli-input-yaml`):
    /// checked against the shape as a JSON option value is; `path` names the member.
    pub fn check_json(
        &self,
        shape_name: &str,
        value: Value,
        path: &str,
    ) -> Result<Value, CommandError> {
        self.check(shape_name, value, Source::Json, &mut path.to_owned())
    }

    /// A structure or map from one word: JSON when it starts with `{`, otherwise shorthand.
    fn parse_structure_or_map(
        &self,
        shape_name: &str,
        shape: &Shape,
        text: &str,
    ) -> Result<Value, CommandError> {
        let mut path = String::new();
        if text.trim_start().starts_with('{') {
            let value = self.json(text, shape_name)?;
            return self.check(shape_name, value, Source::Json, &mut path);
        }
        // The CLI's special case: a structure whose only member is a string `Value` takes the
        // bare string.
        if shape.shape_type == ShapeType::Structure
            && shape.members.len() == 1
            && shape.members.contains_key("Value")
            && !text.contains('=')
            && self.shape_type_of(&shape.members["Value"]) == Some(ShapeType::String)
        {
            let mut object = Map::new();
            object.insert("Value".to_owned(), Value::String(text.to_owned()));
            return self.check(shape_name, Value::Object(object), Source::Text, &mut path);
        }
        let parsed = self.shorthand(text, shape_name)?;
        self.check(shape_name, parsed, Source::Text, &mut path)
    }

    /// A list from its words: one JSON list, or one item per word (JSON or shorthand items
    /// for structures, maps and lists; text for scalars).
    fn parse_list(
        &self,
        shape_name: &str,
        shape: &Shape,
        words: &[String],
    ) -> Result<Value, CommandError> {
        let element = shape
            .member
            .as_ref()
            .ok_or_else(|| self.broken_model(shape_name))?;
        if words.len() == 1 && words[0].trim_start().starts_with('[') {
            let value = self.json(&words[0], shape_name)?;
            return self.check(shape_name, value, Source::Json, &mut String::new());
        }
        let element_shape = self.shape(&element.shape)?;
        let complex = matches!(
            element_shape.shape_type,
            ShapeType::Structure | ShapeType::List | ShapeType::Map
        ) && !element_shape.document;
        let json_elements = words[0].trim_start().starts_with(['{', '[']);
        let mut items = Vec::with_capacity(words.len());
        for (index, word) in words.iter().enumerate() {
            let mut item_path = format!("[{index}]");
            let item = if complex && json_elements {
                let value = self.json(word, &element.shape)?;
                self.check(&element.shape, value, Source::Json, &mut item_path)?
            } else if complex {
                let parsed = self.shorthand(word, &element.shape)?;
                self.check(&element.shape, parsed, Source::Text, &mut item_path)?
            } else {
                self.check(
                    &element.shape,
                    Value::String(word.clone()),
                    Source::Text,
                    &mut item_path,
                )?
            };
            items.push(item);
        }
        self.check_length(shape, items.len(), "items", "")?;
        Ok(Value::Array(items))
    }

    fn json(&self, text: &str, shape_name: &str) -> Result<Value, CommandError> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| CommandError::InvalidValue {
                option: self.option.to_owned(),
                path: String::new(),
                problem: format!("invalid JSON ({error})"),
                expected: self.expected(shape_name),
            })?;
        if json_depth(&value) > MAX_JSON_VALUE_DEPTH {
            return Err(CommandError::InvalidValue {
                option: self.option.to_owned(),
                path: String::new(),
                problem: format!(
                    "the JSON nests arrays and objects more than {MAX_JSON_VALUE_DEPTH} levels \
                     deep, the limit; flatten the value"
                ),
                expected: self.expected(shape_name),
            });
        }
        Ok(value)
    }

    fn shorthand(&self, text: &str, shape_name: &str) -> Result<Value, CommandError> {
        match shorthand::parse(text) {
            Ok(map) => Ok(Value::Object(map)),
            Err(ShorthandError::FileReference { prefix }) => Err(CommandError::FileReference {
                option: self.option.to_owned(),
                prefix: prefix.to_owned(),
            }),
            Err(error) => Err(CommandError::InvalidValue {
                option: self.option.to_owned(),
                path: String::new(),
                problem: error.to_string(),
                expected: self.expected(shape_name),
            }),
        }
    }

    fn invalid(&self, path: &str, problem: String, shape_name: &str) -> CommandError {
        CommandError::InvalidValue {
            option: self.option.to_owned(),
            path: path.to_owned(),
            problem,
            expected: self.expected(shape_name),
        }
    }

    fn broken_model(&self, shape_name: &str) -> CommandError {
        CommandError::InvalidValue {
            option: self.option.to_owned(),
            path: String::new(),
            problem: format!("the service model's shape {shape_name} is incomplete"),
            expected: "a value this bot cannot check".to_owned(),
        }
    }

    fn shape(&self, name: &str) -> Result<&Shape, CommandError> {
        self.model
            .shape(name)
            .ok_or_else(|| self.broken_model(name))
    }

    fn shape_type_of(&self, member: &ShapeRef) -> Option<ShapeType> {
        self.model.shape(&member.shape).map(|s| s.shape_type)
    }

    /// What a value of this shape looks like, with an example, for error messages.
    pub fn expected(&self, shape_name: &str) -> String {
        describe_shape(self.model, shape_name)
    }
}

/// How deep a JSON value nests (a scalar is 1), counted with an explicit stack.
pub(crate) fn json_depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1usize)];
    while let Some((value, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    deepest
}
