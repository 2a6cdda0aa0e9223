//! botocore's waiters (`waiters-2.json`), run as `aws <service> wait <waiter>` runs them: call
//! the waiter's operation, let the first acceptor that matches the response decide (success,
//! failure or retry), sleep `delay` seconds, and give up after `max_attempts` calls. A service
//! error is a response too (botocore's `NormalizedOperationMethod`): the `error` and `status`
//! acceptors read it, and an error no acceptor matches ends the wait. Other errors (no
//! credentials, transport) end it as they end any call.
//!
//! The messages are botocore's `WaiterError` word for word (`Waiter TableExists failed: Max
//! attempts exceeded`), because scripts match them. [`WaitProgress`] is the decision alone, with
//! no I/O, so that a caller that outlives a process can keep it and go on polling.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{AwsError, Engine};
use crate::models::{Acceptor, AcceptorState, Matcher, Waiter};
use crate::output::Query;
use crate::policy::Permit;

/// How a wait ended without success: botocore's `WaiterError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Waiter {waiter} failed: {reason}")]
pub struct WaitFailed {
    /// The waiter's model name (`TableExists`).
    pub waiter: String,
    pub reason: String,
}

/// Why a wait stopped short of success.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error("{0}")]
    Failed(#[from] WaitFailed),
    /// A call failed in a way that is not a service's answer.
    #[error("{0}")]
    Call(#[from] AwsError),
}

/// What one response of the polled operation looked like to the acceptors.
pub enum Response<'a> {
    /// The parsed output (HTTP 200).
    Output(&'a Value),
    /// A service error.
    Error {
        code: &'a str,
        message: &'a str,
        status: u16,
    },
}

/// What to do after a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The waiter's condition holds.
    Done,
    /// Poll again after the waiter's delay.
    Again,
}

/// A wait in progress: attempts made and the state the acceptors left it in. Plain data, so a
/// wait that outlives its process can be stored and resumed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitProgress {
    /// Calls made so far.
    pub attempts: u32,
    /// The state of the last acceptor that matched, if any did.
    #[serde(default)]
    last_state: Option<AcceptorStateName>,
    /// Whether any acceptor has matched yet (botocore's `last_matched_acceptor`).
    #[serde(default)]
    matched_once: bool,
}

/// [`AcceptorState`] without the model's lifetime, for [`WaitProgress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AcceptorStateName {
    Success,
    Failure,
    Retry,
}

impl From<AcceptorState> for AcceptorStateName {
    fn from(state: AcceptorState) -> Self {
        match state {
            AcceptorState::Success => AcceptorStateName::Success,
            AcceptorState::Failure => AcceptorStateName::Failure,
            AcceptorState::Retry => AcceptorStateName::Retry,
        }
    }
}

impl WaitProgress {
    /// Decides one response, as botocore's `Waiter.wait` does after each call.
    pub fn observe(
        &mut self,
        name: &str,
        waiter: &Waiter,
        response: &Response<'_>,
    ) -> Result<Step, WaitFailed> {
        self.attempts += 1;
        let failed = |reason: String| WaitFailed {
            waiter: name.to_owned(),
            reason,
        };
        let matched = waiter
            .acceptors
            .iter()
            .position(|acceptor| matches(acceptor, response));
        // botocore words the end with the acceptor its loop stopped at: the one that matched,
        // or else the last one it tried.
        let explained = matched.or(waiter.acceptors.len().checked_sub(1));
        let explanation = || {
            explained
                .map(|index| explanation(&waiter.acceptors[index]))
                .unwrap_or_default()
        };
        match matched {
            Some(index) => {
                self.matched_once = true;
                self.last_state = Some(waiter.acceptors[index].state.into());
            }
            None => {
                if let Response::Error { code, message, .. } = response {
                    return Err(failed(format!("An error occurred ({code}): {message}")));
                }
            }
        }
        match self.last_state {
            Some(AcceptorStateName::Success) => return Ok(Step::Done),
            Some(AcceptorStateName::Failure) => {
                return Err(failed(format!(
                    "Waiter encountered a terminal failure state: {}",
                    explanation()
                )))
            }
            _ => {}
        }
        if self.attempts >= waiter.max_attempts {
            let reason = if self.matched_once {
                format!(
                    "Max attempts exceeded. Previously accepted state: {}",
                    explanation()
                )
            } else {
                "Max attempts exceeded".to_owned()
            };
            return Err(failed(reason));
        }
        Ok(Step::Again)
    }
}

