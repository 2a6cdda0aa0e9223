//! Turn dispatch through the real server: help, card actions (synchronous invoke responses),
//! bot installation (reference stored, one welcome card), ignored activities, graceful shutdown.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{json, Value};

use aws_chatops::bot::{BUSY_NOTICE, MAX_TURNS_PER_CONVERSATION, NO_COMMAND_ENGINE};

use crate::support::app::{bot_id, TestApp, TENANT_ID};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_by_mention_gets_the_help_card() {
    let h = TestApp::start().await;
    let response = h.post(&h.message("help"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(1).await;
    let card = &h.connector.state.received()[0].body["attachments"][0]["content"];
    assert_eq!(card["body"][0]["text"], "AWS ChatOps help");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_command_without_a_command_engine_is_answered_honestly() {
    let h = TestApp::start().await;
    let response = h
        .post(
            &h.message("sns publish --message \"oops"),
            Some(&h.bearer()),
        )
        .await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(1).await;
    let reply = &h.connector.state.received()[0].body;
    assert_eq!(reply["text"], NO_COMMAND_ENGINE, "{reply}");
}

fn invoke(h: &TestApp, value: Option<Value>) -> Value {
    let mut activity = h.message("");
    activity["type"] = json!("invoke");
    activity["name"] = json!("adaptiveCard/action");
    activity.as_object_mut().unwrap().remove("text");
    match value {
        Some(value) => activity["value"] = value,
        None => {
            activity.as_object_mut().unwrap().remove("value");
        }
    }
    activity
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_actions_are_answered_synchronously_with_http_200() {
    let h = TestApp::start().await;
    let cases = [
        (
            Some(
                json!({"action": {"type": "Action.Execute", "verb": "help", "data": {"verb": "help"}}, "trigger": "manual"}),
            ),
            200,
            "application/vnd.microsoft.card.adaptive",
        ),
        (
            Some(
                json!({"action": {"type": "Action.Execute", "verb": "launch-rockets"}, "trigger": "manual"}),
            ),
            400,
            "application/vnd.microsoft.error",
        ),
        (
            Some(json!({"action": {"type": "Action.Submit", "data": {}}})),
            400,
            "application/vnd.microsoft.error",
        ),
        (None, 400, "application/vnd.microsoft.error"),
    ];
    for (value, status_code, kind) in cases {
        let response = h.post(&invoke(&h, value.clone()), Some(&h.bearer())).await;
        assert_eq!(response.status(), 200, "{value:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["statusCode"], status_code, "{value:?}: {body}");
        assert_eq!(body["type"], kind, "{value:?}");
        if status_code == 200 {
            assert_eq!(body["value"]["type"], "AdaptiveCard");
        } else {
            assert!(body["value"]["code"].is_string(), "{body}");
        }
    }
    // Other invokes are not implemented (as botbuilder answers them).
    let mut other = invoke(&h, Some(json!({})));
    other["name"] = json!("task/fetch");
    let response = h.post(&other, Some(&h.bearer())).await;
    assert_eq!(response.status(), 501);
    h.assert_sent(0, "invokes answer in the HTTP response only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invokes_need_a_valid_token_too() {
    let h = TestApp::start().await;
    let response = h
        .post(
            &invoke(
                &h,
                Some(json!({"action": {"type": "Action.Execute", "verb": "help"}})),
            ),
            None,
        )
        .await;
    assert_eq!(response.status(), 401);
}

fn bot_added(h: &TestApp, conversation_id: &str) -> Value {
    json!({
        "type": "conversationUpdate",
        "id": "f:install-1",
        "serviceUrl": h.service_url(),
        "channelId": "msteams",
        "from": {"id": "29:installer", "aadObjectId": "b0000000-0000-4000-8000-000000000001"},
        "recipient": {"id": bot_id(), "name": "AWS"},
        "conversation": {"id": conversation_id, "conversationType": "channel", "tenantId": TENANT_ID, "isGroup": true},
        "membersAdded": [{"id": bot_id()}],
        "channelData": {
            "eventType": "teamMemberAdded",
            "tenant": {"id": TENANT_ID},
            "team": {"id": "19:team-general@thread.tacv2", "name": "Platform"},
            "channel": {"id": "19:team-general@thread.tacv2"}
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_the_bot_stores_the_reference_and_sends_one_welcome() {
    let h = TestApp::start().await;
    let conversation = "19:team-general@thread.tacv2";
    let response = h
        .post(&bot_added(&h, conversation), Some(&h.bearer()))
        .await;
    assert_eq!(response.status(), 200);

    // Teams also sends installationUpdate for the same install: no second welcome.
    let mut installation = bot_added(&h, conversation);
    installation["type"] = json!("installationUpdate");
    installation["action"] = json!("add");
    installation.as_object_mut().unwrap().remove("membersAdded");
    let response = h.post(&installation, Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);

    h.wait_for_connector(1).await;
    h.wait_turns_idle().await;
    let received = h.connector.state.received();
    assert_eq!(received.len(), 1, "one welcome card");
    assert_eq!(
        received[0].path, "/amer/v3/conversations/19%3Ateam-general%40thread%2Etacv2/activities",
        "the welcome is a new message, not a reply"
    );
    let welcome = &received[0].body;
    assert!(welcome.get("replyToId").is_none());
    assert_eq!(
        welcome["attachments"][0]["content"]["body"][0]["text"],
        "Hello, I am the AWS ChatOps bot"
    );

    let reference = h
        .server()
        .bot()
        .store()
        .get(conversation)
        .await
        .unwrap()
        .expect("reference stored");
    assert_eq!(reference.service_url, h.service_url());
    assert_eq!(reference.tenant_id.as_deref(), Some(TENANT_ID));
    assert_eq!(
        reference.team_id.as_deref(),
        Some("19:team-general@thread.tacv2")
    );
    assert_eq!(
        reference.teams_channel_id.as_deref(),
        Some("19:team-general@thread.tacv2")
    );
    assert_eq!(reference.bot.id, bot_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_activities_are_acknowledged_and_ignored() {
    let h = TestApp::start().await;
    let mut someone_else_added = bot_added(&h, "19:x@thread.tacv2");
    someone_else_added["membersAdded"] = json!([{"id": "29:new-colleague"}]);
    let mut reaction = h.message("");
    reaction["type"] = json!("messageReaction");
    let mut typing = h.message("");
    typing["type"] = json!("typing");
    let mut uninstall = bot_added(&h, "19:y@thread.tacv2");
    uninstall["type"] = json!("installationUpdate");
    uninstall["action"] = json!("remove");
    for activity in [someone_else_added, reaction, typing, uninstall] {
        let response = h.post(&activity, Some(&h.bearer())).await;
        assert_eq!(response.status(), 200, "{}", activity["type"]);
    }
    // Barrier: a real message is answered, and it is the only thing sent.
    h.send(&h.message_in("c-barrier", "help")).await;
    h.wait_settled(1).await;
    h.assert_sent(1, "only the barrier message is answered");
    assert!(h
        .server()
        .bot()
        .store()
        .get("19:y@thread.tacv2")
        .await
        .unwrap()
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_turns_in_flight() {
    let mut h = TestApp::start().await;
    h.connector.state.delay_ms.store(400, Ordering::SeqCst);
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    let server = h.server.take().unwrap();
    assert_eq!(
        server.bot().turns_in_flight(),
        1,
        "the reply is still being sent"
    );
    let finished = server.shutdown(Duration::from_secs(5)).await;
    assert!(finished, "the turn finished within the grace period");
    h.assert_sent(1, "the reply was delivered during shutdown");
    // New requests are refused once the server has stopped.
    assert!(h.http.get(h.url("/healthz")).send().await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_every_turn_slot_is_busy_new_activities_wait_for_one() {
    let h = TestApp::start_with(crate::support::app::Options {
        max_turns_in_flight: 1,
        ..Default::default()
    })
    .await;
    h.wait_ready().await;
    h.connector.state.delay_ms.store(300, Ordering::SeqCst);
    let first = h
        .post(&h.message_in("c-first", "s3 ls"), Some(&h.bearer()))
        .await;
    assert_eq!(first.status(), 200);
    let second = h
        .post(&h.message_in("c-second", "s3 ls"), Some(&h.bearer()))
        .await;
    let second_acknowledged = std::time::Instant::now();
    assert_eq!(second.status(), 200);
    h.wait_for_connector(2).await;
    h.wait_turns_idle().await;
    // The first turn holds its slot until the Connector (slowed down by 300 ms) has answered
    // its reply; the second activity must not be acknowledged before that answer.
    let first_reply = &h.connector.state.received()[0];
    assert!(
        second_acknowledged >= first_reply.answered,
        "the second activity was acknowledged only once the first turn freed its slot \
         (acknowledged {:?} before the first reply was answered)",
        first_reply.answered - second_acknowledged
    );
}

/// The bot pacing its replies by `pacing`, ready.
async fn paced_as(pacing: aws_chatops::teams::PacingPolicy) -> TestApp {
    let h = TestApp::start_with(crate::support::app::Options {
        delivery: aws_chatops::teams::DeliveryPolicy {
            pacing,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    h.wait_ready().await;
    h
}

/// One conversation cannot take every turn slot: with the Connector answering each reply after
/// 2 s, a conversation sending more commands than its share has the rest not run and is told
/// so once, while another conversation still gets a turn. Nothing is kept afterwards. (Paced,
/// as in production, but with room for every reply here, so that only the bound is tested.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_past_its_share_of_turns_is_told_and_others_are_answered() {
    use aws_chatops::teams::{PacingPolicy, RateLimit};
    let roomy = RateLimit::new(1000, Duration::from_secs(1));
    let h = paced_as(PacingPolicy {
        per_conversation: vec![roomy],
        per_tenant: vec![roomy],
    })
    .await;
    h.connector.state.delay_ms.store(2000, Ordering::SeqCst);
    let bearer = h.bearer();
    let busy = "19:busy@thread.tacv2";
    let extra = 3;
    for _ in 0..MAX_TURNS_PER_CONVERSATION + extra {
        let response = h.post(&h.message_in(busy, "s3 ls"), Some(&bearer)).await;
        assert_eq!(response.status(), 200);
    }
    // Another conversation still gets a turn (its reply waits for the Connector like any).
    h.send(&h.message_in("19:quiet@thread.tacv2", "s3 ls"))
        .await;
    h.wait_for_connector(MAX_TURNS_PER_CONVERSATION + 2).await;
    h.wait_turns_idle().await;

    let received = h.connector.state.received();
    let texts_in = |conversation: &str| -> Vec<String> {
        received
            .iter()
            .filter(|r| r.path.contains(conversation))
            .map(|r| r.body["text"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let busy_texts = texts_in("19%3Abusy");
    assert_eq!(
        busy_texts
            .iter()
            .filter(|t| *t == NO_COMMAND_ENGINE)
            .count(),
        MAX_TURNS_PER_CONVERSATION,
        "its share was run"
    );
    assert_eq!(
        busy_texts.iter().filter(|t| *t == BUSY_NOTICE).count(),
        1,
        "told once for the {extra} not run"
    );
    assert_eq!(texts_in("19%3Aquiet"), [NO_COMMAND_ENGINE]);
    assert_eq!(received.len(), MAX_TURNS_PER_CONVERSATION + 2);
    assert_eq!(h.server().bot().conversations_with_turns(), 0);
}

/// Unpaced (load tests against a stand-in that does not enforce Teams' limits), a conversation's
/// turns end at the Connector's speed: every command of a burst into one conversation runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaced_every_command_of_a_burst_into_one_conversation_runs() {
    let h = paced_as(aws_chatops::teams::PacingPolicy::unpaced()).await;
    h.connector.state.delay_ms.store(1000, Ordering::SeqCst);
    let bearer = h.bearer();
    let count = MAX_TURNS_PER_CONVERSATION + 3;
    for _ in 0..count {
        let response = h.post(&h.message("s3 ls"), Some(&bearer)).await;
        assert_eq!(response.status(), 200);
    }
    h.wait_for_connector(count).await;
    h.wait_turns_idle().await;
    let received = h.connector.state.received();
    assert!(
        received.iter().all(|r| r.body["text"] == NO_COMMAND_ENGINE),
        "every command ran"
    );
    assert_eq!(received.len(), count);
}
