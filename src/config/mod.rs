//! Typed, validated start-up configuration: the bot identity, the Bot Framework endpoints, the
//! listening port and the request limits. It must never log or print a secret, and it must never
//! read the process environment anywhere except in [`Config::load`].

mod file;
pub mod toml_limits;

use file::{lookup_table, parse_bot_table, read_bot_table};

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::ops::RangeInclusive;
use std::path::Path;
use std::str::FromStr;

use url::Url;

/// Default OpenID metadata for channel-to-bot tokens (botbuilder `ToBotFromChannelOpenIdMetadataUrl`).
pub const DEFAULT_CHANNEL_OPENID_METADATA_URL: &str =
    "https://login.botframework.com/v1/.well-known/openidconfiguration";
/// Default OpenID metadata for emulator tokens (Entra `common` v2.0).
pub const DEFAULT_EMULATOR_OPENID_METADATA_URL: &str =
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration";
/// Prefix of the login URL used for outbound tokens; the tenant follows it.
pub const LOGIN_URL_PREFIX: &str = "https://login.microsoftonline.com/";
/// The tenant multi-tenant bots ask for tokens (botbuilder `DefaultChannelAuthTenant`).
pub const MULTI_TENANT_AUTH_TENANT: &str = "botframework.com";
/// Default OAuth scope for the Bot Connector (botbuilder `ToChannelFromBotOAuthScope`).
pub const DEFAULT_OAUTH_SCOPE: &str = "https://api.botframework.com";
/// Default port, the one every Bot Framework sample uses.
pub const DEFAULT_PORT: u16 = 3978;
/// Default limit on the size of an inbound activity. Teams caps messages at about 100 KB of
/// UTF-16 text, so 256 KiB of JSON leaves room for channel data and attachments.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
/// Default deadline for reading an authenticated request's body: a Connector sends an activity
/// in milliseconds, and Teams gives up on the whole call after 15 s anyway.
pub const DEFAULT_BODY_READ_TIMEOUT_SECONDS: u64 = 10;
/// Default number of request bodies read at once. Memory held by bodies in flight is bounded by
/// this times `AWS_CHATOPS_MAX_BODY_BYTES` (16 MiB with the defaults).
pub const DEFAULT_MAX_BODY_READS: usize = 64;
/// Default store: an embedded file (nothing to install; survives restarts).
pub const DEFAULT_STORE: &str = "./data/aws-chatops.redb";
/// Default lifetime of a pending form or confirmation: 15 minutes.
pub const DEFAULT_REQUEST_TTL_SECONDS: u64 = 15 * 60;
/// Default time a command stays in `@aws history`: 30 days.
pub const DEFAULT_HISTORY_TTL_DAYS: u64 = 30;

/// The names of every setting, as they appear in the environment and in the `[bot]` table of
/// the config file. Bot identity names are Bot Framework's own.
pub mod names {
    pub const APP_ID: &str = "MicrosoftAppId";
    pub const APP_PASSWORD: &str = "MicrosoftAppPassword";
    pub const APP_TYPE: &str = "MicrosoftAppType";
    pub const APP_TENANT_ID: &str = "MicrosoftAppTenantId";
    pub const CHANNEL_OPENID_METADATA_URL: &str = "ToBotFromChannelOpenIdMetadataUrl";
    pub const EMULATOR_OPENID_METADATA_URL: &str = "ToBotFromEmulatorOpenIdMetadataUrl";
    pub const LOGIN_URL: &str = "ToChannelFromBotLoginUrl";
    pub const OAUTH_SCOPE: &str = "ToChannelFromBotOAuthScope";
    pub const PORT: &str = "PORT";
    pub const BIND_ADDRESS: &str = "AWS_CHATOPS_BIND_ADDRESS";
    pub const ALLOW_EMULATOR: &str = "AWS_CHATOPS_ALLOW_EMULATOR";
    pub const OUTBOUND_PACING: &str = "AWS_CHATOPS_OUTBOUND_PACING";
    pub const MAX_BODY_BYTES: &str = "AWS_CHATOPS_MAX_BODY_BYTES";
    pub const BODY_READ_TIMEOUT_SECONDS: &str = "AWS_CHATOPS_BODY_READ_TIMEOUT_SECONDS";
    pub const MAX_BODY_READS: &str = "AWS_CHATOPS_MAX_BODY_READS";
    pub const STORE: &str = "AWS_CHATOPS_STORE";
    pub const REQUEST_TTL_SECONDS: &str = "AWS_CHATOPS_REQUEST_TTL_SECONDS";
    pub const PUBLIC_URL: &str = "AWS_CHATOPS_PUBLIC_URL";
    pub const HISTORY_TTL_DAYS: &str = "AWS_CHATOPS_HISTORY_TTL_DAYS";

