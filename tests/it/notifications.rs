//! SNS notifications end to end: a test SNS publisher signs envelopes with the committed test
//! key and serves its certificate from loopback; the bot (with `[notifications]` mapping one
//! topic to two channels) verifies them on `POST /api/sns` and posts cards through the
//! recording Bot Connector stand-in: a new thread per alarm per channel (create
//! conversation), updated in place (PUT) with a short reply in its thread, a digest under a
//! flood. Refusals answer 403 and post nothing. The cards' layout is the cards work's: these
//! tests check where cards go and how often, and only loosely what they say.

use percent_encoding::percent_decode_str;
use serde_json::{json, Value};

use crate::support::app::{
    bot_id, wait_until, Options, TestApp, ONCALL, OPS, TENANT_ID, USER_AAD_ID,
};
use crate::support::aws::moto_engine;
use crate::support::sns::{alarm_message, resign, Publisher, ELSEWHERE_TOPIC, TOPIC};
use crate::support::standins::Recorded;

/// A tenant the bot was never installed in.
const OTHER_TENANT: &str = "11111111-2222-4333-8444-555555555555";
/// The team the bot is installed in (its General channel's id and its Entra group id).
const TEAM: &str = "19:team-general@thread.tacv2";
const TEAM_GROUP: &str = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// `[notifications]` on top of the test `[access]` config: TOPIC → ops and oncall, with two
/// buttons; ELSEWHERE_TOPIC → a channel of another tenant.
fn notifications_config(publisher: &Publisher) -> String {
    format!(
        r#"
[access.channels.elsewhere]
tenant_id = "{OTHER_TENANT}"
channel_id = "19:elsewhere@thread.tacv2"
accounts = ["production"]
require_user_roles = true

[notifications]
test_signing_cert_url_prefix = "{prefix}"

[notifications.topics.alarms]
arn = "{TOPIC}"
channels = ["ops", "oncall"]
[[notifications.topics.alarms.buttons]]
label = "Alarm details"
command = "cloudwatch describe-alarms --alarm-names $AlarmName --region $Region"
[[notifications.topics.alarms.buttons]]
label = "Function logs"
command = "logs describe-log-streams --log-group-name /aws/lambda/$Dimension.FunctionName"

[notifications.topics.elsewhere]
arn = "{ELSEWHERE_TOPIC}"
channels = ["elsewhere"]
"#,
        prefix = publisher.prefix()
    )
}

/// The bot with notifications on, installed in the team of OPS and ONCALL (its welcome card
/// sent), and the publisher.
async fn start() -> (TestApp, Publisher) {
    let publisher = Publisher::start();
    let app = TestApp::start_with(Options {
        aws: Some(crate::support::app::Aws::Access {
            engine: moto_engine(),
            ops_guardrails: "\"ReadOnly\"".into(),
            store: std::sync::Arc::new(aws_chatops::store::MemoryStore::default()),
        }),
        access_extra: notifications_config(&publisher),
        ..Options::default()
    })
    .await;
    app.wait_ready().await;
    install_in_team(&app).await;
    (app, publisher)
}

/// The bot added to the team: Teams sends conversationUpdate in its General channel, and the
/// bot can then post to the team's channels (ops, oncall).
pub async fn install_in_team(app: &TestApp) {
    let activity = json!({
        "type": "conversationUpdate",
        "id": "f:install-1",
        "serviceUrl": app.service_url(),
        "channelId": "msteams",
        "from": {"id": "29:1user-mri", "name": "Ada Lovelace", "aadObjectId": USER_AAD_ID},
        "recipient": {"id": bot_id(), "name": "AWS"},
        "conversation": {"id": TEAM, "conversationType": "channel", "tenantId": TENANT_ID, "isGroup": true},
        "membersAdded": [{"id": bot_id()}],
        "channelData": {
            "tenant": {"id": TENANT_ID},
            "team": {"id": TEAM, "aadGroupId": TEAM_GROUP},
            "eventType": "teamMemberAdded"
        }
    });
    app.send(&activity).await;
    app.wait_settled(1).await;
}

