//! Notifications that arrive from AWS by themselves (F16–F18): SNS HTTP(S) deliveries, verified
//! before anything in them is believed, and what their messages say. Owns the SNS protocol and
//! the notification formats; it never posts to Teams itself.

pub mod message;
pub mod sns;
