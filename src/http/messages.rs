//! `POST /api/messages`: the token checked before the body is read; one tracing span per turn;
//! the activity handed to the bot; the bot's outcome answered with its status code.

use std::time::Instant;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use tracing::Instrument as _;

use super::body::{holding_payload, read_activity};
use super::AppState;
use crate::bot::TurnOutcome;
use crate::teams::Activity;

pub(super) async fn messages(
    request: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let started = Instant::now();
    let response = handle_message(&request, &mut payload, &state).await;
    let response = holding_payload(response, payload);
    crate::metrics::global().turn_latency(started.elapsed());
    tracing::debug!(
        status = response.status().as_u16(),
        elapsed_us = started.elapsed().as_micros() as u64,
        "request answered"
    );
    response
}

/// The order of checks: 405 (routing) → 401 (the `Authorization` header alone; the body is not
/// read) → 413 (`Content-Length`) → 503 (every body-read slot taken) → 408 (body deadline) /
/// 413 (bytes read) → 400 (not an activity) → 401 (endorsement, `serviceurl`) → the bot.
async fn handle_message(
    request: &HttpRequest,
    payload: &mut web::Payload,
    state: &AppState,
) -> HttpResponse {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let token = match state.validator.verify_header(authorization).await {
        Ok(token) => token,
        Err(error) => {
            // The body is never read: actix answers and closes the connection (the payload is
            // held until then, see `holding_payload`).
            tracing::warn!(reason = %error, "request refused: 401");
            crate::metrics::global().auth_failure(error.reason());
            return HttpResponse::Unauthorized().finish();
        }
    };

    let activity = match read_activity(request, payload, state).await {
        Ok(activity) => activity,
        Err(error) => {
            tracing::warn!(error = %error, "request refused");
            crate::metrics::global().activity("unread", error.metric_outcome());
            return error.response();
        }
    };
    let correlation_id = crate::bot::new_correlation_id();
    let span = turn_span(&activity, &correlation_id);
    async move {
        if let Err(error) = state.validator.check_activity(
            &token,
            activity.channel_id.as_deref(),
            activity.service_url.as_deref(),
        ) {
            tracing::warn!(reason = %error, "request refused: 401");
            crate::metrics::global().auth_failure(error.reason());
            return HttpResponse::Unauthorized().finish();
        }
        let kind = crate::metrics::activity_type(activity.activity_type.as_str());
        let outcome = state.bot.on_activity(activity, correlation_id).await;
        answer(kind, outcome)
    }
    .instrument(span)
    .await
}

/// The turn's span, every field given at once (the JSON log layer formats a span's fields
/// again on every `record`, which cost a twentieth of a turn's CPU with five of them).
fn turn_span(activity: &Activity, correlation_id: &str) -> tracing::Span {
    tracing::info_span!(
        "turn",
        activity_id = activity.id.as_deref(),
        activity_type = activity.activity_type.as_str(),
        conversation_id = activity.conversation_id(),
        tenant_id = activity.tenant_id(),
        user_aad_object_id = activity
            .from
            .as_ref()
            .and_then(|from| from.aad_object_id.as_deref()),
        correlation_id,
    )
}

/// The response to the bot's outcome for an activity of `kind`, counted in the metrics.
fn answer(kind: &'static str, outcome: TurnOutcome) -> HttpResponse {
    let metrics = crate::metrics::global();
    match outcome {
        TurnOutcome::Accepted => {
            metrics.activity(kind, "accepted");
            HttpResponse::Ok().finish()
        }
        TurnOutcome::Ignored => {
            metrics.activity(kind, "ignored");
            HttpResponse::Ok().finish()
        }
        TurnOutcome::Invoke(body) => {
            metrics.activity(kind, "answered");
            HttpResponse::Ok().json(body)
        }
        TurnOutcome::InvokeNotImplemented => {
            metrics.activity(kind, "not_implemented");
            HttpResponse::NotImplemented().finish()
        }
        TurnOutcome::ConversationBusy => {
            metrics.activity(kind, "conversation_busy");
            HttpResponse::Ok().finish()
        }
        TurnOutcome::Overloaded => {
            metrics.activity(kind, "overloaded");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "1"))
                .finish()
        }
    }
}
