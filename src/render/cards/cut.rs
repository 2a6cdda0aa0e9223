//! Cutting a result to fit a card: `--query` applied, then the longest list cut to the items
//! that fit, or the text itself cut. What was cut is returned as data ([`Cut`]), so that the
//! caller can offer the rest (Next page continues from the first item not shown) and the card
//! can say what was left out.

use std::borrow::Cow;

use serde_json::Value;

use super::elements::{attention_text, monospace_block};
use super::layout::{formatted_text, lay_out};
use super::result::ResultView;
use super::CONTENT_BUDGET_BYTES;
use crate::output::Query;

/// The most lines (or table rows) a result shows before it is cut: a taller card is hard to
/// read in a chat, on a phone above all.
const MAX_LINES: usize = 120;

/// A result's output as card elements, and what of it the card left out.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedOutput {
    pub(super) content: Vec<Value>,
    pub(super) cut: Option<Cut>,
}

/// What a card did not show of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cut {
    /// The result's longest list showed its items `first..first + shown` of `total`.
    Items {
        first: usize,
        shown: usize,
        total: usize,
    },
    /// The text was cut to its first `kept` of `total` characters. When the result has a
    /// list, the card showed only its item `item` (of `items`), too large for a card by itself.
    Text {
        kept: usize,
        total: usize,
        item: Option<(usize, usize)>,
    },
}

impl FittedOutput {
    /// The index in the result's longest list of the first item this card did not show, when
    /// the card left some out (the item a Next page continues from).
    pub fn first_unshown(&self) -> Option<usize> {
        match self.cut? {
            Cut::Items {
                first,
                shown,
                total,
            } => Some(first + shown).filter(|next| *next < total),
            Cut::Text {
                item: Some((index, items)),
                ..
            } => Some(index + 1).filter(|next| *next < items),
            Cut::Text { item: None, .. } => None,
        }
    }

    /// The notice of the cut: what the card shows, and how to see the rest (`next_page`: the
    /// card offers Next page).
    pub(super) fn notice(&self, next_page: bool) -> Option<String> {
        let how = if next_page {
            "Narrow it with --query or use Next page."
        } else {
            "Narrow it with --query or filters."
        };
        let range = |first: usize, shown: usize| match shown {
            1 => format!("item {}", first + 1),
            _ => format!("items {}–{}", first + 1, first + shown),
        };
        let notice = match self.cut? {
            Cut::Items {
                first: 0,
                shown,
                total,
            } => format!("Output cut: {shown} of {} shown. {how}", items(total)),
            Cut::Items {
                first,
                shown,
                total,
            } if first + shown < total => {
                format!("Output cut: {} of {total} shown. {how}", range(first, shown))
            }
            Cut::Items {
                first,
                shown,
                total,
            } => {
                let more = if next_page {
                    " Next page continues with the next page of results."
                } else {
                    ""
                };
                // The rest of the page: the notice starts with the range.
                let range = range(first, shown).replacen('i', "I", 1);
                format!("{range} of {total} shown.{more}")
            }
            Cut::Text {
                kept,
                total,
                item: None,
            } => format!(
                "Output cut: the first {kept} of {} shown. Narrow it with --query.",
                characters(total)
            ),
            Cut::Text {
                kept,
                total,
                item: Some((index, items)),
            } => format!(
                "Output cut: item {} of {items}, too large for a card, cut to its first {kept} of {} shown. {how}",
                index + 1,
                characters(total)
            ),
        };
        Some(notice)
    }
}

/// `1 item`, `2 items`.
fn items(count: usize) -> String {
    match count {
        1 => "1 item".to_owned(),
        n => format!("{n} items"),
    }
}

/// `1 character`, `2 characters`.
fn characters(count: usize) -> String {
    match count {
        1 => "1 character".to_owned(),
        n => format!("{n} characters"),
    }
}

