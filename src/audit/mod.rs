//! The audit log (F21): one structured record per attempt — who, where, which account, role
//! and region, which operation with which parameter names, and how it ended — written as one
//! JSON object per line to standard output or a file. Parameter values are kept only where
//! they cannot be secret: values of shapes the models mark `sensitive`, of blobs, and of
//! members whose names say password, secret, token, credential or key material are dropped.
//! This module must never receive or write credentials.
//!
//! It depends on no decision-making module: `policy` turns its requesters and permits into
//! the [`AuditSubject`] and [`AuditGrant`] a record is made from.

mod outcome;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::command::Invocation;
use crate::models::{Models, ServiceModel, Shape, ShapeType};

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Ran and succeeded without a confirmation step.
    Allowed,
    /// A layer refused; `reason` is the message the user saw.
    Denied { layer: String, reason: String },
    /// Ran and succeeded after the user confirmed it.
    Confirmed,
    /// The user cancelled the form or the confirmation.
    Cancelled,
    /// The form, confirmation or next page waited longer than a request lives, and a click
    /// found it expired; nothing ran.
    Expired,
    /// AWS (or the engine) returned an error; `error` is its code or first line.
    Failed { error: String },
    /// The call did not finish before the deadline.
    TimedOut,
    /// The bot stopped while the call may have been under way; whether it ran is unknown.
    OutcomeUnknown,
    /// The command needs a second person (the channel's `approval` rule): an approval card
    /// was posted; nothing ran yet.
    ApprovalRequested,
    /// An approver approved the request (the record's `approver`); the run that follows
    /// has its own record.
    Approved,
    /// An approver rejected the request (the record's `approver`); nothing ran.
    Rejected,
}

impl Outcome {
    /// A refusal by `layer` (its stable name, as `policy::DenialLayer` gives it).
    pub fn denied(layer: impl AsRef<str>, reason: impl Into<String>) -> Self {
        Outcome::Denied {
            layer: layer.as_ref().to_owned(),
            reason: reason.into(),
        }
    }
}

/// Where audit records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditDestination {
    /// One JSON object per line on standard output (the default).
    Stdout,
    /// Appended, one JSON object per line, to this file.
    File(PathBuf),
}

/// The conversation an attempt was made in, with the ids as an administrator writes them in
/// the config file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditConversation {
    pub tenant_id: Option<String>,
    pub team_id: Option<String>,
    pub channel_id: Option<String>,
    /// The conversation id without the `;messageid=…` suffix of a thread reply.
    pub conversation_id: String,
}

/// The user who made an attempt.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditUser {
    pub user_object_id: Option<String>,
    pub user_name: Option<String>,
}

/// Who made an attempt and in which conversation. A record shows the two apart: the matching
/// channel entry stands between them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSubject {
    pub conversation: AuditConversation,
    pub user: AuditUser,
}

/// The account and role an attempt ran as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRunAs {
    pub account_name: Option<String>,
    pub account_id: Option<String>,
    pub role_arn: Option<String>,
}

/// What an attempt ran with: the facts of the permit it was granted. A pending request
/// keeps them (they name no secret) so that a request cancelled or expired before it ran is
/// recorded with the channel, account, role and region it would have run as.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditGrant {
    pub run_as: AuditRunAs,
    pub region: String,
    pub channel_key: Option<String>,
    pub iam_action: Option<String>,
}

/// One parameter as the record shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditParameter {
    /// The model's member name (`AlarmNames`).
    pub name: String,
    /// The value, when it is not sensitive (long values are cut).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// True when the value was dropped as sensitive.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub redacted: bool,
}

