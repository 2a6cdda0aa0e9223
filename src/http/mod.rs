//! The HTTP front door and the only module that knows actix-web: routes `/api/messages`,
//! `/healthz` and `/readyz`, authenticates before reading a body, bounds what bodies and
//! connections may hold (size, deadline, concurrent reads, connection limits), maps outcomes and
//! errors to status codes, opens one tracing span per turn, and wires the server together. It
//! must never read a body for a request without a valid token, never put a failure reason in a
//! 401 body, and never log tokens or card payloads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use futures_util::StreamExt as _;
use tokio::sync::Semaphore;
use tracing::{field, Instrument as _};

use crate::auth::{KeyCache, KeyRefreshPolicy, TokenProvider, TokenValidator};
use crate::bot::{
    Bot, CommandHandler, ConversationStore, InMemoryConversationStore, NoCommandHandler,
    TurnOutcome,
};
use crate::config::Config;
use crate::store::Store;
use crate::teams::{Activity, Delivery, DeliveryPolicy, RetryPolicy};

/// How long a client has to send a request's head (line and headers) after connecting; slower
/// connections are closed (with 408 when part of the head arrived).
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may linger after its response before it is closed.
pub const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long an idle keep-alive connection is kept. The Bot Connector reuses connections between
/// bursts of activities; an idle connection holds only its small buffers.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// Connections each worker holds at most; beyond it the listener stops accepting and new
/// connections wait in the backlog. An idle connection holds about 16 KiB of actix buffers; one
/// that pushes body bytes before its 401 can hold up to about 160 KiB (128 KiB read buffer plus
/// 32 KiB of payload) until it is answered and closed, so the worst case is about 80 MiB per
/// worker. The Bot Connector needs a handful of connections, not hundreds.
pub const DEFAULT_MAX_CONNECTIONS_PER_WORKER: usize = 512;
/// Connections the kernel queues while every worker is at its limit.
pub const BACKLOG: u32 = 1024;
/// How long `/readyz` waits for the store to answer.
const STORE_PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listening socket could not be bound (port in use, no permission, ...).
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    /// The HTTP client for outbound calls could not be built (TLS set-up).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// Builds and starts the bot's HTTP server.
pub struct ServerBuilder {
    config: Config,
    handler: Arc<dyn CommandHandler>,
    store: Arc<dyn ConversationStore>,
    key_refresh: KeyRefreshPolicy,
    retry: RetryPolicy,
    delivery: DeliveryPolicy,
    outbox_store: Option<Arc<dyn Store>>,
    workers: Option<usize>,
    address: Option<SocketAddr>,
    max_turns_in_flight: usize,
    max_connections_per_worker: usize,
}

impl ServerBuilder {
    /// A server for `config` without a command engine ([`NoCommandHandler`]) and with an
    /// in-memory store.
    pub fn new(config: Config) -> Self {
        ServerBuilder {
            config,
            handler: Arc::new(NoCommandHandler),
            store: Arc::new(InMemoryConversationStore::default()),
            key_refresh: KeyRefreshPolicy::default(),
            retry: RetryPolicy::default(),
            delivery: DeliveryPolicy::default(),
            outbox_store: None,
            workers: None,
            address: None,
            max_turns_in_flight: crate::bot::DEFAULT_MAX_TURNS_IN_FLIGHT,
            max_connections_per_worker: DEFAULT_MAX_CONNECTIONS_PER_WORKER,
        }
    }

    /// The handler that answers messages and card actions (the command engine).
    pub fn command_handler(mut self, handler: Arc<dyn CommandHandler>) -> Self {
        self.handler = handler;
        self
    }

    /// Where conversation references are stored.
    pub fn conversation_store(mut self, store: Arc<dyn ConversationStore>) -> Self {
        self.store = store;
        self
    }

    /// When signing keys are refreshed.
    pub fn key_refresh_policy(mut self, policy: KeyRefreshPolicy) -> Self {
        self.key_refresh = policy;
        self
    }

    /// How Connector calls are retried.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How outgoing messages are paced and kept in the outbox.
    pub fn delivery_policy(mut self, policy: DeliveryPolicy) -> Self {
        self.delivery = policy;
        self
    }

    /// Where the outbox keeps messages the Connector could not take (default: memory only).
    pub fn outbox_store(mut self, store: Arc<dyn Store>) -> Self {
        self.outbox_store = Some(store);
        self
    }

