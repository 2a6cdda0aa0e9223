//! The real [`Authorizer`]: the config file's channels, accounts, roles and guardrails, with
//! remembered account choices and regions in the state store, roles assumed through
//! [`RoleAssumer`], and an audit record for every refusal it makes.
//!
//! The order of the checks: the never-allowed list; the conversation's channel entry; the
//! user's identity; the channel guardrail (it depends on neither account nor role, and a
//! refusal is better before an account question than after it); the account (the user's
//! remembered choice, or a question); the role; then STS. Only then is there a [`Permit`].
//! The chat flow writes the audit record of everything that happens after a permit.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::assume_role::{self, AssumeRoleError, RoleAssumer, RoleRequest};
use super::config::{AccessConfig, Account, Channel, ChannelLocation};
use super::guardrail::{iam_action, GuardrailDecision, IamAction};
use super::roles::{self, AccessRefusal, AccountSelection};
use super::{
    never_allowed, AccountLabel, AccountQuestion, Authorizer, ConversationChannel, Credentials,
    Decision, Denial, DenialLayer, Permit, Requester,
};
use crate::audit::{AuditLog, AuditRecord, Outcome};
use crate::command::Invocation;
use crate::models::Models;
use crate::store::{self, Store};

/// How long an account choice is remembered (AWS Chatbot's 7 days).
pub const ACCOUNT_CHOICE_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Store namespace of remembered account choices, keyed `<channel key>|<object id>`.
pub const ACCOUNT_NAMESPACE: &str = "access-default-account";
/// Store namespace of remembered regions, keyed by channel key.
pub const REGION_NAMESPACE: &str = "access-region";

#[derive(Debug, Serialize, Deserialize)]
struct RememberedAccount {
    account: String,
}

/// Whether a decision's refusal is an attempt to audit, and the alias its record names.
#[derive(Clone, Copy)]
enum Audited<'a> {
    /// A person's attempt (typed, or expanded from `alias`).
    Yes { alias: Option<&'a str> },
    /// A lookup the bot makes for a form: not an attempt of theirs.
    No,
}

/// Authorizes chat requests against the `[access]` configuration.
pub struct ChannelAuthorizer {
    config: RwLock<Arc<AccessConfig>>,
    store: Arc<dyn Store>,
    assumer: Arc<dyn RoleAssumer>,
    audit: Arc<AuditLog>,
    models: &'static Models,
    fallback_region: String,
}

impl ChannelAuthorizer {
    /// `fallback_region` is used when neither the command, the channel's memory, the channel,
    /// the account nor `access.default_region` names one (the bot's own `AWS_REGION`).
    pub fn new(
        config: AccessConfig,
        store: Arc<dyn Store>,
        assumer: Arc<dyn RoleAssumer>,
        audit: Arc<AuditLog>,
        fallback_region: impl Into<String>,
    ) -> Self {
        Self {
            config: RwLock::new(Arc::new(config)),
            store,
            assumer,
            audit,
            models: Models::global(),
            fallback_region: fallback_region.into(),
        }
    }

    /// The configuration decisions are made with now.
    pub fn config(&self) -> Arc<AccessConfig> {
        self.config
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces the configuration (a reloaded file). Decisions already made keep their
    /// permits; every later decision, including the re-check when a form or confirmation is
    /// submitted, uses the new one.
    pub fn replace_config(&self, config: AccessConfig) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(config);
    }

    /// The audit log this authorizer writes refusals to (the chat flow writes the rest).
    pub fn audit(&self) -> &Arc<AuditLog> {
        &self.audit
    }

    /// A requester for the terminal (`exec --as <object id> --channel <key>`): the ids of the
    /// channel entry, acting as the given user.
    pub fn terminal_requester(
        &self,
        channel_key: &str,
        user_object_id: &str,
    ) -> Result<Requester, Denial> {
        requester_for_channel(&self.config(), channel_key, user_object_id)
    }

    /// The decision for `requester`, using `account` (a name or id) instead of the remembered
    /// choice when given: what `exec --account` and a card's chosen account use.
    pub async fn decide_with_account(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        account: Option<&str>,
    ) -> Decision {
        self.decide_audited(requester, invocation, account, Audited::Yes { alias: None })
            .await
    }

