//! Validation of the bearer token on each inbound activity (Bot Framework channel tokens, and
//! Emulator tokens when explicitly enabled), in two steps: the `Authorization` header alone
//! (signature, issuer, audience, lifetime; cached per token), then the activity (endorsement of
//! `channelId`, `serviceurl`). It must never accept a token without checking its signature,
//! issuer, audience, lifetime, endorsement and service URL, and never fetch keys for an issuer it
//! does not trust.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::keys::{KeyCache, SigningKey};
use super::token_cache::{self, VerifiedTokenCache, DEFAULT_TOKEN_CACHE_CAPACITY};

/// The issuer of every Bot Framework channel token.
pub const CHANNEL_ISSUER: &str = "https://api.botframework.com";
/// Clock skew tolerated on `exp` and `nbf`, in seconds (Bot Framework's "industry-standard" 5 min).
pub const CLOCK_SKEW_SECONDS: u64 = 300;
/// The only signing algorithms accepted, checked on the header before any key is looked up.
pub const ALLOWED_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512];

/// Issuers of Bot Framework Emulator tokens (botbuilder `ToBotFromBotOrEmulatorTokenValidationParameters`).
const EMULATOR_ISSUERS: [&str; 4] = [
    "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
    "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
    "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
    "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
];

/// Why an inbound request was refused. Every variant becomes HTTP 401 with an empty body; the
/// variant is only logged.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header, or an empty one.
    #[error("no Authorization header")]
    MissingHeader,
    /// The header is not exactly `Bearer <token>` (scheme case-sensitive, one space).
    #[error("Authorization header is not `Bearer <token>`")]
    BadScheme,
    /// The token is not a well-formed JWT (three base64url parts with JSON header and claims).
    #[error("token is not a well-formed JWT: {0}")]
    Malformed(String),
    /// The header `alg` is not RS256, RS384 or RS512.
    #[error("signing algorithm {0} is not allowed")]
    DisallowedAlgorithm(String),
    /// The header has no `kid`, so no key can be chosen.
    #[error("token header has no kid")]
    MissingKid,
    /// The unverified `iss` is neither the channel issuer nor (when enabled) an Emulator issuer.
    #[error("issuer {0:?} is not trusted")]
    UntrustedIssuer(String),
    /// An Emulator token arrived while the Emulator path is disabled.
    #[error("emulator token refused: the emulator path is disabled")]
    EmulatorDisabled,
    /// No key with this `kid` is published, even after the allowed refresh.
    #[error("no signing key with kid {0:?}")]
    UnknownKey(String),
    /// The signature does not verify with the published key.
    #[error("signature does not verify")]
    BadSignature,
    /// `exp` is more than 5 minutes in the past.
    #[error("token has expired")]
    Expired,
    /// `nbf` is more than 5 minutes in the future.
    #[error("token is not valid yet")]
    NotYetValid,
    /// The verified `iss` is not the expected issuer.
    #[error("issuer claim does not match")]
    WrongIssuer,
    /// `aud` (channel) or `appid`/`azp` (Emulator) is not this bot's app id.
    #[error("token is for another app")]
    WrongAudience,
    /// A required claim (`exp`, `iss`, `aud`) is absent.
    #[error("required claim {0} is missing")]
    MissingClaim(String),
    /// Any other failure reported by the JWT library.
    #[error("token rejected: {0}")]
    Invalid(String),
    /// The activity has no `channelId`, so the endorsement cannot be checked.
    #[error("activity has no channelId")]
    MissingChannelId,
    /// The key is not endorsed for the activity's channel (or has no endorsements at all).
    #[error("signing key is not endorsed for channel {0:?}")]
    NotEndorsed(String),
    /// The activity has no `serviceUrl`.
    #[error("activity has no serviceUrl")]
    MissingServiceUrl,
    /// The token has no `serviceurl` claim.
    #[error("token has no serviceurl claim")]
    MissingServiceUrlClaim,
    /// The `serviceurl` claim differs from `activity.serviceUrl` (compared ignoring ASCII case).
    #[error("serviceurl claim does not match the activity")]
    ServiceUrlMismatch,
    /// Emulator token with a `ver` other than 1.0 or 2.0.
    #[error("emulator token version {0:?} is not supported")]
    UnsupportedTokenVersion(String),
}