    /// HTTP worker threads (default: one per physical core).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = Some(workers.max(1));
        self
    }

    /// How many turns may run at once; further activities wait for a slot (then 503).
    pub fn max_turns_in_flight(mut self, turns: usize) -> Self {
        self.max_turns_in_flight = turns.max(1);
        self
    }

    /// Connections each worker holds at most (default [`DEFAULT_MAX_CONNECTIONS_PER_WORKER`]).
    pub fn max_connections_per_worker(mut self, connections: usize) -> Self {
        self.max_connections_per_worker = connections.max(1);
        self
    }

    /// Listen here instead of `bind_address:PORT` from the config (tests use `127.0.0.1:0`).
    pub fn bind(mut self, address: SocketAddr) -> Self {
        self.address = Some(address);
        self
    }

    /// Binds, loads signing keys in the background and starts serving. Must be called inside
    /// the Tokio runtime that should run turns and key refreshes.
    pub async fn start(self) -> Result<RunningServer, StartError> {
        let config = self.config;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("aws-chatops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(StartError::HttpClient)?;

        let channel_keys = Arc::new(KeyCache::new(
            config.channel_openid_metadata_url.clone(),
            http.clone(),
            self.key_refresh,
        ));
        let emulator_keys = config.allow_emulator.then(|| {
            Arc::new(KeyCache::new(
                config.emulator_openid_metadata_url.clone(),
                http.clone(),
                self.key_refresh,
            ))
        });
        let mut refresh_tasks = vec![channel_keys.spawn_background_refresh()];
        if let Some(keys) = &emulator_keys {
            tracing::warn!(
                "the Bot Framework Emulator path is enabled; do not enable it in production"
            );
            refresh_tasks.push(keys.spawn_background_refresh());
        }
        let validator = Arc::new(TokenValidator::new(
            config.app_id.clone(),
            channel_keys,
            emulator_keys,
        ));
        let tokens = Arc::new(TokenProvider::new(&config, http.clone()));
        let mut delivery_policy = self.delivery;
        if !config.outbound_pacing {
            tracing::warn!("outbound pacing is off: Teams' rate limits are not kept by the bot");
            delivery_policy.pacing = crate::teams::PacingPolicy::unpaced();
        }
        let delivery = Delivery::start(tokens, self.retry, delivery_policy, self.outbox_store)
            .map_err(StartError::HttpClient)?;
        let handler = self.handler.clone();
        let bot = Arc::new(Bot::new(
            delivery,
            self.store.clone(),
            self.handler,
            self.max_turns_in_flight,
        ));
        let mut refresh_tasks = refresh_tasks;
        if let Some(work) = handler.background(bot.responder()) {
            refresh_tasks.push(tokio::spawn(work));
        }

        let state = web::Data::new(AppState {
            validator,
            bot: bot.clone(),
            store: self.store,
            max_body_bytes: config.max_body_bytes,
            body_read_timeout: config.body_read_timeout,
            body_reads: Arc::new(Semaphore::new(config.max_body_reads)),
            max_body_reads: config.max_body_reads,
        });
        let address = self
            .address
            .unwrap_or_else(|| SocketAddr::new(config.bind_address, config.port));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .service(
                    web::resource("/api/messages")
                        .route(web::post().to(messages))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/healthz")
                        .route(web::get().to(healthz))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/readyz")
                        .route(web::get().to(readyz))
                        .default_service(web::to(method_not_allowed)),
                )
                .service(
                    web::resource("/metrics")
                        .route(web::get().to(metrics))
                        .default_service(web::to(method_not_allowed)),
                )
        })
        .disable_signals()
        .shutdown_timeout(20)
        .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
        .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
        .keep_alive(KEEP_ALIVE)
        .max_connections(self.max_connections_per_worker)
        .backlog(BACKLOG);
        if let Some(workers) = self.workers {
            server = server.workers(workers);
        }
        let server = server
            .bind(address)
            .map_err(|source| StartError::Bind { address, source })?;
        let local_addr = server.addrs().first().copied().unwrap_or(address);
        let server = server.run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(address = %local_addr, "listening");
        Ok(RunningServer {
            local_addr,
            handle,
            task,
            bot,
            refresh_tasks,
        })
    }
}

/// A started server: its address and its shutdown.
pub struct RunningServer {
    local_addr: SocketAddr,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    bot: Arc<Bot>,
    refresh_tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// The address actually bound (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The bot, for proactive messages and introspection.
    pub fn bot(&self) -> &Arc<Bot> {
        &self.bot
    }