    /// The decision; a refusal is written to the audit log when `audited` says so (one
    /// record per refusal, naming the alias the command was expanded from).
    async fn decide_audited(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        account: Option<&str>,
        audited: Audited<'_>,
    ) -> Decision {
        let started = Instant::now();
        let config = self.config();
        let mut record = AuditRecord::new(requester, invocation, Outcome::Allowed);
        let decision = self
            .evaluate(&config, requester, invocation, account, &mut record)
            .await;
        if let (Decision::Deny(denial), Audited::Yes { alias }) = (&decision, audited) {
            record.outcome = Outcome::denied(denial.layer, denial.message.clone());
            self.audit
                .write(&record.with_alias(alias).with_latency(started.elapsed()));
        }
        decision
    }

    /// Runs the layers in the order the module doc gives, filling in `record` as each one
    /// learns something; the first layer that refuses (or asks) decides.
    async fn evaluate(
        &self,
        config: &AccessConfig,
        requester: &Requester,
        invocation: &Invocation,
        account_override: Option<&str>,
        record: &mut AuditRecord,
    ) -> Decision {
        if let Some(denial) = never_allowed(invocation) {
            return Decision::Deny(denial);
        }
        let channel = match roles::find_channel(config, requester) {
            Ok(channel) => channel,
            Err(refusal) => return Decision::Deny(refusal.into_denial()),
        };
        record.channel_key = Some(channel.key.clone());
        let Some(user) = requester
            .user_object_id
            .as_deref()
            .filter(|id| !id.trim().is_empty())
        else {
            return Decision::Deny(AccessRefusal::UnknownUser.into_denial());
        };
        let action = match self.guardrail(channel, invocation, record) {
            Ok(action) => action,
            Err(denial) => return Decision::Deny(denial),
        };
        // A command that makes several calls: every one must pass the guardrail, and any one
        // the approval rule names makes the whole command wait for an approver.
        let mut call_actions = Vec::new();
        for (service, operation) in &invocation.operations()[1..] {
            let call = Invocation {
                service: (*service).to_owned(),
                operation: (*operation).to_owned(),
                ..invocation.clone()
            };
            let mut call_record = record.clone();
            match self.guardrail(channel, &call, &mut call_record) {
                Ok(call_action) => call_actions.push(call_action),
                Err(denial) => {
                    *record = call_record;
                    return Decision::Deny(denial);
                }
            }
        }
        let approval = channel.approval.as_ref().and_then(|rule| {
            std::iter::once(&action)
                .chain(&call_actions)
                .find_map(|action| rule.needed_for(action))
        });
        let account = match self.account(config, channel, user, account_override).await {
            Ok(AccountSelection::Chosen(account)) => account,
            Ok(AccountSelection::Ask(accounts)) => return account_question(&accounts),
            Err(refusal) => return Decision::Deny(refusal.into_denial()),
        };
        record.run_as.account_name = Some(account.name.clone());
        record.run_as.account_id = Some(account.id.clone());
        let role = match roles::resolve_role(channel, account, Some(user)) {
            Ok(role) => role,
            Err(refusal) => return Decision::Deny(refusal.into_denial()),
        };
        record.run_as.role_arn = Some(role.arn.clone());
        let region = self.region(config, channel, account, invocation).await;
        record.region = Some(region.clone());
        let request = role_request(config, channel, account, &role.arn, requester, user);
        let credentials = match self.assume(&request).await {
            Ok(credentials) => credentials,
            Err(denial) => return Decision::Deny(denial),
        };
        if let Some(given) = &invocation.globals.region {
            self.remember_region(channel, given).await;
        }
        Decision::Permit(
            Permit::new(
                invocation,
                credentials,
                region,
                Some(label(account)),
                Some(role.arn),
            )
            .with_context(channel.key.clone(), action.to_string())
            .with_call_actions(call_actions.iter().map(ToString::to_string).collect())
            .with_approval(approval)
            .with_long_running(channel.long_running),
        )
    }

