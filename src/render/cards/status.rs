//! The status card: a request's state other than its result (running, cancelled, expired,
//! refused, already handled, outcome unknown).

use serde_json::Value;

use super::header::{header_elements, CommandHeader};
use crate::render::markdown::escape_markdown;
use crate::render::template::render;
use crate::render::Card;

const STATUS: &str = include_str!("../../../adaptive-cards/status.json");

/// A request's state other than a result, as a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    Cancelled,
    Expired,
    /// Clicked by someone who is not the requester, or on an unknown id; nothing changed.
    Refused,
    /// Already handled (a second Confirm).
    AlreadyHandled,
    /// The bot stopped while the command ran; nobody knows whether it happened.
    OutcomeUnknown,
    /// An approver rejected the command (four-eyes approval); nothing ran.
    Rejected,
}

/// Card for a request's state: running, cancelled, expired, refused, already handled.
pub fn status(status: Status, message: &str, header_view: Option<&CommandHeader>) -> Card {
    let (title, color) = match status {
        Status::Running => ("Running…", "Accent"),
        Status::Cancelled => ("Cancelled", "Default"),
        Status::Expired => ("This request has expired", "Warning"),
        Status::Refused => ("Not available to you", "Warning"),
        Status::AlreadyHandled => ("Already handled", "Default"),
        Status::OutcomeUnknown => ("Outcome unknown — check before running again", "Attention"),
        Status::Rejected => ("Rejected", "Attention"),
    };
    render(
        match status {
            Status::Running => "status-running",
            Status::Cancelled => "status-cancelled",
            Status::Expired => "status-expired",
            Status::Refused => "status-refused",
            Status::AlreadyHandled => "status-already-handled",
            Status::OutcomeUnknown => "status-outcome-unknown",
            Status::Rejected => "status-rejected",
        },
        STATUS,
        &[
            ("title", Value::String(title.to_owned())),
            ("color", Value::String(color.to_owned())),
            ("message", Value::String(escape_markdown(message))),
            (
                "header",
                Value::Array(header_view.map(header_elements).unwrap_or_default()),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{assert_complete, buttons, full_header, texts};

    #[test]
    fn each_status_has_its_name_title_and_colour() {
        let cases = [
            (Status::Running, "status-running", "Running…", "Accent"),
            (
                Status::Cancelled,
                "status-cancelled",
                "Cancelled",
                "Default",
            ),
            (
                Status::Expired,
                "status-expired",
                "This request has expired",
                "Warning",
            ),
            (
                Status::Refused,
                "status-refused",
                "Not available to you",
                "Warning",
            ),
            (
                Status::AlreadyHandled,
                "status-already-handled",
                "Already handled",
                "Default",
            ),
            (
                Status::OutcomeUnknown,
                "status-outcome-unknown",
                "Outcome unknown — check before running again",
                "Attention",
            ),
        ];
        for (state, name, title, color) in cases {
            let card = status(state, "message", None);
            assert_complete(&card);
            assert_eq!(card.name, name);
            assert_eq!(card.content["body"][0]["text"], title, "{name}");
            assert_eq!(card.content["body"][0]["color"], color, "{name}");
            // A status card only informs: nothing on it can run or change the request again.
            assert!(buttons(&card).is_empty(), "{name}");
        }
    }

    #[test]
    fn the_message_is_escaped_and_the_header_optional() {
        let bare = status(Status::Cancelled, "Cancelled by *Ada*.", None);
        assert_eq!(bare.content["body"].as_array().unwrap().len(), 2);
        assert_eq!(bare.content["body"][1]["text"], r"Cancelled by \*Ada\*.");
        let with_header = status(Status::Running, "Started.", Some(&full_header()));
        assert_eq!(with_header.content["body"].as_array().unwrap().len(), 5);
        assert!(texts(&with_header).contains(&"kinesis update-shard-count"));
    }
}
