//! `configservice put-configuration-recorder --recording-group` (awscli
//! `configservice/putconfigurationrecorder.py`): the CLI takes the recorder's `recordingGroup`
//! out of `--configuration-recorder` (a structure inside it breaks shorthand) into an option of
//! its own, and puts it back into `ConfigurationRecorder` when building the request. Unlike the
//! CLI, a `recordingGroup` written inside `--configuration-recorder` (as JSON) is also
//! accepted: that is how cards print the command back.

use serde_json::{Map, Value};

use super::super::values::ValueParser;
use super::{single_word, CommandError};
use crate::models::{Operation, ServiceModel};

/// The option's name.
pub(super) const OPTION: &str = "recording-group";

/// Adds `--recording-group`'s value to `ConfigurationRecorder.recordingGroup`, typed by the
/// model's `RecordingGroup`.
pub(super) fn apply(
    model: &ServiceModel,
    operation: &Operation,
    params: &mut Map<String, Value>,
    name: String,
    words: Vec<String>,
) -> Result<(), CommandError> {
    let member = model
        .input_shape(operation)
        .and_then(|input| input.members.get("ConfigurationRecorder"))
        .and_then(|recorder| model.shape(&recorder.shape))
        .and_then(|recorder| recorder.members.get("recordingGroup"))
        .ok_or_else(|| CommandError::InvalidValue {
            option: name.clone(),
            path: String::new(),
            problem: "the service model has no ConfigurationRecorder.recordingGroup".into(),
            expected: "a recording group".into(),
        })?;
    let word = single_word(
        &name,
        words,
        &super::super::values::describe_shape(model, &member.shape),
    )?;
    let group = ValueParser {
        model,
        option: &name,
    }
    .parse_member(member, &[word])?;
    let recorder = params
        .entry("ConfigurationRecorder")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(recorder) = recorder {
        recorder.insert("recordingGroup".into(), group);
    }
    Ok(())
}
