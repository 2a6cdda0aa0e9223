//! The `[access]` table as a whole: its keys, then the named guardrails, the accounts and
//! the channels (which refer to both), each entry read on its own.

use super::*;

pub(super) const ACCESS_KEYS: &[&str] = &[
    "default_region",
    "audit",
    "assume_role",
    "accounts",
    "channels",
    "guardrails",
];

// Long on purpose: one pass over `[access]` in dependency order (guardrails and accounts
// before the channels that name them), sharing the lists of broken entries so that one
// mistake is reported once; split further, those lists would travel through every part.
pub(super) fn build(item: &toml_edit::Item, problems: &mut Problems) -> Option<AccessConfig> {
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
