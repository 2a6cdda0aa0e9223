//! The result card: a command's output laid out and cut to fit, with the notice of the cut,
//! the page number and a Next page button.

use serde_json::{json, Value};

use super::cut::{fit_output, FittedOutput};
use super::elements::{action, action_set, subtle};
use super::header::{header_elements, CommandHeader};
use super::Verb;
use crate::command::OutputFormat;
use crate::render::template::render;
use crate::render::Card;

const RESULT: &str = include_str!("../../../adaptive-cards/result.json");

/// A command's output, before it is laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultView {
    pub header: CommandHeader,
    pub output: Value,
    /// `--output` as given; `None` lets the card choose a table or facts where they read better.
    pub format: Option<OutputFormat>,
    pub query: Option<String>,
    /// The operation's model name, the title of `--output table`.
    pub operation: String,
    /// 1 for the first page.
    pub page: u32,
    /// The request id that knows the next page's cursor, when there is one.
    pub next_page_request: Option<String>,
}

/// Card for a result, cut to fit with a notice of what was cut.
pub fn result(view: &ResultView) -> Card {
    fitted_result(view, fit_output(view, 0))
}

/// What a result card for `view` shows of its output when earlier cards of the same page
/// showed the first `skip` items of its longest list: the caller learns from it where a Next
/// page continues ([`FittedOutput::first_unshown`]) before it renders the card with
/// [`fitted_result`].
pub fn fit_result(view: &ResultView, skip: usize) -> FittedOutput {
    fit_output(view, skip)
}

/// Card for a result whose output was fitted with [`fit_result`].
pub fn fitted_result(view: &ResultView, fitted: FittedOutput) -> Card {
    let notice = fitted.notice(view.next_page_request.is_some());
    let content = fitted.content;
    let mut notices = Vec::new();
    if let Some(notice) = notice {
        notices.push(json!({
            "type": "TextBlock",
            "text": notice,
            "color": "Warning",
            "size": "Small",
            "wrap": true
        }));
    }
    if view.page > 1 {
        notices.push(subtle(&format!("Page {}", view.page)));
    }
    let actions = match &view.next_page_request {
        Some(request) => vec![action_set(vec![action(
            "Next page",
            Verb::NextPage,
            request,
            None,
            false,
        )])],
        None => Vec::new(),
    };
    render(
        "result",
        RESULT,
        &[
            ("header", Value::Array(header_elements(&view.header))),
            ("content", Value::Array(content)),
            ("notice", Value::Array(notices)),
            ("actions", Value::Array(actions)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::cards::test_support::{
        assert_complete, button_titles_and_verbs, buttons, elements_of_type, full_header, texts,
    };

    fn view(output: Value) -> ResultView {
        ResultView {
            header: full_header(),
            output,
            format: None,
            query: None,
            operation: "GetCallerIdentity".to_owned(),
            page: 1,
            next_page_request: None,
        }
    }

    #[test]
    fn a_small_result_is_header_and_content_without_buttons() {
        let card = result(&view(
            json!({"Account": "123456789012", "UserId": "AROA:ada"}),
        ));
        assert_complete(&card);
        assert_eq!(card.name, "result");
        assert!(buttons(&card).is_empty());
        let body = card.content["body"].as_array().unwrap();
        // Title, header facts, command line, then the output as facts.
        assert_eq!(body.len(), 4);
        assert_eq!(body[0]["text"], "kinesis update-shard-count");
        assert_eq!(body[3]["type"], "FactSet");
        assert_eq!(body[3]["facts"][1]["value"], "AROA:ada");
        assert!(!texts(&card).iter().any(|t| t.starts_with("Page ")));
    }

    #[test]
    fn a_later_page_says_its_number_and_offers_the_next() {
        let card = result(&ResultView {
            page: 3,
            next_page_request: Some("req-7".to_owned()),
            ..view(json!({"Functions": [{"FunctionName": "a"}]}))
        });
        assert_complete(&card);
        assert!(texts(&card).contains(&"Page 3"));
        assert_eq!(
            button_titles_and_verbs(&card),
            [("Next page".to_owned(), Verb::NextPage.as_str().to_owned())]
        );
        let next = buttons(&card)[0];
        // The button sends the request id only: the cursor stays on the server.
        assert_eq!(
            next["data"],
            json!({"verb": "next-page", "request": "req-7"})
        );
        assert_eq!(next["associatedInputs"], "none");
    }

    #[test]
    fn a_cut_result_carries_a_warning_notice_that_points_at_next_page() {
        let records: Vec<Value> = (0..500)
            .map(|i| json!({"Name": format!("function-{i:04}"), "Runtime": "python3.12"}))
            .collect();
        let card = result(&ResultView {
            next_page_request: Some("req-8".to_owned()),
            ..view(json!({"Functions": records}))
        });
        assert_complete(&card);
        let notice = elements_of_type(&card, "TextBlock")
            .into_iter()
            .find(|block| block["color"] == "Warning")
            .expect("a notice");
        let text = notice["text"].as_str().unwrap();
        assert!(text.starts_with("Output cut: "), "{text}");
        assert!(
            text.ends_with("of 500 items shown. Narrow it with --query or use Next page."),
            "{text}"
        );
        assert_eq!(elements_of_type(&card, "Table").len(), 1);
    }

    #[test]
    fn markdown_in_the_output_is_shown_as_typed() {
        let card = result(&view(json!({"Name": "[click](https://evil.example)"})));
        assert_eq!(
            card.content["body"][3]["facts"][0]["value"],
            r"[click\](https://evil.example)"
        );
    }
}
