//! Alarm charts: a metric's datapoints over a window, the alarm threshold as a dashed line and
//! the periods the alarm was in ALARM shaded, drawn to PNG in-process. Light background and
//! dark text, so the picture reads the same on Teams' light and dark themes; sized so its text
//! stays legible when Teams scales the image down to a phone's width. Does no IO.

use std::sync::OnceLock;

use plotters::coord::combinators::{BindKeyPoints, WithKeyPoints};
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;
use plotters::style::FontStyle;
use time::OffsetDateTime;

/// The embedded font (DejaVu Sans; licence in assets/fonts): no system fonts are read.
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FONT_FAMILY: &str = "sans-serif";

/// Pixel size of a chart. Teams shows card images at the card's width; 720 × 300 keeps 17 px
/// text at about 8 px on a 360 px phone card and sharp on desktop.
pub const CHART_WIDTH: u32 = 720;
pub const CHART_HEIGHT: u32 = 300;

const BACKGROUND: RGBColor = RGBColor(0xff, 0xff, 0xff);
const TEXT: RGBColor = RGBColor(0x24, 0x24, 0x24);
const GRID: RGBColor = RGBColor(0xe1, 0xe1, 0xe1);
/// The metric: Teams' brand blue, readable on white.
pub const METRIC_COLOUR: RGBColor = RGBColor(0x0f, 0x6c, 0xbd);
/// The threshold and the ALARM shading: Teams' error red.
pub const ALARM_COLOUR: RGBColor = RGBColor(0xc4, 0x31, 0x4b);
/// How strongly ALARM periods are shaded over the white background.
const ALARM_SHADE_OPACITY: f64 = 0.16;

/// What one chart shows. Times are seconds since the epoch (UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricChart {
    /// `CPUUtilization · Average · 5 min`.
    pub title: String,
    /// CloudWatch's unit name (`Percent`, `Count`, `Seconds`), shown on the value axis.
    pub unit: Option<String>,
    /// Datapoints, any order (sorted here).
    pub points: Vec<(i64, f64)>,
    /// The window drawn, `start < end`.
    pub start: i64,
    pub end: i64,
    /// The alarm threshold, drawn as a dashed line with its value.
    pub threshold: Option<f64>,
    /// Periods (`from`, `to`) the alarm was in ALARM within the window.
    pub alarm_periods: Vec<(i64, i64)>,
}

/// How a card shows a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartImage {
    /// Served by the bot at `{AWS_CHATOPS_PUBLIC_URL}/charts/{id}.png`.
    Url { url: String, alt: String },
    /// Inline, while the card stays under Teams' size limit.
    DataUri { uri: String, alt: String },
    /// A text sparkline (`▁▂▅▇█`) when no image fits.
    Sparkline { text: String, alt: String },
    /// No chart: why (no permission to read the metric, no data, ...).
    Unavailable { reason: String },
}

/// Why a chart could not be drawn (a bug or an unusable font, never the data: any data draws).
#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

fn font_registered() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT)
                .map_err(|_| "the embedded font is invalid".to_owned())
        })
        .clone()
        .map_err(ChartError)
}

/// How a PNG is compressed: the deflate level and the row filter.
type Packing = (png::Compression, png::FilterType);

/// The served chart: fast (fdeflate) with the default row filter.
const SERVED: Packing = (png::Compression::Fast, png::FilterType::Sub);

/// The inline chart counts against the card's size, so it must stay small, and it is drawn
/// while a notification waits. A chart is mostly flat background and thin lines: unfiltered
/// rows at zlib's default level come out smaller than the best level with the default filter
/// (9.0 KB against 10.8 KB for `docs/cards/chart-inline.png`) in about half its time (the
/// best level's lazy matching is what cost the p99 its 20 ms); fdeflate's fast level is
/// quicker still but two to three times larger, past a notification's inline budget.
const INLINE: Packing = (png::Compression::Default, png::FilterType::NoFilter);

/// The chart as PNG bytes.
pub fn render_png(chart: &MetricChart) -> Result<Vec<u8>, ChartError> {
    render_png_sized(chart, CHART_WIDTH, CHART_HEIGHT, SERVED)
}

/// The smaller variant of a chart shown inline in a card (a `data:` URI counts against the
/// card's size): fewer pixels, packed small ([`INLINE`]).
pub fn render_inline_png(chart: &MetricChart) -> Result<Vec<u8>, ChartError> {
    render_png_sized(chart, INLINE_WIDTH, INLINE_HEIGHT, INLINE)
}

