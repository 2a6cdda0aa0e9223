//! The cards of a conversation about a command: results, forms, confirmations, request
//! states, errors, help, the account choice and the support-case journey. One module per card
//! type; the header, buttons and other shared elements live in `header` and `elements`, and how
//! a result is laid out and cut to fit in `layout` and `cut`. Pure: the callers pass plain views
//! (the platform-neutral reply model) and get Adaptive Card 1.5 JSON back, built from the
//! templates in `/adaptive-cards/` and kept under [`CARD_BUDGET_BYTES`].

mod accounts;
mod alarms;
mod aliases;
mod approval;
mod confirm;
mod cut;
mod elements;
mod error;
mod form;
mod header;
mod help;
mod history;
mod lambda;
mod layout;
mod logs;
mod notification;
mod result;
mod status;
mod support;
mod views;
mod wait;
mod welcome;

#[cfg(test)]
mod test_support;

use serde::{Deserialize, Serialize};

pub use accounts::{account_choice, AccountChoiceView};
pub use alarms::{
    alarm_list, alarm_list_page, alarm_sections_that_fit, AlarmListPage, AlarmSection,
};
pub use aliases::{alias_list, AliasListView, AliasRow};
pub use approval::{approval, ApprovalButtons, ApprovalView};
pub use confirm::confirm;
pub use cut::FittedOutput;
pub use error::error;
pub use form::{form, FormView};
pub use header::CommandHeader;
pub use help::{operation_help, service_help, OperationHelp, ParameterHelp, ServiceHelp};
pub use history::{history, HistoryRow, HistoryView};
pub use lambda::{lambda_invoke, LambdaInvokeView};
pub use logs::{log_groups_form, window_text, LogGroupsForm, LOG_GROUPS_INPUT};
pub use logs::{logs, LogRow, LogsView};
pub use notification::{
    notification, notification_digest, state_change_text, DigestEntry, LabeledChart,
    NotificationButton, NotificationView,
};
pub use result::{fit_result, fitted_result, result, ResultView};
pub use status::{status, Status};
pub use support::{support_case, support_form, support_summary};
pub use views::{others_view, with_refresh, MAX_REFRESH_USERS};
pub use wait::{duration_words, slow_call, wait, SlowCallView, WaitPhase, WaitView};
pub use welcome::{help, internal_error, welcome};

/// Teams' smallest documented message size is about 28 KB; every card stays below this.
pub const CARD_BUDGET_BYTES: usize = 24 * 1024;
/// What the output part of a result card may take, leaving room for the header and buttons.
const CONTENT_BUDGET_BYTES: usize = 18 * 1024;

/// Card verbs: the `verb` of Action.Execute and the `verb` in Action.Submit data. Serde and
/// [`Verb::as_str`] spell them the same way, the way the cards carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verb {
    Submit,
    Confirm,
    Cancel,
    NextPage,
    /// A button of the account choice card; its data also carries `account` (the id).
    ChooseAccount,
    /// The welcome card's button, written in its template (`adaptive-cards/welcome.json`).
    Help,
    /// A notification's or alarm section's "Show logs"; its data carries the record id.
    ShowLogs,
    /// "Show error logs": the same query, only entries with Error, Exception or Fail.
    ShowErrorLogs,
    /// "Show chart": the alarm's chart rendered again, now.
    ShowChart,
    /// "Acknowledge" on a notification card.
    Acknowledge,
    /// A topic's own button; its data also carries `button` (the index in the topic's list).
    RunButton,
    /// "Refresh" on a logs card whose query was still running.
    RefreshLogs,
    /// "Approve" on an approval card (four-eyes approval): a second person lets it run.
    Approve,
    /// "Reject" on an approval card: a second person stops it.
    Reject,
    /// A card's `refresh` (Universal Actions, trigger automatic), or the Open button of the
    /// others' view: each person's own view of the card (see `views`).
    Refresh,
    /// "Run again" on a history entry; its data's `request` is the entry's id.
    RunAgain,
}

impl Verb {
    /// Every verb, for reading one back from a card.
    pub const ALL: [Verb; 16] = [
        Verb::Submit,
        Verb::Confirm,
        Verb::Cancel,
        Verb::NextPage,
        Verb::ChooseAccount,
        Verb::Help,
        Verb::ShowLogs,
        Verb::ShowErrorLogs,
        Verb::ShowChart,
        Verb::Acknowledge,
        Verb::RunButton,
        Verb::RefreshLogs,
        Verb::Approve,
        Verb::Reject,
        Verb::Refresh,
        Verb::RunAgain,
    ];

    /// The verb as a card carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Submit => "submit",
            Verb::Confirm => "confirm",
            Verb::Cancel => "cancel",
            Verb::NextPage => "next-page",
            Verb::ChooseAccount => "choose-account",
            Verb::Help => "help",
            Verb::ShowLogs => "show-logs",
            Verb::ShowErrorLogs => "show-error-logs",
            Verb::ShowChart => "show-chart",
            Verb::Acknowledge => "acknowledge",
            Verb::RunButton => "run-button",
            Verb::RefreshLogs => "refresh-logs",
            Verb::Approve => "approve",
            Verb::Reject => "reject",
            Verb::Refresh => "refresh",
            Verb::RunAgain => "run-again",
        }
    }

    /// The verb a card sent; `None` for one no card of ours carries.
    pub fn from_card(verb: &str) -> Option<Verb> {
        Verb::ALL.into_iter().find(|known| known.as_str() == verb)
    }
}

#[cfg(test)]
mod tests {
    use super::Verb;

    #[test]
    fn serde_and_as_str_spell_every_verb_alike() {
        for verb in Verb::ALL {
            assert_eq!(serde_json::to_value(verb).unwrap(), verb.as_str());
            assert_eq!(Verb::from_card(verb.as_str()), Some(verb));
        }
        assert_eq!(Verb::from_card("Submit"), None);
    }
}
