//! The notifications benchmark's helpers (`bench/notifications.sh`), one binary, two modes:
//! `standins` starts the loopback Microsoft stand-ins and the test SNS publisher (which serves
//! the signing certificate), and writes the bot's config, the install activities and N
//! pre-signed SNS Notification envelopes; `load` POSTs bodies from a file, each exactly once
//! (a MessageId sent twice is accepted but not posted, which would flatter the figures), with
//! C concurrent connections, and prints throughput, latency percentiles and the server's CPU.

#[path = "../tests/it/support/keys.rs"]
#[allow(dead_code)]
mod keys;
#[path = "../tests/it/support/sns.rs"]
#[allow(dead_code)]
mod sns;
#[path = "../tests/it/support/standins.rs"]
#[allow(dead_code)]
mod standins;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{json, Map, Value};

const APP_ID: &str = "6f0b3c1e-8a2d-4c5e-9f10-112233445566";
const APP_TENANT: &str = "0d9b0a4c-1111-4222-8333-444455556666";
const SNS_KEY: &str = include_str!("../tests/fixtures/sns/sns-test-signing.key.pem");
const ACCOUNT: &str = "123456789012";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("standins") => standins_mode(&args[1..]),
        Some("load") => load_mode(&args[1..]),
        _ => {
            eprintln!("usage: bench-notifications standins <out-dir> | load <url> <bodies> ...");
            std::process::exit(2);
        }
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn tenant(t: usize) -> String {
    format!("0d9b0a4c-2222-4222-8333-{t:012}")
}

fn chat(c: usize) -> String {
    format!("19:bench-chat-{c}@thread.v2")
}

fn topic_arn(c: usize) -> String {
    format!("arn:aws:sns:us-east-1:{ACCOUNT}:bench-{c}")
}

