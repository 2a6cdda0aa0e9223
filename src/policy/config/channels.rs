//! `[access.channels.<key>]`: where a channel entry applies, its accounts, roles and
//! guardrail, checked against the accounts and guardrails read before it.

use std::ops::Range;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::accounts::{check_region, check_role_arn};
use super::approval::RawApproval;
use super::guardrails::{validate_statements, RawStatement};
use super::problems::{quoted_list, Problems};
use super::teams_link::{normalise_channel_id, normalise_guid, parse_channel_link, percent_decode};
use super::{Account, Channel, ChannelLocation};
use crate::command::alias;
use crate::models::Models;
use crate::policy::guardrail::{self, Guardrail, Policy};

/// Most aliases a channel may hold, from the file and from chat together.
pub const MAX_ALIASES_PER_CHANNEL: usize = 50;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChannel {
    #[allow(dead_code)]
    description: Option<String>,
    link: Option<Spanned<String>>,
    tenant_id: Option<Spanned<String>>,
    team_id: Option<Spanned<String>>,
    channel_id: Option<Spanned<String>>,
    conversation_id: Option<Spanned<String>>,
    personal_chats: Option<Spanned<bool>>,
    accounts: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    require_user_roles: bool,
    #[serde(default)]
    channel_roles: IndexMap<String, Spanned<String>>,
    guardrails: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    guardrail_statement: Vec<RawStatement>,
    default_region: Option<Spanned<String>>,
    approval: Option<RawApproval>,
    /// Waiters (and other long-running commands) may run here, up to 15 minutes each.
    #[serde(default)]
    long_running: bool,
    /// `[access.channels.<key>.aliases]`: alias name → command template.
    #[serde(default)]
    aliases: IndexMap<String, Spanned<String>>,
}

/// What a channel entry is checked against, and where it is (`access.channels.<key>`).
pub(super) struct ChannelContext<'a> {
    pub(super) path: &'a str,
    pub(super) accounts: &'a IndexMap<String, Account>,
    pub(super) broken_accounts: &'a [String],
    pub(super) named_policies: &'a IndexMap<String, Policy>,
    pub(super) broken_policies: &'a [String],
    pub(super) statement_spans: Vec<Option<Range<usize>>>,
}

impl RawChannel {
    /// The channel entry, or `None` after every mistake in it is reported: each key is
    /// checked in turn against the accounts and guardrails read before it.
    pub(super) fn validate(
        self,
        key: &str,
        table_span: Option<Range<usize>>,
        context: &ChannelContext<'_>,
        problems: &mut Problems,
    ) -> Option<Channel> {
        let path = context.path;
        let before = problems.0.len();
        let location = self.location(path, table_span.clone(), problems);
        let accounts = self.known_accounts(context, problems);
        let channel_roles = self.channel_roles(context, problems);
        // Somebody must be able to act in every account the channel lists.
        if problems.0.len() == before {
            self.check_someone_can_act(&accounts, &channel_roles, context, problems);
        }
        let mut policies = self.named_policies(context, problems);
        if !self.guardrail_statement.is_empty() {
            if let Some(statements) = validate_statements(
                self.guardrail_statement,
                &context.statement_spans,
                table_span.clone(),
                &format!("{path}.guardrail_statement"),
                problems,
            ) {
                policies.push(Policy::new(guardrail::INLINE_POLICY_NAME, statements));
            }
        }
        let default_region = self
            .default_region
            .as_ref()
            .and_then(|region| check_region(region, &format!("{path}.default_region"), problems));
        let personal = self
            .personal_chats
            .as_ref()
            .filter(|p| *p.get_ref())
            .map(|p| p.span());
        let approval = self
            .approval
            .and_then(|raw| raw.validate(&format!("{path}.approval"), personal, problems));
        let aliases = checked_aliases(&self.aliases, path, problems);

        if problems.0.len() != before {
            return None;
        }
        Some(Channel {
            key: key.to_owned(),
            location: location?,
            accounts,
            require_user_roles: self.require_user_roles,
            channel_roles,
            guardrail: if policies.is_empty() {
                Guardrail::default_read_only()
            } else {
                Guardrail::new(policies)
            },
            default_region,
            approval,
            long_running: self.long_running,
            aliases,
        })
    }

