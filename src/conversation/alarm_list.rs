//! `cloudwatch describe-alarms` and `describe-alarms-for-metric` typed in chat without
//! `--query` or `--output`: the answer as alarms, one section per alarm (metric and composite)
//! with its state, reason, last change, a chart for the first [`MAX_CHARTED_ALARMS`] of each
//! card, and Show logs / Show error logs, whose record holds the alarm as the answer described
//! it. Alarms that do not fit a card come with Next page (see `paging.rs`). With `--query` or
//! `--output` the user asked for text and gets the result card as before.

use futures_util::future::join_all;
use serde_json::Value;

use super::alarm_records::AlarmRecord;
use super::charts::{Acting, DrawnChart};
use super::paging::PageAt;
use super::pending::StoredRequester;
use super::Inner;
use crate::command::Invocation;
use crate::common::error_chain;
use crate::notify::message::{AlarmNotification, AlarmState};
use crate::policy::Permit;
use crate::render::chart::ChartImage;
use crate::render::{
    self, AlarmListPage, AlarmSection, Card, CommandHeader, LabeledChart, NotificationButton, Verb,
    CARD_BUDGET_BYTES,
};

mod parse;
#[cfg(test)]
mod tests;

pub(super) use parse::alarms_of;

/// Charts are drawn for this many alarms of a card; the rest are listed without one.
pub(super) const MAX_CHARTED_ALARMS: usize = 10;
/// At most this many alarms are prepared (records stored, charts fetched) for one card: more
/// than fit in one (about 20 with their buttons), the rest come with Next page.
pub(super) const MAX_ALARMS_PER_CARD: usize = 30;
/// Room kept under the card budget when inline images are added.
const INLINE_MARGIN_BYTES: usize = 1024;

/// Whether the answer to `invocation` is shown as an alarm list.
pub(super) fn shows_alarm_list(invocation: &Invocation) -> bool {
    invocation.service == "cloudwatch"
        && matches!(
            invocation.operation.as_str(),
            "DescribeAlarms" | "DescribeAlarmsForMetric"
        )
        && invocation.globals.query.is_none()
        && invocation.globals.output.is_none()
}

/// One card of an alarm list to make: who asked (charts are fetched as them), the card's
/// header, the permit of the call, and which card of the list it is.
pub(super) struct AlarmListCall<'a> {
    pub requester: &'a StoredRequester,
    pub header: &'a CommandHeader,
    pub permit: &'a Permit,
    pub page: &'a PageAt,
}

/// What an alarm list card shows of the list.
pub(super) struct AlarmListFit {
    /// The index of the first alarm the card did not show, when some are left.
    pub first_unshown: Option<usize>,
}

impl Inner {
    /// The alarms card of a describe-alarms `output`, from alarm `list.page.skip` on, charts
    /// fetched as the requester: which alarms it shows, and the card for its Next page
    /// request (if any). Records and charts are made only for the alarms one card can
    /// show ([`MAX_ALARMS_PER_CARD`]).
    pub(super) async fn alarm_list_card(
        &self,
        list: &AlarmListCall<'_>,
        output: &Value,
    ) -> (AlarmListFit, impl FnOnce(Option<&str>) -> Card) {
        let alarms = alarms_of(output, list.permit);
        let states: Vec<AlarmState> = alarms.iter().map(|alarm| alarm.new_state).collect();
        let first = list.page.skip.min(alarms.len());
        let candidates = &alarms[first..alarms.len().min(first + MAX_ALARMS_PER_CARD)];
        let who = list.requester.to_requester();
        let records = join_all(
            candidates
                .iter()
                .map(|alarm| self.alarm_buttons(alarm, &who.conversation_id)),
        );
        let charts = join_all(
            candidates
                .iter()
                .take(MAX_CHARTED_ALARMS)
                .map(|alarm| self.chart_data(Acting::User(&who), alarm)),
        );
        let (buttons, drawn) = futures_util::join!(records, charts);
        let mut sections: Vec<AlarmSection> = candidates
            .iter()
            .zip(buttons)
            .map(|(alarm, buttons)| AlarmSection {
                name: alarm.name.clone(),
                state: alarm.new_state,
                reason: alarm.reason.clone(),
                updated_millis: Some(alarm.changed_at_millis),
                chart: None,
                buttons,
            })
            .collect();
        // A composite alarm's section shows its first triggering child's chart.
        let drawn: Vec<Option<DrawnChart>> =
            drawn.into_iter().map(|d| d.into_iter().next()).collect();
        self.place_charts(list.header, &mut sections, drawn).await;
        let shown = render::alarm_sections_that_fit(list.header, &sections);
        let fit = AlarmListFit {
            first_unshown: Some(first + shown).filter(|next| *next < alarms.len()),
        };
        let page = AlarmListPage {
            sections,
            first,
            states,
            number: list.page.number,
        };
        let header = list.header.clone();
        let card = move |next_page_request: Option<&str>| {
            render::alarm_list_page(&header, &page, next_page_request)
        };
        (fit, card)
    }

    /// Show logs / Show error logs for `alarm`, behind a record of it; none when the record
    /// could not be stored (logged).
    async fn alarm_buttons(
        &self,
        alarm: &AlarmNotification,
        conversation_id: &str,
    ) -> Vec<NotificationButton> {
        let record = AlarmRecord {
            alarm: alarm.clone(),
            topic: None,
            conversation_id: conversation_id.to_owned(),
            acknowledged: None,
            card: None,
        };
        match self.save_alarm_record(&record).await {
            Ok(id) => vec![
                NotificationButton {
                    title: "Show logs".to_owned(),
                    verb: Verb::ShowLogs,
                    record: id.clone(),
                    index: None,
                },
                NotificationButton {
                    title: "Show error logs".to_owned(),
                    verb: Verb::ShowErrorLogs,
                    record: id,
                    index: None,
                },
            ],
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "alarm record not stored; no log buttons");
                Vec::new()
            }
        }
    }

    /// Puts the charts into the first sections: URLs under the public URL; without one,
    /// sparklines, upgraded to inline images in order while the card stays under budget.
    async fn place_charts(
        &self,
        header: &CommandHeader,
        sections: &mut [AlarmSection],
        drawn: Vec<Option<DrawnChart>>,
    ) {
        let mut inline = Vec::new();
        for (index, chart) in drawn.into_iter().enumerate() {
            let Some(chart) = chart else { continue };
            let image = match &chart.chart {
                Err(reason) => ChartImage::Unavailable {
                    reason: reason.clone(),
                },
                Ok(metric) => match self.published(metric).await {
                    Some(url) => url,
                    None => {
                        inline.push((index, metric.clone()));
                        super::charts::sparkline_image(metric)
                    }
                },
            };
            sections[index].chart = Some(LabeledChart {
                label: chart.label,
                image,
            });
        }
        if inline.is_empty() {
            return;
        }
        let size = render::alarm_list(header, sections, 0)
            .content
            .to_string()
            .len();
        let mut room = CARD_BUDGET_BYTES.saturating_sub(size + INLINE_MARGIN_BYTES);
        for (index, metric) in inline {
            let Some(uri) = super::charts::data_uri(&metric).await else {
                continue;
            };
            let Some(chart) = sections[index].chart.as_mut() else {
                continue;
            };
            let (alt, replaced) = match &chart.image {
                ChartImage::Sparkline { text, alt } => (alt.clone(), text.len() + alt.len()),
                _ => continue,
            };
            let grows = (uri.len() + alt.len()).saturating_sub(replaced);
            if grows > room {
                break;
            }
            room -= grows;
            chart.image = ChartImage::DataUri { uri, alt };
        }
    }
}
