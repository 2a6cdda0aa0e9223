//! `describe-alarms` (and `describe-alarms-for-metric`) as people read alarms: one section per
//! alarm with its state, reason, last change and chart, and Show logs / Show error logs.
//! Sections are added while the card stays under [`CARD_BUDGET_BYTES`]; the rest are counted
//! in a notice that says how to narrow the list.

use serde_json::{json, Value};

use super::elements::{action, action_set, subtle};
use super::header::{header_elements, CommandHeader};
use super::{LabeledChart, NotificationButton, Verb, CARD_BUDGET_BYTES};
use crate::notify::message::AlarmState;
use crate::render::chart::ChartImage;
use crate::render::markdown::escape_markdown;
use crate::render::template::render;
use crate::render::Card;

const ALARM_LIST: &str = include_str!("../../../adaptive-cards/alarm-list.json");

/// Reasons longer than this are cut (CloudWatch's can run to a kilobyte of datapoints).
const MAX_REASON_CHARS: usize = 280;
/// Room kept for the notice at the end of the card.
const NOTICE_RESERVE_BYTES: usize = 600;
/// Room kept as well on a card of a list that continues: the range notice and Next page.
const NEXT_PAGE_RESERVE_BYTES: usize = 700;

/// One alarm of a describe-alarms answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmSection {
    pub name: String,
    pub state: AlarmState,
    pub reason: String,
    pub updated_millis: Option<i64>,
    pub chart: Option<LabeledChart>,
    pub buttons: Vec<NotificationButton>,
}

/// The alarms card: `sections` in the service's order and how many alarms were left out.
/// Sections without a chart were not charted (charts are drawn for the first few alarms);
/// sections that do not fit are left out too, and counted with `omitted`.
pub fn alarm_list(header: &CommandHeader, sections: &[AlarmSection], omitted: usize) -> Card {
    let header = header_elements(header);
    let shown = fitting_sections(&header, sections, NOTICE_RESERVE_BYTES);
    let left_out = sections.len() - shown.len() + omitted;
    let uncharted = sections[..shown.len()]
        .iter()
        .filter(|s| s.chart.is_none())
        .count();
    let total = sections.len() + omitted;
    let states: Vec<AlarmState> = sections.iter().map(|s| s.state).collect();
    render(
        "alarm-list",
        ALARM_LIST,
        &[
            ("header", Value::Array(header)),
            ("summary", summary(&states, total)),
            ("sections", Value::Array(shown)),
            ("notice", Value::Array(notices(uncharted, left_out))),
        ],
    )
}

/// One card of an alarm list that continues on further cards (Next page).
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmListPage {
    /// The alarms this card may show, in the service's order, from alarm `first` on.
    pub sections: Vec<AlarmSection>,
    /// The index in the whole list of the first section.
    pub first: usize,
    /// The state of every alarm of the list, for the summary.
    pub states: Vec<AlarmState>,
    /// The card's number, from 1.
    pub number: u32,
}

/// How many of `sections` an alarm list card shows: those that fit, in order (at least one,
/// so that the next card always moves on; a section is bounded well under the budget).
pub fn alarm_sections_that_fit(header: &CommandHeader, sections: &[AlarmSection]) -> usize {
    let reserve = NOTICE_RESERVE_BYTES + NEXT_PAGE_RESERVE_BYTES;
    let fitting = fitting_sections(&header_elements(header), sections, reserve).len();
    fitting.max(1).min(sections.len())
}

/// The card of `page`: the sections that fit ([`alarm_sections_that_fit`]), which alarms of
/// the list they are, and Next page (for the request `next_page_request`) when it has one.
pub fn alarm_list_page(
    header: &CommandHeader,
    page: &AlarmListPage,
    next_page_request: Option<&str>,
) -> Card {
    let shown_count = alarm_sections_that_fit(header, &page.sections);
    let shown: Vec<Value> = page.sections[..shown_count]
        .iter()
        .map(section_element)
        .collect();
    let total = page.states.len();
    let uncharted = page.sections[..shown_count]
        .iter()
        .filter(|s| s.chart.is_none())
        .count();
    let mut notice = Vec::new();
    let first = page.first;
    let end = first + shown_count;
    if first > 0 || end < total {
        let range = if shown_count == 1 {
            format!("Alarm {}", first + 1)
        } else {
            format!("Alarms {}–{end}", first + 1)
        };
        let how = match (next_page_request.is_some(), end < total) {
            (true, true) => " Use Next page for the rest, or narrow the list with --state-value, --alarm-name-prefix or --alarm-names.",
            (false, true) => " Narrow the list with --state-value, --alarm-name-prefix or --alarm-names, or use --output to get the text.",
            _ => "",
        };
        notice.push(json!({
            "type": "TextBlock",
            "text": format!("{range} of {total} shown.{how}"),
            "color": "Warning",
            "size": "Small",
            "wrap": true
        }));
    }
    notice.extend(notices(uncharted, 0));
    if page.number > 1 {
        notice.push(subtle(&format!("Page {}", page.number)));
    }
    if let Some(request) = next_page_request {
        notice.push(action_set(vec![action(
            "Next page",
            Verb::NextPage,
            request,
            None,
            false,
        )]));
    }
    render(
        "alarm-list",
        ALARM_LIST,
        &[
            ("header", Value::Array(header_elements(header))),
            ("summary", summary(&page.states, total)),
            ("sections", Value::Array(shown)),
            ("notice", Value::Array(notice)),
        ],
    )
}

