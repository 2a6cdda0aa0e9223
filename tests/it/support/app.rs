//! The one spawn-app helper: `TestApp` starts the real bot server on 127.0.0.1:0 wired to the
//! loopback stand-ins for Microsoft's services (OpenID keys, token endpoint, Bot Connector),
//! optionally with the AWS side (moto, the Support stand-in, a store, an `[access]` config),
//! builds signed Teams activities for it, and reads what the bot sent back. New tests extend
//! it with options; they do not build a second scaffold.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_chatops::audit::{AuditLog, AuditMemory};
use aws_chatops::auth::KeyRefreshPolicy;
use aws_chatops::aws::{sts_sdk_config, Credentials, Engine, EngineConfig};
use aws_chatops::bot::{CommandHandler, ConversationStore, DurableConversationStore};
use aws_chatops::config::Config;
use aws_chatops::conversation::pending::{PendingRequest, NAMESPACE};
use aws_chatops::conversation::Conversations;
use aws_chatops::http::{RunningServer, ServerBuilder};
use aws_chatops::policy::assume_role::StsRoleAssumer;
use aws_chatops::policy::config::AccessConfig;
use aws_chatops::policy::ChannelAuthorizer;
use aws_chatops::store::{get_json, put_json, MemoryStore, Store};
use aws_chatops::teams::{DeliveryPolicy, RetryPolicy};
use jsonwebtoken::Algorithm;
use serde_json::{json, Value};

use super::aws::{conversations_with_public_url, embedded_store, unique, SupportStandIn};
use super::keys::{channel_claims, TestKey};
use super::standins::{ConnectorStandIn, LoginStandIn, Recorded, TokenStandIn};

pub const APP_ID: &str = "6f0b3c1e-8a2d-4c5e-9f10-112233445566";
pub const APP_PASSWORD: &str = "test-only-client-secret";
pub const TENANT_ID: &str = "0d9b0a4c-1111-4222-8333-444455556666";
pub const USER_AAD_ID: &str = "a1b2c3d4-0000-4000-8000-00000000aaaa";
pub const BOT_NAME: &str = "AWS";

pub fn bot_id() -> String {
    format!("28:{APP_ID}")
}

/// Keys published by default: `key-1` endorsed for msteams, and the same key under other kids
/// with the wrong endorsement or none.
pub fn default_jwks(key: &TestKey) -> Vec<Value> {
    vec![
        key.jwk("key-1", Some(&["msteams"])),
        key.jwk("skype-only", Some(&["skype"])),
        key.jwk("no-endorsements", None),
    ]
}

/// How long a pending request lives in the conversation flow of [`Aws::Conversations`].
pub const CONVERSATION_TTL: Duration = Duration::from_secs(900);

/// The channel of the `[access]` config with two accounts and a channel role.
pub const OPS: &str = "19:ops-channel@thread.tacv2";
/// The channel of the `[access]` config that requires user roles.
pub const ONCALL: &str = "19:oncall-channel@thread.tacv2";

/// The AWS side of a [`TestApp`]: which conversation flow answers, and over which store.
pub enum Aws {
    /// The conversation flow against moto (Support through [`SupportStandIn`]), running with
    /// the local operator's credentials; state in an embedded store in a temporary directory.
    Conversations,
    /// The conversation flow authorized per channel by the `[access]` config of
    /// [`access_text`]`(ops_guardrails)`, STS on moto, state in `store`, audit records kept in
    /// memory.
    Access {
        engine: EngineConfig,
        ops_guardrails: String,
        store: Arc<dyn Store>,
    },
}

pub struct Options {
    /// The AWS side (default: none; the bot's placeholder handler, or `handler`).
    pub aws: Option<Aws>,
    pub jwks: Vec<Value>,
    pub login_failing_at_start: bool,
    pub retry: RetryPolicy,
    pub key_refresh: KeyRefreshPolicy,
    pub settings: Vec<(&'static str, String)>,
    pub max_turns_in_flight: usize,
    /// The command handler (default: the bot's placeholder handler).
    pub handler: Option<Arc<dyn CommandHandler>>,
    pub conversation_store: Option<Arc<dyn ConversationStore>>,
    /// Pacing and outbox schedule (default: the production values).
    pub delivery: DeliveryPolicy,
    /// Where the outbox keeps messages (default: the bot's in-memory store).
    pub outbox_store: Option<Arc<dyn Store>>,
    /// TOML appended to the `[access]` config of [`Aws::Access`] (more channels, a
    /// `[notifications]` table); with it, the bot also serves `/api/sns`.
    pub access_extra: String,
    /// `AWS_CHATOPS_PUBLIC_URL` of the conversation flow (default: none, so charts are inline
    /// images or sparklines). Charts are served from the AWS side's store either way.
    pub public_url: Option<url::Url>,
    /// User-specific views of cards in channels (`serve` turns them on; tests about other
    /// things see one card for everyone, as clients without refresh do).
    pub user_specific_views: bool,
    /// The sleep between a chat wait's calls, and how soon slow calls get and update their
    /// live cards (default: the production timings).
    pub wait_delay: Option<Duration>,
}

/// What every bot process of a test starts from (the first one, a restart, a replica): its
/// config, how it sends and how it refreshes keys. It survives a restart along with the
/// stand-ins.
#[derive(Clone)]
struct Launch {
    config: Config,
    retry: RetryPolicy,
    delivery: DeliveryPolicy,
    outbox_store: Option<Arc<dyn Store>>,
    /// Where `GET /charts/{id}.png` reads charts: the AWS side's store.
    chart_store: Option<Arc<dyn Store>>,
    key_refresh: KeyRefreshPolicy,
    /// The conversation flow that posts notifications (`/api/sns`), first process only.
    notifications: Option<Conversations>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            aws: None,
            jwks: default_jwks(&TestKey::one()),
            login_failing_at_start: false,
            retry: RetryPolicy {
                max_retries: 3,
                base_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(200),
                max_retry_after: Duration::from_secs(5),
                request_timeout: Duration::from_secs(5),
                max_elapsed: Duration::from_secs(10),
            },
            key_refresh: KeyRefreshPolicy {
                refresh_interval: Duration::from_secs(3600),
                forced_refresh_min_interval: Duration::from_secs(300),
                retry_after_failure: Duration::from_millis(100),
                request_timeout: Duration::from_secs(2),
            },
            settings: Vec::new(),
            max_turns_in_flight: aws_chatops::bot::DEFAULT_MAX_TURNS_IN_FLIGHT,
            handler: None,
            conversation_store: None,
            delivery: DeliveryPolicy::default(),
            outbox_store: None,
            access_extra: String::new(),
            public_url: None,
            user_specific_views: false,
            wait_delay: None,
        }
    }
}

