//! Prometheus metrics, served by `http/` as `GET /metrics`: activities by type and outcome,
//! authentication failures by reason, turn latency, AWS calls by service, operation and
//! outcome with their latency, Bot Connector deliveries, store operations, pending-request
//! transitions and process memory. One registry per process (metrics are process-wide, like
//! logs); every label value comes from a fixed set or from the service models, never from raw
//! user input, so the number of series stays bounded.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry};

/// The content type of [`Metrics::render`]'s text (OpenMetrics, which Prometheus reads).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActivityLabels {
    r#type: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AwsCallLabels {
    service: String,
    operation: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabels {
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    event: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreLabels {
    operation: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MemoryLabels {
    kind: &'static str,
}

/// What became of an outgoing message (or of one call for it): the `event` label of
/// `connector_events`. `teams` counts them; this module names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryEvent {
    /// The Connector accepted a message (send, reply, update) on its first call.
    Sent,
    /// A retry within a call (Connector requests and token requests).
    Retried,
    /// The Connector refused a message for good (4xx, redirects, invalid ids): not outboxed.
    Refused,
    /// A message was put in the outbox after its call failed.
    Outboxed,
    /// The outbox delivered a message later.
    DeliveredFromOutbox,
    /// A message was abandoned (attempts or age used up, outbox full or unusable).
    GivenUp,
}

impl DeliveryEvent {
    /// Every event, in the order the metrics text lists them.
    pub const ALL: [DeliveryEvent; 6] = [
        DeliveryEvent::Sent,
        DeliveryEvent::Retried,
        DeliveryEvent::Refused,
        DeliveryEvent::Outboxed,
        DeliveryEvent::DeliveredFromOutbox,
        DeliveryEvent::GivenUp,
    ];

    /// The event's label value.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryEvent::Sent => "sent",
            DeliveryEvent::Retried => "retried",
            DeliveryEvent::Refused => "refused",
            DeliveryEvent::Outboxed => "outboxed",
            DeliveryEvent::DeliveredFromOutbox => "delivered_from_outbox",
            DeliveryEvent::GivenUp => "given_up",
        }
    }
}

/// The delivery counters at one moment, as running totals since start-up: `teams` counts and
/// fills it in, [`Metrics::delivery`] shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliverySnapshot {
    /// [`DeliveryEvent::Sent`] so far.
    pub sent: u64,
    /// [`DeliveryEvent::Retried`] so far.
    pub retried: u64,
    /// [`DeliveryEvent::Refused`] so far.
    pub refused: u64,
    /// [`DeliveryEvent::Outboxed`] so far.
    pub outboxed: u64,
    /// [`DeliveryEvent::DeliveredFromOutbox`] so far.
    pub delivered_from_outbox: u64,
    /// [`DeliveryEvent::GivenUp`] so far.
    pub given_up: u64,
    /// Messages in the outbox at the last look (all replicas, as the store holds them).
    pub outbox_depth: u64,
}

impl DeliverySnapshot {
    /// How many times `event` happened.
    pub fn total(&self, event: DeliveryEvent) -> u64 {
        match event {
            DeliveryEvent::Sent => self.sent,
            DeliveryEvent::Retried => self.retried,
            DeliveryEvent::Refused => self.refused,
            DeliveryEvent::Outboxed => self.outboxed,
            DeliveryEvent::DeliveredFromOutbox => self.delivered_from_outbox,
            DeliveryEvent::GivenUp => self.given_up,
        }
    }
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    activities: Family<ActivityLabels, Counter>,
    auth_failures: Family<ReasonLabels, Counter>,
    turn_seconds: Histogram,
    aws_calls: Family<AwsCallLabels, Counter>,
    aws_call_seconds: Family<ServiceLabels, Histogram>,
    connector: Family<EventLabels, Counter>,
    outbox_depth: Gauge,
    store_operations: Family<StoreLabels, Counter>,
    request_transitions: Family<StateLabels, Counter>,
    requests_running: Gauge,
    memory_bytes: Family<MemoryLabels, Gauge>,
    notifications: Family<EventLabels, Counter>,
    notifications_refused: Family<ReasonLabels, Counter>,
}

/// What became of an SNS delivery on `/api/sns`, or of one notification for one channel:
/// the `event` label of `notifications`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotificationEvent {
    /// A verified notification from a configured topic.
    Received,
    /// A card (or thread reply, or digest) posted or updated for one channel.
    Posted,
    /// The same `MessageId` again within 24 h: accepted, not posted again.
    Duplicate,
    /// A channel the notification could not be delivered to (no reference, or the Connector
    /// refused or stayed down after retries).
    Undeliverable,
}

