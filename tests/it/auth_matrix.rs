//! The rejection matrix of botframework.md §7: every bad request gets 401 (or 400/405/413) and
//! nothing reaches the Bot Connector; plus the accepted edge cases and key refresh behaviour.
//! The order is 405 → 401 → 413 → 400: the token is checked from the header before the body is
//! read, so a request without a valid token gets 401 whatever its body (the endorsement and
//! `serviceurl` checks, which need the body, come after the 400).

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::app::{wait_until, Answer, Options, TestApp, APP_ID};
use crate::support::keys::{now, unsigned_token, TestKey};

enum Request {
    Post {
        body: Vec<u8>,
        authorization: Option<String>,
    },
    /// A head announcing `content_length` bytes, then only part of the body.
    Stalled {
        content_length: usize,
        authorization: Option<String>,
    },
    Other(Method),
}

struct Case {
    name: &'static str,
    expected: u16,
    request: Request,
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn cases(h: &TestApp) -> Vec<Case> {
    let key = &h.key;
    let other_key = TestKey::two();
    let message = |conversation: &str| h.message_in(conversation, "s3 ls");
    let body = |conversation: &str| message(conversation).to_string().into_bytes();
    let with_claims = |change: &dyn Fn(&mut Value)| {
        let mut claims = h.claims();
        change(&mut claims);
        claims
    };
    let signed = |claims: &Value| key.sign(Algorithm::RS256, Some("key-1"), claims);
    let post = |conversation: &str, authorization: Option<String>| Request::Post {
        body: body(conversation),
        authorization,
    };
    let valid = signed(&h.claims());
    let hs256 = jsonwebtoken::encode(
        &{
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some("key-1".into());
            header
        },
        &h.claims(),
        &EncodingKey::from_secret(b"guessable"),
    )
    .unwrap();
    let tampered = {
        let other = signed(&with_claims(&|c| c["aud"] = json!("someone-else")));
        let mut parts: Vec<&str> = valid.split('.').collect();
        let other_parts: Vec<&str> = other.split('.').collect();
        parts[1] = other_parts[1];
        parts.join(".")
    };
    let mut no_channel = message("c-no-channel");
    no_channel.as_object_mut().unwrap().remove("channelId");
    let mut skype_channel = message("c-skype-channel");
    skype_channel["channelId"] = json!("skype");
    let mut no_service_url = message("c-no-service-url");
    no_service_url.as_object_mut().unwrap().remove("serviceUrl");
    let mut other_service_url = message("c-other-service-url");
    other_service_url["serviceUrl"] = json!("http://127.0.0.1:9/evil/");
    let mut big = message("c-big");
    big["text"] = json!("x".repeat(300 * 1024));

    let case = |name, expected, request| Case {
        name,
        expected,
        request,
    };
    // A message in `conversation` whose token carries the claims `change` leaves.
    let claims = |conversation, change: &dyn Fn(&mut Value)| {
        post(conversation, bearer(&signed(&with_claims(change))))
    };
    // A message in `conversation` whose token `key` signed as `kid`.
    let signed_as = |conversation, key: &TestKey, kid| {
        post(
            conversation,
            bearer(&key.sign(Algorithm::RS256, kid, &h.claims())),
        )
    };
    // `body` with a valid token.
    let with_valid_token = |body: Vec<u8>| Request::Post {
        body,
        authorization: bearer(&valid),
    };
    let valid_token_on = |activity: &Value| with_valid_token(activity.to_string().into_bytes());
    let remove = |claim: &'static str| {
        move |claims: &mut Value| {
            claims.as_object_mut().unwrap().remove(claim);
        }
    };
    let stalled = |authorization| Request::Stalled {
        content_length: 300 * 1024,
        authorization,
    };
    let emulator = |c: &mut Value| {
        c["iss"] =
            json!("https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0");
        c["ver"] = json!("2.0");
        c["azp"] = json!(APP_ID);
    };
    let alg_none = unsigned_token(
        &json!({"alg": "none", "kid": "key-1", "typ": "JWT"}),
        &h.claims(),
        "",
    );
    let service_url_without_slash = h.service_url().trim_end_matches('/').to_owned();