    /// Graceful shutdown: stop accepting, finish HTTP requests in flight, then wait up to
    /// `grace` for turns still running on tasks. Returns whether every turn finished.
    pub async fn shutdown(self, grace: Duration) -> bool {
        tracing::info!("shutting down: no new requests accepted");
        self.handle.stop(true).await;
        let _ = self.task.await;
        let finished = self.bot.wait_idle(grace).await;
        if finished {
            tracing::info!("all turns finished");
        } else {
            tracing::warn!(
                turns_in_flight = self.bot.turns_in_flight(),
                "shutdown grace period over with turns still running"
            );
        }
        self.bot.delivery().stop_outbox().await;
        for task in self.refresh_tasks {
            task.abort();
            // Waiting for the cancelled task drops what it holds (the store among them), so a
            // new server may open the same store file at once.
            let _ = task.await;
        }
        finished
    }
}

struct AppState {
    validator: Arc<TokenValidator>,
    bot: Arc<Bot>,
    store: Arc<dyn ConversationStore>,
    max_body_bytes: usize,
    body_read_timeout: Duration,
    /// One permit per body being read: memory held by bodies in flight is at most this many
    /// times `max_body_bytes`.
    body_reads: Arc<Semaphore>,
    max_body_reads: usize,
}

async fn method_not_allowed(request: HttpRequest) -> HttpResponse {
    let allow = if request.path() == "/api/messages" {
        "POST"
    } else {
        "GET"
    };
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .finish()
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "alive"}))
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let metrics = crate::metrics::global();
    metrics.delivery(&state.bot.delivery().counters());
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(metrics.render())
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let channel_keys = state.validator.channel_keys().is_loaded();
    let emulator_keys = state
        .validator
        .emulator_keys()
        .is_none_or(|keys| keys.is_loaded());
    let keys_loaded = channel_keys && emulator_keys;
    let store_reachable = match tokio::time::timeout(STORE_PING_TIMEOUT, state.store.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(error = %crate::common::error_chain(&error), "store health check failed");
            false
        }
        Err(_) => {
            tracing::warn!(timeout = ?STORE_PING_TIMEOUT, "store health check timed out");
            false
        }
    };
    let body = serde_json::json!({
        "signingKeysLoaded": keys_loaded,
        "storeReachable": store_reachable,
    });
    if keys_loaded && store_reachable {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Why a request to `/api/messages` was refused before reaching the bot (authentication
/// failures are [`AuthError`](crate::auth::AuthError)s, answered 401).
#[derive(Debug, thiserror::Error)]
enum RequestError {
    /// The body is larger than the configured limit, by `Content-Length` or by the bytes read
    /// (413).
    #[error("body larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// Every body-read slot is taken (503 with `Retry-After`).
    #[error("{0} request bodies are being read already")]
    BodyReadsFull(usize),
    /// The body did not arrive in full before the deadline (408; the connection is closed).
    #[error("body not received within {0:?}")]
    BodyTimeout(Duration),
    /// The body could not be read (400).
    #[error("body could not be read: {0}")]
    Unreadable(String),
    /// The body is not a JSON object with a non-empty string `type`, or not an activity (400).
    #[error("body is not an activity: {0}")]
    NotAnActivity(String),
}

impl RequestError {
    /// A fixed name for the metrics (`activities_total{type="unread",outcome}`).
    fn metric_outcome(&self) -> &'static str {
        match self {
            RequestError::TooLarge { .. } => "too_large",
            RequestError::BodyReadsFull(_) => "body_reads_full",
            RequestError::BodyTimeout(_) => "body_timeout",
            RequestError::Unreadable(_) => "unreadable",
            RequestError::NotAnActivity(_) => "not_an_activity",
        }
    }

    fn response(&self) -> HttpResponse {
        match self {
            RequestError::TooLarge { .. } => HttpResponse::PayloadTooLarge().finish(),
            RequestError::BodyReadsFull(_) => HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "1"))
                .finish(),
            RequestError::BodyTimeout(_) => HttpResponse::RequestTimeout()
                .insert_header((header::CONNECTION, "close"))
                .finish(),
            RequestError::Unreadable(_) | RequestError::NotAnActivity(_) => {
                HttpResponse::BadRequest()
                    .content_type("text/plain; charset=utf-8")
                    .body("the body must be a JSON Bot Framework activity with a type")
            }
        }
    }
}

async fn messages(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let span = tracing::info_span!(
        "turn",
        activity_id = field::Empty,
        activity_type = field::Empty,
        conversation_id = field::Empty,
        tenant_id = field::Empty,
        user_aad_object_id = field::Empty,
        correlation_id = field::Empty,
    );
    let started = Instant::now();
    async move {
        let response = handle_message(&request, payload, &state).await;
        crate::metrics::global().turn_latency(started.elapsed());
        tracing::debug!(
            status = response.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "request answered"
        );
        response
    }
    .instrument(span)
    .await
}

