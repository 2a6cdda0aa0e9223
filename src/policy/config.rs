//! The `[access]` part of the config file: which Teams channels and chats may use which AWS
//! accounts, as which roles, under which guardrails, and where audit records go. Parsing and
//! validation only: this module reads text it is given (never a file, never the environment)
//! and returns either a typed [`AccessConfig`] or every problem found, each with its location.
//!
//! The format is documented in `docs/access.md`, with the commented example
//! `config/example.toml` (a test loads it). Unknown keys are errors everywhere in `[access]`.
//! Each channel, account and guardrail table is read on its own, so one mistake does not hide
//! the mistakes in other tables.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use indexmap::IndexMap;
use serde::de::{DeserializeOwned, IntoDeserializer as _};
use serde::Deserialize;
use toml::Spanned;

pub use crate::audit::AuditDestination;

use super::guardrail::{self, ActionPattern, Effect, Guardrail, Policy, Statement};

/// The tables allowed at the top of the config file. `[bot]` belongs to
/// [`crate::config::Config`]; `[access]` to this module.
pub const TOP_LEVEL_TABLES: &[&str] = &["bot", "access"];

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
        }
    }
}

/// One mistake in the file: where, in which table, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Byte range in the file, when the mistake has a place.
    pub span: Option<Range<usize>>,
    /// The dotted path of the table or key (`access.channels.ops.accounts`).
    pub path: String,
    pub message: String,
}

/// Every problem found in a config file. `Display` gives one line per problem without the
/// file's text; [`ConfigProblems::explain`] adds line, column and the offending line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigProblems {
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}: {}", problem.path, problem.message)?;
        }
        Ok(())
    }
}

impl ConfigProblems {
    /// One block per problem: `file:line:col: path: message`, then the line itself with a
    /// caret under the place, the way compilers point at mistakes.
    pub fn explain(&self, file_name: &str, text: &str) -> String {
        let mut out = String::new();
        for problem in &self.problems {
            match &problem.span {
                Some(span) => {
                    let (line, column) = line_column(text, span.start);
                    let source_line = mask_secret_values(text.lines().nth(line - 1).unwrap_or(""));
                    let width = text[span.clone()]
                        .lines()
                        .next()
                        .map(|first| first.chars().count())
                        .unwrap_or(1)
                        .max(1);
                    out.push_str(&format!(
                        "{file_name}:{line}:{column}: {}: {}\n  {line:>4} | {source_line}\n       | {}{}\n",
                        problem.path,
                        problem.message,
                        " ".repeat(column - 1),
                        "^".repeat(width)
                    ));
                }
                None => out.push_str(&format!(
                    "{file_name}: {}: {}\n",
                    problem.path, problem.message
                )),
            }
        }
        out
    }
}