    /// Every setting above: what the `[bot]` table may hold (`check-config` flags others).
    pub const ALL: &[&str] = &[
        APP_ID,
        APP_PASSWORD,
        APP_TYPE,
        APP_TENANT_ID,
        CHANNEL_OPENID_METADATA_URL,
        EMULATOR_OPENID_METADATA_URL,
        LOGIN_URL,
        OAUTH_SCOPE,
        PORT,
        BIND_ADDRESS,
        ALLOW_EMULATOR,
        OUTBOUND_PACING,
        MAX_BODY_BYTES,
        BODY_READ_TIMEOUT_SECONDS,
        MAX_BODY_READS,
        STORE,
        REQUEST_TTL_SECONDS,
        PUBLIC_URL,
        HISTORY_TTL_DAYS,
    ];
}

/// A secret string. `Debug` and `Display` print `***`; call [`Secret::expose`] at the one place
/// that must send it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Only the outbound token request should call this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// How the bot's Entra application is registered (`MicrosoftAppType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppType {
    /// The app lives in one tenant; outbound tokens come from that tenant. The default, and the
    /// only kind Azure lets you create since July 2025.
    SingleTenant,
    /// Legacy multi-tenant registration; outbound tokens come from the `botframework.com` tenant.
    MultiTenant,
}

