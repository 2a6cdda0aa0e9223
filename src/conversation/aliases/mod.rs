//! Aliases (B1): `@aws alias create <name> <command>`, `alias list`, `alias delete <name>`
//! and `@aws run <name> [value … | name=value …]`. Aliases belong to the conversation's
//! channel entry (`[access.channels.<key>]`), or to the person in a personal chat; the
//! config file's aliases come first and cannot be changed from chat. Anyone who may use the
//! bot in the conversation may create and delete its chat aliases: an alias is only text until
//! it runs, and running one is authorized like typing its command. A template must be one
//! command the bot can read and not on the never-allowed list when it is created; when it
//! runs, its expansion goes through the same parse, never-allowed list, authorization, form
//! and confirmation as a typed command, and the alias is named on its cards and audit record.
//! Parameters `run` leaves out are asked for in a small form first.

mod form;

use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::pending::{now_millis, StoredRequester};
use super::stored_list::{self, UpdateError};
use super::{requester_of, Inner};
use crate::bot::{Reply, TurnContext};
use crate::command::alias::{check_alias_name, AliasError, AliasTemplate};
use crate::command::{self, CommandError, ParseContext};
use crate::common::error_chain;
use crate::policy::config::MAX_ALIASES_PER_CHANNEL;
use crate::policy::{Denial, DenialLayer};
use crate::render::{self, AliasListView, AliasRow, Card};
use crate::store::Record;

/// The store namespace of chat aliases, keyed by scope (see [`Scope`]).
pub const NAMESPACE: &str = "aliases";

/// A typed word the bot answers itself, before reading a command.
pub(super) enum ChatWord<'a> {
    /// `alias …`, with the rest of the text.
    Alias(&'a str),
    /// `run …`, with the rest of the text.
    Run(&'a str),
    /// `history`.
    History,
}

/// `alias …`, `run …` or `history`: none is an AWS CLI service, so no command is shadowed.
pub(super) fn chat_word(text: &str) -> Option<ChatWord<'_>> {
    let text = text.trim();
    let (first, rest) = text
        .split_once(char::is_whitespace)
        .map_or((text, ""), |(first, rest)| (first, rest.trim_start()));
    match first.to_ascii_lowercase().as_str() {
        "alias" | "aliases" => Some(ChatWord::Alias(rest)),
        "run" => Some(ChatWord::Run(rest)),
        "history" if rest.is_empty() => Some(ChatWord::History),
        _ => None,
    }
}

/// One alias created from chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ChatAlias {
    name: String,
    template: String,
    created_by: Option<String>,
    created_at_ms: u64,
}

/// The chat aliases of one scope, in the order they were created.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ChatAliases {
    aliases: Vec<ChatAlias>,
}

/// Where a conversation's aliases live, and those the config file gives it.
struct Scope {
    /// The store key: `channel:<key>`, `user:<key>:<user>` in personal chats, or
    /// `conversation:<id>` when the bot has no channel configuration.
    key: String,
    /// "this channel", "your personal chats".
    label: &'static str,
    configured: IndexMap<String, String>,
}

/// An alias found for `run`.
struct FoundAlias {
    name: String,
    template: String,
}

impl Inner {
    /// The aliases' scope of the requester's conversation; a conversation no channel entry
    /// covers is refused (fail closed).
    fn alias_scope(&self, requester: &StoredRequester) -> Result<Scope, Denial> {
        let who = &requester.who;
        let personal = who.conversation_type.as_deref() == Some("personal");
        let user = who
            .user_object_id
            .as_deref()
            .map(str::to_ascii_lowercase)
            .or_else(|| requester.user_id.clone());
        let channel = self.authorizer.conversation_channel(who)?;
        let (place, configured) = match channel {
            Some(channel) => (channel.key, channel.aliases),
            None => (
                who.conversation_id
                    .split_once(';')
                    .map_or(who.conversation_id.as_str(), |(base, _)| base)
                    .to_owned(),
                IndexMap::new(),
            ),
        };
        if personal {
            let Some(user) = user else {
                return Err(Denial {
                    layer: DenialLayer::Role,
                    message: "Teams did not say who you are, so personal aliases cannot be kept."
                        .to_owned(),
                });
            };
            return Ok(Scope {
                key: format!("user:{place}:{user}"),
                label: "your personal chats",
                configured,
            });
        }
        Ok(Scope {
            key: format!("channel:{place}"),
            label: "this channel",
            configured,
        })
    }