/// The order of checks: 405 (routing) → 401 (the `Authorization` header alone; the body is not
/// read) → 413 (`Content-Length`) → 503 (every body-read slot taken) → 408 (body deadline) /
/// 413 (bytes read) → 400 (not an activity) → 401 (endorsement, `serviceurl`) → the bot.
async fn handle_message(
    request: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> HttpResponse {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let token = match state.validator.verify_header(authorization).await {
        Ok(token) => token,
        Err(error) => {
            // The body is never read: actix answers and closes the connection.
            tracing::warn!(reason = %error, "request refused: 401");
            crate::metrics::global().auth_failure(error.reason());
            return HttpResponse::Unauthorized().finish();
        }
    };

    let activity = match read_activity(request, payload, state).await {
        Ok(activity) => activity,
        Err(error) => {
            tracing::warn!(error = %error, "request refused");
            crate::metrics::global().activity("unread", error.metric_outcome());
            return error.response();
        }
    };
    let span = tracing::Span::current();
    span.record("activity_type", activity.activity_type.as_str());
    if let Some(id) = &activity.id {
        span.record("activity_id", id.as_str());
    }
    if let Some(conversation) = activity.conversation_id() {
        span.record("conversation_id", conversation);
    }
    if let Some(tenant) = activity.tenant_id() {
        span.record("tenant_id", tenant);
    }
    if let Some(user) = activity
        .from
        .as_ref()
        .and_then(|from| from.aad_object_id.as_deref())
    {
        span.record("user_aad_object_id", user);
    }

    if let Err(error) = state.validator.check_activity(
        &token,
        activity.channel_id.as_deref(),
        activity.service_url.as_deref(),
    ) {
        tracing::warn!(reason = %error, "request refused: 401");
        crate::metrics::global().auth_failure(error.reason());
        return HttpResponse::Unauthorized().finish();
    }

    let metrics = crate::metrics::global();
    let kind = crate::metrics::activity_type(&activity.activity_type);
    match state.bot.on_activity(activity).await {
        TurnOutcome::Accepted => {
            metrics.activity(kind, "accepted");
            HttpResponse::Ok().finish()
        }
        TurnOutcome::Ignored => {
            metrics.activity(kind, "ignored");
            HttpResponse::Ok().finish()
        }
        TurnOutcome::Invoke(body) => {
            metrics.activity(kind, "answered");
            HttpResponse::Ok().json(body)
        }
        TurnOutcome::InvokeNotImplemented => {
            metrics.activity(kind, "not_implemented");
            HttpResponse::NotImplemented().finish()
        }
        TurnOutcome::Overloaded => {
            metrics.activity(kind, "overloaded");
            HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "1"))
                .finish()
        }
    }
}

/// Reads the body of an authenticated request within the size limit, the deadline and a
/// body-read slot, then parses it once, straight into an [`Activity`].
async fn read_activity(
    request: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<Activity, RequestError> {
    let limit = state.max_body_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return Err(RequestError::TooLarge { limit });
    }
    // Held until the body is parsed and dropped: the slot stands for the memory of one body.
    let _slot = state
        .body_reads
        .clone()
        .try_acquire_owned()
        .map_err(|_| RequestError::BodyReadsFull(state.max_body_reads))?;
    let body = tokio::time::timeout(state.body_read_timeout, read_body(payload, declared, limit))
        .await
        .map_err(|_| RequestError::BodyTimeout(state.body_read_timeout))??;
    parse_activity(&body)
}

async fn read_body(
    mut payload: web::Payload,
    declared: Option<usize>,
    limit: usize,
) -> Result<web::BytesMut, RequestError> {
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(4096).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| RequestError::Unreadable(error.to_string()))?;
        if body.len() + chunk.len() > limit {
            return Err(RequestError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// One pass of serde from bytes to [`Activity`]. A JSON array would otherwise deserialise
/// positionally into the struct, so anything but an object is refused first.
fn parse_activity(body: &[u8]) -> Result<Activity, RequestError> {
    let first = body.iter().find(|byte| !byte.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(RequestError::NotAnActivity("not a JSON object".into()));
    }
    let activity: Activity = serde_json::from_slice(body).map_err(|error| {
        let reason = if error.to_string().starts_with("missing field `type`") {
            "no type".to_owned()
        } else if error.is_data() {
            format!("not an activity ({error})")
        } else {
            format!("not JSON ({error})")
        };
        RequestError::NotAnActivity(reason)
    })?;
    if activity.activity_type.is_empty() {
        return Err(RequestError::NotAnActivity("no type".into()));
    }
    Ok(activity)
}