/// `line` with the value of every key that names a secret (`MicrosoftAppPassword`, anything
/// with password, secret, token or credential in its name) replaced by as many `*`, so that a
/// quoted line never shows a secret and the caret under it still points at the same column.
fn mask_secret_values(line: &str) -> String {
    static SECRET_VALUE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?i)((?:[A-Za-z0-9_-]*(?:password|secret|token|credential)[A-Za-z0-9_-]*|"[^"]*(?:password|secret|token|credential)[^"]*")\s*=\s*)("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,}]+)"#,
        )
        .expect("the secret pattern compiles")
    });
    SECRET_VALUE
        .replace_all(line, |captures: &regex::Captures<'_>| {
            let value = &captures[2];
            let stars = "*".repeat(value.chars().count());
            format!("{}{stars}", &captures[1])
        })
        .into_owned()
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
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
        for (key, item) in document.as_table().iter() {
            match key {
                "access" => access = Some(item),
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
        let config = match access {
            None => Some(AccessConfig::default()),
            Some(item) => build(item, &mut problems),
        };
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

#[derive(Default)]
struct Problems(Vec<ConfigProblem>);

impl Problems {
    fn push(&mut self, span: Option<Range<usize>>, path: impl Into<String>, message: String) {
        self.0.push(ConfigProblem {
            span,
            path: path.into(),
            message,
        });
    }
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_span(table: &toml_edit::Table, key: &str) -> Option<Range<usize>> {
    table.key(key).and_then(|key| key.span())
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

/// Deserializes one table or value on its own, recording its first structural mistake.
fn read<T: DeserializeOwned>(
    item: &toml_edit::Item,
    path: &str,
    problems: &mut Problems,
) -> Option<T> {
    let value = match item.clone().into_value() {
        Ok(value) => value,
        Err(_) => {
            problems.push(item.span(), path, "expected a value or a table".into());
            return None;
        }
    };
    match T::deserialize(value.into_deserializer()) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            problems.push(
                error.span().or_else(|| item.span()),
                path,
                explain_serde_message(error.message()),
            );
            None
        }
    }
}

/// serde's messages name Rust types now and then; say it in TOML terms.
fn explain_serde_message(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!("unknown key {rest}");
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        return format!("missing key {rest}");
    }
    message
        .replace("a sequence", "a list")
        .replace("a map", "a table")
}

const ACCESS_KEYS: &[&str] = &[
    "default_region",
    "audit",
    "assume_role",
    "accounts",
    "channels",
    "guardrails",
];

fn build(item: &toml_edit::Item, problems: &mut Problems) -> Option<AccessConfig> {
    let Some(access) = item.as_table_like() else {
        problems.push(
            item.span(),
            "access",
            "`access` must be a table ([access])".into(),
        );
        return None;
    };
    let key_span_of = |key: &str| access.get_key_value(key).and_then(|(k, _)| k.span());
    let mut config = AccessConfig::default();
    let mut accounts_item = None;
    let mut channels_item = None;
    let mut guardrails_item = None;
    for (key, value) in access.iter() {
        match key {
            "default_region" => {
                if let Some(region) =
                    read::<Spanned<String>>(value, "access.default_region", problems)
                {
                    config.default_region =
                        check_region(&region, "access.default_region", problems);
                }
            }
            "audit" => {
                if let Some(raw) = read::<RawAudit>(value, "access.audit", problems) {
                    if let Some(audit) = raw.validate(value.span(), problems) {
                        config.audit = audit;
                    }
                }
            }
            "assume_role" => {
                if let Some(raw) = read::<RawAssumeRole>(value, "access.assume_role", problems) {
                    if let Some(settings) = raw.validate(problems) {
                        config.assume_role = settings;
                    }
                }
            }
            "accounts" => accounts_item = Some(value),
            "channels" => channels_item = Some(value),
            "guardrails" => guardrails_item = Some(value),
            other => problems.push(
                key_span_of(other).or_else(|| value.span()),
                format!("access.{other}"),
                format!(
                    "unknown key `{other}` in [access]; it takes {}",
                    quoted_list(ACCESS_KEYS)
                ),
            ),
        }
    }

    // Named guardrails first: channels refer to them.
    let mut named_policies: IndexMap<String, Policy> = IndexMap::new();
    let mut broken_names: Vec<String> = Vec::new();
    for (name, value, span) in entries(guardrails_item, "access.guardrails", problems) {
        let path = format!("access.guardrails.{name}");
        if guardrail::template(&name).is_some() {
            problems.push(
                span.clone(),
                &path,
                format!(
                    "`{name}` is the name of a built-in template; give your policy another name"
                ),
            );
            broken_names.push(name);
            continue;
        }
        match read::<RawPolicy>(value, &path, problems)
            .and_then(|raw| raw.validate(&name, &path, value, problems))
        {
            Some(policy) => {
                named_policies.insert(name, policy);
            }
            None => broken_names.push(name),
        }
    }

    let mut broken_accounts: Vec<String> = Vec::new();
    let mut account_ids: IndexMap<String, String> = IndexMap::new();
    for (name, value, span) in entries(accounts_item, "access.accounts", problems) {
        let path = format!("access.accounts.{name}");
        match read::<RawAccount>(value, &path, problems)
            .and_then(|raw| raw.validate(&name, &path, problems))
        {
            Some(account) => {
                if let Some(other) = account_ids.get(&account.id) {
                    problems.push(
                        span,
                        &path,
                        format!(
                            "account id {} is already configured as `{other}`; give each account one entry",
                            account.id
                        ),
                    );
                } else {
                    account_ids.insert(account.id.clone(), name.clone());
                }
                config.accounts.insert(name, account);
            }
            None => broken_accounts.push(name),
        }
    }

    let mut locations: Vec<(ChannelLocation, String)> = Vec::new();
    for (key, value, span) in entries(channels_item, "access.channels", problems) {
        let path = format!("access.channels.{key}");
        let context = ChannelContext {
            accounts: &config.accounts,
            broken_accounts: &broken_accounts,
            named_policies: &named_policies,
            broken_policies: &broken_names,
            statement_spans: statement_spans(value, "guardrail_statement"),
        };
        let Some(channel) = read::<RawChannel>(value, &path, problems)
            .and_then(|raw| raw.validate(&key, &path, value.span(), &context, problems))
        else {
            continue;
        };
        if let Some((_, other)) = locations
            .iter()
            .find(|(location, _)| *location == channel.location)
        {
            problems.push(
                span,
                &path,
                format!("this conversation is already configured as `{other}`; each conversation has one entry"),
            );
            continue;
        }
        locations.push((channel.location.clone(), key.clone()));
        config.channels.insert(key, channel);
    }
    Some(config)
}

/// The `(name, item, key span)` entries of a table of tables such as `[access.accounts]`.
fn entries<'a>(
    item: Option<&'a toml_edit::Item>,
    path: &str,
    problems: &mut Problems,
) -> Vec<(String, &'a toml_edit::Item, Option<Range<usize>>)> {
    let Some(item) = item else {
        return Vec::new();
    };
    let Some(table) = item.as_table_like() else {
        problems.push(
            item.span(),
            path,
            format!("`{path}` must be a table of named entries ([{path}.<name>])"),
        );
        return Vec::new();
    };
    table
        .iter()
        .map(|(name, value)| {
            let span = table
                .get_key_value(name)
                .and_then(|(key, _)| key.span())
                .or_else(|| value.span());
            (name.to_owned(), value, span)
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudit {
    destination: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
}

impl RawAudit {
    fn validate(
        self,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<AuditSettings> {
        let destination_span = self.destination.as_ref().map(|d| d.span());
        let destination = self.destination.map(|d| d.into_inner()).unwrap_or_else(|| {
            if self.path.is_some() {
                "file"
            } else {
                "stdout"
            }
            .to_owned()
        });
        match destination.as_str() {
            "stdout" => {
                if let Some(path) = &self.path {
                    problems.push(
                        Some(path.span()),
                        "access.audit.path",
                        "`path` is only used with destination = \"file\"".into(),
                    );
                    return None;
                }
                Some(AuditSettings {
                    destination: AuditDestination::Stdout,
                })
            }
            "file" => match self.path {
                Some(path) if !path.get_ref().trim().is_empty() => Some(AuditSettings {
                    destination: AuditDestination::File(PathBuf::from(path.into_inner())),
                }),
                Some(path) => {
                    problems.push(
                        Some(path.span()),
                        "access.audit.path",
                        "the audit file path is empty".into(),
                    );
                    None
                }
                None => {
                    problems.push(
                        destination_span.or(table_span),
                        "access.audit",
                        "destination = \"file\" needs `path = \"/var/log/aws-chatops/audit.jsonl\"` (any writable path)".into(),
                    );
                    None
                }
            },
            other => {
                problems.push(
                    destination_span,
                    "access.audit.destination",
                    format!("unknown audit destination {other:?}; use \"stdout\" or \"file\""),
                );
                None
            }
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssumeRole {
    duration_seconds: Option<Spanned<i64>>,
    source_identity: Option<bool>,
    session_tags: Option<bool>,
}

impl RawAssumeRole {
    fn validate(self, problems: &mut Problems) -> Option<AssumeRoleSettings> {
        let defaults = AssumeRoleSettings::default();
        let duration_seconds = match self.duration_seconds {
            None => defaults.duration_seconds,
            Some(seconds) if (900..=43_200).contains(seconds.get_ref()) => {
                *seconds.get_ref() as u32
            }
            Some(seconds) => {
                problems.push(
                    Some(seconds.span()),
                    "access.assume_role.duration_seconds",
                    format!(
                        "{} is outside what STS accepts: 900 to 43200 seconds",
                        seconds.get_ref()
                    ),
                );
                return None;
            }
        };
        Some(AssumeRoleSettings {
            duration_seconds,
            source_identity: self.source_identity.unwrap_or(defaults.source_identity),
            session_tags: self.session_tags.unwrap_or(defaults.session_tags),
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    id: Spanned<String>,
    default_region: Option<Spanned<String>>,
    channel_role: Option<Spanned<String>>,
    #[serde(default)]
    user_roles: IndexMap<String, Spanned<String>>,
    #[allow(dead_code)]
    description: Option<String>,
}

impl RawAccount {
    fn validate(self, name: &str, path: &str, problems: &mut Problems) -> Option<Account> {
        let before = problems.0.len();
        let id = self.id.get_ref().trim().to_owned();
        if !is_account_id(&id) {
            problems.push(
                Some(self.id.span()),
                format!("{path}.id"),
                format!("{id:?} is not an AWS account id: it has exactly 12 digits (quote it, so leading zeros stay)"),
            );
        }
        let default_region = self
            .default_region
            .and_then(|region| check_region(&region, &format!("{path}.default_region"), problems));
        let channel_role = self
            .channel_role
            .and_then(|arn| check_role_arn(&arn, &id, &format!("{path}.channel_role"), problems));
        let mut user_roles = IndexMap::new();
        for (object_id, arn) in self.user_roles {
            let key_path = format!("{path}.user_roles");
            let normalised = object_id.trim().to_ascii_lowercase();
            if uuid::Uuid::parse_str(&normalised).is_err() {
                problems.push(
                    Some(arn.span()),
                    &key_path,
                    format!("{object_id:?} is not an Entra object id (a GUID such as 3f2b8c1e-0000-0000-0000-000000000000); the bot's refusal message shows each user's object id"),
                );
                continue;
            }
            if let Some(arn) = check_role_arn(&arn, &id, &key_path, problems) {
                user_roles.insert(normalised, arn);
            }
        }
        (problems.0.len() == before).then(|| Account {
            name: name.to_owned(),
            id,
            default_region,
            channel_role,
            user_roles,
        })
    }
}

fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn check_region(region: &Spanned<String>, path: &str, problems: &mut Problems) -> Option<String> {
    let value = region.get_ref().trim();
    if is_region(value) {
        Some(value.to_owned())
    } else {
        problems.push(
            Some(region.span()),
            path,
            format!("{value:?} is not an AWS region name such as \"us-east-1\" or \"eu-west-2\""),
        );
        None
    }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-4`.
pub fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1]
            .parse::<u8>()
            .is_ok_and(|n| (1..=20).contains(&n))
}

/// Checks `arn:<partition>:iam::<account>:role/<path/>name` and that it lives in the account.
fn check_role_arn(
    arn: &Spanned<String>,
    account_id: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<String> {
    let value = arn.get_ref().trim();
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && is_account_id(parts[4])
        && parts[5]
            .strip_prefix("role/")
            .and_then(|rest| rest.rsplit('/').next())
            .is_some_and(|name| {
                !name.is_empty()
                    && name.len() <= 64
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
            });
    if !well_formed {
        problems.push(
            Some(arn.span()),
            path,
            format!("{value:?} is not an IAM role ARN such as \"arn:aws:iam::123456789012:role/chatops-readonly\""),
        );
        return None;
    }
    if is_account_id(account_id) && parts[4] != account_id {
        problems.push(
            Some(arn.span()),
            path,
            format!(
                "the role is in account {} but this account's id is {account_id}; a role is used in its own account",
                parts[4]
            ),
        );
        return None;
    }
    Some(value.to_owned())
}

/// A string or a list of strings (IAM's `Action` takes both).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    #[serde(alias = "Sid")]
    #[allow(dead_code)]
    sid: Option<String>,
    #[serde(alias = "Effect")]
    effect: Spanned<String>,
    #[serde(alias = "Action")]
    action: Option<Spanned<OneOrMany>>,
    #[serde(alias = "NotAction")]
    not_action: Option<Spanned<OneOrMany>>,
    #[serde(alias = "Resource")]
    resource: Option<Spanned<OneOrMany>>,
}

impl RawStatement {
    fn validate(
        self,
        path: &str,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<Statement> {
        let before = problems.0.len();
        let effect = match self.effect.get_ref().as_str() {
            "Allow" | "allow" => Some(Effect::Allow),
            "Deny" | "deny" => Some(Effect::Deny),
            other => {
                problems.push(
                    Some(self.effect.span()),
                    format!("{path}.effect"),
                    format!("effect {other:?} is neither \"Allow\" nor \"Deny\""),
                );
                None
            }
        };
        if let Some(resource) = self.resource {
            let span = resource.span();
            let resources = resource.into_inner().into_vec();
            if resources.iter().any(|r| r != "*") {
                problems.push(
                    Some(span),
                    format!("{path}.resource"),
                    "guardrails cap actions, not resources: `resource` can only be \"*\" (scope resources in the role's own IAM policy)".into(),
                );
            }
        }
        let (negated, actions) = match (self.action, self.not_action) {
            (Some(action), None) => (false, action),
            (None, Some(not_action)) => (true, not_action),
            (Some(_), Some(not_action)) => {
                problems.push(
                    Some(not_action.span()),
                    path,
                    "a statement has either `action` or `not_action`, not both".into(),
                );
                return None;
            }
            (None, None) => {
                problems.push(
                    table_span,
                    path,
                    "a statement needs `action = [...]` or `not_action = [...]`".into(),
                );
                return None;
            }
        };
        let span = actions.span();
        let names = actions.into_inner().into_vec();
        if names.is_empty() {
            problems.push(
                Some(span.clone()),
                path,
                "the action list is empty; name at least one action such as \"cloudwatch:Describe*\"".into(),
            );
        }
        let mut patterns = Vec::new();
        for name in names {
            match ActionPattern::parse(&name) {
                Ok(pattern) => patterns.push(pattern),
                Err(reason) => problems.push(
                    Some(span.clone()),
                    format!("{path}.{}", if negated { "not_action" } else { "action" }),
                    format!("{name:?}: {reason}"),
                ),
            }
        }
        if problems.0.len() != before {
            return None;
        }
        let effect = effect?;
        Some(if negated {
            Statement::not_action(effect, patterns)
        } else {
            Statement::action(effect, patterns)
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(alias = "Statement")]
    statement: Vec<RawStatement>,
}

/// The spans of the `[[…<key>]]` tables under a table item, for "needs an action" messages
/// (serde does not see the spans of tables in an array of tables).
fn statement_spans(item: &toml_edit::Item, key: &str) -> Vec<Option<Range<usize>>> {
    let Some(table) = item.as_table_like() else {
        return Vec::new();
    };
    let Some((_, statements)) = table.get_key_value(key) else {
        return Vec::new();
    };
    match statements {
        toml_edit::Item::ArrayOfTables(tables) => tables.iter().map(|t| t.span()).collect(),
        toml_edit::Item::Value(toml_edit::Value::Array(values)) => {
            values.iter().map(|v| v.span()).collect()
        }
        _ => Vec::new(),
    }
}

impl RawPolicy {
    fn validate(
        self,
        name: &str,
        path: &str,
        item: &toml_edit::Item,
        problems: &mut Problems,
    ) -> Option<Policy> {
        if self.statement.is_empty() {
            problems.push(
                item.span(),
                path,
                "a guardrail policy needs at least one [[…statement]]".into(),
            );
            return None;
        }
        let spans = statement_spans(item, "statement");
        let statements = validate_statements(
            self.statement,
            &spans,
            item.span(),
            &format!("{path}.statement"),
            problems,
        )?;
        Some(Policy::new(name, statements))
    }
}

fn validate_statements(
    raw: Vec<RawStatement>,
    spans: &[Option<Range<usize>>],
    fallback_span: Option<Range<usize>>,
    path: &str,
    problems: &mut Problems,
) -> Option<Vec<Statement>> {
    let before = problems.0.len();
    let statements: Vec<Statement> = raw
        .into_iter()
        .enumerate()
        .filter_map(|(index, statement)| {
            let span = spans
                .get(index)
                .cloned()
                .flatten()
                .or_else(|| fallback_span.clone());
            statement.validate(&format!("{path}[{index}]"), span, problems)
        })
        .collect();
    (problems.0.len() == before).then_some(statements)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
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
}

struct ChannelContext<'a> {
    accounts: &'a IndexMap<String, Account>,
    broken_accounts: &'a [String],
    named_policies: &'a IndexMap<String, Policy>,
    broken_policies: &'a [String],
    statement_spans: Vec<Option<Range<usize>>>,
}

impl RawChannel {
    fn validate(
        self,
        key: &str,
        path: &str,
        table_span: Option<Range<usize>>,
        context: &ChannelContext<'_>,
        problems: &mut Problems,
    ) -> Option<Channel> {
        let before = problems.0.len();
        let location = self.location(path, table_span.clone(), problems);

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

        // Somebody must be able to act in every account the channel lists.
        if problems.0.len() == before {
            for account_name in &accounts {
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
                } else if !self.require_user_roles
                    && !has_channel_role
                    && account.user_roles.is_empty()
                {
                    problems.push(
                        span,
                        format!("{path}.accounts"),
                        format!("account `{account_name}` has no channel role (set `channel_role` on the account or `channel_roles.{account_name}` here) and no user roles; nobody could run anything there"),
                    );
                }
            }
        }

        let mut policies = Vec::new();
        if let Some(names) = &self.guardrails {
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
        }
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
            .and_then(|region| check_region(&region, &format!("{path}.default_region"), problems));

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
        })
    }

    /// Where the entry applies: a channel link, explicit channel ids, a chat's conversation
    /// id, or every personal chat of a tenant. Exactly one of these forms.
    fn location(
        &self,
        path: &str,
        table_span: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<ChannelLocation> {
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
            return None;
        }
        if let Some(link) = &self.link {
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
            return match parse_channel_link(link.get_ref()) {
                Ok(location) => Some(location),
                Err(reason) => {
                    problems.push(Some(link.span()), format!("{path}.link"), reason);
                    None
                }
            };
        }
        let tenant_id = match &self.tenant_id {
            Some(tenant) => match normalise_guid(tenant.get_ref()) {
                Some(tenant) => Some(tenant),
                None => {
                    problems.push(
                        Some(tenant.span()),
                        format!("{path}.tenant_id"),
                        format!("{:?} is not a tenant id: the 36-character GUID after `tenantId=` in a channel link", tenant.get_ref()),
                    );
                    None
                }
            },
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
            let team_id = match &self.team_id {
                Some(team) => match normalise_guid(team.get_ref()) {
                    Some(team) => Some(team),
                    None => {
                        problems.push(
                            Some(team.span()),
                            format!("{path}.team_id"),
                            format!("{:?} is not a team id: the 36-character GUID after `groupId=` in a channel link", team.get_ref()),
                        );
                        return None;
                    }
                },
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
            return Some(ChannelLocation::TeamsChannel {
                tenant_id: tenant_id?,
                team_id,
                channel_id,
            });
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
}

fn unknown_name_message(kind: &str, name: &str, known: &[&str]) -> String {
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

/// A GUID, lower-cased; `None` when the text is not one.
pub fn normalise_guid(text: &str) -> Option<String> {
    let text = text.trim();
    uuid::Uuid::parse_str(text)
        .ok()
        .filter(|_| text.len() == 36)
        .map(|_| text.to_ascii_lowercase())
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A Teams channel id, decoded (`19:…@thread.tacv2`): accepts the URL-encoded form of a
/// channel link (`19%3A…%40thread.tacv2`) as well.
pub fn normalise_channel_id(text: &str) -> Result<String, String> {
    let decoded = percent_decode(text.trim());
    let valid = decoded.starts_with("19:")
        && decoded.contains("@thread.")
        && !decoded
            .chars()
            .any(|c| c.is_whitespace() || c == '/' || c == '?');
    if valid {
        Ok(decoded)
    } else {
        Err(format!(
            "{text:?} is not a Teams channel id; it looks like \"19:…@thread.tacv2\" (or URL-encoded \"19%3A…%40thread.tacv2\", as in a channel link)"
        ))
    }
}

/// Reads a channel link copied from Teams ("Get link to channel"):
/// `https://teams.microsoft.com/l/channel/19%3A…%40thread.tacv2/General?groupId=<team>&tenantId=<tenant>`.
pub fn parse_channel_link(link: &str) -> Result<ChannelLocation, String> {
    let shape = "a channel link looks like https://teams.microsoft.com/l/channel/19%3A…%40thread.tacv2/General?groupId=…&tenantId=… (Teams: … next to the channel → Get link to channel)";
    let url = url::Url::parse(link.trim()).map_err(|_| format!("not a URL; {shape}"))?;
    if url.scheme() != "https" {
        return Err(format!("not an https link; {shape}"));
    }
    let mut segments = url
        .path_segments()
        .ok_or_else(|| format!("no path; {shape}"))?;
    if segments.next() != Some("l") || segments.next() != Some("channel") {
        return Err(format!("not a channel link (no /l/channel/); {shape}"));
    }
    let encoded_channel = segments
        .next()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("the channel id is missing; {shape}"))?;
    let channel_id = normalise_channel_id(encoded_channel)?;
    let query = |name: &str| {
        url.query_pairs()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.into_owned())
    };
    let tenant_id = query("tenantId")
        .ok_or_else(|| format!("the link has no tenantId=…; copy it again from Teams. {shape}"))?;
    let tenant_id = normalise_guid(&tenant_id)
        .ok_or_else(|| format!("tenantId={tenant_id:?} is not a GUID"))?;
    let team_id = match query("groupId") {
        Some(team) => {
            Some(normalise_guid(&team).ok_or_else(|| format!("groupId={team:?} is not a GUID"))?)
        }
        None => None,
    };
    Ok(ChannelLocation::TeamsChannel {
        tenant_id,
        team_id,
        channel_id,
    })
}

#[cfg(test)]
mod tests;
