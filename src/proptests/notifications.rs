//! Property tests of what AWS sends by itself: SNS envelopes (every check made before a
//! certificate is fetched), notification messages of every kind, and the cards they become.
//! The inputs are arbitrary text and bytes, and the fixture messages with values swapped for
//! structured-but-wrong ones: nesting around the limit, huge arrays, wrong types, unicode,
//! strings longer than SNS allows. Each property: never a panic, every card under
//! `CARD_BUDGET_BYTES` with its actions well formed, a notification survives the store's serde
//! round trip, refusals stay short enough to log.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::{config, deep, json_value, soup};
use crate::notify::message::{Notification, MAX_JSON_DEPTH, MAX_MESSAGE_BYTES};
use crate::notify::sns::{self, CertUrlPolicy};
use crate::render::chart::ChartImage;
use crate::render::{
    self, Card, DigestEntry, LabeledChart, NotificationButton, NotificationView, Verb,
    CARD_BUDGET_BYTES,
};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/notifications/",
            $name
        ))
    };
}

/// Every message format the bot reads, as AWS sends it.
const FIXTURES: &[&str] = &[
    fixture!("alarm-metric.json"),
    fixture!("alarm-math.json"),
    fixture!("alarm-composite.json"),
    fixture!("eventbridge-alarm.json"),
    fixture!("health.json"),
    fixture!("guardduty.json"),
    fixture!("securityhub.json"),
    fixture!("codepipeline.json"),
    fixture!("custom.json"),
];

/// Values the readers look for by name: states, ARNs, timestamps, formats.
const MEANINGFUL: &[&str] = &[
    "",
    "ALARM",
    "OK",
    "INSUFFICIENT_DATA",
    "arn:aws:cloudwatch:us-east-1:123456789012:alarm:x",
    "arn:aws:cloudwatch::::alarm:",
    ":alarm:",
    "arn:",
    "2026-12-03T10:42:07.123+0000",
    "+0000",
    "-9999",
    "9999-12-31T23:59:59.999+2359",
    "-9999-01-01T00:00:00Z",
    "US East (N. Virginia)",
    "cn-north-1",
    "client-markdown",
    "1.0",
    "custom",
    "aws.cloudwatch",
    "CloudWatch Alarm State Change",
    "GuardDuty Finding",
    "300",
    "1e400",
    "-1",
    "NaN",
    "p99.9",
    "TS(10%:90%)",
];

/// Text that is hard to escape, cut or measure: multi-byte, combining, direction marks,
/// markdown, JSON escapes and mentions.
const UNICODE: &[&str] = &[
    "a",
    "é",
    "😀",
    "\u{202e}",
    "\u{0}",
    "a\u{301}",
    "\\",
    "*",
    "_",
    "[",
    "](",
    "`",
    "<at>",
    "&",
    "\"",
    "\n",
    "\u{feff}",
    "\u{10ffff}",
    "#",
    "> ",
];

/// Keys the readers know, to add where they do not belong.
const KEYS: &[&str] = &[
    "AlarmName",
    "NewStateValue",
    "Trigger",
    "Metrics",
    "Dimensions",
    "detail",
    "detail-type",
    "source",
    "state",
    "reasonData",
    "configuration",
    "metrics",
    "content",
    "metadata",
    "additionalContext",
    "description",
    "resources",
    "findings",
    "eventDescription",
];

/// Arrays (or objects) nested `depth` deep around 1, built without recursion.
fn nested(depth: usize, object: bool) -> Value {
    let mut value = json!(1);
    for _ in 0..depth {
        value = if object {
            json!({ "a": value })
        } else {
            Value::Array(vec![value])
        };
    }
    value
}

/// A value where the readers expect something else.
fn wrong_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value(),
        (0..MAX_JSON_DEPTH + 8, any::<bool>()).prop_map(|(depth, object)| nested(depth, object)),
        (0usize..20_000, prop::sample::select(MEANINGFUL))
            .prop_map(|(n, item)| Value::Array(vec![json!(item); n])),
        (prop::sample::select(UNICODE), 0usize..70_000).prop_map(|(unit, n)| json!(unit.repeat(n))),
        prop::sample::select(MEANINGFUL).prop_map(|text| json!(text)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            Just(json!(4_294_967_296u64)),
            Just(json!(1e308)),
            Just(json!(-0.0)),
            Just(json!(0.5)),
        ],
        // JSON in a string, as `reasonData` carries it.
        deep(&["[", "{\"a\":", "{\"threshold\":["]).prop_map(Value::String),
        json_value().prop_map(|v| Value::String(v.to_string())),
    ]
}