/// Whether an acceptor matches a response (botocore's matcher functions).
fn matches(acceptor: &Acceptor, response: &Response<'_>) -> bool {
    match acceptor.matcher {
        Matcher::Status => {
            let status = match response {
                Response::Output(_) => 200,
                Response::Error { status, .. } => *status,
            };
            same(&Value::from(status), &acceptor.expected)
        }
        Matcher::Error => match (&acceptor.expected, response) {
            (Value::Bool(true), Response::Error { .. }) => true,
            (Value::Bool(false), Response::Output(_)) => true,
            (Value::String(expected), Response::Error { code, .. }) => code == expected,
            _ => false,
        },
        Matcher::Path | Matcher::PathAll | Matcher::PathAny => {
            let Response::Output(output) = response else {
                return false;
            };
            let found = acceptor
                .argument
                .as_deref()
                .and_then(|argument| Query::parse(argument).ok())
                .and_then(|query| query.search(output).ok())
                .unwrap_or(Value::Null);
            let expected = &acceptor.expected;
            match (acceptor.matcher, &found) {
                (Matcher::Path, _) => same(&found, expected),
                (Matcher::PathAll, Value::Array(items)) if !items.is_empty() => {
                    items.iter().all(|item| same(item, expected))
                }
                (Matcher::PathAny, Value::Array(items)) => {
                    items.iter().any(|item| same(item, expected))
                }
                _ => false,
            }
        }
    }
}

/// Python's `==` on decoded JSON: numbers compare by value (`200 == 200.0`).
fn same(found: &Value, expected: &Value) -> bool {
    match (found, expected) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => found == expected,
    }
}

/// botocore's `AcceptorConfig.explanation`, the expected value printed as Python prints it.
fn explanation(acceptor: &Acceptor) -> String {
    let argument = acceptor.argument.as_deref().unwrap_or("None");
    let expected = python_str(&acceptor.expected);
    match acceptor.matcher {
        Matcher::Path => {
            format!("For expression \"{argument}\" we matched expected path: \"{expected}\"")
        }
        Matcher::PathAll => format!(
            "For expression \"{argument}\" all members matched expected path: \"{expected}\""
        ),
        Matcher::PathAny => format!(
            "For expression \"{argument}\" we matched expected path: \"{expected}\" at least once"
        ),
        Matcher::Status => format!("Matched expected HTTP status code: {expected}"),
        Matcher::Error => format!("Matched expected service error code: {expected}"),
    }
}

