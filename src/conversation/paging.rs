//! Paging in chat (B2): an operation that pages is shown one page per card when the user
//! left paging to the bot; the cursor of the next page stays on the server in a NextPage
//! request. Also the one test of whether automatic pagination is in use.

use serde_json::Value;

use super::pending::{RequestKind, StoredRequester};
use super::Inner;
use crate::aws::paginate::automatic_pagination;
use crate::aws::AwsError;
use crate::command::Invocation;
use crate::common::error_chain;
use crate::policy::Permit;

/// Which page of a read to fetch.
#[derive(Debug, Clone)]
pub(super) struct PageAt {
    /// The input members that fetch this page (from the previous page); `None` for the first.
    pub cursor: Option<Value>,
    /// The page's number as the card shows it, from 1.
    pub number: u32,
}

impl PageAt {
    pub(super) fn first() -> Self {
        PageAt {
            cursor: None,
            number: 1,
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

    /// Stores the NextPage request that keeps the cursor `further` of page `page` + 1
    /// (under the id `reuse` when given, so the same request continues). Its id, or `None`
    /// when it could not be stored (logged; the card then offers no next page).
    pub(super) async fn store_next_page(
        &self,
        requester: &StoredRequester,
        invocation: &Invocation,
        further: Value,
        page: u32,
        reuse: Option<&str>,
    ) -> Option<String> {
        let mut request = self.new_request(
            requester.clone(),
            RequestKind::NextPage {
                next: further,
                page: page + 1,
            },
            invocation,
        );
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
