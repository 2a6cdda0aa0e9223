//! One card per alarm (or custom-notification thread) per channel: its state in the store
//! under the channel and the notification's `thread_key()` — the posted card, its alarm
//! record, history and charts — created and changed only with compare-and-swap, so that two
//! deliveries of the same alarm, on one replica or two, never post two cards. Within a
//! process, deliveries of one key also take turns (a lock per key), so updates reach the
//! Connector in the order they were decided.

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

pub(in crate::conversation) use super::cas::{read_json, swap_json, update_json};
use super::posting::Context;
use super::{HubError, NotificationHub};
use crate::bot::MessageRef;
use crate::common::now_millis;
pub(in crate::conversation) use crate::conversation::alarm_records::AlarmCardPointer;
use crate::conversation::alarm_records::{
    same_conversation, AlarmRecord, ALARM_RECORDS_NAMESPACE, ALARM_RECORD_TTL,
};
use crate::conversation::charts::Acting;
use crate::notify::message::{AlarmNotification, AlarmState, Notification};
use crate::policy::config::NotificationsConfig;
use crate::render::chart::ChartImage;
use crate::render::{self, Card, LabeledChart, NotificationButton, NotificationView, Verb};
use crate::store::{Record, Store, StoreResult, Swap};

/// The store namespace of the per-channel card states.
pub(in crate::conversation) const THREADS_NAMESPACE: &str = "notification-threads";
/// The store namespace that led from an alarm record to its card's state before the record
/// carried it ([`AlarmRecord::card`]); read for records written then, never written now.
pub(in crate::conversation) const ALARM_CARDS_NAMESPACE: &str = "alarm-cards";
/// A claim to post a card that is older than this was left by a replica that died.
const CLAIM_TIMEOUT_MS: i64 = 2 * 60 * 1000;
/// How many compare-and-swap attempts a change makes before giving up.
pub(super) const MAX_ATTEMPTS: usize = 16;
/// History lines kept on a card.
const MAX_HISTORY: usize = 10;

/// The card of one alarm (or custom thread) in one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(in crate::conversation) struct ThreadState {
    /// Where the card is; `None` while the delivery that claimed it posts it.
    pub card: Option<MessageRef>,
    pub claimed_at_ms: i64,
    /// The alarm record behind the card's buttons (alarms only).
    pub record: Option<String>,
    /// The `[notifications.topics.<name>]` it came through (its buttons).
    pub topic: String,
    /// What the card shows.
    pub latest: Notification,
    /// State changes, newest first ([`render::state_change_text`] lines).
    pub history: Vec<String>,
    pub charts: Vec<StoredChart>,
    /// Bumped by every notification applied; the card shows `revision` once settled.
    pub revision: u64,
    /// Notifications that arrived while another replica was posting the card: their thread
    /// replies go out once the card exists.
    pub pending: Vec<Notification>,
}

/// A [`LabeledChart`] as the store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub(in crate::conversation) enum StoredChart {
    Url {
        label: String,
        url: String,
        alt: String,
    },
    DataUri {
        label: String,
        uri: String,
        alt: String,
    },
    Sparkline {
        label: String,
        text: String,
        alt: String,
    },
    Unavailable {
        label: String,
        reason: String,
    },
}

impl StoredChart {
    pub(in crate::conversation) fn from_chart(chart: &LabeledChart) -> StoredChart {
        let label = chart.label.clone();
        match chart.image.clone() {
            ChartImage::Url { url, alt } => StoredChart::Url { label, url, alt },
            ChartImage::DataUri { uri, alt } => StoredChart::DataUri { label, uri, alt },
            ChartImage::Sparkline { text, alt } => StoredChart::Sparkline { label, text, alt },
            ChartImage::Unavailable { reason } => StoredChart::Unavailable { label, reason },
        }
    }

    fn to_chart(&self) -> LabeledChart {
        let (label, image) = match self.clone() {
            StoredChart::Url { label, url, alt } => (label, ChartImage::Url { url, alt }),
            StoredChart::DataUri { label, uri, alt } => (label, ChartImage::DataUri { uri, alt }),
            StoredChart::Sparkline { label, text, alt } => {
                (label, ChartImage::Sparkline { text, alt })
            }
            StoredChart::Unavailable { label, reason } => {
                (label, ChartImage::Unavailable { reason })
            }
        };
        LabeledChart { label, image }
    }
}

impl ThreadState {
    fn claim(topic: &str, notification: &Notification) -> ThreadState {
        ThreadState {
            card: None,
            claimed_at_ms: now_millis() as i64,
            record: None,
            topic: topic.to_owned(),
            latest: notification.clone(),
            history: history_line(notification).into_iter().collect(),
            charts: Vec::new(),
            revision: 1,
            pending: Vec::new(),
        }
    }

