//! `[access.channels.<key>.approval]`: the IAM action patterns that need a second person in
//! this channel, and who may approve (Entra object ids and/or `"any-other-member"`).

use std::ops::Range;

use serde::Deserialize;
use serde_spanned::Spanned;

use super::problems::Problems;
use crate::policy::approval::{ApprovalRule, Approvers, ANY_OTHER_MEMBER};
use crate::policy::guardrail::ActionPattern;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawApproval {
    actions: Spanned<Vec<Spanned<String>>>,
    approvers: Spanned<Vec<Spanned<String>>>,
}

impl RawApproval {
    /// The rule, or `None` after every mistake in it is reported. `personal` says the entry
    /// is every personal chat, where nobody else could ever click.
    pub(super) fn validate(
        self,
        path: &str,
        personal: Option<Range<usize>>,
        problems: &mut Problems,
    ) -> Option<ApprovalRule> {
        let before = problems.0.len();
        if let Some(span) = personal {
            problems.push(
                Some(span),
                path,
                "approval needs a channel or a group chat: in a personal chat nobody else can click Approve. Remove `approval` here, or configure it on the channel where these commands should run".into(),
            );
        }
        let actions_path = format!("{path}.actions");
        if self.actions.get_ref().is_empty() {
            problems.push(
                Some(self.actions.span()),
                &actions_path,
                "list the IAM actions that need approval, such as \"ec2:TerminateInstances\", \"rds:Delete*\" or \"*:Put*\"".into(),
            );
        }
        let mut actions = Vec::new();
        for action in self.actions.get_ref() {
            match ActionPattern::parse(action.get_ref()) {
                Ok(pattern) => actions.push(pattern),
                Err(reason) => problems.push(
                    Some(action.span()),
                    &actions_path,
                    format!("{:?}: {reason}", action.get_ref()),
                ),
            }
        }
        let approvers = self.approvers(path, problems);
        (problems.0.len() == before).then_some(ApprovalRule { actions, approvers })
    }

    /// `approvers`: Entra object ids (lower-cased) and `"any-other-member"`.
    fn approvers(&self, path: &str, problems: &mut Problems) -> Approvers {
        let approvers_path = format!("{path}.approvers");
        let mut approvers = Approvers::default();
        if self.approvers.get_ref().is_empty() {
            problems.push(
                Some(self.approvers.span()),
                &approvers_path,
                format!("say who may approve: Entra object ids (GUIDs), and/or \"{ANY_OTHER_MEMBER}\" for anyone in the conversation except the requester"),
            );
        }
        for approver in self.approvers.get_ref() {
            let text = approver.get_ref().trim();
            if text == ANY_OTHER_MEMBER {
                approvers.any_other_member = true;
                continue;
            }
            let lowered = text.to_ascii_lowercase();
            if uuid::Uuid::parse_str(&lowered).is_err() || lowered.len() != 36 {
                problems.push(
                    Some(approver.span()),
                    &approvers_path,
                    format!("{text:?} is neither an Entra object id (a GUID such as 3f2b8c1e-0000-0000-0000-000000000000; the bot's refusal message shows each user's) nor \"{ANY_OTHER_MEMBER}\""),
                );
                continue;
            }
            if approvers.object_ids.contains(&lowered) {
                problems.push(
                    Some(approver.span()),
                    &approvers_path,
                    format!("{text:?} is listed twice"),
                );
                continue;
            }
            approvers.object_ids.push(lowered);
        }
        approvers
    }
}
