//! Chart plans from alarms (window, period, queries, threshold, ALARM shading), the images
//! made from them, and the sample pictures of each kind (target/card-samples/chart-*.png).

use super::plan::{alarm_plan, child_names, child_plans, window, WINDOW_SECONDS};
use super::publish::{alt_text, inline_or_sparkline, new_chart_id};
use super::*;
use crate::aws::alarms::{AlarmKind, MetricSpec};
use crate::notify::message::{
    AlarmState, ChildAlarm, CompositeTrigger, MathQuery, MathTrigger, MetricStat, MetricTrigger,
};
use crate::render::chart::render_png;

/// 2026-12-03 12:00 UTC.
const NOW: i64 = 1_796_299_200;

fn cpu() -> MetricStat {
    MetricStat {
        namespace: "AWS/EC2".into(),
        metric_name: "CPUUtilization".into(),
        dimensions: vec![("InstanceId".into(), "i-0abc".into())],
        stat: "Average".into(),
        period_seconds: 300,
        unit: Some("Percent".into()),
    }
}

fn alarm(state: AlarmState, changed_at: i64, trigger: AlarmTrigger) -> AlarmNotification {
    AlarmNotification {
        name: "web-cpu-high".into(),
        description: None,
        arn: Some("arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-cpu-high".into()),
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        new_state: state,
        old_state: None,
        reason: "Threshold Crossed".into(),
        changed_at_millis: changed_at * 1000,
        trigger,
    }
}

fn cpu_alarm(state: AlarmState, changed_at: i64) -> AlarmNotification {
    alarm(
        state,
        changed_at,
        AlarmTrigger::Metric(MetricTrigger {
            metric: cpu(),
            evaluation_periods: 2,
            comparison_operator: "GreaterThanThreshold".into(),
            threshold: Some(80.0),
            treat_missing_data: None,
        }),
    )
}

/// Five-minute points over the window: `value(i)` for the i-th, `None` for a gap.
fn points(start: i64, value: impl Fn(i64) -> Option<f64>) -> Vec<(i64, f64)> {
    (0..36)
        .filter_map(|i| Some((start + i * 300, value(i)?)))
        .collect()
}

fn write_sample(name: &str, chart: &MetricChart) {
    let png = render_png(chart).unwrap();
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/card-samples");
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(directory.join(format!("{name}.png")), png).unwrap();
}

#[test]
fn the_window_is_three_hours_on_whole_periods() {
    assert_eq!(window(NOW, NOW - 600, 300), (NOW - WINDOW_SECONDS, NOW));
    // Now between periods: the end is the next period boundary.
    assert_eq!(
        window(NOW - 100, NOW - 600, 300),
        (NOW - WINDOW_SECONDS, NOW)
    );
    // A state change ahead of the local clock still shows.
    assert_eq!(window(NOW, NOW + 60, 60).1, NOW + 120);
}

#[test]
fn a_metric_alarm_in_alarm_is_charted_with_its_threshold_and_alarm_periods() {
    let changed = NOW - 3600;
    let plan = alarm_plan(&cpu_alarm(AlarmState::Alarm, changed), NOW).unwrap();
    assert_eq!(plan.label, "web-cpu-high");
    assert_eq!(plan.title, "CPUUtilization · Average · 5 min");
    assert_eq!(
        (plan.start, plan.end, plan.period),
        (NOW - 3 * 3600, NOW, 300)
    );
    assert_eq!(plan.queries.len(), 1);
    assert!(plan.queries[0].return_data);
    assert_eq!(plan.queries[0].metric.as_ref().unwrap().dimensions.len(), 1);
    let start = plan.start;
    // Two breaches an hour in (enough for 2 evaluation periods), then the last hour above the
    // threshold: the datapoints trip it from 11:05, the state change says 11:00.
    let data = points(start, |i| {
        Some(match i {
            12 | 13 => 88.0,
            i if i >= 24 => 92.0 + (i % 3) as f64,
            i => 40.0 + (i % 5) as f64 * 3.0,
        })
    });
    let chart = plan.into_chart(data);
    assert_eq!(chart.threshold, Some(80.0));
    assert_eq!(
        chart.alarm_periods,
        [
            (start + 13 * 300, start + 14 * 300),
            (start + 24 * 300, NOW)
        ],
        "each run of 2 breaches, merged with the episode since the state change"
    );
    assert!(
        alt_text(&chart).contains("threshold 80; in ALARM 10:05–10:10, 11:00–12:00 UTC"),
        "{}",
        alt_text(&chart)
    );
    write_sample("chart-state-alarm", &chart);
}

