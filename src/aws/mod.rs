//! The AWS command engine: signs, serialises, sends and parses any operation of any AWS
//! service, driven by the botocore models, with the AWS CLI's pagination semantics. This is
//! the only module that talks to AWS; it never formats output for people and knows no chat.

pub mod assume_role;
mod endpoint;
mod error;
mod paginate;
mod parse;
mod serialize;
mod shape;
mod sign;
pub mod support;
mod timestamp;
mod xml;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub use aws_credential_types::Credentials;
use serde_json::{Map, Value};
use tokio::time::Instant;

pub use endpoint::service_env_key;
pub use error::AwsError;

use crate::command::Invocation;
use crate::models::{Models, Operation, ServiceModel};
use endpoint::{is_virtual_host_bucket, resolve_endpoint};
use parse::RawResponse;
use serialize::SerializedRequest;
use shape::Protocol;

/// The deadline of one command, every page included (F5).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// How the engine reaches AWS. Built from values in tests; [`EngineConfig::from_env`] is the
/// only place that reads the process environment.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineConfig {
    /// `AWS_ENDPOINT_URL`: one endpoint for every service (moto, LocalStack, a proxy).
    pub endpoint_url: Option<String>,
    /// `AWS_ENDPOINT_URL_<SERVICE>` by service key (`CLOUDWATCH_LOGS`, see
    /// [`service_env_key`]); wins over `endpoint_url`.
    pub service_endpoints: HashMap<String, String>,
    /// `AWS_REGION` / `AWS_DEFAULT_REGION`.
    pub default_region: Option<String>,
    /// The deadline of one command, every page and retry included.
    pub timeout: Duration,
    /// Attempts per request, the first included (1 turns retries off).
    pub max_attempts: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            service_endpoints: HashMap::new(),
            default_region: None,
            timeout: DEFAULT_TIMEOUT,
            max_attempts: 3,
        }
    }
}

impl EngineConfig {
    /// Reads the standard AWS variables, as the AWS CLI does.
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    /// The same as [`EngineConfig::from_env`] from given variables.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut config = Self::default();
        let mut region = None;
        let mut default_region = None;
        for (key, value) in vars {
            if value.is_empty() {
                continue;
            }
            match key.as_str() {
                "AWS_ENDPOINT_URL" => config.endpoint_url = Some(value),
                "AWS_REGION" => region = Some(value),
                "AWS_DEFAULT_REGION" => default_region = Some(value),
                "AWS_MAX_ATTEMPTS" => {
                    if let Ok(attempts) = value.parse::<u32>() {
                        config.max_attempts = attempts.max(1);
                    }
                }
                _ => {
                    if let Some(service) = key.strip_prefix("AWS_ENDPOINT_URL_") {
                        config.service_endpoints.insert(service.to_owned(), value);
                    }
                }
            }
        }
        config.default_region = region.or(default_region);
        config
    }
}

/// Who calls and where: credentials (the default chain's or an assumed role's) and region.
#[derive(Debug, Clone)]
pub struct CallOptions {
    pub credentials: Credentials,
    pub region: String,
}

/// One service response.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The parsed output, as the AWS CLI would print it.
    pub output: Value,
    /// The input members to send for the next page (`{"nextToken": "..."}`), when the
    /// operation has a paginator and the service said there is more.
    pub next: Option<Value>,
}

/// Runs AWS operations. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    client: reqwest::Client,
    models: &'static Models,
    config: Arc<EngineConfig>,
}

/// What one attempt needs, prepared once per call.
struct Prepared<'a> {
    model: Arc<ServiceModel>,
    operation_key: &'a str,
    protocol: Protocol,
}

