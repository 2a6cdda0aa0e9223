//! Model-driven prompting: which form fields a command needs ([`form_fields`]), how submitted
//! values become a command again and are validated on the server ([`apply_submission`]), the
//! resource choice lists of a form ([`resources`]: which list call fills a field and how its
//! answer becomes choices), and whether an operation only reads ([`is_read_only`]). Pure: no
//! IO, no AWS calls, no cards; the list calls themselves are made by `conversation/`.

use serde_json::{Map, Value};

use crate::command::{
    self, quote_word, render_command_line, Command, CommandError, Invocation, ParseContext,
};
use crate::models::{Models, ServiceModel, ShapeType};

mod resources;

pub use resources::{
    as_choice_pairs, list_invocation, resource_choice_names, resource_list, ResourceList,
    MAX_RESOURCE_CHOICES,
};

/// The suffix of the free-text input that sits next to a resource choice list.
pub const FREE_TEXT_SUFFIX: &str = "__text";

/// What kind of input a field is.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// A single line (or several, for JSON) of text.
    Text {
        /// A JavaScript-compatible regular expression from the model, when there is one.
        pattern: Option<String>,
        max_length: Option<u64>,
        multiline: bool,
        placeholder: Option<String>,
    },
    /// A number (`integer`: whole numbers only).
    Number {
        integer: bool,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// A boolean flag.
    Toggle,
    /// One of fixed values (an enum), or several for a list of enums.
    Choice { choices: Vec<String>, multi: bool },
}

/// One input of a form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormField {
    /// The model's member name: the input's id.
    pub member: String,
    /// The CLI option without dashes (`function-name`).
    pub option: String,
    /// What the input is labelled with (`--function-name`).
    pub label: String,
    pub required: bool,
    pub kind: FieldKind,
    /// What the value looks like, with an example.
    pub hint: String,
    /// The value typed with the command, as text for the input.
    pub value: Option<String>,
    /// Where resource choices for this field come from, if anywhere.
    pub resource: Option<ResourceList>,
}

/// Operation name prefixes that only read.
const READ_PREFIXES: &[&str] = &[
    "Describe", "Get", "List", "Search", "Lookup", "Query", "Scan", "Filter", "BatchGet", "Head",
    "Select", "Check", "Validate", "Estimate", "Preview", "Detect", "Test", "View", "Poll",
];

/// Exceptions to the prefix rule: (service, operation, reads?).
const READ_OVERRIDES: &[(&str, &str, bool)] = &[
    // Logs Insights queries only read, although they start something.
    ("logs", "StartQuery", true),
    ("logs", "StopQuery", true),
    // These hand out credentials or secrets: the requester confirms first.
    ("codeartifact", "GetAuthorizationToken", false),
    ("redshift", "GetClusterCredentials", false),
    ("redshift", "GetClusterCredentialsWithIAM", false),
    ("cognito-identity", "GetCredentialsForIdentity", false),
    ("cognito-identity", "GetOpenIdToken", false),
    ("ssm", "GetParameter", false),
    ("ssm", "GetParameters", false),
    ("ssm", "GetParametersByPath", false),
    // Invokes run code, however they are named.
    ("apigateway", "TestInvokeMethod", false),
    ("apigateway", "TestInvokeAuthorizer", false),
    ("states", "TestState", false),
];

/// Whether an operation only reads (no confirmation needed). Classified by the model's
/// operation name, with [`READ_OVERRIDES`] for the exceptions.
pub fn is_read_only(service: &str, operation: &str) -> bool {
    if let Some((_, _, reads)) = READ_OVERRIDES
        .iter()
        .find(|(s, o, _)| *s == service && *o == operation)
    {
        return *reads;
    }
    READ_PREFIXES.iter().any(|prefix| {
        operation.strip_prefix(prefix).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase())
        })
    })
}

/// The fields of a form for `invocation`: the `missing` required members first, then the
/// members already typed (pre-filled, editable), in the model's order.
pub fn form_fields(models: &Models, invocation: &Invocation, missing: &[String]) -> Vec<FormField> {
    let Ok(model) = models.service(&invocation.service) else {
        return Vec::new();
    };
    let Some(operation) = model.operations.get(&invocation.operation) else {
        return Vec::new();
    };
    let options = crate::command::command_option_names(
        &model,
        operation,
        &invocation.service,
        &invocation.cli_operation,
    );
    let (Some(input), Some(options)) = (model.input_shape(operation), options) else {
        return Vec::new();
    };
    let mut fields = Vec::new();
    let members = missing.iter().chain(
        input
            .members
            .keys()
            .filter(|m| invocation.params.contains_key(*m)),
    );
    for member in members {
        if fields.iter().any(|f: &FormField| &f.member == member) {
            continue;
        }
        let (Some(member_ref), Some(option)) = (input.members.get(member), options.get(member))
        else {
            continue;
        };
        let value = invocation.params.get(member).map(value_text);
        fields.push(FormField {
            member: member.clone(),
            option: option.clone(),
            label: format!("--{option}"),
            required: input.is_required(member),
            kind: field_kind(&model, &member_ref.shape),
            hint: command::describe_value(&model, &member_ref.shape),
            value,
            resource: resource_list(&invocation.service, &invocation.operation, member),
        });
    }
    fields
}

