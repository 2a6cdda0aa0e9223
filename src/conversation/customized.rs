//! Results the AWS CLI prints its own way, shown that way in chat: `s3 ls` as the CLI's lines
//! (not the ListObjectsV2 response), `lambda invoke` as its decoded payload, status and log
//! tail (the CLI writes the payload to an outfile; chat has none), and the streamed payload
//! of other such operations as text. Decides the card only; `output` and `render` do the rest.

use base64::Engine as _;
use serde_json::Value;

use super::pending::StoredRequester;
use super::Inner;
use crate::audit::{self, AuditRecord};
use crate::aws::AwsError;
use crate::command::{Customization, Finished, Invocation, OutputFormat, Plan};
use crate::output::s3::{self, LsStyle, LsTotals};
use crate::policy::Permit;
use crate::render::{self, Card, CommandHeader, LambdaInvokeView, ResultView};

/// Who and what a plan's calls are audited with (see `CallToRender`).
pub(super) struct AuditedCall<'a> {
    pub requester: &'a StoredRequester,
    pub correlation_id: &'a str,
    pub confirmed: bool,
    pub approver: Option<&'a StoredRequester>,
    pub alias: Option<&'a str>,
}

impl Inner {
    /// Runs a CLI command that makes several calls (`emr describe-cluster`), each audited as
    /// its own operation; its answer as the CLI prints it, lines of text as one string.
    pub(super) async fn run_plan(
        &self,
        invocation: &Invocation,
        permit: &Permit,
        plan: Plan,
        audited: &AuditedCall<'_>,
    ) -> Result<Value, AwsError> {
        let requester = audited.requester.to_requester();
        let mut audit_call = |call: &Invocation, answer: &Result<Value, AwsError>, took| {
            let mut record = AuditRecord::new(
                &requester,
                call,
                audit::Outcome::of_call(answer, audited.confirmed),
            )
            .with_latency(took)
            .with_correlation_id(audited.correlation_id)
            .with_approver(audited.approver.map(StoredRequester::audit_user))
            .with_alias(audited.alias);
            if let Some(call_permit) = permit.for_call(&call.service, &call.operation) {
                record = record.with_permit(&call_permit);
            }
            self.audit.write(&record);
        };
        let finished = self
            .engine
            .run_plan(permit, invocation, plan, &mut audit_call)
            .await?;
        Ok(match finished {
            Finished::Output(output) => output,
            Finished::Lines(lines) => Value::String(lines),
        })
    }
}

/// The page of a result being shown.
pub(super) struct ShownPage {
    pub number: u32,
    pub next_page_request: Option<String>,
}

/// The card for a result that a CLI customization prints its own way.
pub(super) fn customized_result(
    customization: &Customization,
    invocation: &Invocation,
    header: &CommandHeader,
    output: &Value,
    page: &ShownPage,
) -> Card {
    match customization {
        // A plan that writes lines of its own (`configservice get-status`).
        Customization::Calls { .. } => lines_card(
            header,
            output.as_str().unwrap_or_default().to_owned(),
            invocation,
            page,
        ),
        // Chat refuses waiters while parsing; were one to arrive, its operation's result.
        Customization::Wait { .. } => render::result(&ResultView {
            header: header.clone(),
            output: output.clone(),
            format: invocation.globals.output,
            query: invocation.globals.query.clone(),
            operation: invocation.operation.clone(),
            page: page.number,
            next_page_request: page.next_page_request.clone(),
        }),
        Customization::S3Ls {
            buckets,
            recursive,
            human_readable,
            summarize,
        } => {
            let lines = if *buckets {
                s3::ls_buckets_page(output)
            } else {
                let style = LsStyle {
                    recursive: *recursive,
                    human_readable: *human_readable,
                };
                let mut totals = LsTotals::default();
                let mut lines = s3::ls_objects_page_styled(output, style, &mut totals);
                if *summarize {
                    lines.push_str(&s3::ls_summary(totals, *human_readable));
                    // Chat shows one page per card; the totals are this page's.
                    if page.number > 1 || page.next_page_request.is_some() {
                        lines.push_str("(totals of this page)\n");
                    }
                }
                lines
            };
            lines_card(header, lines, invocation, page)
        }
        Customization::Outfile { member, path } => {
            if invocation.service == "lambda" && invocation.operation == "Invoke" {
                return render::lambda_invoke(&LambdaInvokeView {
                    header: header.clone(),
                    output: output.clone(),
                    outfile: path.clone(),
                });
            }
            // Other streamed payloads (an API export, a document): their text in place of
            // the base64 the engine gives, when it is text.
            let mut shown = output.clone();
            if let Some(Value::String(encoded)) = shown.get(member.as_str()) {
                let text = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok());
                if let (Some(text), Some(object)) = (text, shown.as_object_mut()) {
                    object.insert(member.clone(), Value::String(text));
                }
            }
            render::result(&ResultView {
                header: header.clone(),
                output: shown,
                format: invocation.globals.output,
                query: invocation.globals.query.clone(),
                operation: invocation.operation.clone(),
                page: page.number,
                next_page_request: page.next_page_request.clone(),
            })
        }
    }
}

/// Lines the CLI prints, in a monospace block (a text result of one string is the string).
fn lines_card(
    header: &CommandHeader,
    lines: String,
    invocation: &Invocation,
    page: &ShownPage,
) -> Card {
    render::result(&ResultView {
        header: header.clone(),
        output: Value::String(lines),
        format: Some(OutputFormat::Text),
        query: None,
        operation: invocation.operation.clone(),
        page: page.number,
        next_page_request: page.next_page_request.clone(),
    })
}
