//! The SNS signature check against envelopes signed here with the test key
//! (tests/fixtures/sns), its certificate served from 127.0.0.1 the way SNS serves its own.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use num_bigint::BigUint;
use pkcs1::der::Decode;
use serde_json::{json, Map, Value};
use sha1::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::certs::parse_certificate;
use super::envelope::RawEnvelope;
use super::*;

const KEY: &str = include_str!("../../../tests/fixtures/sns/sns-test-signing.key.pem");
const CERT: &str = include_str!("../../../tests/fixtures/sns/sns-test-signing.cert.pem");
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:alarms";
/// 2030-01-01: inside the test certificate's validity.
const NOW: i64 = 1_893_456_000;

/// Serves the test certificate at `/cert.pem` (404 elsewhere) and counts the requests.
struct CertServer {
    prefix: String,
    fetches: Arc<AtomicUsize>,
}

async fn cert_server() -> CertServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let prefix = format!("http://{}/", listener.local_addr().unwrap());
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut request = vec![0u8; 4096];
            let read = socket.read(&mut request).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&request[..read]);
            let reply = if request.starts_with("GET /cert.pem ") {
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-pem-file\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{CERT}",
                    CERT.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_owned()
            };
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    CertServer { prefix, fetches }
}

fn verifier(prefix: &str) -> SnsVerifier {
    SnsVerifier::new(
        CertUrlPolicy {
            test_prefix: Some(prefix.to_owned()),
        },
        reqwest::Client::new(),
    )
}

/// AWS's documented string to sign, written out independently of the code under test: each
/// present field of the type's list, in this order, as `name\nvalue\n`.
fn documented_string_to_sign(envelope: &Map<String, Value>) -> String {
    let notification = [
        "Message",
        "MessageId",
        "Subject",
        "Timestamp",
        "TopicArn",
        "Type",
    ];
    let confirmation = [
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ];
    let names: &[&str] = if envelope["Type"] == "Notification" {
        &notification
    } else {
        &confirmation
    };
    names
        .iter()
        .filter_map(|name| {
            let value = envelope.get(*name)?.as_str()?;
            Some(format!("{name}\n{value}\n"))
        })
        .collect()
}

/// RSASSA-PKCS1-v1_5 with SHA-1 (RFC 8017 §8.2.1, §9.2): the test publisher's version 1
/// signature. ring signs only SHA-2, so the private-key operation is done here with num-bigint;
/// `sha1_signer_agrees_with_ring` checks this signer against ring on SHA-256.
fn pkcs1_v15_sign(digest_info: &[u8], key_pem: &str) -> Vec<u8> {
    let (_, der) = pkcs8::der::pem::decode_vec(key_pem.as_bytes()).unwrap();
    let info = pkcs8::PrivateKeyInfo::from_der(&der).unwrap();
    let key = pkcs1::RsaPrivateKey::from_der(info.private_key).unwrap();
    let n = BigUint::from_bytes_be(key.modulus.as_bytes());
    let d = BigUint::from_bytes_be(key.private_exponent.as_bytes());
    let k = n.to_bytes_be().len();
    let mut encoded = vec![0x00, 0x01];
    encoded.resize(k - digest_info.len() - 1, 0xff);
    encoded.push(0x00);
    encoded.extend_from_slice(digest_info);
    let signature = BigUint::from_bytes_be(&encoded)
        .modpow(&d, &n)
        .to_bytes_be();
    let mut padded = vec![0u8; k - signature.len()];
    padded.extend_from_slice(&signature);
    padded
}

const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

fn sign_sha1(text: &[u8]) -> Vec<u8> {
    let mut digest_info = SHA1_DIGEST_INFO.to_vec();
    digest_info.extend_from_slice(&sha1::Sha1::digest(text));
    pkcs1_v15_sign(&digest_info, KEY)
}