impl AuthError {
    /// A fixed name for the metrics (`auth_failures_total{reason}`).
    pub fn reason(&self) -> &'static str {
        match self {
            AuthError::MissingHeader => "missing_header",
            AuthError::BadScheme => "bad_scheme",
            AuthError::Malformed(..) => "malformed",
            AuthError::DisallowedAlgorithm(..) => "disallowed_algorithm",
            AuthError::MissingKid => "missing_kid",
            AuthError::UntrustedIssuer(..) => "untrusted_issuer",
            AuthError::EmulatorDisabled => "emulator_disabled",
            AuthError::UnknownKey(..) => "unknown_key",
            AuthError::BadSignature => "bad_signature",
            AuthError::Expired => "expired",
            AuthError::NotYetValid => "not_yet_valid",
            AuthError::WrongIssuer => "wrong_issuer",
            AuthError::WrongAudience => "wrong_audience",
            AuthError::MissingClaim(..) => "missing_claim",
            AuthError::Invalid(..) => "invalid",
            AuthError::MissingChannelId => "missing_channel_id",
            AuthError::NotEndorsed(..) => "not_endorsed",
            AuthError::MissingServiceUrl => "missing_service_url",
            AuthError::MissingServiceUrlClaim => "missing_service_url_claim",
            AuthError::ServiceUrlMismatch => "service_url_mismatch",
            AuthError::UnsupportedTokenVersion(..) => "unsupported_token_version",
        }
    }
}

/// What a verified token says about the caller.
#[derive(Debug, Clone)]
pub struct VerifiedCaller {
    /// The service URL the token vouches for (the activity's, after the comparison).
    pub service_url: String,
    /// True when the token came from the Bot Framework Emulator.
    pub emulator: bool,
}

/// Where "now" comes from, so that tests move time instead of sleeping.
pub trait Clock: Send + Sync + 'static {
    /// Seconds since the Unix epoch.
    fn unix_seconds(&self) -> u64;
}

/// The system's wall clock: token lifetimes are wall-clock times.
pub struct SystemClock;

impl Clock for SystemClock {
    fn unix_seconds(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or(0)
    }
}

/// Which key set signed a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    Channel,
    Emulator,
}

/// A token whose signature, issuer, audience and lifetime were verified from the
/// `Authorization` header alone. The activity checks ([`TokenValidator::check_activity`]) have
/// not run yet: this is not permission to process an activity.
pub struct VerifiedToken {
    path: Path,
    /// The key that verified the signature; its endorsements are checked against the activity.
    key: Arc<SigningKey>,
    service_url_claim: Option<String>,
    expires_at: u64,
    not_before: Option<u64>,
}

impl VerifiedToken {
    /// True while the token's lifetime (with the clock skew) includes `now`.
    pub fn is_live_at(&self, now: u64) -> bool {
        check_lifetime(self.expires_at, self.not_before, now).is_ok()
    }
}

impl fmt::Debug for VerifiedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("path", &self.path)
            .field("kid", &self.key.kid)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A NumericDate claim (`exp`, `nbf`): seconds since the epoch, possibly with a fraction.
fn numeric_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    let value = Option::<f64>::deserialize(deserializer)?;
    match value {
        None => Ok(None),
        Some(seconds) if seconds.is_finite() && seconds >= 0.0 && seconds < u64::MAX as f64 => {
            Ok(Some(seconds as u64))
        }
        Some(_) => Err(serde::de::Error::custom(
            "a NumericDate must be a non-negative number",
        )),
    }
}