impl NotificationEvent {
    pub fn label(self) -> &'static str {
        match self {
            NotificationEvent::Received => "received",
            NotificationEvent::Posted => "posted",
            NotificationEvent::Duplicate => "duplicate",
            NotificationEvent::Undeliverable => "undeliverable",
        }
    }
}

/// Latency buckets in seconds: from a cached answer (1 ms) to the 15 s command deadline.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 15.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// Registers `metric` under `name` with its `help` text and hands it back to be kept: the
/// registry encodes the clone it holds, and clones share their values.
fn registered<M: Metric + Clone>(registry: &mut Registry, name: &str, help: &str, metric: M) -> M {
    registry.register(name, help, metric.clone());
    metric
}

impl Metrics {
    /// Every family, registered in the order the text lists them.
    fn new() -> Self {
        let mut registry = Registry::with_prefix("aws_chatops");
        let r = &mut registry;
        Metrics {
            activities: registered(
                r,
                "activities",
                "Activities received on /api/messages, by type and how they were answered",
                Family::default(),
            ),
            auth_failures: registered(
                r,
                "auth_failures",
                "Requests refused with 401, by reason",
                Family::default(),
            ),
            turn_seconds: registered(
                r,
                "turn_seconds",
                "Time from a request's arrival to its HTTP answer",
                latency_histogram(),
            ),
            aws_calls: registered(
                r,
                "aws_calls",
                "AWS calls (one per page), by service, operation and outcome",
                Family::default(),
            ),
            aws_call_seconds: registered(
                r,
                "aws_call_seconds",
                "Latency of AWS calls (one per page, retries included), by service",
                Family::new_with_constructor(latency_histogram as fn() -> _),
            ),
            connector: registered(
                r,
                "connector_events",
                "Bot Connector messages: sent, retried, refused, outboxed, delivered_from_outbox, given_up",
                Family::default(),
            ),
            outbox_depth: registered(
                r,
                "outbox_depth",
                "Replies waiting in the durable outbox for another delivery attempt",
                Gauge::default(),
            ),
            store_operations: registered(
                r,
                "store_operations",
                "Durable store operations, by operation and outcome (ok or error)",
                Family::default(),
            ),
            request_transitions: registered(
                r,
                "request_transitions",
                "Pending requests (forms, confirmations, pages) entering each state",
                Family::default(),
            ),
            requests_running: registered(
                r,
                "requests_running",
                "Pending requests noted as running in the store (all replicas)",
                Gauge::default(),
            ),
            memory_bytes: registered(
                r,
                "process_memory_bytes",
                "Process memory: resident (VmRSS) and peak resident (VmHWM)",
                Family::default(),
            ),
            notifications: registered(
                r,
                "notifications",
                "SNS notifications: received, posted (per channel), duplicate, undeliverable (per channel)",
                Family::default(),
            ),
            notifications_refused: registered(
                r,
                "notifications_refused",
                "Deliveries to /api/sns refused with 403, by reason",
                Family::default(),
            ),
            registry,
        }
    }

    /// One notification event (see [`NotificationEvent`]).
    pub fn notification(&self, event: NotificationEvent) {
        self.notifications
            .get_or_create(&EventLabels {
                event: event.label(),
            })
            .inc();
    }