/// Pixel size of the inline variant.
pub const INLINE_WIDTH: u32 = 480;
pub const INLINE_HEIGHT: u32 = 200;

fn render_png_sized(
    chart: &MetricChart,
    width: u32,
    height: u32,
    packing: Packing,
) -> Result<Vec<u8>, ChartError> {
    font_registered()?;
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    draw(chart, &mut rgb, (width, height)).map_err(|error| ChartError(error.to_string()))?;
    encode_png(&rgb, width, height, packing)
}

/// The chart's plotting area: round UTC times across, values up the side.
type Plot<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<WithKeyPoints<RangedCoordi64>, RangedCoordf64>>;
type Drawn = Result<(), Box<dyn std::error::Error>>;

/// What the plotting area spans: the time window and the value axis.
#[derive(Debug, Clone, Copy)]
struct Frame {
    start: i64,
    end: i64,
    low: f64,
    high: f64,
}

fn draw(chart: &MetricChart, rgb: &mut [u8], size: (u32, u32)) -> Drawn {
    let root = BitMapBackend::with_buffer(rgb, size).into_drawing_area();
    root.fill(&BACKGROUND)?;
    let (frame, points) = frame_and_points(chart);
    let mut plot = ChartBuilder::on(&root)
        .margin(14)
        .margin_right(30)
        .caption(&chart.title, (FONT_FAMILY, 20).into_font().color(&TEXT))
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(
            (frame.start..frame.end).with_key_points(time_ticks(frame.start, frame.end)),
            frame.low..frame.high,
        )?;
    let label_style = (FONT_FAMILY, 16).into_font().color(&TEXT);
    plot.configure_mesh()
        .y_labels(5)
        .x_label_formatter(&|time| utc_clock(*time))
        .y_label_formatter(&|value| short_number(*value))
        .x_desc("UTC")
        .y_desc(chart.unit.as_deref().unwrap_or(""))
        .label_style(label_style.clone())
        .axis_desc_style(label_style)
        .light_line_style(BACKGROUND)
        .bold_line_style(GRID)
        .axis_style(TEXT)
        .draw()?;

    draw_alarm_periods(&mut plot, &chart.alarm_periods, frame)?;
    if let Some(threshold) = chart.threshold {
        draw_threshold(&mut plot, threshold, frame)?;
    }
    draw_metric(&mut plot, &points, frame)?;
    root.present()?;
    Ok(())
}

/// The frame for the chart's window (one second before its end when the window is empty or
/// backwards), and the datapoints inside it with a finite value, in time order.
fn frame_and_points(chart: &MetricChart) -> (Frame, Vec<(i64, f64)>) {
    let (start, end) = if chart.start < chart.end {
        (chart.start, chart.end)
    } else {
        (chart.end - 1, chart.end)
    };
    let mut points: Vec<(i64, f64)> = chart
        .points
        .iter()
        .copied()
        .filter(|(time, value)| value.is_finite() && (start..=end).contains(time))
        .collect();
    points.sort_by_key(|(time, _)| *time);
    let (low, high) = value_range(&points, chart.threshold);
    let frame = Frame {
        start,
        end,
        low,
        high,
    };
    (frame, points)
}

/// The ALARM periods, cut to the window, shaded the full height.
fn draw_alarm_periods(plot: &mut Plot<'_, '_>, periods: &[(i64, i64)], frame: Frame) -> Drawn {
    let shade = ALARM_COLOUR.mix(ALARM_SHADE_OPACITY).filled();
    plot.draw_series(periods.iter().filter_map(|&(from, to)| {
        let (from, to) = (from.max(frame.start), to.min(frame.end));
        (from < to).then(|| Rectangle::new([(from, frame.low), (to, frame.high)], shade))
    }))?;
    Ok(())
}

/// The threshold: a dashed line across the window, with its value.
fn draw_threshold(plot: &mut Plot<'_, '_>, threshold: f64, frame: Frame) -> Drawn {
    plot.draw_series(DashedLineSeries::new(
        [(frame.start, threshold), (frame.end, threshold)],
        10,
        6,
        ALARM_COLOUR.stroke_width(2),
    ))?;
    // The label sits just above the line at its left end, clear of the axis.
    plot.draw_series(std::iter::once(
        EmptyElement::at((frame.start, threshold))
            + Text::new(
                format!("threshold {}", short_number(threshold)),
                (8, -22),
                (FONT_FAMILY, 15).into_font().color(&ALARM_COLOUR),
            ),
    ))?;
    Ok(())
}