#[derive(Debug, Deserialize)]
struct ChannelClaims {
    serviceurl: Option<String>,
    #[serde(default, deserialize_with = "numeric_date")]
    exp: Option<u64>,
    #[serde(default, deserialize_with = "numeric_date")]
    nbf: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct EmulatorClaims {
    ver: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
    #[serde(default, deserialize_with = "numeric_date")]
    exp: Option<u64>,
    #[serde(default, deserialize_with = "numeric_date")]
    nbf: Option<u64>,
}

/// The claims a token's lifetime is read from, whichever path verifies it.
trait Lifetime {
    /// `exp` and `nbf`, as the token gives them.
    fn lifetime(&self) -> (Option<u64>, Option<u64>);
}

impl Lifetime for ChannelClaims {
    fn lifetime(&self) -> (Option<u64>, Option<u64>) {
        (self.exp, self.nbf)
    }
}

impl Lifetime for EmulatorClaims {
    fn lifetime(&self) -> (Option<u64>, Option<u64>) {
        (self.exp, self.nbf)
    }
}

#[derive(Deserialize)]
struct UnverifiedClaims {
    iss: Option<String>,
}

/// `exp` and `nbf` against `now`, with [`CLOCK_SKEW_SECONDS`] either way (the rule
/// jsonwebtoken applies with `leeway`, done here so that the clock can be injected).
fn check_lifetime(expires_at: u64, not_before: Option<u64>, now: u64) -> Result<(), AuthError> {
    if expires_at.saturating_add(CLOCK_SKEW_SECONDS) < now {
        return Err(AuthError::Expired);
    }
    if not_before.is_some_and(|nbf| nbf > now.saturating_add(CLOCK_SKEW_SECONDS)) {
        return Err(AuthError::NotYetValid);
    }
    Ok(())
}

/// Validates inbound bearer tokens for one bot.
pub struct TokenValidator {
    app_id: String,
    channel_keys: Arc<KeyCache>,
    emulator_keys: Option<Arc<KeyCache>>,
    clock: Arc<dyn Clock>,
    cache: VerifiedTokenCache,
    signature_checks: AtomicU64,
}

impl TokenValidator {
    /// `emulator_keys` is `Some` only when the Emulator path is explicitly enabled.
    pub fn new(
        app_id: String,
        channel_keys: Arc<KeyCache>,
        emulator_keys: Option<Arc<KeyCache>>,
    ) -> Self {
        TokenValidator {
            app_id,
            channel_keys,
            emulator_keys,
            clock: Arc::new(SystemClock),
            cache: VerifiedTokenCache::new(DEFAULT_TOKEN_CACHE_CAPACITY),
            signature_checks: AtomicU64::new(0),
        }
    }

    /// Reads "now" from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Keeps at most `capacity` verified tokens (0: verify every token from scratch).
    pub fn with_cache_capacity(mut self, capacity: usize) -> Self {
        self.cache = VerifiedTokenCache::new(capacity);
        self
    }

    /// The channel key cache (for readiness and the background refresh).
    pub fn channel_keys(&self) -> &Arc<KeyCache> {
        &self.channel_keys
    }

    /// The Emulator key cache, when that path is enabled.
    pub fn emulator_keys(&self) -> Option<&Arc<KeyCache>> {
        self.emulator_keys.as_ref()
    }

    /// How many signatures were verified (cache misses that got as far as the signature).
    pub fn signature_checks(&self) -> u64 {
        self.signature_checks.load(Ordering::Relaxed)
    }

    /// How many verified tokens are cached.
    pub fn cached_tokens(&self) -> usize {
        self.cache.len()
    }

    /// Both steps: [`verify_header`](Self::verify_header), then
    /// [`check_activity`](Self::check_activity).
    pub async fn validate(
        &self,
        authorization: Option<&str>,
        channel_id: Option<&str>,
        service_url: Option<&str>,
    ) -> Result<VerifiedCaller, AuthError> {
        let token = self.verify_header(authorization).await?;
        self.check_activity(&token, channel_id, service_url)
    }