    /// The guardrail: what the channel may run at all. The IAM action goes into the record as
    /// soon as it is known, so the audit record of a guardrail refusal names it.
    fn guardrail(
        &self,
        channel: &Channel,
        invocation: &Invocation,
        record: &mut AuditRecord,
    ) -> Result<IamAction, Denial> {
        let deny = |message: String| Denial {
            layer: DenialLayer::Guardrail,
            message,
        };
        let model = match self.models.service(&invocation.service) {
            Ok(model) => model,
            Err(error) => {
                return Err(deny(
                    format!("The IAM action for {} {} cannot be resolved ({error}), so the channel guardrail cannot allow it.", invocation.service, invocation.operation),
                ))
            }
        };
        let action = iam_action(&model, &invocation.operation);
        record.iam_action = Some(action.to_string());
        let decision = channel.guardrail.evaluate(&action);
        if !matches!(decision, GuardrailDecision::Allowed { .. }) {
            let refusal = channel
                .guardrail
                .refusal(&decision, &action)
                .unwrap_or_else(|| format!("the channel guardrail does not allow {action}"));
            return Err(deny(
                format!("{}. Ask an administrator to allow {action} in the guardrails of channel `{}` if this channel should run it.", capitalise(&refusal), channel.key),
            ));
        }
        Ok(action)
    }

    /// The account: the one asked for (`account_override`), else the user's remembered choice
    /// or the channel's only account, else the list to ask from.
    async fn account<'c>(
        &self,
        config: &'c AccessConfig,
        channel: &Channel,
        user: &str,
        account_override: Option<&str>,
    ) -> Result<AccountSelection<'c>, AccessRefusal> {
        match account_override {
            Some(choice) => {
                roles::choose_account(config, channel, choice).map(AccountSelection::Chosen)
            }
            None => {
                let remembered = self.remembered_account(channel, user).await;
                Ok(roles::select_account(
                    config,
                    channel,
                    remembered.as_deref(),
                ))
            }
        }
    }

    /// The region: the command's, the channel's remembered one, the channel's, the account's,
    /// `access.default_region`, then the bot's own.
    async fn region(
        &self,
        config: &AccessConfig,
        channel: &Channel,
        account: &Account,
        invocation: &Invocation,
    ) -> String {
        let remembered_region = self.remembered_region(channel).await;
        invocation
            .globals
            .region
            .clone()
            .or(remembered_region)
            .or_else(|| channel.default_region.clone())
            .or_else(|| account.default_region.clone())
            .or_else(|| config.default_region.clone())
            .unwrap_or_else(|| self.fallback_region.clone())
    }

    /// STS: the role's credentials for the user, or a refusal that says what to check.
    async fn assume(&self, request: &RoleRequest) -> Result<Credentials, Denial> {
        self.assumer.assume(request).await.map_err(|error| {
            if let AssumeRoleError::Unavailable { detail, .. } = &error {
                // The turn's span carries the correlation id that ties this to the card.
                tracing::error!(role_arn = %request.role_arn, detail = %detail, "STS failed");
            }
            Denial {
                layer: DenialLayer::Credentials,
                message: format!("{error}. An administrator should check that the role's trust policy lets the bot assume it (and allows sts:SetSourceIdentity and sts:TagSession when those are on)."),
            }
        })
    }

    async fn remembered_account(&self, channel: &Channel, user: &str) -> Option<String> {
        let key = account_key(channel, user);
        match store::get_json::<RememberedAccount>(self.store.as_ref(), ACCOUNT_NAMESPACE, &key)
            .await
        {
            Ok(found) => found.map(|r| r.account),
            Err(error) => {
                // Without the store the user is asked again: inconvenient, never wrong.
                tracing::warn!(%error, "cannot read a remembered account choice");
                None
            }
        }
    }

    /// The region remembered for the channel, if any.
    pub async fn remembered_region(&self, channel: &Channel) -> Option<String> {
        store::get_json::<String>(self.store.as_ref(), REGION_NAMESPACE, &channel.key)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "cannot read a remembered region");
                None
            })
    }

    async fn remember_region(&self, channel: &Channel, region: &str) {
        if let Err(error) = store::put_json(
            self.store.as_ref(),
            REGION_NAMESPACE,
            &channel.key,
            &region,
            None,
        )
        .await
        {
            tracing::warn!(%error, "cannot remember the channel's region");
        }
    }
}

