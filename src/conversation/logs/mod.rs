//! Show logs / Show error logs: the log groups behind an alarm (tag, config mapping, metric
//! filters, Lambda and API Gateway conventions, else a form), a CloudWatch Logs Insights query
//! over the alarm's evaluation window run as the clicking user, and the logs card. Also
//! `logs start-query` typed in chat: the query, then its results.
//!
//! A click on an alarm card's Show logs leaves that card alone: the clicker is told the query
//! runs, and the logs card (or the log-group form, or the refusal) arrives as a new message in
//! the conversation, for everyone there. A submitted log-group form and a Refresh update their
//! own card in place. Buttons carry only a record id: the alarm comes from its alarm record and
//! a running query from its query record, and either is refused from another conversation.
//!
//! Where things are: `groups` (which log groups), `query` (authorize, run, poll, the card),
//! `insights` (the pure parts: query string, window, console link, command), `typed` (`logs
//! start-query` from chat).

mod groups;
mod insights;
mod query;
mod typed;

use crate::conversation::click::clicked_request;
use std::sync::Arc;

use serde_json::Value;

use self::query::{now, QueryPlan};
use super::alarm_records::{same_conversation, AlarmRecord, UnusableRecord};
use super::{requester_of, short, ClickOutcome, Inner};
use crate::bot::{MessageRef, Responder, TurnContext};
use crate::common::error_chain;
use crate::notify::message::AlarmNotification;
use crate::policy::Requester;
use crate::render::{self, Card, LogGroupsForm, NotificationButton, Status, Verb};

/// What a click on Show logs tells the clicker while the query runs.
const RUNNING_NOTICE: &str =
    "Running the Logs Insights query as you; the logs will appear in this conversation.";

impl Inner {
    /// The answer to a Show logs (`errors_only` false) or Show error logs click on the card of
    /// `alarm`. `configured` is what `[[notifications.log_groups]]` maps the alarm to. The
    /// clicked card stays as it is; the logs card is posted as a new message.
    #[allow(dead_code)] // the notification hub calls it (issue 10); clicks come through logs_click
    pub(super) async fn show_logs(
        self: &Arc<Self>,
        turn: &TurnContext,
        requester: &Requester,
        alarm: &AlarmNotification,
        configured: Option<&[String]>,
        errors_only: bool,
    ) -> ClickOutcome {
        let job = ShowLogs {
            requester: requester.clone(),
            alarm: alarm.clone(),
            configured: configured.map(<[String]>::to_vec),
            errors_only,
            record: None,
        };
        self.post_logs_later(turn, job)
    }

    /// A click on Show logs, Show error logs (the record id in `data.request`; with the
    /// chosen `logGroups` when it comes from the log-group form) or a logs card's Refresh.
    pub(super) async fn logs_click(
        self: &Arc<Self>,
        turn: &TurnContext,
        verb: Verb,
        data: &Value,
    ) -> ClickOutcome {
        let id = clicked_request(data);
        if verb == Verb::RefreshLogs {
            return self.refresh_logs(turn, id).await;
        }
        let record = match self.clicked_alarm(turn, id).await {
            Ok(record) => record,
            Err(refusal) => return refusal,
        };
        let requester = requester_of(turn).who;
        let errors_only = verb == Verb::ShowErrorLogs;
        if let Some(chosen) = data.get(render::LOG_GROUPS_INPUT) {
            let chosen = chosen.as_str().unwrap_or_default();
            return self.submit_log_groups(turn, requester, record.alarm, chosen, errors_only);
        }
        let configured = self
            .authorizer
            .notifications()
            .log_groups_for_alarm(&record.alarm.name)
            .map(<[String]>::to_vec);
        let job = ShowLogs {
            requester,
            alarm: record.alarm,
            configured,
            errors_only,
            record: Some(id.to_owned()),
        };
        self.post_logs_later(turn, job)
    }

    /// The alarm record `id`, when it exists and belongs to the clicking conversation;
    /// otherwise the refusal to answer with.
    async fn clicked_alarm(
        &self,
        turn: &TurnContext,
        id: &str,
    ) -> Result<AlarmRecord, ClickOutcome> {
        self.clicked_alarm_record(turn.conversation_id(), id)
            .await
            .map_err(|unusable| match unusable {
                UnusableRecord::Unknown => {
                    tracing::info!("logs click on an unknown alarm record refused");
                    ClickOutcome::Refuse(
                        "I do not know this alarm any more (its buttons work for 30 days), so nothing was run. Use a newer card, or run `@aws logs start-query` yourself."
                            .to_owned(),
                    )
                }
                UnusableRecord::OtherConversation => {
                    tracing::warn!(record = short(id), "logs click from another conversation refused");
                    other_conversation()
                }
                UnusableRecord::Unreadable(error) => {
                    tracing::error!(error = %error_chain(&error), "alarm record could not be read");
                    something_went_wrong(turn)
                }
            })
    }

