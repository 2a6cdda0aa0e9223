//! The form for the parameters `@aws run <alias>` left out: one text input per missing
//! `$parameter`, kept as an `AliasForm` pending request; once every value is given the request
//! ends (once) and the expansion continues in a new message as if typed.

use std::sync::Arc;

use serde_json::Value;

use super::FoundAlias;
use crate::bot::{MessageRef, Reply, TurnContext};
use crate::command::alias::{describe_parameters, AliasTemplate};
use crate::command::{GlobalOptions, Invocation};
use crate::conversation::history::continue_as_typed;
use crate::conversation::pending::{Loaded, RequestKind, RequestState, StoredRequester};
use crate::conversation::{already_handled, ClickOutcome, Inner};
use crate::prompt::{FieldKind, FormField};
use crate::render::{self, Card, CommandHeader, FormView, Status};

/// What the parameter form's input ids start with (so no parameter meets the card's own
/// `verb` and `request`).
const INPUT_PREFIX: &str = "alias-param-";

/// Longest value the parameter form takes, in characters.
const MAX_FORM_VALUE_CHARS: u64 = 1000;

impl Inner {
    /// A form for the alias's parameters that `run` left out.
    pub(super) async fn open_alias_form(
        &self,
        turn: &TurnContext,
        requester: StoredRequester,
        found: FoundAlias,
        values: Vec<(String, String)>,
        missing: Vec<String>,
    ) -> Reply {
        let request = self.new_request(
            requester,
            RequestKind::AliasForm {
                alias_name: found.name.clone(),
                template: found.template.clone(),
                values,
                missing: missing.clone(),
            },
            &alias_placeholder(&found.name),
        );
        let request = request.via_alias(Some(&found.name));
        let card = alias_form(
            &found.name,
            &found.template,
            &missing,
            None,
            &request.id,
            self.minutes(),
        );
        self.post_request_card(turn, request, card).await
    }

    /// Submit on an alias's parameter form: every value given, the request ends (once), and
    /// the expansion continues in a new message as if typed.
    pub(in crate::conversation) async fn submit_alias_form(
        self: &Arc<Self>,
        turn: &TurnContext,
        loaded: &Loaded,
        data: &Value,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        let RequestKind::AliasForm {
            alias_name: alias,
            template,
            values,
            missing,
        } = &loaded.request.kind
        else {
            return already_handled();
        };
        let mut all = values.clone();
        for name in missing {
            let given = data
                .get(format!("{INPUT_PREFIX}{name}"))
                .and_then(Value::as_str)
                .map(str::trim)
                .unwrap_or_default();
            if given.is_empty() || given.chars().count() as u64 > MAX_FORM_VALUE_CHARS {
                let card = alias_form(
                    alias,
                    template,
                    missing,
                    Some(&format!(
                        "Give a value for ${name} (at most {MAX_FORM_VALUE_CHARS} characters)."
                    )),
                    &loaded.request.id,
                    loaded.request.minutes_left(),
                );
                return self.form_again(&loaded.request.id, card, target).await;
            }
            all.push((name.clone(), given.to_owned()));
        }
        let parsed = match AliasTemplate::parse(template, self.models) {
            Ok(parsed) => parsed,
            Err(error) => {
                let card = alias_form(
                    alias,
                    template,
                    missing,
                    Some(&error.to_string()),
                    &loaded.request.id,
                    loaded.request.minutes_left(),
                );
                return self.form_again(&loaded.request.id, card, target).await;
            }
        };
        if self
            .claim(loaded, |r| r.state = RequestState::Done)
            .await
            .is_none()
        {
            return already_handled();
        }
        let card = render::status(
            Status::Running,
            &format!(
                "Values given for {alias}. The command it stands for follows in a new message."
            ),
            Some(&alias_header(alias, template)),
        );
        let inner = self.clone();
        let alias = alias.clone();
        let then = continue_as_typed(turn, move |turn| async move {
            inner.run_expanded(&turn, &parsed, &all, &alias).await
        });
        ClickOutcome::Update {
            card,
            target,
            then: Some(then),
        }
    }
}

/// What an alias-form request stores as its command until the values are in.
fn alias_placeholder(alias: &str) -> Invocation {
    Invocation {
        service: "run".to_owned(),
        operation: alias.to_owned(),
        cli_operation: alias.to_owned(),
        params: serde_json::Map::new(),
        globals: GlobalOptions::default(),
    }
}

/// The header of an alias's cards before it is expanded: its name and template.
fn alias_header(alias: &str, template: &str) -> CommandHeader {
    CommandHeader {
        title: format!("run {alias}"),
        command_line: Some(template.to_owned()),
        alias: Some(alias.to_owned()),
        ..CommandHeader::default()
    }
}

/// The form asking for an alias's `missing` parameters.
fn alias_form(
    alias: &str,
    template: &str,
    missing: &[String],
    error: Option<&str>,
    request_id: &str,
    minutes: u64,
) -> Card {
    let fields = missing
        .iter()
        .map(|name| FormField {
            member: format!("{INPUT_PREFIX}{name}"),
            option: name.clone(),
            label: format!("${name}"),
            required: true,
            kind: FieldKind::Text {
                pattern: None,
                max_length: Some(MAX_FORM_VALUE_CHARS),
                multiline: false,
                placeholder: None,
            },
            hint: format!(
                "The value of ${name} in the alias (it takes {}).",
                describe_parameters(missing)
            ),
            value: None,
            resource: None,
        })
        .collect();
    render::form(&FormView {
        header: alias_header(alias, template),
        fields,
        choices: Vec::new(),
        free_text: false,
        error: error.map(str::to_owned),
        request_id: request_id.to_owned(),
        expires_in_minutes: minutes,
    })
}
