//! The Bot Connector REST client: send, reply, update, delete and typing, with the bot's bearer
//! token, retries on throttling and one token refresh after a 401. It must never send the token
//! to a service URL that is not https (or loopback), and never retry without a bound.

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use url::Url;

use super::activity::{activity_types, Activity, ResourceResponse};
use crate::auth::{TokenError, TokenProvider};
use crate::config::is_https_or_loopback;

/// Characters left as they are in path segments: what JavaScript's `encodeURIComponent` keeps.
/// Everything else, including `:`, `;`, `@` and `=` found in Teams conversation ids, is encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// How the client retries throttled or failed requests (Teams rate-limit guidance: retry 429,
/// 412, 502 and 504 with exponential backoff and random jitter).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each further retry.
    pub base_delay: Duration,
    /// No computed delay exceeds this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this makes the client give up rather than wait.
    pub max_retry_after: Duration,
    /// Timeout of each request.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            request_timeout: Duration::from_secs(15),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (0-based): exponential, ±20% jitter, capped, and
    /// never shorter than the server's `Retry-After`.
    fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let exponential = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        let jitter = rand::thread_rng().gen_range(0.8..1.2);
        let computed = exponential.mul_f64(jitter).min(self.max_delay);
        match retry_after {
            Some(wait) => wait.max(computed.min(wait + wait / 5)),
            None => computed,
        }
    }
}