fn field_kind(model: &ServiceModel, shape_name: &str) -> FieldKind {
    let Some(shape) = model.shape(shape_name) else {
        return text_kind(None, None, false, None);
    };
    match shape.shape_type {
        ShapeType::String if !shape.enum_values.is_empty() => FieldKind::Choice {
            choices: shape.enum_values.clone(),
            multi: false,
        },
        ShapeType::String | ShapeType::Blob => text_kind(
            shape.pattern.as_deref().filter(|p| is_portable_pattern(p)),
            shape.max.map(|m| m as u64),
            false,
            None,
        ),
        ShapeType::Integer | ShapeType::Long | ShapeType::BigInteger => FieldKind::Number {
            integer: true,
            min: shape.min,
            max: shape.max,
        },
        ShapeType::Float | ShapeType::Double | ShapeType::BigDecimal => FieldKind::Number {
            integer: false,
            min: shape.min,
            max: shape.max,
        },
        ShapeType::Boolean => FieldKind::Toggle,
        ShapeType::Timestamp => {
            text_kind(None, None, false, Some("2026-01-31T12:00:00Z".to_owned()))
        }
        ShapeType::List => {
            let element = shape.member.as_ref().and_then(|m| model.shape(&m.shape));
            match element {
                Some(e) if e.shape_type == ShapeType::String && !e.enum_values.is_empty() => {
                    FieldKind::Choice {
                        choices: e.enum_values.clone(),
                        multi: true,
                    }
                }
                Some(e)
                    if !matches!(
                        e.shape_type,
                        ShapeType::Structure | ShapeType::Map | ShapeType::List
                    ) =>
                {
                    text_kind(None, None, false, Some("value1, value2".to_owned()))
                }
                _ => text_kind(None, None, true, Some("[ ... ] as JSON".to_owned())),
            }
        }
        ShapeType::Structure | ShapeType::Map => {
            text_kind(None, None, true, Some("JSON or shorthand".to_owned()))
        }
    }
}

fn text_kind(
    pattern: Option<&str>,
    max_length: Option<u64>,
    multiline: bool,
    placeholder: Option<String>,
) -> FieldKind {
    FieldKind::Text {
        pattern: pattern.map(str::to_owned),
        max_length,
        multiline,
        placeholder,
    }
}

/// Whether a model pattern means the same in JavaScript (the card client) and in Rust (the
/// server check): no Unicode classes, no inline flags, no lookaround, and Rust can compile it.
fn is_portable_pattern(pattern: &str) -> bool {
    !pattern.contains("\\p")
        && !pattern.contains("\\P")
        && !pattern.contains("(?")
        && !pattern.contains("\\x{")
        && !pattern.contains("\\u")
        && pattern.len() <= 512
        && regex::Regex::new(pattern).is_ok()
}