    /// `alias create|list|delete …`.
    pub(super) async fn on_alias(&self, turn: &TurnContext, rest: &str) -> Reply {
        let requester = requester_of(turn);
        let scope = match self.alias_scope(&requester) {
            Ok(scope) => scope,
            Err(denial) => return Reply::Card(alias_refusal(&denial)),
        };
        let (verb, rest) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(verb, rest)| (verb, rest.trim()));
        match verb.to_ascii_lowercase().as_str() {
            "" | "list" | "ls" => self.alias_list(&scope, None, None).await,
            "create" | "add" | "set" => self.create_alias(&requester, &scope, rest).await,
            "delete" | "remove" | "rm" => self.delete_alias(&scope, rest).await,
            other => Reply::Card(render::error(
                "I do not know that alias command",
                &format!("`alias {other}` is not an alias command. Use `alias create <name> <command>`, `alias list` or `alias delete <name>`, and `run <name>` to run one."),
                None,
                None,
            )),
        }
    }

    /// The alias list card, with what just changed or what was refused.
    async fn alias_list(
        &self,
        scope: &Scope,
        notice: Option<String>,
        problem: Option<String>,
    ) -> Reply {
        let chat = match stored_list::read::<ChatAliases>(
            self.pending.store().as_ref(),
            NAMESPACE,
            &scope.key,
        )
        .await
        {
            Ok(chat) => chat,
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "aliases could not be read");
                return Reply::Card(render::error(
                    "The aliases could not be read",
                    "The bot's store did not answer. Nothing was changed; try again.",
                    None,
                    None,
                ));
            }
        };
        let parameters = |template: &str| {
            AliasTemplate::parse(template, self.models)
                .map(|t| t.parameters().to_vec())
                .unwrap_or_default()
        };
        let mut aliases: Vec<AliasRow> = scope
            .configured
            .iter()
            .map(|(name, template)| AliasRow {
                name: name.clone(),
                template: template.clone(),
                parameters: parameters(template),
                from_config: true,
                created_by: None,
            })
            .collect();
        aliases.extend(chat.aliases.into_iter().map(|alias| AliasRow {
            parameters: parameters(&alias.template),
            name: alias.name,
            template: alias.template,
            from_config: false,
            created_by: alias.created_by,
        }));
        Reply::Card(render::alias_list(&AliasListView {
            scope: scope.label.to_owned(),
            notice,
            problem,
            aliases,
        }))
    }

    /// `alias create <name> <command>`: the name and template checked (never the AWS
    /// permission: nothing runs), then stored, at most [`MAX_ALIASES_PER_CHANNEL`] per scope.
    async fn create_alias(&self, requester: &StoredRequester, scope: &Scope, rest: &str) -> Reply {
        let (name, template_text) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(name, template)| (name, template.trim()));
        if name.is_empty() || template_text.is_empty() {
            return Reply::Card(alias_error(
                "Give the alias a name and a command: `alias create fn-info lambda get-function --function-name $fn`. Use `$name` for a value given when it runs.",
            ));
        }
        let name = match check_alias_name(name) {
            Ok(name) => name,
            Err(error) => return Reply::Card(alias_error(&error.to_string())),
        };
        if scope.configured.contains_key(&name) {
            return Reply::Card(alias_error(&format!(
                "`{name}` is defined in the config file for {}, so it cannot be replaced from chat. Choose another name.",
                scope.label
            )));
        }
        if let Err(error) = AliasTemplate::parse(template_text, self.models) {
            return Reply::Card(alias_error(&error.to_string()));
        }
        let alias = ChatAlias {
            name: name.clone(),
            template: template_text.to_owned(),
            created_by: requester.who.user_name.clone(),
            created_at_ms: now_millis(),
        };
        let room = MAX_ALIASES_PER_CHANNEL.saturating_sub(scope.configured.len());
        let updated = stored_list::update(
            self.pending.store().as_ref(),
            NAMESPACE,
            &scope.key,
            Record::lasting,
            |chat: &mut ChatAliases| {
                if let Some(existing) = chat.aliases.iter_mut().find(|a| a.name == name) {
                    *existing = alias.clone();
                    return Ok("replaced");
                }
                if chat.aliases.len() >= room {
                    return Err(format!(
                        "{} already has {MAX_ALIASES_PER_CHANNEL} aliases, the most it can hold. Delete one with `alias delete <name>` first.",
                        scope.label
                    ));
                }
                chat.aliases.push(alias.clone());
                Ok("created")
            },
        )
        .await;
        match updated {
            Ok(Ok(done)) => {
                tracing::info!(scope = %scope.key_hint(), "alias {done}");
                self.alias_list(scope, Some(format!("Alias {name} {done}.")), None)
                    .await
            }
            Ok(Err(problem)) => self.alias_list(scope, None, Some(problem)).await,
            Err(error) => store_failed(&error),
        }
    }

    /// `alias delete <name>`: a chat alias only.
    async fn delete_alias(&self, scope: &Scope, name: &str) -> Reply {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Reply::Card(alias_error(
                "Name the alias to delete: `alias delete <name>`. `alias list` shows them.",
            ));
        }
        if scope.configured.contains_key(&name) {
            return self
                .alias_list(
                    scope,
                    None,
                    Some(format!("`{name}` is defined in the config file, so it cannot be deleted from chat. Ask your administrator to remove it from [access.channels].")),
                )
                .await;
        }
        let updated = stored_list::update(
            self.pending.store().as_ref(),
            NAMESPACE,
            &scope.key,
            Record::lasting,
            |chat: &mut ChatAliases| {
                let before = chat.aliases.len();
                chat.aliases.retain(|a| a.name != name);
                if chat.aliases.len() == before {
                    Err(format!(
                        "There is no alias `{name}` in {}. Nothing was deleted.",
                        scope.label
                    ))
                } else {
                    Ok(())
                }
            },
        )
        .await;
        match updated {
            Ok(Ok(())) => {
                self.alias_list(scope, Some(format!("Alias {name} deleted.")), None)
                    .await
            }
            Ok(Err(problem)) => self.alias_list(scope, None, Some(problem)).await,
            Err(error) => store_failed(&error),
        }
    }

    /// The alias `name` in the scope: the config file's first, then chat's.
    async fn find_alias(&self, scope: &Scope, name: &str) -> Option<FoundAlias> {
        let name = name.to_ascii_lowercase();
        if let Some(template) = scope.configured.get(&name) {
            return Some(FoundAlias {
                name,
                template: template.clone(),
            });
        }
        let chat =
            stored_list::read::<ChatAliases>(self.pending.store().as_ref(), NAMESPACE, &scope.key)
                .await
                .ok()?;
        chat.aliases
            .into_iter()
            .find(|a| a.name == name)
            .map(|a| FoundAlias {
                name: a.name,
                template: a.template,
            })
    }

    /// `run <alias> [values]`: the values put in, a form for those left out, then the
    /// expansion answered exactly as if it were typed.
    pub(super) async fn on_run_alias(self: &Arc<Self>, turn: &TurnContext, rest: &str) -> Reply {
        let requester = requester_of(turn);
        let scope = match self.alias_scope(&requester) {
            Ok(scope) => scope,
            Err(denial) => return Reply::Card(alias_refusal(&denial)),
        };
        let (name, args) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(name, args)| (name, args.trim()));
        if name.is_empty() {
            return Reply::Card(alias_error(
                "Name the alias to run: `run <name> [values]`. `alias list` shows the aliases here.",
            ));
        }
        let Some(found) = self.find_alias(&scope, name).await else {
            return Reply::Card(alias_error(&format!(
                "There is no alias `{}` in {}. `alias list` shows the aliases here; `alias create <name> <command>` makes one.",
                name.chars().take(40).collect::<String>(),
                scope.label
            )));
        };
        let template = match AliasTemplate::parse(&found.template, self.models) {
            Ok(template) => template,
            Err(AliasError::Command(CommandError::NeverAllowed {
                service,
                operation,
                reason,
            })) => {
                return self.refuse_never_allowed(
                    turn,
                    service,
                    operation,
                    reason,
                    Some(&found.name),
                )
            }
            Err(error) => return Reply::Card(alias_error(&error.to_string())),
        };
        let values = match command::tokenize(args)
            .map_err(AliasError::Command)
            .and_then(|words| template.values(&words))
        {
            Ok(values) => values,
            Err(error) => return Reply::Card(alias_error(&error.to_string())),
        };
        let missing = template.missing(&values);
        if !missing.is_empty() {
            return self
                .open_alias_form(turn, requester, found, values, missing)
                .await;
        }
        self.run_expanded(turn, &template, &values, &found.name)
            .await
    }

    /// The alias expanded with `values` and answered as a typed command.
    pub(super) async fn run_expanded(
        self: &Arc<Self>,
        turn: &TurnContext,
        template: &AliasTemplate,
        values: &[(String, String)],
        alias: &str,
    ) -> Reply {
        match template.expand(values) {
            Ok(text) => {
                let command = command::parse(&text, self.models, ParseContext::Chat);
                self.answer_command(turn, command, Some(alias)).await
            }
            Err(error) => Reply::Card(alias_error(&error.to_string())),
        }
    }
}