    vec![
        case("no Authorization header", 401, post("c-no-header", None)),
        case(
            "empty Authorization header",
            401,
            post("c-empty", Some(String::new())),
        ),
        case(
            "lowercase bearer scheme",
            401,
            post("c-lower", Some(format!("bearer {valid}"))),
        ),
        case(
            "two spaces after Bearer",
            401,
            post("c-spaces", Some(format!("Bearer  {valid}"))),
        ),
        case(
            "three header parts",
            401,
            post("c-three", Some(format!("Bearer {valid} extra"))),
        ),
        case(
            "Basic scheme",
            401,
            post("c-basic", Some("Basic dXNlcjpwYXNz".into())),
        ),
        case("not a JWT", 401, post("c-garbage", bearer("not.a.jwt"))),
        case("alg HS256", 401, post("c-hs256", bearer(&hs256))),
        case("alg none", 401, post("c-none", bearer(&alg_none))),
        case("no kid", 401, signed_as("c-no-kid", key, None)),
        case(
            "unknown kid (one forced refresh, then 401)",
            401,
            signed_as("c-unknown-kid", key, Some("never-published")),
        ),
        case(
            "signed by another key under a published kid",
            401,
            signed_as("c-other-key", &other_key, Some("key-1")),
        ),
        case(
            "payload swapped under a valid signature",
            401,
            post("c-tampered", bearer(&tampered)),
        ),
        case(
            "wrong aud",
            401,
            claims("c-aud", &|c| {
                c["aud"] = json!("00000000-0000-0000-0000-000000000000")
            }),
        ),
        case("aud missing", 401, claims("c-no-aud", &remove("aud"))),
        case(
            "wrong iss",
            401,
            claims("c-iss", &|c| c["iss"] = json!("https://evil.example.com")),
        ),
        case(
            "emulator issuer while the emulator path is off",
            401,
            claims("c-emulator", &emulator),
        ),
        case(
            "expired beyond the 300 s skew",
            401,
            claims("c-expired", &|c| c["exp"] = json!(now() - 310)),
        ),
        case("exp missing", 401, claims("c-no-exp", &remove("exp"))),
        case(
            "nbf beyond the 300 s skew",
            401,
            claims("c-nbf", &|c| c["nbf"] = json!(now() + 310)),
        ),
        case(
            "serviceurl claim missing",
            401,
            claims("c-no-serviceurl", &remove("serviceurl")),
        ),
        case(
            "serviceurl claim for another host",
            401,
            claims("c-serviceurl", &|c| {
                c["serviceurl"] = json!("https://smba.trafficmanager.net/amer/")
            }),
        ),
        case(
            "serviceurl differs by a trailing slash",
            401,
            claims("c-slash", &|c| {
                c["serviceurl"] = json!(service_url_without_slash)
            }),
        ),
        case(
            "activity without serviceUrl",
            401,
            valid_token_on(&no_service_url),
        ),
        case(
            "activity serviceUrl differs from the claim",
            401,
            valid_token_on(&other_service_url),
        ),
        case(
            "key not endorsed for msteams",
            401,
            signed_as("c-skype-key", key, Some("skype-only")),
        ),
        case(
            "key with no endorsements",
            401,
            signed_as("c-no-endorsements", key, Some("no-endorsements")),
        ),
        case(
            "activity channelId missing",
            401,
            valid_token_on(&no_channel),
        ),
        case(
            "activity channelId not endorsed",
            401,
            valid_token_on(&skype_channel),
        ),
        case(
            "body is not JSON",
            400,
            with_valid_token(b"{not json".to_vec()),
        ),
        case(
            "JSON without type",
            400,
            with_valid_token(br#"{"text":"hi"}"#.to_vec()),
        ),
        case(
            "JSON array",
            400,
            with_valid_token(br#"[{"type":"message"}]"#.to_vec()),
        ),
        case(
            "empty type",
            400,
            with_valid_token(br#"{"type":""}"#.to_vec()),
        ),
        case(
            "field of the wrong shape",
            400,
            with_valid_token(
                json!({"type": "message", "from": 5})
                    .to_string()
                    .into_bytes(),
            ),
        ),
        case("body over the limit", 413, valid_token_on(&big)),
        // The new order: no valid token means 401 before the body is read, whatever the body.
        case(
            "no token, Content-Length over the limit (401 before 413)",
            401,
            stalled(None),
        ),
        case(
            "bad signature, body over the limit and never sent in full (401 before 413)",
            401,
            stalled(bearer(&other_key.sign(
                Algorithm::RS256,
                Some("key-1"),
                &h.claims(),
            ))),
        ),
        case(
            "no token, body not JSON (401 before 400)",
            401,
            Request::Post {
                body: b"{not json".to_vec(),
                authorization: None,
            },
        ),
        case(
            "expired token, JSON without type (401 before 400)",
            401,
            Request::Post {
                body: br#"{"text":"hi"}"#.to_vec(),
                authorization: bearer(&signed(&with_claims(&|c| c["exp"] = json!(now() - 310)))),
            },
        ),
        case(
            "valid token, body never sent in full",
            413,
            stalled(bearer(&valid)),
        ),
        case("GET /api/messages", 405, Request::Other(Method::GET)),
        case("PUT /api/messages", 405, Request::Other(Method::PUT)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_request_is_refused_and_nothing_is_sent() {
    let h = TestApp::start().await;
    let cases = cases(&h);
    assert!(cases.len() >= 20, "the matrix has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let response = match &case.request {
            Request::Post {
                body,
                authorization,
            } => h.post_bytes(body.clone(), authorization.as_deref()).await,
            Request::Stalled {
                content_length,
                authorization,
            } => {
                let mut stalled = h
                    .stalled_post(authorization.as_deref(), *content_length, b"{\"type\":")
                    .await;
                let answer = stalled.answer(std::time::Duration::from_secs(10)).await;
                let status = match answer {
                    Answer::Status(status) => status,
                    Answer::Closed => 0,
                };
                if status != case.expected {
                    failures.push(format!(
                        "{}: expected {}, got {answer:?}",
                        case.name, case.expected
                    ));
                }
                if h.connector.state.count() != 0 {
                    failures.push(format!("{}: the connector received a request", case.name));
                }
                continue;
            }
            Request::Other(method) => h
                .http
                .request(method.clone(), h.url("/api/messages"))
                .send()
                .await
                .unwrap(),
        };
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        if status != case.expected {
            failures.push(format!(
                "{}: expected {}, got {status}",
                case.name, case.expected
            ));
        }
        if status == 401 && !body.is_empty() {
            failures.push(format!(
                "{}: a 401 must not explain itself, body {body:?}",
                case.name
            ));
        }
        if h.connector.state.count() != 0 {
            failures.push(format!("{}: the connector received a request", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Barrier: a valid message is answered; had any refused request started a turn, its reply
    // would have been sent before this one.
    h.send(&h.message_in("c-valid", "s3 ls")).await;
    h.wait_settled(1).await;
    let received = h.connector.state.received();
    assert_eq!(received.len(), 1, "only the valid message is answered");
    assert!(received[0].path.contains("c-valid"), "{}", received[0].path);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_edge_cases() {
    let h = TestApp::start().await;
    let key = &h.key;
    let mut claims_case_differs = h.claims();
    claims_case_differs["serviceurl"] =
        json!(h.service_url().to_uppercase().replace("HTTP://", "http://"));
    let mut within_skew_expired = h.claims();
    within_skew_expired["exp"] = json!(now() - 200);
    let mut within_skew_nbf = h.claims();
    within_skew_nbf["nbf"] = json!(now() + 200);
    let tokens = [
        (
            "RS256",
            key.sign(Algorithm::RS256, Some("key-1"), &h.claims()),
        ),
        (
            "RS384",
            key.sign(Algorithm::RS384, Some("key-1"), &h.claims()),
        ),
        (
            "RS512",
            key.sign(Algorithm::RS512, Some("key-1"), &h.claims()),
        ),
        (
            "serviceurl differs only in case",
            key.sign(Algorithm::RS256, Some("key-1"), &claims_case_differs),
        ),
        (
            "expired 200 s ago (inside the skew)",
            key.sign(Algorithm::RS256, Some("key-1"), &within_skew_expired),
        ),
        (
            "nbf 200 s ahead (inside the skew)",
            key.sign(Algorithm::RS256, Some("key-1"), &within_skew_nbf),
        ),
    ];
    for (index, (name, token)) in tokens.iter().enumerate() {
        let response = h
            .post(
                &h.message_in(&format!("ok-{index}"), "s3 ls"),
                Some(&format!("Bearer {token}")),
            )
            .await;
        assert_eq!(response.status(), 200, "{name}");
    }
    h.wait_for_connector(tokens.len()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_issuers_never_cause_a_key_fetch() {
    let h = TestApp::start().await;
    let hits = h.login.state.jwks_hits();
    let mut claims = h.claims();
    claims["iss"] = json!("https://evil.example.com");
    let token = h.key.sign(Algorithm::RS256, Some("unknown-kid"), &claims);
    let response = h
        .post(&h.message(""), Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        h.login.state.jwks_hits(),
        hits,
        "no key fetch for an untrusted issuer"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_accepted_after_one_refresh_and_unknown_kids_are_rate_limited() {
    let h = TestApp::start().await;
    let new_key = TestKey::two();
    let mut jwks = crate::support::app::default_jwks(&h.key);
    jwks.push(new_key.jwk("key-2", Some(&["msteams"])));
    h.login.state.set_keys(jwks);
    let hits = h.login.state.jwks_hits();

    // Many concurrent first uses of the new kid cause a single refresh (single-flight).
    let token = new_key.sign(Algorithm::RS256, Some("key-2"), &h.claims());
    let authorization = format!("Bearer {token}");
    let message = h.message_in("c-rotated", "s3 ls");
    let responses =
        futures_util::future::join_all((0..8).map(|_| h.post(&message, Some(&authorization))))
            .await;
    for response in responses {
        assert_eq!(response.status(), 200);
    }
    assert_eq!(h.login.state.jwks_hits(), hits + 1, "exactly one refresh");

    // Another unknown kid within 5 minutes does not force another fetch.
    let token = new_key.sign(Algorithm::RS256, Some("key-3"), &h.claims());
    let response = h.post(&message, Some(&format!("Bearer {token}"))).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        h.login.state.jwks_hits(),
        hits + 1,
        "forced refreshes are rate limited"
    );
    h.wait_for_connector(8).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_token_is_refused_once_a_refresh_removed_its_key() {
    let h = TestApp::start().await;
    // The same token for two activities: verified once, served from the cache the second time.
    let bearer = h.bearer();
    for conversation in ["c-cached-1", "c-cached-2"] {
        let response = h
            .post(&h.message_in(conversation, "s3 ls"), Some(&bearer))
            .await;
        assert_eq!(response.status(), 200, "{conversation}");
    }
    h.wait_for_connector(2).await;

    // Rotation: key-1 is withdrawn and key-2 published. The first use of key-2 forces the
    // refresh that drops key-1.
    let new_key = TestKey::two();
    h.login
        .state
        .set_keys(vec![new_key.jwk("key-2", Some(&["msteams"]))]);
    let token = new_key.sign(Algorithm::RS256, Some("key-2"), &h.claims());
    let response = h
        .post(
            &h.message_in("c-new-key", "s3 ls"),
            Some(&format!("Bearer {token}")),
        )
        .await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(3).await;

    // The cached token signed by the removed key is refused from now on.
    let response = h
        .post(&h.message_in("c-removed-key", "s3 ls"), Some(&bearer))
        .await;
    assert_eq!(response.status(), 401);
    h.wait_turns_idle().await;
    h.assert_sent(3, "nothing sent for the refused one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_key_endpoint_is_down_the_old_keys_keep_working() {
    let h = TestApp::start().await;
    h.login.state.set_failing(true);
    let hits = h.login.state.jwks_hits()
        + h.login
            .state
            .metadata_hits
            .load(std::sync::atomic::Ordering::SeqCst);

    // An unknown kid forces a refresh, which fails.
    let token = h.key.sign(Algorithm::RS256, Some("key-9"), &h.claims());
    let response = h
        .post(&h.message(""), Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(response.status(), 401);
    let after = h.login.state.jwks_hits()
        + h.login
            .state
            .metadata_hits
            .load(std::sync::atomic::Ordering::SeqCst);
    assert!(after > hits, "a refresh was attempted");

    // The known key still verifies, and the bot stays ready.
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);
    h.wait_for_connector(1).await;
    let ready = h.http.get(h.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_ready_until_keys_load_and_stale_keys_are_refreshed() {
    let mut options = Options {
        login_failing_at_start: true,
        ..Options::default()
    };
    options.key_refresh.refresh_interval = std::time::Duration::from_millis(300);
    let h = TestApp::start_with(options).await;

    let health = h.http.get(h.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = h.http.get(h.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "no keys yet");
    // With no keys at all, a valid token is refused.
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 401);

    h.login.state.set_failing(false);
    h.wait_ready().await;
    let response = h.post(&h.message("s3 ls"), Some(&h.bearer())).await;
    assert_eq!(response.status(), 200);

    // The background refresh keeps fetching on its interval.
    let hits = h.login.state.jwks_hits();
    let state = h.login.state.clone();
    wait_until("a scheduled refresh", || state.jwks_hits() > hits).await;
    h.wait_for_connector(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_tokens_are_refused_even_with_a_valid_signature() {
    // The emulator path is off by default: a token from an emulator issuer is refused even when
    // its key is published and the claims are right.
    let h = TestApp::start().await;
    let mut claims = h.claims();
    claims["iss"] = json!("https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/");
    claims["ver"] = json!("1.0");
    claims["appid"] = json!(APP_ID);
    let token = h.key.sign(Algorithm::RS256, Some("key-1"), &claims);
    let hits = h.login.state.jwks_hits();
    let response = h
        .post(&h.message("s3 ls"), Some(&format!("Bearer {token}")))
        .await;
    assert_eq!(response.status(), 401);
    assert_eq!(h.login.state.jwks_hits(), hits);
    h.assert_sent(0, "nothing sent for a refused token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_path_works_only_when_enabled_and_checks_the_app_id() {
    // The stand-in's metadata serves the Emulator keys too; only the issuer list differs.
    let login = crate::support::standins::LoginStandIn::start(crate::support::app::default_jwks(
        &TestKey::one(),
    ));
    let h = TestApp::with_settings(&[
        ("AWS_CHATOPS_ALLOW_EMULATOR", "true"),
        ("ToBotFromEmulatorOpenIdMetadataUrl", &login.metadata_url()),
    ])
    .await;
    let emulator_claims = |ver: &str, app_id_claim: &str, app_id: &str| {
        let mut claims = h.claims();
        claims["iss"] = json!(match ver {
            "1.0" => "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
            _ => "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
        });
        claims["aud"] = json!("https://api.botframework.com");
        claims["ver"] = json!(ver);
        claims[app_id_claim] = json!(app_id);
        claims
    };
    let cases = [
        (
            "v1.0 with appid",
            emulator_claims("1.0", "appid", APP_ID),
            200,
        ),
        ("v2.0 with azp", emulator_claims("2.0", "azp", APP_ID), 200),
        (
            "v1.0 for another app",
            emulator_claims("1.0", "appid", "someone-else"),
            401,
        ),
        (
            "v2.0 with appid instead of azp",
            emulator_claims("2.0", "appid", APP_ID),
            401,
        ),
        (
            "unknown version",
            emulator_claims("3.0", "appid", APP_ID),
            401,
        ),
    ];
    for (index, (name, claims, expected)) in cases.iter().enumerate() {
        let token = h.key.sign(Algorithm::RS256, Some("key-1"), claims);
        let response = h
            .post(
                &h.message_in(&format!("emu-{index}"), "help"),
                Some(&format!("Bearer {token}")),
            )
            .await;
        assert_eq!(response.status().as_u16(), *expected, "{name}");
    }
    h.wait_for_connector(2).await;
    h.wait_turns_idle().await;
    h.assert_sent(2, "the two accepted tokens were answered");
    assert!(
        login.state.jwks_hits() >= 1,
        "emulator keys came from their own metadata URL"
    );
}
