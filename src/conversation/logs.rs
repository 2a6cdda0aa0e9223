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