pub struct TestApp {
    pub login: LoginStandIn,
    pub token: TokenStandIn,
    pub connector: ConnectorStandIn,
    pub server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub key: TestKey,
    /// The state store of the AWS side (`None` while a test has closed it to reopen it).
    pub store: Option<Arc<dyn Store>>,
    support: Option<SupportStandIn>,
    access: Option<AccessParts>,
    /// The embedded store's file and the directory that holds it, removed on drop.
    state: Option<(PathBuf, tempfile::TempDir)>,
    launch: Launch,
}

/// What [`Aws::Access`] adds: the authorizer (a test may reload its config) and the audit log.
struct AccessParts {
    authorizer: Arc<ChannelAuthorizer>,
    audit: AuditMemory,
    log: Arc<AuditLog>,
}

impl TestApp {
    /// Starts everything and waits until the bot has loaded its signing keys.
    pub async fn start() -> TestApp {
        let app = TestApp::start_with(Options::default()).await;
        app.wait_ready().await;
        app
    }

    /// The bot with the conversation flow against moto ([`Aws::Conversations`]), ready.
    pub async fn with_conversations() -> TestApp {
        let app = TestApp::start_with(Options {
            aws: Some(Aws::Conversations),
            ..Options::default()
        })
        .await;
        app.wait_ready().await;
        app
    }

    /// The bot authorizing per channel ([`Aws::Access`]) with state in memory, ready.
    pub async fn with_access(engine: EngineConfig, ops_guardrails: &str) -> TestApp {
        TestApp::with_access_and_store(engine, ops_guardrails, Arc::new(MemoryStore::default()))
            .await
    }

    /// The bot with OPS reading (`ReadOnly`) as its channel role, Ada's default account
    /// `production` chosen (us-east-1 its Region).
    pub async fn ops_reading(engine: EngineConfig) -> TestApp {
        use aws_chatops::policy::Authorizer as _;
        let bot = TestApp::with_access(engine, "\"ReadOnly\"").await;
        bot.authorizer()
            .set_default_account(&ada_in(OPS), "production")
            .await
            .unwrap();
        bot
    }

    /// The bot authorizing per channel ([`Aws::Access`]) with state in `store`, ready.
    pub async fn with_access_and_store(
        engine: EngineConfig,
        ops_guardrails: &str,
        store: Arc<dyn Store>,
    ) -> TestApp {
        let app = TestApp::start_with(Options {
            aws: Some(Aws::Access {
                engine,
                ops_guardrails: ops_guardrails.to_owned(),
                store,
            }),
            ..Options::default()
        })
        .await;
        app.wait_ready().await;
        app
    }

