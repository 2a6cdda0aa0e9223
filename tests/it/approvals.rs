//! Four-eyes approval (B3) through `/api/messages`: a command the channel's `approval` rule
//! names waits for a second person; approval by someone else runs it once as the requester,
//! self-approval, late, doubled or no-longer-allowed approvals run nothing, and every
//! decision is audited with both people.

use std::sync::Arc;

use aws_chatops::conversation::pending::RequestState;
use aws_chatops::policy::config::AccessConfig;
use aws_chatops::policy::{Authorizer as _, Requester};
use aws_chatops::store::MemoryStore;
use serde_json::Value;

use crate::access::{actions, fact, text};
use crate::support::app::{
    access_text, Aws, Options, Person, TestApp, ADA, CAROL, GRACE, OPS, TENANT_ID,
};
use crate::support::aws::moto_engine;

const GUARDRAILS: &str = "\"ReadOnly\"";

/// The approval rule of channel `ops`: `cloudwatch:PutMetricAlarm` needs `approvers`.
fn approval_toml(approvers: &str) -> String {
    format!(
        r#"
[access.channels.ops.approval]
actions = ["ec2:TerminateInstances", "cloudwatch:PutMetric*"]
approvers = [{approvers}]
"#
    )
}

/// The bot with channel `ops` requiring `approvers` for alarm changes, production chosen.
async fn start(approvers: &str) -> TestApp {
    start_with_views(approvers, false).await
}

/// [`start`], with user-specific views in channels when `views`.
async fn start_with_views(approvers: &str, views: bool) -> TestApp {
    let bot = TestApp::start_with(Options {
        user_specific_views: views,
        aws: Some(Aws::Access {
            engine: moto_engine(),
            ops_guardrails: GUARDRAILS.to_owned(),
            store: Arc::new(MemoryStore::default()),
        }),
        access_extra: approval_toml(approvers),
        ..Options::default()
    })
    .await;
    bot.wait_ready().await;
    let ada = Requester {
        tenant_id: Some(TENANT_ID.into()),
        team_id: Some("19:team-general@thread.tacv2".into()),
        channel_id: Some(OPS.into()),
        conversation_id: OPS.into(),
        conversation_type: Some("channel".into()),
        user_object_id: Some(ADA.aad_object_id.into()),
        user_name: Some(ADA.name.into()),
    };
    bot.authorizer()
        .set_default_account(&ada, "production")
        .await
        .unwrap();
    bot
}

fn put_alarm() -> (String, String) {
    let alarm = format!("approval-it-{}", uuid::Uuid::new_v4().simple());
    let command = format!(
        "cloudwatch put-metric-alarm --alarm-name {alarm} --metric-name CPUUtilization --namespace AWS/EC2 --statistic Average --period 60 --evaluation-periods 1 --threshold 90 --comparison-operator GreaterThanThreshold"
    );
    (alarm, command)
}

/// Ada asks for an alarm change; the approval card and the data of its buttons by verb.
async fn ask(bot: &TestApp) -> (Value, Value, Value) {
    let (_, command) = put_alarm();
    let card = bot.say_in(OPS, &command).await;
    let shown = text(&card);
    assert!(shown.contains("Approval needed"), "{shown}");
    let approve = actions(&card, "approve")[0].clone();
    let reject = actions(&card, "reject")[0].clone();
    (card, approve, reject)
}

