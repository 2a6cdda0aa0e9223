//! The integration tests: the real server on 127.0.0.1:0 against loopback stand-ins for
//! Microsoft's services (see `support/`).

mod access;
mod auth_matrix;
mod card_snapshots;
mod cards;
mod check_config;
mod conversations;
mod delivery;
mod error_cards;
mod front_door;
mod lifecycle;
mod limits;
#[path = "../engine/moto.rs"]
mod moto;
mod replicas;
mod replies;
mod serve_process;
mod support;
mod turns;
