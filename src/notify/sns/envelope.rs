//! The JSON document SNS POSTs to an HTTP(S) subscription, as AWS documents it for the three
//! message types. Parsing checks shape only; [`super::SnsVerifier`] decides whether to believe it.

use serde::Deserialize;

use super::topic::TopicArn;
use super::SnsRefusal;

/// The three documents SNS sends to an HTTP(S) endpoint, told apart by the body's `Type` (the
/// `x-amz-sns-message-type` header says the same but proxies may drop it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnsMessageType {
    SubscriptionConfirmation,
    Notification,
    UnsubscribeConfirmation,
}

impl SnsMessageType {
    pub fn as_str(self) -> &'static str {
        match self {
            SnsMessageType::SubscriptionConfirmation => "SubscriptionConfirmation",
            SnsMessageType::Notification => "Notification",
            SnsMessageType::UnsubscribeConfirmation => "UnsubscribeConfirmation",
        }
    }
}

/// A verified SNS message: every field here was covered by the signature, except
/// `unsubscribe_url`, which SNS does not sign and which the bot therefore never follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessage {
    pub kind: SnsMessageType,
    pub message_id: String,
    pub topic_arn: TopicArn,
    /// The `Subject` a publisher set (notifications only; absent when none was given).
    pub subject: Option<String>,
    /// The message text: for CloudWatch alarms and EventBridge, a JSON document as a string.
    pub message: String,
    /// RFC 3339, as SNS wrote it.
    pub timestamp: String,
    /// Confirmation messages: the URL that confirms (or re-confirms) the subscription.
    pub subscribe_url: Option<String>,
    pub token: Option<String>,
    pub unsubscribe_url: Option<String>,
}

/// The envelope as it arrives, before anything is checked. Every field is optional here so a
/// missing one is refused by name instead of as a generic parse error.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RawEnvelope {
    #[serde(rename = "Type")]
    pub kind: Option<String>,
    pub message_id: Option<String>,
    pub topic_arn: Option<String>,
    pub subject: Option<String>,
    pub message: Option<String>,
    pub timestamp: Option<String>,
    pub signature_version: Option<String>,
    pub signature: Option<String>,
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: Option<String>,
    #[serde(rename = "SubscribeURL")]
    pub subscribe_url: Option<String>,
    pub token: Option<String>,
    #[serde(rename = "UnsubscribeURL")]
    pub unsubscribe_url: Option<String>,
}

/// An envelope whose fields are all present for its type, not yet verified.
#[derive(Debug)]
pub(super) struct Unverified {
    pub message: SnsMessage,
    pub signature_version: String,
    pub signature: String,
    pub signing_cert_url: String,
}

impl RawEnvelope {
    pub fn parse(body: &[u8]) -> Result<RawEnvelope, SnsRefusal> {
        // serde's message quotes the offending string (up to the whole body): only its kind
        // and place are kept, so a refusal never carries what the sender wrote.
        serde_json::from_slice(body).map_err(|error| SnsRefusal::NotAnEnvelope {
            reason: format!(
                "{} at line {} column {}",
                match error.classify() {
                    serde_json::error::Category::Io => "unreadable",
                    serde_json::error::Category::Syntax => "not JSON",
                    serde_json::error::Category::Data => "not an object of strings",
                    serde_json::error::Category::Eof => "cut short",
                },
                error.line(),
                error.column()
            ),
        })
    }

    /// Checks that every field the type needs (and its signature covers) is present.
    pub fn complete(self) -> Result<Unverified, SnsRefusal> {
        let kind = match self.kind.as_deref() {
            Some("Notification") => SnsMessageType::Notification,
            Some("SubscriptionConfirmation") => SnsMessageType::SubscriptionConfirmation,
            Some("UnsubscribeConfirmation") => SnsMessageType::UnsubscribeConfirmation,
            Some(other) => {
                return Err(SnsRefusal::UnknownType {
                    kind: crate::notify::cut_bytes(other, 64),
                })
            }
            None => return Err(SnsRefusal::MissingField { field: "Type" }),
        };
        let required =
            |value: Option<String>, field| value.ok_or(SnsRefusal::MissingField { field });
        let topic_arn = required(self.topic_arn, "TopicArn")?;
        let topic_arn = TopicArn::parse(&topic_arn).map_err(SnsRefusal::TopicArn)?;
        let confirmation = kind != SnsMessageType::Notification;
        let (subscribe_url, token) = if confirmation {
            (
                Some(required(self.subscribe_url, "SubscribeURL")?),
                Some(required(self.token, "Token")?),
            )
        } else {
            (None, None)
        };
        Ok(Unverified {
            message: SnsMessage {
                kind,
                message_id: required(self.message_id, "MessageId")?,
                topic_arn,
                // Confirmations carry no subject; SNS does not sign one for them.
                subject: if confirmation { None } else { self.subject },
                message: required(self.message, "Message")?,
                timestamp: required(self.timestamp, "Timestamp")?,
                subscribe_url,
                token,
                unsubscribe_url: self.unsubscribe_url,
            },
            signature_version: required(self.signature_version, "SignatureVersion")?,
            signature: required(self.signature, "Signature")?,
            signing_cert_url: required(self.signing_cert_url, "SigningCertURL")?,
        })
    }
}

impl SnsMessage {
    /// The string SNS signed: `name\nvalue\n` for each signed field, in the order AWS documents
    /// (alphabetical), `Subject` only when the notification has one.
    pub(super) fn string_to_sign(&self) -> String {
        let mut fields: Vec<(&str, &str)> =
            vec![("Message", &self.message), ("MessageId", &self.message_id)];
        match self.kind {
            SnsMessageType::Notification => {
                if let Some(subject) = &self.subject {
                    fields.push(("Subject", subject));
                }
                fields.push(("Timestamp", &self.timestamp));
            }
            SnsMessageType::SubscriptionConfirmation | SnsMessageType::UnsubscribeConfirmation => {
                fields.push((
                    "SubscribeURL",
                    self.subscribe_url.as_deref().unwrap_or_default(),
                ));
                fields.push(("Timestamp", &self.timestamp));
                fields.push(("Token", self.token.as_deref().unwrap_or_default()));
            }
        }
        fields.push(("TopicArn", self.topic_arn.as_str()));
        fields.push(("Type", self.kind.as_str()));
        let mut text =
            String::with_capacity(fields.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
        for (name, value) in fields {
            text.push_str(name);
            text.push('\n');
            text.push_str(value);
            text.push('\n');
        }
        text
    }
}
