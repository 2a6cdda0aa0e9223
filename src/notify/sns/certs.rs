//! Where a signing certificate may come from, and the certificates already fetched. A message
//! names its own certificate (`SigningCertURL`), so the URL is checked against the topic's Region
//! before the bot fetches anything, and a fetched certificate is kept (bounded) so a burst of
//! notifications costs one fetch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;
use x509_parser::oid_registry::OID_PKCS1_RSAENCRYPTION;
use x509_parser::time::ASN1Time;

use super::topic::TopicArn;
use super::SnsRefusal;

/// Certificates are small (~2 KB); anything much larger is not one.
const MAX_CERT_BYTES: usize = 64 * 1024;
/// How many distinct certificate URLs are remembered. SNS signs with one certificate per Region
/// at a time, rotated rarely; the bound keeps forged URLs from growing memory.
const MAX_CACHED: usize = 32;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Which `SigningCertURL`s are acceptable.
#[derive(Debug, Clone, Default)]
pub struct CertUrlPolicy {
    /// Test-only: one more URL prefix (`http://127.0.0.1:PORT/`) whose certificates are accepted,
    /// so tests can sign with their own key. Set from `[notifications]
    /// test_signing_cert_url_prefix`; start-up logs a warning when it is set.
    pub test_prefix: Option<String>,
}

/// Why a `SigningCertURL` was not fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertUrlRefusal {
    #[error("the signing certificate URL is not a URL")]
    NotAUrl,
    #[error("the signing certificate URL is not https")]
    NotHttps,
    #[error("the signing certificate URL carries credentials or a port")]
    UnexpectedParts,
    #[error("the signing certificate is on `{host}`, not on `{expected}` (the topic's Region)")]
    WrongHost { host: String, expected: String },
}

impl CertUrlPolicy {
    /// The URL to fetch, when it is https on the SNS endpoint of the topic's own Region (or
    /// starts with the test-only prefix).
    pub fn check(&self, url: &str, topic: &TopicArn) -> Result<Url, CertUrlRefusal> {
        let parsed = Url::parse(url).map_err(|_| CertUrlRefusal::NotAUrl)?;
        if let Some(prefix) = &self.test_prefix {
            if url.starts_with(prefix.as_str()) {
                return Ok(parsed);
            }
        }
        if parsed.scheme() != "https" {
            return Err(CertUrlRefusal::NotHttps);
        }
        if !parsed.username().is_empty() || parsed.password().is_some() || parsed.port().is_some() {
            return Err(CertUrlRefusal::UnexpectedParts);
        }
        let expected = topic.sns_host();
        match parsed.host_str() {
            Some(host) if host.eq_ignore_ascii_case(&expected) => Ok(parsed),
            host => Err(CertUrlRefusal::WrongHost {
                host: crate::notify::cut_bytes(host.unwrap_or_default(), 100),
                expected,
            }),
        }
    }
}

/// A certificate's RSA public key (PKCS#1 `RSAPublicKey` DER, what `ring` verifies with) and
/// the second its certificate stops being valid.
#[derive(Debug)]
pub(super) struct SigningKey {
    pub rsa_public_key: Vec<u8>,
    pub not_after: i64,
}

/// Fetched signing keys by URL.
#[derive(Debug)]
pub struct SigningCertCache {
    http: reqwest::Client,
    keys: Mutex<HashMap<String, Arc<SigningKey>>>,
}

impl SigningCertCache {
    pub fn new(http: reqwest::Client) -> SigningCertCache {
        SigningCertCache {
            http,
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The key for `url` (already checked by [`CertUrlPolicy::check`]), from the cache while its
    /// certificate is valid, else fetched.
    pub(super) async fn key(&self, url: &Url, now: i64) -> Result<Arc<SigningKey>, SnsRefusal> {
        if let Some(key) = self.cached(url.as_str(), now) {
            return Ok(key);
        }
        let pem = self.fetch(url).await?;
        let key = Arc::new(parse_certificate(&pem, now)?);
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.retain(|_, key| key.not_after > now);
        if keys.len() >= MAX_CACHED {
            // Forged URLs cannot get here (the host is checked first), so a full cache means
            // rotation over a long uptime: start again.
            keys.clear();
        }
        keys.insert(url.as_str().to_owned(), key.clone());
        Ok(key)
    }

    fn cached(&self, url: &str, now: i64) -> Option<Arc<SigningKey>> {
        let keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        keys.get(url).filter(|key| key.not_after > now).cloned()
    }

    async fn fetch(&self, url: &Url) -> Result<Vec<u8>, SnsRefusal> {
        let fetch_failed = |reason: String| SnsRefusal::CertificateFetch { reason };
        let mut response = self
            .http
            .get(url.clone())
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|error| fetch_failed(crate::common::error_chain(&error)))?;
        if !response.status().is_success() {
            return Err(fetch_failed(format!("HTTP {}", response.status().as_u16())));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| fetch_failed(crate::common::error_chain(&error)))?
        {
            if body.len() + chunk.len() > MAX_CERT_BYTES {
                return Err(fetch_failed(format!(
                    "more than {MAX_CERT_BYTES} bytes: not a certificate"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// The RSA key of a PEM certificate that is valid at `now` (seconds since the epoch).
pub(super) fn parse_certificate(pem: &[u8], now: i64) -> Result<SigningKey, SnsRefusal> {
    let invalid = |reason: &str| SnsRefusal::Certificate {
        reason: reason.to_owned(),
    };
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem).map_err(|_| invalid("not PEM"))?;
    let certificate = pem
        .parse_x509()
        .map_err(|_| invalid("not an X.509 certificate"))?;
    let at = ASN1Time::from_timestamp(now).map_err(|_| invalid("the clock is out of range"))?;
    if !certificate.validity().is_valid_at(at) {
        return Err(invalid("expired or not yet valid"));
    }
    let public_key = certificate.public_key();
    if public_key.algorithm.algorithm != OID_PKCS1_RSAENCRYPTION {
        return Err(invalid("the key is not RSA"));
    }
    Ok(SigningKey {
        rsa_public_key: public_key.subject_public_key.data.to_vec(),
        not_after: certificate.validity().not_after.timestamp(),
    })
}