/// Why a Connector call failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The service URL is not an https (or loopback http) URL; the token is not sent there.
    #[error("service URL {0:?} is not an https URL")]
    InvalidServiceUrl(String),
    /// The activity lacks what the call needs (a conversation id or a service URL).
    #[error("activity cannot be sent: {0}")]
    Unaddressed(&'static str),
    /// No bot token could be obtained.
    #[error("cannot obtain a Bot Connector token: {0}")]
    Token(#[from] TokenError),
    /// The request could not be sent or timed out.
    #[error("Bot Connector unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// The Connector refused the request with a status that is not retried.
    #[error("Bot Connector answered HTTP {status} ({code}: {message})")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// Retries were exhausted (or `Retry-After` was too long) on a retryable status.
    #[error("Bot Connector still answered HTTP {status} after {attempts} attempts")]
    GaveUp { status: u16, attempts: u32 },
    /// The Connector answered success with a body that is not a ResourceResponse.
    #[error("Bot Connector returned an unreadable response: {0}")]
    Unreadable(String),
}

/// Client for the Bot Connector REST API at an activity's `serviceUrl`.
pub struct ConnectorClient {
    http: reqwest::Client,
    tokens: Arc<TokenProvider>,
    retry: RetryPolicy,
}

impl ConnectorClient {
    pub fn new(http: reqwest::Client, tokens: Arc<TokenProvider>, retry: RetryPolicy) -> Self {
        ConnectorClient {
            http,
            tokens,
            retry,
        }
    }

    /// `POST /v3/conversations/{conversationId}/activities`.
    pub async fn send(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity: &Activity,
    ) -> Result<ResourceResponse, ConnectorError> {
        let url = conversation_url(service_url, conversation_id, None)?;
        self.call(Method::POST, url, Some(activity)).await
    }

    /// `POST /v3/conversations/{conversationId}/activities/{activityId}`.
    pub async fn reply(
        &self,
        service_url: &str,
        conversation_id: &str,
        reply_to_id: &str,
        activity: &Activity,
    ) -> Result<ResourceResponse, ConnectorError> {
        let url = conversation_url(service_url, conversation_id, Some(reply_to_id))?;
        self.call(Method::POST, url, Some(activity)).await
    }

    /// `PUT /v3/conversations/{conversationId}/activities/{activityId}`.
    pub async fn update(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
        activity: &Activity,
    ) -> Result<ResourceResponse, ConnectorError> {
        let url = conversation_url(service_url, conversation_id, Some(activity_id))?;
        self.call(Method::PUT, url, Some(activity)).await
    }

    /// `DELETE /v3/conversations/{conversationId}/activities/{activityId}`.
    pub async fn delete(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
    ) -> Result<(), ConnectorError> {
        let url = conversation_url(service_url, conversation_id, Some(activity_id))?;
        self.call(Method::DELETE, url, None).await.map(|_| ())
    }

    /// Sends a typing indicator into the conversation of `incoming` (shown in chats, not channels).
    pub async fn typing(&self, incoming: &Activity) -> Result<(), ConnectorError> {
        let mut typing = incoming.reply();
        typing.activity_type = activity_types::TYPING.into();
        typing.reply_to_id = None;
        self.send_addressed(&typing).await.map(|_| ())
    }

    /// Replies to `incoming` with `reply` (built with [`Activity::reply`]), using the reply
    /// endpoint when the incoming activity has an id.
    pub async fn reply_to(
        &self,
        incoming: &Activity,
        reply: &Activity,
    ) -> Result<ResourceResponse, ConnectorError> {
        let service_url = incoming
            .service_url
            .as_deref()
            .ok_or(ConnectorError::Unaddressed("no serviceUrl"))?;
        let conversation_id = incoming
            .conversation_id()
            .ok_or(ConnectorError::Unaddressed("no conversation"))?;
        match incoming.id.as_deref() {
            Some(id) => self.reply(service_url, conversation_id, id, reply).await,
            None => self.send(service_url, conversation_id, reply).await,
        }
    }

    /// Sends an activity that carries its own `serviceUrl` and `conversation` (proactive).
    pub async fn send_addressed(
        &self,
        activity: &Activity,
    ) -> Result<ResourceResponse, ConnectorError> {
        let service_url = activity
            .service_url
            .as_deref()
            .ok_or(ConnectorError::Unaddressed("no serviceUrl"))?;
        let conversation_id = activity
            .conversation_id()
            .ok_or(ConnectorError::Unaddressed("no conversation"))?;
        self.send(service_url, conversation_id, activity).await
    }

    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Activity>,
    ) -> Result<ResourceResponse, ConnectorError> {
        let mut token = self.tokens.token().await?;
        let mut refreshed_after_401 = false;
        let mut retries = 0u32;
        loop {
            let mut request = self
                .http
                .request(method.clone(), url.clone())
                .header(reqwest::header::AUTHORIZATION, token.bearer())
                .timeout(self.retry.request_timeout);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(response) => response,
                // A refused connection means nothing was delivered, so it is safe to retry.
                Err(error) if error.is_connect() && retries < self.retry.max_retries => {
                    let delay = self.retry.delay(retries, None);
                    tracing::warn!(error = %crate::bot::error_chain(&error), delay_ms = delay.as_millis() as u64, "Bot Connector connection failed; retrying");
                    retries += 1;
                    tokio::time::sleep(delay).await;
                    continue;
                }
                Err(error) => return Err(ConnectorError::Transport(error)),
            };
            let status = response.status();
            if let Some(operation) = response.headers().get("x-correlating-operationid") {
                tracing::debug!(correlating_operation_id = ?operation, status = status.as_u16(), "Bot Connector answered");
            }

            if status.is_success() {
                let bytes = response.bytes().await.map_err(ConnectorError::Transport)?;
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    return Ok(ResourceResponse::default());
                }
                return serde_json::from_slice(&bytes)
                    .map_err(|error| ConnectorError::Unreadable(error.to_string()));
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed_after_401 {
                tracing::warn!("Bot Connector answered 401; refreshing the bot token once");
                refreshed_after_401 = true;
                token = self.tokens.refresh_after_rejection(&token).await?;
                continue;
            }
            if is_retryable(status) {
                let retry_after = retry_after(response.headers());
                let too_long = retry_after.is_some_and(|wait| wait > self.retry.max_retry_after);
                if retries >= self.retry.max_retries || too_long {
                    return Err(ConnectorError::GaveUp {
                        status: status.as_u16(),
                        attempts: retries + 1,
                    });
                }
                let delay = self.retry.delay(retries, retry_after);
                tracing::warn!(
                    status = status.as_u16(),
                    delay_ms = delay.as_millis() as u64,
                    retry = retries + 1,
                    "Bot Connector throttled or failed; retrying"
                );
                retries += 1;
                tokio::time::sleep(delay).await;
                continue;
            }
            let bytes = response.bytes().await.unwrap_or_default();
            let (code, message) = error_details(&bytes);
            return Err(ConnectorError::Refused {
                status: status.as_u16(),
                code,
                message,
            });
        }
    }
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 412 | 502 | 504)
}