/// The validated configuration of the bot's front door.
#[derive(Debug, Clone)]
pub struct Config {
    /// `MicrosoftAppId`: the bot's Entra application id; inbound tokens must carry it as `aud`.
    pub app_id: String,
    /// `MicrosoftAppPassword`: the client secret used for outbound tokens.
    pub app_password: Secret,
    /// `MicrosoftAppType`.
    pub app_type: AppType,
    /// `MicrosoftAppTenantId`: required for single-tenant bots.
    pub tenant_id: Option<String>,
    /// `ToBotFromChannelOpenIdMetadataUrl`.
    pub channel_openid_metadata_url: Url,
    /// `ToBotFromEmulatorOpenIdMetadataUrl`, used only when `allow_emulator` is set.
    pub emulator_openid_metadata_url: Url,
    /// `ToChannelFromBotLoginUrl`: the login authority including the tenant; the token endpoint is
    /// `{login_url}/oauth2/v2.0/token`.
    pub login_url: Url,
    /// `ToChannelFromBotOAuthScope`: the resource; `/.default` is appended when asking for tokens.
    pub oauth_scope: String,
    /// `PORT`.
    pub port: u16,
    /// `AWS_CHATOPS_BIND_ADDRESS` (default `0.0.0.0`).
    pub bind_address: IpAddr,
    /// `AWS_CHATOPS_ALLOW_EMULATOR`: accept Bot Framework Emulator tokens. Off by default because
    /// the Entra keys that sign them sign every Entra token.
    pub allow_emulator: bool,
    /// `AWS_CHATOPS_OUTBOUND_PACING`: keep Teams' per-conversation and per-tenant rates by
    /// waiting for a slot (on by default; off only for load tests against a stand-in).
    pub outbound_pacing: bool,
    /// `AWS_CHATOPS_MAX_BODY_BYTES`: larger inbound bodies get 413.
    pub max_body_bytes: usize,
    /// `AWS_CHATOPS_BODY_READ_TIMEOUT_SECONDS`: an authenticated request whose body has not
    /// arrived in full by then gets 408 and its connection is closed (default 10; 1 to 60).
    pub body_read_timeout: std::time::Duration,
    /// `AWS_CHATOPS_MAX_BODY_READS`: request bodies read at once; further authenticated
    /// requests get 503 with `Retry-After` (default 64; 1 to 4096).
    pub max_body_reads: usize,
    /// `AWS_CHATOPS_STORE`: where pending requests and conversation references live: a file
    /// path for the embedded store (default `./data/aws-chatops.redb`) or a `redis://` URL
    /// when several replicas share state.
    pub store_location: String,
    /// `AWS_CHATOPS_REQUEST_TTL_SECONDS`: how long a form or confirmation can be used
    /// (default 900, 15 minutes; 60 to 86400).
    pub request_ttl: std::time::Duration,
    /// `AWS_CHATOPS_HISTORY_TTL_DAYS`: how long a command stays in `@aws history` (default
    /// 30; 1 to 365).
    pub history_ttl: std::time::Duration,
    /// `AWS_CHATOPS_PUBLIC_URL`: the public https base URL of the bot (the host of the
    /// messaging endpoint), under which Teams fetches alarm charts (`{base}charts/{id}.png`).
    /// A path prefix is allowed for a bot behind a reverse proxy; it always ends in `/`.
    /// Unset: charts are inline images or text sparklines.
    pub public_url: Option<Url>,
}

