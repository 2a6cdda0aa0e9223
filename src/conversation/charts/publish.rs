//! A drawn chart made into something a card can show: a PNG kept in the store for 7 days under
//! an unguessable id and served at `{AWS_CHATOPS_PUBLIC_URL}charts/{id}.png`; without a public
//! URL, a smaller inline `data:` image while the card's budget allows; else a sparkline.

use std::time::Duration;

use base64::Engine as _;

use super::Inner;
use crate::common::error_chain;
use crate::render::chart::{
    render_inline_png, render_png, sparkline, ChartError, ChartImage, MetricChart,
};
use crate::store::Record;

/// The store namespace of chart PNGs (`http::charts` serves them).
pub const CHARTS_NAMESPACE: &str = "charts";
/// How long a chart stays served: Teams fetches a card's image again when the card is shown.
pub const CHART_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// Characters of a sparkline: one per 5 minutes of the 3-hour window.
const SPARKLINE_SLOTS: usize = 36;

impl Inner {
    /// The chart drawn, stored and addressed under the public URL; `None` without a public
    /// URL, or when it could not be drawn or stored (logged; the caller falls back).
    pub(in crate::conversation) async fn published(
        &self,
        chart: &MetricChart,
    ) -> Option<ChartImage> {
        let base = self.public_url.as_deref()?;
        let png = match draw(chart.clone(), render_png).await {
            Ok(png) => png,
            Err(error) => {
                tracing::error!(error = %error, "chart not drawn");
                return None;
            }
        };
        let id = new_chart_id();
        let stored = self
            .pending
            .store()
            .put(CHARTS_NAMESPACE, &id, Record::expiring(png, CHART_TTL))
            .await;
        if let Err(error) = stored {
            tracing::error!(error = %error_chain(&error), "chart not stored; shown inline");
            return None;
        }
        Some(ChartImage::Url {
            url: format!("{base}charts/{id}.png"),
            alt: alt_text(chart),
        })
    }
}

/// The chart as an inline image when its data URI fits in `budget` (which it then uses up),
/// else as a sparkline.
#[allow(dead_code)] // through alarm_charts
pub(super) async fn inline_or_sparkline(chart: &MetricChart, budget: &mut usize) -> ChartImage {
    if let Some(uri) = data_uri(chart).await {
        if uri.len() <= *budget {
            *budget -= uri.len();
            return ChartImage::DataUri {
                uri,
                alt: alt_text(chart),
            };
        }
    }
    sparkline_image(chart)
}

/// The inline variant as a `data:image/png;base64,` URI; `None` when it could not be drawn.
pub(crate) async fn data_uri(chart: &MetricChart) -> Option<String> {
    match draw(chart.clone(), render_inline_png).await {
        Ok(png) => Some(format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )),
        Err(error) => {
            tracing::error!(error = %error, "inline chart not drawn");
            None
        }
    }
}

/// The chart as a text sparkline over its window.
pub(crate) fn sparkline_image(chart: &MetricChart) -> ChartImage {
    ChartImage::Sparkline {
        text: sparkline(&chart.points, chart.start, chart.end, SPARKLINE_SLOTS),
        alt: alt_text(chart),
    }
}

/// Draws off the async workers: a chart takes milliseconds of CPU.
async fn draw(
    chart: MetricChart,
    render: fn(&MetricChart) -> Result<Vec<u8>, ChartError>,
) -> Result<Vec<u8>, String> {
    match tokio::task::spawn_blocking(move || render(&chart)).await {
        Ok(drawn) => drawn.map_err(|error| error.to_string()),
        Err(error) => Err(format!("the drawing task failed: {error}")),
    }
}

/// A new chart id: 128 random bits as 32 lowercase hex digits.
pub(crate) fn new_chart_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// What the chart shows, for screen readers and when the image does not load:
/// `CPUUtilization · Average · 5 min, last 3 hours: 40 to 95 Percent; threshold 80; in ALARM
/// 11:00–12:00 UTC`.
pub(crate) fn alt_text(chart: &MetricChart) -> String {
    let values = chart
        .points
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite());
    let low = values.clone().fold(f64::INFINITY, f64::min);
    let high = values.fold(f64::NEG_INFINITY, f64::max);
    let unit = chart
        .unit
        .as_deref()
        .filter(|u| *u != "None")
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let mut text = format!("{}, last 3 hours", chart.title);
    if low.is_finite() {
        text.push_str(&format!(": {} to {}{unit}", number(low), number(high)));
    }
    if let Some(threshold) = chart.threshold {
        text.push_str(&format!("; threshold {}", number(threshold)));
    }
    let periods: Vec<String> = chart
        .alarm_periods
        .iter()
        .map(|(from, to)| format!("{}–{}", clock(*from), clock(*to)))
        .collect();
    if !periods.is_empty() {
        text.push_str(&format!("; in ALARM {} UTC", periods.join(", ")));
    }
    text
}

fn number(value: f64) -> String {
    if value.fract().abs() < 1e-9 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

fn clock(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(at) => format!("{:02}:{:02}", at.hour(), at.minute()),
        Err(_) => String::new(),
    }
}
