//! Builds, starts and stops the HTTP server: the outbound client, the signing-key caches, the
//! bot and its delivery, the routes, and the connection limits the listener enforces.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use super::charts::chart;
use super::health::{healthz, metrics, readyz};
use super::messages::messages;
use super::sns::{sns, SnsEndpoint};
use super::AppState;
use crate::auth::{KeyCache, KeyRefreshPolicy, TokenProvider, TokenValidator};
use crate::bot::{
    Bot, CommandHandler, ConversationStore, DurableConversationStore, NoCommandHandler,
};
use crate::config::Config;
use crate::conversation::notifications::NotificationHub;
use crate::conversation::Conversations;
use crate::store::Store;
use crate::teams::{Delivery, DeliveryPolicy, RetryPolicy};

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
    chart_store: Option<Arc<dyn Store>>,
    workers: Option<usize>,
    address: Option<SocketAddr>,
    max_turns_in_flight: usize,
    max_connections_per_worker: usize,
    notifications: Option<Conversations>,
}

impl ServerBuilder {
    /// A server for `config` without a command engine ([`NoCommandHandler`]) and with an
    /// in-memory store.
    pub fn new(config: Config) -> Self {
        ServerBuilder {
            config,
            handler: Arc::new(NoCommandHandler),
            store: Arc::new(DurableConversationStore::in_memory()),
            key_refresh: KeyRefreshPolicy::default(),
            retry: RetryPolicy::default(),
            delivery: DeliveryPolicy::default(),
            outbox_store: None,
            chart_store: None,
            workers: None,
            address: None,
            max_turns_in_flight: crate::bot::DEFAULT_MAX_TURNS_IN_FLIGHT,
            max_connections_per_worker: DEFAULT_MAX_CONNECTIONS_PER_WORKER,
            notifications: None,
        }
    }

    /// Posts SNS notifications (`POST /api/sns`) through this conversation flow's
    /// `[notifications]` configuration. Without it, `/api/sns` refuses every delivery.
    pub fn notifications(mut self, conversations: Conversations) -> Self {
        self.notifications = Some(conversations);
        self
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

    /// Where `GET /charts/{id}.png` reads alarm charts (the store the command handler keeps
    /// them in; without it every chart is 404).
    pub fn chart_store(mut self, store: Arc<dyn Store>) -> Self {
        self.chart_store = Some(store);
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
        let http = outbound_client()?;
        let (validator, mut background_tasks) = token_validator(&config, &http, self.key_refresh);
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
        if let Some(work) = handler.background(bot.responder()) {
            background_tasks.push(tokio::spawn(work));
        }
        let (sns, notification_hub) = match self.notifications {
            Some(conversations) => {
                let hub = conversations.notification_hub(
                    bot.delivery().clone(),
                    self.store.clone(),
                    bot.responder(),
                );
                let checked = hub.clone();
                background_tasks.push(tokio::spawn(async move {
                    checked.check_references().await;
                }));
                let endpoint = SnsEndpoint::new(hub.clone()).map_err(StartError::HttpClient)?;
                (Some(Arc::new(endpoint)), Some(hub))
            }
            None => (None, None),
        };

        let body_reads = Arc::new(Semaphore::new(config.max_body_reads));
        let state = web::Data::new(AppState {
            validator,
            bot: bot.clone(),
            store: self.store,
            max_body_bytes: config.max_body_bytes,
            body_read_timeout: config.body_read_timeout,
            body_reads: body_reads.clone(),
            max_body_reads: config.max_body_reads,
            sns,
            charts: self.chart_store,
        });
        let address = self
            .address
            .unwrap_or_else(|| SocketAddr::new(config.bind_address, config.port));
        let listener = Listener {
            address,
            workers: self.workers,
            max_connections_per_worker: self.max_connections_per_worker,
        };
        let (server, local_addr) = listener.serve(state)?;
        let handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(address = %local_addr, "listening");
        Ok(RunningServer {
            local_addr,
            handle,
            task,
            bot,
            notification_hub,
            refresh_tasks: background_tasks,
            body_reads,
            max_body_reads: config.max_body_reads,
        })
    }
}

/// The client for outbound calls (signing keys, tokens, the Connector).
fn outbound_client() -> Result<reqwest::Client, StartError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(60))
        .user_agent(concat!("aws-chatops/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(StartError::HttpClient)
}

/// The token validator over the channel's signing keys (and the emulator's, when enabled),
/// with the background tasks that keep those keys fresh.
fn token_validator(
    config: &Config,
    http: &reqwest::Client,
    key_refresh: KeyRefreshPolicy,
) -> (Arc<TokenValidator>, Vec<JoinHandle<()>>) {
    let channel_keys = Arc::new(KeyCache::new(
        config.channel_openid_metadata_url.clone(),
        http.clone(),
        key_refresh,
    ));
    let emulator_keys = config.allow_emulator.then(|| {
        Arc::new(KeyCache::new(
            config.emulator_openid_metadata_url.clone(),
            http.clone(),
            key_refresh,
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
    (validator, refresh_tasks)
}

/// Where and how the server listens.
struct Listener {
    address: SocketAddr,
    workers: Option<usize>,
    max_connections_per_worker: usize,
}

impl Listener {
    /// Binds the routes with the connection limits; returns the server (not yet running on a
    /// task) and the address actually bound.
    fn serve(self, state: web::Data<AppState>) -> Result<(Server, SocketAddr), StartError> {
        let address = self.address;
        let mut server =
            HttpServer::new(move || App::new().app_data(state.clone()).configure(routes))
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
        Ok((server.run(), local_addr))
    }
}

/// The routes; any other method on a known path is 405 with `Allow`.
fn routes(app: &mut web::ServiceConfig) {
    let resources = [
        ("/api/messages", web::post().to(messages)),
        ("/api/sns", web::post().to(sns)),
        ("/healthz", web::get().to(healthz)),
        ("/readyz", web::get().to(readyz)),
        ("/metrics", web::get().to(metrics)),
        ("/charts/{file}", web::get().to(chart)),
    ];
    for (path, route) in resources {
        app.service(
            web::resource(path)
                .route(route)
                .default_service(web::to(method_not_allowed)),
        );
    }
}

async fn method_not_allowed(request: HttpRequest) -> HttpResponse {
    let allow = if request.path().starts_with("/api/") {
        "POST"
    } else {
        "GET"
    };
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow))
        .finish()
}

/// A started server: its address and its shutdown.
pub struct RunningServer {
    local_addr: SocketAddr,
    handle: ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    bot: Arc<Bot>,
    notification_hub: Option<Arc<NotificationHub>>,
    refresh_tasks: Vec<tokio::task::JoinHandle<()>>,
    /// The body-read slots (`AWS_CHATOPS_MAX_BODY_READS`), to see how many are taken.
    body_reads: Arc<Semaphore>,
    max_body_reads: usize,
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

    /// Request bodies being read right now (each holds one of the body-read slots).
    pub fn body_reads_in_progress(&self) -> usize {
        self.max_body_reads
            .saturating_sub(self.body_reads.available_permits())
    }

    /// The notification hub behind `/api/sns`, when notifications are on.
    pub fn notification_hub(&self) -> Option<&Arc<NotificationHub>> {
        self.notification_hub.as_ref()
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
