//! A topic's custom buttons: `[[notifications.topics.<name>.buttons]]` read and checked (label,
//! command template, placeholders, service and operation against the models), and the one way a
//! template is filled with an alarm's values.

use std::ops::Range;

use serde_spanned::Spanned;
use toml_edit::TableLike;

use super::super::items::read;
use super::super::problems::{quoted_list, Problems};
use super::tables::{check_keys, required, sub_tables};
use super::CustomButton;

/// The keys of a button table.
const BUTTON_KEYS: &[&str] = &["label", "command"];
/// Teams shows few buttons per row; more than this crowds the alarm's own.
pub const MAX_BUTTONS_PER_TOPIC: usize = 5;
/// A button label longer than this is cut on a phone.
pub const MAX_LABEL_CHARS: usize = 40;
/// The placeholders a command template may use, as a reader writes them.
pub const PLACEHOLDERS: &[&str] = &[
    "$AlarmName",
    "$Region",
    "$AccountId",
    "$Namespace",
    "$MetricName",
    "$Dimension.<Name>",
];
/// What a button's command looks like, for messages.
const EXAMPLE_COMMAND: &str = "cloudwatch describe-alarm-history --alarm-name $AlarmName";

/// One value a template takes from the alarm.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Placeholder {
    AlarmName,
    Region,
    AccountId,
    Namespace,
    MetricName,
    /// `$Dimension.<Name>`: the value of the alarm metric's dimension `<Name>`.
    Dimension(String),
}

impl std::fmt::Display for Placeholder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Placeholder::AlarmName => f.write_str("$AlarmName"),
            Placeholder::Region => f.write_str("$Region"),
            Placeholder::AccountId => f.write_str("$AccountId"),
            Placeholder::Namespace => f.write_str("$Namespace"),
            Placeholder::MetricName => f.write_str("$MetricName"),
            Placeholder::Dimension(name) => write!(f, "$Dimension.{name}"),
        }
    }
}

/// Why a template could not be filled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The alarm has no value for a placeholder the template uses (a dimension it lacks, or
    /// the metric of a composite alarm).
    #[error("the alarm has no value for {0}")]
    NoValue(Placeholder),
    /// The template is not one the config check accepts (it cannot be split into words or
    /// uses an unknown placeholder).
    #[error("the button's command cannot be filled: {0}")]
    Malformed(String),
}

/// A piece of one word of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(String),
    Placeholder(Placeholder),
    /// `$` followed by something that is not a placeholder, as written (`$Alarm`, `$`).
    Unknown(String),
}

/// The pieces of one word: `$$` is a literal `$`; a placeholder name is the longest run of
/// letters, digits and `_` after `$`, and a dimension name runs over `[A-Za-z0-9_.:-]`.
fn segments(word: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        text.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            text.push('$');
            rest = tail;
            continue;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let mut consumed = name_len;
        let segment = match name {
            "AlarmName" => Segment::Placeholder(Placeholder::AlarmName),
            "Region" => Segment::Placeholder(Placeholder::Region),
            "AccountId" => Segment::Placeholder(Placeholder::AccountId),
            "Namespace" => Segment::Placeholder(Placeholder::Namespace),
            "MetricName" => Segment::Placeholder(Placeholder::MetricName),
            "Dimension" => {
                let dimension = after[name_len..].strip_prefix('.').map(|tail| {
                    let len = tail
                        .find(|c: char| !(c.is_ascii_alphanumeric() || "_.:-".contains(c)))
                        .unwrap_or(tail.len());
                    &tail[..len]
                });
                match dimension {
                    Some(dimension) if !dimension.is_empty() => {
                        consumed += 1 + dimension.len();
                        Segment::Placeholder(Placeholder::Dimension(dimension.to_owned()))
                    }
                    _ => Segment::Unknown("$Dimension".to_owned()),
                }
            }
            other => Segment::Unknown(format!("${other}")),
        };
        if !text.is_empty() {
            out.push(Segment::Text(std::mem::take(&mut text)));
        }
        out.push(segment);
        rest = &after[consumed..];
    }
    text.push_str(rest);
    if !text.is_empty() || out.is_empty() {
        out.push(Segment::Text(text));
    }
    out
}

/// The placeholders `command` uses, each once, in order.
pub(super) fn placeholders(command: &str) -> Vec<Placeholder> {
    let mut found = Vec::new();
    for word in crate::command::tokenize(command).unwrap_or_default() {
        for segment in segments(&word) {
            if let Segment::Placeholder(placeholder) = segment {
                if !found.contains(&placeholder) {
                    found.push(placeholder);
                }
            }
        }
    }
    found
}

