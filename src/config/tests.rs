//! Loading the start-up configuration from the environment and the `[bot]` table: defaults,
//! validation messages and secrets that never print.

use super::*;
use std::collections::HashMap;

const APP_ID: &str = "11111111-2222-3333-4444-555555555555";

fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(|name| map.get(name).cloned())
}

fn base() -> Vec<(&'static str, &'static str)> {
    vec![
        (names::APP_ID, APP_ID),
        (names::APP_PASSWORD, "hunter2-very-secret"),
        (names::APP_TENANT_ID, "contoso.onmicrosoft.com"),
    ]
}

/// The valid [`base`] settings with `extra` added (a setting given again replaces the base's).
fn with_base(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    [base().as_slice(), extra].concat()
}

#[test]
fn defaults_for_a_single_tenant_bot() {
    let config = load(&base()).unwrap();
    assert_eq!(config.app_type, AppType::SingleTenant);
    assert_eq!(config.port, 3978);
    assert!(!config.allow_emulator);
    assert!(config.outbound_pacing, "pacing is on unless turned off");
    assert_eq!(
        config.token_endpoint().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert_eq!(
        config.token_scope(),
        "https://api.botframework.com/.default"
    );
    assert_eq!(
        config.channel_openid_metadata_url.as_str(),
        DEFAULT_CHANNEL_OPENID_METADATA_URL
    );
    assert_eq!(config.store_location, "./data/aws-chatops.redb");
    assert_eq!(config.request_ttl, std::time::Duration::from_secs(900));
    assert_eq!(config.body_read_timeout, std::time::Duration::from_secs(10));
    assert_eq!(config.max_body_reads, 64);
}

/// The body read limits, the store and the request lifetime, each given over its default.
#[test]
fn limits_store_and_request_lifetime_are_read() {
    let config = load(&with_base(&[
        (names::BODY_READ_TIMEOUT_SECONDS, "1"),
        (names::MAX_BODY_READS, "4096"),
        (names::STORE, "redis://127.0.0.1:6379/0"),
        (names::REQUEST_TTL_SECONDS, "120"),
    ]))
    .unwrap();
    assert_eq!(config.body_read_timeout, std::time::Duration::from_secs(1));
    assert_eq!(config.max_body_reads, 4096);
    assert_eq!(config.store_location, "redis://127.0.0.1:6379/0");
    assert_eq!(config.request_ttl, std::time::Duration::from_secs(120));
}

#[test]
fn multi_tenant_uses_the_botframework_tenant() {
    let mut pairs = base();
    pairs.retain(|(k, _)| *k != names::APP_TENANT_ID);
    pairs.push((names::APP_TYPE, "MultiTenant"));
    let config = load(&pairs).unwrap();
    assert_eq!(
        config.token_endpoint().as_str(),
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    );
}

#[test]
fn errors_name_the_setting() {
    let missing: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], names::APP_ID),
        (vec![(names::APP_ID, "not-a-guid")], names::APP_ID),
        (vec![(names::APP_ID, APP_ID)], names::APP_PASSWORD),
        (
            vec![(names::APP_ID, APP_ID), (names::APP_PASSWORD, "x")],
            names::APP_TENANT_ID,
        ),
    ];
    // A bad value over the valid base: the error names the setting that has it.
    let bad_values = [
        (names::APP_TYPE, "Sometimes"),
        (names::APP_TYPE, "UserAssignedMSI"),
        (names::PORT, "70000"),
        (names::ALLOW_EMULATOR, "maybe"),
        (names::OUTBOUND_PACING, "sometimes"),
        (names::MAX_BODY_BYTES, "12"),
        (names::BODY_READ_TIMEOUT_SECONDS, "0"),
        (names::BODY_READ_TIMEOUT_SECONDS, "61"),
        (names::MAX_BODY_READS, "0"),
        (names::MAX_BODY_READS, "4097"),
        (names::LOGIN_URL, "http://login.example.com/t"),
        (names::CHANNEL_OPENID_METADATA_URL, "not a url"),
        (names::APP_TENANT_ID, "a/b"),
        (names::STORE, "s3://bucket/state"),
        (names::REQUEST_TTL_SECONDS, "5"),
    ];
    let bad_values = bad_values
        .into_iter()
        .map(|(name, value)| (with_base(&[(name, value)]), name));
    for (pairs, expected) in missing.into_iter().chain(bad_values) {
        let error = load(&pairs).expect_err(expected).to_string();
        assert!(error.contains(expected), "{error:?} should name {expected}");
    }
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let config = load(&base()).unwrap();
    let shown = format!("{config:?} {}", config.app_password);
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("***"));
    assert_eq!(config.app_password.expose(), "hunter2-very-secret");
}

#[test]
fn loopback_http_is_allowed_for_stand_ins() {
    let config = load(&with_base(&[
        (names::LOGIN_URL, "http://127.0.0.1:9/tenant"),
        (
            names::CHANNEL_OPENID_METADATA_URL,
            "http://localhost:9/meta",
        ),
    ]))
    .unwrap();
    assert_eq!(
        config.token_endpoint().as_str(),
        "http://127.0.0.1:9/tenant/oauth2/v2.0/token"
    );
}

#[test]
fn the_config_file_bot_table_is_read() {
    let config = Config::from_toml_str(&format!(
        "[bot]\nMicrosoftAppId = \"{APP_ID}\"\nMicrosoftAppPassword = \"pw\"\nMicrosoftAppType = \"MultiTenant\"\nPORT = 8080\nAWS_CHATOPS_ALLOW_EMULATOR = true\n\n[other]\nignored = 1\n"
    ))
    .unwrap();
    assert_eq!(config.port, 8080);
    assert!(config.allow_emulator);
    assert_eq!(config.app_type, AppType::MultiTenant);
    let error = Config::from_toml_str("bot = 3").unwrap_err().to_string();
    assert!(error.contains("bot"), "{error}");
}

/// The public URL charts are served under: https with an optional path prefix that always
/// ends in `/`; plain http only on loopback; nothing that could smuggle credentials or a query.
#[test]
fn the_public_url_is_an_https_base() {
    assert_eq!(load(&base()).unwrap().public_url, None);
    let read = |value: &'static str| load(&with_base(&[(names::PUBLIC_URL, value)]));
    for (given, expected) in [
        ("https://bot.example.com", "https://bot.example.com/"),
        ("https://bot.example.com/", "https://bot.example.com/"),
        (
            "https://example.com/chatops",
            "https://example.com/chatops/",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
    ] {
        let url = read(given).unwrap().public_url.unwrap();
        assert_eq!(url.as_str(), expected, "{given}");
    }
    for bad in [
        "http://bot.example.com",
        "ftp://bot.example.com",
        "https://user:pw@bot.example.com",
        "https://bot.example.com/?a=b",
        "https://bot.example.com/#x",
        "not a url",
    ] {
        let error = read(bad).unwrap_err().to_string();
        assert!(error.contains(names::PUBLIC_URL), "{bad}: {error}");
        assert!(!error.contains("pw@"), "no credentials echoed: {error}");
    }
}