/// Why the configuration could not be loaded. Every message names the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required setting is absent from both the environment and the config file.
    #[error(
        "{name} is not set; set it in the environment or in the [bot] table of the config file"
    )]
    Missing { name: &'static str },
    /// A setting is present but its value cannot be used.
    #[error("{name} is malformed: {reason}")]
    Malformed { name: &'static str, reason: String },
    /// A setting names a mode this version does not implement yet.
    #[error("{name}={value} is not supported yet: {reason}")]
    Unsupported {
        name: &'static str,
        value: String,
        reason: &'static str,
    },
    /// The config file could not be read.
    #[error("cannot read config file {path}: {source}")]
    ReadFile {
        path: String,
        source: std::io::Error,
    },
    /// The config file is not valid TOML, or its `[bot]` entry is not a table.
    #[error("config file {path} is not valid: {reason}")]
    ParseFile { path: String, reason: String },
}

impl Config {
    /// Loads the configuration from the process environment, falling back to the `[bot]` table
    /// of the TOML file at `path` when one is given. The environment wins.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let file = match path {
            Some(path) => Some(read_bot_table(path)?),
            None => None,
        };
        Config::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| file.as_ref().and_then(|table| lookup_table(table, name)))
        })
    }

    /// Parses the `[bot]` table of a config file's contents and loads from it alone. Used by
    /// tests and by `check-config`.
    pub fn from_toml_str(contents: &str) -> Result<Config, ConfigError> {
        let table = parse_bot_table(contents, "<string>")?;
        Config::from_lookup(|name| lookup_table(&table, name))
    }

    /// Builds and validates the configuration from a lookup function (setting name → value).
    /// Settings are checked in the order of [`Config`]'s fields; the first bad one stops it.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &'static str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let identity = Identity::read(&lookup, &get)?;
        let endpoints = Endpoints::read(&get, &identity.auth_tenant()?)?;

        let settings = Settings(&get);
        let port = settings.parsed(names::PORT, DEFAULT_PORT, "a port number (0-65535)")?;
        let bind_address = settings.parsed(
            names::BIND_ADDRESS,
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            "an IP address",
        )?;
        let allow_emulator = settings.flag(names::ALLOW_EMULATOR, false)?;
        let outbound_pacing = settings.flag(names::OUTBOUND_PACING, true)?;
        let max_body_bytes = settings.within(
            names::MAX_BODY_BYTES,
            DEFAULT_MAX_BODY_BYTES,
            1024..=16 * 1024 * 1024,
            "a byte count",
        )?;

        let body_read_timeout = settings.within(
            names::BODY_READ_TIMEOUT_SECONDS,
            DEFAULT_BODY_READ_TIMEOUT_SECONDS,
            1..=60,
            "a number of seconds",
        )?;
        let max_body_reads = settings.within(
            names::MAX_BODY_READS,
            DEFAULT_MAX_BODY_READS,
            1..=4096,
            "a count",
        )?;

        let store_location = store_location(get(names::STORE))?;
        let request_ttl = settings.within(
            names::REQUEST_TTL_SECONDS,
            DEFAULT_REQUEST_TTL_SECONDS,
            60..=86_400,
            "a number of seconds",
        )?;

        let history_ttl_days = settings.within(
            names::HISTORY_TTL_DAYS,
            DEFAULT_HISTORY_TTL_DAYS,
            1..=365,
            "a number of days",
        )?;

        let public_url = public_url(get(names::PUBLIC_URL))?;

        Ok(Config {
            app_id: identity.app_id,
            app_password: identity.app_password,
            app_type: identity.app_type,
            tenant_id: identity.tenant_id,
            channel_openid_metadata_url: endpoints.channel_openid_metadata_url,
            emulator_openid_metadata_url: endpoints.emulator_openid_metadata_url,
            login_url: endpoints.login_url,
            oauth_scope: endpoints.oauth_scope,
            port,
            bind_address,
            allow_emulator,
            outbound_pacing,
            max_body_bytes,
            body_read_timeout: std::time::Duration::from_secs(body_read_timeout),
            max_body_reads,
            store_location,
            request_ttl: std::time::Duration::from_secs(request_ttl),
            history_ttl: std::time::Duration::from_secs(history_ttl_days * 24 * 60 * 60),
            public_url,
        })
    }

    /// The client-credentials token endpoint: `{ToChannelFromBotLoginUrl}/oauth2/v2.0/token`.
    pub fn token_endpoint(&self) -> Url {
        let base = self.login_url.as_str().trim_end_matches('/');
        // The login URL was validated as a URL and the suffix is a plain path, so this cannot fail.
        Url::parse(&format!("{base}/oauth2/v2.0/token")).expect("login URL plus a path is a URL")
    }

    /// The scope to ask for: the configured resource plus `/.default`.
    pub fn token_scope(&self) -> String {
        let scope = self.oauth_scope.trim_end_matches('/');
        if scope.ends_with("/.default") {
            scope.to_owned()
        } else {
            format!("{scope}/.default")
        }
    }
}

/// The bot's Entra application: the first settings read, in this order.
struct Identity {
    app_id: String,
    app_password: Secret,
    app_type: AppType,
    tenant_id: Option<String>,
}

