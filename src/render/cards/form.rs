//! The form card: asks for a command's missing parameters, one input per field, typed from the
//! model (text with its pattern, number with its range, toggle, choice), with resource names to
//! choose from where a list call found them.

use serde_json::{json, Value};

use super::elements::{answer_or_cancel, attention_text, expiry_text};
use super::header::{header_elements, CommandHeader};
use super::Verb;
use crate::prompt::{FieldKind, FormField, FREE_TEXT_SUFFIX};
use crate::render::template::render;
use crate::render::Card;

const FORM: &str = include_str!("../../../adaptive-cards/form.json");

/// A form asking for parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct FormView {
    pub header: CommandHeader,
    pub fields: Vec<FormField>,
    /// Choices by member name, as (value, title) pairs: resource names from the list calls,
    /// or fixed lists such as the support services.
    pub choices: Vec<(String, Vec<(String, String)>)>,
    /// Whether a free-text input sits next to each choice list (resource names may be typed).
    pub free_text: bool,
    /// What was wrong with the last submission.
    pub error: Option<String>,
    pub request_id: String,
    pub expires_in_minutes: u64,
}

/// Card asking for the missing parameters of a command.
pub fn form(view: &FormView) -> Card {
    let intro = if view.fields.iter().any(|f| f.required && f.value.is_none()) {
        "This command needs more parameters. Fill them in and choose **Run**."
    } else {
        "Check the parameters and choose **Run**."
    };
    form_card("form", view, intro, "Run")
}

/// A form card named `name`: the inputs of `view`, its last error, and a submit button titled
/// `submit_title` next to Cancel.
pub(super) fn form_card(
    name: &'static str,
    view: &FormView,
    intro: &str,
    submit_title: &str,
) -> Card {
    let mut inputs = Vec::new();
    for field in &view.fields {
        let choices = view
            .choices
            .iter()
            .find(|(member, _)| *member == field.member)
            .map(|(_, choices)| choices.as_slice());
        inputs.extend(inputs_for(field, choices, view.free_text));
    }
    let error = match &view.error {
        Some(message) => vec![attention_text(message)],
        None => Vec::new(),
    };
    let actions = vec![answer_or_cancel(
        submit_title,
        Verb::Submit,
        &view.request_id,
    )];
    render(
        name,
        FORM,
        &[
            ("header", Value::Array(header_elements(&view.header))),
            ("intro", Value::String(intro.to_owned())),
            ("error", Value::Array(error)),
            ("inputs", Value::Array(inputs)),
            (
                "expiry",
                Value::String(expiry_text(view.expires_in_minutes)),
            ),
            ("actions", Value::Array(actions)),
        ],
    )
}

/// Inputs for one field: its input, and for resource fields a choice list plus free text.
fn inputs_for(
    field: &FormField,
    choices: Option<&[(String, String)]>,
    free_text: bool,
) -> Vec<Value> {
    if let Some(choices) = choices.filter(|c| !c.is_empty()) {
        return choice_inputs(field, choices, free_text);
    }
    let mut input = typed_input(field);
    if field.required && !matches!(field.kind, FieldKind::Toggle) {
        input["isRequired"] = Value::Bool(true);
        input["errorMessage"] = Value::String(format!("--{}: {}", field.option, field.hint));
    }
    if let Some(value) = &field.value {
        input["value"] = match &field.kind {
            FieldKind::Number { .. } => value
                .parse::<f64>()
                .map(|n| json!(n))
                .unwrap_or(Value::Null),
            _ => Value::String(value.clone()),
        };
        if input["value"].is_null() {
            input.as_object_mut().map(|o| o.remove("value"));
        }
    }
    vec![input]
}

/// A choice list of (value, title) pairs for a field, and with `free_text` a text input next
/// to it for a name the list does not have (then neither is required on its own).
fn choice_inputs(field: &FormField, choices: &[(String, String)], free_text: bool) -> Vec<Value> {
    let id = field.member.as_str();
    let mut choice = json!({
        "type": "Input.ChoiceSet",
        "id": id,
        "label": field.label,
        "style": if choices.len() > 8 { "filtered" } else { "compact" },
        "placeholder": "Choose one",
        "choices": choices.iter().map(|(value, title)| json!({"title": title, "value": value})).collect::<Vec<_>>(),
    });
    if let Some(value) = &field.value {
        choice["value"] = Value::String(value.clone());
    }
    if !free_text {
        if field.required {
            choice["isRequired"] = Value::Bool(true);
            choice["errorMessage"] = Value::String(format!("Choose a value for {}.", field.label));
        }
        return vec![choice];
    }
    let text = json!({
        "type": "Input.Text",
        "id": format!("{id}{FREE_TEXT_SUFFIX}"),
        "label": "…or type it",
        "placeholder": format!("Type a {}", field.option.replace('-', " ")),
    });
    vec![choice, text]
}