/// `standins <out-dir>`: TENANTS tenants, CHATS group chats spread over them (one topic
/// each), PER_CHAT notifications per chat (sent round-robin, so a chat gets one every CHATS
/// notifications and never reaches the digest's 10 a minute), GUARDRAIL for the chats, and
/// MOTO (an endpoint: the chats' role may read metric data there, so charts are drawn).
#[tokio::main(flavor = "current_thread")]
async fn standins_mode(args: &[String]) {
    let out = PathBuf::from(args.first().expect("usage: standins <out-dir>"));
    let tenants = env_usize("TENANTS", 100);
    let chats = env_usize("CHATS", 3000);
    let per_chat = env_usize("PER_CHAT", 10);
    let guardrail = std::env::var("GUARDRAIL").unwrap_or_else(|_| "LambdaInvoke".into());

    let key = keys::TestKey::one();
    let login = standins::LoginStandIn::start(vec![key.jwk("key-1", Some(&["msteams"]))]);
    let token = standins::TokenStandIn::start();
    let connector = standins::ConnectorStandIn::start(1, false);
    let publisher = sns::Publisher::start();
    let service_url = connector.service_url();

    let mut claims = keys::channel_claims(APP_ID, &service_url);
    claims["exp"] = json!(keys::now() + 4 * 3600);
    let bearer = format!(
        "Bearer {}",
        key.sign(Algorithm::RS256, Some("key-1"), &claims)
    );

    write_config(&out, tenants, chats, &guardrail, &publisher.prefix());
    write_installs(&out, tenants, &service_url);
    let started = Instant::now();
    write_notifications(&out, chats, per_chat, &publisher.cert_url());
    eprintln!(
        "signed {} notifications in {:.1} s",
        chats * per_chat,
        started.elapsed().as_secs_f64()
    );
    let env = format!(
        "export MicrosoftAppId='{APP_ID}'\nexport MicrosoftAppPassword='bench-only-secret'\nexport MicrosoftAppTenantId='{APP_TENANT}'\nexport ToBotFromChannelOpenIdMetadataUrl='{}'\nexport ToChannelFromBotLoginUrl='{}'\nexport BENCH_AUTH='{bearer}'\n",
        login.metadata_url(),
        token.login_url(APP_TENANT),
    );
    std::fs::write(out.join("standins.env"), env).expect("write env");

    // The Connector's count, for the load client and the script to read while it runs.
    let count_file = out.join("connector.count");
    let state = connector.state.clone();
    tokio::spawn(async move {
        loop {
            let tmp = count_file.with_extension("tmp");
            if std::fs::write(&tmp, state.count().to_string()).is_ok() {
                let _ = std::fs::rename(&tmp, &count_file);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    println!("ready");
    std::io::stdout().flush().ok();

    tokio::signal::ctrl_c().await.expect("ctrl-c");
    println!("connector_requests={}", connector.state.count());
    println!("token_requests={}", token.state.calls());
    println!(
        "cert_fetches={}",
        publisher.state.cert_fetches.load(Ordering::SeqCst)
    );
}

/// `[access]` with one account, CHATS group chats and `[notifications]` with a topic each.
fn write_config(out: &Path, tenants: usize, chats: usize, guardrail: &str, prefix: &str) {
    let audit = out.join("audit.jsonl");
    let mut toml = format!(
        "[access]\ndefault_region = \"us-east-1\"\n[access.audit]\ndestination = \"file\"\npath = \"{}\"\n[access.accounts.bench]\nid = \"{ACCOUNT}\"\nchannel_role = \"arn:aws:iam::{ACCOUNT}:role/chatops-readonly\"\n",
        audit.display()
    );
    for c in 0..chats {
        let _ = write!(
            toml,
            "[access.channels.c{c}]\ntenant_id = \"{}\"\nconversation_id = \"{}\"\naccounts = [\"bench\"]\nguardrails = [\"{guardrail}\"]\n",
            tenant(c % tenants),
            chat(c)
        );
    }
    let _ = write!(
        toml,
        "[notifications]\ntest_signing_cert_url_prefix = \"{prefix}\"\n"
    );
    for c in 0..chats {
        let _ = write!(
            toml,
            "[notifications.topics.t{c}]\narn = \"{}\"\nchannels = [\"c{c}\"]\n",
            topic_arn(c)
        );
    }
    std::fs::write(out.join("config.toml"), toml).expect("write config");
}

/// One conversationUpdate per tenant (the bot added to a group chat): the bot stores the
/// tenant's conversation reference, which every chat of the tenant is then posted through.
fn write_installs(out: &Path, tenants: usize, service_url: &str) {
    let bot_id = format!("28:{APP_ID}");
    let mut lines = String::new();
    for t in 0..tenants {
        let tenant = tenant(t);
        let activity = json!({
            "type": "conversationUpdate",
            "id": format!("f:install-{t}"),
            "serviceUrl": service_url,
            "channelId": "msteams",
            "from": {"id": "29:1user-mri", "name": "Ada Lovelace", "aadObjectId": "a1b2c3d4-0000-4000-8000-00000000aaaa"},
            "recipient": {"id": bot_id, "name": "AWS"},
            "conversation": {"id": format!("19:bench-install-{t}@thread.v2"), "conversationType": "groupChat", "tenantId": tenant, "isGroup": true},
            "membersAdded": [{"id": bot_id}],
            "channelData": {"tenant": {"id": tenant}}
        });
        lines.push_str(&activity.to_string());
        lines.push('\n');
    }
    std::fs::write(out.join("installs.jsonl"), lines).expect("write installs");
}

/// CHATS × PER_CHAT signed Notification envelopes, one per line, round-robin over the chats:
/// each a new alarm (its own card), CloudWatch's alarm JSON, a unique MessageId.
fn write_notifications(out: &Path, chats: usize, per_chat: usize, cert_url: &str) {
    let (_, der) = pkcs8::der::pem::decode_vec(SNS_KEY.as_bytes()).expect("test key");
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).expect("test key");
    let total = chats * per_chat;
    // A run id in every MessageId and alarm name: a store kept between runs (Redis) would
    // otherwise take the next run's notifications for SNS retries, or for changes of the
    // same alarms.
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() % 1_000_000)
        .unwrap_or_default();
    let threads = 2;
    let chunks: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|part| {
                let pair = &pair;
                scope.spawn(move || {
                    let mut text = String::new();
                    for n in (part * total / threads)..((part + 1) * total / threads) {
                        let envelope = envelope(run, n, n % chats, cert_url, pair);
                        text.push_str(&envelope.to_string());
                        text.push('\n');
                    }
                    text
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("signer"))
            .collect()
    });
    std::fs::write(out.join("notifications.jsonl"), chunks.concat()).expect("write bodies");
}

fn envelope(
    run: u64,
    n: usize,
    c: usize,
    cert_url: &str,
    pair: &ring::signature::RsaKeyPair,
) -> Value {
    let name = format!("bench-alarm-{run}-{n}");
    let message = sns::alarm_message(&name, "OK", "ALARM", (n % 60) as u32, (n % 59) as u32);
    let mut envelope = Map::new();
    for (k, v) in [
        ("Type", "Notification".to_owned()),
        ("MessageId", format!("00000000-0000-4000-{run:06}-{n:012}")),
        ("TopicArn", topic_arn(c)),
        (
            "Subject",
            format!("ALARM: \"{name}\" in US East (N. Virginia)"),
        ),
        ("Message", message),
        ("Timestamp", "2026-12-03T10:42:08.000Z".to_owned()),
        ("SigningCertURL", cert_url.to_owned()),
        (
            "UnsubscribeURL",
            "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x".to_owned(),
        ),
    ] {
        envelope.insert(k.to_owned(), Value::String(v));
    }
    // AWS's string to sign for a Notification (SignatureVersion 2, SHA256withRSA).
    let text: String = [
        "Message",
        "MessageId",
        "Subject",
        "Timestamp",
        "TopicArn",
        "Type",
    ]
    .iter()
    .map(|name| format!("{name}\n{}\n", envelope[*name].as_str().unwrap_or_default()))
    .collect();
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        text.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    envelope.insert("SignatureVersion".into(), json!("2"));
    envelope.insert(
        "Signature".into(),
        json!(base64::engine::general_purpose::STANDARD.encode(signature)),
    );
    Value::Object(envelope)
}

/// `load <url> <bodies-file> <warm-up count> <connections> [pid] [authorization]`: sends the
/// first bodies as a warm-up, then the rest measured; prints key=value lines.
#[tokio::main(flavor = "current_thread")]
async fn load_mode(args: &[String]) {
    let url = args[0].clone();
    let bodies: Vec<String> = std::fs::read_to_string(&args[1])
        .expect("bodies file")
        .lines()
        .map(str::to_owned)
        .collect();
    let warmup: usize = args[2].parse().expect("warm-up count");
    let connections: usize = args[3].parse().expect("connections");
    let pid = args.get(4).filter(|p| !p.is_empty()).cloned();
    let authorization = args.get(5).cloned();
    let count_file = Path::new(&args[1]).with_file_name("connector.count");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let bodies = Arc::new(bodies);
    let warm = warmup.min(bodies.len());
    if warm > 0 {
        let phase = run_phase(&client, &url, &bodies, 0..warm, connections, &authorization).await;
        println!(
            "warmup_requests={} warmup_s={:.2}",
            phase.latencies.len(),
            phase.elapsed.as_secs_f64()
        );
    }
    let cpu_before = pid.as_deref().map(cpu_ticks);
    let connector_before = read_count(&count_file);
    let phase = run_phase(
        &client,
        &url,
        &bodies,
        warm..bodies.len(),
        connections,
        &authorization,
    )
    .await;
    let connector_after = read_count(&count_file);
    let cpu_after = pid.as_deref().map(cpu_ticks);
    phase.report(connector_before, connector_after, cpu_before.zip(cpu_after));
}

/// What one phase of the load did.
struct Phase {
    elapsed: Duration,
    /// Microseconds, one per request answered.
    latencies: Vec<u64>,
    ok: usize,
    non_2xx: usize,
    errors: usize,
}

async fn run_phase(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<String>>,
    range: std::ops::Range<usize>,
    connections: usize,
    authorization: &Option<String>,
) -> Phase {
    let next = Arc::new(AtomicUsize::new(range.start));
    let end = range.end;
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, bodies, next) =
                (client.clone(), url.to_owned(), bodies.clone(), next.clone());
            let authorization = authorization.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let (mut ok, mut non_2xx, mut errors) = (0, 0, 0);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= end {
                        break;
                    }
                    let mut request = client
                        .post(&url)
                        .header("x-amz-sns-message-type", "Notification")
                        .body(bodies[i].clone());
                    request = match &authorization {
                        Some(auth) => request
                            .header("content-type", "application/json")
                            .header("authorization", auth),
                        None => request.header("content-type", "text/plain; charset=UTF-8"),
                    };
                    let sent = Instant::now();
                    match request.send().await {
                        Ok(response) => {
                            let status = response.status();
                            let _ = response.bytes().await;
                            latencies.push(sent.elapsed().as_micros() as u64);
                            if status.is_success() {
                                ok += 1;
                            } else {
                                non_2xx += 1;
                            }
                        }
                        Err(_) => errors += 1,
                    }
                }
                (latencies, ok, non_2xx, errors)
            })
        })
        .collect();
    let mut phase = Phase {
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        ok: 0,
        non_2xx: 0,
        errors: 0,
    };
    for worker in workers {
        let (latencies, ok, non_2xx, errors) = worker.await.expect("worker");
        phase.latencies.extend(latencies);
        phase.ok += ok;
        phase.non_2xx += non_2xx;
        phase.errors += errors;
    }
    phase.elapsed = started.elapsed();
    phase
}

