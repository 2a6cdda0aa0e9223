//! The cards of a conversation about a command: results, forms, confirmations, request
//! states, errors, help from the models and the support-case journey. Pure: the callers pass
//! plain views (the platform-neutral reply model) and get Adaptive Card 1.5 JSON back, built
//! from the templates in `/adaptive-cards/` and kept under [`CARD_BUDGET_BYTES`].

use std::borrow::Cow;

use serde_json::{json, Value};

use super::{escape_markdown, render, Card};
use crate::command::OutputFormat;
use crate::output::{self, Query, RenderContext};
use crate::prompt::{FieldKind, FormField, FREE_TEXT_SUFFIX};

const RESULT: &str = include_str!("../../adaptive-cards/result.json");
const FORM: &str = include_str!("../../adaptive-cards/form.json");
const CONFIRM: &str = include_str!("../../adaptive-cards/confirm.json");
const STATUS: &str = include_str!("../../adaptive-cards/status.json");
const ERROR: &str = include_str!("../../adaptive-cards/error.json");
const HELP_SERVICE: &str = include_str!("../../adaptive-cards/help-service.json");
const HELP_OPERATION: &str = include_str!("../../adaptive-cards/help-operation.json");
const SUPPORT_CASE: &str = include_str!("../../adaptive-cards/support-case.json");
const ACCOUNT_CHOICE: &str = include_str!("../../adaptive-cards/account-choice.json");

/// Teams' smallest documented message size is about 28 KB; every card stays below this.
pub const CARD_BUDGET_BYTES: usize = 24 * 1024;
/// What the output part of a result card may take, leaving room for the header and buttons.
const CONTENT_BUDGET_BYTES: usize = 18 * 1024;
/// The most lines (or table rows) a result shows before it is cut: a taller card is hard to
/// read in a chat, on a phone above all.
const MAX_LINES: usize = 120;
/// Tables are used for records with at most this many columns.
const MAX_TABLE_COLUMNS: usize = 6;
/// Key/value results with at most this many keys are shown as facts.
const MAX_FACTS: usize = 24;

/// Card verbs: the `verb` of Action.Execute and the `verb` in Action.Submit data.
pub mod verbs {
    pub const SUBMIT: &str = "submit";
    pub const CONFIRM: &str = "confirm";
    pub const CANCEL: &str = "cancel";
    pub const NEXT_PAGE: &str = "next-page";
    /// A button of the account choice card; its data also carries `account` (the id).
    pub const CHOOSE_ACCOUNT: &str = "choose-account";
}

/// The account choice card: on first use in a channel with several accounts, and for
/// `@aws set default-account`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountChoiceView {
    /// "Which AWS account?", or "Default account set" once chosen.
    pub title: String,
    /// The command waiting for the choice, when there is one.
    pub header: Option<CommandHeader>,
    pub message: String,
    /// (name, id) of each account, in the order the configuration lists them.
    pub accounts: Vec<(String, String)>,
    /// The current choice, (name, id).
    pub current: Option<(String, String)>,
    pub request_id: String,
}

/// Card asking which account to use: one button per account.
pub fn account_choice(view: &AccountChoiceView) -> Card {
    let buttons = view
        .accounts
        .iter()
        .map(|(name, id)| {
            let mut button = action(
                &format!("{name} ({id})"),
                verbs::CHOOSE_ACCOUNT,
                &view.request_id,
                None,
                false,
            );
            button["data"]["account"] = Value::String(id.clone());
            button["fallback"]["data"]["account"] = Value::String(id.clone());
            button
        })
        .collect();
    let current = match &view.current {
        Some((name, id)) => vec![json!({
            "type": "TextBlock",
            "text": escape_markdown(&format!("Current default: {name} ({id})")),
            "isSubtle": true,
            "wrap": true
        })],
        None => Vec::new(),
    };
    render(
        "account-choice",
        ACCOUNT_CHOICE,
        &[
            ("title", Value::String(escape_markdown(&view.title))),
            ("message", Value::String(escape_markdown(&view.message))),
            (
                "header",
                Value::Array(view.header.as_ref().map(header).unwrap_or_default()),
            ),
            ("current", Value::Array(current)),
            (
                "actions",
                Value::Array(if view.accounts.is_empty() {
                    Vec::new()
                } else {
                    vec![action_set(buttons)]
                }),
            ),
        ],
    )
}

