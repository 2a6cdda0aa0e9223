//! Authorizing a pending request's command again when it moves on: a form or summary
//! submitted, an account chosen, or a claimed request about to call AWS. Permissions may have
//! changed since the card was sent, so a refusal now ends the request as Failed and shows the
//! denial card. A command expanded from an alias is authorized naming the alias, so that the
//! refusal's audit record (the authorizer writes it) does too.

use super::pending::{Loaded, PendingRequest, RequestState};
use super::{already_handled, ClickOutcome, Inner};
use crate::bot::MessageRef;
use crate::command::Invocation;
use crate::policy::{Decision, Permit};
use crate::render::Card;

/// When a request is authorized again, which decides how "choose an account first" is told.
#[derive(Clone, Copy)]
pub(super) enum Moment {
    /// A form or summary was submitted: an unchosen account is a refusal like any other.
    Submission,
    /// An account was just chosen on the request's card: being asked again means the choice
    /// was not remembered, and the clicker is asked to choose again (the request stays open).
    AccountChosen,
}

impl Inner {
    /// Authorizes an open request's command again at a click. The permit; or the answer to
    /// the click: the request marked Failed and the denial card for everyone ("already
    /// handled" when another click got there first).
    pub(super) async fn reauthorize_or_fail(
        &self,
        loaded: &Loaded,
        invocation: &Invocation,
        target: &Option<MessageRef>,
        moment: Moment,
    ) -> Result<Permit, ClickOutcome> {
        let requester = loaded.request.requester.to_requester();
        let alias = loaded.request.alias.as_deref();
        let authorizer = &self.authorizer;
        let denial = match moment {
            Moment::Submission => match authorizer
                .authorize_via_alias(&requester, invocation, alias)
                .await
            {
                Ok(permit) => return Ok(permit),
                Err(denial) => denial,
            },
            Moment::AccountChosen => match authorizer
                .decide_via_alias(&requester, invocation, alias)
                .await
            {
                Decision::Permit(permit) => return Ok(permit),
                Decision::Deny(denial) => denial,
                Decision::ChooseAccount(_) => {
                    return Err(ClickOutcome::Refuse(
                        "That account could not be remembered; choose again.".to_owned(),
                    ))
                }
            },
        };
        Err(
            match self.claim(loaded, |r| r.state = RequestState::Failed).await {
                Some(_) => ClickOutcome::Update {
                    card: self.denial_card(invocation, &denial),
                    target: target.clone(),
                    then: None,
                },
                None => already_handled(),
            },
        )
    }

    /// Authorizes a claimed (Running) request's command again just before its call. The
    /// permit, or the denial card; the caller stores the Failed state with the request's
    /// other final states.
    pub(super) async fn reauthorize_running(
        &self,
        claimed: &PendingRequest,
        invocation: &Invocation,
    ) -> Result<Permit, Card> {
        let requester = claimed.requester.to_requester();
        self.authorizer
            .authorize_via_alias(&requester, invocation, claimed.alias.as_deref())
            .await
            .map_err(|denial| self.denial_card(invocation, &denial))
    }
}
