//! Loopback stand-ins for Microsoft's side of the Bot Framework protocol: the OpenID metadata and
//! JWKS of login.botframework.com, the Entra token endpoint, and a Bot Connector that records
//! what the bot sends. They follow the documented request and response shapes
//! (`shared/docs/botframework.md` §1.2, §2.1, §3.2).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// A running stand-in server; stopped when dropped.
pub struct StandIn {
    pub addr: SocketAddr,
    handle: ServerHandle,
}

impl StandIn {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        // `stop` sends the command at once; the returned future only waits for completion.
        drop(self.handle.stop(false));
    }
}

/// A running stand-in and the state its handlers share: what a test scripts and inspects.
pub struct Served<S> {
    pub server: StandIn,
    pub state: Arc<S>,
}

impl<S: Send + Sync + 'static> Served<S> {
    /// Starts an actix-web server on 127.0.0.1:0 whose handlers share `state` (as
    /// `web::Data<S>`) and answer on `routes`.
    pub fn start_with<F>(workers: usize, state: S, routes: F) -> Served<S>
    where
        F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
    {
        let state = Arc::new(state);
        let data = web::Data::from(state.clone());
        let server =
            HttpServer::new(move || App::new().app_data(data.clone()).configure(routes.clone()))
                .workers(workers)
                .disable_signals()
                .shutdown_timeout(1)
                .bind("127.0.0.1:0")
                .expect("stand-in binds");
        let addr = server.addrs()[0];
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Served {
            server: StandIn { addr, handle },
            state,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// login.botframework.com: OpenID metadata and JWKS

#[derive(Default)]
pub struct LoginState {
    keys: Mutex<Vec<Value>>,
    failing: AtomicBool,
    pub metadata_hits: AtomicUsize,
    pub jwks_hits: AtomicUsize,
}

impl LoginState {
    /// Replaces the published keys (JWKs as built by `TestKey::jwk`).
    pub fn set_keys(&self, keys: Vec<Value>) {
        *self.keys.lock().unwrap() = keys;
    }

    /// Makes both documents answer HTTP 503 (or work again).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    pub fn jwks_hits(&self) -> usize {
        self.jwks_hits.load(Ordering::SeqCst)
    }
}

pub type LoginStandIn = Served<LoginState>;

impl LoginStandIn {
    pub fn start(keys: Vec<Value>) -> LoginStandIn {
        let state = LoginState::default();
        state.set_keys(keys);
        Served::start_with(1, state, |routes| {
            routes
                .route(
                    "/v1/.well-known/openidconfiguration",
                    web::get().to(metadata),
                )
                .route("/v1/.well-known/keys", web::get().to(jwks));
        })
    }

    pub fn metadata_url(&self) -> String {
        format!("{}/v1/.well-known/openidconfiguration", self.server.url())
    }
}

async fn metadata(request: HttpRequest, state: web::Data<LoginState>) -> HttpResponse {
    state.metadata_hits.fetch_add(1, Ordering::SeqCst);
    if state.failing.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let base = format!("http://{}", request.app_config().host());
    HttpResponse::Ok().json(json!({
        "issuer": "https://api.botframework.com",
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": format!("{base}/v1/.well-known/keys"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
}

async fn jwks(state: web::Data<LoginState>) -> HttpResponse {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    if state.failing.load(Ordering::SeqCst) {
        return HttpResponse::ServiceUnavailable().finish();
    }
    let keys = state.keys.lock().unwrap().clone();
    HttpResponse::Ok().json(json!({ "keys": keys }))
}

// ---------------------------------------------------------------------------------------------
// login.microsoftonline.com: client-credentials token endpoint

#[derive(Default)]
pub struct TokenState {
    pub calls: AtomicUsize,
    /// The last form received, and the tenant in its path.
    pub last_request: Mutex<Option<(String, HashMap<String, String>)>>,
    /// `expires_in` of issued tokens (default 3600).
    pub expires_in: AtomicU64,
    /// Answer this many requests with 503 `temporarily_unavailable` (an Entra outage).
    pub fail_next: AtomicUsize,
}

impl TokenState {
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Makes the next `times` token requests fail with 503.
    pub fn fail(&self, times: usize) {
        self.fail_next.store(times, Ordering::SeqCst);
    }
}

pub type TokenStandIn = Served<TokenState>;

impl TokenStandIn {
    pub fn start() -> TokenStandIn {
        let state = TokenState::default();
        state.expires_in.store(3600, Ordering::SeqCst);
        Served::start_with(1, state, |routes| {
            routes.route("/{tenant}/oauth2/v2.0/token", web::post().to(token));
        })
    }

    /// The value for `ToChannelFromBotLoginUrl`.
    pub fn login_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}", self.server.url())
    }
}

async fn token(
    tenant: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
    state: web::Data<TokenState>,
) -> HttpResponse {
    let number = state.calls.fetch_add(1, Ordering::SeqCst) + 1;
    let form = form.into_inner();
    let valid = form.get("grant_type").map(String::as_str) == Some("client_credentials")
        && form.contains_key("client_id")
        && form.contains_key("client_secret")
        && form.contains_key("scope");
    *state.last_request.lock().unwrap() = Some((tenant.into_inner(), form));
    if !valid {
        return HttpResponse::BadRequest().json(json!({"error": "invalid_request"}));
    }
    if take_one(&state.fail_next) {
        return HttpResponse::ServiceUnavailable()
            .json(json!({"error": "temporarily_unavailable"}));
    }
    HttpResponse::Ok().json(json!({
        "token_type": "Bearer",
        "expires_in": state.expires_in.load(Ordering::SeqCst),
        "ext_expires_in": 3600,
        "access_token": format!("test-access-token-{number}"),
    }))
}

// ---------------------------------------------------------------------------------------------
// The Bot Connector at the activity's serviceUrl

/// One request the bot sent to the Connector.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The raw (still percent-encoded) path.
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
    /// When the request arrived.
    pub at: Instant,
    /// When the stand-in had its answer ready, just before sending it.
    pub answered: Instant,
    /// The status the stand-in answered.
    pub status: u16,
}

impl Recorded {
    /// True for a request the stand-in accepted (2xx).
    pub fn accepted(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Default)]
pub struct ConnectorState {
    /// Every request, including refused ones.
    pub received: Mutex<Vec<Recorded>>,
    pub count: AtomicUsize,
    /// Keep bodies (off for the benchmark, which only counts).
    pub record: AtomicBool,
    /// Answer this many requests with 429 and `Retry-After`.
    pub throttle_next: AtomicUsize,
    pub retry_after_seconds: AtomicU64,
    /// Answer this many requests with 401.
    pub unauthorized_next: AtomicUsize,
    /// Wait this long before answering.
    pub delay_ms: AtomicU64,
    /// The statuses to answer the next requests with, one each (a scripted failure burst).
    pub scripted: Mutex<VecDeque<u16>>,
    /// While non-zero, answer every request (or, with `down_replies_only`, every request to
    /// the reply endpoint) with this status: the Connector is down.
    pub down_status: AtomicU64,
    pub down_replies_only: AtomicBool,
    /// Answer every request with 307 to this base URL plus the request's path.
    pub redirect_to: Mutex<Option<String>>,
    /// Answer 401 to requests bearing this `Authorization` value (a revoked token).
    pub rejected_authorization: Mutex<Option<String>>,
}

impl ConnectorState {
    pub fn received(&self) -> Vec<Recorded> {
        self.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Requests fully handled: recorded when recording (a request is counted on arrival, and
    /// recorded only once answered), else counted.
    pub fn handled(&self) -> usize {
        if self.record.load(Ordering::SeqCst) {
            self.received.lock().unwrap().len()
        } else {
            self.count()
        }
    }

    pub fn throttle(&self, times: usize, retry_after_seconds: u64) {
        self.retry_after_seconds
            .store(retry_after_seconds, Ordering::SeqCst);
        self.throttle_next.store(times, Ordering::SeqCst);
    }

    /// Answers the next requests with these statuses, one each, then normally again.
    pub fn fail_next(&self, statuses: impl IntoIterator<Item = u16>) {
        self.scripted.lock().unwrap().extend(statuses);
    }

    /// Takes the Connector down (every request answered `status`), or brings it back with 0.
    pub fn set_down(&self, status: u16) {
        self.down_status.store(status.into(), Ordering::SeqCst);
    }

    /// Requests the stand-in accepted (2xx).
    pub fn accepted(&self) -> Vec<Recorded> {
        self.received()
            .into_iter()
            .filter(Recorded::accepted)
            .collect()
    }
}

pub type ConnectorStandIn = Served<ConnectorState>;

impl ConnectorStandIn {
    pub fn start(workers: usize, record: bool) -> ConnectorStandIn {
        let state = ConnectorState::default();
        state.record.store(record, Ordering::SeqCst);
        Served::start_with(workers, state, |routes| {
            routes.default_service(web::to(connector));
        })
    }

    /// The serviceUrl to put in activities (with a region path and a trailing slash, like Teams).
    pub fn service_url(&self) -> String {
        format!("{}/amer/", self.server.url())
    }
}

fn take_one(counter: &AtomicUsize) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

async fn connector(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<ConnectorState>,
) -> HttpResponse {
    let number = state.count.fetch_add(1, Ordering::SeqCst) + 1;
    let arrived = Instant::now();
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let delay = state.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let response = connector_answer(&request, &state, authorization.as_deref(), number, &body);
    if state.record.load(Ordering::SeqCst) {
        let recorded = Recorded {
            method: request.method().to_string(),
            path: request.uri().path().to_owned(),
            authorization,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            at: arrived,
            answered: Instant::now(),
            status: response.status().as_u16(),
        };
        state.received.lock().unwrap().push(recorded);
    }
    response
}

fn connector_answer(
    request: &HttpRequest,
    state: &ConnectorState,
    authorization: Option<&str>,
    number: usize,
    body: &[u8],
) -> HttpResponse {
    let error = |status: u16, code: &str| {
        HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
            .json(json!({"error": {"code": code, "message": "stand-in failure"}}))
    };
    if let Some(base) = state.redirect_to.lock().unwrap().clone() {
        return HttpResponse::TemporaryRedirect()
            .insert_header(("Location", format!("{base}{}", request.uri().path())))
            .finish();
    }
    let down = state.down_status.load(Ordering::SeqCst) as u16;
    // The reply endpoint is `.../activities/{activityId}`; the send endpoint ends in `activities`.
    let is_reply = !request.path().ends_with("/activities");
    if down != 0 && (is_reply || !state.down_replies_only.load(Ordering::SeqCst)) {
        return error(down, "ServiceUnavailable");
    }
    let rejected = state.rejected_authorization.lock().unwrap().clone();
    if rejected.is_some() && rejected.as_deref() == authorization {
        return error(401, "Unauthorized");
    }
    if let Some(status) = state.scripted.lock().unwrap().pop_front() {
        return error(status, "ScriptedFailure");
    }
    if take_one(&state.unauthorized_next) {
        return HttpResponse::Unauthorized()
            .json(json!({"error": {"code": "Unauthorized", "message": "token expired"}}));
    }
    if take_one(&state.throttle_next) {
        return HttpResponse::TooManyRequests()
            .insert_header((
                "Retry-After",
                state.retry_after_seconds.load(Ordering::SeqCst).to_string(),
            ))
            .json(json!({"error": {"code": "TooManyRequests", "message": "slow down"}}));
    }
    if request.method() == "POST" && request.path().ends_with("/v3/conversations") {
        return create_conversation(body, number);
    }
    if !request.path().contains("/v3/conversations/") {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .insert_header(("X-Correlating-OperationId", format!("op-{number}")))
        .json(json!({ "id": format!("reply-{number}") }))
}

/// `POST /v3/conversations` as Teams answers it for a new channel thread (botframework.md
/// §3.5): 201 with the thread's conversation id `<channel>;messageid=<n>` and the id of its
/// root message; 400 `BadSyntax` without a channel or a first activity.
fn create_conversation(body: &[u8], number: usize) -> HttpResponse {
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let channel = body["channelData"]["channel"]["id"].as_str();
    match channel {
        Some(channel) if body["activity"].is_object() && body["tenantId"].is_string() => {
            let message_id = format!("17763{number:08}");
            HttpResponse::Created().json(json!({
                "id": format!("{channel};messageid={message_id}"),
                "activityId": message_id,
            }))
        }
        _ => HttpResponse::BadRequest().json(json!({"error": {"code": "BadSyntax", "message": "Incorrect conversation creation parameters"}})),
    }
}
