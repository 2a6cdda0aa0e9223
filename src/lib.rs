//! aws-chatops: a self-hosted Microsoft Teams bot that runs AWS CLI commands from chat.
//!
//! The modules follow the path of a message: `http` (the only module that knows actix-web) →
//! `auth` (tokens in and out) → `teams` (wire types and the Bot Connector) → `bot` (turn
//! dispatch, text normalisation) → `command` (the AWS CLI grammar) → `models` (the AWS
//! service models) → `aws` (the only module that talks to AWS) → `render` (Adaptive Cards) →
//! back out through `teams`. Side paths: `store` (durable state), `config`, `telemetry`.

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