/// One change to a message: replace the value at a path, or add a known key to an object.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, Value),
    Insert(usize, &'static str, Value),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), wrong_value()).prop_map(|(at, value)| Mutation::Replace(at, value)),
        (any::<usize>(), prop::sample::select(KEYS), wrong_value())
            .prop_map(|(at, key, value)| Mutation::Insert(at, key, value)),
    ]
}

/// The JSON pointers of every value in `value`, the root first.
fn pointers(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let key = key.replace('~', "~0").replace('/', "~1");
                    stack.push((format!("{pointer}/{key}"), child));
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    stack.push((format!("{pointer}/{index}"), child));
                }
            }
            _ => {}
        }
        found.push(pointer);
    }
    found
}

/// `base` with the mutations applied, in order.
fn mutated(mut base: Value, mutations: Vec<Mutation>) -> Value {
    for change in mutations {
        let paths = pointers(&base);
        match change {
            Mutation::Replace(at, value) => {
                if let Some(slot) = base.pointer_mut(&paths[at % paths.len()]) {
                    *slot = value;
                }
            }
            Mutation::Insert(at, key, value) => {
                if let Some(Value::Object(map)) = base.pointer_mut(&paths[at % paths.len()]) {
                    map.insert(key.to_owned(), value);
                }
            }
        }
    }
    base
}

/// A fixture message with up to four values changed.
fn wrong_message() -> impl Strategy<Value = String> {
    (
        prop::sample::select(FIXTURES),
        prop::collection::vec(mutation(), 0..4),
    )
        .prop_map(|(fixture, mutations)| {
            let base: Value = serde_json::from_str(fixture).expect("fixtures are JSON");
            mutated(base, mutations).to_string()
        })
}

/// A fixture message with a field nested `depth` deep, or cut off inside that nesting.
fn deep_message() -> impl Strategy<Value = String> {
    (
        prop::sample::select(FIXTURES),
        0..MAX_JSON_DEPTH + 4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(fixture, depth, object, closed)| {
            let mut base: Value = serde_json::from_str(fixture).expect("fixtures are JSON");
            if let Value::Object(map) = &mut base {
                map.insert("deep".into(), nested(depth, object));
            }
            let text = base.to_string();
            if closed {
                text
            } else {
                let mut half = text.len() / 2;
                while !text.is_char_boundary(half) {
                    half -= 1;
                }
                text[..half].to_owned()
            }
        })
}

/// Any message: arbitrary text, bytes, JSON soup, unbalanced nesting, or a fixture made wrong.
fn any_message() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => ".{0,300}",
        1 => prop::collection::vec(any::<u8>(), 0..600)
            .prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        1 => soup(super::JSON_PIECES, 200),
        1 => deep(&["[", "{\"a\":", "{\"detail\":", "\"", "\\"]).prop_map(|d| format!("{{{d}")),
        1 => (0usize..300_000).prop_map(|n| format!("{{\"a\":\"{}\"}}", "x".repeat(n))),
        3 => wrong_message(),
        1 => deep_message(),
    ]
}

/// A card's size and actions: under the budget, Adaptive Cards 1.5, and every Action.Execute
/// in an ActionSet with an Action.Submit fallback.
fn check_card(card: &Card) -> Result<(), TestCaseError> {
    let text = card.content.to_string();
    prop_assert!(
        text.len() < CARD_BUDGET_BYTES,
        "{} bytes: {:.300}",
        text.len(),
        text
    );
    prop_assert_eq!(&card.content["version"], "1.5");
    let mut stack = vec![(&card.content, false)];
    while let Some((value, in_action_set)) = stack.pop() {
        match value {
            Value::Object(map) => {
                if map.get("type") == Some(&json!("Action.Execute")) {
                    prop_assert!(in_action_set, "an Action.Execute outside an ActionSet");
                    prop_assert_eq!(&map["fallback"]["type"], "Action.Submit");
                }
                let set = map.get("type") == Some(&json!("ActionSet"));
                for (key, child) in map {
                    // Only an ActionSet's own `actions` count as inside it.
                    stack.push((child, set && key == "actions"));
                }
            }
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, in_action_set))),
            _ => {}
        }
    }
    Ok(())
}

