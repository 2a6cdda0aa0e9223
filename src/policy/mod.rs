//! Who may run what. Authorization turns a requester and an invocation into a [`Permit`]
//! (credentials, account, role, region) or a [`Denial`] that names the layer that refused.
//! Executors take a `Permit`, and only this module can make one, so an unchecked call does
//! not compile. This module decides; it never formats cards and never calls AWS itself
//! (credentials come through the `aws` module).

pub mod channel;
pub mod config;
pub mod guardrail;
pub mod roles;

use std::fmt;

use futures_util::future::BoxFuture;

use crate::aws::Credentials;
use crate::command::Invocation;

pub use channel::ChannelAuthorizer;

/// Who is asking, and from where: the facts a Teams activity gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requester {
    pub tenant_id: Option<String>,
    /// The team's id (`19:...@thread.tacv2` of the General channel, or the team's group id).
    pub team_id: Option<String>,
    /// The channel id (`19:...@thread.tacv2`) for channel conversations.
    pub channel_id: Option<String>,
    pub conversation_id: String,
    /// `personal`, `groupChat` or `channel`.
    pub conversation_type: Option<String>,
    /// The user's Entra object id: the identity roles are mapped from.
    pub user_object_id: Option<String>,
    pub user_name: Option<String>,
}

/// The proof that an invocation was authorized, with what it may run as. Only this module
/// constructs one.
#[derive(Clone)]
pub struct Permit {
    credentials: Credentials,
    region: String,
    account: Option<AccountLabel>,
    role_arn: Option<String>,
    channel_key: Option<String>,
    iam_action: Option<String>,
}

/// An account as cards show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLabel {
    pub name: String,
    pub id: String,
}

impl Permit {
    pub(crate) fn new(
        credentials: Credentials,
        region: String,
        account: Option<AccountLabel>,
        role_arn: Option<String>,
    ) -> Self {
        Self {
            credentials,
            region,
            account,
            role_arn,
            channel_key: None,
            iam_action: None,
        }
    }

    /// Adds the channel entry and the IAM action the decision was made for (audit records
    /// show them).
    pub(crate) fn with_context(
        mut self,
        channel_key: impl Into<String>,
        iam_action: impl Into<String>,
    ) -> Self {
        self.channel_key = Some(channel_key.into());
        self.iam_action = Some(iam_action.into());
        self
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
            .field("region", &self.region)
            .field("account", &self.account)
            .field("role_arn", &self.role_arn)
            .field("channel_key", &self.channel_key)
            .field("iam_action", &self.iam_action)
            .finish_non_exhaustive()
    }
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

/// Decides whether `requester` may run `invocation`. Called when a command arrives and again
/// when a form or confirmation for it is submitted (permissions may have changed since).
pub trait Authorizer: Send + Sync + 'static {
    /// A permit, or a refusal naming its layer. When an account must be chosen first this is
    /// a refusal of layer [`DenialLayer::Account`] that tells the user how to choose; the chat
    /// flow calls [`Authorizer::decide`] instead to get the question as data.
    fn authorize<'a>(
        &'a self,
        requester: &'a Requester,
        invocation: &'a Invocation,
    ) -> BoxFuture<'a, Result<Permit, Denial>>;

    /// The same decision for a call the bot makes on the user's behalf to fill a form
    /// (resource choices), which is not an attempt of theirs: no audit record is written.
    fn authorize_for_lookup<'a>(
        &'a self,
        requester: &'a Requester,
        invocation: &'a Invocation,
    ) -> BoxFuture<'a, Result<Permit, Denial>> {
        self.authorize(requester, invocation)
    }

    /// Like [`Authorizer::authorize`], with the account question as data.
    fn decide<'a>(
        &'a self,
        requester: &'a Requester,
        invocation: &'a Invocation,
    ) -> BoxFuture<'a, Decision> {
        Box::pin(async move {
            match self.authorize(requester, invocation).await {
                Ok(permit) => Decision::Permit(permit),
                Err(denial) => Decision::Deny(denial),
            }
        })
    }

    /// The accounts the requester's channel may use and their current choice
    /// (`@aws set default-account` shows them as a card).
    fn account_choices<'a>(
        &'a self,
        _requester: &'a Requester,
    ) -> BoxFuture<'a, Result<AccountQuestion, Denial>> {
        Box::pin(async {
            Err(Denial {
                layer: DenialLayer::Account,
                message:
                    "This bot runs with one set of AWS credentials; there is no account to choose."
                        .into(),
            })
        })
    }

    /// Remembers `account` (a name or a 12-digit id) as the requester's default in this
    /// channel for 7 days.
    fn set_default_account<'a>(
        &'a self,
        _requester: &'a Requester,
        _account: &'a str,
    ) -> BoxFuture<'a, Result<AccountLabel, Denial>> {
        Box::pin(async {
            Err(Denial {
                layer: DenialLayer::Account,
                message:
                    "This bot runs with one set of AWS credentials; there is no account to choose."
                        .into(),
            })
        })
    }
}

/// The local operator: the ambient AWS credentials and region, no channel configuration.
/// This is what `aws-chatops exec` runs as without `--as`/`--channel`; the never-allowed list
/// still applies (the grammar enforces it on every parse).
pub struct LocalOperator {
    engine: std::sync::Arc<crate::aws::Engine>,
    default_region: String,
    /// Fixed credentials instead of the default provider chain (tests against moto).
    fixed_credentials: Option<Credentials>,
}

impl LocalOperator {
    pub fn new(
        engine: std::sync::Arc<crate::aws::Engine>,
        default_region: impl Into<String>,
    ) -> Self {
        Self {
            engine,
            default_region: default_region.into(),
            fixed_credentials: None,
        }
    }

    /// The local operator with fixed credentials rather than the default provider chain.
    pub fn with_credentials(
        engine: std::sync::Arc<crate::aws::Engine>,
        default_region: impl Into<String>,
        credentials: Credentials,
    ) -> Self {
        Self {
            fixed_credentials: Some(credentials),
            ..Self::new(engine, default_region)
        }
    }
}

impl Authorizer for LocalOperator {
    fn authorize<'a>(
        &'a self,
        _requester: &'a Requester,
        invocation: &'a Invocation,
    ) -> BoxFuture<'a, Result<Permit, Denial>> {
        Box::pin(async move {
            let credentials = match &self.fixed_credentials {
                Some(credentials) => credentials.clone(),
                None => self
                    .engine
                    .credentials_from_environment()
                    .await
                    .map_err(|error| Denial {
                        layer: DenialLayer::Credentials,
                        message: format!("No AWS credentials are available to the bot: {error}"),
                    })?,
            };
            let region = invocation
                .globals
                .region
                .clone()
                .unwrap_or_else(|| self.default_region.clone());
            Ok(Permit::new(credentials, region, None, None))
        })
    }
}
