//! A test SNS publisher: it signs envelopes as SNS does (SignatureVersion 2, SHA256withRSA)
//! with the committed test key (tests/fixtures/sns), serves the matching certificate from
//! 127.0.0.1 the way SNS serves its own, and stands in for SNS's SubscribeURL (counting the
//! confirmations). The bot accepts its certificate only through the test-only
//! `test_signing_cert_url_prefix`.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{web, HttpResponse};
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::standins::Served;

const KEY: &str = include_str!("../../fixtures/sns/sns-test-signing.key.pem");
const CERT: &str = include_str!("../../fixtures/sns/sns-test-signing.cert.pem");

/// The topic the tests' `[notifications]` maps to two channels.
pub const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:alarms";
/// A topic mapped to a channel the bot was never installed in.
pub const ELSEWHERE_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:elsewhere";

#[derive(Default)]
pub struct PublisherState {
    pub cert_fetches: AtomicUsize,
    pub confirmations: AtomicUsize,
}

pub type Publisher = Served<PublisherState>;

impl Publisher {
    pub fn start() -> Publisher {
        Served::start_with(1, PublisherState::default(), |routes| {
            routes
                .route("/cert.pem", web::get().to(cert))
                .route("/confirm", web::get().to(confirm));
        })
    }

    /// The value for `test_signing_cert_url_prefix`.
    pub fn prefix(&self) -> String {
        format!("{}/", self.server.url())
    }

    pub fn cert_url(&self) -> String {
        format!("{}cert.pem", self.prefix())
    }

    pub fn confirmations(&self) -> usize {
        self.state.confirmations.load(Ordering::SeqCst)
    }

    /// A signed Notification from `topic` with this id, subject and message.
    pub fn notification(&self, topic: &str, id: &str, subject: &str, message: &str) -> Value {
        let mut envelope = object(json!({
            "Type": "Notification",
            "MessageId": id,
            "TopicArn": topic,
            "Subject": subject,
            "Message": message,
            "Timestamp": "2026-12-03T10:42:08.000Z",
            "SigningCertURL": self.cert_url(),
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
        }));
        sign(&mut envelope);
        Value::Object(envelope)
    }

    /// A signed SubscriptionConfirmation from `topic` whose SubscribeURL is `subscribe_url`.
    pub fn confirmation(&self, topic: &str, subscribe_url: &str) -> Value {
        let mut envelope = object(json!({
            "Type": "SubscriptionConfirmation",
            "MessageId": uuid::Uuid::new_v4().to_string(),
            "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92",
            "TopicArn": topic,
            "Message": format!("You have chosen to subscribe to the topic {topic}."),
            "SubscribeURL": subscribe_url,
            "Timestamp": "2026-12-03T10:40:00.000Z",
            "SigningCertURL": self.cert_url(),
        }));
        sign(&mut envelope);
        Value::Object(envelope)
    }

    /// The publisher's own SubscribeURL (under the test prefix).
    pub fn subscribe_url(&self) -> String {
        format!(
            "{}confirm?Action=ConfirmSubscription&Token=2336",
            self.prefix()
        )
    }
}

/// Signs `envelope` again after a test changed it (SignatureVersion 2).
pub fn resign(envelope: &mut Value) {
    let Value::Object(map) = envelope else {
        panic!("not an object")
    };
    sign(map);
}

async fn cert(state: web::Data<PublisherState>) -> HttpResponse {
    state.cert_fetches.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok()
        .content_type("application/x-pem-file")
        .body(CERT)
}

async fn confirm(state: web::Data<PublisherState>) -> HttpResponse {
    state.confirmations.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok()
        .content_type("text/xml")
        .body("<ConfirmSubscriptionResponse/>")
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// AWS's documented string to sign: `name\nvalue\n` for each present field of the type's
/// list, in this order.
fn string_to_sign(envelope: &Map<String, Value>) -> String {
    let names: &[&str] = if envelope["Type"] == "Notification" {
        &[
            "Message",
            "MessageId",
            "Subject",
            "Timestamp",
            "TopicArn",
            "Type",
        ]
    } else {
        &[
            "Message",
            "MessageId",
            "SubscribeURL",
            "Timestamp",
            "Token",
            "TopicArn",
            "Type",
        ]
    };
    names
        .iter()
        .filter_map(|name| Some(format!("{name}\n{}\n", envelope.get(*name)?.as_str()?)))
        .collect()
}

fn sign(envelope: &mut Map<String, Value>) {
    let text = string_to_sign(envelope);
    let (_, der) = pkcs8::der::pem::decode_vec(KEY.as_bytes()).unwrap();
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        text.as_bytes(),
        &mut signature,
    )
    .unwrap();
    envelope.insert("SignatureVersion".into(), json!("2"));
    envelope.insert(
        "Signature".into(),
        json!(base64::engine::general_purpose::STANDARD.encode(signature)),
    );
}

/// The JSON CloudWatch publishes to SNS when the alarm `name` goes from `old` to `new`
/// (`minute`: the minute of 10:xx UTC of the change).
pub fn alarm_message(name: &str, old: &str, new: &str, minute: u32, second: u32) -> String {
    json!({
        "AlarmName": name,
        "AlarmDescription": "5xx errors of the orders API",
        "AWSAccountId": "123456789012",
        "AlarmConfigurationUpdatedTimestamp": "2026-12-01T08:00:00.000+0000",
        "NewStateValue": new,
        "NewStateReason": format!("Threshold Crossed: 1 datapoint [5.0 (03/12/26 10:{minute:02}:00)] was greater than the threshold (1.0)."),
        "StateChangeTime": format!("2026-12-03T10:{minute:02}:{second:02}.123+0000"),
        "Region": "US East (N. Virginia)",
        "AlarmArn": format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"),
        "OldStateValue": old,
        "OKActions": [TOPIC],
        "AlarmActions": [TOPIC],
        "InsufficientDataActions": [],
        "Trigger": {
            "MetricName": "5XXError",
            "Namespace": "AWS/ApiGateway",
            "StatisticType": "Statistic",
            "Statistic": "SUM",
            "Unit": null,
            "Dimensions": [{"value": "orders", "name": "ApiName"}],
            "Period": 60,
            "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1,
            "ComparisonOperator": "GreaterThanThreshold",
            "Threshold": 1.0,
            "TreatMissingData": "missing",
            "EvaluateLowSampleCountPercentile": ""
        }
    })
    .to_string()
}