/// `command` with each placeholder replaced by its value, every word quoted where the
/// tokenizer needs it. A value starting with `-` is joined to the option before it
/// (`--alarm-name=-x`), so that it is never read as an option of its own.
pub(super) fn fill(
    command: &str,
    value: impl Fn(&Placeholder) -> Option<String>,
) -> Result<String, TemplateError> {
    let words = crate::command::tokenize(command)
        .map_err(|error| TemplateError::Malformed(error.to_string()))?;
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for word in words {
        let mut filled = String::new();
        let mut has_placeholder = false;
        for segment in segments(&word) {
            match segment {
                Segment::Text(text) => filled.push_str(&text),
                Segment::Placeholder(placeholder) => {
                    has_placeholder = true;
                    match value(&placeholder) {
                        Some(text) => filled.push_str(&text),
                        None => return Err(TemplateError::NoValue(placeholder)),
                    }
                }
                Segment::Unknown(written) => {
                    return Err(TemplateError::Malformed(format!(
                        "unknown placeholder `{written}`"
                    )))
                }
            }
        }
        let after_option = out
            .last()
            .is_some_and(|last| last.starts_with("--") && !last.contains('='));
        match out.last_mut() {
            Some(option) if has_placeholder && after_option && filled.starts_with('-') => {
                option.push('=');
                option.push_str(&shell_word(&filled));
            }
            _ => out.push(shell_word(&filled)),
        }
    }
    Ok(out.join(" "))
}

/// `word` as the tokenizer reads it back: bare when it has nothing the tokenizer treats
/// specially (brackets are: an unquoted one continues the word until it is closed), else in
/// single quotes.
fn shell_word(word: &str) -> String {
    let bare = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@%+*?$#&~^!".contains(c));
    if bare {
        word.to_owned()
    } else {
        crate::command::quote_word(word)
    }
}

/// `buttons` of a topic: at most five, each with a label and a command that checks out.
pub(super) fn read_buttons(
    item: &toml_edit::Item,
    key_span: Option<Range<usize>>,
    topic_path: &str,
    problems: &mut Problems,
) -> Vec<CustomButton> {
    let path = format!("{topic_path}.buttons");
    let form = format!("[[{path}]]");
    let Some(tables) = sub_tables(item, &path, &form, problems) else {
        return Vec::new();
    };
    if tables.len() > MAX_BUTTONS_PER_TOPIC {
        problems.push(
            key_span.or_else(|| tables[MAX_BUTTONS_PER_TOPIC].1.clone()),
            &path,
            format!(
                "{} buttons: a topic has at most {MAX_BUTTONS_PER_TOPIC} (Teams shows only a few buttons per row, after Show logs, Show error logs, Show chart and Acknowledge)",
                tables.len()
            ),
        );
    }
    let mut buttons: Vec<CustomButton> = Vec::new();
    for (index, (table, span)) in tables.into_iter().enumerate() {
        let label_span = table.get("label").and_then(toml_edit::Item::span);
        let Some(button) = read_button(table, span, &format!("{path}[{index}]"), problems) else {
            continue;
        };
        if buttons.iter().any(|b| b.label == button.label) {
            problems.push(
                label_span,
                format!("{path}[{index}].label"),
                format!(
                    "two buttons of this topic are labelled {:?}; give each its own label",
                    button.label
                ),
            );
            continue;
        }
        buttons.push(button);
    }
    buttons
}

/// One button table, or `None` after its mistakes are reported.
fn read_button(
    table: &dyn TableLike,
    span: Option<Range<usize>>,
    path: &str,
    problems: &mut Problems,
) -> Option<CustomButton> {
    let before = problems.0.len();
    check_keys(table, BUTTON_KEYS, path, problems);
    let label = required(table, "label", path, span.clone(), problems)
        .and_then(|item| read::<Spanned<String>>(item, &format!("{path}.label"), problems))
        .and_then(|label| check_label(&label, &format!("{path}.label"), problems));
    let command = required(table, "command", path, span, problems)
        .and_then(|item| read::<Spanned<String>>(item, &format!("{path}.command"), problems))
        .and_then(|command| check_command(&command, &format!("{path}.command"), problems));
    if problems.0.len() != before {
        return None;
    }
    Some(CustomButton {
        label: label?,
        command: command?,
    })
}

fn check_label(label: &Spanned<String>, path: &str, problems: &mut Problems) -> Option<String> {
    let value = label.get_ref().trim();
    let length = value.chars().count();
    let reason = if value.is_empty() {
        "a button needs a label, such as \"Recent deployments\"".to_owned()
    } else if length > MAX_LABEL_CHARS {
        format!("the label has {length} characters; at most {MAX_LABEL_CHARS} fit on a button")
    } else if value.contains(['\n', '\r']) {
        "a label is one line".to_owned()
    } else {
        return Some(value.to_owned());
    };
    problems.push(Some(label.span()), path, reason);
    None
}

