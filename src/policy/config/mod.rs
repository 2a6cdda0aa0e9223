//! The `[access]` part of the config file: which Teams channels and chats may use which AWS
//! accounts, as which roles, under which guardrails, and where audit records go. Parsing and
//! validation only: this module reads text it is given (never a file, never the environment)
//! and returns either a typed [`AccessConfig`] or every problem found, each with its location.
//!
//! The format is documented in `docs/access.md`, with the commented example
//! `config/example.toml` (a test loads it). Unknown keys are errors everywhere in `[access]`.
//! Each channel, account and guardrail table is read on its own, so one mistake does not hide
//! the mistakes in other tables.

use indexmap::IndexMap;

pub use crate::audit::AuditDestination;

use super::approval::ApprovalRule;
use super::guardrail::Guardrail;

/// The tables allowed at the top of the config file. `[bot]` belongs to
/// [`crate::config::Config`]; `[access]` to this module.
pub const TOP_LEVEL_TABLES: &[&str] = &["bot", "access", "notifications"];

/// The keys `[bot]` may hold: the setting names of [`crate::config::names`].
const BOT_KEYS: &[&str] = crate::config::names::ALL;

/// How long an assumed role's session lasts unless the file says otherwise.
pub const DEFAULT_SESSION_SECONDS: u32 = 3600;

/// The validated `[access]` configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessConfig {
    /// `[access.accounts.<name>]`, in file order.
    pub accounts: IndexMap<String, Account>,
    /// `[access.channels.<key>]`, in file order. The key is what `exec --channel` takes.
    pub channels: IndexMap<String, Channel>,
    /// `access.default_region`: the region when neither `--region`, the channel's remembered
    /// region, the channel's nor the account's default gives one.
    pub default_region: Option<String>,
    pub audit: AuditSettings,
    pub assume_role: AssumeRoleSettings,
    /// `[notifications]`: the SNS topics accepted and the channels they post to.
    pub notifications: std::sync::Arc<NotificationsConfig>,
}

/// One AWS account a channel may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The name the file gives it (`production`), shown on cards.
    pub name: String,
    /// The 12-digit account id.
    pub id: String,
    pub default_region: Option<String>,
    /// The role channel members act as when they have no user role (unless a channel
    /// overrides it or requires user roles).
    pub channel_role: Option<String>,
    /// Entra object id (lower case) → the role ARN that user acts as.
    pub user_roles: IndexMap<String, String>,
}

/// Where a channel entry applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelLocation {
    /// A channel of a team: ids as they appear in a channel link (the channel id decoded,
    /// `19:…@thread.tacv2`; the team id is the link's `groupId`).
    TeamsChannel {
        tenant_id: String,
        team_id: Option<String>,
        channel_id: String,
    },
    /// One group or personal chat, by its conversation id.
    Chat {
        tenant_id: String,
        conversation_id: String,
    },
    /// Every personal (one-to-one) chat with the bot in the tenant.
    PersonalChats { tenant_id: String },
}

impl ChannelLocation {
    pub fn tenant_id(&self) -> &str {
        match self {
            ChannelLocation::TeamsChannel { tenant_id, .. }
            | ChannelLocation::Chat { tenant_id, .. }
            | ChannelLocation::PersonalChats { tenant_id } => tenant_id,
        }
    }
}

/// One channel or chat entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// The key of the entry (`[access.channels.ops]` → `ops`).
    pub key: String,
    pub location: ChannelLocation,
    /// Names of [`Account`]s, in the order the account choice card lists them.
    pub accounts: Vec<String>,
    /// Members must have a user role in the chosen account; the channel role is not used.
    pub require_user_roles: bool,
    /// Account name → the channel role for this channel, overriding the account's.
    pub channel_roles: IndexMap<String, String>,
    /// The channel's guardrail: the named policies it lists plus its inline statements, or
    /// the ReadOnly template when it configures none.
    pub guardrail: Guardrail,
    pub default_region: Option<String>,
    /// `approval`: the actions that need a second person here, and who may approve.
    pub approval: Option<ApprovalRule>,
    /// `long_running`: waiters run here with a live card, for up to 15 minutes (B5); every
    /// other command keeps the 15-second limit.
    pub long_running: bool,
    /// `[access.channels.<key>.aliases]`: alias name (lower case) → command template, in
    /// file order. Chat cannot change or delete them.
    pub aliases: IndexMap<String, String>,
}

/// `[access.audit]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSettings {
    pub destination: AuditDestination,
}

/// `[access.assume_role]`: how roles are assumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleSettings {
    /// Session duration asked of STS (900–43200 s; the role's maximum applies).
    pub duration_seconds: u32,
    /// Send the Entra object id as SourceIdentity (the role's trust policy must allow
    /// `sts:SetSourceIdentity`).
    pub source_identity: bool,
    /// Send tenant, team and channel as session tags (the trust policy must allow
    /// `sts:TagSession`).
    pub session_tags: bool,
}

