//! The alarms card: what one section shows, the chart kinds, and that any number of alarms
//! fits the card with a notice of what was left out.

use super::*;
use crate::render::cards::test_support::{
    assert_complete, button_titles_and_verbs, buttons, elements_of_type, full_header, texts,
};
use crate::render::Verb;

/// 2026-12-03 10:42:07 UTC.
const CHANGED: i64 = 1_796_294_527_000;

fn section(name: &str, state: AlarmState, chart: Option<ChartImage>) -> AlarmSection {
    AlarmSection {
        name: name.to_owned(),
        state,
        reason: "Threshold Crossed: 1 out of the last 1 datapoints [95.2 (03/12/26 10:41:00)] was greater than the threshold (80.0).".to_owned(),
        updated_millis: Some(CHANGED),
        chart: chart.map(|image| LabeledChart {
            label: name.to_owned(),
            image,
        }),
        buttons: vec![
            NotificationButton {
                title: "Show logs".into(),
                verb: Verb::ShowLogs,
                record: format!("record-{name}"),
                index: None,
            },
            NotificationButton {
                title: "Show error logs".into(),
                verb: Verb::ShowErrorLogs,
                record: format!("record-{name}"),
                index: None,
            },
        ],
    }
}

fn url(id: &str) -> ChartImage {
    ChartImage::Url {
        url: format!("https://bot.example.com/charts/{id}.png"),
        alt: "CPUUtilization · Average · 1 min, last 3 hours".into(),
    }
}

#[test]
fn a_section_shows_the_alarm_its_state_reason_time_chart_and_buttons() {
    let card = alarm_list(
        &full_header(),
        &[section(
            "web-cpu-high",
            AlarmState::Alarm,
            Some(url("0123")),
        )],
        0,
    );
    assert_complete(&card);
    assert_eq!(card.name, "alarm-list");
    let texts = texts(&card);
    assert!(texts.contains(&"web-cpu-high"), "{texts:?}");
    assert!(texts.contains(&"1 alarm: 1 in ALARM"), "{texts:?}");
    assert!(
        texts.contains(&"Last change 2026-12-03 10:42 UTC"),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.starts_with("Threshold Crossed")));
    let state = elements_of_type(&card, "TextBlock")
        .into_iter()
        .find(|t| t["text"] == "ALARM")
        .unwrap();
    assert_eq!(state["color"], "Attention");
    let images = elements_of_type(&card, "Image");
    assert_eq!(images.len(), 1);
    assert_eq!(images[0]["url"], "https://bot.example.com/charts/0123.png");
    assert!(images[0]["altText"]
        .as_str()
        .unwrap()
        .contains("CPUUtilization"));
    assert_eq!(
        button_titles_and_verbs(&card),
        [
            ("Show logs".to_owned(), "show-logs".to_owned()),
            ("Show error logs".to_owned(), "show-error-logs".to_owned())
        ]
    );
    // The buttons carry the record id only: never the alarm.
    assert_eq!(
        buttons(&card)[0]["data"],
        json!({"verb": "show-logs", "request": "record-web-cpu-high"})
    );
}

#[test]
fn states_are_coloured_and_charts_may_be_text_or_unavailable() {
    let card = alarm_list(
        &full_header(),
        &[
            section(
                "ok-one",
                AlarmState::Ok,
                Some(ChartImage::Sparkline {
                    text: "▁▂▃▅▇█".into(),
                    alt: "a *rising* line".into(),
                }),
            ),
            section(
                "no-data",
                AlarmState::InsufficientData,
                Some(ChartImage::Unavailable {
                    reason: "no datapoints in the last 3 hours".into(),
                }),
            ),
        ],
        0,
    );
    assert_complete(&card);
    let blocks = elements_of_type(&card, "TextBlock");
    let colour = |text: &str| blocks.iter().find(|b| b["text"] == text).unwrap()["color"].clone();
    assert_eq!(colour("OK"), "Good");
    assert_eq!(colour("INSUFFICIENT_DATA"), "Warning");
    let spark = blocks.iter().find(|b| b["text"] == "▁▂▃▅▇█").unwrap();
    assert_eq!(spark["fontType"], "Monospace");
    let texts = texts(&card);
    assert!(
        texts.contains(&r"a \*rising\* line"),
        "alt text escaped: {texts:?}"
    );
    assert!(texts.contains(&"Chart unavailable: no datapoints in the last 3 hours"));
    assert!(
        texts.contains(&"2 alarms: 1 INSUFFICIENT_DATA, 1 OK"),
        "{texts:?}"
    );
}

#[test]
fn sixty_alarms_fit_with_a_notice_of_the_rest() {
    let sections: Vec<AlarmSection> = (0..60)
        .map(|i| {
            let chart = (i < 10).then(|| url(&format!("{i:032x}")));
            section(
                &format!("service-{i:02}-latency-p99-[high]"),
                AlarmState::Alarm,
                chart,
            )
        })
        .collect();
    let card = alarm_list(&full_header(), &sections, 0);
    assert_complete(&card);
    let shown = elements_of_type(&card, "Container")
        .iter()
        .filter(|c| c["separator"] == true)
        .count();
    assert!(
        shown >= 10,
        "at least the charted alarms are shown: {shown}"
    );
    assert!(shown < 60);
    let texts = texts(&card);
    assert!(texts.contains(&"60 alarms: 60 in ALARM"), "{texts:?}");
    let notice = format!("{} more alarms are not shown.", 60 - shown);
    assert!(
        texts.iter().any(|t| t.starts_with(&notice)),
        "{notice} in {texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("shown without a chart")),
        "{texts:?}"
    );
    // Names are AWS values: shown as written, only what would start emphasis or code escaped.
    assert!(
        texts.contains(&"service-00-latency-p99-[high]"),
        "{texts:?}"
    );
}

#[test]
fn alarms_left_out_by_the_caller_are_counted() {
    let card = alarm_list(&full_header(), &[], 0);
    assert!(texts(&card).contains(&"No alarms match."));
    let card = alarm_list(&full_header(), &[section("a", AlarmState::Ok, None)], 4);
    let texts = texts(&card);
    assert!(texts.contains(&"5 alarms"), "{texts:?}");
    assert!(texts
        .iter()
        .any(|t| t.starts_with("4 more alarms are not shown")));
}

#[test]
fn a_long_reason_is_cut_with_a_visible_mark() {
    let mut long = section("a", AlarmState::Alarm, None);
    long.reason = "x".repeat(5000);
    let card = alarm_list(&full_header(), &[long], 0);
    let texts = texts(&card);
    let reason = texts.iter().find(|t| t.starts_with("xxx")).unwrap();
    assert!(reason.ends_with('…'));
    assert!(reason.chars().count() <= MAX_REASON_CHARS);
}
