//! Cutting a result to fit a card: `--query` applied, then the longest list cut to the items
//! that fit, or the text itself cut, with a notice that says what was left out.

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

/// The output as card elements, cut to [`CONTENT_BUDGET_BYTES`], with the notice of the cut.
///
/// The output may be hundreds of kilobytes (a whole `describe-*` page) while a card holds 18 KB,
/// so every trial cut copies and lays out only the items it keeps, and the number of items is
/// found by growing the cut from one item: the work follows what fits in a card, not the size
/// of the output.
pub(super) fn fit_output(view: &ResultView) -> (Vec<Value>, Option<String>) {
    let queried = match view.query.as_deref().map(Query::parse) {
        Some(Ok(query)) => match query.search(&view.output) {
            Ok(value) => Cow::Owned(value),
            Err(error) => return (vec![attention_text(&error.to_string())], None),
        },
        Some(Err(error)) => return (vec![attention_text(&error.to_string())], None),
        None => Cow::Borrowed(&view.output),
    };
    let queried: &Value = &queried;
    let layout = |value: &Value| lay_out(value, view.format, &view.operation);
    let elements = layout(queried);
    if fits(&elements) {
        return (elements, None);
    }
    drop(elements);
    // Keep the first items of the largest list that fit.
    if let Some((path, total)) = largest_list(queried) {
        let with = |keep: usize| layout(&with_list_prefix(queried, &path, keep));
        let kept = most_that_fit(total, |keep| fits(&with(keep)));
        if kept > 0 {
            let notice = format!(
                "Output cut: {kept} of {total} items shown. Narrow it with --query{}.",
                if view.next_page_request.is_some() {
                    " or use Next page"
                } else {
                    " or filters"
                }
            );
            return (with(kept), Some(notice));
        }
    }
    // No list to cut, or one item is already too large: cut the text itself.
    cut_text(queried, view)
}

/// The output's formatted text, cut to the budget and to [`MAX_LINES`], with the notice.
fn cut_text(queried: &Value, view: &ResultView) -> (Vec<Value>, Option<String>) {
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
            let notice = format!(
                "Output cut: the first {keep} of {total} characters shown. Narrow it with --query."
            );
            return (elements, Some(notice));
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

/// A copy of `value` whose list at `path` (object keys) holds only its first `keep` items.
/// Only what is kept is copied: cloning the whole output for every trial cut made fitting a
/// large output cost several copies of it.
fn with_list_prefix(value: &Value, path: &[String], keep: usize) -> Value {
    match (path.split_first(), value) {
        (None, Value::Array(items)) => Value::Array(items[..keep.min(items.len())].to_vec()),
        (Some((key, rest)), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if k == key {
                        with_list_prefix(v, rest, keep)
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
                with_list_prefix(value, &path, keep),
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
        let (elements, notice) = fit_output(&view(json!({ "MetricAlarms": alarms }), None, None));
        assert!(fits(&elements));
        let notice = notice.expect("a notice of the cut");
        assert!(notice.starts_with("Output cut: "), "{notice}");
        assert!(notice.contains(" of 2000 items shown"), "{notice}");
        assert!(notice.ends_with("or filters."), "{notice}");
    }

    #[test]
    fn one_huge_item_is_cut_as_text() {
        let output = json!({"Policy": "x".repeat(100_000)});
        let (elements, notice) = fit_output(&view(output, None, None));
        assert!(size_of(&elements) <= CONTENT_BUDGET_BYTES);
        let notice = notice.expect("a notice of the cut");
        assert!(notice.starts_with("Output cut: the first "), "{notice}");
        assert!(notice.contains(" characters shown"), "{notice}");
    }

    #[test]
    fn the_query_is_applied_before_layout_and_a_bad_one_is_shown() {
        let output = json!({"MetricAlarms": [{"AlarmName": "a"}, {"AlarmName": "b"}]});
        let (elements, notice) = fit_output(&view(
            output.clone(),
            Some(OutputFormat::Text),
            Some("MetricAlarms[].AlarmName"),
        ));
        assert_eq!(notice, None);
        assert_eq!(elements[0]["items"][0]["text"], "a\tb");
        let (elements, notice) = fit_output(&view(output, None, Some("MetricAlarms[")));
        assert_eq!(notice, None);
        assert_eq!(elements.len(), 1);
        assert_eq!(elements[0]["color"], "Attention");
    }
}
