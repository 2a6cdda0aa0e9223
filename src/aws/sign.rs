//! SigV4 request signing with the `aws-sigv4` crate. Owns the S3 differences (single URI
//! encoding, no path normalisation, `x-amz-content-sha256`). Never sends anything.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;

/// Who signs, for which service and region, and when.
pub(crate) struct SigningScope<'a> {
    pub credentials: &'a Credentials,
    pub region: &'a str,
    pub signing_name: &'a str,
    /// S3 signs with its own URI encoding and a content hash header.
    pub s3: bool,
    pub now: SystemTime,
}

/// Adds the signature headers (`authorization`, `x-amz-date`, `x-amz-security-token`, and for
/// S3 `x-amz-content-sha256`) to `headers`.
pub(crate) fn sign_request(
    method: &str,
    url: &str,
    headers: &mut Vec<(String, String)>,
    body: &[u8],
    scope: &SigningScope<'_>,
) -> Result<(), String> {
    let SigningScope {
        credentials,
        region,
        signing_name,
        s3,
        now,
    } = *scope;
    let mut settings = SigningSettings::default();
    if s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (new_headers, _params) = instructions.into_parts();
    for header in new_headers {
        headers.push((header.name().to_owned(), header.value().to_owned()));
    }
    Ok(())
}

/// A presigned GET of `url` (which carries the request in its query string), valid for
/// `expires_in`: botocore's `SigV4QueryAuth`, the `X-Amz-*` parameters appended in its order.
pub(crate) fn presign_get_url(
    url: &str,
    scope: &SigningScope<'_>,
    expires_in: std::time::Duration,
) -> Result<String, String> {
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires_in);
    let identity = scope.credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope.region)
        .name(scope.signing_name)
        .time(scope.now)
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new("GET", url, std::iter::empty(), SignableBody::Bytes(b""))
        .map_err(|e| e.to_string())?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    let (_headers, query) = instructions.into_parts();
    let mut presigned = url.to_owned();
    for (name, value) in query {
        presigned.push(if presigned.contains('?') { '&' } else { '?' });
        presigned.push_str(&super::serialize::percent_encode(name));
        presigned.push('=');
        presigned.push_str(&super::serialize::percent_encode(&value));
    }
    Ok(presigned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    /// The headers after signing one request at a fixed time with example credentials.
    fn signed(
        method: &str,
        url: &str,
        mut headers: Vec<(String, String)>,
        body: &[u8],
        signing_name: &str,
        s3: bool,
    ) -> Vec<(String, String)> {
        let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let scope = SigningScope {
            credentials: &credentials,
            region: "us-east-1",
            signing_name,
            s3,
            now: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        };
        sign_request(method, url, &mut headers, body, &scope).unwrap();
        headers
    }

    fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn signs_with_the_service_scope_and_s3_content_hash() {
        let headers = signed(
            "POST",
            "https://logs.us-east-1.amazonaws.com/",
            vec![(
                "content-type".to_owned(),
                "application/x-amz-json-1.1".to_owned(),
            )],
            b"{}",
            "logs",
            false,
        );
        let authorization = header(&headers, "authorization").unwrap();
        assert!(
            authorization.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-1/logs/aws4_request"
            ),
            "{authorization}"
        );
        assert!(header(&headers, "x-amz-content-sha256").is_none());
        let s3_headers = signed(
            "GET",
            "https://s3.amazonaws.com/b/a%20b",
            Vec::new(),
            b"",
            "s3",
            true,
        );
        assert_eq!(
            header(&s3_headers, "x-amz-content-sha256").unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn presigned_urls_match_botocores() {
        // botocore 1.43.11, ec2 CopySnapshot from eu-west-1 called in us-west-2 at
        // 2023-11-14T22:13:20Z with these example credentials.
        let credentials = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let scope = SigningScope {
            credentials: &credentials,
            region: "eu-west-1",
            signing_name: "ec2",
            s3: false,
            now: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        };
        let url = "https://ec2.eu-west-1.amazonaws.com/?Action=CopySnapshot&Version=2016-11-15\
                   &SourceRegion=eu-west-1&SourceSnapshotId=snap-1&Description=a%20b\
                   &DestinationRegion=us-west-2";
        let presigned = presign_get_url(url, &scope, Duration::from_secs(3600)).unwrap();
        assert_eq!(
            presigned,
            format!(
                "{url}&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20231114\
                 %2Feu-west-1%2Fec2%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=3600\
                 &X-Amz-SignedHeaders=host&X-Amz-Signature=\
                 719d4cdf636b63d619dddf01f41e6431a4fd9880dba98e33d3193102141cfa9e"
            )
        );
    }
}