    /// A delivery to `/api/sns` refused, with a reason from a fixed list.
    pub fn notification_refused(&self, reason: &'static str) {
        self.notifications_refused
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// An activity answered: its type (see [`activity_type`]; `unread` for a request refused
    /// before it was parsed) and how.
    pub fn activity(&self, r#type: &'static str, outcome: &'static str) {
        self.activities
            .get_or_create(&ActivityLabels { r#type, outcome })
            .inc();
    }

    /// A request refused with 401, with a reason from a fixed list.
    pub fn auth_failure(&self, reason: &'static str) {
        self.auth_failures
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// How long a request to `/api/messages` took to answer.
    pub fn turn_latency(&self, elapsed: Duration) {
        self.turn_seconds.observe(elapsed.as_secs_f64());
    }

    /// One AWS call; `service` and `operation` are model names, `outcome` from a fixed list.
    pub fn aws_call(&self, service: &str, operation: &str, outcome: &'static str, took: Duration) {
        self.aws_calls
            .get_or_create(&AwsCallLabels {
                service: service.to_owned(),
                operation: operation.to_owned(),
                outcome,
            })
            .inc();
        self.aws_call_seconds
            .get_or_create(&ServiceLabels {
                service: service.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    /// Brings the Bot Connector figures up to the delivery counters' totals (read at scrape).
    pub fn delivery(&self, snapshot: &DeliverySnapshot) {
        for event in DeliveryEvent::ALL {
            let total = snapshot.total(event);
            let counter = self.connector.get_or_create(&EventLabels {
                event: event.label(),
            });
            let shown = counter.get();
            if total > shown {
                counter.inc_by(total - shown);
            }
        }
        self.outbox_depth.set(snapshot.outbox_depth as i64);
    }

    /// A store operation and whether it succeeded.
    pub fn store_operation(&self, operation: &'static str, ok: bool) {
        let outcome = if ok { "ok" } else { "error" };
        self.store_operations
            .get_or_create(&StoreLabels { operation, outcome })
            .inc();
    }

    /// A pending request entered `state`.
    pub fn request_transition(&self, state: &'static str) {
        self.request_transitions
            .get_or_create(&StateLabels { state })
            .inc();
    }

    /// How many requests the store notes as running.
    pub fn set_requests_running(&self, running: usize) {
        self.requests_running.set(running as i64);
    }

    /// The text Prometheus scrapes, with process memory read now.
    pub fn render(&self) -> String {
        if let Some((resident, peak)) = process_memory() {
            self.memory_bytes
                .get_or_create(&MemoryLabels { kind: "resident" })
                .set(resident as i64);
            self.memory_bytes
                .get_or_create(&MemoryLabels {
                    kind: "peak_resident",
                })
                .set(peak as i64);
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// An activity's type as a label: one of the Bot Framework's, else `other` (the type is the
/// sender's text, so it never becomes a label as it is).
pub fn activity_type(activity_type: &str) -> &'static str {
    match activity_type {
        "message" => "message",
        "invoke" => "invoke",
        "conversationUpdate" => "conversationUpdate",
        "installationUpdate" => "installationUpdate",
        "messageReaction" => "messageReaction",
        "typing" => "typing",
        "event" => "event",
        _ => "other",
    }
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

/// VmRSS and VmHWM in bytes, where `/proc` has them (Linux).
fn process_memory() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|line| line.starts_with(name))?;
        let kib: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_family_and_counts_what_happened() {
        let metrics = Metrics::new();
        metrics.activity(activity_type("message"), "accepted");
        metrics.activity(activity_type("<script>"), "accepted");
        metrics.auth_failure("bad_signature");
        metrics.aws_call(
            "cloudwatch",
            "DescribeAlarms",
            "ok",
            Duration::from_millis(12),
        );
        metrics.store_operation("get", true);
        metrics.request_transition("running");
        metrics.notification(NotificationEvent::Duplicate);
        metrics.notification_refused("signature");
        metrics.delivery(&DeliverySnapshot {
            sent: 3,
            outbox_depth: 1,
            ..DeliverySnapshot::default()
        });
        let text = metrics.render();
        for expected in [
            r#"aws_chatops_activities_total{type="message",outcome="accepted"} 1"#,
            r#"aws_chatops_activities_total{type="other",outcome="accepted"} 1"#,
            r#"aws_chatops_auth_failures_total{reason="bad_signature"} 1"#,
            r#"aws_chatops_aws_calls_total{service="cloudwatch",operation="DescribeAlarms",outcome="ok"} 1"#,
            r#"aws_chatops_aws_call_seconds_bucket{le="0.025",service="cloudwatch"} 1"#,
            r#"aws_chatops_store_operations_total{operation="get",outcome="ok"} 1"#,
            r#"aws_chatops_request_transitions_total{state="running"} 1"#,
            r#"aws_chatops_connector_events_total{event="sent"} 3"#,
            "aws_chatops_outbox_depth 1",
            r#"aws_chatops_notifications_total{event="duplicate"} 1"#,
            r#"aws_chatops_notifications_refused_total{reason="signature"} 1"#,
            "aws_chatops_process_memory_bytes{kind=\"resident\"}",
            "# EOF",
        ] {
            assert!(text.contains(expected), "{expected} not in\n{text}");
        }
        assert!(
            !text.contains("script"),
            "raw activity types never become labels"
        );
    }

    #[test]
    fn every_delivery_event_is_listed_once_in_declaration_order() {
        // The delivery counters keep one total per event at the index of its declaration.
        for (index, event) in DeliveryEvent::ALL.into_iter().enumerate() {
            assert_eq!(event as usize, index, "{event:?}");
        }
    }
}