/// The metric's line (and dots when there are few points), or a note that there is no data.
fn draw_metric(plot: &mut Plot<'_, '_>, points: &[(i64, f64)], frame: Frame) -> Drawn {
    if points.is_empty() {
        let middle = (
            frame.start + (frame.end - frame.start) / 3,
            (frame.low + frame.high) / 2.0,
        );
        plot.draw_series(std::iter::once(Text::new(
            "No datapoints in this window",
            middle,
            (FONT_FAMILY, 18).into_font().color(&TEXT),
        )))?;
    } else {
        // Missing data is a gap, not a slope: the line breaks where datapoints are missing.
        for segment in series::segments(points) {
            plot.draw_series(LineSeries::new(
                segment.iter().copied(),
                METRIC_COLOUR.stroke_width(3),
            ))?;
            // A datapoint alone between gaps draws no line: mark it.
            if let [point] = segment {
                plot.draw_series(std::iter::once(Circle::new(
                    *point,
                    4,
                    METRIC_COLOUR.filled(),
                )))?;
            }
        }
        // A lone datapoint (or a few) draws no visible line: mark each one.
        if points.len() <= SPARSE_POINTS {
            plot.draw_series(
                points
                    .iter()
                    .map(|&point| Circle::new(point, 4, METRIC_COLOUR.filled())),
            )?;
        }
    }
    Ok(())
}

/// Up to this many datapoints are also drawn as dots.
const SPARSE_POINTS: usize = 12;

/// Time axis ticks on round UTC times (every 5, 10, 15 or 30 minutes, or 1, 2, 3, 6, 12 or 24
/// hours), about five across the window.
fn time_ticks(start: i64, end: i64) -> Vec<i64> {
    const STEPS: [i64; 10] = [300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    let span = (end - start).max(1);
    let step = STEPS
        .iter()
        .copied()
        .find(|step| span / step <= 6)
        .unwrap_or((span + 5) / 6);
    let first = start.div_euclid(step) * step + if start.rem_euclid(step) == 0 { 0 } else { step };
    (0..)
        .map(|i| first + i * step)
        .take_while(|tick| *tick <= end)
        .collect()
}

/// The value axis: the data and the threshold with a margin, zero included for data that
/// never goes negative (so a small wobble does not look like a cliff).
fn value_range(points: &[(i64, f64)], threshold: Option<f64>) -> (f64, f64) {
    let values = points
        .iter()
        .map(|(_, value)| *value)
        .chain(threshold)
        .filter(|value| value.is_finite());
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !low.is_finite() {
        return (0.0, 1.0);
    }
    if low >= 0.0 {
        low = 0.0;
    }
    if (high - low).abs() < f64::EPSILON {
        high = low + high.abs().max(1.0);
    }
    let pad = (high - low) * 0.1;
    (if low < 0.0 { low - pad } else { low }, high + pad)
}

/// `14:05` in UTC.
fn utc_clock(time: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(time) {
        Ok(at) => format!("{:02}:{:02}", at.hour(), at.minute()),
        Err(_) => String::new(),
    }
}

/// Axis numbers without noise: `0.25`, `12`, `1.5k`, `2.3M`.
fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    let (scaled, suffix) = if magnitude >= 1e9 {
        (value / 1e9, "G")
    } else if magnitude >= 1e6 {
        (value / 1e6, "M")
    } else if magnitude >= 1e4 {
        (value / 1e3, "k")
    } else {
        (value, "")
    };
    let text = if scaled.fract().abs() < 1e-9 || scaled.abs() >= 100.0 {
        format!("{scaled:.0}")
    } else if scaled.abs() >= 1.0 {
        format!("{scaled:.1}")
    } else {
        format!("{scaled:.2}")
    };
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    format!("{text}{suffix}")
}

fn encode_png(
    rgb: &[u8],
    width: u32,
    height: u32,
    (compression, filter): Packing,
) -> Result<Vec<u8>, ChartError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(compression);
    encoder.set_filter(filter);
    let mut writer = encoder
        .write_header()
        .map_err(|error| ChartError(error.to_string()))?;
    writer
        .write_image_data(rgb)
        .map_err(|error| ChartError(error.to_string()))?;
    writer
        .finish()
        .map_err(|error| ChartError(error.to_string()))?;
    Ok(bytes)
}

mod series;
pub use series::{alarm_periods, breaches, merge_periods, sparkline};

#[cfg(test)]
mod tests;
