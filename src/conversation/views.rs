//! User-specific views in channels (Universal Actions `refresh`): a form, confirmation or
//! denial is posted as a one-line status for everyone, refreshed into the full card only for
//! its requester; an approval card is refreshed into the requester's view (Withdraw), an
//! approver's view (Approve / Reject) or the status line for anyone else. The views live in
//! the store under the card's id; a refresh is answered from there for whoever asks, checked
//! by their Entra object id. Personal and group chats keep one card for everyone.

use crate::conversation::click::clicked_request;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::pending::{StoredRequester, TOMBSTONE};
use super::{requester_of, ClickOutcome, Inner};
use crate::bot::{MessageRef, TurnContext};
use crate::policy::approval::Approvers;
use crate::render::{self, Card};
use crate::store::{get_json, put_json};

/// The store namespace of the views of cards posted in channels.
pub const VIEWS_NAMESPACE: &str = "card-views";

/// The views of one card.
#[derive(Debug, Serialize, Deserialize)]
struct StoredViews {
    owner: StoredRequester,
    /// The requester's card.
    full: Value,
    /// The one-line card everyone else sees.
    others: Value,
    /// An approval card's approver view and who may approve (as configured when it was posted;
    /// the click checks the configuration in force).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    approval: Option<ApproverView>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ApproverView {
    card: Value,
    object_ids: Vec<String>,
    any_other_member: bool,
}

/// The approver's side of an approval card's views.
pub(super) struct ApprovalViews {
    pub approver_card: Card,
    pub approvers: Approvers,
}

impl Inner {
    /// Whether cards in this turn's conversation get user-specific views: a channel, with
    /// the sender's MRI to list in `userIds`, when views are on.
    fn views_apply(&self, turn: &TurnContext) -> Option<String> {
        let activity = turn.activity();
        let in_channel = activity
            .conversation
            .as_ref()
            .and_then(|c| c.conversation_type.as_deref())
            == Some("channel");
        let mri = activity.from.as_ref().map(|f| f.id.clone())?;
        (self.user_specific_views && in_channel && mri.starts_with("29:")).then_some(mri)
    }

    /// The card to post for `full`, which is the sender's business: in a channel, the
    /// others' one-line `line`, refreshed into `full` for the sender; elsewhere `full`.
    pub(super) async fn private_card(
        &self,
        turn: &TurnContext,
        view_id: &str,
        full: Card,
        line: &str,
    ) -> Card {
        let Some(mri) = self.views_apply(turn) else {
            return full;
        };
        let others = render::others_view(line, view_id, Some(std::slice::from_ref(&mri)));
        let views = StoredViews {
            owner: requester_of(turn),
            full: full.content.clone(),
            others: others.content.clone(),
            approval: None,
        };
        if self.store_views(view_id, &views).await {
            others
        } else {
            full
        }
    }

    /// The card to post for an approval: in a channel, the card with every button, refreshed
    /// for everyone into their own view; elsewhere `all`.
    pub(super) async fn approval_views(
        &self,
        turn: &TurnContext,
        view_id: &str,
        all: Card,
        requester_card: Card,
        line: &str,
        approver: ApprovalViews,
    ) -> Card {
        if self.views_apply(turn).is_none() {
            return all;
        }
        let views = StoredViews {
            owner: requester_of(turn),
            full: requester_card.content,
            others: render::others_view(line, view_id, None).content,
            approval: Some(ApproverView {
                card: approver.approver_card.content,
                object_ids: approver.approvers.object_ids,
                any_other_member: approver.approvers.any_other_member,
            }),
        };
        // The approvers' MRIs are unknown (the config names object ids), so the card is
        // refreshed for everyone and each refresh is answered by who asks.
        if self.store_views(view_id, &views).await {
            render::with_refresh(all, view_id, None)
        } else {
            all
        }
    }

    /// Makes `card` the requester's view of the card `view_id` (a form shown again with what
    /// was wrong), so that a later refresh shows it rather than the form as first posted.
    /// Nothing happens for a card posted without views.
    pub(super) async fn replace_requester_view(&self, view_id: &str, card: &Card) {
        let store = self.pending.store().as_ref();
        let views: Option<StoredViews> = match get_json(store, VIEWS_NAMESPACE, view_id).await {
            Ok(views) => views,
            Err(error) => {
                tracing::warn!(error = %crate::common::error_chain(&error), "card views could not be read");
                return;
            }
        };
        if let Some(mut views) = views {
            views.full = card.content.clone();
            self.store_views(view_id, &views).await;
        }
    }

    /// A form shown again to the requester with what was wrong: for the clicker now, and as
    /// the requester's view of the card from now on (see [`Inner::replace_requester_view`]).
    pub(super) async fn form_again(
        &self,
        view_id: &str,
        card: Card,
        target: Option<MessageRef>,
    ) -> ClickOutcome {
        self.replace_requester_view(view_id, &card).await;
        ClickOutcome::ClickerOnly { card, target }
    }

    async fn store_views(&self, view_id: &str, views: &StoredViews) -> bool {
        let ttl = self.request_ttl + TOMBSTONE;
        match put_json(
            self.pending.store().as_ref(),
            VIEWS_NAMESPACE,
            view_id,
            views,
            Some(ttl),
        )
        .await
        {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(error = %crate::common::error_chain(&error), "card views not stored; the full card is posted");
                false
            }
        }
    }

    /// A refresh (or the Open button): the clicker's own view of the card, for them only.
    /// Through the Action.Submit fallback, the requester's Open shows the full card to
    /// everyone, as cards were before user-specific views.
    pub(super) async fn refresh_view(&self, turn: &TurnContext, data: &Value) -> ClickOutcome {
        let id = clicked_request(data);
        let views: Option<StoredViews> = match get_json(
            self.pending.store().as_ref(),
            VIEWS_NAMESPACE,
            id,
        )
        .await
        {
            Ok(views) => views,
            Err(error) => {
                tracing::error!(error = %crate::common::error_chain(&error), "card views could not be read");
                None
            }
        };
        let Some(views) = views else {
            return ClickOutcome::Refuse(
                "This card is no longer available. Send the command again to start over."
                    .to_owned(),
            );
        };
        let activity = turn.activity();
        let clicking_user_id = activity.from.as_ref().map(|f| f.id.as_str());
        let clicker = turn.user_aad_object_id();
        let content = if views.owner.is(clicker, clicking_user_id) {
            views.full
        } else {
            match views.approval {
                Some(approval)
                    if Approvers {
                        object_ids: approval.object_ids.clone(),
                        any_other_member: approval.any_other_member,
                    }
                    .may_approve(views.owner.who.user_object_id.as_deref(), clicker) =>
                {
                    approval.card
                }
                _ => views.others,
            }
        };
        let target = match self.pending.card(id).await {
            Some(target) => Some(target),
            None => activity
                .reply_to_id
                .as_deref()
                .and_then(|reply_to| MessageRef::in_conversation_of(activity, reply_to)),
        };
        ClickOutcome::ClickerOnly {
            card: Card {
                name: "refreshed-view",
                content,
            },
            target,
        }
    }
}