impl Scope {
    /// The scope's kind, for logs (no ids).
    fn key_hint(&self) -> String {
        self.key
            .split_once(':')
            .map_or("aliases", |(kind, _)| kind)
            .to_owned()
    }
}

/// An alias command that cannot be done as written.
fn alias_error(message: &str) -> Card {
    render::error("Alias not changed or run", message, None, None)
}

/// An alias command from a conversation the bot may not be used in.
fn alias_refusal(denial: &Denial) -> Card {
    render::error(
        "Not allowed here",
        &denial.message,
        None,
        Some(&format!("Refused by {}", denial.layer.describe())),
    )
}

fn store_failed(error: &UpdateError) -> Reply {
    tracing::error!(error = %error_chain(error), "aliases could not be stored");
    Reply::Card(render::error(
        "The alias could not be saved",
        "The bot's store did not take the change. Nothing was changed; try again.",
        None,
        None,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_alias_run_and_history_are_taken_and_no_service_has_those_names() {
        assert!(matches!(
            chat_word("alias list"),
            Some(ChatWord::Alias("list"))
        ));
        assert!(matches!(
            chat_word("Run fn-info x"),
            Some(ChatWord::Run("fn-info x"))
        ));
        assert!(matches!(chat_word(" history "), Some(ChatWord::History)));
        assert!(chat_word("history of things").is_none());
        assert!(chat_word("cloudwatch describe-alarms").is_none());
        for word in ["alias", "aliases", "run", "history"] {
            assert!(
                crate::models::Models::global().service(word).is_err(),
                "{word} is an AWS CLI service"
            );
        }
    }
}