/// POSTs `body` to `/api/sns` (with `headers`); the status.
async fn publish_with(app: &TestApp, body: &Value, headers: &[(&str, &str)]) -> u16 {
    let mut request = app
        .http
        .post(app.url("/api/sns"))
        .header("content-type", "text/plain; charset=UTF-8")
        .header(
            "x-amz-sns-message-type",
            body["Type"].as_str().unwrap_or_default(),
        )
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("bot answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    if status == 403 {
        assert!(text.is_empty(), "a refusal has an empty body: {text}");
    }
    status
}

async fn publish(app: &TestApp, body: &Value) -> u16 {
    publish_with(app, body, &[]).await
}

/// The recorded path with its ids decoded.
fn path(recorded: &Recorded) -> String {
    percent_decode_str(&recorded.path)
        .decode_utf8_lossy()
        .into_owned()
}

/// Create-conversation requests (new threads) in `channel`.
fn threads_created(app: &TestApp, channel: &str) -> Vec<Recorded> {
    app.connector
        .state
        .accepted()
        .into_iter()
        .filter(|r| {
            r.method == "POST"
                && r.path.ends_with("/v3/conversations")
                && r.body["channelData"]["channel"]["id"] == channel
        })
        .collect()
}

/// Accepted requests addressed to the conversation `conversation` (`method` and whether the
/// path names an activity).
fn to_conversation(app: &TestApp, method: &str, conversation: &str) -> Vec<Recorded> {
    let prefix = format!("/amer/v3/conversations/{conversation}/activities");
    app.connector
        .state
        .accepted()
        .into_iter()
        .filter(|r| r.method == method && path(r).starts_with(&prefix))
        .collect()
}

/// The thread id the stand-in gave the `n`-th thread created in `channel`.
fn thread_id(app: &TestApp, channel: &str, n: usize) -> String {
    let created = &threads_created(app, channel)[n];
    let number = app
        .connector
        .state
        .received()
        .iter()
        .position(|r| r.at == created.at && r.path == created.path)
        .unwrap()
        + 1;
    format!("{channel};messageid=17763{number:08}")
}

fn counts(app: &TestApp) -> aws_chatops::conversation::notifications::NotificationCounts {
    app.server()
        .notification_hub()
        .expect("notifications on")
        .counts()
}

/// Waits until the hub has handled `posted` channel deliveries and the bot is idle.
async fn wait_posted(app: &TestApp, posted: u64) {
    let hub = app.server().notification_hub().unwrap().clone();
    wait_until(&format!("{posted} channel deliveries"), || {
        hub.counts().posted >= posted
    })
    .await;
    app.wait_turns_idle().await;
}

#[tokio::test]
async fn a_subscription_is_confirmed_only_on_the_topics_sns_host() {
    let (app, publisher) = start().await;
    let before = app.connector.state.count();

    let good = publisher.confirmation(TOPIC, &publisher.subscribe_url());
    assert_eq!(publish(&app, &good).await, 200);
    assert_eq!(publisher.confirmations(), 1, "the bot fetched SubscribeURL");

    for foreign in [
        "https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription",
        "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription",
        "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
        "https://sns.us-east-1.amazonaws.com:8443/?Action=ConfirmSubscription",
    ] {
        let envelope = publisher.confirmation(TOPIC, foreign);
        assert_eq!(publish(&app, &envelope).await, 403, "{foreign}");
    }
    // A confirmation for a topic the config does not list is refused before anything.
    let unknown = publisher.confirmation(
        "arn:aws:sns:us-east-1:123456789012:unknown",
        &publisher.subscribe_url(),
    );
    assert_eq!(publish(&app, &unknown).await, 403);
    assert_eq!(publisher.confirmations(), 1, "nothing else was fetched");
    assert_eq!(app.connector.state.count(), before, "nothing was posted");
}

