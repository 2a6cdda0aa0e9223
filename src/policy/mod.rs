//! Who may run what. Authorization turns a requester and an invocation into a [`Permit`]
//! (credentials, account, role, region) or a [`Denial`] that names the layer that refused.
//! Executors take a `Permit`, and only this module can make one, so an unchecked call does
//! not compile. This module decides; it never formats cards and runs no AWS command. It gets
//! the credentials a permit carries itself: the default provider chain (`local`) or STS
//! AssumeRole (`assume_role`), through the SDK.

pub mod approval;
pub mod assume_role;
mod audit_facts;
pub mod channel;
pub mod config;
pub mod guardrail;
pub mod local;
pub mod roles;
#[cfg(test)]
mod test_fixtures;

use std::fmt;

use crate::command::{is_never_allowed, Invocation};

/// The credentials a permit carries: the ambient ones (see [`LocalOperator`]) or an assumed
/// role's (see [`assume_role`]). The engine reads them from the permit.
pub use aws_credential_types::Credentials;
pub use channel::ChannelAuthorizer;
pub use local::{LocalOperator, LocalRefusal, NoCredentials};

/// Who is asking, and from where: the facts a Teams activity gives. Pending requests store it
/// as these fields in this order (`conversation::pending`), so both stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Requester {
    /// The user's Entra object id: the identity roles are mapped from.
    pub user_object_id: Option<String>,
    pub user_name: Option<String>,
    pub tenant_id: Option<String>,
    /// The team's id (`19:...@thread.tacv2` of the General channel, or the team's group id).
    pub team_id: Option<String>,
    /// The channel id (`19:...@thread.tacv2`) for channel conversations.
    pub channel_id: Option<String>,
    pub conversation_id: String,
    /// `personal`, `groupChat` or `channel`.
    pub conversation_type: Option<String>,
}

/// The proof that an invocation was authorized, with what it may run as. Only this module
/// constructs one: the constructor is private to `policy`, so code elsewhere cannot make a
/// permit without an authorizer's decision.
///
/// ```compile_fail,E0624
/// # use aws_chatops::policy::Permit;
/// # fn forge(invocation: &aws_chatops::command::Invocation, credentials: aws_chatops::aws::Credentials) {
/// let permit = Permit::new(invocation, credentials, "us-east-1".into(), None, None);
/// # }
/// ```
#[derive(Clone)]
pub struct Permit {
    /// The AWS CLI service name the permit was granted for (`cloudwatch`).
    service: String,
    /// The model's operation name the permit was granted for (`DescribeAlarms`).
    operation: String,
    /// The other calls of the same command it covers (a CLI command that makes several
    /// calls, `Invocation::operations`): service, operation, and the IAM action the guardrail
    /// allowed for it, each checked like `operation`.
    also: Vec<(String, String, Option<String>)>,
    credentials: Credentials,
    region: String,
    account: Option<AccountLabel>,
    role_arn: Option<String>,
    channel_key: Option<String>,
    iam_action: Option<String>,
    /// Boxed: most permits need no approval, and a permit travels by value in `Decision`.
    approval: Option<Box<approval::ApprovalNeeded>>,
    /// The channel lets commands run long (`long_running = true`): waiters in chat.
    long_running: bool,
}

/// The longest a command runs from chat in a channel that lets commands run long
/// (`long_running = true`); everywhere else the engine's 15 seconds apply.
pub const LONG_RUNNING_LIMIT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// An account as cards show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabel {
    pub name: String,
    pub id: String,
}

impl Permit {
    /// A permit for `invocation`; only the authorizers of this module call it.
    pub(in crate::policy) fn new(
        invocation: &Invocation,
        credentials: Credentials,
        region: String,
        account: Option<AccountLabel>,
        role_arn: Option<String>,
    ) -> Self {
        Self {
            service: invocation.service.clone(),
            operation: invocation.operation.clone(),
            also: invocation.operations()[1..]
                .iter()
                .map(|(service, operation)| ((*service).to_owned(), (*operation).to_owned(), None))
                .collect(),
            credentials,
            region,
            account,
            role_arn,
            channel_key: None,
            iam_action: None,
            approval: None,
            long_running: false,
        }
    }