/// What every command card shows on top: the command, and where and as whom it runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommandHeader {
    /// `cloudwatch describe-alarms`.
    pub title: String,
    /// The exact command line, `aws cloudwatch describe-alarms --state-value ALARM`.
    pub command_line: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
    pub role: Option<String>,
}

/// A command's output, before it is laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultView {
    pub header: CommandHeader,
    pub output: Value,
    /// `--output` as given; `None` lets the card choose a table or facts where they read better.
    pub format: Option<OutputFormat>,
    pub query: Option<String>,
    /// The operation's model name, the title of `--output table`.
    pub operation: String,
    /// 1 for the first page.
    pub page: u32,
    /// The request id that knows the next page's cursor, when there is one.
    pub next_page_request: Option<String>,
}

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

/// A request's state other than a result, as a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    Cancelled,
    Expired,
    /// Clicked by someone who is not the requester, or on an unknown id; nothing changed.
    Refused,
    /// Already handled (a second Confirm).
    AlreadyHandled,
    /// The bot stopped while the command ran; nobody knows whether it happened.
    OutcomeUnknown,
}

/// Card for a result, cut to fit with a notice of what was cut.
pub fn result(view: &ResultView) -> Card {
    let (content, notice) = fit_output(view);
    let mut notices = Vec::new();
    if let Some(notice) = notice {
        notices.push(json!({
            "type": "TextBlock",
            "text": notice,
            "color": "Warning",
            "size": "Small",
            "wrap": true
        }));
    }
    if view.page > 1 {
        notices.push(subtle(&format!("Page {}", view.page)));
    }
    let actions = match &view.next_page_request {
        Some(request) => vec![action_set(vec![action(
            "Next page",
            verbs::NEXT_PAGE,
            request,
            None,
            false,
        )])],
        None => Vec::new(),
    };
    render(
        "result",
        RESULT,
        &[
            ("header", Value::Array(header(&view.header))),
            ("content", Value::Array(content)),
            ("notice", Value::Array(notices)),
            ("actions", Value::Array(actions)),
        ],
    )
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

fn form_card(name: &'static str, view: &FormView, intro: &str, submit_title: &str) -> Card {
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
        Some(message) => vec![json!({
            "type": "TextBlock",
            "text": escape_markdown(message),
            "color": "Attention",
            "wrap": true
        })],
        None => Vec::new(),
    };
    let actions = vec![action_set(vec![
        action(
            submit_title,
            verbs::SUBMIT,
            &view.request_id,
            Some("positive"),
            true,
        ),
        action("Cancel", verbs::CANCEL, &view.request_id, None, false),
    ])];
    render(
        name,
        FORM,
        &[
            ("header", Value::Array(header(&view.header))),
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
    let label = field.label.clone();
    let id = field.member.as_str();
    let error_message = format!("--{}: {}", field.option, field.hint);
    if let Some(choices) = choices.filter(|c| !c.is_empty()) {
        let mut choice = json!({
            "type": "Input.ChoiceSet",
            "id": id,
            "label": label,
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
                choice["errorMessage"] =
                    Value::String(format!("Choose a value for {}.", field.label));
            }
            return vec![choice];
        }
        let text = json!({
            "type": "Input.Text",
            "id": format!("{id}{FREE_TEXT_SUFFIX}"),
            "label": "…or type it",
            "placeholder": format!("Type a {}", field.option.replace('-', " ")),
        });
        return vec![choice, text];
    }
    let mut input = match &field.kind {
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
    };
    if field.required && !matches!(field.kind, FieldKind::Toggle) {
        input["isRequired"] = Value::Bool(true);
        input["errorMessage"] = Value::String(error_message);
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

/// Card asking the requester to confirm a change.
pub fn confirm(header_view: &CommandHeader, request_id: &str, expires_in_minutes: u64) -> Card {
    confirm_card(
        "confirm",
        "Confirm this change",
        header_view,
        "This command changes something. It runs only when you choose **Confirm**, and only once.",
        Vec::new(),
        request_id,
        "Confirm",
        expires_in_minutes,
    )
}

#[allow(clippy::too_many_arguments)]
fn confirm_card(
    name: &'static str,
    title: &str,
    header_view: &CommandHeader,
    intro: &str,
    extra: Vec<Value>,
    request_id: &str,
    confirm_title: &str,
    expires_in_minutes: u64,
) -> Card {
    let mut head = header(header_view);
    head.extend(extra);
    let actions = vec![action_set(vec![
        action(
            confirm_title,
            verbs::CONFIRM,
            request_id,
            Some("positive"),
            true,
        ),
        action("Cancel", verbs::CANCEL, request_id, None, false),
    ])];
    render(
        name,
        CONFIRM,
        &[
            ("title", Value::String(title.to_owned())),
            ("intro", Value::String(intro.to_owned())),
            ("header", Value::Array(head)),
            ("expiry", Value::String(expiry_text(expires_in_minutes))),
            ("actions", Value::Array(actions)),
        ],
    )
}

/// Card for a request's state: running, cancelled, expired, refused, already handled.
pub fn status(status: Status, message: &str, header_view: Option<&CommandHeader>) -> Card {
    let (title, color) = match status {
        Status::Running => ("Running…", "Accent"),
        Status::Cancelled => ("Cancelled", "Default"),
        Status::Expired => ("This request has expired", "Warning"),
        Status::Refused => ("Not available to you", "Warning"),
        Status::AlreadyHandled => ("Already handled", "Default"),
        Status::OutcomeUnknown => ("Outcome unknown — check before running again", "Attention"),
    };
    render(
        match status {
            Status::Running => "status-running",
            Status::Cancelled => "status-cancelled",
            Status::Expired => "status-expired",
            Status::Refused => "status-refused",
            Status::AlreadyHandled => "status-already-handled",
            Status::OutcomeUnknown => "status-outcome-unknown",
        },
        STATUS,
        &[
            ("title", Value::String(title.to_owned())),
            ("color", Value::String(color.to_owned())),
            ("message", Value::String(escape_markdown(message))),
            (
                "header",
                Value::Array(header_view.map(header).unwrap_or_default()),
            ),
        ],
    )
}

/// Card for something that went wrong: a command that does not parse, a denial, an AWS
/// error. `details` is shown in monospace (the AWS CLI's error line); `reference` is the
/// correlation id of internal errors.
pub fn error(
    title: &str,
    message: &str,
    header_view: Option<&CommandHeader>,
    details: Option<&str>,
) -> Card {
    let details = match details {
        Some(text) => vec![json!({
            "type": "Container",
            "style": "emphasis",
            "items": [{
                "type": "TextBlock",
                "text": monospace(text, false),
                "fontType": "Monospace",
                "size": "Small",
                "wrap": true
            }]
        })],
        None => Vec::new(),
    };
    render(
        "error",
        ERROR,
        &[
            ("title", Value::String(title.to_owned())),
            (
                "header",
                Value::Array(header_view.map(header).unwrap_or_default()),
            ),
            ("message", Value::String(escape_markdown(message))),
            ("details", Value::Array(details)),
        ],
    )
}

/// One operation as the service help card lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceHelp {
    pub service: String,
    pub full_name: String,
    /// CLI operation names, in the model's order.
    pub operations: Vec<String>,
}

/// Most operations a service help card lists before saying how many more there are.
const MAX_LISTED_OPERATIONS: usize = 60;

/// Help for a service: its operations (trimmed, with a count).
pub fn service_help(help: &ServiceHelp, mention: &str) -> Card {
    let total = help.operations.len();
    let shown: Vec<&str> = help
        .operations
        .iter()
        .take(MAX_LISTED_OPERATIONS)
        .map(String::as_str)
        .collect();
    let mut footer = format!(
        "Type {mention} {} <operation> --help for an operation's parameters.",
        help.service
    );
    if total > shown.len() {
        footer = format!("{} of {total} operations shown. {footer}", shown.len());
    }
    render(
        "help-service",
        HELP_SERVICE,
        &[
            ("title", Value::String(format!("{} help", help.service))),
            (
                "summary",
                Value::String(format!(
                    "{} — {total} operations.",
                    escape_markdown(&help.full_name)
                )),
            ),
            (
                "operations",
                Value::String(monospace(&shown.join("\n"), false)),
            ),
            ("footer", Value::String(escape_markdown(&footer))),
        ],
    )
}

/// One parameter on an operation help card.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterHelp {
    pub option: String,
    /// `string`, `integer`, `list`, ...
    pub type_name: String,
    pub required: bool,
    pub allowed: Vec<String>,
}

/// Help for one operation, generated from its model.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationHelp {
    pub service: String,
    pub operation: String,
    pub parameters: Vec<ParameterHelp>,
    pub paginated: bool,
    pub read_only: bool,
}

/// Help for an operation: its parameters with type, whether required, allowed values, and a
/// link to the AWS CLI reference page.
pub fn operation_help(help: &OperationHelp) -> Card {
    let mut parameters = Vec::new();
    let mut budget = CONTENT_BUDGET_BYTES;
    let mut cut = 0;
    for parameter in &help.parameters {
        let mut text = format!(
            "**--{}** · {}{}",
            escape_markdown(&parameter.option),
            parameter.type_name,
            if parameter.required {
                " · required"
            } else {
                ""
            }
        );
        if !parameter.allowed.is_empty() {
            let mut allowed = parameter.allowed.clone();
            if allowed.len() > 12 {
                let more = allowed.len() - 12;
                allowed.truncate(12);
                allowed.push(format!("… {more} more"));
            }
            text.push_str(&format!(
                "\n\nAllowed: {}",
                escape_code(&allowed.join(", "))
            ));
        }
        let element = json!({"type": "TextBlock", "text": text, "wrap": true, "spacing": "Small"});
        let size = element.to_string().len();
        if size > budget {
            cut += 1;
            continue;
        }
        budget -= size;
        parameters.push(element);
    }
    if parameters.is_empty() && cut == 0 {
        parameters.push(subtle("This operation takes no parameters."));
    }
    let mut footer = String::new();
    if cut > 0 {
        footer.push_str(&format!("{cut} parameters not shown; see the reference. "));
    }
    if help.paginated {
        footer.push_str("Results come one page at a time, with a Next page button. ");
    }
    footer.push_str(if help.read_only {
        "This operation only reads."
    } else {
        "This operation changes things: you will be asked to confirm before it runs."
    });
    let required = help.parameters.iter().filter(|p| p.required).count();
    render(
        "help-operation",
        HELP_OPERATION,
        &[
            (
                "title",
                Value::String(format!("{} {}", help.service, help.operation)),
            ),
            (
                "summary",
                Value::String(format!(
                    "{} parameters, {required} required. Missing required parameters are asked for in a form.",
                    help.parameters.len()
                )),
            ),
            ("parameters", Value::Array(parameters)),
            ("footer", Value::String(footer)),
            (
                "reference_url",
                Value::String(format!(
                    "https://docs.aws.amazon.com/cli/latest/reference/{}/{}.html",
                    help.service, help.operation
                )),
            ),
        ],
    )
}

/// The support-case form (step 1): everything but the category, which depends on the service.
pub fn support_form(view: &FormView) -> Card {
    form_card(
        "support-form",
        view,
        "Describe the problem. Next, you choose a category for the service and check a summary before the case is created. Attachments cannot be added from chat; add them in the AWS Support Center once the case exists.",
        "Next",
    )
}

/// The support-case summary (step 2): the case as it will be created, the category choice for
/// the chosen service, and Create case.
pub fn support_summary(
    header_view: &CommandHeader,
    facts: &[(String, String)],
    categories: &[(String, String)],
    request_id: &str,
    expires_in_minutes: u64,
) -> Card {
    let mut extra = vec![json!({
        "type": "FactSet",
        "facts": facts.iter().map(|(title, value)| json!({"title": title, "value": escape_markdown(value)})).collect::<Vec<_>>()
    })];
    if !categories.is_empty() {
        extra.push(json!({
            "type": "Input.ChoiceSet",
            "id": "categoryCode",
            "label": "Category",
            "style": "compact",
            "placeholder": "Choose the category that fits best",
            "isRequired": true,
            "errorMessage": "Choose the category that fits the problem best.",
            "choices": categories.iter().map(|(code, name)| json!({"title": name, "value": code})).collect::<Vec<_>>(),
        }));
    }
    confirm_card(
        "support-summary",
        "Check the support case",
        header_view,
        "Check the case below, choose its category, and choose **Create case**. It is created once, only when you confirm.",
        extra,
        request_id,
        "Create case",
        expires_in_minutes,
    )
}

/// The created support case, with its id and a link to it.
pub fn support_case(
    header_view: &CommandHeader,
    facts: &[(String, String)],
    case_url: &str,
) -> Card {
    render(
        "support-case",
        SUPPORT_CASE,
        &[
            ("header", Value::Array(header(header_view))),
            (
                "facts",
                Value::Array(
                    facts
                        .iter()
                        .map(|(title, value)| json!({"title": title, "value": escape_markdown(value)}))
                        .collect(),
                ),
            ),
            ("case_url", Value::String(case_url.to_owned())),
        ],
    )
}

// ---------------------------------------------------------------------------------------------
// Building blocks

fn subtle(text: &str) -> Value {
    json!({"type": "TextBlock", "text": text, "isSubtle": true, "size": "Small", "wrap": true})
}

fn expiry_text(minutes: u64) -> String {
    match minutes {
        1 => "Only the person who sent the command can use these buttons. This request expires in 1 minute.".to_owned(),
        m => format!("Only the person who sent the command can use these buttons. This request expires in {m} minutes."),
    }
}

/// The header elements: title, where it runs, and the command line.
fn header(view: &CommandHeader) -> Vec<Value> {
    let mut elements = vec![json!({
        "type": "TextBlock",
        "text": escape_markdown(&view.title),
        "weight": "Bolder",
        "wrap": true
    })];
    let mut facts = Vec::new();
    if let Some(account) = &view.account {
        facts.push(json!({"title": "Account", "value": breakable(account)}));
    }
    if let Some(region) = &view.region {
        facts.push(json!({"title": "Region", "value": escape_markdown(region)}));
    }
    if let Some(role) = &view.role {
        facts.push(json!({"title": "Role", "value": breakable(role)}));
    }
    if !facts.is_empty() {
        elements.push(json!({"type": "FactSet", "facts": facts, "spacing": "Small"}));
    }
    if let Some(line) = &view.command_line {
        elements.push(json!({
            "type": "Container",
            "style": "emphasis",
            "items": [{
                "type": "TextBlock",
                "text": monospace(line, false),
                "fontType": "Monospace",
                "size": "Small",
                "wrap": true
            }]
        }));
    }
    elements
}

/// An Action.Execute with its Action.Submit fallback. The data carries only the verb and
/// the request id; inputs are merged in by the client when `inputs` is set.
fn action(title: &str, verb: &str, request: &str, style: Option<&str>, inputs: bool) -> Value {
    let data = json!({"verb": verb, "request": request});
    let associated = if inputs { "auto" } else { "none" };
    let mut fallback = json!({
        "type": "Action.Submit",
        "title": title,
        "data": data,
        "associatedInputs": associated
    });
    let mut execute = json!({
        "type": "Action.Execute",
        "title": title,
        "verb": verb,
        "data": data,
        "associatedInputs": associated,
    });
    if let Some(style) = style {
        execute["style"] = Value::String(style.to_owned());
        fallback["style"] = Value::String(style.to_owned());
    }
    execute["fallback"] = fallback;
    execute
}

/// Actions wrapped in an ActionSet: older Teams clients only honour `fallback` there.
fn action_set(actions: Vec<Value>) -> Value {
    json!({"type": "ActionSet", "actions": actions})
}

/// Text shown in a monospace TextBlock: markdown characters escaped, leading spaces turned into
/// no-break spaces (which do not collapse) and, when `halve_indent`, every two leading spaces
/// into one so that deep JSON fits a phone.
pub fn monospace(text: &str, halve_indent: bool) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (index, line) in text.trim_end_matches('\n').split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        let shown = if halve_indent {
            indent.div_ceil(2)
        } else {
            indent
        };
        out.extend(std::iter::repeat_n('\u{a0}', shown));
        // Runs of spaces inside a line (text and table output) would collapse too.
        let mut previous_space = false;
        for c in escape_code(trimmed).chars() {
            if c == ' ' && previous_space {
                out.push('\u{a0}');
                previous_space = false;
                continue;
            }
            previous_space = c == ' ';
            out.push(c);
        }
    }
    out
}

