//! Clicks on a notification card's own buttons: Show chart (drawn again, now, with the
//! clicker's permissions, and the card updated for everyone), Acknowledge (who and when,
//! recorded once with compare-and-swap, the card updated for everyone) and a topic's custom
//! buttons (the command template filled in from the alarm and run by the clicker through the
//! normal typed-command path: parse, never-allowed list, authorization, form, confirmation,
//! audit). A click is refused for an unknown or expired record and from another conversation
//! than the card's.

use crate::conversation::click::clicked_request;
use std::sync::Arc;

use serde_json::Value;

use super::alarm_records::{
    AlarmRecord, UnusableRecord, ALARM_RECORDS_NAMESPACE, ALARM_RECORD_TTL,
};
use super::charts::Acting;
use super::notifications::{
    card_of_record, read_json, update_json, utc_time, AlarmCardPointer, StoredChart, ThreadState,
    ALARM_CARDS_NAMESPACE, THREADS_NAMESPACE,
};
use super::{requester_of, ClickOutcome, Inner};
use crate::bot::{MessageRef, Reply, TurnContext};
use crate::common::{error_chain, now_millis};
use crate::notify::message::{AlarmNotification, AlarmTrigger, MetricStat};
use crate::policy::config::{CustomButton, Placeholder, TemplateError};
use crate::render::chart::ChartImage;
use crate::render::Verb;
use crate::teams::ActivityType;

impl Inner {
    /// A click on Show chart, Acknowledge or a topic's button (the record id in
    /// `data.request`, a topic button's index in `data.button`).
    pub(super) async fn alarm_click(
        self: &Arc<Self>,
        turn: &TurnContext,
        verb: Verb,
        data: &Value,
    ) -> ClickOutcome {
        let id = clicked_request(data);
        let record = match self.clicked_alarm_record(turn.conversation_id(), id).await {
            Ok(record) => record,
            Err(UnusableRecord::Unknown) => {
                return ClickOutcome::Refuse(
                    "I do not know this alarm card any more (its buttons work for 30 days), so nothing was done."
                        .to_owned(),
                )
            }
            Err(UnusableRecord::OtherConversation) => {
                tracing::warn!(
                    verb = verb.as_str(),
                    "alarm button click from another conversation refused"
                );
                return ClickOutcome::Refuse(
                    "This card belongs to another conversation, so nothing was done. Use the buttons on the card where the alarm was posted."
                        .to_owned(),
                );
            }
            Err(UnusableRecord::Unreadable(error)) => return something_went_wrong(turn, &error),
        };
        match verb {
            Verb::Acknowledge => self.acknowledge(turn, id).await,
            Verb::ShowChart => self.show_chart(turn, id, &record).await,
            Verb::RunButton => self.run_button(turn, &record, data),
            _ => ClickOutcome::Refuse("This button does not belong to an alarm card.".to_owned()),
        }
    }

    /// The state and place of the notification card behind record `id`, if it has one (a
    /// describe-alarms answer has none).
    async fn alarm_card(
        &self,
        id: &str,
        record: &AlarmRecord,
    ) -> Option<(String, ThreadState, MessageRef)> {
        let store = self.pending.store().as_ref();
        let pointer = match &record.card {
            Some(pointer) => pointer.clone(),
            // A record written before records carried their card.
            None => {
                read_json::<AlarmCardPointer>(store, ALARM_CARDS_NAMESPACE, id)
                    .await
                    .ok()??
                    .1
            }
        };
        let (_, state) = read_json::<ThreadState>(store, THREADS_NAMESPACE, &pointer.state_key)
            .await
            .ok()??;
        let card = state.card.clone()?;
        Some((pointer.state_key, state, card))
    }

    /// Records who acknowledged the alarm, once, and shows it on the card for everyone.
    async fn acknowledge(&self, turn: &TurnContext, id: &str) -> ClickOutcome {
        let from = turn.activity().from.as_ref();
        let who = from
            .and_then(|from| from.name.clone())
            .or_else(|| from.map(|from| from.id.clone()))
            .unwrap_or_else(|| "someone".to_owned());
        let now = now_millis() as i64;
        let result = update_json(
            self.pending.store().as_ref(),
            ALARM_RECORDS_NAMESPACE,
            id,
            ALARM_RECORD_TTL,
            |record: &mut AlarmRecord| match &record.acknowledged {
                Some(earlier) => Err(earlier.clone()),
                None => {
                    record.acknowledged = Some((who.clone(), now));
                    Ok(())
                }
            },
        )
        .await;
        let record = match result {
            Ok(Some(Ok(record))) => record,
            Ok(Some(Err((earlier, at)))) => {
                return ClickOutcome::Refuse(format!(
                    "{earlier} already acknowledged this alarm at {}.",
                    utc_time(at)
                ))
            }
            Ok(None) => {
                return ClickOutcome::Refuse("I do not know this alarm card any more.".to_owned())
            }
            Err(error) => return something_went_wrong(turn, &error),
        };
        tracing::info!(record = super::short(id), "alarm acknowledged");
        let Some((_, state, target)) = self.alarm_card(id, &record).await else {
            return ClickOutcome::Refuse(format!("Acknowledged by {who}."));
        };
        let card = card_of_record(
            &self.authorizer.notifications(),
            &state,
            Some((id, &record)),
        );
        ClickOutcome::Update {
            card,
            target: Some(target),
            then: None,
        }
    }

