//! The approval card of four-eyes approval (B3): a command that waits for a second person,
//! with who asked, who may approve, and Approve / Reject (for approvers) and Withdraw (for
//! the requester).

use serde_json::Value;

use super::elements::{action, action_set, fact};
use super::header::{header_elements, CommandHeader};
use super::Verb;
use crate::render::markdown::escape_markdown;
use crate::render::template::render;
use crate::render::Card;

const APPROVAL: &str = include_str!("../../../adaptive-cards/approval.json");

/// What an approval card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalView {
    pub header: CommandHeader,
    /// The requester's name, as Teams gave it.
    pub requester: String,
    /// Who may approve, in words ("any member of this conversation other than the requester").
    pub approvers: String,
    /// The IAM action pattern of the channel's rule that matched (`ec2:Terminate*`).
    pub rule: String,
    pub request_id: String,
    pub expires_in_minutes: u64,
}

/// Which buttons a view of the approval card offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalButtons {
    /// Approve, Reject and Withdraw: the card everyone sees when the client cannot show
    /// each person their own view (the bot checks every click).
    All,
    /// Approve and Reject: an approver's view.
    Approver,
    /// Withdraw only: the requester's view.
    Requester,
}

/// The approval card with `buttons`.
pub fn approval(view: &ApprovalView, buttons: ApprovalButtons) -> Card {
    let request = view.request_id.as_str();
    let approve = || action("Approve", Verb::Approve, request, Some("positive"), false);
    let reject = || action("Reject", Verb::Reject, request, Some("destructive"), false);
    let withdraw = || action("Withdraw", Verb::Cancel, request, None, false);
    let (name, actions, intro) = match buttons {
        ApprovalButtons::All => (
            "approval",
            vec![approve(), reject(), withdraw()],
            format!(
                "{} asks to run this command. It needs a second person: it runs as {}'s role only after someone else approves it, and only once.",
                view.requester, view.requester
            ),
        ),
        ApprovalButtons::Approver => (
            "approval-approver",
            vec![approve(), reject()],
            format!(
                "{} asks to run this command, and you may approve it. It runs as {}'s role when you choose **Approve**, and only once.",
                view.requester, view.requester
            ),
        ),
        ApprovalButtons::Requester => (
            "approval-requester",
            vec![withdraw()],
            "Your command needs a second person. It runs as your role once someone else approves it; choose **Withdraw** to take it back.".to_owned(),
        ),
    };
    let facts = vec![
        fact("Requested by", &view.requester),
        fact("Approvers", &view.approvers),
        fact("Needs approval because of", &view.rule),
    ];
    let expiry = format!(
        "{} cannot approve their own request. This request expires in {}.",
        view.requester,
        match view.expires_in_minutes {
            1 => "1 minute".to_owned(),
            n => format!("{n} minutes"),
        }
    );
    render(
        name,
        APPROVAL,
        &[
            ("title", Value::String("Approval needed".to_owned())),
            ("intro", Value::String(escape_markdown(&intro))),
            ("header", Value::Array(header_elements(&view.header))),
            ("facts", Value::Array(facts)),
            ("expiry", Value::String(escape_markdown(&expiry))),
            ("actions", Value::Array(vec![action_set(actions)])),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{
        assert_complete, button_titles_and_verbs, buttons, full_header, input_ids, texts,
    };

    fn view() -> ApprovalView {
        ApprovalView {
            header: full_header(),
            requester: "Ada Lovelace".to_owned(),
            approvers: "any member of this conversation other than the requester".to_owned(),
            rule: "kinesis:Update*".to_owned(),
            request_id: "req-7".to_owned(),
            expires_in_minutes: 15,
        }
    }

    #[test]
    fn each_view_offers_its_own_buttons_for_the_request() {
        let titles = |buttons_of: ApprovalButtons| -> Vec<(String, String)> {
            let card = approval(&view(), buttons_of);
            assert_complete(&card);
            for button in buttons(&card) {
                assert_eq!(button["data"]["request"], "req-7");
                assert_eq!(button["data"].as_object().unwrap().len(), 2);
            }
            assert!(input_ids(&card).is_empty());
            button_titles_and_verbs(&card)
        };
        let pair = |t: &str, v: &str| (t.to_owned(), v.to_owned());
        assert_eq!(
            titles(ApprovalButtons::All),
            [
                pair("Approve", "approve"),
                pair("Reject", "reject"),
                pair("Withdraw", "cancel")
            ]
        );
        assert_eq!(
            titles(ApprovalButtons::Approver),
            [pair("Approve", "approve"), pair("Reject", "reject")]
        );
        assert_eq!(
            titles(ApprovalButtons::Requester),
            [pair("Withdraw", "cancel")]
        );
    }

    #[test]
    fn the_card_names_the_command_the_requester_the_approvers_and_the_rule() {
        let card = approval(&view(), ApprovalButtons::All);
        assert_eq!(card.name, "approval");
        let texts = texts(&card);
        assert_eq!(texts[0], "Approval needed");
        assert!(texts.contains(&"kinesis update-shard-count"));
        assert!(texts.last().unwrap().ends_with("expires in 15 minutes."));
        let shown = card.content.to_string();
        for needle in [
            "Requested by",
            "Ada Lovelace",
            "any member of this conversation other than the requester",
            "kinesis:Update*",
            "production (123456789012)",
        ] {
            assert!(shown.contains(needle), "{needle} in {shown}");
        }
    }
}
