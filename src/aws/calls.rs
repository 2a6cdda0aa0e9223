//! Runs a CLI command that makes several calls (`emr describe-cluster`, `configservice
//! get-status`): its plan (`command::Plan`) names each call from the answers so far; each goes
//! out as one request (as the CLI makes them: no paging) under the command's permit narrowed
//! to that call's operation, which the policy checked with the command. The caller hears of
//! every call made, to audit each.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{AwsError, Engine};
use crate::command::{Finished, Invocation, Next, Plan};
use crate::policy::Permit;

/// The most calls one plan makes; a plan that asked for more would be a bug, refused here
/// rather than looping.
const MAX_CALLS: usize = 8;

/// What a caller of [`Engine::run_plan`] hears of each call: the call as an invocation of its
/// own operation, its answer or error, and how long it took.
pub type OnCall<'a> = dyn FnMut(&Invocation, &Result<Value, AwsError>, Duration) + Send + 'a;

impl Engine {
    /// Runs `plan` for `invocation` under `permit`. `on_call` hears of each call made: the
    /// call as an invocation of its own operation, its answer or error, and how long it took.
    /// The first failure ends the command, as in the CLI.
    pub async fn run_plan(
        &self,
        permit: &Permit,
        invocation: &Invocation,
        plan: Plan,
        on_call: &mut OnCall<'_>,
    ) -> Result<Finished, AwsError> {
        let mut answers = Vec::new();
        loop {
            let call = match plan.next(invocation, &answers) {
                Next::Done(finished) => return Ok(finished),
                Next::Invalid { operation, message } => {
                    return Err(AwsError::Serialize {
                        operation: operation.to_owned(),
                        message,
                    })
                }
                Next::Call(call) => call,
            };
            let not_permitted = || AwsError::NotPermitted {
                service: invocation.service.clone(),
                operation: call.operation.to_owned(),
                permitted: format!("{} {}", permit.service(), permit.operation()),
            };
            if answers.len() >= MAX_CALLS {
                return Err(not_permitted());
            }
            let call_permit = permit.for_call(call.operation).ok_or_else(not_permitted)?;
            let started = Instant::now();
            let answer = self
                .call(&call_permit, &call.params)
                .await
                .map(|page| page.output);
            let made = Invocation {
                service: invocation.service.clone(),
                operation: call.operation.to_owned(),
                cli_operation: invocation.cli_operation.clone(),
                params: call.params,
                globals: Default::default(),
            };
            on_call(&made, &answer, started.elapsed());
            answers.push(answer?);
        }
    }
}