/// A call's outcome as the metrics name it.
fn call_outcome<T>(result: &Result<T, AwsError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(AwsError::Service { status, .. }) if *status < 500 => "client_error",
        Err(AwsError::Service { .. }) => "server_error",
        Err(AwsError::Timeout { .. }) => "timeout",
        Err(AwsError::Transport { .. }) => "transport_error",
        Err(_) => "other_error",
    }
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .build()
            .expect("a TLS client with the bundled roots builds");
        Self {
            client,
            models: Models::global(),
            config: Arc::new(config),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Credentials from the aws-config default provider chain (environment, profile, web
    /// identity, container and instance metadata).
    pub async fn credentials_from_environment(&self) -> Result<Credentials, AwsError> {
        use aws_credential_types::provider::ProvideCredentials;
        let loaded = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        let provider = loaded
            .credentials_provider()
            .ok_or_else(|| AwsError::Credentials {
                message: "no credentials provider is configured".into(),
            })?;
        provider
            .provide_credentials()
            .await
            .map_err(|e| AwsError::Credentials {
                message: e.to_string(),
            })
    }

    /// One service call of `operation` (the model's key, `DescribeAlarms`) of the service the
    /// AWS CLI calls `service_cli` (`cloudwatch`, `s3api`).
    pub async fn call(
        &self,
        service_cli: &str,
        operation: &str,
        params: &Map<String, Value>,
        call: &CallOptions,
    ) -> Result<Page, AwsError> {
        let deadline = Instant::now() + self.config.timeout;
        let prepared = self.prepare(service_cli, operation)?;
        self.call_page(&prepared, params, call, deadline).await
    }

    /// The AWS CLI's behaviour for one invocation: every page merged through the model's
    /// paginator, honouring `--max-items`, `--starting-token`, `--page-size` and
    /// `--no-paginate`; a single call for operations without a paginator.
    pub async fn call_all(
        &self,
        invocation: &Invocation,
        call: &CallOptions,
    ) -> Result<Value, AwsError> {
        let deadline = Instant::now() + self.config.timeout;
        let prepared = self.prepare(&invocation.service, &invocation.operation)?;
        let globals = &invocation.globals;
        let operation = prepared.operation();
        let Some(paginator) = prepared.model.paginator(operation) else {
            return Ok(self
                .call_page(&prepared, &invocation.params, call, deadline)
                .await?
                .output);
        };
        let input_tokens = paginator.input_token.as_slice().to_vec();
        let output_tokens = paginator.output_token.as_slice().to_vec();
        // The CLI turns pagination off when the user passes a token or the limit by hand.
        let manual = input_tokens
            .iter()
            .chain(paginator.limit_key.iter())
            .any(|name| invocation.params.contains_key(name));
        if globals.no_paginate || manual {
            return Ok(self
                .call_page(&prepared, &invocation.params, call, deadline)
                .await?
                .output);
        }
        let result_keys: Vec<String> = match &paginator.result_key {
            Some(keys) => keys.as_slice().to_vec(),
            None => Vec::new(),
        };
        let Some(primary_key) = result_keys.first().cloned() else {
            return Ok(self
                .call_page(&prepared, &invocation.params, call, deadline)
                .await?
                .output);
        };

        let mut params = invocation.params.clone();
        let mut skip = 0usize;
        if let Some(starting) = &globals.starting_token {
            let (token, amount) = paginate::decode_token(starting, &input_tokens)
                .map_err(|m| AwsError::serialize(&invocation.operation, m))?;
            skip = amount;
            inject_tokens(&mut params, &token);
        }
        if let (Some(page_size), Some(limit_key)) = (globals.page_size, &paginator.limit_key) {
            params.insert(limit_key.clone(), Value::from(page_size));
        }
        let max_items = globals.max_items.map(|m| m as usize);

        let mut complete = Map::new();
        let mut non_aggregate = Map::new();
        let mut resume: Option<Map<String, Value>> = None;
        let mut total = 0usize;
        let mut first = true;
        let mut previous: Option<Map<String, Value>> = None;
        loop {
            let response = self.call_page(&prepared, &params, call, deadline).await?;
            let mut page = response.output;
            let mut starting_truncation = 0;
            if first {
                if globals.starting_token.is_some() {
                    starting_truncation = skip;
                    truncate_front(&mut page, &primary_key, &result_keys, skip);
                }
                // botocore records every non-aggregate key, absent ones as None (null).
                for key in &paginator.non_aggregate_keys {
                    let value = paginate::search(&page, key).cloned().unwrap_or(Value::Null);
                    paginate::set_path(&mut non_aggregate, key, value);
                }
                first = false;
            }
            let count = paginate::search(&page, &primary_key)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let mut next_token = next_tokens(
                &page,
                paginator.more_results.as_deref(),
                &output_tokens,
                &input_tokens,
            );
            let overflow = max_items.map_or(0, |max| (total + count).saturating_sub(max));
            if overflow > 0 {
                let keep = count - overflow;
                if let Some(Value::Array(items)) = paginate::search(&page, &primary_key).cloned() {
                    if let Value::Object(map) = &mut page {
                        paginate::set_path(map, &primary_key, Value::Array(items[..keep].to_vec()));
                    }
                }
                // botocore resumes from the tokens that fetched this page, then skips.
                let mut token = previous_or_start(&previous, &params, &input_tokens);
                token.insert(
                    "boto_truncate_amount".into(),
                    Value::from(keep + starting_truncation),
                );
                resume = Some(token);
                merge_page(&mut complete, &page, &result_keys);
                break;
            }
            merge_page(&mut complete, &page, &result_keys);
            total += count;
            let Some(token) = next_token.take() else {
                break;
            };
            if max_items == Some(total) {
                resume = Some(token);
                break;
            }
            if previous.as_ref() == Some(&token) {
                return Err(AwsError::parse(
                    &invocation.operation,
                    format!(
                        "The same next token was received twice: {}",
                        Value::Object(token)
                    ),
                ));
            }
            inject_tokens(&mut params, &token);
            previous = Some(token);
        }
        merge_objects(&mut complete, non_aggregate);
        if let Some(token) = resume {
            complete.insert(
                "NextToken".into(),
                Value::String(paginate::encode_token(&token)),
            );
        }
        Ok(Value::Object(complete))
    }

    fn prepare<'a>(
        &self,
        service_cli: &str,
        operation_key: &'a str,
    ) -> Result<Prepared<'a>, AwsError> {
        let unknown = |reason: Option<String>| AwsError::UnknownOperation {
            service: service_cli.to_owned(),
            operation: operation_key.to_owned(),
            reason,
        };
        let model = self
            .models
            .service(service_cli)
            .map_err(|e| unknown(Some(e.to_string())))?;
        if !model.operations.contains_key(operation_key) {
            return Err(unknown(None));
        }
        let protocol = Protocol::choose(&model.metadata).ok_or_else(|| {
            unknown(Some(format!(
                "protocols {:?} are not supported",
                model.metadata.protocol_preference()
            )))
        })?;
        Ok(Prepared {
            model,
            operation_key,
            protocol,
        })
    }

    async fn call_page(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
        deadline: Instant,
    ) -> Result<Page, AwsError> {
        let operation_key = prepared.operation_key;
        let params = botocore_input_fixes(prepared, params);
        let started = Instant::now();
        let attempt = self.call_with_retries(prepared, &params, call);
        let result = match tokio::time::timeout_at(deadline, attempt).await {
            Ok(result) => result,
            Err(_) => Err(AwsError::Timeout {
                operation: operation_key.to_owned(),
                limit: self.config.timeout,
            }),
        };
        crate::metrics::global().aws_call(
            &prepared.model.cli.name,
            operation_key,
            call_outcome(&result),
            started.elapsed(),
        );
        let output = result?;
        let model = &prepared.model;
        let next = model.paginator(prepared.operation()).and_then(|paginator| {
            next_tokens(
                &output,
                paginator.more_results.as_deref(),
                paginator.output_token.as_slice(),
                paginator.input_token.as_slice(),
            )
            .map(Value::Object)
        });
        Ok(Page { output, next })
    }

    async fn call_with_retries(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
    ) -> Result<Value, AwsError> {
        let attempts = self.config.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.send_once(prepared, params, call).await {
                Err(error) if attempt < attempts && retryable(&error) => {
                    let backoff = Duration::from_millis(100 * 2u64.pow(attempt.min(6)));
                    let jitter = rand::random::<f64>();
                    tokio::time::sleep(backoff.mul_f64(0.5 + jitter / 2.0)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once(
        &self,
        prepared: &Prepared<'_>,
        params: &Map<String, Value>,
        call: &CallOptions,
    ) -> Result<Value, AwsError> {
        let model = &prepared.model;
        let operation_key = prepared.operation_key;
        let operation = prepared.operation();
        let params = with_idempotency_tokens(model, operation, params);
        let request =
            serialize::serialize(prepared.protocol, model, operation_key, operation, &params)
                .map_err(|m| AwsError::serialize(operation_key, m))?;
        let endpoint = resolve_endpoint(
            self.models.endpoints(),
            model,
            &call.region,
            self.config.endpoint_url.as_deref(),
            &self.config.service_endpoints,
        );
        let is_s3 = model.metadata.signing_name() == "s3";
        let url = build_url(&endpoint, &request, is_s3, &params);
        let signing_name = endpoint
            .signing_name
            .clone()
            .unwrap_or_else(|| model.metadata.signing_name().to_owned());
        let mut headers = request.headers.clone();
        if is_s3 {
            add_checksum(operation, &request, &mut headers);
        }
        sign::sign_request(
            &request.method,
            &url,
            &mut headers,
            &request.body,
            &call.credentials,
            &endpoint.signing_region,
            &signing_name,
            is_s3,
            SystemTime::now(),
        )
        .map_err(|m| AwsError::Credentials { message: m })?;

        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| AwsError::serialize(operation_key, e.to_string()))?;
        let mut builder = self.client.request(method, &url);
        for (name, value) in &headers {
            builder = builder.header(name, value);
        }
        let transport = |e: reqwest::Error| AwsError::Transport {
            endpoint: endpoint.url.clone(),
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
        let raw = RawResponse {
            status,
            headers: response_headers,
            body,
        };
        if status >= 300 || s3_error_in_ok(is_s3, operation_key, &raw) {
            let (code, message) = parse::parse_error(prepared.protocol, &raw);
            return Err(AwsError::Service {
                code,
                message,
                operation: operation_key.to_owned(),
                status,
            });
        }
        if is_s3 && operation_key == "GetBucketLocation" {
            return parse::bucket_location(&raw).map_err(|m| AwsError::parse(operation_key, m));
        }
        parse::parse_output(prepared.protocol, model, operation, &raw)
            .map_err(|m| AwsError::parse(operation_key, m))
    }
}

impl Prepared<'_> {
    fn operation(&self) -> &Operation {
        &self.model.operations[self.operation_key]
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Transport failures, 5xx answers and throttling are retried; everything else is final.
fn retryable(error: &AwsError) -> bool {
    match error {
        AwsError::Transport { .. } => true,
        AwsError::Service { code, status, .. } => {
            *status >= 500
                || matches!(
                    code.as_str(),
                    "Throttling"
                        | "ThrottlingException"
                        | "ThrottledException"
                        | "RequestThrottledException"
                        | "TooManyRequestsException"
                        | "ProvisionedThroughputExceededException"
                        | "TransactionInProgressException"
                        | "RequestLimitExceeded"
                        | "BandwidthLimitExceeded"
                        | "LimitExceededException"
                        | "RequestThrottled"
                        | "SlowDown"
                        | "PriorRequestNotComplete"
                        | "EC2ThrottledException"
                )
        }
        _ => false,
    }
}

/// botocore fills top-level idempotency tokens the caller left out with a UUID.
fn with_idempotency_tokens(
    model: &ServiceModel,
    operation: &Operation,
    params: &Map<String, Value>,
) -> Map<String, Value> {
    let mut params = params.clone();
    if let Some(input) = model.input_shape(operation) {
        for (name, member) in &input.members {
            if member.idempotency_token && !params.contains_key(name) {
                params.insert(
                    name.clone(),
                    Value::String(uuid::Uuid::new_v4().to_string()),
                );
            }
        }
    }
    params
}

/// The request URL: endpoint, host prefix, S3 addressing style, path and query.
fn build_url(
    endpoint: &endpoint::ResolvedEndpoint,
    request: &SerializedRequest,
    is_s3: bool,
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
    if is_s3 && !endpoint.custom {
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

/// S3 can answer 200 with an `<Error>` body for copy and multipart completion.
fn s3_error_in_ok(is_s3: bool, operation_key: &str, response: &RawResponse) -> bool {
    is_s3
        && matches!(
            operation_key,
            "CopyObject" | "UploadPartCopy" | "CompleteMultipartUpload"
        )
        && String::from_utf8_lossy(&response.body)
            .trim_start()
            .trim_start_matches(|c| c != '<')
            .starts_with("<Error>")
}

/// botocore's `_get_next_token`: `None` when the page is the last.
fn next_tokens(
    page: &Value,
    more_results: Option<&str>,
    output_tokens: &[String],
    input_tokens: &[String],
) -> Option<Map<String, Value>> {
    if let Some(more) = more_results {
        if !paginate::search(page, more).is_some_and(paginate::truthy) {
            return None;
        }
    }
    let mut tokens = Map::new();
    let mut any = false;
    for (output, input) in output_tokens.iter().zip(input_tokens) {
        match paginate::search(page, output) {
            Some(value) if !matches!(value, Value::String(s) if s.is_empty()) => {
                tokens.insert(input.clone(), value.clone());
                any = true;
            }
            _ => {
                tokens.insert(input.clone(), Value::Null);
            }
        }
    }
    any.then_some(tokens)
}

fn inject_tokens(params: &mut Map<String, Value>, tokens: &Map<String, Value>) {
    for (name, value) in tokens {
        if value.is_null() || value == &Value::String("None".into()) {
            params.shift_remove(name);
        } else {
            params.insert(name.clone(), value.clone());
        }
    }
}

/// The tokens that fetched the current page: botocore's resume point when `--max-items`
/// cuts a page in the middle.
fn previous_or_start(
    previous: &Option<Map<String, Value>>,
    params: &Map<String, Value>,
    input_tokens: &[String],
) -> Map<String, Value> {
    if let Some(previous) = previous {
        return previous.clone();
    }
    input_tokens
        .iter()
        .map(|name| {
            (
                name.clone(),
                params.get(name).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// botocore's `_handle_first_request`: drop the items a starting token says were seen.
fn truncate_front(page: &mut Value, primary_key: &str, result_keys: &[String], skip: usize) {
    let Value::Object(map) = page else { return };
    let current = paginate::search(&Value::Object(map.clone()), primary_key).cloned();
    let trimmed = match current {
        Some(Value::Array(items)) => Value::Array(items.into_iter().skip(skip).collect()),
        Some(Value::String(text)) => Value::String(text.chars().skip(skip).collect()),
        _ => Value::Null,
    };
    paginate::set_path(map, primary_key, trimmed);
    for key in result_keys.iter().skip(1) {
        let sample = paginate::search(&Value::Object(map.clone()), key).cloned();
        let empty = match sample {
            Some(Value::Array(_)) => Value::Array(Vec::new()),
            Some(Value::String(_)) => Value::String(String::new()),
            Some(number @ Value::Number(_)) => number,
            _ => Value::Null,
        };
        paginate::set_path(map, key, empty);
    }
}

/// botocore's `build_full_result` for one page: lists extend, numbers and strings add up.
fn merge_page(complete: &mut Map<String, Value>, page: &Value, result_keys: &[String]) {
    for key in result_keys {
        let Some(value) = paginate::search(page, key) else {
            continue;
        };
        let existing = paginate::search(&Value::Object(complete.clone()), key).cloned();
        let merged = match (existing, value) {
            (None, value) => value.clone(),
            (Some(Value::Array(mut items)), Value::Array(more)) => {
                items.extend(more.iter().cloned());
                Value::Array(items)
            }
            (Some(Value::String(a)), Value::String(b)) => Value::String(a + b),
            (Some(Value::Number(a)), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) => Value::from(a + b),
                _ => Value::from(a.as_f64().unwrap_or(0.0) + b.as_f64().unwrap_or(0.0)),
            },
            (Some(existing), _) => existing,
        };
        paginate::set_path(complete, key, merged);
    }
}

/// botocore's `merge_dicts`: nested objects merge, other values replace.
/// The input handlers botocore registers for single services, which the AWS CLI therefore
/// applies: Route 53 ids are accepted with their `/hostedzone/` (`/change/`,
/// `/delegationset/`) prefix, as other Route 53 operations return them (`fix_route53_ids`).
fn botocore_input_fixes<'p>(
    prepared: &Prepared<'_>,
    params: &'p Map<String, Value>,
) -> std::borrow::Cow<'p, Map<String, Value>> {
    let model = &prepared.model;
    if model.metadata.endpoint_prefix != "route53" {
        return std::borrow::Cow::Borrowed(params);
    }
    let Some(input) = model.input_shape(prepared.operation()) else {
        return std::borrow::Cow::Borrowed(params);
    };
    let mut fixed = params.clone();
    for (name, member) in &input.members {
        if !matches!(
            member.shape.as_str(),
            "ResourceId" | "DelegationSetId" | "ChangeId"
        ) {
            continue;
        }
        if let Some(Value::String(id)) = fixed.get_mut(name) {
            if let Some(last) = id.rsplit('/').next() {
                *id = last.to_owned();
            }
        }
    }
    std::borrow::Cow::Owned(fixed)
}

fn merge_objects(target: &mut Map<String, Value>, source: Map<String, Value>) {
    for (key, value) in source {
        match (target.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(more)) => merge_objects(existing, more),
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_idempotency_tokens_get_a_uuid_and_given_ones_stay() {
        let model = Models::global().service("ec2").unwrap();
        let operation = &model.operations["RunInstances"];
        let filled = with_idempotency_tokens(&model, operation, &Map::new());
        let token = filled["ClientToken"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(token).is_ok(), "{token}");
        let mut given = Map::new();
        given.insert("ClientToken".into(), Value::String("mine".into()));
        let kept = with_idempotency_tokens(&model, operation, &given);
        assert_eq!(kept["ClientToken"], "mine");
    }

    #[test]
    fn next_tokens_stop_when_more_results_is_false() {
        let tokens = ["Marker".to_owned()];
        let outputs = ["NextMarker || Contents[-1].Key".to_owned()];
        let more =
            serde_json::json!({"IsTruncated": true, "Contents": [{"Key": "a"}, {"Key": "b"}]});
        let next = next_tokens(&more, Some("IsTruncated"), &outputs, &tokens).unwrap();
        assert_eq!(next["Marker"], "b");
        let last = serde_json::json!({"IsTruncated": false, "Contents": [{"Key": "c"}]});
        assert_eq!(
            next_tokens(&last, Some("IsTruncated"), &outputs, &tokens),
            None
        );
        let no_token = serde_json::json!({"nextToken": ""});
        assert_eq!(
            next_tokens(
                &no_token,
                None,
                &["nextToken".into()],
                &["nextToken".into()]
            ),
            None
        );
    }

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

    #[test]
    fn config_from_variables() {
        let vars = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:6000"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_REGION", "eu-central-1"),
            ("AWS_MAX_ATTEMPTS", "1"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
        let config = EngineConfig::from_vars(vars);
        assert_eq!(
            config.endpoint_url.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            config.service_endpoints["CLOUDWATCH_LOGS"],
            "http://127.0.0.1:6000"
        );
        assert_eq!(config.default_region.as_deref(), Some("eu-central-1"));
        assert_eq!(config.max_attempts, 1);
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
    }
}
