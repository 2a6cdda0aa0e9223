//! What an SNS notification's `Message` says, read into one of four kinds: a CloudWatch alarm
//! state change (metric, metric math or composite; from SNS's JSON or EventBridge's
//! "CloudWatch Alarm State Change"), another EventBridge event, AWS Chatbot's custom
//! notification format, or plain text published by hand. Parsing never fails: what is not
//! one of the structured kinds is shown as text. Bounded: the message is at most SNS's 256 KiB
//! and JSON nesting is checked before it is parsed. The types are the contract the
//! notification hub and the cards build on; each format is read in its own file.

mod alarm;
mod alarm_event;
mod custom;
mod eventbridge;
mod fields;
mod layouts;
mod regions;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// SNS's largest message; a longer one is shown as text, cut.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;
/// The deepest JSON nesting read (checked by a scan before `serde_json` recurses into it);
/// AWS's messages nest less than 10 deep.
pub const MAX_JSON_DEPTH: usize = 64;

/// One notification, read from an SNS `Message` (and its `Subject`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Notification {
    Alarm(AlarmNotification),
    Event(EventNotification),
    Custom(CustomNotification),
    Text(TextNotification),
}

/// A CloudWatch alarm's state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmNotification {
    pub name: String,
    pub description: Option<String>,
    /// `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`, when the message gives it.
    pub arn: Option<String>,
    pub account_id: String,
    /// The Region code (`us-east-1`), also when SNS gives only its display name.
    pub region: String,
    pub new_state: AlarmState,
    pub old_state: Option<AlarmState>,
    pub reason: String,
    /// `StateChangeTime` in milliseconds since the epoch (UTC).
    pub changed_at_millis: i64,
    pub trigger: AlarmTrigger,
}

/// An alarm state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    /// The state as CloudWatch writes it (`OK`, `ALARM`, `INSUFFICIENT_DATA`).
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }

    /// The state CloudWatch's text names; `None` for anything else.
    pub fn parse(text: &str) -> Option<AlarmState> {
        match text {
            "OK" => Some(AlarmState::Ok),
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            _ => None,
        }
    }
}

/// What an alarm watches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AlarmTrigger {
    Metric(MetricTrigger),
    Math(MathTrigger),
    Composite(CompositeTrigger),
    /// The message did not say (EventBridge events without a configuration, say).
    Unknown,
}

/// One metric with a statistic, the way `GetMetricData`'s `MetricStat` names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricStat {
    pub namespace: String,
    pub metric_name: String,
    /// Name → value, in the message's order.
    pub dimensions: Vec<(String, String)>,
    /// `Average`, `Sum`, ... or an extended statistic (`p99`).
    pub stat: String,
    pub period_seconds: u32,
    pub unit: Option<String>,
}

/// A single-metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricTrigger {
    pub metric: MetricStat,
    pub evaluation_periods: u32,
    /// `GreaterThanThreshold`, ...
    pub comparison_operator: String,
    /// `None` for anomaly-detection bands.
    pub threshold: Option<f64>,
    pub treat_missing_data: Option<String>,
}

/// A metric-math alarm: its queries; the one with `return_data` is what it watches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MathTrigger {
    pub queries: Vec<MathQuery>,
    pub period_seconds: u32,
    pub evaluation_periods: u32,
    pub comparison_operator: String,
    pub threshold: Option<f64>,
}

/// One `MetricDataQuery` of a metric-math alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MathQuery {
    pub id: String,
    pub expression: Option<String>,
    pub metric: Option<MetricStat>,
    pub label: Option<String>,
    pub return_data: bool,
}

/// A composite alarm: its rule and the children that triggered it (ARNs or names, at most
/// what the message lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompositeTrigger {
    pub rule: String,
    pub triggering_children: Vec<ChildAlarm>,
}

/// A child alarm named by a composite alarm's message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildAlarm {
    pub arn: String,
    pub state: Option<AlarmState>,
}

impl ChildAlarm {
    /// The child's name: its ARN after `:alarm:` (the whole text when it is a name already).
    pub fn name(&self) -> &str {
        fields::alarm_name_from_arn(&self.arn)
    }
}

