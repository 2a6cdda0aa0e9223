//! `POST /api/sns`: Amazon SNS's HTTP(S) deliveries. SNS sends no Bot Framework token; the
//! envelope's own signature is the authentication. Order: raw delivery refused (it carries no
//! signature) → the body read within 300 KiB and the body deadline → the topic must be a
//! configured one (before any certificate is fetched) → signature verified → by the body's
//! `Type`: SubscriptionConfirmation fetches its SubscribeURL (only https on the topic Region's
//! SNS host, or under the test-only prefix), UnsubscribeConfirmation is logged, Notification
//! goes to the hub on a task (posted once per `MessageId`). Any refusal is a 403 with an empty
//! body and its reason logged, never the body.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use tokio::sync::Semaphore;
use tracing::Instrument as _;
use url::Url;

use super::body::{holding_payload, read_limited, RequestError};
use super::AppState;
use crate::common::error_chain;
use crate::conversation::notifications::NotificationHub;
use crate::notify::sns::{CertUrlPolicy, SnsMessage, SnsMessageType, SnsRefusal, SnsVerifier};

/// The largest body accepted: SNS messages are at most 256 KiB, plus the envelope.
pub const SNS_MAX_BODY_BYTES: usize = 300 * 1024;
/// Notifications being delivered at once; beyond it, deliveries wait, then get 503 (SNS
/// retries them).
const DELIVERIES_IN_FLIGHT: usize = 64;
const DELIVERY_SLOT_WAIT: Duration = Duration::from_secs(5);
/// How long confirming a subscription may take.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);

/// What `/api/sns` needs: the verifier, the hub it hands notifications to, and the client
/// that confirms subscriptions (it never follows redirects: a redirect could lead off the
/// SNS host that was checked).
pub(super) struct SnsEndpoint {
    hub: Arc<NotificationHub>,
    verifier: SnsVerifier,
    confirm: reqwest::Client,
    test_prefix: Option<String>,
    deliveries: Arc<Semaphore>,
}

impl SnsEndpoint {
    pub(super) fn new(hub: Arc<NotificationHub>) -> Result<Self, reqwest::Error> {
        let test_prefix = hub.config().test_signing_cert_url_prefix.clone();
        if let Some(prefix) = &test_prefix {
            tracing::warn!(
                prefix = prefix.as_str(),
                "TEST ONLY: [notifications] test_signing_cert_url_prefix is set, so SNS signing certificates and SubscribeURLs are also accepted under this prefix; never set it in production"
            );
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(CONFIRM_TIMEOUT)
            .user_agent(concat!("aws-chatops/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(SnsEndpoint {
            verifier: SnsVerifier::new(
                CertUrlPolicy {
                    test_prefix: test_prefix.clone(),
                },
                http.clone(),
            ),
            hub,
            confirm: http,
            test_prefix,
            deliveries: Arc::new(Semaphore::new(DELIVERIES_IN_FLIGHT)),
        })
    }
}

/// Why a delivery was refused: a label for the metrics and the reason for the log.
struct Refusal {
    reason: &'static str,
    detail: String,
}

impl Refusal {
    fn new(reason: &'static str, detail: impl Into<String>) -> Self {
        Refusal {
            reason,
            detail: detail.into(),
        }
    }
}

impl From<SnsRefusal> for Refusal {
    fn from(refusal: SnsRefusal) -> Self {
        let reason = match &refusal {
            // serde's message may quote part of the body: only the kind is logged.
            SnsRefusal::NotAnEnvelope { .. } => {
                return Refusal::new("not_an_envelope", "the body is not an SNS JSON envelope")
            }
            SnsRefusal::RawDelivery => "raw_delivery",
            SnsRefusal::MissingField { .. } => "missing_field",
            SnsRefusal::UnknownType { .. } => "unknown_type",
            SnsRefusal::TopicArn(_) => "topic_arn",
            SnsRefusal::UnsupportedSignatureVersion { .. } => "signature_version",
            SnsRefusal::SignatureNotBase64 => "signature_encoding",
            SnsRefusal::CertificateUrl(_) => "certificate_url",
            SnsRefusal::CertificateFetch { .. } | SnsRefusal::Certificate { .. } => "certificate",
            SnsRefusal::SignatureMismatch => "signature",
        };
        Refusal::new(reason, refusal.to_string())
    }
}

pub(super) async fn sns(
    request: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let span = tracing::info_span!(
        "sns",
        message_id = tracing::field::Empty,
        topic = tracing::field::Empty
    );
    async move {
        let response = match handle(&request, &mut payload, &state).await {
            Ok(response) => response,
            Err(refusal) => {
                tracing::warn!(
                    reason = refusal.reason,
                    detail = refusal.detail,
                    "SNS delivery refused: 403"
                );
                crate::metrics::global().notification_refused(refusal.reason);
                HttpResponse::Forbidden().finish()
            }
        };
        holding_payload(response, payload)
    }
    .instrument(span)
    .await
}

async fn handle(
    request: &HttpRequest,
    payload: &mut web::Payload,
    state: &AppState,
) -> Result<HttpResponse, Refusal> {
    let Some(endpoint) = state.sns.as_ref() else {
        return Err(Refusal::new(
            "not_configured",
            "notifications are not set up on this server",
        ));
    };
    let raw = request
        .headers()
        .get("x-amz-sns-rawdelivery")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
    if raw {
        return Err(SnsRefusal::RawDelivery.into());
    }
    let (body, _slot) = match read_limited(request, payload, state, SNS_MAX_BODY_BYTES).await {
        Ok(read) => read,
        Err(error) => return Ok(unread(&error)),
    };
    let topic = claimed_topic(&body)?;
    tracing::Span::current().record("topic", topic.as_str());
    if endpoint.hub.config().topic_for_arn(&topic).is_none() {
        return Err(Refusal::new(
            "unknown_topic",
            format!("topic {topic} is not in [notifications.topics]"),
        ));
    }
    let now = crate::common::now_millis() as i64 / 1000;
    let message = endpoint.verifier.verify(&body, now).await?;
    drop(body);
    tracing::Span::current().record("message_id", message.message_id.as_str());
    match message.kind {
        SnsMessageType::SubscriptionConfirmation => {
            endpoint.confirm(&message).await?;
            Ok(HttpResponse::Ok().finish())
        }
        SnsMessageType::UnsubscribeConfirmation => {
            tracing::info!(topic = %message.topic_arn, "SNS says the subscription was removed; remove the topic from [notifications] too, or subscribe again");
            Ok(HttpResponse::Ok().finish())
        }
        SnsMessageType::Notification => Ok(endpoint.accept(message).await),
    }
}

/// A body that could not be read answers as `/api/messages` answers it (413, 503, 408, 400).
fn unread(error: &RequestError) -> HttpResponse {
    tracing::warn!(error = %error, "SNS delivery not read");
    error.response()
}

/// The `TopicArn` the body claims, read before anything is verified only to refuse unknown
/// topics without fetching a certificate; the verified envelope is checked again.
fn claimed_topic(body: &[u8]) -> Result<String, Refusal> {
    #[derive(serde::Deserialize)]
    struct Claimed {
        #[serde(rename = "TopicArn")]
        topic_arn: Option<String>,
    }
    let claimed: Claimed = serde_json::from_slice(body).map_err(|_| {
        Refusal::from(SnsRefusal::NotAnEnvelope {
            reason: String::new(),
        })
    })?;
    claimed
        .topic_arn
        .ok_or_else(|| SnsRefusal::MissingField { field: "TopicArn" }.into())
}

impl SnsEndpoint {
    /// Confirms a subscription by fetching its SubscribeURL, only when it is https on the
    /// topic Region's SNS host (or under the test-only prefix).
    async fn confirm(&self, message: &SnsMessage) -> Result<(), Refusal> {
        let url = message.subscribe_url.as_deref().unwrap_or_default();
        let url = self.subscribe_url(url, &message.topic_arn.sns_host())?;
        let response = self
            .confirm
            .get(url)
            .send()
            .await
            .map_err(|error| Refusal::new("confirmation_failed", error_chain(&error)))?;
        if !response.status().is_success() {
            return Err(Refusal::new(
                "confirmation_failed",
                format!("SubscribeURL answered HTTP {}", response.status().as_u16()),
            ));
        }
        tracing::info!(topic = %message.topic_arn, "SNS subscription confirmed");
        Ok(())
    }