#[test]
fn ok_and_insufficient_data_alarms_shade_nothing_now() {
    let ok = alarm_plan(&cpu_alarm(AlarmState::Ok, NOW - 1800), NOW).unwrap();
    let start = ok.start;
    let chart = ok.into_chart(points(start, |i| Some(35.0 + ((i * 7) % 11) as f64)));
    assert!(chart.alarm_periods.is_empty());
    write_sample("chart-state-ok", &chart);

    let sparse = alarm_plan(&cpu_alarm(AlarmState::InsufficientData, NOW - 5400), NOW).unwrap();
    let start = sparse.start;
    let chart = sparse.into_chart(points(start, |i| {
        (i < 8 || i == 20).then_some(55.0 + i as f64)
    }));
    assert!(chart.alarm_periods.is_empty());
    write_sample("chart-state-insufficient-data", &chart);
}

#[test]
fn a_metric_math_alarm_asks_for_every_query_and_charts_the_expression() {
    let metric = |name: &str| MetricStat {
        namespace: "AWS/Lambda".into(),
        metric_name: name.into(),
        dimensions: vec![("FunctionName".into(), "checkout".into())],
        stat: "Sum".into(),
        period_seconds: 30,
        unit: None,
    };
    let math = alarm(
        AlarmState::Alarm,
        NOW - 1200,
        AlarmTrigger::Math(MathTrigger {
            queries: vec![
                MathQuery {
                    id: "e1".into(),
                    expression: Some("100 * m1 / m2".into()),
                    metric: None,
                    label: Some("Error rate %".into()),
                    return_data: true,
                },
                MathQuery {
                    id: "m1".into(),
                    expression: None,
                    metric: Some(metric("Errors")),
                    label: None,
                    return_data: false,
                },
                MathQuery {
                    id: "m2".into(),
                    expression: None,
                    metric: Some(metric("Invocations")),
                    label: None,
                    return_data: false,
                },
            ],
            period_seconds: 30,
            evaluation_periods: 1,
            comparison_operator: "GreaterThanOrEqualToThreshold".into(),
            threshold: Some(5.0),
        }),
    );
    let plan = alarm_plan(&math, NOW).unwrap();
    assert_eq!(plan.title, "Error rate % · 1 min");
    assert_eq!(plan.period, 60, "at least a minute");
    assert_eq!(plan.queries.len(), 3);
    assert_eq!(plan.queries[1].metric.as_ref().unwrap().period_seconds, 60);
    assert!(plan.queries[0].return_data && !plan.queries[1].return_data);
    let start = plan.start;
    let data: Vec<(i64, f64)> = (0..180)
        .map(|i| {
            (
                start + i * 60,
                if i > 160 {
                    7.5
                } else {
                    1.0 + (i % 4) as f64 * 0.4
                },
            )
        })
        .collect();
    let chart = plan.into_chart(data);
    // The datapoints trip it at 161 minutes; the state change (20 minutes ago) is earlier.
    assert_eq!(chart.alarm_periods, [(start + 160 * 60, NOW)]);
    write_sample("chart-math", &chart);
}