/// One audit record. Field names and their order are stable: people write queries against
/// them. The flattened parts write their fields in place, in their own order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub time: String,
    #[serde(flatten)]
    pub conversation: AuditConversation,
    /// The config entry that matched (`[access.channels.<key>]`), when one did.
    pub channel_key: Option<String>,
    #[serde(flatten)]
    pub user: AuditUser,
    #[serde(flatten)]
    pub run_as: AuditRunAs,
    pub region: Option<String>,
    /// The AWS CLI service name (`cloudwatch`).
    pub service: String,
    /// The model's operation name (`DescribeAlarms`).
    pub operation: String,
    /// The IAM action the guardrail checked (`cloudwatch:DescribeAlarms`), when resolved.
    pub iam_action: Option<String>,
    pub parameters: Vec<AuditParameter>,
    pub outcome: Outcome,
    pub latency_ms: u64,
    /// The turn's correlation id, which error cards show.
    pub correlation_id: Option<String>,
    /// The second person of a four-eyes approval (who approved or rejected it), on the
    /// records of the decision and of the run it allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<AuditUser>,
    /// The alias the command was expanded from (`@aws run <alias>`), when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// A long-running wait (`<service> wait <waiter>`): the waiter and how many calls it made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<AuditWait>,
}

/// The waiter of a long-running command's record, and the calls it made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditWait {
    /// The waiter's model name (`TableExists`).
    pub waiter: String,
    pub attempts: u32,
}

impl AuditRecord {
    /// A record of an attempt by `subject` (a `policy::Requester` converts) to run
    /// `invocation`, outcome still to be set.
    pub fn new(
        subject: impl Into<AuditSubject>,
        invocation: &Invocation,
        outcome: Outcome,
    ) -> Self {
        let AuditSubject { conversation, user } = subject.into();
        Self {
            time: now_rfc3339(),
            conversation,
            channel_key: None,
            user,
            run_as: AuditRunAs::default(),
            region: invocation.globals.region.clone(),
            service: invocation.service.clone(),
            operation: invocation.operation.clone(),
            iam_action: None,
            parameters: audit_parameters(
                Models::global(),
                &invocation.service,
                &invocation.operation,
                &invocation.params,
            ),
            outcome,
            latency_ms: 0,
            correlation_id: None,
            approver: None,
            alias: None,
            wait: None,
        }
    }

    /// Account, role and region from the permit the attempt ran with (a `policy::Permit`
    /// converts).
    pub fn with_permit(mut self, permit: impl Into<AuditGrant>) -> Self {
        let AuditGrant {
            run_as,
            region,
            channel_key,
            iam_action,
        } = permit.into();
        if run_as.account_name.is_some() || run_as.account_id.is_some() {
            self.run_as.account_name = run_as.account_name;
            self.run_as.account_id = run_as.account_id;
        }
        self.run_as.role_arn = run_as.role_arn;
        self.region = Some(region);
        if let Some(channel_key) = channel_key {
            self.channel_key = Some(channel_key);
        }
        if let Some(action) = iam_action {
            self.iam_action = Some(action);
        }
        self
    }

    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency_ms = latency.as_millis().min(u64::MAX as u128) as u64;
        self
    }

    /// Names the alias the command was expanded from, if any.
    pub fn with_alias(mut self, alias: Option<&str>) -> Self {
        self.alias = alias.map(str::to_owned);
        self
    }

    /// Names the waiter of a long-running wait and the calls it made.
    pub fn with_wait(mut self, waiter: &str, attempts: u32) -> Self {
        self.wait = Some(AuditWait {
            waiter: waiter.to_owned(),
            attempts,
        });
        self
    }

    pub fn with_correlation_id(mut self, correlation_id: impl Into<String>) -> Self {
        self.correlation_id = Some(correlation_id.into());
        self
    }

    /// Names the approver of a four-eyes approval (`None` leaves the record without one).
    pub fn with_approver(mut self, approver: Option<AuditUser>) -> Self {
        self.approver = approver;
        self
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Longest parameter value (as JSON text) a record keeps whole.
const MAX_VALUE_CHARS: usize = 512;

/// Words in a member name that mark its value as secret, compared in lower case.
const SENSITIVE_NAME_PARTS: &[&str] = &[
    "password",
    "passphrase",
    "secret",
    "token",
    "credential",
    "privatekey",
    "keymaterial",
    "accesskey",
    "sessionkey",
    "apikey",
    "authkey",
    "signingkey",
];

/// Whether a member name says its value is secret.
pub fn is_sensitive_name(name: &str) -> bool {
    let lowered: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    SENSITIVE_NAME_PARTS
        .iter()
        .any(|part| lowered.contains(part))
}

/// The parameters of an invocation as records show them: every name; values only where
/// neither the model nor the names say they may be secret.
pub fn audit_parameters(
    models: &Models,
    service_cli: &str,
    operation_key: &str,
    params: &Map<String, Value>,
) -> Vec<AuditParameter> {
    let model = models.service(service_cli).ok();
    let input = model.as_ref().and_then(|model| {
        model
            .operations
            .get(operation_key)
            .and_then(|operation| model.input_shape(operation))
    });
    params
        .iter()
        .map(|(name, value)| {
            let member_shape = match (&model, input) {
                (Some(model), Some(input)) => input
                    .members
                    .get(name)
                    .and_then(|member| model.shape(&member.shape)),
                _ => None,
            };
            // Without a model the value cannot be judged: drop it (fail closed).
            let sensitive = is_sensitive_name(name)
                || match (&model, member_shape) {
                    (Some(model), Some(shape)) => holds_secret(model, shape, 0),
                    _ => true,
                };
            AuditParameter {
                name: name.clone(),
                value: (!sensitive).then(|| shorten(value)),
                redacted: sensitive,
            }
        })
        .collect()
}

/// A shape may hold a secret when it, or anything inside it, is `sensitive`, a blob or
/// stream, or a member with a secret-sounding name. Deep or recursive shapes count as secret.
fn holds_secret(model: &ServiceModel, shape: &Shape, depth: usize) -> bool {
    if depth > 6 {
        return true;
    }
    if shape.sensitive || shape.streaming || shape.shape_type == ShapeType::Blob {
        return true;
    }
    let inner = |reference: &crate::models::ShapeRef| {
        model
            .shape(&reference.shape)
            .is_none_or(|shape| holds_secret(model, shape, depth + 1))
    };
    match shape.shape_type {
        ShapeType::Structure => shape
            .members
            .iter()
            .any(|(name, member)| is_sensitive_name(name) || inner(member)),
        ShapeType::List => shape.member.as_ref().is_some_and(inner),
        ShapeType::Map => {
            shape.key.as_ref().is_some_and(inner) || shape.value.as_ref().is_some_and(inner)
        }
        _ => false,
    }
}

fn shorten(value: &Value) -> Value {
    let text = value.to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        value.clone()
    } else {
        let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
        Value::String(format!(
            "{cut}… ({} characters in all)",
            text.chars().count()
        ))
    }
}

