//! The live cards of long-running commands (B5), in channels that allow them. A wait's card:
//! posted when a waiter starts, updated in place after every call with the elapsed time, the
//! attempts and what the last response showed, with Cancel for the requester; and the same
//! card at its end (met, failed, stopped at the cap, cancelled), without buttons. A slow
//! call's card: the elapsed time while one call runs longer than a chat answer, with Cancel
//! when it only reads.

use serde_json::Value;

use super::elements::{action, action_set, fact};
use super::header::{header_elements, CommandHeader};
use super::Verb;
use crate::render::markdown::escape_markdown;
use crate::render::template::render;
use crate::render::Card;

const WAIT: &str = include_str!("../../../adaptive-cards/wait.json");

/// Where a wait is, as its card shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitPhase {
    /// Still polling; the card carries Cancel.
    Waiting,
    /// The waiter's condition holds.
    Met,
    /// The waiter failed: botocore's words (`Waiter TableExists failed: ...`).
    Failed(String),
    /// The 15-minute cap of chat was reached before the condition held.
    Stopped,
    /// The requester cancelled it (their name).
    Cancelled(String),
}

/// What a wait card shows.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitView {
    pub header: CommandHeader,
    pub phase: WaitPhase,
    /// The waiter as typed (`table-exists`).
    pub waiter: String,
    /// Calls made so far, and the waiter's most.
    pub attempts: u32,
    pub max_attempts: u32,
    /// Seconds between calls.
    pub delay_seconds: u64,
    /// Seconds since the wait started.
    pub elapsed_seconds: u64,
    /// Minutes a wait may run from chat.
    pub cap_minutes: u64,
    /// What the last response showed (`Table.TableStatus: "CREATING"`).
    pub seen: Option<String>,
    /// The requester's name, who alone may cancel.
    pub requester: String,
    pub request_id: String,
}

/// `75` → `1 min 15 s`.
pub fn duration_words(seconds: u64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// The wait card for `view`.
pub fn wait(view: &WaitView) -> Card {
    let attempts = match view.attempts {
        1 => "1 call".to_owned(),
        n => format!("{n} calls"),
    };
    let elapsed = duration_words(view.elapsed_seconds);
    let (name, title, color, message) = match &view.phase {
        WaitPhase::Waiting => (
            "wait-live",
            format!("Waiting: {}…", view.waiter),
            "Accent",
            format!(
                "Polling every {} until the condition holds. This card updates after every call.",
                duration_words(view.delay_seconds)
            ),
        ),
        WaitPhase::Met => (
            "wait-met",
            format!("Done: {}", view.waiter),
            "Good",
            format!("The condition holds, after {attempts} in {elapsed}."),
        ),
        WaitPhase::Failed(reason) => (
            "wait-failed",
            format!("Failed: {}", view.waiter),
            "Attention",
            reason.clone(),
        ),
        WaitPhase::Stopped => (
            "wait-stopped",
            format!("Stopped: {}", view.waiter),
            "Warning",
            format!(
                "The condition did not hold within {} minutes, the longest a command runs from chat ({attempts} made). Send the command again to wait longer, or run it with aws-chatops exec, which waits as long as the waiter does.",
                view.cap_minutes
            ),
        ),
        WaitPhase::Cancelled(by) => (
            "wait-cancelled",
            format!("Cancelled: {}", view.waiter),
            "Default",
            format!(
                "Cancelled by {by} after {attempts} in {elapsed}. A waiter only reads, so there is nothing to undo."
            ),
        ),
    };
    let mut facts = vec![
        fact("Elapsed", &elapsed),
        fact(
            "Calls",
            &format!("{} of at most {}", view.attempts, view.max_attempts),
        ),
    ];
    if let Some(seen) = &view.seen {
        facts.push(fact("Last seen", seen));
    }
    let live = view.phase == WaitPhase::Waiting;
    let note = if live {
        format!(
            "Stops after {} minutes at the latest. Only {} can cancel it.",
            view.cap_minutes, view.requester
        )
    } else {
        String::new()
    };
    live_card(LiveCard {
        name,
        title: &title,
        color,
        message: &message,
        header: &view.header,
        facts,
        note: &note,
        cancel: live.then_some(view.request_id.as_str()),
    })
}

/// What the wait and slow-call cards share: the template's slots, and Cancel for `cancel`
/// (the request id) when set.
struct LiveCard<'a> {
    name: &'static str,
    title: &'a str,
    color: &'a str,
    message: &'a str,
    header: &'a CommandHeader,
    facts: Vec<Value>,
    note: &'a str,
    cancel: Option<&'a str>,
}

fn live_card(card: LiveCard<'_>) -> Card {
    let actions = match card.cancel {
        Some(request) => vec![action_set(vec![action(
            "Cancel",
            Verb::Cancel,
            request,
            None,
            false,
        )])],
        None => Vec::new(),
    };
    render(
        card.name,
        WAIT,
        &[
            ("title", Value::String(escape_markdown(card.title))),
            ("color", Value::String(card.color.to_owned())),
            ("message", Value::String(escape_markdown(card.message))),
            ("header", Value::Array(header_elements(card.header))),
            ("facts", Value::Array(card.facts)),
            ("note", Value::String(escape_markdown(card.note))),
            ("actions", Value::Array(actions)),
        ],
    )
}

/// What the card of one slow call shows while it runs, or once it was cancelled.
#[derive(Debug, Clone, PartialEq)]
pub struct SlowCallView {
    pub header: CommandHeader,
    pub elapsed_seconds: u64,
    pub cap_minutes: u64,
    /// Who cancelled it; `None` while it runs.
    pub cancelled_by: Option<String>,
    /// Whether Cancel is offered (a read; a change cannot be called back once sent).
    pub cancellable: bool,
    pub requester: String,
    pub request_id: String,
}

