//! Flood control: a channel that gets more than 10 notifications in a minute gets, for the rest
//! of that minute, one digest card (posted once, updated in place) instead of new cards and
//! thread replies. Alarm cards are still updated (an update is not a new message). Counts and
//! digests live in the store, so replicas share them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::cas::{read_json, swap_json};
use super::routing::Place;
use super::state::MAX_ATTEMPTS;
use super::{HubError, NotificationHub};
use crate::bot::MessageRef;
use crate::common::{error_chain, now_millis};
use crate::notify::message::{AlarmState, Notification};
use crate::render::{self, DigestEntry};

/// More notifications than this in a minute flood a channel.
pub const FLOOD_THRESHOLD: u64 = 10;
/// Entries a digest card lists; the rest are counted.
const DIGEST_ENTRIES: usize = 10;
const RATES_NAMESPACE: &str = "notification-rates";
const DIGESTS_NAMESPACE: &str = "notification-digests";
/// Counts and digests outlive their minute a little, for late deliveries.
const WINDOW_TTL: Duration = Duration::from_secs(10 * 60);
/// A digest claim older than this was left by a replica that died.
const CLAIM_TIMEOUT_MS: i64 = 60 * 1000;

/// One minute's digest in one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DigestState {
    card: Option<MessageRef>,
    claimed_at_ms: i64,
    /// Newest first.
    entries: Vec<Entry>,
    total: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    at_millis: i64,
    title: String,
    state: Option<AlarmState>,
}

impl DigestState {
    fn add(&mut self, entry: Entry) {
        self.entries.insert(0, entry);
        self.entries.truncate(DIGEST_ENTRIES);
        self.total += 1;
    }

    fn card(&self) -> crate::render::Card {
        let entries: Vec<DigestEntry> = self
            .entries
            .iter()
            .map(|entry| DigestEntry {
                at_millis: entry.at_millis,
                title: entry.title.clone(),
                state: entry.state,
            })
            .collect();
        let more = (self.total as usize).saturating_sub(entries.len());
        render::notification_digest(&entries, more)
    }
}

/// What a digest lists for a notification.
fn entry(notification: &Notification) -> Entry {
    let now = now_millis() as i64;
    let (at_millis, title, state) = match notification {
        Notification::Alarm(alarm) => (
            alarm.changed_at_millis,
            alarm.name.clone(),
            Some(alarm.new_state),
        ),
        Notification::Event(event) => (now, event.title.clone(), None),
        Notification::Custom(custom) => (
            now,
            custom
                .title
                .clone()
                .unwrap_or_else(|| custom.description.clone()),
            None,
        ),
        Notification::Text(text) => (
            now,
            text.subject
                .clone()
                .unwrap_or_else(|| text.text.lines().next().unwrap_or_default().to_owned()),
            None,
        ),
    };
    Entry {
        at_millis,
        title: title.chars().take(200).collect(),
        state,
    }
}

impl NotificationHub {
    /// Counts one notification for channel `key` in this minute (one atomic increment of a
    /// counter shared by the replicas); true when the channel has had more than
    /// [`FLOOD_THRESHOLD`] this minute. A store failure counts as no flood.
    pub(super) async fn flooded(&self, key: &str) -> bool {
        let window = format!("{key}:{}", now_millis() / 60_000);
        match self
            .store()
            .increment(RATES_NAMESPACE, &window, WINDOW_TTL)
            .await
        {
            Ok(count) => count > FLOOD_THRESHOLD,
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "notification rate not counted");
                false
            }
        }
    }

    /// Adds `notification` to this minute's digest of channel `key`: the first posts the
    /// digest card, the next ones update it.
    pub(super) async fn add_to_digest(
        &self,
        key: &str,
        place: &Place,
        notification: &Notification,
    ) -> Result<(), HubError> {
        let digest_key = format!("{key}:{}", now_millis() / 60_000);
        let _turn = self.locks.lock(&format!("digest:{digest_key}")).await;
        for _ in 0..MAX_ATTEMPTS {
            let current =
                read_json::<DigestState>(self.store(), DIGESTS_NAMESPACE, &digest_key).await?;
            let now = now_millis() as i64;
            let (expected, mut next) = match current {
                Some((bytes, state))
                    if state.card.is_some() || now - state.claimed_at_ms < CLAIM_TIMEOUT_MS =>
                {
                    (Some(bytes), state)
                }
                // None, or a claim left by a replica that died: this delivery posts it.
                other => (
                    other.map(|(bytes, _)| bytes),
                    DigestState {
                        card: None,
                        claimed_at_ms: now,
                        entries: Vec::new(),
                        total: 0,
                    },
                ),
            };
            let posts = next.card.is_none() && next.claimed_at_ms == now;
            next.add(entry(notification));
            if !swap_json(
                self.store(),
                DIGESTS_NAMESPACE,
                &digest_key,
                expected,
                Some(&next),
                WINDOW_TTL,
            )
            .await?
            {
                continue;
            }
            return match (&next.card, posts) {
                (Some(card), _) => self.update_card(card, &next.card()).await,
                (None, true) => self.post_digest(&digest_key, place, next).await,
                // Another replica is posting the digest; it shows this entry when done.
                (None, false) => Ok(()),
            };
        }
        Err(HubError::Contended)
    }

    /// Posts the digest this delivery claimed, then records where it is (and updates it if
    /// entries arrived meanwhile).
    async fn post_digest(
        &self,
        digest_key: &str,
        place: &Place,
        shown: DigestState,
    ) -> Result<(), HubError> {
        let posted = self.post_card(place, &shown.card()).await?;
        for _ in 0..MAX_ATTEMPTS {
            let Some((bytes, mut state)) =
                read_json::<DigestState>(self.store(), DIGESTS_NAMESPACE, digest_key).await?
            else {
                return Ok(());
            };
            state.card = Some(posted.clone());
            if !swap_json(
                self.store(),
                DIGESTS_NAMESPACE,
                digest_key,
                Some(bytes),
                Some(&state),
                WINDOW_TTL,
            )
            .await?
            {
                continue;
            }
            if state.total > shown.total {
                self.update_card(&posted, &state.card()).await?;
            }
            return Ok(());
        }
        Err(HubError::Contended)
    }
}