/// What the hub keeps besides the notification: buttons, charts, history, who acknowledged.
#[derive(Debug, Clone)]
struct Surroundings {
    topic: String,
    buttons: Vec<NotificationButton>,
    charts: Vec<LabeledChart>,
    history: Vec<String>,
    acknowledged_by: Option<String>,
}

fn surroundings() -> impl Strategy<Value = Surroundings> {
    let button = (
        prop_oneof![
            ".{0,60}",
            (prop::sample::select(UNICODE), 0usize..400).prop_map(|(u, n)| u.repeat(n))
        ],
        prop::sample::select(&Verb::ALL[..]),
        "[0-9a-f]{32}",
        prop::option::of(0usize..100),
    )
        .prop_map(|(title, verb, record, index)| NotificationButton {
            title,
            verb,
            record,
            index,
        });
    let image = prop_oneof![
        (".{0,100}", ".{0,100}").prop_map(|(url, alt)| ChartImage::Url { url, alt }),
        (0usize..30_000, ".{0,100}").prop_map(|(n, alt)| ChartImage::DataUri {
            uri: format!("data:image/png;base64,{}", "A".repeat(n)),
            alt
        }),
        (".{0,200}", ".{0,100}").prop_map(|(text, alt)| ChartImage::Sparkline { text, alt }),
        ".{0,300}".prop_map(|reason| ChartImage::Unavailable { reason }),
    ];
    let chart = (".{0,200}", image).prop_map(|(label, image)| LabeledChart { label, image });
    (
        ".{0,80}",
        prop::collection::vec(button, 0..16),
        prop::collection::vec(chart, 0..4),
        prop::collection::vec(".{0,200}", 0..40),
        prop::option::of(".{0,200}"),
    )
        .prop_map(
            |(topic, buttons, charts, history, acknowledged_by)| Surroundings {
                topic,
                buttons,
                charts,
                history,
                acknowledged_by,
            },
        )
}

/// Reads a message, checks what the hub relies on, and renders it bare and with everything.
fn read_and_render(
    subject: Option<&str>,
    message: &str,
    around: &Surroundings,
) -> Result<(), TestCaseError> {
    let notification = Notification::parse(subject, message);
    if let Notification::Text(text) = &notification {
        prop_assert!(text.text.len() <= MAX_MESSAGE_BYTES);
    }
    // The hub keeps notifications in the store as JSON.
    let stored = serde_json::to_string(&notification).expect("a notification serialises");
    let back: Notification = serde_json::from_str(&stored).expect("and reads back");
    prop_assert_eq!(&back, &notification);
    let _ = notification.thread_key();
    if let Notification::Alarm(alarm) = &notification {
        prop_assert!(url::Url::parse(&alarm.console_url()).is_ok());
        let line =
            render::state_change_text(alarm.old_state, alarm.new_state, alarm.changed_at_millis);
        prop_assert!(line.len() < 200, "{}", line);
    }
    let bare = NotificationView {
        notification: &notification,
        topic: "alarms",
        charts: &[],
        buttons: &[],
        acknowledged_by: None,
        history: &[],
    };
    check_card(&render::notification(&bare))?;
    let full = NotificationView {
        topic: &around.topic,
        charts: &around.charts,
        buttons: &around.buttons,
        acknowledged_by: around.acknowledged_by.as_deref(),
        history: &around.history,
        ..bare
    };
    check_card(&render::notification(&full))
}

/// A Notification envelope as SNS sends it, signed with nonsense (the signature is not
/// checked offline) and a certificate on the topic Region's SNS host.
fn envelope_template(message: &str) -> Value {
    json!({
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:alarms",
        "Subject": "ALARM: \"x\" in US East (N. Virginia)",
        "Message": message,
        "Timestamp": "2026-12-03T10:42:08.000Z",
        "SignatureVersion": "2",
        "Signature": "c2lnbmF0dXJl",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "Token": "2336412f37fb"
    })
}

const ENVELOPE_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\"Type\"",
    "\"Notification\"",
    "\"SubscriptionConfirmation\"",
    "\"TopicArn\"",
    "\"arn:aws:sns:us-east-1:123456789012:a\"",
    "\"Message\"",
    "\"MessageId\"",
    "\"Timestamp\"",
    "\"SignatureVersion\"",
    "\"1\"",
    "\"2\"",
    "\"Signature\"",
    "\"SigningCertURL\"",
    "\"https://sns.us-east-1.amazonaws.com/c.pem\"",
    "\"x\"",
    "null",
    "1",
    "\"\\u0000\"",
    "\"\\ud800\"",
];

