//! The signature check every SNS envelope passes before it is used: the certificate URL first
//! (https, the topic Region's SNS host), then RSA PKCS#1 v1.5 over the documented string, with
//! SHA-1 for `SignatureVersion` 1 and SHA-256 for 2. Anything else is refused: fail closed.

use base64::Engine as _;
use ring::signature::{self, UnparsedPublicKey};

use super::certs::{CertUrlPolicy, CertUrlRefusal, SigningCertCache};
use super::envelope::{RawEnvelope, SnsMessage};
use super::topic::TopicArnError;

/// The signature versions SNS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// SHA1withRSA (the default of a new topic).
    V1,
    /// SHA256withRSA (`SignatureVersion` topic attribute set to 2).
    V2,
}

impl SignatureVersion {
    fn parse(text: &str) -> Option<SignatureVersion> {
        match text {
            "1" => Some(SignatureVersion::V1),
            "2" => Some(SignatureVersion::V2),
            _ => None,
        }
    }

    fn algorithm(self) -> &'static signature::RsaParameters {
        match self {
            SignatureVersion::V1 => &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            SignatureVersion::V2 => &signature::RSA_PKCS1_2048_8192_SHA256,
        }
    }
}

/// Why an SNS delivery was not believed. The endpoint answers 403 for every one of these and
/// logs the reason; nothing is posted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnsRefusal {
    #[error("the body is not an SNS JSON envelope ({reason}); is raw message delivery on?")]
    NotAnEnvelope { reason: String },
    #[error("the subscription delivers raw messages, which carry no signature; turn RawMessageDelivery off on the subscription")]
    RawDelivery,
    #[error("the envelope has no `{field}`")]
    MissingField { field: &'static str },
    #[error("unknown message type `{kind}`")]
    UnknownType { kind: String },
    #[error(transparent)]
    TopicArn(TopicArnError),
    #[error("SignatureVersion `{version}` is not supported (1 and 2 are)")]
    UnsupportedSignatureVersion { version: String },
    #[error("the signature is not base64")]
    SignatureNotBase64,
    #[error(transparent)]
    CertificateUrl(CertUrlRefusal),
    #[error("the signing certificate could not be fetched: {reason}")]
    CertificateFetch { reason: String },
    #[error("the signing certificate is unusable: {reason}")]
    Certificate { reason: String },
    #[error("the signature does not match the message")]
    SignatureMismatch,
}

/// Checks envelopes against their signing certificates.
#[derive(Debug)]
pub struct SnsVerifier {
    policy: CertUrlPolicy,
    certificates: SigningCertCache,
}

impl SnsVerifier {
    pub fn new(policy: CertUrlPolicy, http: reqwest::Client) -> SnsVerifier {
        SnsVerifier {
            policy,
            certificates: SigningCertCache::new(http),
        }
    }

    /// The message in `body`, when its signature holds. `now` is seconds since the epoch (the
    /// certificate must be valid then).
    pub async fn verify(&self, body: &[u8], now: i64) -> Result<SnsMessage, SnsRefusal> {
        let prepared = prepare(&self.policy, body)?;
        let key = self
            .certificates
            .key(&prepared.certificate_url, now)
            .await?;
        let signed = prepared.message.string_to_sign();
        UnparsedPublicKey::new(prepared.version.algorithm(), &key.rsa_public_key)
            .verify(signed.as_bytes(), &prepared.signature)
            .map_err(|_| SnsRefusal::SignatureMismatch)?;
        Ok(prepared.message)
    }
}

/// An envelope with every field its type needs, a known signature version, a base64 signature
/// and an acceptable certificate URL: all that is checked before anything is fetched.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub message: SnsMessage,
    pub version: SignatureVersion,
    pub signature: Vec<u8>,
    pub certificate_url: url::Url,
}

/// The offline part of [`SnsVerifier::verify`] (the property tests feed bodies to it).
pub(crate) fn prepare(policy: &CertUrlPolicy, body: &[u8]) -> Result<Prepared, SnsRefusal> {
    let unverified = RawEnvelope::parse(body)?.complete()?;
    let version = SignatureVersion::parse(&unverified.signature_version).ok_or_else(|| {
        SnsRefusal::UnsupportedSignatureVersion {
            version: crate::notify::cut_bytes(&unverified.signature_version, 16),
        }
    })?;
    let signature = base64::engine::general_purpose::STANDARD
        .decode(unverified.signature.as_bytes())
        .map_err(|_| SnsRefusal::SignatureNotBase64)?;
    let certificate_url = policy
        .check(&unverified.signing_cert_url, &unverified.message.topic_arn)
        .map_err(SnsRefusal::CertificateUrl)?;
    Ok(Prepared {
        message: unverified.message,
        version,
        signature,
        certificate_url,
    })
}