enum Sink {
    Stdout,
    File(Mutex<File>),
    Memory(Arc<Mutex<Vec<Value>>>),
}

/// Where records go. Writing never fails the attempt: a record that cannot be written is
/// reported through `tracing` (without its parameter values).
pub struct AuditLog {
    sink: Sink,
}

/// Records written to an in-memory audit log, for tests.
#[derive(Clone, Default)]
pub struct AuditMemory(Arc<Mutex<Vec<Value>>>);

impl AuditMemory {
    /// Every record so far, as the JSON objects a file would hold.
    pub fn records(&self) -> Vec<Value> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl AuditLog {
    pub fn stdout() -> Self {
        Self { sink: Sink::Stdout }
    }

    /// Appends to `path`, creating it when needed.
    pub fn file(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            sink: Sink::File(Mutex::new(file)),
        })
    }

    /// Opens what the configuration names.
    pub fn open(destination: &AuditDestination) -> std::io::Result<Self> {
        match destination {
            AuditDestination::Stdout => Ok(Self::stdout()),
            AuditDestination::File(path) => Self::file(path),
        }
    }

    /// An audit log that keeps records in memory, and the handle to read them.
    pub fn memory() -> (Self, AuditMemory) {
        let memory = AuditMemory::default();
        (
            Self {
                sink: Sink::Memory(memory.0.clone()),
            },
            memory,
        )
    }

    pub fn write(&self, record: &AuditRecord) {
        let value = serde_json::to_value(record).expect("audit records serialise");
        let result = match &self.sink {
            Sink::Memory(records) => {
                records
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(value);
                Ok(())
            }
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{value}").and_then(|_| out.flush())
            }
            Sink::File(file) => {
                let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
                writeln!(file, "{value}").and_then(|_| file.flush())
            }
        };
        if let Err(error) = result {
            tracing::error!(
                %error,
                service = %record.service,
                operation = %record.operation,
                "could not write an audit record"
            );
        }
    }
}

#[cfg(test)]
mod tests;
