//! Reads the body of an authenticated `/api/messages` request within its limits (size,
//! deadline, concurrent reads) and parses it into an [`Activity`], or says why not.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt as _;

use super::AppState;
use crate::teams::Activity;

/// Why a request to `/api/messages` was refused before reaching the bot (authentication
/// failures are [`AuthError`](crate::auth::AuthError)s, answered 401).
#[derive(Debug, thiserror::Error)]
pub(super) enum RequestError {
    /// The body is larger than the configured limit, by `Content-Length` or by the bytes read
    /// (413).
    #[error("body larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// Every body-read slot is taken (503 with `Retry-After`).
    #[error("{0} request bodies are being read already")]
    BodyReadsFull(usize),
    /// The body did not arrive in full before the deadline (408; the connection is closed).
    #[error("body not received within {0:?}")]
    BodyTimeout(Duration),
    /// The body could not be read (400).
    #[error("body could not be read: {0}")]
    Unreadable(String),
    /// The body is not a JSON object with a non-empty string `type`, or not an activity (400).
    #[error("body is not an activity: {0}")]
    NotAnActivity(String),
}

impl RequestError {
    /// A fixed name for the metrics (`activities_total{type="unread",outcome}`).
    pub(super) fn metric_outcome(&self) -> &'static str {
        match self {
            RequestError::TooLarge { .. } => "too_large",
            RequestError::BodyReadsFull(_) => "body_reads_full",
            RequestError::BodyTimeout(_) => "body_timeout",
            RequestError::Unreadable(_) => "unreadable",
            RequestError::NotAnActivity(_) => "not_an_activity",
        }
    }

    pub(super) fn response(&self) -> HttpResponse {
        match self {
            RequestError::TooLarge { .. } => HttpResponse::PayloadTooLarge().finish(),
            RequestError::BodyReadsFull(_) => HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "1"))
                .finish(),
            RequestError::BodyTimeout(_) => HttpResponse::RequestTimeout()
                .insert_header((header::CONNECTION, "close"))
                .finish(),
            RequestError::Unreadable(_) | RequestError::NotAnActivity(_) => {
                HttpResponse::BadRequest()
                    .content_type("text/plain; charset=utf-8")
                    .body("the body must be a JSON Bot Framework activity with a type")
            }
        }
    }
}

/// Reads the body of an authenticated request within the size limit, the deadline and a
/// body-read slot, then parses it once, straight into an [`Activity`].
pub(super) async fn read_activity(
    request: &HttpRequest,
    payload: &mut web::Payload,
    state: &AppState,
) -> Result<Activity, RequestError> {
    let (body, _slot) = read_limited(request, payload, state, state.max_body_bytes).await?;
    parse_activity(&body)
}

/// Reads a body of at most `limit` bytes within the body deadline (also `/api/sns`). The
/// body-read slot comes back with it: keep it until the body is parsed and dropped.
pub(super) async fn read_limited(
    request: &HttpRequest,
    payload: &mut web::Payload,
    state: &AppState,
    limit: usize,
) -> Result<(web::BytesMut, tokio::sync::OwnedSemaphorePermit), RequestError> {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(RequestError::TooLarge { limit });
    }
    // The slot stands for the memory of one body.
    let slot = state
        .body_reads
        .clone()
        .try_acquire_owned()
        .map_err(|_| RequestError::BodyReadsFull(state.max_body_reads))?;
    let body = tokio::time::timeout(state.body_read_timeout, read_body(payload, declared, limit))
        .await
        .map_err(|_| RequestError::BodyTimeout(state.body_read_timeout))??;
    Ok((body, slot))
}

async fn read_body(
    payload: &mut web::Payload,
    declared: Option<usize>,
    limit: usize,
) -> Result<web::BytesMut, RequestError> {
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(4096).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| RequestError::Unreadable(error.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(RequestError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// `response` with the request's `payload` kept alive until the response is written. A body
/// not read to its end (refused, too large, too slow) then makes actix close the connection;
/// had the payload been dropped first, actix would keep a chunked request's connection open to
/// drain whatever its sender still streams, for as long as the sender stalls. A body read in
/// full changes nothing (keep-alive as usual).
pub(super) fn holding_payload(response: HttpResponse, payload: web::Payload) -> HttpResponse {
    response.map_body(|_, body| {
        BoxBody::new(HoldingPayload {
            body,
            _payload: payload,
        })
    })
}

/// A response body that also owns the request's payload (see [`holding_payload`]).
struct HoldingPayload {
    body: BoxBody,
    _payload: web::Payload,
}

impl MessageBody for HoldingPayload {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<web::Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// One pass of serde from bytes to [`Activity`]. A JSON array would otherwise deserialise
/// positionally into the struct, so anything but an object is refused first.
fn parse_activity(body: &[u8]) -> Result<Activity, RequestError> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(RequestError::NotAnActivity("not a JSON object".into()));
    }
    let activity: Activity = serde_json::from_slice(body).map_err(|error| {
        let reason = if error.to_string().starts_with("missing field `type`") {
            "no type".to_owned()
        } else if error.is_data() {
            format!("not an activity ({error})")
        } else {
            format!("not JSON ({error})")
        };
        RequestError::NotAnActivity(reason)
    })?;
    if activity.activity_type.as_str().is_empty() {
        return Err(RequestError::NotAnActivity("no type".into()));
    }
    Ok(activity)
}