    /// `accounts`: the names it lists that `[access.accounts]` defines, each once.
    fn known_accounts(&self, context: &ChannelContext<'_>, problems: &mut Problems) -> Vec<String> {
        let path = context.path;
        let mut accounts = Vec::new();
        if self.accounts.get_ref().is_empty() {
            problems.push(
                Some(self.accounts.span()),
                format!("{path}.accounts"),
                "list at least one account name from [access.accounts]".into(),
            );
        }
        for name in self.accounts.get_ref() {
            let name_text = name.get_ref().as_str();
            if context.broken_accounts.iter().any(|b| b == name_text) {
                // Its own problem is already reported.
                continue;
            }
            match context.accounts.get(name_text) {
                Some(_) if accounts.iter().any(|a| a == name_text) => problems.push(
                    Some(name.span()),
                    format!("{path}.accounts"),
                    format!("account `{name_text}` is listed twice"),
                ),
                Some(_) => accounts.push(name_text.to_owned()),
                None => problems.push(
                    Some(name.span()),
                    format!("{path}.accounts"),
                    unknown_name_message(
                        "account",
                        name_text,
                        &context
                            .accounts
                            .keys()
                            .chain(context.broken_accounts)
                            .map(String::as_str)
                            .collect::<Vec<_>>(),
                    ),
                ),
            }
        }
        accounts
    }

    /// `channel_roles`: account name → role ARN, for accounts the channel lists.
    fn channel_roles(
        &self,
        context: &ChannelContext<'_>,
        problems: &mut Problems,
    ) -> IndexMap<String, String> {
        let path = context.path;
        let mut channel_roles = IndexMap::new();
        for (account_name, arn) in &self.channel_roles {
            let role_path = format!("{path}.channel_roles.{account_name}");
            if !self
                .accounts
                .get_ref()
                .iter()
                .any(|a| a.get_ref() == account_name)
            {
                problems.push(
                    Some(arn.span()),
                    &role_path,
                    format!("`{account_name}` is not in this channel's `accounts`; a channel role is set per account the channel uses"),
                );
                continue;
            }
            if let Some(account) = context.accounts.get(account_name) {
                if self.require_user_roles {
                    problems.push(
                        Some(arn.span()),
                        &role_path,
                        "the channel requires user roles, so a channel role would never be used; remove one or the other".into(),
                    );
                    continue;
                }
                if let Some(arn) = check_role_arn(arn, &account.id, &role_path, problems) {
                    channel_roles.insert(account_name.clone(), arn);
                }
            }
        }
        channel_roles
    }

    /// Reports each listed account in which nobody could act: no user roles where the channel
    /// requires them, or neither a channel role nor user roles.
    fn check_someone_can_act(
        &self,
        accounts: &[String],
        channel_roles: &IndexMap<String, String>,
        context: &ChannelContext<'_>,
        problems: &mut Problems,
    ) {
        let path = context.path;
        for account_name in accounts {
            let account = &context.accounts[account_name];
            let has_channel_role =
                channel_roles.contains_key(account_name) || account.channel_role.is_some();
            let span = self
                .accounts
                .get_ref()
                .iter()
                .find(|a| a.get_ref() == account_name)
                .map(|a| a.span());
            if self.require_user_roles && account.user_roles.is_empty() {
                problems.push(
                    span,
                    format!("{path}.accounts"),
                    format!("the channel requires user roles but account `{account_name}` maps none ([access.accounts.{account_name}.user_roles]); nobody could run anything there"),
                );
            } else if !self.require_user_roles && !has_channel_role && account.user_roles.is_empty()
            {
                problems.push(
                    span,
                    format!("{path}.accounts"),
                    format!("account `{account_name}` has no channel role (set `channel_role` on the account or `channel_roles.{account_name}` here) and no user roles; nobody could run anything there"),
                );
            }
        }
    }