    fn claim_expired(&self) -> bool {
        now_millis() as i64 - self.claimed_at_ms > CLAIM_TIMEOUT_MS
    }

    /// Takes a later notification of the same thread in: the history, and what the card
    /// shows when it is the newest state of the alarm (SNS may deliver out of order).
    fn apply(&mut self, notification: &Notification) {
        self.revision += 1;
        if let Some(line) = history_line(notification) {
            self.history.insert(0, line);
            self.history.truncate(MAX_HISTORY);
        }
        if let (Notification::Alarm(new), Notification::Alarm(shown)) = (notification, &self.latest)
        {
            if new.changed_at_millis >= shown.changed_at_millis {
                self.latest = notification.clone();
            }
        }
    }

    /// The alarm the card shows, if it is an alarm card.
    pub(in crate::conversation) fn alarm(&self) -> Option<&AlarmNotification> {
        match &self.latest {
            Notification::Alarm(alarm) => Some(alarm),
            _ => None,
        }
    }
}

/// The history line of an alarm's state change.
fn history_line(notification: &Notification) -> Option<String> {
    match notification {
        Notification::Alarm(alarm) => Some(render::state_change_text(
            alarm.old_state,
            alarm.new_state,
            alarm.changed_at_millis,
        )),
        _ => None,
    }
}