impl Identity {
    /// `lookup` gives raw values (the password is read through it); `get` trimmed, non-empty ones.
    fn read(
        lookup: &impl Fn(&str) -> Option<String>,
        get: &impl Fn(&'static str) -> Option<String>,
    ) -> Result<Identity, ConfigError> {
        let app_id = get(names::APP_ID).ok_or(ConfigError::Missing {
            name: names::APP_ID,
        })?;
        uuid::Uuid::parse_str(&app_id).map_err(|_| ConfigError::Malformed {
            name: names::APP_ID,
            reason: "expected the application (client) id, a GUID such as 00000000-0000-0000-0000-000000000000".into(),
        })?;
        // The password is never trimmed: a secret may legitimately end in whitespace-like text.
        let app_password = lookup(names::APP_PASSWORD)
            .filter(|value| !value.is_empty())
            .map(Secret::new)
            .ok_or(ConfigError::Missing {
                name: names::APP_PASSWORD,
            })?;
        let app_type = app_type(get(names::APP_TYPE))?;
        let tenant_id = tenant_id(get(names::APP_TENANT_ID))?;
        Ok(Identity {
            app_id,
            app_password,
            app_type,
            tenant_id,
        })
    }

    /// The tenant outbound tokens come from: the app's own, or `botframework.com` for a
    /// multi-tenant app. A single-tenant app without a tenant id stops here.
    fn auth_tenant(&self) -> Result<String, ConfigError> {
        match self.app_type {
            AppType::SingleTenant => self.tenant_id.clone().ok_or(ConfigError::Missing {
                name: names::APP_TENANT_ID,
            }),
            AppType::MultiTenant => Ok(MULTI_TENANT_AUTH_TENANT.to_owned()),
        }
    }
}

/// `MicrosoftAppType`: SingleTenant when unset.
fn app_type(value: Option<String>) -> Result<AppType, ConfigError> {
    let Some(value) = value else {
        return Ok(AppType::SingleTenant);
    };
    match value.to_ascii_lowercase().as_str() {
        "singletenant" => Ok(AppType::SingleTenant),
        "multitenant" => Ok(AppType::MultiTenant),
        "userassignedmsi" => Err(ConfigError::Unsupported {
            name: names::APP_TYPE,
            value,
            reason: "managed identities are planned; use SingleTenant with a client secret for now",
        }),
        _ => Err(ConfigError::Malformed {
            name: names::APP_TYPE,
            reason: format!("{value:?} is not one of SingleTenant, MultiTenant, UserAssignedMSI"),
        }),
    }
}

/// `MicrosoftAppTenantId`, when set: a GUID or a domain name, nothing that could change the
/// login URL's path.
fn tenant_id(value: Option<String>) -> Result<Option<String>, ConfigError> {
    if let Some(tenant) = &value {
        let valid = tenant
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(ConfigError::Malformed {
                name: names::APP_TENANT_ID,
                reason: "expected a tenant GUID or a domain name".into(),
            });
        }
    }
    Ok(value)
}

/// Where inbound tokens' keys come from and where outbound tokens are asked for.
struct Endpoints {
    channel_openid_metadata_url: Url,
    emulator_openid_metadata_url: Url,
    login_url: Url,
    oauth_scope: String,
}