    /// The bot with these settings on top of the test config, ready.
    pub async fn with_settings(settings: &[(&'static str, &str)]) -> TestApp {
        let app = TestApp::start_with(Options {
            settings: settings
                .iter()
                .map(|(name, value)| (*name, (*value).to_owned()))
                .collect(),
            ..Options::default()
        })
        .await;
        app.wait_ready().await;
        app
    }

    pub async fn start_with(mut options: Options) -> TestApp {
        let (mut store, mut support, mut access, mut state) = (None, None, None, None);
        let mut notifications = None;
        match options.aws.take() {
            None => {}
            Some(Aws::Conversations) => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("state.redb");
                let embedded = embedded_store(&path).await;
                let stand_in = SupportStandIn::start();
                options.handler = Some(conversations_with_public_url(
                    embedded.clone(),
                    &stand_in.url(),
                    CONVERSATION_TTL,
                    options.public_url.as_ref(),
                ));
                options.conversation_store =
                    Some(Arc::new(DurableConversationStore::new(embedded.clone())));
                (store, support, state) = (Some(embedded), Some(stand_in), Some((path, dir)));
            }
            Some(Aws::Access {
                engine,
                ops_guardrails,
                store: given,
            }) => {
                let (log, audit) = AuditLog::memory();
                let log = Arc::new(log);
                let (handler, authorizer) = channel_handler_with(
                    engine,
                    &ops_guardrails,
                    &options.access_extra,
                    given.clone(),
                    log.clone(),
                    options.public_url.as_ref(),
                    options.user_specific_views,
                    options.wait_delay,
                )
                .await;
                if !options.access_extra.is_empty() {
                    notifications = Some((*handler).clone());
                }
                options.handler = Some(handler);
                options.conversation_store =
                    Some(Arc::new(DurableConversationStore::new(given.clone())));
                store = Some(given);
                access = Some(AccessParts {
                    authorizer,
                    audit,
                    log,
                });
            }
        }
        let login = LoginStandIn::start(options.jwks);
        login.state.set_failing(options.login_failing_at_start);
        let token = TokenStandIn::start();
        let connector = ConnectorStandIn::start(1, true);

        let mut settings: HashMap<&str, String> = HashMap::from([
            ("MicrosoftAppId", APP_ID.to_owned()),
            ("MicrosoftAppPassword", APP_PASSWORD.to_owned()),
            ("MicrosoftAppTenantId", TENANT_ID.to_owned()),
            ("ToBotFromChannelOpenIdMetadataUrl", login.metadata_url()),
            ("ToChannelFromBotLoginUrl", token.login_url(TENANT_ID)),
        ]);
        settings.extend(options.settings);
        let launch = Launch {
            config: Config::from_lookup(|name| settings.get(name).cloned()).expect("test config"),
            retry: options.retry,
            delivery: options.delivery,
            outbox_store: options.outbox_store,
            // Only a bot with a public URL serves charts: the others need not hold the store
            // (a restart reopens the embedded store's file).
            chart_store: options.public_url.as_ref().and(store.clone()),
            key_refresh: options.key_refresh,
            notifications,
        };
        let server = launch
            .start(
                options.handler,
                options.conversation_store,
                options.max_turns_in_flight,
            )
            .await;
        let addr = server.local_addr();
        TestApp {
            login,
            token,
            connector,
            server: Some(server),
            addr,
            http: reqwest::Client::new(),
            key: TestKey::one(),
            store,
            support,
            access,
            state,
            launch,
        }
    }

    /// Stops the bot (waiting for its turns) and starts a new one with `handler` against the
    /// same stand-ins, as a restart of the process would.
    pub async fn restart(
        &mut self,
        handler: Arc<dyn CommandHandler>,
        conversation_store: Option<Arc<dyn ConversationStore>>,
    ) {
        if let Some(server) = self.server.take() {
            assert!(
                server.shutdown(Duration::from_secs(10)).await,
                "turns finished"
            );
        }
        let server = self.launch.start_again(handler, conversation_store).await;
        self.addr = server.local_addr();
        self.server = Some(server);
        self.wait_ready().await;
    }

    /// Stops the bot (waiting for its turns) and starts a new one with `handler` on a runtime
    /// of its own, which the caller may shut down abruptly to play a process that dies: every
    /// task of that bot stops where it is, with nothing written after.
    pub async fn restart_on_own_runtime(
        &mut self,
        handler: Arc<dyn CommandHandler>,
        conversation_store: Option<Arc<dyn ConversationStore>>,
    ) -> tokio::runtime::Runtime {
        self.stop().await;
        let launch = self.launch.clone();
        let (runtime, server) = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime for the bot");
            let server = runtime.block_on(launch.start_again(handler, conversation_store));
            (runtime, server)
        })
        .join()
        .expect("the bot's runtime starts");
        self.addr = server.local_addr();
        self.server = Some(server);
        self.wait_ready().await;
        runtime
    }

    /// Starts a second bot (a replica) against the same stand-ins and config, beside the
    /// running one; point `addr` at either to talk to it.
    pub async fn start_replica(
        &self,
        handler: Arc<dyn CommandHandler>,
        conversation_store: Option<Arc<dyn ConversationStore>>,
    ) -> RunningServer {
        self.launch.start_again(handler, conversation_store).await
    }

    /// Ends a bot started with [`Self::restart_on_own_runtime`] as a killed process would end:
    /// no shutdown, no waiting for its turns.
    pub fn kill(&mut self, runtime: tokio::runtime::Runtime) {
        // Dropping the handle stops nothing: a graceful stop is what a killed process never gets.
        drop(self.server.take());
        runtime.shutdown_background();
    }

    /// The outbox store the next [`TestApp::restart`] gives the bot (the old one must be
    /// dropped first when it is the same embedded file).
    pub fn set_outbox_store(&mut self, store: Option<Arc<dyn Store>>) {
        self.launch.outbox_store = store;
    }

    /// Stops the bot, waiting for its turns.
    pub async fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            assert!(
                server.shutdown(Duration::from_secs(10)).await,
                "turns finished"
            );
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("server running")
    }

    pub async fn wait_ready(&self) {
        poll_for("the bot to become ready", || async {
            let response = self.http.get(self.url("/readyz")).send().await;
            response.is_ok_and(|r| r.status() == 200).then_some(())
        })
        .await
    }

    pub fn service_url(&self) -> String {
        self.connector.service_url()
    }

    /// A Teams channel message mentioning the bot, in conversation `conversation_id`.
    pub fn message_in(&self, conversation_id: &str, text: &str) -> Value {
        json!({
            "type": "message",
            "id": "1776390257332",
            "timestamp": "2026-04-16T10:00:00.000Z",
            "serviceUrl": self.service_url(),
            "channelId": "msteams",
            "from": {"id": "29:1user-mri", "name": "Ada Lovelace", "aadObjectId": USER_AAD_ID},
            "conversation": {
                "id": conversation_id,
                "conversationType": "channel",
                "tenantId": TENANT_ID,
                "isGroup": true
            },
            "recipient": {"id": bot_id(), "name": BOT_NAME},
            "textFormat": "plain",
            "text": format!("<at>{BOT_NAME}</at> {text}"),
            "locale": "en-US",
            "entities": [
                {"type": "mention", "mentioned": {"id": bot_id(), "name": BOT_NAME}, "text": format!("<at>{BOT_NAME}</at>")},
                {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"}
            ],
            "channelData": {
                "tenant": {"id": TENANT_ID},
                "team": {"id": "19:team-general@thread.tacv2"},
                "channel": {"id": "19:ops-channel@thread.tacv2"}
            }
        })
    }

    pub fn message(&self, text: &str) -> Value {
        self.message_in("19:ops-channel@thread.tacv2;messageid=1776390257332", text)
    }

    pub fn claims(&self) -> Value {
        channel_claims(APP_ID, &self.service_url())
    }

    /// A valid `Authorization` header value for activities sent by this harness.
    pub fn bearer(&self) -> String {
        format!(
            "Bearer {}",
            self.key
                .sign(Algorithm::RS256, Some("key-1"), &self.claims())
        )
    }

    /// Posts `activity` with a valid token and checks that the bot acknowledged it (200).
    pub async fn send(&self, activity: &Value) {
        let response = self.post(activity, Some(&self.bearer())).await;
        assert_eq!(response.status(), 200, "{activity}");
    }

    pub async fn post(&self, body: &Value, authorization: Option<&str>) -> reqwest::Response {
        self.post_bytes(body.to_string().into_bytes(), authorization)
            .await
    }

    pub async fn post_bytes(
        &self,
        body: Vec<u8>,
        authorization: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url("/api/messages"))
            .header("content-type", "application/json")
            .body(body);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.send().await.expect("bot answers")
    }

    /// Checks how many requests the Connector stand-in has received so far; `why` says what
    /// the number shows.
    pub fn assert_sent(&self, count: usize, why: &str) {
        assert_eq!(self.connector.state.count(), count, "{why}");
    }

    /// Waits until the connector has received at least `count` requests.
    pub async fn wait_for_connector(&self, count: usize) {
        let connector = &self.connector.state;
        wait_until(&format!("{count} connector requests"), || {
            connector.handled() >= count
        })
        .await;
    }

    /// The bot's delivery counters now.
    pub fn delivery_counters(&self) -> aws_chatops::teams::DeliverySnapshot {
        self.server().bot().delivery().counters()
    }

    /// Checks the delivery counters that `pick` takes (a tuple of some of them) against
    /// `expected`, showing all of them when they differ.
    pub fn assert_counters<T: PartialEq + std::fmt::Debug>(
        &self,
        pick: impl Fn(&aws_chatops::teams::DeliverySnapshot) -> T,
        expected: T,
    ) {
        let counters = self.delivery_counters();
        assert_eq!(pick(&counters), expected, "{counters:?}");
    }

    /// Waits until the bot's delivery counters satisfy `condition`.
    pub async fn wait_for_counters(
        &self,
        what: &str,
        condition: impl Fn(&aws_chatops::teams::DeliverySnapshot) -> bool,
    ) {
        let delivery = self.server().bot().delivery().clone();
        wait_until(what, || condition(&delivery.counters())).await;
    }

    /// Waits until the connector has received `count` requests and no turn is running.
    pub async fn wait_settled(&self, count: usize) {
        self.wait_for_connector(count).await;
        self.wait_turns_idle().await;
    }

    /// Waits until no turn is running on the bot.
    pub async fn wait_turns_idle(&self) {
        let bot = self.server().bot().clone();
        wait_until("turns idle", || bot.turns_in_flight() == 0).await;
    }
}

