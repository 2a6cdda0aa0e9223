//! Who is asking, from where, in which account, as which role: finds the channel entry for a
//! requester, chooses the account and resolves the channel role or the user's own role.
//! Pure: looks only at the [`AccessConfig`] and the facts it is given (the remembered
//! account comes in as an argument). Every refusal names its layer and carries the ids an
//! administrator needs to fix it.

use super::config::{AccessConfig, Account, Channel, ChannelLocation};
use super::{Denial, DenialLayer, Requester};

/// Why a requester cannot act here. One variant per reason; [`AccessRefusal::layer`] names
/// the layer for "why was I denied?".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessRefusal {
    /// No `[access.channels.*]` entry matches the conversation. Carries the ids to add (as
    /// the requester with its ids as configured; boxed, as refusals travel in every `Err`).
    #[error("{}", unknown_conversation_message(.ids))]
    UnknownConversation { ids: Box<Requester> },
    /// The activity carries no Entra object id, so no role can be chosen.
    #[error("Teams did not say who sent this message (no Entra object id on the activity), so no role can be chosen for it. Personal Microsoft accounts and guests without an Entra identity cannot run commands.")]
    UnknownUser,
    /// The channel requires user roles and the user has none in the account.
    #[error("This channel requires user roles, and you have none in account {account} ({account_id}). Ask an administrator to map your Entra object id {user_object_id} to a role under [access.accounts.{account}.user_roles].")]
    NoUserRole {
        account: String,
        account_id: String,
        user_object_id: String,
    },
    /// No user role for the user and no channel role for the channel in the account.
    #[error("There is no role for you in account {account} ({account_id}) from this channel: the channel `{channel}` has no channel role there and your Entra object id {user_object_id} is not mapped to a user role. Ask an administrator to set `channel_role` for the account (or `channel_roles.{account}` on the channel), or to map your object id under [access.accounts.{account}.user_roles].")]
    NoRole {
        channel: String,
        account: String,
        account_id: String,
        user_object_id: String,
    },
    /// An account name given (a remembered or chosen one) is not one this channel may use.
    #[error("Account `{account}` is not one this channel may use; it may use {}.", .allowed.join(", "))]
    AccountNotAllowed {
        account: String,
        allowed: Vec<String>,
    },
}

impl AccessRefusal {
    pub fn layer(&self) -> DenialLayer {
        match self {
            AccessRefusal::UnknownConversation { .. } => DenialLayer::Channel,
            AccessRefusal::UnknownUser
            | AccessRefusal::NoUserRole { .. }
            | AccessRefusal::NoRole { .. } => DenialLayer::Role,
            AccessRefusal::AccountNotAllowed { .. } => DenialLayer::Account,
        }
    }

    pub fn into_denial(self) -> Denial {
        Denial {
            layer: self.layer(),
            message: self.to_string(),
        }
    }
}

fn unknown_conversation_message(ids: &Requester) -> String {
    let tenant = ids.tenant_id.as_deref().unwrap_or("(unknown)");
    let mut lines = String::from("This conversation is not set up for AWS commands. An administrator can add it to the config file as an [access.channels.<name>] entry with");
    match (&ids.channel_id, ids.conversation_type.as_deref()) {
        (Some(channel_id), _) => {
            lines.push_str(&format!(" tenant_id = \"{tenant}\""));
            if let Some(team) = &ids.team_id {
                lines.push_str(&format!(", team_id = \"{team}\""));
            }
            lines.push_str(&format!(
                ", channel_id = \"{channel_id}\" (or paste the channel's link as `link`)."
            ));
        }
        (None, Some("personal")) => lines.push_str(&format!(
            " tenant_id = \"{tenant}\" and conversation_id = \"{}\" (this chat), or personal_chats = true (every personal chat in the tenant).",
            ids.conversation_id
        )),
        _ => lines.push_str(&format!(
            " tenant_id = \"{tenant}\" and conversation_id = \"{}\".",
            ids.conversation_id
        )),
    }
    lines
}

/// The channel id of a requester in a team channel: the activity's `channelData.channel.id`,
/// or the conversation id without its `;messageid=…` suffix.
fn requester_channel_id(requester: &Requester) -> Option<String> {
    if let Some(channel) = &requester.channel_id {
        return Some(channel.clone());
    }
    (requester.conversation_type.as_deref() == Some("channel"))
        .then(|| base_conversation_id(&requester.conversation_id).to_owned())
}

/// A conversation id without the `;messageid=…` suffix Teams adds for replies in threads.
fn base_conversation_id(conversation_id: &str) -> &str {
    conversation_id
        .split_once(';')
        .map_or(conversation_id, |(base, _)| base)
}

/// The requester with its conversation's ids as an administrator would write them in the
/// config file (the channel id of a thread, the conversation id without the thread suffix),
/// for refusals and audit records.
pub fn as_configured(requester: &Requester) -> Requester {
    Requester {
        channel_id: requester_channel_id(requester),
        conversation_id: base_conversation_id(&requester.conversation_id).to_owned(),
        ..requester.clone()
    }
}

