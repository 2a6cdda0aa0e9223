//! Charts are looked at (the samples land in target/card-samples/ and docs/cards/), and checked
//! here by their pixels: the metric line, the threshold and the ALARM shading are where the data
//! puts them.

use super::*;

const HOUR: i64 = 3600;
/// 2026-12-03 09:00 UTC.
const T0: i64 = 1_796_288_400;

fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().unwrap();
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    rgb.truncate(info.buffer_size());
    (info.width, info.height, rgb)
}

fn pixel(rgb: &[u8], width: u32, x: u32, y: u32) -> (u8, u8, u8) {
    let at = ((y * width + x) * 3) as usize;
    (rgb[at], rgb[at + 1], rgb[at + 2])
}

fn count(
    rgb: &[u8],
    width: u32,
    rows: std::ops::Range<u32>,
    columns: std::ops::Range<u32>,
    colour: RGBColor,
) -> usize {
    rows.flat_map(|y| columns.clone().map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(rgb, width, x, y) == (colour.0, colour.1, colour.2))
        .count()
}

/// Five-minute datapoints over three hours: 40 % rising to 95 % in the last hour.
fn cpu_in_alarm() -> MetricChart {
    MetricChart {
        title: "CPUUtilization · Average · 5 min".into(),
        unit: Some("Percent".into()),
        points: (0..36)
            .map(|i| {
                (
                    T0 + i * 300,
                    if i < 24 { 40.0 + (i % 5) as f64 } else { 95.0 },
                )
            })
            .collect(),
        start: T0,
        end: T0 + 3 * HOUR,
        threshold: Some(80.0),
        alarm_periods: vec![(T0 + 2 * HOUR, T0 + 3 * HOUR)],
    }
}

pub(crate) fn write_sample(name: &str, png_bytes: &[u8]) {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/card-samples");
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(directory.join(format!("{name}.png")), png_bytes).unwrap();
}

#[test]
fn an_alarm_chart_shows_the_metric_the_threshold_and_the_alarm_period() {
    let png_bytes = render_png(&cpu_in_alarm()).unwrap();
    write_sample("chart-alarm", &png_bytes);
    let (width, height, rgb) = decode(&png_bytes);
    assert_eq!((width, height), (CHART_WIDTH, CHART_HEIGHT));

    let everywhere = 0..height;
    let left_half = 0..width / 2;
    let right_part = width * 3 / 4..width;
    assert!(
        count(&rgb, width, everywhere.clone(), 0..width, METRIC_COLOUR) > 200,
        "the metric line is drawn"
    );
    assert!(
        count(&rgb, width, everywhere.clone(), 0..width, ALARM_COLOUR) > 100,
        "the threshold is drawn"
    );
    // The shading is ALARM red blended over white at the shade's opacity: that exact colour
    // (give or take rounding) appears only where the alarm was on.
    let blend =
        |channel: u8| 255.0 * (1.0 - ALARM_SHADE_OPACITY) + channel as f64 * ALARM_SHADE_OPACITY;
    let shade = (
        blend(ALARM_COLOUR.0),
        blend(ALARM_COLOUR.1),
        blend(ALARM_COLOUR.2),
    );
    let shaded = |columns: std::ops::Range<u32>| {
        everywhere
            .clone()
            .flat_map(|y| columns.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let (r, g, b) = pixel(&rgb, width, x, y);
                (r as f64 - shade.0).abs() <= 1.5
                    && (g as f64 - shade.1).abs() <= 1.5
                    && (b as f64 - shade.2).abs() <= 1.5
            })
            .count()
    };
    assert!(shaded(right_part) > 5_000, "the last hour is shaded");
    // Anti-aliased red label text can blend to that colour in a handful of pixels.
    assert!(shaded(left_half) < 50, "the first hours are not shaded");
}

#[test]
fn every_state_draws_including_no_data_one_point_and_flat_lines() {
    let base = cpu_in_alarm();
    let cases = [
        (
            "chart-ok",
            MetricChart {
                alarm_periods: vec![],
                points: base.points.iter().map(|&(t, _)| (t, 35.0)).collect(),
                ..base.clone()
            },
        ),
        (
            "chart-insufficient-data",
            MetricChart {
                points: vec![],
                alarm_periods: vec![],
                ..base.clone()
            },
        ),
        (
            "chart-one-point",
            MetricChart {
                points: vec![(T0 + HOUR, 12.5)],
                threshold: None,
                alarm_periods: vec![],
                ..base.clone()
            },
        ),
        (
            "chart-negative-and-huge",
            MetricChart {
                unit: Some("Bytes".into()),
                points: vec![
                    (T0, -2.5e6),
                    (T0 + HOUR, 3.0e9),
                    (T0 + 2 * HOUR, f64::NAN),
                    (T0 + 4 * HOUR, 1.0),
                ],
                threshold: Some(f64::INFINITY),
                alarm_periods: vec![(T0 - HOUR, T0 + 10), (T0 + 5 * HOUR, T0 + 6 * HOUR)],
                ..base.clone()
            },
        ),
        (
            "chart-empty-window",
            MetricChart {
                start: T0,
                end: T0,
                ..base.clone()
            },
        ),
    ];
    for (name, chart) in cases {
        let png_bytes = render_png(&chart).unwrap_or_else(|error| panic!("{name}: {error}"));
        let (width, height, rgb) = decode(&png_bytes);
        assert_eq!((width, height), (CHART_WIDTH, CHART_HEIGHT), "{name}");
        let metric = count(&rgb, width, 0..height, 0..width, METRIC_COLOUR);
        if chart
            .points
            .iter()
            .any(|&(t, v)| v.is_finite() && (chart.start..=chart.end).contains(&t))
        {
            assert!(metric > 0, "{name}: the datapoints are drawn");
        } else {
            assert_eq!(
                metric, 0,
                "{name}: nothing is drawn as data when there is none"
            );
        }
        if name != "chart-negative-and-huge" && name != "chart-empty-window" {
            write_sample(name, &png_bytes);
        }
    }
}

#[test]
fn axis_numbers_are_short() {
    for (value, text) in [
        (0.0, "0"),
        (0.25, "0.25"),
        (12.0, "12"),
        (99.5, "99.5"),
        (250.4, "250"),
        (15_000.0, "15k"),
        (2_300_000.0, "2.3M"),
        (-4_000_000_000.0, "-4G"),
    ] {
        assert_eq!(short_number(value), text, "{value}");
    }
    assert_eq!(utc_clock(T0 + 5 * 60), "09:05");
}

#[test]
fn the_inline_variant_is_small_enough_for_a_card() {
    let png_bytes = render_inline_png(&cpu_in_alarm()).unwrap();
    write_sample("chart-inline", &png_bytes);
    let (width, height, _) = decode(&png_bytes);
    assert_eq!((width, height), (INLINE_WIDTH, INLINE_HEIGHT));
    // As a data URI (base64, 4/3) it must leave most of a 24 KB card to the text.
    assert!(png_bytes.len() < 12 * 1024, "{} bytes", png_bytes.len());
}
