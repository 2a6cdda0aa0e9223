//! Paging in chat (B2): an operation that pages is shown one page per card when the user
//! left paging to the bot; where the next card starts stays on the server in a NextPage
//! request. Also the one test of whether automatic pagination is in use.
//!
//! A card may have to cut a page (a card holds about 18 KB of output): then Next page
//! continues from the first item the card did not show, not from the service's next page,
//! so that every item is reached. The request keeps the cursor that fetched the page and the
//! number of items shown before, never the page itself: the next card fetches the same page
//! again (AWS returns the same page for the same cursor while nothing changes) and skips what
//! earlier cards showed. Only reads continue that way; a page whose items are all shown
//! continues with the service's next page. A read that does not page (or that the user paged
//! with `--max-items`) is fetched whole again, as the CLI would, and continues the same way.

use serde_json::Value;

use super::pending::{RequestKind, StoredRequester};
use super::Inner;
use crate::aws::paginate::automatic_pagination;
use crate::aws::AwsError;
use crate::command::Invocation;
use crate::common::error_chain;
use crate::policy::Permit;
use crate::prompt;

/// Which page of a read to fetch, and where on it the card starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PageAt {
    /// The input members that fetch the service's page (from the previous page); `None` for
    /// the first.
    pub cursor: Option<Value>,
    /// The card's number as it shows it, from 1.
    pub number: u32,
    /// How many items of the page's longest list earlier cards showed.
    pub skip: usize,
}

impl PageAt {
    pub(super) fn first() -> Self {
        PageAt {
            cursor: None,
            number: 1,
            skip: 0,
        }
    }

    /// The page a NextPage request keeps (`next` is `null` for the service's first page).
    pub(super) fn of_next_page(next: &Value, number: u32, skip: usize) -> Self {
        PageAt {
            cursor: (!next.is_null()).then(|| next.clone()),
            number,
            skip,
        }
    }

    /// Where the card after this one starts: on this same page from the item `first_unshown`
    /// when this card left items out (reads only: the page is fetched again), else on the
    /// service's page `further`; `None` when this card showed the last item.
    pub(super) fn after(
        &self,
        invocation: &Invocation,
        first_unshown: Option<usize>,
        further: Option<Value>,
    ) -> Option<PageAt> {
        let number = self.number + 1;
        match first_unshown {
            Some(skip) if prompt::is_read_only(&invocation.service, &invocation.operation) => {
                Some(PageAt {
                    cursor: self.cursor.clone(),
                    number,
                    skip,
                })
            }
            _ => further.map(|cursor| PageAt {
                cursor: Some(cursor),
                number,
                skip: 0,
            }),
        }
    }
}

impl Inner {
    /// Whether the command is shown one page at a time (B2): pagination is automatic, the
    /// user set neither `--max-items` nor `--starting-token` (`--page-size` sets the items per
    /// card page), and the paginator names its result. The output token names, and the
    /// member that limits a page.
    fn pages_one_at_a_time(
        &self,
        invocation: &Invocation,
    ) -> Option<(Vec<String>, Option<String>)> {
        let globals = &invocation.globals;
        if globals.max_items.is_some() || globals.starting_token.is_some() {
            return None;
        }
        let model = self.models.service(&invocation.service).ok()?;
        let paginator = automatic_pagination(&model, invocation)?;
        Some((
            paginator.output_token.as_slice().to_vec(),
            paginator.limit_key.clone(),
        ))
    }

