//! The `[access]` table as a whole: its keys, then the named guardrails, the accounts and
//! the channels (which refer to both), each entry read on its own.

use indexmap::IndexMap;
use serde_spanned::Spanned;

use super::accounts::{check_region, RawAccount};
use super::channels::{ChannelContext, RawChannel};
use super::guardrails::{statement_spans, RawPolicy};
use super::items::{entries, read};
use super::problems::{quoted_list, Problems};
use super::settings::{RawAssumeRole, RawAudit};
use super::{AccessConfig, Account, ChannelLocation};
use crate::policy::guardrail::{self, Policy};

pub(super) const ACCESS_KEYS: &[&str] = &[
    "default_region",
    "audit",
    "assume_role",
    "accounts",
    "channels",
    "guardrails",
];

/// Reads `[access]` in dependency order: its own settings, then the named guardrails and the
/// accounts, then the channels that name both. The names of broken guardrails and accounts
/// travel on, so that a channel naming one is not reported a second time.
pub(super) fn build(item: &toml_edit::Item, problems: &mut Problems) -> Option<AccessConfig> {
    let Some(access) = item.as_table_like() else {
        problems.push(
            item.span(),
            "access",
            "`access` must be a table ([access])".into(),
        );
        return None;
    };
    let mut config = AccessConfig::default();
    let tables = read_settings(access, &mut config, problems);
    // Named guardrails first: channels refer to them.
    let guardrails = read_guardrails(tables.guardrails, problems);
    let broken_accounts = read_accounts(tables.accounts, &mut config.accounts, problems);
    read_channels(
        tables.channels,
        &guardrails,
        &broken_accounts,
        &mut config,
        problems,
    );
    Some(config)
}

/// The tables of entries in `[access]`, kept for reading after its plain settings.
#[derive(Default)]
struct EntryTables<'a> {
    accounts: Option<&'a toml_edit::Item>,
    channels: Option<&'a toml_edit::Item>,
    guardrails: Option<&'a toml_edit::Item>,
}

/// Reads the plain settings of `[access]` into `config` and reports unknown keys; returns the
/// tables of entries, which depend on each other.
fn read_settings<'a>(
    access: &'a dyn toml_edit::TableLike,
    config: &mut AccessConfig,
    problems: &mut Problems,
) -> EntryTables<'a> {
    let key_span_of = |key: &str| access.get_key_value(key).and_then(|(k, _)| k.span());
    let mut tables = EntryTables::default();
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
            "accounts" => tables.accounts = Some(value),
            "channels" => tables.channels = Some(value),
            "guardrails" => tables.guardrails = Some(value),
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
    tables
}

/// `[access.guardrails.<name>]`: the policies that were read, and the names of those that
/// were not (their problems are reported already).
struct NamedGuardrails {
    policies: IndexMap<String, Policy>,
    broken: Vec<String>,
}

fn read_guardrails(item: Option<&toml_edit::Item>, problems: &mut Problems) -> NamedGuardrails {
    let mut guardrails = NamedGuardrails {
        policies: IndexMap::new(),
        broken: Vec::new(),
    };
    for (name, value, span) in entries(item, "access.guardrails", problems) {
        let path = format!("access.guardrails.{name}");
        if guardrail::template(&name).is_some() {
            problems.push(
                span.clone(),
                &path,
                format!(
                    "`{name}` is the name of a built-in template; give your policy another name"
                ),
            );
            guardrails.broken.push(name);
            continue;
        }
        match read::<RawPolicy>(value, &path, problems)
            .and_then(|raw| raw.validate(&name, &path, value, problems))
        {
            Some(policy) => {
                guardrails.policies.insert(name, policy);
            }
            None => guardrails.broken.push(name),
        }
    }
    guardrails
}

/// `[access.accounts.<name>]` into `accounts`, each account id once; returns the names of the
/// entries that could not be read.
fn read_accounts(
    item: Option<&toml_edit::Item>,
    accounts: &mut IndexMap<String, Account>,
    problems: &mut Problems,
) -> Vec<String> {
    let mut broken_accounts: Vec<String> = Vec::new();
    let mut account_ids: IndexMap<String, String> = IndexMap::new();
    for (name, value, span) in entries(item, "access.accounts", problems) {
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
                accounts.insert(name, account);
            }
            None => broken_accounts.push(name),
        }
    }
    broken_accounts
}

/// `[access.channels.<key>]` into `config.channels`, checked against the accounts and
/// guardrails read before them, each conversation once.
fn read_channels(
    item: Option<&toml_edit::Item>,
    guardrails: &NamedGuardrails,
    broken_accounts: &[String],
    config: &mut AccessConfig,
    problems: &mut Problems,
) {
    let mut locations: Vec<(ChannelLocation, String)> = Vec::new();
    for (key, value, span) in entries(item, "access.channels", problems) {
        let path = format!("access.channels.{key}");
        let context = ChannelContext {
            path: &path,
            accounts: &config.accounts,
            broken_accounts,
            named_policies: &guardrails.policies,
            broken_policies: &guardrails.broken,
            statement_spans: statement_spans(value, "guardrail_statement"),
        };
        let Some(channel) = read::<RawChannel>(value, &path, problems)
            .and_then(|raw| raw.validate(&key, value.span(), &context, problems))
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
}
