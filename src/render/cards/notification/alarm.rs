//! The alarm card: a header in the state's colour (name, account, Region, topic), the reason,
//! the last change, what the alarm watches (threshold, metric, dimensions; a metric-math
//! alarm's expression and inputs; a composite alarm's rule and triggering children), the charts,
//! earlier state changes, who acknowledged it, and the buttons with a CloudWatch console link.

use serde_json::{json, Value};

use super::{
    aws_text, buttons, chart_elements, date_time, fact_set, heading, shown, state_colour,
    state_label, state_style, subtle, text_block, Limits, NotificationView,
};
use crate::notify::message::{
    AlarmNotification, AlarmState, AlarmTrigger, ChildAlarm, CompositeTrigger, MathTrigger,
    MetricStat, MetricTrigger,
};
use crate::render::cards::elements::code_block;
use crate::render::markdown::monospace;

/// The alarm card's body.
pub(super) fn body(
    alarm: &AlarmNotification,
    view: &NotificationView<'_>,
    limits: &Limits,
) -> Vec<Value> {
    let mut body = vec![header(alarm, view.topic, limits)];
    if let Some(description) = &alarm.description {
        body.push(json!({"type": "TextBlock", "text": shown(description, limits.text), "isSubtle": true, "wrap": true}));
    }
    if !alarm.reason.is_empty() {
        body.push(text_block(aws_text(&alarm.reason, limits.text)));
    }
    let mut facts = Vec::new();
    if let Some(at) = date_time(alarm.changed_at_millis).filter(|_| alarm.changed_at_millis > 0) {
        let change = match alarm.old_state {
            Some(old) => format!("{at} ({} → {})", old.as_str(), alarm.new_state.as_str()),
            None => at,
        };
        facts.push(("Last change".to_owned(), change));
    }
    match &alarm.trigger {
        AlarmTrigger::Metric(trigger) => metric_facts(trigger, &mut facts),
        AlarmTrigger::Math(trigger) => math_facts(trigger, &mut facts),
        AlarmTrigger::Composite(_) | AlarmTrigger::Unknown => {}
    }
    body.extend(fact_set(&facts, limits, aws_text));
    if let AlarmTrigger::Composite(composite) = &alarm.trigger {
        body.extend(composite_elements(composite, limits));
    }
    for chart in view.charts.iter().take(limits.items) {
        body.extend(chart_elements(chart, limits));
    }
    if !view.history.is_empty() {
        body.push(heading("Earlier changes"));
        for line in view.history.iter().take(limits.items) {
            body.push(json!({"type": "TextBlock", "text": aws_text(line, limits.fact), "isSubtle": true, "size": "Small", "spacing": "None", "wrap": true}));
        }
    }
    if let Some(who) = view.acknowledged_by {
        body.push(json!({
            "type": "TextBlock", "text": format!("Acknowledged by {}", shown(who, limits.fact)),
            "color": "Good", "weight": "Bolder", "spacing": "Medium", "wrap": true
        }));
    }
    let console = alarm.console_url();
    let console = (!alarm.region.is_empty()).then_some(("Open in CloudWatch", console.as_str()));
    body.extend(buttons(view.buttons, console));
    body
}

/// The coloured header: state, name, and where the alarm lives.
fn header(alarm: &AlarmNotification, topic: &str, limits: &Limits) -> Value {
    let state = alarm.new_state;
    let mut place = Vec::new();
    if !alarm.account_id.is_empty() {
        place.push(format!("Account {}", alarm.account_id));
    }
    if !alarm.region.is_empty() {
        place.push(alarm.region.clone());
    }
    if !topic.is_empty() {
        place.push(format!("topic {topic}"));
    }
    let kind = match alarm.trigger {
        AlarmTrigger::Composite(_) => "Composite alarm",
        AlarmTrigger::Math(_) => "Metric math alarm",
        AlarmTrigger::Metric(_) | AlarmTrigger::Unknown => "CloudWatch alarm",
    };
    json!({
        "type": "Container",
        "style": state_style(state),
        "bleed": true,
        "items": [
            {"type": "TextBlock", "text": format!("{} · {kind}", state_label(state)), "color": state_colour(state), "weight": "Bolder", "size": "Small", "wrap": true},
            {"type": "TextBlock", "text": aws_text(&alarm.name, limits.fact), "size": "Large", "weight": "Bolder", "wrap": true, "spacing": "None"},
            {"type": "TextBlock", "text": aws_text(&place.join(" · "), limits.fact), "isSubtle": true, "size": "Small", "wrap": true, "spacing": "None"}
        ]
    })
}

fn metric_facts(trigger: &MetricTrigger, facts: &mut Vec<(String, String)>) {
    let metric = &trigger.metric;
    facts.push((
        "Threshold".to_owned(),
        threshold_text(
            &metric.metric_name,
            &trigger.comparison_operator,
            trigger.threshold,
            trigger.evaluation_periods,
            metric.period_seconds,
        ),
    ));
    facts.push(("Metric".to_owned(), metric_text(metric)));
    for (name, value) in &metric.dimensions {
        facts.push((name.clone(), value.clone()));
    }
    if let Some(missing) = &trigger.treat_missing_data {
        facts.push(("Missing data".to_owned(), missing.clone()));
    }
}