impl Default for AssumeRoleSettings {
    fn default() -> Self {
        Self {
            duration_seconds: DEFAULT_SESSION_SECONDS,
            source_identity: true,
            session_tags: true,
        }
    }
}

impl Default for AccessConfig {
    /// No channel, no account: every chat request is refused.
    fn default() -> Self {
        Self {
            accounts: IndexMap::new(),
            channels: IndexMap::new(),
            default_region: None,
            audit: AuditSettings {
                destination: AuditDestination::Stdout,
            },
            assume_role: AssumeRoleSettings::default(),
            notifications: Default::default(),
        }
    }
}

impl AccessConfig {
    /// Parses and validates the `[access]` table of a whole config file's text (and checks
    /// that the top level and `[bot]` hold only known keys). A file without `[access]` gives
    /// the default: nothing is allowed from chat.
    pub fn from_toml_str(text: &str) -> Result<AccessConfig, ConfigProblems> {
        let mut problems = Problems::default();
        if let Err((offset, message)) = crate::config::toml_limits::check_nesting(text) {
            return Err(ConfigProblems {
                problems: vec![ConfigProblem {
                    span: Some(offset..offset + 1),
                    path: "(file)".into(),
                    message,
                }],
            });
        }
        let document: toml_edit::ImDocument<&str> = match toml_edit::ImDocument::parse(text) {
            Ok(document) => document,
            Err(error) => {
                return Err(ConfigProblems {
                    problems: vec![ConfigProblem {
                        span: error.span(),
                        path: "(file)".into(),
                        message: format!("not valid TOML: {}", error.message().trim()),
                    }],
                })
            }
        };
        let mut access = None;
        let mut notifications = None;
        for (key, item) in document.as_table().iter() {
            match key {
                "access" => access = Some(item),
                "notifications" => notifications = Some(item),
                "bot" => check_bot_table(item, &mut problems),
                other => problems.push(
                    key_span(document.as_table(), other).or_else(|| item.span()),
                    other,
                    format!(
                        "unknown table `{other}`; the config file has the tables {}",
                        quoted_list(TOP_LEVEL_TABLES)
                    ),
                ),
            }
        }
        let mut config = match access {
            None => Some(AccessConfig::default()),
            Some(item) => build(item, &mut problems),
        };
        if let (Some(config), Some(item)) = (config.as_mut(), notifications) {
            config.notifications =
                std::sync::Arc::new(notifications::build(item, &config.channels, &mut problems));
        }
        match config {
            Some(config) if problems.0.is_empty() => Ok(config),
            _ => Err(ConfigProblems {
                problems: problems.0,
            }),
        }
    }

    /// The channel entry a key names (`exec --channel ops`).
    pub fn channel(&self, key: &str) -> Option<&Channel> {
        self.channels.get(key)
    }

    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.get(name)
    }
}

fn check_bot_table(item: &toml_edit::Item, problems: &mut Problems) {
    let Some(table) = item.as_table_like() else {
        problems.push(item.span(), "bot", "`bot` must be a table ([bot])".into());
        return;
    };
    for (key, value) in table.iter() {
        if !BOT_KEYS.contains(&key) {
            let suggestion = crate::models::suggest(key, BOT_KEYS.iter().copied(), 1);
            let hint = match suggestion.first() {
                Some(close) => format!(" Did you mean `{close}`?"),
                None => String::new(),
            };
            problems.push(
                table
                    .key(key)
                    .and_then(|k| k.span())
                    .or_else(|| value.span()),
                format!("bot.{key}"),
                format!(
                    "unknown setting `{key}`.{hint} [bot] takes {}",
                    quoted_list(BOT_KEYS)
                ),
            );
        }
    }
}

mod access_table;
mod accounts;
mod approval;
mod channels;
pub mod check;
mod guardrails;
mod items;
mod notifications;
mod problems;
pub mod reload;
mod settings;
mod teams_link;

use access_table::build;
#[cfg(test)]
use problems::mask_secret_values;
use problems::{key_span, quoted_list, Problems};

pub use crate::common::is_region;
pub use channels::MAX_ALIASES_PER_CHANNEL;
pub use notifications::{CustomButton, LogGroupMapping, NotificationTopic, NotificationsConfig};
pub use notifications::{Placeholder, TemplateError, PLACEHOLDERS};
pub use problems::{line_column, ConfigProblem, ConfigProblems};
pub use teams_link::{normalise_channel_id, normalise_guid, parse_channel_link};

#[cfg(test)]
mod tests;
