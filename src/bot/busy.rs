//! Turns per conversation: one conversation cannot take every turn slot. A turn holds its slot
//! until its reply is sent, and Teams lets a bot post about 60 messages per 30 s in one
//! conversation, so a conversation sending commands faster than that piles up turns waiting
//! for their pacing slot. Past [`MAX_TURNS_PER_CONVERSATION`] of them, its next commands are
//! not run and the conversation is told so once (one notice waiting at a time), while every
//! other conversation keeps its share of the bot. Only while replies are paced: unpaced (load
//! tests against a stand-in), a conversation's turns end at the Connector's speed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// At most this many message turns of one conversation run (or wait to reply) at once: the
/// replies of half a minute at Teams' pace, and an eighth of the bot's default turn slots.
pub const MAX_TURNS_PER_CONVERSATION: usize = 32;

/// What the conversation is told, once, when its commands are not run.
pub const BUSY_NOTICE: &str = "Not run: this conversation already has 32 commands waiting for \
their answers (Teams lets a bot post about 60 messages per 30 seconds in one conversation). \
Send the command again once their answers have arrived.";

#[derive(Default)]
struct Load {
    turns: usize,
    notice_pending: bool,
}

/// The turns of each conversation that has any, and whether its busy notice is on its way.
/// Bounded: a conversation is remembered only while it has turns or a notice in flight.
#[derive(Default)]
pub(super) struct ConversationTurns {
    loads: Mutex<HashMap<String, Load>>,
}

/// What [`ConversationTurns::admit`] decided.
pub(super) enum Admission {
    /// Run the turn; the slot is given back when the guard drops.
    Run(ConversationSlot),
    /// Too many turns: do not run it, and send the notice (the caller drops the guard once
    /// the notice is sent or given up).
    NotRunNotify(NoticeSlot),
    /// Too many turns, and the notice is already on its way.
    NotRun,
}

impl ConversationTurns {
    pub(super) fn admit(self: &Arc<Self>, conversation_id: &str) -> Admission {
        let mut loads = self.loads.lock().unwrap_or_else(PoisonError::into_inner);
        let load = loads.entry(conversation_id.to_owned()).or_default();
        if load.turns < MAX_TURNS_PER_CONVERSATION {
            load.turns += 1;
            return Admission::Run(ConversationSlot(self.clone(), conversation_id.to_owned()));
        }
        if load.notice_pending {
            return Admission::NotRun;
        }
        load.notice_pending = true;
        Admission::NotRunNotify(NoticeSlot(self.clone(), conversation_id.to_owned()))
    }

    /// Conversations remembered now (for tests of the bound).
    pub(super) fn tracked(&self) -> usize {
        self.loads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn release(&self, conversation_id: &str, notice: bool) {
        let mut loads = self.loads.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(load) = loads.get_mut(conversation_id) else {
            return;
        };
        if notice {
            load.notice_pending = false;
        } else {
            load.turns = load.turns.saturating_sub(1);
        }
        if load.turns == 0 && !load.notice_pending {
            loads.remove(conversation_id);
        }
    }
}

/// One admitted turn of a conversation.
pub(super) struct ConversationSlot(Arc<ConversationTurns>, String);

impl Drop for ConversationSlot {
    fn drop(&mut self) {
        self.0.release(&self.1, false);
    }
}

/// The conversation's busy notice, on its way.
pub(super) struct NoticeSlot(Arc<ConversationTurns>, String);

impl Drop for NoticeSlot {
    fn drop(&mut self) {
        self.0.release(&self.1, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conversation_gets_its_share_then_one_notice_and_is_forgotten_when_done() {
        let turns = Arc::new(ConversationTurns::default());
        let slots: Vec<ConversationSlot> = (0..MAX_TURNS_PER_CONVERSATION)
            .map(|_| match turns.admit("busy") {
                Admission::Run(slot) => slot,
                _ => panic!("within its share"),
            })
            .collect();
        // Another conversation is not affected.
        let quiet = turns.admit("quiet");
        assert!(matches!(quiet, Admission::Run(_)));
        // Past its share: one notice, then nothing more while it is on its way.
        let notice = match turns.admit("busy") {
            Admission::NotRunNotify(notice) => notice,
            _ => panic!("the first refusal sends the notice"),
        };
        assert!(matches!(turns.admit("busy"), Admission::NotRun));
        drop(notice);
        assert!(matches!(turns.admit("busy"), Admission::NotRunNotify(_)));
        // A turn that ends frees a place.
        let mut slots = slots;
        slots.pop();
        let again = turns.admit("busy");
        assert!(matches!(again, Admission::Run(_)));
        assert_eq!(turns.tracked(), 2);
        // Everything given back: nothing remembered.
        drop((again, slots, quiet));
        assert_eq!(turns.tracked(), 0);
    }
}
