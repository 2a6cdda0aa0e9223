//! The cards of a conversation about a command: results, forms, confirmations, request
//! states, errors, help, the account choice and the support-case journey. One module per card
//! type; the header, buttons and other shared elements live in `header` and `elements`, and how
//! a result is laid out and cut to fit in `layout` and `cut`. Pure: the callers pass plain views
//! (the platform-neutral reply model) and get Adaptive Card 1.5 JSON back, built from the
//! templates in `/adaptive-cards/` and kept under [`CARD_BUDGET_BYTES`].

mod accounts;
mod confirm;
mod cut;
mod elements;
mod error;
mod form;
mod header;
mod help;
mod layout;
mod result;
mod status;
mod support;
mod welcome;

#[cfg(test)]
mod test_support;

pub use accounts::{account_choice, AccountChoiceView};
pub use confirm::confirm;
pub use error::error;
pub use form::{form, FormView};
pub use header::CommandHeader;
pub use help::{operation_help, service_help, OperationHelp, ParameterHelp, ServiceHelp};
pub use result::{result, ResultView};
pub use status::{status, Status};
pub use support::{support_case, support_form, support_summary};
pub use welcome::{help, internal_error, welcome};

/// Teams' smallest documented message size is about 28 KB; every card stays below this.
pub const CARD_BUDGET_BYTES: usize = 24 * 1024;
/// What the output part of a result card may take, leaving room for the header and buttons.
const CONTENT_BUDGET_BYTES: usize = 18 * 1024;

/// Card verbs: the `verb` of Action.Execute and the `verb` in Action.Submit data.
pub mod verbs {
    pub const SUBMIT: &str = "submit";
    pub const CONFIRM: &str = "confirm";
    pub const CANCEL: &str = "cancel";
    pub const NEXT_PAGE: &str = "next-page";
    /// A button of the account choice card; its data also carries `account` (the id).
    pub const CHOOSE_ACCOUNT: &str = "choose-account";
}
