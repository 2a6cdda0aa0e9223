//! What the audit log is told about policy's values: a [`Requester`] becomes the record's
//! subject (with the ids as the config file writes them) and a [`Permit`] its grant. These
//! conversions live here so that `audit` depends on nothing in `policy`.

use super::roles::as_configured;
use super::{DenialLayer, Permit, Requester};
use crate::audit::{AuditConversation, AuditGrant, AuditRunAs, AuditSubject, AuditUser};

impl From<&Requester> for AuditSubject {
    fn from(requester: &Requester) -> Self {
        let configured = as_configured(requester);
        AuditSubject {
            conversation: AuditConversation {
                tenant_id: configured.tenant_id,
                team_id: configured.team_id,
                channel_id: configured.channel_id,
                conversation_id: configured.conversation_id,
            },
            user: AuditUser {
                user_object_id: configured.user_object_id,
                user_name: configured.user_name,
            },
        }
    }
}

impl From<&Permit> for AuditGrant {
    fn from(permit: &Permit) -> Self {
        AuditGrant {
            run_as: AuditRunAs {
                account_name: permit.account().map(|account| account.name.clone()),
                account_id: permit.account().map(|account| account.id.clone()),
                role_arn: permit.role_arn().map(str::to_owned),
            },
            region: permit.region().to_owned(),
            channel_key: permit.channel_key().map(str::to_owned),
            iam_action: permit.iam_action().map(str::to_owned),
        }
    }
}

/// An audit record names a refusing layer by its stable name (`guardrail`).
impl AsRef<str> for DenialLayer {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_reply_is_recorded_with_its_channel_conversation() {
        let requester = Requester {
            tenant_id: Some("72f988bf-86f1-41af-91ab-2d7cd011db47".into()),
            team_id: None,
            channel_id: None,
            conversation_id: "19:ops@thread.tacv2;messageid=1".into(),
            conversation_type: Some("channel".into()),
            user_object_id: Some("3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f".into()),
            user_name: Some("Alice Example".into()),
        };
        let subject = AuditSubject::from(&requester);
        assert_eq!(subject.conversation.conversation_id, "19:ops@thread.tacv2");
        assert_eq!(
            subject.conversation.channel_id.as_deref(),
            Some("19:ops@thread.tacv2")
        );
        assert_eq!(subject.user.user_name.as_deref(), Some("Alice Example"));
        assert_eq!(DenialLayer::Guardrail.as_ref(), "guardrail");
    }
}
