//! The one integration-test crate: the real server on 127.0.0.1:0 against loopback stand-ins
//! for Microsoft's services and a moto server for AWS (see `support/`), the AWS engine against
//! moto (`engine`), the storage conformance suite (`store`) and the AWS CLI parity run
//! (`parity`, the slow one: `cargo test --test it parity`, or skip it with `-- --skip parity`).

mod access;
mod aliases;
mod approvals;
mod auth_matrix;
mod card_snapshots;
mod cards;
mod charts;
mod check_config;
mod cli_results;
mod console;
mod conversations;
mod delivery;
mod endpoint_discovery;
mod engine;
mod error_cards;
mod exec_cli_input;
mod front_door;
mod layering;
mod lifecycle;
mod limits;
mod logs;
mod notifications;
mod paging;
mod parity;
mod replicas;
mod replies;
mod s3_regions;
mod serve_process;
mod several_calls;
mod small_things;
mod sns_limits;
mod spellings;
mod store;
mod support;
mod turns;
mod waits;
