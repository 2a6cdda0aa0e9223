//! Calls made for a notification posted to a channel (its alarm chart), with no user behind
//! them: the channel entry's channel role in the alarm's account, through the channel's
//! guardrail. The same layers as a user's request, in the same order, minus the user; a
//! refusal is audited with a requester that says it was a notification.

use std::time::Instant;

use super::{label, ChannelAuthorizer};
use crate::audit::{AuditRecord, Outcome};
use crate::command::Invocation;
use crate::policy::assume_role::{self, RoleRequest};
use crate::policy::config::{AccessConfig, Account, Channel};
use crate::policy::{never_allowed, Denial, DenialLayer, Permit, Requester};

/// The name audit records give the "user" of a notification's calls.
pub const NOTIFICATION_REQUESTER: &str = "notification (channel role)";

/// The requester a notification's calls in channel `channel_key` are recorded as: the
/// channel's conversation, no user.
pub fn notification_requester(channel_key: &str) -> Requester {
    Requester {
        user_object_id: None,
        user_name: Some(NOTIFICATION_REQUESTER.to_owned()),
        conversation_id: format!("notification:{channel_key}"),
        ..Requester::default()
    }
}

impl ChannelAuthorizer {
    /// See [`crate::policy::Authorizer::authorize_as_channel`].
    pub(super) async fn decide_as_channel(
        &self,
        channel_key: &str,
        account_id: &str,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        let started = Instant::now();
        let config = self.config();
        let mut record = AuditRecord::new(
            &notification_requester(channel_key),
            invocation,
            Outcome::Allowed,
        );
        let decided = self
            .evaluate_as_channel(&config, channel_key, account_id, invocation, &mut record)
            .await;
        if let Err(denial) = &decided {
            record.outcome = Outcome::denied(denial.layer, denial.message.clone());
            self.audit.write(&record.with_latency(started.elapsed()));
        }
        decided
    }

    async fn evaluate_as_channel(
        &self,
        config: &AccessConfig,
        channel_key: &str,
        account_id: &str,
        invocation: &Invocation,
        record: &mut AuditRecord,
    ) -> Result<Permit, Denial> {
        if let Some(denial) = never_allowed(invocation) {
            return Err(denial);
        }
        let channel = config.channel(channel_key).ok_or_else(|| Denial {
            layer: DenialLayer::Channel,
            message: format!("There is no channel `{channel_key}` in the config file."),
        })?;
        record.channel_key = Some(channel.key.clone());
        let action = self.guardrail(channel, invocation, record)?;
        let account = channel_account(config, channel, account_id)?;
        record.run_as.account_name = Some(account.name.clone());
        record.run_as.account_id = Some(account.id.clone());
        let role_arn = channel_role(channel, account)?;
        record.run_as.role_arn = Some(role_arn.clone());
        let region = self.region(config, channel, account, invocation).await;
        record.region = Some(region.clone());
        let request = channel_role_request(config, channel, account, &role_arn);
        let credentials = self.assume(&request).await?;
        Ok(Permit::new(
            invocation,
            credentials,
            region,
            Some(label(account)),
            Some(role_arn),
        )
        .with_context(channel.key.clone(), action.to_string()))
    }
}

/// The channel's account with id `account_id`; another account is refused.
fn channel_account<'c>(
    config: &'c AccessConfig,
    channel: &Channel,
    account_id: &str,
) -> Result<&'c Account, Denial> {
    channel
        .accounts
        .iter()
        .filter_map(|name| config.accounts.get(name))
        .find(|account| account.id == account_id.trim())
        .ok_or_else(|| Denial {
            layer: DenialLayer::Account,
            message: format!(
                "Account {account_id} is not one channel `{}` may use; it may use {}.",
                channel.key,
                channel.accounts.join(", ")
            ),
        })
}

/// The channel role in `account`: none when the channel requires user roles or has none.
fn channel_role(channel: &Channel, account: &Account) -> Result<String, Denial> {
    let refuse = |why: String| Denial {
        layer: DenialLayer::Role,
        message: why,
    };
    if channel.require_user_roles {
        return Err(refuse(format!(
            "Channel `{}` requires user roles, so nothing is fetched for its notifications without a user; click Show chart to see it as yourself.",
            channel.key
        )));
    }
    channel
        .channel_roles
        .get(&account.name)
        .or(account.channel_role.as_ref())
        .cloned()
        .ok_or_else(|| {
            refuse(format!(
                "Channel `{}` has no channel role in account {} ({}), so nothing is fetched for its notifications. An administrator can set `channel_role` for the account.",
                channel.key, account.name, account.id
            ))
        })
}

/// The STS request of a notification's call: no user, so no source identity; the session
/// is named for the notification and cached per channel.
fn channel_role_request(
    config: &AccessConfig,
    channel: &Channel,
    account: &Account,
    role_arn: &str,
) -> RoleRequest {
    let settings = &config.assume_role;
    let session_tags = if settings.session_tags {
        vec![(
            "chatops-channel".to_owned(),
            assume_role::tag_value(&channel.key),
        )]
    } else {
        Vec::new()
    };
    RoleRequest {
        account_id: account.id.clone(),
        role_arn: role_arn.to_owned(),
        user_object_id: format!("notification:{}", channel.key),
        session_name: "aws-chatops-notification".to_owned(),
        source_identity: None,
        session_tags,
        duration_seconds: settings.duration_seconds,
    }
}
