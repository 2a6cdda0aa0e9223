//! The work budget of one evaluation: every value the evaluator produces is charged by its
//! size, so a query that multiplies its input (`[@,@]|[@,@]|…`) stops instead of allocating
//! without bound.

use std::cell::Cell;

use serde_json::Value;

use super::limits::{QUERY_WORK_BASE, QUERY_WORK_PER_INPUT_VALUE};
use super::OutputError;

/// What an evaluation may still produce, in [`weight`] units.
pub(super) struct Budget {
    left: Cell<usize>,
    allowed: usize,
}

impl Budget {
    /// The budget for a query over `input`: [`QUERY_WORK_BASE`] plus
    /// [`QUERY_WORK_PER_INPUT_VALUE`] per value of the input.
    pub(super) fn for_input(input: &Value) -> Self {
        let allowed = QUERY_WORK_BASE
            .saturating_add(weight(input).saturating_mul(QUERY_WORK_PER_INPUT_VALUE));
        Budget {
            left: Cell::new(allowed),
            allowed,
        }
    }

    /// Charges a value the evaluation just produced; fails once the budget is spent, before
    /// anything bigger can be built from it.
    pub(super) fn charge(&self, value: &Value) -> Result<(), OutputError> {
        let cost = weight(value);
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(OutputError::QueryFailed(format!(
                "The --query result grows past the limit of {} values (a base of \
                 {QUERY_WORK_BASE} plus {QUERY_WORK_PER_INPUT_VALUE} per value of the \
                 response). Select less, or avoid repeating @ in multi-selects.",
                self.allowed
            ))),
        }
    }
}

/// The size of a value in JSON values, strings counting one more per 64 bytes; counted with
/// an explicit stack, since a value can be as deep as the response.
pub(super) fn weight(value: &Value) -> usize {
    let mut total = 0usize;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        total = total.saturating_add(1);
        match value {
            Value::String(text) => total = total.saturating_add(text.len() / 64),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                total = total.saturating_add(map.keys().map(|k| k.len() / 64).sum::<usize>());
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    total
}