/// The outcome kinds of the audit records so far.
fn outcomes(bot: &TestApp) -> Vec<String> {
    bot.records()
        .iter()
        .map(|r| r["outcome"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn refusal(answer: &Value) -> String {
    answer
        .as_str()
        .unwrap_or_else(|| panic!("a refusal message, not {answer}"))
        .to_owned()
}

fn assert_approver(record: &Value, approver: &Person) {
    assert_eq!(record["user_object_id"], ADA.aad_object_id, "{record}");
    assert_eq!(record["user_name"], ADA.name, "{record}");
    assert_eq!(
        record["approver"]["user_object_id"], approver.aad_object_id,
        "{record}"
    );
    assert_eq!(record["approver"]["user_name"], approver.name, "{record}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_person_approves_and_the_command_runs_once_as_the_requester() {
    let bot = start("\"any-other-member\"").await;
    let (card, approve, _) = ask(&bot).await;
    assert_eq!(fact(&card, "Requested by").as_deref(), Some(ADA.name));
    assert_eq!(
        fact(&card, "Role").as_deref(),
        Some("arn:aws:iam::123456789012:role/oncall-ada")
    );
    assert_eq!(
        fact(&card, "Needs approval because of").as_deref(),
        Some("cloudwatch:PutMetric*")
    );
    assert_eq!(outcomes(&bot), ["approval_requested"]);

    let running = bot.click_as(OPS, &GRACE, approve).await;
    assert!(
        text(&running).contains("Approved by Grace Hopper"),
        "{running}"
    );
    let result = bot.updated_card("Approved by").await;
    assert_eq!(fact(&result, "Approved by").as_deref(), Some(GRACE.name));
    bot.wait_records(3).await;
    assert_eq!(
        outcomes(&bot),
        ["approval_requested", "approved", "confirmed"]
    );
    let records = bot.records();
    assert!(records[0].get("approver").is_none(), "{}", records[0]);
    assert_approver(&records[1], &GRACE);
    assert_approver(&records[2], &GRACE);
    // It ran as Ada's role, not Grace's (she has none).
    assert_eq!(
        records[2]["role_arn"],
        "arn:aws:iam::123456789012:role/oncall-ada"
    );
    assert_eq!(records[2]["operation"], "PutMetricAlarm");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_requester_cannot_approve_or_reject_their_own_request() {
    let bot = start("\"any-other-member\"").await;
    let (_, approve, reject) = ask(&bot).await;
    let id = approve["request"].as_str().unwrap().to_owned();
    for data in [approve, reject] {
        let told = refusal(&bot.click_as(OPS, &ADA, data).await);
        assert!(
            told.contains("you cannot approve or reject it yourself"),
            "{told}"
        );
    }
    assert_eq!(bot.pending(&id).await.state, RequestState::Open);
    assert_eq!(outcomes(&bot), ["approval_requested"]);
    // Someone else can still reject it; then nothing runs.
    let reject = serde_json::json!({"verb": "reject", "request": id});
    let rejected = bot.click_as(OPS, &GRACE, reject).await;
    assert!(
        text(&rejected).contains("Rejected by Grace Hopper"),
        "{rejected}"
    );
    assert_eq!(bot.pending(&id).await.state, RequestState::Rejected);
    assert_eq!(outcomes(&bot), ["approval_requested", "rejected"]);
    assert_approver(&bot.records()[1], &GRACE);
    let late = serde_json::json!({"verb": "approve", "request": id});
    let told = refusal(&bot.click_as(OPS, &CAROL, late).await);
    assert!(told.contains("was rejected"), "{told}");
    // Ada's history shows it rejected.
    let history = text(&bot.say_in(OPS, "history").await);
    assert!(history.contains("cloudwatch put-metric-alarm"), "{history}");
    assert!(history.contains("rejected"), "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_approvals_at_once_run_the_command_exactly_once() {
    let bot = start("\"any-other-member\"").await;
    let (_, approve, _) = ask(&bot).await;
    let (first, second) = tokio::join!(
        bot.click_as(OPS, &GRACE, approve.clone()),
        bot.click_as(OPS, &CAROL, approve.clone()),
    );
    let cards = [&first, &second]
        .iter()
        .filter(|answer| text(answer).contains("Running"))
        .count();
    assert_eq!(cards, 1, "one click wins: {first} / {second}");
    let loser = if first.is_string() { &first } else { &second };
    let told = refusal(loser);
    assert!(
        told.contains("already") || told.contains("Someone already used this card"),
        "{told}"
    );
    bot.updated_card("Approved by").await;
    bot.wait_records(3).await;
    // The approval of whoever won, and one run.
    assert_eq!(
        outcomes(&bot),
        ["approval_requested", "approved", "confirmed"]
    );
    // A later approval finds it handled.
    let told = refusal(&bot.click_as(OPS, &GRACE, approve).await);
    assert!(told.contains("already handled"), "{told}");
    assert_eq!(bot.records().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_approval_runs_nothing() {
    let bot = start("\"any-other-member\"").await;
    let (_, approve, _) = ask(&bot).await;
    let id = approve["request"].as_str().unwrap().to_owned();
    bot.edit_pending(&id, |request| request.expires_at_ms = 1)
        .await;
    let expired = bot.click_as(OPS, &GRACE, approve.clone()).await;
    assert!(
        text(&expired).contains("This request has expired"),
        "{expired}"
    );
    assert_eq!(bot.pending(&id).await.state, RequestState::Expired);
    assert_eq!(outcomes(&bot), ["approval_requested", "expired"]);
    let told = refusal(&bot.click_as(OPS, &CAROL, approve).await);
    assert!(told.contains("expired"), "{told}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_removed_from_the_config_cannot_approve_any_more() {
    let grace = format!("\"{}\"", GRACE.aad_object_id);
    let bot = start(&grace).await;
    let (_, approve, _) = ask(&bot).await;
    let id = approve["request"].as_str().unwrap().to_owned();
    // Carol was never an approver.
    let told = refusal(&bot.click_as(OPS, &CAROL, approve.clone()).await);
    assert!(
        told.contains("Only the one approver named in the channel's configuration"),
        "{told}"
    );
    assert!(told.contains(CAROL.aad_object_id), "{told}");
    // The administrator replaces Grace with Carol; Grace's click is refused now.
    let carol = format!("\"{}\"", CAROL.aad_object_id);
    bot.authorizer().replace_config(
        AccessConfig::from_toml_str(&(access_text(GUARDRAILS) + &approval_toml(&carol))).unwrap(),
    );
    let told = refusal(&bot.click_as(OPS, &GRACE, approve.clone()).await);
    assert!(told.contains("you are not one of them now"), "{told}");
    assert_eq!(bot.pending(&id).await.state, RequestState::Open);
    assert_eq!(outcomes(&bot), ["approval_requested"]);
    // Carol may approve now, and the command runs.
    let running = bot.click_as(OPS, &CAROL, approve).await;
    assert!(
        text(&running).contains("Approved by Carol Shaw"),
        "{running}"
    );
    bot.wait_records(3).await;
    assert_eq!(
        outcomes(&bot),
        ["approval_requested", "approved", "confirmed"]
    );
    assert_approver(&bot.records()[2], &CAROL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_and_unlisted_changes_do_not_wait_for_approval() {
    let bot = start("\"any-other-member\"").await;
    let card = bot
        .say_in(
            OPS,
            "cloudwatch set-alarm-state --alarm-name x --state-value OK --state-reason test",
        )
        .await;
    assert!(text(&card).contains("Confirm this change"), "{card}");
    let card = bot
        .say_in(OPS, "cloudwatch list-metrics --namespace AWS/EC2")
        .await;
    assert!(!text(&card).contains("Approval needed"), "{card}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_channel_each_person_sees_their_own_view_of_a_card() {
    let grace = format!("\"{}\"", GRACE.aad_object_id);
    let bot = start_with_views(&grace, true).await;

    // A confirmation: one line for everyone, the full card for Ada only.
    let posted = bot
        .say_in(
            OPS,
            "cloudwatch set-alarm-state --alarm-name x --state-value OK --state-reason test",
        )
        .await;
    assert!(
        text(&posted).contains("Ada Lovelace is confirming a change: cloudwatch set-alarm-state."),
        "{posted}"
    );
    assert!(actions(&posted, "confirm").is_empty(), "{posted}");
    assert_eq!(posted["refresh"]["userIds"], serde_json::json!([ADA.mri]));
    let adas = bot.refresh_as(OPS, &ADA, &posted).await;
    assert!(text(&adas).contains("Confirm this change"), "{adas}");
    assert_eq!(actions(&adas, "confirm").len(), 1, "{adas}");
    let graces = bot.refresh_as(OPS, &GRACE, &posted).await;
    assert!(text(&graces).contains("is confirming a change"), "{graces}");
    assert!(actions(&graces, "confirm").is_empty(), "{graces}");

    // A denial: the reason is Ada's to read.
    let posted = bot.say_in(OPS, "lambda invoke --function-name f").await;
    assert!(
        text(&posted).contains("Ada Lovelace was refused lambda invoke."),
        "{posted}"
    );
    assert!(!text(&posted).contains("guardrail"), "{posted}");
    let adas = bot.refresh_as(OPS, &ADA, &posted).await;
    assert!(
        text(&adas).contains("Refused by the channel guardrail"),
        "{adas}"
    );
    let graces = bot.refresh_as(OPS, &GRACE, &posted).await;
    assert!(!text(&graces).contains("guardrail"), "{graces}");

    // A form sent back with what was wrong: Ada's view from then on is that form, error and
    // all, not the form as first posted.
    let posted = bot
        .say_in(OPS, "cloudwatch describe-alarms-for-metric")
        .await;
    let first = bot.refresh_as(OPS, &ADA, &posted).await;
    let submit = actions(&first, "submit");
    assert_eq!(submit.len(), 1, "{first}");
    let again = bot.click(OPS, submit[0].clone()).await;
    assert_ne!(again, first, "the form comes back with what was wrong");
    let refreshed = bot.refresh_as(OPS, &ADA, &posted).await;
    assert_eq!(refreshed, again, "a refresh shows the form as it came back");
    let graces = bot.refresh_as(OPS, &GRACE, &posted).await;
    assert!(actions(&graces, "submit").is_empty(), "{graces}");

    // An approval: everyone's card has every button (clients without refresh), refreshed
    // for everyone into Ada's Withdraw, Grace's Approve / Reject, or Carol's one line.
    let (_, command) = put_alarm();
    let posted = bot.say_in(OPS, &command).await;
    assert_eq!(actions(&posted, "approve").len(), 1, "{posted}");
    assert!(posted["refresh"].get("userIds").is_none(), "{posted}");
    let adas = bot.refresh_as(OPS, &ADA, &posted).await;
    assert!(actions(&adas, "approve").is_empty(), "{adas}");
    assert_eq!(actions(&adas, "cancel").len(), 1, "{adas}");
    let graces = bot.refresh_as(OPS, &GRACE, &posted).await;
    assert_eq!(actions(&graces, "approve").len(), 1, "{graces}");
    assert_eq!(actions(&graces, "reject").len(), 1, "{graces}");
    assert!(actions(&graces, "cancel").is_empty(), "{graces}");
    let carols = bot.refresh_as(OPS, &CAROL, &posted).await;
    assert!(
        text(&carols).contains("Ada Lovelace asks for approval of cloudwatch put-metric-alarm."),
        "{carols}"
    );
    assert!(actions(&carols, "approve").is_empty(), "{carols}");
    // The buttons still check who clicks: Grace approves from her view.
    let running = bot
        .click_as(OPS, &GRACE, actions(&graces, "approve")[0].clone())
        .await;
    assert!(
        text(&running).contains("Approved by Grace Hopper"),
        "{running}"
    );
    bot.updated_card("Approved by").await;
}
