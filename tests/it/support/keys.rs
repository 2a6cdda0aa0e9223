//! Test-only RSA signing keys (from `tests/fixtures/`) and helpers to mint Bot Framework-style
//! tokens with them.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

pub const KEY_1_PEM: &str = include_str!("../../fixtures/test-only-signing-key-1.pem");
pub const KEY_2_PEM: &str = include_str!("../../fixtures/test-only-signing-key-2.pem");
pub const KEY_1_JWK: &str = include_str!("../../fixtures/test-only-signing-key-1.public.jwk.json");
pub const KEY_2_JWK: &str = include_str!("../../fixtures/test-only-signing-key-2.public.jwk.json");

/// An RSA key pair: its JWK `n`/`e` and a signer.
#[derive(Clone)]
pub struct TestKey {
    pub n: String,
    pub e: String,
    encoding: EncodingKey,
}

impl TestKey {
    /// A private key (PEM) and its public JWK (`n`, `e`), both from `tests/fixtures/`.
    pub fn from_fixture(pem: &str, public_jwk: &str) -> TestKey {
        let public: Value = serde_json::from_str(public_jwk).expect("fixture JWK is JSON");
        TestKey {
            n: public["n"].as_str().expect("n").to_owned(),
            e: public["e"].as_str().expect("e").to_owned(),
            encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key loads"),
        }
    }

    pub fn one() -> TestKey {
        TestKey::from_fixture(KEY_1_PEM, KEY_1_JWK)
    }

    pub fn two() -> TestKey {
        TestKey::from_fixture(KEY_2_PEM, KEY_2_JWK)
    }

    /// The JWK as login.botframework.com publishes it, with endorsements.
    pub fn jwk(&self, kid: &str, endorsements: Option<&[&str]>) -> Value {
        let mut jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "kid": kid,
            "n": self.n,
            "e": self.e,
        });
        if let Some(endorsements) = endorsements {
            jwk["endorsements"] = json!(endorsements);
        }
        jwk
    }

    /// Signs `claims` with this key; `kid` may be omitted to test that case.
    pub fn sign(&self, alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_owned);
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("test token signs")
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Claims of a valid channel token for `app_id` and `service_url`.
pub fn channel_claims(app_id: &str, service_url: &str) -> Value {
    let now = now();
    json!({
        "iss": "https://api.botframework.com",
        "aud": app_id,
        "serviceurl": service_url,
        "nbf": now - 5,
        "iat": now - 5,
        "exp": now + 3600,
    })
}

/// A token with an arbitrary header and claims, signed with HMAC or not at all.
pub fn unsigned_token(header: &Value, claims: &Value, signature: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(header.to_string()),
        b64.encode(claims.to_string()),
        signature
    )
}