impl Launch {
    /// Starts a bot process on 127.0.0.1:0 with `handler` (the bot's placeholder when `None`).
    async fn start(
        &self,
        handler: Option<Arc<dyn CommandHandler>>,
        conversation_store: Option<Arc<dyn ConversationStore>>,
        max_turns_in_flight: usize,
    ) -> RunningServer {
        let mut builder = ServerBuilder::new(self.config.clone())
            .bind("127.0.0.1:0".parse().unwrap())
            .workers(2)
            .retry_policy(self.retry)
            .delivery_policy(self.delivery.clone())
            .key_refresh_policy(self.key_refresh)
            .max_turns_in_flight(max_turns_in_flight);
        if let Some(handler) = handler {
            builder = builder.command_handler(handler);
        }
        if let Some(store) = conversation_store {
            builder = builder.conversation_store(store);
        }
        if let Some(store) = &self.outbox_store {
            builder = builder.outbox_store(store.clone());
        }
        if let Some(conversations) = &self.notifications {
            builder = builder.notifications(conversations.clone());
        }
        if let Some(store) = &self.chart_store {
            builder = builder.chart_store(store.clone());
        }
        builder.start().await.expect("bot starts")
    }

    /// Starts a later process (a restart or a replica) with `handler` and the default number
    /// of turns in flight.
    async fn start_again(
        &self,
        handler: Arc<dyn CommandHandler>,
        conversation_store: Option<Arc<dyn ConversationStore>>,
    ) -> RunningServer {
        let later = Launch {
            notifications: None,
            ..self.clone()
        };
        later
            .start(
                Some(handler),
                conversation_store,
                aws_chatops::bot::DEFAULT_MAX_TURNS_IN_FLIGHT,
            )
            .await
    }
}