/// The output as card elements, cut to [`CONTENT_BUDGET_BYTES`], starting at item `skip` of
/// its longest list (the items earlier cards of the same page showed).
///
/// The output may be hundreds of kilobytes (a whole `describe-*` page) while a card holds 18 KB,
/// so every trial cut copies and lays out only the items it keeps, and the number of items is
/// found by growing the cut from one item: the work follows what fits in a card, not the size
/// of the output.
pub fn fit_output(view: &ResultView, skip: usize) -> FittedOutput {
    let shown = |content: Vec<Value>, cut: Option<Cut>| FittedOutput { content, cut };
    let queried = match view.query.as_deref().map(Query::parse) {
        Some(Ok(query)) => match query.search(&view.output) {
            Ok(value) => Cow::Owned(value),
            Err(error) => return shown(vec![attention_text(&error.to_string())], None),
        },
        Some(Err(error)) => return shown(vec![attention_text(&error.to_string())], None),
        None => Cow::Borrowed(&view.output),
    };
    let queried: &Value = &queried;
    let layout = |value: &Value| lay_out(value, view.format, &view.operation);
    let list = largest_list(queried);
    let Some((path, total)) = list else {
        let elements = layout(queried);
        if fits(&elements) {
            return shown(elements, None);
        }
        drop(elements);
        return cut_text(queried, view, None);
    };
    // The items earlier cards showed are left out; a page that shrank since shows its end.
    let first = skip.min(total);
    let rest = total - first;
    let with = |keep: usize| layout(&with_list_slice(queried, &path, first, keep));
    if first == 0 {
        let elements = layout(queried);
        if fits(&elements) {
            return shown(elements, None);
        }
    } else if rest == 0 {
        return shown(with(0), None);
    }
    let kept = most_that_fit(rest, |keep| fits(&with(keep)));
    if kept > 0 {
        let cut = Cut::Items {
            first,
            shown: kept,
            total,
        };
        return shown(with(kept), Some(cut));
    }
    // One item is already too large: show it alone, its text cut.
    let alone = with_list_slice(queried, &path, first, 1);
    cut_text(&alone, view, Some((first, total)))
}

/// The output's formatted text, cut to the budget and to [`MAX_LINES`]; `item` when the
/// output is one item of a list (its index, the list's length).
fn cut_text(queried: &Value, view: &ResultView, item: Option<(usize, usize)>) -> FittedOutput {
    let text = formatted_text(queried, view.format.unwrap_or_default(), &view.operation);
    let total = text.chars().count();
    let mut keep = total.min(CONTENT_BUDGET_BYTES / 2);
    loop {
        let cut: String = text.chars().take(keep).collect();
        let cut = cut
            .split('\n')
            .take(MAX_LINES)
            .collect::<Vec<_>>()
            .join("\n");
        keep = cut.chars().count();
        let elements = vec![monospace_block(&cut, view.format.is_none())];
        if size_of(&elements) <= CONTENT_BUDGET_BYTES || keep < 256 {
            return FittedOutput {
                content: elements,
                cut: Some(Cut::Text {
                    kept: keep,
                    total,
                    item,
                }),
            };
        }
        keep = keep * 3 / 4;
    }
}

fn size_of(elements: &[Value]) -> usize {
    elements.iter().map(|e| e.to_string().len()).sum()
}

/// Whether output elements fit a card: bytes and lines.
pub(super) fn fits(elements: &[Value]) -> bool {
    let text: String = elements.iter().map(|e| e.to_string()).collect();
    let lines = text.matches("\\n").count() + text.matches("\"TableRow\"").count();
    text.len() <= CONTENT_BUDGET_BYTES && lines <= MAX_LINES
}

/// The path (object keys) and length of the longest list at the top or one level down.
fn largest_list(value: &Value) -> Option<(Vec<String>, usize)> {
    match value {
        Value::Array(items) => Some((Vec::new(), items.len())),
        Value::Object(map) => map
            .iter()
            .filter_map(|(key, v)| match v {
                Value::Array(items) => Some((vec![key.clone()], items.len())),
                Value::Object(inner) => inner
                    .iter()
                    .filter_map(|(k2, v2)| {
                        v2.as_array()
                            .map(|a| (vec![key.clone(), k2.clone()], a.len()))
                    })
                    .max_by_key(|(_, n)| *n),
                _ => None,
            })
            .max_by_key(|(_, n)| *n),
        _ => None,
    }
    .filter(|(_, n)| *n > 0)
}

