//! Alarm charts: the metric data of an alarm fetched with `GetMetricData` as the person (or,
//! for a posted notification, the channel) it is shown to, drawn to PNG, and made into an image
//! a card can show (a URL under `AWS_CHATOPS_PUBLIC_URL`, an inline image, or a sparkline).
//!
//! SKELETON (issue 10): the signatures are the contract the notification hub calls.

use super::Inner;
use crate::notify::message::AlarmNotification;
use crate::policy::Requester;
use crate::render::LabeledChart;

/// Whose permissions a chart's data is fetched with.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)] // skeleton (issue 10)
pub(super) enum Acting<'a> {
    /// The person who asked (describe-alarms, Show chart).
    User(&'a Requester),
    /// A channel a notification is posted to, as its channel role (`[access.channels.<key>]`).
    Channel { key: &'a str },
}

#[allow(dead_code)] // skeleton (issue 10): called once the notification hub lands
impl Inner {
    /// The charts of `alarm`: one for a metric or metric-math alarm, one per triggering child
    /// (at most 3) for a composite. A chart that cannot be made says why
    /// ([`crate::render::chart::ChartImage::Unavailable`]).
    pub(super) async fn alarm_charts(
        &self,
        acting: Acting<'_>,
        alarm: &AlarmNotification,
    ) -> Vec<LabeledChart> {
        let _ = (acting, alarm);
        Vec::new()
    }
}
