//! The Bot Connector REST client: sends, replies to and updates activities, with the bot's bearer
//! token, paced to Teams' rate limits, retried on throttling and transient failures (token
//! requests included) and one token refresh after a 401. It must never send the token to a
//! service URL that is not https (or loopback), never follow a redirect, never let an id leave
//! its path segment, and never retry without a bound.

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use super::activity::{Activity, ChannelAccount, ResourceResponse};
pub use super::address::conversation_url;
use super::address::conversations_url;
use super::counters::DeliveryCounters;
use super::pacer::{Pacer, PacingPolicy};
pub use super::retry::RetryPolicy;
use super::retry::{is_retryable, retry_after};
use crate::auth::{AccessToken, TokenError, TokenProvider};
use crate::metrics::DeliveryEvent;

/// Why a Connector call failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The service URL is not an https (or loopback http) URL; the token is not sent there.
    #[error("service URL {0:?} is not an https URL")]
    InvalidServiceUrl(String),
    /// A conversation or activity id that cannot be one path segment (empty, or only dots,
    /// which would address another Connector path); refused before any request.
    #[error("{what} id {id:?} cannot be used in a Bot Connector path: it is empty or only dots")]
    InvalidId { what: &'static str, id: String },
    /// The activity lacks what the call needs (a conversation id or a service URL).
    #[error("activity cannot be sent: {0}")]
    Unaddressed(&'static str),
    /// No bot token could be obtained (after the retries a transient failure gets).
    #[error("cannot obtain a Bot Connector token: {0}")]
    Token(#[from] TokenError),
    /// The request could not be sent or timed out.
    #[error("Bot Connector unreachable: {0}")]
    Transport(#[source] reqwest::Error),
    /// The Connector answered with a redirect. Redirects are never followed: the reply would
    /// go to another host, possibly over plain http.
    #[error("Bot Connector answered HTTP {status} (a redirect to {location}); redirects are not followed")]
    Redirected { status: u16, location: String },
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

impl ConnectorError {
    /// True when the same request may succeed later (the Connector or the token endpoint was
    /// down, throttling, or unreachable), so it is worth keeping in the outbox. Refusals (4xx),
    /// redirects, bad addresses and answered requests are not.
    pub fn is_transient(&self) -> bool {
        match self {
            ConnectorError::Token(error) => error.is_transient(),
            ConnectorError::Transport(_) | ConnectorError::GaveUp { .. } => true,
            ConnectorError::InvalidServiceUrl(_)
            | ConnectorError::InvalidId { .. }
            | ConnectorError::Unaddressed(_)
            | ConnectorError::Redirected { .. }
            | ConnectorError::Refused { .. }
            | ConnectorError::Unreadable(_) => false,
        }
    }
}

/// A write to a conversation, as data, so that the outbox can store it and do it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Operation {
    /// `POST .../activities`.
    Send,
    /// `POST .../activities/{replyToId}`.
    #[serde(rename_all = "camelCase")]
    Reply { reply_to_id: String },
    /// `PUT .../activities/{activityId}`.
    #[serde(rename_all = "camelCase")]
    Update { activity_id: String },
}

impl Operation {
    fn method_and_activity_id(&self) -> (Method, Option<&str>) {
        match self {
            Operation::Send => (Method::POST, None),
            Operation::Reply { reply_to_id } => (Method::POST, Some(reply_to_id.as_str())),
            Operation::Update { activity_id } => (Method::PUT, Some(activity_id.as_str())),
        }
    }

    /// What the operation is called in logs.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::Send => "send",
            Operation::Reply { .. } => "reply",
            Operation::Update { .. } => "update",
        }
    }
}

/// The body of `POST /v3/conversations` that starts a new thread in a Teams channel
/// (botframework.md §3.5): `activity` is its first message, and mandatory.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationParameters {
    pub is_group: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<ChannelAccount>,
    pub channel_data: serde_json::Value,
    pub activity: Activity,
    pub tenant_id: String,
}

impl ConversationParameters {
    /// A new thread in the Teams channel `channel_id` whose root message is `activity`.
    pub fn channel_thread(
        channel_id: &str,
        tenant_id: &str,
        bot: Option<ChannelAccount>,
        activity: Activity,
    ) -> Self {
        ConversationParameters {
            is_group: true,
            bot,
            channel_data: serde_json::json!({"channel": {"id": channel_id}}),
            activity,
            tenant_id: tenant_id.to_owned(),
        }
    }
}