/// A connection that sent a `POST /api/messages` head announcing `content_length` bytes and
/// then only `partial_body`: a client that stalls (or an attacker holding memory).
pub struct StalledPost {
    pub stream: tokio::net::TcpStream,
}

impl TestApp {
    /// Opens a connection and sends the head and `partial_body`, then nothing more.
    pub async fn stalled_post(
        &self,
        authorization: Option<&str>,
        content_length: usize,
        partial_body: &[u8],
    ) -> StalledPost {
        use tokio::io::AsyncWriteExt as _;
        let mut stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("bot accepts");
        let mut head = format!(
            "POST /api/messages HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {content_length}\r\n",
            self.addr
        );
        if let Some(value) = authorization {
            head.push_str(&format!("Authorization: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.expect("head sent");
        stream.write_all(partial_body).await.expect("body sent");
        StalledPost { stream }
    }
}

/// What a stalled connection got back.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// A response with this status.
    Status(u16),
    /// The server closed the connection without a response.
    Closed,
}

impl StalledPost {
    /// Sends more of the body.
    pub async fn send(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt as _;
        self.stream.write_all(bytes).await.expect("body sent");
    }

    /// Waits (up to `deadline`) for the response's status line, or for the server to close the
    /// connection. Panics when neither happens in time.
    pub async fn answer(&mut self, deadline: Duration) -> Answer {
        use tokio::io::AsyncReadExt as _;
        let read = async {
            let mut received = Vec::new();
            let mut buffer = [0u8; 1024];
            loop {
                match self.stream.read(&mut buffer).await {
                    Ok(0) | Err(_) if received.is_empty() => return Answer::Closed,
                    Ok(0) | Err(_) => break,
                    Ok(n) => received.extend_from_slice(&buffer[..n]),
                }
                if received.windows(2).any(|w| w == b"\r\n") {
                    break;
                }
            }
            let line = String::from_utf8_lossy(&received);
            let status = line
                .strip_prefix("HTTP/1.1 ")
                .and_then(|rest| rest.get(..3))
                .and_then(|code| code.parse().ok())
                .unwrap_or_else(|| panic!("not an HTTP response: {line:?}"));
            Answer::Status(status)
        };
        tokio::time::timeout(deadline, read)
            .await
            .expect("the bot answered or closed the connection in time")
    }

    /// Waits (up to `deadline`) until the server closes the connection; true when it did.
    pub async fn closed_within(&mut self, deadline: Duration) -> bool {
        use tokio::io::AsyncReadExt as _;
        let drain = async {
            let mut buffer = [0u8; 4096];
            loop {
                match self.stream.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(deadline, drain).await.is_ok()
    }
}

/// Tries `attempt` every 10 ms until it gives a value, for up to 10 s; then the test fails,
/// naming `what`. The one way the tests wait for something: for the condition, not for time.
pub async fn poll_for<T, Fut>(what: &str, mut attempt: impl FnMut() -> Fut) -> T
where
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = attempt().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Polls `condition` (see [`poll_for`]).
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    poll_for(what, || std::future::ready(condition().then_some(()))).await
}

// === The conversation side: saying things, clicking cards, reading what the bot sent ===

/// Who clicks a card's button.
#[derive(Clone, Copy)]
pub enum User {
    /// Ada, who sent the command.
    Requester,
    /// Grace, someone else in the channel.
    Other,
}

/// The Adaptive Card a recorded Connector request carries.
pub fn card_of(recorded: &Recorded) -> Value {
    recorded.body["attachments"][0]["content"].clone()
}

/// The pending-request id a card's buttons carry.
pub fn request_id(card: &Value) -> String {
    fn find(value: &Value) -> Option<String> {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(id)) = map.get("request") {
                    return Some(id.clone());
                }
                map.values().find_map(find)
            }
            Value::Array(items) => items.iter().find_map(find),
            _ => None,
        }
    }
    find(card).expect("the card carries a request id")
}

