//! aws-chatops: a self-hosted Microsoft Teams bot that runs AWS CLI commands from chat.
//!
//! A message's path (ARCHITECTURE.md draws it): `http` (the only module that knows actix-web)
//! → `auth` (tokens in and out) → `bot` (turns, text normalisation) → `conversation`, the hub,
//! which parses with `command` (the AWS CLI grammar, driven by `models`), asks `policy` for a
//! permit (recorded by `audit`), asks for missing parameters with `prompt` forms, runs the
//! permit through `aws` (the only module that runs commands against AWS), formats with `output`,
//! builds cards with `render` and keeps pending requests in `store`; replies go back out
//! through `teams` (the Bot Connector client and outbox). `exec` runs the same engine from a
//! terminal. `notify` receives what AWS sends by itself (SNS). Side modules: `common`, `config`,
//! `metrics`, `telemetry`.

// Library code returns errors and logs through `tracing`; it neither panics on `unwrap` nor prints.
// Tests may do both; the binary prints what the `exec` and `check-config` commands answer.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)
)]

pub mod audit;
pub mod auth;
pub mod aws;
pub mod bot;
pub mod command;
pub mod common;
pub mod config;
pub mod console;
pub mod conversation;
pub mod exec;
pub mod http;
pub mod metrics;
pub mod models;
pub mod notify;
pub mod output;
pub mod policy;
pub mod prompt;
pub mod render;
pub mod store;
pub mod teams;
pub mod telemetry;

#[cfg(test)]
mod proptests;
