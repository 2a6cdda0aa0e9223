//! Results the AWS CLI prints its own way, shown that way in chat: `s3 ls` as the CLI's lines
//! (not the ListObjectsV2 response), `lambda invoke` as its decoded payload, status and log
//! tail (the CLI writes the payload to an outfile; chat has none), and the streamed payload
//! of other such operations as text. Decides the card only; `output` and `render` do the rest.

use base64::Engine as _;
use serde_json::Value;

use crate::command::{Customization, Invocation, OutputFormat};
use crate::output::s3::{self, LsStyle, LsTotals};
use crate::render::{self, Card, CommandHeader, LambdaInvokeView, ResultView};

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
