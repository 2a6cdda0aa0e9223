//! Chart render time: `render::chart` drawing an alarm chart to PNG — the 720×300 image served
//! under `/charts/` and the 480×200 inline variant (zlib's default level, unfiltered rows) —
//! over realistic data: three hours of one-minute datapoints with noise, a threshold, and two
//! shaded ALARM periods.
//! Prints p50, p99 and max per variant (the target: p99 under 20 ms).
//!
//! Run: `cargo bench --bench chart` (ROUNDS=300 by default; the first 10 are a warm-up).

use std::time::Instant;

use aws_chatops::render::chart::{render_inline_png, render_png, MetricChart};

const T0: i64 = 1_796_287_200; // 2026-12-03 08:40 UTC
const HOUR: i64 = 3600;

/// 180 one-minute points of a latency-like metric: a noisy baseline around 120 with two
/// bursts above the threshold (the periods the alarm was in ALARM), one datapoint missing.
fn realistic(seed: u64) -> MetricChart {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    let mut noise = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 1000) as f64 / 1000.0
    };
    let points = (0..180)
        .filter(|i| *i != 97)
        .map(|i| {
            let burst = (40..55).contains(&i) || (150..172).contains(&i);
            let base = if burst { 260.0 } else { 120.0 };
            (T0 + i * 60, base + 40.0 * noise())
        })
        .collect();
    MetricChart {
        title: "Latency · p99 · 1 min".into(),
        unit: Some("Milliseconds".into()),
        points,
        start: T0,
        end: T0 + 3 * HOUR,
        threshold: Some(200.0),
        alarm_periods: vec![(T0 + 40 * 60, T0 + 55 * 60), (T0 + 150 * 60, T0 + 172 * 60)],
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[i - 1]
}

/// Draws `rounds` charts (after a warm-up of 10) with `render`; prints the timings.
fn measure(name: &str, rounds: usize, render: fn(&MetricChart) -> Vec<u8>) {
    let charts: Vec<MetricChart> = (0..rounds as u64 + 10).map(realistic).collect();
    let mut bytes = 0;
    for chart in &charts[..10] {
        bytes = render(chart).len();
    }
    let mut times: Vec<f64> = charts[10..]
        .iter()
        .map(|chart| {
            let started = Instant::now();
            let png = render(chart).len();
            let took = started.elapsed().as_secs_f64() * 1000.0;
            bytes = bytes.max(png);
            took
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{name}: rounds={rounds} p50_ms={:.2} p99_ms={:.2} max_ms={:.2} largest_png_bytes={bytes} \
         as_data_uri_bytes={}",
        percentile(&times, 0.50),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        "data:image/png;base64,".len() + bytes.div_ceil(3) * 4,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported (two variants only).
    // Without it (`cargo test --all-targets` runs benches too) a few rounds check that it runs.
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(if measuring { 300 } else { 3 });
    measure("chart 720x300 (served)", rounds, |chart| {
        render_png(chart).expect("draws")
    });
    measure("chart 480x200 (inline)", rounds, |chart| {
        render_inline_png(chart).expect("draws")
    });
    println!(
        "load_average={}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
}