    /// The first step, from the raw `Authorization` header alone and in the order botbuilder
    /// uses: scheme, algorithm, `kid`, issuer path, key, signature, issuer, audience, lifetime.
    /// A token that passed before is served from the cache while it is live and its key is
    /// still published. Fails closed at every step.
    pub async fn verify_header(
        &self,
        authorization: Option<&str>,
    ) -> Result<Arc<VerifiedToken>, AuthError> {
        let token = bearer_token(authorization)?;
        let now = self.clock.unix_seconds();
        let digest = token_cache::digest(token);
        if let Some(cached) = self
            .cache
            .get(&digest, |cached| self.still_valid(cached, now))
        {
            return Ok(cached);
        }

        let jwt_header =
            jsonwebtoken::decode_header(token).map_err(|error| match error.kind() {
                // The crate refuses to parse unknown algorithms such as `none`; report those as such.
                ErrorKind::Json(_) => unknown_algorithm(token)
                    .map(AuthError::DisallowedAlgorithm)
                    .unwrap_or_else(|| AuthError::Malformed(error.to_string())),
                _ => AuthError::Malformed(error.to_string()),
            })?;
        if !ALLOWED_ALGORITHMS.contains(&jwt_header.alg) {
            return Err(AuthError::DisallowedAlgorithm(format!(
                "{:?}",
                jwt_header.alg
            )));
        }
        let kid = jwt_header.kid.ok_or(AuthError::MissingKid)?;

        let issuer = unverified_issuer(token)?;
        let verified = if issuer == CHANNEL_ISSUER {
            self.verify_channel(token, jwt_header.alg, &kid, now)
                .await?
        } else if EMULATOR_ISSUERS.contains(&issuer.as_str()) {
            match &self.emulator_keys {
                Some(keys) => {
                    self.verify_emulator(token, jwt_header.alg, &kid, &issuer, keys, now)
                        .await?
                }
                None => return Err(AuthError::EmulatorDisabled),
            }
        } else {
            return Err(AuthError::UntrustedIssuer(issuer));
        };
        let verified = Arc::new(verified);
        self.cache.insert(digest, verified.clone(), now);
        Ok(verified)
    }

    /// The second step, once the body is read: the key's endorsement of the activity's
    /// `channelId` and the `serviceurl` claim against its `serviceUrl`. Runs on every activity,
    /// cached token or not.
    pub fn check_activity(
        &self,
        token: &VerifiedToken,
        channel_id: Option<&str>,
        service_url: Option<&str>,
    ) -> Result<VerifiedCaller, AuthError> {
        if token.path == Path::Emulator {
            return Ok(VerifiedCaller {
                service_url: service_url.unwrap_or_default().to_owned(),
                emulator: true,
            });
        }

        // The endorsement proves the key may sign for this channel. A key without endorsements
        // is refused too (as botbuilder-dotnet does): we only trust keys endorsed for the channel.
        let channel_id = channel_id
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or(AuthError::MissingChannelId)?;
        if !token
            .key
            .endorsements
            .iter()
            .any(|endorsed| endorsed == channel_id)
        {
            return Err(AuthError::NotEndorsed(channel_id.to_owned()));
        }

        let service_url = service_url
            .filter(|url| !url.is_empty())
            .ok_or(AuthError::MissingServiceUrl)?;
        let claimed = token
            .service_url_claim
            .as_deref()
            .filter(|url| !url.is_empty())
            .ok_or(AuthError::MissingServiceUrlClaim)?;
        if !claimed.eq_ignore_ascii_case(service_url) {
            return Err(AuthError::ServiceUrlMismatch);
        }
        Ok(VerifiedCaller {
            service_url: service_url.to_owned(),
            emulator: false,
        })
    }

    /// A cached token still stands when it is live now and the very key that verified it is
    /// still published under its kid (a refresh that drops or replaces the key ends it).
    fn still_valid(&self, cached: &VerifiedToken, now: u64) -> bool {
        let keys = match cached.path {
            Path::Channel => Some(&self.channel_keys),
            Path::Emulator => self.emulator_keys.as_ref(),
        };
        cached.is_live_at(now)
            && keys
                .and_then(|keys| keys.current(&cached.key.kid))
                .is_some_and(|current| Arc::ptr_eq(&current, &cached.key))
    }

    /// Library checks (signature, algorithm family, issuer, audience, required claims); the
    /// lifetime is checked by [`check_lifetime`] against the injected clock.
    fn validation(alg: Algorithm, issuer: &str) -> Validation {
        let mut validation = Validation::new(alg);
        validation.algorithms = ALLOWED_ALGORITHMS.to_vec();
        validation.leeway = CLOCK_SKEW_SECONDS;
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_issuer(&[issuer]);
        validation
    }