#[tokio::test]
async fn an_alarm_that_goes_alarm_ok_alarm_has_one_card_per_channel_updated_in_place() {
    let (app, publisher) = start().await;
    let states = [("OK", "ALARM"), ("ALARM", "OK"), ("OK", "ALARM")];
    for (n, (old, new)) in states.iter().enumerate() {
        let message = alarm_message("api-5xx", old, new, 42 + n as u32, 7);
        let envelope = publisher.notification(
            TOPIC,
            &format!("msg-flip-{n}"),
            &format!("{new}: \"api-5xx\" in US East (N. Virginia)"),
            &message,
        );
        assert_eq!(publish(&app, &envelope).await, 200);
        wait_posted(&app, 2 * (n as u64 + 1)).await;
    }

    for channel in [OPS, ONCALL] {
        let created = threads_created(&app, channel);
        assert_eq!(created.len(), 1, "one card in {channel}");
        let create = &created[0].body;
        assert_eq!(create["isGroup"], true);
        assert_eq!(create["tenantId"], TENANT_ID);
        assert_eq!(create["activity"]["type"], "message");
        assert_eq!(
            create["activity"]["attachments"][0]["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        let thread = thread_id(&app, channel, 0);
        let root = thread.split_once(";messageid=").unwrap().1.to_owned();
        let updates = to_conversation(&app, "PUT", &thread);
        assert_eq!(updates.len(), 2, "the card was updated twice in {channel}");
        for update in &updates {
            assert!(
                path(update).ends_with(&format!("/activities/{root}")),
                "{}",
                path(update)
            );
            assert_eq!(update.body["id"], root);
        }
        let replies: Vec<String> = to_conversation(&app, "POST", &thread)
            .iter()
            .map(|r| r.body["text"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(
            replies.len(),
            2,
            "two thread replies in {channel}: {replies:?}"
        );
        assert!(replies[0].starts_with("ALARM → OK"), "{replies:?}");
        assert!(replies[1].starts_with("OK → ALARM"), "{replies:?}");
    }
    assert_eq!(counts(&app).undeliverable, 0);
}

#[tokio::test]
async fn refused_deliveries_answer_403_and_post_nothing() {
    let (app, publisher) = start().await;
    let message = alarm_message("refused-alarm", "OK", "ALARM", 40, 0);
    let good = |id: &str| publisher.notification(TOPIC, id, "ALARM", &message);

    let mut tampered = good("msg-tampered");
    tampered["Message"] = json!(message.replace("ALARM", "OK"));
    let mut wrong_signature = good("msg-wrong-signature");
    wrong_signature["Signature"] = good("msg-other")["Signature"].clone();
    let mut other_host = good("msg-other-host");
    other_host["SigningCertURL"] = json!("https://sns.eu-west-1.amazonaws.com/cert.pem");
    resign(&mut other_host);
    let mut plain_http = good("msg-http");
    plain_http["SigningCertURL"] = json!("http://sns.us-east-1.amazonaws.com/cert.pem");
    resign(&mut plain_http);
    let mut version_3 = good("msg-v3");
    version_3["SignatureVersion"] = json!("3");
    let unknown_topic = publisher.notification(
        "arn:aws:sns:us-east-1:123456789012:unknown",
        "msg-unknown-topic",
        "ALARM",
        &message,
    );
    let cases = [
        ("tampered message", tampered, None),
        ("wrong signature", wrong_signature, None),
        ("certificate on another host", other_host, None),
        ("http certificate URL", plain_http, None),
        ("SignatureVersion 3", version_3, None),
        ("unknown topic", unknown_topic, None),
        (
            "raw delivery",
            good("msg-raw"),
            Some(("x-amz-sns-rawdelivery", "true")),
        ),
        ("not an envelope", json!({"AlarmName": "raw"}), None),
    ];
    let before = app.connector.state.count();
    for (name, body, header) in cases {
        let headers: Vec<(&str, &str)> = header.into_iter().collect();
        assert_eq!(publish_with(&app, &body, &headers).await, 403, "{name}");
    }
    assert_eq!(app.connector.state.count(), before, "nothing was posted");
    assert_eq!(counts(&app).received, 0, "nothing reached the hub");

    // The same MessageId twice: both accepted, posted once.
    let replayed = good("msg-replayed");
    assert_eq!(publish(&app, &replayed).await, 200);
    assert_eq!(publish(&app, &replayed).await, 200);
    wait_posted(&app, 2).await;
    let counted = counts(&app);
    assert_eq!((counted.received, counted.duplicate), (1, 1), "{counted:?}");
    for channel in [OPS, ONCALL] {
        assert_eq!(threads_created(&app, channel).len(), 1, "{channel}");
    }
}

#[tokio::test]
async fn a_channel_the_bot_was_never_installed_in_counts_as_undeliverable() {
    let (app, publisher) = start().await;
    let before = app.connector.state.count();
    let envelope = publisher.notification(
        ELSEWHERE_TOPIC,
        "msg-elsewhere",
        "ALARM",
        &alarm_message("elsewhere-alarm", "OK", "ALARM", 41, 0),
    );
    assert_eq!(publish(&app, &envelope).await, 200);
    let hub = app.server().notification_hub().unwrap().clone();
    wait_until("the undeliverable count", || {
        hub.counts().undeliverable == 1
    })
    .await;
    app.wait_turns_idle().await;
    assert_eq!(app.connector.state.count(), before, "nothing was posted");
    assert_eq!(
        hub.check_references().await,
        vec!["elsewhere".to_owned()],
        "the channel is named at start-up"
    );
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"aws_chatops_notifications_total{event="undeliverable"}"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_flapping_alarm_gets_one_card_per_channel_and_a_digest_through_429s() {
    // Twenty state changes must fall in one minute window: start early enough in a minute.
    crate::support::app::poll_for("a minute with 10 s left", || async {
        let second = aws_chatops::common::now_millis() / 1000 % 60;
        (second < 50).then_some(())
    })
    .await;
    let (app, publisher) = start().await;
    app.connector.state.throttle(4, 1);
    let mut old = "OK";
    for n in 0..20u32 {
        let new = if old == "OK" { "ALARM" } else { "OK" };
        let envelope = publisher.notification(
            TOPIC,
            &format!("msg-flap-{n}"),
            new,
            &alarm_message("flapping", old, new, 43, n),
        );
        assert_eq!(publish(&app, &envelope).await, 200, "{n}");
        old = new;
    }
    let hub = app.server().notification_hub().unwrap().clone();
    crate::support::app::poll_for("40 channel deliveries", || async {
        let counted = hub.counts();
        (counted.posted + counted.undeliverable >= 40).then_some(())
    })
    .await;
    app.wait_turns_idle().await;
    assert_eq!(
        counts(&app).undeliverable,
        0,
        "every notification was handled"
    );
    for channel in [OPS, ONCALL] {
        let created = threads_created(&app, channel);
        assert_eq!(
            created.len(),
            2,
            "the alarm's card and one digest in {channel}"
        );
        let replies: usize = (0..2)
            .map(|n| {
                to_conversation(&app, "POST", &thread_id(&app, channel, n))
                    .iter()
                    .filter(|r| r.body["text"].is_string())
                    .count()
            })
            .sum();
        assert!(
            replies <= 9,
            "thread replies stop under a flood in {channel}: {replies}"
        );
    }
    let delivery = app.delivery_counters();
    assert!(delivery.retried >= 4, "the 429s were retried: {delivery:?}");
    assert_eq!(
        (delivery.refused, delivery.given_up),
        (0, 0),
        "{delivery:?}"
    );
}

/// The alarm record behind the card posted in `channel` (the card's buttons carry its id; it
/// is read from the store so the test does not depend on the card's layout).
async fn record_in(app: &TestApp, channel: &str) -> (String, Value) {
    let store = app.store();
    for id in store.keys("alarm-records").await.unwrap() {
        let bytes = store.get("alarm-records", &id).await.unwrap().unwrap();
        let record: Value = serde_json::from_slice(&bytes).unwrap();
        if record["conversation_id"]
            .as_str()
            .unwrap_or_default()
            .starts_with(channel)
        {
            return (id, record);
        }
    }
    panic!("no alarm record in {channel}");
}

#[tokio::test]
async fn acknowledge_updates_the_card_for_everyone_once() {
    let (app, publisher) = start().await;
    let envelope = publisher.notification(
        TOPIC,
        "msg-ack",
        "ALARM",
        &alarm_message("ack-alarm", "OK", "ALARM", 44, 0),
    );
    assert_eq!(publish(&app, &envelope).await, 200);
    wait_posted(&app, 2).await;
    let (id, _) = record_in(&app, OPS).await;
    let thread = thread_id(&app, OPS, 0);
    let puts_before = to_conversation(&app, "PUT", &thread).len();

    let answer = app
        .click(OPS, json!({"verb": "acknowledge", "request": id}))
        .await;
    assert!(
        answer.is_object(),
        "the clicker gets the updated card: {answer}"
    );
    wait_until("the card updated for everyone", || {
        to_conversation(&app, "PUT", &thread).len() > puts_before
    })
    .await;
    let (_, record) = record_in(&app, OPS).await;
    assert_eq!(record["acknowledged"][0], "Ada Lovelace", "{record}");

    let again = app
        .click(OPS, json!({"verb": "acknowledge", "request": id}))
        .await;
    let text = again.as_str().unwrap_or_default();
    assert!(
        text.contains("Ada Lovelace already acknowledged"),
        "{again}"
    );

    // The other channel's card is another record, and clicks from elsewhere are refused.
    let elsewhere = app
        .click(ONCALL, json!({"verb": "acknowledge", "request": id}))
        .await;
    assert!(
        elsewhere
            .as_str()
            .unwrap_or_default()
            .contains("another conversation"),
        "{elsewhere}"
    );
    let unknown = app
        .click(
            OPS,
            json!({"verb": "acknowledge", "request": "0123456789abcdef0123456789abcdef"}),
        )
        .await;
    assert!(
        unknown.as_str().unwrap_or_default().contains("do not know"),
        "{unknown}"
    );
}

#[tokio::test]
async fn a_custom_button_runs_its_command_as_the_clicker() {
    let (app, publisher) = start().await;
    let envelope = publisher.notification(
        TOPIC,
        "msg-button",
        "ALARM",
        &alarm_message("button-alarm", "OK", "ALARM", 45, 0),
    );
    assert_eq!(publish(&app, &envelope).await, 200);
    wait_posted(&app, 2).await;
    let (id, _) = record_in(&app, ONCALL).await;
    let before = app.connector.state.received().len();

    let answer = app
        .click(
            ONCALL,
            json!({"verb": "run-button", "request": id, "button": 0}),
        )
        .await;
    let told = answer.as_str().unwrap_or_default();
    assert!(
        told.contains("cloudwatch describe-alarms --alarm-names button-alarm --region us-east-1"),
        "{answer}"
    );
    let state = &app.connector.state;
    wait_until("the command's answer in the thread", || {
        state.received()[before..]
            .iter()
            .any(|r| r.method == "POST" && r.body["attachments"].is_array())
    })
    .await;
    app.wait_turns_idle().await;
    let answer = state.received()[before..]
        .iter()
        .find(|r| r.method == "POST" && r.body["attachments"].is_array())
        .cloned()
        .unwrap();
    assert!(path(&answer).contains(ONCALL), "{}", path(&answer));
    assert!(
        answer.body.to_string().contains("describe-alarms"),
        "the result of the expanded command: {}",
        answer.body
    );

    // A placeholder the alarm has no value for is refused by name; nothing runs.
    let refused = app
        .click(
            ONCALL,
            json!({"verb": "run-button", "request": id, "button": 1}),
        )
        .await;
    assert!(
        refused
            .as_str()
            .unwrap_or_default()
            .contains("$Dimension.FunctionName"),
        "{refused}"
    );
    app.wait_turns_idle().await;
}