#[async_trait::async_trait]
impl Authorizer for ChannelAuthorizer {
    fn notifications(&self) -> Arc<super::config::NotificationsConfig> {
        self.config().notifications.clone()
    }

    fn channel_location(&self, key: &str) -> Option<ChannelLocation> {
        self.config()
            .channel(key)
            .map(|channel| channel.location.clone())
    }

    async fn authorize(
        &self,
        requester: &Requester,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        self.authorize_via_alias(requester, invocation, None).await
    }

    async fn authorize_via_alias(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        alias: Option<&str>,
    ) -> Result<Permit, Denial> {
        self.decide_via_alias(requester, invocation, alias)
            .await
            .into_result(|question| {
                format!(
                    "{} Type @aws set default-account to choose ({}).",
                    question.message,
                    question.account_list()
                )
            })
    }

    fn conversation_channel(
        &self,
        requester: &Requester,
    ) -> Result<Option<ConversationChannel>, Denial> {
        let config = self.config();
        let channel =
            roles::find_channel(&config, requester).map_err(AccessRefusal::into_denial)?;
        Ok(Some(ConversationChannel {
            key: channel.key.clone(),
            aliases: channel.aliases.clone(),
        }))
    }

    async fn decide(&self, requester: &Requester, invocation: &Invocation) -> Decision {
        self.decide_via_alias(requester, invocation, None).await
    }

    async fn decide_via_alias(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        alias: Option<&str>,
    ) -> Decision {
        self.decide_audited(requester, invocation, None, Audited::Yes { alias })
            .await
    }

    async fn authorize_as_channel(
        &self,
        channel_key: &str,
        account_id: &str,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        self.decide_as_channel(channel_key, account_id, invocation)
            .await
    }

    async fn authorize_for_lookup(
        &self,
        requester: &Requester,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        self.decide_audited(requester, invocation, None, Audited::No)
            .await
            .into_result(|_| "No account is chosen yet.".into())
    }

    async fn account_choices(&self, requester: &Requester) -> Result<AccountQuestion, Denial> {
        let config = self.config();
        let (channel, user) = channel_and_user(&config, requester)?;
        let remembered = self.remembered_account(channel, user).await;
        let accounts: Vec<&Account> = channel
            .accounts
            .iter()
            .filter_map(|name| config.accounts.get(name))
            .collect();
        let current = remembered
            .and_then(|name| accounts.iter().find(|a| a.name == name).map(|a| label(a)))
            .or_else(|| (accounts.len() == 1).then(|| label(accounts[0])));
        Ok(AccountQuestion {
            accounts: accounts.iter().map(|a| label(a)).collect(),
            current,
            message: if accounts.len() == 1 {
                "This channel uses one AWS account.".into()
            } else {
                "Choose the AWS account for your commands in this channel; the choice is remembered for 7 days.".into()
            },
        })
    }

    async fn set_default_account(
        &self,
        requester: &Requester,
        account: &str,
    ) -> Result<AccountLabel, Denial> {
        let config = self.config();
        let (channel, user) = channel_and_user(&config, requester)?;
        let chosen =
            roles::choose_account(&config, channel, account).map_err(AccessRefusal::into_denial)?;
        store::put_json(
            self.store.as_ref(),
            ACCOUNT_NAMESPACE,
            &account_key(channel, user),
            &RememberedAccount {
                account: chosen.name.clone(),
            },
            Some(ACCOUNT_CHOICE_TTL),
        )
        .await
        .map_err(|error| Denial {
            layer: DenialLayer::Account,
            message: format!("The account choice could not be saved ({error}); try again."),
        })?;
        Ok(label(chosen))
    }
}

