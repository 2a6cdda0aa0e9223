//! The server-side record behind every alarm button (Show logs, Show error logs, Show chart,
//! Acknowledge, a topic's own buttons): a card carries only the record's unguessable id, and a
//! click reads the alarm from here, never from the card. Records are written when a
//! notification is posted or a describe-alarms answer shows an alarm, and kept 30 days.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::pending::{is_well_formed, new_request_id};
use super::Inner;
use crate::notify::message::AlarmNotification;
use crate::store::{self, StoreError, StoreResult};

/// The store namespace of alarm records.
pub const ALARM_RECORDS_NAMESPACE: &str = "alarm-records";

/// How long a record (and so the buttons of its card) stays usable.
pub const ALARM_RECORD_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// Why a clicked alarm record cannot be used; each kind of button words the refusal itself.
#[derive(Debug)]
pub(super) enum UnusableRecord {
    /// Unknown, expired or malformed id.
    Unknown,
    /// The click came from another conversation than the card's.
    OtherConversation,
    /// The store could not be read.
    Unreadable(StoreError),
}

/// What a click on an alarm button needs to know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRecord {
    pub alarm: AlarmNotification,
    /// The `[notifications.topics.<name>]` it came through; `None` for a describe-alarms answer.
    pub topic: Option<String>,
    /// The conversation whose card carries the buttons: clicks from elsewhere are refused.
    pub conversation_id: String,
    /// Who acknowledged it, and when (milliseconds since the epoch).
    pub acknowledged: Option<(String, i64)>,
    /// The notification card it belongs to (`None` for a describe-alarms answer, and in
    /// records written before the record carried it: those have an `alarm-cards` entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<AlarmCardPointer>,
}

/// Leads from an alarm record (a click) to the state of its notification card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmCardPointer {
    /// The `[access.channels]` key the card was posted for.
    pub channel: String,
    /// The card state's key in the notification threads namespace.
    pub state_key: String,
}

impl Inner {
    /// Stores `record` under a new id and returns the id.
    pub(super) async fn save_alarm_record(&self, record: &AlarmRecord) -> StoreResult<String> {
        let id = new_request_id();
        self.replace_alarm_record(&id, record).await?;
        Ok(id)
    }

    /// Writes `record` under an existing id (an acknowledgement, a new state).
    pub(super) async fn replace_alarm_record(
        &self,
        id: &str,
        record: &AlarmRecord,
    ) -> StoreResult<()> {
        store::put_json(
            self.pending.store().as_ref(),
            ALARM_RECORDS_NAMESPACE,
            id,
            record,
            Some(ALARM_RECORD_TTL),
        )
        .await
    }

    /// The record `id` names; `None` for an unknown, expired or malformed id.
    pub(super) async fn alarm_record(&self, id: &str) -> StoreResult<Option<AlarmRecord>> {
        if !is_well_formed(id) {
            return Ok(None);
        }
        store::get_json(self.pending.store().as_ref(), ALARM_RECORDS_NAMESPACE, id).await
    }

    /// The record a click names, provided the click comes from the record's conversation.
    pub(super) async fn clicked_alarm_record(
        &self,
        clicked_in: Option<&str>,
        id: &str,
    ) -> Result<AlarmRecord, UnusableRecord> {
        let record = self
            .alarm_record(id)
            .await
            .map_err(UnusableRecord::Unreadable)?
            .ok_or(UnusableRecord::Unknown)?;
        if !same_conversation(clicked_in, &record.conversation_id) {
            return Err(UnusableRecord::OtherConversation);
        }
        Ok(record)
    }
}

/// Whether a click from `clicked` comes from the conversation `expected` names. A channel
/// thread's id carries `;messageid=…` of its first message; the channel is what counts.
pub(super) fn same_conversation(clicked: Option<&str>, expected: &str) -> bool {
    let base = |id: &str| id.split(';').next().unwrap_or_default().to_owned();
    clicked.is_some_and(|clicked| !expected.is_empty() && base(clicked) == base(expected))
}

#[cfg(test)]
mod tests {
    use super::same_conversation;

    #[test]
    fn clicks_count_from_the_cards_channel_or_thread_only() {
        let card = "19:ops@thread.tacv2;messageid=17";
        assert!(same_conversation(Some(card), card));
        assert!(same_conversation(Some("19:ops@thread.tacv2"), card));
        assert!(same_conversation(
            Some(card),
            "19:ops@thread.tacv2;messageid=9"
        ));
        assert!(!same_conversation(
            Some("19:other@thread.tacv2;messageid=17"),
            card
        ));
        assert!(!same_conversation(None, card));
        assert!(!same_conversation(Some("19:ops@thread.tacv2"), ""));
    }
}