/// Checks that the card's JSON contains every needle.
pub fn assert_contains(card: &Value, needles: &[&str]) {
    let text = card.to_string();
    for needle in needles {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
}

/// The card of an invoke response that answers with a card (status 200).
pub fn invoke_card(body: &Value) -> Value {
    assert_eq!(body["statusCode"], 200, "{body}");
    assert_eq!(
        body["type"], "application/vnd.microsoft.card.adaptive",
        "{body}"
    );
    body["value"].clone()
}

/// The text of an invoke response that answers with a message.
pub fn invoke_message(body: &Value) -> String {
    assert_eq!(
        body["type"], "application/vnd.microsoft.activity.message",
        "{body}"
    );
    body["value"].as_str().unwrap().to_owned()
}

impl TestApp {
    /// The state store of the AWS side.
    pub fn store(&self) -> &Arc<dyn Store> {
        self.store.as_ref().expect("the AWS side has a store open")
    }

    /// The Support stand-in of [`Aws::Conversations`].
    pub fn support(&self) -> &SupportStandIn {
        self.support
            .as_ref()
            .expect("started with Aws::Conversations")
    }

    /// The embedded store's file of [`Aws::Conversations`].
    pub fn state_path(&self) -> &Path {
        &self
            .state
            .as_ref()
            .expect("started with Aws::Conversations")
            .0
    }

    fn access(&self) -> &AccessParts {
        self.access.as_ref().expect("started with Aws::Access")
    }

    /// The channel authorizer of [`Aws::Access`].
    pub fn authorizer(&self) -> &Arc<ChannelAuthorizer> {
        &self.access().authorizer
    }

    /// Where the bot of [`Aws::Access`] writes audit records (a replica may share it).
    pub fn audit_log(&self) -> Arc<AuditLog> {
        self.access().log.clone()
    }

    /// The audit records written so far.
    pub fn records(&self) -> Vec<Value> {
        self.access().audit.records()
    }

    /// Waits until `count` audit records are written.
    pub async fn wait_records(&self, count: usize) {
        let audit = &self.access().audit;
        wait_until(&format!("{count} audit records"), || {
            audit.records().len() >= count
        })
        .await;
    }

    /// Sends a message in the default conversation and returns the card of the bot's next
    /// request to the Connector, which must be a new message (POST).
    pub async fn say(&self, text: &str) -> Value {
        let before = self.connector.state.handled();
        let response = self.post(&self.message(text), Some(&self.bearer())).await;
        assert_eq!(response.status(), 200, "{text}");
        let state = &self.connector.state;
        wait_until("the bot's answer", || state.received().len() > before).await;
        let sent = &state.received()[before];
        assert_eq!(sent.method, "POST", "{text}");
        card_of(sent)
    }

    /// A message from `user` in `channel`.
    pub fn message_from(&self, channel: &str, user: &str, text: &str) -> Value {
        let mut activity = self.message_in(&format!("{channel};messageid=1776390257332"), text);
        activity["channelData"]["channel"]["id"] = json!(channel);
        activity["from"]["aadObjectId"] = json!(user);
        activity
    }

    /// Sends a message from Ada in `channel` and returns the card the bot posted for it, once
    /// its turn is over.
    pub async fn say_in(&self, channel: &str, text: &str) -> Value {
        self.say_as(channel, USER_AAD_ID, text).await
    }

    /// Sends a message from `user` in `channel` and returns the card the bot posted for it,
    /// once its turn is over.
    pub async fn say_as(&self, channel: &str, user: &str, text: &str) -> Value {
        let state = &self.connector.state;
        let before = state.received().len();
        let response = self
            .post(
                &self.message_from(channel, user, text),
                Some(&self.bearer()),
            )
            .await;
        assert_eq!(response.status(), 200);
        // The reply is a POST; card updates of earlier clicks (PUT) may still arrive meanwhile.
        let reply = || {
            state.received()[before..]
                .iter()
                .find(|r| r.method == "POST")
                .map(card_of)
        };
        wait_until(&format!("a reply to {text:?}"), || reply().is_some()).await;
        self.wait_turns_idle().await;
        reply().unwrap()
    }

    /// Ada clicks an Action.Execute button in `channel`; returns the card she gets back.
    pub async fn click(&self, channel: &str, data: Value) -> Value {
        self.click_as(channel, &ADA, data).await
    }

    /// `person` clicks an Action.Execute button in `channel`; returns what the invoke
    /// response carries (a card, or a message's text).
    pub async fn click_as(&self, channel: &str, person: &Person, data: Value) -> Value {
        self.invoke_as(channel, person, data, "manual").await
    }

    /// Teams asks for `person`'s view of a card in `channel`: the refresh invoke (trigger
    /// `automatic`) with the data of the card's `refresh` action; what the response carries.
    pub async fn refresh_as(&self, channel: &str, person: &Person, card: &Value) -> Value {
        let data = card["refresh"]["action"]["data"].clone();
        assert!(data.is_object(), "the card has a refresh: {card}");
        self.invoke_as(channel, person, data, "automatic").await
    }

    /// An `adaptiveCard/action` invoke from `person` in `channel` with `trigger`.
    async fn invoke_as(&self, channel: &str, person: &Person, data: Value, trigger: &str) -> Value {
        let mut activity = self.message_from(channel, person.aad_object_id, "");
        activity["from"] =
            json!({"id": person.mri, "name": person.name, "aadObjectId": person.aad_object_id});
        activity["type"] = json!("invoke");
        activity["name"] = json!("adaptiveCard/action");
        activity.as_object_mut().unwrap().remove("text");
        activity["value"] = json!({
            "action": {"type": "Action.Execute", "verb": data["verb"], "data": data},
            "trigger": trigger
        });
        let response = self.post(&activity, Some(&self.bearer())).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["value"].clone()
    }

    /// An Action.Execute click on the last posted card; the HTTP status and the invoke
    /// response body.
    pub async fn execute(&self, verb: &str, data: Value, user: User) -> (u16, Value) {
        let activity = self.click_activity("invoke", verb, data, user);
        let response = self.post(&activity, Some(&self.bearer())).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// An Action.Execute click on the last posted card answered (HTTP 200) with a card: that
    /// card.
    pub async fn execute_card(&self, verb: &str, data: Value, user: User) -> Value {
        let (status, body) = self.execute(verb, data, user).await;
        assert_eq!(status, 200, "{body}");
        invoke_card(&body)
    }

    /// An Action.Execute click on the last posted card answered with a message: its text.
    pub async fn execute_message(&self, verb: &str, data: Value, user: User) -> String {
        invoke_message(&self.execute(verb, data, user).await.1)
    }

    /// Sends a change and checks that the bot asks to confirm it, with a card that also says
    /// `shows`; the id of the request the card's buttons carry.
    pub async fn confirmation(&self, command: &str, shows: &[&str]) -> String {
        let card = self.say(command).await;
        assert_contains(&card, &["Confirm this change"]);
        assert_contains(&card, shows);
        request_id(&card)
    }

    /// Ada clicks Confirm on request `id` and is answered with a message: its text.
    pub async fn confirm_told(&self, id: &str) -> String {
        self.execute_message("confirm", json!({"request": id}), User::Requester)
            .await
    }

    /// Ada confirms the request `id`, which has ended, twice: the first click gets a card that
    /// says `shown` (and the request's card is updated to it), the second is told `told`.
    pub async fn confirm_twice(&self, id: &str, shown: &[&str], told: &str) {
        let card = self
            .execute_card("confirm", json!({"request": id}), User::Requester)
            .await;
        assert_contains(&card, shown);
        self.updated_card(shown[0]).await;
        let message = self.confirm_told(id).await;
        assert!(message.contains(told), "{message}");
    }

    /// The pending request `id` as the store of the AWS side holds it.
    pub async fn pending(&self, id: &str) -> PendingRequest {
        get_json(self.store().as_ref(), NAMESPACE, id)
            .await
            .unwrap()
            .expect("the request is stored")
    }

    /// Changes the stored pending request `id` behind the bot's back (an hour to live), as
    /// time passing or a runner that is gone would leave it.
    pub async fn edit_pending(&self, id: &str, change: impl FnOnce(&mut PendingRequest)) {
        let mut request = self.pending(id).await;
        change(&mut request);
        let ttl = Some(Duration::from_secs(3600));
        put_json(self.store().as_ref(), NAMESPACE, id, &request, ttl)
            .await
            .unwrap();
    }

    /// An Action.Submit click on the last posted card: a message whose value carries the data.
    pub async fn submit(&self, verb: &str, data: Value, user: User) {
        let activity = self.click_activity("message", verb, data, user);
        let response = self.post(&activity, Some(&self.bearer())).await;
        assert_eq!(response.status(), 200);
    }

    /// The activity of a click (`kind` "invoke" for Action.Execute, "message" for
    /// Action.Submit) on the last card the bot posted.
    pub fn click_activity(&self, kind: &str, verb: &str, data: Value, user: User) -> Value {
        let mut activity = self.message("");
        let object = activity.as_object_mut().unwrap();
        object.remove("text");
        object.remove("entities");
        object.insert("id".into(), json!(unique("click")));
        // The card the bot posted is the Connector stand-in's first reply id for this test.
        object.insert("replyToId".into(), json!(self.card_message_id()));
        let mut data = data;
        data["verb"] = json!(verb);
        if kind == "invoke" {
            object.insert("type".into(), json!("invoke"));
            object.insert("name".into(), json!("adaptiveCard/action"));
            object.insert(
                "value".into(),
                json!({"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}),
            );
        } else {
            object.insert("value".into(), data);
        }
        if let User::Other = user {
            object.insert(
                "from".into(),
                json!({"id": "29:2other-mri", "name": "Grace Hopper", "aadObjectId": "b2c3d4e5-0000-4000-8000-00000000bbbb"}),
            );
        }
        activity
    }

    fn card_message_id(&self) -> String {
        // The stand-in answers request N with id `reply-N`; the last POST is the card.
        let received = self.connector.state.received();
        let index = received
            .iter()
            .rposition(|r| r.method == "POST")
            .expect("a card was posted");
        format!("reply-{}", index + 1)
    }

    /// Waits for a card update (PUT) whose card contains `text`, and returns the latest such
    /// card once the bot's turns are over (when a bot is running).
    pub async fn updated_card(&self, text: &str) -> Value {
        let state = &self.connector.state;
        let matches = |r: &Recorded| r.method == "PUT" && card_of(r).to_string().contains(text);
        wait_until(&format!("a card update containing {text:?}"), || {
            state.received().iter().any(matches)
        })
        .await;
        if self.server.is_some() {
            self.wait_turns_idle().await;
        }
        let received = state.received();
        card_of(received.iter().rev().find(|r| matches(r)).unwrap())
    }

    /// Every card update (PUT) so far.
    pub fn puts(&self) -> Vec<Value> {
        self.connector
            .state
            .received()
            .iter()
            .filter(|r| r.method == "PUT")
            .map(card_of)
            .collect()
    }
}

/// Someone in a channel, as Teams names them on an activity.
pub struct Person {
    /// The user's MRI (`from.id`).
    pub mri: &'static str,
    pub name: &'static str,
    pub aad_object_id: &'static str,
}

/// Ada in `channel`, as the test activities describe her: the requester access control sees.
pub fn ada_in(channel: &str) -> aws_chatops::policy::Requester {
    aws_chatops::policy::Requester {
        tenant_id: Some(TENANT_ID.into()),
        team_id: Some("19:team-general@thread.tacv2".into()),
        channel_id: Some(channel.into()),
        conversation_id: channel.into(),
        conversation_type: Some("channel".into()),
        user_object_id: Some(USER_AAD_ID.into()),
        user_name: Some("Ada Lovelace".into()),
    }
}

/// Ada, who sends the commands ([`USER_AAD_ID`]).
pub const ADA: Person = Person {
    mri: "29:1user-mri",
    name: "Ada Lovelace",
    aad_object_id: USER_AAD_ID,
};

/// Grace, someone else in the channel (the same person as [`User::Other`]).
pub const GRACE: Person = Person {
    mri: "29:2other-mri",
    name: "Grace Hopper",
    aad_object_id: "b2c3d4e5-0000-4000-8000-00000000bbbb",
};

/// Carol, a third person in the channel.
pub const CAROL: Person = Person {
    mri: "29:3third-mri",
    name: "Carol Shaw",
    aad_object_id: "c3d4e5f6-0000-4000-8000-00000000cccc",
};

/// An `[access]` config with two channels, two accounts, a channel role and user roles.
pub fn access_text(ops_guardrails: &str) -> String {
    format!(
        r#"
[access]
default_region = "us-east-1"

[access.accounts.production]
id = "123456789012"
channel_role = "arn:aws:iam::123456789012:role/chatops-readonly"
user_roles = {{ "{USER_AAD_ID}" = "arn:aws:iam::123456789012:role/oncall-ada" }}

[access.accounts.staging]
id = "210987654321"
default_region = "us-west-2"
channel_role = "arn:aws:iam::210987654321:role/chatops-staging"

[access.channels.ops]
tenant_id = "{TENANT_ID}"
channel_id = "19%3Aops-channel%40thread.tacv2"
accounts = ["production", "staging"]
guardrails = [{ops_guardrails}]
[[access.channels.ops.guardrail_statement]]
effect = "Allow"
action = ["cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState"]

[access.channels.oncall]
tenant_id = "{TENANT_ID}"
channel_id = "{ONCALL}"
accounts = ["production"]
require_user_roles = true
"#
    )
}

/// The chat flow of one bot process of [`Aws::Access`]: conversations authorized by a
/// `ChannelAuthorizer` over the access config, STS on moto, state in `store`, audit records
/// to `log`. A second replica builds its handler here too.
pub async fn channel_handler(
    engine_config: EngineConfig,
    ops_guardrails: &str,
    store: Arc<dyn Store>,
    log: Arc<AuditLog>,
) -> (Arc<Conversations>, Arc<ChannelAuthorizer>) {
    channel_handler_with(
        engine_config,
        ops_guardrails,
        "",
        store,
        log,
        None,
        false,
        None,
    )
    .await
}

/// [`channel_handler`] with `extra` TOML appended to the config, serving charts under
/// `public_url` when given, with user-specific views in channels when asked, sleeping
/// `wait_delay` between a chat wait's calls when given.
#[allow(clippy::too_many_arguments)]
pub async fn channel_handler_with(
    engine_config: EngineConfig,
    ops_guardrails: &str,
    extra: &str,
    store: Arc<dyn Store>,
    log: Arc<AuditLog>,
    public_url: Option<&url::Url>,
    user_specific_views: bool,
    wait_delay: Option<Duration>,
) -> (Arc<Conversations>, Arc<ChannelAuthorizer>) {
    let static_credentials = aws_credential_types::provider::SharedCredentialsProvider::new(
        Credentials::new("testing", "testing", None, None, "test"),
    );
    // STS keeps the default deadline whatever a test sets for the AWS call itself: on a busy
    // machine an AssumeRole against moto can take longer than a deliberately short call limit.
    let sts_engine = EngineConfig {
        timeout: aws_chatops::aws::DEFAULT_TIMEOUT,
        ..engine_config.clone()
    };
    let sts = sts_sdk_config(&sts_engine, "us-east-1")
        .await
        .into_builder()
        .credentials_provider(static_credentials)
        .build();
    let authorizer = Arc::new(ChannelAuthorizer::new(
        AccessConfig::from_toml_str(&(access_text(ops_guardrails) + extra)).unwrap(),
        store.clone(),
        Arc::new(StsRoleAssumer::new(&sts)),
        log.clone(),
        "us-east-1",
    ));
    let conversations = Conversations::new(
        Arc::new(Engine::new(engine_config)),
        authorizer.clone(),
        store,
        Duration::from_secs(600),
    )
    .with_audit(log)
    .with_public_url(public_url)
    .with_user_specific_views(user_specific_views);
    // Long-running commands on a test's clock: waits poll, slow reads get their live card and
    // live cards tick every `wait_delay`.
    let conversations = match wait_delay {
        Some(delay) => conversations
            .with_wait_delay(delay)
            .with_live_timing(delay, delay),
        None => conversations,
    };
    (Arc::new(conversations), authorizer)
}
