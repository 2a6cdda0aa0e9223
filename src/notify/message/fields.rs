//! Reading the loosely typed JSON of notification messages: optional fields by name, numbers
//! that may come as text, AWS's timestamps, the nesting bound checked before parsing, and text
//! cut to a length with a visible "…". Pure; nothing here fails loudly: a missing or odd field is
//! `None`, so that a message always becomes some notification.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Whether `text` nests arrays and objects at most `max` deep, found by a byte scan that skips
/// strings, without recursion. Malformed JSON may pass; `serde_json` then refuses it.
pub(super) fn nesting_within(text: &str, max: usize) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if in_string {
            match byte {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match byte {
                b'"' => in_string = true,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > max {
                        return false;
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        i += 1;
    }
    true
}

/// A string field, `None` when absent, null, empty or not a string.
pub(super) fn str_field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// A string field as an owned `String`.
pub(super) fn string_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    str_field(map, key).map(str::to_owned)
}

/// An object field.
pub(super) fn object_field<'a>(
    map: &'a Map<String, Value>,
    key: &str,
) -> Option<&'a Map<String, Value>> {
    map.get(key).and_then(Value::as_object)
}

/// An array field, empty when absent.
pub(super) fn array_field<'a>(map: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    map.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// A number field; CloudWatch writes some numbers as text (`"Period": "300"`).
pub(super) fn f64_field(map: &Map<String, Value>, key: &str) -> Option<f64> {
    match map.get(key)? {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
    .filter(|value: &f64| value.is_finite())
}

/// A non-negative whole number field that fits in `u32`.
pub(super) fn u32_field(map: &Map<String, Value>, key: &str) -> Option<u32> {
    let value = f64_field(map, key)?;
    (value >= 0.0 && value <= f64::from(u32::MAX) && value.fract() == 0.0).then_some(value as u32)
}

/// A scalar shown as text: strings as they are, numbers and booleans as JSON writes them;
/// `None` for null, objects and arrays.
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A string array's strings (other items skipped), at most `max`.
pub(super) fn strings(values: &[Value], max: usize) -> Vec<String> {
    values
        .iter()
        .filter_map(Value::as_str)
        .filter(|text| !text.is_empty())
        .take(max)
        .map(str::to_owned)
        .collect()
}

/// AWS's timestamps in milliseconds since the epoch: RFC 3339 (`2019-10-02T17:04:40Z`) and
/// CloudWatch's offset without a colon (`2026-12-03T10:42:07.123+0000`).
pub(super) fn parse_time_millis(text: &str) -> Option<i64> {
    let text = text.trim();
    let parsed = OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        // `+0000` → `+00:00`: the only difference from RFC 3339 in CloudWatch's format.
        let split = text.len().checked_sub(5)?;
        let (head, zone) = (text.get(..split)?, text.get(split..)?);
        let digits = zone.get(1..)?;
        if !(zone.starts_with('+') || zone.starts_with('-'))
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let fixed = format!("{head}{}:{}", &zone[..3], &zone[3..]);
        OffsetDateTime::parse(&fixed, &Rfc3339).ok()
    })?;
    i64::try_from(parsed.unix_timestamp_nanos() / 1_000_000).ok()
}

/// `text` cut to at most `max_chars` characters, ending in "…" when it was cut.
pub(super) fn cut_text(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_owned(),
        Some(_) => {
            let keep = max_chars.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}…", text[..end].trim_end())
        }
    }
}

/// The part of an alarm ARN after `:alarm:`, or the whole text when it is not one.
pub(super) fn alarm_name_from_arn(arn: &str) -> &str {
    arn.split_once(":alarm:").map_or(arn, |(_, name)| name)
}

/// The Region field of an ARN (`arn:aws:cloudwatch:<region>:...`), when it has one.
pub(super) fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next()? == "arn").then_some(())?;
    parts.nth(2).filter(|region| !region.is_empty())
}

/// The account field of an ARN.
pub(super) fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next()? == "arn").then_some(())?;
    parts.nth(3).filter(|account| !account.is_empty())
}
