//! `describe-alarms` (and `describe-alarms-for-metric`) as people read alarms: one section per
//! alarm with its state, reason, last change and chart, and Show logs / Show error logs.
//!
//! SKELETON (issue 10): the signature is the contract; the layout is filled in by the charts
//! work.

use serde_json::json;

use super::{CommandHeader, LabeledChart, NotificationButton};
use crate::notify::message::AlarmState;
use crate::render::Card;

/// One alarm of a describe-alarms answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmSection {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    pub updated_millis: Option<i64>,
    pub chart: Option<LabeledChart>,
    pub buttons: Vec<NotificationButton>,
}

/// The alarms card: `sections` in the service's order and how many alarms were left out.
pub fn alarm_list(header: &CommandHeader, sections: &[AlarmSection], omitted: usize) -> Card {
    let _ = (header, sections, omitted);
    Card {
        name: "alarm-list",
        content: json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [],
        }),
    }
}