/// The command template when it is one line of `<service> <operation> [options]` that the
/// models know, with known placeholders in option values only. A mistake in one word is
/// reported at that word when the file writes the command without escapes.
fn check_command(command: &Spanned<String>, path: &str, problems: &mut Problems) -> Option<String> {
    let value = command.get_ref().trim();
    let mut complain = |needle: &str, message: String| {
        problems.push(Some(span_within(command, needle)), path, message)
    };
    if value.is_empty() {
        complain("", format!("give the command the button runs, as typed after @aws, such as {EXAMPLE_COMMAND:?}"));
        return None;
    }
    if value.contains(['\n', '\r']) {
        complain(
            "",
            "a button runs one command: write it on a single line".into(),
        );
        return None;
    }
    let words = match crate::command::tokenize(value) {
        Ok(words) => words,
        Err(error) => {
            complain("", error.to_string());
            return None;
        }
    };
    let first = words.first().map(String::as_str).unwrap_or_default();
    if first.eq_ignore_ascii_case("aws") || first.eq_ignore_ascii_case("@aws") {
        complain(first, format!("drop the leading `{first}`: a button's command is what you would type after @aws, such as {EXAMPLE_COMMAND:?}"));
        return None;
    }
    let mistakes = placeholder_mistakes(&words);
    let ok = mistakes.is_empty();
    for (needle, message) in mistakes {
        complain(&needle, message);
    }
    if ok {
        if let Err((needle, message)) = check_operation(&words) {
            complain(&needle, message);
            return None;
        }
    }
    ok.then(|| value.to_owned())
}

/// Where `needle` is inside the string value `command` in the file: exact when the file
/// writes the value between quotes without escapes (its text is then the value itself), else
/// the whole value.
fn span_within(command: &Spanned<String>, needle: &str) -> Range<usize> {
    let whole = command.span();
    let value = command.get_ref();
    if needle.is_empty() || whole.len() != value.len() + 2 {
        return whole;
    }
    match value.find(needle) {
        Some(at) => {
            let start = whole.start + 1 + at;
            start..start + needle.len()
        }
        None => whole,
    }
}

/// Unknown placeholders, and placeholders where they cannot stand: in the service, the
/// operation or an option's name. Each mistake with the text it is about.
fn placeholder_mistakes(words: &[String]) -> Vec<(String, String)> {
    let mut mistakes = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let segments = segments(word);
        for segment in &segments {
            if let Segment::Unknown(written) = segment {
                mistakes.push((written.clone(), unknown_placeholder_message(written)));
            }
        }
        let has_placeholder = segments
            .iter()
            .any(|s| matches!(s, Segment::Placeholder(_) | Segment::Unknown(_)));
        let option_name = word
            .strip_prefix("--")
            .map(|option| option.split_once('=').map_or(option, |(name, _)| name));
        let in_name = index < 2 || option_name.is_some_and(|name| name.contains('$'));
        if has_placeholder && in_name {
            let place = match index {
                0 => "the service",
                1 => "the operation",
                _ => "an option's name",
            };
            mistakes.push((
                word.clone(),
                format!(
                    "`{word}`: placeholders stand only in option values, not in {place} (such as `--alarm-name $AlarmName`)"
                ),
            ));
        }
    }
    mistakes
}

fn unknown_placeholder_message(written: &str) -> String {
    if written == "$Dimension" {
        return "`$Dimension` needs the dimension's name after a dot, such as `$Dimension.FunctionName`".into();
    }
    let names = PLACEHOLDERS.iter().map(|p| p.trim_end_matches(".<Name>"));
    let hint = crate::models::suggest(written, names, 1)
        .first()
        .map(|close| format!(" Did you mean `{close}`?"))
        .unwrap_or_default();
    format!(
        "unknown placeholder `{written}`.{hint} The placeholders are {}; write `$$` for a `$` itself",
        quoted_list(PLACEHOLDERS)
    )
}

