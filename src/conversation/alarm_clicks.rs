//! Clicks on a notification card's own buttons: Show chart (rendered again, now), Acknowledge
//! (who, for everyone) and a topic's custom buttons (the command template filled in from the
//! alarm and run by the clicker through the normal path).
//!
//! SKELETON (issue 10): filled in by the notification hub work.

use std::sync::Arc;

use serde_json::Value;

use super::{ClickOutcome, Inner};
use crate::bot::TurnContext;
use crate::render::Verb;

impl Inner {
    /// A click on Show chart, Acknowledge or a topic's button (the record id in
    /// `data.request`, a topic button's index in `data.button`).
    pub(super) async fn alarm_click(
        self: &Arc<Self>,
        turn: &TurnContext,
        verb: Verb,
        data: &Value,
    ) -> ClickOutcome {
        let _ = (turn, verb, data);
        ClickOutcome::Refuse("This button is not available yet.".into())
    }
}