    async fn verify_channel(
        &self,
        token: &str,
        alg: Algorithm,
        kid: &str,
        now: u64,
    ) -> Result<VerifiedToken, AuthError> {
        let mut validation = Self::validation(alg, CHANNEL_ISSUER);
        validation.set_audience(&[&self.app_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let (mut verified, claims) = self
            .decode::<ChannelClaims>(
                Path::Channel,
                token,
                kid,
                &self.channel_keys,
                &validation,
                now,
            )
            .await?;
        verified.service_url_claim = claims.serviceurl;
        Ok(verified)
    }

    async fn verify_emulator(
        &self,
        token: &str,
        alg: Algorithm,
        kid: &str,
        issuer: &str,
        keys: &KeyCache,
        now: u64,
    ) -> Result<VerifiedToken, AuthError> {
        let mut validation = Self::validation(alg, issuer);
        // Emulator tokens carry the app id in `appid` (v1.0) or `azp` (v2.0), checked below.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        let (verified, claims) = self
            .decode::<EmulatorClaims>(Path::Emulator, token, kid, keys, &validation, now)
            .await?;
        let app_id = match claims.ver.as_deref() {
            Some("1.0") => claims.appid,
            Some("2.0") => claims.azp,
            other => {
                return Err(AuthError::UnsupportedTokenVersion(
                    other.unwrap_or_default().to_owned(),
                ))
            }
        };
        if app_id.as_deref() != Some(self.app_id.as_str()) {
            return Err(AuthError::WrongAudience);
        }
        Ok(verified)
    }

    /// What both paths check alike: the signature with the key `kid` names in `keys` (one
    /// counted signature check), the library checks of `validation`, and the lifetime at
    /// `now`. Returns the token verified so far (no `serviceurl` claim yet) and its claims,
    /// for the path's own checks.
    async fn decode<C: DeserializeOwned + Lifetime>(
        &self,
        path: Path,
        token: &str,
        kid: &str,
        keys: &KeyCache,
        validation: &Validation,
        now: u64,
    ) -> Result<(VerifiedToken, C), AuthError> {
        let key = keys
            .get(kid)
            .await
            .ok_or_else(|| AuthError::UnknownKey(kid.to_owned()))?;
        self.signature_checks.fetch_add(1, Ordering::Relaxed);
        let claims = jsonwebtoken::decode::<C>(token, &key.decoding_key, validation)
            .map_err(map_jwt_error)?
            .claims;
        let (exp, not_before) = claims.lifetime();
        let expires_at = exp.ok_or_else(|| AuthError::MissingClaim("exp".into()))?;
        check_lifetime(expires_at, not_before, now)?;
        let verified = VerifiedToken {
            path,
            key,
            service_url_claim: None,
            expires_at,
            not_before,
        };
        Ok((verified, claims))
    }
}

/// The token of an `Authorization` header that is exactly `Bearer <token>` (scheme
/// case-sensitive, one space), as botbuilder requires.
fn bearer_token(authorization: Option<&str>) -> Result<&str, AuthError> {
    let header = authorization
        .filter(|value| !value.is_empty())
        .ok_or(AuthError::MissingHeader)?;
    let mut parts = header.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("Bearer"), Some(token), None) if !token.is_empty() => Ok(token),
        _ => Err(AuthError::BadScheme),
    }
}

fn map_jwt_error(error: jsonwebtoken::errors::Error) -> AuthError {
    match error.kind() {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
        ErrorKind::InvalidAudience => AuthError::WrongAudience,
        ErrorKind::InvalidAlgorithm => AuthError::DisallowedAlgorithm("mismatch".into()),
        ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
        _ => AuthError::Invalid(error.to_string()),
    }
}

/// Reads `iss` from the token without verifying it; used only to choose the validation path.
fn unverified_issuer(token: &str) -> Result<String, AuthError> {
    let payload = token
        .split('.')
        .nth(1)
        .ok_or_else(|| AuthError::Malformed("no claims part".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|error| AuthError::Malformed(format!("claims are not base64url: {error}")))?;
    let claims: UnverifiedClaims = serde_json::from_slice(&bytes)
        .map_err(|error| AuthError::Malformed(format!("claims are not JSON: {error}")))?;
    claims
        .iss
        .ok_or_else(|| AuthError::MissingClaim("iss".into()))
}

/// When the header names an algorithm the JWT crate does not know (such as `none`), return it.
fn unknown_algorithm(token: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct RawHeader {
        alg: Option<String>,
    }
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<RawHeader>(&bytes).ok()?.alg
}

#[cfg(test)]
mod tests;