/// The card of a call that runs longer than a chat answer (or was cancelled).
pub fn slow_call(view: &SlowCallView) -> Card {
    let elapsed = duration_words(view.elapsed_seconds);
    let (name, title, color, message) = match &view.cancelled_by {
        None => (
            "slow-call-live",
            format!("Running: {}…", view.header.title),
            "Accent",
            format!(
                "This call takes longer than a chat answer; this channel lets it run for up to {} minutes. This card shows the result when it finishes.",
                view.cap_minutes
            ),
        ),
        Some(by) => (
            "slow-call-cancelled",
            format!("Cancelled: {}", view.header.title),
            "Default",
            format!("Cancelled by {by} after {elapsed}. The call was a read, so nothing changed."),
        ),
    };
    let live = view.cancelled_by.is_none();
    let note = match (live, view.cancellable) {
        (true, true) => format!("Only {} can cancel it.", view.requester),
        (true, false) => {
            "A change cannot be called back once it was sent, so it has no Cancel.".to_owned()
        }
        (false, _) => String::new(),
    };
    live_card(LiveCard {
        name,
        title: &title,
        color,
        message: &message,
        header: &view.header,
        facts: vec![fact("Elapsed", &elapsed)],
        note: &note,
        cancel: (live && view.cancellable).then_some(view.request_id.as_str()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{
        assert_complete, button_titles_and_verbs, elements_of_type, full_header, texts,
    };

    /// Every text of the card: its TextBlocks and its facts as `title: value`.
    fn all_text(card: &Card) -> String {
        let mut lines: Vec<String> = texts(card).into_iter().map(str::to_owned).collect();
        for set in elements_of_type(card, "FactSet") {
            for fact in set["facts"].as_array().into_iter().flatten() {
                let part = |key: &str| fact[key].as_str().unwrap_or_default().to_owned();
                lines.push(format!("{}: {}", part("title"), part("value")));
            }
        }
        lines.join("\n")
    }

    fn view(phase: WaitPhase) -> WaitView {
        WaitView {
            header: full_header(),
            phase,
            waiter: "table-exists".to_owned(),
            attempts: 3,
            max_attempts: 25,
            delay_seconds: 20,
            elapsed_seconds: 75,
            cap_minutes: 15,
            seen: Some("Table.TableStatus: \"CREATING\"".to_owned()),
            requester: "Ada Lovelace".to_owned(),
            request_id: "req-9".to_owned(),
        }
    }

    #[test]
    fn a_live_wait_shows_its_progress_and_only_cancel() {
        let card = wait(&view(WaitPhase::Waiting));
        assert_complete(&card);
        assert_eq!(card.name, "wait-live");
        assert_eq!(
            button_titles_and_verbs(&card),
            [("Cancel".to_owned(), "cancel".to_owned())]
        );
        let text = all_text(&card);
        for needle in [
            "Waiting: table-exists…",
            "every 20 s",
            "Elapsed: 1 min 15 s",
            "Calls: 3 of at most 25",
            "Last seen: Table.TableStatus: \"CREATING\"",
            "15 minutes",
            "Only Ada Lovelace can cancel",
        ] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn an_ended_wait_says_how_and_has_no_buttons() {
        let cases = [
            (WaitPhase::Met, "wait-met", "after 3 calls in 1 min 15 s"),
            (
                WaitPhase::Failed("Waiter TableExists failed: Max attempts exceeded".to_owned()),
                "wait-failed",
                "Max attempts exceeded",
            ),
            (WaitPhase::Stopped, "wait-stopped", "within 15 minutes"),
            (
                WaitPhase::Cancelled("Ada Lovelace".to_owned()),
                "wait-cancelled",
                "Cancelled by Ada Lovelace after 3 calls",
            ),
        ];
        for (phase, name, needle) in cases {
            let card = wait(&view(phase));
            assert_complete(&card);
            assert_eq!(card.name, name);
            assert!(button_titles_and_verbs(&card).is_empty(), "{name}");
            let text = all_text(&card);
            assert!(text.contains(needle), "{needle} in {text}");
        }
    }

    #[test]
    fn a_slow_call_shows_its_time_and_cancel_only_for_a_read() {
        let mut view = SlowCallView {
            header: full_header(),
            elapsed_seconds: 65,
            cap_minutes: 15,
            cancelled_by: None,
            cancellable: true,
            requester: "Ada Lovelace".to_owned(),
            request_id: "req-3".to_owned(),
        };
        let card = slow_call(&view);
        assert_complete(&card);
        assert_eq!(card.name, "slow-call-live");
        assert_eq!(
            button_titles_and_verbs(&card),
            [("Cancel".to_owned(), "cancel".to_owned())]
        );
        let text = all_text(&card);
        assert!(text.contains("Elapsed: 1 min 5 s"), "{text}");
        assert!(text.contains("up to 15 minutes"), "{text}");
        view.cancellable = false;
        let change = slow_call(&view);
        assert!(button_titles_and_verbs(&change).is_empty());
        assert!(all_text(&change).contains("cannot be called back"));
        view.cancelled_by = Some("Ada Lovelace".to_owned());
        let cancelled = slow_call(&view);
        assert_eq!(cancelled.name, "slow-call-cancelled");
        assert!(button_titles_and_verbs(&cancelled).is_empty());
        assert!(all_text(&cancelled).contains("Cancelled by Ada Lovelace after 1 min 5 s"));
    }

    #[test]
    fn durations_read_in_minutes_and_seconds() {
        assert_eq!(duration_words(0), "0 s");
        assert_eq!(duration_words(59), "59 s");
        assert_eq!(duration_words(60), "1 min");
        assert_eq!(duration_words(905), "15 min 5 s");
    }
}