    /// Draws the alarm's charts again now, as the clicker, and updates the card for everyone
    /// (the channel already sees this alarm's chart; this one is fresher). When no chart can
    /// be drawn, only the clicker is told why.
    async fn show_chart(&self, turn: &TurnContext, id: &str, record: &AlarmRecord) -> ClickOutcome {
        let requester = requester_of(turn).to_requester();
        let charts = self
            .alarm_charts(Acting::User(&requester), &record.alarm)
            .await;
        let reasons: Vec<&str> = charts
            .iter()
            .filter_map(|chart| match &chart.image {
                ChartImage::Unavailable { reason } => Some(reason.as_str()),
                _ => None,
            })
            .collect();
        if charts.is_empty() || reasons.len() == charts.len() {
            let why = if reasons.is_empty() {
                "no chart can be drawn for this alarm".to_owned()
            } else {
                reasons.join("; ")
            };
            return ClickOutcome::Refuse(format!("No chart now: {why}."));
        }
        let Some((state_key, _, target)) = self.alarm_card(id, record).await else {
            return ClickOutcome::Refuse("Show chart works on notification cards only.".to_owned());
        };
        let stored: Vec<StoredChart> = charts.iter().map(StoredChart::from_chart).collect();
        let updated = update_json(
            self.pending.store().as_ref(),
            THREADS_NAMESPACE,
            &state_key,
            ALARM_RECORD_TTL,
            |state: &mut ThreadState| {
                state.charts = stored.clone();
                Ok::<(), ()>(())
            },
        )
        .await;
        let state = match updated {
            Ok(Some(Ok(state))) => state,
            Ok(_) => {
                return ClickOutcome::Refuse("I do not know this alarm card any more.".to_owned())
            }
            Err(error) => return something_went_wrong(turn, &error),
        };
        let card = card_of_record(&self.authorizer.notifications(), &state, Some((id, record)));
        ClickOutcome::Update {
            card,
            target: Some(target),
            then: None,
        }
    }

    /// A topic's own button: its command filled in from the alarm and run as if the clicker
    /// had typed it in the card's thread (the answer is a new reply there).
    fn run_button(
        self: &Arc<Self>,
        turn: &TurnContext,
        record: &AlarmRecord,
        data: &Value,
    ) -> ClickOutcome {
        let config = self.authorizer.notifications();
        let button = data
            .get("button")
            .and_then(Value::as_u64)
            .zip(
                record
                    .topic
                    .as_ref()
                    .and_then(|name| config.topics.get(name)),
            )
            .and_then(|(index, topic)| topic.buttons.get(index as usize));
        let Some(button) = button else {
            return ClickOutcome::Refuse(
                "This button is no longer in the configuration, so nothing was run.".to_owned(),
            );
        };
        let command = match fill_template(button, &record.alarm) {
            Ok(command) => command,
            Err(TemplateError::NoValue(placeholder)) => {
                return ClickOutcome::Refuse(format!(
                    "The button “{}” needs {placeholder}, which this alarm does not have, so nothing was run.",
                    button.label
                ))
            }
            Err(error) => {
                return ClickOutcome::Refuse(format!(
                    "The button “{}” cannot be run: {error}. Nothing was run; ask an administrator to fix it in [notifications].",
                    button.label
                ))
            }
        };
        let Some(responder) = turn.responder().cloned() else {
            return ClickOutcome::Refuse("Nothing was run: this turn cannot answer.".to_owned());
        };
        // The click as a typed message: no card value, so the fallback path is not taken again.
        let mut activity = turn.activity().clone();
        activity.activity_type = ActivityType::Message;
        activity.name = None;
        activity.value = None;
        activity.text = Some(command.clone());
        let typed = TurnContext::new(Arc::new(activity), turn.correlation_id().to_owned())
            .with_responder(responder.clone());
        let this = self.clone();
        let text = command.clone();
        responder.clone().spawn(async move {
            let incoming = typed.activity();
            let sent = match this.on_message(&typed, &text).await {
                Reply::Card(card) => responder.reply_card(incoming, card).await.map(|_| ()),
                Reply::Text(text) => responder.reply_text(incoming, &text).await,
                Reply::Nothing => Ok(()),
            };
            if let Err(error) = sent {
                tracing::error!(error = %error_chain(&error), "custom button answer could not be sent");
            }
        });
        ClickOutcome::Refuse(format!(
            "Running `{command}` for you; the answer follows in this thread."
        ))
    }
}