/// The requester's channel entry and Entra object id, which an account choice is kept under.
fn channel_and_user<'c, 'r>(
    config: &'c AccessConfig,
    requester: &'r Requester,
) -> Result<(&'c Channel, &'r str), Denial> {
    let channel = roles::find_channel(config, requester).map_err(AccessRefusal::into_denial)?;
    let user = requester
        .user_object_id
        .as_deref()
        .ok_or_else(|| AccessRefusal::UnknownUser.into_denial())?;
    Ok((channel, user))
}

fn label(account: &Account) -> AccountLabel {
    AccountLabel {
        name: account.name.clone(),
        id: account.id.clone(),
    }
}

fn account_key(channel: &Channel, user: &str) -> String {
    format!("{}|{}", channel.key, user.trim().to_ascii_lowercase())
}

/// The question for a user with several accounts to choose from and no remembered choice.
fn account_question(accounts: &[&Account]) -> Decision {
    Decision::ChooseAccount(AccountQuestion {
        accounts: accounts.iter().map(|a| label(a)).collect(),
        current: None,
        message: "This channel can use several AWS accounts. Choose the one to run commands in; the bot remembers your choice for 7 days (@aws set default-account changes it).".into(),
    })
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The STS request for a user in a channel: session name from their display name,
/// SourceIdentity their object id, tags for tenant, team and channel (as configured).
fn role_request(
    config: &AccessConfig,
    channel: &Channel,
    account: &Account,
    role_arn: &str,
    requester: &Requester,
    user: &str,
) -> RoleRequest {
    let settings = &config.assume_role;
    let user = user.trim().to_ascii_lowercase();
    let ids = roles::as_configured(requester);
    let mut tags = Vec::new();
    if settings.session_tags {
        let mut add = |key: &str, value: Option<String>| {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                tags.push((key.to_owned(), assume_role::tag_value(&value)));
            }
        };
        add("teams-tenant", ids.tenant_id.clone());
        add("teams-team", ids.team_id.clone());
        add(
            "teams-channel",
            ids.channel_id.clone().or(Some(ids.conversation_id.clone())),
        );
        add("chatops-channel", Some(channel.key.clone()));
    }
    RoleRequest {
        account_id: account.id.clone(),
        role_arn: role_arn.to_owned(),
        session_name: assume_role::session_name(requester.user_name.as_deref(), &user),
        source_identity: settings
            .source_identity
            .then(|| assume_role::tag_value(&user)),
        user_object_id: user,
        session_tags: tags,
        duration_seconds: settings.duration_seconds,
    }
}

/// A requester standing for `user_object_id` in the channel entry `channel_key`, for the
/// terminal's `exec --as … --channel …`.
pub fn requester_for_channel(
    config: &AccessConfig,
    channel_key: &str,
    user_object_id: &str,
) -> Result<Requester, Denial> {
    let channel = config.channel(channel_key).ok_or_else(|| Denial {
        layer: DenialLayer::Channel,
        message: format!(
            "There is no channel `{channel_key}` in the config file; it has {}.",
            if config.channels.is_empty() {
                "none".to_owned()
            } else {
                config
                    .channels
                    .keys()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
    })?;
    let user = user_object_id.trim().to_ascii_lowercase();
    let base = Requester {
        tenant_id: Some(channel.location.tenant_id().to_owned()),
        user_object_id: Some(user.clone()),
        ..Requester::default()
    };
    Ok(match &channel.location {
        ChannelLocation::TeamsChannel {
            team_id,
            channel_id,
            ..
        } => Requester {
            team_id: team_id.clone(),
            channel_id: Some(channel_id.clone()),
            conversation_id: channel_id.clone(),
            conversation_type: Some("channel".into()),
            ..base
        },
        ChannelLocation::Chat {
            conversation_id, ..
        } => Requester {
            conversation_id: conversation_id.clone(),
            conversation_type: Some("groupChat".into()),
            ..base
        },
        ChannelLocation::PersonalChats { .. } => Requester {
            conversation_id: format!("terminal:{user}"),
            conversation_type: Some("personal".into()),
            ..base
        },
    })
}

mod as_channel;
pub use as_channel::{notification_requester, NOTIFICATION_REQUESTER};

#[cfg(test)]
mod tests;
