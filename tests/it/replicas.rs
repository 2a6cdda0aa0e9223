//! Two replicas of the bot sharing one Redis, as a load balancer would spread Teams' requests
//! over them: a request started on one is finished on the other, remembered account choices
//! are shared, and a confirmation runs exactly once whichever replica each click reaches.

use std::net::SocketAddr;
use std::sync::Arc;

use aws_chatops::bot::DurableConversationStore;
use aws_chatops::store::{RedisStore, Store};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::access::{actions, fact, text};
use crate::support::app::{channel_handler, request_id, TestApp, OPS};
use crate::support::aws::{aws, moto_engine, put_alarm, unique};

const REDIS: &str = "redis://127.0.0.1:6379";

async fn redis(prefix: &str) -> Arc<dyn Store> {
    Arc::new(
        RedisStore::connect(REDIS, prefix)
            .await
            .expect("Redis answers"),
    )
}

/// An Action.Execute click by Ada in OPS, sent to the replica at `addr`; the card she gets.
async fn click_on(bot: &TestApp, addr: SocketAddr, data: Value) -> Value {
    let mut activity = bot.message_from(OPS, crate::support::app::USER_AAD_ID, "");
    activity["type"] = json!("invoke");
    activity["name"] = json!("adaptiveCard/action");
    activity.as_object_mut().unwrap().remove("text");
    activity["id"] = json!(unique("click"));
    activity["value"] = json!({
        "action": {"type": "Action.Execute", "verb": data["verb"], "data": data},
        "trigger": "manual"
    });
    let response = bot
        .http
        .post(format!("http://{addr}/api/messages"))
        .header("content-type", "application/json")
        .header("authorization", bot.bearer())
        .body(activity.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["value"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_requests_choices_and_run_a_confirmation_once() {
    let prefix = unique("replicas");
    let bot =
        TestApp::with_access_and_store(moto_engine(), "\"ReadOnly\"", redis(&prefix).await).await;
    let store_b = redis(&prefix).await;
    let (handler_b, _) = channel_handler(
        moto_engine(),
        "\"ReadOnly\"",
        store_b.clone(),
        bot.audit_log(),
    )
    .await;
    let replica_b = bot
        .start_replica(
            handler_b,
            Some(Arc::new(DurableConversationStore::new(store_b))),
        )
        .await;
    let a = bot.addr;
    let b = replica_b.local_addr();

    // The account question comes from A; the choice is clicked on B.
    let question = bot
        .say_in(OPS, "cloudwatch describe-alarms --output json")
        .await;
    assert!(text(&question).contains("Which AWS account?"), "{question}");
    let production = actions(&question, "choose-account")[0].clone();
    let running = click_on(&bot, b, production).await;
    assert!(text(&running).contains("Running"), "{running}");
    bot.updated_card("production (123456789012)").await;

    // B remembered it in the shared store: A does not ask again.
    let again = bot
        .say_in(OPS, "cloudwatch describe-alarms --output json")
        .await;
    assert_eq!(
        fact(&again, "Account").as_deref(),
        Some("production (123456789012)"),
        "{again}"
    );

    // A form opened on A is submitted on B.
    let form = bot
        .say_in(OPS, "cloudwatch describe-alarms-for-metric --output json")
        .await;
    let id = request_id(&form);
    let submitted = click_on(
        &bot,
        b,
        json!({"verb": "submit", "request": id, "MetricName": "CPUUtilization", "Namespace": "AWS/EC2"}),
    )
    .await;
    assert!(text(&submitted).contains("Running"), "{submitted}");
    bot.updated_card("MetricAlarms").await;

    // A confirmation clicked on both replicas at once runs exactly once.
    let alarm = put_alarm("replica-alarm", 90.0).await;
    let confirm = bot
        .say_in(
            OPS,
            &format!("cloudwatch set-alarm-state --alarm-name {alarm} --state-value ALARM --state-reason replicas"),
        )
        .await;
    let id = request_id(&confirm);
    let clicks = (0..8).map(|n| {
        let addr = if n % 2 == 0 { a } else { b };
        click_on(&bot, addr, json!({"verb": "confirm", "request": id}))
    });
    let answers = join_all(clicks).await;
    let ran = answers
        .iter()
        .filter(|answer| text(answer).contains("Running"))
        .count();
    assert_eq!(ran, 1, "{answers:#?}");
    let confirmed = || {
        bot.records()
            .iter()
            .filter(|r| r["outcome"]["kind"] == "confirmed" && r["operation"] == "SetAlarmState")
            .count()
    };
    crate::support::app::wait_until("the confirmed call's audit record", || confirmed() > 0).await;
    replica_b.shutdown(std::time::Duration::from_secs(10)).await;
    bot.wait_turns_idle().await;
    assert_eq!(confirmed(), 1);
    let state = aws(
        "cloudwatch",
        "DescribeAlarms",
        json!({"AlarmNames": [alarm]}),
    )
    .await;
    assert_eq!(state["MetricAlarms"][0]["StateValue"], "ALARM");
}