/// An EventBridge event delivered through SNS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventNotification {
    pub kind: EventKind,
    pub detail_type: String,
    pub source: String,
    pub account: String,
    pub region: String,
    /// `time`, as the event gives it.
    pub time: Option<String>,
    pub resources: Vec<String>,
    /// The title the card shows (the finding's title, the pipeline and its state, ...).
    pub title: String,
    /// The key fields of `detail`, label → value, in display order.
    pub facts: Vec<(String, String)>,
    /// A link to the console page of the event's subject, when there is one.
    pub console_url: Option<String>,
    /// A longer text the event carries (a Health event's latest description, a finding's
    /// description).
    #[serde(default)]
    pub description: Option<String>,
}

/// The EventBridge events with a layout of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    Generic,
    HealthEvent,
    GuardDutyFinding,
    SecurityHubFindings,
    CodePipelineExecution,
}

/// AWS Chatbot's custom notification format (`version` "1.0", `source` "custom").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomNotification {
    pub title: Option<String>,
    pub description: String,
    pub next_steps: Vec<String>,
    pub keywords: Vec<String>,
    /// `metadata.threadId`: notifications with the same id share one Teams thread.
    pub thread_id: Option<String>,
    pub summary: Option<String>,
    /// `metadata.additionalContext`, key → value.
    pub additional_context: Vec<(String, String)>,
    /// `content.textType`: `client-markdown` or plain.
    pub markdown: bool,
    /// `metadata.eventType`.
    #[serde(default)]
    pub event_type: Option<String>,
    /// `metadata.relatedResources`.
    #[serde(default)]
    pub related_resources: Vec<String>,
}

/// A message published by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextNotification {
    pub subject: Option<String>,
    pub text: String,
}

impl Notification {
    /// Reads an SNS notification's `Message` (with its `Subject`). Never fails: a message that
    /// is none of the structured kinds, too deep or too long to read is shown as text (a message
    /// over [`MAX_MESSAGE_BYTES`] cut, with "…").
    pub fn parse(subject: Option<&str>, message: &str) -> Notification {
        let text = || {
            Notification::Text(TextNotification {
                subject: subject.filter(|s| !s.is_empty()).map(str::to_owned),
                text: super::cut_bytes(message, MAX_MESSAGE_BYTES),
            })
        };
        if message.len() > MAX_MESSAGE_BYTES
            || !message.trim_start().starts_with('{')
            || !fields::nesting_within(message, MAX_JSON_DEPTH)
        {
            return text();
        }
        match serde_json::from_str::<Value>(message) {
            Ok(Value::Object(map)) => structured(&map).unwrap_or_else(text),
            _ => text(),
        }
    }

    /// What groups notifications into one card and thread in a channel: the alarm (its ARN,
    /// else account/region/name), a custom notification's `threadId`; `None` for the rest.
    pub fn thread_key(&self) -> Option<String> {
        match self {
            Notification::Alarm(alarm) => Some(alarm.arn.clone().unwrap_or_else(|| {
                format!("{}/{}/{}", alarm.account_id, alarm.region, alarm.name)
            })),
            Notification::Custom(custom) => custom.thread_id.clone(),
            Notification::Event(_) | Notification::Text(_) => None,
        }
    }
}

/// The structured kind a JSON object is, when it is one.
fn structured(map: &serde_json::Map<String, Value>) -> Option<Notification> {
    if custom::is_custom(map) {
        return custom::parse(map).map(Notification::Custom);
    }
    if eventbridge::is_event(map) {
        return eventbridge::parse(map);
    }
    if alarm::is_sns_alarm(map) {
        return alarm::from_sns(map).map(Notification::Alarm);
    }
    None
}

impl AlarmNotification {
    /// The alarm's page in the CloudWatch console.
    pub fn console_url(&self) -> String {
        let host = regions::console_host(&self.region);
        let region = regions::code_or_empty(&self.region);
        let name =
            percent_encoding::utf8_percent_encode(&self.name, percent_encoding::NON_ALPHANUMERIC);
        format!("https://{host}/cloudwatch/home?region={region}#alarmsV2:alarm/{name}")
    }
}