    /// Answers the click at once and does `job` after it: the logs card, the form or the
    /// refusal as a new message.
    fn post_logs_later(self: &Arc<Self>, turn: &TurnContext, job: ShowLogs) -> ClickOutcome {
        let Some(responder) = turn.responder().cloned() else {
            return ClickOutcome::Refuse("Logs cannot be shown here.".to_owned());
        };
        let inner = self.clone();
        let turn = turn.clone();
        responder.clone().spawn(async move {
            let card = inner.logs_job_card(&turn, job).await;
            post(&responder, &turn, &card).await;
        });
        // The clicked card is the alarm's: it stays, and the clicker is told what happens.
        ClickOutcome::Refuse(RUNNING_NOTICE.to_owned())
    }

    /// The card a Show logs click leads to: a refusal, the log-group form, or the logs.
    async fn logs_job_card(&self, turn: &TurnContext, job: ShowLogs) -> Card {
        let ShowLogs {
            requester,
            alarm,
            configured,
            errors_only,
            record,
        } = job;
        let mut plan = alarm_plan(&alarm, Vec::new(), errors_only);
        // Allowed to query at all, in the alarm's account? Otherwise no lookups are wasted.
        let permit = match self.start_query_permit(&requester, &plan).await {
            Ok(permit) => permit,
            Err(card) => return card,
        };
        let Some(found) = self
            .alarm_log_groups(&requester, &alarm, configured.as_deref())
            .await
        else {
            return self
                .log_groups_form_card(&requester, &alarm, errors_only, record, turn)
                .await;
        };
        tracing::info!(
            rule = found.rule,
            groups = found.groups.len(),
            "log groups found"
        );
        plan.log_groups = found.groups;
        let conversation = turn.conversation_id().unwrap_or_default().to_owned();
        self.run_query(
            &requester,
            plan,
            &permit,
            &conversation,
            turn.correlation_id(),
        )
        .await
    }

    /// The form asking for log groups, with the groups the requester may list as choices.
    async fn log_groups_form_card(
        &self,
        requester: &Requester,
        alarm: &AlarmNotification,
        errors_only: bool,
        record: Option<String>,
        turn: &TurnContext,
    ) -> Card {
        // The form's button names an alarm record: one for this conversation when the click
        // did not come with one.
        let record = match record {
            Some(id) => id,
            None => {
                let saved = AlarmRecord {
                    alarm: alarm.clone(),
                    topic: None,
                    conversation_id: turn.conversation_id().unwrap_or_default().to_owned(),
                    acknowledged: None,
                    card: None,
                };
                match self.save_alarm_record(&saved).await {
                    Ok(id) => id,
                    Err(error) => {
                        tracing::error!(error = %error_chain(&error), "alarm record could not be stored");
                        return render::internal_error(turn.correlation_id());
                    }
                }
            }
        };
        let choices = self.listed_log_groups(requester, &alarm.region).await;
        let (title, verb) = titles(&alarm.name, errors_only);
        render::log_groups_form(&LogGroupsForm {
            title: title.clone(),
            reason: format!(
                "I found no log groups for {}: no {} tag, no mapping in the configuration, no metric filter for its metric, and no Lambda or API Gateway dimension. Choose the log groups to read.",
                alarm.name,
                groups::LOG_GROUPS_TAG
            ),
            choices,
            submit: NotificationButton {
                title: if errors_only { "Show error logs" } else { "Show logs" }.to_owned(),
                verb,
                record,
                index: None,
            },
        })
    }

    /// Up to 50 log group names the requester may list (DescribeLogGroups as a lookup).
    async fn listed_log_groups(&self, requester: &Requester, region: &str) -> Vec<String> {
        let invocation = query::logs_invocation(
            self,
            "DescribeLogGroups",
            Some(region.to_owned()),
            serde_json::Map::new(),
        );
        let Some(permit) = self.lookup_permit(requester, &invocation).await else {
            return Vec::new();
        };
        self.logs_api()
            .log_groups(&permit, None)
            .await
            .unwrap_or_else(|error| {
                tracing::info!(error = %error, "log groups unavailable; free text only");
                Vec::new()
            })
    }

    /// The log-group form submitted: the names checked, then the query run as the clicker
    /// and shown in place of the form.
    fn submit_log_groups(
        self: &Arc<Self>,
        turn: &TurnContext,
        requester: Requester,
        alarm: AlarmNotification,
        chosen: &str,
        errors_only: bool,
    ) -> ClickOutcome {
        let groups = match insights::parse_log_groups(chosen) {
            Ok(groups) => groups,
            Err(problem) => return ClickOutcome::Refuse(format!("{problem} Nothing was run.")),
        };
        let plan = alarm_plan(&alarm, groups, errors_only);
        let inner = self.clone();
        let turn_for_work = turn.clone();
        self.in_place(turn, move |responder, target| {
            Box::pin(async move {
                let turn = turn_for_work;
                let conversation = turn.conversation_id().unwrap_or_default().to_owned();
                let card = match inner.start_query_permit(&requester, &plan).await {
                    Ok(permit) => {
                        inner
                            .run_query(
                                &requester,
                                plan,
                                &permit,
                                &conversation,
                                turn.correlation_id(),
                            )
                            .await
                    }
                    Err(card) => card,
                };
                show(&responder, &turn, target.as_ref(), &card).await;
            })
        })
    }

