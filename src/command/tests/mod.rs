//! Feature tests of the grammar: command text in, invocation JSON or error text out. One file
//! per topic; the `check` helpers below are shared.

mod customizations;
mod errors;
mod help_and_s3;
mod limits;
mod never_allowed;
mod round_trip;
mod values;

use serde_json::{json, Value};

use super::*;
use crate::models::ShapeType;

fn run(input: &str) -> Result<Command, CommandError> {
    parse(input, Models::global(), ParseContext::Chat)
}

/// The parts of an invocation a table compares: the call, its params, and the globals that
/// were set.
fn summary(invocation: &Invocation) -> Value {
    let mut summary = json!({
        "call": format!("{} {}", invocation.service, invocation.operation),
        "params": invocation.params,
    });
    let globals = &invocation.globals;
    if *globals != GlobalOptions::default() {
        summary["globals"] = json!({
            "region": globals.region,
            "query": globals.query,
            "output": globals.output.map(|o| format!("{o:?}")),
            "max_items": globals.max_items,
            "starting_token": globals.starting_token,
            "page_size": globals.page_size,
            "no_paginate": globals.no_paginate,
        });
    }
    summary
}

#[track_caller]
fn check(input: &str, expected: Value) {
    match run(input) {
        Ok(Command::Run(invocation)) => assert_eq!(summary(&invocation), expected, "{input}"),
        other => panic!("{input}: expected an invocation, got {other:?}"),
    }
}

#[track_caller]
fn check_error(input: &str, expected: &str) {
    match run(input) {
        Err(error) => assert_eq!(error.to_string(), expected, "{input}"),
        other => panic!("{input}: expected an error, got {other:?}"),
    }
}

fn call(name: &str, params: Value) -> Value {
    json!({"call": name, "params": params})
}
