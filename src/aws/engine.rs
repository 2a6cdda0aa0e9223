//! The [`Engine`]: one call ([`Engine::call`]) or one invocation with the AWS CLI's
//! pagination ([`Engine::call_all`]), each under one deadline, with retries and metrics.
//! It prepares the model once per call and leaves the wire to `request`, the retry policy
//! to `retry` and the paging to `paginate`.

use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::time::Instant;

use super::customizations::{after_call, before_parameter_build};
use super::paginate::{self, FullResult};
use super::shape::Protocol;
use super::{retry, AwsError, CallOptions, EngineConfig};
use crate::command::Invocation;
use crate::models::{Models, Operation, ServiceModel};
use crate::output::Pages;
use crate::policy::Permit;

/// One service response.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The parsed output, as the AWS CLI would print it.
    pub output: Value,
    /// The input members to send for the next page (`{"nextToken": "..."}`), when the
    /// operation has a paginator and the service said there is more.
    pub next: Option<Value>,
}

/// What [`Engine::call_all_paged`] fetched: the output of an invocation the CLI does not page
/// through, or the pages of one it does.
#[derive(Debug, Clone, PartialEq)]
pub enum Fetched {
    Whole(Value),
    Pages(Pages),
}

/// Runs AWS operations. Cheap to clone.
///
/// Every call takes a [`Permit`], which only `policy` can make; the credentials and region a
/// call runs with come from it and cannot be given any other way:
///
/// ```compile_fail,E0603
/// // The call options are private to the engine: no code outside it can build them.
/// use aws_chatops::aws::CallOptions;
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(super) client: reqwest::Client,
    pub(super) models: &'static Models,
    pub(super) config: Arc<EngineConfig>,
    /// Endpoints discovered for Timestream's callers.
    pub(super) discovered: Arc<super::discovery::Cache>,
}

/// What one attempt needs, prepared once per call.
pub(super) struct Prepared<'a> {
    pub(super) model: Arc<ServiceModel>,
    pub(super) operation_key: &'a str,
    pub(super) protocol: Protocol,
}

impl Prepared<'_> {
    pub(super) fn operation(&self) -> &Operation {
        &self.model.operations[self.operation_key]
    }
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
            discovered: Arc::default(),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// One service call of the operation `permit` was granted for, with `params` as its input
    /// (a form's values, or the next page's token merged in).
    pub async fn call(
        &self,
        permit: &Permit,
        params: &Map<String, Value>,
    ) -> Result<Page, AwsError> {
        let call = CallOptions::of(permit);
        let deadline = Instant::now() + self.limit(&call);
        let prepared = self.prepare(permit.service(), permit.operation())?;
        self.call_page(&prepared, params, &call, deadline).await
    }

    /// The AWS CLI's behaviour for one invocation: every page merged through the model's
    /// paginator, honouring `--max-items`, `--starting-token`, `--page-size` and
    /// `--no-paginate`; a single call for operations without a paginator. Refused unless
    /// `permit` covers `invocation`.
    pub async fn call_all(
        &self,
        permit: &Permit,
        invocation: &Invocation,
    ) -> Result<Value, AwsError> {
        self.fetch_all(
            permit,
            invocation,
            false,
            |output| output,
            |pages| pages.finish(),
        )
        .await
    }

    /// [`Engine::call_all`] for `--output text`, which the CLI prints page by page: an
    /// invocation the CLI pages through comes back as its pages, any other as its output.
    pub async fn call_all_paged(
        &self,
        permit: &Permit,
        invocation: &Invocation,
    ) -> Result<Fetched, AwsError> {
        self.fetch_all(permit, invocation, true, Fetched::Whole, |pages| {
            Fetched::Pages(pages.finish_pages())
        })
        .await
    }

    /// One invocation as the CLI runs it: `whole` makes the answer of a single call, `paged`
    /// the answer of a paged run (its pages kept apart when `keep_pages`).
    async fn fetch_all<T>(
        &self,
        permit: &Permit,
        invocation: &Invocation,
        keep_pages: bool,
        whole: impl FnOnce(Value) -> T,
        paged: impl for<'p> FnOnce(FullResult<'p>) -> T,
    ) -> Result<T, AwsError> {
        if !permit.covers(invocation) {
            return Err(AwsError::NotPermitted {
                service: invocation.service.clone(),
                operation: invocation.operation.clone(),
                permitted: format!("{} {}", permit.service(), permit.operation()),
            });
        }
        let call = &CallOptions::of(permit);
        let deadline = Instant::now() + self.limit(call);
        let prepared = self.prepare(&invocation.service, &invocation.operation)?;
        let Some(paginator) = paginate::automatic_pagination(&prepared.model, invocation) else {
            return Ok(whole(
                self.call_page(&prepared, &invocation.params, call, deadline)
                    .await?
                    .output,
            ));
        };
        let mut pages = FullResult::start(paginator, invocation)?;
        if keep_pages {
            pages = pages.keeping_pages();
        }
        while let Some(params) = pages.next_request() {
            let page = self.call_page(&prepared, params, call, deadline).await?;
            pages.add_page(page.output)?;
        }
        Ok(paged(pages))
    }

    /// The deadline of one command: the permit's, else the engine's.
    fn limit(&self, call: &CallOptions) -> std::time::Duration {
        call.limit.unwrap_or(self.config.timeout)
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
        // botocore's input handlers run once per request: every retry of it resends the same
        // parameters, so an idempotency token filled in here is the same on each attempt and
        // a retried create cannot create twice. Each page of a paged call is a request of its
        // own and gets its own token, as in botocore (Timestream's Query refuses a token
        // reused with other parameters, and the next page's token is another parameter).
        let (params, context) =
            before_parameter_build(&prepared.model, prepared.operation(), params)
                .map_err(|m| AwsError::serialize(operation_key, m))?;
        let params = &params;
        let started = Instant::now();
        let attempt = retry::with_retries(self.config.max_attempts, move || {
            self.send_once(prepared, params, call)
        });
        let result = match tokio::time::timeout_at(deadline, attempt).await {
            Ok(result) => result,
            Err(_) => Err(AwsError::Timeout {
                operation: operation_key.to_owned(),
                limit: self.limit(call),
            }),
        };
        crate::metrics::global().aws_call(
            &prepared.model.cli.name,
            operation_key,
            call_outcome(&result),
            started.elapsed(),
        );
        let mut output = result?;
        after_call(&prepared.model, prepared.operation(), context, &mut output);
        let next = prepared
            .model
            .paginator(prepared.operation())
            .and_then(|paginator| paginate::next_page_input(paginator, &output));
        Ok(Page { output, next })
    }
}
