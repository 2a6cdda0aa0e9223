//! `GET /charts/{id}.png`: the alarm chart PNGs cards show, read from the store (namespace
//! `charts`, kept 7 days) so that any replica serves any chart. No token: Teams fetches card
//! images from its own servers without one, so the 128-bit random id is the only key. A
//! malformed id is 404 without a store lookup.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use super::AppState;
use crate::common::error_chain;
use crate::conversation::CHARTS_NAMESPACE;

/// How long clients and proxies may keep a chart: its id never names other bytes.
const CACHE_CONTROL: &str = "public, max-age=604800, immutable";

/// Whether `id` could be a chart id: 32 lowercase hexadecimal digits.
pub(super) fn is_chart_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub(super) async fn chart(state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    let Some(id) = file.strip_suffix(".png").filter(|id| is_chart_id(id)) else {
        return HttpResponse::NotFound().finish();
    };
    let Some(store) = &state.charts else {
        return HttpResponse::NotFound().finish();
    };
    match store.get(CHARTS_NAMESPACE, id).await {
        Ok(Some(png)) => HttpResponse::Ok()
            .content_type("image/png")
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(png),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(error) => {
            tracing::error!(error = %error_chain(&error), "chart could not be read");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "1"))
                .finish()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_32_lowercase_hex_digits_are_chart_ids() {
        assert!(is_chart_id("0123456789abcdef0123456789abcdef"));
        for bad in [
            "",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcdeg",
            "../../../../etc/passwd/0123456789",
        ] {
            assert!(!is_chart_id(bad), "{bad}");
        }
    }
}