    /// Adds the channel entry and the IAM action the decision was made for (audit records
    /// show them).
    pub(in crate::policy) fn with_context(
        mut self,
        channel_key: impl Into<String>,
        iam_action: impl Into<String>,
    ) -> Self {
        self.channel_key = Some(channel_key.into());
        self.iam_action = Some(iam_action.into());
        self
    }

    /// The IAM actions the guardrail allowed for the other operations of the command, in the
    /// order of `Invocation::operations` after its own.
    pub(in crate::policy) fn with_call_actions(mut self, actions: Vec<String>) -> Self {
        for ((_, _, slot), action) in self.also.iter_mut().zip(actions) {
            *slot = Some(action);
        }
        self
    }

    /// Marks the permit's action as one that runs only after a second person approves it
    /// (the channel's `approval` rule matched).
    pub(in crate::policy) fn with_approval(
        mut self,
        approval: Option<approval::ApprovalNeeded>,
    ) -> Self {
        self.approval = approval.map(Box::new);
        self
    }

    /// Marks the permit as granted in a channel whose commands may run long.
    pub(in crate::policy) fn with_long_running(mut self, long_running: bool) -> Self {
        self.long_running = long_running;
        self
    }

    /// Whether the channel lets this command run long (a waiter or a slow call with a live
    /// card, up to 15 minutes); `false` for everything the 15-second limit applies to.
    pub fn long_running(&self) -> bool {
        self.long_running
    }

    /// The deadline of a call under this permit when it is not the engine's:
    /// [`LONG_RUNNING_LIMIT`] in a channel that lets commands run long.
    pub fn call_limit(&self) -> Option<std::time::Duration> {
        self.long_running.then_some(LONG_RUNNING_LIMIT)
    }

    /// What the action needs before it runs: `Some` when the channel's approval rule names
    /// it, so the command waits for an approver (B3) instead of running or asking its
    /// requester to confirm.
    pub fn approval(&self) -> Option<&approval::ApprovalNeeded> {
        self.approval.as_deref()
    }

    /// Whether this permit was granted for `invocation`'s service and operation.
    pub fn covers(&self, invocation: &Invocation) -> bool {
        self.service == invocation.service && self.operation == invocation.operation
    }

    /// The permit for one call of a command that makes several (`emr describe-cluster`,
    /// `configservice subscribe`): the same grant for `service`'s `operation`, when the permit
    /// covers it (it was checked with the command); `None` for anything else.
    pub fn for_call(&self, service: &str, operation: &str) -> Option<Permit> {
        if service == self.service && operation == self.operation {
            return Some(self.clone());
        }
        let (_, _, action) = self
            .also
            .iter()
            .find(|(s, o, _)| s == service && o == operation)?;
        let mut permit = self.clone();
        service.clone_into(&mut permit.service);
        operation.clone_into(&mut permit.operation);
        permit.iam_action.clone_from(action);
        permit.also = Vec::new();
        Some(permit)
    }

    /// The AWS CLI service name the permit was granted for.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The model's operation name the permit was granted for.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn account(&self) -> Option<&AccountLabel> {
        self.account.as_ref()
    }

    pub fn role_arn(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }

    /// The `[access.channels.<key>]` entry the permit was granted under (none for the local
    /// operator).
    pub fn channel_key(&self) -> Option<&str> {
        self.channel_key.as_deref()
    }

    /// The IAM action the guardrail allowed (`cloudwatch:DescribeAlarms`).
    pub fn iam_action(&self) -> Option<&str> {
        self.iam_action.as_deref()
    }
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials never reach a log line.
        f.debug_struct("Permit")
            .field("service", &self.service)
            .field("operation", &self.operation)
            .field("region", &self.region)
            .field("account", &self.account)
            .field("role_arn", &self.role_arn)
            .field("channel_key", &self.channel_key)
            .field("iam_action", &self.iam_action)
            .field("approval", &self.approval)
            .field("long_running", &self.long_running)
            .finish_non_exhaustive()
    }
}

/// The refusal of the never-allowed list (F6), which every authorizer checks first whatever
/// the configuration says; `None` when the list does not name the operation.
pub fn never_allowed(invocation: &Invocation) -> Option<Denial> {
    let (service, reason) =
        invocation
            .operations()
            .into_iter()
            .find_map(|(service, operation)| {
                is_never_allowed(service, operation).map(|reason| (service, reason))
            })?;
    let operation = if invocation.cli_operation.is_empty() {
        &invocation.operation
    } else {
        &invocation.cli_operation
    };
    // A call of another service that the command would make names that service.
    let call = if service == invocation.service {
        String::new()
    } else {
        format!(" (it calls {service})")
    };
    Some(Denial {
        layer: DenialLayer::NeverAllowed,
        message: format!(
            "{} {operation}{call} is never allowed from chat: {reason}",
            invocation.service
        ),
    })
}