/// Envelope bodies: bytes, soup, deep nesting, and the template made wrong (its message one of
/// the wrong messages).
fn any_envelope() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..600),
        1 => soup(ENVELOPE_PIECES, 200).prop_map(String::into_bytes),
        1 => deep(&["[", "{\"Type\":", "{\"Message\":"]).prop_map(String::into_bytes),
        3 => wrong_envelope(),
    ]
}

fn wrong_envelope() -> impl Strategy<Value = Vec<u8>> {
    (
        any_message(),
        prop::collection::vec(mutation(), 0..3),
        prop::sample::select(
            &[
                "Notification",
                "SubscriptionConfirmation",
                "UnsubscribeConfirmation",
            ][..],
        ),
    )
        .prop_map(|(message, mutations, kind)| {
            let mut base = envelope_template(&message);
            base["Type"] = json!(kind);
            mutated(base, mutations).to_string().into_bytes()
        })
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn notification_messages_are_read_and_rendered_within_the_budget(
        subject in prop::option::of(prop_oneof![".{0,120}", (0usize..2000).prop_map(|n| "é".repeat(n))]),
        message in any_message(),
        around in surroundings(),
    ) {
        read_and_render(subject.as_deref(), &message, &around)?;
    }

    #[test]
    fn sns_envelopes_are_checked_offline_or_refused_briefly(
        body in any_envelope(),
        test_prefix in prop::option::of(Just("https://sns.us-east-1.amazonaws.com/".to_owned())),
        around in surroundings(),
    ) {
        let policy = CertUrlPolicy { test_prefix: test_prefix.clone() };
        match sns::prepare(&policy, &body) {
            Ok(prepared) => {
                let url = prepared.certificate_url.as_str();
                let own_host = prepared.certificate_url.host_str()
                    == Some(prepared.message.topic_arn.sns_host().as_str());
                prop_assert!(own_host || test_prefix.is_some_and(|p| url.starts_with(&p)), "{}", url);
                read_and_render(prepared.message.subject.as_deref(), &prepared.message.message, &around)?;
            }
            Err(refusal) => {
                // Refusals are logged: they never carry the body.
                let text = refusal.to_string();
                prop_assert!(text.len() < 1024, "{} bytes: {:.200}", text.len(), text);
            }
        }
    }

    #[test]
    fn digests_fit_the_budget(
        entries in prop::collection::vec((any::<i64>(), ".{0,300}", prop::option::of(prop::sample::select(&[
            crate::notify::message::AlarmState::Ok,
            crate::notify::message::AlarmState::Alarm,
            crate::notify::message::AlarmState::InsufficientData,
        ][..]))), 0..60),
        more in prop_oneof![0usize..100, Just(usize::MAX / 2)],
    ) {
        let entries: Vec<DigestEntry> = entries
            .into_iter()
            .map(|(at_millis, title, state)| DigestEntry { at_millis, title, state })
            .collect();
        check_card(&render::notification_digest(&entries, more))?;
    }
}

/// The mutation machinery reaches nested values (else the wrong messages would all be wrong
/// at the top only).
#[test]
fn mutations_reach_nested_values() {
    let base = json!({"a": {"b": [1, {"c/d": 2}]}});
    let paths = pointers(&base);
    assert!(paths.contains(&"/a/b/1/c~1d".to_owned()), "{paths:?}");
    let at = paths
        .iter()
        .position(|p| p == "/a/b/1/c~1d")
        .expect("found");
    let changed = mutated(base, vec![Mutation::Replace(at, json!("x"))]);
    assert_eq!(changed["a"]["b"][1]["c/d"], "x");
    let object = Map::new();
    assert!(pointers(&Value::Object(object)).len() == 1);
}

/// Found by the envelope property: serde's error for a body that is a JSON string quoted the
/// string, so the refusal (which callers may log) carried up to 300 KiB of the sender's text.
#[test]
fn a_refused_body_is_never_quoted_in_its_refusal() {
    let secret = "s3cr3t".repeat(50_000);
    for body in [
        format!("\"{secret}\""),
        format!("{{\"Type\":\"Notification\",\"Message\":[\"{secret}\"]}}"),
        format!("{{\"{secret}\""),
    ] {
        let refusal =
            sns::prepare(&CertUrlPolicy::default(), body.as_bytes()).expect_err("not an envelope");
        let text = refusal.to_string();
        assert!(!text.contains("s3cr3t"), "{text:.300}");
        assert!(text.len() < 200, "{text}");
    }
}
