//! The support-case journey: the case form (step 1), the summary with the category choice and
//! Create case (step 2), and the created case with a link to it.

use serde_json::{json, Value};

use super::confirm::{confirm_card, ConfirmCard};
use super::elements::fact;
use super::form::{form_card, FormView};
use super::header::{header_elements, CommandHeader};
use crate::render::template::render;
use crate::render::Card;

const SUPPORT_CASE: &str = include_str!("../../../adaptive-cards/support-case.json");

/// The support-case form (step 1): everything but the category, which depends on the service.
pub fn support_form(view: &FormView) -> Card {
    form_card(
        "support-form",
        view,
        "Describe the problem. Next, you choose a category for the service and check a summary before the case is created. Attachments cannot be added from chat; add them in the AWS Support Center once the case exists.",
        "Next",
    )
}

/// The support-case summary (step 2): the case as it will be created, the category choice for
/// the chosen service, and Create case.
pub fn support_summary(
    header_view: &CommandHeader,
    facts: &[(String, String)],
    categories: &[(String, String)],
    request_id: &str,
    expires_in_minutes: u64,
) -> Card {
    let mut extra = vec![json!({
        "type": "FactSet",
        "facts": facts.iter().map(|(title, value)| fact(title, value)).collect::<Vec<_>>()
    })];
    if !categories.is_empty() {
        extra.push(json!({
            "type": "Input.ChoiceSet",
            "id": "categoryCode",
            "label": "Category",
            "style": "compact",
            "placeholder": "Choose the category that fits best",
            "isRequired": true,
            "errorMessage": "Choose the category that fits the problem best.",
            "choices": categories.iter().map(|(code, name)| json!({"title": name, "value": code})).collect::<Vec<_>>(),
        }));
    }
    confirm_card(ConfirmCard {
        name: "support-summary",
        title: "Check the support case",
        header: header_view,
        intro: "Check the case below, choose its category, and choose **Create case**. It is created once, only when you confirm.",
        extra,
        request_id,
        confirm_title: "Create case",
        expires_in_minutes,
    })
}

/// The created support case, with its id and a link to it.
pub fn support_case(
    header_view: &CommandHeader,
    facts: &[(String, String)],
    case_url: &str,
) -> Card {
    render(
        "support-case",
        SUPPORT_CASE,
        &[
            ("header", Value::Array(header_elements(header_view))),
            (
                "facts",
                Value::Array(
                    facts
                        .iter()
                        .map(|(title, value)| fact(title, value))
                        .collect(),
                ),
            ),
            ("case_url", Value::String(case_url.to_owned())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::{FieldKind, FormField};
    use crate::render::cards::test_support::{
        assert_answer_card, assert_complete, button_titles_and_verbs, elements_of_type,
        full_header, input, input_ids,
    };
    use crate::render::cards::Verb;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_form_asks_for_the_case_and_goes_on_with_next() {
        let field = FormField {
            member: "severityCode".to_owned(),
            option: "severity-code".to_owned(),
            label: "Severity".to_owned(),
            required: true,
            kind: FieldKind::Text {
                pattern: None,
                max_length: None,
                multiline: false,
                placeholder: None,
            },
            hint: "How urgent it is".to_owned(),
            value: None,
            resource: None,
        };
        let card = support_form(&FormView {
            header: full_header(),
            fields: vec![field],
            choices: vec![(
                "severityCode".to_owned(),
                pairs(&[
                    ("low", "General guidance"),
                    ("urgent", "Production system down"),
                ]),
            )],
            free_text: false,
            error: None,
            request_id: "req-2".to_owned(),
            expires_in_minutes: 15,
        });
        assert_answer_card(&card, "support-form", "Next", Verb::Submit);
        assert_eq!(input_ids(&card), ["severityCode"]);
        assert_eq!(input(&card, "severityCode")["isRequired"], true);
        assert!(card
            .content
            .to_string()
            .contains("Attachments cannot be added from chat"));
    }

    #[test]
    fn the_summary_shows_the_case_and_asks_for_its_category() {
        let facts = pairs(&[
            ("Subject", "Stream *throttled*"),
            ("Severity", "Production system impaired"),
        ]);
        let card = support_summary(
            &full_header(),
            &facts,
            &pairs(&[
                ("performance", "Performance"),
                ("general-guidance", "General Guidance"),
            ]),
            "req-3",
            14,
        );
        assert_answer_card(&card, "support-summary", "Create case", Verb::Confirm);
        let summary = elements_of_type(&card, "FactSet").last().copied().unwrap();
        assert_eq!(
            summary["facts"][0],
            json!({"title": "Subject", "value": r"Stream \*throttled\*"})
        );
        let category = input(&card, "categoryCode");
        assert_eq!(category["isRequired"], true);
        assert_eq!(
            category["choices"][0],
            json!({"title": "Performance", "value": "performance"})
        );
    }

    #[test]
    fn a_summary_without_categories_has_no_category_input() {
        let card = support_summary(
            &full_header(),
            &pairs(&[("Subject", "s")]),
            &[],
            "req-4",
            15,
        );
        assert!(input_ids(&card).is_empty());
    }

    #[test]
    fn the_created_case_links_to_the_support_center_without_buttons() {
        let url =
            "https://support.console.aws.amazon.com/support/home#/case/?displayId=1780&language=en";
        let card = support_case(
            &full_header(),
            &pairs(&[("Case id", "case-123"), ("Case number", "1780")]),
            url,
        );
        assert_complete(&card);
        assert_eq!(card.name, "support-case");
        assert!(button_titles_and_verbs(&card).is_empty());
        assert_eq!(elements_of_type(&card, "Action.OpenUrl")[0]["url"], url);
        let facts = &card.content["body"][4]["facts"];
        assert_eq!(
            facts,
            &json!([{"title": "Case id", "value": "case-123"}, {"title": "Case number", "value": "1780"}])
        );
    }
}
