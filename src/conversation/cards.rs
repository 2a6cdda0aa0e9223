//! The parts of cards this conversation assembles from its own state: the command header
//! (title, command line, account, region, role), the confirmation's header, and the cards of
//! a refusal and of a failed call (to AWS or to AWS Support). The card JSON itself is built by `render/`.

use super::Inner;
use crate::aws::support::SupportError;
use crate::aws::AwsError;
use crate::command::{render_command_line, Invocation};
use crate::common::error_chain;
use crate::policy::{Denial, Permit};
use crate::render::{self, Card, CommandHeader};

impl Inner {
    /// The header every card about `invocation` shows; account, region and role come from
    /// the permit once there is one.
    pub(super) fn header(&self, invocation: &Invocation, permit: Option<&Permit>) -> CommandHeader {
        CommandHeader {
            title: format!("{} {}", invocation.service, invocation.cli_operation),
            command_line: Some(render_command_line(invocation, self.models)),
            account: permit.and_then(|p| p.account()).map(|a| {
                if a.name.is_empty() || a.name == a.id {
                    a.id.clone()
                } else {
                    format!("{} ({})", a.name, a.id)
                }
            }),
            region: permit
                .map(|p| p.region().to_owned())
                .or_else(|| invocation.globals.region.clone()),
            role: permit.and_then(|p| p.role_arn()).map(str::to_owned),
            approved_by: None,
            alias: None,
        }
    }

    /// The header of a confirmation: account and role are always named, also when the bot
    /// runs on its own credentials.
    pub(super) fn confirm_header(&self, invocation: &Invocation, permit: &Permit) -> CommandHeader {
        let mut header = self.header(invocation, Some(permit));
        header
            .account
            .get_or_insert_with(|| "the account of the bot's own credentials".to_owned());
        header
            .role
            .get_or_insert_with(|| "the bot's own credentials (no role configured)".to_owned());
        header
    }

    /// The card of a refusal: what was refused, and by which layer.
    pub(super) fn denial_card(&self, invocation: &Invocation, denial: &Denial) -> Card {
        render::error(
            "Not allowed here",
            &denial.message,
            Some(&self.header(invocation, None)),
            Some(&format!("Refused by {}", denial.layer.describe())),
        )
    }
}

/// A call that failed: through the AWS engine, or to AWS Support.
pub(super) enum FailedCall<'a> {
    Aws(&'a AwsError),
    Support(&'a SupportError),
}

impl FailedCall<'_> {
    /// The error card, under the command's `header`. AWS's own refusals and timeouts are shown
    /// as they are; anything else is logged and shown with the correlation id only.
    pub(super) fn card(self, header: &CommandHeader, correlation_id: &str) -> Card {
        let try_again = format!(
            "Try again; if it keeps failing, give your administrator the reference {correlation_id}."
        );
        // (title, text, AWS's answer shown under the text)
        let (title, text, answer) = match self {
            FailedCall::Aws(error @ AwsError::Service { .. }) => (
                "AWS refused the call",
                "AWS answered with the error below. Check the parameters, or ask for the permission it names.".to_owned(),
                Some(error.to_string()),
            ),
            FailedCall::Aws(error @ AwsError::Timeout { .. }) => {
                ("The command took too long", error.to_string(), None)
            }
            FailedCall::Aws(error @ AwsError::NotApplicable { .. }) => {
                ("The command does not apply here", error.to_string(), None)
            }
            FailedCall::Aws(error @ AwsError::EndpointDiscovery { message }) => {
                tracing::warn!(error = %error, correlation_id, "endpoint discovery failed");
                let why = if message.contains("not enabled") {
                    "This service only takes calls at the endpoint it names for each caller, and \
                     the bot's administrator has turned that off (AWS_ENDPOINT_DISCOVERY_ENABLED=false)."
                        .to_owned()
                } else {
                    format!(
                        "This service only takes calls at the endpoint it names for each caller, \
                         and it named none just now. {try_again}"
                    )
                };
                ("AWS could not be reached", format!("{error} {why}"), None)
            }
            FailedCall::Aws(other) => {
                // The details (endpoint URLs, response bodies, SDK internals) go to the log only.
                tracing::error!(error = %error_chain(other), correlation_id, "command failed");
                let what = match other {
                    AwsError::Transport { .. } => "AWS could not be reached".to_owned(),
                    AwsError::Parse { operation, .. } => {
                        format!("The answer of AWS to {operation} could not be read")
                    }
                    AwsError::Credentials { .. } => {
                        "The bot has no usable AWS credentials for this call".to_owned()
                    }
                    shown => shown.to_string(),
                };
                (
                    "The command could not be run",
                    format!("{what}. Nothing more is known here. {try_again}"),
                    None,
                )
            }
            FailedCall::Support(error @ SupportError::SubscriptionRequired { .. }) => (
                "This account cannot open support cases through the API",
                "The AWS Support API needs a Business, Enterprise On-Ramp or Enterprise support plan, and this account's plan does not include it. Open the case in the AWS Support Center instead (https://support.console.aws.amazon.com/support/home#/case/create), or ask your administrator about the support plan.".to_owned(),
                Some(error.to_string()),
            ),
            FailedCall::Support(error @ SupportError::Service { .. }) => (
                "AWS Support refused the call",
                "AWS Support answered with the error below.".to_owned(),
                Some(error.to_string()),
            ),
            FailedCall::Support(error @ SupportError::Call { .. }) => {
                tracing::error!(error = %error, correlation_id, "support call failed");
                ("AWS Support could not be reached", try_again, None)
            }
        };
        render::error(title, &text, Some(header), answer.as_deref())
    }
}