/// The elements of the first `sections` that fit a card under `header`, leaving `reserve`
/// bytes for the notices (and a Next page button).
fn fitting_sections(header: &[Value], sections: &[AlarmSection], reserve: usize) -> Vec<Value> {
    let fixed: usize = header.iter().map(|e| e.to_string().len()).sum::<usize>() + 400;
    let mut budget = CARD_BUDGET_BYTES.saturating_sub(fixed + reserve);
    let mut shown = Vec::new();
    for section in sections {
        let element = section_element(section);
        let size = element.to_string().len();
        if size > budget {
            break;
        }
        budget -= size;
        shown.push(element);
    }
    shown
}

/// `3 alarms: 1 in ALARM, 2 OK`; `states` are those of the alarms known, of `total`.
fn summary(states: &[AlarmState], total: usize) -> Value {
    if total == 0 {
        return json!({"type": "TextBlock", "text": "No alarms match.", "wrap": true});
    }
    let count = |state| states.iter().filter(|s| **s == state).count();
    let parts: Vec<String> = [
        (AlarmState::Alarm, "in ALARM"),
        (AlarmState::InsufficientData, "INSUFFICIENT_DATA"),
        (AlarmState::Ok, "OK"),
    ]
    .iter()
    .filter(|(state, _)| count(*state) > 0)
    .map(|(state, words)| format!("{} {words}", count(*state)))
    .collect();
    let noun = if total == 1 { "alarm" } else { "alarms" };
    let text = if parts.is_empty() || total != states.len() {
        format!("{total} {noun}")
    } else {
        format!("{total} {noun}: {}", parts.join(", "))
    };
    json!({"type": "TextBlock", "text": text, "wrap": true, "spacing": "Medium"})
}

fn notices(uncharted: usize, left_out: usize) -> Vec<Value> {
    let mut notices = Vec::new();
    if uncharted > 0 {
        notices.push(subtle(&format!(
            "{uncharted} {} shown without a chart: charts are drawn for the first alarms only.",
            if uncharted == 1 {
                "alarm is"
            } else {
                "alarms are"
            }
        )));
    }
    if left_out > 0 {
        notices.push(json!({
            "type": "TextBlock",
            "text": format!(
                "{left_out} more {} not shown. Narrow the list with --state-value, --alarm-name-prefix or --alarm-names, or use --output to get the text.",
                if left_out == 1 { "alarm is" } else { "alarms are" }
            ),
            "color": "Warning",
            "size": "Small",
            "wrap": true
        }));
    }
    notices
}

/// One alarm: name and state, reason, last change, the chart and the buttons.
fn section_element(section: &AlarmSection) -> Value {
    let mut items = vec![
        json!({
            "type": "ColumnSet",
            "columns": [
                {"type": "Column", "width": "stretch", "items": [{
                    "type": "TextBlock", "text": escape_markdown(&section.name),
                    "weight": "Bolder", "wrap": true
                }]},
                {"type": "Column", "width": "auto", "items": [{
                    "type": "TextBlock", "text": section.state.as_str(),
                    "weight": "Bolder", "color": state_colour(section.state)
                }]}
            ]
        }),
        json!({
            "type": "TextBlock",
            "text": escape_markdown(&cut(&section.reason, MAX_REASON_CHARS)),
            "wrap": true,
            "size": "Small",
            "spacing": "Small"
        }),
    ];
    if let Some(millis) = section.updated_millis {
        items.push(subtle(&format!("Last change {}", utc_time(millis))));
    }
    if let Some(chart) = &section.chart {
        items.extend(chart_elements(chart));
    }
    if !section.buttons.is_empty() {
        items.push(action_set(
            section.buttons.iter().map(button).collect::<Vec<_>>(),
        ));
    }
    json!({"type": "Container", "separator": true, "spacing": "Medium", "items": items})
}

/// The colour of a state: ALARM red, OK green, INSUFFICIENT_DATA amber; each reads on
/// Teams' light and dark themes.
pub(super) fn state_colour(state: AlarmState) -> &'static str {
    match state {
        AlarmState::Alarm => "Attention",
        AlarmState::Ok => "Good",
        AlarmState::InsufficientData => "Warning",
    }
}

/// A chart as card elements: the image (URL or inline), a monospace sparkline, or why there
/// is none.
pub(super) fn chart_elements(chart: &LabeledChart) -> Vec<Value> {
    match &chart.image {
        ChartImage::Url { url, alt } | ChartImage::DataUri { uri: url, alt } => vec![json!({
            "type": "Image",
            "url": url,
            "altText": alt,
            "size": "Stretch",
            "spacing": "Small"
        })],
        ChartImage::Sparkline { text, alt } => vec![
            json!({
                "type": "TextBlock",
                "text": text,
                "fontType": "Monospace",
                "wrap": false,
                "spacing": "Small"
            }),
            subtle(&escape_markdown(alt)),
        ],
        ChartImage::Unavailable { reason } => vec![json!({
            "type": "TextBlock",
            "text": format!("Chart unavailable: {}", escape_markdown(reason)),
            "isSubtle": true,
            "size": "Small",
            "wrap": true,
            "spacing": "Small"
        })],
    }
}

/// A Show logs / Show error logs button: its verb and the record id, nothing else.
fn button(button: &NotificationButton) -> Value {
    let mut element = action(&button.title, button.verb, &button.record, None, false);
    if let Some(index) = button.index {
        element["data"]["button"] = json!(index);
        element["fallback"]["data"]["button"] = json!(index);
    }
    element
}

/// `2026-12-03 10:42 UTC`.
fn utc_time(millis: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(millis.div_euclid(1000)) {
        Ok(at) => format!(
            "{}-{:02}-{:02} {:02}:{:02} UTC",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        ),
        Err(_) => String::new(),
    }
}

fn cut(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        text.chars().take(max - 1).collect::<String>() + "…"
    }
}

#[cfg(test)]
mod tests;