fn math_facts(trigger: &MathTrigger, facts: &mut Vec<(String, String)>) {
    let watched = trigger.queries.iter().find(|query| query.return_data);
    let watched_name = watched
        .map(|query| query.label.clone().unwrap_or_else(|| query.id.clone()))
        .unwrap_or_else(|| "the expression".to_owned());
    facts.push((
        "Threshold".to_owned(),
        threshold_text(
            &watched_name,
            &trigger.comparison_operator,
            trigger.threshold,
            trigger.evaluation_periods,
            trigger.period_seconds,
        ),
    ));
    for query in &trigger.queries {
        let text = match (&query.expression, &query.metric) {
            (Some(expression), _) => expression.clone(),
            (None, Some(metric)) => {
                let dimensions: Vec<String> = metric
                    .dimensions
                    .iter()
                    .map(|(name, value)| format!("{name}={value}"))
                    .collect();
                match dimensions.is_empty() {
                    true => metric_text(metric),
                    false => format!("{} ({})", metric_text(metric), dimensions.join(", ")),
                }
            }
            (None, None) => continue,
        };
        let marker = if query.return_data { " (watched)" } else { "" };
        facts.push((format!("{}{marker}", query.id), text));
    }
}

/// `AWS/EC2 CPUUtilization · Average · 5 min`.
fn metric_text(metric: &MetricStat) -> String {
    let mut text = format!(
        "{} {} · {} · {}",
        metric.namespace,
        metric.metric_name,
        metric.stat,
        period_text(metric.period_seconds)
    );
    if let Some(unit) = &metric.unit {
        text.push_str(&format!(" · {unit}"));
    }
    text
}

/// `CPUUtilization > 80 for 3 datapoints of 5 min`; the band alarms in words.
pub(super) fn threshold_text(
    metric: &str,
    operator: &str,
    threshold: Option<f64>,
    datapoints: u32,
    period_seconds: u32,
) -> String {
    let value = threshold.map(number_text);
    let condition = match (operator, value) {
        ("GreaterThanThreshold", Some(v)) => format!("{metric} > {v}"),
        ("GreaterThanOrEqualToThreshold", Some(v)) => format!("{metric} ≥ {v}"),
        ("LessThanThreshold", Some(v)) => format!("{metric} < {v}"),
        ("LessThanOrEqualToThreshold", Some(v)) => format!("{metric} ≤ {v}"),
        ("LessThanLowerOrGreaterThanUpperThreshold", _) => format!("{metric} outside the band"),
        ("LessThanLowerThreshold", _) => format!("{metric} below the band"),
        ("GreaterThanUpperThreshold", _) => format!("{metric} above the band"),
        (_, Some(v)) => format!("{metric} crosses {v}"),
        (_, None) => format!("{metric} crosses its threshold"),
    };
    let noun = if datapoints == 1 {
        "datapoint"
    } else {
        "datapoints"
    };
    format!(
        "{condition} for {datapoints} {noun} of {}",
        period_text(period_seconds)
    )
}

/// `80`, `0.5`, `1e21`: whole numbers without a fraction.
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}

/// `10 s`, `5 min`, `1 hour`, `6 hours`, `1 day`.
pub(super) fn period_text(seconds: u32) -> String {
    let plural = |n: u32, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    match seconds {
        s if s >= 86_400 && s % 86_400 == 0 => plural(s / 86_400, "day", "days"),
        s if s >= 3_600 && s % 3_600 == 0 => plural(s / 3_600, "hour", "hours"),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// A composite alarm's rule in monospace and its triggering children with their states.
fn composite_elements(composite: &CompositeTrigger, limits: &Limits) -> Vec<Value> {
    let mut elements = vec![
        heading("Rule"),
        code_block(monospace(&super::cut(&composite.rule, limits.text), false)),
    ];
    let children = &composite.triggering_children;
    if !children.is_empty() {
        elements.push(heading("Triggering alarms"));
        elements.extend(
            children
                .iter()
                .take(limits.items)
                .map(|child| child_row(child, limits)),
        );
        if children.len() > limits.items {
            elements.push(subtle(&format!(
                "and {} more",
                children.len() - limits.items
            )));
        }
    }
    elements
}

fn child_row(child: &ChildAlarm, limits: &Limits) -> Value {
    let state = child.state.map_or_else(
        || json!({"type": "TextBlock", "text": "?", "isSubtle": true, "size": "Small"}),
        |state: AlarmState| {
            json!({"type": "TextBlock", "text": state_label(state), "color": state_colour(state), "weight": "Bolder", "size": "Small"})
        },
    );
    json!({
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "auto", "items": [state]},
            {"type": "Column", "width": "stretch", "items": [
                {"type": "TextBlock", "text": aws_text(child.name(), limits.fact), "size": "Small", "wrap": true}
            ]}
        ]
    })
}
