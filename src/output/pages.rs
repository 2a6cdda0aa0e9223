//! `--output text` of a response the AWS CLI paged through by itself: awscli's
//! `TextFormatter` prints it page by page, not merged, and applies `--query` to each page on
//! its own (so `--query 'logGroups[].logGroupName'` prints one line per page). Pure.

use serde_json::{Map, Value};

use super::query::Query;
use super::{text, OutputError};

/// An automatically paged response as the CLI's text formatter receives it (botocore's
/// `PageIterator`): every page as fetched, after `--starting-token` and `--max-items` cut
/// them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pages {
    /// The paginator's result keys (`logGroups`; `A.B` for a nested one), in order.
    pub result_keys: Vec<String>,
    /// The paginator's non-aggregate keys as read from the first page (absent ones null):
    /// printed with the first page only.
    pub non_aggregate: Map<String, Value>,
    /// Each page's whole output.
    pub pages: Vec<Value>,
    /// The token `--max-items` stopped at, printed as a last `NEXTTOKEN` line.
    pub resume_token: Option<String>,
}

/// What the CLI prints for `pages` with `--output text`: for each page, the non-aggregate keys
/// (first page only) and every result key, a missing one as null, with `query` applied to
/// that page alone; then the resume token, queried the same way, as the CLI does.
pub fn render_text_pages(pages: &Pages, query: Option<&Query>) -> Result<String, OutputError> {
    let mut out = String::new();
    let format_one = |value: Value, out: &mut String| -> Result<(), OutputError> {
        let value = match query {
            Some(query) => query.search(&value)?,
            None => value,
        };
        text::format_text(&value, out)
    };
    let searches = pages
        .result_keys
        .iter()
        .map(|key| Ok((key, Query::parse(key)?)))
        .collect::<Result<Vec<_>, OutputError>>()?;
    for (index, page) in pages.pages.iter().enumerate() {
        let mut current = if index == 0 {
            pages.non_aggregate.clone()
        } else {
            Map::new()
        };
        for (key, search) in &searches {
            set_dotted(&mut current, key, search.search(page)?);
        }
        format_one(Value::Object(current), &mut out)?;
    }
    if let Some(token) = &pages.resume_token {
        format_one(
            serde_json::json!({"NextToken": {"NextToken": token}}),
            &mut out,
        )?;
    }
    Ok(out)
}

/// botocore's `set_value_from_jmespath`: `A.B` sets `B` in the object under `A`, made when
/// missing. A result key nests a level or two; the walk is a loop, not recursion.
fn set_dotted(target: &mut Map<String, Value>, path: &str, value: Value) {
    let mut current = target;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.insert(part.to_owned(), value);
            return;
        }
        let entry = current
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pages(result_keys: &[&str], non_aggregate: Value, pages: Vec<Value>) -> Pages {
        Pages {
            result_keys: result_keys.iter().map(|k| (*k).to_owned()).collect(),
            non_aggregate: non_aggregate.as_object().cloned().unwrap_or_default(),
            pages,
            resume_token: None,
        }
    }

    fn render(pages: &Pages, query: Option<&str>) -> String {
        let query = query.map(|q| Query::parse(q).unwrap());
        render_text_pages(pages, query.as_ref()).unwrap()
    }

    /// Expected text from awscli 1.45.11's `TextFormatter` over the same pages (a
    /// `PageIterator` stand-in yielding them), `--query` given or not.
    #[test]
    fn the_query_applies_to_each_page() {
        let groups = pages(
            &["logGroups"],
            json!({}),
            vec![
                json!({"logGroups": [{"logGroupName": "/a"}, {"logGroupName": "/b"}], "nextToken": "t1"}),
                json!({"logGroups": [{"logGroupName": "/c"}]}),
            ],
        );
        assert_eq!(
            render(&groups, Some("logGroups[].logGroupName")),
            "/a\t/b\n/c\n"
        );
        assert_eq!(render(&groups, Some("length(logGroups)")), "2\n1\n");
        assert_eq!(
            render(&groups, None),
            "LOGGROUPS\t/a\nLOGGROUPS\t/b\nLOGGROUPS\t/c\n"
        );
    }

    #[test]
    fn non_aggregate_keys_print_with_the_first_page_and_the_token_last() {
        let mut alarms = pages(
            &["MetricAlarms", "CompositeAlarms"],
            json!({"Owner": "me"}),
            vec![
                json!({"MetricAlarms": [{"AlarmName": "x"}], "CompositeAlarms": [], "Owner": "me"}),
                json!({"MetricAlarms": [{"AlarmName": "y"}], "Owner": "me"}),
            ],
        );
        alarms.resume_token = Some("eyJ0b2tlbiI6IG51bGx9".to_owned());
        assert_eq!(
            render(&alarms, None),
            "me\nMETRICALARMS\tx\nNone\nMETRICALARMS\ty\nNEXTTOKEN\teyJ0b2tlbiI6IG51bGx9\n"
        );
        // A result key missing from a page is null (`None` above); the query sees `Owner` on
        // the first page only, and runs on the token's line too.
        assert_eq!(
            render(&alarms, Some("[Owner, MetricAlarms[0].AlarmName]")),
            "me\tx\nNone\ty\nNone\tNone\n"
        );
    }

    #[test]
    fn dotted_result_keys_nest() {
        let lists = pages(
            &["DistributionList.Items"],
            json!({}),
            vec![json!({"DistributionList": {"Items": [{"Id": "d1"}], "Marker": ""}})],
        );
        assert_eq!(render(&lists, Some("DistributionList.Items[].Id")), "d1\n");
    }
}