fn sign_sha256_with_ring(text: &[u8]) -> Vec<u8> {
    let (_, der) = pkcs8::der::pem::decode_vec(KEY.as_bytes()).unwrap();
    let pair = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut signature = vec![0u8; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        text,
        &mut signature,
    )
    .unwrap();
    signature
}

#[test]
fn sha1_signer_agrees_with_ring() {
    let text = b"Message\nhello\n";
    let mut digest_info = SHA256_DIGEST_INFO.to_vec();
    digest_info.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, text).as_ref());
    assert_eq!(
        pkcs1_v15_sign(&digest_info, KEY),
        sign_sha256_with_ring(text)
    );
}

/// Signs the envelope as SNS does, with the test key: SHA1withRSA for version 1, SHA256withRSA
/// for version 2.
fn sign(envelope: &mut Map<String, Value>, version: &str) {
    let text = documented_string_to_sign(envelope);
    let signature = match version {
        "1" => sign_sha1(text.as_bytes()),
        _ => sign_sha256_with_ring(text.as_bytes()),
    };
    envelope.insert("SignatureVersion".into(), json!(version));
    envelope.insert(
        "Signature".into(),
        json!(base64::engine::general_purpose::STANDARD.encode(signature)),
    );
}

fn notification(cert_url: &str, subject: Option<&str>) -> Map<String, Value> {
    let mut envelope = json!({
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": TOPIC,
        "Message": "{\"AlarmName\":\"api-5xx\",\"NewStateValue\":\"ALARM\"}\nsecond line",
        "Timestamp": "2030-01-01T00:00:00.000Z",
        "SigningCertURL": cert_url,
        "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x",
    });
    if let Some(subject) = subject {
        envelope["Subject"] = json!(subject);
    }
    object(envelope)
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn confirmation(cert_url: &str) -> Map<String, Value> {
    object(json!({
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736",
        "TopicArn": TOPIC,
        "Message": "You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:alarms.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
        "SubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:alarms&Token=2336",
        "Timestamp": "2030-01-01T00:00:00.000Z",
        "SigningCertURL": cert_url,
    }))
}

fn body(envelope: &Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(envelope).unwrap()
}

#[tokio::test]
async fn signed_envelopes_of_every_type_and_both_versions_verify() {
    let server = cert_server().await;
    let verifier = verifier(&server.prefix);
    let url = format!("{}cert.pem", server.prefix);
    let cases = [
        (
            "notification with subject",
            notification(&url, Some("ALARM: \"api-5xx\" in US East")),
        ),
        ("notification without subject", notification(&url, None)),
        ("subscription confirmation", confirmation(&url)),
        ("unsubscribe confirmation", {
            let mut envelope = confirmation(&url);
            envelope["Type"] = json!("UnsubscribeConfirmation");
            envelope
        }),
    ];
    for (name, envelope) in cases {
        for version in ["1", "2"] {
            let mut envelope = envelope.clone();
            sign(&mut envelope, version);
            let message = verifier
                .verify(&body(&envelope), NOW)
                .await
                .unwrap_or_else(|refusal| panic!("{name}, version {version}: {refusal}"));
            assert_eq!(message.kind.as_str(), envelope["Type"], "{name}");
            assert_eq!(message.topic_arn.as_str(), TOPIC);
            assert_eq!(message.message, envelope["Message"]);
            assert_eq!(
                message.subject.as_deref(),
                envelope.get("Subject").and_then(Value::as_str)
            );
            assert_eq!(
                message.subscribe_url.as_deref(),
                envelope.get("SubscribeURL").and_then(Value::as_str)
            );
        }
    }
    assert_eq!(
        server.fetches.load(Ordering::SeqCst),
        1,
        "the certificate is fetched once and cached"
    );
}

#[tokio::test]
async fn anything_that_breaks_the_signature_or_its_certificate_is_refused() {
    let server = cert_server().await;
    let verifier = verifier(&server.prefix);
    let url = format!("{}cert.pem", server.prefix);
    let signed = |version: &str| {
        let mut envelope = notification(&url, Some("ALARM"));
        sign(&mut envelope, version);
        envelope
    };
    type Change = Box<dyn Fn(&mut Map<String, Value>)>;
    let cases: Vec<(&str, Change, SnsRefusal)> = vec![
        (
            "tampered message",
            Box::new(|e| e["Message"] = json!("{\"NewStateValue\":\"OK\"}")),
            SnsRefusal::SignatureMismatch,
        ),
        (
            "tampered subject",
            Box::new(|e| e["Subject"] = json!("OK")),
            SnsRefusal::SignatureMismatch,
        ),
        (
            "subject removed",
            Box::new(|e| {
                e.remove("Subject");
            }),
            SnsRefusal::SignatureMismatch,
        ),
        (
            "type changed to a confirmation",
            Box::new(|e| {
                e["Type"] = json!("SubscriptionConfirmation");
                e.insert(
                    "SubscribeURL".into(),
                    json!("https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription"),
                );
                e.insert("Token".into(), json!("t"));
            }),
            SnsRefusal::SignatureMismatch,
        ),
        (
            "signature of another message",
            Box::new(|e| {
                let mut other = notification(&format!("{}cert.pem", "x"), Some("other"));
                sign(&mut other, "2");
                e["Signature"] = other["Signature"].clone();
            }),
            SnsRefusal::SignatureMismatch,
        ),
        (
            "signature declared as the other version",
            Box::new(|e| {
                let other = if e["SignatureVersion"] == "1" {
                    "2"
                } else {
                    "1"
                };
                e["SignatureVersion"] = json!(other);
            }),
            SnsRefusal::SignatureMismatch,
        ),
        (
            "SignatureVersion 3",
            Box::new(|e| e["SignatureVersion"] = json!("3")),
            SnsRefusal::UnsupportedSignatureVersion {
                version: "3".into(),
            },
        ),
        (
            "signature not base64",
            Box::new(|e| e["Signature"] = json!("not base64!")),
            SnsRefusal::SignatureNotBase64,
        ),
        (
            "certificate on another host",
            Box::new(|e| {
                e["SigningCertURL"] =
                    json!("https://sns.us-east-1.amazonaws.com.evil.example/cert.pem")
            }),
            SnsRefusal::CertificateUrl(CertUrlRefusal::WrongHost {
                host: "sns.us-east-1.amazonaws.com.evil.example".into(),
                expected: "sns.us-east-1.amazonaws.com".into(),
            }),
        ),
        (
            "certificate over http",
            Box::new(|e| {
                e["SigningCertURL"] = json!("http://sns.us-east-1.amazonaws.com/cert.pem")
            }),
            SnsRefusal::CertificateUrl(CertUrlRefusal::NotHttps),
        ),
        (
            "certificate not found",
            Box::new(move |e| e["SigningCertURL"] = json!(format!("{}missing.pem", "PREFIX"))),
            SnsRefusal::CertificateFetch {
                reason: "HTTP 404".into(),
            },
        ),
        (
            "no signature",
            Box::new(|e| {
                e.remove("Signature");
            }),
            SnsRefusal::MissingField { field: "Signature" },
        ),
        (
            "no type",
            Box::new(|e| {
                e.remove("Type");
            }),
            SnsRefusal::MissingField { field: "Type" },
        ),
        (
            "unknown type",
            Box::new(|e| e["Type"] = json!("Notice")),
            SnsRefusal::UnknownType {
                kind: "Notice".into(),
            },
        ),
        (
            "topic ARN of another service",
            Box::new(|e| e["TopicArn"] = json!("arn:aws:sqs:us-east-1:123456789012:alarms")),
            SnsRefusal::TopicArn(
                TopicArn::parse("arn:aws:sqs:us-east-1:123456789012:alarms").unwrap_err(),
            ),
        ),
    ];
    for (name, change, expected) in cases {
        for version in ["1", "2"] {
            let mut envelope = signed(version);
            change(&mut envelope);
            if let Some(url) = envelope["SigningCertURL"].as_str() {
                let url = url.replace("PREFIX", &server.prefix);
                envelope["SigningCertURL"] = json!(url);
            }
            let refusal = verifier
                .verify(&body(&envelope), NOW)
                .await
                .expect_err(name);
            assert_eq!(refusal, expected, "{name} (signed as version {version})");
        }
    }
}

#[tokio::test]
async fn a_body_that_is_not_an_envelope_is_refused_before_any_fetch() {
    let server = cert_server().await;
    let verifier = verifier(&server.prefix);
    for body in [&b"AlarmName=api-5xx"[..], b"", b"[1,2]", b"{\"Type\": 5}"] {
        let refusal = verifier.verify(body, NOW).await.unwrap_err();
        assert!(
            matches!(refusal, SnsRefusal::NotAnEnvelope { .. }),
            "{body:?}: {refusal:?}"
        );
        assert!(refusal.to_string().contains("raw message delivery"));
    }
    assert_eq!(server.fetches.load(Ordering::SeqCst), 0);
}

#[test]
fn the_string_to_sign_is_the_documented_one() {
    let mut envelope = notification("https://sns.us-east-1.amazonaws.com/c.pem", Some("Hi"));
    sign(&mut envelope, "2");
    let unverified = envelope::RawEnvelope::parse(&body(&envelope))
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(
        unverified.message.string_to_sign(),
        "Message\n{\"AlarmName\":\"api-5xx\",\"NewStateValue\":\"ALARM\"}\nsecond line\n\
         MessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n\
         Subject\nHi\n\
         Timestamp\n2030-01-01T00:00:00.000Z\n\
         TopicArn\narn:aws:sns:us-east-1:123456789012:alarms\n\
         Type\nNotification\n"
    );
}

#[test]
fn certificates_are_used_only_while_valid_and_only_with_rsa_keys() {
    let key = parse_certificate(CERT.as_bytes(), NOW).unwrap();
    assert!(key.not_after > NOW);
    let after_expiry = key.not_after + 1;
    let before_issue = 1_700_000_000; // 2023, before the test certificate was made
    for (name, pem, now) in [
        ("expired", CERT.as_bytes(), after_expiry),
        ("not yet valid", CERT.as_bytes(), before_issue),
        ("not PEM", &b"hello"[..], NOW),
        ("a key, not a certificate", KEY.as_bytes(), NOW),
    ] {
        let refusal = parse_certificate(pem, now).unwrap_err();
        assert!(
            matches!(refusal, SnsRefusal::Certificate { .. }),
            "{name}: {refusal:?}"
        );
    }
}

#[test]
fn certificate_urls_must_be_https_on_the_topics_regional_sns_host() {
    let topic = TopicArn::parse(TOPIC).unwrap();
    let china = TopicArn::parse("arn:aws-cn:sns:cn-north-1:123456789012:alarms").unwrap();
    let policy = CertUrlPolicy::default();
    let wrong_host = |host: &str, expected: &str| {
        Err(CertUrlRefusal::WrongHost {
            host: host.into(),
            expected: expected.into(),
        })
    };
    let cases: Vec<(&str, &TopicArn, Result<(), CertUrlRefusal>)> = vec![
        (
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
            &topic,
            Ok(()),
        ),
        ("https://SNS.us-east-1.amazonaws.com/a.pem", &topic, Ok(())),
        (
            "https://sns.cn-north-1.amazonaws.com.cn/a.pem",
            &china,
            Ok(()),
        ),
        (
            "https://sns.us-west-2.amazonaws.com/a.pem",
            &topic,
            wrong_host("sns.us-west-2.amazonaws.com", "sns.us-east-1.amazonaws.com"),
        ),
        (
            "https://sns.cn-north-1.amazonaws.com/a.pem",
            &china,
            wrong_host(
                "sns.cn-north-1.amazonaws.com",
                "sns.cn-north-1.amazonaws.com.cn",
            ),
        ),
        (
            "https://evil.example/sns.us-east-1.amazonaws.com/a.pem",
            &topic,
            wrong_host("evil.example", "sns.us-east-1.amazonaws.com"),
        ),
        (
            "https://sns.us-east-1.amazonaws.com@evil.example/a.pem",
            &topic,
            Err(CertUrlRefusal::UnexpectedParts),
        ),
        (
            "https://sns.us-east-1.amazonaws.com:8443/a.pem",
            &topic,
            Err(CertUrlRefusal::UnexpectedParts),
        ),
        (
            "http://sns.us-east-1.amazonaws.com/a.pem",
            &topic,
            Err(CertUrlRefusal::NotHttps),
        ),
        ("file:///etc/passwd", &topic, Err(CertUrlRefusal::NotHttps)),
        ("not a url", &topic, Err(CertUrlRefusal::NotAUrl)),
    ];
    for (url, topic, expected) in cases {
        assert_eq!(policy.check(url, topic).map(|_| ()), expected, "{url}");
    }
    // The test-only prefix admits exactly what starts with it.
    let testing = CertUrlPolicy {
        test_prefix: Some("http://127.0.0.1:9/".into()),
    };
    assert!(testing.check("http://127.0.0.1:9/cert.pem", &topic).is_ok());
    assert_eq!(
        testing
            .check("http://127.0.0.1:10/cert.pem", &topic)
            .map(|_| ()),
        Err(CertUrlRefusal::NotHttps)
    );
}

#[test]
fn topic_arns_are_parsed_strictly() {
    let arn = TopicArn::parse("arn:aws:sns:eu-west-1:123456789012:alarms.fifo").unwrap();
    assert_eq!(
        (arn.partition(), arn.region(), arn.account(), arn.name()),
        ("aws", "eu-west-1", "123456789012", "alarms.fifo")
    );
    assert_eq!(arn.sns_host(), "sns.eu-west-1.amazonaws.com");
    for bad in [
        "",
        "alarms",
        "arn:aws:sns:us-east-1:123456789012",
        "arn:aws:sns:us-east-1:123456789012:alarms:extra",
        "arn:aws:sqs:us-east-1:123456789012:alarms",
        "arn:aws:sns:US-EAST-1:123456789012:alarms",
        "arn:aws:sns::123456789012:alarms",
        "arn:aws:sns:us-east-1:12345:alarms",
        "arn:aws:sns:us-east-1:123456789012:",
        "arn:aws:sns:us-east-1:123456789012:a b",
        "arn:other:sns:us-east-1:123456789012:alarms",
        "urn:aws:sns:us-east-1:123456789012:alarms",
    ] {
        assert!(TopicArn::parse(bad).is_err(), "{bad}");
    }
    let long = format!("arn:aws:sns:us-east-1:123456789012:{}", "a".repeat(257));
    assert!(TopicArn::parse(&long).is_err());
}

/// A refusal quotes what it refuses, bounded in bytes: four-byte characters (the property test
/// found 300 emoji quoted as 1,200 bytes) are cut like any others, at a character boundary.
#[test]
fn refusals_quote_at_most_a_few_hundred_bytes_of_any_characters() {
    let wide = "😀".repeat(400);
    let refusals = [
        TopicArn::parse(&wide).unwrap_err().to_string(),
        RawEnvelope::parse(json!({"Type": wide}).to_string().as_bytes())
            .and_then(RawEnvelope::complete)
            .map(|_| ())
            .unwrap_err()
            .to_string(),
    ];
    for text in refusals {
        assert!(text.len() < 512, "{} bytes: {text:.80}", text.len());
        assert!(text.contains("😀…"), "{text:.80}");
    }
}
