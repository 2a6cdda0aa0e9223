//! Validation of the bearer token on each inbound activity (Bot Framework channel tokens, and
//! Emulator tokens when explicitly enabled). It must never accept a token without checking its
//! signature, issuer, audience, lifetime, endorsement and service URL, and never fetch keys for an
//! issuer it does not trust.

use std::sync::Arc;

use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use super::keys::KeyCache;

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

/// What a verified token says about the caller.
#[derive(Debug, Clone)]
pub struct VerifiedCaller {
    /// The service URL the token vouches for (the activity's, after the comparison).
    pub service_url: String,
    /// True when the token came from the Bot Framework Emulator.
    pub emulator: bool,
}

#[derive(Debug, Deserialize)]
struct ChannelClaims {
    serviceurl: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EmulatorClaims {
    ver: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
}

#[derive(Deserialize)]
struct UnverifiedClaims {
    iss: Option<String>,
}

/// Validates inbound bearer tokens for one bot.
pub struct TokenValidator {
    app_id: String,
    channel_keys: Arc<KeyCache>,
    emulator_keys: Option<Arc<KeyCache>>,
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
        }
    }

    /// The channel key cache (for readiness and the background refresh).
    pub fn channel_keys(&self) -> &Arc<KeyCache> {
        &self.channel_keys
    }

    /// The Emulator key cache, when that path is enabled.
    pub fn emulator_keys(&self) -> Option<&Arc<KeyCache>> {
        self.emulator_keys.as_ref()
    }

    /// Checks `authorization` (the raw header value) against the activity's `channelId` and
    /// `serviceUrl`, in the order botbuilder uses, failing closed at every step.
    pub async fn validate(
        &self,
        authorization: Option<&str>,
        channel_id: Option<&str>,
        service_url: Option<&str>,
    ) -> Result<VerifiedCaller, AuthError> {
        let header = authorization
            .filter(|value| !value.is_empty())
            .ok_or(AuthError::MissingHeader)?;
        let mut parts = header.split(' ');
        let token = match (parts.next(), parts.next(), parts.next()) {
            (Some("Bearer"), Some(token), None) if !token.is_empty() => token,
            _ => return Err(AuthError::BadScheme),
        };

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
        if issuer == CHANNEL_ISSUER {
            self.validate_channel(token, jwt_header.alg, &kid, channel_id, service_url)
                .await
        } else if EMULATOR_ISSUERS.contains(&issuer.as_str()) {
            match &self.emulator_keys {
                Some(keys) => {
                    self.validate_emulator(token, jwt_header.alg, &kid, &issuer, keys, service_url)
                        .await
                }
                None => Err(AuthError::EmulatorDisabled),
            }
        } else {
            Err(AuthError::UntrustedIssuer(issuer))
        }
    }

    async fn validate_channel(
        &self,
        token: &str,
        alg: Algorithm,
        kid: &str,
        channel_id: Option<&str>,
        service_url: Option<&str>,
    ) -> Result<VerifiedCaller, AuthError> {
        let key = self
            .channel_keys
            .get(kid)
            .await
            .ok_or_else(|| AuthError::UnknownKey(kid.to_owned()))?;

        let mut validation = Validation::new(alg);
        validation.algorithms = ALLOWED_ALGORITHMS.to_vec();
        validation.leeway = CLOCK_SKEW_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_issuer(&[CHANNEL_ISSUER]);
        validation.set_audience(&[&self.app_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let claims = jsonwebtoken::decode::<ChannelClaims>(token, &key.decoding_key, &validation)
            .map_err(map_jwt_error)?
            .claims;

        // The endorsement proves the key may sign for this channel. A key without endorsements
        // is refused too (as botbuilder-dotnet does): we only trust keys endorsed for the channel.
        let channel_id = channel_id
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or(AuthError::MissingChannelId)?;
        if !key
            .endorsements
            .iter()
            .any(|endorsed| endorsed == channel_id)
        {
            return Err(AuthError::NotEndorsed(channel_id.to_owned()));
        }

        let service_url = service_url
            .filter(|url| !url.is_empty())
            .ok_or(AuthError::MissingServiceUrl)?;
        let claimed = claims
            .serviceurl
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

    async fn validate_emulator(
        &self,
        token: &str,
        alg: Algorithm,
        kid: &str,
        issuer: &str,
        keys: &KeyCache,
        service_url: Option<&str>,
    ) -> Result<VerifiedCaller, AuthError> {
        let key = keys
            .get(kid)
            .await
            .ok_or_else(|| AuthError::UnknownKey(kid.to_owned()))?;
        let mut validation = Validation::new(alg);
        validation.algorithms = ALLOWED_ALGORITHMS.to_vec();
        validation.leeway = CLOCK_SKEW_SECONDS;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        // Emulator tokens carry the app id in `appid` (v1.0) or `azp` (v2.0), checked below.
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iss"]);
        let claims = jsonwebtoken::decode::<EmulatorClaims>(token, &key.decoding_key, &validation)
            .map_err(map_jwt_error)?
            .claims;
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
        Ok(VerifiedCaller {
            service_url: service_url.unwrap_or_default().to_owned(),
            emulator: true,
        })
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
