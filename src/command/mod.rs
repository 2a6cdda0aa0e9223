//! The AWS CLI grammar: turns the text of a command into a typed [`Invocation`] or a precise
//! error, driven by the service models. Pure: no IO, no AWS calls, no chat types.

mod invocation;

pub use invocation::{GlobalOptions, Invocation, OutputFormat};