/// The Connector's answer to a create conversation: the new conversation (for a channel
/// thread, `<channel>;messageid=<n>`) and the id of its first message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationResourceResponse {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub activity_id: Option<String>,
}

/// Where one request goes and what it waits for.
struct Target<'a> {
    method: Method,
    url: Url,
    conversation_id: &'a str,
    tenant_id: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// Where `operation` in a conversation goes, paced under the conversation and `tenant_id`.
    fn of(
        operation: &Operation,
        service_url: &str,
        conversation_id: &'a str,
        tenant_id: Option<&'a str>,
    ) -> Result<Self, ConnectorError> {
        let (method, activity_id) = operation.method_and_activity_id();
        Ok(Target {
            method,
            url: conversation_url(service_url, conversation_id, activity_id)?,
            conversation_id,
            tenant_id,
        })
    }
}

/// At most this many Connector requests are on the wire at once, each on its own connection;
/// the others wait for one to finish. Without a bound, a burst of turns opened a connection per
/// reply (340 for 32 clients in bench-compare, each with its buffers; BENCHMARKS.md, session
/// 13). The wait comes after the pacing slot, so a conversation waiting out Teams' limits
/// holds none of them; at Teams' round trip (tens of milliseconds) this is hundreds of
/// requests per second, above the 50 per second per tenant Teams allows.
pub const MAX_CONNECTOR_REQUESTS: usize = 32;

/// Client for the Bot Connector REST API at an activity's `serviceUrl`.
pub struct ConnectorClient {
    http: reqwest::Client,
    tokens: Arc<TokenProvider>,
    retry: RetryPolicy,
    pacer: Pacer,
    counters: Arc<DeliveryCounters>,
    /// [`MAX_CONNECTOR_REQUESTS`] permits, one per request on the wire.
    on_the_wire: tokio::sync::Semaphore,
}

impl ConnectorClient {
    /// A client with its own HTTP client, which never follows redirects (a 3xx is an error).
    pub fn new(
        tokens: Arc<TokenProvider>,
        retry: RetryPolicy,
        pacing: PacingPolicy,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(MAX_CONNECTOR_REQUESTS)
            .user_agent(concat!("aws-chatops/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ConnectorClient {
            http,
            tokens,
            retry,
            pacer: Pacer::new(pacing),
            counters: Arc::default(),
            on_the_wire: tokio::sync::Semaphore::new(MAX_CONNECTOR_REQUESTS),
        })
    }

    /// Whether requests are paced to Teams' limits (off only for load tests).
    pub fn is_pacing(&self) -> bool {
        self.pacer.is_pacing()
    }

    /// The retry policy of normal calls.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// What happened to outgoing messages so far.
    pub fn counters(&self) -> &Arc<DeliveryCounters> {
        &self.counters
    }

    /// Does `operation` with `activity` in a conversation, retrying as `policy` allows.
    pub async fn execute(
        &self,
        operation: &Operation,
        service_url: &str,
        conversation_id: &str,
        activity: &Activity,
        policy: &RetryPolicy,
    ) -> Result<ResourceResponse, ConnectorError> {
        let target = Target::of(
            operation,
            service_url,
            conversation_id,
            activity.tenant_id(),
        )?;
        self.call(target, Some(activity), policy).await
    }

    /// [`ConnectorClient::execute`] with the activity already serialized (`body`, of an
    /// activity in `tenant_id`): the message waits for its pacing slot as compact JSON rather
    /// than as the activity's tree of values (see `Delivery::update`).
    pub async fn execute_serialized(
        &self,
        operation: &Operation,
        service_url: &str,
        conversation_id: &str,
        tenant_id: Option<&str>,
        body: &serde_json::value::RawValue,
        policy: &RetryPolicy,
    ) -> Result<ResourceResponse, ConnectorError> {
        let target = Target::of(operation, service_url, conversation_id, tenant_id)?;
        self.call(target, Some(body), policy).await
    }

    /// Creates a conversation (a new thread in a Teams channel, paced as a send in that
    /// channel), retrying as `policy` allows. Not idempotent for threads: a retry after a
    /// lost answer may start a second thread, which is the Connector's own behaviour too.
    pub async fn create_conversation(
        &self,
        service_url: &str,
        pacing_key: &str,
        parameters: &ConversationParameters,
        policy: &RetryPolicy,
    ) -> Result<ConversationResourceResponse, ConnectorError> {
        let target = Target {
            method: Method::POST,
            url: conversations_url(service_url)?,
            conversation_id: pacing_key,
            tenant_id: Some(parameters.tenant_id.as_str()),
        };
        self.call(target, Some(parameters), policy).await
    }