    /// `guardrails`: the templates and named policies it lists.
    fn named_policies(&self, context: &ChannelContext<'_>, problems: &mut Problems) -> Vec<Policy> {
        let path = context.path;
        let mut policies = Vec::new();
        let Some(names) = &self.guardrails else {
            return policies;
        };
        if names.get_ref().is_empty() && self.guardrail_statement.is_empty() {
            problems.push(
                Some(names.span()),
                format!("{path}.guardrails"),
                "an empty guardrail list would still mean ReadOnly; leave `guardrails` out, or name templates such as \"ReadOnly\"".into(),
            );
        }
        for name in names.get_ref() {
            let name_text = name.get_ref().as_str();
            if context.broken_policies.iter().any(|b| b == name_text) {
                continue;
            }
            let policy = guardrail::template(name_text)
                .or_else(|| context.named_policies.get(name_text).cloned());
            match policy {
                Some(policy) => policies.push(policy),
                None => {
                    let known: Vec<&str> = guardrail::TEMPLATE_NAMES
                        .iter()
                        .copied()
                        .chain(context.named_policies.keys().map(String::as_str))
                        .chain(context.broken_policies.iter().map(String::as_str))
                        .collect();
                    problems.push(
                        Some(name.span()),
                        format!("{path}.guardrails"),
                        unknown_name_message("guardrail", name_text, &known),
                    );
                }
            }
        }
        policies
    }