#[test]
fn a_composite_alarm_charts_its_children_in_alarm_first_at_most_three() {
    let composite = alarm(
        AlarmState::Alarm,
        NOW - 900,
        AlarmTrigger::Composite(CompositeTrigger {
            rule: "ALARM(a) OR ALARM(b)".into(),
            triggering_children: vec![
                ChildAlarm {
                    arn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-latency".into(),
                    state: Some(AlarmState::Alarm),
                },
                ChildAlarm {
                    arn: "api-latency".into(),
                    state: None,
                },
                ChildAlarm {
                    arn: "queue-depth".into(),
                    state: None,
                },
            ],
        }),
    );
    let AlarmTrigger::Composite(trigger) = &composite.trigger else {
        unreachable!()
    };
    assert_eq!(child_names(trigger), ["api-latency", "queue-depth"]);
    let child = |name: &str, state: &str| AlarmConfig {
        name: name.into(),
        arn: None,
        state: Some(state.into()),
        reason: None,
        updated_millis: Some((NOW - 900) * 1000),
        kind: AlarmKind::Metric {
            metric: Some(MetricSpec {
                namespace: "AWS/ApiGateway".into(),
                metric_name: "Latency".into(),
                dimensions: vec![("ApiName".into(), "orders".into())],
                stat: "p99".into(),
                period_seconds: 60,
                unit: Some("Milliseconds".into()),
            }),
            queries: vec![],
            period_seconds: 60,
            evaluation_periods: 3,
            comparison_operator: Some("GreaterThanThreshold".into()),
            threshold: Some(1500.0),
        },
    };
    let children = [
        child("queue-depth", "OK"),
        child("nested", "ALARM"),
        child("api-latency", "ALARM"),
        child("fourth", "OK"),
    ];
    let plans = child_plans(&composite, &children, NOW);
    let labels: Vec<&str> = plans
        .iter()
        .map(|p| p.as_ref().unwrap().label.as_str())
        .collect();
    assert_eq!(labels, ["nested", "api-latency", "queue-depth"]);
    let plan = plans.into_iter().nth(1).unwrap().unwrap();
    assert_eq!(plan.title, "Latency · p99 · 1 min");
    assert_eq!(plan.unit.as_deref(), Some("Milliseconds"));
    let start = plan.start;
    let data: Vec<(i64, f64)> = (0..180)
        .map(|i| {
            (
                start + i * 60,
                if i >= 160 {
                    2100.0 + (i % 5) as f64 * 80.0
                } else {
                    600.0 + (i % 9) as f64 * 40.0
                },
            )
        })
        .collect();
    let chart = plan.into_chart(data);
    assert_eq!(chart.alarm_periods, [(start + 162 * 60, NOW)]);
    write_sample("chart-composite-child", &chart);
}

#[test]
fn alarms_without_a_metric_say_why() {
    let unknown = alarm(AlarmState::Alarm, NOW, AlarmTrigger::Unknown);
    let (label, reason) = alarm_plan(&unknown, NOW).unwrap_err();
    assert_eq!(label, "web-cpu-high");
    assert!(reason.contains("does not say which metric"), "{reason}");
}

#[tokio::test]
async fn an_inline_image_is_used_while_the_budget_allows_then_a_sparkline() {
    let plan = alarm_plan(&cpu_alarm(AlarmState::Alarm, NOW - 3600), NOW).unwrap();
    let start = plan.start;
    let chart = plan.into_chart(points(start, |i| Some(i as f64)));
    let mut budget = 40 * 1024;
    let first = inline_or_sparkline(&chart, &mut budget).await;
    let ChartImage::DataUri { uri, alt } = &first else {
        panic!("{first:?}")
    };
    assert!(uri.starts_with("data:image/png;base64,"));
    assert_eq!(budget, 40 * 1024 - uri.len(), "the image used its size");
    assert!(alt.starts_with("CPUUtilization"));
    let mut small = 1000;
    let second = inline_or_sparkline(&chart, &mut small).await;
    let ChartImage::Sparkline { text, .. } = &second else {
        panic!("{second:?}")
    };
    assert_eq!(text.chars().count(), 36);
    assert!(text.starts_with('▁') && text.ends_with('█'), "{text}");
    assert_eq!(small, 1000, "a sparkline costs the budget nothing");
}

#[test]
fn chart_ids_are_128_random_bits_in_hex() {
    let (a, b) = (new_chart_id(), new_chart_id());
    assert_ne!(a, b);
    assert_eq!(a.len(), 32);
    assert!(
        a.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')),
        "{a}"
    );
}