    /// A token, retrying transient token-endpoint failures within the call's bounds. With
    /// `rejected`, a token other than the one the Connector just refused.
    async fn token(
        &self,
        rejected: Option<&AccessToken>,
        policy: &RetryPolicy,
        started: tokio::time::Instant,
    ) -> Result<AccessToken, ConnectorError> {
        let mut retries = 0u32;
        loop {
            let result = match rejected {
                Some(rejected) => self.tokens.refresh_after_rejection(rejected).await,
                None => self.tokens.token().await,
            };
            let error = match result {
                Ok(token) => return Ok(token),
                Err(error) => error,
            };
            let delay = error
                .is_transient()
                .then(|| policy.next_delay(retries, None, started.elapsed()))
                .flatten();
            let Some(delay) = delay else {
                return Err(error.into());
            };
            tracing::warn!(
                error = %crate::common::error_chain(&error),
                delay_ms = delay.as_millis() as u64,
                retry = retries + 1,
                "token request failed; retrying"
            );
            self.retry_after_delay(&mut retries, delay).await;
        }
    }

    /// Counts one more retry (in `retries` and the delivery counters) and waits `delay`
    /// before it: every retry of a call, whatever failed, is counted the same way.
    async fn retry_after_delay(&self, retries: &mut u32, delay: Duration) {
        *retries += 1;
        self.counters.count(DeliveryEvent::Retried);
        tokio::time::sleep(delay).await;
    }

    async fn call<B: Serialize + ?Sized, T: DeserializeOwned + Default>(
        &self,
        target: Target<'_>,
        body: Option<&B>,
        policy: &RetryPolicy,
    ) -> Result<T, ConnectorError> {
        let started = tokio::time::Instant::now();
        let mut token = self.token(None, policy, started).await?;
        let mut refreshed_after_401 = false;
        let mut retries = 0u32;
        loop {
            self.pacer
                .wait_for_slot(target.conversation_id, target.tenant_id)
                .await;
            // Held until the answer is read (or the request given up); never while waiting
            // to retry. The semaphore is never closed.
            let on_the_wire = self.on_the_wire.acquire().await.ok();
            let response = match self.send(&target, body, &token, policy).await {
                Ok(response) => response,
                // A refused connection means nothing was delivered, so it is safe to retry.
                Err(error) if error.is_connect() => {
                    drop(on_the_wire);
                    let Some(delay) = policy.next_delay(retries, None, started.elapsed()) else {
                        return Err(ConnectorError::Transport(error));
                    };
                    tracing::warn!(error = %crate::common::error_chain(&error), delay_ms = delay.as_millis() as u64, "Bot Connector connection failed; retrying");
                    self.retry_after_delay(&mut retries, delay).await;
                    continue;
                }
                Err(error) => return Err(ConnectorError::Transport(error)),
            };
            let status = response.status();
            if let Some(operation) = response.headers().get("x-correlating-operationid") {
                tracing::debug!(correlating_operation_id = ?operation, status = status.as_u16(), "Bot Connector answered");
            }

            if status.is_success() {
                return delivered(response).await;
            }
            if status.is_redirection() {
                return Err(redirected(status, response.headers()));
            }
            if status == StatusCode::UNAUTHORIZED && !refreshed_after_401 {
                drop(on_the_wire);
                tracing::warn!("Bot Connector answered 401; refreshing the bot token once");
                refreshed_after_401 = true;
                token = self.token(Some(&token), policy, started).await?;
                continue;
            }
            if is_retryable(status) {
                let wait = retry_after(response.headers());
                drop(response);
                drop(on_the_wire);
                let Some(delay) = policy.next_delay(retries, wait, started.elapsed()) else {
                    return Err(ConnectorError::GaveUp {
                        status: status.as_u16(),
                        attempts: retries + 1,
                    });
                };
                tracing::warn!(
                    status = status.as_u16(),
                    delay_ms = delay.as_millis() as u64,
                    retry = retries + 1,
                    "Bot Connector throttled or failed; retrying"
                );
                self.retry_after_delay(&mut retries, delay).await;
                continue;
            }
            return Err(refused(status, response).await);
        }
    }

    /// One attempt on the wire: the request with the bot's token and the activity, if any.
    async fn send<B: Serialize + ?Sized>(
        &self,
        target: &Target<'_>,
        body: Option<&B>,
        token: &AccessToken,
        policy: &RetryPolicy,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut request = self
            .http
            .request(target.method.clone(), target.url.clone())
            .header(reqwest::header::AUTHORIZATION, token.bearer())
            .timeout(policy.request_timeout);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await
    }
}