    fn subscribe_url(&self, url: &str, expected_host: &str) -> Result<Url, Refusal> {
        let refuse = |why: String| Refusal::new("subscribe_url", why);
        let parsed = Url::parse(url).map_err(|_| refuse("SubscribeURL is not a URL".into()))?;
        if let Some(prefix) = &self.test_prefix {
            if url.starts_with(prefix.as_str()) {
                return Ok(parsed);
            }
        }
        if parsed.scheme() != "https" {
            return Err(refuse("SubscribeURL is not https".into()));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() || parsed.port().is_some() {
            return Err(refuse("SubscribeURL carries credentials or a port".into()));
        }
        match parsed.host_str() {
            Some(host) if host.eq_ignore_ascii_case(expected_host) => Ok(parsed),
            host => Err(refuse(format!(
                "SubscribeURL is on `{}`, not on `{expected_host}` (the topic's Region); not fetched",
                host.unwrap_or_default().chars().take(100).collect::<String>()
            ))),
        }
    }

    /// Answers 200 at once and delivers on a task (at most [`DELIVERIES_IN_FLIGHT`] at a
    /// time); the same `MessageId` again is accepted and not posted.
    async fn accept(&self, message: SnsMessage) -> HttpResponse {
        let slot =
            tokio::time::timeout(DELIVERY_SLOT_WAIT, self.deliveries.clone().acquire_owned()).await;
        let Ok(Ok(slot)) = slot else {
            tracing::warn!(
                "every notification delivery slot stayed busy; answering 503 so SNS retries"
            );
            return HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "5"))
                .finish();
        };
        match self.hub.first_delivery(&message.message_id).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!("the same MessageId was delivered before; not posted again");
                return HttpResponse::Ok().finish();
            }
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "cannot record the MessageId; answering 503 so SNS retries");
                return HttpResponse::ServiceUnavailable().finish();
            }
        }
        let hub = self.hub.clone();
        let span = tracing::Span::current();
        self.hub.spawn(
            async move {
                hub.deliver(&message).await;
                drop(slot);
            }
            .instrument(span),
        );
        HttpResponse::Ok().finish()
    }
}