    /// Refresh on a logs card: the query record `id` polled again as the clicker, in place.
    async fn refresh_logs(self: &Arc<Self>, turn: &TurnContext, id: &str) -> ClickOutcome {
        let record = match self.query_record(id).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                return ClickOutcome::Refuse(
                    "This query is no longer kept (Refresh works for a day). Click Show logs on the alarm again, or run the command on the card."
                        .to_owned(),
                )
            }
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "query record could not be read");
                return something_went_wrong(turn);
            }
        };
        if !same_conversation(turn.conversation_id(), &record.conversation_id) {
            tracing::warn!(
                record = short(id),
                "refresh from another conversation refused"
            );
            return other_conversation();
        }
        let requester = requester_of(turn).who;
        let inner = self.clone();
        let id = id.to_owned();
        let turn_for_work = turn.clone();
        self.in_place(turn, move |responder, target| {
            Box::pin(async move {
                let turn = turn_for_work;
                let card = inner
                    .show_query(&requester, &record, Some(&id), turn.correlation_id())
                    .await;
                show(&responder, &turn, target.as_ref(), &card).await;
            })
        })
    }

    /// Answers a click on a logs card or form with "Running…" in its place, and runs `work`
    /// after the click was answered, given where the clicked card is.
    fn in_place(
        self: &Arc<Self>,
        turn: &TurnContext,
        work: impl FnOnce(Responder, Option<MessageRef>) -> futures_util::future::BoxFuture<'static, ()>
            + Send
            + 'static,
    ) -> ClickOutcome {
        let activity = turn.activity();
        let target = activity
            .reply_to_id
            .as_deref()
            .and_then(|id| MessageRef::in_conversation_of(activity, id));
        let for_work = target.clone();
        ClickOutcome::Update {
            card: render::status(
                Status::Running,
                "Running the Logs Insights query as the person who clicked. This card shows the logs when it is done.",
                None,
            ),
            target,
            then: Some(Box::new(move |responder| work(responder, for_work))),
        }
    }
}

/// A Show logs click to answer after the click.
struct ShowLogs {
    requester: Requester,
    alarm: AlarmNotification,
    configured: Option<Vec<String>>,
    errors_only: bool,
    /// The alarm record the click named, when it came with one.
    record: Option<String>,
}

/// The query of an alarm over `groups`.
fn alarm_plan(alarm: &AlarmNotification, groups: Vec<String>, errors_only: bool) -> QueryPlan {
    let (start_millis, end_millis) = insights::alarm_window(alarm, now());
    QueryPlan {
        title: titles(&alarm.name, errors_only).0,
        log_groups: groups,
        start_millis,
        end_millis,
        errors_only,
        query_string: insights::query_string(errors_only),
        region: Some(alarm.region.clone()),
        account_id: (!alarm.account_id.is_empty()).then(|| alarm.account_id.clone()),
    }
}

/// The card title and the verb of Show logs or Show error logs for `alarm`.
fn titles(alarm: &str, errors_only: bool) -> (String, Verb) {
    if errors_only {
        (format!("Error logs of {alarm}"), Verb::ShowErrorLogs)
    } else {
        (format!("Logs of {alarm}"), Verb::ShowLogs)
    }
}

fn other_conversation() -> ClickOutcome {
    ClickOutcome::Refuse(
        "This card belongs to another conversation, so nothing was run. Use the buttons on the card where the alarm was posted."
            .to_owned(),
    )
}

fn something_went_wrong(turn: &TurnContext) -> ClickOutcome {
    ClickOutcome::Refuse(format!(
        "Something went wrong on my side (reference {}). Nothing was run.",
        turn.correlation_id()
    ))
}

/// Posts `card` as a new message in the turn's conversation; a failure is logged.
async fn post(responder: &Responder, turn: &TurnContext, card: &Card) {
    if let Err(error) = responder.reply_card(turn.activity(), card.clone()).await {
        tracing::error!(error = %error_chain(&error), card = card.name, "logs card could not be sent");
    }
}

/// Shows `card` in place of `target`, or as a new message when the clicked card is unknown.
async fn show(responder: &Responder, turn: &TurnContext, target: Option<&MessageRef>, card: &Card) {
    match target {
        Some(target) => super::update(responder, target, card.clone()).await,
        None => post(responder, turn, card).await,
    }
}
