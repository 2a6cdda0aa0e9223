//! Tests of inbound token validation: the cache of verified tokens (expiry, not-before, key
//! rotation, its bound), the checks that run on every activity, and the lifetime rule.

use std::sync::atomic::AtomicU64;

use jsonwebtoken::{DecodingKey, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;

const APP_ID: &str = "6f0b3c1e-8a2d-4c5e-9f10-112233445566";
const SERVICE_URL: &str = "https://smba.trafficmanager.net/amer/";
const KEY_1_PEM: &str = include_str!("../../../tests/fixtures/test-only-signing-key-1.pem");
const KEY_1_JWK: &str =
    include_str!("../../../tests/fixtures/test-only-signing-key-1.public.jwk.json");
const KEY_2_JWK: &str =
    include_str!("../../../tests/fixtures/test-only-signing-key-2.public.jwk.json");
/// An arbitrary fixed "now": the tests move it, never the wall clock.
const START: u64 = 1_800_000_000;

struct ManualClock(AtomicU64);

impl Clock for ManualClock {
    fn unix_seconds(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn signing_key(kid: &str, jwk: &str) -> SigningKey {
    let jwk: Value = serde_json::from_str(jwk).expect("fixture JWK is JSON");
    let n = jwk["n"].as_str().expect("n");
    let e = jwk["e"].as_str().expect("e");
    SigningKey {
        kid: kid.to_owned(),
        decoding_key: DecodingKey::from_rsa_components(n, e).expect("fixture key"),
        endorsements: vec!["msteams".to_owned()],
    }
}

struct Setup {
    validator: TokenValidator,
    keys: Arc<KeyCache>,
    clock: Arc<ManualClock>,
}

fn setup() -> Setup {
    let keys = Arc::new(KeyCache::preloaded(vec![signing_key("key-1", KEY_1_JWK)]));
    let clock = Arc::new(ManualClock(AtomicU64::new(START)));
    let validator =
        TokenValidator::new(APP_ID.to_owned(), keys.clone(), None).with_clock(clock.clone());
    Setup {
        validator,
        keys,
        clock,
    }
}

impl Setup {
    /// Moves the test clock to `unix_seconds`.
    fn set_now(&self, unix_seconds: u64) {
        self.clock.0.store(unix_seconds, Ordering::SeqCst);
    }

    /// The error `bearer` is refused with.
    async fn refusal(&self, bearer: &str) -> AuthError {
        self.validator
            .verify_header(Some(bearer))
            .await
            .expect_err("the token is refused")
    }
}

/// A channel token signed with key 1 under `key-1`, valid from `START - 5` for `lifetime` s.
fn token(lifetime: u64) -> String {
    let claims = json!({
        "iss": CHANNEL_ISSUER,
        "aud": APP_ID,
        "serviceurl": SERVICE_URL,
        "nbf": START - 5,
        "exp": START + lifetime,
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-1".into());
    let key = EncodingKey::from_rsa_pem(KEY_1_PEM.as_bytes()).expect("fixture key");
    format!(
        "Bearer {}",
        jsonwebtoken::encode(&header, &claims, &key).expect("signs")
    )
}

#[tokio::test]
async fn a_token_reused_for_many_activities_is_verified_once() {
    let setup = setup();
    let bearer = token(3600);
    for _ in 0..3 {
        let verified = setup.validator.verify_header(Some(&bearer)).await.unwrap();
        let caller = setup
            .validator
            .check_activity(&verified, Some("msteams"), Some(SERVICE_URL))
            .unwrap();
        assert_eq!(caller.service_url, SERVICE_URL);
    }
    assert_eq!(setup.validator.signature_checks(), 1);
    assert_eq!(setup.validator.cached_tokens(), 1);
}

#[tokio::test]
async fn activity_checks_run_on_every_activity_even_for_a_cached_token() {
    let setup = setup();
    let bearer = token(3600);
    let cases = [
        (Some("msteams"), Some(SERVICE_URL), None),
        (
            Some("skype"),
            Some(SERVICE_URL),
            Some(AuthError::NotEndorsed("skype".into())),
        ),
        (None, Some(SERVICE_URL), Some(AuthError::MissingChannelId)),
        (
            Some("msteams"),
            Some("https://evil.example.com/"),
            Some(AuthError::ServiceUrlMismatch),
        ),
        (Some("msteams"), None, Some(AuthError::MissingServiceUrl)),
    ];
    for (channel_id, service_url, expected) in cases {
        let verified = setup.validator.verify_header(Some(&bearer)).await.unwrap();
        let outcome = setup
            .validator
            .check_activity(&verified, channel_id, service_url);
        assert_eq!(outcome.err(), expected, "{channel_id:?} {service_url:?}");
    }
    assert_eq!(
        setup.validator.signature_checks(),
        1,
        "served from the cache"
    );
}

#[tokio::test]
async fn a_cached_token_is_refused_once_it_expires() {
    let setup = setup();
    let bearer = token(60);
    setup.validator.verify_header(Some(&bearer)).await.unwrap();

    // Still accepted at the last second of the skew, from the cache.
    setup.set_now(START + 60 + CLOCK_SKEW_SECONDS);
    setup.validator.verify_header(Some(&bearer)).await.unwrap();
    assert_eq!(setup.validator.signature_checks(), 1);

    // One second later it is expired, cached or not.
    setup.set_now(START + 60 + CLOCK_SKEW_SECONDS + 1);
    let error = setup.refusal(&bearer).await;
    assert_eq!(error, AuthError::Expired);
    assert_eq!(setup.validator.cached_tokens(), 0, "the entry was dropped");
}

#[tokio::test]
async fn a_token_not_valid_yet_is_refused_and_not_cached() {
    let setup = setup();
    setup.set_now(START - 5 - CLOCK_SKEW_SECONDS - 1);
    let error = setup.refusal(&token(3600)).await;
    assert_eq!(error, AuthError::NotYetValid);
    assert_eq!(setup.validator.cached_tokens(), 0);
}

#[tokio::test]
async fn a_cached_token_is_refused_once_its_key_is_removed_or_replaced() {
    let setup = setup();
    let bearer = token(3600);
    setup.validator.verify_header(Some(&bearer)).await.unwrap();

    // The key set no longer holds key-1 (a rotation): refused, and the forced refresh (to a
    // stand-in that does not answer) cannot bring it back.
    setup
        .keys
        .replace_keys(vec![signing_key("key-2", KEY_2_JWK)]);
    let error = setup.refusal(&bearer).await;
    assert_eq!(error, AuthError::UnknownKey("key-1".into()));

    // key-1 now names a different key: the old signature no longer verifies.
    setup
        .keys
        .replace_keys(vec![signing_key("key-1", KEY_2_JWK)]);
    let error = setup.refusal(&bearer).await;
    assert_eq!(error, AuthError::BadSignature);
    assert_eq!(setup.validator.cached_tokens(), 0);
}

#[tokio::test]
async fn the_cache_is_bounded_and_evicts_expired_tokens_first() {
    let setup = setup();
    let validator = TokenValidator::new(APP_ID.to_owned(), setup.keys.clone(), None)
        .with_clock(setup.clock.clone())
        .with_cache_capacity(2);
    let short = token(10);
    let long_1 = token(3600);
    let long_2 = token(3601);
    let long_3 = token(3602);
    validator.verify_header(Some(&short)).await.unwrap();
    validator.verify_header(Some(&long_1)).await.unwrap();
    setup.set_now(START + 10 + CLOCK_SKEW_SECONDS + 1);
    // Full: the expired token goes, the live one stays.
    validator.verify_header(Some(&long_2)).await.unwrap();
    assert_eq!(validator.cached_tokens(), 2);
    let checks = validator.signature_checks();
    validator.verify_header(Some(&long_1)).await.unwrap();
    assert_eq!(validator.signature_checks(), checks, "long_1 stayed cached");
    // Full of live tokens: the oldest (long_1) goes.
    validator.verify_header(Some(&long_3)).await.unwrap();
    assert_eq!(validator.cached_tokens(), 2);
    validator.verify_header(Some(&long_1)).await.unwrap();
    assert_eq!(
        validator.signature_checks(),
        checks + 2,
        "long_1 was evicted"
    );
}

#[test]
fn lifetime_rule_matches_the_skew_either_way() {
    let cases = [
        (START, None, START + CLOCK_SKEW_SECONDS, Ok(())),
        (
            START,
            None,
            START + CLOCK_SKEW_SECONDS + 1,
            Err(AuthError::Expired),
        ),
        (
            START + 3600,
            Some(START + CLOCK_SKEW_SECONDS),
            START,
            Ok(()),
        ),
        (
            START + 3600,
            Some(START + CLOCK_SKEW_SECONDS + 1),
            START,
            Err(AuthError::NotYetValid),
        ),
    ];
    for (exp, nbf, now, expected) in cases {
        assert_eq!(
            check_lifetime(exp, nbf, now),
            expected,
            "{exp} {nbf:?} {now}"
        );
    }
}
