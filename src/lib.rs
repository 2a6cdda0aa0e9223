//! aws-chatops: a self-hosted Microsoft Teams bot that runs AWS CLI commands from chat.
//!
//! The modules follow the path of a message: `http` (the only module that knows actix-web) →
//! `auth` (tokens in and out) → `teams` (wire types and the Bot Connector) → `bot` (turn
//! dispatch, text normalisation) → `render` (Adaptive Cards) → back out through `teams`.

pub mod auth;
pub mod bot;
pub mod config;
pub mod http;
pub mod render;
pub mod teams;
pub mod telemetry;
