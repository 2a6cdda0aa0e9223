//! Show logs / Show error logs: the log groups behind an alarm (tag, config mapping, metric
//! filters, Lambda and API Gateway conventions, else a form), a CloudWatch Logs Insights query
//! over the alarm's evaluation window run as the clicking user, and the logs card. Also
//! `logs start-query` typed in chat: the query, then its results.
//!
//! SKELETON (issue 10): the signature is the contract the notification hub calls.

use super::{ClickOutcome, Inner};
use crate::bot::TurnContext;
use crate::notify::message::AlarmNotification;
use crate::policy::Requester;

#[allow(dead_code)] // skeleton (issue 10): called once the notification hub lands
impl Inner {
    /// The answer to a Show logs (`errors_only` false) or Show error logs click on the card of
    /// `alarm`. `configured` is what `[[notifications.log_groups]]` maps the alarm to.
    pub(super) async fn show_logs(
        &self,
        turn: &TurnContext,
        requester: &Requester,
        alarm: &AlarmNotification,
        configured: Option<&[String]>,
        errors_only: bool,
    ) -> ClickOutcome {
        let _ = (turn, requester, alarm, configured, errors_only);
        ClickOutcome::Refuse("Show logs is not available yet.".into())
    }
}

impl Inner {
    /// A click on Show logs, Show error logs (the record id in `data.request`) or a logs
    /// card's Refresh.
    pub(super) async fn logs_click(
        self: &std::sync::Arc<Self>,
        turn: &TurnContext,
        verb: crate::render::Verb,
        data: &serde_json::Value,
    ) -> ClickOutcome {
        let _ = (turn, verb, data);
        ClickOutcome::Refuse("Show logs is not available yet.".into())
    }
}