/// The input for a field's type, before whether it is required and its value are set.
fn typed_input(field: &FormField) -> Value {
    let label = field.label.clone();
    let id = field.member.as_str();
    match &field.kind {
        FieldKind::Text {
            pattern,
            max_length,
            multiline,
            placeholder,
        } => {
            let mut input = json!({"type": "Input.Text", "id": id, "label": label});
            if let Some(pattern) = pattern {
                input["regex"] = Value::String(format!("^(?:{pattern})$"));
            }
            if let Some(max) = max_length.filter(|m| *m < 100_000) {
                input["maxLength"] = json!(max);
            }
            if *multiline {
                input["isMultiline"] = Value::Bool(true);
            }
            input["placeholder"] =
                Value::String(placeholder.clone().unwrap_or_else(|| field.hint.clone()));
            input
        }
        FieldKind::Number { min, max, .. } => {
            let mut input = json!({"type": "Input.Number", "id": id, "label": label, "placeholder": field.hint});
            if let Some(min) = min {
                input["min"] = json!(min);
            }
            if let Some(max) = max.filter(|m| *m < 1e15) {
                input["max"] = json!(max);
            }
            input
        }
        FieldKind::Toggle => json!({
            "type": "Input.Toggle",
            "id": id,
            "title": label,
            "value": "false",
            "valueOn": "true",
            "valueOff": "false"
        }),
        FieldKind::Choice { choices, multi } => json!({
            "type": "Input.ChoiceSet",
            "id": id,
            "label": label,
            "style": "compact",
            "isMultiSelect": multi,
            "choices": choices.iter().map(|c| json!({"title": c, "value": c})).collect::<Vec<_>>(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{
        assert_answer_card, buttons, full_header, input, input_ids, texts,
    };

    fn field(member: &str, required: bool, kind: FieldKind, value: Option<&str>) -> FormField {
        FormField {
            member: member.to_owned(),
            option: "function-name".to_owned(),
            label: format!("--{member}"),
            required,
            kind,
            hint: "a name, like my-function".to_owned(),
            value: value.map(str::to_owned),
            resource: None,
        }
    }

    fn text() -> FieldKind {
        FieldKind::Text {
            pattern: Some("[a-z-]+".to_owned()),
            max_length: Some(64),
            multiline: false,
            placeholder: None,
        }
    }

    fn view(fields: Vec<FormField>) -> FormView {
        FormView {
            header: full_header(),
            fields,
            choices: Vec::new(),
            free_text: true,
            error: None,
            request_id: "req-1".to_owned(),
            expires_in_minutes: 15,
        }
    }

    #[test]
    fn a_form_has_run_and_cancel_and_only_run_sends_the_inputs() {
        let card = form(&view(vec![field("FunctionName", true, text(), None)]));
        assert_answer_card(&card, "form", "Run", Verb::Submit);
        let buttons = buttons(&card);
        assert_eq!(buttons[0]["associatedInputs"], "auto");
        assert_eq!(buttons[0]["style"], "positive");
        assert_eq!(buttons[1]["associatedInputs"], "none");
        // The data is the verb and request id; what was typed comes only from the inputs.
        assert_eq!(
            buttons[0]["data"],
            json!({"verb": "submit", "request": "req-1"})
        );
        assert!(texts(&card)
            .contains(&"This command needs more parameters. Fill them in and choose **Run**."));
        assert!(texts(&card)
            .iter()
            .any(|t| t.ends_with("expires in 15 minutes.")));
    }

    #[test]
    fn a_text_field_is_anchored_bounded_and_required_with_a_hint() {
        let card = form(&view(vec![field("FunctionName", true, text(), None)]));
        let name = input(&card, "FunctionName");
        assert_eq!(name["type"], "Input.Text");
        assert_eq!(name["regex"], "^(?:[a-z-]+)$");
        assert_eq!(name["maxLength"], 64);
        assert_eq!(name["placeholder"], "a name, like my-function");
        assert_eq!(name["isRequired"], true);
        assert_eq!(
            name["errorMessage"],
            "--function-name: a name, like my-function"
        );
        assert!(name.get("value").is_none());
    }

    #[test]
    fn typed_inputs_follow_the_field_kind() {
        let fields = vec![
            field(
                "Count",
                true,
                FieldKind::Number {
                    integer: true,
                    min: Some(1.0),
                    max: Some(1e20),
                },
                Some("4"),
            ),
            field(
                "Bad",
                false,
                FieldKind::Number {
                    integer: false,
                    min: None,
                    max: Some(10.0),
                },
                Some("four"),
            ),
            field("Force", true, FieldKind::Toggle, Some("true")),
            field(
                "State",
                false,
                FieldKind::Choice {
                    choices: vec!["OK".into(), "ALARM".into()],
                    multi: true,
                },
                Some("OK"),
            ),
        ];
        let card = form(&view(fields));
        assert_eq!(input_ids(&card), ["Count", "Bad", "Force", "State"]);
        let count = input(&card, "Count");
        assert_eq!(count["type"], "Input.Number");
        assert_eq!(count["min"], 1.0);
        assert!(
            count.get("max").is_none(),
            "a model maximum too large to type is left out"
        );
        assert_eq!(count["value"], 4.0);
        let bad = input(&card, "Bad");
        assert!(
            bad.get("value").is_none(),
            "a value that is not a number is not prefilled"
        );
        assert!(bad.get("isRequired").is_none());
        let force = input(&card, "Force");
        assert_eq!(force["type"], "Input.Toggle");
        assert_eq!(force["valueOn"], "true");
        assert!(
            force.get("isRequired").is_none(),
            "a toggle always has a value"
        );
        assert_eq!(force["value"], "true");
        let state = input(&card, "State");
        assert_eq!(state["isMultiSelect"], true);
        assert_eq!(
            state["choices"][1],
            json!({"title": "ALARM", "value": "ALARM"})
        );
        assert_eq!(state["value"], "OK");
        // Every required value is given: the intro only asks to check.
        assert!(texts(&card).contains(&"Check the parameters and choose **Run**."));
    }

    #[test]
    fn resource_choices_come_with_a_free_text_input() {
        let mut view = view(vec![field("FunctionName", true, text(), Some("b"))]);
        view.choices = vec![(
            "FunctionName".to_owned(),
            (0..9)
                .map(|i| (format!("fn-{i}"), format!("Function {i}")))
                .collect(),
        )];
        let card = form(&view);
        assert_eq!(
            input_ids(&card),
            [
                "FunctionName",
                format!("FunctionName{FREE_TEXT_SUFFIX}").as_str()
            ]
        );
        let choice = input(&card, "FunctionName");
        assert_eq!(choice["type"], "Input.ChoiceSet");
        assert_eq!(
            choice["style"], "filtered",
            "more than eight choices are filtered"
        );
        assert_eq!(
            choice["choices"][0],
            json!({"title": "Function 0", "value": "fn-0"})
        );
        assert_eq!(choice["value"], "b");
        // Either input may carry the name, so neither is required by the card.
        assert!(choice.get("isRequired").is_none());
        let typed = input(&card, &format!("FunctionName{FREE_TEXT_SUFFIX}"));
        assert_eq!(typed["placeholder"], "Type a function name");
    }

    #[test]
    fn fixed_choices_without_free_text_are_required_on_their_own() {
        let mut view = view(vec![field("FunctionName", true, text(), None)]);
        view.free_text = false;
        view.choices = vec![("FunctionName".to_owned(), vec![("a".into(), "A".into())])];
        let card = form(&view);
        assert_eq!(input_ids(&card), ["FunctionName"]);
        let choice = input(&card, "FunctionName");
        assert_eq!(choice["style"], "compact");
        assert_eq!(choice["isRequired"], true);
        assert_eq!(choice["errorMessage"], "Choose a value for --FunctionName.");
    }

    #[test]
    fn the_last_error_is_shown_escaped_in_attention() {
        let mut view = view(vec![field("FunctionName", true, text(), None)]);
        view.error = Some("--function-name does not match *[a-z]*".to_owned());
        let card = form(&view);
        let error = card.content["body"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["color"] == "Attention")
            .expect("the error");
        assert_eq!(error["text"], r"--function-name does not match \*[a-z]\*");
    }
}