/// The layer that refused, for "why was I denied?" (B4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialLayer {
    /// The never-allowed list (F6), whatever the role.
    NeverAllowed,
    /// The conversation is not configured for commands.
    Channel,
    /// The user has no role here (or the channel requires user roles).
    Role,
    /// The channel's guardrail policies do not allow the action.
    Guardrail,
    /// The account could not be chosen or used.
    Account,
    /// AWS refused to hand out credentials (assume-role failed).
    Credentials,
}

impl DenialLayer {
    /// A stable lower-case name, as audit records write it (`guardrail`).
    pub fn name(&self) -> &'static str {
        match self {
            DenialLayer::NeverAllowed => "never_allowed",
            DenialLayer::Channel => "channel",
            DenialLayer::Role => "role",
            DenialLayer::Guardrail => "guardrail",
            DenialLayer::Account => "account",
            DenialLayer::Credentials => "credentials",
        }
    }

    /// How a card names the layer to a person ("Refused by the channel guardrail").
    pub fn describe(&self) -> &'static str {
        match self {
            DenialLayer::NeverAllowed => "the never-allowed list",
            DenialLayer::Channel => "the channel configuration",
            DenialLayer::Role => "role mapping",
            DenialLayer::Guardrail => "the channel guardrail",
            DenialLayer::Account => "account selection",
            DenialLayer::Credentials => "AWS (assume role)",
        }
    }
}

/// A refusal: which layer, and a message that tells the user what is missing and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub layer: DenialLayer,
    pub message: String,
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the chat flow does with a command: run it with the permit, show the refusal, or ask
/// which account to use first.
#[derive(Debug, Clone)]
pub enum Decision {
    Permit(Permit),
    Deny(Denial),
    /// The channel may use several accounts and this user has no (unexpired) choice: show an
    /// account choice card listing `accounts`; when one is picked, call
    /// [`Authorizer::set_default_account`] and decide again.
    ChooseAccount(AccountQuestion),
}

impl Decision {
    /// The permit, or the refusal; an account question becomes a refusal of layer
    /// [`DenialLayer::Account`] whose message `how_to_choose` writes (chat and the terminal
    /// tell the user different ways to choose).
    pub fn into_result(
        self,
        how_to_choose: impl FnOnce(&AccountQuestion) -> String,
    ) -> Result<Permit, Denial> {
        match self {
            Decision::Permit(permit) => Ok(permit),
            Decision::Deny(denial) => Err(denial),
            Decision::ChooseAccount(question) => Err(Denial {
                layer: DenialLayer::Account,
                message: how_to_choose(&question),
            }),
        }
    }
}

impl From<Result<Permit, Denial>> for Decision {
    fn from(result: Result<Permit, Denial>) -> Self {
        match result {
            Ok(permit) => Decision::Permit(permit),
            Err(denial) => Decision::Deny(denial),
        }
    }
}

/// The data of an account choice card (first use, or `@aws set default-account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountQuestion {
    /// The accounts the channel may use, in the config file's order.
    pub accounts: Vec<AccountLabel>,
    /// The current remembered choice, if any (for `set default-account`).
    pub current: Option<AccountLabel>,
    /// One sentence for the card ("This channel can use several AWS accounts. …").
    pub message: String,
}