/// The channel entry that applies to the requester's conversation. A channel entry matches
/// on tenant and channel id; its team id (the link's `groupId`) is compared when the
/// requester's team id is in the same GUID form. Chats match on conversation id, personal
/// chats also on a tenant's `personal_chats = true`.
pub fn find_channel<'a>(
    config: &'a AccessConfig,
    requester: &Requester,
) -> Result<&'a Channel, AccessRefusal> {
    let unknown = || AccessRefusal::UnknownConversation {
        ids: Box::new(as_configured(requester)),
    };
    let tenant = requester
        .tenant_id
        .as_deref()
        .map(|t| t.trim().to_ascii_lowercase())
        .ok_or_else(unknown)?;
    let channel_id = requester_channel_id(requester);
    let conversation_id = base_conversation_id(&requester.conversation_id);
    let requester_team = requester
        .team_id
        .as_deref()
        .and_then(super::config::normalise_guid);
    let personal = requester.conversation_type.as_deref() == Some("personal");

    let exact = config
        .channels
        .values()
        .find(|channel| match &channel.location {
            ChannelLocation::TeamsChannel {
                tenant_id,
                team_id,
                channel_id: configured,
            } => {
                *tenant_id == tenant
                    && channel_id.as_deref() == Some(configured.as_str())
                    && match (team_id, &requester_team) {
                        (Some(configured_team), Some(team)) => configured_team == team,
                        _ => true,
                    }
            }
            ChannelLocation::Chat {
                tenant_id,
                conversation_id: configured,
            } => *tenant_id == tenant && channel_id.is_none() && configured == conversation_id,
            ChannelLocation::PersonalChats { .. } => false,
        });
    if let Some(channel) = exact {
        return Ok(channel);
    }
    if personal {
        if let Some(channel) = config.channels.values().find(|channel| {
            matches!(&channel.location, ChannelLocation::PersonalChats { tenant_id } if *tenant_id == tenant)
        }) {
            return Ok(channel);
        }
    }
    Err(unknown())
}

/// The account to use, or the accounts to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSelection<'a> {
    Chosen(&'a Account),
    /// Several accounts and no (valid) remembered choice: ask, listing them in file order.
    Ask(Vec<&'a Account>),
}

/// A channel with one account uses it; otherwise the remembered choice if it is still one of
/// the channel's accounts; otherwise ask.
pub fn select_account<'a>(
    config: &'a AccessConfig,
    channel: &Channel,
    remembered: Option<&str>,
) -> AccountSelection<'a> {
    let accounts: Vec<&Account> = channel
        .accounts
        .iter()
        .filter_map(|name| config.accounts.get(name))
        .collect();
    if accounts.len() == 1 {
        return AccountSelection::Chosen(accounts[0]);
    }
    if let Some(name) = remembered {
        if let Some(account) = accounts.iter().find(|a| a.name == name || a.id == name) {
            return AccountSelection::Chosen(account);
        }
    }
    AccountSelection::Ask(accounts)
}

/// Checks a user's explicit choice (`set default-account production`, or a card click):
/// by account name or id.
pub fn choose_account<'a>(
    config: &'a AccessConfig,
    channel: &Channel,
    choice: &str,
) -> Result<&'a Account, AccessRefusal> {
    let choice = choice.trim();
    channel
        .accounts
        .iter()
        .filter_map(|name| config.accounts.get(name))
        .find(|account| account.name.eq_ignore_ascii_case(choice) || account.id == choice)
        .ok_or_else(|| AccessRefusal::AccountNotAllowed {
            account: choice.to_owned(),
            allowed: channel.accounts.clone(),
        })
}

/// Which kind of role a requester acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleKind {
    Channel,
    User,
}

/// The role a requester acts as in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRole {
    pub arn: String,
    pub kind: RoleKind,
}

/// A user's own role wins when they have one (as in AWS Chatbot, members of a channel with a
/// channel role may still use their user role); otherwise the channel role, unless the
/// channel requires user roles.
pub fn resolve_role(
    channel: &Channel,
    account: &Account,
    user_object_id: Option<&str>,
) -> Result<ResolvedRole, AccessRefusal> {
    let user = user_object_id
        .map(|id| id.trim().to_ascii_lowercase())
        .filter(|id| !id.is_empty())
        .ok_or(AccessRefusal::UnknownUser)?;
    if let Some(arn) = account.user_roles.get(&user) {
        return Ok(ResolvedRole {
            arn: arn.clone(),
            kind: RoleKind::User,
        });
    }
    if channel.require_user_roles {
        return Err(AccessRefusal::NoUserRole {
            account: account.name.clone(),
            account_id: account.id.clone(),
            user_object_id: user,
        });
    }
    let channel_role = channel
        .channel_roles
        .get(&account.name)
        .or(account.channel_role.as_ref());
    match channel_role {
        Some(arn) => Ok(ResolvedRole {
            arn: arn.clone(),
            kind: RoleKind::Channel,
        }),
        None => Err(AccessRefusal::NoRole {
            channel: channel.key.clone(),
            account: account.name.clone(),
            account_id: account.id.clone(),
            user_object_id: user,
        }),
    }
}

#[cfg(test)]
mod tests;