/// `str(value)` in Python for a decoded JSON scalar.
fn python_str(value: &Value) -> String {
    match value {
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Null => "None".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What one poll found: what to do next, and what the response showed (for a live card).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polled {
    pub step: Step,
    /// `Table.TableStatus: "CREATING"`, `ResourceNotFoundException`, `HTTP 200`.
    pub seen: String,
}

/// The longest value [`seen`] quotes, in characters.
const SEEN_CHARS: usize = 120;

/// What a response showed, in the terms of the waiter's first path acceptor (the value it
/// reads) or of the error; for people watching a wait, never for deciding it.
pub fn seen(waiter: &Waiter, response: &Response<'_>) -> String {
    match response {
        Response::Error { code, status, .. } => format!("{code} (HTTP {status})"),
        Response::Output(output) => {
            let argument = waiter.acceptors.iter().find_map(|acceptor| {
                matches!(
                    acceptor.matcher,
                    Matcher::Path | Matcher::PathAll | Matcher::PathAny
                )
                .then_some(acceptor.argument.as_deref())
                .flatten()
            });
            let Some(argument) = argument else {
                return "HTTP 200".to_owned();
            };
            let found = Query::parse(argument)
                .ok()
                .and_then(|query| query.search(output).ok())
                .unwrap_or(Value::Null);
            let mut text = found.to_string();
            if let Some((cut, _)) = text.char_indices().nth(SEEN_CHARS) {
                text.truncate(cut);
                text.push('…');
            }
            format!("{argument}: {text}")
        }
    }
}

impl Engine {
    /// Runs the waiter `name` with `params` (the operation's input) until it succeeds, fails
    /// or runs out of attempts; `permit` is for the waiter's operation.
    pub async fn wait(
        &self,
        permit: &Permit,
        name: &str,
        waiter: &Waiter,
        params: &Map<String, Value>,
    ) -> Result<(), WaitError> {
        let mut progress = WaitProgress::default();
        loop {
            let polled = self
                .poll(permit, name, waiter, params, &mut progress)
                .await?;
            if polled.step == Step::Done {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_secs(waiter.delay)).await;
        }
    }

    /// One call of a wait, decided by `progress` (which counts it): what to do next and what
    /// the response showed. A caller that keeps `progress` between polls (a live card in
    /// chat) waits exactly as [`Engine::wait`] does.
    pub async fn poll(
        &self,
        permit: &Permit,
        name: &str,
        waiter: &Waiter,
        params: &Map<String, Value>,
        progress: &mut WaitProgress,
    ) -> Result<Polled, WaitError> {
        let mut decide = |response: Response<'_>| -> Result<Polled, WaitError> {
            let step = progress.observe(name, waiter, &response)?;
            Ok(Polled {
                step,
                seen: seen(waiter, &response),
            })
        };
        match self.call(permit, params).await {
            Ok(page) => decide(Response::Output(&page.output)),
            Err(AwsError::Service {
                code,
                message,
                status,
                ..
            }) => decide(Response::Error {
                code: &code,
                message: &message,
                status,
            }),
            Err(other) => Err(WaitError::Call(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn waiter(acceptors: Value, max_attempts: u32) -> Waiter {
        serde_json::from_value(json!({
            "operation": "DescribeTable", "delay": 20, "maxAttempts": max_attempts,
            "acceptors": acceptors
        }))
        .unwrap()
    }

    /// DynamoDB's TableExists, as botocore ships it.
    fn table_exists() -> Waiter {
        waiter(
            json!([
                {"state": "success", "matcher": "path", "argument": "Table.TableStatus", "expected": "ACTIVE"},
                {"state": "retry", "matcher": "error", "expected": "ResourceNotFoundException"}
            ]),
            3,
        )
    }

    fn table(status: &str) -> Value {
        json!({"Table": {"TableStatus": status}})
    }

    #[test]
    fn success_after_retries_and_max_attempts_worded_as_botocore() {
        let waiter = table_exists();
        let mut progress = WaitProgress::default();
        let not_found = Response::Error {
            code: "ResourceNotFoundException",
            message: "Requested resource not found",
            status: 400,
        };
        assert_eq!(
            progress.observe("TableExists", &waiter, &not_found),
            Ok(Step::Again)
        );
        let creating = table("CREATING");
        assert_eq!(
            progress.observe("TableExists", &waiter, &Response::Output(&creating)),
            Ok(Step::Again)
        );
        let active = table("ACTIVE");
        assert_eq!(
            progress.observe("TableExists", &waiter, &Response::Output(&active)),
            Ok(Step::Done)
        );

        // Three attempts that never match: plain "Max attempts exceeded".
        let mut progress = WaitProgress::default();
        for _ in 0..2 {
            assert_eq!(
                progress.observe("TableExists", &waiter, &Response::Output(&creating)),
                Ok(Step::Again)
            );
        }
        let error = progress
            .observe("TableExists", &waiter, &Response::Output(&creating))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Waiter TableExists failed: Max attempts exceeded"
        );

        // A retry matched before: botocore names the acceptor its loop stopped at.
        let mut progress = WaitProgress::default();
        for _ in 0..2 {
            progress
                .observe("TableExists", &waiter, &not_found)
                .unwrap();
        }
        let error = progress
            .observe("TableExists", &waiter, &not_found)
            .unwrap_err();
        assert_eq!(
            error.reason,
            "Max attempts exceeded. Previously accepted state: Matched expected service error code: ResourceNotFoundException"
        );
    }

    #[test]
    fn failure_states_and_unmatched_errors_end_the_wait() {
        let instance_running = waiter(
            json!([
                {"state": "success", "matcher": "pathAll", "argument": "Reservations[].Instances[].State.Name", "expected": "running"},
                {"state": "failure", "matcher": "pathAny", "argument": "Reservations[].Instances[].State.Name", "expected": "terminated"},
                {"state": "retry", "matcher": "error", "expected": "InvalidInstanceID.NotFound"}
            ]),
            40,
        );
        let states = |names: &[&str]| json!({"Reservations": [{"Instances": names.iter().map(|n| json!({"State": {"Name": n}})).collect::<Vec<_>>()}]});
        let mixed = states(&["running", "pending"]);
        let mut progress = WaitProgress::default();
        assert_eq!(
            progress.observe(
                "InstanceRunning",
                &instance_running,
                &Response::Output(&mixed)
            ),
            Ok(Step::Again)
        );
        let terminated = states(&["running", "terminated"]);
        let error = progress
            .observe(
                "InstanceRunning",
                &instance_running,
                &Response::Output(&terminated),
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Waiter InstanceRunning failed: Waiter encountered a terminal failure state: For expression \"Reservations[].Instances[].State.Name\" we matched expected path: \"terminated\" at least once"
        );
        // pathAll needs a non-empty list.
        let none = json!({"Reservations": []});
        assert_eq!(
            WaitProgress::default().observe(
                "InstanceRunning",
                &instance_running,
                &Response::Output(&none)
            ),
            Ok(Step::Again)
        );
        // An error no acceptor expects ends the wait with the service's words.
        let denied = Response::Error {
            code: "UnauthorizedOperation",
            message: "You are not authorized",
            status: 403,
        };
        assert_eq!(
            WaitProgress::default()
                .observe("InstanceRunning", &instance_running, &denied)
                .unwrap_err()
                .reason,
            "An error occurred (UnauthorizedOperation): You are not authorized"
        );
    }

    #[test]
    fn status_and_boolean_error_matchers() {
        let bucket_exists = waiter(
            json!([
                {"state": "success", "matcher": "status", "expected": 200},
                {"state": "success", "matcher": "status", "expected": 301},
                {"state": "retry", "matcher": "status", "expected": 404}
            ]),
            2,
        );
        let output = json!({});
        assert_eq!(
            WaitProgress::default().observe(
                "BucketExists",
                &bucket_exists,
                &Response::Output(&output)
            ),
            Ok(Step::Done)
        );
        let missing = Response::Error {
            code: "404",
            message: "Not Found",
            status: 404,
        };
        let mut progress = WaitProgress::default();
        assert_eq!(
            progress.observe("BucketExists", &bucket_exists, &missing),
            Ok(Step::Again)
        );
        assert_eq!(
            progress
                .observe("BucketExists", &bucket_exists, &missing)
                .unwrap_err()
                .reason,
            "Max attempts exceeded. Previously accepted state: Matched expected HTTP status code: 404"
        );
        let any_error = waiter(
            json!([
                {"state": "success", "matcher": "error", "expected": true},
                {"state": "failure", "matcher": "error", "expected": false}
            ]),
            5,
        );
        assert_eq!(
            WaitProgress::default().observe("Gone", &any_error, &missing),
            Ok(Step::Done)
        );
        assert_eq!(
            WaitProgress::default()
                .observe("Gone", &any_error, &Response::Output(&output))
                .unwrap_err()
                .reason,
            "Waiter encountered a terminal failure state: Matched expected service error code: False"
        );
    }

    #[test]
    fn what_a_response_showed_is_read_with_the_first_path_acceptor() {
        let waiter = table_exists();
        let creating = table("CREATING");
        assert_eq!(
            seen(&waiter, &Response::Output(&creating)),
            "Table.TableStatus: \"CREATING\""
        );
        let missing = Response::Error {
            code: "ResourceNotFoundException",
            message: "Requested resource not found",
            status: 400,
        };
        assert_eq!(
            seen(&waiter, &missing),
            "ResourceNotFoundException (HTTP 400)"
        );
        let by_status =
            waiter_of(json!([{"state": "success", "matcher": "status", "expected": 200}]));
        assert_eq!(seen(&by_status, &Response::Output(&json!({}))), "HTTP 200");
        let long = json!({"Table": {"TableStatus": "x".repeat(500)}});
        let shown = seen(&waiter, &Response::Output(&long));
        assert!(
            shown.chars().count() < 160 && shown.ends_with('…'),
            "{shown}"
        );
    }

    #[test]
    fn progress_is_stored_and_read_back_as_it_was() {
        let waiter = table_exists();
        let mut progress = WaitProgress::default();
        let creating = table("CREATING");
        progress
            .observe("TableExists", &waiter, &Response::Output(&creating))
            .unwrap();
        let stored = serde_json::to_value(&progress).unwrap();
        let mut resumed: WaitProgress = serde_json::from_value(stored).unwrap();
        assert_eq!(resumed, progress);
        // Resumed, it counts on: two more calls reach the waiter's three.
        resumed
            .observe("TableExists", &waiter, &Response::Output(&creating))
            .unwrap();
        assert!(resumed
            .observe("TableExists", &waiter, &Response::Output(&creating))
            .is_err());
    }

    fn waiter_of(acceptors: Value) -> Waiter {
        waiter(acceptors, 3)
    }
}
