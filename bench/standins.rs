//! Benchmark stand-ins: the same loopback Microsoft services the integration tests use (OpenID
//! metadata + JWKS, token endpoint, Bot Connector), started once for `bench/run.sh`. Writes the
//! bot's settings, a signed token and a message body to the directory given as the first
//! argument, then runs until interrupted and prints how many activities the Connector received.

#[path = "../tests/it/support/keys.rs"]
#[allow(dead_code)]
mod keys;
#[path = "../tests/it/support/standins.rs"]
#[allow(dead_code)]
mod standins;

use std::path::PathBuf;

use jsonwebtoken::Algorithm;
use serde_json::json;

const APP_ID: &str = "6f0b3c1e-8a2d-4c5e-9f10-112233445566";
const TENANT_ID: &str = "0d9b0a4c-1111-4222-8333-444455556666";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: bench-standins <out-dir>"),
    );
    let key = keys::TestKey::one();
    let login = standins::LoginStandIn::start(vec![key.jwk("key-1", Some(&["msteams"]))]);
    let token = standins::TokenStandIn::start();
    let connector = standins::ConnectorStandIn::start(1, false);
    let service_url = connector.service_url();

    let mut claims = keys::channel_claims(APP_ID, &service_url);
    claims["exp"] = json!(keys::now() + 4 * 3600);
    let bearer = format!(
        "Bearer {}",
        key.sign(Algorithm::RS256, Some("key-1"), &claims)
    );
    let bot_id = format!("28:{APP_ID}");
    let message = json!({
        "type": "message",
        "id": "1776390257332",
        "timestamp": "2026-04-16T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:1user-mri", "name": "Ada Lovelace", "aadObjectId": "a1b2c3d4-0000-4000-8000-00000000aaaa"},
        "conversation": {"id": "19:ops-channel@thread.tacv2;messageid=1776390257332", "conversationType": "channel", "tenantId": TENANT_ID, "isGroup": true},
        "recipient": {"id": bot_id, "name": "AWS"},
        "textFormat": "plain",
        "text": "<at>AWS</at> cloudwatch describe-alarms —state-value ALARM --max-items 10",
        "locale": "en-US",
        "entities": [
            {"type": "mention", "mentioned": {"id": bot_id, "name": "AWS"}, "text": "<at>AWS</at>"},
            {"type": "clientInfo", "locale": "en-US", "country": "US", "platform": "Web"}
        ],
        "channelData": {"tenant": {"id": TENANT_ID}, "team": {"id": "19:team@thread.tacv2"}, "channel": {"id": "19:ops-channel@thread.tacv2"}}
    });

    let env = format!(
        "export MicrosoftAppId='{APP_ID}'\nexport MicrosoftAppPassword='bench-only-secret'\nexport MicrosoftAppTenantId='{TENANT_ID}'\nexport ToBotFromChannelOpenIdMetadataUrl='{}'\nexport ToChannelFromBotLoginUrl='{}'\nexport BENCH_AUTH='{bearer}'\nexport BENCH_BODY='{}'\n",
        login.metadata_url(),
        token.login_url(TENANT_ID),
        out.join("message.json").display(),
    );
    std::fs::write(out.join("message.json"), message.to_string()).unwrap();
    std::fs::write(out.join("standins.env"), env).unwrap();
    println!("ready");

    tokio::signal::ctrl_c().await.unwrap();
    println!("connector_requests={}", connector.state.count());
    println!("token_requests={}", token.state.calls());
}