/// A parameter value as a form shows it: strings as they are, numbers and booleans as
/// text, structures and lists as compact JSON (lists of scalars comma-separated).
fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => items
            .iter()
            .map(|item| match item {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Why submitted form values were refused. `Display` is for the person who filled the form.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SubmissionError {
    /// One field's value was refused; `option` names the field as the form shows it.
    #[error("--{option} {problem}")]
    Field {
        option: String,
        problem: FieldProblem,
    },
    /// The grammar refused the command the values make.
    #[error("{0}")]
    Command(CommandError),
}

/// What is wrong with one submitted field; `Display` continues the field's `--option`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldProblem {
    /// A required field was left empty.
    #[error("is required: fill it in, or cancel the request.")]
    Required,
    /// A value does not match the model's pattern.
    #[error("does not have the expected format ({pattern}).")]
    Pattern { pattern: String },
    /// A value is shorter than the model allows.
    #[error("must be at least {min} characters long.")]
    TooShort { min: u64 },
}

impl FieldProblem {
    /// This problem as the refusal of `field`.
    fn of(self, field: &FormField) -> SubmissionError {
        SubmissionError::Field {
            option: field.option.clone(),
            problem: self,
        }
    }
}

/// Turns submitted form values (input id → text, as cards send them) into a complete
/// invocation: the fields replace what was typed, and the whole command is parsed again by
/// the grammar, so types, enums, ranges and the never-allowed list are checked on the server
/// exactly as for typed commands. Values of inputs that are not fields are ignored.
pub fn apply_submission(
    models: &Models,
    base: &Invocation,
    fields: &[FormField],
    submitted: &Map<String, Value>,
) -> Result<Invocation, SubmissionError> {
    let mut invocation = base.clone();
    for field in fields {
        invocation.params.shift_remove(&field.member);
    }
    let mut text = render_command_line(&invocation, models);
    let model = models.service(&base.service).ok();
    for field in fields {
        let raw = submitted_text(submitted, &field.member);
        let typed = submitted_text(submitted, &format!("{}{FREE_TEXT_SUFFIX}", field.member));
        let value = typed
            .filter(|t| !t.trim().is_empty())
            .or(raw)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        let Some(value) = value else {
            if field.required {
                return Err(FieldProblem::Required.of(field));
            }
            continue;
        };
        append_option(&mut text, field, &value, model.as_deref(), base)?;
    }
    match command::parse(&text, models, ParseContext::Chat) {
        Ok(Command::Run(invocation)) => Ok(invocation),
        Ok(_) => Err(SubmissionError::Command(CommandError::S3Usage {
            message: "The form no longer describes one AWS operation; send the command again."
                .to_owned(),
        })),
        Err(error) => Err(SubmissionError::Command(error)),
    }
}

/// Appends one submitted field to the command line `text` as the CLI would spell it,
/// checking a text value's pattern and minimum length first.
fn append_option(
    text: &mut String,
    field: &FormField,
    value: &str,
    model: Option<&ServiceModel>,
    base: &Invocation,
) -> Result<(), SubmissionError> {
    match &field.kind {
        FieldKind::Toggle => {
            let on = matches!(value, "true" | "True" | "1");
            if on {
                text.push_str(&format!(" --{}", field.option));
            } else {
                text.push_str(&format!(" --no-{}", field.option));
            }
        }
        FieldKind::Choice { multi: true, .. } => {
            text.push_str(&format!(" --{}", field.option));
            for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                text.push(' ');
                text.push_str(&quote_word(item));
            }
        }
        FieldKind::Text {
            placeholder: Some(p),
            ..
        } if p == "value1, value2" => {
            text.push_str(&format!(" --{}", field.option));
            for item in value
                .split([',', '\n'])
                .map(str::trim)
                .filter(|i| !i.is_empty())
            {
                text.push(' ');
                text.push_str(&quote_word(item));
            }
        }
        kind => {
            if let FieldKind::Text {
                pattern: Some(pattern),
                ..
            } = kind
            {
                let anchored = format!("^(?:{pattern})$");
                if regex::Regex::new(&anchored).is_ok_and(|r| !r.is_match(value)) {
                    return Err(FieldProblem::Pattern {
                        pattern: pattern.clone(),
                    }
                    .of(field));
                }
            }
            let min = model.and_then(|m| min_length(m, base, &field.member));
            if let Some(min) = min {
                if (value.chars().count() as u64) < min {
                    return Err(FieldProblem::TooShort { min }.of(field));
                }
            }
            // `=` keeps a value that starts with a dash from reading as an option.
            text.push_str(&format!(" --{}={}", field.option, quote_word(value)));
        }
    }
    Ok(())
}

/// The form's fields with what was just submitted, so that a form shown again keeps it.
pub fn with_submitted_values(
    mut fields: Vec<FormField>,
    submitted: &Map<String, Value>,
) -> Vec<FormField> {
    for field in &mut fields {
        let typed = submitted
            .get(&format!("{}{}", field.member, FREE_TEXT_SUFFIX))
            .or_else(|| submitted.get(&field.member));
        if let Some(Value::String(text)) = typed {
            if !text.is_empty() {
                field.value = Some(text.clone());
            }
        }
    }
    fields
}

/// The model's minimum length of a string member.
fn min_length(model: &ServiceModel, invocation: &Invocation, member: &str) -> Option<u64> {
    let operation = model.operations.get(&invocation.operation)?;
    let member_ref = model.input_shape(operation)?.members.get(member)?;
    let shape = model.shape(&member_ref.shape)?;
    (shape.shape_type == ShapeType::String)
        .then_some(shape.min)
        .flatten()
        .map(|m| m as u64)
        .filter(|m| *m > 0)
}

fn submitted_text(submitted: &Map<String, Value>, key: &str) -> Option<String> {
    match submitted.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests;