/// The Connector's answer to a request it took. The Connector took the message: a failure to
/// read its answer must not make anyone send it again.
async fn delivered<T: DeserializeOwned + Default>(
    response: reqwest::Response,
) -> Result<T, ConnectorError> {
    let bytes = response
        .bytes()
        .await
        .map_err(|error| ConnectorError::Unreadable(error.to_string()))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(&bytes).map_err(|error| ConnectorError::Unreadable(error.to_string()))
}

/// A redirect, logged and refused: it is never followed.
fn redirected(status: StatusCode, headers: &reqwest::header::HeaderMap) -> ConnectorError {
    let location = redirect_host(headers);
    tracing::error!(
        status = status.as_u16(),
        location,
        "Bot Connector answered with a redirect; not followed"
    );
    ConnectorError::Redirected {
        status: status.as_u16(),
        location,
    }
}

/// A status that is neither success, redirect nor retried, with the Connector's error code
/// and message when its body has them.
async fn refused(status: StatusCode, response: reqwest::Response) -> ConnectorError {
    let bytes = response.bytes().await.unwrap_or_default();
    let (code, message) = error_details(&bytes);
    ConnectorError::Refused {
        status: status.as_u16(),
        code,
        message,
    }
}

/// The reply endpoint for `incoming` (or the send endpoint when it has no id), its service
/// URL and conversation.
pub(crate) fn reply_operation(
    incoming: &Activity,
) -> Result<(Operation, &str, &str), ConnectorError> {
    let (service_url, conversation_id) = address_of(incoming)?;
    let operation = match incoming.id.as_deref() {
        Some(id) => Operation::Reply {
            reply_to_id: id.to_owned(),
        },
        None => Operation::Send,
    };
    Ok((operation, service_url, conversation_id))
}

/// The service URL and conversation an activity names.
pub(crate) fn address_of(activity: &Activity) -> Result<(&str, &str), ConnectorError> {
    let service_url = activity
        .service_url
        .as_deref()
        .ok_or(ConnectorError::Unaddressed("no serviceUrl"))?;
    let conversation_id = activity
        .conversation_id()
        .ok_or(ConnectorError::Unaddressed("no conversation"))?;
    Ok((service_url, conversation_id))
}

/// The scheme and host a redirect points to, for the log (not the path: it may carry ids).
fn redirect_host(headers: &reqwest::header::HeaderMap) -> String {
    headers
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| Url::parse(value).ok())
        .map(|url| format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default()))
        .unwrap_or_else(|| "an unreadable location".to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_that_may_pass_later_are_transient() {
        let refused = |status| ConnectorError::Refused {
            status,
            code: String::new(),
            message: String::new(),
        };
        let token_refused = |status| {
            ConnectorError::Token(TokenError::Refused {
                status,
                error: "e".into(),
            })
        };
        let cases = [
            (
                ConnectorError::GaveUp {
                    status: 503,
                    attempts: 4,
                },
                true,
            ),
            (token_refused(500), true),
            (token_refused(503), true),
            (token_refused(429), true),
            (token_refused(400), false),
            (token_refused(401), false),
            (
                ConnectorError::Token(TokenError::Unreadable("x".into())),
                false,
            ),
            (refused(400), false),
            (refused(403), false),
            (refused(404), false),
            (refused(413), false),
            (
                ConnectorError::Redirected {
                    status: 307,
                    location: "http://elsewhere".into(),
                },
                false,
            ),
            (
                ConnectorError::InvalidId {
                    what: "conversation",
                    id: "..".into(),
                },
                false,
            ),
            (ConnectorError::InvalidServiceUrl("x".into()), false),
            (ConnectorError::Unaddressed("no conversation"), false),
            (ConnectorError::Unreadable("x".into()), false),
        ];
        for (error, expected) in cases {
            assert_eq!(error.is_transient(), expected, "{error}");
        }
    }

    #[test]
    fn operations_round_trip_as_stored_data() {
        for operation in [
            Operation::Send,
            Operation::Reply {
                reply_to_id: "1776390257332".into(),
            },
            Operation::Update {
                activity_id: "a.b".into(),
            },
        ] {
            let json = serde_json::to_string(&operation).unwrap();
            assert_eq!(serde_json::from_str::<Operation>(&json).unwrap(), operation);
        }
        assert_eq!(
            serde_json::to_value(Operation::Reply {
                reply_to_id: "1".into()
            })
            .unwrap(),
            serde_json::json!({"kind": "reply", "replyToId": "1"})
        );
    }
}
