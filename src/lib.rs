//! aws-chatops: a self-hosted Microsoft Teams bot that runs AWS CLI commands from chat.

pub mod aws;
pub mod command;
pub mod exec;
pub mod models;
pub mod output;
