//! Aliases (B1) and history (B6) through /api/messages, authorized per channel against moto:
//! alias create, list, run (values, a missing `$param` asked for in a form) and delete; a
//! config file alias; an alias that expands to a never-allowed command; an alias to a change
//! confirmed; the audit record of an expansion; the history of one person with outcomes and
//! without sensitive values; Run again re-authorized, refused to anyone else.

use std::sync::Arc;

use aws_chatops::conversation::history::{HistoryEntry, NAMESPACE as HISTORY};
use aws_chatops::policy::config::AccessConfig;
use aws_chatops::policy::{Authorizer as _, Requester};
use aws_chatops::store::{put_json, MemoryStore};
use serde_json::{json, Value};

use crate::access::{actions, fact, text};
use crate::support::app::{
    access_text, card_of, request_id, wait_until, Aws, Options, TestApp, OPS, TENANT_ID,
    USER_AAD_ID,
};
use crate::support::aws::{moto_engine, put_alarm};

const GRACE: &str = "b2c3d4e5-0000-4000-8000-00000000bbbb";

/// The bot with OPS's aliases from the config file, production as Ada's and Grace's account.
async fn start() -> TestApp {
    let bot = TestApp::start_with(Options {
        aws: Some(Aws::Access {
            engine: moto_engine(),
            ops_guardrails: "\"ReadOnly\", \"LambdaInvoke\"".into(),
            store: Arc::new(MemoryStore::default()),
        }),
        access_extra: r#"
[access.channels.ops.aliases]
firing = "cloudwatch describe-alarms --state-value ALARM --output json"
"#
        .into(),
        ..Options::default()
    })
    .await;
    bot.wait_ready().await;
    for user in [USER_AAD_ID, GRACE] {
        bot.authorizer()
            .set_default_account(&requester(user), "production")
            .await
            .unwrap();
    }
    bot
}

fn requester(user: &str) -> Requester {
    Requester {
        tenant_id: Some(TENANT_ID.into()),
        team_id: Some("19:team-general@thread.tacv2".into()),
        channel_id: Some(OPS.into()),
        conversation_id: OPS.into(),
        conversation_type: Some("channel".into()),
        user_object_id: Some(user.into()),
        user_name: None,
    }
}

/// `user` clicks an Action.Execute button in OPS; the invoke response's value.
async fn click_as(bot: &TestApp, user: &str, data: Value) -> Value {
    let mut activity = bot.message_from(OPS, user, "");
    activity["type"] = json!("invoke");
    activity["name"] = json!("adaptiveCard/action");
    activity.as_object_mut().unwrap().remove("text");
    activity["value"] = json!({
        "action": {"type": "Action.Execute", "verb": data["verb"], "data": data},
        "trigger": "manual"
    });
    let response = bot.post(&activity, Some(&bot.bearer())).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["value"].clone()
}

