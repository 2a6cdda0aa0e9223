//! EventBridge events delivered through SNS (`{"version":"0","detail-type","source","detail",
//! ...}`): CloudWatch alarm state changes become alarm notifications; Health, GuardDuty,
//! Security Hub and CodePipeline events get their own title, facts and console link
//! (`layouts`); any other event a generic layout from `detail-type` and the first fields of
//! `detail`.

use serde_json::{Map, Value};

use super::alarm_event::{self, Envelope};
use super::fields::{array_field, cut_text, object_field, scalar_text, str_field, strings};
use super::layouts;
use super::regions::code_or_empty;
use super::{EventKind, EventNotification, Notification};

/// A generic event shows at most this many fields of `detail`.
const GENERIC_FACTS: usize = 8;
/// A fact's value is cut to this many characters.
pub(super) const FACT_CHARS: usize = 200;
/// At most this many resources are kept.
const MAX_RESOURCES: usize = 10;

/// Whether the object looks like an EventBridge event.
pub(super) fn is_event(map: &Map<String, Value>) -> bool {
    str_field(map, "detail-type").is_some()
        && str_field(map, "source").is_some()
        && object_field(map, "detail").is_some()
}

/// The notification of an EventBridge event (see [`is_event`]).
pub(super) fn parse(map: &Map<String, Value>) -> Option<Notification> {
    let detail_type = str_field(map, "detail-type")?;
    let source = str_field(map, "source")?;
    let detail = object_field(map, "detail")?;
    let account = str_field(map, "account").unwrap_or_default();
    let region = code_or_empty(str_field(map, "region").unwrap_or_default());
    if detail_type == "CloudWatch Alarm State Change" && source == "aws.cloudwatch" {
        let envelope = Envelope {
            account,
            region,
            resources: array_field(map, "resources"),
        };
        if let Some(alarm) = alarm_event::from_event(&envelope, detail) {
            return Some(Notification::Alarm(alarm));
        }
    }
    let mut event = EventNotification {
        kind: EventKind::Generic,
        detail_type: detail_type.to_owned(),
        source: source.to_owned(),
        account: account.to_owned(),
        region: region.to_owned(),
        time: str_field(map, "time").map(str::to_owned),
        resources: strings(array_field(map, "resources"), MAX_RESOURCES),
        title: detail_type.to_owned(),
        facts: Vec::new(),
        console_url: None,
        description: None,
    };
    let laid_out = match (detail_type, source) {
        ("AWS Health Event", "aws.health") => layouts::health(&mut event, detail),
        ("GuardDuty Finding", "aws.guardduty") => layouts::guardduty(&mut event, detail),
        ("Security Hub Findings - Imported", "aws.securityhub") => {
            layouts::security_hub(&mut event, detail)
        }
        ("CodePipeline Pipeline Execution State Change", "aws.codepipeline") => {
            layouts::codepipeline(&mut event, detail)
        }
        _ => false,
    };
    if !laid_out {
        event.kind = EventKind::Generic;
        event.title = detail_type.to_owned();
        event.facts = generic_facts(detail);
        event.console_url = None;
        event.description = None;
    }
    Some(Notification::Event(event))
}

/// The first fields of `detail`: scalars as they are, lists of scalars joined, anything nested
/// as compact JSON; every value cut to [`FACT_CHARS`].
fn generic_facts(detail: &Map<String, Value>) -> Vec<(String, String)> {
    detail
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), summary(value)?)))
        .take(GENERIC_FACTS)
        .collect()
}

/// A value summarised on one line, cut to [`FACT_CHARS`]; `None` for null and empty values.
pub(super) fn summary(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::Array(items) if items.iter().all(|item| scalar_text(item).is_some()) => items
            .iter()
            .filter_map(scalar_text)
            .collect::<Vec<_>>()
            .join(", "),
        // The message's nesting was bounded before it was parsed, so this stays shallow.
        Value::Array(_) | Value::Object(_) => value.to_string(),
        scalar => scalar_text(scalar)?,
    };
    (!text.is_empty()).then(|| cut_text(&text, FACT_CHARS))
}