    /// Calls AWS for `invocation`: the page `next` points at when the command is shown one
    /// page at a time, otherwise every page as the CLI would. The output (without the
    /// cursor), and the cursor of a further page.
    pub(super) async fn call_aws(
        &self,
        invocation: &Invocation,
        permit: &Permit,
        next: Option<&Value>,
    ) -> Result<(Value, Option<Value>), AwsError> {
        let Some((output_tokens, limit_key)) = self.pages_one_at_a_time(invocation) else {
            return Ok((self.engine.call_all(permit, invocation).await?, None));
        };
        let mut params = invocation.params.clone();
        if let (Some(page_size), Some(limit_key)) = (invocation.globals.page_size, limit_key) {
            params.insert(limit_key, Value::from(page_size));
        }
        if let Some(Value::Object(next)) = next {
            params.extend(next.clone());
        }
        let page = self.engine.call(permit, &params).await?;
        let mut output = page.output;
        // The cursor stays on the server; the card does not show it.
        if let Value::Object(map) = &mut output {
            for token in &output_tokens {
                map.shift_remove(token);
            }
        }
        Ok((output, page.next))
    }

    /// Stores the NextPage request that keeps where the card after this one starts (`next`,
    /// under the id `reuse` when given, so the same request continues), with the facts of
    /// `permit` for its audit record. Its id, or `None` when it could not be stored (logged;
    /// the card then offers no next page).
    pub(super) async fn store_next_page(
        &self,
        requester: &StoredRequester,
        invocation: &Invocation,
        permit: &Permit,
        next: PageAt,
        reuse: Option<&str>,
    ) -> Option<String> {
        let mut request = self
            .new_request(
                requester.clone(),
                RequestKind::NextPage {
                    next: next.cursor.unwrap_or(Value::Null),
                    page: next.number,
                    skip: next.skip,
                },
                invocation,
            )
            .granted(permit);
        if let Some(id) = reuse {
            request.id = id.to_owned();
        }
        match self.pending.put(&request).await {
            Ok(()) => Some(request.id),
            Err(error) => {
                tracing::error!(error = %error_chain(&error), "next-page request not stored");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map};

    use super::*;
    use crate::command::GlobalOptions;

    fn invocation(service: &str, operation: &str) -> Invocation {
        Invocation {
            service: service.to_owned(),
            operation: operation.to_owned(),
            cli_operation: String::new(),
            params: Map::new(),
            globals: GlobalOptions::default(),
        }
    }

    /// (this card, the first item it left out, the service's next page) → the next card.
    #[test]
    fn the_next_card_starts_at_the_first_item_not_shown_then_at_the_next_page() {
        let read = invocation("logs", "DescribeLogGroups");
        let on_page_two = PageAt {
            cursor: Some(json!({"nextToken": "t2"})),
            number: 4,
            skip: 30,
        };
        let further = || Some(json!({"nextToken": "t3"}));
        let cases = [
            (PageAt::first(), Some(30), further(), Some((None, 2, 30))),
            (PageAt::first(), None, further(), Some((Some("t3"), 2, 0))),
            (PageAt::first(), None, None, None),
            (
                on_page_two.clone(),
                Some(45),
                None,
                Some((Some("t2"), 5, 45)),
            ),
            (
                on_page_two.clone(),
                None,
                further(),
                Some((Some("t3"), 5, 0)),
            ),
        ];
        for (page, first_unshown, further, expected) in cases {
            let expected =
                expected.map(|(token, number, skip): (Option<&str>, u32, usize)| PageAt {
                    cursor: token.map(|t| json!({"nextToken": t})),
                    number,
                    skip,
                });
            assert_eq!(
                page.after(&read, first_unshown, further),
                expected,
                "{page:?} {first_unshown:?}"
            );
        }
    }

    /// A change is never run again to show the rest of its answer.
    #[test]
    fn a_change_whose_answer_was_cut_is_not_run_again() {
        let change = invocation("kinesis", "UpdateShardCount");
        assert_eq!(PageAt::first().after(&change, Some(10), None), None);
    }

    #[test]
    fn a_stored_cursor_becomes_the_page_again() {
        let cases = [
            (json!(null), None),
            (json!({"NextToken": "a"}), Some(json!({"NextToken": "a"}))),
        ];
        for (stored, cursor) in cases {
            let page = PageAt::of_next_page(&stored, 3, 12);
            assert_eq!(
                page,
                PageAt {
                    cursor,
                    number: 3,
                    skip: 12
                }
            );
        }
    }
}