impl Endpoints {
    /// The login URL defaults to the one of `auth_tenant`.
    fn read(
        get: &impl Fn(&'static str) -> Option<String>,
        auth_tenant: &str,
    ) -> Result<Endpoints, ConfigError> {
        let channel_openid_metadata_url = endpoint(
            names::CHANNEL_OPENID_METADATA_URL,
            get(names::CHANNEL_OPENID_METADATA_URL),
            DEFAULT_CHANNEL_OPENID_METADATA_URL,
        )?;
        let emulator_openid_metadata_url = endpoint(
            names::EMULATOR_OPENID_METADATA_URL,
            get(names::EMULATOR_OPENID_METADATA_URL),
            DEFAULT_EMULATOR_OPENID_METADATA_URL,
        )?;
        let login_url = endpoint(
            names::LOGIN_URL,
            get(names::LOGIN_URL),
            &format!("{LOGIN_URL_PREFIX}{auth_tenant}"),
        )?;
        let oauth_scope = get(names::OAUTH_SCOPE).unwrap_or_else(|| DEFAULT_OAUTH_SCOPE.into());
        if oauth_scope.chars().any(char::is_whitespace) {
            return Err(ConfigError::Malformed {
                name: names::OAUTH_SCOPE,
                reason: "a scope cannot contain whitespace".into(),
            });
        }
        Ok(Endpoints {
            channel_openid_metadata_url,
            emulator_openid_metadata_url,
            login_url,
            oauth_scope,
        })
    }
}

/// `AWS_CHATOPS_STORE`: a file path, or a `redis://`/`rediss://` URL; no other scheme.
fn store_location(value: Option<String>) -> Result<String, ConfigError> {
    let store_location = value.unwrap_or_else(|| DEFAULT_STORE.to_owned());
    if store_location.contains("://")
        && !(store_location.starts_with("redis://") || store_location.starts_with("rediss://"))
    {
        return Err(ConfigError::Malformed {
            name: names::STORE,
            reason: format!(
                "{store_location:?} is neither a file path nor a redis:// or rediss:// URL"
            ),
        });
    }
    Ok(store_location)
}

/// `AWS_CHATOPS_PUBLIC_URL`, when set: https (http only on loopback, for tests), a host, no
/// credentials, query or fragment; the path, if any, is a prefix and gets a trailing `/`.
fn public_url(value: Option<String>) -> Result<Option<Url>, ConfigError> {
    let Some(raw) = value else {
        return Ok(None);
    };
    let malformed = |reason: String| ConfigError::Malformed {
        name: names::PUBLIC_URL,
        reason,
    };
    let mut url =
        Url::parse(&raw).map_err(|error| malformed(format!("{raw:?} is not a URL ({error})")))?;
    if !is_https_or_loopback(&url) {
        return Err(malformed(format!(
            "{raw:?} must use https (plain http is accepted only for loopback addresses)"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(malformed(
            "the URL must not carry a user name or password".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(malformed(format!(
            "{raw:?} must be a base URL without a query or fragment"
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(Some(url))
}

fn endpoint(name: &'static str, value: Option<String>, default: &str) -> Result<Url, ConfigError> {
    let raw = value.as_deref().unwrap_or(default);
    let url = Url::parse(raw).map_err(|error| ConfigError::Malformed {
        name,
        reason: format!("{raw:?} is not a URL ({error})"),
    })?;
    if !is_https_or_loopback(&url) {
        return Err(ConfigError::Malformed {
            name,
            reason: format!(
                "{raw:?} must use https (plain http is accepted only for loopback addresses)"
            ),
        });
    }
    Ok(url)
}

/// True for `https` URLs, and for `http` URLs whose host is a loopback address (the test
/// stand-ins). Tokens and secrets are never sent anywhere else.
pub fn is_https_or_loopback(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// The optional settings, read through the lookup by name: an unset setting has its default,
/// and a value that does not read stops start-up with the setting's name and what it should be.
struct Settings<G>(G);

impl<G: Fn(&'static str) -> Option<String>> Settings<G> {
    /// The value `parse` reads; the message says "… is not `expected`" when it reads none.
    fn read<T>(
        &self,
        name: &'static str,
        default: T,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, ConfigError> {
        match (self.0)(name) {
            None => Ok(default),
            Some(value) => parse(&value).ok_or_else(|| ConfigError::Malformed {
                name,
                reason: format!("{value:?} is not {expected}"),
            }),
        }
    }

    /// A value of a type that parses from text (a port, an address).
    fn parsed<T: FromStr>(
        &self,
        name: &'static str,
        default: T,
        expected: &str,
    ) -> Result<T, ConfigError> {
        self.read(name, default, expected, |value| value.parse::<T>().ok())
    }

    /// true or false (also 1/0, yes/no, on/off).
    fn flag(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        self.read(name, default, "true or false", parse_bool)
    }

    /// A whole number within `range`; `what` names it in the message ("a count").
    fn within<T: FromStr + PartialOrd + fmt::Display>(
        &self,
        name: &'static str,
        default: T,
        range: RangeInclusive<T>,
        what: &str,
    ) -> Result<T, ConfigError> {
        let expected = format!("{what} between {} and {}", range.start(), range.end());
        self.read(name, default, &expected, |value| {
            value
                .parse::<T>()
                .ok()
                .filter(|number| range.contains(number))
        })
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