/// Escapes what Teams' markdown would interpret in code-like text, and nothing else, so that
/// JSON and tables read as they are: emphasis markers (`*`, and `_` at a word's edge; inside a
/// word, as in `INSUFFICIENT_DATA`, it never starts emphasis), backticks, the `](` of a link,
/// and a backslash before any of them.
fn escape_code(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let special = |c: Option<char>| matches!(c, Some('*' | '`' | '_' | ']' | '\\'));
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let escape = match c {
            '*' | '`' => true,
            '\\' => special(after),
            ']' => after == Some('('),
            '_' => {
                !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
            }
            '#' | '-' | '+' => i == 0 && after.is_none_or(|n| n.is_whitespace()),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A fact value that may be long and unbroken (an ARN): a zero-width space after `:` and `/`
/// lets it wrap on a phone instead of being cut off.
fn breakable(value: &str) -> String {
    let escaped = escape_markdown(value);
    if value.len() <= 28 {
        return escaped;
    }
    escaped.replace(':', ":\u{200b}").replace('/', "/\u{200b}")
}

// ---------------------------------------------------------------------------------------------
// Output layout and cutting

/// The output as card elements, cut to [`CONTENT_BUDGET_BYTES`], with the notice of the cut.
///
/// The output may be hundreds of kilobytes (a whole `describe-*` page) while a card holds 18 KB,
/// so every trial cut copies and lays out only the items it keeps, and the number of items is
/// found by growing the cut from one item: the work follows what fits in a card, not the size
/// of the output.
fn fit_output(view: &ResultView) -> (Vec<Value>, Option<String>) {
    let queried = match view.query.as_deref().map(Query::parse) {
        Some(Ok(query)) => match query.search(&view.output) {
            Ok(value) => Cow::Owned(value),
            Err(error) => return (vec![error_text(&error.to_string())], None),
        },
        Some(Err(error)) => return (vec![error_text(&error.to_string())], None),
        None => Cow::Borrowed(&view.output),
    };
    let queried: &Value = &queried;
    let layout = |value: &Value| lay_out(value, view.format, &view.operation);
    let elements = layout(queried);
    if fits(&elements) {
        return (elements, None);
    }
    drop(elements);
    // Keep the first items of the largest list that fit.
    if let Some((path, total)) = largest_list(queried) {
        let with = |keep: usize| layout(&with_list_prefix(queried, &path, keep));
        let kept = most_that_fit(total, |keep| fits(&with(keep)));
        if kept > 0 {
            let notice = format!(
                "Output cut: {kept} of {total} items shown. Narrow it with --query{}.",
                if view.next_page_request.is_some() {
                    " or use Next page"
                } else {
                    " or filters"
                }
            );
            return (with(kept), Some(notice));
        }
    }
    // No list to cut, or one item is already too large: cut the text itself.
    let text = formatted_text(queried, view.format.unwrap_or_default(), &view.operation);
    let total = text.chars().count();
    let mut keep = total.min(CONTENT_BUDGET_BYTES / 2);
    loop {
        let cut: String = text.chars().take(keep).collect();
        let cut = cut
            .split('\n')
            .take(MAX_LINES)
            .collect::<Vec<_>>()
            .join("\n");
        keep = cut.chars().count();
        let elements = vec![monospace_block(&cut, view.format.is_none())];
        if size_of(&elements) <= CONTENT_BUDGET_BYTES || keep < 256 {
            let notice = format!(
                "Output cut: the first {keep} of {total} characters shown. Narrow it with --query."
            );
            return (elements, Some(notice));
        }
        keep = keep * 3 / 4;
    }
}

fn error_text(message: &str) -> Value {
    json!({"type": "TextBlock", "text": escape_markdown(message), "color": "Attention", "wrap": true})
}

fn size_of(elements: &[Value]) -> usize {
    elements.iter().map(|e| e.to_string().len()).sum()
}

/// Whether output elements fit a card: bytes and lines.
fn fits(elements: &[Value]) -> bool {
    let text: String = elements.iter().map(|e| e.to_string()).collect();
    let lines = text.matches("\\n").count() + text.matches("\"TableRow\"").count();
    text.len() <= CONTENT_BUDGET_BYTES && lines <= MAX_LINES
}

fn formatted_text(value: &Value, format: OutputFormat, operation: &str) -> String {
    let context = RenderContext {
        operation_title: operation,
        // Cards are narrower than a terminal.
        terminal_width: 60,
    };
    match output::render_with(value, format, None, &context) {
        Ok(text) => text,
        Err(_) => {
            output::render_with(value, OutputFormat::Json, None, &context).unwrap_or_default()
        }
    }
}

fn monospace_block(text: &str, halve_indent: bool) -> Value {
    let text = if text.trim().is_empty() {
        "(no output)".to_owned()
    } else {
        monospace(text, halve_indent)
    };
    json!({
        "type": "Container",
        "style": "emphasis",
        "items": [{
            "type": "TextBlock",
            "text": text,
            "fontType": "Monospace",
            "size": "Small",
            "wrap": true
        }]
    })
}

/// Chooses how to show a value: a table for a list of flat records with few columns, facts
/// for a flat object, otherwise the formatter's text in monospace.
fn lay_out(value: &Value, format: Option<OutputFormat>, operation: &str) -> Vec<Value> {
    if format.is_none() {
        if let Some(elements) = as_table(value).or_else(|| as_facts(value)) {
            return elements;
        }
    }
    let format = format.unwrap_or_default();
    vec![monospace_block(
        &formatted_text(value, format, operation),
        format == OutputFormat::Json,
    )]
}

fn is_scalar(value: &Value) -> bool {
    !value.is_object() && !value.is_array()
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn as_table(value: &Value) -> Option<Vec<Value>> {
    // A list of records, alone or as the one list of an object (`{"Functions": [...]}`).
    let (title, records) = match value {
        Value::Array(items) => (None, items),
        Value::Object(map) => {
            let lists: Vec<(&String, &Vec<Value>)> = map
                .iter()
                .filter_map(|(k, v)| v.as_array().map(|a| (k, a)))
                .collect();
            match lists.as_slice() {
                [(key, items)] if map.values().all(|v| v.is_array() || is_scalar(v)) => {
                    (Some(key.as_str()), *items)
                }
                _ => return None,
            }
        }
        _ => return None,
    };
    if records.is_empty() {
        return Some(vec![
            json!({"type": "TextBlock", "text": format!("No {} found.", title.unwrap_or("items")), "wrap": true}),
        ]);
    }
    let mut columns: Vec<&String> = Vec::new();
    for record in records {
        let map = record.as_object()?;
        if !map.values().all(is_scalar) {
            return None;
        }
        for key in map.keys() {
            if !columns.contains(&key) {
                columns.push(key);
            }
        }
    }
    if columns.is_empty() || columns.len() > MAX_TABLE_COLUMNS {
        return None;
    }
    let cell = |text: String, bold: bool| json!({"type": "TableCell", "items": [{"type": "TextBlock", "text": escape_markdown(&text), "wrap": true, "size": "Small", "weight": if bold {"Bolder"} else {"Default"}}]});
    let mut rows = vec![json!({
        "type": "TableRow",
        "cells": columns.iter().map(|c| cell((*c).clone(), true)).collect::<Vec<_>>()
    })];
    for record in records {
        rows.push(json!({
            "type": "TableRow",
            "cells": columns.iter().map(|c| cell(record.get(c.as_str()).map(scalar_text).unwrap_or_default(), false)).collect::<Vec<_>>()
        }));
    }
    let mut elements = Vec::new();
    if let Some(title) = title {
        elements.push(json!({"type": "TextBlock", "text": format!("{} ({})", escape_markdown(title), records.len()), "weight": "Bolder", "wrap": true}));
    }
    elements.push(json!({
        "type": "Table",
        "firstRowAsHeader": true,
        "showGridLines": false,
        "columns": columns.iter().map(|_| json!({"width": 1})).collect::<Vec<_>>(),
        "rows": rows
    }));
    Some(elements)
}

fn as_facts(value: &Value) -> Option<Vec<Value>> {
    let map = value.as_object()?;
    if map.is_empty() || map.len() > MAX_FACTS || !map.values().all(is_scalar) {
        return None;
    }
    let facts: Vec<Value> = map
        .iter()
        .map(|(k, v)| json!({"title": escape_markdown(k), "value": escape_markdown(&scalar_text(v))}))
        .collect();
    Some(vec![json!({"type": "FactSet", "facts": facts})])
}

/// The path (object keys) and length of the longest list at the top or one level down.
fn largest_list(value: &Value) -> Option<(Vec<String>, usize)> {
    match value {
        Value::Array(items) => Some((Vec::new(), items.len())),
        Value::Object(map) => map
            .iter()
            .filter_map(|(key, v)| match v {
                Value::Array(items) => Some((vec![key.clone()], items.len())),
                Value::Object(inner) => inner
                    .iter()
                    .filter_map(|(k2, v2)| {
                        v2.as_array()
                            .map(|a| (vec![key.clone(), k2.clone()], a.len()))
                    })
                    .max_by_key(|(_, n)| *n),
                _ => None,
            })
            .max_by_key(|(_, n)| *n),
        _ => None,
    }
    .filter(|(_, n)| *n > 0)
}

/// A copy of `value` whose list at `path` (object keys) holds only its first `keep` items.
/// Only what is kept is copied: cloning the whole output for every trial cut made fitting a
/// large output cost several copies of it.
fn with_list_prefix(value: &Value, path: &[String], keep: usize) -> Value {
    match (path.split_first(), value) {
        (None, Value::Array(items)) => Value::Array(items[..keep.min(items.len())].to_vec()),
        (Some((key, rest)), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k == key {
                        with_list_prefix(v, rest, keep)
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        (_, other) => other.clone(),
    }
}

/// The largest `keep` in `0..=total` for which `fits(keep)` holds, given that it holds for
/// every smaller count once it holds for one. Tries 1, 2, 4, … and then halves the last gap,
/// so the counts tried add up to about the answer times its logarithm, however long the list.
fn most_that_fit(total: usize, mut fits: impl FnMut(usize) -> bool) -> usize {
    let (mut low, mut high) = (0usize, total);
    let mut probe = 1usize;
    while probe <= total {
        if fits(probe) {
            low = probe;
            probe = probe.saturating_mul(2);
        } else {
            high = probe - 1;
            break;
        }
    }
    while low < high {
        let middle = (low + high).div_ceil(2);
        if fits(middle) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_that_fit_finds_the_largest_count() {
        // (items in the list, the most that fit) → the answer.
        let cases = [
            (0, 0),
            (1, 0),
            (1, 1),
            (10, 0),
            (10, 3),
            (10, 10),
            (1000, 1),
            (1000, 513),
            (1000, 999),
            (100_000, 64),
        ];
        for (total, limit) in cases {
            assert_eq!(
                most_that_fit(total, |keep| keep <= limit),
                limit.min(total),
                "total {total}, limit {limit}"
            );
        }
    }

    /// Each trial copies and lays out as many items as it tries: the items tried must follow
    /// the answer (what a card holds), not the length of the output.
    #[test]
    fn fitting_a_long_list_tries_few_items() {
        for (total, limit) in [(1_000_000, 40), (1_000_000, 300), (500, 40)] {
            let mut tried = 0;
            let kept = most_that_fit(total, |keep| {
                tried += keep;
                keep <= limit
            });
            assert_eq!(kept, limit);
            let bound = 2 * limit * (limit.ilog2() as usize + 2);
            assert!(
                tried <= bound,
                "{tried} items laid out to keep {limit} of {total}"
            );
        }
    }

    #[test]
    fn a_list_prefix_copies_only_the_kept_items() {
        let output = json!({"MetricAlarms": [1, 2, 3, 4], "NextToken": "t"});
        let nested = json!({"Reservations": {"Instances": ["a", "b", "c"]}, "Owner": "me"});
        let cases = [
            (
                &output,
                vec!["MetricAlarms"],
                2,
                json!({"MetricAlarms": [1, 2], "NextToken": "t"}),
            ),
            (&output, vec!["MetricAlarms"], 9, output.clone()),
            (
                &nested,
                vec!["Reservations", "Instances"],
                1,
                json!({"Reservations": {"Instances": ["a"]}, "Owner": "me"}),
            ),
            (&json!([1, 2, 3]), vec![], 0, json!([])),
            (&json!("text"), vec![], 3, json!("text")),
        ];
        for (value, path, keep, expected) in cases {
            let path: Vec<String> = path.into_iter().map(str::to_owned).collect();
            assert_eq!(
                with_list_prefix(value, &path, keep),
                expected,
                "{path:?} {keep}"
            );
        }
    }

    /// A result far over the budget is cut to the items that fit, with the notice.
    #[test]
    fn a_large_result_is_cut_to_fit() {
        let alarms: Vec<Value> = (0..2000)
            .map(|i| json!({"AlarmName": format!("alarm-{i}"), "StateValue": "OK", "Threshold": i}))
            .collect();
        let view = ResultView {
            header: CommandHeader::default(),
            output: json!({ "MetricAlarms": alarms }),
            format: None,
            query: None,
            operation: "DescribeAlarms".to_owned(),
            page: 1,
            next_page_request: None,
        };
        let (elements, notice) = fit_output(&view);
        assert!(fits(&elements));
        let notice = notice.expect("a notice of the cut");
        assert!(notice.starts_with("Output cut: "), "{notice}");
        assert!(notice.contains(" of 2000 items shown"), "{notice}");
    }
}
