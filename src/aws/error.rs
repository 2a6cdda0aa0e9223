//! The one error type of the AWS engine. It never decides how an error is shown to a user:
//! `render/` does that; here each variant only says what went wrong and carries the facts.

use std::time::Duration;

use crate::audit::Outcome;

/// Everything that can go wrong between an [`Invocation`](crate::command::Invocation) and a
/// parsed AWS response.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The service answered with an error response. `Display` is exactly the AWS CLI's line,
    /// so users recognise it and can search for it.
    #[error("An error occurred ({code}) when calling the {operation} operation: {message}")]
    Service {
        code: String,
        message: String,
        /// The model's operation name (`DescribeAlarms`).
        operation: String,
        /// The HTTP status of the error response.
        status: u16,
    },
    /// The whole command (every page of it) did not finish before the deadline.
    #[error(
        "The command took longer than {} seconds and was stopped. Narrow the call, for example \
         with filters or --max-items, and try again.",
        seconds(.limit)
    )]
    Timeout { operation: String, limit: Duration },
    /// The request could not be sent or its response not read (DNS, TCP, TLS, reset).
    #[error("could not reach {endpoint}: {message}")]
    Transport { endpoint: String, message: String },
    /// The parameters do not fit the operation's input shape, or a starting token is invalid.
    #[error("cannot build the {operation} request: {message}")]
    Serialize { operation: String, message: String },
    /// The response did not match the operation's output shape or was not valid JSON/XML.
    #[error("cannot read the {operation} response: {message}")]
    Parse { operation: String, message: String },
    /// No credentials could be found or loaded.
    #[error("no usable AWS credentials: {message}")]
    Credentials { message: String },
    /// The service or operation is not in the models, or uses a protocol the engine lacks.
    #[error("unknown operation {operation} of service {service}{}", reason_suffix(.reason))]
    UnknownOperation {
        service: String,
        operation: String,
        reason: Option<String>,
    },
    /// An operation that must go to a discovered endpoint (Timestream) could not get one:
    /// discovery is turned off, or `DescribeEndpoints` could not be reached or named none.
    /// botocore's sentence.
    #[error("{message}")]
    EndpointDiscovery { message: &'static str },
    /// A CLI command that makes several calls found from an answer that it does not apply
    /// (`emr create-hbase-backup` on a cluster with a release label); the CLI's sentence.
    #[error("{message}")]
    NotApplicable { message: String },
    /// The invocation is not the one the permit was granted for: a bug in the caller, refused
    /// before anything is sent.
    #[error("the permit for {permitted} does not cover {service} {operation}")]
    NotPermitted {
        service: String,
        operation: String,
        permitted: String,
    },
}

impl AwsError {
    pub(crate) fn serialize(operation: &str, message: impl Into<String>) -> Self {
        AwsError::Serialize {
            operation: operation.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn parse(operation: &str, message: impl Into<String>) -> Self {
        AwsError::Parse {
            operation: operation.to_owned(),
            message: message.into(),
        }
    }

    /// The service's error code, for callers that branch on it (`ResourceNotFoundException`).
    pub fn service_code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

fn reason_suffix(reason: &Option<String>) -> String {
    reason
        .as_ref()
        .map(|r| format!(" ({r})"))
        .unwrap_or_default()
}

/// Whole seconds print without a fraction (`15`), shorter limits with one (`0.3`).
fn seconds(limit: &Duration) -> String {
    let secs = limit.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{}", secs as u64)
    } else {
        format!("{secs}")
    }
}

/// The audit record's outcome of an engine call (inherent to [`Outcome`]; written here so that
/// `audit` does not depend on `aws`).
impl Outcome {
    /// The outcome of an engine call: success (`Confirmed` when the user confirmed it,
    /// otherwise `Allowed`), a timeout, or a failure named by AWS's error code (or the first
    /// line of any other error).
    pub fn of_call<T>(result: &Result<T, AwsError>, confirmed: bool) -> Self {
        match result {
            Ok(_) if confirmed => Outcome::Confirmed,
            Ok(_) => Outcome::Allowed,
            Err(error) => Outcome::of_error(error),
        }
    }

    /// The outcome of an engine call that failed with `error`.
    pub fn of_error(error: &AwsError) -> Self {
        match error {
            AwsError::Timeout { .. } => Outcome::TimedOut,
            AwsError::Service { code, .. } => Outcome::Failed {
                error: code.clone(),
            },
            other => Outcome::failed(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_error_reads_like_the_cli() {
        let error = AwsError::Service {
            code: "ResourceNotFoundException".into(),
            message: "The specified log group does not exist.".into(),
            operation: "DescribeLogStreams".into(),
            status: 400,
        };
        assert_eq!(
            error.to_string(),
            "An error occurred (ResourceNotFoundException) when calling the DescribeLogStreams \
             operation: The specified log group does not exist."
        );
    }

    #[test]
    fn timeout_names_the_limit_and_suggests_narrowing() {
        let error = AwsError::Timeout {
            operation: "DescribeAlarms".into(),
            limit: Duration::from_secs(15),
        };
        let text = error.to_string();
        assert!(text.contains("longer than 15 seconds"), "{text}");
        assert!(text.contains("--max-items"), "{text}");
        let short = AwsError::Timeout {
            operation: "X".into(),
            limit: Duration::from_millis(300),
        };
        assert!(short.to_string().contains("longer than 0.3 seconds"));
    }
}
