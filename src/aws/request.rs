//! One attempt of one call: serialise the parameters, resolve the endpoint, build the URL
//! (S3 addressing included), sign, send over HTTP and turn the answer into output or an
//! [`AwsError`]. Retries and deadlines belong to the caller.

use std::time::SystemTime;

use serde_json::{Map, Value};

use super::customizations;
use super::discovery::{self, Lookup};
use super::endpoint::{self, is_virtual_host_bucket, resolve_endpoint};
use super::engine::Prepared;
use super::parse::{self, RawResponse};
use super::s3_redirect::{self, Redirect};
use super::serialize::{self, SerializedRequest};
use super::shape::resolve;
use super::sign::{self, SigningScope};
use super::xml;
use super::{AwsError, CallOptions, Engine};
use crate::common::error_chain;
use crate::models::{Operation, ShapeType};

/// How long the presigned source-Region request of a cross-Region copy stays valid
/// (botocore's default, one hour).
const PRESIGNED_URL_LIFETIME: std::time::Duration = std::time::Duration::from_secs(3600);

/// A request ready for the wire: signed, with its final URL.
struct SignedRequest {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The endpoint the URL was built from, named in transport errors.
    endpoint_url: String,
    is_s3: bool,
}

impl Engine {
    /// Sends one attempt and parses its answer.
    pub(super) async fn send_once(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
    ) -> Result<Value, AwsError> {
        if discovery::required(&prepared.model, prepared.operation_key) {
            return self.send_discovered(prepared, params, call).await;
        }
        let request = self.signed_request(prepared, params, call, None)?;
        let raw = self.send(&request, prepared.operation_key).await?;
        if request.is_s3 && raw.status >= 300 {
            // A bucket in another Region: once more for its Region, as botocore does.
            if let Some(region) = self.bucket_region_after(prepared, params, call, &raw).await {
                let moved = CallOptions {
                    region,
                    ..call.clone()
                };
                let request = self.signed_request(prepared, params, &moved, None)?;
                let raw = self.send(&request, prepared.operation_key).await?;
                return interpret(prepared, request.is_s3, &raw);
            }
        }
        interpret(prepared, request.is_s3, &raw)
    }

    /// The bucket's Region when an S3 error answer says the request went to the wrong one
    /// (`s3_redirect`), asking the bucket with HeadBucket when the answer does not name it;
    /// `None` to show the error as it is.
    async fn bucket_region_after(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
        raw: &RawResponse,
    ) -> Option<String> {
        let region = match s3_redirect::redirect(prepared.operation_key, params, raw) {
            Redirect::No => return None,
            Redirect::To(region) => region,
            Redirect::AskBucket(bucket) => {
                let head = Prepared {
                    model: prepared.model.clone(),
                    operation_key: "HeadBucket",
                    protocol: prepared.protocol,
                };
                let mut head_params = Map::new();
                head_params.insert("Bucket".into(), Value::String(bucket));
                let request = self.signed_request(&head, &head_params, call, None).ok()?;
                let answer = self.send(&request, "HeadBucket").await.ok()?;
                s3_redirect::bucket_region(&answer)?
            }
        };
        (crate::common::is_region(&region) && region != call.region).then_some(region)
    }

    /// One attempt of an operation that must go to the caller's discovered endpoint
    /// (`discovery`): the endpoint known, or asked for; when the service refuses it, asked
    /// for once more and the call sent again.
    async fn send_discovered(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
    ) -> Result<Value, AwsError> {
        if !self.config.endpoint_discovery {
            return Err(AwsError::EndpointDiscovery {
                message: discovery::REQUIRED_BUT_OFF,
            });
        }
        let key = discovery::key(
            &prepared.model,
            &call.region,
            call.credentials.access_key_id(),
        );
        let mut asked_again = false;
        loop {
            let url = self.discovered_endpoint(prepared, call, &key).await?;
            let request = self.signed_request(prepared, params, call, Some(&url))?;
            let raw = self.send(&request, prepared.operation_key).await?;
            let result = interpret(prepared, false, &raw);
            let refused = matches!(&result, Err(AwsError::Service { code, status, .. })
                if discovery::refused_endpoint(*status, Some(code)));
            if refused && !asked_again {
                self.discovered.forget(&key);
                asked_again = true;
                continue;
            }
            return result;
        }
    }