/// A copy of `value` whose list at `path` (object keys) holds only its items
/// `first..first + keep`. Only what is kept is copied: cloning the whole output for every
/// trial cut made fitting a large output cost several copies of it.
fn with_list_slice(value: &Value, path: &[String], first: usize, keep: usize) -> Value {
    match (path.split_first(), value) {
        (None, Value::Array(items)) => {
            let first = first.min(items.len());
            let end = first.saturating_add(keep).min(items.len());
            Value::Array(items[first..end].to_vec())
        }
        (Some((key, rest)), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k == key {
                        with_list_slice(v, rest, first, keep)
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        (_, other) => other.clone(),
    }
}

/// The largest `keep` in `0..=total` for which `fits(keep)` holds, given that it holds for
/// every smaller count once it holds for one. Tries 1, 2, 4, … and then halves the last gap,
/// so the counts tried add up to about the answer times its logarithm, however long the list.
fn most_that_fit(total: usize, mut fits: impl FnMut(usize) -> bool) -> usize {
    let (mut low, mut high) = (0usize, total);
    let mut probe = 1usize;
    while probe <= total {
        if fits(probe) {
            low = probe;
            probe = probe.saturating_mul(2);
        } else {
            high = probe - 1;
            break;
        }
    }
    while low < high {
        let middle = (low + high).div_ceil(2);
        if fits(middle) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::command::OutputFormat;
    use crate::render::cards::CommandHeader;

    fn view(output: Value, format: Option<OutputFormat>, query: Option<&str>) -> ResultView {
        ResultView {
            header: CommandHeader::default(),
            output,
            format,
            query: query.map(str::to_owned),
            operation: "DescribeAlarms".to_owned(),
            page: 1,
            next_page_request: None,
        }
    }

    #[test]
    fn most_that_fit_finds_the_largest_count() {
        // (items in the list, the most that fit) → the answer.
        let cases = [
            (0, 0),
            (1, 0),
            (1, 1),
            (10, 0),
            (10, 3),
            (10, 10),
            (1000, 1),
            (1000, 513),
            (1000, 999),
            (100_000, 64),
        ];
        for (total, limit) in cases {
            assert_eq!(
                most_that_fit(total, |keep| keep <= limit),
                limit.min(total),
                "total {total}, limit {limit}"
            );
        }
    }

    /// Each trial copies and lays out as many items as it tries: the items tried must follow
    /// the answer (what a card holds), not the length of the output.
    #[test]
    fn fitting_a_long_list_tries_few_items() {
        for (total, limit) in [(1_000_000, 40), (1_000_000, 300), (500, 40)] {
            let mut tried = 0;
            let kept = most_that_fit(total, |keep| {
                tried += keep;
                keep <= limit
            });
            assert_eq!(kept, limit);
            let bound = 2 * limit * (limit.ilog2() as usize + 2);
            assert!(
                tried <= bound,
                "{tried} items laid out to keep {limit} of {total}"
            );
        }
    }

    #[test]
    fn a_list_prefix_copies_only_the_kept_items() {
        let output = json!({"MetricAlarms": [1, 2, 3, 4], "NextToken": "t"});
        let nested = json!({"Reservations": {"Instances": ["a", "b", "c"]}, "Owner": "me"});
        let cases = [
            (
                &output,
                vec!["MetricAlarms"],
                2,
                json!({"MetricAlarms": [1, 2], "NextToken": "t"}),
            ),
            (&output, vec!["MetricAlarms"], 9, output.clone()),
            (
                &nested,
                vec!["Reservations", "Instances"],
                1,
                json!({"Reservations": {"Instances": ["a"]}, "Owner": "me"}),
            ),
            (&json!([1, 2, 3]), vec![], 0, json!([])),
            (&json!("text"), vec![], 3, json!("text")),
        ];
        for (value, path, keep, expected) in cases {
            let path: Vec<String> = path.into_iter().map(str::to_owned).collect();
            assert_eq!(
                with_list_slice(value, &path, 0, keep),
                expected,
                "{path:?} {keep}"
            );
        }
    }

    #[test]
    fn the_largest_list_is_found_at_the_top_or_one_level_down() {
        let cases = [
            (json!([1, 2]), Some((vec![], 2))),
            (json!({"A": [1], "B": [1, 2, 3]}), Some((vec!["B"], 3))),
            (
                json!({"R": {"I": [1, 2]}, "A": [1]}),
                Some((vec!["R", "I"], 2)),
            ),
            (json!({"A": []}), None),
            (json!({"A": {"B": {"C": [1]}}}), None),
            (json!("text"), None),
        ];
        for (value, expected) in cases {
            let expected = expected.map(|(path, n): (Vec<&str>, usize)| {
                (path.into_iter().map(str::to_owned).collect::<Vec<_>>(), n)
            });
            assert_eq!(largest_list(&value), expected, "{value}");
        }
    }

    /// A result far over the budget is cut to the items that fit, with the notice.
    #[test]
    fn a_large_result_is_cut_to_fit() {
        let alarms: Vec<Value> = (0..2000)
            .map(|i| json!({"AlarmName": format!("alarm-{i}"), "StateValue": "OK", "Threshold": i}))
            .collect();
        let fitted = fit_output(&view(json!({ "MetricAlarms": alarms }), None, None), 0);
        let (elements, notice) = (fitted.content.clone(), fitted.notice(false));
        assert!(fits(&elements));
        let notice = notice.expect("a notice of the cut");
        assert!(notice.starts_with("Output cut: "), "{notice}");
        assert!(notice.contains(" of 2000 items shown"), "{notice}");
        assert!(notice.ends_with("or filters."), "{notice}");
    }

    #[test]
    fn one_huge_item_is_cut_as_text() {
        let output = json!({"Policy": "x".repeat(100_000)});
        let fitted = fit_output(&view(output, None, None), 0);
        assert_eq!(fitted.first_unshown(), None, "no list to continue");
        let notice = fitted.notice(false);
        let elements = fitted.content;
        assert!(size_of(&elements) <= CONTENT_BUDGET_BYTES);
        let notice = notice.expect("a notice of the cut");
        assert!(notice.starts_with("Output cut: the first "), "{notice}");
        assert!(notice.contains(" characters shown"), "{notice}");
    }

    #[test]
    fn the_query_is_applied_before_layout_and_a_bad_one_is_shown() {
        let output = json!({"MetricAlarms": [{"AlarmName": "a"}, {"AlarmName": "b"}]});
        let fitted = fit_output(
            &view(
                output.clone(),
                Some(OutputFormat::Text),
                Some("MetricAlarms[].AlarmName"),
            ),
            0,
        );
        let notice = fitted.notice(false);
        let elements = fitted.content;
        assert_eq!(notice, None);
        assert_eq!(elements[0]["items"][0]["text"], "a\tb");
        let fitted = fit_output(&view(output, None, Some("MetricAlarms[")), 0);
        let notice = fitted.notice(false);
        let elements = fitted.content;
        assert_eq!(notice, None);
        assert_eq!(elements.len(), 1);
        assert_eq!(elements[0]["color"], "Attention");
    }

    /// The names of the alarms a card's elements show.
    fn names_in(elements: &[Value]) -> Vec<String> {
        let text = serde_json::to_string(elements).unwrap();
        text.split("alarm-")
            .skip(1)
            .map(|rest| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                format!("alarm-{digits}")
            })
            .collect()
    }

    /// Following `first_unshown` from card to card shows every item once, in order, and the
    /// notices say which items each card shows.
    #[test]
    fn continuing_from_the_first_unshown_item_reaches_every_item_once() {
        for format in [None, Some(OutputFormat::Json), Some(OutputFormat::Text)] {
            let alarms: Vec<Value> = (0..300)
                .map(|i| json!({"AlarmName": format!("alarm-{i}"), "StateValue": "OK", "Threshold": i}))
                .collect();
            let page = view(json!({ "MetricAlarms": alarms }), format, None);
            let (mut seen, mut skip, mut cards) = (Vec::new(), 0, 0);
            loop {
                let fitted = fit_output(&page, skip);
                assert!(fits(&fitted.content), "{format:?}");
                seen.extend(names_in(&fitted.content));
                cards += 1;
                let notice = fitted
                    .notice(true)
                    .expect("every card of a cut page says so");
                match fitted.first_unshown() {
                    Some(next) => {
                        assert!(next > skip, "{format:?}: each card moves on");
                        let expected = if skip == 0 {
                            format!("Output cut: {next} of 300 items shown.")
                        } else {
                            format!("Output cut: items {}–{next} of 300 shown.", skip + 1)
                        };
                        assert!(notice.starts_with(&expected), "{notice}");
                        skip = next;
                    }
                    None => {
                        let range = if skip + 1 == 300 {
                            "Item 300".to_owned()
                        } else {
                            format!("Items {}–300", skip + 1)
                        };
                        assert!(
                            notice.starts_with(&format!("{range} of 300 shown.")),
                            "{notice}"
                        );
                        break;
                    }
                }
            }
            let expected: Vec<String> = (0..300).map(|i| format!("alarm-{i}")).collect();
            assert_eq!(
                seen, expected,
                "{format:?}: every item exactly once, in order"
            );
            assert!(cards > 2, "{format:?}: the page needed several cards");
        }
    }

    /// An item too large for a card by itself is shown cut, alone, and the next card goes on
    /// with the item after it.
    #[test]
    fn an_item_too_large_for_a_card_is_cut_and_the_next_card_moves_on() {
        let output = json!({"Policies": [
            {"Name": "small-0"},
            {"Name": "huge", "Document": "x".repeat(100_000)},
            {"Name": "small-2"}
        ]});
        let page = view(output, None, None);
        let first = fit_output(&page, 0);
        assert_eq!(first.first_unshown(), Some(1));
        let huge = fit_output(&page, 1);
        assert!(size_of(&huge.content) <= CONTENT_BUDGET_BYTES);
        assert_eq!(huge.first_unshown(), Some(2));
        let notice = huge.notice(true).unwrap();
        assert!(
            notice.starts_with("Output cut: item 2 of 3, too large for a card, cut to its first "),
            "{notice}"
        );
        let last = fit_output(&page, 2);
        assert_eq!(last.first_unshown(), None);
        assert!(serde_json::to_string(&last.content)
            .unwrap()
            .contains("small-2"));
        assert_eq!(last.notice(false).unwrap(), "Item 3 of 3 shown.");
    }

    #[test]
    fn a_notice_counts_in_the_singular_and_the_plural() {
        let cases = [
            (
                Cut::Items {
                    first: 0,
                    shown: 1,
                    total: 2,
                },
                false,
                "Output cut: 1 of 2 items shown. Narrow it with --query or filters.",
            ),
            (
                Cut::Items {
                    first: 1,
                    shown: 1,
                    total: 3,
                },
                true,
                "Output cut: item 2 of 3 shown. Narrow it with --query or use Next page.",
            ),
            (
                Cut::Items {
                    first: 2,
                    shown: 2,
                    total: 4,
                },
                true,
                "Items 3–4 of 4 shown. Next page continues with the next page of results.",
            ),
            (
                Cut::Text {
                    kept: 1,
                    total: 1,
                    item: None,
                },
                false,
                "Output cut: the first 1 of 1 character shown. Narrow it with --query.",
            ),
        ];
        for (cut, next_page, expected) in cases {
            let fitted = FittedOutput {
                content: Vec::new(),
                cut: Some(cut),
            };
            assert_eq!(fitted.notice(next_page).unwrap(), expected, "{cut:?}");
        }
    }
}