/// The refusal of a click that failed on the bot's side.
fn something_went_wrong(turn: &TurnContext, error: &dyn std::error::Error) -> ClickOutcome {
    tracing::error!(error = %error_chain(error), "alarm click failed");
    ClickOutcome::Refuse(format!(
        "Something went wrong on my side (reference {}). Nothing was done.",
        turn.correlation_id()
    ))
}

/// The metric an alarm watches: a metric alarm's, or the metric of a metric-math alarm's
/// returned query (else its first metric).
fn watched_metric(alarm: &AlarmNotification) -> Option<&MetricStat> {
    match &alarm.trigger {
        AlarmTrigger::Metric(trigger) => Some(&trigger.metric),
        AlarmTrigger::Math(math) => math
            .queries
            .iter()
            .filter(|query| query.metric.is_some())
            .max_by_key(|query| query.return_data)
            .and_then(|query| query.metric.as_ref()),
        AlarmTrigger::Composite(_) | AlarmTrigger::Unknown => None,
    }
}

/// A button's command with its placeholders replaced by the alarm's values
/// ([`CustomButton::fill`]: each word quoted so the command parser reads it back).
fn fill_template(
    button: &CustomButton,
    alarm: &AlarmNotification,
) -> Result<String, TemplateError> {
    let metric = watched_metric(alarm);
    button.fill(|placeholder| match placeholder {
        Placeholder::AlarmName => Some(alarm.name.clone()),
        Placeholder::Region => Some(alarm.region.clone()),
        Placeholder::AccountId => Some(alarm.account_id.clone()),
        Placeholder::Namespace => metric.map(|m| m.namespace.clone()),
        Placeholder::MetricName => metric.map(|m| m.metric_name.clone()),
        Placeholder::Dimension(name) => metric.and_then(|m| {
            m.dimensions
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::{AlarmState, MetricTrigger};

    fn alarm() -> AlarmNotification {
        AlarmNotification {
            name: "orders-api 5xx".into(),
            description: None,
            arn: None,
            account_id: "123456789012".into(),
            region: "eu-west-1".into(),
            new_state: AlarmState::Alarm,
            old_state: Some(AlarmState::Ok),
            reason: "Threshold crossed".into(),
            changed_at_millis: 0,
            trigger: AlarmTrigger::Metric(MetricTrigger {
                metric: MetricStat {
                    namespace: "AWS/ApiGateway".into(),
                    metric_name: "5XXError".into(),
                    dimensions: vec![
                        ("ApiName".into(), "orders".into()),
                        ("Stage".into(), "it's-prod".into()),
                    ],
                    stat: "Sum".into(),
                    period_seconds: 60,
                    unit: None,
                },
                evaluation_periods: 1,
                comparison_operator: "GreaterThanThreshold".into(),
                threshold: Some(1.0),
                treat_missing_data: None,
            }),
        }
    }

    fn button(command: &str) -> CustomButton {
        CustomButton {
            label: "Button".into(),
            command: command.into(),
        }
    }

    #[test]
    fn templates_are_filled_with_quoted_values_that_tokenize_back() {
        let cases = [
            (
                "cloudwatch describe-alarms --alarm-names $AlarmName --region $Region",
                vec!["cloudwatch", "describe-alarms", "--alarm-names", "orders-api 5xx", "--region", "eu-west-1"],
            ),
            (
                "x y --a $Dimension.Stage --b $Dimension.ApiName --c $Namespace/$MetricName --d $$AccountId",
                vec!["x", "y", "--a", "it's-prod", "--b", "orders", "--c", "AWS/ApiGateway/5XXError", "--d", "$AccountId"],
            ),
        ];
        for (template, expected) in cases {
            let filled = fill_template(&button(template), &alarm()).unwrap();
            let words = crate::command::tokenize(&filled).unwrap();
            assert_eq!(words, expected, "{filled}");
        }
    }

    #[test]
    fn a_placeholder_without_a_value_is_named() {
        let mut composite = alarm();
        composite.trigger = AlarmTrigger::Unknown;
        for (template, alarm, missing) in [
            (
                "x y --d $Dimension.FunctionName",
                alarm(),
                "Dimension.FunctionName",
            ),
            ("x y --n $Namespace", composite, "Namespace"),
        ] {
            assert_eq!(
                fill_template(&button(template), &alarm)
                    .unwrap_err()
                    .to_string(),
                format!("the alarm has no value for ${missing}"),
                "{template}"
            );
        }
        assert!(matches!(
            fill_template(&button("x y --n $Bogus"), &alarm()),
            Err(TemplateError::Malformed(_))
        ));
    }
}
