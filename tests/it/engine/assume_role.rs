//! STS AssumeRole against moto: credentials with a session token and an expiry, the session
//! name CloudTrail will show, the cache per (account, role, user) and its single flight.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_chatops::aws::{sts_sdk_config, Engine, EngineConfig};
use aws_chatops::policy::assume_role::{
    session_name, AssumeRoleError, RoleAssumer, RoleRequest, StsRoleAssumer,
};
use serde_json::Map;

use crate::support::aws::{invocation, permit};
use crate::support::moto;

fn engine_config() -> EngineConfig {
    EngineConfig {
        endpoint_url: Some(moto::moto().url.clone()),
        max_attempts: 1,
        ..EngineConfig::default()
    }
}

/// The SDK configuration the bot uses, with the test's static credentials instead of the
/// default chain (the tests never touch the process environment).
async fn sdk_config() -> aws_config::SdkConfig {
    let base = sts_sdk_config(&engine_config(), "us-east-1").await;
    base.into_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_chatops::aws::Credentials::new("testing", "testing", None, None, "test"),
            ),
        )
        .build()
}

fn request(role: &str, user: &str, channel: &str) -> RoleRequest {
    RoleRequest {
        account_id: "123456789012".into(),
        role_arn: format!("arn:aws:iam::123456789012:role/{role}"),
        user_object_id: user.into(),
        session_name: session_name(Some("Alice Example"), user),
        source_identity: Some(user.into()),
        session_tags: vec![
            (
                "teams-tenant".into(),
                "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
            ),
            ("teams-channel".into(), channel.into()),
        ],
        duration_seconds: 900,
    }
}

const ALICE: &str = "3f2b8c1e-9d4a-4c7b-8e6f-1a2b3c4d5e6f";
const BOB: &str = "7c9d0e1f-2a3b-4c5d-9e8f-0a1b2c3d4e5f";

#[tokio::test]
async fn assumed_credentials_carry_the_user_into_the_session() {
    let assumer = StsRoleAssumer::new(&sdk_config().await);
    let credentials = assumer
        .assume(&request("chatops-readonly", ALICE, "19:ops@thread.tacv2"))
        .await
        .expect("moto assumes the role");
    assert_ne!(credentials.access_key_id(), "testing");
    assert!(credentials.session_token().is_some());
    let expiry = credentials.expiry().expect("an expiry");
    assert!(expiry > SystemTime::now() + Duration::from_secs(600));
    // Debug output never shows the secret.
    let shown = format!("{credentials:?}");
    assert!(!shown.contains(credentials.secret_access_key()), "{shown}");

    // AWS sees the assumed role and the session name. GetCallerIdentity is on the
    // never-allowed list, so no permit (and no engine call) can ask it; the STS SDK asks, as
    // the role assumer itself does.
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&sdk_config().await)
            .credentials_provider(credentials.clone())
            .build(),
    );
    let identity = sts
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity");
    assert_eq!(
        identity.arn(),
        Some("arn:aws:sts::123456789012:assumed-role/chatops-readonly/Alice.Example")
    );
    // And the engine calls AWS with them through a permit.
    let engine = Engine::new(engine_config());
    let invocation = invocation("sns", "ListTopics", Map::new());
    let permit = permit(&invocation, credentials, "us-east-1").await;
    engine
        .call_all(&permit, &invocation)
        .await
        .expect("ListTopics with the assumed credentials");
}

#[tokio::test]
async fn credentials_are_cached_per_account_role_and_user_until_near_expiry() {
    let now = Arc::new(AtomicU64::new(0));
    let offset = now.clone();
    // A frozen clock: the test's own pace (a slow CI machine) must not move time.
    let start = SystemTime::now();
    let clock = Arc::new(move || start + Duration::from_secs(offset.load(Ordering::SeqCst)));
    let assumer = StsRoleAssumer::with_clock(&sdk_config().await, clock);
    let alice = request("chatops-readonly", ALICE, "19:ops@thread.tacv2");
    let first = assumer.assume(&alice).await.unwrap();
    let second = assumer.assume(&alice).await.unwrap();
    assert_eq!(
        assumer.sts_calls(),
        1,
        "the second request is served from the cache"
    );
    assert_eq!(first.access_key_id(), second.access_key_id());

    // Another user, another role, or another channel's tags: their own sessions.
    assumer
        .assume(&request("chatops-readonly", BOB, "19:ops@thread.tacv2"))
        .await
        .unwrap();
    assumer
        .assume(&request("chatops-admin", ALICE, "19:ops@thread.tacv2"))
        .await
        .unwrap();
    assumer
        .assume(&request("chatops-readonly", ALICE, "19:other@thread.tacv2"))
        .await
        .unwrap();
    assert_eq!(assumer.sts_calls(), 4);

    // 900-second sessions are refreshed once fewer than five minutes remain. The STS stand-in
    // stamps expiry with its own (real) clock, so the two probes keep 50 s clear of the edge.
    now.store(550, Ordering::SeqCst);
    assumer.assume(&alice).await.unwrap();
    assert_eq!(assumer.sts_calls(), 4, "still more than five minutes left");
    now.store(650, Ordering::SeqCst);
    let refreshed = assumer.assume(&alice).await.unwrap();
    assert_eq!(
        assumer.sts_calls(),
        5,
        "refreshed five minutes before expiry"
    );
    assert_ne!(refreshed.access_key_id(), first.access_key_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_sts_call() {
    let assumer = Arc::new(StsRoleAssumer::new(&sdk_config().await));
    let request = Arc::new(request("chatops-readonly", ALICE, "19:ops@thread.tacv2"));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let assumer = assumer.clone();
            let request = request.clone();
            tokio::spawn(async move {
                assumer
                    .assume(&request)
                    .await
                    .map(|c| c.access_key_id().to_owned())
            })
        })
        .collect();
    let mut keys = Vec::new();
    for task in tasks {
        keys.push(task.await.unwrap().unwrap());
    }
    assert_eq!(assumer.sts_calls(), 1);
    assert!(keys.windows(2).all(|w| w[0] == w[1]));
}

#[tokio::test]
async fn a_refusal_from_sts_names_the_role() {
    // An STS endpoint that is not there: the bot cannot get credentials, and says for which role.
    let config = EngineConfig {
        endpoint_url: Some("http://127.0.0.1:9".into()),
        max_attempts: 1,
        ..EngineConfig::default()
    };
    let sdk = sts_sdk_config(&config, "us-east-1")
        .await
        .into_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_chatops::aws::Credentials::new("testing", "testing", None, None, "test"),
            ),
        )
        .build();
    let error = StsRoleAssumer::new(&sdk)
        .assume(&request("chatops-readonly", ALICE, "19:ops@thread.tacv2"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, AssumeRoleError::Unavailable { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("arn:aws:iam::123456789012:role/chatops-readonly"),
        "{error}"
    );
}