impl AccountQuestion {
    /// The accounts as one line of text: `prod 111111111111, dev 222222222222`.
    pub fn account_list(&self) -> String {
        self.accounts
            .iter()
            .map(|account| format!("{} {}", account.name, account.id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Decides whether `requester` may run `invocation`. Called when a command arrives and again
/// when a form or confirmation for it is submitted (permissions may have changed since).
#[async_trait::async_trait]
pub trait Authorizer: Send + Sync + 'static {
    /// A permit, or a refusal naming its layer. When an account must be chosen first this is
    /// a refusal of layer [`DenialLayer::Account`] that tells the user how to choose; the chat
    /// flow calls [`Authorizer::decide`] instead to get the question as data.
    async fn authorize(
        &self,
        requester: &Requester,
        invocation: &Invocation,
    ) -> Result<Permit, Denial>;

    /// The same decision for a call the bot makes on the user's behalf to fill a form
    /// (resource choices), which is not an attempt of theirs: no audit record is written.
    async fn authorize_for_lookup(
        &self,
        requester: &Requester,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        self.authorize(requester, invocation).await
    }

    /// Like [`Authorizer::authorize`], with the account question as data.
    async fn decide(&self, requester: &Requester, invocation: &Invocation) -> Decision {
        self.authorize(requester, invocation).await.into()
    }

    /// [`Authorizer::decide`] for a command that `@aws run` expanded from the chat alias
    /// `alias` (when it was one): the same decision, and the audit record of a refusal names
    /// the alias, so that a refusal still has exactly one record. Authorizers that write no
    /// records ignore it.
    async fn decide_via_alias(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        alias: Option<&str>,
    ) -> Decision {
        let _ = alias;
        self.decide(requester, invocation).await
    }

    /// [`Authorizer::authorize`] for a command expanded from `alias`, as
    /// [`Authorizer::decide_via_alias`]: a refusal's audit record names the alias.
    async fn authorize_via_alias(
        &self,
        requester: &Requester,
        invocation: &Invocation,
        alias: Option<&str>,
    ) -> Result<Permit, Denial> {
        let _ = alias;
        self.authorize(requester, invocation).await
    }

    /// A permit for a call made for a notification posted to the channel entry
    /// `channel_key` (`[access.channels.<key>]`), as that channel's channel role in the
    /// account `account_id` (one of the channel's accounts), through the channel's guardrail.
    /// No user is involved: a channel that requires user roles, or has no channel role there,
    /// is refused. Refusals are audited with a requester that names the notification.
    /// Authorizers without channels refuse.
    async fn authorize_as_channel(
        &self,
        channel_key: &str,
        account_id: &str,
        invocation: &Invocation,
    ) -> Result<Permit, Denial> {
        let _ = (account_id, invocation);
        Err(Denial {
            layer: DenialLayer::Channel,
            message: format!(
                "This bot has no channel configuration, so it cannot act as channel `{channel_key}`."
            ),
        })
    }

    /// The `[notifications]` configuration in force (reloaded with the rest of the file);
    /// empty for authorizers without a config file.
    fn notifications(&self) -> std::sync::Arc<config::NotificationsConfig> {
        std::sync::Arc::new(config::NotificationsConfig::default())
    }

    /// Where the channel entry `key` of `[access.channels]` is (notifications are posted
    /// there); `None` for an unknown key or an authorizer without a config file.
    fn channel_location(&self, _key: &str) -> Option<config::ChannelLocation> {
        None
    }

    /// The channel entry the requester's conversation resolves to, with the aliases the file
    /// defines for it (B1); `Ok(None)` for an authorizer without channels, a refusal naming
    /// the layer for a conversation no entry covers.
    fn conversation_channel(
        &self,
        _requester: &Requester,
    ) -> Result<Option<ConversationChannel>, Denial> {
        Ok(None)
    }

    /// The accounts the requester's channel may use and their current choice
    /// (`@aws set default-account` shows them as a card).
    async fn account_choices(&self, _requester: &Requester) -> Result<AccountQuestion, Denial> {
        Err(one_set_of_credentials())
    }

    /// Remembers `account` (a name or a 12-digit id) as the requester's default in this
    /// channel for 7 days.
    async fn set_default_account(
        &self,
        _requester: &Requester,
        _account: &str,
    ) -> Result<AccountLabel, Denial> {
        Err(one_set_of_credentials())
    }
}

/// The `[access.channels.<key>]` entry a conversation resolves to, as aliases need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationChannel {
    /// The entry's key (`ops`).
    pub key: String,
    /// Its aliases from the file: name (lower case) → command template.
    pub aliases: indexmap::IndexMap<String, String>,
}

/// The refusal of an account choice by an authorizer that has no accounts to choose from.
fn one_set_of_credentials() -> Denial {
    Denial {
        layer: DenialLayer::Account,
        message: "This bot runs with one set of AWS credentials; there is no account to choose."
            .into(),
    }
}