    /// The caller's endpoint for `prepared`'s service: the one discovered before, or what
    /// `DescribeEndpoints` names now (sent where the service's other calls would go). A
    /// service error of `DescribeEndpoints` is the call's error, as in botocore.
    async fn discovered_endpoint(
        &self,
        prepared: &Prepared<'_>,
        call: &CallOptions,
        key: &(String, String, String),
    ) -> Result<String, AwsError> {
        let failed = || AwsError::EndpointDiscovery {
            message: discovery::REFRESH_FAILED,
        };
        let now = std::time::Instant::now();
        match self.discovered.lookup(key, now) {
            Lookup::Use(url) => return Ok(url),
            Lookup::Failed => return Err(failed()),
            Lookup::Discover => {}
        }
        let describe = Prepared {
            model: prepared.model.clone(),
            operation_key: discovery::OPERATION,
            protocol: prepared.protocol,
        };
        let request = self.signed_request(&describe, &Map::new(), call, None)?;
        let raw = match self.send(&request, discovery::OPERATION).await {
            Ok(raw) => raw,
            Err(error) => {
                tracing::warn!(
                    service = %prepared.model.metadata.service_id,
                    error = %error,
                    "endpoint discovery could not reach the service"
                );
                self.discovered.failed(key.clone(), now);
                return match self.discovered.lookup(key, now) {
                    Lookup::Use(stale) => Ok(stale),
                    _ => Err(failed()),
                };
            }
        };
        let answer = interpret(&describe, false, &raw)?;
        let Some((url, period)) = discovery::endpoint_of(&answer) else {
            tracing::warn!(
                service = %prepared.model.metadata.service_id,
                "DescribeEndpoints named no usable endpoint"
            );
            self.discovered.failed(key.clone(), now);
            return Err(failed());
        };
        self.discovered.store(key.clone(), url.clone(), period, now);
        Ok(url)
    }

    /// The signed request of one attempt, to `discovered` (an endpoint discovery found)
    /// instead of the resolved endpoint when given.
    fn signed_request(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
        discovered: Option<&str>,
    ) -> Result<SignedRequest, AwsError> {
        let model = &prepared.model;
        let operation_key = prepared.operation_key;
        let operation = prepared.operation();
        let mut request =
            serialize::serialize(prepared.protocol, model, operation_key, operation, params)
                .map_err(|m| AwsError::serialize(operation_key, m))?;
        customizations::before_call(model, operation, &mut request);
        let mut endpoint = resolve_endpoint(
            model,
            &call.region,
            self.config.endpoint_url.as_deref(),
            &self.config.service_endpoints,
        );
        if let Some(url) = discovered {
            // botocore replaces the request's URL; the signature stays the Region's.
            endpoint.url = url.to_owned();
        }
        let is_s3 = model.metadata.signing_name() == "s3";
        // botocore asks for GetBucketLocation path-style (`customize_endpoint_resolver_builtins`):
        // the bucket's own host may be in another Region.
        let virtual_host = is_s3 && operation_key != "GetBucketLocation";
        let url = build_url(&endpoint, &request, virtual_host, params);
        let url = customizations::switch_host(model, operation, params, url);
        let signing_name = endpoint
            .signing_name
            .clone()
            .unwrap_or_else(|| model.metadata.signing_name().to_owned());
        let now = SystemTime::now();
        if let Some(kind) = customizations::cross_region_copy(model, operation) {
            let presign = |source_url: &str, source_region: &str| {
                let source = SigningScope {
                    credentials: &call.credentials,
                    region: source_region,
                    signing_name: &signing_name,
                    s3: false,
                    now,
                };
                sign::presign_get_url(source_url, &source, PRESIGNED_URL_LIFETIME)
            };
            customizations::inject_presigned_url(
                kind,
                &mut request.body,
                &url,
                &endpoint.signing_region,
                presign,
            )
            .map_err(|m| AwsError::Credentials { message: m })?;
        }
        let mut headers = request.headers.clone();
        if is_s3 {
            add_checksum(operation, &request, &mut headers);
        }
        let scope = SigningScope {
            credentials: &call.credentials,
            region: &endpoint.signing_region,
            signing_name: &signing_name,
            s3: is_s3,
            now,
        };
        sign::sign_request(&request.method, &url, &mut headers, &request.body, &scope)
            .map_err(|m| AwsError::Credentials { message: m })?;
        Ok(SignedRequest {
            method: request.method,
            url,
            headers,
            body: request.body,
            endpoint_url: endpoint.url,
            is_s3,
        })
    }

    async fn send(
        &self,
        request: &SignedRequest,
        operation_key: &str,
    ) -> Result<RawResponse, AwsError> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| AwsError::serialize(operation_key, e.to_string()))?;
        let mut builder = self.client.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let transport = |e: reqwest::Error| AwsError::Transport {
            endpoint: request.endpoint_url.clone(),
            message: error_chain(&e),
        };
        let response = builder
            .body(request.body.clone())
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let response_headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await.map_err(transport)?.to_vec();
        Ok(RawResponse {
            status,
            headers: response_headers,
            body,
        })
    }
}

