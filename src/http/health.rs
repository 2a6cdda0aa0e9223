//! The operational endpoints: `/healthz` (alive), `/readyz` (signing keys loaded and store
//! reachable) and `/metrics` (Prometheus text).

use std::time::Duration;

use actix_web::{web, HttpResponse};

use super::AppState;

/// How long `/readyz` waits for the store to answer.
const STORE_PING_TIMEOUT: Duration = Duration::from_secs(2);

pub(super) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "alive"}))
}

pub(super) async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let metrics = crate::metrics::global();
    metrics.delivery(&state.bot.delivery().counters());
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(metrics.render())
}

pub(super) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let channel_keys = state.validator.channel_keys().is_loaded();
    let emulator_keys = state
        .validator
        .emulator_keys()
        .is_none_or(|keys| keys.is_loaded());
    let keys_loaded = channel_keys && emulator_keys;
    let store_reachable = match tokio::time::timeout(STORE_PING_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(error = %crate::common::error_chain(&error), "store health check failed");
            false
        }
        Err(_) => {
            tracing::warn!(timeout = ?STORE_PING_TIMEOUT, "store health check timed out");
            false
        }
    };
    let body = serde_json::json!({
        "signingKeysLoaded": keys_loaded,
        "storeReachable": store_reachable,
    });
    if keys_loaded && store_reachable {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