/// The next new message (POST) the bot sends after `before` requests to the Connector.
async fn next_post(bot: &TestApp, before: usize) -> Value {
    let state = &bot.connector.state;
    let post = || {
        state.received()[before..]
            .iter()
            .find(|r| r.method == "POST")
            .map(card_of)
    };
    wait_until("a new message from the bot", || post().is_some()).await;
    bot.wait_turns_idle().await;
    post().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_are_created_listed_run_with_values_and_deleted() {
    let bot = start().await;
    let alarm = put_alarm("alias-it", 90.0).await;

    let created = bot
        .say_in(
            OPS,
            "alias create alarm-by-name cloudwatch describe-alarms --alarm-names $name --output json",
        )
        .await;
    let shown = text(&created);
    assert!(shown.contains("Alias alarm-by-name created."), "{shown}");
    assert!(shown.contains("parameters: $name"), "{shown}");
    // The config file's alias is listed too, marked as such.
    assert!(shown.contains("from the config file"), "{shown}");

    // A positional value, and the same as name=value: the result shows the expanded command.
    for args in [alarm.clone(), format!("name={alarm}")] {
        let result = bot.say_in(OPS, &format!("run alarm-by-name {args}")).await;
        let shown = text(&result);
        assert!(shown.contains(&alarm), "{shown}");
        assert!(
            shown.contains(&format!(
                "aws cloudwatch describe-alarms --alarm-names {alarm} --output json"
            )),
            "{shown}"
        );
        assert_eq!(fact(&result, "Alias").as_deref(), Some("alarm-by-name"));
    }
    // The audit record names the alias it was expanded from.
    let record = bot.records().last().cloned().unwrap();
    assert_eq!(record["alias"], "alarm-by-name", "{record}");
    assert_eq!(record["operation"], "DescribeAlarms");
    assert_eq!(record["outcome"]["kind"], "allowed");

    // Someone else in the channel sees it, and may delete it; a config alias stays.
    let listed = bot.say_as(OPS, GRACE, "alias list").await;
    assert!(text(&listed).contains("alarm-by-name"), "{listed}");
    let refused = bot.say_as(OPS, GRACE, "alias delete firing").await;
    assert!(
        text(&refused).contains("defined in the config file, so it cannot be deleted"),
        "{refused}"
    );
    let deleted = bot.say_as(OPS, GRACE, "alias delete alarm-by-name").await;
    let shown = text(&deleted);
    assert!(shown.contains("Alias alarm-by-name deleted."), "{shown}");
    assert!(!shown.contains("--alarm-names $name"), "{shown}");
    let gone = bot.say_in(OPS, "run alarm-by-name x").await;
    assert!(text(&gone).contains("There is no alias"), "{gone}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_parameter_is_asked_for_in_a_form_then_the_command_runs() {
    let bot = start().await;
    let alarm = put_alarm("alias-form-it", 90.0).await;
    bot.say_in(
        OPS,
        "alias create alarm-by-name cloudwatch describe-alarms --alarm-names $name --output json",
    )
    .await;
    let form = bot.say_in(OPS, "run alarm-by-name").await;
    let shown = text(&form);
    assert!(shown.contains("$name"), "{shown}");
    let submit = actions(&form, "submit");
    assert_eq!(submit.len(), 1, "{form}");

    // An empty value is asked for again; Grace cannot fill Ada's form.
    let mut empty = submit[0].clone();
    empty["alias-param-name"] = json!("  ");
    let again = bot.click(OPS, empty).await;
    assert!(text(&again).contains("Give a value for $name"), "{again}");
    let mut filled = submit[0].clone();
    filled["alias-param-name"] = json!(alarm);
    let grace = click_as(&bot, GRACE, filled.clone()).await;
    assert!(grace.as_str().unwrap().contains("Only"), "{grace}");

    let before = bot.connector.state.received().len();
    let running = bot.click(OPS, filled.clone()).await;
    assert!(
        text(&running).contains("Values given for alarm-by-name"),
        "{running}"
    );
    let result = next_post(&bot, before).await;
    assert!(text(&result).contains(&alarm), "{result}");
    assert_eq!(fact(&result, "Alias").as_deref(), Some("alarm-by-name"));
    // The form is used once.
    let twice = bot.click(OPS, filled).await;
    assert!(
        twice.as_str().unwrap().contains("already handled"),
        "{twice}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_aliases_run_and_changes_are_confirmed() {
    let bot = start().await;
    let result = bot.say_in(OPS, "run firing").await;
    assert_eq!(fact(&result, "Alias").as_deref(), Some("firing"));
    assert!(
        text(&result).contains("aws cloudwatch describe-alarms --state-value ALARM --output json"),
        "{result}"
    );

    let alarm = put_alarm("alias-change-it", 90.0).await;
    bot.say_in(
        OPS,
        "alias create silence cloudwatch set-alarm-state --alarm-name $alarm --state-value OK --state-reason $why",
    )
    .await;
    let confirm = bot
        .say_in(OPS, &format!("run silence {alarm} 'checked by hand'"))
        .await;
    let shown = text(&confirm);
    assert!(shown.contains("Confirm this change"), "{shown}");
    assert_eq!(fact(&confirm, "Alias").as_deref(), Some("silence"));
    let id = request_id(&confirm);
    bot.click(OPS, json!({"verb": "confirm", "request": id}))
        .await;
    let done = bot.updated_card("set-alarm-state").await;
    assert!(!text(&done).contains("Running"), "{done}");
    let record = bot.records().last().cloned().unwrap();
    assert_eq!(record["alias"], "silence", "{record}");
    assert_eq!(record["outcome"]["kind"], "confirmed", "{record}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_allowed_templates_are_refused_at_creation_and_when_run() {
    let bot = start().await;
    let refused = bot.say_in(OPS, "alias create users iam list-users").await;
    assert!(
        text(&refused).contains("is never available from chat"),
        "{refused}"
    );
    let listed = bot.say_in(OPS, "alias list").await;
    assert!(!text(&listed).contains("users"), "{listed}");

    // An alias stored before its command joined the never-allowed list is refused when run,
    // and the refusal is audited with the alias.
    put_json(
        bot.store().as_ref(),
        "aliases",
        "channel:ops",
        &json!({"aliases": [{"name": "users", "template": "iam list-users", "created_by": null, "created_at_ms": 0}]}),
        None,
    )
    .await
    .unwrap();
    let run = bot.say_in(OPS, "run users").await;
    let shown = text(&run);
    assert!(
        shown.contains("Refused by the never-allowed list"),
        "{shown}"
    );
    let record = bot.records().last().cloned().unwrap();
    assert_eq!(record["alias"], "users", "{record}");
    assert_eq!(record["outcome"]["layer"], "never_allowed", "{record}");

    // Bad names and unreadable commands say what to write instead.
    let bad = bot
        .say_in(OPS, "alias create 'a b' cloudwatch describe-alarms")
        .await;
    assert!(text(&bad).contains("Alias not changed or run"), "{bad}");
    let unknown = bot
        .say_in(OPS, "alias create x cloudwatch describe-alarms --nope 1")
        .await;
    assert!(
        text(&unknown).contains("Unknown option --nope"),
        "{unknown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_ones_own_commands_without_sensitive_values_and_runs_them_again() {
    let bot = start().await;
    let alarm = put_alarm("history-it", 90.0).await;
    bot.say_in(
        OPS,
        &format!("cloudwatch describe-alarms --alarm-names {alarm}"),
    )
    .await;
    // A change with a sensitive value (the payload, a blob), confirmed; it fails in moto.
    let confirm = bot
        .say_in(
            OPS,
            "lambda invoke --function-name no-such-fn --payload '{\"pin\":\"4711\"}' out.json",
        )
        .await;
    let id = request_id(&confirm);
    bot.click(OPS, json!({"verb": "confirm", "request": id}))
        .await;
    bot.updated_card("no-such-fn").await;
    // Grace's command is hers alone.
    bot.say_as(OPS, GRACE, "cloudwatch describe-alarms --state-value OK")
        .await;

    let history = bot.say_in(OPS, "history").await;
    let shown = text(&history);
    assert!(shown.contains("Your last 2 commands here"), "{shown}");
    assert!(shown.contains(&alarm), "{shown}");
    assert!(shown.contains("succeeded"), "{shown}");
    assert!(shown.contains("failed"), "{shown}");
    assert!(shown.contains("Not kept: --payload"), "{shown}");
    assert!(!shown.contains("4711"), "{shown}");
    assert!(!shown.contains("state-value OK"), "{shown}");
    // Nor is the value in the store.
    let key = format!("{OPS}|oid:{USER_AAD_ID}");
    let stored = bot.store().get(HISTORY, &key).await.unwrap().unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("4711"));
    let entries: Vec<HistoryEntry> = serde_json::from_value(
        serde_json::from_slice::<Value>(&stored).unwrap()["entries"].clone(),
    )
    .unwrap();
    assert_eq!(entries.len(), 2);

    // Run again (newest first: the invoke): the form pre-filled, asking again for the payload.
    let run_again = actions(&history, "run-again");
    assert_eq!(run_again.len(), 2, "{history}");
    let grace = click_as(&bot, GRACE, run_again[0].clone()).await;
    assert!(
        grace.as_str().unwrap().contains("not in your history"),
        "{grace}"
    );
    let before = bot.connector.state.received().len();
    bot.click(OPS, run_again[0].clone()).await;
    let form = next_post(&bot, before).await;
    let shown = text(&form);
    assert!(shown.contains("--payload"), "{shown}");
    assert!(shown.contains("no-such-fn"), "{shown}");
    assert!(!shown.contains("4711"), "{shown}");
    assert_eq!(actions(&form, "submit").len(), 1, "{form}");

    // Run again is authorized again: without LambdaInvoke the invoke is refused.
    bot.authorizer()
        .replace_config(AccessConfig::from_toml_str(&access_text("\"ReadOnly\"")).unwrap());
    let before = bot.connector.state.received().len();
    bot.click(OPS, run_again[0].clone()).await;
    let refused = next_post(&bot, before).await;
    assert!(
        text(&refused).contains("Refused by the channel guardrail"),
        "{refused}"
    );
}

/// Ada's history in OPS as stored, newest first.
async fn stored_history(bot: &TestApp) -> Vec<HistoryEntry> {
    let key = format!("{OPS}|oid:{USER_AAD_ID}");
    let Some(stored) = bot.store().get(HISTORY, &key).await.unwrap() else {
        return Vec::new();
    };
    serde_json::from_value(serde_json::from_slice::<Value>(&stored).unwrap()["entries"].clone())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_and_expired_requests_are_in_the_history_but_placeholders_are_not() {
    let bot = start().await;
    let alarm = put_alarm("history-unrun-it", 90.0).await;
    bot.say_in(
        OPS,
        "alias create silence cloudwatch set-alarm-state --alarm-name $alarm --state-value OK --state-reason $why",
    )
    .await;

    // An aliased change, cancelled.
    let confirm = bot
        .say_in(OPS, &format!("run silence {alarm} 'checked by hand'"))
        .await;
    let cancelled = bot.click(OPS, actions(&confirm, "cancel")[0].clone()).await;
    assert!(text(&cancelled).contains("Cancelled by"), "{cancelled}");

    // A typed change whose time ran out before the click.
    let confirm = bot
        .say_in(
            OPS,
            &format!("cloudwatch set-alarm-state --alarm-name {alarm} --state-value ALARM --state-reason late"),
        )
        .await;
    let button = actions(&confirm, "confirm")[0].clone();
    let id = button["request"].as_str().unwrap().to_owned();
    bot.edit_pending(&id, |request| request.expires_at_ms = 1)
        .await;
    let expired = bot.click(OPS, button).await;
    assert!(text(&expired).contains("expired"), "{expired}");

    // Requests that hold no command yet: an alias's parameter form, cancelled, and the
    // account question of `set default-account`, expired.
    let form = bot.say_in(OPS, "run silence").await;
    let closed = bot.click(OPS, actions(&form, "cancel")[0].clone()).await;
    assert!(text(&closed).contains("Cancelled by"), "{closed}");
    let choices = bot.say_in(OPS, "set default-account").await;
    let choose = actions(&choices, "choose-account")[0].clone();
    let id = choose["request"].as_str().unwrap().to_owned();
    bot.edit_pending(&id, |request| request.expires_at_ms = 1)
        .await;
    let expired = bot.click(OPS, choose).await;
    assert!(text(&expired).contains("expired"), "{expired}");

    let entries = stored_history(&bot).await;
    let summary: Vec<(&str, Option<&str>)> = entries
        .iter()
        .map(|entry| (entry.outcome.as_str(), entry.alias.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [("expired", None), ("cancelled", Some("silence"))],
        "{entries:#?}"
    );
    for entry in &entries {
        assert!(
            entry.command_line.contains("set-alarm-state") && entry.command_line.contains(&alarm),
            "{entry:?}"
        );
    }
    let history = bot.say_in(OPS, "history").await;
    let shown = text(&history);
    assert!(shown.contains("Your last 2 commands here"), "{shown}");
    assert!(shown.contains("expired"), "{shown}");
    assert!(shown.contains("cancelled"), "{shown}");
    assert_eq!(actions(&history, "run-again").len(), 2, "{history}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_alias_writes_one_audit_record_that_names_it() {
    let bot = start().await;
    bot.say_in(
        OPS,
        "alias create drop lambda delete-function --function-name $fn",
    )
    .await;
    bot.say_in(
        OPS,
        "alias create call lambda invoke --function-name $fn out.json",
    )
    .await;

    // Refused when it arrives: the guardrail allows no DeleteFunction.
    let before = bot.records().len();
    let refused = bot.say_in(OPS, "run drop orders-worker").await;
    assert!(
        text(&refused).contains("Refused by the channel guardrail"),
        "{refused}"
    );
    let records = bot.records();
    assert_eq!(records.len(), before + 1, "{records:#?}");
    let record = &records[before];
    assert_eq!(record["alias"], "drop", "{record}");
    assert_eq!(record["operation"], "DeleteFunction", "{record}");
    assert_eq!(record["outcome"]["kind"], "denied", "{record}");
    assert_eq!(record["outcome"]["layer"], "guardrail", "{record}");
    // The history names the alias as well.
    let newest = stored_history(&bot).await.remove(0);
    assert_eq!(newest.alias.as_deref(), Some("drop"), "{newest:?}");
    assert_eq!(newest.outcome, "refused (guardrail)", "{newest:?}");

    // Refused when authorized again at the confirmation, after the guardrail changed.
    let confirm = bot.say_in(OPS, "run call orders-worker").await;
    assert!(text(&confirm).contains("Confirm this change"), "{confirm}");
    bot.authorizer()
        .replace_config(AccessConfig::from_toml_str(&access_text("\"ReadOnly\"")).unwrap());
    let before = bot.records().len();
    bot.click(OPS, actions(&confirm, "confirm")[0].clone())
        .await;
    bot.updated_card("Refused by the channel guardrail").await;
    let records = bot.records();
    assert_eq!(records.len(), before + 1, "{records:#?}");
    let record = &records[before];
    assert_eq!(record["alias"], "call", "{record}");
    assert_eq!(record["operation"], "Invoke", "{record}");
    assert_eq!(record["outcome"]["layer"], "guardrail", "{record}");
}