    /// Where the entry applies: a channel link, explicit channel ids, a chat's conversation
    /// id, or every personal chat of a tenant. Exactly one of these forms.
    pub(super) fn location(
        &self,
        path: &str,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<ChannelLocation> {
        if !self.has_one_form(path, table_span.clone(), problems) {
            return None;
        }
        if let Some(link) = &self.link {
            return self.link_location(link, path, problems);
        }
        let tenant_id = match &self.tenant_id {
            Some(tenant) => checked_guid(tenant, path, "tenant", "tenantId", problems),
            None => {
                problems.push(
                    table_span,
                    path,
                    "`tenant_id` is required (the GUID after `tenantId=` in a channel link)".into(),
                );
                None
            }
        };
        if let Some(channel_id) = &self.channel_id {
            return self.channel_location(channel_id, tenant_id, path, problems);
        }
        if let Some(team) = &self.team_id {
            problems.push(
                Some(team.span()),
                format!("{path}.team_id"),
                "`team_id` belongs with `channel_id`; a chat has no team".into(),
            );
            return None;
        }
        if let Some(conversation_id) = &self.conversation_id {
            let value = conversation_id.get_ref().trim();
            let decoded = percent_decode(value);
            if decoded.is_empty() || decoded.chars().any(char::is_whitespace) {
                problems.push(
                    Some(conversation_id.span()),
                    format!("{path}.conversation_id"),
                    "a conversation id looks like \"19:…@thread.v2\" (group chat) or \"a:…\" (personal chat); the bot's refusal message shows it".into(),
                );
                return None;
            }
            return Some(ChannelLocation::Chat {
                tenant_id: tenant_id?,
                conversation_id: decoded,
            });
        }
        Some(ChannelLocation::PersonalChats {
            tenant_id: tenant_id?,
        })
    }

    /// Whether the entry names its conversation in exactly one way; reports it when not.
    fn has_one_form(
        &self,
        path: &str,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> bool {
        let forms = [
            self.link.is_some(),
            self.channel_id.is_some(),
            self.conversation_id.is_some(),
            self.personal_chats.as_ref().is_some_and(|p| *p.get_ref()),
        ];
        let count = forms.iter().filter(|f| **f).count();
        if count != 1 {
            problems.push(
                table_span,
                path,
                if count == 0 {
                    "say where this entry applies: `link` (a channel link copied from Teams), `tenant_id` + `team_id` + `channel_id`, `tenant_id` + `conversation_id` (a group or personal chat), or `tenant_id` + `personal_chats = true`".into()
                } else {
                    "use only one of `link`, `channel_id`, `conversation_id` and `personal_chats`".into()
                },
            );
        }
        count == 1
    }

    /// The channel a `link` names; the ids it carries must not be given again.
    fn link_location(
        &self,
        link: &Spanned<String>,
        path: &str,
        problems: &mut Problems,
    ) -> Option<ChannelLocation> {
        for (name, present) in [
            ("tenant_id", self.tenant_id.as_ref()),
            ("team_id", self.team_id.as_ref()),
        ] {
            if let Some(value) = present {
                problems.push(
                    Some(value.span()),
                    format!("{path}.{name}"),
                    format!("`{name}` comes from the link; leave it out"),
                );
            }
        }
        match parse_channel_link(link.get_ref()) {
            Ok(location) => Some(location),
            Err(reason) => {
                problems.push(Some(link.span()), format!("{path}.link"), reason);
                None
            }
        }
    }

    /// The channel that `channel_id` (with the optional `team_id`) names.
    fn channel_location(
        &self,
        channel_id: &Spanned<String>,
        tenant_id: Option<String>,
        path: &str,
        problems: &mut Problems,
    ) -> Option<ChannelLocation> {
        let team_id = match &self.team_id {
            Some(team) => Some(checked_guid(team, path, "team", "groupId", problems)?),
            None => None,
        };
        let channel_id = match normalise_channel_id(channel_id.get_ref()) {
            Ok(channel_id) => channel_id,
            Err(reason) => {
                problems.push(
                    Some(channel_id.span()),
                    format!("{path}.channel_id"),
                    reason,
                );
                return None;
            }
        };
        Some(ChannelLocation::TeamsChannel {
            tenant_id: tenant_id?,
            team_id,
            channel_id,
        })
    }
}

/// The GUID in `<kind>_id`, lower-cased, or `None` after reporting that it is not one (a
/// channel link carries it after `<link_parameter>=`).
fn checked_guid(
    value: &Spanned<String>,
    path: &str,
    kind: &str,
    link_parameter: &str,
    problems: &mut Problems,
) -> Option<String> {
    let guid = normalise_guid(value.get_ref());
    if guid.is_none() {
        problems.push(
            Some(value.span()),
            format!("{path}.{kind}_id"),
            format!(
                "{:?} is not a {kind} id: the 36-character GUID after `{link_parameter}=` in a channel link",
                value.get_ref()
            ),
        );
    }
    guid
}

pub(super) fn unknown_name_message(kind: &str, name: &str, known: &[&str]) -> String {
    let suggestion = crate::models::suggest(name, known.iter().copied(), 1);
    let hint = suggestion
        .first()
        .map(|close| format!(" Did you mean `{close}`?"))
        .unwrap_or_default();
    let list = if known.is_empty() {
        "none are defined".to_owned()
    } else {
        format!("known: {}", quoted_list(known))
    };
    format!("unknown {kind} `{name}`.{hint} ({list})")
}

/// `aliases`: each name a valid alias name (kept in lower case, once) and each template one
/// command the bot can read, not on the never-allowed list (see [`crate::command::alias`]).
fn checked_aliases(
    raw: &IndexMap<String, Spanned<String>>,
    path: &str,
    problems: &mut Problems,
) -> IndexMap<String, String> {
    let mut aliases = IndexMap::new();
    if raw.len() > MAX_ALIASES_PER_CHANNEL {
        problems.push(
            raw.values().nth(MAX_ALIASES_PER_CHANNEL).map(Spanned::span),
            format!("{path}.aliases"),
            format!("a channel holds at most {MAX_ALIASES_PER_CHANNEL} aliases; remove some"),
        );
        return aliases;
    }
    for (name, template) in raw {
        let alias_path = format!("{path}.aliases.{name}");
        let name = match alias::check_alias_name(name) {
            Ok(name) => name,
            Err(error) => {
                problems.push(Some(template.span()), alias_path, error.to_string());
                continue;
            }
        };
        if aliases.contains_key(&name) {
            problems.push(
                Some(template.span()),
                alias_path,
                format!("alias `{name}` is defined twice (names are compared in lower case)"),
            );
            continue;
        }
        match alias::AliasTemplate::parse(template.get_ref(), Models::global()) {
            Ok(_) => {
                aliases.insert(name, template.get_ref().trim().to_owned());
            }
            Err(error) => problems.push(Some(template.span()), alias_path, error.to_string()),
        }
    }
    aliases
}
