//! Notifications that arrive from AWS by themselves (F16–F18): SNS HTTP(S) deliveries, verified
//! before anything in them is believed. Owns the SNS protocol; it never posts to Teams itself.

pub mod sns;