/// `Retry-After` as delta-seconds (what the Connector sends) or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = at - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// `{"error":{"code","message"}}`, the Connector's ErrorResponse.
fn error_details(body: &[u8]) -> (String, String) {
    #[derive(Deserialize)]
    struct ErrorResponse {
        error: ErrorBody,
    }
    #[derive(Deserialize)]
    struct ErrorBody {
        code: Option<String>,
        message: Option<String>,
    }
    match serde_json::from_slice::<ErrorResponse>(body) {
        Ok(parsed) => (
            parsed.error.code.unwrap_or_default(),
            parsed.error.message.unwrap_or_default(),
        ),
        Err(_) => (String::new(), String::new()),
    }
}

/// Builds `{serviceUrl}/v3/conversations/{conversationId}/activities[/{activityId}]` with the
/// ids percent-encoded and without a doubled `/` after the service URL.
pub fn conversation_url(
    service_url: &str,
    conversation_id: &str,
    activity_id: Option<&str>,
) -> Result<Url, ConnectorError> {
    let invalid = || ConnectorError::InvalidServiceUrl(service_url.to_owned());
    let base = Url::parse(service_url).map_err(|_| invalid())?;
    if !is_https_or_loopback(&base) || base.query().is_some() || base.fragment().is_some() {
        return Err(invalid());
    }
    let mut url = format!(
        "{}/v3/conversations/{}/activities",
        base.as_str().trim_end_matches('/'),
        utf8_percent_encode(conversation_id, PATH_SEGMENT)
    );
    if let Some(activity_id) = activity_id {
        url.push('/');
        url.extend(utf8_percent_encode(activity_id, PATH_SEGMENT));
    }
    Url::parse(&url).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_ids_and_join_without_double_slashes() {
        let cases = [
            (
                "https://smba.trafficmanager.net/teams/",
                "19:abc@thread.tacv2;messageid=1776390257332",
                Some("1776390257332"),
                "https://smba.trafficmanager.net/teams/v3/conversations/19%3Aabc%40thread.tacv2%3Bmessageid%3D1776390257332/activities/1776390257332",
            ),
            (
                "https://smba.trafficmanager.net/amer",
                "a:1p0ii-x_y",
                None,
                "https://smba.trafficmanager.net/amer/v3/conversations/a%3A1p0ii-x_y/activities",
            ),
            (
                "http://127.0.0.1:8080",
                "a/b c",
                Some("f:1"),
                "http://127.0.0.1:8080/v3/conversations/a%2Fb%20c/activities/f%3A1",
            ),
        ];
        for (service_url, conversation, activity, expected) in cases {
            let url = conversation_url(service_url, conversation, activity).unwrap();
            assert_eq!(url.as_str(), expected);
        }
    }

    #[test]
    fn tokens_are_only_sent_to_https_or_loopback() {
        for bad in [
            "http://smba.trafficmanager.net/teams/",
            "ftp://127.0.0.1/",
            "not a url",
            "https://example.com/?x=1",
        ] {
            assert!(
                matches!(
                    conversation_url(bad, "c", None),
                    Err(ConnectorError::InvalidServiceUrl(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = time::OffsetDateTime::now_utc() + time::Duration::seconds(30);
        let date = later
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap()
            .replace("+0000", "GMT");
        headers.insert("retry-after", date.parse().unwrap());
        let wait = retry_after(&headers).expect("an HTTP date parses");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_grows_honours_retry_after_and_stays_capped() {
        let policy = RetryPolicy::default();
        for retry in 0..6 {
            let delay = policy.delay(retry, None);
            let nominal = Duration::from_secs(1 << retry).min(policy.max_delay);
            assert!(
                delay >= nominal.mul_f64(0.8).min(policy.max_delay),
                "{delay:?}"
            );
            assert!(delay <= policy.max_delay, "{delay:?}");
        }
        let delay = policy.delay(0, Some(Duration::from_secs(7)));
        assert!(delay >= Duration::from_secs(7) && delay <= Duration::from_millis(8400));
    }
}
