//! `ses send-email --from F --to A B --cc C --bcc D --subject S --text T --html H` (awscli
//! `sessendemail.py`): the recipients build `Destination` and the subject and bodies build
//! `Message`, so a plain mail needs no JSON. `--from` is the model's `Source`, renamed by the
//! CLI (the models carry the rename); `--reply-to-addresses` and `--return-path` are the
//! model's own options. `--destination` cannot be combined with `--to`/`--cc`/`--bcc`, nor
//! `--message` with `--text`/`--html`; `--subject` beside `--message` replaces its subject,
//! as in the CLI.

use serde_json::{Map, Value};

use super::super::CommandError;
use super::Arity;

/// One option of the customization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum SendEmailOption {
    To,
    Cc,
    Bcc,
    Subject,
    Text,
    Html,
}

/// The options in the CLI's order (the order it adds them to the request).
pub(super) const OPTIONS: [(&str, SendEmailOption); 6] = [
    ("to", SendEmailOption::To),
    ("cc", SendEmailOption::Cc),
    ("bcc", SendEmailOption::Bcc),
    ("subject", SendEmailOption::Subject),
    ("text", SendEmailOption::Text),
    ("html", SendEmailOption::Html),
];

impl SendEmailOption {
    pub(super) fn arity(self) -> Arity {
        match self {
            SendEmailOption::To | SendEmailOption::Cc | SendEmailOption::Bcc => Arity::Many,
            SendEmailOption::Subject | SendEmailOption::Text | SendEmailOption::Html => Arity::One,
        }
    }

    /// The member of `Destination` or `Message` the option fills.
    fn member(self) -> &'static str {
        match self {
            SendEmailOption::To => "ToAddresses",
            SendEmailOption::Cc => "CcAddresses",
            SendEmailOption::Bcc => "BccAddresses",
            SendEmailOption::Subject => "Subject",
            SendEmailOption::Text => "Text",
            SendEmailOption::Html => "Html",
        }
    }

    /// The model's option the CLI does not take beside this one, and how to give it instead.
    fn exclusive_with(self) -> (&'static str, &'static str) {
        match self {
            SendEmailOption::To | SendEmailOption::Cc | SendEmailOption::Bcc => (
                "Destination",
                "give the recipients either as --destination or with --to, --cc and --bcc",
            ),
            SendEmailOption::Text | SendEmailOption::Html => (
                "Message",
                "give the message either as --message or with --subject, --text and --html",
            ),
            // `--subject` is outside the CLI's exclusive groups: it replaces the subject.
            SendEmailOption::Subject => ("", ""),
        }
    }
}

/// Builds `Destination` and `Message` from the options given (`given` in the order typed).
pub(super) fn apply(
    params: &mut Map<String, Value>,
    mut given: Vec<(String, SendEmailOption, Vec<String>)>,
) -> Result<(), CommandError> {
    // The CLI checks the exclusive groups before it builds anything, in its own order.
    given.sort_by_key(|(_, option, _)| OPTIONS.iter().position(|(_, o)| o == option));
    for (name, option, _) in &given {
        let (member, hint) = option.exclusive_with();
        if !member.is_empty() && params.contains_key(member) {
            return Err(CommandError::OptionConflict {
                option: name.clone(),
                other: member.to_lowercase(),
                hint: hint.to_owned(),
            });
        }
    }
    let mut body_without_subject = None;
    for (name, option, words) in given {
        let value = match option.arity() {
            Arity::Many => {
                if words.is_empty() {
                    return Err(CommandError::MissingValue {
                        option: name,
                        expected: "one or more email addresses separated by spaces, like \
                                   ana@example.com bo@example.com"
                            .to_owned(),
                    });
                }
                Value::Array(words.into_iter().map(Value::String).collect())
            }
            _ => one_word(&name, words)?,
        };
        // The CLI leaves an empty value out.
        if value.as_str() == Some("") {
            continue;
        }
        match option {
            SendEmailOption::To | SendEmailOption::Cc | SendEmailOption::Bcc => {
                object_member(params, "Destination").insert(option.member().to_owned(), value);
            }
            SendEmailOption::Subject | SendEmailOption::Text | SendEmailOption::Html => {
                let message = message(params);
                let mut content = Map::new();
                content.insert("Data".to_owned(), value);
                if option == SendEmailOption::Subject {
                    message.insert("Subject".to_owned(), Value::Object(content));
                } else {
                    body_without_subject.get_or_insert(name);
                    object_member(message, "Body")
                        .insert(option.member().to_owned(), Value::Object(content));
                }
            }
        }
    }
    // The CLI sends a body without a subject, and botocore refuses it (`Missing required
    // parameter in Message.Subject: "Data"`); say so before anything is sent.
    let has_subject = params
        .get("Message")
        .and_then(|message| message.get("Subject"))
        .is_some_and(|subject| subject.get("Data").is_some());
    if let (Some(option), false) = (body_without_subject, has_subject) {
        return Err(CommandError::MissingValue {
            option: "subject".to_owned(),
            expected: format!(
                "a mail with --{option} needs a subject too (the message's Subject.Data is \
                 required); add --subject \"Your subject\""
            ),
        });
    }
    Ok(())
}

/// The single word of a one-value option.
fn one_word(name: &str, words: Vec<String>) -> Result<Value, CommandError> {
    super::single_word(name, words, "a text; quote it when it contains spaces").map(Value::String)
}

/// `Message`, created as `{"Subject": {}, "Body": {}}` as the CLI creates it.
fn message(params: &mut Map<String, Value>) -> &mut Map<String, Value> {
    if !params.get("Message").is_some_and(Value::is_object) {
        let mut message = Map::new();
        message.insert("Subject".to_owned(), Value::Object(Map::new()));
        message.insert("Body".to_owned(), Value::Object(Map::new()));
        params.insert("Message".to_owned(), Value::Object(message));
    }
    object_member(params, "Message")
}

/// The object under `key`, created empty when absent (or not an object).
fn object_member<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let entry = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(object) => object,
        _ => unreachable!("made an object above"),
    }
}
