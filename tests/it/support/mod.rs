//! Shared test support: stand-ins for Microsoft's services, test keys, the moto launcher, and
//! a harness that starts the real bot server on 127.0.0.1:0 against them.

#![allow(dead_code)]

pub mod app;
pub mod aws;
pub mod keys;
pub mod logs_proxy;
pub mod moto;
pub mod sns;
pub mod standins;