/// The first two words must be a service and one of its operations that chat may run; a
/// mistake comes with the word it is about.
fn check_operation(words: &[String]) -> Result<(), (String, String)> {
    let (Some(service_word), Some(operation_word)) = (words.first(), words.get(1)) else {
        return Err((
            String::new(),
            format!("name a service and an operation, such as {EXAMPLE_COMMAND:?}"),
        ));
    };
    let service = service_word.to_lowercase();
    let operation = operation_word.to_lowercase();
    let did_you_mean = |suggestions: Vec<String>| {
        suggestions
            .first()
            .map(|close| format!(" Did you mean `{close}`?"))
            .unwrap_or_default()
    };
    if service == "s3" {
        return match operation.as_str() {
            "ls" | "cp" => Ok(()),
            _ => Err((
                operation_word.clone(),
                "`s3` has the commands `ls` and `cp` here; for other S3 operations use `s3api`"
                    .into(),
            )),
        };
    }
    let models = crate::models::Models::global();
    let Ok(model) = models.service(&service) else {
        let names = models.services().map(|s| s.cli_name).chain(["s3"]);
        let hint = did_you_mean(crate::models::suggest(&service, names, 1));
        return Err((
            service_word.clone(),
            format!("unknown service `{service}`.{hint} A button's command starts with the service, as after @aws"),
        ));
    };
    let Some(key) = model.cli.operations.get(&operation) else {
        let names = model.cli.operations.keys().map(String::as_str);
        let hint = did_you_mean(crate::models::suggest(&operation, names, 1));
        return Err((
            operation_word.clone(),
            format!("`{service}` has no operation `{operation}`.{hint}"),
        ));
    };
    if let Some(reason) = crate::command::is_never_allowed(&service, key) {
        return Err((
            format!("{service_word} {operation_word}"),
            format!("`{service} {operation}` is never allowed from chat: {reason}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        crate::command::tokenize(text).unwrap()
    }

    #[test]
    fn segments_read_placeholders_dollars_and_dimension_names() {
        assert_eq!(
            segments("arn:$Region:x$$y$Dimension.Api:Name-1.v2/z"),
            vec![
                Segment::Text("arn:".into()),
                Segment::Placeholder(Placeholder::Region),
                Segment::Text(":x$y".into()),
                Segment::Placeholder(Placeholder::Dimension("Api:Name-1.v2".into())),
                Segment::Text("/z".into()),
            ]
        );
        assert_eq!(segments("$Alarm"), vec![Segment::Unknown("$Alarm".into())]);
        assert_eq!(
            segments("$Dimension."),
            vec![
                Segment::Unknown("$Dimension".into()),
                Segment::Text(".".into())
            ]
        );
        assert_eq!(segments(""), vec![Segment::Text(String::new())]);
    }

    #[test]
    fn fill_quotes_values_and_keeps_dash_values_attached() {
        let button = "cloudwatch describe-alarm-history --alarm-name \"$AlarmName\" --x $Dimension.Env --y pre-$Region";
        let filled = fill(button, |p| match p {
            Placeholder::AlarmName => Some("it's down".into()),
            Placeholder::Dimension(name) if name == "Env" => Some("--prod".into()),
            Placeholder::Region => Some("eu-west-1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            filled,
            r"cloudwatch describe-alarm-history --alarm-name 'it'\''s down' --x=--prod --y pre-eu-west-1"
        );
        assert_eq!(
            words(&filled),
            [
                "cloudwatch",
                "describe-alarm-history",
                "--alarm-name",
                "it's down",
                "--x=--prod",
                "--y",
                "pre-eu-west-1"
            ]
        );
        // The command parser reads the filled command with the dash value as the option's.
        let alarm = fill(
            "cloudwatch describe-alarm-history --alarm-name $AlarmName",
            |_| Some("--region".into()),
        )
        .unwrap();
        assert_eq!(
            alarm,
            "cloudwatch describe-alarm-history --alarm-name=--region"
        );
        match crate::command::parse(
            &alarm,
            crate::models::Models::global(),
            crate::command::ParseContext::Chat,
        ) {
            Ok(crate::command::Command::Run(invocation)) => {
                let text = format!("{invocation:?}");
                assert!(text.contains("\"--region\""), "{text}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            fill(
                "logs describe-log-groups --log-group-name-prefix $Dimension.Fn",
                |_| None
            ),
            Err(TemplateError::NoValue(Placeholder::Dimension("Fn".into())))
        );
        assert_eq!(
            fill("lambda get-function --qualifier '$$LATEST'", |_| None).unwrap(),
            "lambda get-function --qualifier $LATEST"
        );
        assert_eq!(
            placeholders("a b --c $Region --d $Region/$AccountId"),
            [Placeholder::Region, Placeholder::AccountId]
        );
    }

    #[test]
    fn placeholders_stand_only_in_option_values() {
        assert!(placeholder_mistakes(&words(
            "cloudwatch describe-alarms --alarm-names $AlarmName --x=$Region"
        ))
        .is_empty());
        for (text, expected) in [
            ("$Namespace describe-alarms", "not in the service"),
            ("cloudwatch $MetricName", "not in the operation"),
            (
                "cloudwatch describe-alarms --$Region x",
                "not in an option's name",
            ),
            (
                "cloudwatch describe-alarms --alarm-names $AlarmNam",
                "Did you mean `$AlarmName`?",
            ),
            (
                "cloudwatch describe-alarms --alarm-names $Dimension",
                "needs the dimension's name",
            ),
        ] {
            let mistakes = placeholder_mistakes(&words(text));
            assert!(
                mistakes.iter().any(|(_, m)| m.contains(expected)),
                "{text}: {mistakes:?}"
            );
        }
    }
}