impl Phase {
    fn report(mut self, connector_before: u64, connector_after: u64, cpu: Option<(u64, u64)>) {
        self.latencies.sort_unstable();
        let pct = |p: f64| -> f64 {
            if self.latencies.is_empty() {
                return 0.0;
            }
            let i =
                ((self.latencies.len() as f64 * p).ceil() as usize).clamp(1, self.latencies.len());
            self.latencies[i - 1] as f64 / 1000.0
        };
        let secs = self.elapsed.as_secs_f64();
        let requests = self.ok + self.non_2xx + self.errors;
        println!("requests={requests}");
        println!("duration_s={secs:.3}");
        println!("accepted={}", self.ok);
        println!("accepted_per_s={:.0}", self.ok as f64 / secs);
        println!("non_2xx={}", self.non_2xx);
        println!("errors_socket={}", self.errors);
        println!("p50_ms={:.3}", pct(0.50));
        println!("p99_ms={:.3}", pct(0.99));
        println!("max_ms={:.3}", pct(1.0));
        let delivered = connector_after.saturating_sub(connector_before);
        println!("connector_in_window={delivered}");
        println!("delivered_per_s={:.0}", delivered as f64 / secs);
        if let Some((before, after)) = cpu {
            let ticks = clock_ticks();
            let cpu_s = (after - before) as f64 / ticks;
            println!("server_cpu_s={cpu_s:.2}");
            println!(
                "server_cpu_us_per_notification={:.0}",
                cpu_s * 1e6 / self.ok.max(1) as f64
            );
        }
    }
}

fn read_count(path: &Path) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command's closing parenthesis; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(14) + field(15)
}

fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}