/// The output of a successful answer, or the service's error.
fn interpret(prepared: &Prepared<'_>, is_s3: bool, raw: &RawResponse) -> Result<Value, AwsError> {
    let operation_key = prepared.operation_key;
    let status = raw.status;
    if status >= 300 || s3_error_in_ok(prepared, is_s3, raw) {
        let (code, message) = parse::parse_error(prepared.protocol, raw);
        return Err(AwsError::Service {
            code,
            message,
            operation: operation_key.to_owned(),
            status,
        });
    }
    if is_s3 && operation_key == "GetBucketLocation" {
        return parse::bucket_location(raw).map_err(|m| AwsError::parse(operation_key, m));
    }
    parse::parse_output(
        prepared.protocol,
        &prepared.model,
        prepared.operation(),
        raw,
    )
    .map_err(|m| AwsError::parse(operation_key, m))
}

/// The request URL: endpoint, host prefix, S3 addressing style, path and query.
fn build_url(
    endpoint: &endpoint::ResolvedEndpoint,
    request: &SerializedRequest,
    virtual_host: bool,
    params: &Map<String, Value>,
) -> String {
    let (scheme, rest) = endpoint
        .url
        .split_once("://")
        .unwrap_or(("https", endpoint.url.as_str()));
    let (mut host, base_path) = match rest.find('/') {
        Some(slash) => (rest[..slash].to_owned(), rest[slash..].to_owned()),
        None => (rest.to_owned(), String::new()),
    };
    let mut path = request.path_and_query();
    if let Some(prefix) = &request.host_prefix {
        host = format!("{prefix}{host}");
    }
    // Virtual-hosted style on AWS for DNS-compatible buckets; path style for custom
    // endpoints (moto, LocalStack), as botocore ends up doing for them.
    if virtual_host && !endpoint.custom {
        if let Some(bucket) = params.get("Bucket").and_then(Value::as_str) {
            let bucket_path = format!("/{}", serialize::percent_encode(bucket));
            if is_virtual_host_bucket(bucket) && path.starts_with(&bucket_path) {
                let remainder = &path[bucket_path.len()..];
                path = if remainder.starts_with('/') {
                    remainder.to_owned()
                } else {
                    format!("/{remainder}")
                };
                host = format!("{bucket}.{host}");
            }
        }
    }
    format!("{scheme}://{host}{}{path}", base_path.trim_end_matches('/'))
}

/// S3 refuses some operations without a body checksum (`httpChecksumRequired`, or
/// `requestChecksumRequired`); botocore sends a CRC32 then, and so do we.
fn add_checksum(
    operation: &Operation,
    request: &SerializedRequest,
    headers: &mut Vec<(String, String)>,
) {
    let required = operation.http_checksum_required
        || operation
            .http_checksum
            .as_ref()
            .and_then(|c| c.get("requestChecksumRequired"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
    if !required
        || headers
            .iter()
            .any(|(k, _)| k.to_ascii_lowercase().starts_with("x-amz-checksum-"))
    {
        return;
    }
    use base64::Engine as _;
    let crc = crc32fast::hash(&request.body);
    headers.push((
        "x-amz-checksum-crc32".into(),
        base64::engine::general_purpose::STANDARD.encode(crc.to_be_bytes()),
    ));
}

/// S3 can answer 200 with an `<Error>` body (a copy or a multipart completion that failed
/// after it started); botocore's `_handle_200_error` reads it as an error for every S3
/// operation whose output is not the raw body.
fn s3_error_in_ok(prepared: &Prepared<'_>, is_s3: bool, response: &RawResponse) -> bool {
    if !is_s3 || response.status != 200 || response.body.is_empty() {
        return false;
    }
    let model = &prepared.model;
    let raw_payload = prepared
        .operation()
        .output
        .as_ref()
        .and_then(|output| resolve(model, output).ok())
        .and_then(|output| output.payload(model).ok().flatten())
        .is_some_and(|payload| {
            matches!(payload.resolved.kind(), ShapeType::Blob | ShapeType::String)
        });
    !raw_payload && xml::parse(&response.body).is_ok_and(|root| root.name == "Error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_virtual_host_on_aws_path_style_on_custom_endpoints() {
        let request = SerializedRequest {
            method: "GET".into(),
            path: "/my-bucket/a%20b".into(),
            query: vec![("versionId".into(), "1".into())],
            ..Default::default()
        };
        let mut params = Map::new();
        params.insert("Bucket".into(), Value::String("my-bucket".into()));
        let aws = endpoint::ResolvedEndpoint {
            url: "https://s3.eu-west-1.amazonaws.com".into(),
            signing_region: "eu-west-1".into(),
            signing_name: None,
            custom: false,
        };
        assert_eq!(
            build_url(&aws, &request, true, &params),
            "https://my-bucket.s3.eu-west-1.amazonaws.com/a%20b?versionId=1"
        );
        let moto = endpoint::ResolvedEndpoint {
            url: "http://127.0.0.1:5000".into(),
            custom: true,
            ..aws
        };
        assert_eq!(
            build_url(&moto, &request, true, &params),
            "http://127.0.0.1:5000/my-bucket/a%20b?versionId=1"
        );
    }
}