/// The store key of `thread` in channel `channel`: the thread key is hashed because it is an
/// ARN or a publisher's text.
pub(super) fn state_key(channel: &str, thread: &str) -> String {
    let digest = sha2::Sha256::digest(thread.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{channel}:{hex}")
}

/// A card state as the store keeps it (and a compare-and-swap expects it).
fn state_bytes(state: &ThreadState) -> Vec<u8> {
    serde_json::to_vec(state).expect("our state types always serialise")
}

/// `HH:MM UTC` of a time in milliseconds since the epoch.
pub(in crate::conversation) fn utc_time(at_millis: i64) -> String {
    let minutes = at_millis.div_euclid(60_000).rem_euclid(24 * 60);
    format!("{:02}:{:02} UTC", minutes / 60, minutes % 60)
}

/// The card of a thread state: the notification, its charts and history, and for an alarm
/// its buttons (Show logs, Show error logs, Show chart, Acknowledge, then the topic's own)
/// and who acknowledged it.
pub(in crate::conversation) fn card_of_record(
    config: &NotificationsConfig,
    state: &ThreadState,
    record: Option<(&str, &AlarmRecord)>,
) -> Card {
    let charts: Vec<LabeledChart> = state.charts.iter().map(StoredChart::to_chart).collect();
    let mut buttons = Vec::new();
    let mut acknowledged = None;
    if let Some((id, record)) = record {
        let button = |title: &str, verb, index| NotificationButton {
            title: title.to_owned(),
            verb,
            record: id.to_owned(),
            index,
        };
        buttons.push(button("Show logs", Verb::ShowLogs, None));
        buttons.push(button("Show error logs", Verb::ShowErrorLogs, None));
        buttons.push(button("Show chart", Verb::ShowChart, None));
        buttons.push(button("Acknowledge", Verb::Acknowledge, None));
        if let Some(topic) = config.topics.get(&state.topic) {
            for (index, custom) in topic.buttons.iter().enumerate() {
                buttons.push(button(&custom.label, Verb::RunButton, Some(index)));
            }
        }
        acknowledged = record
            .acknowledged
            .as_ref()
            .map(|(who, at)| format!("{who} at {}", utc_time(*at)));
    }
    render::notification(&NotificationView {
        notification: &state.latest,
        topic: &state.topic,
        charts: &charts,
        buttons: &buttons,
        acknowledged_by: acknowledged.as_deref(),
        history: &state.history,
    })
}

impl NotificationHub {
    pub(super) fn store(&self) -> &dyn Store {
        self.inner.pending.store().as_ref()
    }

    /// A notification with a thread key in one channel: the first posts the card (a new
    /// thread), the next ones update it in place and reply in its thread.
    pub(super) async fn deliver_threaded(
        &self,
        ctx: &Context<'_>,
        notification: &Notification,
        thread: &str,
    ) -> Result<(), HubError> {
        let key = state_key(ctx.key, thread);
        let _turn = self.locks.lock(&key).await;
        for _ in 0..MAX_ATTEMPTS {
            let current = read_json::<ThreadState>(self.store(), THREADS_NAMESPACE, &key).await?;
            let (expected, mut next) = match current {
                None if ctx.flooded => {
                    return self.add_to_digest(ctx.key, ctx.place, notification).await
                }
                None => (None, ThreadState::claim(&ctx.topic.name, notification)),
                Some((bytes, state)) if state.card.is_none() && state.claim_expired() => {
                    // The replica that claimed it died before posting: post it now.
                    let mut claim = ThreadState::claim(&ctx.topic.name, &state.latest);
                    claim.history = state.history.clone();
                    claim.apply(notification);
                    (Some(bytes), claim)
                }
                Some((bytes, mut state)) if state.card.is_none() => {
                    // Another replica is posting the card; it sends this change when done.
                    state.apply(notification);
                    state.pending.push(notification.clone());
                    if self.swap_state(&key, Some(bytes), &state).await? {
                        return Ok(());
                    }
                    continue;
                }
                Some((bytes, mut state)) => {
                    state.apply(notification);
                    if !self.swap_state(&key, Some(bytes), &state).await? {
                        continue;
                    }
                    return self.show_change(ctx, &key, state, notification).await;
                }
            };
            next.claimed_at_ms = now_millis() as i64;
            let claimed = state_bytes(&next);
            if self
                .swap_state_bytes(&key, expected, claimed.clone())
                .await?
            {
                return self.post_thread_card(ctx, &key, next, claimed).await;
            }
        }
        Err(HubError::Contended)
    }

    async fn swap_state(
        &self,
        key: &str,
        expected: Option<Vec<u8>>,
        state: &ThreadState,
    ) -> StoreResult<bool> {
        self.swap_state_bytes(key, expected, state_bytes(state))
            .await
    }

    /// [`swap_state`](Self::swap_state) with the new state already serialised.
    async fn swap_state_bytes(
        &self,
        key: &str,
        expected: Option<Vec<u8>>,
        state: Vec<u8>,
    ) -> StoreResult<bool> {
        let swap = Swap {
            expected,
            new: Some(Record::expiring(state, ALARM_RECORD_TTL)),
        };
        self.store()
            .compare_and_swap(THREADS_NAMESPACE, key, swap)
            .await
    }

    /// Posts the card of a thread this delivery claimed (`claimed`: the state as swapped in):
    /// its alarm record first, which also leads a click to this card's state, and its charts
    /// (the buttons carry the record's id), then the card, then the state learns where it is.
    async fn post_thread_card(
        &self,
        ctx: &Context<'_>,
        key: &str,
        mut claim: ThreadState,
        claimed: Vec<u8>,
    ) -> Result<(), HubError> {
        let mut record = None;
        if let Some(alarm) = claim.alarm().cloned() {
            let stored = AlarmRecord {
                alarm: alarm.clone(),
                topic: Some(ctx.topic.name.clone()),
                conversation_id: ctx.place.conversation_id().to_owned(),
                acknowledged: None,
                card: Some(AlarmCardPointer {
                    channel: ctx.key.to_owned(),
                    state_key: key.to_owned(),
                }),
            };
            let id = self.inner.save_alarm_record(&stored).await?;
            let charts = self
                .inner
                .alarm_charts(Acting::Channel { key: ctx.key }, &alarm)
                .await;
            claim.charts = charts.iter().map(StoredChart::from_chart).collect();
            claim.record = Some(id.clone());
            record = Some((id, stored));
        }
        let config = self.config();
        let card = card_of_record(
            &config,
            &claim,
            record.as_ref().map(|(id, record)| (id.as_str(), record)),
        );
        let posted = match self.post_card(ctx.place, &card).await {
            Ok(posted) => posted,
            Err(error) => {
                // Let the next notification of this alarm try again from the start.
                self.release_claim(key).await;
                return Err(error);
            }
        };
        tracing::info!(
            message_id = ctx.message_id,
            channel = ctx.key,
            conversation_id = posted.conversation.id,
            "notification card posted"
        );
        if let Some((id, stored)) = &record {
            // A channel's new thread is `<channel>;messageid=<card>`, which clicks from the
            // channel's id already match; the record follows only a conversation elsewhere.
            if !same_conversation(Some(&posted.conversation.id), &stored.conversation_id) {
                self.follow_conversation(id, &posted).await?;
            }
        }
        self.settle(key, posted, claim, claimed).await
    }

    /// The record's clicks come from the card's conversation, where the Connector put it.
    async fn follow_conversation(&self, id: &str, posted: &MessageRef) -> Result<(), HubError> {
        let conversation = posted.conversation.id.clone();
        update_json(
            self.store(),
            ALARM_RECORDS_NAMESPACE,
            id,
            ALARM_RECORD_TTL,
            |record: &mut AlarmRecord| {
                record.conversation_id = conversation.clone();
                Ok::<(), ()>(())
            },
        )
        .await?;
        Ok(())
    }

    /// Removes a claim whose card could not be posted.
    async fn release_claim(&self, key: &str) {
        let current = read_json::<ThreadState>(self.store(), THREADS_NAMESPACE, key).await;
        if let Ok(Some((bytes, state))) = current {
            if state.card.is_none() {
                let _ = swap_json::<ThreadState>(
                    self.store(),
                    THREADS_NAMESPACE,
                    key,
                    Some(bytes),
                    None,
                    ALARM_RECORD_TTL,
                )
                .await;
            }
        }
    }

    /// Records where the posted card is; what arrived meanwhile (from another replica) is
    /// shown then: the card updated, the pending thread replies sent.
    /// `claimed` is the state as this delivery swapped it in: most often nothing changed it
    /// meanwhile, and one compare-and-swap from it settles the card without reading it again.
    async fn settle(
        &self,
        key: &str,
        posted: MessageRef,
        shown: ThreadState,
        claimed: Vec<u8>,
    ) -> Result<(), HubError> {
        let mut known = Some((claimed, shown.clone()));
        for _ in 0..MAX_ATTEMPTS {
            let current = match known.take() {
                Some(known) => Some(known),
                None => read_json::<ThreadState>(self.store(), THREADS_NAMESPACE, key).await?,
            };
            let Some((bytes, mut state)) = current else {
                return Ok(());
            };
            state.card = Some(posted.clone());
            state.record = shown.record.clone();
            state.charts = shown.charts.clone();
            let pending = std::mem::take(&mut state.pending);
            if !self.swap_state(key, Some(bytes), &state).await? {
                continue;
            }
            if state.revision > shown.revision {
                let card = self.card_of_state(&state).await?;
                self.update_card(&posted, &card).await?;
            }
            for notification in &pending {
                self.thread_reply(&posted, &state, notification).await?;
            }
            return Ok(());
        }
        Err(HubError::Contended)
    }

    /// The card of `state` with its alarm record as stored now.
    pub(super) async fn card_of_state(&self, state: &ThreadState) -> Result<Card, HubError> {
        let record = match &state.record {
            Some(id) => self.inner.alarm_record(id).await?.map(|r| (id.clone(), r)),
            None => None,
        };
        Ok(card_of_record(
            &self.config(),
            state,
            record.as_ref().map(|(id, record)| (id.as_str(), record)),
        ))
    }

    /// A new state of an alarm whose card exists: the record follows it, the chart is drawn
    /// again (not during a flood), the card is updated in place and the thread gets a short
    /// reply ("OK → ALARM at 10:42 UTC"), or the digest a line during a flood.
    async fn show_change(
        &self,
        ctx: &Context<'_>,
        key: &str,
        mut state: ThreadState,
        notification: &Notification,
    ) -> Result<(), HubError> {
        let Some(card_ref) = state.card.clone() else {
            return Ok(());
        };
        if let (Some(alarm), Some(id)) = (state.alarm().cloned(), state.record.clone()) {
            let record = self.follow_alarm(&id, &alarm).await?;
            if !ctx.flooded {
                let charts = self
                    .inner
                    .alarm_charts(Acting::Channel { key: ctx.key }, &alarm)
                    .await;
                let charts: Vec<StoredChart> = charts.iter().map(StoredChart::from_chart).collect();
                state.charts = charts.clone();
                update_json(
                    self.store(),
                    THREADS_NAMESPACE,
                    key,
                    ALARM_RECORD_TTL,
                    |stored: &mut ThreadState| {
                        stored.charts = charts.clone();
                        Ok::<(), ()>(())
                    },
                )
                .await?;
            }
            let card = card_of_record(
                &self.config(),
                &state,
                record.as_ref().map(|record| (id.as_str(), record)),
            );
            self.update_card(&card_ref, &card).await?;
        }
        if ctx.flooded {
            return self.add_to_digest(ctx.key, ctx.place, notification).await;
        }
        self.thread_reply(&card_ref, &state, notification).await
    }

    /// The alarm record follows the alarm's newest state; a new incident (into ALARM from
    /// another state) clears the acknowledgement of the last one. The record as it is now
    /// (`None` when it expired).
    async fn follow_alarm(
        &self,
        id: &str,
        alarm: &AlarmNotification,
    ) -> Result<Option<AlarmRecord>, HubError> {
        let followed = update_json(
            self.store(),
            ALARM_RECORDS_NAMESPACE,
            id,
            ALARM_RECORD_TTL,
            |record: &mut AlarmRecord| {
                let new_incident = alarm.new_state == AlarmState::Alarm
                    && record.alarm.new_state != AlarmState::Alarm;
                if new_incident {
                    record.acknowledged = None;
                }
                record.alarm = alarm.clone();
                Ok::<(), ()>(())
            },
        )
        .await?;
        Ok(followed.and_then(Result::ok))
    }
}
