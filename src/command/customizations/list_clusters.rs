//! `emr list-clusters --active | --terminated | --failed` (awscli `emr/listclusters.py`): a
//! flag that stands for a list of cluster states, put in `ClusterStates` as `--cluster-states`
//! would. Only one state filter may be given; `--created-after` and `--created-before` combine
//! with any of them (they are the model's own options).

use serde_json::{Map, Value};

use super::super::CommandError;

/// One state-filter flag of the customization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::command) enum StateFilter {
    Active,
    Terminated,
    Failed,
}

/// The flags, in the order the CLI adds them to its argument table (after the model's
/// options, so after `--cluster-states`).
pub(super) const OPTIONS: [(&str, StateFilter); 3] = [
    ("active", StateFilter::Active),
    ("terminated", StateFilter::Terminated),
    ("failed", StateFilter::Failed),
];

impl StateFilter {
    /// The cluster states the flag stands for (awscli `emr/constants.py`).
    fn states(self) -> &'static [&'static str] {
        match self {
            StateFilter::Active => &[
                "STARTING",
                "BOOTSTRAPPING",
                "RUNNING",
                "WAITING",
                "TERMINATING",
            ],
            StateFilter::Terminated => &["TERMINATED"],
            StateFilter::Failed => &["TERMINATED_WITH_ERRORS"],
        }
    }
}

/// What the CLI says when two state filters are given, and what to do about it.
const ONLY_ONE: &str = "you can specify only one of the cluster state filters: \
                        --cluster-states, --active, --terminated, --failed; keep one of them";

/// Puts the states of the flag given in `ClusterStates`, refusing a second state filter as
/// the CLI does (`ClusterStatesFilterValidationError`).
pub(super) fn apply(
    params: &mut Map<String, Value>,
    mut given: Vec<(String, StateFilter)>,
) -> Result<(), CommandError> {
    // The CLI fills the parameters in its argument table's order, whatever the order typed:
    // `--cluster-states` first, then the flags.
    given.sort_by_key(|(_, filter)| OPTIONS.iter().position(|(_, f)| f == filter));
    let mut earlier = params
        .get("ClusterStates")
        .is_some_and(|states| states.as_array().is_some_and(|list| !list.is_empty()))
        .then(|| "cluster-states".to_owned());
    for (name, filter) in given {
        if let Some(other) = earlier {
            return Err(CommandError::OptionConflict {
                option: name,
                other,
                hint: ONLY_ONE.to_owned(),
            });
        }
        let states = filter
            .states()
            .iter()
            .map(|state| Value::String((*state).to_owned()))
            .collect();
        params.insert("ClusterStates".to_owned(), Value::Array(states));
        earlier = Some(name);
    }
    Ok(())
}
